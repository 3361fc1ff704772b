//! Dates as people type them in forms and as they arrive from Excel imports.
//!
//! Units keep their ledgers in Excel, where a date may be text in several spellings or a bare serial
//! number (a date-formatted cell read as a number). We accept the spellings that are unambiguous
//! (year first) and reject everything else, including day-first forms like `01/03/2023` that mean
//! different days to different people.

use chrono::{Days, NaiveDate};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("日期不能为空")]
    Empty,
    #[error("日期格式不正确：“{0}”，应为如2023-03-01、2023/3/1、2023.3.1、2023年3月1日或20230301")]
    Format(String),
    #[error("日期格式不正确：“{0}”不是有效日期")]
    NoSuchDate(String),
    #[error("日期格式不正确：Excel日期序号{0}超出范围")]
    SerialOutOfRange(String),
    #[error("日期格式不正确：“{0}”只有年份，应写完整日期，如{0}-03-01")]
    YearOnly(String),
    #[error("日期“{0}”超出合理范围（{1}年至{2}年）")]
    Implausible(String, i32, i32),
}

/// Years a business record (inspection, hazard, ledger entry) can plausibly carry. Anything outside
/// is a typing or conversion slip, e.g. a bare number read as a 1905 Excel serial.
pub const BUSINESS_YEARS: std::ops::RangeInclusive<i32> = 1990..=2099;

/// `parse_date` for business records: additionally refuses a bare year ("2023", which Excel would
/// read as serial 2023 = 1905-07-15) and dates outside `BUSINESS_YEARS`.
pub fn parse_business_date(input: &str) -> Result<NaiveDate, DateError> {
    use chrono::Datelike;
    let s = input.trim();
    if s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DateError::YearOnly(s.to_owned()));
    }
    let d = parse_date(s)?;
    if !BUSINESS_YEARS.contains(&d.year()) {
        return Err(DateError::Implausible(
            s.to_owned(),
            *BUSINESS_YEARS.start(),
            *BUSINESS_YEARS.end(),
        ));
    }
    Ok(d)
}

/// Largest Excel serial in the 1900 system: 9999-12-31, the last day Excel can show.
pub const EXCEL_MAX_SERIAL: u32 = 2_958_465;

/// Excel serial 60 is 1900-02-29, a day that never existed: Lotus 1-2-3 treated 1900 as a leap year
/// and Excel kept the bug for compatibility. Serials above it are therefore off by one from a plain
/// day count, which is why they are counted from 1899-12-30 rather than 1899-12-31.
const EXCEL_FICTITIOUS_LEAP_DAY: u32 = 60;

/// Parses a date typed by a person or read from an imported sheet.
///
/// Accepted: `2023-3-1`, `2023.3.1`, `2023/03/01`, `2023年3月1日`, `20230301`, and Excel serial
/// numbers of the 1900 date system (`44986` = 2023-03-01; a fractional part, the time of day, is
/// ignored). Calendar-invalid dates such as `2023-02-30` are errors, never silently moved.
pub fn parse_date(input: &str) -> Result<NaiveDate, DateError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(DateError::Empty);
    }
    let format_err = || DateError::Format(s.to_owned());

    if s.bytes().all(|b| b.is_ascii_digit()) {
        // Eight digits is always YYYYMMDD: the largest serial has seven digits.
        if s.len() == 8 {
            let (y, rest) = s.split_at(4);
            let (m, d) = rest.split_at(2);
            return ymd(s, y, m, d);
        }
        return from_excel_serial(s, s);
    }
    if let Some((whole, frac)) = s.split_once('.') {
        // A serial with a time of day, e.g. `44986.5`; `2023.3.1` has a second dot and falls through.
        if !whole.is_empty()
            && !frac.is_empty()
            && whole.bytes().all(|b| b.is_ascii_digit())
            && frac.bytes().all(|b| b.is_ascii_digit())
            && whole.len() != 4
        {
            return from_excel_serial(s, whole);
        }
    }
    if let Some(rest) = s.split_once('年') {
        let (y, rest) = rest;
        let (m, d) = rest.split_once('月').ok_or_else(format_err)?;
        // "日" is what forms say; "号" is how people say it.
        let d = d
            .strip_suffix('日')
            .or_else(|| d.strip_suffix('号'))
            .unwrap_or(d);
        return ymd(s, y.trim(), m.trim(), d.trim());
    }
    for sep in ['-', '/', '.'] {
        let parts: Vec<&str> = s.split(sep).collect();
        if let [y, m, d] = parts[..] {
            return ymd(s, y, m, d);
        }
    }
    Err(format_err())
}

