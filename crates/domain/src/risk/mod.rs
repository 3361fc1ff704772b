//! Risk grading and control (安全风险分级管控, 安委办〔2016〕11号; 安全生产法 Art. 4, 41): the four
//! levels and colours, the LEC and LS assessment methods with their standard value tables, direct
//! grading, control tiers, control-measure types, and the grading rules the bureau may change.
//!
//! Scores are exact: LEC values such as 0.5 or 0.1 are kept in tenths, so D is an integer number of
//! thousandths (L×10 · E×10 · C = D×100, kept as hundredths) and a band boundary such as D = 20 is
//! compared without floating point. Sources: reference/domain-rules.md §1.2–§1.5.

use serde::{Deserialize, Serialize};

/// Three or more hazards at one risk point within this many days flag the point for re-assessment
/// (product rule of the risk issue, not a regulation).
pub const REASSESS_WINDOW_DAYS: i64 = 90;
/// See `REASSESS_WINDOW_DAYS`.
pub const REASSESS_HAZARDS: usize = 3;

/// The four levels, high to low (domain-rules §1.2). The numeric code is the internal order; the
/// label is the usual national wording, and provinces letter them differently on display.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    /// 重大风险, 红.
    Major = 1,
    /// 较大风险, 橙.
    Large = 2,
    /// 一般风险, 黄.
    General = 3,
    /// 低风险, 蓝.
    Low = 4,
}

impl RiskLevel {
    pub const ALL: [RiskLevel; 4] = [
        RiskLevel::Major,
        RiskLevel::Large,
        RiskLevel::General,
        RiskLevel::Low,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RiskLevel::Major => "major",
            RiskLevel::Large => "large",
            RiskLevel::General => "general",
            RiskLevel::Low => "low",
        }
    }

    pub fn from_code(code: &str) -> Option<RiskLevel> {
        Self::ALL.into_iter().find(|l| l.code() == code)
    }

    /// 1 (重大) … 4 (低): what is stored and sorted on.
    pub fn rank(self) -> i64 {
        self as i64
    }

    pub fn from_rank(rank: i64) -> Option<RiskLevel> {
        Self::ALL.into_iter().find(|l| l.rank() == rank)
    }

    pub fn label(self) -> &'static str {
        match self {
            RiskLevel::Major => "重大风险",
            RiskLevel::Large => "较大风险",
            RiskLevel::General => "一般风险",
            RiskLevel::Low => "低风险",
        }
    }

    pub fn colour(self) -> &'static str {
        match self {
            RiskLevel::Major => "红",
            RiskLevel::Large => "橙",
            RiskLevel::General => "黄",
            RiskLevel::Low => "蓝",
        }
    }

    /// CSS class of the colour (`risk-red` …) used by pages, cards and the four-colour view.
    pub fn css(self) -> &'static str {
        match self {
            RiskLevel::Major => "risk-red",
            RiskLevel::Large => "risk-orange",
            RiskLevel::General => "risk-yellow",
            RiskLevel::Low => "risk-blue",
        }
    }

    /// Accepts the code or what sheets write: 重大 / 重大风险 / 红 / 红色 / 1 …
    pub fn parse(s: &str) -> Option<RiskLevel> {
        let s = s.trim();
        Self::ALL.into_iter().find(|l| {
            let short = l.label().trim_end_matches("风险");
            s == l.code()
                || s == l.label()
                || s == short
                || s == l.colour()
                || s == format!("{}色", l.colour())
                || s == l.rank().to_string()
        })
    }
}

/// Kinds of risk point (风险点): a place or area, equipment or a facility, or a work activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PointKind {
    Place,
    Equipment,
    Activity,
}

impl PointKind {
    pub const ALL: [PointKind; 3] = [PointKind::Place, PointKind::Equipment, PointKind::Activity];

    pub fn code(self) -> &'static str {
        match self {
            PointKind::Place => "place",
            PointKind::Equipment => "equipment",
            PointKind::Activity => "activity",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PointKind::Place => "场所/区域",
            PointKind::Equipment => "设备设施",
            PointKind::Activity => "作业活动",
        }
    }

    pub fn from_code(code: &str) -> Option<PointKind> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn parse(s: &str) -> Option<PointKind> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|k| s == k.code() || s == k.label() || k.label().split('/').any(|part| part == s))
    }
}

/// Control tiers (管控层级, §1.5): who controls the risk. Stored apart from the level, with a
/// default by level from the grading rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ControlTier {
    Company,
    Department,
    Team,
    Post,
}

impl ControlTier {
    pub const ALL: [ControlTier; 4] = [
        ControlTier::Company,
        ControlTier::Department,
        ControlTier::Team,
        ControlTier::Post,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ControlTier::Company => "company",
            ControlTier::Department => "department",
            ControlTier::Team => "team",
            ControlTier::Post => "post",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ControlTier::Company => "公司级",
            ControlTier::Department => "部门级",
            ControlTier::Team => "班组级",
            ControlTier::Post => "岗位级",
        }
    }

    pub fn from_code(code: &str) -> Option<ControlTier> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }

    pub fn parse(s: &str) -> Option<ControlTier> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|t| s == t.code() || s == t.label() || s == t.label().trim_end_matches('级'))
    }
}

/// Types of control measure (管控措施).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeasureType {
    Engineering,
    Management,
    Training,
    Protective,
    Emergency,
}

impl MeasureType {
    pub const ALL: [MeasureType; 5] = [
        MeasureType::Engineering,
        MeasureType::Management,
        MeasureType::Training,
        MeasureType::Protective,
        MeasureType::Emergency,
    ];

    pub fn code(self) -> &'static str {
        match self {
            MeasureType::Engineering => "engineering",
            MeasureType::Management => "management",
            MeasureType::Training => "training",
            MeasureType::Protective => "protective",
            MeasureType::Emergency => "emergency",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            MeasureType::Engineering => "工程技术",
            MeasureType::Management => "管理措施",
            MeasureType::Training => "培训教育",
            MeasureType::Protective => "个体防护",
            MeasureType::Emergency => "应急处置",
        }
    }

    pub fn from_code(code: &str) -> Option<MeasureType> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }

    pub fn parse(s: &str) -> Option<MeasureType> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|t| s == t.code() || s == t.label() || s == t.label().trim_end_matches("措施"))
    }
}

mod assessment;
mod grading;
mod tables;

pub use assessment::*;
pub use grading::*;
pub use tables::*;

/// The level a risk point shows: the highest of its risks' levels (None without risks).
pub fn point_level(levels: impl IntoIterator<Item = RiskLevel>) -> Option<RiskLevel> {
    levels.into_iter().min()
}

/// Whether hazards found at a point on these dates call for re-assessment on `today`:
/// `REASSESS_HAZARDS` or more within the last `REASSESS_WINDOW_DAYS` days (today included).
pub fn needs_reassessment(found: &[chrono::NaiveDate], today: chrono::NaiveDate) -> bool {
    let from = today - chrono::Days::new(REASSESS_WINDOW_DAYS as u64 - 1);
    found.iter().filter(|d| **d >= from && **d <= today).count() >= REASSESS_HAZARDS
}

#[cfg(test)]
mod tests;
