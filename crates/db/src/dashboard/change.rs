//! Key figures and how they changed: the value of the period, 同比 and 环比, as numbers for the
//! API and as the wording the page shows ("+3（+12.5%）", "−2（−40%）", "+5（—）").
//!
//! A change in percent needs a base: where the base is zero the percentage is "—" (and `None`
//! in the API), never a division by zero. A rate changes by percentage points, not percent.

use serde::Serialize;

use anjian_domain::money::Fen;

use crate::report::{percent, Figures};

/// What a figure counts, for formatting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// A count, with its measure word (次、家、项、起、场).
    Count(&'static str),
    /// Money in 分, shown in 万元.
    Fen,
    /// A share between 0 and 1, shown as a percentage.
    Rate,
}

/// One key figure in the three periods. `None` where the register it comes from is not kept or
/// the caller may not read it (the report's `Figures` say so), or a rate has no base.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyFigure {
    /// The key of the report's figures (`hazards_open`, `funding`, …).
    pub key: &'static str,
    pub label: &'static str,
    pub measure: Measure,
    pub current: Option<f64>,
    pub year_ago: Option<f64>,
    pub preceding: Option<f64>,
}

/// A change against a base: the difference, and the difference relative to the base where the
/// base is not zero (never for rates).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Change {
    pub delta: f64,
    pub ratio: Option<f64>,
}

/// The figures the dashboard compares, in the order the page shows them: (key, label, measure).
/// The keys are those of `Figures::display` (plus `hazards_found`, general and major together).
pub const KEYS: &[(&str, &str, Measure)] = &[
    ("inspections", "安全检查", Measure::Count("次")),
    ("inspected_orgs", "检查覆盖单位", Measure::Count("家")),
    ("hazards_found", "排查隐患", Measure::Count("项")),
    ("hazards_rectified", "已整改", Measure::Count("项")),
    ("rectification_rate", "整改率", Measure::Rate),
    ("hazards_open", "未整改", Measure::Count("项")),
    ("hazards_overdue", "逾期未整改", Measure::Count("项")),
    ("hazards_major_found", "重大隐患", Measure::Count("项")),
    ("hazards_major_listed", "挂牌督办", Measure::Count("项")),
    ("accidents", "生产安全事故", Measure::Count("起")),
    ("funding", "安全生产经费投入", Measure::Fen),
    ("trainings", "安全培训", Measure::Count("场")),
    ("publicity_events", "宣传活动", Measure::Count("场")),
    ("drills", "应急演练", Measure::Count("场")),
    ("safety_meetings", "安全生产会议", Measure::Count("次")),
];

/// The ledger figures among `KEYS` (the ledger chart's bars, funding apart).
pub const LEDGER_COUNT_KEYS: &[&str] =
    &["trainings", "publicity_events", "drills", "safety_meetings"];

/// A figure of the report's figures as a number (counts, 分, rates between 0 and 1).
pub fn value(f: &Figures, key: &str) -> Option<f64> {
    let n = |v: i64| Some(v as f64);
    let o = |v: Option<i64>| v.map(|x| x as f64);
    match key {
        "inspections" => n(f.inspections),
        "inspected_orgs" => n(f.inspected_orgs),
        "hazards_found" => n(f.hazards_general_found + f.hazards_major_found),
        "hazards_rectified" => n(f.hazards_rectified),
        "rectification_rate" => f.rectification_rate,
        "hazards_open" => n(f.hazards_open),
        "hazards_overdue" => n(f.hazards_overdue),
        "hazards_major_found" => n(f.hazards_major_found),
        "hazards_major_listed" => n(f.hazards_major_listed),
        "accidents" => o(f.accidents),
        "funding" => o(f.funding_fen),
        "trainings" => o(f.trainings),
        "publicity_events" => o(f.publicity_events),
        "drills" => o(f.drills),
        "safety_meetings" => o(f.safety_meetings),
        _ => None,
    }
}