/// Builds a date from text parts: a four-digit year, a one- or two-digit month and day.
fn ymd(original: &str, y: &str, m: &str, d: &str) -> Result<NaiveDate, DateError> {
    let digits = |p: &str, min: usize, max: usize| -> Option<u32> {
        if p.len() < min || p.len() > max || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        p.parse().ok()
    };
    let format_err = || DateError::Format(original.to_owned());
    let year = digits(y, 4, 4).ok_or_else(format_err)?;
    let month = digits(m, 1, 2).ok_or_else(format_err)?;
    let day = digits(d, 1, 2).ok_or_else(format_err)?;
    // A leading zero in the year (`0023`) is a typo, not a date in antiquity.
    if year < 1000 {
        return Err(format_err());
    }
    let year = i32::try_from(year).map_err(|_| format_err())?;
    NaiveDate::from_ymd_opt(year, month, day)
        .ok_or_else(|| DateError::NoSuchDate(original.to_owned()))
}

/// Converts the integer part of an Excel serial (1900 date system) to a date.
fn from_excel_serial(original: &str, whole: &str) -> Result<NaiveDate, DateError> {
    let out_of_range = || DateError::SerialOutOfRange(original.to_owned());
    // Leading zeros are harmless, but bound the length so parsing cannot overflow.
    let trimmed = whole.trim_start_matches('0');
    if trimmed.len() > 7 {
        return Err(out_of_range());
    }
    let serial: u32 = if trimmed.is_empty() {
        0
    } else {
        trimmed.parse().map_err(|_| out_of_range())?
    };
    if serial == 0 || serial > EXCEL_MAX_SERIAL {
        return Err(out_of_range());
    }
    if serial == EXCEL_FICTITIOUS_LEAP_DAY {
        // Excel shows this as 1900-02-29; there is no such day to store.
        return Err(DateError::NoSuchDate(original.to_owned()));
    }
    let epoch = if serial < EXCEL_FICTITIOUS_LEAP_DAY {
        NaiveDate::from_ymd_opt(1899, 12, 31)
    } else {
        NaiveDate::from_ymd_opt(1899, 12, 30)
    };
    epoch
        .and_then(|e| e.checked_add_days(Days::new(u64::from(serial))))
        .ok_or_else(out_of_range)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn spellings() {
        let march_first = d(2023, 3, 1);
        for s in [
            "2023-3-1",
            "2023-03-01",
            "2023.3.1",
            "2023/03/01",
            "2023/3/1",
            "2023年3月1日",
            "2023年03月01日",
            "2023年3月1号",
            "2023年3月1",
            " 2023 年 3 月 1 日 ",
            "20230301",
            "44986",
            "44986.0",
            "44986.75",
            "  44986\t",
        ] {
            assert_eq!(parse_date(s), Ok(march_first), "{s}");
        }
    }

    #[test]
    fn business_dates_refuse_bare_years_and_implausible_dates() {
        assert_eq!(
            parse_business_date("2023"),
            Err(DateError::YearOnly("2023".into()))
        );
        assert!(matches!(
            parse_business_date("1000"),
            Err(DateError::YearOnly(_))
        ));
        assert!(matches!(
            parse_business_date("20230"),
            Err(DateError::Implausible(..))
        ));
        assert!(matches!(
            parse_business_date("1905-07-15"),
            Err(DateError::Implausible(..))
        ));
        assert_eq!(parse_business_date("44986"), Ok(d(2023, 3, 1)));
        assert_eq!(parse_business_date(" 2023年3月1日 "), Ok(d(2023, 3, 1)));
        assert_eq!(parse_business_date("2099-12-31"), Ok(d(2099, 12, 31)));
        assert!(parse_business_date("2100-01-01").is_err());
    }

    #[test]
    fn excel_serials_around_the_fictitious_leap_day() {
        assert_eq!(parse_date("1"), Ok(d(1900, 1, 1)));
        assert_eq!(parse_date("59"), Ok(d(1900, 2, 28)));
        assert_eq!(parse_date("60"), Err(DateError::NoSuchDate("60".into())));
        assert_eq!(parse_date("61"), Ok(d(1900, 3, 1)));
        assert_eq!(parse_date("2958465"), Ok(d(9999, 12, 31)));
        assert_eq!(
            parse_date("0"),
            Err(DateError::SerialOutOfRange("0".into()))
        );
        assert_eq!(
            parse_date("2958466"),
            Err(DateError::SerialOutOfRange("2958466".into()))
        );
        assert!(parse_date("99999999999999999999").is_err());
        assert_eq!(parse_date("0044986"), Ok(d(2023, 3, 1)));
    }

    #[test]
    fn invalid_calendar_dates() {
        for s in [
            "2023-02-30",
            "2023/13/01",
            "2023年2月29日",
            "20230229",
            "2023.0.1",
            "2023-01-00",
        ] {
            assert_eq!(parse_date(s), Err(DateError::NoSuchDate(s.into())), "{s}");
        }
        assert_eq!(parse_date("2024-02-29"), Ok(d(2024, 2, 29)));
    }

    #[test]
    fn rejected_spellings() {
        assert_eq!(parse_date(""), Err(DateError::Empty));
        assert_eq!(parse_date("  "), Err(DateError::Empty));
        for s in [
            "明天",
            "01/03/2023",
            "23-3-1",
            "2023-3",
            "2023-3-1-1",
            "2023-3/1",
            "2023-003-01",
            "2023年3月",
            "2023-03-01T00:00:00",
            "-44986",
            "44986.",
            ".5",
            "２０２３-3-1",
            "0023-03-01",
            "00230301",
        ] {
            assert!(parse_date(s).is_err(), "{s}");
        }
    }

    #[test]
    fn messages_say_the_date_is_wrong() {
        for s in ["", "明天", "2023-02-30", "0"] {
            let msg = parse_date(s).unwrap_err().to_string();
            assert!(msg.starts_with("日期"), "{msg}");
        }
        assert!(parse_date("明天")
            .unwrap_err()
            .to_string()
            .starts_with("日期格式不正确"));
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC{0,30}") {
            let _ = parse_date(&s);
        }

        #[test]
        fn serials_after_the_leap_day_are_consecutive(serial in 61u32..EXCEL_MAX_SERIAL) {
            let a = parse_date(&serial.to_string()).unwrap();
            let b = parse_date(&(serial + 1).to_string()).unwrap();
            prop_assert_eq!(a.succ_opt(), Some(b));
        }

        #[test]
        fn every_spelling_of_a_day_agrees(days in 0u64..3_000_000) {
            let day = d(1000, 1, 1).checked_add_days(Days::new(days)).unwrap();
            prop_assume!(day <= d(9999, 12, 31));
            let iso = day.format("%Y-%m-%d").to_string();
            prop_assert_eq!(parse_date(&iso), Ok(day));
            prop_assert_eq!(parse_date(&day.format("%Y/%-m/%-d").to_string()), Ok(day));
            prop_assert_eq!(parse_date(&day.format("%Y.%m.%d").to_string()), Ok(day));
            prop_assert_eq!(parse_date(&day.format("%Y年%-m月%-d日").to_string()), Ok(day));
            prop_assert_eq!(parse_date(&day.format("%Y%m%d").to_string()), Ok(day));
        }
    }
}
