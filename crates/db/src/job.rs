//! Daily jobs. Each claims its day in `job_run` before doing anything: the primary key lets
//! exactly one claim per (job, day) succeed, so several instances sharing a database, or a
//! scheduler ticking every few minutes, still run each job once a day.

use chrono::NaiveDate;

use crate::error::{DbError, Result};
use crate::query::{Db, Tx, Q};

/// Claims `(job, date)` inside the caller's transaction. `false` when it was already claimed (the
/// job ran, or is running, elsewhere today).
pub async fn claim(tx: &mut Tx, job: &str, date: NaiveDate) -> Result<bool> {
    // A plain INSERT, not ON CONFLICT: on PostgreSQL a concurrent claimer waits for the first
    // transaction and then gets the unique violation, which is the answer we want.
    let r = tx
        .execute(
            &Q::new("INSERT INTO job_run (job, run_date, started_at) VALUES ($1, $2, $3)")
                .bind(job)
                .bind(date)
                .bind(crate::now()),
        )
        .await;
    match r {
        Ok(_) => Ok(true),
        Err(DbError::Sqlx(sqlx::Error::Database(d))) if d.is_unique_violation() => Ok(false),
        Err(e) => Err(e),
    }
}

/// Records the end of a claimed run with a short detail.
pub async fn finish(tx: &mut Tx, job: &str, date: NaiveDate, detail: &str) -> Result<()> {
    tx.execute(
        &Q::new(
            "UPDATE job_run SET finished_at = $1, detail = $2 WHERE job = $3 AND run_date = $4",
        )
        .bind(crate::now())
        .bind(detail)
        .bind(job)
        .bind(date),
    )
    .await?;
    Ok(())
}

/// Runs every daily job for today (Asia/Shanghai). Safe to call often: claims make each job run
/// once per day.
pub async fn run_daily(db: &Db) -> Result<()> {
    let today = anjian_domain::time::today(crate::now());
    let r = crate::hazard::mark_overdue(db, today).await?;
    if r.ran {
        tracing::info!(marked = r.marked.len(), "daily job hazard_overdue done");
    }
    Ok(())
}
