//! Property tests of the small number parsers behind forms and sheets: 学时 in tenths, LEC values
//! in tenths, D values in hundredths, and the LEC / LS / direct assessments built from them. No
//! panic on any input; what is accepted is in range and prints back to itself; every value the
//! formatters write reads back exactly.

mod common;

use anjian_domain::ledger::{format_hours, parse_hours, HoursError};
use anjian_domain::risk::{
    format_d, parse_d, parse_tenths, tenths, Assessment, AssessmentError, TableEntry, LEC_C, LEC_E,
    LEC_L,
};
use common::{config, hostile, huge, padding};
use proptest::prelude::*;

fn table_value(table: &'static [TableEntry]) -> impl Strategy<Value = u32> {
    prop::sample::select(table.iter().map(|(v, _)| *v).collect::<Vec<_>>())
}

fn in_table(table: &[TableEntry], v: u32) -> bool {
    table.iter().any(|(x, _)| *x == v)
}

/// A refusal names one of the fields it was given and says why in Chinese.
fn names_a_field(e: &AssessmentError, fields: &[&str]) -> bool {
    fields.contains(&e.field()) && !e.message().is_ascii()
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn hours_print_and_read_back(t in 1i64..=10_000, pad in padding()) {
        prop_assert_eq!(parse_hours(&format!("{pad}{}{pad}", format_hours(t))), Ok(t));
    }

    #[test]
    fn hours_read_from_any_text_are_in_range_and_print_back(s in hostile()) {
        match parse_hours(&s) {
            Ok(t) => {
                prop_assert!((1..=10_000).contains(&t), "{s:?} -> {t}");
                prop_assert_eq!(parse_hours(&format_hours(t)), Ok(t));
            }
            Err(HoursError::Empty) => prop_assert!(s.trim().is_empty()),
            Err(_) => {}
        }
    }

    #[test]
    fn tenths_print_and_read_back(v in any::<u32>(), pad in padding()) {
        prop_assert_eq!(parse_tenths(&format!("{pad}{}{pad}", tenths(v))), Some(v));
    }

    #[test]
    fn d_values_print_and_read_back(h in any::<u64>(), pad in padding()) {
        prop_assert_eq!(parse_d(&format!("{pad}{}{pad}", format_d(h))), Some(h));
    }

    #[test]
    fn numbers_read_from_any_text_print_back(s in hostile()) {
        if let Some(v) = parse_tenths(&s) {
            prop_assert_eq!(parse_tenths(&tenths(v)), Some(v));
        }
        if let Some(h) = parse_d(&s) {
            prop_assert_eq!(parse_d(&format_d(h)), Some(h));
        }
    }

    #[test]
    fn an_lec_assessment_reads_the_values_its_formula_prints(
        l in table_value(LEC_L),
        e in table_value(LEC_E),
        c in table_value(LEC_C),
        pad in padding(),
    ) {
        let p = |v: u32| format!("{pad}{}{pad}", tenths(v));
        let a = Assessment::lec(&p(l), &p(e), &p(c));
        prop_assert_eq!(a.clone(), Ok(Assessment::Lec { l, e, c }));
        let formula = a.unwrap().formula();
        let head = format!("D = {}×{}×{} = ", tenths(l), tenths(e), tenths(c));
        prop_assert!(formula.starts_with(&head), "{} does not start with {}", formula, head);
    }

    #[test]
    fn an_lec_assessment_from_any_text_holds_table_values_only(
        l in hostile(),
        e in hostile(),
        c in hostile(),
    ) {
        match Assessment::lec(&l, &e, &c) {
            Ok(Assessment::Lec { l, e, c }) => {
                prop_assert!(in_table(LEC_L, l) && in_table(LEC_E, e) && in_table(LEC_C, c));
            }
            Ok(other) => prop_assert!(false, "not an LEC assessment: {other:?}"),
            Err(err) => prop_assert!(names_a_field(&err, &["l", "e", "c"]), "{err:?}"),
        }
    }

    #[test]
    fn an_ls_assessment_from_any_text_holds_one_to_five(l in hostile(), s in hostile()) {
        match Assessment::ls(&l, &s) {
            Ok(Assessment::Ls { l, s }) => {
                prop_assert!((1..=5).contains(&l) && (1..=5).contains(&s));
            }
            Ok(other) => prop_assert!(false, "not an LS assessment: {other:?}"),
            Err(err) => prop_assert!(names_a_field(&err, &["l", "s"]), "{err:?}"),
        }
    }

    #[test]
    fn every_ls_pair_reads_back(l in 1u32..=5, s in 1u32..=5, pad in padding()) {
        let a = Assessment::ls(&format!("{pad}{l}{pad}"), &format!("{pad}{s}"));
        prop_assert_eq!(a, Ok(Assessment::Ls { l, s }));
    }

    #[test]
    fn a_direct_grading_keeps_its_trimmed_reason(r in hostile()) {
        match Assessment::direct(&r) {
            Ok(Assessment::Direct { reason }) => {
                prop_assert_eq!(reason.as_str(), r.trim());
                prop_assert!(!reason.is_empty() && reason.chars().count() <= 500);
            }
            Ok(other) => prop_assert!(false, "not a direct grading: {other:?}"),
            Err(err) => prop_assert!(names_a_field(&err, &["reason"]), "{err:?}"),
        }
    }
}

proptest! {
    #![proptest_config(config(24))]

    #[test]
    fn huge_inputs_are_answered_without_panic(s in huge()) {
        let _ = parse_hours(&s);
        let _ = parse_tenths(&s);
        let _ = parse_d(&s);
        let _ = Assessment::lec(&s, &s, &s);
        let _ = Assessment::ls(&s, &s);
        let _ = Assessment::direct(&s);
    }
}
