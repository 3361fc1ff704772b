//! Inspection JSON API under /api/v1/inspections.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use anjian_db::hazard::HazardInput;
use anjian_db::inspection::{
    self, Inspection, InspectionDetail, InspectionFilter, InspectionInput, InspectionItem,
    InspectionUpdate, ItemInput,
};
use anjian_db::{FieldErrors, PageReq};
use anjian_domain::dates::parse_date;
use anjian_domain::inspection::InspectionKind;

use crate::attachment::AttachmentDto;
use crate::auth::Auth;
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Id};
use crate::AppState;

/// An inspection's header with its counts.
#[derive(Debug, Serialize, ToSchema)]
pub struct InspectionDto {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    /// `self_check` 自查, `supervision` 督查, `spot_check` 抽查, `unannounced` 暗访, `special` 专项检查
    pub kind: String,
    pub kind_label: String,
    pub inspected_on: NaiveDate,
    pub inspectors: String,
    pub checklist_id: Option<i64>,
    pub checklist_name: Option<String>,
    pub campaign_id: Option<i64>,
    pub campaign_name: Option<String>,
    pub task_id: Option<i64>,
    pub task_title: Option<String>,
    pub summary: String,
    /// 发现非法、违法生产经营行为
    pub illegal_operation: bool,
    pub illegal_description: String,
    pub recorded_by: Option<i64>,
    pub row_version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Items with the result 不合格.
    pub failed_items: i64,
    /// Hazards registered by this inspection.
    pub hazard_count: i64,
}

impl From<Inspection> for InspectionDto {
    fn from(i: Inspection) -> Self {
        InspectionDto {
            kind_label: i.kind_label().to_string(),
            id: i.id,
            org_id: i.org_id,
            org_name: i.org_name,
            kind: i.kind,
            inspected_on: i.inspected_on,
            inspectors: i.inspectors,
            checklist_id: i.checklist_id,
            checklist_name: i.checklist_name,
            campaign_id: i.campaign_id,
            campaign_name: i.campaign_name,
            task_id: i.task_id,
            task_title: i.task_title,
            summary: i.summary,
            illegal_operation: i.illegal_operation,
            illegal_description: i.illegal_description,
            recorded_by: i.recorded_by,
            row_version: i.row_version,
            created_at: i.created_at,
            updated_at: i.updated_at,
            failed_items: i.failed_items,
            hazard_count: i.hazard_count,
        }
    }
}

/// One checklist item as recorded (a snapshot of the library item at the time).
#[derive(Debug, Serialize, ToSchema)]
pub struct InspectionItemDto {
    pub id: i64,
    pub position: i64,
    pub checklist_item_id: Option<i64>,
    pub content: String,
    pub category: String,
    /// 依据
    pub basis: String,
    /// 重大事故隐患判定项
    pub major_criterion: bool,
    /// `pass` 合格, `fail` 不合格, `na` 不适用
    pub result: String,
    pub note: String,
    /// The hazard registered for this item when it failed.
    pub hazard_id: Option<i64>,
    /// The risk point the item checked, and its name.
    pub risk_point_id: Option<i64>,
    pub risk_point_name: Option<String>,
}

impl From<InspectionItem> for InspectionItemDto {
    fn from(i: InspectionItem) -> Self {
        InspectionItemDto {
            id: i.id,
            position: i.position,
            checklist_item_id: i.checklist_item_id,
            content: i.content,
            category: i.category,
            basis: i.basis,
            major_criterion: i.major_criterion,
            result: i.result,
            note: i.note,
            hazard_id: i.hazard_id,
            risk_point_id: i.risk_point_id,
            risk_point_name: i.risk_point_name,
        }
    }
}

/// An inspection with its items, photos and hazards.
#[derive(Debug, Serialize, ToSchema)]
pub struct InspectionDetailDto {
    pub inspection: InspectionDto,
    pub items: Vec<InspectionItemDto>,
    pub attachments: Vec<AttachmentDto>,
    pub hazard_ids: Vec<i64>,
}

