//! Report time limits as settings: `ReportRules` of the domain (sources in
//! `REPORT_RULE_SOURCES`) and the follow-up interval (`incident_flow::FOLLOW_UP_SOURCE`). One
//! `report_rule` row per value; a missing row is the default. The values are edited together, so
//! they share one version: every save writes all rows at the next version, and the settings'
//! version is the highest `row_version` (0 while nothing is stored).

use serde::{Deserialize, Serialize};

use anjian_domain::incident::ReportRules;
use anjian_domain::incident_flow::DEFAULT_FOLLOW_UP_HOURS;
use anjian_domain::role::Permission;

use crate::audit::{self, Change};
use crate::error::{DbError, FieldErrors, Result};
use crate::query::{Db, Tx, Q};
use crate::Ctx;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentRules {
    #[serde(flatten)]
    pub report: ReportRules,
    /// Hours between 续报 of an open event (halved for 重大 and above).
    pub follow_up_hours: i64,
}

impl Default for IncidentRules {
    fn default() -> Self {
        IncidentRules {
            report: super::rules_default(),
            follow_up_hours: DEFAULT_FOLLOW_UP_HOURS,
        }
    }
}

fn load(rows: Vec<(String, i64)>) -> IncidentRules {
    let mut r = IncidentRules::default();
    for (name, v) in rows {
        match name.as_str() {
            "initial_minutes" => r.report.initial_minutes = v,
            "casualty_change_days" => r.report.casualty_change_days = v,
            "casualty_change_days_traffic_fire" => r.report.casualty_change_days_traffic_fire = v,
            "follow_up_hours" => r.follow_up_hours = v,
            _ => {}
        }
    }
    r
}

const SELECT: &str = "SELECT name, value FROM report_rule";

/// The time limits in force.
pub async fn rules(db: &Db, ctx: &Ctx) -> Result<IncidentRules> {
    ctx.require(Permission::IncidentView)?;
    Ok(load(db.fetch_all(&Q::new(SELECT)).await?))
}

pub(crate) async fn rules_in_tx(tx: &mut Tx) -> Result<IncidentRules> {
    Ok(load(tx.fetch_all(&Q::new(SELECT)).await?))
}

const VERSION: &str = "SELECT MAX(row_version) FROM report_rule";

/// The version a settings form or API client must send back with a change (0: none stored).
pub async fn rules_version(db: &Db, ctx: &Ctx) -> Result<i64> {
    ctx.require(Permission::IncidentView)?;
    let (v,): (Option<i64>,) = db.fetch_one(&Q::new(VERSION)).await?;
    Ok(v.unwrap_or(0))
}

fn stale() -> DbError {
    DbError::Conflict("记录已被他人修改，请刷新后重试".into())
}

/// Saves the time limits (DutySettings), audited with before and after. `row_version` is the
/// version the form read (`rules_version`); when they were saved since, nothing is written and
/// the caller gets the stale conflict.
pub async fn save_rules(
    db: &Db,
    ctx: &Ctx,
    r: &IncidentRules,
    row_version: i64,
) -> Result<IncidentRules> {
    ctx.require(Permission::DutySettings)?;
    let mut errs = FieldErrors::new();
    if let Err(list) = r.report.validate() {
        for (f, m) in list {
            errs.add(f, m);
        }
    }
    if !(1..=168).contains(&r.follow_up_hours) {
        errs.add("follow_up_hours", "续报间隔应为 1 至 168 小时");
    }
    if !errs.is_empty() {
        return Err(DbError::Invalid(errs));
    }
    let mut tx = db.begin().await?;
    let before = rules_in_tx(&mut tx).await?;
    let (current,): (Option<i64>,) = tx.fetch_one(&Q::new(VERSION)).await?;
    if current.unwrap_or(0) != row_version {
        return Err(stale());
    }
    let next = row_version + 1;
    let now = crate::now();
    for (name, v) in [
        ("initial_minutes", r.report.initial_minutes),
        ("casualty_change_days", r.report.casualty_change_days),
        (
            "casualty_change_days_traffic_fire",
            r.report.casualty_change_days_traffic_fire,
        ),
        ("follow_up_hours", r.follow_up_hours),
    ] {
        // Conditional on the version read above: on PostgreSQL a concurrent save holds these
        // rows until it commits, after which the condition no longer matches (0 rows).
        let n = tx
            .execute(
                &Q::new(
                    "UPDATE report_rule SET value = $1, row_version = $2, updated_at = $3, updated_by = $4 \
                     WHERE name = $5 AND row_version <= $6",
                )
                .bind(v)
                .bind(next)
                .bind(now)
                .bind(ctx.user_id())
                .bind(name)
                .bind(row_version),
            )
            .await?;
        if n == 1 {
            continue;
        }
        let (exists,): (i64,) = tx
            .fetch_one(&Q::new("SELECT COUNT(*) FROM report_rule WHERE name = $1").bind(name))
            .await?;
        if exists > 0 {
            return Err(stale());
        }
        // First save of this value; a concurrent first save meets the primary key instead.
        tx.execute(
            &Q::new(
                "INSERT INTO report_rule (name, value, row_version, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(name)
            .bind(v)
            .bind(next)
            .bind(now)
            .bind(ctx.user_id()),
        )
        .await
        .map_err(|e| match e {
            DbError::Sqlx(e) => DbError::unique_or(e, "记录已被他人修改，请刷新后重试"),
            e => e,
        })?;
    }
    let after = rules_in_tx(&mut tx).await?;
    audit::record(
        &mut tx,
        ctx,
        Change::new("report_rule", 0, "update")
            .org(ctx.org_id())
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}
