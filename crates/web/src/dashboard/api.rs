//! The dashboard as JSON: the same figures, series and lists the page draws, each with the page
//! that lists its records.

use axum::extract::State;
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use anjian_db::dashboard::{self, Dashboard, KeyFigure, Measure};
use anjian_domain::period::Period;
use anjian_domain::risk::RiskLevel;

use super::links::Links;
use crate::auth::Auth;
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::ApiQuery;
use crate::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DashboardParams {
    /// `month`、`quarter`、`half`、`year`（当前月、季度、半年、年度，按北京时间），或期间代码
    /// 2023、2023H1、2023Q2、2023-05、2023-01-01..2023-03-31；默认当前半年
    pub period: Option<String>,
    /// 组织（含下级），默认本人所属组织；超出本人范围为 404。也接受参数名 `org`
    #[serde(alias = "org")]
    pub org_id: Option<i64>,
}

/// A period: its code (as `period` accepts it), label and days.
#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardPeriodDto {
    pub code: String,
    pub label: String,
    pub first: NaiveDate,
    pub last: NaiveDate,
}

impl From<&Period> for DashboardPeriodDto {
    fn from(p: &Period) -> Self {
        DashboardPeriodDto {
            code: p.code(),
            label: p.label(),
            first: p.first,
            last: p.last,
        }
    }
}

/// A key figure in the period, a year earlier (同比) and in the preceding period (环比). Counts
/// are whole numbers, money in 分, rates between 0 and 1; null where the register is not kept or
/// not readable by the caller (or, for a rate, nothing was found). `*_delta` is current minus the
/// base (for a rate: in rate units, 0.021 = 2.1 个百分点); `*_ratio` is the delta relative to the
/// base, null where the base is 0 and for rates.
#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardFigureDto {
    pub key: String,
    pub label: String,
    /// `count`, `fen` or `rate`.
    pub measure: String,
    /// The measure word of a count (项, 次, 家, 起, 场).
    pub unit: String,
    pub value: Option<f64>,
    pub year_ago: Option<f64>,
    pub preceding: Option<f64>,
    pub yoy_delta: Option<f64>,
    pub yoy_ratio: Option<f64>,
    pub mom_delta: Option<f64>,
    pub mom_ratio: Option<f64>,
    /// The page listing the records counted, if there is one.
    pub link: Option<String>,
}

impl DashboardFigureDto {
    fn new(f: &KeyFigure, links: &Links) -> Self {
        let (measure, unit) = match f.measure {
            Measure::Count(w) => ("count", w),
            Measure::Fen => ("fen", "分"),
            Measure::Rate => ("rate", ""),
        };
        DashboardFigureDto {
            key: f.key.to_string(),
            label: f.label.to_string(),
            measure: measure.to_string(),
            unit: unit.to_string(),
            value: f.current,
            year_ago: f.year_ago,
            preceding: f.preceding,
            yoy_delta: f.yoy().map(|c| c.delta),
            yoy_ratio: f.yoy().and_then(|c| c.ratio),
            mom_delta: f.mom().map(|c| c.delta),
            mom_ratio: f.mom().and_then(|c| c.ratio),
            link: links.key(f.key),
        }
    }
}

/// Hazards found in a month, by where they stood at the month's end (overdue is part of open).
#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardMonthDto {
    /// e.g. `2026-05`
    pub month: String,
    pub found: i64,
    pub rectified: i64,
    pub open: i64,
    pub overdue: i64,
}

/// Hazards found in the period below one organisation right under the root (or, with `own`, at
/// the root itself), worst rate first.
#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardUnitDto {
    pub org_id: i64,
    pub org_name: String,
    pub own: bool,
    pub found: i64,
    pub rectified: i64,
    pub open: i64,
    pub overdue: i64,
    /// rectified / found; null when nothing was found.
    pub rectification_rate: Option<f64>,
    pub link: String,
}

/// Active risk points (and risks) of one level.
#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardRiskLevelDto {
    /// `major`, `large`, `general`, `low`
    pub level: String,
    pub label: String,
    /// 红, 橙, 黄, 蓝
    pub colour: String,
    pub points: i64,
    pub risks: i64,
    pub points_link: String,
    pub risks_link: String,
}

/// A hazard past its deadline and still awaiting rectification.
#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardOverdueDto {
    pub id: i64,
    pub org_name: String,
    pub description: String,
    pub deadline: NaiveDate,
    pub days_overdue: i64,
}

/// A unit whose last drill is older than the required interval.
#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardDrillDto {
    pub org_id: i64,
    pub org_name: String,
    pub last_plan: Option<NaiveDate>,
    pub last_onsite: Option<NaiveDate>,
    pub plan_overdue: bool,
    pub onsite_overdue: bool,
}

