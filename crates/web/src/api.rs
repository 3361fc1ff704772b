//! The JSON API under /api/v1: the OpenAPI document (generated from the handlers' annotations and
//! snapshot-tested) and the routes of every module.

use axum::extract::State;
use axum::Json;
use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

use crate::attachment;
use crate::audit;
use crate::auth::{Access, Auth};
use crate::error::{ApiResult, ErrorBody};
use crate::org;
use crate::routes::RouteTable;
use crate::user;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "安全生产监管平台 API", version = "1", description = "anjian JSON API。所有接口使用 Bearer 令牌（`anjian token create`），权限与组织范围与网页端一致。"),
    paths(
        me,
        org::api::list, org::api::create, org::api::get, org::api::update, org::api::move_to,
        org::api::deactivate, org::api::activate,
        user::api::list, user::api::create, user::api::get, user::api::lock, user::api::unlock,
        user::api::reset_password,
        audit::api::list,
        attachment::upload_api, attachment::meta_api,
    ),
    components(schemas(ErrorBody)),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

/// 组织类型：`bureau` 局、`unit` 单位、`site` 库点。
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)] // documents the accepted codes; requests carry them as strings
pub enum OrgKindCode {
    Bureau,
    Unit,
    Site,
}

/// 角色代码（见 docs/permissions.md）。
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)] // documents the accepted codes; requests carry them as strings
pub enum RoleCode {
    SystemAdmin,
    SecurityAdmin,
    AuditAdmin,
    BureauSupervisor,
    BureauLeader,
    UnitHead,
    UnitOfficer,
    Inspector,
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub fn routes() -> RouteTable {
    RouteTable::default()
        .get("/api/v1/openapi.json", Access::Public, openapi)
        .get("/api/v1/me", Access::SignedIn, me)
        .merge(org::api::routes())
        .merge(user::api::routes())
        .merge(audit::api::routes())
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}

/// The whole OpenAPI document: the core paths above plus each business module's own part, so a
/// module adds its API without touching this file.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = core_document();
    for part in module_parts() {
        doc.merge(part);
    }
    doc
}

/// The platform core's part of the document (auth, organisations, users, audit, attachments).
pub fn core_document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// Each business module's part of the document. Merging keeps the first schema of a name, so two
/// modules must never give one name to two different schemas (a test checks).
pub fn module_parts() -> Vec<utoipa::openapi::OpenApi> {
    vec![
        crate::checklist::openapi(),
        crate::campaign::openapi(),
        crate::inspection_task::openapi(),
        crate::inspection::openapi(),
        crate::hazard::openapi(),
        crate::statistics::openapi(),
        crate::risk::openapi(),
        crate::report::openapi(),
        crate::ledger::openapi(),
        crate::duty::openapi(),
        crate::incident::openapi(),
        crate::dashboard::openapi(),
    ]
}

/// The caller.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub username: String,
    pub name: String,
    /// Role code, e.g. `bureau_supervisor`.
    pub role: String,
    pub role_label: String,
    pub org_id: i64,
    pub permissions: Vec<String>,
}

#[utoipa::path(get, path = "/api/v1/me", tag = "账号",
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn me(State(_state): State<AppState>, auth: Auth) -> ApiResult<Json<Me>> {
    let u = &auth.inner.user;
    Ok(Json(Me {
        id: u.id,
        username: u.username.clone(),
        name: u.name.clone(),
        role: u.role.code().to_string(),
        role_label: u.role.label().to_string(),
        org_id: u.org_id,
        permissions: u
            .role
            .permissions()
            .iter()
            .map(|p| {
                serde_json::to_value(p)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
            })
            .collect(),
    }))
}
