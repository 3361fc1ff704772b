//! Property tests of the parsers that read a closed list from what a sheet or a form says: hazard
//! grades and statuses, inspection kinds, risk levels, point kinds, control tiers, measure types,
//! ledger kinds and option lists, accident types, and the stored codes of every enumeration.
//!
//! Each spelling the documentation promises reads as its value whatever whitespace surrounds it,
//! and nothing else is accepted: when a parser says yes to arbitrary text, that text (trimmed) is
//! one of the spellings of the value it returned. Stored codes are matched exactly.

mod common;

use std::fmt::Debug;

use anjian_domain::accident::STANDARDS;
use anjian_domain::hazard::{HazardGrade, HazardStatus};
use anjian_domain::incident::{AccidentGrade, EventKind};
use anjian_domain::incident_flow::ReportKind;
use anjian_domain::inspection::{CampaignKind, InspectionKind, ItemResult};
use anjian_domain::ledger::{LedgerKind, Options};
use anjian_domain::org::OrgKind;
use anjian_domain::risk::{ControlTier, MeasureType, PointKind, RiskLevel};
use anjian_domain::role::Role;
use common::{config, hostile, padding};
use proptest::prelude::*;

/// The spellings each value is documented to accept (module docs and import help texts).
fn grade_spellings(g: HazardGrade) -> Vec<String> {
    let short = g.label().trim_end_matches("隐患");
    vec![
        g.code().into(),
        g.label().into(),
        short.into(),
        format!("{short}事故隐患"),
    ]
}

fn level_spellings(l: RiskLevel) -> Vec<String> {
    let short = l.label().trim_end_matches("风险");
    vec![
        l.code().into(),
        l.label().into(),
        short.into(),
        l.colour().into(),
        format!("{}色", l.colour()),
        l.rank().to_string(),
    ]
}

fn point_spellings(k: PointKind) -> Vec<String> {
    let mut v = vec![k.code().to_string(), k.label().to_string()];
    v.extend(k.label().split('/').map(String::from));
    v
}

fn tier_spellings(t: ControlTier) -> Vec<String> {
    let l = t.label();
    vec![t.code().into(), l.into(), l.trim_end_matches('级').into()]
}

fn measure_spellings(t: MeasureType) -> Vec<String> {
    let l = t.label();
    vec![t.code().into(), l.into(), l.trim_end_matches("措施").into()]
}

/// Every spelling, padded, reads as its value; any text read as a value is one of its spellings.
fn check_list<T: Copy + PartialEq + Debug>(
    all: &[T],
    spellings: impl Fn(T) -> Vec<String>,
    parse: impl Fn(&str) -> Option<T>,
    pad: &str,
    any: &str,
) -> Result<(), TestCaseError> {
    for v in all {
        for s in spellings(*v) {
            prop_assert_eq!(parse(&format!("{pad}{s}{pad}")), Some(*v), "{:?}", s);
        }
    }
    if let Some(v) = parse(any) {
        prop_assert!(
            spellings(v).iter().any(|s| s == any.trim()),
            "{any:?} read as {v:?}"
        );
    }
    Ok(())
}

