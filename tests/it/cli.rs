//! The command line as the bureau's IT staff script it, against the test database.

use std::process::ExitCode;

use anjian_app::cli::{run, AuditCmd, Command, TokenCmd, UserCmd};
use anjian_app::config::Config;
use anjian_db::Q;
use anjian_testkit::TestApp;

fn cfg(app: &TestApp) -> Config {
    Config::load(None, Some(app.url.clone()), Some(app.dir.clone()), None).expect("config")
}

fn same(a: ExitCode, b: ExitCode) -> bool {
    format!("{a:?}") == format!("{b:?}")
}

#[tokio::test]
async fn user_add_finds_the_org_by_name_and_forces_a_password_change() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let add = |org: &str, role: &str, username: &str| Command::User {
        cmd: UserCmd::Add {
            username: username.into(),
            name: "钱七".into(),
            org: org.into(),
            role: role.into(),
            phone: None,
            password_stdin: false,
        },
    };
    let code = run(add("甲单位", "unit_officer", "qian7"), cfg(&app))
        .await
        .expect("user add");
    assert!(same(code, ExitCode::SUCCESS));
    let (org_id, role, must_change): (i64, String, bool) = app
        .db
        .fetch_one(&Q::new(
            "SELECT org_id, role, must_change_password FROM app_user WHERE username = 'qian7'",
        ))
        .await
        .unwrap();
    assert_eq!(
        (org_id, role.as_str(), must_change),
        (f.unit_a.id, "unit_officer", true)
    );
    assert_eq!(app.last_audit().await.actor_username, "system:cli");
    // By id as well.
    run(
        add(&f.site_b.id.to_string(), "inspector", "sun8"),
        cfg(&app),
    )
    .await
    .expect("by id");
    let e = run(add("不存在的单位", "inspector", "li9"), cfg(&app))
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("不存在"), "{e}");
    let e = run(add("甲单位", "root", "li9"), cfg(&app))
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("角色 root 无效"), "{e}");
    let e = run(add("甲单位", "inspector", "qian7"), cfg(&app))
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("用户名已存在"), "{e}");
}

#[tokio::test]
async fn tokens_are_created_and_revoked() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    app.user("tok", anjian_domain::role::Role::UnitOfficer, f.unit_a.id)
        .await;
    run(
        Command::Token {
            cmd: TokenCmd::Create {
                username: "tok".into(),
                name: "脚本".into(),
            },
        },
        cfg(&app),
    )
    .await
    .unwrap();
    let (live,): (i64,) = app
        .db
        .fetch_one(&Q::new(
            "SELECT COUNT(*) FROM api_token WHERE revoked_at IS NULL",
        ))
        .await
        .unwrap();
    assert_eq!(live, 1);
    run(
        Command::Token {
            cmd: TokenCmd::Revoke {
                username: "tok".into(),
                id: None,
            },
        },
        cfg(&app),
    )
    .await
    .unwrap();
    let (live,): (i64,) = app
        .db
        .fetch_one(&Q::new(
            "SELECT COUNT(*) FROM api_token WHERE revoked_at IS NULL",
        ))
        .await
        .unwrap();
    assert_eq!(live, 0);
    let e = run(
        Command::Token {
            cmd: TokenCmd::Create {
                username: "nobody".into(),
                name: String::new(),
            },
        },
        cfg(&app),
    )
    .await
    .unwrap_err();
    assert!(e.to_string().contains("不存在"));
}

#[tokio::test]
async fn audit_verify_exits_nonzero_on_a_broken_chain() {
    let app = TestApp::new().await;
    app.fixture().await;
    let ok = run(
        Command::Audit {
            cmd: AuditCmd::Verify,
        },
        cfg(&app),
    )
    .await
    .unwrap();
    assert!(same(ok, ExitCode::SUCCESS));
    if app.is_postgres() {
        app.db
            .execute(&Q::new(
                "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update",
            ))
            .await
            .unwrap();
    } else {
        app.db
            .execute(&Q::new("DROP TRIGGER audit_log_no_update"))
            .await
            .unwrap();
    }
    app.db
        .execute(&Q::new(
            "UPDATE audit_log SET actor_username = 'someone' WHERE id = 2",
        ))
        .await
        .unwrap();
    let broken = run(
        Command::Audit {
            cmd: AuditCmd::Verify,
        },
        cfg(&app),
    )
    .await
    .unwrap();
    assert!(same(broken, ExitCode::from(3)));
}

#[tokio::test]
async fn lock_and_unlock_through_the_cli() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let u = app
        .user("lockme", anjian_domain::role::Role::Inspector, f.unit_a.id)
        .await;
    let login = app.login_as(&u).await;
    run(
        Command::User {
            cmd: UserCmd::Lock {
                username: "lockme".into(),
            },
        },
        cfg(&app),
    )
    .await
    .unwrap();
    assert_eq!(
        app.get("/", &login).await.status,
        axum::http::StatusCode::SEE_OTHER,
        "sessions end on lock"
    );
    let (disabled,): (bool,) = app
        .db
        .fetch_one(&Q::new("SELECT disabled FROM app_user WHERE id = $1").bind(u.id))
        .await
        .unwrap();
    assert!(disabled);
    run(
        Command::User {
            cmd: UserCmd::Unlock {
                username: "lockme".into(),
            },
        },
        cfg(&app),
    )
    .await
    .unwrap();
    let (disabled,): (bool,) = app
        .db
        .fetch_one(&Q::new("SELECT disabled FROM app_user WHERE id = $1").bind(u.id))
        .await
        .unwrap();
    assert!(!disabled);
}

#[tokio::test]
async fn reset_password_forces_a_change() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let u = app
        .user("forgot", anjian_domain::role::Role::Inspector, f.unit_a.id)
        .await;
    run(
        Command::User {
            cmd: UserCmd::ResetPassword {
                username: "forgot".into(),
            },
        },
        cfg(&app),
    )
    .await
    .unwrap();
    let (must, hash): (bool, String) = app
        .db
        .fetch_one(
            &Q::new("SELECT must_change_password, password_hash FROM app_user WHERE id = $1")
                .bind(u.id),
        )
        .await
        .unwrap();
    assert!(must);
    assert_ne!(hash, u.password_hash);
    assert!(hash.starts_with("$argon2id$"), "argon2id");
}
