//! The daily overdue job: marks hazards still awaiting rectification after their deadline, so the
//! timeline and the audit trail say when each became overdue even if nobody opened a page. Runs
//! once per day across all instances sharing the database (the claim in `job_run`).

use chrono::NaiveDate;
use serde::Serialize;

use anjian_domain::hazard::HazardStatus;

use super::event;
use super::record::{self, Hazard, COLS};
use crate::audit::{self, Change};
use crate::error::Result;
use crate::job;
use crate::query::{Db, Q};
use crate::Ctx;

pub const JOB: &str = "hazard_overdue";

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct MarkReport {
    /// False when another run (this instance or another) already claimed `today`.
    pub ran: bool,
    /// Hazards marked overdue by this run.
    pub marked: Vec<i64>,
}

/// Marks every open hazard past its deadline that is not yet marked, with a timeline event and an
/// audit entry each, all in one transaction with the claim: a failure leaves the day unclaimed so
/// the next tick retries.
pub async fn mark_overdue(db: &Db, today: NaiveDate) -> Result<MarkReport> {
    let ctx = Ctx::system("daily-job");
    let mut tx = db.begin().await?;
    if !job::claim(&mut tx, JOB, today).await? {
        return Ok(MarkReport::default());
    }
    let due: Vec<Hazard> = tx
        .fetch_all(
            &Q::new(&format!(
                "SELECT {COLS} FROM hazard h JOIN org o ON o.id = h.org_id \
                 WHERE h.status IN ('pending', 'rectifying') AND h.deadline < $1 \
                 AND h.overdue_marked_on IS NULL AND h.deleted_at IS NULL ORDER BY h.id"
            ))
            .bind(today),
        )
        .await?;
    let mut marked = Vec::with_capacity(due.len());
    for before in due {
        // The marker is not a user edit: the row version stays so open forms remain valid.
        tx.execute(
            &Q::new("UPDATE hazard SET overdue_marked_on = $1 WHERE id = $2")
                .bind(today)
                .bind(before.id),
        )
        .await?;
        event(
            &mut tx,
            &ctx,
            before.id,
            "overdue",
            None,
            Some(before.status()).filter(|s| *s != HazardStatus::Closed),
            &format!("整改期限{}已过，仍未整改完成", before.deadline),
        )
        .await?;
        let after = record::fetch_unscoped(&mut tx, before.id).await?;
        audit::record(
            &mut tx,
            &ctx,
            Change::new("hazard", before.id, "mark_overdue")
                .org(Some(before.org_id))
                .before(&before)
                .after(&after),
        )
        .await?;
        marked.push(before.id);
    }
    job::finish(&mut tx, JOB, today, &format!("marked {}", marked.len())).await?;
    tx.commit().await?;
    Ok(MarkReport { ran: true, marked })
}
