//! Report time limits as settings: `ReportRules` of the domain (sources in
//! `REPORT_RULE_SOURCES`) and the follow-up interval (`incident_flow::FOLLOW_UP_SOURCE`). One
//! `report_rule` row per value; a missing row is the default.

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

/// Saves the time limits (DutySettings), audited with before and after.
pub async fn save_rules(db: &Db, ctx: &Ctx, r: &IncidentRules) -> Result<IncidentRules> {
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
        tx.execute(&Q::new("DELETE FROM report_rule WHERE name = $1").bind(name))
            .await?;
        tx.execute(
            &Q::new("INSERT INTO report_rule (name, value, updated_at, updated_by) VALUES ($1, $2, $3, $4)")
                .bind(name)
                .bind(v)
                .bind(now)
                .bind(ctx.user_id()),
        )
        .await?;
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
