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

/// GB/T 13861 hazardous and harmful factors, top level and middle level (§2.3; the 2-digit codes
/// are unconfirmed, the names are sourced). A risk stores the codes it names.
pub const FACTOR_CATEGORIES: &[(&str, &str)] = &[
    ("1", "人的因素"),
    ("11", "心理、生理性危险和有害因素"),
    ("12", "行为性危险和有害因素"),
    ("2", "物的因素"),
    ("21", "物理性危险和有害因素"),
    ("22", "化学性危险和有害因素"),
    ("23", "生物性危险和有害因素"),
    ("3", "环境因素"),
    ("31", "室内作业场所环境不良"),
    ("32", "室外作业场地环境不良"),
    ("33", "地下（含水下）作业环境不良"),
    ("39", "其他作业环境不良"),
    ("4", "管理因素"),
    ("41", "职业安全卫生组织机构不健全"),
    ("42", "职业安全卫生责任制未落实"),
    ("43", "职业安全卫生管理规章制度不完善"),
    ("44", "职业安全卫生投入不足"),
    ("45", "职业健康管理不完善"),
    ("49", "其他管理因素缺陷"),
];

/// The name of a GB/T 13861 factor code.
pub fn factor_name(code: &str) -> Option<&'static str> {
    FACTOR_CATEGORIES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, n)| *n)
}

/// A value of an LEC table, in tenths (0.5 → 5), with its meaning.
pub type TableEntry = (u32, &'static str);

/// L, 事故发生的可能性 (§1.3).
pub const LEC_L: &[TableEntry] = &[
    (100, "完全可以预料"),
    (60, "相当可能"),
    (30, "可能，但不经常"),
    (10, "可能性小，完全意外"),
    (5, "很不可能，可以设想"),
    (2, "极不可能"),
    (1, "实际不可能"),
];

/// E, 暴露于危险环境的频繁程度 (§1.3).
pub const LEC_E: &[TableEntry] = &[
    (100, "连续暴露"),
    (60, "每天工作时间内暴露"),
    (30, "每周一次或偶然暴露"),
    (20, "每月一次暴露"),
    (10, "每年几次暴露"),
    (5, "非常罕见地暴露"),
];

/// C, 发生事故可能造成的后果 (§1.3, the classic 100/40/15/7/3/1 scale), in tenths like L and E.
pub const LEC_C: &[TableEntry] = &[
    (1000, "大灾难，许多人死亡"),
    (400, "灾难，数人死亡"),
    (150, "非常严重，一人死亡"),
    (70, "严重，重伤"),
    (30, "重大，致残"),
    (10, "引人注目，需要救护"),
];

/// LS L criteria, 5 … 1 (§1.4).
pub const LS_L: &[(u32, &str)] = &[
    (5, "现场没有采取防范、监测、保护、控制措施；或危害的发生不能被发现；或在正常情况下经常发生此类事故或事件"),
    (4, "危害的发生不容易被发现，现场没有检测系统；或有控制措施但未有效执行或控制措施不当；或危害常发生或在预期情况下发生"),
    (3, "没有保护措施（如没有保护装置、个人防护用品）；或未严格按操作程序执行；或危害的发生容易被发现；或过去曾经发生类似事故或事件"),
    (2, "危害一旦发生能及时发现，并定期进行监测；或现场有防范控制措施并能有效执行；或过去偶尔发生事故或事件"),
    (1, "有充分、有效的防范、控制、监测、保护措施；或员工安全卫生意识相当高，严格执行操作规程；极不可能发生"),
];

/// LS S criteria, 5 … 1 (§1.4; the highest column reached counts).
pub const LS_S: &[(u32, &str)] = &[
    (5, "违反法律法规和标准；死亡；直接经济损失100万元以上；部分装置（>2套）或设备停工；重大国际影响"),
    (4, "潜在违反法规和标准；丧失劳动能力；50万元以上；2套装置或设备停工；行业内、省内影响"),
    (3, "不符合上级公司或行业的安全方针、制度、规定；截肢、骨折、听力丧失、慢性病；1万元以上；1套装置或设备停工；地区影响"),
    (2, "不符合企业的安全操作程序、规定；轻微受伤、间歇不舒服；1万元以下；受影响不大，几乎不停工；公司及周边范围"),
    (1, "完全符合；无伤亡；无损失；没有停工；形象没有受损"),
];

/// Formats a value kept in tenths as people write it: 5 → "0.5", 30 → "3", 1000 → "100".
pub fn tenths(v: u32) -> String {
    if v.is_multiple_of(10) {
        (v / 10).to_string()
    } else {
        format!("{}.{}", v / 10, v % 10)
    }
}

/// Parses "0.5", "3", "3.0" into tenths; None for anything with more than one decimal.
pub fn parse_tenths(s: &str) -> Option<u32> {
    let s = s.trim();
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, f.trim_end_matches('0')),
        None => (s, ""),
    };
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let int: u32 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let frac: u32 = match frac.len() {
        0 => 0,
        1 => frac.parse().ok()?,
        _ => return None,
    };
    int.checked_mul(10)?.checked_add(frac)
}

