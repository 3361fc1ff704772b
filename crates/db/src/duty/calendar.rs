//! The editable holiday calendar (法定节假日 and 调休上班日). Seeded by migration 0008 from
//! `anjian_domain::calendar::ENTRIES`; the bureau corrects or extends it (DutySettings) when the
//! State Council publishes a year's notice.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use anjian_domain::role::Permission;

use crate::audit::{self, Change};
use crate::checklist::fields::{date_field, stale, text_field};
use crate::error::{DbError, FieldErrors, Result};
use crate::query::{Db, Tx, Q};
use crate::Ctx;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CalendarEntry {
    pub id: i64,
    pub first_date: NaiveDate,
    pub last_date: NaiveDate,
    /// `holiday` 放假 or `workday` 调休上班.
    pub kind: String,
    pub name: String,
    pub year: i64,
    pub note: String,
    pub row_version: i64,
    pub updated_at: Option<DateTime<Utc>>,
}

impl CalendarEntry {
    pub fn kind_label(&self) -> &'static str {
        if self.kind == "holiday" {
            "放假"
        } else {
            "调休上班"
        }
    }
    pub fn days(&self) -> i64 {
        (self.last_date - self.first_date).num_days() + 1
    }
}

const COLS: &str =
    "id, first_date, last_date, kind, name, year, note, row_version, updated_at FROM holiday_calendar";

/// The entries of a year (all years when None), in date order.
pub async fn calendar_entries(db: &Db, ctx: &Ctx, year: Option<i32>) -> Result<Vec<CalendarEntry>> {
    ctx.require(Permission::DutyView)?;
    let mut q = Q::new(&format!("SELECT {COLS} WHERE 1 = 1"));
    if let Some(y) = year {
        q.push(" AND year = ").push_arg(i64::from(y));
    }
    q.push(" ORDER BY first_date, id");
    db.fetch_all(&q).await
}

