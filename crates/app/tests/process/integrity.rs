//! The database's own consistency checks. SQLite: `PRAGMA integrity_check` and
//! `foreign_key_check`. PostgreSQL: amcheck on every btree index of the test's schema (with
//! `heapallindexed`, so every heap tuple must be found in each index), `verify_heapam` on every
//! table, and a scan for rows whose single-column foreign key points nowhere.

use anjian_db::{Db, Q};

use crate::harness::Store;

/// What was checked, for the test's log line.
#[derive(Debug, Default)]
pub struct Checked {
    pub indexes: usize,
    pub tables: usize,
    pub foreign_keys: usize,
}

/// Panics with every problem found.
pub async fn assert_sound(store: &Store) -> Checked {
    let (checked, problems) = match store.schema() {
        None => sqlite(&store.connect().await).await,
        Some(schema) => postgres(&store.connect_server().await, schema).await,
    };
    assert!(
        problems.is_empty(),
        "database integrity:\n{}",
        problems.join("\n")
    );
    checked
}

async fn sqlite(db: &Db) -> (Checked, Vec<String>) {
    let mut problems = Vec::new();
    let rows: Vec<(String,)> = db
        .fetch_all(&Q::new("PRAGMA integrity_check"))
        .await
        .expect("integrity_check");
    if rows.len() != 1 || rows[0].0 != "ok" {
        problems.extend(
            rows.into_iter()
                .map(|r| format!("integrity_check: {}", r.0)),
        );
    }
    let (orphans,): (i64,) = db
        .fetch_one(&Q::new("SELECT COUNT(*) FROM pragma_foreign_key_check"))
        .await
        .expect("foreign_key_check");
    if orphans != 0 {
        problems.push(format!("foreign_key_check: {orphans} rows"));
    }
    let (tables, indexes, fks): (i64, i64, i64) = db
        .fetch_one(&Q::new(
            "SELECT (SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'), \
             (SELECT COUNT(*) FROM sqlite_master WHERE type = 'index'), \
             (SELECT COUNT(*) FROM sqlite_master m, pragma_foreign_key_list(m.name) f \
              WHERE m.type = 'table')",
        ))
        .await
        .expect("what was checked");
    db.close().await;
    (
        Checked {
            tables: tables as usize,
            indexes: indexes as usize,
            foreign_keys: fks as usize,
        },
        problems,
    )
}

async fn postgres(db: &Db, schema: &str) -> (Checked, Vec<String>) {
    let mut problems = Vec::new();
    // Database-wide and idempotent; it lands in `public`, outside the schema dropped afterwards.
    db.execute(&Q::new("CREATE EXTENSION IF NOT EXISTS amcheck"))
        .await
        .expect("CREATE EXTENSION amcheck (needs a superuser, as the test URL's postgres is)");
    let indexes: Vec<(String,)> = db
        .fetch_all(
            &Q::new(
                "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) \
                 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid \
                 JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am a ON a.oid = c.relam \
                 WHERE n.nspname = $1 AND a.amname = 'btree' ORDER BY 1",
            )
            .bind(schema),
        )
        .await
        .expect("list indexes");
    for (ix,) in &indexes {
        let q = Q::new("SELECT bt_index_check($1::text::regclass, true)::text").bind(ix.as_str());
        if let Err(e) = db.fetch_all::<(Option<String>,)>(&q).await {
            problems.push(format!("bt_index_check({ix}): {e}"));
        }
    }
    let tables: Vec<(String,)> = db
        .fetch_all(
            &Q::new(
                "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_class c \
                 JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE n.nspname = $1 AND c.relkind = 'r' ORDER BY 1",
            )
            .bind(schema),
        )
        .await
        .expect("list tables");
    for (t,) in &tables {
        let q = Q::new("SELECT COUNT(*) FROM verify_heapam($1::text::regclass)").bind(t.as_str());
        match db.fetch_one::<(i64,)>(&q).await {
            Ok((0,)) => {}
            Ok((n,)) => problems.push(format!("verify_heapam({t}): {n} corrupt tuples")),
            Err(e) => problems.push(format!("verify_heapam({t}): {e}")),
        }
    }
    // Constraints make orphans impossible unless something bypassed them; cheap to prove.
    let fks: Vec<(String, String, String, String)> = db
        .fetch_all(
            &Q::new(
                "SELECT quote_ident(cn.nspname) || '.' || quote_ident(cc.relname), quote_ident(ca.attname), \
                 quote_ident(pn.nspname) || '.' || quote_ident(pc.relname), quote_ident(pa.attname) \
                 FROM pg_constraint k \
                 JOIN pg_class cc ON cc.oid = k.conrelid JOIN pg_namespace cn ON cn.oid = cc.relnamespace \
                 JOIN pg_attribute ca ON ca.attrelid = k.conrelid AND ca.attnum = k.conkey[1] \
                 JOIN pg_class pc ON pc.oid = k.confrelid JOIN pg_namespace pn ON pn.oid = pc.relnamespace \
                 JOIN pg_attribute pa ON pa.attrelid = k.confrelid AND pa.attnum = k.confkey[1] \
                 WHERE k.contype = 'f' AND cn.nspname = $1 AND array_length(k.conkey, 1) = 1",
            )
            .bind(schema),
        )
        .await
        .expect("list foreign keys");
    for (child, col, parent, pcol) in &fks {
        // Identifiers come from the catalogue, quoted by quote_ident: nothing typed by anyone.
        let q = Q::new(&format!(
            "SELECT COUNT(*) FROM {child} c WHERE c.{col} IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.{pcol} = c.{col})"
        ));
        match db.fetch_one::<(i64,)>(&q).await {
            Ok((0,)) => {}
            Ok((n,)) => problems.push(format!("{child}.{col} → {parent}: {n} orphans")),
            Err(e) => problems.push(format!("orphans {child}.{col}: {e}")),
        }
    }
    if indexes.is_empty() || tables.is_empty() || fks.is_empty() {
        problems.push(format!("nothing to check in schema {schema}"));
    }
    db.close().await;
    (
        Checked {
            indexes: indexes.len(),
            tables: tables.len(),
            foreign_keys: fks.len(),
        },
        problems,
    )
}