/// D as hundredths (D = 20 → 2000; D = 20.1 → 2010). L, E and C are in tenths, so
/// L·E·C / 10 is exactly D × 100.
pub fn lec_d_hundredths(l: u32, e: u32, c: u32) -> u64 {
    u64::from(l) * u64::from(e) * u64::from(c) / 10
}

/// Formats D hundredths as people write D: 2000 → "20", 2010 → "20.1", 25 → "0.25".
pub fn format_d(h: u64) -> String {
    let (int, frac) = (h / 100, h % 100);
    match frac {
        0 => int.to_string(),
        f if f % 10 == 0 => format!("{int}.{}", f / 10),
        f => format!("{int}.{f:02}"),
    }
}

/// Parses a D value written by a person ("20", "20.1", "320.5") into hundredths.
pub fn parse_d(s: &str) -> Option<u64> {
    let s = s.trim();
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, f),
        None => (s, ""),
    };
    if int.is_empty() || frac.len() > 2 || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let int: u64 = int.parse().ok()?;
    let frac: u64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<u64>().ok()? * 10,
        _ => frac.parse().ok()?,
    };
    int.checked_mul(100)?.checked_add(frac)
}

/// How a risk was assessed, with the raw factors (stored as given, so a change of the rules can
/// re-grade without re-asking anyone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Assessment {
    /// 作业条件危险性评价法: L, E, C in tenths, each a value of its table.
    Lec { l: u32, e: u32, c: u32 },
    /// 风险矩阵法: L and S in 1..=5.
    Ls { l: u32, s: u32 },
    /// 直接判定: a reason that makes the risk 重大 (e.g. a major-hazard criterion it meets).
    Direct { reason: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssessmentError {
    /// (field, message): the field is `l`, `e`, `c`, `s` or `reason`.
    Field(&'static str, String),
}

impl AssessmentError {
    pub fn field(&self) -> &'static str {
        match self {
            AssessmentError::Field(f, _) => f,
        }
    }

    pub fn message(&self) -> &str {
        match self {
            AssessmentError::Field(_, m) => m,
        }
    }
}

fn in_table(table: &[TableEntry], v: u32) -> bool {
    table.iter().any(|(x, _)| *x == v)
}

fn table_values(table: &[TableEntry]) -> String {
    table
        .iter()
        .map(|(v, _)| tenths(*v))
        .collect::<Vec<_>>()
        .join("、")
}

impl Assessment {
    /// Parses an LEC assessment from the values people pick ("0.5", "6", "15").
    pub fn lec(l: &str, e: &str, c: &str) -> Result<Assessment, AssessmentError> {
        let pick = |field: &'static str, name: &str, table: &[TableEntry], s: &str| {
            match parse_tenths(s) {
                Some(v) if in_table(table, v) => Ok(v),
                _ if s.trim().is_empty() => {
                    Err(AssessmentError::Field(field, format!("请选择{name}的取值")))
                }
                _ => Err(AssessmentError::Field(
                    field,
                    format!("{name}只能取 {}", table_values(table)),
                )),
            }
        };
        Ok(Assessment::Lec {
            l: pick("l", "L（事故发生的可能性）", LEC_L, l)?,
            e: pick("e", "E（暴露于危险环境的频繁程度）", LEC_E, e)?,
            c: pick("c", "C（可能造成的后果）", LEC_C, c)?,
        })
    }

    /// Parses an LS assessment ("1" … "5" each).
    pub fn ls(l: &str, s: &str) -> Result<Assessment, AssessmentError> {
        let pick = |field: &'static str, name: &str, v: &str| match v.trim().parse::<u32>() {
            Ok(n) if (1..=5).contains(&n) => Ok(n),
            _ if v.trim().is_empty() => {
                Err(AssessmentError::Field(field, format!("请选择{name}的取值")))
            }
            _ => Err(AssessmentError::Field(
                field,
                format!("{name}只能取 1 至 5 的整数"),
            )),
        };
        Ok(Assessment::Ls {
            l: pick("l", "L（可能性）", l)?,
            s: pick("s", "S（严重性）", s)?,
        })
    }

    /// A direct grading needs its reason.
    pub fn direct(reason: &str) -> Result<Assessment, AssessmentError> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(AssessmentError::Field(
                "reason",
                "直接判定为重大风险时必须写明判定依据（如符合的重大事故隐患判定标准条款）".into(),
            ));
        }
        if reason.chars().count() > 500 {
            return Err(AssessmentError::Field(
                "reason",
                "判定依据不能超过500字".into(),
            ));
        }
        Ok(Assessment::Direct {
            reason: reason.to_string(),
        })
    }

    pub fn method_code(&self) -> &'static str {
        match self {
            Assessment::Lec { .. } => "lec",
            Assessment::Ls { .. } => "ls",
            Assessment::Direct { .. } => "direct",
        }
    }

    pub fn method_label(&self) -> &'static str {
        method_label(self.method_code())
    }

    /// The score the method computes, as an integer that compares exactly: D in hundredths for
    /// LEC, R for LS, 0 for a direct grading. Stored with the risk so re-grading is one UPDATE.
    pub fn score(&self) -> u64 {
        match self {
            Assessment::Lec { l, e, c } => lec_d_hundredths(*l, *e, *c),
            Assessment::Ls { l, s } => u64::from(*l) * u64::from(*s),
            Assessment::Direct { .. } => 0,
        }
    }

    /// "D = 3×6×15 = 270", "R = 4×4 = 16", "直接判定".
    pub fn formula(&self) -> String {
        match self {
            Assessment::Lec { l, e, c } => format!(
                "D = {}×{}×{} = {}",
                tenths(*l),
                tenths(*e),
                tenths(*c),
                format_d(self.score())
            ),
            Assessment::Ls { l, s } => format!("R = {l}×{s} = {}", l * s),
            Assessment::Direct { .. } => "直接判定".to_string(),
        }
    }
}

