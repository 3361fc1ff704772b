//! Sign-in, sign-out, own password, and the home page with the user's to-do list.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use anjian_db::{session, user, DbError, FieldErrors};
use anjian_domain::role::Permission;

use crate::auth::{cookie, Access, Auth, ClientIp, PRE_COOKIE, SESSION_COOKIE};
use crate::error::{PageError, PageResult};
use crate::layout::Chrome;
use crate::routes::RouteTable;
use crate::AppState;

pub fn routes() -> RouteTable {
    RouteTable::default()
        .get("/", Access::SignedIn, home)
        .get("/login", Access::Public, login_page)
        .post("/login", Access::Public, login_submit)
        .post("/logout", Access::SignedIn, logout)
        .get("/password", Access::SignedIn, password_page)
        .post("/password", Access::SignedIn, password_submit)
}

/// A to-do item on the home page. Later modules (hazards to rectify, reports due, drills
/// overdue) contribute items; the platform core has none of its own.
pub struct Todo {
    pub href: String,
    pub title: String,
    pub due: String,
    /// Tag class of the count: `danger` for overdue work, `warning` for what is due soon.
    pub class: &'static str,
}

/// The hazard module's items: one line per non-zero count, linking to the filtered ledger.
async fn hazard_todos(state: &AppState, ctx: &anjian_db::Ctx) -> Result<Vec<Todo>, DbError> {
    if !ctx.can(Permission::HazardView) {
        return Ok(Vec::new());
    }
    let t = anjian_db::hazard::todo(&state.db, ctx).await?;
    let items = [
        (
            t.overdue,
            "/hazards?overdue=1",
            "已逾期未整改的隐患",
            "danger",
        ),
        (
            t.to_verify,
            "/hazards?todo=verify",
            "待我复查验收的隐患",
            "",
        ),
        (
            t.extensions_to_decide,
            "/hazards?todo=extension",
            "待我审批的延期申请",
            "",
        ),
        (
            t.due_soon,
            "/hazards?due_soon=1",
            "3天内到期的隐患",
            "warning",
        ),
        (t.to_rectify, "/hazards?todo=rectify", "待整改的隐患", ""),
    ];
    Ok(items
        .into_iter()
        .filter(|(n, ..)| *n > 0)
        .map(|(n, href, title, class)| Todo {
            href: href.to_string(),
            title: title.to_string(),
            due: if n >= anjian_db::hazard::COUNT_CAP {
                format!("{n}+ 项")
            } else {
                format!("{n} 项")
            },
            class,
        })
        .collect())
}

/// The ledgers' items: the caller's open meeting decisions and drill improvement items.
async fn ledger_todos(state: &AppState, ctx: &anjian_db::Ctx) -> Result<Vec<Todo>, DbError> {
    if !ctx.can(Permission::LedgerView) {
        return Ok(Vec::new());
    }
    let today = anjian_domain::time::today(anjian_db::now());
    Ok(anjian_db::ledger::todo(&state.db, ctx)
        .await?
        .into_iter()
        .map(|t| {
            let source = anjian_domain::ledger::LedgerKind::from_code(&t.kind)
                .map(|k| k.label())
                .unwrap_or("台账");
            Todo {
                href: t.href(),
                title: format!("{}（{}：{}）", t.content, source, t.entry_title),
                due: t.deadline.map(|d| format!("期限 {d}")).unwrap_or_default(),
                class: if t.overdue(today) { "danger" } else { "" },
            }
        })
        .collect())
}

/// The risk module's items: points flagged for re-assessment (three or more hazards in 90
/// days) that the caller is responsible for, and for risk managers the count in their scope.
async fn risk_todos(state: &AppState, ctx: &anjian_db::Ctx) -> Result<Vec<Todo>, DbError> {
    let t = anjian_db::risk::todo(&state.db, ctx).await?;
    let mut out: Vec<Todo> = t
        .mine
        .iter()
        .map(|p| Todo {
            href: format!("/risk-points/{}", p.id),
            title: format!("风险点“{}”近90天内多次发现隐患，需重新评估", p.name),
            due: String::new(),
            class: "warning",
        })
        .collect();
    if t.flagged_in_scope > 0 {
        out.push(Todo {
            href: "/risk-points?flagged=1".into(),
            title: "需重新评估的风险点".into(),
            due: format!("{} 个", t.flagged_in_scope),
            class: "",
        });
    }
    Ok(out)
}

/// The open incident reports with their clocks.
async fn incident_todos(state: &AppState, ctx: &anjian_db::Ctx) -> Result<Vec<Todo>, DbError> {
    let mut out = Vec::new();
    if ctx.can(Permission::IncidentView) {
        for (i, c) in anjian_db::incident::todo(&state.db, ctx).await? {
            let left = c.minutes_left.unwrap_or(0);
            out.push(Todo {
                href: format!("/incidents/{}", i.id),
                title: format!("处置中的事件：{}", i.title),
                due: crate::incident::pages::duration_label(left)
                    + if left < 0 {
                        "（续报已超时）"
                    } else {
                        "后须续报"
                    },
                class: if c.overdue() { "danger" } else { "warning" },
            });
        }
    }
    Ok(out)
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    org_name: String,
    /// The 今日值班 block is shown to those who may see rosters.
    can_duty: bool,
    /// Shifts on duty now and later today (`anjian_db::duty::on_duty_today` says which).
    on_duty: Vec<anjian_db::duty::OnDuty>,
    todos: Vec<Todo>,
}

#[derive(Deserialize, Default)]
struct NoticeQuery {
    notice: Option<String>,
}