/// The key figures of the three periods.
pub fn key_figures(current: &Figures, year_ago: &Figures, preceding: &Figures) -> Vec<KeyFigure> {
    KEYS.iter()
        .map(|(key, label, measure)| KeyFigure {
            key,
            label,
            measure: *measure,
            current: value(current, key),
            year_ago: value(year_ago, key),
            preceding: value(preceding, key),
        })
        .collect()
}

/// The change from `base` to `current`.
pub fn change(measure: Measure, current: f64, base: f64) -> Change {
    let delta = current - base;
    Change {
        delta,
        ratio: (measure != Measure::Rate && base != 0.0).then(|| delta / base),
    }
}

/// "+3" / "−3" / "0" (the typographic minus sign, as printed reports write it).
fn signed(negative: bool, zero: bool, magnitude: String) -> String {
    if zero {
        magnitude
    } else if negative {
        format!("−{magnitude}")
    } else {
        format!("+{magnitude}")
    }
}

/// The difference as shown: counts whole, money in 万元, rates in percentage points.
pub fn delta_text(measure: Measure, delta: f64) -> String {
    match measure {
        Measure::Count(_) => {
            let d = delta.round() as i64;
            signed(d < 0, d == 0, d.unsigned_abs().to_string())
        }
        Measure::Fen => {
            let fen = delta.round() as i64;
            let wan = Fen(fen.abs()).to_wan_yuan_2dp();
            signed(fen < 0, wan == "0.00", format!("{wan}万元"))
        }
        Measure::Rate => {
            let tenths = (delta * 1000.0).round() as i64;
            let pts = if tenths % 10 == 0 {
                format!("{}", tenths.abs() / 10)
            } else {
                format!("{}.{}", tenths.abs() / 10, tenths.abs() % 10)
            };
            signed(tenths < 0, tenths == 0, format!("{pts}个百分点"))
        }
    }
}

/// The relative change as shown: "+12.5%", "−40%", "0%", or "—" without a base.
pub fn ratio_text(ratio: Option<f64>) -> String {
    match ratio {
        None => "—".into(),
        Some(r) => {
            let tenths = (r * 1000.0).round() as i64;
            let shown = percent(tenths.unsigned_abs() as f64 / 1000.0);
            signed(tenths < 0, tenths == 0, shown)
        }
    }
}

impl KeyFigure {
    /// The value as shown: "80", "11.93", "98.1%", or "—" where unknown.
    pub fn text(&self) -> String {
        value_text(self.measure, self.current)
    }

    /// The unit word after the value ("项", "万元"; nothing after a percentage).
    pub fn unit(&self) -> &'static str {
        match self.measure {
            Measure::Count(w) => w,
            Measure::Fen => "万元",
            Measure::Rate => "",
        }
    }

    pub fn yoy(&self) -> Option<Change> {
        Some(change(self.measure, self.current?, self.year_ago?))
    }

    pub fn mom(&self) -> Option<Change> {
        Some(change(self.measure, self.current?, self.preceding?))
    }

    /// "+3（+12.5%）", "+2.1个百分点", or "—" when either value is unknown.
    pub fn change_text(&self, c: Option<Change>) -> String {
        match c {
            None => "—".into(),
            Some(c) if self.measure == Measure::Rate => delta_text(self.measure, c.delta),
            Some(c) => format!(
                "{}（{}）",
                delta_text(self.measure, c.delta),
                ratio_text(c.ratio)
            ),
        }
    }

    pub fn yoy_text(&self) -> String {
        self.change_text(self.yoy())
    }

    pub fn mom_text(&self) -> String {
        self.change_text(self.mom())
    }

    /// The direction for colouring: 1 up, -1 down, 0 unchanged or unknown.
    pub fn trend(c: Option<Change>) -> i8 {
        match c {
            Some(c) if c.delta > 1e-9 => 1,
            Some(c) if c.delta < -1e-9 => -1,
            _ => 0,
        }
    }
}

