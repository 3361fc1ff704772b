//! Statistics JSON API: the figures for a period and subtree, and the ids behind each figure.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use anjian_db::statistics::{self, CampaignStats, Figure, HazardStats, RecordKind};
use anjian_db::FieldErrors;

use super::resolve_period;
use crate::auth::Auth;
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::ApiQuery;
use crate::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StatsParams {
    /// 统计期间：2023、2023H1、2023Q2、2023-05 或 2023-01-01..2023-03-31；默认当前半年
    pub period: Option<String>,
    /// 组织（含下级），默认本人所属组织
    pub org_id: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RecordParams {
    /// 统计期间，同上
    pub period: Option<String>,
    /// 组织（含下级），默认本人所属组织
    pub org_id: Option<i64>,
    /// A figure of the statistics: `inspections`, `inspections_by_kind.self_check`,
    /// `inspected_orgs`, `illegal_operations_found`, `hazards_found`, `hazards_general_found`,
    /// `hazards_major_found`, `hazards_rectified`, `hazards_general_rectified`,
    /// `hazards_major_rectified`, `hazards_open`, `hazards_overdue`, `hazards_major_listed`,
    /// `per_campaign.<id>.inspections|hazards_found|hazards_rectified|hazards_open`
    pub figure: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignStatsDto {
    pub campaign_id: i64,
    pub name: String,
    pub inspections: i64,
    pub hazards_found: i64,
    pub hazards_rectified: i64,
    pub hazards_open: i64,
}

impl From<CampaignStats> for CampaignStatsDto {
    fn from(c: CampaignStats) -> Self {
        CampaignStatsDto {
            campaign_id: c.campaign_id,
            name: c.name,
            inspections: c.inspections,
            hazards_found: c.hazards_found,
            hazards_rectified: c.hazards_rectified,
            hazards_open: c.hazards_open,
        }
    }
}

/// Inspections and hazards of a period and an organisation subtree. Inspections count by
/// inspection date, hazards by the date found; rectified means verified and closed on or before
/// the period's last day, open is the rest; overdue means still awaiting rectification with the
/// deadline before the day after the period (or today, while it runs).
#[derive(Debug, Serialize, ToSchema)]
pub struct HazardStatsDto {
    /// The period's code, e.g. `2023H1`.
    pub period: String,
    /// e.g. 2023年上半年
    pub period_label: String,
    pub first: NaiveDate,
    pub last: NaiveDate,
    /// The root of the subtree counted (None only for the command line).
    pub org_id: Option<i64>,
    pub inspections: i64,
    /// Per kind code, every kind present.
    pub inspections_by_kind: BTreeMap<String, i64>,
    /// 检查覆盖企业: units with at least one inspection of the unit or of one of its sites.
    pub inspected_orgs: i64,
    pub hazards_found: i64,
    pub hazards_general_found: i64,
    pub hazards_major_found: i64,
    pub hazards_general_rectified: i64,
    pub hazards_major_rectified: i64,
    pub hazards_rectified: i64,
    pub hazards_open: i64,
    pub hazards_overdue: i64,
    /// rectified / found, null when nothing was found.
    pub rectification_rate: Option<f64>,
    /// 挂牌督办: found and listed in the period.
    pub hazards_major_listed: i64,
    /// Inspections that found illegal or unlicensed operation.
    pub illegal_operations_found: i64,
    pub per_campaign: Vec<CampaignStatsDto>,
}

impl HazardStatsDto {
    fn new(period: &anjian_domain::period::Period, org_id: Option<i64>, s: HazardStats) -> Self {
        HazardStatsDto {
            period: period.code(),
            period_label: period.label(),
            first: period.first,
            last: period.last,
            org_id,
            inspections: s.inspections,
            inspections_by_kind: s.inspections_by_kind,
            inspected_orgs: s.inspected_orgs,
            hazards_found: s.hazards_found,
            hazards_general_found: s.hazards_general_found,
            hazards_major_found: s.hazards_major_found,
            hazards_general_rectified: s.hazards_general_rectified,
            hazards_major_rectified: s.hazards_major_rectified,
            hazards_rectified: s.hazards_rectified,
            hazards_open: s.hazards_open,
            hazards_overdue: s.hazards_overdue,
            rectification_rate: s.rectification_rate,
            hazards_major_listed: s.hazards_major_listed,
            illegal_operations_found: s.illegal_operations_found,
            per_campaign: s.per_campaign.into_iter().map(Into::into).collect(),
        }
    }
}

/// The records a figure counts.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecordIdsDto {
    pub figure: String,
    /// 统计项名称
    pub label: String,
    pub period: String,
    /// `inspection` (GET /api/v1/inspections/{id}), `org` or `hazard`
    pub record_kind: String,
    pub ids: Vec<i64>,
}

fn period_of(p: &Option<String>) -> Result<anjian_domain::period::Period, AppError> {
    resolve_period(p.as_deref().unwrap_or(""), "", "").map_err(AppError::Invalid)
}

#[utoipa::path(get, path = "/api/v1/statistics/hazards", tag = "统计分析", params(StatsParams),
    responses((status = 200, body = HazardStatsDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn hazards(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<StatsParams>,
) -> ApiResult<Json<HazardStatsDto>> {
    let period = period_of(&q.period)?;
    let ctx = auth.ctx();
    let s = statistics::hazard_statistics(&state.db, &ctx, &period, q.org_id).await?;
    Ok(Json(HazardStatsDto::new(
        &period,
        q.org_id.or(ctx.org_id()),
        s,
    )))
}

#[utoipa::path(get, path = "/api/v1/statistics/hazards/records", tag = "统计分析", params(RecordParams),
    responses((status = 200, body = RecordIdsDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn records(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<RecordParams>,
) -> ApiResult<Json<RecordIdsDto>> {
    let period = period_of(&q.period)?;
    let figure = Figure::parse(&q.figure).ok_or_else(|| {
        AppError::Invalid(FieldErrors::single(
            "figure",
            format!("未知的统计项：{}", q.figure.trim()),
        ))
    })?;
    let ids = statistics::record_ids(&state.db, &auth.ctx(), &period, q.org_id, &q.figure).await?;
    Ok(Json(RecordIdsDto {
        figure: figure.code(),
        label: figure.label(),
        period: period.code(),
        record_kind: match figure.records() {
            RecordKind::Inspection => "inspection",
            RecordKind::Org => "org",
            RecordKind::Hazard => "hazard",
        }
        .to_string(),
        ids,
    }))
}
