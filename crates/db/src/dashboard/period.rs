//! Which period the dashboard shows and the two periods it is compared with: 同比 (the same
//! period one year earlier) and 环比 (the period of the same length right before it).
//!
//! While the period is still running, both comparisons cover only as many days as have passed
//! (去年同期 / 上期同期): the current figures can only hold records up to today, and comparing
//! five months of this half-year with six months of the last would make every figure look like a
//! fall.

use chrono::{Datelike, Days, Months, NaiveDate};

use anjian_domain::period::{Period, PeriodError, PeriodKind};

/// The quick choices of the page: the period of each length that contains today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selector {
    Month,
    Quarter,
    HalfYear,
    Year,
}

impl Selector {
    pub const ALL: [Selector; 4] = [
        Selector::Month,
        Selector::Quarter,
        Selector::HalfYear,
        Selector::Year,
    ];

    /// The word that travels in `?period=`.
    pub fn code(self) -> &'static str {
        match self {
            Selector::Month => "month",
            Selector::Quarter => "quarter",
            Selector::HalfYear => "half",
            Selector::Year => "year",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Selector::Month => "本月",
            Selector::Quarter => "本季度",
            Selector::HalfYear => "本半年",
            Selector::Year => "本年",
        }
    }

    pub fn from_code(s: &str) -> Option<Selector> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    /// The period of this length containing `today`.
    pub fn period_of(self, today: NaiveDate) -> Period {
        let y = today.year();
        let p = match self {
            Selector::Month => Period::month(y, today.month()),
            Selector::Quarter => Period::quarter(y, today.month0() / 3 + 1),
            Selector::HalfYear => Period::half_year_of(today),
            Selector::Year => Period::year(y),
        };
        // Only a year outside 1900..=9999 has no period; a clock that far off still gets a page.
        p.unwrap_or(Period {
            first: today,
            last: today,
            kind: PeriodKind::Custom,
        })
    }

    /// The selector whose current period is `p`, if any (to mark the chosen button).
    pub fn matching(p: &Period, today: NaiveDate) -> Option<Selector> {
        Self::ALL.into_iter().find(|s| s.period_of(today) == *p)
    }
}

/// `?period=`: empty is the current half-year (what the summary report is written for), a
/// selector word is the current period of that length, anything else a period code
/// (2023H1, 2023Q2, 2023-05, 2023, 2023-01-01..2023-03-31).
pub fn resolve(input: &str, today: NaiveDate) -> Result<Period, PeriodError> {
    let s = input.trim();
    if s.is_empty() {
        return Ok(Selector::HalfYear.period_of(today));
    }
    match Selector::from_code(s) {
        Some(sel) => Ok(sel.period_of(today)),
        None => Period::parse(s),
    }
}

/// The shown period and the two it is compared with.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Comparison {
    pub current: Period,
    /// The period is running: its figures reach up to this day, and so do the comparisons'.
    pub through: Option<NaiveDate>,
    /// 同比.
    pub year_ago: Period,
    /// 环比.
    pub preceding: Period,
}

fn minus_months(d: NaiveDate, n: u32) -> NaiveDate {
    // Only dates near the start of the calendar have no earlier month; keep them as they are.
    d.checked_sub_months(Months::new(n)).unwrap_or(d)
}

/// The same period one year earlier. Month ends stay month ends (2024-02-29 → 2023-02-28).
pub fn year_ago(p: &Period) -> Period {
    Period {
        first: minus_months(p.first, 12),
        last: last_of_shift(p, 12),
        kind: p.kind,
    }
}

/// `p.last` moved back `n` months, kept at the month's end when it was one.
fn last_of_shift(p: &Period, n: u32) -> NaiveDate {
    let moved = minus_months(p.last, n);
    if is_month_end(p.last) {
        month_end(moved)
    } else {
        moved
    }
}

fn is_month_end(d: NaiveDate) -> bool {
    d.checked_add_days(Days::new(1))
        .is_none_or(|next| next.month() != d.month())
}

fn month_end(d: NaiveDate) -> NaiveDate {
    let first_next = d
        .with_day(1)
        .and_then(|f| f.checked_add_months(Months::new(1)));
    first_next.and_then(|f| f.pred_opt()).unwrap_or(d)
}

/// The period of the same length ending the day before `p` begins: the previous month, quarter,
/// half-year or year, or for a custom range the same number of days.
pub fn preceding(p: &Period) -> Period {
    let months = match p.kind {
        PeriodKind::Month => Some(1),
        PeriodKind::Quarter => Some(3),
        PeriodKind::HalfYear => Some(6),
        PeriodKind::Year => Some(12),
        PeriodKind::Custom => None,
    };
    let last = p.first.pred_opt().unwrap_or(p.first);
    match months {
        Some(n) => Period {
            first: minus_months(p.first, n),
            last,
            kind: p.kind,
        },
        None => {
            let days = (p.last - p.first).num_days().max(0) as u64 + 1;
            Period {
                first: p.first.checked_sub_days(Days::new(days)).unwrap_or(p.first),
                last,
                kind: PeriodKind::Custom,
            }
        }
    }
}

/// `q` cut to end on `end` (never longer than it is).
fn cut(q: &Period, end: NaiveDate) -> Period {
    if end >= q.last {
        return *q;
    }
    Period {
        first: q.first,
        last: end,
        kind: PeriodKind::Custom,
    }
}

