//! Organisation JSON API under /api/v1/orgs, and the Excel layout shared with the page export.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use anjian_db::org::{self, Org, OrgFilter, OrgInput};
use anjian_db::PageReq;
use anjian_domain::org::OrgKind;
use anjian_domain::role::Permission;

use crate::auth::{Access, Auth};
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Id};
use crate::routes::RouteTable;
use crate::AppState;

pub fn routes() -> RouteTable {
    let view = Access::Perm(Permission::OrgView);
    let manage = Access::Perm(Permission::OrgManage);
    RouteTable::default()
        .get("/api/v1/orgs", view, list)
        .post("/api/v1/orgs", manage, create)
        .get("/api/v1/orgs/{id}", view, get)
        .add(axum::http::Method::PUT, "/api/v1/orgs/{id}", manage, update)
        .post("/api/v1/orgs/{id}/move", manage, move_to)
        .post("/api/v1/orgs/{id}/deactivate", manage, deactivate)
        .post("/api/v1/orgs/{id}/activate", manage, activate)
}

/// An organisation node.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgDto {
    pub id: i64,
    pub parent_id: Option<i64>,
    /// `bureau` 局, `unit` 单位, `site` 库点
    #[schema(value_type = crate::api::OrgKindCode)]
    pub kind: String,
    pub name: String,
    /// 统一社会信用代码
    pub uscc: Option<String>,
    pub address: String,
    /// 主要负责人
    pub principal: String,
    pub contact_person: String,
    pub contact_phone: String,
    pub sort_order: i64,
    pub active: bool,
    /// Send it back with an edit (PUT); it changes with every edit, move and (de)activation.
    pub row_version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Org> for OrgDto {
    fn from(o: Org) -> Self {
        OrgDto {
            id: o.id,
            parent_id: o.parent_id,
            kind: o.kind,
            name: o.name,
            uscc: o.uscc,
            address: o.address,
            principal: o.principal,
            contact_person: o.contact_person,
            contact_phone: o.contact_phone,
            sort_order: o.sort_order,
            active: o.active,
            row_version: o.row_version,
            created_at: o.created_at,
            updated_at: o.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrgPage {
    pub items: Vec<OrgDto>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

/// Fields of a new or edited organisation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrgBody {
    /// `bureau`, `unit` or `site`
    #[schema(value_type = crate::api::OrgKindCode)]
    pub kind: String,
    /// Required when creating; ignored when editing (use move).
    #[serde(default)]
    pub parent_id: Option<i64>,
    pub name: String,
    /// Required for units.
    #[serde(default)]
    pub uscc: Option<String>,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub principal: String,
    #[serde(default)]
    pub contact_person: String,
    #[serde(default)]
    pub contact_phone: String,
    #[serde(default)]
    pub sort_order: i64,
    /// Required when editing: the `row_version` last read. When the organisation changed since,
    /// the edit is refused with 409 and nothing is written. Ignored when creating.
    #[serde(default)]
    pub row_version: Option<i64>,
}

impl From<OrgBody> for OrgInput {
    fn from(b: OrgBody) -> Self {
        OrgInput {
            kind: b.kind,
            parent_id: b.parent_id,
            name: b.name,
            uscc: b.uscc,
            address: b.address,
            principal: b.principal,
            contact_person: b.contact_person,
            contact_phone: b.contact_phone,
            sort_order: b.sort_order,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveBody {
    pub parent_id: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OrgQuery {
    /// Matches name, 统一社会信用代码 or principal.
    pub keyword: Option<String>,
    /// `bureau`, `unit` or `site`
    #[param(value_type = Option<crate::api::OrgKindCode>)]
    pub kind: Option<String>,
    pub include_inactive: Option<bool>,
    /// 页码，从 1 开始（小于 1 按 1 处理）
    pub page: Option<i64>,
    /// 每页条数，默认 20，超出 1–200 时自动调整
    pub page_size: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/orgs", tag = "组织机构", params(OrgQuery),
    responses((status = 200, body = OrgPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<OrgQuery>,
) -> ApiResult<Json<OrgPage>> {
    let kind = match q.kind.as_deref().filter(|k| !k.is_empty()) {
        Some(k) => Some(OrgKind::from_code(k).ok_or_else(|| {
            AppError::Invalid(anjian_db::FieldErrors::single(
                "kind",
                "组织类型无效，应为 bureau、unit 或 site",
            ))
        })?),
        None => None,
    };
    let f = OrgFilter {
        keyword: q.keyword,
        kind,
        include_inactive: q.include_inactive.unwrap_or(false),
        under: None,
    };
    let p = org::list(
        &state.db,
        &auth.ctx(),
        &f,
        PageReq::new(q.page, q.page_size),
    )
    .await?;
    Ok(Json(OrgPage {
        items: p.items.into_iter().map(OrgDto::from).collect(),
        total: p.total,
        page: p.page,
        page_size: p.page_size,
    }))
}

#[utoipa::path(post, path = "/api/v1/orgs", tag = "组织机构", request_body = OrgBody,
    responses((status = 201, body = OrgDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(b): ApiJson<OrgBody>,
) -> ApiResult<Response> {
    let o = org::create(&state.db, &auth.ctx(), &b.into()).await?;
    Ok((StatusCode::CREATED, Json(OrgDto::from(o))).into_response())
}

#[utoipa::path(get, path = "/api/v1/orgs/{id}", tag = "组织机构", params(("id" = i64, Path)),
    responses((status = 200, body = OrgDto), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get(State(state): State<AppState>, auth: Auth, Id(id): Id) -> ApiResult<Json<OrgDto>> {
    Ok(Json(org::get(&state.db, &auth.ctx(), id).await?.into()))
}

#[utoipa::path(put, path = "/api/v1/orgs/{id}", tag = "组织机构", params(("id" = i64, Path)), request_body = OrgBody,
    responses((status = 200, body = OrgDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    ApiJson(b): ApiJson<OrgBody>,
) -> ApiResult<Json<OrgDto>> {
    let ctx = auth.ctx();
    // Scope first (out of scope is 404 whatever the body), then the version: without one an edit
    // could only mean "whatever is there now", which is refused, not guessed.
    org::get(&state.db, &ctx, id).await?;
    let Some(version) = b.row_version else {
        return Err(AppError::Invalid(anjian_db::FieldErrors::single(
            "row_version",
            "缺少版本号（row_version），请先读取该组织",
        ))
        .into());
    };
    Ok(Json(
        org::update(&state.db, &ctx, id, version, &b.into())
            .await?
            .into(),
    ))
}

#[utoipa::path(post, path = "/api/v1/orgs/{id}/move", tag = "组织机构", params(("id" = i64, Path)), request_body = MoveBody,
    responses((status = 200, body = OrgDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 415, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn move_to(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    ApiJson(b): ApiJson<MoveBody>,
) -> ApiResult<Json<OrgDto>> {
    Ok(Json(
        org::move_to(&state.db, &auth.ctx(), id, b.parent_id)
            .await?
            .into(),
    ))
}

#[utoipa::path(post, path = "/api/v1/orgs/{id}/deactivate", tag = "组织机构", params(("id" = i64, Path)),
    responses((status = 200, body = OrgDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn deactivate(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> ApiResult<Json<OrgDto>> {
    Ok(Json(
        org::set_active(&state.db, &auth.ctx(), id, false)
            .await?
            .into(),
    ))
}

#[utoipa::path(post, path = "/api/v1/orgs/{id}/activate", tag = "组织机构", params(("id" = i64, Path)),
    responses((status = 200, body = OrgDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn activate(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> ApiResult<Json<OrgDto>> {
    Ok(Json(
        org::set_active(&state.db, &auth.ctx(), id, true)
            .await?
            .into(),
    ))
}

/// The organisation ledger as the office keeps it: one row per node, tree order.
pub fn xlsx(orgs: &[Org]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("组织机构")?;
    let head = Format::new()
        .set_bold()
        .set_background_color("D9E1F2")
        .set_border(rust_xlsxwriter::FormatBorder::Thin);
    let headers = [
        "编号",
        "上级编号",
        "类型",
        "名称",
        "统一社会信用代码",
        "地址",
        "主要负责人",
        "联系人",
        "联系电话",
        "排序号",
        "状态",
    ];
    let widths = [8.0, 10.0, 8.0, 36.0, 22.0, 36.0, 12.0, 12.0, 16.0, 8.0, 8.0];
    for (c, (h, w)) in headers.iter().zip(widths).enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &head)?;
        ws.set_column_width(c as u16, w)?;
    }
    for (i, o) in orgs.iter().enumerate() {
        let r = (i + 1) as u32;
        ws.write_number(r, 0, o.id as f64)?;
        if let Some(p) = o.parent_id {
            ws.write_number(r, 1, p as f64)?;
        }
        ws.write_string(r, 2, o.kind_label())?;
        ws.write_string(r, 3, format!("{}{}", "  ".repeat(o.depth()), o.name))?;
        ws.write_string(r, 4, o.uscc.clone().unwrap_or_default())?;
        ws.write_string(r, 5, &o.address)?;
        ws.write_string(r, 6, &o.principal)?;
        ws.write_string(r, 7, &o.contact_person)?;
        ws.write_string(r, 8, &o.contact_phone)?;
        ws.write_number(r, 9, o.sort_order as f64)?;
        ws.write_string(r, 10, if o.active { "启用" } else { "已停用" })?;
    }
    ws.set_freeze_panes(1, 0)?;
    wb.save_to_buffer()
}