/// Stored codes: only the exact code reads, never a padded or re-cased one.
fn check_codes<T: Copy + PartialEq + Debug>(
    all: &[T],
    code: impl Fn(T) -> &'static str,
    from_code: impl Fn(&str) -> Option<T>,
    any: &str,
) -> Result<(), TestCaseError> {
    for v in all {
        prop_assert_eq!(from_code(code(*v)), Some(*v));
    }
    if let Some(v) = from_code(any) {
        prop_assert_eq!(code(v), any);
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn sheet_spellings_read_as_their_value_and_nothing_else_does(
        pad in padding(),
        any in hostile(),
    ) {
        let (p, a) = (pad.as_str(), any.as_str());
        check_list(&HazardGrade::ALL, grade_spellings, HazardGrade::parse, p, a)?;
        check_list(&HazardStatus::ALL, |s| vec![s.code().into(), s.label().into()], HazardStatus::parse, p, a)?;
        check_list(&InspectionKind::ALL, |k| vec![k.code().into(), k.label().into()], InspectionKind::parse, p, a)?;
        check_list(&RiskLevel::ALL, level_spellings, RiskLevel::parse, p, a)?;
        check_list(&PointKind::ALL, point_spellings, PointKind::parse, p, a)?;
        check_list(&ControlTier::ALL, tier_spellings, ControlTier::parse, p, a)?;
        check_list(&MeasureType::ALL, measure_spellings, MeasureType::parse, p, a)?;
        check_list(&LedgerKind::ALL, |k| vec![k.code().into(), k.segment().into()], LedgerKind::from_code, p, a)?;
    }

    #[test]
    fn stored_codes_read_exactly(any in hostile()) {
        let a = any.as_str();
        check_codes(&HazardGrade::ALL, HazardGrade::code, HazardGrade::from_code, a)?;
        check_codes(&HazardStatus::ALL, HazardStatus::code, HazardStatus::from_code, a)?;
        check_codes(&InspectionKind::ALL, InspectionKind::code, InspectionKind::from_code, a)?;
        check_codes(&ItemResult::ALL, ItemResult::code, ItemResult::from_code, a)?;
        check_codes(&CampaignKind::ALL, CampaignKind::code, CampaignKind::from_code, a)?;
        check_codes(&RiskLevel::ALL, RiskLevel::code, RiskLevel::from_code, a)?;
        check_codes(&PointKind::ALL, PointKind::code, PointKind::from_code, a)?;
        check_codes(&ControlTier::ALL, ControlTier::code, ControlTier::from_code, a)?;
        check_codes(&MeasureType::ALL, MeasureType::code, MeasureType::from_code, a)?;
        check_codes(&AccidentGrade::ALL, AccidentGrade::code, AccidentGrade::from_code, a)?;
        check_codes(&EventKind::ALL, EventKind::code, EventKind::from_code, a)?;
        check_codes(&ReportKind::ALL, ReportKind::code, ReportKind::from_code, a)?;
        check_codes(&Role::ALL, Role::code, Role::from_code, a)?;
        check_codes(&OrgKind::ALL, OrgKind::code, OrgKind::from_code, a)?;
        use anjian_domain::incident_flow::Status;
        let statuses = [Status::New, Status::Open, Status::Closed];
        check_codes(&statuses, Status::code, Status::from_code, a)?;
    }

    /// A closed list takes a code or its label and stores the code; an open one keeps the text.
    #[test]
    fn option_lists_store_codes_and_keep_free_text(pad in padding(), any in hostile()) {
        for kind in LedgerKind::ALL {
            let options = kind.category_options();
            for (code, label) in options.list() {
                for s in [code, label] {
                    prop_assert_eq!(options.parse(&format!("{pad}{s}{pad}")), Some(code.to_string()));
                }
            }
            match options {
                Options::Closed(list) => {
                    if let Some(code) = options.parse(&any) {
                        let spelled = list.iter().any(|(c, l)| *c == code && (*c == any.trim() || *l == any.trim()));
                        prop_assert!(spelled, "{:?} read as {}", any, code);
                    }
                }
                Options::Open(_) => prop_assert_eq!(options.parse(&any), Some(any.trim().to_string())),
            }
        }
    }

    /// Accident types: the code, the name, or both (with or without a space), as sheets write.
    #[test]
    fn accident_types_read_by_code_name_or_both(pad in padding(), any in hostile()) {
        for standard in STANDARDS {
            for (code, name) in standard.types {
                for s in [code.to_string(), name.to_string(), format!("{code} {name}"), format!("{code}{name}")] {
                    prop_assert_eq!(standard.parse(&format!("{pad}{s}{pad}")), Some(*code));
                }
            }
            if let Some(code) = standard.parse(&any) {
                let name = standard.name_of(code).unwrap();
                let t = any.trim();
                let spelled = t == code || t == name || t == format!("{code} {name}") || t == format!("{code}{name}");
                prop_assert!(spelled, "{:?} read as {}", any, code);
            }
        }
    }
}