/// The comparisons of `p` as of `today`.
pub fn comparison(p: &Period, today: NaiveDate) -> Comparison {
    let (year_ago, preceding) = (year_ago(p), preceding(p));
    if p.first <= today && today < p.last {
        // 同比 on the calendar (1 Jan–28 Nov against 1 Jan–28 Nov), 环比 by the number of days
        // passed, since the preceding period's months differ in length.
        let elapsed = (today - p.first).num_days().max(0) as u64;
        let same_day = preceding
            .first
            .checked_add_days(Days::new(elapsed))
            .unwrap_or(preceding.last);
        Comparison {
            current: *p,
            through: Some(today),
            year_ago: cut(&year_ago, minus_months(today, 12)),
            preceding: cut(&preceding, same_day),
        }
    } else {
        Comparison {
            current: *p,
            through: None,
            year_ago,
            preceding,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn p(code: &str) -> Period {
        Period::parse(code).unwrap()
    }

    #[test]
    fn selectors_pick_the_period_containing_today() {
        let today = d("2026-11-28");
        assert_eq!(Selector::Month.period_of(today).code(), "2026-11");
        assert_eq!(Selector::Quarter.period_of(today).code(), "2026Q4");
        assert_eq!(Selector::HalfYear.period_of(today).code(), "2026H2");
        assert_eq!(Selector::Year.period_of(today).code(), "2026");
        assert_eq!(
            Selector::Quarter.period_of(d("2026-03-31")).code(),
            "2026Q1"
        );
        assert_eq!(
            Selector::matching(&p("2026Q4"), today),
            Some(Selector::Quarter)
        );
        assert_eq!(Selector::matching(&p("2026Q3"), today), None);
    }

    #[test]
    fn the_parameter_reads_words_codes_or_nothing() {
        let today = d("2026-05-02");
        assert_eq!(resolve("", today).unwrap().code(), "2026H1");
        assert_eq!(resolve(" quarter ", today).unwrap().code(), "2026Q2");
        assert_eq!(resolve("2023H1", today).unwrap().code(), "2023H1");
        assert!(matches!(
            resolve("2023H3", today),
            Err(PeriodError::Format(_))
        ));
        assert!(resolve("week", today).is_err());
    }

    #[test]
    fn a_year_ago_keeps_kind_and_month_ends() {
        assert_eq!(year_ago(&p("2024-02")).code(), "2023-02");
        assert_eq!(year_ago(&p("2024-02")).last, d("2023-02-28"));
        assert_eq!(year_ago(&p("2023-02")).last, d("2022-02-28"));
        assert_eq!(year_ago(&p("2025H2")).code(), "2024H2");
        assert_eq!(year_ago(&p("2025Q1")).code(), "2024Q1");
        assert_eq!(year_ago(&p("2025")).code(), "2024");
        assert_eq!(
            year_ago(&p("2024-03-10..2024-04-09")).code(),
            "2023-03-10..2023-04-09"
        );
    }

    #[test]
    fn the_preceding_period_has_the_same_length() {
        assert_eq!(preceding(&p("2025-03")).code(), "2025-02");
        assert_eq!(preceding(&p("2025-01")).code(), "2024-12");
        assert_eq!(preceding(&p("2025Q1")).code(), "2024Q4");
        assert_eq!(preceding(&p("2025H1")).code(), "2024H2");
        assert_eq!(preceding(&p("2025H2")).code(), "2025H1");
        assert_eq!(preceding(&p("2025")).code(), "2024");
        // Ten days before a ten-day range.
        assert_eq!(
            preceding(&p("2025-03-11..2025-03-20")).code(),
            "2025-03-01..2025-03-10"
        );
    }

    #[test]
    fn a_running_period_is_compared_day_for_day() {
        let c = comparison(&p("2026H2"), d("2026-11-28"));
        assert_eq!(c.through, Some(d("2026-11-28")));
        assert_eq!(c.year_ago.code(), "2025-07-01..2025-11-28");
        // 150 days after 1 July; 150 days after 1 January.
        assert_eq!(c.preceding.code(), "2026-01-01..2026-05-31");
        // A leap year's 29 February against 28 February.
        let c = comparison(&p("2024"), d("2024-02-29"));
        assert_eq!(c.year_ago.code(), "2023-01-01..2023-02-28");
        // The first day of a month: one day against one day.
        let c = comparison(&p("2026-03"), d("2026-03-01"));
        assert_eq!(c.year_ago.code(), "2025-03-01..2025-03-01");
        assert_eq!(c.preceding.code(), "2026-02-01..2026-02-01");
        // March 31 running against a 28-day February: all of February.
        let c = comparison(&p("2026-03"), d("2026-03-30"));
        assert_eq!(c.preceding.code(), "2026-02");
    }

    #[test]
    fn a_finished_or_future_period_is_compared_whole() {
        let c = comparison(&p("2023H1"), d("2026-11-28"));
        assert_eq!(c.through, None);
        assert_eq!(
            (c.year_ago.code(), c.preceding.code()),
            ("2022H1".to_string(), "2022H2".to_string())
        );
        // The last day of the period: nothing is left out any more.
        let c = comparison(&p("2026-11"), d("2026-11-30"));
        assert_eq!(c.through, None);
        assert_eq!(c.year_ago.code(), "2025-11");
        let c = comparison(&p("2027"), d("2026-11-28"));
        assert_eq!(c.year_ago.code(), "2026");
    }
}
