//! JSON shapes of the risk API. Responses mirror the data layer's records (which carry no schema)
//! with the level as a code plus its label and colour; request bodies mirror its inputs and are
//! `#[serde(default)]`, so an out-of-scope id is answered 404 before the body is judged.
//!
//! This file holds the register's records (point, risk, version, measure, details, pages); the
//! summaries (card, four-colour view, counts, statistics), the grading settings and the request
//! bodies live in `dto_summary`, `dto_settings` and `dto_request`, re-exported here so that
//! `dto::*` still names every shape.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use anjian_db::risk::{Measure, PointDetail, Risk, RiskDetail, RiskPoint, RiskVersion};
use anjian_domain::risk::{format_d, RiskLevel};

pub use super::dto_request::{
    MeasureBody, OrgParam, PointBody, RiskBody, RiskQuery, RiskStatsParams,
};
pub use super::dto_settings::{RegradeDto, RulesDto, SettingsBody, SettingsDto, SourceDto};
pub use super::dto_summary::{
    CardMeasureDto, CardRiskDto, FourColourDto, MajorRiskDto, NoticeCardDto, RiskStatisticsDto,
    TierCountDto, UnitCountsDto,
};

/// A level as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct LevelDto {
    /// `major` 重大 / `large` 较大 / `general` 一般 / `low` 低
    pub code: String,
    /// 1 (重大) … 4 (低)
    pub rank: i64,
    pub label: String,
    /// 红 / 橙 / 黄 / 蓝
    pub colour: String,
}

impl From<RiskLevel> for LevelDto {
    fn from(l: RiskLevel) -> Self {
        LevelDto {
            code: l.code().into(),
            rank: l.rank(),
            label: l.label().into(),
            colour: l.colour().into(),
        }
    }
}

pub(super) fn level(rank: Option<i64>) -> Option<LevelDto> {
    rank.and_then(RiskLevel::from_rank).map(Into::into)
}

