//! Backup and restore of the SQLite database (`anjian backup` / `anjian restore`): a snapshot
//! restores to exactly the rows at backup time with an intact audit chain, a newer schema is
//! refused, and nothing is ever overwritten by accident. PostgreSQL installations are pointed to
//! pg_dump instead.

use std::path::Path;

use anjian_db::backup;
use anjian_db::org::{self, OrgInput};
use anjian_db::user::{self, UserInput};
use anjian_db::{audit, migrate, Ctx, Db, DbError, Q};
use anjian_domain::role::Role;
use anjian_testkit::TestApp;

/// Every row of a table, every column rendered by SQLite's own `quote()`, in id order: an exact,
/// type-preserving picture of the table to compare two databases with.
async fn dump(db: &Db, table: &str) -> Vec<String> {
    let cols: Vec<(String,)> = db
        .fetch_all(&Q::new(&format!(
            "SELECT name FROM pragma_table_info('{table}') ORDER BY cid"
        )))
        .await
        .unwrap();
    assert!(!cols.is_empty(), "{table} has columns");
    let expr = cols
        .iter()
        .map(|(c,)| format!("quote({c})"))
        .collect::<Vec<_>>()
        .join(" || '|' || ");
    let rows: Vec<(String,)> = db
        .fetch_all(&Q::new(&format!("SELECT {expr} FROM {table} ORDER BY id")))
        .await
        .unwrap();
    rows.into_iter().map(|(r,)| r).collect()
}

const TABLES: [&str; 3] = ["org", "app_user", "audit_log"];

async fn snapshot(db: &Db) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for t in TABLES {
        out.push(dump(db, t).await);
    }
    out
}

async fn add_users(app: &TestApp, org_id: i64, names: &[&str]) {
    let sys = Ctx::system("test");
    for n in names {
        let input = UserInput {
            username: n.to_string(),
            name: format!("用户{n}"),
            org_id,
            role: "unit_officer".into(),
            phone: String::new(),
        };
        user::create(&app.db, &sys, &input, None, true)
            .await
            .expect("create user");
    }
}