async fn home(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<NoticeQuery>,
) -> PageResult<Html<String>> {
    let ctx = auth.ctx();
    let org_name = anjian_db::org::get_scoped(&state.db, &ctx, auth.inner.user.org_id)
        .await?
        .name;
    let page = HomePage {
        chrome: Chrome::new(&auth, "/", "首页").notice(q.notice.as_deref()),
        org_name,
        can_duty: ctx.can(Permission::DutyView),
        on_duty: if ctx.can(Permission::DutyView) {
            anjian_db::duty::on_duty_today(&state.db, &ctx).await?
        } else {
            Vec::new()
        },
        todos: {
            let mut t = incident_todos(&state, &ctx).await?;
            t.extend(hazard_todos(&state, &ctx).await?);
            t.extend(risk_todos(&state, &ctx).await?);
            t.extend(ledger_todos(&state, &ctx).await?);
            t
        },
    };
    Ok(Html(page.render().map_err(PageError::from)?))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    csrf: String,
    username: String,
    next: String,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
struct LoginQuery {
    next: Option<String>,
}

/// Only same-site paths are followed after sign-in (no open redirect).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") => {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

/// Cookies are `Secure` when configured so, or when a trusted proxy says the browser spoke HTTPS.
fn secure(state: &AppState, headers: &HeaderMap) -> bool {
    state.secure_cookies
        || (state.trust_proxy
            && headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                == Some("https"))
}

fn cookie_header(
    name: &str,
    value: &str,
    max_age: Option<i64>,
    secure: bool,
    same_site: &str,
) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite={same_site}");
    if let Some(a) = max_age {
        c.push_str(&format!("; Max-Age={a}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn render_login(
    state: &AppState,
    headers: &HeaderMap,
    username: &str,
    next: &str,
    error: Option<String>,
) -> Response {
    let (token, fresh) = match cookie(headers, PRE_COOKIE).filter(|t| t.len() == 64) {
        Some(t) => (t, false),
        None => (session::random_token(""), true),
    };
    let page = LoginPage {
        csrf: token.clone(),
        username: username.to_string(),
        next: next.to_string(),
        error,
    };
    let status = if page.error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    let mut res = match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => return PageError::from(e).into_response(),
    };
    if fresh {
        res.headers_mut().append(
            header::SET_COOKIE,
            cookie_header(PRE_COOKIE, &token, None, secure(state, headers), "Strict"),
        );
    }
    res
}

async fn login_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    auth: Option<Auth>,
    Query(q): Query<LoginQuery>,
) -> Response {
    if auth.is_some() {
        return Redirect::to("/").into_response();
    }
    render_login(&state, &headers, "", &safe_next(q.next.as_deref()), None)
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: Option<String>,
}

async fn login_submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> PageResult<Response> {
    let next = safe_next(f.next.as_deref());
    if f.username.trim().is_empty() || f.password.is_empty() {
        return Ok(render_login(
            &state,
            &headers,
            &f.username,
            &next,
            Some("请输入用户名和密码".into()),
        ));
    }
    let ua = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    match user::authenticate(&state.db, &ip, &f.username, &f.password, &state.policy).await? {
        Err(e) => Ok(render_login(
            &state,
            &headers,
            &f.username,
            &next,
            Some(login_refusal(&e, &state.policy)),
        )),
        Ok(u) => {
            let (raw, _) = session::login(&state.db, &u, &ip, ua, &state.policy).await?;
            let target = if u.must_change_password {
                "/password".to_string()
            } else {
                next
            };
            let mut res = Redirect::to(&target).into_response();
            res.headers_mut().append(
                header::SET_COOKIE,
                cookie_header(SESSION_COOKIE, &raw, None, secure(&state, &headers), "Lax"),
            );
            Ok(res)
        }
    }
}

/// One answer for a wrong password, an unknown user name and a locked account: an unknown name
/// is never "locked", so telling the lock apart would show, after a few tries, which user names
/// exist. The lockout rule is stated instead, the same for everyone.
fn login_refusal(e: &user::LoginError, p: &anjian_db::session::Policy) -> String {
    match e {
        user::LoginError::Invalid | user::LoginError::Locked(_) => format!(
            "用户名或密码错误（连续失败{}次账号将锁定{}分钟，锁定期间请稍后再试或联系安全管理员）",
            p.max_failed_logins, p.lockout_minutes
        ),
        other => other.message(),
    }
}

async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    auth: Auth,
) -> PageResult<Response> {
    if let Some(s) = &auth.inner.session {
        session::logout(&state.db, &auth.ctx(), s.id).await?;
    }
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        cookie_header(SESSION_COOKIE, "", Some(0), secure(&state, &headers), "Lax"),
    );
    Ok(res)
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    chrome: Chrome,
    forced: bool,
    errors: FieldErrors,
}

async fn password_page(auth: Auth) -> PageResult<Html<String>> {
    let page = PasswordPage {
        chrome: Chrome::new(&auth, "", "修改密码").crumb("/password", "修改密码"),
        forced: auth.inner.must_change_password,
        errors: FieldErrors::new(),
    };
    Ok(Html(page.render().map_err(PageError::from)?))
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    old_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

async fn password_submit(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<PasswordForm>,
) -> PageResult<Response> {
    match user::change_own_password(
        &state.db,
        &auth.ctx(),
        &f.old_password,
        &f.new_password,
        &f.confirm_password,
    )
    .await
    {
        Ok(()) => Ok(Redirect::to("/?notice=password").into_response()),
        Err(DbError::Invalid(errors)) => {
            let page = PasswordPage {
                chrome: Chrome::new(&auth, "", "修改密码").crumb("/password", "修改密码"),
                forced: auth.inner.must_change_password,
                errors,
            };
            let html = page.render().map_err(PageError::from)?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
