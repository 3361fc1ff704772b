//! Property tests of the free-form parsers people and spreadsheets feed: dates, money in 元,
//! periods and 统一社会信用代码. Each parser must answer every input without panicking, whatever
//! its size or characters; whatever it accepts must survive formatting and parsing again; and
//! each formatter's output must parse back to the value it came from.
//!
//! The modules' own tests cover fixed examples and short printable strings; these add control
//! characters, huge inputs, the notations' own pieces glued at random, and round trips over the
//! whole value range.

mod common;

use anjian_domain::dates::{parse_business_date, parse_date, DateError, BUSINESS_YEARS};
use anjian_domain::money::{Fen, MoneyError};
use anjian_domain::period::{Period, PeriodKind};
use anjian_domain::uscc::{check_character, Uscc};
use chrono::{Datelike, Days, NaiveDate};
use common::{config, hostile, huge, padding};
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// Any day from 1900-01-01 to 9999-12-31, the range periods and Excel serials cover.
fn day() -> impl Strategy<Value = NaiveDate> {
    let span = (d(9999, 12, 31) - d(1900, 1, 1)).num_days() as u64;
    (0..=span).prop_map(|n| d(1900, 1, 1).checked_add_days(Days::new(n)).unwrap())
}

fn any_period() -> impl Strategy<Value = Period> {
    let year = 1900i32..=9999;
    prop_oneof![
        year.clone().prop_map(|y| Period::year(y).unwrap()),
        (year.clone(), 1u32..=2).prop_map(|(y, h)| Period::half_year(y, h).unwrap()),
        (year.clone(), 1u32..=4).prop_map(|(y, q)| Period::quarter(y, q).unwrap()),
        (year, 1u32..=12).prop_map(|(y, m)| Period::month(y, m).unwrap()),
        (day(), day()).prop_map(|(a, b)| Period::custom(a.min(b), a.max(b)).unwrap()),
    ]
}

const USCC_CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

fn uscc_body() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop::sample::select(USCC_CHARS), 17)
}

/// Yuan digits grouped by thousands with the separators people type (ASCII or full-width comma).
fn grouped(yuan: u64, commas: &[bool]) -> String {
    let digits = yuan.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        let left = digits.len() - i;
        if i > 0 && left.is_multiple_of(3) {
            out.push(if commas[i % commas.len()] { ',' } else { '，' });
        }
        out.push(c);
    }
    out
}

