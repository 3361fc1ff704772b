//! The holiday calendar duty rosters are planned on: statutory holidays (法定节假日) and adjusted
//! working days (调休上班日) as published each year by the General Office of the State Council
//! (国务院办公厅关于××年部分节假日安排的通知). These are the seed of an editable table: the bureau
//! corrects or extends it when a notice is published, so nothing here is a rule in code.

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Serialize;

/// What a day is, where it differs from the weekday/weekend pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// 放假 (a statutory holiday or a day off moved into the holiday).
    Holiday,
    /// 调休上班 (a weekend day worked in exchange).
    Workday,
}

/// One published entry: a range of days of one kind, with the holiday it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub first: (i32, u32, u32),
    pub last: (i32, u32, u32),
    pub kind: DayKind,
    /// 元旦, 春节, 清明节, 劳动节, 端午节, 中秋节, 国庆节.
    pub name: &'static str,
}

const fn off(first: (i32, u32, u32), last: (i32, u32, u32), name: &'static str) -> Entry {
    Entry {
        first,
        last,
        kind: DayKind::Holiday,
        name,
    }
}

const fn work(day: (i32, u32, u32), name: &'static str) -> Entry {
    Entry {
        first: day,
        last: day,
        kind: DayKind::Workday,
        name,
    }
}

/// A year's notice and whether its adjusted working days are known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct YearSource {
    pub year: i32,
    pub source: &'static str,
    /// False when only the statutory days are entered and the notice is still awaited.
    pub complete: bool,
}

pub const SOURCES: &[YearSource] = &[
    YearSource {
        year: 2023,
        source: "国务院办公厅关于2023年部分节假日安排的通知（国办发明电〔2022〕16号）",
        complete: true,
    },
    YearSource {
        year: 2024,
        source: "国务院办公厅关于2024年部分节假日安排的通知（国办发明电〔2023〕7号）",
        complete: true,
    },
    YearSource {
        year: 2025,
        source: "国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号）",
        complete: true,
    },
    YearSource {
        year: 2026,
        source: "国务院办公厅关于2026年部分节假日安排的通知（2025年发布；文号未核实）",
        complete: true,
    },
    YearSource {
        year: 2027,
        source: "《全国年节及纪念日放假办法》（2024年修订）规定的法定假日；2027年放假调休安排待国务院办公厅通知发布后补录",
        complete: false,
    },
];

/// The published arrangements, 2023–2027.
pub const ENTRIES: &[Entry] = &[
    // 2023
    off((2022, 12, 31), (2023, 1, 2), "元旦"),
    off((2023, 1, 21), (2023, 1, 27), "春节"),
    work((2023, 1, 28), "春节"),
    work((2023, 1, 29), "春节"),
    off((2023, 4, 5), (2023, 4, 5), "清明节"),
    off((2023, 4, 29), (2023, 5, 3), "劳动节"),
    work((2023, 4, 23), "劳动节"),
    work((2023, 5, 6), "劳动节"),
    off((2023, 6, 22), (2023, 6, 24), "端午节"),
    work((2023, 6, 25), "端午节"),
    off((2023, 9, 29), (2023, 10, 6), "中秋节、国庆节"),
    work((2023, 10, 7), "中秋节、国庆节"),
    work((2023, 10, 8), "中秋节、国庆节"),
    // 2024
    off((2023, 12, 30), (2024, 1, 1), "元旦"),
    off((2024, 2, 10), (2024, 2, 17), "春节"),
    work((2024, 2, 4), "春节"),
    work((2024, 2, 18), "春节"),
    off((2024, 4, 4), (2024, 4, 6), "清明节"),
    work((2024, 4, 7), "清明节"),
    off((2024, 5, 1), (2024, 5, 5), "劳动节"),
    work((2024, 4, 28), "劳动节"),
    work((2024, 5, 11), "劳动节"),
    off((2024, 6, 8), (2024, 6, 10), "端午节"),
    off((2024, 9, 15), (2024, 9, 17), "中秋节"),
    work((2024, 9, 14), "中秋节"),
    off((2024, 10, 1), (2024, 10, 7), "国庆节"),
    work((2024, 9, 29), "国庆节"),
    work((2024, 10, 12), "国庆节"),
    // 2025
    off((2025, 1, 1), (2025, 1, 1), "元旦"),
    off((2025, 1, 28), (2025, 2, 4), "春节"),
    work((2025, 1, 26), "春节"),
    work((2025, 2, 8), "春节"),
    off((2025, 4, 4), (2025, 4, 6), "清明节"),
    off((2025, 5, 1), (2025, 5, 5), "劳动节"),
    work((2025, 4, 27), "劳动节"),
    off((2025, 5, 31), (2025, 6, 2), "端午节"),
    off((2025, 10, 1), (2025, 10, 8), "国庆节、中秋节"),
    work((2025, 9, 28), "国庆节、中秋节"),
    work((2025, 10, 11), "国庆节、中秋节"),
    // 2026
    off((2026, 1, 1), (2026, 1, 3), "元旦"),
    work((2026, 1, 4), "元旦"),
    off((2026, 2, 15), (2026, 2, 23), "春节"),
    work((2026, 2, 14), "春节"),
    work((2026, 2, 28), "春节"),
    off((2026, 4, 4), (2026, 4, 6), "清明节"),
    off((2026, 5, 1), (2026, 5, 5), "劳动节"),
    work((2026, 5, 9), "劳动节"),
    off((2026, 6, 19), (2026, 6, 21), "端午节"),
    off((2026, 9, 25), (2026, 9, 27), "中秋节"),
    off((2026, 10, 1), (2026, 10, 7), "国庆节"),
    work((2026, 9, 20), "国庆节"),
    work((2026, 10, 10), "国庆节"),
    // 2027: statutory days only (春节 = 除夕 2027-02-05 and 初一至初三).
    off((2027, 1, 1), (2027, 1, 1), "元旦"),
    off((2027, 2, 5), (2027, 2, 8), "春节"),
    off((2027, 4, 5), (2027, 4, 5), "清明节"),
    off((2027, 5, 1), (2027, 5, 2), "劳动节"),
    off((2027, 6, 9), (2027, 6, 9), "端午节"),
    off((2027, 9, 15), (2027, 9, 15), "中秋节"),
    off((2027, 10, 1), (2027, 10, 3), "国庆节"),
];

