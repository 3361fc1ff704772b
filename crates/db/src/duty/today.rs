//! Who is on duty at an instant, for the home page, the duty overview and `GET /api/v1/duty/today`.
//!
//! Which shifts are shown at an instant `now` (Asia/Shanghai), per organisation of the caller:
//! - every shift of a published roster whose span `[start, start + hours)` contains `now` is
//!   *current*, whatever its duty date: 夜班 20:30 yesterday for 12 hours is still on duty at
//!   07:00 today and hands over at 08:30 (the handover instant belongs to the next shift);
//! - every shift of today (Shanghai date) that starts after `now` is *upcoming*, so the day's
//!   later shifts are known in advance;
//! - shifts that have ended are not shown: at 22:00 today's 白班 is over, only 夜班 is listed.
//!
//! Several shifts of one organisation may therefore be listed, current ones first, each with its
//! label, leader and officers.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;

use anjian_domain::role::Permission;

use super::rotation::{self, Person};
use super::shift_def::shift_label;
use crate::error::Result;
use crate::query::{Db, Q};
use crate::Ctx;

/// Where a shown shift stands at the instant asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ShiftState {
    /// Its span contains the instant: these people are on duty now.
    Current,
    /// A shift of today that has not started yet.
    Upcoming,
}

impl ShiftState {
    pub fn code(self) -> &'static str {
        match self {
            ShiftState::Current => "current",
            ShiftState::Upcoming => "upcoming",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            ShiftState::Current => "值班中",
            ShiftState::Upcoming => "未开始",
        }
    }
}

/// One shift shown as on duty now or later today, for one organisation.
#[derive(Debug, Clone, Serialize)]
pub struct OnDuty {
    pub org_id: i64,
    pub org_name: String,
    pub roster_id: i64,
    pub shift_id: i64,
    pub duty_date: NaiveDate,
    /// 白班, 夜班…; empty for the default single shift.
    pub shift_name: String,
    pub shift_start: String,
    pub shift_hours: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub state: ShiftState,
    pub leader_name: String,
    pub leader_phone: String,
    pub officers: Vec<Person>,
}

