//! Reporting periods (统计期间): the span a summary, a dashboard or a ledger export covers.
//!
//! Periods travel in URLs and filter forms, so they have a short code (`2023H1`, `2023Q2`,
//! `2023-05`, `2023-01-01..2023-03-31`) and a Chinese label for the page and the report. Both ends are
//! inclusive calendar dates in Asia/Shanghai; a half-year is 1 Jan–30 Jun / 1 Jul–31 Dec.

use chrono::{Datelike, NaiveDate};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum PeriodKind {
    Year,
    HalfYear,
    Quarter,
    Month,
    Custom,
}

/// An inclusive range of calendar dates, `first <= last`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Period {
    pub first: NaiveDate,
    pub last: NaiveDate,
    pub kind: PeriodKind,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("统计期间不能为空")]
    Empty,
    #[error(
        "统计期间格式不正确：“{0}”，应为如2023、2023H1、2023Q2、2023-05或2023-01-01..2023-03-31"
    )]
    Format(String),
    #[error("统计期间中的日期“{0}”不存在")]
    NoSuchDate(String),
    #[error("统计期间的开始日期{first}晚于结束日期{last}")]
    Reversed { first: NaiveDate, last: NaiveDate },
}

/// Years we accept in a period code. Four digits keep codes unambiguous (`2023-05` is never a
/// year 202 with something else), and the lower bound rejects typos like `0223`.
const MIN_YEAR: i32 = 1900;
const MAX_YEAR: i32 = 9999;

const QUARTER_NAMES: [&str; 4] = ["第一季度", "第二季度", "第三季度", "第四季度"];

impl Period {
    pub fn parse(input: &str) -> Result<Period, PeriodError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(PeriodError::Empty);
        }
        let format_err = || PeriodError::Format(s.to_owned());

        if let Some((a, b)) = s.split_once("..") {
            let first = parse_iso_date(a.trim()).ok_or_else(format_err)??;
            let last = parse_iso_date(b.trim()).ok_or_else(format_err)??;
            return Period::custom(first, last);
        }
        if let Some((y, m)) = s.split_once('-') {
            let year = parse_year(y).ok_or_else(format_err)?;
            let month = parse_small(m, 2).ok_or_else(format_err)?;
            return Period::month(year, month).ok_or_else(format_err);
        }
        // Letters may come in lower case from a hand-edited URL.
        let upper = s.to_ascii_uppercase();
        if let Some((y, h)) = upper.split_once('H') {
            let year = parse_year(y).ok_or_else(format_err)?;
            let half = parse_small(h, 1).ok_or_else(format_err)?;
            return Period::half_year(year, half).ok_or_else(format_err);
        }
        if let Some((y, q)) = upper.split_once('Q') {
            let year = parse_year(y).ok_or_else(format_err)?;
            let quarter = parse_small(q, 1).ok_or_else(format_err)?;
            return Period::quarter(year, quarter).ok_or_else(format_err);
        }
        let year = parse_year(s).ok_or_else(format_err)?;
        Period::year(year).ok_or_else(format_err)
    }

    /// The whole calendar year, or `None` outside the supported years.
    pub fn year(year: i32) -> Option<Period> {
        Self::months(year, 1, 12, PeriodKind::Year)
    }

    /// `half` is 1 (上半年, Jan–Jun) or 2 (下半年, Jul–Dec).
    pub fn half_year(year: i32, half: u32) -> Option<Period> {
        match half {
            1 => Self::months(year, 1, 6, PeriodKind::HalfYear),
            2 => Self::months(year, 7, 12, PeriodKind::HalfYear),
            _ => None,
        }
    }

    /// `quarter` is 1..=4.
    pub fn quarter(year: i32, quarter: u32) -> Option<Period> {
        if !(1..=4).contains(&quarter) {
            return None;
        }
        let start = (quarter - 1) * 3 + 1;
        Self::months(year, start, start + 2, PeriodKind::Quarter)
    }

    /// `month` is 1..=12.
    pub fn month(year: i32, month: u32) -> Option<Period> {
        Self::months(year, month, month, PeriodKind::Month)
    }

    /// An arbitrary inclusive range; the ends may be equal but not reversed.
    pub fn custom(first: NaiveDate, last: NaiveDate) -> Result<Period, PeriodError> {
        if first > last {
            return Err(PeriodError::Reversed { first, last });
        }
        Ok(Period {
            first,
            last,
            kind: PeriodKind::Custom,
        })
    }

    /// The half-year a date falls in, e.g. the default period of the summary report.
    pub fn half_year_of(d: NaiveDate) -> Option<Period> {
        Self::half_year(d.year(), if d.month() <= 6 { 1 } else { 2 })
    }

    fn months(year: i32, first_month: u32, last_month: u32, kind: PeriodKind) -> Option<Period> {
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) || first_month > last_month {
            return None;
        }
        let first = NaiveDate::from_ymd_opt(year, first_month, 1)?;
        let last = last_day_of_month(year, last_month)?;
        Some(Period { first, last, kind })
    }

    /// Chinese label for pages and the summary report.
    pub fn label(&self) -> String {
        let y = self.first.year();
        match self.kind {
            PeriodKind::Year => format!("{y}年"),
            PeriodKind::HalfYear if self.first.month() <= 6 => format!("{y}年上半年"),
            PeriodKind::HalfYear => format!("{y}年下半年"),
            PeriodKind::Quarter => {
                let q = (self.first.month0() / 3) as usize;
                let name = QUARTER_NAMES.get(q).copied().unwrap_or("");
                format!("{y}年{name}")
            }
            PeriodKind::Month => format!("{y}年{}月", self.first.month()),
            PeriodKind::Custom => {
                format!("{}至{}", chinese_date(self.first), chinese_date(self.last))
            }
        }
    }

    /// The code [`Period::parse`] reads back, for links and form values.
    pub fn code(&self) -> String {
        let y = self.first.year();
        match self.kind {
            PeriodKind::Year => format!("{y}"),
            PeriodKind::HalfYear => format!("{y}H{}", if self.first.month() <= 6 { 1 } else { 2 }),
            PeriodKind::Quarter => format!("{y}Q{}", self.first.month0() / 3 + 1),
            PeriodKind::Month => format!("{y}-{:02}", self.first.month()),
            PeriodKind::Custom => format!(
                "{}..{}",
                self.first.format("%Y-%m-%d"),
                self.last.format("%Y-%m-%d")
            ),
        }
    }

    /// Whether the date lies in the period, both ends included.
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.first <= d && d <= self.last
    }
}