#[tokio::test]
async fn sqlite_backup_restores_exactly_the_rows_at_backup_time() {
    let app = TestApp::new().await;
    if app.is_postgres() {
        // PostgreSQL installations back up with pg_dump; the command says so instead of trying.
        let dest = app.dir.join("backup.db");
        let err = backup::backup(&app.db, &dest)
            .await
            .expect_err("no VACUUM INTO on PostgreSQL");
        assert!(err.to_string().contains("pg_dump"), "{err}");
        assert!(!dest.exists());
        return;
    }
    let f = app.fixture().await;
    add_users(&app, f.unit_a.id, &["zhang.san", "li-si"]).await;
    add_users(&app, f.site_b.id, &["wang_wu"]).await;
    app.user("plain", Role::UnitHead, f.unit_b.id).await;
    let at_backup = snapshot(&app.db).await;
    assert!(
        at_backup.iter().all(|t| !t.is_empty()),
        "every compared table has rows"
    );

    let file = app.dir.join("anjian-backup.db");
    backup::backup(&app.db, &file).await.expect("backup");
    assert!(file.exists());

    // The live database moves on after the backup.
    let sys = Ctx::system("test");
    org::create(
        &app.db,
        &sys,
        &OrgInput {
            kind: "site".into(),
            parent_id: Some(f.unit_a.id),
            name: "备份后新增库点".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    add_users(&app, f.unit_a.id, &["after.backup"]).await;
    let live = snapshot(&app.db).await;
    assert_ne!(
        live, at_backup,
        "the live database changed after the backup"
    );

    let target_dir = app.dir.join("restored");
    std::fs::create_dir_all(&target_dir).unwrap();
    let target = target_dir.join("anjian.db");
    let version = backup::restore(&file, &target).await.expect("restore");
    assert_eq!(version, migrate::latest_version());

    let restored = Db::connect_sqlite(target.clone())
        .await
        .expect("open restored");
    assert_eq!(
        migrate::current_version(&restored).await.unwrap(),
        migrate::latest_version()
    );
    let got = snapshot(&restored).await;
    for (i, t) in TABLES.iter().enumerate() {
        assert_eq!(
            got[i].len(),
            at_backup[i].len(),
            "{t}: row count at backup time"
        );
        for (a, b) in got[i].iter().zip(&at_backup[i]) {
            assert_eq!(a, b, "{t}: row differs");
        }
    }
    let report = audit::verify(&restored).await.expect("verify");
    assert_eq!(
        report.first_broken, None,
        "audit chain intact after restore"
    );
    assert_eq!(
        report.checked,
        at_backup[2].len() as i64,
        "every entry checked"
    );

    // The restored database is usable: repository calls work and the chain keeps growing.
    let o = org::find(&restored, &sys, "甲库点")
        .await
        .expect("fixture org in the restored db");
    assert_eq!(o.id, f.site_a.id);
    assert!(
        org::find(&restored, &sys, "备份后新增库点").await.is_err(),
        "the later change is not there"
    );
    let input = UserInput {
        username: "post.restore".into(),
        name: "恢复后".into(),
        org_id: f.unit_b.id,
        role: "inspector".into(),
        phone: String::new(),
    };
    user::create(&restored, &sys, &input, None, true)
        .await
        .expect("write to restored db");
    let report = audit::verify(&restored).await.unwrap();
    assert_eq!(report.first_broken, None);
    assert_eq!(report.checked, at_backup[2].len() as i64 + 1);
    restored.close().await;
}

#[tokio::test]
async fn restore_refuses_a_backup_from_a_newer_schema() {
    // The backup file is SQLite whichever backend the suite runs on.
    let app = TestApp::new().await;
    let file = app.dir.join("future.db");
    let newer = Db::connect_sqlite(file.clone()).await.unwrap();
    migrate::migrate(&newer).await.unwrap();
    newer
        .execute(
            &Q::new("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, '9999_future', '2099-01-01T00:00:00Z')")
                .bind(migrate::latest_version() + 1),
        )
        .await
        .unwrap();
    newer.close().await;
    assert_eq!(
        backup::inspect(&file).await.unwrap(),
        migrate::latest_version() + 1
    );

    let target = app.dir.join("live.db");
    std::fs::write(&target, b"the live database").unwrap();
    match backup::restore(&file, &target).await {
        Err(DbError::Schema(msg)) => {
            assert!(msg.contains("高于本程序支持的版本"), "{msg}");
            assert!(
                msg.contains(&(migrate::latest_version() + 1).to_string()),
                "names the version: {msg}"
            );
        }
        other => panic!("expected a schema refusal, got {other:?}"),
    }
    assert_eq!(
        std::fs::read(&target).unwrap(),
        b"the live database",
        "target untouched"
    );
    assert!(
        !target.with_extension("restoring").exists(),
        "no half-restored copy left behind"
    );
}

#[tokio::test]
async fn restore_refuses_a_file_that_is_not_an_anjian_backup() {
    let app = TestApp::new().await;
    let target = app.dir.join("live.db");
    std::fs::write(&target, b"the live database").unwrap();
    let missing = app.dir.join("missing.db");
    let err = backup::restore(&missing, &target)
        .await
        .expect_err("missing file");
    assert!(err.to_string().contains("不存在"), "{err}");
    let junk = app.dir.join("junk.db");
    std::fs::write(&junk, vec![0x42u8; 8192]).unwrap();
    assert!(
        backup::restore(&junk, &target).await.is_err(),
        "not a database"
    );
    // A SQLite database without our schema.
    let other = app.dir.join("other.db");
    let db = Db::connect_sqlite(other.clone()).await.unwrap();
    db.execute(&Q::new("CREATE TABLE t (x INTEGER)"))
        .await
        .unwrap();
    db.close().await;
    let err = backup::restore(&other, &target)
        .await
        .expect_err("foreign database");
    assert!(err.to_string().contains("不是 anjian 的备份文件"), "{err}");
    assert_eq!(std::fs::read(&target).unwrap(), b"the live database");
}

#[tokio::test]
async fn backup_never_overwrites_an_existing_file() {
    let app = TestApp::new().await;
    if app.is_postgres() {
        return; // PostgreSQL refuses every backup (see the round trip test).
    }
    app.fixture().await;
    let dest = app.dir.join("existing.db");
    std::fs::write(&dest, b"an older backup").unwrap();
    let err = backup::backup(&app.db, &dest).await.expect_err("refused");
    assert!(err.to_string().contains("已存在"), "{err}");
    assert_eq!(
        std::fs::read(&dest).unwrap(),
        b"an older backup",
        "file untouched"
    );
    // A fresh name works, and a second backup to the same name is then refused too.
    let fresh = app.dir.join("fresh.db");
    backup::backup(&app.db, &fresh).await.expect("backup");
    let size = std::fs::metadata(&fresh).unwrap().len();
    assert!(backup::backup(&app.db, &fresh).await.is_err());
    assert_eq!(std::fs::metadata(&fresh).unwrap().len(), size);
}

#[tokio::test]
async fn backup_path_with_a_quote_is_written_where_asked() {
    let app = TestApp::new().await;
    if app.is_postgres() {
        return; // SQLite-only feature; CI's SQLite run covers it, the PostgreSQL refusal is tested above.
    }
    app.fixture().await;
    let dir = app.dir.join("it's here");
    std::fs::create_dir_all(&dir).unwrap();
    let dest = dir.join("o'neil.db");
    backup::backup(&app.db, &dest)
        .await
        .expect("backup to a path with quotes");
    assert!(dest.exists());
    assert_eq!(
        backup::inspect(Path::new(&dest)).await.unwrap(),
        migrate::latest_version()
    );
}
