//! Results kept in the process (`anjian_db::cache`, migration 0017): the signed-in session and the
//! organisation list. Whatever changes them — this server, a second instance on the same database
//! (a second handle here), the CLI or a hand-written UPDATE — shows on this server's next request
//! (another instance's write on PostgreSQL as soon as its notification arrives: `soon`), a request
//! sees its own writes, and the kept results are really served while nothing changes. The
//! ledgers' kept aggregates are tested with the ledgers (`ledger::aggregate_cache`).

use std::future::Future;
use std::time::Duration;

use axum::http::StatusCode;

use anjian_db::org::{self, OrgFilter, OrgInput};
use anjian_db::session::{self, Policy};
use anjian_db::{Ctx, Db, PageReq, Q};
use anjian_domain::role::Role;
use anjian_testkit::{Login, TestApp};

/// The home page answers (200) or sends the browser to sign in again.
async fn signed_in(app: &TestApp, login: &Login) -> bool {
    let r = app.get("/", login).await;
    match r.status {
        StatusCode::OK => true,
        StatusCode::SEE_OTHER => {
            assert!(r.location().starts_with("/login"), "{}", r.location());
            false
        }
        s => panic!("unexpected {s}"),
    }
}

/// True once `check` holds, trying for up to five seconds. Another instance's commit reaches this
/// one on PostgreSQL with the database's notification, a few milliseconds later; on SQLite at once.
pub async fn soon<F, Fut>(mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    for _ in 0..100 {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

async fn second_handle(app: &TestApp) -> Db {
    Db::connect(&app.url).await.expect("second handle")
}

async fn generation(db: &Db, topic: &str) -> i64 {
    let (n,): (i64,) = db
        .fetch_one(&Q::new("SELECT n FROM cache_generation WHERE topic = $1").bind(topic))
        .await
        .unwrap();
    n
}

#[tokio::test]
async fn a_session_ended_by_another_instance_is_refused_on_the_next_request() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let login = app.login_role(Role::UnitOfficer, f.unit_a.id).await;
    assert!(signed_in(&app, &login).await);
    assert!(signed_in(&app, &login).await);
    let other = second_handle(&app).await;
    let (sid,): (i64,) = other
        .fetch_one(&Q::new("SELECT id FROM user_session WHERE user_id = $1").bind(login.user_id))
        .await
        .unwrap();
    session::end_by_admin(&other, &Ctx::system("test"), sid)
        .await
        .unwrap();
    assert!(soon(|| async { !signed_in(&app, &login).await }).await);
    other.close().await;
}

#[tokio::test]
async fn changes_to_the_user_or_the_organisation_apply_on_the_next_request() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let login = app.login_role(Role::UnitOfficer, f.unit_a.id).await;
    let other = second_handle(&app).await;

    // A new name (what every page header shows), written by hand elsewhere.
    assert!(!app.get("/", &login).await.text().contains("改名后的安全员"));
    other
        .execute(
            &Q::new("UPDATE app_user SET name = '改名后的安全员' WHERE id = $1")
                .bind(login.user_id),
        )
        .await
        .unwrap();
    assert!(soon(|| async { app.get("/", &login).await.text().contains("改名后的安全员") }).await);

    // The user's unit is deactivated: its people are signed out.
    other
        .execute(&Q::new("UPDATE org SET active = FALSE WHERE id = $1").bind(f.unit_a.id))
        .await
        .unwrap();
    assert!(soon(|| async { !signed_in(&app, &login).await }).await);
    other
        .execute(&Q::new("UPDATE org SET active = TRUE WHERE id = $1").bind(f.unit_a.id))
        .await
        .unwrap();
    assert!(soon(|| async { signed_in(&app, &login).await }).await);

    // The account is disabled.
    other
        .execute(&Q::new("UPDATE app_user SET disabled = TRUE WHERE id = $1").bind(login.user_id))
        .await
        .unwrap();
    assert!(soon(|| async { !signed_in(&app, &login).await }).await);
    other.close().await;
}