pub fn method_label(code: &str) -> &'static str {
    match code {
        "lec" => "作业条件危险性评价法（LEC）",
        "ls" => "风险矩阵法（LS）",
        "direct" => "直接判定",
        _ => "",
    }
}

/// The LEC danger bands (危险程度), highest first, with the classic wording (§1.3).
pub const LEC_BANDS: [&str; 5] = [
    "极其危险，不能继续作业",
    "高度危险，要立即整改",
    "显著危险，需要整改",
    "一般危险，需要注意",
    "稍有危险，可以接受",
];

/// The grading rules: band bounds and level mappings, default control tier and inspection
/// frequency per level. The bureau changes them on the settings page; a change re-grades every
/// risk from its stored score and records why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradingRules {
    /// LEC band bounds as D hundredths, ascending: D ≤ b[0] is the lowest band, b[0] < D ≤ b[1]
    /// the next, …, D > b[3] the highest (left-open intervals, domain-rules §1.3).
    pub lec_bounds: [u64; 4],
    /// Level of each LEC band, highest band first.
    pub lec_levels: [RiskLevel; 5],
    /// Lowest R of 重大, 较大, 一般 (descending); anything lower is 低 (§1.4).
    pub ls_min: [u64; 3],
    /// Default control tier of each level, 重大 first (§1.5).
    pub tiers: [ControlTier; 4],
    /// Default inspection interval in days of each level, 重大 first (common practice, not a
    /// regulation: used when control measures become checklist items).
    pub check_days: [u32; 4],
}