/// The dashboard of a period and subtree.
#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardDto {
    pub period: DashboardPeriodDto,
    /// Set while the period runs: figures reach up to this day, and so do the comparisons.
    pub through: Option<NaiveDate>,
    /// 同比: the same period a year earlier.
    pub year_ago: DashboardPeriodDto,
    /// 环比: the period of the same length right before.
    pub preceding: DashboardPeriodDto,
    pub org_id: i64,
    pub org_name: String,
    pub figures: Vec<DashboardFigureDto>,
    /// The twelve months ending with the period (or today, while it runs).
    pub months: Vec<DashboardMonthDto>,
    pub units: Vec<DashboardUnitDto>,
    /// Null without permission to read the risk register.
    pub risk_levels: Option<Vec<DashboardRiskLevelDto>>,
    pub risk_points_unassessed: Option<i64>,
    /// How many hazards of the subtree are overdue today, and the first of them.
    pub overdue_total: i64,
    pub overdue: Vec<DashboardOverdueDto>,
    /// Null without permission to read the ledgers.
    pub drills_overdue: Option<Vec<DashboardDrillDto>>,
}

impl DashboardDto {
    pub fn new(d: &Dashboard) -> Self {
        let p = d.comparison.current;
        let links = Links {
            period: p,
            org_id: d.org_id,
        };
        DashboardDto {
            period: (&p).into(),
            through: d.comparison.through,
            year_ago: (&d.comparison.year_ago).into(),
            preceding: (&d.comparison.preceding).into(),
            org_id: d.org_id,
            org_name: d.org_name.clone(),
            figures: d
                .figures
                .iter()
                .map(|f| DashboardFigureDto::new(f, &links))
                .collect(),
            months: d
                .months
                .iter()
                .map(|m| DashboardMonthDto {
                    month: m.period.code(),
                    found: m.found,
                    rectified: m.rectified,
                    open: m.open,
                    overdue: m.overdue,
                })
                .collect(),
            units: d
                .units
                .iter()
                .map(|u| DashboardUnitDto {
                    org_id: u.org_id,
                    org_name: u.org_name.clone(),
                    own: u.own,
                    found: u.found,
                    rectified: u.rectified,
                    open: u.open,
                    overdue: u.overdue,
                    rectification_rate: u.rate(),
                    link: links.unit(u, &p),
                })
                .collect(),
            risk_levels: d.risk.as_ref().map(|r| {
                RiskLevel::ALL
                    .iter()
                    .enumerate()
                    .map(|(i, l)| DashboardRiskLevelDto {
                        level: l.code().to_string(),
                        label: l.label().to_string(),
                        colour: l.colour().to_string(),
                        points: r.points[i],
                        risks: r.risks[i],
                        points_link: links.risk_points(*l),
                        risks_link: links.risks(*l),
                    })
                    .collect()
            }),
            risk_points_unassessed: d.risk.as_ref().map(|r| r.points_unassessed),
            overdue_total: d.overdue.total,
            overdue: d
                .overdue
                .items
                .iter()
                .map(|h| DashboardOverdueDto {
                    id: h.id,
                    org_name: h.org_name.clone(),
                    description: h.description.clone(),
                    deadline: h.deadline,
                    days_overdue: (d.today - h.deadline).num_days(),
                })
                .collect(),
            drills_overdue: d.drills_overdue.as_ref().map(|rows| {
                rows.iter()
                    .map(|r| DashboardDrillDto {
                        org_id: r.org_id,
                        org_name: r.org_name.clone(),
                        last_plan: r.last_plan,
                        last_onsite: r.last_onsite,
                        plan_overdue: r.plan_overdue,
                        onsite_overdue: r.onsite_overdue,
                    })
                    .collect()
            }),
        }
    }
}

/// Key figures of a period with 同比 and 环比, hazards by month, rectification by unit, risk
/// points by level, overdue hazards and units overdue for a drill, for the caller's organisation
/// or a unit below it.
#[utoipa::path(get, path = "/api/v1/dashboard", tag = "驾驶舱", params(DashboardParams),
    responses((status = 200, description = "驾驶舱数据", body = DashboardDto),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, description = "组织不存在或超出本人范围", body = ErrorBody),
              (status = 422, description = "期间或组织有误", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn dashboard(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<DashboardParams>,
) -> ApiResult<Json<DashboardDto>> {
    let org = q.org_id.map(|i| i.to_string()).unwrap_or_default();
    let (period, org_id) =
        super::params(q.period.as_deref().unwrap_or(""), &org).map_err(AppError::Invalid)?;
    let d = dashboard::load(&state.db, &auth.ctx(), &period, org_id).await?;
    Ok(Json(DashboardDto::new(&d)))
}
