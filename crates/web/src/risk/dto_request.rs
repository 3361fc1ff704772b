//! What the risk API is sent: the list filters and query parameters, and the point, risk and
//! measure bodies with their conversion into the data layer's inputs. Every body is
//! `#[serde(default)]`, so an out-of-scope id is answered 404 before the body is judged.
//! Re-exported by `dto`.

use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use anjian_db::risk;
use anjian_db::FieldErrors;
use anjian_domain::risk::{PointKind, RiskLevel};

use crate::error::AppError;

/// Filters of the point and risk lists.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
pub struct RiskQuery {
    /// This organisation and everything below it
    pub org_id: Option<i64>,
    /// `major`, `large`, `general` or `low`
    pub level: Option<String>,
    /// `place`, `equipment` or `activity`
    pub kind: Option<String>,
    pub keyword: Option<String>,
    /// Only points due for re-assessment
    pub flagged: Option<bool>,
    /// Only points with an open hazard
    pub elevated: Option<bool>,
    pub risk_point_id: Option<i64>,
    pub include_inactive: Option<bool>,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
}

impl RiskQuery {
    pub fn filter(&self) -> Result<risk::RiskFilter, AppError> {
        let mut errs = FieldErrors::new();
        let some = |o: &Option<String>| {
            o.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let mut f = risk::RiskFilter {
            org_id: self.org_id,
            keyword: some(&self.keyword),
            flagged: self.flagged.unwrap_or(false),
            elevated: self.elevated.unwrap_or(false),
            risk_point_id: self.risk_point_id,
            include_inactive: self.include_inactive.unwrap_or(false),
            ..Default::default()
        };
        if let Some(l) = some(&self.level) {
            match RiskLevel::from_code(&l) {
                Some(l) => f.level = Some(l),
                None => errs.add("level", "风险等级无效，应为 major、large、general 或 low"),
            }
        }
        if let Some(k) = some(&self.kind) {
            match PointKind::from_code(&k) {
                Some(k) => f.kind = Some(k),
                None => errs.add("kind", "风险点类型无效，应为 place、equipment 或 activity"),
            }
        }
        if errs.is_empty() {
            Ok(f)
        } else {
            Err(AppError::Invalid(errs))
        }
    }
}

/// A risk point as sent (create and update).
#[derive(Debug, Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct PointBody {
    /// Unit or site (not the bureau)
    pub org_id: Option<i64>,
    /// `place`, `equipment`, `activity` (or 场所/区域, 设备设施, 作业活动)
    pub kind: String,
    pub name: String,
    pub location: String,
    /// An enabled account of the point's organisation or of its ancestors up to the unit (the
    /// re-assessment to-do reaches that person); anyone else is refused with 422 naming this field
    pub responsible_user_id: Option<i64>,
    /// Empty with an account: the account's name
    pub responsible_name: String,
    pub emergency_measures: String,
    pub report_phone: String,
    /// Per mille 0..1000; both empty or absent for no marker
    pub marker_x: Option<i64>,
    pub marker_y: Option<i64>,
    /// Required by updates: the row_version read
    pub row_version: Option<i64>,
}

impl From<&PointBody> for risk::PointInput {
    fn from(b: &PointBody) -> Self {
        let s = |v: Option<i64>| v.map(|x| x.to_string()).unwrap_or_default();
        risk::PointInput {
            org_id: b.org_id,
            kind: b.kind.clone(),
            name: b.name.clone(),
            location: b.location.clone(),
            responsible_user_id: b.responsible_user_id,
            responsible_name: b.responsible_name.clone(),
            emergency_measures: b.emergency_measures.clone(),
            report_phone: b.report_phone.clone(),
            marker_x: s(b.marker_x),
            marker_y: s(b.marker_y),
        }
    }
}