/// Where each default comes from, shown on the settings page next to the values.
pub const RULE_SOURCES: &[(&str, &str)] = &[
    (
        "lec",
        "LEC 取值表与危险程度分档：作业条件危险性评价法（格雷厄姆-金尼法）常用表；分档采用左开右闭区间 D>320、160<D≤320、70<D≤160、20<D≤70、D≤20；分档到风险等级的默认对应为重大/较大/一般/低/低（红/橙/黄/蓝/蓝），各地做法不一，可按本地规定调整。",
    ),
    (
        "ls",
        "风险矩阵法 R=L×S：默认 20–25 重大（红）、15–16 较大（橙）、9–12 一般（黄）、1–8 低（蓝），参照 DB37/T 2882-2016 的常见做法（未核实原文），可按本地规定调整。",
    ),
    (
        "levels",
        "四级风险与四色：重大风险/较大风险/一般风险/低风险 对应 红/橙/黄/蓝，依据《标本兼治遏制重特大事故工作指南》（安委办〔2016〕11号）。",
    ),
    (
        "tiers",
        "管控层级：风险越大、管控级别越高；默认 重大—公司级、较大—公司级、一般—部门级、低—班组级，为通行做法（非法规规定），可逐条调整。",
    ),
    (
        "check_days",
        "按风险等级的检查频次：默认 重大每7天、较大每15天、一般每30天、低每90天，为通行做法（非法规规定），请按本单位制度调整。",
    ),
];

impl Default for GradingRules {
    fn default() -> Self {
        GradingRules {
            lec_bounds: [2_000, 7_000, 16_000, 32_000],
            lec_levels: [
                RiskLevel::Major,
                RiskLevel::Large,
                RiskLevel::General,
                RiskLevel::Low,
                RiskLevel::Low,
            ],
            ls_min: [20, 15, 9],
            tiers: [
                ControlTier::Company,
                ControlTier::Company,
                ControlTier::Department,
                ControlTier::Team,
            ],
            check_days: [7, 15, 30, 90],
        }
    }
}