proptest! {
    #![proptest_config(config(512))]

    // ------------------------------------------------------------ dates

    #[test]
    fn a_date_read_from_any_text_is_read_again_from_its_iso_form(s in hostile()) {
        if let Ok(day) = parse_date(&s) {
            prop_assert_eq!(parse_date(&day.format("%Y-%m-%d").to_string()), Ok(day));
        }
    }

    #[test]
    fn a_business_date_is_a_plausible_date_read_the_same_way(s in hostile()) {
        match parse_business_date(&s) {
            Ok(day) => {
                prop_assert!(BUSINESS_YEARS.contains(&day.year()), "{s:?} -> {day}");
                prop_assert_eq!(parse_date(&s), Ok(day));
            }
            Err(DateError::YearOnly(y)) => prop_assert_eq!(y.chars().count(), 4),
            Err(_) => {}
        }
    }

    /// Excel's 1900 system counts days from 1899-12-31 up to its fictitious 1900-02-29 (serial
    /// 60) and from 1899-12-30 after it; a fraction is the time of day. A four-digit whole part
    /// with a fraction (`2023.5`) reads like a year and a month, so it is refused, never misread.
    #[test]
    fn excel_serials_name_the_day_excel_shows(
        serial in prop_oneof![1i64..=100, 1_000i64..=9_999, 1i64..=2_958_465],
        frac in prop::option::of(1u32..1_000_000),
    ) {
        let text = match frac {
            Some(f) => format!("{serial}.{f}"),
            None => serial.to_string(),
        };
        let got = parse_date(&text);
        let day = match serial {
            ..=59 => d(1899, 12, 31) + chrono::Duration::days(serial),
            60 => {
                prop_assert_eq!(got, Err(DateError::NoSuchDate(text)));
                return Ok(());
            }
            _ => d(1899, 12, 30) + chrono::Duration::days(serial),
        };
        if frac.is_some() && (1_000..=9_999).contains(&serial) {
            prop_assert!(got.is_err(), "{text} -> {got:?}");
        } else {
            prop_assert_eq!(got, Ok(day), "{}", text);
        }
    }

    #[test]
    fn every_spelling_of_a_business_day_is_accepted_and_others_are_implausible(
        day in day(),
        pad in padding(),
    ) {
        let spellings = [
            day.format("%Y-%m-%d").to_string(),
            day.format("%Y/%-m/%-d").to_string(),
            day.format("%Y.%-m.%-d").to_string(),
            day.format("%Y年%-m月%-d日").to_string(),
            day.format("%Y年%m月%d号").to_string(),
            day.format("%Y%m%d").to_string(),
        ];
        for s in spellings {
            let got = parse_business_date(&format!("{pad}{s}{pad}"));
            if BUSINESS_YEARS.contains(&day.year()) {
                prop_assert_eq!(got, Ok(day), "{}", s);
            } else {
                prop_assert!(matches!(got, Err(DateError::Implausible(..))), "{s}: {got:?}");
            }
        }
    }

    // ------------------------------------------------------------ money

    #[test]
    fn an_amount_read_from_any_text_is_not_negative_and_prints_back(s in hostile()) {
        if let Ok(f) = Fen::parse_yuan(&s) {
            prop_assert!(f.0 >= 0, "{s:?} -> {f:?}");
            prop_assert_eq!(Fen::parse_yuan(&f.to_yuan_2dp()), Ok(f));
        }
    }

    #[test]
    fn grouped_amounts_with_zero_padded_decimals_read_exactly(
        fen in 0i64..=i64::MAX,
        commas in prop::collection::vec(any::<bool>(), 1..4),
        extra_zeros in 0usize..4,
        pad in padding(),
    ) {
        let yuan = (fen / 100) as u64;
        let cents = fen % 100;
        let decimals = if cents == 0 && extra_zeros == 0 {
            String::new()
        } else {
            format!(".{cents:02}{}", "0".repeat(extra_zeros))
        };
        let text = format!("{pad}{}{decimals}{pad}", grouped(yuan, &commas));
        prop_assert_eq!(Fen::parse_yuan(&text), Ok(Fen(fen)), "{}", text);
        // The same amount with a minus sign is refused as negative, not misread.
        for minus in ["-", "－"] {
            prop_assert_eq!(Fen::parse_yuan(&format!("{minus}{}", text.trim())), Err(MoneyError::Negative));
        }
    }

    /// A separator is a thousands separator only where one belongs; `12,34` is more likely a
    /// decimal comma and must not be read as 1234.
    #[test]
    fn a_separator_out_of_place_is_refused(yuan in 10u64..=u64::MAX / 1000, at in 1usize..20) {
        let digits = yuan.to_string();
        let at = at.min(digits.len() - 1);
        let text = format!("{},{}", &digits[..at], &digits[at..]);
        let well_placed = digits.len() - at == 3 && at <= 3;
        let got = Fen::parse_yuan(&text);
        if well_placed {
            prop_assert!(got.is_ok() || got == Err(MoneyError::TooLarge), "{text}: {got:?}");
        } else {
            prop_assert_eq!(got, Err(MoneyError::NotANumber), "{}", text);
        }
    }

    // ------------------------------------------------------------ periods

    #[test]
    fn every_period_code_reads_back_in_any_case_and_padding(p in any_period(), pad in padding()) {
        prop_assert_eq!(Period::parse(&p.code()), Ok(p));
        prop_assert_eq!(Period::parse(&format!("{pad}{}{pad}", p.code().to_lowercase())), Ok(p));
        prop_assert_eq!(p.code().parse::<Period>(), Ok(p));
        prop_assert!(!p.label().is_empty());
    }

    #[test]
    fn a_period_read_from_any_text_is_well_formed_and_its_code_reads_back(s in hostile()) {
        if let Ok(p) = Period::parse(&s) {
            prop_assert!(p.first <= p.last, "{s:?} -> {p:?}");
            prop_assert!((1900..=9999).contains(&p.first.year()), "{s:?} -> {p:?}");
            prop_assert!((1900..=9999).contains(&p.last.year()), "{s:?} -> {p:?}");
            if p.kind != PeriodKind::Custom {
                prop_assert_eq!(p.first.day(), 1);
            }
            prop_assert_eq!(Period::parse(&p.code()), Ok(p));
        }
    }

    // ------------------------------------------------------------ USCC

    #[test]
    fn a_code_read_from_any_text_is_its_normal_form(s in hostile()) {
        if let Ok(u) = Uscc::parse(&s) {
            prop_assert_eq!(u.as_str(), s.trim().to_ascii_uppercase());
            prop_assert_eq!(u.as_str().len(), 18);
            prop_assert_eq!(Uscc::parse(&u.to_string()), Ok(u.clone()));
            prop_assert_eq!(s.parse::<Uscc>(), Ok(u));
        }
    }

    /// GB 32100's weights are powers of 3 modulo the prime 31, so a single mistyped character
    /// and a swap of two different neighbours in the body always change the check character.
    #[test]
    fn one_mistyped_or_two_swapped_characters_are_caught(
        body in uscc_body(),
        at in 0usize..18,
        other in prop::sample::select(USCC_CHARS),
    ) {
        let body = String::from_utf8(body).unwrap();
        let code = format!("{body}{}", check_character(&body).unwrap());
        prop_assert!(Uscc::parse(&code).is_ok());
        let mut typo = code.clone().into_bytes();
        prop_assume!(typo[at] != other);
        typo[at] = other;
        prop_assert!(Uscc::parse(&String::from_utf8(typo).unwrap()).is_err());
        if at < 16 && code.as_bytes()[at] != code.as_bytes()[at + 1] {
            let mut swapped = code.clone().into_bytes();
            swapped.swap(at, at + 1);
            prop_assert!(Uscc::parse(&String::from_utf8(swapped).unwrap()).is_err());
        }
    }
}

proptest! {
    // Large inputs cost time per case; a few dozen show that length is bounded, not scanned
    // quadratically or used to size an allocation.
    #![proptest_config(config(24))]

    #[test]
    fn huge_inputs_are_answered_without_panic(s in huge()) {
        let _ = parse_date(&s);
        let _ = parse_business_date(&s);
        let _ = Fen::parse_yuan(&s);
        let _ = Period::parse(&s);
        let _ = Uscc::parse(&s);
    }
}