fn date((y, m, d): (i32, u32, u32)) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

impl Entry {
    pub fn first_date(&self) -> NaiveDate {
        date(self.first)
    }

    pub fn last_date(&self) -> NaiveDate {
        date(self.last)
    }

    pub fn contains(&self, d: NaiveDate) -> bool {
        self.first_date() <= d && d <= self.last_date()
    }
}

/// A calendar over a set of entries (the seed above, or the bureau's edited table).
pub struct Calendar<'a> {
    pub entries: &'a [Entry],
}

impl Calendar<'static> {
    pub fn seed() -> Calendar<'static> {
        Calendar { entries: ENTRIES }
    }
}

impl Calendar<'_> {
    /// The published entry covering the day, if any.
    pub fn entry(&self, d: NaiveDate) -> Option<&Entry> {
        self.entries.iter().find(|e| e.contains(d))
    }

    /// Whether people are off work that day: a holiday, or a weekend day not worked in exchange.
    pub fn is_day_off(&self, d: NaiveDate) -> bool {
        match self.entry(d).map(|e| e.kind) {
            Some(DayKind::Holiday) => true,
            Some(DayKind::Workday) => false,
            None => matches!(d.weekday(), Weekday::Sat | Weekday::Sun),
        }
    }

    /// Whether the day lies in a statutory holiday period (the days a holiday roster covers).
    pub fn is_holiday(&self, d: NaiveDate) -> bool {
        self.entry(d).is_some_and(|e| e.kind == DayKind::Holiday)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn entries_are_valid_ordered_ranges_without_overlap() {
        for e in ENTRIES {
            assert!(NaiveDate::from_ymd_opt(e.first.0, e.first.1, e.first.2).is_some());
            assert!(NaiveDate::from_ymd_opt(e.last.0, e.last.1, e.last.2).is_some());
            assert!(e.first_date() <= e.last_date(), "{e:?}");
            if e.kind == DayKind::Workday {
                // An adjusted working day is always a weekend day.
                assert!(
                    matches!(e.first_date().weekday(), Weekday::Sat | Weekday::Sun),
                    "{e:?}"
                );
            }
        }
        for (i, a) in ENTRIES.iter().enumerate() {
            for b in &ENTRIES[i + 1..] {
                assert!(
                    a.last_date() < b.first_date() || b.last_date() < a.first_date(),
                    "{a:?} overlaps {b:?}"
                );
            }
        }
        for y in 2023..=2027 {
            assert!(SOURCES.iter().any(|s| s.year == y));
        }
    }

    #[test]
    fn the_2023_spring_festival_week_with_its_adjusted_weekend() {
        let c = Calendar::seed();
        // 2023-01-21 (Saturday, 除夕) to 01-27 off; Saturday 28 and Sunday 29 worked.
        for day in 21..=27 {
            assert!(c.is_day_off(d(2023, 1, day)), "1月{day}日");
            assert!(c.is_holiday(d(2023, 1, day)));
        }
        assert!(!c.is_day_off(d(2023, 1, 28)));
        assert!(!c.is_day_off(d(2023, 1, 29)));
        assert!(!c.is_day_off(d(2023, 1, 30)), "an ordinary Monday");
        assert!(c.is_day_off(d(2023, 2, 4)), "an ordinary Saturday");
        assert_eq!(c.entry(d(2023, 1, 24)).unwrap().name, "春节");
    }
}
