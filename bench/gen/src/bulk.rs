//! Bulk-load mode. Maintaining secondary indexes row by row, and the FTS5 triggers that copy every
//! hazard's text into the trigram index, cost more than writing the rows (the hazards stage went
//! from ~55 s to ~120 s with migration 0004's indexes, and to ~500 s with 0005's search index).
//! So before the big stages the generator drops the secondary indexes of the tables it is about to
//! fill, and the triggers that feed a full-text table from them, and creates them again once at
//! the end, from the definitions the database itself holds (`sqlite_master.sql`,
//! `pg_get_indexdef`): exactly what the migrations created, never a copy written here. An FTS5
//! table fed by those triggers is then rebuilt from its content table in one pass.
//!
//! The definitions are kept in a table of their own (`anjian_gen_deferred`), written in the same
//! transaction as the drops: a generator that dies mid-load leaves them there, and the next run
//! (or `--stages` with nothing to do) restores them before anything else.

use anjian_db::Db;
use anyhow::{Context, Result};
use sqlx::{Connection, Executor, Row};

const SIDE_TABLE: &str = "anjian_gen_deferred";

/// One dropped object: what it was (`index` or `trigger`), its name, its definition.
struct Deferred {
    kind: String,
    name: String,
    definition: String,
}

/// The full-text tables (SQLite FTS5, external content) whose content table is in `tables`.
async fn sqlite_fts_tables(db: &Db, tables: &[&str]) -> Result<Vec<String>> {
    let Db::Sqlite { write, .. } = db else {
        return Ok(Vec::new());
    };
    let rows = sqlx::query(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'",
    )
    .fetch_all(write)
    .await?;
    let mut out = Vec::new();
    for r in rows {
        let (name, sql): (String, String) = (r.get(0), r.get(1));
        let lower = sql.to_lowercase();
        if !lower.contains("using fts5") {
            continue;
        }
        if let Some(content) = fts_content_table(&lower) {
            if tables.contains(&content.as_str()) {
                out.push(name);
            }
        }
    }
    Ok(out)
}

/// The `content = 'table'` option of an FTS5 declaration (lower-cased), if any.
fn fts_content_table(sql: &str) -> Option<String> {
    let mut rest = sql;
    while let Some(at) = rest.find("content") {
        let after = rest[at + "content".len()..].trim_start();
        // `content_rowid = …` starts with the same word: only `content` followed by `=` counts.
        if let Some(value) = after.strip_prefix('=') {
            let value = value.trim_start();
            let quote = value.chars().next()?;
            if quote == '\'' || quote == '"' {
                let inner = &value[1..];
                return inner.find(quote).map(|end| inner[..end].to_string());
            }
            return None;
        }
        rest = &rest[at + "content".len()..];
    }
    None
}

/// What to drop for a load of `tables`: their secondary indexes (not those backing a primary key
/// or a constraint, which also guard the load) and, on SQLite, the triggers that feed an FTS5
/// table from them.
async fn collect(db: &Db, tables: &[&str]) -> Result<Vec<Deferred>> {
    let mut out = Vec::new();
    match db {
        Db::Sqlite { write, .. } => {
            let fts = sqlite_fts_tables(db, tables).await?;
            let rows = sqlx::query(
                "SELECT type, name, tbl_name, sql FROM sqlite_master \
                 WHERE type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY type, name",
            )
            .fetch_all(write)
            .await?;
            for r in rows {
                let (kind, name, table, sql): (String, String, String, String) =
                    (r.get(0), r.get(1), r.get(2), r.get(3));
                if !tables.contains(&table.as_str()) {
                    continue;
                }
                // Other triggers keep firing: skipping them would leave rows they should have
                // written. Only what a rebuild below restores is dropped.
                let feeds_fts = fts.iter().any(|f| sql.contains(f.as_str()));
                if kind == "index" || feeds_fts {
                    out.push(Deferred {
                        kind,
                        name,
                        definition: sql,
                    });
                }
            }
        }
        Db::Postgres(p) => {
            let names: Vec<String> = tables.iter().map(|t| t.to_string()).collect();
            let rows = sqlx::query(
                "SELECT ci.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i \
                 JOIN pg_class c ON c.oid = i.indrelid JOIN pg_class ci ON ci.oid = i.indexrelid \
                 WHERE c.relname = ANY($1) AND pg_table_is_visible(c.oid) AND NOT i.indisprimary \
                 AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) \
                 ORDER BY ci.relname",
            )
            .bind(&names)
            .fetch_all(p)
            .await?;
            for r in rows {
                out.push(Deferred {
                    kind: "index".into(),
                    name: r.get(0),
                    definition: r.get(1),
                });
            }
        }
    }
    Ok(out)
}

