//! The `anjian` application: configuration, command line, demo data and wiring of the data and
//! web layers. The binary in main.rs only calls `cli::run`.

pub mod cli;
pub mod config;
pub mod demo;
pub mod demo_2023;
pub mod demo_duty;
pub mod demo_ledgers;
pub mod demo_records;
pub mod demo_risks;
mod serve;

use anjian_db::{migrate, Db};

/// Connects and brings the schema up to date (refusing a schema newer than this binary).
pub async fn open_db(url: &str) -> anyhow::Result<Db> {
    let db = Db::connect(url)
        .await
        .map_err(|e| anyhow::anyhow!("无法连接数据库：{e}"))?;
    let applied = migrate::migrate(&db)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    for name in applied {
        tracing::info!(migration = name, "applied migration");
    }
    Ok(db)
}