impl OnDuty {
    /// "白班 08:30 起 12 小时", or the times alone for an unnamed shift.
    pub fn label(&self) -> String {
        shift_label(&self.shift_name, &self.shift_start, self.shift_hours)
    }
    pub fn current(&self) -> bool {
        self.state == ShiftState::Current
    }
    /// The span in Shanghai time, "11-28 20:30 至 11-29 08:30": a night shift's two dates show
    /// which day's shift is still running.
    pub fn span_label(&self) -> String {
        let f = |t: DateTime<Utc>| {
            anjian_domain::time::to_shanghai(t)
                .format("%m-%d %H:%M")
                .to_string()
        };
        format!("{} 至 {}", f(self.starts_at), f(self.ends_at))
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    org_id: i64,
    org_name: String,
    roster_id: i64,
    shift_id: i64,
    duty_date: NaiveDate,
    shift_name: String,
    shift_start: String,
    shift_hours: i64,
    leader_name: String,
    leader_phone: String,
    officers: String,
}

/// The start instant of a shift (Shanghai time).
pub fn shift_start_instant(date: NaiveDate, start: &str) -> Option<DateTime<Utc>> {
    use chrono::TimeZone;
    let t = chrono::NaiveTime::parse_from_str(start, "%H:%M").ok()?;
    anjian_domain::time::shanghai()
        .from_local_datetime(&date.and_time(t))
        .single()
        .map(|t| t.with_timezone(&Utc))
}

/// The state at `now` of a shift of `duty_date` spanning `[begin, end)`, or None when it is not
/// shown (ended, or a later day's). See the module documentation for the rule.
pub fn shift_state(
    duty_date: NaiveDate,
    begin: DateTime<Utc>,
    end: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<ShiftState> {
    if begin <= now && now < end {
        Some(ShiftState::Current)
    } else if begin > now && duty_date == anjian_domain::time::today(now) {
        Some(ShiftState::Upcoming)
    } else {
        None
    }
}

/// The shifts on duty now and later today for the caller's organisation and the unit it belongs
/// to (a site user also sees the unit's roster). Empty when nothing is published.
pub async fn on_duty_today(db: &Db, ctx: &Ctx) -> Result<Vec<OnDuty>> {
    on_duty_at(db, ctx, crate::now()).await
}

/// `on_duty_today` at a given instant: the shifts current at `now` and today's later ones,
/// ordered by organisation, then start (current shifts come first).
pub async fn on_duty_at(db: &Db, ctx: &Ctx, now: DateTime<Utc>) -> Result<Vec<OnDuty>> {
    ctx.require(Permission::DutyView)?;
    let Some(org_id) = ctx.org_id() else {
        return Ok(Vec::new());
    };
    let today = anjian_domain::time::today(now);
    // A shift lasts at most 24 hours, so only yesterday's can still be running today.
    let yesterday = today.pred_opt().unwrap_or(today);
    let rows: Vec<Row> = db
        .fetch_all(
            &Q::new(
                "SELECT o.id AS org_id, o.name AS org_name, r.id AS roster_id, s.id AS shift_id, s.duty_date, \
                 s.shift_name, s.shift_start, s.shift_hours, s.leader_name, s.leader_phone, s.officers \
                 FROM duty_shift s JOIN duty_roster r ON r.id = s.roster_id JOIN org o ON o.id = r.org_id \
                 WHERE r.status = 'published' AND s.duty_date >= $1 AND s.duty_date <= $2 \
                 AND $3 LIKE o.path || '%' AND (o.id = $4 OR o.kind = 'unit') \
                 ORDER BY o.path, s.duty_date, s.shift_start, s.id",
            )
            .bind(yesterday)
            .bind(today)
            .bind(ctx.scope_path().to_string())
            .bind(org_id),
        )
        .await?;
    let mut out: Vec<OnDuty> = Vec::new();
    for r in rows {
        let Some(begin) = shift_start_instant(r.duty_date, &r.shift_start) else {
            continue;
        };
        let end = begin + Duration::hours(r.shift_hours);
        let Some(state) = shift_state(r.duty_date, begin, end, now) else {
            continue;
        };
        out.push(OnDuty {
            org_id: r.org_id,
            org_name: r.org_name,
            roster_id: r.roster_id,
            shift_id: r.shift_id,
            duty_date: r.duty_date,
            shift_name: r.shift_name,
            shift_start: r.shift_start,
            shift_hours: r.shift_hours,
            starts_at: begin,
            ends_at: end,
            state,
            leader_name: r.leader_name,
            leader_phone: r.leader_phone,
            officers: rotation::parse_people(&r.officers).unwrap_or_default(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: &str, hm: &str) -> DateTime<Utc> {
        shift_start_instant(day.parse().unwrap(), hm).unwrap()
    }

    fn state(day: &str, start: &str, hours: i64, now: DateTime<Utc>) -> Option<ShiftState> {
        let begin = at(day, start);
        shift_state(
            day.parse().unwrap(),
            begin,
            begin + Duration::hours(hours),
            now,
        )
    }

    #[test]
    fn yesterdays_night_shift_is_current_until_it_hands_over() {
        let seven = at("2023-03-07", "07:00");
        assert_eq!(
            state("2023-03-06", "20:30", 12, seven),
            Some(ShiftState::Current)
        );
        assert_eq!(state("2023-03-06", "08:30", 12, seven), None);
        assert_eq!(
            state("2023-03-07", "08:30", 12, seven),
            Some(ShiftState::Upcoming)
        );
        assert_eq!(
            state("2023-03-07", "20:30", 12, seven),
            Some(ShiftState::Upcoming)
        );
        // The handover instant belongs to the next shift.
        let handover = at("2023-03-07", "08:30");
        assert_eq!(state("2023-03-06", "20:30", 12, handover), None);
        assert_eq!(
            state("2023-03-07", "08:30", 12, handover),
            Some(ShiftState::Current)
        );
    }

    #[test]
    fn ended_shifts_and_tomorrows_are_not_shown() {
        let ten_pm = at("2023-03-07", "22:00");
        assert_eq!(state("2023-03-07", "08:30", 12, ten_pm), None);
        assert_eq!(
            state("2023-03-07", "20:30", 12, ten_pm),
            Some(ShiftState::Current)
        );
        assert_eq!(state("2023-03-08", "08:30", 12, ten_pm), None);
        // Midnight in Shanghai starts a new day: yesterday's night shift is current, not upcoming.
        let midnight = at("2023-03-08", "00:00");
        assert_eq!(
            state("2023-03-07", "20:30", 12, midnight),
            Some(ShiftState::Current)
        );
        assert_eq!(
            state("2023-03-08", "08:30", 12, midnight),
            Some(ShiftState::Upcoming)
        );
    }

    #[test]
    fn a_24_hour_shift_covers_the_next_morning() {
        let seven = at("2023-03-07", "07:00");
        assert_eq!(
            state("2023-03-06", "08:30", 24, seven),
            Some(ShiftState::Current)
        );
        assert_eq!(
            state("2023-03-07", "08:30", 24, seven),
            Some(ShiftState::Upcoming)
        );
    }
}
