//! Presentation helpers shared by the risk pages: option lists built from the domain tables, level
//! badges, and the grading rules as data attributes for the live calculation in app.js.

use anjian_domain::accident;
use anjian_domain::risk::{
    self, tenths, ControlTier, GradingRules, MeasureType, PointKind, RiskLevel, LEC_C, LEC_E,
    LEC_L, LS_L, LS_S,
};

/// One `<option>`: the submitted value and what people read.
pub struct Opt {
    pub value: String,
    pub label: String,
}

impl Opt {
    fn new(value: impl Into<String>, label: impl Into<String>) -> Opt {
        Opt {
            value: value.into(),
            label: label.into(),
        }
    }
}

/// An LEC table as options: the value people write ("0.5") and its meaning next to it.
fn lec_options(table: &[risk::TableEntry]) -> Vec<Opt> {
    table
        .iter()
        .map(|(v, m)| Opt::new(tenths(*v), format!("{} — {m}", tenths(*v))))
        .collect()
}

pub fn lec_l() -> Vec<Opt> {
    lec_options(LEC_L)
}
pub fn lec_e() -> Vec<Opt> {
    lec_options(LEC_E)
}
pub fn lec_c() -> Vec<Opt> {
    lec_options(LEC_C)
}

/// LS criteria: (value, criterion), 5 first, shown in full beside the pickers.
pub fn ls_l() -> Vec<Opt> {
    LS_L.iter()
        .map(|(v, m)| Opt::new(v.to_string(), *m))
        .collect()
}
pub fn ls_s() -> Vec<Opt> {
    LS_S.iter()
        .map(|(v, m)| Opt::new(v.to_string(), *m))
        .collect()
}

pub fn levels() -> Vec<Opt> {
    RiskLevel::ALL
        .iter()
        .map(|l| Opt::new(l.code(), format!("{}（{}）", l.label(), l.colour())))
        .collect()
}

pub fn kinds() -> Vec<Opt> {
    PointKind::ALL
        .iter()
        .map(|k| Opt::new(k.code(), k.label()))
        .collect()
}

pub fn tiers() -> Vec<Opt> {
    ControlTier::ALL
        .iter()
        .map(|t| Opt::new(t.code(), t.label()))
        .collect()
}

pub fn measure_types() -> Vec<Opt> {
    MeasureType::ALL
        .iter()
        .map(|t| Opt::new(t.code(), t.label()))
        .collect()
}

/// GB/T 13861 categories; the middle level indented under its top level.
pub fn factors() -> Vec<Opt> {
    risk::FACTOR_CATEGORIES
        .iter()
        .map(|(c, n)| {
            let indent = if c.len() > 1 { "　" } else { "" };
            Opt::new(*c, format!("{indent}{c} {n}"))
        })
        .collect()
}

/// Accident types of the edition new records are coded under.
pub fn accident_types() -> Vec<Opt> {
    accident::CURRENT
        .types
        .iter()
        .map(|(c, n)| Opt::new(*c, format!("{c} {n}")))
        .collect()
}

pub fn accident_standard() -> &'static str {
    accident::CURRENT.code
}

/// Names of stored accident-type codes ("08,19" → "火灾、中毒和窒息"), under the standard they
/// were coded with; unknown codes are shown as they are.
pub fn accident_names(standard: &str, codes: &str) -> String {
    let std = accident::Standard::by_code(standard).unwrap_or(accident::CURRENT);
    split_codes(codes)
        .map(|c| std.name_of(c).unwrap_or(c).to_string())
        .collect::<Vec<_>>()
        .join("、")
}

/// Names of stored GB/T 13861 codes.
pub fn factor_names(codes: &str) -> String {
    split_codes(codes)
        .map(|c| risk::factor_name(c).unwrap_or(c).to_string())
        .collect::<Vec<_>>()
        .join("、")
}

pub fn split_codes(codes: &str) -> impl Iterator<Item = &str> {
    codes
        .split([',', '，', '、', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// Label, colour and CSS class of a level code as stored ("" when ungraded).
pub fn level_label(code: &str) -> &'static str {
    RiskLevel::from_code(code)
        .map(|l| l.label())
        .unwrap_or("未评估")
}
pub fn level_css(code: &str) -> &'static str {
    RiskLevel::from_code(code)
        .map(|l| l.css())
        .unwrap_or("risk-none")
}
pub fn level_colour(code: &str) -> &'static str {
    RiskLevel::from_code(code).map(|l| l.colour()).unwrap_or("")
}

pub fn kind_label(code: &str) -> &'static str {
    PointKind::from_code(code).map(|k| k.label()).unwrap_or("")
}
pub fn tier_label(code: &str) -> &'static str {
    ControlTier::from_code(code)
        .map(|t| t.label())
        .unwrap_or("")
}
pub fn measure_label(code: &str) -> &'static str {
    MeasureType::from_code(code)
        .map(|t| t.label())
        .unwrap_or("")
}

/// The grading rules as `data-` attribute values, read by app.js to show D/R and the level while
/// the form is filled in. The server computes again on submit; these only mirror it.
pub struct RulesData {
    pub lec_bounds: String,
    pub lec_levels: String,
    pub ls_min: String,
    pub names: String,
}

impl RulesData {
    pub fn new(r: &GradingRules) -> RulesData {
        let join = |v: Vec<String>| v.join(",");
        RulesData {
            lec_bounds: join(r.lec_bounds.iter().map(|b| b.to_string()).collect()),
            lec_levels: join(r.lec_levels.iter().map(|l| l.code().to_string()).collect()),
            ls_min: join(r.ls_min.iter().map(|m| m.to_string()).collect()),
            names: join(
                RiskLevel::ALL
                    .iter()
                    .map(|l| format!("{}:{}（{}）", l.code(), l.label(), l.colour()))
                    .collect(),
            ),
        }
    }
}

/// Dates in documents and cards: "2026年11月29日".
pub fn cn_date(d: chrono::NaiveDate) -> String {
    d.format("%Y年%-m月%-d日").to_string()
}
