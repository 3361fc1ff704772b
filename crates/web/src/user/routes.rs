//! User pages: list with query form and toolbar, detail, create (with the initial password shown
//! once), profile edit, password reset, role assignment, lock and unlock.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use anjian_db::org::{self, Org};
use anjian_db::user::{self, UserFilter, UserRow};
use anjian_db::{Ctx, DbError, FieldErrors, PageReq};
use anjian_domain::role::{Permission, Role};

use super::forms::{grantable_roles, merge_errors, AssignForm, ProfileForm, UserForm};
use crate::auth::{Access, Auth};
use crate::error::{AppError, PageError, PageResult};
use crate::extract::Id;
use crate::layout::{instant, opt_instant, query_string, Chrome, Pager};
use crate::routes::RouteTable;
use crate::AppState;

pub fn routes() -> RouteTable {
    let view = Access::Perm(Permission::UserView);
    let manage = Access::Perm(Permission::UserManage);
    let assign = Access::Perm(Permission::UserAssignRole);
    RouteTable::default()
        .get("/users", view, list)
        // Both the system administrator (UserManage, business roles) and the security
        // administrator (UserAssignRole, any role) create accounts; `user::create` enforces which
        // role each may give, so the route only requires a signed-in caller.
        .get("/users/new", Access::SignedIn, new_page)
        .post("/users", Access::SignedIn, create)
        .get("/users/{id}", view, detail)
        .get("/users/{id}/edit", manage, edit_page)
        .post("/users/{id}", manage, update)
        .post("/users/{id}/reset-password", manage, reset_password)
        .get("/users/{id}/assign", assign, assign_page)
        .post("/users/{id}/assign", assign, assign_submit)
        .post("/users/{id}/lock", assign, lock)
        .post("/users/{id}/unlock", assign, unlock)
}

/// A rendered page with its status. A 422 form page is marked as already shaped, so the error
/// middleware passes it through instead of replacing it with the generic error page.
fn page_with_status(status: StatusCode, html: String) -> Response {
    let mut res = (status, Html(html)).into_response();
    crate::error::mark(&mut res);
    res
}

/// Account state as shown in lists: (text, CSS class).
pub fn status(u: &UserRow, now: DateTime<Utc>) -> (String, &'static str) {
    if u.disabled {
        ("已锁定".to_string(), "tag danger")
    } else if let Some(t) = u.locked_until.filter(|t| *t > now) {
        (format!("登录锁定至 {}", instant(&t)), "tag warning")
    } else {
        ("正常".to_string(), "tag ok")
    }
}

/// One row of the list with its display strings.
pub struct UserLine {
    pub user: UserRow,
    pub status: String,
    pub status_class: &'static str,
    pub last_login: String,
}

impl UserLine {
    fn new(user: UserRow, now: DateTime<Utc>) -> UserLine {
        let (status, status_class) = status(&user, now);
        UserLine {
            last_login: opt_instant(&user.last_login_at),
            status,
            status_class,
            user,
        }
    }
}

/// An organisation in a picker, indented by depth.
pub struct OrgOption {
    pub id: String,
    pub label: String,
}

fn org_options(orgs: Vec<Org>) -> Vec<OrgOption> {
    orgs.into_iter()
        .map(|o| OrgOption {
            id: o.id.to_string(),
            label: format!(
                "{}{}{}",
                "　".repeat(o.depth()),
                o.name,
                if o.active { "" } else { "（已停用）" }
            ),
        })
        .collect()
}

