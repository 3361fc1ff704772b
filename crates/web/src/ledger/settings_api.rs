//! The ledger settings as JSON under /api/v1/ledgers/settings (LedgerSettings): the same
//! repository calls as the settings page, so the same validation (422 naming the field),
//! optimistic concurrency (409) and audit.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use anjian_db::ledger::settings::{self, CategoryInput, FundingCategory, LedgerRules, RulesInput};
use anjian_db::FieldErrors;
use anjian_domain::ledger as rules;
use anjian_domain::role::Permission;

use crate::auth::{Access, Auth};
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::{ApiQuery, Id};
use crate::hazard::query::LateJson;
use crate::routes::RouteTable;
use crate::AppState;

pub fn routes() -> RouteTable {
    let manage = Access::Perm(Permission::LedgerSettings);
    RouteTable::default()
        .get("/api/v1/ledgers/settings", manage, get)
        .add(
            axum::http::Method::PUT,
            "/api/v1/ledgers/settings",
            manage,
            put_rules,
        )
        .post("/api/v1/ledgers/settings/categories", manage, add_category)
        .add(
            axum::http::Method::PUT,
            "/api/v1/ledgers/settings/categories/{id}",
            manage,
            update_category,
        )
        .add(
            axum::http::Method::DELETE,
            "/api/v1/ledgers/settings/categories/{id}",
            manage,
            delete_category,
        )
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(get, put_rules, add_category, update_category, delete_category),
    components(schemas(
        LedgerSettingsDto,
        LedgerRulesDto,
        LedgerRulesBody,
        FundingCategoryDto,
        FundingCategoryBody
    ))
)]
pub struct LedgerSettingsApi;

/// The drill intervals (months) and yearly training minimums (学时 as text with at most one
/// decimal, e.g. `"12"` or `"12.5"`; never floats), each with the regulation it comes from.
#[derive(Debug, Serialize, ToSchema)]
pub struct LedgerRulesDto {
    /// 现场处置方案: months between drills (default 6)
    pub drill_onsite_months: u32,
    /// 综合 or 专项应急预案: months between drills (default 12)
    pub drill_plan_months: u32,
    /// 主要负责人和安全生产管理人员, initial training (default 32)
    pub manager_initial_hours: String,
    /// 主要负责人和安全生产管理人员, yearly re-training (default 12)
    pub manager_yearly_hours: String,
    /// New employees before taking up the post (default 24)
    pub newcomer_hours: String,
    /// Every employee, yearly re-training (default 20)
    pub staff_yearly_hours: String,
    /// The version a change is based on
    pub row_version: i64,
    /// The regulation behind each setting, by field name
    pub sources: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FundingCategoryDto {
    pub id: i64,
    /// What entries store (`category` of a funding entry)
    pub code: String,
    pub label: String,
    /// The regulation or the bureau's document it comes from
    pub source: String,
    pub sort_order: i64,
    /// Offered for new entries; a deactivated one stays on the entries filed under it
    pub active: bool,
    pub row_version: i64,
    /// Live funding entries filed under it (a used category cannot be deleted)
    pub entries: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LedgerSettingsDto {
    pub rules: LedgerRulesDto,
    pub categories: Vec<FundingCategoryDto>,
    /// The regulation the ten default categories come from
    pub categories_source: String,
}

/// New drill intervals and training minimums. Months: whole numbers 1–36; 学时: text, more
/// than 0, at most one decimal, at most 200.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct LedgerRulesBody {
    pub drill_onsite_months: i64,
    pub drill_plan_months: i64,
    pub manager_initial_hours: String,
    pub manager_yearly_hours: String,
    pub newcomer_hours: String,
    pub staff_yearly_hours: String,
    /// The version the change is based on (from GET)
    pub row_version: Option<i64>,
}

/// A use category as sent. `sort_order` absent: after the others (create) or unchanged
/// (update); `active` absent: true.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct FundingCategoryBody {
    pub label: String,
    pub source: String,
    pub sort_order: Option<i64>,
    pub active: Option<bool>,
    /// Required on update: the version the change is based on
    pub row_version: Option<i64>,
}

impl FundingCategoryBody {
    fn input(&self) -> CategoryInput {
        CategoryInput {
            label: self.label.clone(),
            source: self.source.clone(),
            sort_order: self.sort_order.map(|n| n.to_string()).unwrap_or_default(),
            active: self.active.unwrap_or(true),
        }
    }
}

