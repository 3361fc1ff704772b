//! The duty log (值班日志): entries during a shift (time, event, handling, who was told), handover
//! notes (交接班), and the daily zero report (零报告) each unit sends during key periods. A zero
//! report is missed when a key-period day ended without one; the bureau sees the list.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use anjian_domain::role::Permission;

use crate::audit::{self, Change};
use crate::checklist::fields::{date_field, text_field};
use crate::error::{DbError, FieldErrors, Result};
use crate::query::{Db, Q};
use crate::Ctx;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct DutyLog {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub duty_date: NaiveDate,
    pub kind: String,
    pub logged_at: DateTime<Utc>,
    pub event: String,
    pub handling: String,
    pub notified: String,
    pub recorder_name: String,
}

impl DutyLog {
    pub fn kind_label(&self) -> &'static str {
        if self.kind == "handover" {
            "交接班"
        } else {
            "值班记录"
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct LogInput {
    pub org_id: i64,
    /// `entry` or `handover`.
    pub kind: String,
    /// Shanghai time as typed; blank = now.
    pub logged_at: String,
    pub event: String,
    pub handling: String,
    pub notified: String,
}

async fn org_in_scope(db: &Db, ctx: &Ctx, field: &str, org_id: i64) -> Result<String> {
    let row: Option<(String,)> = db
        .fetch_optional(
            &Q::new("SELECT path FROM org WHERE id = $1 AND active = $2 AND path LIKE $3")
                .bind(org_id)
                .bind(true)
                .bind(ctx.scope_like()),
        )
        .await?;
    row.map(|(p,)| p)
        .ok_or_else(|| DbError::invalid(field, "单位不存在或不在您的管辖范围内"))
}

pub async fn add_log(db: &Db, ctx: &Ctx, input: &LogInput) -> Result<DutyLog> {
    ctx.require(Permission::DutyRecord)?;
    let now = crate::now();
    let mut errs = FieldErrors::new();
    let kind = match input.kind.as_str() {
        "" | "entry" => "entry",
        "handover" => "handover",
        _ => {
            errs.add("kind", "记录类型无效");
            "entry"
        }
    };
    let at = if input.logged_at.trim().is_empty() {
        Some(now)
    } else {
        crate::incident::instant_field(&mut errs, "logged_at", "记录时间", &input.logged_at, now)
    };
    let event = text_field(
        &mut errs,
        "event",
        if kind == "handover" {
            "交接事项"
        } else {
            "事件"
        },
        &input.event,
        true,
        2000,
    );
    let handling = text_field(
        &mut errs,
        "handling",
        "处理情况",
        &input.handling,
        false,
        2000,
    );
    let notified = text_field(&mut errs, "notified", "已告知", &input.notified, false, 200);
    errs.into_result()?;
    let at = at.unwrap_or(now);
    org_in_scope(db, ctx, "org_id", input.org_id).await?;
    let mut tx = db.begin().await?;
    let name = ctx
        .user_ctx()
        .map(|u| u.name.clone())
        .unwrap_or_else(|| ctx.username());
    let (id,): (i64,) = tx
        .fetch_one(
            &Q::new(
                "INSERT INTO duty_log (org_id, duty_date, kind, logged_at, event, handling, notified, recorded_by, \
                 recorder_name, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(input.org_id)
            .bind(anjian_domain::time::today(at))
            .bind(kind)
            .bind(at)
            .bind(event)
            .bind(handling)
            .bind(notified)
            .bind(ctx.user_id())
            .bind(name)
            .bind(now),
        )
        .await?;
    let row: DutyLog = tx.fetch_one(&log_q(Some(id), ctx)).await?;
    audit::record(
        &mut tx,
        ctx,
        Change::new("duty_log", id, "create")
            .org(Some(row.org_id))
            .after(&row),
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

fn log_q(id: Option<i64>, ctx: &Ctx) -> Q {
    let mut q = Q::new(
        "SELECT l.id, l.org_id, o.name AS org_name, l.duty_date, l.kind, l.logged_at, l.event, l.handling, l.notified, \
         l.recorder_name FROM duty_log l JOIN org o ON o.id = l.org_id WHERE o.path LIKE $1",
    )
    .bind(ctx.scope_like());
    if let Some(id) = id {
        q.push(" AND l.id = ").push_arg(id);
    }
    q
}

/// Log entries of a date range within the caller's scope, newest first (at most 500).
pub async fn logs(db: &Db, ctx: &Ctx, first: NaiveDate, last: NaiveDate) -> Result<Vec<DutyLog>> {
    ctx.require(Permission::DutyView)?;
    let mut q = log_q(None, ctx);
    q.push(" AND l.duty_date >= ").push_arg(first);
    q.push(" AND l.duty_date <= ").push_arg(last);
    q.push(" ORDER BY l.logged_at DESC, l.id DESC LIMIT 500");
    db.fetch_all(&q).await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ZeroReport {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub report_date: NaiveDate,
    pub note: String,
    pub reported_at: DateTime<Utc>,
}

/// Files the zero report of `org_id` for a day (today or earlier); one per unit and day.
pub async fn zero_report(
    db: &Db,
    ctx: &Ctx,
    org_id: i64,
    date: &str,
    note: &str,
) -> Result<ZeroReport> {
    ctx.require(Permission::DutyRecord)?;
    let mut errs = FieldErrors::new();
    let day = date_field(&mut errs, "report_date", "报告日期", date);
    let note = text_field(&mut errs, "note", "说明", note, false, 500);
    let now = crate::now();
    if let Some(d) = day {
        if d > anjian_domain::time::today(now) {
            errs.add("report_date", "报告日期不能晚于今天");
        }
    }
    errs.into_result()?;
    let day = day.ok_or_else(|| DbError::invalid("report_date", "报告日期无效"))?;
    org_in_scope(db, ctx, "org_id", org_id).await?;
    let mut tx = db.begin().await?;
    let (id,): (i64,) = tx
        .fetch_one(
            &Q::new(
                "INSERT INTO duty_zero_report (org_id, report_date, note, reported_by, reported_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(org_id)
            .bind(day)
            .bind(note)
            .bind(ctx.user_id())
            .bind(now),
        )
        .await
        .map_err(|e| match e {
            DbError::Sqlx(e) => DbError::unique_or(e, "该单位当日已报送零报告"),
            e => e,
        })?;
    let row: ZeroReport = tx
        .fetch_one(
            &Q::new(
                "SELECT z.id, z.org_id, o.name AS org_name, z.report_date, z.note, z.reported_at \
                 FROM duty_zero_report z JOIN org o ON o.id = z.org_id WHERE z.id = $1",
            )
            .bind(id),
        )
        .await?;
    audit::record(
        &mut tx,
        ctx,
        Change::new("duty_zero_report", id, "create")
            .org(Some(org_id))
            .after(&row),
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

pub async fn zero_reports(
    db: &Db,
    ctx: &Ctx,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<Vec<ZeroReport>> {
    ctx.require(Permission::DutyView)?;
    db.fetch_all(
        &Q::new(
            "SELECT z.id, z.org_id, o.name AS org_name, z.report_date, z.note, z.reported_at \
             FROM duty_zero_report z JOIN org o ON o.id = z.org_id WHERE o.path LIKE $1 \
             AND z.report_date >= $2 AND z.report_date <= $3 ORDER BY z.report_date DESC, o.path LIMIT 1000",
        )
        .bind(ctx.scope_like())
        .bind(first)
        .bind(last),
    )
    .await
}

/// A key-period day a unit ended without a zero report.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct MissingZero {
    pub org_id: i64,
    pub org_name: String,
    pub date: NaiveDate,
}

pub(crate) struct Missing {
    pub due: i64,
    pub rows: Vec<MissingZero>,
}

/// Missed zero reports of the units at or below `path` in `first..=last`, counting only days that
/// have ended (before today in Shanghai). Zero reports are part of the duty system, so they are
/// owed by the units that keep one: those with a published roster at or below them. The
/// supervised enterprises the bureau inspects keep their own duty and would otherwise show every
/// key-period day as missed.
pub(crate) async fn missing_under(
    db: &Db,
    ctx: &Ctx,
    path: &str,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<Missing> {
    let today = anjian_domain::time::today(crate::now());
    let Some(yesterday) = today.pred_opt() else {
        return Ok(Missing {
            due: 0,
            rows: Vec::new(),
        });
    };
    let last = last.min(yesterday);
    let mut out = Missing {
        due: 0,
        rows: Vec::new(),
    };
    if last < first {
        return Ok(out);
    }
    let units: Vec<(i64, String, String)> = db
        .fetch_all(
            &Q::new(
                "SELECT o.id, o.name, o.path FROM org o WHERE o.kind = 'unit' AND o.active = $1 AND o.path LIKE $2 \
                 AND o.path LIKE $3 AND EXISTS (SELECT 1 FROM duty_roster r JOIN org ro ON ro.id = r.org_id \
                 WHERE r.status = $4 AND ro.path LIKE o.path || '%') ORDER BY o.sort_order, o.path",
            )
            .bind(true)
            .bind(format!("{path}%"))
            .bind(ctx.scope_like())
            .bind("published"),
        )
        .await?;
    for (id, name, upath) in units {
        let days = super::key_period_days(db, &upath, first, last).await?;
        if days.is_empty() {
            continue;
        }
        let reported: Vec<(NaiveDate,)> = db
            .fetch_all(
                &Q::new(
                    "SELECT report_date FROM duty_zero_report WHERE org_id = $1 AND report_date >= $2 AND report_date <= $3",
                )
                .bind(id)
                .bind(first)
                .bind(last),
            )
            .await?;
        let reported: BTreeSet<NaiveDate> = reported.into_iter().map(|(d,)| d).collect();
        out.due += days.len() as i64;
        for d in days.difference(&reported) {
            out.rows.push(MissingZero {
                org_id: id,
                org_name: name.clone(),
                date: *d,
            });
        }
    }
    Ok(out)
}

/// Missed zero reports within the caller's scope between two days (the bureau's view).
pub async fn missing_zero_reports(
    db: &Db,
    ctx: &Ctx,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<Vec<MissingZero>> {
    ctx.require(Permission::DutyView)?;
    Ok(missing_under(db, ctx, ctx.scope_path(), first, last)
        .await?
        .rows)
}
