//! The grading rules the bureau may change: bands, level mappings, tiers and inspection
//! frequencies, with their sources.

use serde::{Deserialize, Serialize};

use super::*;

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
