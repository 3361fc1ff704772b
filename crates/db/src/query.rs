//! `Db`: SQLite or PostgreSQL behind one enum, and `Q`: a statement written once with `$1…$n`
//! placeholders plus its arguments. PostgreSQL takes the text as is; for SQLite the placeholders
//! become `?1…?n` (SQLite's numbered form, so argument order never depends on first appearance).
//! We use our own small enum rather than `AnyPool` because `Any` cannot carry dates and instants.

use std::any::Any;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{FromRow, PgPool, Postgres, Sqlite, SqlitePool, Transaction};

use crate::error::{DbError, Result};

#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    I64(Option<i64>),
    Text(Option<String>),
    Bool(bool),
    Instant(Option<DateTime<Utc>>),
    Date(Option<NaiveDate>),
}

impl From<i64> for Arg {
    fn from(v: i64) -> Arg {
        Arg::I64(Some(v))
    }
}
impl From<Option<i64>> for Arg {
    fn from(v: Option<i64>) -> Arg {
        Arg::I64(v)
    }
}
/// Text as bound: without NUL. PostgreSQL cannot store U+0000 in text (the statement fails, a
/// 500) while SQLite stores it and its string functions stop there, so a NUL from a crafted form,
/// query string or spreadsheet cell (`_x0000_`) is dropped here, once, for both backends.
fn text_arg(v: String) -> String {
    if v.contains('\0') {
        v.replace('\0', "")
    } else {
        v
    }
}

impl From<&str> for Arg {
    fn from(v: &str) -> Arg {
        Arg::Text(Some(text_arg(v.to_string())))
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Arg {
        Arg::Text(Some(text_arg(v)))
    }
}
impl From<&String> for Arg {
    fn from(v: &String) -> Arg {
        Arg::Text(Some(text_arg(v.clone())))
    }
}
impl From<Option<String>> for Arg {
    fn from(v: Option<String>) -> Arg {
        Arg::Text(v.map(text_arg))
    }
}
impl From<Option<&str>> for Arg {
    fn from(v: Option<&str>) -> Arg {
        Arg::Text(v.map(|s| text_arg(s.to_string())))
    }
}
impl From<bool> for Arg {
    fn from(v: bool) -> Arg {
        Arg::Bool(v)
    }
}
impl From<DateTime<Utc>> for Arg {
    fn from(v: DateTime<Utc>) -> Arg {
        Arg::Instant(Some(v))
    }
}
impl From<Option<DateTime<Utc>>> for Arg {
    fn from(v: Option<DateTime<Utc>>) -> Arg {
        Arg::Instant(v)
    }
}
impl From<NaiveDate> for Arg {
    fn from(v: NaiveDate) -> Arg {
        Arg::Date(Some(v))
    }
}

/// A keyword as searched: trimmed, None when blank.
pub fn trimmed_keyword(keyword: Option<&str>) -> Option<&str> {
    keyword.map(str::trim).filter(|s| !s.is_empty())
}

/// The columns wrapped as `(c || '')` for a keyword too short to have a trigram: that keeps
/// PostgreSQL off the pg_trgm indexes, which a generic plan (prepared statements, from the sixth
/// run) otherwise scans whole for it (measured: 7 s for 消防 on a million hazards). Same text,
/// same result.
pub fn off_trigram_index(cols: &[&str]) -> Vec<String> {
    cols.iter().map(|c| format!("({c} || '')")).collect()
}

/// A statement and its arguments. Built once, rendered per backend at execution.
#[derive(Debug, Clone, Default)]
pub struct Q {
    sql: String,
    args: Vec<Arg>,
}

impl Q {
    pub fn new(sql: &str) -> Q {
        Q {
            sql: sql.to_string(),
            args: Vec::new(),
        }
    }

    /// Adds the argument for the next `$n` already written in the text.
    pub fn bind(mut self, a: impl Into<Arg>) -> Q {
        self.args.push(a.into());
        self
    }

    /// Appends raw SQL (never user input).
    pub fn push(&mut self, sql: &str) -> &mut Q {
        self.sql.push_str(sql);
        self
    }

