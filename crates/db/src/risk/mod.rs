//! Risk grading and control (安全风险分级管控): risk points, risks with their assessment versions,
//! control measures, the grading settings and re-grading, and coupling to hazards.
//!
//! The pure rules live in `anjian_domain::risk` (levels, LEC/LS tables, `Assessment`,
//! `GradingRules`) and `anjian_domain::accident` (GB/T 6441 code tables); this module stores
//! them. Levels are stored as `level_rank` (1 重大 … 4 低, `RiskLevel::rank`) so lists sort on
//! them and re-grading is one set-based UPDATE.
//!
//! Permissions: reads need `RiskView`, changes `RiskManage`, the grading rules `RiskSettings`.
//! Out-of-scope ids are `DbError::NotFound`; a stale `row_version` is `DbError::Conflict`.

mod checklist;
mod common;
mod coupling;
mod excel;
mod input;
mod measure;
mod point;
mod record;
mod register;
mod settings;
mod stats;
mod summary;

pub use checklist::{measures_to_checklist, ChecklistMade};
pub use coupling::{
    hazards_of_point, link_hazard, point_of_checklist, points_for_hazard_form,
    points_for_inspection, todo, PointHazard,
};
pub use excel::{import_rows, register_rows, RiskImportRow, COLUMNS, MAX_ROWS};
pub use input::{MeasureInput, PointInput, RiskFilter, RiskInput};
pub use measure::{create_measure, get_measure, set_measure_active, update_measure};
pub use point::{
    create_point, get_point, responsible_candidates, set_marker, set_point_active, set_site_plan,
    site_plan, update_point,
};
pub use record::{create_risk, get_risk, set_risk_active, update_risk, versions};
pub use register::{count_cap, four_colour, list, list_points, COUNT_CAP, KEYWORD_COUNT_CAP};
pub use settings::{rules, settings, update_rules};
pub use stats::{counts_by_unit, notice_card, statistics};
pub use summary::{
    CardMeasure, CardRisk, FourColour, MajorRisk, NoticeCard, RegradeReport, RiskStatistics,
    RuleSettings, UnitCounts,
};

/// Import errors are the hazard ledger's: "第N行【列名】…".
pub use crate::hazard::RowError;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use anjian_domain::accident::Standard;
use anjian_domain::risk::{
    factor_name, format_d, method_label, tenths, Assessment, ControlTier, MeasureType, PointKind,
    RiskLevel,
};

fn level_of_rank(rank: Option<i64>) -> Option<RiskLevel> {
    rank.and_then(RiskLevel::from_rank)
}

/// A risk point (风险点): a place, equipment or work activity of an organisation.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct RiskPoint {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub org_path: String,
    /// `PointKind` code: place / equipment / activity.
    pub kind: String,
    pub name: String,
    pub location: String,
    /// A user of the organisation (or above it), optional.
    pub responsible_user_id: Option<i64>,
    /// The responsible person as written on the card (may name someone without an account).
    pub responsible_name: String,
    /// 应急处置措施, shown on the notice card.
    pub emergency_measures: String,
    /// 报告电话, shown on the notice card.
    pub report_phone: String,
    /// Marker position on the organisation's site plan, per mille of width and height.
    pub marker_x: Option<i64>,
    pub marker_y: Option<i64>,
    /// The highest level of its active risks (1 重大 … 4 低); None without assessed risks.
    pub level_rank: Option<i64>,
    /// Active risks under the point.
    pub risk_count: i64,
    /// Date of the newest assessment (not re-grading) of any of its risks.
    pub last_assessed_on: Option<NaiveDate>,
    pub active: bool,
    pub row_version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// An open hazard (status not closed) references the point.
    pub elevated: bool,
    /// Three or more hazards within 90 days, none of them before its newest assessment: the
    /// point is due for re-assessment (`anjian_domain::risk::needs_reassessment`).
    pub flagged: bool,
}

impl RiskPoint {
    pub fn level(&self) -> Option<RiskLevel> {
        level_of_rank(self.level_rank)
    }
    pub fn kind(&self) -> Option<PointKind> {
        PointKind::from_code(&self.kind)
    }
    pub fn kind_label(&self) -> &'static str {
        self.kind().map(PointKind::label).unwrap_or("")
    }
    /// 重大风险 … 低风险, or 未评估.
    pub fn level_label(&self) -> &'static str {
        self.level().map(RiskLevel::label).unwrap_or("未评估")
    }
    /// 红/橙/黄/蓝, or empty.
    pub fn colour(&self) -> &'static str {
        self.level().map(RiskLevel::colour).unwrap_or("")
    }
    /// `risk-red` … or `risk-none`.
    pub fn css(&self) -> &'static str {
        self.level().map(RiskLevel::css).unwrap_or("risk-none")
    }
    pub fn has_marker(&self) -> bool {
        self.marker_x.is_some() && self.marker_y.is_some()
    }
}