/// Holiday days (放假) between two dates inclusive.
pub async fn holidays_between(
    db: &Db,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<BTreeSet<NaiveDate>> {
    let rows: Vec<(NaiveDate, NaiveDate)> = db
        .fetch_all(
            &Q::new(
                "SELECT first_date, last_date FROM holiday_calendar WHERE kind = 'holiday' \
                 AND first_date <= $1 AND last_date >= $2",
            )
            .bind(last)
            .bind(first),
        )
        .await?;
    let mut out = BTreeSet::new();
    for (s, e) in rows {
        let mut d = s.max(first);
        while d <= e.min(last) {
            out.insert(d);
            match d.succ_opt() {
                Some(n) => d = n,
                None => break,
            }
        }
    }
    Ok(out)
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct CalendarInput {
    pub first_date: String,
    pub last_date: String,
    /// `holiday` or `workday`.
    pub kind: String,
    pub name: String,
    pub note: String,
}

struct Valid {
    first: NaiveDate,
    last: NaiveDate,
    kind: &'static str,
    name: String,
    note: String,
}

impl CalendarInput {
    fn parse(&self) -> Result<Valid> {
        let mut errs = FieldErrors::new();
        let first = date_field(&mut errs, "first_date", "开始日期", &self.first_date);
        let last = date_field(&mut errs, "last_date", "结束日期", &self.last_date);
        if let (Some(f), Some(l)) = (first, last) {
            if l < f {
                errs.add("last_date", "结束日期不能早于开始日期");
            } else if (l - f).num_days() > 30 {
                errs.add("last_date", "一条记录最长31天");
            }
        }
        let kind = match self.kind.trim() {
            "holiday" | "放假" => Some("holiday"),
            "workday" | "调休上班" => Some("workday"),
            _ => {
                errs.add("kind", "类型应为 放假 或 调休上班");
                None
            }
        };
        let name = text_field(&mut errs, "name", "节日名称", &self.name, true, 30);
        let note = text_field(&mut errs, "note", "说明", &self.note, false, 200);
        errs.into_result()?;
        match (first, last, kind) {
            (Some(first), Some(last), Some(kind)) => Ok(Valid {
                first,
                last,
                kind,
                name,
                note,
            }),
            _ => Err(DbError::invalid("kind", "类型无效")),
        }
    }
}

/// One entry by id (the calendar is the whole province's, not an organisation's).
pub async fn get_entry(db: &Db, ctx: &Ctx, id: i64) -> Result<CalendarEntry> {
    ctx.require(Permission::DutyView)?;
    db.fetch_one(&Q::new(&format!("SELECT {COLS} WHERE id = $1")).bind(id))
        .await
}

async fn reload(tx: &mut Tx, id: i64) -> Result<CalendarEntry> {
    tx.fetch_one(&Q::new(&format!("SELECT {COLS} WHERE id = $1")).bind(id))
        .await
}

async fn overlaps(tx: &mut Tx, v: &Valid, except: i64) -> Result<()> {
    let hit: Option<(i64,)> = tx
        .fetch_optional(
            &Q::new(
                "SELECT id FROM holiday_calendar WHERE first_date <= $1 AND last_date >= $2 AND id <> $3",
            )
            .bind(v.last)
            .bind(v.first)
            .bind(except),
        )
        .await?;
    if hit.is_some() {
        return Err(DbError::invalid("first_date", "与已有的日历记录日期重叠"));
    }
    Ok(())
}

pub async fn create_entry(db: &Db, ctx: &Ctx, input: &CalendarInput) -> Result<CalendarEntry> {
    ctx.require(Permission::DutySettings)?;
    let v = input.parse()?;
    let mut tx = db.begin().await?;
    overlaps(&mut tx, &v, 0).await?;
    let (id,): (i64,) = tx
        .fetch_one(
            &Q::new(
                "INSERT INTO holiday_calendar (first_date, last_date, kind, name, year, note, row_version, updated_at, \
                 updated_by) VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8) RETURNING id",
            )
            .bind(v.first)
            .bind(v.last)
            .bind(v.kind)
            .bind(v.name.clone())
            .bind(i64::from(v.last.year()))
            .bind(v.note.clone())
            .bind(crate::now())
            .bind(ctx.user_id()),
        )
        .await?;
    let after = reload(&mut tx, id).await?;
    audit::record(
        &mut tx,
        ctx,
        Change::new("holiday_calendar", id, "create").after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn update_entry(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    input: &CalendarInput,
    row_version: i64,
) -> Result<CalendarEntry> {
    ctx.require(Permission::DutySettings)?;
    let mut tx = db.begin().await?;
    let before = reload(&mut tx, id).await?;
    let v = input.parse()?;
    overlaps(&mut tx, &v, id).await?;
    let n = tx
        .execute(
            &Q::new(
                "UPDATE holiday_calendar SET first_date = $1, last_date = $2, kind = $3, name = $4, year = $5, \
                 note = $6, row_version = row_version + 1, updated_at = $7, updated_by = $8 \
                 WHERE id = $9 AND row_version = $10",
            )
            .bind(v.first)
            .bind(v.last)
            .bind(v.kind)
            .bind(v.name)
            .bind(i64::from(v.last.year()))
            .bind(v.note)
            .bind(crate::now())
            .bind(ctx.user_id())
            .bind(id)
            .bind(row_version),
        )
        .await?;
    if n == 0 {
        return Err(stale());
    }
    let after = reload(&mut tx, id).await?;
    audit::record(
        &mut tx,
        ctx,
        Change::new("holiday_calendar", id, "update")
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Deletes an entry as it was when shown (`row_version`): a deletion based on a stale view would
/// remove a correction someone saved meanwhile.
pub async fn delete_entry(db: &Db, ctx: &Ctx, id: i64, row_version: i64) -> Result<()> {
    ctx.require(Permission::DutySettings)?;
    let mut tx = db.begin().await?;
    let before = reload(&mut tx, id).await?;
    let n = tx
        .execute(
            &Q::new("DELETE FROM holiday_calendar WHERE id = $1 AND row_version = $2")
                .bind(id)
                .bind(row_version),
        )
        .await?;
    if n == 0 {
        return Err(stale());
    }
    audit::record(
        &mut tx,
        ctx,
        Change::new("holiday_calendar", id, "delete").before(&before),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
