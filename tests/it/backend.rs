//! CI greps for this test's name in the PostgreSQL run: if the suite silently fell back to
//! SQLite, this fails and so does CI.

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
