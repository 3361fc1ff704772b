//! Checklist JSON API under /api/v1/checklists and /api/v1/checklist-items.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use anjian_db::checklist::{
    self, ChecklistFilter, ChecklistInput, ChecklistItem, ChecklistRow, ItemInput,
};
use anjian_db::PageReq;
use anjian_domain::role::Permission;

use super::json_body;
use crate::auth::{Access, Auth};
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Id};
use crate::routes::RouteTable;
use crate::AppState;

pub fn routes() -> RouteTable {
    let view = Access::Perm(Permission::InspectionView);
    let plan = Access::Perm(Permission::InspectionPlan);
    RouteTable::default()
        .get("/api/v1/checklists", view, list)
        .post("/api/v1/checklists", plan, create)
        .get("/api/v1/checklists/{id}", view, get)
        .add(
            axum::http::Method::PUT,
            "/api/v1/checklists/{id}",
            plan,
            update,
        )
        .post("/api/v1/checklists/{id}/items", plan, add_item)
        .add(
            axum::http::Method::PUT,
            "/api/v1/checklist-items/{id}",
            plan,
            update_item,
        )
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(list, create, get, update, add_item, update_item))]
pub struct Doc;

/// A checklist of the library.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChecklistDto {
    pub id: i64,
    /// Maintaining organisation; null for the built-in library.
    pub org_id: Option<i64>,
    pub owner_name: Option<String>,
    pub name: String,
    pub category: String,
    pub description: String,
    /// 来源依据
    pub source: String,
    pub builtin: bool,
    pub active: bool,
    /// Number of active items.
    pub item_count: i64,
    /// Send it back when editing the checklist or its items.
    pub row_version: i64,
    /// Whether the caller may edit it.
    pub can_manage: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ChecklistDto {
    fn new(r: ChecklistRow, can_manage: bool) -> Self {
        let c = r.checklist;
        ChecklistDto {
            id: c.id,
            org_id: c.org_id,
            owner_name: r.owner_name,
            name: c.name,
            category: c.category,
            description: c.description,
            source: c.source,
            builtin: c.builtin,
            active: c.active,
            item_count: r.item_count,
            row_version: c.row_version,
            can_manage,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// One item of a checklist.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemDto {
    pub id: i64,
    pub checklist_id: i64,
    pub position: i64,
    /// 检查内容
    pub content: String,
    pub category: String,
    /// 依据
    pub basis: String,
    /// Failing it means a major hazard (重大事故隐患判定标准).
    pub major_criterion: bool,
    pub active: bool,
}

impl From<ChecklistItem> for ItemDto {
    fn from(i: ChecklistItem) -> Self {
        ItemDto {
            id: i.id,
            checklist_id: i.checklist_id,
            position: i.position,
            content: i.content,
            category: i.category,
            basis: i.basis,
            major_criterion: i.major_criterion,
            active: i.active,
        }
    }
}

/// A checklist with its items in order (deactivated ones too, flagged).
#[derive(Debug, Serialize, ToSchema)]
pub struct ChecklistDetail {
    #[serde(flatten)]
    pub checklist: ChecklistDto,
    pub items: Vec<ItemDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChecklistPage {
    pub items: Vec<ChecklistDto>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ChecklistQuery {
    /// Exact category, e.g. 消防安全.
    pub category: Option<String>,
    /// Matches name or description.
    pub keyword: Option<String>,
    pub include_inactive: Option<bool>,
    /// 页码，从 1 开始
    pub page: Option<i64>,
    /// 每页条数，默认 20，超出 1–200 时自动调整
    pub page_size: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/checklists", tag = "检查表", params(ChecklistQuery),
    responses((status = 200, body = ChecklistPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<ChecklistQuery>,
) -> ApiResult<Json<ChecklistPage>> {
    let ctx = auth.ctx();
    let f = ChecklistFilter {
        category: q.category,
        keyword: q.keyword,
        include_inactive: q.include_inactive.unwrap_or(false),
    };
    let p = checklist::list(&state.db, &ctx, &f, PageReq::new(q.page, q.page_size)).await?;
    Ok(Json(ChecklistPage {
        items: p
            .items
            .into_iter()
            .map(|r| {
                let m = r.can_manage(&ctx);
                ChecklistDto::new(r, m)
            })
            .collect(),
        total: p.total,
        page: p.page,
        page_size: p.page_size,
    }))
}

/// Fields of a new checklist.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChecklistBody {
    pub name: String,
    pub category: String,
    #[serde(default)]
    pub description: String,
    /// 来源依据
    #[serde(default)]
    pub source: String,
}

impl ChecklistBody {
    fn input(&self) -> ChecklistInput {
        ChecklistInput {
            name: self.name.clone(),
            category: self.category.clone(),
            description: self.description.clone(),
            source: self.source.clone(),
            active: None,
        }
    }
}

async fn detail(state: &AppState, auth: &Auth, id: i64) -> ApiResult<ChecklistDetail> {
    let ctx = auth.ctx();
    let r = checklist::get(&state.db, &ctx, id).await?;
    let items = checklist::items(&state.db, &ctx, id, true).await?;
    let m = r.can_manage(&ctx);
    Ok(ChecklistDetail {
        checklist: ChecklistDto::new(r, m),
        items: items.into_iter().map(ItemDto::from).collect(),
    })
}

#[utoipa::path(post, path = "/api/v1/checklists", tag = "检查表", request_body = ChecklistBody,
    responses((status = 201, body = ChecklistDetail), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(b): ApiJson<ChecklistBody>,
) -> ApiResult<Response> {
    let c = checklist::create(&state.db, &auth.ctx(), &b.input()).await?;
    let d = detail(&state, &auth, c.id).await?;
    Ok((StatusCode::CREATED, Json(d)).into_response())
}

#[utoipa::path(get, path = "/api/v1/checklists/{id}", tag = "检查表", params(("id" = i64, Path)),
    responses((status = 200, body = ChecklistDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> ApiResult<Json<ChecklistDetail>> {
    Ok(Json(detail(&state, &auth, id).await?))
}

/// An edited checklist: its fields, optionally `active`, and the `row_version` last read.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChecklistUpdate {
    pub name: String,
    pub category: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub source: String,
    /// false deactivates, true reactivates; omitted leaves it as is.
    #[serde(default)]
    pub active: Option<bool>,
    pub row_version: i64,
}

/// Loads a checklist the caller may change: 404 when not visible, 403 when visible only.
async fn managed(state: &AppState, auth: &Auth, id: i64) -> Result<ChecklistRow, AppError> {
    let ctx = auth.ctx();
    let r = checklist::get(&state.db, &ctx, id).await?;
    if !r.can_manage(&ctx) {
        return Err(AppError::Forbidden);
    }
    Ok(r)
}

#[utoipa::path(put, path = "/api/v1/checklists/{id}", tag = "检查表", params(("id" = i64, Path)), request_body = ChecklistUpdate,
    responses((status = 200, body = ChecklistDetail), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<ChecklistDetail>> {
    managed(&state, &auth, id).await?;
    let b: ChecklistUpdate = json_body(&headers, &body)?;
    let input = ChecklistInput {
        name: b.name,
        category: b.category,
        description: b.description,
        source: b.source,
        active: b.active,
    };
    checklist::update(&state.db, &auth.ctx(), id, &input, b.row_version).await?;
    Ok(Json(detail(&state, &auth, id).await?))
}

/// A new or edited item. `row_version` is the checklist's; optional when adding.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemBody {
    /// 检查内容
    pub content: String,
    #[serde(default)]
    pub category: String,
    /// 依据
    #[serde(default)]
    pub basis: String,
    #[serde(default)]
    pub major_criterion: bool,
    /// Editing only: false deactivates, true reactivates; omitted leaves it as is.
    #[serde(default)]
    pub active: Option<bool>,
    /// The checklist's version: required when editing, checked when given on adding.
    #[serde(default)]
    pub row_version: Option<i64>,
}

impl ItemBody {
    fn input(&self) -> ItemInput {
        ItemInput {
            content: self.content.clone(),
            category: self.category.clone(),
            basis: self.basis.clone(),
            major_criterion: self.major_criterion,
            active: self.active,
        }
    }
}

#[utoipa::path(post, path = "/api/v1/checklists/{id}/items", tag = "检查表", params(("id" = i64, Path)), request_body = ItemBody,
    responses((status = 201, body = ItemDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn add_item(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    managed(&state, &auth, id).await?;
    let b: ItemBody = json_body(&headers, &body)?;
    let item = checklist::add_item(&state.db, &auth.ctx(), id, &b.input(), b.row_version).await?;
    Ok((StatusCode::CREATED, Json(ItemDto::from(item))).into_response())
}

#[utoipa::path(put, path = "/api/v1/checklist-items/{id}", tag = "检查表", params(("id" = i64, Path)), request_body = ItemBody,
    responses((status = 200, body = ItemDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn update_item(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<ItemDto>> {
    let ctx = auth.ctx();
    let (c, _) = checklist::get_item(&state.db, &ctx, id).await?;
    if !c.can_manage(&ctx) {
        return Err(AppError::Forbidden.into());
    }
    let b: ItemBody = json_body(&headers, &body)?;
    let Some(version) = b.row_version else {
        return Err(AppError::Invalid(anjian_db::FieldErrors::single(
            "row_version",
            "缺少版本号（row_version），请先读取检查表",
        ))
        .into());
    };
    let item = checklist::update_item(&state.db, &ctx, id, &b.input(), version).await?;
    Ok(Json(ItemDto::from(item)))
}
