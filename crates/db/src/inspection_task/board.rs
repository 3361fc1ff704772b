//! The completion board of a task: per assigned unit, whether and when it submitted. A unit has
//! submitted when an inspection carrying the task id was recorded for the unit or a site below
//! it; the date that counts is the earliest such inspection's date (inspected_on — the day the
//! check was done, which may be entered later from a warehouse without signal).

use chrono::NaiveDate;
use serde::Serialize;

use super::TaskRow;
use crate::error::Result;
use crate::query::{Db, Q};
use crate::Ctx;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitStatus {
    /// Submitted on or before the due date.
    OnTime,
    /// Submitted after the due date.
    Late,
    /// Not submitted, due date not yet passed.
    Pending,
    /// Not submitted and the due date has passed.
    Overdue,
}

impl UnitStatus {
    pub fn label(self) -> &'static str {
        match self {
            UnitStatus::OnTime => "已提交（按时）",
            UnitStatus::Late => "已提交（逾期）",
            UnitStatus::Pending => "未提交",
            UnitStatus::Overdue => "已逾期",
        }
    }
    /// The tag class the pages colour it with.
    pub fn tone(self) -> &'static str {
        match self {
            UnitStatus::OnTime => "ok",
            UnitStatus::Late => "warning",
            UnitStatus::Pending => "",
            UnitStatus::Overdue => "danger",
        }
    }
    pub fn submitted(self) -> bool {
        matches!(self, UnitStatus::OnTime | UnitStatus::Late)
    }

    /// The status on `today` (Shanghai) of a unit whose first submission was `first_on`.
    pub fn of(first_on: Option<NaiveDate>, due: NaiveDate, today: NaiveDate) -> UnitStatus {
        match first_on {
            Some(d) if d <= due => UnitStatus::OnTime,
            Some(_) => UnitStatus::Late,
            None if today > due => UnitStatus::Overdue,
            None => UnitStatus::Pending,
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct RawRow {
    org_id: i64,
    name: String,
    first_on: Option<NaiveDate>,
    first_inspection_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BoardRow {
    pub org_id: i64,
    pub name: String,
    /// Date of the first inspection carrying the task for this unit.
    pub first_on: Option<NaiveDate>,
    pub first_inspection_id: Option<i64>,
    pub status: UnitStatus,
}

#[derive(Debug, Clone, Serialize)]
pub struct Board {
    pub rows: Vec<BoardRow>,
    pub assigned: usize,
    pub submitted: usize,
    pub on_time: usize,
    pub late: usize,
    pub pending: usize,
    pub overdue: usize,
}

/// The task and its board as the caller may see it: all assigned units for the issuer, only
/// their own unit for a unit user. `today` is the Shanghai date the statuses are judged on.
pub async fn board(db: &Db, ctx: &Ctx, id: i64, today: NaiveDate) -> Result<(TaskRow, Board)> {
    let task = super::get(db, ctx, id).await?;
    let raw: Vec<RawRow> = db
        .fetch_all(
            &Q::new(
                "SELECT u.id AS org_id, u.name, \
                 (SELECT MIN(i.inspected_on) FROM inspection i JOIN org io ON io.id = i.org_id \
                  WHERE i.task_id = $1 AND i.deleted_at IS NULL AND io.path LIKE u.path || '%') AS first_on, \
                 (SELECT i.id FROM inspection i JOIN org io ON io.id = i.org_id \
                  WHERE i.task_id = $1 AND i.deleted_at IS NULL AND io.path LIKE u.path || '%' \
                  ORDER BY i.inspected_on, i.id LIMIT 1) AS first_inspection_id \
                 FROM inspection_task_org a JOIN org u ON u.id = a.org_id \
                 WHERE a.task_id = $1 AND (u.path LIKE $2 OR $3 LIKE u.path || '%') \
                 ORDER BY u.sort_order, u.path",
            )
            .bind(id)
            .bind(ctx.scope_like())
            .bind(ctx.scope_path().to_string()),
        )
        .await?;
    let due = task.task.due_date;
    let rows: Vec<BoardRow> = raw
        .into_iter()
        .map(|r| BoardRow {
            status: UnitStatus::of(r.first_on, due, today),
            org_id: r.org_id,
            name: r.name,
            first_on: r.first_on,
            first_inspection_id: r.first_inspection_id,
        })
        .collect();
    let count = |s: UnitStatus| rows.iter().filter(|r| r.status == s).count();
    let board = Board {
        assigned: rows.len(),
        submitted: rows.iter().filter(|r| r.status.submitted()).count(),
        on_time: count(UnitStatus::OnTime),
        late: count(UnitStatus::Late),
        pending: count(UnitStatus::Pending),
        overdue: count(UnitStatus::Overdue),
        rows,
    };
    Ok((task, board))
}