/// A refused rule change: (field, Chinese message).
pub type RuleError = (&'static str, String);

impl GradingRules {
    /// The checks a rule change must pass: bands strictly ascending and positive, LS minimums
    /// strictly descending within 2..=25, levels never lower for a higher band, intervals 1..=366.
    pub fn validate(&self) -> Result<(), Vec<RuleError>> {
        let mut errs = Vec::new();
        let b = self.lec_bounds;
        if b[0] == 0 || !(b[0] < b[1] && b[1] < b[2] && b[2] < b[3]) {
            errs.push((
                "lec_bounds",
                "LEC 分档界限必须为正数且从低到高严格递增".to_string(),
            ));
        }
        if self.lec_levels.windows(2).any(|w| w[0] > w[1]) {
            errs.push((
                "lec_levels",
                "LEC 危险程度越高的分档，对应的风险等级不能更低".to_string(),
            ));
        }
        let m = self.ls_min;
        if !(m[0] <= 25 && m[0] > m[1] && m[1] > m[2] && m[2] >= 2) {
            errs.push((
                "ls_min",
                "LS 分级下限必须在 2 至 25 之间，且 重大 > 较大 > 一般".to_string(),
            ));
        }
        if self.tiers.windows(2).any(|w| w[0] > w[1]) {
            errs.push(("tiers", "风险等级越高，默认管控层级不能更低".to_string()));
        }
        if self.check_days.iter().any(|d| !(1..=366).contains(d)) {
            errs.push(("check_days", "检查频次应为 1 至 366 天".to_string()));
        }
        if errs.is_empty() {
            Ok(())
        } else {
            Err(errs)
        }
    }

    /// The LEC band (0 = highest, 4 = lowest) of D hundredths.
    pub fn lec_band(&self, d: u64) -> usize {
        let b = self.lec_bounds;
        if d > b[3] {
            0
        } else if d > b[2] {
            1
        } else if d > b[1] {
            2
        } else if d > b[0] {
            3
        } else {
            4
        }
    }

    pub fn lec_level(&self, d: u64) -> RiskLevel {
        self.lec_levels[self.lec_band(d)]
    }

    pub fn ls_level(&self, r: u64) -> RiskLevel {
        let m = self.ls_min;
        if r >= m[0] {
            RiskLevel::Major
        } else if r >= m[1] {
            RiskLevel::Large
        } else if r >= m[2] {
            RiskLevel::General
        } else {
            RiskLevel::Low
        }
    }

    /// The level of an assessment under these rules.
    pub fn level(&self, a: &Assessment) -> RiskLevel {
        self.level_of(a.method_code(), a.score())
    }

    /// The level of a stored (method, score): what re-grading computes for every risk.
    pub fn level_of(&self, method: &str, score: u64) -> RiskLevel {
        match method {
            "lec" => self.lec_level(score),
            "ls" => self.ls_level(score),
            _ => RiskLevel::Major,
        }
    }

    pub fn default_tier(&self, level: RiskLevel) -> ControlTier {
        self.tiers[(level.rank() - 1) as usize]
    }

    pub fn check_days_of(&self, level: RiskLevel) -> u32 {
        self.check_days[(level.rank() - 1) as usize]
    }

    /// The LEC band wording of D hundredths ("显著危险，需要整改").
    pub fn lec_band_label(&self, d: u64) -> &'static str {
        LEC_BANDS[self.lec_band(d)]
    }
}

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
mod tests {
    use super::*;

    fn d(s: &str) -> u64 {
        parse_d(s).unwrap()
    }

    #[test]
    fn every_lec_table_value_parses_and_prints_back() {
        for table in [LEC_L, LEC_E, LEC_C] {
            for (v, meaning) in table {
                assert!(!meaning.is_empty());
                assert_eq!(parse_tenths(&tenths(*v)), Some(*v));
            }
        }
        let vals = |t: &[TableEntry]| t.iter().map(|(v, _)| tenths(*v)).collect::<Vec<_>>();
        assert_eq!(vals(LEC_L), ["10", "6", "3", "1", "0.5", "0.2", "0.1"]);
        assert_eq!(vals(LEC_E), ["10", "6", "3", "2", "1", "0.5"]);
        assert_eq!(vals(LEC_C), ["100", "40", "15", "7", "3", "1"]);
    }

    #[test]
    fn every_lec_combination_computes_d_exactly() {
        let rules = GradingRules::default();
        for (l, _) in LEC_L {
            for (e, _) in LEC_E {
                for (c, _) in LEC_C {
                    let a = Assessment::lec(&tenths(*l), &tenths(*e), &tenths(*c)).unwrap();
                    // D computed in f64 from the printed values, compared at hundredths.
                    let f: f64 = tenths(*l).parse::<f64>().unwrap()
                        * tenths(*e).parse::<f64>().unwrap()
                        * tenths(*c).parse::<f64>().unwrap();
                    assert_eq!(a.score(), (f * 100.0).round() as u64, "{l} {e} {c}");
                    let lvl = rules.level(&a);
                    let want = if f > 320.0 {
                        RiskLevel::Major
                    } else if f > 160.0 {
                        RiskLevel::Large
                    } else if f > 70.0 {
                        RiskLevel::General
                    } else {
                        RiskLevel::Low
                    };
                    assert_eq!(lvl, want, "D = {f}");
                }
            }
        }
    }

