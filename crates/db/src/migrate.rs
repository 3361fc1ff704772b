//! Plain-SQL migrations, one folder per backend with identical file names, embedded in the
//! binary and applied at start. A database whose schema is newer than this binary is refused:
//! running old code on a new schema is how data gets half-written.

use crate::error::{DbError, Result};
use crate::query::{Db, Tx, Q};

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sqlite: &'static str,
    pub postgres: &'static str,
}

macro_rules! migration {
    ($version:expr, $name:literal) => {
        Migration {
            version: $version,
            name: $name,
            sqlite: include_str!(concat!("../migrations/sqlite/", $name, ".sql")),
            postgres: include_str!(concat!("../migrations/postgres/", $name, ".sql")),
        }
    };
}

/// Every migration this binary knows, in order. A test checks this list against both folders.
pub const MIGRATIONS: &[Migration] = &[
    migration!(1, "0001_core"),
    migration!(2, "0002_inspections_hazards"),
    migration!(3, "0003_checklist_library"),
    migration!(4, "0004_hazard_indexes"),
    migration!(5, "0005_hazard_search"),
    migration!(6, "0006_risks"),
    migration!(7, "0007_ledgers"),
    migration!(8, "0008_duty_incidents"),
    migration!(9, "0009_row_versions"),
    migration!(10, "0010_report_templates"),
    migration!(11, "0011_risk_residual_items"),
    migration!(12, "0012_duty_shift_names"),
    migration!(13, "0013_ledger_settings"),
    migration!(14, "0014_summary_indexes"),
    migration!(15, "0015_ledger_search"),
    migration!(16, "0016_risk_register_indexes"),
    migration!(17, "0017_cache_generation"),
    migration!(18, "0018_risk_point_kind_level"),
    migration!(19, "0019_cache_hazard_campaign"),
];

pub fn latest_version() -> i64 {
    MIGRATIONS.last().map(|m| m.version).unwrap_or(0)
}

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";

/// The schema version recorded in the database (0 when none was applied yet).
pub async fn current_version(db: &Db) -> Result<i64> {
    db.execute(&Q::new(CREATE_TABLE)).await?;
    let (v,): (Option<i64>,) = db
        .fetch_one(&Q::new("SELECT MAX(version) FROM schema_migrations"))
        .await?;
    Ok(v.unwrap_or(0))
}

/// Refuses a schema newer than this binary.
pub fn check_not_newer(version: i64) -> Result<()> {
    if version > latest_version() {
        return Err(DbError::Schema(format!(
            "数据库结构版本为 {version}，高于本程序支持的版本 {}，请使用更新版本的 anjian",
            latest_version()
        )));
    }
    Ok(())
}

/// Applies pending migrations in one transaction; returns the names applied.
pub async fn migrate(db: &Db) -> Result<Vec<&'static str>> {
    db.execute(&Q::new(CREATE_TABLE)).await?;
    let mut tx = db.begin().await?;
    if let Tx::Postgres(..) = tx {
        // Several instances may start at once against one PostgreSQL: one migrates, the others wait.
        tx.execute(&Q::new("SELECT pg_advisory_xact_lock(7243001)"))
            .await?;
    }
    let (v,): (Option<i64>,) = tx
        .fetch_one(&Q::new("SELECT MAX(version) FROM schema_migrations"))
        .await?;
    let current = v.unwrap_or(0);
    check_not_newer(current)?;
    let mut applied = Vec::new();
    for m in MIGRATIONS.iter().filter(|m| m.version > current) {
        match &mut tx {
            Tx::Sqlite(t, _) => {
                sqlx::raw_sql(m.sqlite).execute(&mut **t).await?;
            }
            Tx::Postgres(t, _) => {
                sqlx::raw_sql(m.postgres).execute(&mut **t).await?;
            }
        }
        tx.execute(
            &Q::new(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            )
            .bind(m.version)
            .bind(m.name)
            .bind(crate::now().to_rfc3339()),
        )
        .await?;
        applied.push(m.name);
    }
    tx.commit().await?;
    Ok(applied)
}
