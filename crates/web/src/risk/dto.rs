//! JSON shapes of the risk API. Responses mirror the data layer's records (which carry no schema)
//! with the level as a code plus its label and colour; request bodies mirror its inputs and are
//! `#[serde(default)]`, so an out-of-scope id is answered 404 before the body is judged.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use anjian_db::risk::{
    self, FourColour, Measure, NoticeCard, PointDetail, RegradeReport, Risk, RiskDetail, RiskPoint,
    RiskStatistics, RiskVersion, RuleSettings, UnitCounts,
};
use anjian_db::FieldErrors;
use anjian_domain::risk::{format_d, parse_d, ControlTier, GradingRules, PointKind, RiskLevel};

use crate::error::AppError;

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

fn level(rank: Option<i64>) -> Option<LevelDto> {
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

/// The grading rules, in the words of the settings page.
#[derive(Debug, Serialize, Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct RulesDto {
    /// LEC band bounds as D values, ascending ("20", "70", "160", "320"): left-open bands
    pub lec_bounds: Vec<String>,
    /// Level code of each LEC band, highest band first (5 values)
    pub lec_levels: Vec<String>,
    /// Lowest R of 重大, 较大, 一般
    pub ls_min: Vec<u64>,
    /// Default control tier code of each level, 重大 first
    pub tiers: Vec<String>,
    /// Inspection interval in days of each level, 重大 first
    pub check_days: Vec<u32>,
}

impl From<&GradingRules> for RulesDto {
    fn from(r: &GradingRules) -> Self {
        RulesDto {
            lec_bounds: r.lec_bounds.iter().map(|b| format_d(*b)).collect(),
            lec_levels: r.lec_levels.iter().map(|l| l.code().to_string()).collect(),
            ls_min: r.ls_min.to_vec(),
            tiers: r.tiers.iter().map(|t| t.code().to_string()).collect(),
            check_days: r.check_days.to_vec(),
        }
    }
}

impl RulesDto {
    /// The rules, or 422 naming the field.
    pub fn parse(&self) -> Result<GradingRules, AppError> {
        let mut errs = FieldErrors::new();
        let mut r = GradingRules::default();
        let count = |errs: &mut FieldErrors, field: &str, n: usize, want: usize| {
            if n != want {
                errs.add(field, format!("应有{want}项"));
            }
        };
        count(&mut errs, "lec_bounds", self.lec_bounds.len(), 4);
        count(&mut errs, "lec_levels", self.lec_levels.len(), 5);
        count(&mut errs, "ls_min", self.ls_min.len(), 3);
        count(&mut errs, "tiers", self.tiers.len(), 4);
        count(&mut errs, "check_days", self.check_days.len(), 4);
        if !errs.is_empty() {
            return Err(AppError::Invalid(errs));
        }
        for (i, b) in self.lec_bounds.iter().enumerate() {
            match parse_d(b) {
                Some(v) => r.lec_bounds[i] = v,
                None => errs.add("lec_bounds", "LEC 分档界限必须是数，最多两位小数"),
            }
        }
        for (i, l) in self.lec_levels.iter().enumerate() {
            match RiskLevel::from_code(l) {
                Some(v) => r.lec_levels[i] = v,
                None => errs.add("lec_levels", "风险等级只能是 major、large、general、low"),
            }
        }
        for (i, t) in self.tiers.iter().enumerate() {
            match ControlTier::from_code(t) {
                Some(v) => r.tiers[i] = v,
                None => errs.add("tiers", "管控层级只能是 company、department、team、post"),
            }
        }
        r.ls_min.copy_from_slice(&self.ls_min);
        r.check_days.copy_from_slice(&self.check_days);
        if errs.is_empty() {
            if let Err(v) = r.validate() {
                for (f, m) in v {
                    errs.add(f, m);
                }
            }
        }
        if errs.is_empty() {
            Ok(r)
        } else {
            Err(AppError::Invalid(errs))
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SourceDto {
    /// `lec`, `ls`, `levels`, `tiers` or `check_days`
    pub group: String,
    pub source: String,
}

/// The grading settings in force.
#[derive(Debug, Serialize, ToSchema)]
pub struct SettingsDto {
    pub rules: RulesDto,
    /// False: nothing saved yet, the defaults apply
    pub stored: bool,
    /// Send it back with a change (0 while nothing is stored)
    pub row_version: i64,
    pub updated_at: Option<DateTime<Utc>>,
    pub updated_by_name: String,
    pub reason: String,
    /// The source cited for each group of rules
    pub sources: Vec<SourceDto>,
}

impl From<RuleSettings> for SettingsDto {
    fn from(s: RuleSettings) -> Self {
        SettingsDto {
            rules: (&s.rules).into(),
            stored: s.stored,
            row_version: s.row_version,
            updated_at: s.updated_at,
            updated_by_name: s.updated_by_name,
            reason: s.reason,
            sources: anjian_domain::risk::RULE_SOURCES
                .iter()
                .map(|(k, v)| SourceDto {
                    group: k.to_string(),
                    source: v.to_string(),
                })
                .collect(),
        }
    }
}

/// A change of the grading rules.
#[derive(Debug, Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct SettingsBody {
    pub rules: RulesDto,
    /// Why the rules change (required)
    pub reason: String,
    /// Required: the `row_version` of the settings last read (0 while none are stored); a
    /// stale one is refused with 409
    pub row_version: Option<i64>,
}

/// What a change of the rules did.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegradeDto {
    /// Risks whose level changed, by new level, 重大 first
    pub changed_to: Vec<i64>,
    pub changed_total: i64,
    /// Risks whose residual level changed (each kept as a version with the reason)
    pub residual_changed_total: i64,
}

impl From<RegradeReport> for RegradeDto {
    fn from(r: RegradeReport) -> Self {
        RegradeDto {
            changed_to: r.changed_to.to_vec(),
            changed_total: r.changed_total,
            residual_changed_total: r.residual_changed_total,
        }
    }
}

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
