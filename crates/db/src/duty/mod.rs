//! Duty (值班值守): holiday calendar, rosters with the leader on duty, shift swaps, duty logs and zero reports.
//!
//! The days that need a leader on duty (带班领导) are the statutory holidays of the editable
//! calendar (`holiday_calendar`, seeded from `anjian_domain::calendar::ENTRIES`) and the key
//! periods (`campaign` rows of kind `key_period`) covering the roster's organisation. Zero reports
//! (零报告) are due from every unit for each key-period day.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::Serialize;

use anjian_domain::period::Period;

mod calendar;
mod log;
mod roster;
pub mod rotation;
mod shift_def;
mod swap;
mod today;

pub use calendar::{
    calendar_entries, create_entry, delete_entry, get_entry, holidays_between, update_entry,
    CalendarEntry, CalendarInput,
};
pub use log::{
    add_log, logs, missing_zero_reports, zero_report, zero_reports, DutyLog, LogInput, MissingZero,
    ZeroReport,
};
pub use roster::{
    create_roster, generate, get_roster, get_shift, list_rosters, publish, regenerate_input,
    required_days, shifts, update_shift, Roster, RosterFilter, RosterInput, Shift, ShiftInput,
};
pub use rotation::{parse_people, Person};
pub use shift_def::{shift_key, shift_label, ShiftDef, MAX_SHIFTS};
pub use swap::{decide_swap, get_swap, request_swap, swaps, Swap, SwapInput};
pub use today::{on_duty_at, on_duty_today, shift_start_instant, shift_state, OnDuty, ShiftState};

use crate::error::Result;
use crate::query::{Db, Q};
use crate::Ctx;

/// The materialised path of `org_id` (in scope, else NotFound) or of the caller's organisation;
/// the command line without an organisation covers the whole tree.
pub(crate) async fn subtree_path(db: &Db, ctx: &Ctx, org_id: Option<i64>) -> Result<String> {
    match org_id.or(ctx.org_id()) {
        Some(id) => {
            let (path,): (String,) = db
                .fetch_one(
                    &Q::new("SELECT path FROM org WHERE id = $1 AND path LIKE $2")
                        .bind(id)
                        .bind(ctx.scope_like()),
                )
                .await?;
            Ok(path)
        }
        None => Ok("/".to_string()),
    }
}

/// Days in `first..=last` inside an active key period that covers the organisation at `path`.
pub(crate) async fn key_period_days(
    db: &Db,
    path: &str,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<BTreeSet<NaiveDate>> {
    let mut q = Q::new(
        "SELECT c.start_date, c.end_date FROM campaign c JOIN org o ON o.id = c.org_id WHERE c.kind = 'key_period' AND c.active = ",
    );
    q.push_arg(true);
    q.push(" AND c.start_date <= ").push_arg(last);
    q.push(" AND c.end_date >= ").push_arg(first);
    crate::campaign::push_covers(&mut q, path);
    let rows: Vec<(NaiveDate, NaiveDate)> = db.fetch_all(&q).await?;
    let mut out = BTreeSet::new();
    for (s, e) in rows {
        let mut d = s.max(first);
        while d <= e.min(last) {
            out.insert(d);
            d = match d.succ_opt() {
                Some(n) => n,
                None => break,
            };
        }
    }
    Ok(out)
}

/// Duty figures of a period for the summary: key-period days, the ones without a leader on duty
/// in a published roster of the organisation, and the zero reports missed by its units.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct DutyFigures {
    /// Key-period days of the organisation in the period.
    pub key_period_days: i64,
    /// Of those, days with a leader on duty in a published roster.
    pub key_period_days_covered: i64,
    /// Zero reports due from units up to yesterday (or the period's end).
    pub zero_reports_due: i64,
    pub zero_reports_missed: i64,
}

pub(crate) async fn figures(
    db: &Db,
    ctx: &Ctx,
    period: &Period,
    path: &str,
) -> Result<DutyFigures> {
    let days = key_period_days(db, path, period.first, period.last).await?;
    let covered = leader_days(db, path, period.first, period.last).await?;
    let missing = log::missing_under(db, ctx, path, period.first, period.last).await?;
    Ok(DutyFigures {
        key_period_days: days.len() as i64,
        key_period_days_covered: days.iter().filter(|d| covered.contains(d)).count() as i64,
        zero_reports_due: missing.due,
        zero_reports_missed: missing.rows.len() as i64,
    })
}

/// Days with a leader on duty in a published roster of the organisation at `path` itself.
async fn leader_days(
    db: &Db,
    path: &str,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<BTreeSet<NaiveDate>> {
    let rows: Vec<(NaiveDate,)> = db
        .fetch_all(
            &Q::new(
                "SELECT DISTINCT s.duty_date FROM duty_shift s JOIN duty_roster r ON r.id = s.roster_id \
                 JOIN org o ON o.id = r.org_id WHERE o.path = $1 AND r.status = 'published' \
                 AND s.leader_name <> '' AND s.duty_date >= $2 AND s.duty_date <= $3",
            )
            .bind(path.to_string())
            .bind(first)
            .bind(last),
        )
        .await?;
    Ok(rows.into_iter().map(|(d,)| d).collect())
}
