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

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    org_name: String,
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
        todos: hazard_todos(&state, &ctx).await?,
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
            Some(e.message()),
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
