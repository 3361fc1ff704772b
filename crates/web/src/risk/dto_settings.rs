//! JSON shapes of the grading settings: the rules in the words of the settings page (parsed back
//! into `GradingRules` with 422 naming the field), the settings in force with their cited
//! sources, a change of them and what the regrade did. Re-exported by `dto`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use anjian_db::risk::{RegradeReport, RuleSettings};
use anjian_db::FieldErrors;
use anjian_domain::risk::{format_d, parse_d, ControlTier, GradingRules, RiskLevel};

use crate::error::AppError;

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
