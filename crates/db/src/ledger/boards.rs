//! The ledgers' boards: units overdue for a drill, quarters without a quarterly safety meeting,
//! units without a responsibility letter, people short of training hours.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use anjian_domain::ledger::{
    drill_overdue, quarters_begun, training_shortfall, DrillIntervals, TrainingMinimums,
};
use anjian_domain::period::Period;
use anjian_domain::role::{Permission, Role};

use super::stats::{below, orgs_by_id, scoped_path};
use crate::error::Result;
use crate::query::{Db, Q};
use crate::Ctx;

#[derive(Debug, Clone, Serialize)]
pub struct DrillBoardRow {
    pub org_id: i64,
    pub org_name: String,
    /// Last drill of a 综合 or 专项应急预案.
    pub last_plan: Option<NaiveDate>,
    /// Last drill of a 现场处置方案.
    pub last_onsite: Option<NaiveDate>,
    pub plan_overdue: bool,
    pub onsite_overdue: bool,
}

/// Units in scope and how long ago they last drilled, against the intervals of the settings
/// (by default 半年 for 现场处置方案, 一年 otherwise).
pub async fn drill_board(db: &Db, ctx: &Ctx, today: NaiveDate) -> Result<Vec<DrillBoardRow>> {
    ctx.require(Permission::LedgerView)?;
    let intervals = super::settings::rules(db).await?.drill;
    drill_board_with(db, ctx, today, intervals).await
}

/// `drill_board` against the intervals given.
pub async fn drill_board_with(
    db: &Db,
    ctx: &Ctx,
    today: NaiveDate,
    intervals: DrillIntervals,
) -> Result<Vec<DrillBoardRow>> {
    ctx.require(Permission::LedgerView)?;
    let mut q =
        Q::new("SELECT u.id, u.name, u.path FROM org u WHERE u.kind = 'unit' AND u.active = ");
    q.push_arg(true);
    q.push(" AND u.path LIKE ").push_arg(ctx.scope_like());
    q.push(" ORDER BY u.sort_order, u.path LIMIT 5000");
    let units: Vec<(i64, String, String)> = db.fetch_all(&q).await?;
    if units.is_empty() {
        return Ok(Vec::new());
    }
    // The last drill of each plan type per organisation; a unit's is the latest of its subtree.
    let mut q = Q::new(
        "SELECT e.org_id, e.plan_type, MAX(e.entry_date) FROM ledger_entry e JOIN org o ON o.id = e.org_id \
         WHERE e.kind = 'drill' AND e.deleted_at IS NULL \
         AND e.plan_type IN ('comprehensive', 'special', 'onsite') AND o.path LIKE ",
    );
    q.push_arg(ctx.scope_like());
    q.push(" GROUP BY e.org_id, e.plan_type");
    let rows: Vec<(i64, String, Option<NaiveDate>)> = db.fetch_all(&q).await?;
    let orgs = orgs_by_id(db, ctx).await?;
    let (onsite, plan): (Vec<_>, Vec<_>) = rows.into_iter().partition(|r| r.1 == "onsite");
    let onsite: Vec<(i64, Option<NaiveDate>)> = onsite.into_iter().map(|r| (r.0, r.2)).collect();
    let plan: Vec<(i64, Option<NaiveDate>)> = plan.into_iter().map(|r| (r.0, r.2)).collect();
    Ok(units
        .into_iter()
        .map(|(id, name, path)| {
            let plan = below(&orgs, &plan, &path).flatten().max().copied();
            let onsite = below(&orgs, &onsite, &path).flatten().max().copied();
            DrillBoardRow {
                org_id: id,
                org_name: name,
                last_plan: plan,
                last_onsite: onsite,
                plan_overdue: drill_overdue(plan, intervals.plan_months, today),
                onsite_overdue: drill_overdue(onsite, intervals.onsite_months, today),
            }
        })
        .collect())
}

#[derive(Debug, Clone, Serialize)]
pub struct MeetingBoardRow {
    pub org_id: i64,
    pub org_name: String,
    /// Quarterly safety meetings held in Q1–Q4.
    pub quarters: [i64; 4],
    /// Quarters that have begun and had none.
    pub missing: Vec<u32>,
}

