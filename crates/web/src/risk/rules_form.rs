//! The grading-rules form of the settings page, as typed: parsed into `GradingRules` with Chinese
//! messages per field, then checked by `GradingRules::validate`.

use anjian_db::FieldErrors;
use anjian_domain::risk::{
    format_d, parse_d, ControlTier, GradingRules, RiskLevel, LEC_BANDS, RULE_SOURCES,
};

use crate::hazard::forms::FormData;

/// The form's values as strings (re-shown as typed after a refusal).
#[derive(Debug, Clone, Default)]
pub struct RulesForm {
    /// LEC bounds, low to high, as people write D ("20").
    pub bounds: [String; 4],
    /// Level code of each LEC band, highest band first.
    pub lec_levels: [String; 5],
    /// Lowest R of 重大, 较大, 一般.
    pub ls_min: [String; 3],
    /// Default tier code of each level, 重大 first.
    pub tiers: [String; 4],
    /// Inspection interval in days of each level, 重大 first.
    pub days: [String; 4],
    pub reason: String,
}

/// One row of the LEC band table: band wording, the bound fields around it, the level picked.
pub struct BandRow {
    pub index: usize,
    pub label: &'static str,
    pub range: String,
    /// (code, label, selected) of the level picker.
    pub options: Vec<(&'static str, String, bool)>,
}

/// One level's row of the per-level settings: tier picker and interval.
pub struct LevelRow {
    pub index: usize,
    pub label: &'static str,
    pub css: &'static str,
    /// (code, label, selected) of the tier picker.
    pub tiers: Vec<(&'static str, &'static str, bool)>,
    pub days: String,
    pub ls_min: Option<String>,
}

impl RulesForm {
    pub fn from_rules(r: &GradingRules) -> RulesForm {
        RulesForm {
            bounds: r.lec_bounds.map(format_d),
            lec_levels: r.lec_levels.map(|l| l.code().to_string()),
            ls_min: r.ls_min.map(|m| m.to_string()),
            tiers: r.tiers.map(|t| t.code().to_string()),
            days: r.check_days.map(|d| d.to_string()),
            reason: String::new(),
        }
    }

    pub fn from_data(d: &FormData) -> RulesForm {
        RulesForm {
            bounds: std::array::from_fn(|i| d.get(&format!("lec_bound{i}"))),
            lec_levels: std::array::from_fn(|i| d.get(&format!("lec_level{i}"))),
            ls_min: std::array::from_fn(|i| d.get(&format!("ls_min{i}"))),
            tiers: std::array::from_fn(|i| d.get(&format!("tier{i}"))),
            days: std::array::from_fn(|i| d.get(&format!("check_days{i}"))),
            reason: d.get("reason"),
        }
    }

    /// The rules the form describes, or the errors per field (`lec_bound2`, `tier0`, `reason` …,
    /// and the group names of `GradingRules::validate`).
    pub fn parse(&self) -> Result<GradingRules, FieldErrors> {
        let mut errs = FieldErrors::new();
        let mut rules = GradingRules::default();
        for (i, s) in self.bounds.iter().enumerate() {
            match parse_d(s) {
                Some(v) if v > 0 => rules.lec_bounds[i] = v,
                _ => errs.add(
                    &format!("lec_bound{i}"),
                    "LEC 分档界限必须是大于 0 的数，最多两位小数",
                ),
            }
        }
        for (i, s) in self.lec_levels.iter().enumerate() {
            match RiskLevel::from_code(s.trim()) {
                Some(l) => rules.lec_levels[i] = l,
                None => errs.add(&format!("lec_level{i}"), "请选择该分档对应的风险等级"),
            }
        }
        for (i, s) in self.ls_min.iter().enumerate() {
            match s.trim().parse::<u64>() {
                Ok(v) if (1..=25).contains(&v) => rules.ls_min[i] = v,
                _ => errs.add(&format!("ls_min{i}"), "LS 分级下限必须是 1 至 25 的整数"),
            }
        }
        for (i, s) in self.tiers.iter().enumerate() {
            match ControlTier::from_code(s.trim()) {
                Some(t) => rules.tiers[i] = t,
                None => errs.add(&format!("tier{i}"), "请选择默认管控层级"),
            }
        }
        for (i, s) in self.days.iter().enumerate() {
            match s.trim().parse::<u32>() {
                Ok(v) => rules.check_days[i] = v,
                Err(_) => errs.add(&format!("check_days{i}"), "检查频次必须是整数（天）"),
            }
        }
        let reason = self.reason.trim();
        if reason.is_empty() {
            errs.add("reason", "请填写修改原因（如依据的地方标准或文件）");
        } else if reason.chars().count() > 500 {
            errs.add("reason", "修改原因不能超过500字");
        }
        if errs.is_empty() {
            if let Err(v) = rules.validate() {
                for (f, m) in v {
                    errs.add(f, m);
                }
            }
        }
        if errs.is_empty() {
            Ok(rules)
        } else {
            Err(errs)
        }
    }

    /// The five LEC bands, highest first, with the bounds as currently typed.
    pub fn band_rows(&self) -> Vec<BandRow> {
        let b = &self.bounds;
        let range = [
            format!("D > {}", b[3]),
            format!("{} < D ≤ {}", b[2], b[3]),
            format!("{} < D ≤ {}", b[1], b[2]),
            format!("{} < D ≤ {}", b[0], b[1]),
            format!("D ≤ {}", b[0]),
        ];
        LEC_BANDS
            .iter()
            .zip(range)
            .enumerate()
            .map(|(index, (label, range))| BandRow {
                index,
                label,
                range,
                options: RiskLevel::ALL
                    .iter()
                    .map(|l| {
                        (
                            l.code(),
                            format!("{}（{}）", l.label(), l.colour()),
                            self.lec_levels[index] == l.code(),
                        )
                    })
                    .collect(),
            })
            .collect()
    }

    /// The four levels with their tier, interval and (for the top three) LS lower bound.
    pub fn level_rows(&self) -> Vec<LevelRow> {
        RiskLevel::ALL
            .iter()
            .enumerate()
            .map(|(index, l)| LevelRow {
                index,
                label: l.label(),
                css: l.css(),
                tiers: ControlTier::ALL
                    .iter()
                    .map(|t| (t.code(), t.label(), self.tiers[index] == t.code()))
                    .collect(),
                days: self.days[index].clone(),
                ls_min: self.ls_min.get(index).cloned(),
            })
            .collect()
    }
}

/// The cited source of a group of rules.
pub fn source(key: &str) -> &'static str {
    RULE_SOURCES
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, s)| *s)
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_round_trip_through_the_form() {
        let mut f = RulesForm::from_rules(&GradingRules::default());
        assert_eq!(f.bounds, ["20", "70", "160", "320"]);
        assert!(f.parse().unwrap_err().get("reason").is_some());
        f.reason = "依据本省地方标准".into();
        assert_eq!(f.parse().unwrap(), GradingRules::default());
    }

    #[test]
    fn bad_values_name_their_fields() {
        let mut f = RulesForm::from_rules(&GradingRules::default());
        f.reason = "x".into();
        f.bounds[1] = "abc".into();
        f.tiers[2] = "boss".into();
        let e = f.parse().unwrap_err();
        assert!(e.get("lec_bound1").is_some());
        assert!(e.get("tier2").is_some());
        let mut f = RulesForm::from_rules(&GradingRules::default());
        f.reason = "x".into();
        f.bounds[2] = "60".into();
        assert!(f.parse().unwrap_err().get("lec_bounds").is_some());
    }
}
