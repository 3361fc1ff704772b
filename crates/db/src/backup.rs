//! Backup and restore of the SQLite database. `VACUUM INTO` writes a consistent snapshot while
//! the server keeps running; PostgreSQL installations use pg_dump (docs/deployment.md).

use std::path::Path;

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

use crate::error::{DbError, Result};
use crate::migrate;
use crate::query::{Db, Q};

/// Writes a snapshot of the live database to `dest` (which must not exist yet).
pub async fn backup(db: &Db, dest: &Path) -> Result<()> {
    match db {
        Db::Postgres(_) => Err(DbError::Other(
            "PostgreSQL 数据库请使用 pg_dump 备份，步骤见 docs/deployment.md".to_string(),
        )),
        Db::Sqlite { .. } => {
            if dest.exists() {
                return Err(DbError::Other(format!(
                    "备份文件 {} 已存在，不会覆盖",
                    dest.display()
                )));
            }
            let dest_str = dest
                .to_str()
                .ok_or_else(|| DbError::Other("备份文件路径必须是有效的 UTF-8".to_string()))?;
            // VACUUM INTO takes a file name, not a bound parameter, so quote it as an SQL literal.
            let literal = format!("'{}'", dest_str.replace('\'', "''"));
            db.execute(&Q::new(&format!("VACUUM INTO {literal}")))
                .await?;
            Ok(())
        }
    }
}

/// Reads the schema version of a backup file, checking its integrity on the way.
pub async fn inspect(file: &Path) -> Result<i64> {
    if !file.exists() {
        return Err(DbError::Other(format!(
            "备份文件 {} 不存在",
            file.display()
        )));
    }
    let mut conn = SqliteConnectOptions::new()
        .filename(file)
        .read_only(true)
        .connect()
        .await?;
    let (check,): (String,) = sqlx::query_as("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await?;
    if check != "ok" {
        return Err(DbError::Other(format!("备份文件已损坏：{check}")));
    }
    let v: Option<(Option<i64>,)> = sqlx::query_as("SELECT MAX(version) FROM schema_migrations")
        .fetch_optional(&mut conn)
        .await
        .map_err(|_| DbError::Other("该文件不是 anjian 的备份文件".to_string()))?;
    conn.close().await?;
    Ok(v.and_then(|(v,)| v).unwrap_or(0))
}

/// Replaces the database file at `target` with the backup `file`. The server must be stopped.
/// A backup from a newer schema is refused.
pub async fn restore(file: &Path, target: &Path) -> Result<i64> {
    let version = inspect(file).await?;
    migrate::check_not_newer(version)?;
    let tmp = target.with_extension("restoring");
    std::fs::copy(file, &tmp).map_err(|e| DbError::Other(format!("复制备份文件失败：{e}")))?;
    for suffix in ["-wal", "-shm"] {
        let mut p = target.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(std::path::PathBuf::from(p));
    }
    std::fs::rename(&tmp, target)
        .map_err(|e| DbError::Other(format!("替换数据库文件失败：{e}")))?;
    Ok(version)
}