/// The bureau and units in scope, with the 季度安全生产工作会议 each held per quarter of `year`.
/// The bureau counts only its own meetings; a unit counts those of its subtree.
pub async fn meeting_board(
    db: &Db,
    ctx: &Ctx,
    year: i32,
    today: NaiveDate,
) -> Result<Vec<MeetingBoardRow>> {
    ctx.require(Permission::LedgerView)?;
    let mut q = Q::new(
        "SELECT x.id, x.name, x.kind, x.path FROM org x WHERE x.kind IN ('bureau', 'unit') AND x.active = ",
    );
    q.push_arg(true);
    q.push(" AND x.path LIKE ").push_arg(ctx.scope_like());
    q.push(" ORDER BY x.path LIMIT 5000");
    let orgs: Vec<(i64, String, String, String)> = db.fetch_all(&q).await?;
    let quarters: Vec<Period> = (1..=4u32)
        .filter_map(|quarter| Period::quarter(year, quarter))
        .collect();
    // One pass over the year's quarterly meetings in scope, counted per organisation and quarter.
    let mut counts: Vec<(i64, [i64; 4])> = Vec::new();
    if let (false, Some(first), Some(last)) = (orgs.is_empty(), quarters.first(), quarters.last()) {
        let mut q = Q::new("SELECT e.org_id");
        for p in &quarters {
            q.push(", COUNT(CASE WHEN e.entry_date >= ")
                .push_arg(p.first)
                .push(" AND e.entry_date <= ")
                .push_arg(p.last)
                .push(" THEN 1 END)");
        }
        q.push(
            " FROM ledger_entry e JOIN org o ON o.id = e.org_id WHERE e.kind = 'meeting' \
             AND e.category = 'quarterly' AND e.deleted_at IS NULL AND e.entry_date >= ",
        )
        .push_arg(first.first)
        .push(" AND e.entry_date <= ")
        .push_arg(last.last);
        q.push(" AND o.path LIKE ").push_arg(ctx.scope_like());
        q.push(" GROUP BY e.org_id");
        type Row = (i64, i64, i64, i64, i64);
        counts = db
            .fetch_all::<Row>(&q)
            .await?
            .into_iter()
            .map(|(id, a, b, c, d)| (id, [a, b, c, d]))
            .collect();
    }
    let all = if counts.is_empty() {
        HashMap::new()
    } else {
        orgs_by_id(db, ctx).await?
    };
    let begun = quarters_begun(year, today);
    Ok(orgs
        .into_iter()
        .map(|(id, name, kind, path)| {
            let mut quarters = [0i64; 4];
            let mine: Vec<&[i64; 4]> = if kind == "bureau" {
                counts
                    .iter()
                    .filter(|(o, _)| *o == id)
                    .map(|(_, c)| c)
                    .collect()
            } else {
                below(&all, &counts, &path).collect()
            };
            for c in mine {
                for (total, n) in quarters.iter_mut().zip(c) {
                    *total += n;
                }
            }
            let missing = (1..=begun)
                .filter(|q| quarters[(*q - 1) as usize] == 0)
                .collect();
            MeetingBoardRow {
                org_id: id,
                org_name: name,
                quarters,
                missing,
            }
        })
        .collect())
}

#[derive(Debug, Clone, Serialize)]
pub struct LetterBoardRow {
    pub org_id: i64,
    pub org_name: String,
    /// The entry and signing date of the unit's letter for the year, if any.
    pub entry_id: Option<i64>,
    pub signed_on: Option<NaiveDate>,
}

/// A unit's letter for the year: its entry and signing date (both None without one).
type Letter = (Option<i64>, Option<NaiveDate>);