    /// Appends a placeholder for `a` and binds it.
    pub fn push_arg(&mut self, a: impl Into<Arg>) -> &mut Q {
        self.args.push(a.into());
        let n = self.args.len();
        self.sql.push_str(&format!("${n}"));
        self
    }

    /// `c1 LIKE p ESCAPE '\' OR c2 LIKE p …` for the keyword `k` (wildcards escaped), one
    /// argument per column. Left open so a caller can add alternatives of its own.
    pub fn push_like_any<S: AsRef<str>>(&mut self, k: &str, cols: &[S]) -> &mut Q {
        let p = crate::like_pattern(k);
        for (i, col) in cols.iter().enumerate() {
            if i > 0 {
                self.push(" OR ");
            }
            self.push(col.as_ref()).push(" LIKE ").push_arg(p.clone());
            self.push(" ESCAPE '\\'");
        }
        self
    }

    /// `AND (c1 LIKE … OR c2 LIKE …)` for a typed keyword; nothing for a blank one.
    pub fn push_keyword(&mut self, keyword: Option<&str>, cols: &[&str]) -> &mut Q {
        if let Some(k) = trimmed_keyword(keyword) {
            self.push(" AND (").push_like_any(k, cols).push(")");
        }
        self
    }

    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// The statement as written plus every bound argument: equal keys run the same statement
    /// with the same values (for caches of results, `ledger::cache`).
    pub(crate) fn cache_key(&self) -> String {
        format!("{}\u{0}{:?}", self.sql, self.args)
    }

