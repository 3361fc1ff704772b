//! Campaign JSON API under /api/v1/campaigns.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use anjian_db::campaign::{self, CampaignFilter, CampaignInput, CampaignRow};
use anjian_db::{FieldErrors, PageReq};
use anjian_domain::role::Permission;

use crate::auth::{Access, Auth};
use crate::checklist::json_body;
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Id};
use crate::routes::RouteTable;
use crate::AppState;

pub fn routes() -> RouteTable {
    let view = Access::Perm(Permission::InspectionView);
    let plan = Access::Perm(Permission::InspectionPlan);
    RouteTable::default()
        .get("/api/v1/campaigns", view, list)
        .post("/api/v1/campaigns", plan, create)
        .get("/api/v1/campaigns/{id}", view, get)
        .add(
            axum::http::Method::PUT,
            "/api/v1/campaigns/{id}",
            plan,
            update,
        )
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(list, create, get, update))]
pub struct Doc;

/// `campaign` 专项行动, `key_period` 重要时段.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)] // documents the accepted codes; requests carry them as strings
pub enum CampaignKindCode {
    Campaign,
    KeyPeriod,
}

/// A campaign or key period.
#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignDto {
    pub id: i64,
    /// The organisation that runs it.
    pub org_id: i64,
    pub owner_name: String,
    #[schema(value_type = CampaignKindCode)]
    pub kind: String,
    pub name: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub description: String,
    /// true: every unit below the owner; false: the units in `org_ids`.
    pub all_units: bool,
    pub active: bool,
    pub row_version: i64,
    pub can_manage: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl CampaignDto {
    fn new(r: CampaignRow, can_manage: bool) -> Self {
        let c = r.campaign;
        CampaignDto {
            id: c.id,
            org_id: c.org_id,
            owner_name: r.owner_name,
            kind: c.kind,
            name: c.name,
            start_date: c.start_date,
            end_date: c.end_date,
            description: c.description,
            all_units: c.all_units,
            active: c.active,
            row_version: c.row_version,
            can_manage,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// Figures of one covered unit.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitFigures {
    pub org_id: i64,
    pub name: String,
    pub inspections: i64,
    pub hazards: i64,
    pub rectified: i64,
    pub open: i64,
}

/// What the campaign produced, within the caller's scope.
#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignFigures {
    pub inspections: i64,
    pub hazards: i64,
    pub major_hazards: i64,
    /// Closed after verification (验收销号).
    pub rectified: i64,
    pub open: i64,
    pub units: Vec<UnitFigures>,
}

/// A campaign with its chosen units and figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignDetail {
    #[serde(flatten)]
    pub campaign: CampaignDto,
    /// Chosen units (empty when all units are covered).
    pub org_ids: Vec<i64>,
    pub figures: CampaignFigures,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignPage {
    pub items: Vec<CampaignDto>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CampaignQuery {
    /// `campaign` or `key_period`
    #[param(value_type = Option<CampaignKindCode>)]
    pub kind: Option<String>,
    /// Campaigns whose dates overlap this year.
    pub year: Option<i32>,
    /// Matches name or description.
    pub keyword: Option<String>,
    pub include_inactive: Option<bool>,
    /// 页码，从 1 开始
    pub page: Option<i64>,
    /// 每页条数，默认 20，超出 1–200 时自动调整
    pub page_size: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/campaigns", tag = "专项行动", params(CampaignQuery),
    responses((status = 200, body = CampaignPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<CampaignQuery>,
) -> ApiResult<Json<CampaignPage>> {
    let kind = match q.kind.as_deref().filter(|k| !k.is_empty()) {
        Some(k) => Some(campaign::parse_kind(k).ok_or_else(|| {
            AppError::Invalid(FieldErrors::single(
                "kind",
                "类型无效，应为 campaign 或 key_period",
            ))
        })?),
        None => None,
    };
    let ctx = auth.ctx();
    let f = CampaignFilter {
        kind,
        year: q.year,
        keyword: q.keyword,
        include_inactive: q.include_inactive.unwrap_or(false),
    };
    let p = campaign::list(&state.db, &ctx, &f, PageReq::new(q.page, q.page_size)).await?;
    Ok(Json(CampaignPage {
        items: p
            .items
            .into_iter()
            .map(|r| {
                let m = r.can_manage(&ctx);
                CampaignDto::new(r, m)
            })
            .collect(),
        total: p.total,
        page: p.page,
        page_size: p.page_size,
    }))
}

/// Fields of a new or edited campaign. Dates as `YYYY-MM-DD`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignBody {
    #[schema(value_type = CampaignKindCode)]
    pub kind: String,
    pub name: String,
    pub start_date: String,
    pub end_date: String,
    #[serde(default)]
    pub description: String,
    /// true (default): all units; false: the units in `org_ids`.
    #[serde(default = "yes")]
    pub all_units: bool,
    #[serde(default)]
    pub org_ids: Vec<i64>,
    /// Editing only: false deactivates, true reactivates; omitted leaves it as is.
    #[serde(default)]
    pub active: Option<bool>,
    /// Required when editing: the version last read.
    #[serde(default)]
    pub row_version: Option<i64>,
}

fn yes() -> bool {
    true
}

impl CampaignBody {
    fn input(&self) -> CampaignInput {
        CampaignInput {
            kind: self.kind.clone(),
            name: self.name.clone(),
            start_date: self.start_date.clone(),
            end_date: self.end_date.clone(),
            description: self.description.clone(),
            all_units: self.all_units,
            org_ids: self.org_ids.clone(),
            active: self.active,
        }
    }
}

async fn detail(state: &AppState, auth: &Auth, id: i64) -> ApiResult<CampaignDetail> {
    let ctx = auth.ctx();
    let r = campaign::get(&state.db, &ctx, id).await?;
    let units = campaign::units(&state.db, &ctx, id).await?;
    let s = campaign::stats(&state.db, &ctx, id).await?;
    let m = r.can_manage(&ctx);
    Ok(CampaignDetail {
        campaign: CampaignDto::new(r, m),
        org_ids: units.into_iter().map(|(i, _)| i).collect(),
        figures: CampaignFigures {
            inspections: s.inspections,
            hazards: s.hazards,
            major_hazards: s.major_hazards,
            rectified: s.rectified,
            open: s.open,
            units: s
                .units
                .into_iter()
                .map(|u| UnitFigures {
                    open: u.open(),
                    org_id: u.org_id,
                    name: u.name,
                    inspections: u.inspections,
                    hazards: u.hazards,
                    rectified: u.rectified,
                })
                .collect(),
        },
    })
}

#[utoipa::path(post, path = "/api/v1/campaigns", tag = "专项行动", request_body = CampaignBody,
    responses((status = 201, body = CampaignDetail), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(b): ApiJson<CampaignBody>,
) -> ApiResult<Response> {
    let c = campaign::create(&state.db, &auth.ctx(), &b.input()).await?;
    let d = detail(&state, &auth, c.id).await?;
    Ok((StatusCode::CREATED, Json(d)).into_response())
}

#[utoipa::path(get, path = "/api/v1/campaigns/{id}", tag = "专项行动", params(("id" = i64, Path)),
    responses((status = 200, body = CampaignDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> ApiResult<Json<CampaignDetail>> {
    Ok(Json(detail(&state, &auth, id).await?))
}

#[utoipa::path(put, path = "/api/v1/campaigns/{id}", tag = "专项行动", params(("id" = i64, Path)), request_body = CampaignBody,
    responses((status = 200, body = CampaignDetail), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<CampaignDetail>> {
    let ctx = auth.ctx();
    let before = campaign::get(&state.db, &ctx, id).await?;
    if !before.can_manage(&ctx) {
        return Err(AppError::Forbidden.into());
    }
    let b: CampaignBody = json_body(&headers, &body)?;
    let Some(version) = b.row_version else {
        return Err(AppError::Invalid(FieldErrors::single(
            "row_version",
            "缺少版本号（row_version），请先读取该记录",
        ))
        .into());
    };
    campaign::update(&state.db, &ctx, id, &b.input(), version).await?;
    Ok(Json(detail(&state, &auth, id).await?))
}
