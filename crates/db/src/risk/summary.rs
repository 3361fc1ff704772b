//! What the risk views and reports read: the four-colour view, counts per unit, the notice card,
//! the statistics of the summary report, the grading settings and a re-grade's outcome.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use anjian_domain::risk::ControlTier;

use super::RiskPoint;

/// The four-colour view of an organisation.
#[derive(Debug, Clone, Serialize)]
pub struct FourColour {
    pub org_id: i64,
    pub org_name: String,
    pub site_plan_attachment_id: Option<i64>,
    /// Active points of the organisation's subtree, highest level first.
    pub points: Vec<RiskPoint>,
    /// Points per level, 重大 first, and unassessed.
    pub counts: [i64; 4],
    pub unassessed: i64,
}

/// Points and risks per level of one unit (sites roll up to their unit).
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct UnitCounts {
    pub org_id: i64,
    pub org_name: String,
    /// Active points by their level, 重大 first.
    pub points: [i64; 4],
    /// Active points without assessed risks.
    pub points_unassessed: i64,
    /// Active risks by level, 重大 first.
    pub risks: [i64; 4],
}

impl UnitCounts {
    pub fn points_total(&self) -> i64 {
        self.points.iter().sum::<i64>() + self.points_unassessed
    }
    pub fn risks_total(&self) -> i64 {
        self.risks.iter().sum()
    }
}

/// Everything the 岗位安全风险告知卡 shows.
#[derive(Debug, Clone, Serialize)]
pub struct NoticeCard {
    pub point_id: i64,
    pub org_name: String,
    pub point_name: String,
    pub kind_label: String,
    pub location: String,
    pub level_rank: Option<i64>,
    pub level_label: String,
    pub colour: String,
    pub css: String,
    /// Main risks: active risks, highest level first.
    pub risks: Vec<CardRisk>,
    /// Accident type names of all its risks, deduplicated, in standard order.
    pub accident_types: Vec<String>,
    pub measures: Vec<CardMeasure>,
    pub emergency_measures: String,
    pub report_phone: String,
    pub responsible_name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CardRisk {
    pub description: String,
    pub level_label: String,
    /// The residual level after controls ("一般风险"), or empty when not assessed.
    pub residual_level_label: String,
    pub consequence: String,
    pub factor_names: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CardMeasure {
    pub type_label: String,
    pub content: String,
}

/// The risk part of the statistics report.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RiskStatistics {
    pub period_first: Option<NaiveDate>,
    pub period_last: Option<NaiveDate>,
    /// Current active points by level, 重大 first, and unassessed.
    pub points_by_level: [i64; 4],
    pub points_unassessed: i64,
    /// Current active risks by level, 重大 first.
    pub risks_by_level: [i64; 4],
    pub by_unit: Vec<UnitCounts>,
    /// Active major risks with their control tier, by unit and point.
    pub major_risks: Vec<MajorRisk>,
    /// Active major risks per control tier (code, count), in `ControlTier::ALL` order.
    pub major_by_tier: Vec<(String, i64)>,
    /// Assessment versions (by people) dated within the period that are not a risk's first.
    pub reassessments: i64,
    /// First assessments dated within the period.
    pub first_assessments: i64,
    /// Risks re-graded by a rule change within the period.
    pub regraded: i64,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct MajorRisk {
    pub risk_id: i64,
    pub risk_point_id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub point_name: String,
    pub description: String,
    pub control_tier: String,
}

impl MajorRisk {
    pub fn tier_label(&self) -> &'static str {
        ControlTier::from_code(&self.control_tier)
            .map(ControlTier::label)
            .unwrap_or("")
    }
}

/// The grading settings as stored: the rules and who changed them last, why.
#[derive(Debug, Clone, Serialize)]
pub struct RuleSettings {
    pub rules: anjian_domain::risk::GradingRules,
    /// False: no change was saved yet, the defaults apply.
    pub stored: bool,
    pub row_version: i64,
    pub updated_at: Option<DateTime<Utc>>,
    pub updated_by_name: String,
    pub reason: String,
}

/// What a rule change did.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct RegradeReport {
    /// Risks whose level changed, by their new level, 重大 first.
    pub changed_to: [i64; 4],
    pub changed_total: i64,
    /// Risks whose residual level changed (each with a version row, like the inherent level).
    pub residual_changed_total: i64,
}