/// A risk point (风险点).
#[derive(Debug, Serialize, ToSchema)]
pub struct PointDto {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    /// `place` 场所/区域, `equipment` 设备设施, `activity` 作业活动
    pub kind: String,
    pub name: String,
    pub location: String,
    pub responsible_user_id: Option<i64>,
    pub responsible_name: String,
    pub emergency_measures: String,
    pub report_phone: String,
    /// Marker on the site plan, per mille of its width and height
    pub marker_x: Option<i64>,
    pub marker_y: Option<i64>,
    /// Highest level of its active risks; null when none is assessed
    pub level: Option<LevelDto>,
    pub risk_count: i64,
    pub last_assessed_on: Option<NaiveDate>,
    /// An open hazard references the point
    pub elevated: bool,
    /// Due for re-assessment (3 or more hazards within 90 days)
    pub flagged: bool,
    pub active: bool,
    pub row_version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<RiskPoint> for PointDto {
    fn from(p: RiskPoint) -> Self {
        PointDto {
            level: level(p.level_rank),
            id: p.id,
            org_id: p.org_id,
            org_name: p.org_name,
            kind: p.kind,
            name: p.name,
            location: p.location,
            responsible_user_id: p.responsible_user_id,
            responsible_name: p.responsible_name,
            emergency_measures: p.emergency_measures,
            report_phone: p.report_phone,
            marker_x: p.marker_x,
            marker_y: p.marker_y,
            risk_count: p.risk_count,
            last_assessed_on: p.last_assessed_on,
            elevated: p.elevated,
            flagged: p.flagged,
            active: p.active,
            row_version: p.row_version,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// An assessment's raw factors and result.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentDto {
    /// `lec`, `ls` or `direct`
    pub method: String,
    /// L as people write it ("0.5", "3"); LEC and LS
    pub l: Option<String>,
    /// E (LEC)
    pub e: Option<String>,
    /// C (LEC)
    pub c: Option<String>,
    /// S (LS)
    pub s: Option<String>,
    /// 直接判定依据
    pub reason: String,
    /// D (LEC, e.g. "270"), R (LS) or empty (direct)
    pub score: String,
    /// "D = 3×6×15 = 270"
    pub formula: String,
    pub level: Option<LevelDto>,
}

fn factor(method: &str, v: Option<i64>) -> Option<String> {
    v.map(|v| {
        if method == "lec" {
            anjian_domain::risk::tenths(v.max(0) as u32)
        } else {
            v.to_string()
        }
    })
}

/// A risk (风险) with its current assessment.
#[derive(Debug, Serialize, ToSchema)]
pub struct RiskDto {
    pub id: i64,
    pub risk_point_id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub point_name: String,
    pub description: String,
    /// GB/T 13861 codes
    pub factors: Vec<String>,
    pub factor_names: Vec<String>,
    /// Edition of the accident types, e.g. "GB/T 6441-1986"
    pub accident_standard: String,
    pub accident_types: Vec<String>,
    pub accident_type_names: Vec<String>,
    pub consequence: String,
    pub assessment: AssessmentDto,
    /// Residual risk after controls, if assessed
    pub residual: Option<AssessmentDto>,
    /// `company` 公司级, `department` 部门级, `team` 班组级, `post` 岗位级
    pub control_tier: String,
    pub assessed_on: NaiveDate,
    pub assessor_name: String,
    pub active: bool,
    pub row_version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Risk> for RiskDto {
    fn from(r: Risk) -> Self {
        let assessment = AssessmentDto {
            method: r.method.clone(),
            l: factor(&r.method, r.f_l),
            e: factor(&r.method, r.f_e),
            c: factor(&r.method, r.f_c),
            s: factor(&r.method, r.f_s),
            reason: r.direct_reason.clone(),
            score: r.score_text(),
            formula: r.formula(),
            level: Some(r.level().into()),
        };
        let residual = r.residual_method.clone().map(|m| AssessmentDto {
            l: factor(&m, r.residual_l),
            e: factor(&m, r.residual_e),
            c: factor(&m, r.residual_c),
            s: factor(&m, r.residual_s),
            reason: r.residual_reason.clone(),
            score: match (m.as_str(), r.residual_score) {
                ("lec", Some(s)) => format_d(s.max(0) as u64),
                ("ls", Some(s)) => s.to_string(),
                _ => String::new(),
            },
            formula: r.residual().map(|a| a.formula()).unwrap_or_default(),
            level: level(r.residual_level_rank),
            method: m,
        });
        RiskDto {
            factors: r.factor_codes().into_iter().map(String::from).collect(),
            factor_names: r.factor_names().into_iter().map(String::from).collect(),
            accident_types: r
                .accident_type_codes()
                .into_iter()
                .map(String::from)
                .collect(),
            accident_type_names: r
                .accident_type_names()
                .into_iter()
                .map(String::from)
                .collect(),
            assessment,
            residual,
            id: r.id,
            risk_point_id: r.risk_point_id,
            org_id: r.org_id,
            org_name: r.org_name,
            point_name: r.point_name,
            description: r.description,
            accident_standard: r.accident_standard,
            consequence: r.consequence,
            control_tier: r.control_tier,
            assessed_on: r.assessed_on,
            assessor_name: r.assessor_name,
            active: r.active,
            row_version: r.row_version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// One kept assessment of a risk.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionDto {
    pub id: i64,
    /// `assessment` (by a person) or `regrade` (by a change of the grading rules)
    pub kind: String,
    pub assessed_on: NaiveDate,
    pub assessor_name: String,
    pub method: String,
    pub formula: String,
    pub level: LevelDto,
    pub reason: String,
    pub created_at: DateTime<Utc>,
    /// The residual assessment kept with this version: `lec`, `ls` or `direct`; absent when
    /// none was assessed (or for versions kept before residual assessments were versioned)
    pub residual_method: Option<String>,
    /// "D = 1×6×7 = 42"; empty without a residual assessment
    pub residual_formula: String,
    pub residual_level: Option<LevelDto>,
}

impl From<RiskVersion> for VersionDto {
    fn from(v: RiskVersion) -> Self {
        VersionDto {
            residual_formula: v.residual().map(|a| a.formula()).unwrap_or_default(),
            residual_level: v.residual_level().map(Into::into),
            residual_method: v.residual_method.clone(),
            formula: v.formula(),
            level: v.level().into(),
            id: v.id,
            kind: v.kind,
            assessed_on: v.assessed_on,
            assessor_name: v.assessor_name,
            method: v.method,
            reason: v.reason,
            created_at: v.created_at,
        }
    }
}

/// A control measure (管控措施).
#[derive(Debug, Serialize, ToSchema)]
pub struct MeasureDto {
    pub id: i64,
    pub risk_id: i64,
    /// `engineering` 工程技术, `management` 管理, `training` 培训教育, `protective` 个体防护,
    /// `emergency` 应急处置
    pub measure_type: String,
    pub content: String,
    pub tier: String,
    pub responsible_user_id: Option<i64>,
    pub responsible_name: String,
    pub active: bool,
    pub row_version: i64,
}

impl From<Measure> for MeasureDto {
    fn from(m: Measure) -> Self {
        MeasureDto {
            id: m.id,
            risk_id: m.risk_id,
            measure_type: m.measure_type,
            content: m.content,
            tier: m.tier,
            responsible_user_id: m.responsible_user_id,
            responsible_name: m.responsible_name,
            active: m.active,
            row_version: m.row_version,
        }
    }
}

/// A hazard registered at a point.
#[derive(Debug, Serialize, ToSchema)]
pub struct PointHazardDto {
    pub id: i64,
    pub description: String,
    pub found_on: NaiveDate,
    pub status: String,
    pub grade: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RiskWithMeasuresDto {
    pub risk: RiskDto,
    pub measures: Vec<MeasureDto>,
}

/// A point with its risks, their measures and the hazards at it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PointDetailDto {
    pub point: PointDto,
    pub risks: Vec<RiskWithMeasuresDto>,
    pub hazards: Vec<PointHazardDto>,
    pub site_plan_attachment_id: Option<i64>,
}

impl From<PointDetail> for PointDetailDto {
    fn from(d: PointDetail) -> Self {
        PointDetailDto {
            point: d.point.into(),
            risks: d
                .risks
                .into_iter()
                .map(|r| RiskWithMeasuresDto {
                    risk: r.risk.into(),
                    measures: r.measures.into_iter().map(Into::into).collect(),
                })
                .collect(),
            hazards: d
                .hazards
                .into_iter()
                .map(|h| PointHazardDto {
                    id: h.id,
                    description: h.description,
                    found_on: h.found_on,
                    status: h.status,
                    grade: h.grade,
                })
                .collect(),
            site_plan_attachment_id: d.site_plan_attachment_id,
        }
    }
}

/// A risk with its point, assessment versions (newest first) and measures.
#[derive(Debug, Serialize, ToSchema)]
pub struct RiskDetailDto {
    pub risk: RiskDto,
    pub point: PointDto,
    pub versions: Vec<VersionDto>,
    pub measures: Vec<MeasureDto>,
}

impl From<RiskDetail> for RiskDetailDto {
    fn from(d: RiskDetail) -> Self {
        RiskDetailDto {
            risk: d.risk.into(),
            point: d.point.into(),
            versions: d.versions.into_iter().map(Into::into).collect(),
            measures: d.measures.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PointPage {
    pub items: Vec<PointDto>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RiskPage {
    pub items: Vec<RiskDto>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}