/// A value of a measure as shown.
pub fn value_text(measure: Measure, v: Option<f64>) -> String {
    match (measure, v) {
        (_, None) => "—".into(),
        (Measure::Count(_), Some(n)) => (n.round() as i64).to_string(),
        (Measure::Fen, Some(f)) => Fen(f.round() as i64).to_wan_yuan_2dp(),
        (Measure::Rate, Some(r)) => percent(r),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fig(measure: Measure, c: Option<f64>, y: Option<f64>, p: Option<f64>) -> KeyFigure {
        KeyFigure {
            key: "k",
            label: "k",
            measure,
            current: c,
            year_ago: y,
            preceding: p,
        }
    }

    #[test]
    fn counts_change_by_signed_numbers_and_percent_of_a_nonzero_base() {
        let f = fig(Measure::Count("项"), Some(9.0), Some(8.0), Some(15.0));
        assert_eq!(f.yoy_text(), "+1（+12.5%）");
        assert_eq!(f.mom_text(), "−6（−40%）");
        assert_eq!(f.yoy().unwrap().ratio, Some(0.125));
        let same = fig(Measure::Count("次"), Some(4.0), Some(4.0), None);
        assert_eq!(same.yoy_text(), "0（0%）");
        assert_eq!(same.mom_text(), "—");
    }

    #[test]
    fn a_zero_base_gives_no_percentage() {
        let f = fig(Measure::Count("起"), Some(5.0), Some(0.0), Some(0.0));
        assert_eq!(
            f.yoy(),
            Some(Change {
                delta: 5.0,
                ratio: None
            })
        );
        assert_eq!(f.yoy_text(), "+5（—）");
        let none = fig(Measure::Count("起"), Some(0.0), Some(0.0), Some(0.0));
        assert_eq!(none.mom_text(), "0（—）");
    }

    #[test]
    fn money_changes_in_wan_yuan() {
        // 11.93 万元 against 10.73 万元 and 0.
        let f = fig(
            Measure::Fen,
            Some(11_930_000.0),
            Some(10_730_000.0),
            Some(0.0),
        );
        assert_eq!(f.text(), "11.93");
        assert_eq!(f.yoy_text(), "+1.20万元（+11.2%）");
        assert_eq!(f.mom_text(), "+11.93万元（—）");
        let down = fig(Measure::Fen, Some(0.0), Some(50_000.0), None);
        assert_eq!(down.yoy_text(), "−0.05万元（−100%）");
    }

    #[test]
    fn rates_change_by_percentage_points() {
        let f = fig(Measure::Rate, Some(0.981), Some(0.96), Some(0.981));
        assert_eq!(f.text(), "98.1%");
        assert_eq!(f.yoy_text(), "+2.1个百分点");
        assert_eq!(f.mom_text(), "0个百分点");
        // Nothing found a year ago: no rate, no change.
        let g = fig(Measure::Rate, Some(0.5), None, Some(1.0));
        assert_eq!(g.yoy_text(), "—");
        assert_eq!(g.mom_text(), "−50个百分点");
        assert_eq!(g.mom().unwrap().ratio, None);
    }

    #[test]
    fn values_read_from_the_report_figures() {
        let f = Figures {
            hazards_general_found: 106,
            hazards_major_found: 2,
            rectification_rate: Some(1.0),
            funding_fen: Some(11_930_000),
            accidents: None,
            ..Default::default()
        };
        assert_eq!(value(&f, "hazards_found"), Some(108.0));
        assert_eq!(value(&f, "funding"), Some(11_930_000.0));
        assert_eq!(value(&f, "accidents"), None);
        assert_eq!(value(&f, "nonsense"), None);
        for (key, ..) in KEYS {
            assert!(
                *key == "hazards_found" || f.display(key) != "—" || value(&f, key).is_none(),
                "{key} is a key of the report's figures"
            );
        }
        assert_eq!(
            KeyFigure::trend(Some(Change {
                delta: -1.0,
                ratio: None
            })),
            -1
        );
    }
}
