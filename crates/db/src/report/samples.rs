//! Figures a wording template is tried against before it is saved. A template that compiles can
//! still fail on data it did not expect (a comparison with a register that is not kept, a
//! division by zero in an empty period), and it would then fail on the summary page, not in
//! front of the person who wrote it. So every save renders the template for three periods in the
//! manner of the demo data: a busy one that takes the branches speaking of problems, an empty
//! one, and one of an installation that keeps no ledgers, risks or accident register.

use chrono::NaiveDate;

use super::Figures;

fn base() -> Figures {
    Figures {
        period: "2023H1".into(),
        period_label: "2023年上半年".into(),
        first_day: NaiveDate::from_ymd_opt(2023, 1, 1).unwrap_or_default(),
        last_day: NaiveDate::from_ymd_opt(2023, 6, 30).unwrap_or_default(),
        org_id: None,
        org_name: "某市粮食和物资储备局".into(),
        scope_word: "上半年全系统".into(),
        next_period_word: "下半年".into(),
        ..Default::default()
    }
}

/// A busy half-year: open and overdue hazards, a listed major hazard, an accident with a death
/// and injuries, an unassigned major risk, key periods and fire campaigns.
pub fn busy() -> Figures {
    Figures {
        inspections: 80,
        inspected_orgs: 62,
        hazards_general_found: 106,
        hazards_general_rectified: 100,
        hazards_major_found: 1,
        hazards_major_listed: 1,
        hazards_rectified: 100,
        hazards_open: 7,
        hazards_overdue: 2,
        rectification_rate: Some(100.0 / 107.0),
        illegal_operations_found: 1,
        accidents: Some(1),
        deaths: Some(1),
        injuries: Some(2),
        funding_fen: Some(11_930_000),
        publicity_events: Some(16),
        trainings: Some(15),
        drills: Some(11),
        drills_fire_flood: Some(4),
        safety_meetings: Some(2),
        responsibility_letters_signed: Some(5),
        units_drill_overdue: Some(3),
        risk_points: Some(40),
        risks_major: Some(2),
        risks_major_unassigned: Some(1),
        key_periods: "元旦、春节、全国两会、五一".into(),
        fire_campaigns: "冬春火灾防控".into(),
        fire_campaign_inspections: 12,
        next_key_periods: "国庆节".into(),
        ..base()
    }
}

/// Every register kept, nothing recorded.
pub fn empty() -> Figures {
    Figures {
        accidents: Some(0),
        deaths: Some(0),
        injuries: Some(0),
        funding_fen: Some(0),
        publicity_events: Some(0),
        trainings: Some(0),
        drills: Some(0),
        drills_fire_flood: Some(0),
        safety_meetings: Some(0),
        responsibility_letters_signed: Some(0),
        units_drill_overdue: Some(0),
        risk_points: Some(0),
        risks_major: Some(0),
        risks_major_unassigned: Some(0),
        ..base()
    }
}

/// No ledgers, risk register or accident register in this installation (or not visible to the
/// reader): those figures are null.
pub fn unkept() -> Figures {
    Figures {
        inspections: 3,
        inspected_orgs: 2,
        hazards_general_found: 1,
        hazards_general_rectified: 1,
        hazards_rectified: 1,
        rectification_rate: Some(1.0),
        ..base()
    }
}

/// The three, with the words a message uses for each.
pub fn all() -> [(&'static str, Figures); 3] {
    [
        ("业务较多的期间", busy()),
        ("没有记录的期间", empty()),
        ("未建立台账的期间", unkept()),
    ]
}

#[cfg(test)]
mod tests {
    use super::super::engine::{environment, FUEL};
    use super::super::templates::validate;
    use super::super::text::DEFAULT_TEMPLATES;
    use super::*;

    #[test]
    fn every_listed_figure_is_one_the_summary_can_show() {
        for (key, _, var) in super::super::engine::FIGURE_KEYS {
            assert_ne!(busy().display(key), "—", "{key}");
            let v = serde_json::to_value(busy()).unwrap();
            assert!(v.get(var).is_some(), "{var} is a value conditions can use");
        }
    }

    #[test]
    fn every_default_passes_the_check_well_within_the_budget() {
        let mut env = environment();
        env.set_fuel(Some(FUEL / 20));
        for t in DEFAULT_TEMPLATES {
            validate(t.key, t.body).unwrap_or_else(|e| panic!("{}: {e}", t.key));
            for (name, f) in all() {
                let ctx = minijinja::Value::from_serialize(&f);
                env.render_str(t.body, ctx)
                    .unwrap_or_else(|e| panic!("{} / {name}: {e}", t.key));
            }
        }
    }
}