impl From<InspectionDetail> for InspectionDetailDto {
    fn from(d: InspectionDetail) -> Self {
        InspectionDetailDto {
            inspection: d.inspection.into(),
            items: d.items.into_iter().map(Into::into).collect(),
            attachments: d.attachments.into_iter().map(Into::into).collect(),
            hazard_ids: d.hazard_ids,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InspectionPage {
    pub items: Vec<InspectionDto>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

/// The hazard registered for a failed item. Empty fields are taken from the item and the
/// inspection: description and category from the item, date, inspectors and campaign from the
/// inspection; an item that is a 重大事故隐患判定项 always registers a major hazard.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ItemHazardBody {
    pub description: String,
    /// 隐患部位
    pub location: String,
    pub category: String,
    /// `general` or `major`; default `general` (or `major` for a major-criterion item).
    pub grade: String,
    /// Required for a major hazard on an ordinary item.
    pub major_criterion: String,
    /// 整改期限 (YYYY-MM-DD); not needed when `immediate`.
    pub deadline: String,
    pub before_attachment_ids: Vec<i64>,
    /// 立即整改: fixed on the spot (general hazards only, with `after_attachment_ids`).
    pub immediate: bool,
    pub after_attachment_ids: Vec<i64>,
    pub rectification_note: String,
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct InspectionItemBody {
    pub checklist_item_id: Option<i64>,
    /// `pass`, `fail` or `na` (合格、不合格、不适用 also accepted)
    pub result: String,
    pub note: String,
    /// The risk point the item checks: a point of the inspected organisation or one below it.
    /// A failed item's hazard is registered at that point (coupling to the risk register).
    pub risk_point_id: Option<i64>,
    /// Required when `result` is `fail`.
    pub hazard: Option<ItemHazardBody>,
}

/// A new inspection: one result per active item of the checklist, in any order.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct InspectionBody {
    pub org_id: Option<i64>,
    /// `self_check`, `supervision`, `spot_check`, `unannounced` or `special`
    pub kind: String,
    /// YYYY-MM-DD, not in the future
    pub inspected_on: String,
    pub inspectors: String,
    pub checklist_id: Option<i64>,
    pub campaign_id: Option<i64>,
    pub task_id: Option<i64>,
    pub summary: String,
    pub illegal_operation: bool,
    /// Required when `illegal_operation`.
    pub illegal_description: String,
    pub items: Vec<InspectionItemBody>,
    /// Photos uploaded with POST /api/v1/attachments for the inspected organisation.
    pub attachment_ids: Vec<i64>,
}

impl From<ItemHazardBody> for HazardInput {
    fn from(h: ItemHazardBody) -> Self {
        HazardInput {
            description: h.description,
            location: h.location,
            category: h.category,
            grade: h.grade,
            major_criterion: h.major_criterion,
            deadline: h.deadline,
            before_attachment_ids: h.before_attachment_ids,
            immediate: h.immediate,
            after_attachment_ids: h.after_attachment_ids,
            rectification_note: h.rectification_note,
            ..Default::default()
        }
    }
}

impl From<InspectionBody> for InspectionInput {
    fn from(b: InspectionBody) -> Self {
        InspectionInput {
            org_id: b.org_id,
            kind: b.kind,
            inspected_on: b.inspected_on,
            inspectors: b.inspectors,
            checklist_id: b.checklist_id,
            campaign_id: b.campaign_id,
            task_id: b.task_id,
            summary: b.summary,
            illegal_operation: b.illegal_operation,
            illegal_description: b.illegal_description,
            items: b
                .items
                .into_iter()
                .map(|i| ItemInput {
                    checklist_item_id: i.checklist_item_id,
                    result: i.result,
                    note: i.note,
                    risk_point_id: i.risk_point_id,
                    hazard: i.hazard.map(Into::into),
                })
                .collect(),
            attachment_ids: b.attachment_ids,
        }
    }
}

/// A correction of the header. Items are evidence and cannot change. Unknown fields are ignored.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct InspectionUpdateBody {
    /// The `row_version` last read; a stale one is refused with 409.
    pub row_version: i64,
    pub kind: String,
    pub inspected_on: String,
    pub inspectors: String,
    pub campaign_id: Option<i64>,
    pub task_id: Option<i64>,
    pub summary: String,
    pub illegal_operation: bool,
    pub illegal_description: String,
}

impl From<InspectionUpdateBody> for InspectionUpdate {
    fn from(b: InspectionUpdateBody) -> Self {
        InspectionUpdate {
            row_version: b.row_version,
            kind: b.kind,
            inspected_on: b.inspected_on,
            inspectors: b.inspectors,
            campaign_id: b.campaign_id,
            task_id: b.task_id,
            summary: b.summary,
            illegal_operation: b.illegal_operation,
            illegal_description: b.illegal_description,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct InspectionQuery {
    /// This organisation and those below it.
    pub org_id: Option<i64>,
    /// `self_check`, `supervision`, `spot_check`, `unannounced` or `special`
    pub kind: Option<String>,
    /// Inspected on or after (YYYY-MM-DD).
    pub from: Option<String>,
    /// Inspected on or before (YYYY-MM-DD).
    pub to: Option<String>,
    pub campaign_id: Option<i64>,
    pub task_id: Option<i64>,
    /// Matches the organisation, inspectors, summary and illegal-operation description.
    pub keyword: Option<String>,
    /// Only inspections that found illegal or unlicensed operation.
    pub illegal_only: Option<bool>,
    /// 页码，从 1 开始
    pub page: Option<i64>,
    /// 每页条数，默认 20，超出 1–200 时自动调整
    pub page_size: Option<i64>,
}

fn date_param(errs: &mut FieldErrors, field: &str, v: &Option<String>) -> Option<NaiveDate> {
    let v = v.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
    parse_date(v)
        .map_err(|e| errs.add(field, e.to_string()))
        .ok()
}

#[utoipa::path(get, path = "/api/v1/inspections", tag = "安全检查", params(InspectionQuery),
    responses((status = 200, body = InspectionPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<InspectionQuery>,
) -> ApiResult<Json<InspectionPage>> {
    let mut errs = FieldErrors::new();
    let kind = match q.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        Some(k) => {
            let kind = InspectionKind::from_code(k);
            if kind.is_none() {
                errs.add(
                    "kind",
                    "检查类型无效，应为 self_check、supervision、spot_check、unannounced 或 special",
                );
            }
            kind
        }
        None => None,
    };
    let from = date_param(&mut errs, "from", &q.from);
    let to = date_param(&mut errs, "to", &q.to);
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs).into());
    }
    let f = InspectionFilter {
        under: q.org_id,
        kind,
        from,
        to,
        campaign_id: q.campaign_id,
        task_id: q.task_id,
        keyword: q.keyword,
        illegal_only: q.illegal_only.unwrap_or(false),
    };
    let p = inspection::list(
        &state.db,
        &auth.ctx(),
        &f,
        PageReq::new(q.page, q.page_size),
    )
    .await?;
    Ok(Json(InspectionPage {
        items: p.items.into_iter().map(Into::into).collect(),
        total: p.total,
        page: p.page,
        page_size: p.page_size,
    }))
}

#[utoipa::path(post, path = "/api/v1/inspections", tag = "安全检查", request_body = InspectionBody,
    responses((status = 201, body = InspectionDetailDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 415, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(b): ApiJson<InspectionBody>,
) -> ApiResult<Response> {
    let ctx = auth.ctx();
    let id = inspection::create(&state.db, &ctx, &b.into()).await?;
    let d = inspection::get(&state.db, &ctx, id).await?;
    Ok((StatusCode::CREATED, Json(InspectionDetailDto::from(d))).into_response())
}

#[utoipa::path(get, path = "/api/v1/inspections/{id}", tag = "安全检查", params(("id" = i64, Path)),
    responses((status = 200, body = InspectionDetailDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> ApiResult<Json<InspectionDetailDto>> {
    Ok(Json(
        inspection::get(&state.db, &auth.ctx(), id).await?.into(),
    ))
}

#[utoipa::path(put, path = "/api/v1/inspections/{id}", tag = "安全检查", params(("id" = i64, Path)),
    request_body = InspectionUpdateBody,
    responses((status = 200, body = InspectionDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    ApiJson(b): ApiJson<InspectionUpdateBody>,
) -> ApiResult<Json<InspectionDto>> {
    let ctx = auth.ctx();
    // The record first: an id outside the caller's scope is 404 whatever the body says.
    inspection::get(&state.db, &ctx, id).await?;
    Ok(Json(
        inspection::update(&state.db, &ctx, id, &b.into())
            .await?
            .into(),
    ))
}

#[utoipa::path(delete, path = "/api/v1/inspections/{id}", tag = "安全检查", params(("id" = i64, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn delete(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    inspection::delete(&state.db, &auth.ctx(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}
