//! User JSON API under /api/v1/users. No response ever carries a password hash; a generated
//! password is returned once, by the call that generated it.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use anjian_db::user::{self, UserFilter, UserInput, UserRow};
use anjian_db::{FieldErrors, PageReq};
use anjian_domain::role::{Permission, Role};

use crate::auth::{Access, Auth};
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Id};
use crate::routes::RouteTable;
use crate::AppState;

pub fn routes() -> RouteTable {
    let view = Access::Perm(Permission::UserView);
    let manage = Access::Perm(Permission::UserManage);
    let assign = Access::Perm(Permission::UserAssignRole);
    RouteTable::default()
        .get("/api/v1/users", view, list)
        // System and security administrators both create accounts; `user::create` decides which
        // roles each may give (403 otherwise).
        .post("/api/v1/users", Access::SignedIn, create)
        .get("/api/v1/users/{id}", view, get)
        .post("/api/v1/users/{id}/lock", assign, lock)
        .post("/api/v1/users/{id}/unlock", assign, unlock)
        .post("/api/v1/users/{id}/reset-password", manage, reset_password)
}

/// A user account.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserDto {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub org_id: i64,
    pub org_name: String,
    /// Role code, e.g. `unit_officer`.
    pub role: String,
    /// Role in Chinese, e.g. 单位安全员.
    pub role_label: String,
    pub phone: String,
    /// The user must change the password at next login.
    pub must_change_password: bool,
    /// Locked by an administrator (锁定).
    pub disabled: bool,
    /// Locked after too many failed logins until this instant (UTC).
    pub locked_until: Option<DateTime<Utc>>,
    pub last_login_at: Option<DateTime<Utc>>,
    /// Changes with every administrator's edit of the account (profile, role and organisation,
    /// lock); the edit forms send it back and a stale one is refused with 409.
    pub row_version: i64,
}

impl From<UserRow> for UserDto {
    fn from(u: UserRow) -> Self {
        UserDto {
            role_label: u.role_label().to_string(),
            id: u.id,
            username: u.username,
            name: u.name,
            org_id: u.org_id,
            org_name: u.org_name,
            role: u.role,
            phone: u.phone,
            must_change_password: u.must_change_password,
            disabled: u.disabled,
            locked_until: u.locked_until,
            last_login_at: u.last_login_at,
            row_version: u.row_version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserPage {
    pub items: Vec<UserDto>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

/// A new account and its generated initial password, returned only here.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedUser {
    #[serde(flatten)]
    pub user: UserDto,
    /// Shown once; the user must change it at first login.
    pub initial_password: String,
}

/// A new password set by a reset, returned only here.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewPassword {
    /// Shown once; the user must change it at next login.
    pub password: String,
}

/// Fields of a new account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserBody {
    /// Letters, digits, `_`, `.`, `-`; at most 32.
    pub username: String,
    pub name: String,
    pub org_id: i64,
    /// Role code. Administrator roles (`system_admin`, `security_admin`, `audit_admin`) only by a
    /// security administrator.
    #[schema(value_type = crate::api::RoleCode)]
    pub role: String,
    #[serde(default)]
    pub phone: String,
}

impl From<UserBody> for UserInput {
    fn from(b: UserBody) -> Self {
        UserInput {
            username: b.username,
            name: b.name,
            org_id: b.org_id,
            role: b.role,
            phone: b.phone,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UserQuery {
    /// Matches user name or name.
    pub keyword: Option<String>,
    /// Role code, e.g. `unit_officer`.
    #[param(value_type = Option<crate::api::RoleCode>)]
    pub role: Option<String>,
    pub org_id: Option<i64>,
    /// 页码，从 1 开始（小于 1 按 1 处理）
    pub page: Option<i64>,
    /// 每页条数，默认 20，超出 1–200 时自动调整
    pub page_size: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/users", tag = "用户管理", params(UserQuery),
    responses((status = 200, body = UserPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<UserQuery>,
) -> ApiResult<Json<UserPage>> {
    let role = match q.role.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => Some(
            Role::from_code(r)
                .ok_or_else(|| AppError::Invalid(FieldErrors::single("role", "角色无效")))?,
        ),
        None => None,
    };
    let f = UserFilter {
        keyword: q.keyword,
        role,
        org_id: q.org_id,
    };
    let p = user::list(
        &state.db,
        &auth.ctx(),
        &f,
        PageReq::new(q.page, q.page_size),
    )
    .await?;
    Ok(Json(UserPage {
        items: p.items.into_iter().map(UserDto::from).collect(),
        total: p.total,
        page: p.page,
        page_size: p.page_size,
    }))
}

#[utoipa::path(post, path = "/api/v1/users", tag = "用户管理", request_body = UserBody,
    responses((status = 201, body = CreatedUser), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 415, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(b): ApiJson<UserBody>,
) -> ApiResult<Response> {
    let ctx = auth.ctx();
    let created = user::create(&state.db, &ctx, &b.into(), None, true).await?;
    let row = user::get(&state.db, &ctx, created.user.id).await?;
    let body = CreatedUser {
        user: row.into(),
        initial_password: created.generated_password.unwrap_or_default(),
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "用户管理", params(("id" = i64, Path)),
    responses((status = 200, body = UserDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> ApiResult<Json<UserDto>> {
    Ok(Json(user::get(&state.db, &auth.ctx(), id).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/users/{id}/lock", tag = "用户管理", params(("id" = i64, Path)),
    responses((status = 200, body = UserDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn lock(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> ApiResult<Json<UserDto>> {
    let ctx = auth.ctx();
    user::set_locked(&state.db, &ctx, id, true).await?;
    Ok(Json(user::get(&state.db, &ctx, id).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/users/{id}/unlock", tag = "用户管理", params(("id" = i64, Path)),
    responses((status = 200, body = UserDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn unlock(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> ApiResult<Json<UserDto>> {
    let ctx = auth.ctx();
    user::set_locked(&state.db, &ctx, id, false).await?;
    Ok(Json(user::get(&state.db, &ctx, id).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/users/{id}/reset-password", tag = "用户管理", params(("id" = i64, Path)),
    responses((status = 200, body = NewPassword), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn reset_password(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> ApiResult<Json<NewPassword>> {
    Ok(Json(NewPassword {
        password: user::reset_password(&state.db, &auth.ctx(), id).await?,
    }))
}
