//! What the server says at start about how its database server is set up (`Db::server_warnings`).

use anjian_db::Q;

use crate::harness::Store;

/// PostgreSQL with autovacuum off is named before the address, so whoever starts the server
/// reads it; SQLite, or PostgreSQL with autovacuum on, starts without a warning.
#[tokio::test]
async fn autovacuum_off_is_said_at_start() {
    let store = Store::new().await;
    let off = if store.is_postgres() {
        let db = store.connect().await;
        let (v,): (String,) = db.fetch_one(&Q::new("SHOW autovacuum")).await.unwrap();
        db.close().await;
        v == "off"
    } else {
        false
    };
    let server = store.start(&[]);
    let warned: Vec<&String> = server
        .stdout
        .iter()
        .filter(|l| l.starts_with("警告：") && l.contains("autovacuum"))
        .collect();
    assert_eq!(warned.len(), usize::from(off), "{:?}", server.stdout);
    if off {
        assert!(warned[0].contains("VACUUM (ANALYZE)"), "{}", warned[0]);
    }
}