/// A risk under a point, with its current assessment (and optional residual assessment).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Risk {
    pub id: i64,
    pub risk_point_id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub point_name: String,
    pub point_kind: String,
    pub point_location: String,
    pub description: String,
    /// GB/T 13861 codes, comma-separated ("21,22").
    pub factors: String,
    /// Edition the accident types are coded under, e.g. "GB/T 6441-1986".
    pub accident_standard: String,
    /// Accident type codes of that edition, comma-separated ("05,08").
    pub accident_types: String,
    pub consequence: String,
    /// lec / ls / direct.
    pub method: String,
    /// LEC: L, E, C in tenths; LS: L and S in 1..5. NULL where the method has no such factor.
    pub f_l: Option<i64>,
    pub f_e: Option<i64>,
    pub f_c: Option<i64>,
    pub f_s: Option<i64>,
    /// 直接判定 reason; empty otherwise.
    pub direct_reason: String,
    /// D hundredths (LEC), R (LS), 0 (direct): `Assessment::score`.
    pub score: i64,
    pub level_rank: i64,
    pub residual_method: Option<String>,
    pub residual_l: Option<i64>,
    pub residual_e: Option<i64>,
    pub residual_c: Option<i64>,
    pub residual_s: Option<i64>,
    pub residual_reason: String,
    pub residual_score: Option<i64>,
    pub residual_level_rank: Option<i64>,
    /// `ControlTier` code.
    pub control_tier: String,
    pub assessed_on: NaiveDate,
    pub assessor_user_id: Option<i64>,
    pub assessor_name: String,
    pub active: bool,
    pub row_version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn assessment_of(
    method: &str,
    l: Option<i64>,
    e: Option<i64>,
    c: Option<i64>,
    s: Option<i64>,
    reason: &str,
) -> Option<Assessment> {
    let u = |v: Option<i64>| v.and_then(|x| u32::try_from(x).ok());
    match method {
        "lec" => Some(Assessment::Lec {
            l: u(l)?,
            e: u(e)?,
            c: u(c)?,
        }),
        "ls" => Some(Assessment::Ls { l: u(l)?, s: u(s)? }),
        "direct" => Some(Assessment::Direct {
            reason: reason.to_string(),
        }),
        _ => None,
    }
}

/// "D = 3×6×15 = 270" from stored columns.
fn formula_of(a: Option<&Assessment>) -> String {
    a.map(Assessment::formula).unwrap_or_default()
}

fn split_codes(s: &str) -> Vec<&str> {
    s.split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect()
}

impl Risk {
    pub fn level(&self) -> RiskLevel {
        RiskLevel::from_rank(self.level_rank).unwrap_or(RiskLevel::Major)
    }
    pub fn level_label(&self) -> &'static str {
        self.level().label()
    }
    pub fn colour(&self) -> &'static str {
        self.level().colour()
    }
    pub fn css(&self) -> &'static str {
        self.level().css()
    }
    pub fn assessment(&self) -> Option<Assessment> {
        assessment_of(
            &self.method,
            self.f_l,
            self.f_e,
            self.f_c,
            self.f_s,
            &self.direct_reason,
        )
    }
    pub fn method_label(&self) -> &'static str {
        method_label(&self.method)
    }
    /// "D = 3×6×15 = 270", "R = 4×4 = 16", "直接判定".
    pub fn formula(&self) -> String {
        formula_of(self.assessment().as_ref())
    }
    /// The score as people write it: D "270", R "16", or empty for a direct grading.
    pub fn score_text(&self) -> String {
        match self.method.as_str() {
            "lec" => format_d(self.score.max(0) as u64),
            "ls" => self.score.to_string(),
            _ => String::new(),
        }
    }
    pub fn residual(&self) -> Option<Assessment> {
        assessment_of(
            self.residual_method.as_deref()?,
            self.residual_l,
            self.residual_e,
            self.residual_c,
            self.residual_s,
            &self.residual_reason,
        )
    }
    pub fn residual_level(&self) -> Option<RiskLevel> {
        level_of_rank(self.residual_level_rank)
    }
    pub fn tier(&self) -> Option<ControlTier> {
        ControlTier::from_code(&self.control_tier)
    }
    pub fn tier_label(&self) -> &'static str {
        self.tier().map(ControlTier::label).unwrap_or("")
    }
    pub fn factor_codes(&self) -> Vec<&str> {
        split_codes(&self.factors)
    }
    /// GB/T 13861 names of the factors, in stored order.
    pub fn factor_names(&self) -> Vec<&'static str> {
        self.factor_codes()
            .into_iter()
            .filter_map(factor_name)
            .collect()
    }
    pub fn accident_type_codes(&self) -> Vec<&str> {
        split_codes(&self.accident_types)
    }
    /// Names of the accident types under their stored edition.
    pub fn accident_type_names(&self) -> Vec<&'static str> {
        let Some(std) = Standard::by_code(&self.accident_standard) else {
            return Vec::new();
        };
        self.accident_type_codes()
            .into_iter()
            .filter_map(|c| std.name_of(c))
            .collect()
    }
    /// L/E/C/S as people write them ("0.5", "6"); empty where absent.
    pub fn factor_text(&self, which: char) -> String {
        let v = match which {
            'l' => self.f_l,
            'e' => self.f_e,
            'c' => self.f_c,
            's' => self.f_s,
            _ => None,
        };
        match (self.method.as_str(), v) {
            ("lec", Some(v)) => tenths(v.max(0) as u32),
            (_, Some(v)) => v.to_string(),
            _ => String::new(),
        }
    }
}