impl std::str::FromStr for Period {
    type Err = PeriodError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Period::parse(s)
    }
}

fn chinese_date(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

fn last_day_of_month(year: i32, month: u32) -> Option<NaiveDate> {
    let (next_year, next_month) = if month == 12 {
        (year.checked_add(1)?, 1)
    } else {
        (year, month.checked_add(1)?)
    };
    NaiveDate::from_ymd_opt(next_year, next_month, 1)?.pred_opt()
}

/// Exactly four ASCII digits within the supported years.
fn parse_year(s: &str) -> Option<i32> {
    if s.len() != 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let y: i32 = s.parse().ok()?;
    (MIN_YEAR..=MAX_YEAR).contains(&y).then_some(y)
}

/// One to `max_len` ASCII digits (so `2023-5` and `2023-05` both work, `2023-005` does not).
fn parse_small(s: &str, max_len: usize) -> Option<u32> {
    if s.is_empty() || s.len() > max_len || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `YYYY-MM-DD` (month and day may have one digit). `None` when the shape is wrong,
/// `Some(Err)` when the shape is right but the day does not exist, so the message can say which.
fn parse_iso_date(s: &str) -> Option<Result<NaiveDate, PeriodError>> {
    let mut parts = s.split('-');
    let year = parse_year(parts.next()?)?;
    let month = parse_small(parts.next()?, 2)?;
    let day = parse_small(parts.next()?, 2)?;
    if parts.next().is_some() {
        return None;
    }
    Some(
        NaiveDate::from_ymd_opt(year, month, day)
            .ok_or_else(|| PeriodError::NoSuchDate(s.to_owned())),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn p(s: &str) -> Period {
        Period::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn half_years() {
        let h1 = p("2023H1");
        assert_eq!(
            (h1.first, h1.last, h1.kind),
            (d(2023, 1, 1), d(2023, 6, 30), PeriodKind::HalfYear)
        );
        assert_eq!(h1.label(), "2023年上半年");
        let h2 = p("2023h2");
        assert_eq!((h2.first, h2.last), (d(2023, 7, 1), d(2023, 12, 31)));
        assert_eq!(h2.label(), "2023年下半年");
        assert!(Period::parse("2023H3").is_err());
        assert!(Period::parse("2023H0").is_err());
        assert!(Period::parse("2023H").is_err());
        assert!(Period::parse("2023H12").is_err());
    }

    #[test]
    fn years_quarters_months() {
        let y = p("2023");
        assert_eq!(
            (y.first, y.last, y.kind),
            (d(2023, 1, 1), d(2023, 12, 31), PeriodKind::Year)
        );
        assert_eq!(y.label(), "2023年");

        let labels = [
            "2023年第一季度",
            "2023年第二季度",
            "2023年第三季度",
            "2023年第四季度",
        ];
        let ends = [
            d(2023, 3, 31),
            d(2023, 6, 30),
            d(2023, 9, 30),
            d(2023, 12, 31),
        ];
        for q in 1..=4u32 {
            let period = p(&format!("2023Q{q}"));
            assert_eq!(period.label(), labels[q as usize - 1]);
            assert_eq!(period.last, ends[q as usize - 1]);
            assert_eq!(period.first, d(2023, (q - 1) * 3 + 1, 1));
        }
        assert!(Period::parse("2023Q0").is_err());
        assert!(Period::parse("2023Q5").is_err());

        let m = p("2023-05");
        assert_eq!(
            (m.first, m.last, m.kind),
            (d(2023, 5, 1), d(2023, 5, 31), PeriodKind::Month)
        );
        assert_eq!(m.label(), "2023年5月");
        assert_eq!(p("2023-5"), m);
        assert_eq!(p("2024-02").last, d(2024, 2, 29));
        assert_eq!(p("2100-02").last, d(2100, 2, 28));
        assert_eq!(p("2023-12").last, d(2023, 12, 31));
        assert!(Period::parse("2023-13").is_err());
        assert!(Period::parse("2023-00").is_err());
        assert!(Period::parse("2023-005").is_err());
    }

    #[test]
    fn custom_ranges() {
        let c = p("2023-01-01..2023-03-31");
        assert_eq!(
            (c.first, c.last, c.kind),
            (d(2023, 1, 1), d(2023, 3, 31), PeriodKind::Custom)
        );
        assert_eq!(c.label(), "2023年1月1日至2023年3月31日");
        assert_eq!(p(" 2023-01-01 .. 2023-01-01 ").first, d(2023, 1, 1));
        assert_eq!(
            Period::parse("2023-03-31..2023-01-01"),
            Err(PeriodError::Reversed {
                first: d(2023, 3, 31),
                last: d(2023, 1, 1)
            })
        );
        assert_eq!(
            Period::parse("2023-02-30..2023-03-01"),
            Err(PeriodError::NoSuchDate("2023-02-30".into()))
        );
        assert!(Period::parse("2023-01-01..").is_err());
        assert!(Period::parse("..2023-01-01").is_err());
        assert!(Period::parse("2023-01-01..2023-02-01..2023-03-01").is_err());
        assert!(Period::parse("20230101..20230301").is_err());
    }

    #[test]
    fn rejects_garbage() {
        for s in [
            "",
            "  ",
            "23",
            "20233",
            "0023",
            "１２３４",
            "2023年",
            "2023-",
            "-05",
            "H1",
            "2023HQ1",
            "2023Q1H1",
        ] {
            assert!(Period::parse(s).is_err(), "{s}");
        }
        assert_eq!(Period::parse(" "), Err(PeriodError::Empty));
    }

    #[test]
    fn contains_is_inclusive() {
        let h1 = p("2023H1");
        assert!(h1.contains(d(2023, 1, 1)));
        assert!(h1.contains(d(2023, 6, 30)));
        assert!(!h1.contains(d(2022, 12, 31)));
        assert!(!h1.contains(d(2023, 7, 1)));
    }

    #[test]
    fn code_round_trips() {
        for s in [
            "2023",
            "2023H1",
            "2023H2",
            "2023Q3",
            "2023-05",
            "2023-01-01..2023-03-31",
        ] {
            let period = p(s);
            assert_eq!(period.code(), s);
            assert_eq!(p(&period.code()), period);
        }
    }

    #[test]
    fn half_year_of_date() {
        assert_eq!(Period::half_year_of(d(2023, 6, 30)), Some(p("2023H1")));
        assert_eq!(Period::half_year_of(d(2023, 7, 1)), Some(p("2023H2")));
    }

    #[test]
    fn messages_name_the_field() {
        for s in [
            "",
            "2023H3",
            "2023-02-30..2023-03-01",
            "2023-03-31..2023-01-01",
        ] {
            let msg = Period::parse(s).unwrap_err().to_string();
            assert!(msg.starts_with("统计期间"), "{msg}");
        }
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC{0,30}") {
            let _ = Period::parse(&s);
        }

        #[test]
        fn months_cover_the_year_without_gaps(year in 1900i32..=9999) {
            let mut next = d(year, 1, 1);
            for m in 1..=12 {
                let period = Period::month(year, m).unwrap();
                prop_assert_eq!(period.first, next);
                next = period.last.succ_opt().unwrap();
            }
            prop_assert_eq!(next, d(year + 1, 1, 1));
        }
    }
}