    #[test]
    fn lec_band_boundaries_are_left_open() {
        let r = GradingRules::default();
        let cases = [
            ("0.01", RiskLevel::Low, 4),
            ("20", RiskLevel::Low, 4),
            ("20.1", RiskLevel::Low, 3),
            ("70", RiskLevel::Low, 3),
            ("70.01", RiskLevel::General, 2),
            ("160", RiskLevel::General, 2),
            ("160.1", RiskLevel::Large, 1),
            ("320", RiskLevel::Large, 1),
            ("320.1", RiskLevel::Major, 0),
            ("1000", RiskLevel::Major, 0),
        ];
        for (s, level, band) in cases {
            assert_eq!(r.lec_band(d(s)), band, "D = {s}");
            assert_eq!(r.lec_level(d(s)), level, "D = {s}");
        }
        assert_eq!(r.lec_band_label(d("270")), "高度危险，要立即整改");
    }

    #[test]
    fn ls_boundaries_and_every_product() {
        let r = GradingRules::default();
        for l in 1..=5u64 {
            for s in 1..=5u64 {
                let product = l * s;
                let want = match product {
                    20..=25 => RiskLevel::Major,
                    15..=16 => RiskLevel::Large,
                    9..=12 => RiskLevel::General,
                    _ => RiskLevel::Low,
                };
                let a = Assessment::ls(&l.to_string(), &s.to_string()).unwrap();
                assert_eq!(r.level(&a), want, "R = {l}×{s}");
            }
        }
        for (r_value, want) in [
            (8, RiskLevel::Low),
            (9, RiskLevel::General),
            (12, RiskLevel::General),
            (14, RiskLevel::General),
            (15, RiskLevel::Large),
            (19, RiskLevel::Large),
            (20, RiskLevel::Major),
        ] {
            assert_eq!(r.ls_level(r_value), want, "R = {r_value}");
        }
    }

    #[test]
    fn changed_rules_re_grade_the_same_scores() {
        let a = Assessment::lec("3", "6", "7").unwrap(); // D = 126
        let b = Assessment::ls("3", "4").unwrap(); // R = 12
        let mut r = GradingRules::default();
        assert_eq!(r.level(&a), RiskLevel::General);
        assert_eq!(r.level(&b), RiskLevel::General);
        // A stricter local scheme: 一般 from D > 20 maps to 较大 above 70; LS 一般 from 6.
        r.lec_levels = [
            RiskLevel::Major,
            RiskLevel::Major,
            RiskLevel::Large,
            RiskLevel::General,
            RiskLevel::Low,
        ];
        r.ls_min = [16, 12, 6];
        r.validate().unwrap();
        assert_eq!(r.level(&a), RiskLevel::Large);
        assert_eq!(r.level(&b), RiskLevel::Large);
        assert_eq!(r.level_of("lec", a.score()), RiskLevel::Large);
        // Moving a bound moves the boundary case.
        r.lec_bounds = [2_000, 12_600, 16_000, 32_000];
        assert_eq!(
            r.level(&a),
            RiskLevel::General,
            "D = 126 is now ≤ the bound"
        );
    }

    #[test]
    fn direct_grading_is_major_and_needs_a_reason() {
        let r = GradingRules::default();
        let a = Assessment::direct("符合工贸企业重大事故隐患判定标准第二条").unwrap();
        assert_eq!(r.level(&a), RiskLevel::Major);
        assert_eq!(Assessment::direct("  ").unwrap_err().field(), "reason");
    }