/// One kept assessment of a risk (a version). `kind` is `assessment` for an assessment by a
/// person (first or re-assessment) and `regrade` for a level change made by a rule change.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct RiskVersion {
    pub id: i64,
    pub risk_id: i64,
    pub kind: String,
    pub assessed_on: NaiveDate,
    pub assessor_user_id: Option<i64>,
    pub assessor_name: String,
    pub method: String,
    pub f_l: Option<i64>,
    pub f_e: Option<i64>,
    pub f_c: Option<i64>,
    pub f_s: Option<i64>,
    pub direct_reason: String,
    pub score: i64,
    pub level_rank: i64,
    /// Why: "初次评估", the assessor's words, or "分级标准调整：…".
    pub reason: String,
    pub created_at: DateTime<Utc>,
    /// The residual assessment at that version (None: none, or a version older than 0011).
    pub residual_method: Option<String>,
    pub residual_l: Option<i64>,
    pub residual_e: Option<i64>,
    pub residual_c: Option<i64>,
    pub residual_s: Option<i64>,
    pub residual_reason: String,
    pub residual_score: Option<i64>,
    pub residual_level_rank: Option<i64>,
}

impl RiskVersion {
    pub fn level(&self) -> RiskLevel {
        RiskLevel::from_rank(self.level_rank).unwrap_or(RiskLevel::Major)
    }
    pub fn level_label(&self) -> &'static str {
        self.level().label()
    }
    pub fn method_label(&self) -> &'static str {
        method_label(&self.method)
    }
    pub fn formula(&self) -> String {
        formula_of(
            assessment_of(
                &self.method,
                self.f_l,
                self.f_e,
                self.f_c,
                self.f_s,
                &self.direct_reason,
            )
            .as_ref(),
        )
    }
    pub fn is_regrade(&self) -> bool {
        self.kind == "regrade"
    }
    pub fn residual(&self) -> Option<Assessment> {
        assessment_of(
            self.residual_method.as_deref()?,
            self.residual_l,
            self.residual_e,
            self.residual_c,
            self.residual_s,
            &self.residual_reason,
        )
    }
    pub fn residual_level(&self) -> Option<RiskLevel> {
        level_of_rank(self.residual_level_rank)
    }
}

/// A control measure (管控措施) of a risk.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Measure {
    pub id: i64,
    pub risk_id: i64,
    pub risk_point_id: i64,
    pub org_id: i64,
    /// `MeasureType` code.
    pub measure_type: String,
    pub content: String,
    /// `ControlTier` code.
    pub tier: String,
    pub responsible_user_id: Option<i64>,
    pub responsible_name: String,
    pub active: bool,
    pub row_version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Measure {
    pub fn type_label(&self) -> &'static str {
        MeasureType::from_code(&self.measure_type)
            .map(MeasureType::label)
            .unwrap_or("")
    }
    pub fn tier_label(&self) -> &'static str {
        ControlTier::from_code(&self.tier)
            .map(ControlTier::label)
            .unwrap_or("")
    }
}

/// A point with its risks (active first) and each risk's measures: the point's page.
#[derive(Debug, Clone, Serialize)]
pub struct PointDetail {
    pub point: RiskPoint,
    pub risks: Vec<RiskWithMeasures>,
    /// Hazards referencing the point, newest first (at most 50).
    pub hazards: Vec<PointHazard>,
    /// Attachment id of the organisation's site plan, if one was uploaded.
    pub site_plan_attachment_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RiskWithMeasures {
    pub risk: Risk,
    pub measures: Vec<Measure>,
}

/// A risk with its point, versions (newest first) and measures: the risk's page.
#[derive(Debug, Clone, Serialize)]
pub struct RiskDetail {
    pub risk: Risk,
    pub point: RiskPoint,
    pub versions: Vec<RiskVersion>,
    pub measures: Vec<Measure>,
}

/// A point on the hazard form's picker.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PointOption {
    pub id: i64,
    pub name: String,
    /// The organisation the point belongs to.
    pub org_name: String,
    pub kind: String,
    pub location: String,
    pub level_rank: Option<i64>,
}

/// An account that may be named responsible (`responsible_candidates`).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PersonOption {
    pub id: i64,
    pub name: String,
    pub username: String,
    pub org_name: String,
}

/// The risk to-do of the home page.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RiskTodo {
    /// Flagged points whose responsible user is the caller.
    pub mine: Vec<RiskPoint>,
    /// Flagged points in the caller's scope (RiskManage users only; 0 otherwise).
    pub flagged_in_scope: i64,
}

impl RiskTodo {
    pub fn is_empty(&self) -> bool {
        self.mine.is_empty() && self.flagged_in_scope == 0
    }
}
