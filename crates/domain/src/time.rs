//! Time in Asia/Shanghai, where every date and deadline of the system is reckoned.
//!
//! Instants are stored in UTC; "today", deadlines and displayed times are Shanghai time. China has
//! used a single UTC+8 offset with no daylight saving time since 1991, and every date this system
//! handles is later than that, so a fixed offset is exact. It also spares us a time zone database
//! (chrono-tz), whose data would have to be kept current on an intranet server that may never update.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

const SHANGHAI_OFFSET_SECONDS: i32 = 8 * 3600;

/// Evaluated at compile time, so an impossible offset would fail the build, never a request.
const SHANGHAI: FixedOffset = match FixedOffset::east_opt(SHANGHAI_OFFSET_SECONDS) {
    Some(offset) => offset,
    None => panic!("UTC+8 is a valid offset"),
};

/// The Asia/Shanghai offset, UTC+8.
pub fn shanghai() -> FixedOffset {
    SHANGHAI
}

pub fn to_shanghai(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.with_timezone(&SHANGHAI)
}

/// An instant as shown on pages and in exports, in Shanghai time: `2023-05-01 08:30:05`.
pub fn format_instant(t: DateTime<Utc>) -> String {
    to_shanghai(t).format("%Y-%m-%d %H:%M:%S").to_string()
}

/// The calendar date in Shanghai at the instant `now`. Taken as a parameter rather than read from
/// the clock so callers and tests decide what "now" is.
pub fn today(now: DateTime<Utc>) -> NaiveDate {
    to_shanghai(now).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, s).single().unwrap()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn offset_is_plus_eight() {
        assert_eq!(shanghai().local_minus_utc(), 8 * 3600);
        assert_eq!(
            to_shanghai(utc(2023, 5, 1, 0, 0, 0)).to_rfc3339(),
            "2023-05-01T08:00:00+08:00"
        );
    }

    #[test]
    fn formats_in_shanghai_time() {
        assert_eq!(
            format_instant(utc(2023, 5, 1, 0, 30, 5)),
            "2023-05-01 08:30:05"
        );
        assert_eq!(
            format_instant(utc(2023, 4, 30, 16, 0, 0)),
            "2023-05-01 00:00:00"
        );
    }

    #[test]
    fn today_changes_at_shanghai_midnight() {
        // 16:00 UTC is midnight in Shanghai.
        assert_eq!(today(utc(2023, 6, 30, 15, 59, 59)), date(2023, 6, 30));
        assert_eq!(today(utc(2023, 6, 30, 16, 0, 0)), date(2023, 7, 1));
        // Early UTC morning is already the same day in Shanghai.
        assert_eq!(today(utc(2023, 7, 1, 0, 0, 0)), date(2023, 7, 1));
        // New year: the half-year and the year turn over at Shanghai midnight, not UTC midnight.
        assert_eq!(today(utc(2023, 12, 31, 15, 59, 59)), date(2023, 12, 31));
        assert_eq!(today(utc(2023, 12, 31, 16, 0, 0)), date(2024, 1, 1));
        // Leap day.
        assert_eq!(today(utc(2024, 2, 28, 16, 0, 0)), date(2024, 2, 29));
    }

    #[test]
    fn summer_has_no_daylight_saving() {
        assert_eq!(
            format_instant(utc(2023, 7, 15, 4, 0, 0)),
            "2023-07-15 12:00:00"
        );
        assert_eq!(
            format_instant(utc(2023, 1, 15, 4, 0, 0)),
            "2023-01-15 12:00:00"
        );
    }
}
