//! Bulk writing: rows of typed values buffered per table and flushed in one transaction per
//! chunk. SQLite gets multi-row `INSERT … VALUES (…),(…)` statements bound through sqlx (so dates
//! and instants are encoded exactly as the application's own writes encode them); PostgreSQL gets
//! `COPY … FROM STDIN` in text format, the fastest load path it has.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};

use anjian_db::Db;
use anyhow::{Context, Result};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{Postgres, Sqlite, Transaction};

/// One column value. `Null` is typed by the column, which both backends infer.
#[derive(Debug, Clone)]
pub enum Val {
    I(i64),
    T(Cow<'static, str>),
    B(bool),
    D(NaiveDate),
    At(DateTime<Utc>),
    Null,
}

impl From<i64> for Val {
    fn from(v: i64) -> Val {
        Val::I(v)
    }
}
impl From<&'static str> for Val {
    fn from(v: &'static str) -> Val {
        Val::T(Cow::Borrowed(v))
    }
}
impl From<String> for Val {
    fn from(v: String) -> Val {
        Val::T(Cow::Owned(v))
    }
}
impl From<bool> for Val {
    fn from(v: bool) -> Val {
        Val::B(v)
    }
}
impl From<NaiveDate> for Val {
    fn from(v: NaiveDate) -> Val {
        Val::D(v)
    }
}
impl From<DateTime<Utc>> for Val {
    fn from(v: DateTime<Utc>) -> Val {
        Val::At(v)
    }
}
impl<T: Into<Val>> From<Option<T>> for Val {
    fn from(v: Option<T>) -> Val {
        v.map_or(Val::Null, Into::into)
    }
}

/// Rows for one table, all with the columns named in `cols`.
pub struct Rows {
    pub table: &'static str,
    pub cols: &'static [&'static str],
    pub vals: Vec<Val>,
}

impl Rows {
    pub fn new(table: &'static str, cols: &'static [&'static str]) -> Rows {
        Rows {
            table,
            cols,
            vals: Vec::new(),
        }
    }

    /// Appends one row; panics in development when the arity is wrong (a generator bug, not input).
    pub fn push(&mut self, row: Vec<Val>) {
        assert_eq!(row.len(), self.cols.len(), "arity of {}", self.table);
        self.vals.extend(row);
    }

    pub fn len(&self) -> usize {
        self.vals.len() / self.cols.len()
    }
}

/// A unit of work: the rows of several tables, written in the order given (parents first) and
/// committed together.
pub type Chunk = Vec<Rows>;

/// When set, PostgreSQL transactions skip the per-row foreign-key triggers
/// (`session_replication_role = replica`, superuser only): they tripled the load time. The
/// references are then checked once per table after loading, by `check_references`.
pub static PG_DEFER_FK: AtomicBool = AtomicBool::new(false);

/// SQLite allows 32766 bound parameters per statement; 500 rows keeps well under it for every
/// table here and is where larger statements stopped paying off.
const SQLITE_ROWS_PER_STATEMENT: usize = 500;
const SQLITE_MAX_PARAMS: usize = 32_000;

pub enum Writer<'a> {
    Sqlite(Transaction<'a, Sqlite>),
    Postgres(Transaction<'a, Postgres>),
}

impl Writer<'static> {
    pub async fn begin(db: &Db) -> Result<Writer<'static>> {
        Ok(match db {
            Db::Sqlite { write, .. } => Writer::Sqlite(write.begin().await?),
            Db::Postgres(p) => {
                let mut tx = p.begin().await?;
                if PG_DEFER_FK.load(Ordering::Relaxed) {
                    sqlx::query("SET LOCAL session_replication_role = replica")
                        .execute(&mut *tx)
                        .await?;
                }
                Writer::Postgres(tx)
            }
        })
    }
}

