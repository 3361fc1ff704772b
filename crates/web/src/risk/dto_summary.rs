//! JSON shapes of what the risk API derives from the register: the 岗位安全风险告知卡 of a point,
//! the four-colour view of an organisation, counts by unit and the risk part of the statistics
//! report. Kept apart from the records in `dto` (which re-exports them) to keep files small.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use anjian_db::risk::{FourColour, NoticeCard, RiskStatistics, UnitCounts};

use super::dto::{level, LevelDto, PointDto};

/// The 岗位安全风险告知卡 of a point.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoticeCardDto {
    pub point_id: i64,
    pub org_name: String,
    pub point_name: String,
    pub kind_label: String,
    pub location: String,
    pub level: Option<LevelDto>,
    /// Main risks: description, level label, consequence, factor names
    pub risks: Vec<CardRiskDto>,
    pub accident_types: Vec<String>,
    /// Control measures: type label and content
    pub measures: Vec<CardMeasureDto>,
    pub emergency_measures: String,
    pub report_phone: String,
    pub responsible_name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CardRiskDto {
    pub description: String,
    pub level_label: String,
    /// Residual level after controls ("一般风险"); empty when not assessed
    pub residual_level_label: String,
    pub consequence: String,
    pub factor_names: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CardMeasureDto {
    pub type_label: String,
    pub content: String,
}

impl From<NoticeCard> for NoticeCardDto {
    fn from(c: NoticeCard) -> Self {
        NoticeCardDto {
            level: level(c.level_rank),
            point_id: c.point_id,
            org_name: c.org_name,
            point_name: c.point_name,
            kind_label: c.kind_label,
            location: c.location,
            risks: c
                .risks
                .into_iter()
                .map(|r| CardRiskDto {
                    description: r.description,
                    level_label: r.level_label,
                    residual_level_label: r.residual_level_label,
                    consequence: r.consequence,
                    factor_names: r.factor_names,
                })
                .collect(),
            accident_types: c.accident_types,
            measures: c
                .measures
                .into_iter()
                .map(|m| CardMeasureDto {
                    type_label: m.type_label,
                    content: m.content,
                })
                .collect(),
            emergency_measures: c.emergency_measures,
            report_phone: c.report_phone,
            responsible_name: c.responsible_name,
        }
    }
}

/// The four-colour view of an organisation.
#[derive(Debug, Serialize, ToSchema)]
pub struct FourColourDto {
    pub org_id: i64,
    pub org_name: String,
    pub site_plan_attachment_id: Option<i64>,
    pub points: Vec<PointDto>,
    /// Points per level, 重大 first
    pub counts: Vec<i64>,
    pub unassessed: i64,
}

impl From<FourColour> for FourColourDto {
    fn from(v: FourColour) -> Self {
        FourColourDto {
            org_id: v.org_id,
            org_name: v.org_name,
            site_plan_attachment_id: v.site_plan_attachment_id,
            points: v.points.into_iter().map(Into::into).collect(),
            counts: v.counts.to_vec(),
            unassessed: v.unassessed,
        }
    }
}

/// Points and risks per level of one unit.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitCountsDto {
    pub org_id: i64,
    pub org_name: String,
    /// Active points by level, 重大 first
    pub points: Vec<i64>,
    pub points_unassessed: i64,
    /// Active risks by level, 重大 first
    pub risks: Vec<i64>,
}

impl From<UnitCounts> for UnitCountsDto {
    fn from(u: UnitCounts) -> Self {
        UnitCountsDto {
            org_id: u.org_id,
            org_name: u.org_name,
            points: u.points.to_vec(),
            points_unassessed: u.points_unassessed,
            risks: u.risks.to_vec(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MajorRiskDto {
    pub risk_id: i64,
    pub risk_point_id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub point_name: String,
    pub description: String,
    pub control_tier: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TierCountDto {
    /// `company`, `department`, `team` or `post`
    pub tier: String,
    pub count: i64,
}

/// The risk part of the statistics report.
#[derive(Debug, Serialize, ToSchema)]
pub struct RiskStatisticsDto {
    pub period: String,
    pub period_label: String,
    pub first: NaiveDate,
    pub last: NaiveDate,
    pub org_id: Option<i64>,
    /// Active points by level, 重大 first
    pub points_by_level: Vec<i64>,
    pub points_unassessed: i64,
    /// Active risks by level, 重大 first
    pub risks_by_level: Vec<i64>,
    pub by_unit: Vec<UnitCountsDto>,
    pub major_risks: Vec<MajorRiskDto>,
    /// Major risks per control tier
    pub major_by_tier: Vec<TierCountDto>,
    pub first_assessments: i64,
    pub reassessments: i64,
    pub regraded: i64,
}

impl RiskStatisticsDto {
    pub fn new(p: &anjian_domain::period::Period, org_id: Option<i64>, s: RiskStatistics) -> Self {
        RiskStatisticsDto {
            period: p.code(),
            period_label: p.label(),
            first: p.first,
            last: p.last,
            org_id,
            points_by_level: s.points_by_level.to_vec(),
            points_unassessed: s.points_unassessed,
            risks_by_level: s.risks_by_level.to_vec(),
            by_unit: s.by_unit.into_iter().map(Into::into).collect(),
            major_risks: s
                .major_risks
                .into_iter()
                .map(|m| MajorRiskDto {
                    risk_id: m.risk_id,
                    risk_point_id: m.risk_point_id,
                    org_id: m.org_id,
                    org_name: m.org_name,
                    point_name: m.point_name,
                    description: m.description,
                    control_tier: m.control_tier,
                })
                .collect(),
            major_by_tier: s
                .major_by_tier
                .into_iter()
                .map(|(tier, count)| TierCountDto { tier, count })
                .collect(),
            first_assessments: s.first_assessments,
            reassessments: s.reassessments,
            regraded: s.regraded,
        }
    }
}
