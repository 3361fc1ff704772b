//! Migrations: both folders hold the same files, every file is in the binary's list, a fresh
//! database migrates from empty, a second run is a no-op, and a newer schema is refused.

use std::collections::BTreeSet;

use anjian_db::migrate::{self, MIGRATIONS};
use anjian_db::{DbError, Q};
use anjian_testkit::TestApp;

fn sql_files(dir: &str) -> BTreeSet<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../crates/db/migrations")
        .join(dir);
    std::fs::read_dir(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".sql"))
        .collect()
}

#[test]
fn both_backends_have_the_same_migration_files_and_all_are_embedded() {
    let sqlite = sql_files("sqlite");
    let postgres = sql_files("postgres");
    assert!(!sqlite.is_empty());
    assert_eq!(
        sqlite, postgres,
        "migrations/sqlite and migrations/postgres must hold the same names"
    );
    let embedded: BTreeSet<String> = MIGRATIONS
        .iter()
        .map(|m| format!("{}.sql", m.name))
        .collect();
    assert_eq!(
        embedded, sqlite,
        "every migration file must be listed in migrate::MIGRATIONS"
    );
    for (i, m) in MIGRATIONS.iter().enumerate() {
        assert_eq!(m.version, i as i64 + 1, "versions are consecutive");
        assert!(
            m.name.starts_with(&format!("{:04}_", m.version)),
            "file name starts with its version"
        );
    }
}

#[tokio::test]
async fn migrates_from_empty_and_is_idempotent() {
    let app = TestApp::new().await;
    assert_eq!(
        migrate::current_version(&app.db).await.unwrap(),
        migrate::latest_version()
    );
    assert!(
        migrate::migrate(&app.db).await.unwrap().is_empty(),
        "second run applies nothing"
    );
    for table in [
        "org",
        "app_user",
        "user_session",
        "api_token",
        "audit_log",
        "attachment",
    ] {
        let (n,): (i64,) = app
            .db
            .fetch_one(&Q::new(&format!("SELECT COUNT(*) FROM {table}")))
            .await
            .unwrap();
        assert_eq!(n, 0, "{table} exists and is empty");
    }
}

#[tokio::test]
async fn refuses_a_schema_newer_than_the_binary() {
    let app = TestApp::new().await;
    app.db
        .execute(
            &Q::new("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, 'future', 'x')")
                .bind(migrate::latest_version() + 1),
        )
        .await
        .unwrap();
    match migrate::migrate(&app.db).await {
        Err(DbError::Schema(msg)) => assert!(msg.contains("高于本程序支持的版本"), "{msg}"),
        other => panic!("expected a schema refusal, got {other:?}"),
    }
}

/// The two schemas must agree on tables and columns, so one code path serves both.
#[tokio::test]
async fn sqlite_and_postgres_schemas_have_the_same_columns() {
    let Some(url) = anjian_testkit::pg_url() else {
        // Needs both databases at once; the PostgreSQL run covers it (CI always sets the URL).
        return;
    };
    let dir = std::env::temp_dir().join(format!("anjian-schema-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let sqlite = anjian_db::Db::connect_sqlite(dir.join("s.db"))
        .await
        .unwrap();
    migrate::migrate(&sqlite).await.unwrap();
    let pg = TestApp::new().await;
    let _ = url;
    let tables: Vec<(String,)> = sqlite
        // Ordinary tables only: the FTS5 search index (a virtual table and its shadow tables)
        // exists on SQLite alone; PostgreSQL searches through pg_trgm indexes instead.
        .fetch_all(&Q::new(
            "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' \
             AND name NOT LIKE 'sqlite_%' ORDER BY name",
        ))
        .await
        .unwrap();
    assert!(tables.len() >= 7);
    for (t,) in tables {
        let lite: Vec<(String,)> = sqlite
            .fetch_all(&Q::new(&format!(
                "SELECT name FROM pragma_table_info('{t}') ORDER BY name"
            )))
            .await
            .unwrap();
        let pgc: Vec<(String,)> = pg
            .db
            .fetch_all(
                &Q::new(
                    "SELECT column_name::text FROM information_schema.columns WHERE table_schema = current_schema() \
                     AND table_name = $1 ORDER BY column_name",
                )
                .bind(t.as_str()),
            )
            .await
            .unwrap();
        let mut a: Vec<String> = lite.into_iter().map(|r| r.0).collect();
        let mut b: Vec<String> = pgc.into_iter().map(|r| r.0).collect();
        a.sort();
        b.sort();
        assert_eq!(a, b, "columns of {t}");
    }
    sqlite.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