/// Drops the secondary indexes of `tables` (and the FTS feeding triggers) for the load, recording
/// their definitions in the side table in the same transaction. Returns how many were dropped.
pub async fn defer(db: &Db, tables: &[&str]) -> Result<usize> {
    restore(db).await?;
    let items = collect(db, tables).await?;
    if items.is_empty() {
        return Ok(0);
    }
    let create = format!(
        "CREATE TABLE {SIDE_TABLE} (seq INTEGER NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL, \
         definition TEXT NOT NULL)"
    );
    let insert =
        format!("INSERT INTO {SIDE_TABLE} (seq, kind, name, definition) VALUES ($1, $2, $3, $4)");
    macro_rules! run {
        ($pool:expr, $insert:expr) => {{
            let mut tx = $pool.begin().await?;
            tx.execute(create.as_str()).await?;
            for (seq, d) in items.iter().enumerate() {
                sqlx::query($insert)
                    .bind(seq as i64)
                    .bind(&d.kind)
                    .bind(&d.name)
                    .bind(&d.definition)
                    .execute(&mut *tx)
                    .await?;
                let drop = format!("DROP {} {}", d.kind.to_uppercase(), quote(&d.name));
                tx.execute(drop.as_str())
                    .await
                    .with_context(|| format!("dropping {} {}", d.kind, d.name))?;
            }
            tx.commit().await?;
        }};
    }
    match db {
        Db::Sqlite { write, .. } => run!(write, &insert.replace('$', "?")),
        Db::Postgres(p) => run!(p, &insert),
    }
    Ok(items.len())
}

/// Creates again whatever `defer` dropped (indexes first, then each FTS5 table the dropped
/// triggers fed is rebuilt from its content in one pass, then the triggers), and removes the side
/// table, in one transaction. Does nothing when nothing is deferred. Returns the number of
/// objects restored.
pub async fn restore(db: &Db) -> Result<usize> {
    let exists_sql = match db {
        Db::Sqlite { .. } => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
        Db::Postgres(_) => {
            "SELECT COUNT(*) FROM pg_class c WHERE c.relname = $1 AND pg_table_is_visible(c.oid)"
        }
    };
    let list = format!("SELECT kind, name, definition FROM {SIDE_TABLE} ORDER BY seq");
    let rows: Vec<(String, String, String)> = match db {
        Db::Sqlite { write, .. } => {
            let (n,): (i64,) = sqlx::query_as(exists_sql)
                .bind(SIDE_TABLE)
                .fetch_one(write)
                .await?;
            if n == 0 {
                return Ok(0);
            }
            sqlx::query_as(&list).fetch_all(write).await?
        }
        Db::Postgres(p) => {
            let (n,): (i64,) = sqlx::query_as(exists_sql)
                .bind(SIDE_TABLE)
                .fetch_one(p)
                .await?;
            if n == 0 {
                return Ok(0);
            }
            sqlx::query_as(&list).fetch_all(p).await?
        }
    };
    let items: Vec<Deferred> = rows
        .into_iter()
        .map(|(kind, name, definition)| Deferred {
            kind,
            name,
            definition,
        })
        .collect();
    let mut steps: Vec<(String, String)> = items
        .iter()
        .filter(|d| d.kind == "index")
        .map(|d| {
            (
                format!("creating index {} again", d.name),
                d.definition.clone(),
            )
        })
        .collect();
    if let Db::Sqlite { write, .. } = db {
        let tables: Vec<(String,)> =
            sqlx::query_as("SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'table'")
                .fetch_all(write)
                .await?;
        let refs: Vec<&str> = tables.iter().map(|(t,)| t.as_str()).collect();
        for fts in sqlite_fts_tables(db, &refs).await? {
            let fed = items
                .iter()
                .any(|d| d.kind == "trigger" && d.definition.contains(fts.as_str()));
            if fed {
                steps.push((
                    format!("rebuilding {fts}"),
                    format!("INSERT INTO {0}({0}) VALUES ('rebuild')", quote(&fts)),
                ));
            }
        }
    }
    steps.extend(items.iter().filter(|d| d.kind == "trigger").map(|d| {
        (
            format!("creating trigger {} again", d.name),
            d.definition.clone(),
        )
    }));
    steps.push((
        format!("dropping {SIDE_TABLE}"),
        format!("DROP TABLE {SIDE_TABLE}"),
    ));
    macro_rules! run {
        ($pool:expr, $first:expr) => {{
            let mut conn = $pool.acquire().await?;
            let mut tx = conn.begin().await?;
            if let Some(first) = $first {
                tx.execute(first).await?;
            }
            for (what, sql) in &steps {
                let t = std::time::Instant::now();
                tx.execute(sql.as_str())
                    .await
                    .with_context(|| what.clone())?;
                if t.elapsed().as_secs_f64() >= 1.0 {
                    println!("  {what}: {:.1} s", t.elapsed().as_secs_f64());
                }
            }
            tx.commit().await?;
        }};
    }
    match db {
        Db::Sqlite { write, .. } => run!(write, None::<&str>),
        // Index builds sort in memory up to maintenance_work_mem (default 64 MB): raised for
        // this transaction only.
        Db::Postgres(p) => run!(p, Some("SET LOCAL maintenance_work_mem = '1GB'")),
    }
    Ok(items.len())
}

/// Names come from the catalogue, not from input; quoted anyway so any name works.
fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::fts_content_table;

    #[test]
    fn finds_the_content_table_not_content_rowid() {
        let sql =
            "create virtual table hazard_fts using fts5(\n description, location, category,\n \
                   content = 'hazard', content_rowid = 'id', tokenize = 'trigram'\n)";
        assert_eq!(fts_content_table(sql).as_deref(), Some("hazard"));
        let sql = "create virtual table t using fts5(a, content_rowid='id', content=\"doc\")";
        assert_eq!(fts_content_table(sql).as_deref(), Some("doc"));
        assert_eq!(
            fts_content_table("create virtual table t using fts5(a)"),
            None
        );
    }
}