/// Organisations the caller may pick. Every role that sees users also sees organisations; should a
/// role ever not, the picker is simply empty instead of the page failing.
async fn orgs_for_picker(
    state: &AppState,
    ctx: &Ctx,
    include_inactive: bool,
) -> Result<Vec<OrgOption>, DbError> {
    match org::all_in_scope(&state.db, ctx, include_inactive).await {
        Ok(orgs) => Ok(org_options(orgs)),
        Err(DbError::Forbidden) => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

fn role_options(roles: &[Role]) -> Vec<(&'static str, &'static str)> {
    roles.iter().map(|r| (r.code(), r.label())).collect()
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    pub keyword: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub org_id: String,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
    pub notice: Option<String>,
}

impl ListQuery {
    fn filter(&self) -> UserFilter {
        UserFilter {
            keyword: Some(self.keyword.clone()),
            role: Role::from_code(self.role.trim()),
            org_id: self.org_id.trim().parse().ok(),
        }
    }
    fn query_string(&self) -> String {
        query_string(&[
            ("keyword", self.keyword.clone()),
            ("role", self.role.clone()),
            ("org_id", self.org_id.clone()),
        ])
    }
}

#[derive(Template)]
#[template(path = "user/list.html")]
struct ListPage {
    chrome: Chrome,
    q: ListQuery,
    rows: Vec<UserLine>,
    pager: Pager,
    can_create: bool,
    roles: Vec<(&'static str, &'static str)>,
    orgs: Vec<OrgOption>,
}

async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ListQuery>,
) -> PageResult<Html<String>> {
    let ctx = auth.ctx();
    let page = user::list(
        &state.db,
        &ctx,
        &q.filter(),
        PageReq::new(q.page, q.page_size),
    )
    .await?;
    let pager = Pager::new(&page, "/users", &q.query_string());
    let now = anjian_db::now();
    let rows = page
        .items
        .into_iter()
        .map(|u| UserLine::new(u, now))
        .collect();
    let p = ListPage {
        chrome: Chrome::new(&auth, "/users", "用户管理")
            .crumb("/users", "用户管理")
            .notice(q.notice.as_deref()),
        orgs: orgs_for_picker(&state, &ctx, true).await?,
        q,
        rows,
        pager,
        can_create: !grantable_roles(auth.inner.user.role).is_empty(),
        roles: role_options(&Role::ALL),
    };
    Ok(Html(p.render().map_err(PageError::from)?))
}

#[derive(Template)]
#[template(path = "user/form.html")]
struct NewPage {
    chrome: Chrome,
    form: UserForm,
    errors: FieldErrors,
    roles: Vec<(&'static str, &'static str)>,
    orgs: Vec<OrgOption>,
    admin_roles_hidden: bool,
}

async fn new_form(
    state: &AppState,
    auth: &Auth,
    form: UserForm,
    errors: FieldErrors,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    let grantable = grantable_roles(auth.inner.user.role);
    if grantable.is_empty() {
        return Err(AppError::Forbidden.into());
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let p = NewPage {
        chrome: Chrome::new(auth, "/users", "新增用户")
            .crumb("/users", "用户管理")
            .crumb("/users/new", "新增用户"),
        form,
        errors,
        admin_roles_hidden: grantable.len() < Role::ALL.len(),
        roles: role_options(&grantable),
        orgs: orgs_for_picker(state, &ctx, false).await?,
    };
    Ok(page_with_status(
        status,
        p.render().map_err(PageError::from)?,
    ))
}

async fn new_page(State(state): State<AppState>, auth: Auth) -> PageResult<Response> {
    let form = UserForm {
        org_id: auth.inner.user.org_id.to_string(),
        ..Default::default()
    };
    new_form(&state, &auth, form, FieldErrors::new()).await
}

/// The page that shows a generated password, once: after creating an account or resetting its
/// password. It is the response of the POST itself, so the password never appears in a URL, a
/// redirect, the browser history or a log line.
#[derive(Template)]
#[template(path = "user/password.html")]
struct PasswordPage {
    chrome: Chrome,
    user: UserRow,
    password: String,
    created: bool,
}

fn password_page(
    auth: &Auth,
    user: UserRow,
    password: String,
    created: bool,
) -> PageResult<Response> {
    let title = if created {
        "用户已创建"
    } else {
        "密码已重置"
    };
    let p = PasswordPage {
        chrome: Chrome::new(auth, "/users", title)
            .crumb("/users", "用户管理")
            .crumb(format!("/users/{}", user.id), user.name.clone()),
        user,
        password,
        created,
    };
    Ok(Html(p.render().map_err(PageError::from)?).into_response())
}

async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<UserForm>,
) -> PageResult<Response> {
    let (input, form_errors) = f.to_input();
    let ctx = auth.ctx();
    match user::create(&state.db, &ctx, &input, None, true).await {
        // With a form error the organisation id is 0, which the data layer refuses: no account.
        Ok(created) => {
            let row = user::get(&state.db, &ctx, created.user.id).await?;
            let password = created.generated_password.unwrap_or_default();
            password_page(&auth, row, password, true)
        }
        Err(DbError::Invalid(errors)) => {
            new_form(&state, &auth, f, merge_errors(form_errors, errors)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "user/detail.html")]
struct DetailPage {
    chrome: Chrome,
    line: UserLine,
    can_manage: bool,
    can_reset: bool,
    can_assign: bool,
    is_self: bool,
    is_login_locked: bool,
}

#[derive(Deserialize, Default)]
struct NoticeQuery {
    notice: Option<String>,
}

async fn detail(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Query(q): Query<NoticeQuery>,
) -> PageResult<Html<String>> {
    let ctx = auth.ctx();
    let u = user::get(&state.db, &ctx, id).await?;
    let now = anjian_db::now();
    let is_self = ctx.user_id() == Some(u.id);
    let can_manage = ctx.can(Permission::UserManage);
    let can_assign = ctx.can(Permission::UserAssignRole);
    let target_admin = Role::from_code(&u.role).is_some_and(Role::is_admin);
    let p = DetailPage {
        chrome: Chrome::new(&auth, "/users", u.name.clone())
            .crumb("/users", "用户管理")
            .crumb(format!("/users/{id}"), u.name.clone())
            .notice(q.notice.as_deref()),
        // Own password is changed on /password; another administrator's only by the security
        // administrator (the data layer refuses the rest).
        can_reset: can_manage && !is_self && (!target_admin || can_assign),
        can_manage,
        can_assign: can_assign && !is_self,
        is_self,
        is_login_locked: u.locked_until.is_some_and(|t| t > now),
        line: UserLine::new(u, now),
    };
    Ok(Html(p.render().map_err(PageError::from)?))
}

/// 409 for a stale form, 422 for field errors, 200 otherwise.
fn form_status(errors: &FieldErrors, conflict: &Option<String>) -> StatusCode {
    if conflict.is_some() {
        StatusCode::CONFLICT
    } else if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

#[derive(Template)]
#[template(path = "user/edit.html")]
struct EditPage {
    chrome: Chrome,
    user: UserRow,
    form: ProfileForm,
    errors: FieldErrors,
    /// The stale-version refusal, shown above the form.
    conflict: Option<String>,
}

fn edit_form(
    auth: &Auth,
    u: UserRow,
    form: ProfileForm,
    errors: FieldErrors,
    conflict: Option<String>,
) -> PageResult<Response> {
    let status = form_status(&errors, &conflict);
    let p = EditPage {
        chrome: Chrome::new(auth, "/users", format!("编辑：{}", u.name))
            .crumb("/users", "用户管理")
            .crumb(format!("/users/{}", u.id), u.name.clone())
            .crumb(format!("/users/{}/edit", u.id), "编辑"),
        user: u,
        form,
        errors,
        conflict,
    };
    Ok(page_with_status(
        status,
        p.render().map_err(PageError::from)?,
    ))
}

async fn edit_page(State(state): State<AppState>, auth: Auth, Id(id): Id) -> PageResult<Response> {
    let u = user::get(&state.db, &auth.ctx(), id).await?;
    let form = ProfileForm::from_user(&u);
    edit_form(&auth, u, form, FieldErrors::new(), None)
}

async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Form(f): Form<ProfileForm>,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    let u = user::get(&state.db, &ctx, id).await?;
    // Re-rendered forms keep the submitted version, so fixing a typo cannot skip the check.
    let version = match crate::checklist::forms::row_version(&f.row_version) {
        Ok(v) => v,
        Err(errors) => return edit_form(&auth, u, f, errors, None),
    };
    match user::update_profile(&state.db, &ctx, id, version, &f.name, &f.phone).await {
        Ok(_) => Ok(Redirect::to(&format!("/users/{id}?notice=saved")).into_response()),
        Err(DbError::Invalid(errors)) => edit_form(&auth, u, f, errors, None),
        Err(DbError::Conflict(m)) => edit_form(&auth, u, f, FieldErrors::new(), Some(m)),
        Err(e) => Err(e.into()),
    }
}

async fn reset_password(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    let password = user::reset_password(&state.db, &ctx, id).await?;
    let row = user::get(&state.db, &ctx, id).await?;
    password_page(&auth, row, password, false)
}

#[derive(Template)]
#[template(path = "user/assign.html")]
struct AssignPage {
    chrome: Chrome,
    user: UserRow,
    form: AssignForm,
    errors: FieldErrors,
    conflict: Option<String>,
    roles: Vec<(&'static str, &'static str)>,
    orgs: Vec<OrgOption>,
}

async fn assign_form(
    state: &AppState,
    auth: &Auth,
    u: UserRow,
    form: AssignForm,
    errors: FieldErrors,
    conflict: Option<String>,
) -> PageResult<Response> {
    let status = form_status(&errors, &conflict);
    let p = AssignPage {
        chrome: Chrome::new(auth, "/users", format!("分配角色：{}", u.name))
            .crumb("/users", "用户管理")
            .crumb(format!("/users/{}", u.id), u.name.clone())
            .crumb(format!("/users/{}/assign", u.id), "分配角色"),
        user: u,
        form,
        errors,
        conflict,
        roles: role_options(&grantable_roles(auth.inner.user.role)),
        orgs: orgs_for_picker(state, &auth.ctx(), false).await?,
    };
    Ok(page_with_status(
        status,
        p.render().map_err(PageError::from)?,
    ))
}

async fn assign_page(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> PageResult<Response> {
    let u = user::get(&state.db, &auth.ctx(), id).await?;
    let form = AssignForm::from_user(&u);
    assign_form(&state, &auth, u, form, FieldErrors::new(), None).await
}

async fn assign_submit(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Form(f): Form<AssignForm>,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    let u = user::get(&state.db, &ctx, id).await?;
    let (role, org_id, version) = match f.parse() {
        Ok(v) => v,
        Err(errors) => return assign_form(&state, &auth, u, f, errors, None).await,
    };
    match user::assign(&state.db, &ctx, id, version, role.code(), org_id).await {
        Ok(_) => Ok(Redirect::to(&format!("/users/{id}?notice=saved")).into_response()),
        Err(DbError::Invalid(errors)) => assign_form(&state, &auth, u, f, errors, None).await,
        Err(DbError::Conflict(m)) => {
            assign_form(&state, &auth, u, f, FieldErrors::new(), Some(m)).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn lock(State(state): State<AppState>, auth: Auth, Id(id): Id) -> PageResult<Response> {
    user::set_locked(&state.db, &auth.ctx(), id, true).await?;
    Ok(Redirect::to(&format!("/users/{id}?notice=locked")).into_response())
}

async fn unlock(State(state): State<AppState>, auth: Auth, Id(id): Id) -> PageResult<Response> {
    user::set_locked(&state.db, &auth.ctx(), id, false).await?;
    Ok(Redirect::to(&format!("/users/{id}?notice=unlocked")).into_response())
}