    fn render(&self, backend: Backend) -> String {
        match backend {
            Backend::Postgres => self.sql.clone(),
            Backend::Sqlite => {
                let mut out = String::with_capacity(self.sql.len());
                let mut chars = self.sql.chars().peekable();
                while let Some(c) = chars.next() {
                    if c == '$' && chars.peek().is_some_and(|d| d.is_ascii_digit()) {
                        out.push('?');
                    } else {
                        out.push(c);
                    }
                }
                out
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The database. SQLite keeps a single-connection writer pool so that writers queue in-process
/// instead of failing with SQLITE_BUSY, and a reader pool that WAL lets run beside it.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite {
        read: SqlitePool,
        write: SqlitePool,
        path: PathBuf,
    },
    Postgres(PgPool),
}

/// A write transaction on either backend. It keeps its handle, so that committing can tell the
/// handle's cache (`cache::written`): this process must see its own write on the very next
/// request, without waiting for the remembered generations to age or for a notification.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>, Db),
    Postgres(Transaction<'static, Postgres>, PgPool),
}

pub trait Row: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}
impl<T> Row for T where T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{}

macro_rules! bind_all {
    ($query:expr, $args:expr) => {{
        let mut q = $query;
        for a in $args {
            q = match a {
                Arg::I64(v) => q.bind(*v),
                Arg::Text(v) => q.bind(v.clone()),
                Arg::Bool(v) => q.bind(*v),
                Arg::Instant(v) => q.bind(*v),
                Arg::Date(v) => q.bind(*v),
            };
        }
        q
    }};
}

macro_rules! run {
    ($exec:expr, $backend:expr, $q:expr, $ty:ident, $method:ident) => {{
        let sql = $q.render($backend);
        let query = sqlx::query_as::<_, $ty>(&sql);
        bind_all!(query, &$q.args).$method($exec).await?
    }};
}

macro_rules! exec {
    ($exec:expr, $backend:expr, $q:expr) => {{
        let sql = $q.render($backend);
        let query = sqlx::query(&sql);
        bind_all!(query, &$q.args)
            .execute($exec)
            .await?
            .rows_affected()
    }};
}

/// Reader connections for SQLite (`ANJIAN_SQLITE_READERS` overrides). Measured on 2 cores at 64
/// concurrent requests: 2 readers p99 44 ms, 4 → 32 ms, 8 → 21–23 ms, 16 → 25 ms
/// (docs/benchmarks.md), so 8 it is.
fn sqlite_readers() -> u32 {
    std::env::var("ANJIAN_SQLITE_READERS")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
        .filter(|n| (1..=64).contains(n))
        .unwrap_or(8)
}

/// Parallel workers a PostgreSQL query may start (`max_parallel_workers_per_gather` of every
/// pool connection; `ANJIAN_PG_PARALLEL_WORKERS` overrides, the server's default is 2). The
/// server answers many small queries at once, where workers only add their start-up to each
/// and take the cores the other requests need. Measured on 2 cores, 1,000,000 hazards: the
/// keyword page 消防 at 4 connections went from 88 to 222 req/s (p99 79 → 33 ms) without them;
/// a year's statistics over the whole tree took 160–250 ms instead of 100–140 (target ≤ 500 ms).
fn pg_parallel_workers() -> String {
    std::env::var("ANJIAN_PG_PARALLEL_WORKERS")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
        .filter(|n| *n <= 64)
        .unwrap_or(0)
        .to_string()
}

impl Db {
    /// Connects by URL: `sqlite://path/file.db` (created if missing) or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Db> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(url)?;
            Self::connect_pg(opts, None).await
        } else if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            Self::connect_sqlite(PathBuf::from(path)).await
        } else {
            Err(DbError::Other(format!(
                "不支持的数据库地址：{url}（应以 sqlite:// 或 postgres:// 开头）"
            )))
        }
    }

    /// PostgreSQL with an optional `search_path` (tests use one fresh schema each).
    pub async fn connect_pg(opts: PgConnectOptions, schema: Option<&str>) -> Result<Db> {
        let opts = match schema {
            Some(s) => opts.options([("search_path", s)]),
            None => opts,
        };
        let opts = opts.options([("max_parallel_workers_per_gather", pg_parallel_workers())]);
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(opts)
            .await?;
        Ok(Db::Postgres(pool))
    }

    pub async fn connect_sqlite(path: PathBuf) -> Result<Db> {
        if let Some(dir) = path.parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(|e| {
                    DbError::Other(format!("无法创建数据目录 {}：{e}", dir.display()))
                })?;
            }
        }
        let opts = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(opts.clone())
            .await?;
        let read = SqlitePoolOptions::new()
            .max_connections(sqlite_readers())
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(opts.read_only(false))
            .await?;
        Ok(Db::Sqlite { read, write, path })
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite { .. } => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// How the database server is set up that will slow anjian down over time, one sentence for
    /// the operator each (the server prints them at start); empty when nothing is amiss.
    ///
    /// PostgreSQL with autovacuum off (as this project's CI machine is configured): every
    /// UPDATE and DELETE leaves its old row versions and index entries behind for good. Measured
    /// on 200,000 risks, eight re-grades in a row left 1,700,000 dead risk rows (425 MB for 50 MB
    /// of data) and the re-grade went from 4 s to 8 s; lists and statistics read through them too.
    pub async fn server_warnings(&self) -> Result<Vec<String>> {
        let mut out = Vec::new();
        if self.backend() == Backend::Postgres {
            let (autovacuum,): (String,) = self.fetch_one(&Q::new("SHOW autovacuum")).await?;
            if autovacuum == "off" {
                out.push(
                    "PostgreSQL 的 autovacuum 已关闭：修改和删除留下的旧行不会被清理，列表、统计和风险重新分级会越来越慢。\
                     请在数据库服务器上开启 autovacuum（postgresql.conf：autovacuum = on），或定期执行 VACUUM (ANALYZE)。"
                        .to_string(),
                );
            }
        }
        Ok(out)
    }

    /// An object that lives exactly as long as this handle's pool and is shared by its clones
    /// (the pool's connection options), for state kept per handle (`cache`). The enum
    /// itself stays as it is: `bench/gen` matches `Db::Postgres(p)` and uses `p` as an executor.
    pub(crate) fn identity(&self) -> Arc<dyn Any + Send + Sync> {
        match self {
            Db::Sqlite { read, .. } => read.connect_options(),
            Db::Postgres(p) => p.connect_options(),
        }
    }

    pub async fn fetch_all<T: Row>(&self, q: &Q) -> Result<Vec<T>> {
        Ok(match self {
            Db::Sqlite { read, .. } => run!(read, Backend::Sqlite, q, T, fetch_all),
            Db::Postgres(p) => run!(p, Backend::Postgres, q, T, fetch_all),
        })
    }

    pub async fn fetch_optional<T: Row>(&self, q: &Q) -> Result<Option<T>> {
        Ok(match self {
            Db::Sqlite { read, .. } => run!(read, Backend::Sqlite, q, T, fetch_optional),
            Db::Postgres(p) => run!(p, Backend::Postgres, q, T, fetch_optional),
        })
    }

    pub async fn fetch_one<T: Row>(&self, q: &Q) -> Result<T> {
        self.fetch_optional(q).await?.ok_or(DbError::NotFound)
    }

    /// A single statement outside a transaction (writes on SQLite go through the writer).
    pub async fn execute(&self, q: &Q) -> Result<u64> {
        Ok(match self {
            Db::Sqlite { write, .. } => {
                let n = exec!(write, Backend::Sqlite, q);
                // A write outside a transaction is committed now: see `Tx::commit`.
                crate::cache::written(self);
                n
            }
            Db::Postgres(p) => {
                let n = exec!(p, Backend::Postgres, q);
                crate::cache::written(self);
                n
            }
        })
    }

    /// Begins a write transaction. On SQLite `BEGIN IMMEDIATE` takes the write lock up front, so a
    /// second process (the CLI beside the server) waits on the busy timeout instead of failing later.
    pub async fn begin(&self) -> Result<Tx> {
        Ok(match self {
            Db::Sqlite { write, .. } => {
                Tx::Sqlite(write.begin_with("BEGIN IMMEDIATE").await?, self.clone())
            }
            Db::Postgres(p) => Tx::Postgres(p.begin().await?, p.clone()),
        })
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite { read, write, .. } => {
                read.close().await;
                write.close().await;
            }
            Db::Postgres(p) => p.close().await,
        }
    }

    /// A trivial round trip, for /readyz.
    pub async fn ping(&self) -> Result<()> {
        let _: (i32,) = self.fetch_one(&Q::new("SELECT 1")).await?;
        Ok(())
    }
}