    #[test]
    fn bad_values_name_their_field() {
        assert_eq!(Assessment::lec("4", "6", "15").unwrap_err().field(), "l");
        assert_eq!(Assessment::lec("3", "", "15").unwrap_err().field(), "e");
        assert_eq!(Assessment::lec("3", "6", "15.55").unwrap_err().field(), "c");
        assert!(Assessment::lec("3", "6", "abc")
            .unwrap_err()
            .message()
            .contains("100、40、15、7、3、1"));
        assert_eq!(Assessment::ls("0", "3").unwrap_err().field(), "l");
        assert_eq!(Assessment::ls("2", "6").unwrap_err().field(), "s");
        assert_eq!(Assessment::ls("2", "2.5").unwrap_err().field(), "s");
    }

    #[test]
    fn invalid_rules_are_refused_with_their_field() {
        let mut r = GradingRules {
            lec_bounds: [2_000, 7_000, 7_000, 32_000],
            ls_min: [9, 15, 20],
            ..GradingRules::default()
        };
        r.lec_levels[0] = RiskLevel::Low;
        r.check_days[2] = 0;
        let fields: Vec<_> = r.validate().unwrap_err().into_iter().map(|e| e.0).collect();
        assert_eq!(fields, ["lec_bounds", "lec_levels", "ls_min", "check_days"]);
        assert!(GradingRules::default().validate().is_ok());
    }

    #[test]
    fn formulas_read_as_written_by_hand() {
        assert_eq!(
            Assessment::lec("3", "6", "15").unwrap().formula(),
            "D = 3×6×15 = 270"
        );
        assert_eq!(
            Assessment::lec("0.5", "3", "7").unwrap().formula(),
            "D = 0.5×3×7 = 10.5"
        );
        assert_eq!(Assessment::ls("4", "4").unwrap().formula(), "R = 4×4 = 16");
        assert_eq!(format_d(25), "0.25");
        assert_eq!(parse_d("20.123"), None);
    }

    #[test]
    fn levels_tiers_and_kinds_parse_what_sheets_write() {
        assert_eq!(RiskLevel::parse("红"), Some(RiskLevel::Major));
        assert_eq!(RiskLevel::parse("较大"), Some(RiskLevel::Large));
        assert_eq!(RiskLevel::parse("一般风险"), Some(RiskLevel::General));
        assert_eq!(RiskLevel::parse("蓝色"), Some(RiskLevel::Low));
        assert_eq!(RiskLevel::parse("紫"), None);
        assert_eq!(ControlTier::parse("班组"), Some(ControlTier::Team));
        assert_eq!(MeasureType::parse("管理"), Some(MeasureType::Management));
        assert_eq!(PointKind::parse("设备设施"), Some(PointKind::Equipment));
        assert_eq!(PointKind::parse("区域"), Some(PointKind::Place));
        let r = GradingRules::default();
        assert_eq!(r.default_tier(RiskLevel::General), ControlTier::Department);
        assert_eq!(r.check_days_of(RiskLevel::Major), 7);
        assert_eq!(
            point_level([RiskLevel::Low, RiskLevel::Large, RiskLevel::General]),
            Some(RiskLevel::Large)
        );
        assert_eq!(point_level([]), None);
        assert_eq!(factor_name("22"), Some("化学性危险和有害因素"));
    }

    #[test]
    fn three_hazards_within_ninety_days_call_for_reassessment() {
        let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let today = day("2023-06-30");
        // 2023-04-02 is the first day of the 90-day window ending 2023-06-30.
        assert!(needs_reassessment(
            &[day("2023-04-02"), day("2023-05-01"), day("2023-06-30")],
            today
        ));
        assert!(!needs_reassessment(
            &[day("2023-04-01"), day("2023-05-01"), day("2023-06-30")],
            today
        ));
        assert!(!needs_reassessment(
            &[day("2023-05-01"), day("2023-06-01")],
            today
        ));
        assert!(!needs_reassessment(
            &[day("2023-05-01"), day("2023-06-01"), day("2023-07-01")],
            today
        ));
    }
}