#[tokio::test]
async fn an_organisation_created_by_another_instance_is_listed_at_once() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let login = app.login_role(Role::BureauSupervisor, f.bureau.id).await;
    assert!(!app
        .get("/orgs", &login)
        .await
        .text()
        .contains("新建的丙库点"));
    let other = second_handle(&app).await;
    org::create(
        &other,
        &Ctx::system("test"),
        &OrgInput {
            kind: "site".into(),
            parent_id: Some(f.unit_b.id),
            name: "新建的丙库点".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(
        soon(|| async {
            app.get("/orgs", &login)
                .await
                .text()
                .contains("新建的丙库点")
        })
        .await
    );
    other.close().await;
}

/// A request reads the generations once, when it signs in; after it writes, its cached reads
/// read them again (`audit::record` spends the snapshot) and see the write.
#[tokio::test]
async fn a_request_sees_its_own_writes() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let login = app.login_role(Role::SystemAdmin, f.bureau.id).await;
    let auth = session::authenticate(&app.db, &login.cookie, "127.0.0.1", &Policy::default())
        .await
        .unwrap()
        .expect("signed in");
    let ctx = Ctx::user(auth.user.clone(), "127.0.0.1").with_snapshot(auth.snapshot.clone());
    let count = |ctx: Ctx| {
        let db = app.db.clone();
        async move {
            org::list(&db, &ctx, &OrgFilter::default(), PageReq::new(None, None))
                .await
                .unwrap()
                .total
        }
    };
    let before = count(ctx.clone()).await;
    org::create(
        &app.db,
        &ctx,
        &OrgInput {
            kind: "site".into(),
            parent_id: Some(f.unit_a.id),
            name: "同一请求新建的库点".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(count(ctx.clone()).await, before + 1);
}

#[tokio::test]
async fn the_list_and_the_session_are_served_from_the_cache_while_nothing_changes() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let login = app.login_role(Role::BureauSupervisor, f.bureau.id).await;
    assert!(app.get("/orgs", &login).await.text().contains("甲单位"));

    // A hand-written UPDATE bumps the organisation generation by itself.
    let before = generation(&app.db, "org").await;
    app.db
        .execute(&Q::new("UPDATE org SET name = '暗改单位' WHERE id = $1").bind(f.unit_a.id))
        .await
        .unwrap();
    assert!(generation(&app.db, "org").await > before);
    // Deliberately wrong: the generation is put back, as no write may do. The same server still
    // shows the old name, which proves the list (and the session) come from its cache; a fresh
    // handle (nothing kept) reads the new name, which proves the database did change.
    app.db
        .execute(&Q::new("UPDATE cache_generation SET n = $1 WHERE topic = 'org'").bind(before))
        .await
        .unwrap();
    let page = app.get("/orgs", &login).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("甲单位") && !page.text().contains("暗改单位"));
    let fresh = second_handle(&app).await;
    let names: Vec<String> = org::all_in_scope(&fresh, &Ctx::system("test"), true)
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.name)
        .collect();
    assert!(names.contains(&"暗改单位".to_string()), "{names:?}");
    fresh.close().await;

    // The session row is kept too: a session ended behind the cache's back (the generation put
    // back again) still lets its browser in; once the generation moves on, it does not.
    let before = generation(&app.db, "auth").await;
    app.db
        .execute(
            &Q::new("UPDATE user_session SET ended_at = $1 WHERE user_id = $2")
                .bind(chrono::Utc::now())
                .bind(login.user_id),
        )
        .await
        .unwrap();
    app.db
        .execute(&Q::new("UPDATE cache_generation SET n = $1 WHERE topic = 'auth'").bind(before))
        .await
        .unwrap();
    assert!(signed_in(&app, &login).await);
    app.db
        .execute(&Q::new(
            "UPDATE cache_generation SET n = n + 1 WHERE topic = 'auth'",
        ))
        .await
        .unwrap();
    assert!(!signed_in(&app, &login).await);
}

/// The organisation filter of the list pages (`org::filter`: the options the page lists, the
/// duplicate-name labels, the organisations in reach) is kept while the tree is unchanged, and
/// follows it: a unit added by another instance is offered, a name that becomes shared is
/// labelled with its parent, and the kept options are really what the page shows meanwhile.
#[tokio::test]
async fn the_organisation_filter_of_the_ledgers_follows_the_tree() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let login = app.login_role(Role::BureauSupervisor, f.bureau.id).await;
    let options = |path: &'static str| {
        let app = &app;
        let login = &login;
        async move {
            let page = app.get(path, login).await;
            assert_eq!(page.status, StatusCode::OK, "{path}");
            let text = page.text();
            let list = text
                .split("<datalist id=\"org-options\">")
                .nth(1)
                .and_then(|t| t.split("</datalist>").next())
                .unwrap_or_default()
                .to_string();
            list
        }
    };
    for path in ["/hazards", "/ledgers/training"] {
        let list = options(path).await;
        assert!(
            list.contains(&format!("value=\"{}\"", f.unit_a.name)),
            "{list}"
        );
        assert!(!list.contains("新设的丁单位"), "{list}");
    }

    // Another instance adds a unit under the bureau.
    let other = second_handle(&app).await;
    org::create(
        &other,
        &Ctx::system("test"),
        &OrgInput {
            kind: "unit".into(),
            parent_id: Some(f.bureau.id),
            name: "新设的丁单位".into(),
            uscc: Some(anjian_testkit::uscc(4711)),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    for path in ["/hazards", "/ledgers/training"] {
        assert!(
            soon(|| async { options(path).await.contains("value=\"新设的丁单位\"") }).await,
            "{path}"
        );
    }

    // A site below unit B takes unit A's name: unit A's option now carries its parent's name.
    org::create(
        &app.db,
        &Ctx::system("test"),
        &OrgInput {
            kind: "site".into(),
            parent_id: Some(f.unit_b.id),
            name: f.unit_a.name.clone(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let labelled = format!("value=\"{}（{}）\"", f.unit_a.name, f.bureau.name);
    let list = options("/hazards").await;
    assert!(list.contains(&labelled), "{list}");

    // Kept, not re-read: a rename behind the cache's back (its generation put back, as no write
    // may do) does not show on this server; a fresh handle reads the new name.
    let before = generation(&app.db, "org").await;
    app.db
        .execute(&Q::new(
            "UPDATE org SET name = '暗改的丁单位' WHERE name = '新设的丁单位'",
        ))
        .await
        .unwrap();
    app.db
        .execute(&Q::new("UPDATE cache_generation SET n = $1 WHERE topic = 'org'").bind(before))
        .await
        .unwrap();
    let list = options("/ledgers/training").await;
    assert!(
        list.contains("value=\"新设的丁单位\"") && !list.contains("暗改的丁单位"),
        "{list}"
    );
    other.close().await;
}