impl Tx {
    pub fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(..) => Backend::Sqlite,
            Tx::Postgres(..) => Backend::Postgres,
        }
    }

    pub async fn fetch_all<T: Row>(&mut self, q: &Q) -> Result<Vec<T>> {
        Ok(match self {
            Tx::Sqlite(t, _) => run!(&mut **t, Backend::Sqlite, q, T, fetch_all),
            Tx::Postgres(t, _) => run!(&mut **t, Backend::Postgres, q, T, fetch_all),
        })
    }

    pub async fn fetch_optional<T: Row>(&mut self, q: &Q) -> Result<Option<T>> {
        Ok(match self {
            Tx::Sqlite(t, _) => run!(&mut **t, Backend::Sqlite, q, T, fetch_optional),
            Tx::Postgres(t, _) => run!(&mut **t, Backend::Postgres, q, T, fetch_optional),
        })
    }

    pub async fn fetch_one<T: Row>(&mut self, q: &Q) -> Result<T> {
        self.fetch_optional(q).await?.ok_or(DbError::NotFound)
    }

    pub async fn execute(&mut self, q: &Q) -> Result<u64> {
        Ok(match self {
            Tx::Sqlite(t, _) => exec!(&mut **t, Backend::Sqlite, q),
            Tx::Postgres(t, _) => exec!(&mut **t, Backend::Postgres, q),
        })
    }

    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(t, db) => {
                t.commit().await?;
                crate::cache::written(&db);
            }
            Tx::Postgres(t, pool) => {
                t.commit().await?;
                crate::cache::written(&Db::Postgres(pool));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_numbered_placeholders_for_sqlite() {
        let mut q = Q::new("SELECT * FROM org WHERE id = $1").bind(5);
        q.push(" AND name = ").push_arg("x");
        assert_eq!(
            q.render(Backend::Sqlite),
            "SELECT * FROM org WHERE id = ?1 AND name = ?2"
        );
        assert_eq!(
            q.render(Backend::Postgres),
            "SELECT * FROM org WHERE id = $1 AND name = $2"
        );
    }
}
