//! What forms and the API send for risk points, risks and control measures (strings as typed,
//! parsed by the writers), and the register's filters.

use serde::{Deserialize, Serialize};

use anjian_domain::risk::{PointKind, RiskLevel};

/// What a form or the API sends for a risk point. Strings as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct PointInput {
    /// Unit or site (never the bureau) in the caller's scope. Ignored by `update_point`'s
    /// scope rules only in that it may not move the point out of its unit's subtree.
    pub org_id: Option<i64>,
    /// place / equipment / activity, or 场所/区域 / 设备设施 / 作业活动.
    pub kind: String,
    pub name: String,
    pub location: String,
    pub responsible_user_id: Option<i64>,
    pub responsible_name: String,
    pub emergency_measures: String,
    pub report_phone: String,
    /// Per mille (0..=1000) of the site plan's width/height; both empty for no marker.
    pub marker_x: String,
    pub marker_y: String,
}

/// What a form or the API sends for a risk: the description, factors, accident types, the
/// assessment (method and raw factors as typed) and optionally a residual assessment.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct RiskInput {
    /// Required by `create_risk`; `update_risk` keeps the risk's point.
    pub risk_point_id: Option<i64>,
    pub description: String,
    /// GB/T 13861 codes (`FACTOR_CATEGORIES`).
    pub factors: Vec<String>,
    /// Edition code; empty means `anjian_domain::accident::CURRENT`.
    pub accident_standard: String,
    /// Codes (or names) of that edition.
    pub accident_types: Vec<String>,
    pub consequence: String,
    /// lec / ls / direct.
    pub method: String,
    /// LEC: table values as typed ("0.5", "6"); LS: 1..5.
    pub l: String,
    pub e: String,
    pub c: String,
    pub s: String,
    /// Reason of a direct grading (直接判定依据).
    pub reason: String,
    /// Residual assessment after controls; empty method = none.
    pub residual_method: String,
    pub residual_l: String,
    pub residual_e: String,
    pub residual_c: String,
    pub residual_s: String,
    pub residual_reason: String,
    /// `ControlTier` code or label; empty = the rules' default for the level.
    pub control_tier: String,
    /// Assessment date as typed; empty = today.
    pub assessed_on: String,
    /// Why (re-)assessed; kept in the version row. Empty = "初次评估" / "重新评估".
    pub version_reason: String,
}

/// What a form or the API sends for a control measure.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct MeasureInput {
    /// `MeasureType` code or label.
    pub measure_type: String,
    pub content: String,
    /// `ControlTier` code or label; empty = the risk's control tier.
    pub tier: String,
    pub responsible_user_id: Option<i64>,
    pub responsible_name: String,
}

/// Filters of the register (risks) and of the point list.
#[derive(Debug, Clone, Default)]
pub struct RiskFilter {
    /// This organisation and everything below it.
    pub org_id: Option<i64>,
    /// Risk level (register) or point level (point list).
    pub level: Option<RiskLevel>,
    pub kind: Option<PointKind>,
    /// Matched in point name and location and risk description.
    pub keyword: Option<String>,
    /// Only points due for re-assessment.
    pub flagged: bool,
    /// Only points with an open hazard.
    pub elevated: bool,
    pub risk_point_id: Option<i64>,
    /// Include deactivated points and risks (default: active only).
    pub include_inactive: bool,
}
