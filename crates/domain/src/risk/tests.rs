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
