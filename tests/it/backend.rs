//! CI greps for this test's name in the PostgreSQL run: if the suite silently fell back to
//! SQLite, this fails and so does CI.

use anjian_db::{Db, Q};
use anjian_testkit::{pg_url, TestApp};

#[tokio::test]
async fn active_backend_matches_env() {
    let app = TestApp::new().await;
    assert_eq!(
        app.is_postgres(),
        pg_url().is_some(),
        "ANJIAN_TEST_PG_URL decides the backend"
    );
    app.db.ping().await.expect("database answers");
}

/// The bundled SQLite is compiled as `.cargo/config.toml` says (its file has the why): without
/// the shared page cache and its mutex, and without memory statistics. A build that lost the
/// flags (another LIBSQLITE3_FLAGS in the environment wins over the config) fails here.
/// SQLite whichever backend the suite runs on: the file is the server's own engine.
#[tokio::test]
async fn sqlite_is_compiled_for_concurrent_readers() {
    let app = TestApp::new().await;
    let db = Db::connect_sqlite(app.dir.join("compile-options.db"))
        .await
        .expect("open SQLite");
    let options: Vec<(String,)> = db
        .fetch_all(&Q::new("PRAGMA compile_options"))
        .await
        .expect("compile options");
    let options: Vec<String> = options.into_iter().map(|(o,)| o).collect();
    assert!(
        options.iter().any(|o| o == "ENABLE_FTS5"),
        "the bundled build's own options are listed: {options:?}"
    );
    assert!(
        !options.iter().any(|o| o == "ENABLE_MEMORY_MANAGEMENT"),
        "one shared page cache serialises the readers: {options:?}"
    );
    assert!(
        options.iter().any(|o| o == "DEFAULT_MEMSTATUS=0"),
        "memory statistics take a process-wide mutex: {options:?}"
    );
    db.close().await;
}

/// PostgreSQL's pool connections start no parallel workers (`query::pg_parallel_workers` has the
/// measurements), whatever the server's own setting. SQLite has no such thing.
#[tokio::test]
async fn postgres_connections_run_queries_without_parallel_workers() {
    let app = TestApp::new().await;
    if !app.is_postgres() {
        return;
    }
    let (workers,): (String,) = app
        .db
        .fetch_one(&Q::new("SHOW max_parallel_workers_per_gather"))
        .await
        .expect("show setting");
    assert_eq!(workers, "0");
}