/// A risk as sent: identification plus the assessment's raw factors.
#[derive(Debug, Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct RiskBody {
    /// Required on create
    pub risk_point_id: Option<i64>,
    pub description: String,
    /// GB/T 13861 codes, e.g. ["21", "22"]
    pub factors: Vec<String>,
    /// Empty: the current edition (GB/T 6441-1986)
    pub accident_standard: String,
    /// Codes (or names) of that edition, e.g. ["19"]
    pub accident_types: Vec<String>,
    pub consequence: String,
    /// `lec`, `ls` or `direct`
    pub method: String,
    /// LEC: a value of the L table ("0.5", "6"); LS: 1..5
    pub l: String,
    /// LEC: a value of the E table
    pub e: String,
    /// LEC: a value of the C table
    pub c: String,
    /// LS: 1..5
    pub s: String,
    /// Direct grading: why it is 重大
    pub reason: String,
    /// Residual risk after controls: `lec`, `ls` or `direct` (graded by the same rules as the
    /// inherent assessment); empty for none
    pub residual_method: String,
    /// Residual LEC: a value of the L table; residual LS: 1..5
    pub residual_l: String,
    /// Residual LEC: a value of the E table
    pub residual_e: String,
    /// Residual LEC: a value of the C table
    pub residual_c: String,
    /// Residual LS: 1..5
    pub residual_s: String,
    /// Residual direct grading: why it is still 重大
    pub residual_reason: String,
    /// Empty: the rules' default tier for the level
    pub control_tier: String,
    /// Empty: today
    pub assessed_on: String,
    /// Why re-assessed (kept in the version)
    pub version_reason: String,
    /// Required by updates
    pub row_version: Option<i64>,
}

impl From<&RiskBody> for risk::RiskInput {
    fn from(b: &RiskBody) -> Self {
        risk::RiskInput {
            risk_point_id: b.risk_point_id,
            description: b.description.clone(),
            factors: b.factors.clone(),
            accident_standard: b.accident_standard.clone(),
            accident_types: b.accident_types.clone(),
            consequence: b.consequence.clone(),
            method: b.method.clone(),
            l: b.l.clone(),
            e: b.e.clone(),
            c: b.c.clone(),
            s: b.s.clone(),
            reason: b.reason.clone(),
            residual_method: b.residual_method.clone(),
            residual_l: b.residual_l.clone(),
            residual_e: b.residual_e.clone(),
            residual_c: b.residual_c.clone(),
            residual_s: b.residual_s.clone(),
            residual_reason: b.residual_reason.clone(),
            control_tier: b.control_tier.clone(),
            assessed_on: b.assessed_on.clone(),
            version_reason: b.version_reason.clone(),
        }
    }
}

/// A control measure as sent.
#[derive(Debug, Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct MeasureBody {
    /// `engineering`, `management`, `training`, `protective`, `emergency` (or their labels)
    pub measure_type: String,
    pub content: String,
    /// Empty: the risk's control tier
    pub tier: String,
    /// An enabled account of the risk point's organisation or of its ancestors up to the unit;
    /// anyone else is refused with 422 naming this field
    pub responsible_user_id: Option<i64>,
    /// Empty with an account: the account's name
    pub responsible_name: String,
    /// Required by updates
    pub row_version: Option<i64>,
}

impl From<&MeasureBody> for risk::MeasureInput {
    fn from(b: &MeasureBody) -> Self {
        risk::MeasureInput {
            measure_type: b.measure_type.clone(),
            content: b.content.clone(),
            tier: b.tier.clone(),
            responsible_user_id: b.responsible_user_id,
            responsible_name: b.responsible_name.clone(),
        }
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
pub struct OrgParam {
    /// The organisation (default: the caller's)
    pub org_id: Option<i64>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
pub struct RiskStatsParams {
    /// 2023H1, 2023, 2023Q2, 2023-05 or 2023-01-01..2023-03-31 (default: this half-year)
    pub period: Option<String>,
    pub org_id: Option<i64>,
}