fn rules_dto(r: &LedgerRules, row_version: i64) -> LedgerRulesDto {
    let i = RulesInput::from_rules(r);
    let sources = [
        ("drill_onsite_months", rules::DRILL_ONSITE_SOURCE),
        ("drill_plan_months", rules::DRILL_PLAN_SOURCE),
        ("manager_initial_hours", rules::TRAINING_MANAGER_SOURCE),
        ("manager_yearly_hours", rules::TRAINING_MANAGER_SOURCE),
        ("newcomer_hours", rules::TRAINING_STAFF_SOURCE),
        ("staff_yearly_hours", rules::TRAINING_STAFF_SOURCE),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    LedgerRulesDto {
        drill_onsite_months: r.drill.onsite_months,
        drill_plan_months: r.drill.plan_months,
        manager_initial_hours: i.manager_initial_hours,
        manager_yearly_hours: i.manager_yearly_hours,
        newcomer_hours: i.newcomer_hours,
        staff_yearly_hours: i.staff_yearly_hours,
        row_version,
        sources,
    }
}

impl From<FundingCategory> for FundingCategoryDto {
    fn from(c: FundingCategory) -> Self {
        FundingCategoryDto {
            id: c.id,
            code: c.code,
            label: c.label,
            source: c.source,
            sort_order: c.sort_order,
            active: c.active,
            row_version: c.row_version,
            entries: c.entries,
        }
    }
}

fn version(v: Option<i64>) -> Result<i64, AppError> {
    v.ok_or_else(|| AppError::Invalid(FieldErrors::single("row_version", "缺少必填字段")))
}

#[utoipa::path(get, path = "/api/v1/ledgers/settings", tag = "安全工作台账",
    responses((status = 200, body = LedgerSettingsDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<LedgerSettingsDto>> {
    let s = settings::settings(&state.db, &auth.ctx()).await?;
    Ok(Json(LedgerSettingsDto {
        rules: rules_dto(&s.rules, s.row_version),
        categories: s.categories.into_iter().map(Into::into).collect(),
        categories_source: rules::FUNDING_SOURCE.to_string(),
    }))
}

#[utoipa::path(put, path = "/api/v1/ledgers/settings", tag = "安全工作台账", request_body = LedgerRulesBody,
    responses((status = 200, body = LedgerRulesDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 415, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn put_rules(
    State(state): State<AppState>,
    auth: Auth,
    body: LateJson,
) -> ApiResult<Json<LedgerRulesDto>> {
    let b: LedgerRulesBody = body.parse()?;
    let v = version(b.row_version)?;
    let input = RulesInput {
        drill_onsite_months: b.drill_onsite_months.to_string(),
        drill_plan_months: b.drill_plan_months.to_string(),
        manager_initial_hours: b.manager_initial_hours,
        manager_yearly_hours: b.manager_yearly_hours,
        newcomer_hours: b.newcomer_hours,
        staff_yearly_hours: b.staff_yearly_hours,
    };
    let r = settings::update_rules(&state.db, &auth.ctx(), &input, v).await?;
    Ok(Json(rules_dto(&r, v + 1)))
}

#[utoipa::path(post, path = "/api/v1/ledgers/settings/categories", tag = "安全工作台账",
    request_body = FundingCategoryBody,
    responses((status = 201, body = FundingCategoryDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 415, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn add_category(
    State(state): State<AppState>,
    auth: Auth,
    body: LateJson,
) -> ApiResult<Response> {
    let b: FundingCategoryBody = body.parse()?;
    let c = settings::add_category(&state.db, &auth.ctx(), &b.input()).await?;
    Ok((StatusCode::CREATED, Json(FundingCategoryDto::from(c))).into_response())
}

#[utoipa::path(put, path = "/api/v1/ledgers/settings/categories/{id}", tag = "安全工作台账",
    params(("id" = i64, Path)), request_body = FundingCategoryBody,
    responses((status = 200, body = FundingCategoryDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn update_category(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    body: LateJson,
) -> ApiResult<Json<FundingCategoryDto>> {
    // An unknown id is 404 whatever the body.
    settings::category(&state.db, &auth.ctx(), id).await?;
    let b: FundingCategoryBody = body.parse()?;
    let v = version(b.row_version)?;
    let c = settings::update_category(&state.db, &auth.ctx(), id, v, &b.input()).await?;
    Ok(Json(c.into()))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
pub struct CategoryDeleteQuery {
    /// The version the deletion is based on
    pub row_version: i64,
}

#[utoipa::path(delete, path = "/api/v1/ledgers/settings/categories/{id}", tag = "安全工作台账",
    params(("id" = i64, Path), CategoryDeleteQuery),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn delete_category(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    ApiQuery(q): ApiQuery<CategoryDeleteQuery>,
) -> ApiResult<StatusCode> {
    settings::delete_category(&state.db, &auth.ctx(), id, q.row_version).await?;
    Ok(StatusCode::NO_CONTENT)
}
