//! Audit JSON API: GET /api/v1/audit, read-only like the pages.

use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use anjian_db::audit::{self, AuditEntry};
use anjian_db::PageReq;
use anjian_domain::role::Permission;

use super::{action_label, entity_label, AuditParams};
use crate::auth::{Access, Auth};
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::ApiQuery;
use crate::routes::RouteTable;
use crate::AppState;

pub fn routes() -> RouteTable {
    RouteTable::default().get("/api/v1/audit", Access::Perm(Permission::AuditView), list)
}

/// One audit entry, chained to the previous one by `prev_hash`.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditDto {
    /// Sequence number; ids run without gaps.
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_user_id: Option<i64>,
    /// User name, `system:<command>` for the command line, `anonymous` before sign-in.
    pub actor_username: String,
    pub ip: String,
    pub org_id: Option<i64>,
    /// `org`, `user`, `session`, `api_token`, `attachment`, `audit_log`, …
    pub entity: String,
    pub entity_label: String,
    pub entity_id: String,
    /// e.g. `create`, `update`, `login_failed`, `export`.
    pub action: String,
    pub action_label: String,
    /// Snapshot before the change.
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    /// Snapshot after the change.
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
    pub prev_hash: String,
    pub hash: String,
}

fn snapshot(raw: Option<String>) -> Option<serde_json::Value> {
    raw.map(|s| serde_json::from_str(&s).unwrap_or(serde_json::Value::String(s)))
}

impl From<AuditEntry> for AuditDto {
    fn from(e: AuditEntry) -> Self {
        AuditDto {
            entity_label: entity_label(&e.entity),
            action_label: action_label(&e.action),
            id: e.id,
            at: e.at,
            actor_user_id: e.actor_user_id,
            actor_username: e.actor_username,
            ip: e.ip,
            org_id: e.org_id,
            entity: e.entity,
            entity_id: e.entity_id,
            action: e.action,
            before: snapshot(e.before_json),
            after: snapshot(e.after_json),
            prev_hash: e.prev_hash,
            hash: e.hash,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditDto>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Exact user name of whoever acted.
    pub actor: Option<String>,
    /// `org`, `user`, `session`, `api_token`, `attachment` or `audit_log`.
    pub entity: Option<String>,
    /// Action code, e.g. `login_failed`.
    pub action: Option<String>,
    /// Matches the entity id or the before/after snapshots.
    pub keyword: Option<String>,
    /// First day (Asia/Shanghai), YYYY-MM-DD.
    pub from: Option<String>,
    /// Last day, inclusive (Asia/Shanghai), YYYY-MM-DD.
    pub to: Option<String>,
    /// 页码，从 1 开始（小于 1 按 1 处理）
    pub page: Option<i64>,
    /// 每页条数，默认 20，超出 1–200 时自动调整
    pub page_size: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/audit", tag = "审计日志", params(AuditQuery),
    responses((status = 200, body = AuditPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<AuditPage>> {
    let params = AuditParams {
        actor: q.actor.unwrap_or_default(),
        entity: q.entity.unwrap_or_default(),
        action: q.action.unwrap_or_default(),
        keyword: q.keyword.unwrap_or_default(),
        from: q.from.unwrap_or_default(),
        to: q.to.unwrap_or_default(),
    };
    let filter = params.to_filter().map_err(AppError::Invalid)?;
    let p = audit::list(
        &state.db,
        &auth.ctx(),
        &filter,
        PageReq::new(q.page, q.page_size),
    )
    .await?;
    Ok(Json(AuditPage {
        items: p.items.into_iter().map(AuditDto::from).collect(),
        total: p.total,
        page: p.page,
        page_size: p.page_size,
    }))
}