impl Writer<'_> {
    pub async fn write(&mut self, chunk: &Chunk) -> Result<()> {
        for rows in chunk {
            if rows.vals.is_empty() {
                continue;
            }
            match self {
                Writer::Sqlite(tx) => sqlite_insert(tx, rows).await,
                Writer::Postgres(tx) => pg_copy(tx, rows).await,
            }
            .with_context(|| format!("writing {} rows of {}", rows.len(), rows.table))?;
        }
        Ok(())
    }

    pub async fn commit(self) -> Result<()> {
        match self {
            Writer::Sqlite(tx) => tx.commit().await?,
            Writer::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

fn sqlite_sql(rows: &Rows, n: usize) -> String {
    let ncols = rows.cols.len();
    let mut sql = format!(
        "INSERT INTO {} ({}) VALUES ",
        rows.table,
        rows.cols.join(", ")
    );
    // Anonymous `?`, not `?NNN`: SQLite looks a numbered parameter's name up by a linear scan,
    // and sqlx asks for every parameter's name, which made 500-row statements quadratic.
    let row = format!("({})", vec!["?"; ncols].join(","));
    for r in 0..n {
        if r > 0 {
            sql.push(',');
        }
        sql.push_str(&row);
    }
    sql
}

async fn sqlite_insert(tx: &mut Transaction<'_, Sqlite>, rows: &Rows) -> Result<()> {
    let ncols = rows.cols.len();
    let per = std::env::var("ANJIAN_GEN_SQLITE_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(SQLITE_ROWS_PER_STATEMENT)
        .min(SQLITE_MAX_PARAMS / ncols)
        .max(1);
    let full_sql = sqlite_sql(rows, per);
    for batch in rows.vals.chunks(per * ncols) {
        let n = batch.len() / ncols;
        let tail_sql;
        // The full-size text is reused, so sqlx's statement cache prepares it once.
        let sql = if n == per {
            full_sql.as_str()
        } else {
            tail_sql = sqlite_sql(rows, n);
            tail_sql.as_str()
        };
        let mut q = sqlx::query::<Sqlite>(sql);
        for v in batch {
            q = match v {
                Val::I(i) => q.bind(*i),
                Val::T(s) => q.bind(s.to_string()),
                Val::B(b) => q.bind(*b),
                Val::D(d) => q.bind(*d),
                Val::At(t) => q.bind(*t),
                Val::Null => q.bind(Option::<i64>::None),
            };
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// COPY text format: tab-separated, `\N` for NULL, backslash escapes.
fn pg_text(out: &mut String, v: &Val) {
    match v {
        Val::I(i) => {
            let _ = write!(out, "{i}");
        }
        Val::T(s) => {
            for c in s.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '\t' => out.push_str("\\t"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    c => out.push(c),
                }
            }
        }
        Val::B(b) => out.push(if *b { 't' } else { 'f' }),
        Val::D(d) => {
            let _ = write!(out, "{}", d.format("%Y-%m-%d"));
        }
        Val::At(t) => {
            let _ = write!(out, "{}", t.format("%Y-%m-%d %H:%M:%S%.6f+00"));
        }
        Val::Null => out.push_str("\\N"),
    }
}

async fn pg_copy(tx: &mut Transaction<'_, Postgres>, rows: &Rows) -> Result<()> {
    let ncols = rows.cols.len();
    let stmt = format!("COPY {} ({}) FROM STDIN", rows.table, rows.cols.join(", "));
    let mut copy = (**tx).copy_in_raw(&stmt).await?;
    let mut buf = String::with_capacity(1 << 20);
    for row in rows.vals.chunks(ncols) {
        for (i, v) in row.iter().enumerate() {
            if i > 0 {
                buf.push('\t');
            }
            pg_text(&mut buf, v);
        }
        buf.push('\n');
        if buf.len() > (1 << 20) - 4096 {
            copy.send(buf.as_bytes()).await?;
            buf.clear();
        }
    }
    if !buf.is_empty() {
        copy.send(buf.as_bytes()).await?;
    }
    copy.finish().await?;
    Ok(())
}

/// Writes a stream of chunks produced on another thread, committing every `commit_every` rows:
/// generating the next chunk overlaps with the database writing this one (two cores).
pub async fn drain(
    db: &Db,
    mut rx: tokio::sync::mpsc::Receiver<Chunk>,
    commit_every: usize,
) -> Result<usize> {
    let mut total = 0usize;
    let mut since_commit = 0usize;
    let mut w = Writer::begin(db).await?;
    while let Some(chunk) = rx.recv().await {
        let n: usize = chunk.iter().map(Rows::len).sum();
        w.write(&chunk).await?;
        total += n;
        since_commit += n;
        if since_commit >= commit_every {
            w.commit().await?;
            w = Writer::begin(db).await?;
            since_commit = 0;
        }
    }
    w.commit().await?;
    Ok(total)
}

/// Runs `produce` on a plain thread, sending chunks through a small bounded channel to `drain`.
pub async fn pipeline<F>(db: &Db, commit_every: usize, produce: F) -> Result<usize>
where
    F: FnOnce(&tokio::sync::mpsc::Sender<Chunk>) + Send + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::channel::<Chunk>(2);
    let producer = std::thread::spawn(move || produce(&tx));
    let written = drain(db, rx, commit_every).await;
    // When the writer failed, the receiver is gone and the producer's next send fails: it stops.
    producer
        .join()
        .map_err(|_| anyhow::anyhow!("generator thread panicked"))?;
    written
}

/// After rows were written with explicit ids, PostgreSQL's identity sequences must move past
/// them or the application's next INSERT collides. SQLite's rowid needs nothing.
pub async fn fix_sequences(db: &Db, tables: &[&str]) -> Result<()> {
    if let Db::Postgres(p) = db {
        for t in tables {
            sqlx::query(&format!(
                "SELECT setval(pg_get_serial_sequence('{t}', 'id'), \
                 GREATEST((SELECT COALESCE(MAX(id), 0) FROM {t}), 1))"
            ))
            .execute(p)
            .await
            .with_context(|| format!("moving the id sequence of {t}"))?;
        }
    }
    Ok(())
}

/// The next free id of a table (stages append after whatever is there).
pub async fn next_id(db: &Db, table: &str) -> Result<i64> {
    let q = anjian_db::Q::new(&format!("SELECT COALESCE(MAX(id), 0) FROM {table}"));
    let (max,): (i64,) = db.fetch_one(&q).await?;
    Ok(max + 1)
}

/// Every foreign key the generator fills, as (table, column, referenced table).
const REFERENCES: &[(&str, &str, &str)] = &[
    ("org", "parent_id", "org"),
    ("app_user", "org_id", "org"),
    ("campaign", "org_id", "org"),
    ("checklist_item", "checklist_id", "checklist"),
    ("inspection", "org_id", "org"),
    ("inspection", "checklist_id", "checklist"),
    ("inspection", "campaign_id", "campaign"),
    ("inspection", "recorded_by", "app_user"),
    ("inspection_item", "inspection_id", "inspection"),
    ("inspection_item", "checklist_item_id", "checklist_item"),
    ("hazard", "org_id", "org"),
    ("hazard", "reported_by", "app_user"),
    ("hazard", "inspection_id", "inspection"),
    ("hazard", "inspection_item_id", "inspection_item"),
    ("hazard", "campaign_id", "campaign"),
    ("hazard", "rectified_by", "app_user"),
    ("hazard", "verified_by", "app_user"),
    ("hazard_event", "hazard_id", "hazard"),
    ("hazard_event", "actor_user_id", "app_user"),
    ("hazard_major", "hazard_id", "hazard"),
    ("hazard_major", "reported_by", "app_user"),
    ("hazard_listing", "hazard_id", "hazard"),
    ("hazard_listing", "listed_by", "app_user"),
    ("hazard_listing", "lifted_by", "app_user"),
    ("hazard_extension", "hazard_id", "hazard"),
    ("hazard_extension", "requested_by", "app_user"),
    ("hazard_extension", "decided_by", "app_user"),
    ("ledger_entry", "org_id", "org"),
    ("ledger_entry", "campaign_id", "campaign"),
    ("ledger_entry", "created_by", "app_user"),
    ("ledger_item", "entry_id", "ledger_entry"),
    ("ledger_item", "owner_user_id", "app_user"),
    ("ledger_attendee", "entry_id", "ledger_entry"),
    ("ledger_attendee", "user_id", "app_user"),
];

/// The referential check the skipped triggers would have made, one anti-join per foreign key
/// (seconds, where per-row triggers took minutes). Fails on the first dangling reference.
pub async fn check_references(db: &Db) -> Result<()> {
    for (table, col, target) in REFERENCES {
        let q = anjian_db::Q::new(&format!(
            "SELECT COUNT(*) FROM {table} t WHERE t.{col} IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM {target} r WHERE r.id = t.{col})"
        ));
        let (dangling,): (i64,) = db.fetch_one(&q).await?;
        if dangling > 0 {
            anyhow::bail!("{dangling} rows of {table}.{col} point at no {target}");
        }
    }
    Ok(())
}