/// Units in scope and whether they signed a responsibility letter for `year`.
pub async fn letter_board(db: &Db, ctx: &Ctx, year: i32) -> Result<Vec<LetterBoardRow>> {
    ctx.require(Permission::LedgerView)?;
    let mut q =
        Q::new("SELECT u.id, u.name, u.path FROM org u WHERE u.kind = 'unit' AND u.active = ");
    q.push_arg(true);
    q.push(" AND u.path LIKE ").push_arg(ctx.scope_like());
    q.push(" ORDER BY u.sort_order, u.path LIMIT 5000");
    let units: Vec<(i64, String, String)> = db.fetch_all(&q).await?;
    if units.is_empty() {
        return Ok(Vec::new());
    }
    // The year's letters in scope, the first entry and signing date per organisation.
    let mut q = Q::new(
        "SELECT e.org_id, MIN(e.id), MIN(e.entry_date) FROM ledger_entry e JOIN org o ON o.id = e.org_id \
         WHERE e.kind = 'letter' AND e.deleted_at IS NULL AND e.year = ",
    );
    q.push_arg(i64::from(year));
    q.push(" AND o.path LIKE ").push_arg(ctx.scope_like());
    q.push(" GROUP BY e.org_id");
    let rows: Vec<(i64, Letter)> = db
        .fetch_all::<(i64, Option<i64>, Option<NaiveDate>)>(&q)
        .await?
        .into_iter()
        .map(|(org, id, date)| (org, (id, date)))
        .collect();
    let orgs = orgs_by_id(db, ctx).await?;
    Ok(units
        .into_iter()
        .map(|(id, name, path)| LetterBoardRow {
            org_id: id,
            org_name: name,
            entry_id: below(&orgs, &rows, &path).filter_map(|r| r.0).min(),
            signed_on: below(&orgs, &rows, &path).filter_map(|r| r.1).min(),
        })
        .collect())
}

#[derive(Debug, Clone, Serialize)]
pub struct PersonHours {
    pub user_id: i64,
    pub name: String,
    pub org_name: String,
    pub role: String,
    pub hours_tenths: i64,
    pub minimum_tenths: i64,
    pub shortfall_tenths: i64,
}

/// Training hours per person in `year` (trainings naming them as attendees) against the yearly
/// minimum of the settings for their role; people of the caller's scope, below `org_id`.
pub async fn training_hours(
    db: &Db,
    ctx: &Ctx,
    year: i32,
    org_id: Option<i64>,
) -> Result<Vec<PersonHours>> {
    ctx.require(Permission::LedgerView)?;
    let minimums = super::settings::rules(db).await?.training;
    training_hours_with(db, ctx, year, org_id, minimums).await
}

/// `training_hours` against the minimums given.
pub async fn training_hours_with(
    db: &Db,
    ctx: &Ctx,
    year: i32,
    org_id: Option<i64>,
    minimums: TrainingMinimums,
) -> Result<Vec<PersonHours>> {
    ctx.require(Permission::LedgerView)?;
    let Some(p) = Period::year(year) else {
        return Ok(Vec::new());
    };
    let mut q = Q::new(
        "SELECT u.id, u.name, o.name, u.role, (SELECT CAST(SUM(e.hours_tenths) AS BIGINT) FROM ledger_attendee a \
         JOIN ledger_entry e ON e.id = a.entry_id WHERE a.user_id = u.id AND e.kind = 'training' \
         AND e.deleted_at IS NULL AND e.entry_date >= ",
    );
    q.push_arg(p.first)
        .push(" AND e.entry_date <= ")
        .push_arg(p.last);
    q.push(") FROM app_user u JOIN org o ON o.id = u.org_id WHERE u.disabled = ")
        .push_arg(false);
    q.push(" AND u.role NOT IN ('system_admin', 'security_admin', 'audit_admin') AND o.path LIKE ")
        .push_arg(ctx.scope_like());
    if let Some(id) = org_id {
        let path = scoped_path(db, ctx, id).await?;
        q.push(" AND o.path LIKE ").push_arg(format!("{path}%"));
    }
    q.push(" ORDER BY o.path, u.name, u.id LIMIT 2000");
    type Row = (i64, String, String, String, Option<i64>);
    Ok(db
        .fetch_all::<Row>(&q)
        .await?
        .into_iter()
        .map(|(id, name, org_name, role, hours)| {
            let hours = hours.unwrap_or(0);
            let min = Role::from_code(&role)
                .map(|r| minimums.yearly_for(r))
                .unwrap_or(minimums.staff_yearly_tenths);
            PersonHours {
                user_id: id,
                name,
                org_name,
                role,
                hours_tenths: hours,
                minimum_tenths: min,
                shortfall_tenths: training_shortfall(hours, min),
            }
        })
        .collect())
}
