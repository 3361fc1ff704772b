//! Who can see and get into an account: scope between units, locking that ends live sessions
//! and sign-in, and password resets.

use axum::http::{Method, StatusCode};
use serde_json::Value;

use anjian_db::Q;
use anjian_domain::role::Role;
use anjian_testkit::PASSWORD;

use super::{session_of, setup, token};

// ---------------------------------------------------------------- scope

#[tokio::test]
async fn a_unit_head_sees_the_users_of_their_own_unit_only() {
    let (app, f) = setup().await;
    let a_user = app.user("at.a", Role::UnitOfficer, f.site_a.id).await;
    let b_user = app.user("at.b", Role::UnitOfficer, f.unit_b.id).await;
    let head = app.user("head.a", Role::UnitHead, f.unit_a.id).await;
    let t = app.token_for(&head).await;

    let res = app
        .api(
            Method::GET,
            &format!("/api/v1/users/{}", b_user.id),
            Some(&t),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(res.json()["code"], "not_found");
    let res = app
        .api(
            Method::GET,
            &format!("/api/v1/users/{}", a_user.id),
            Some(&t),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json()["username"], "at.a");

    let list = app
        .api(Method::GET, "/api/v1/users?page_size=200", Some(&t), None)
        .await
        .json();
    let mut names: Vec<String> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    assert_eq!(names, ["at.a", "head.a"]);
    assert_eq!(list["total"], 2);
    // Asking for the other unit by filter does not widen the scope.
    let list = app
        .api(
            Method::GET,
            &format!("/api/v1/users?org_id={}", f.unit_b.id),
            Some(&t),
            None,
        )
        .await
        .json();
    assert_eq!(list["total"], 0);

    // The pages agree.
    let me = app.login_as(&head).await;
    assert_eq!(
        app.get(&format!("/users/{}", b_user.id), &me).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("/users/{}", a_user.id), &me).await.status,
        StatusCode::OK
    );
    let page = app.get("/users", &me).await.text();
    assert!(page.contains("at.a") && !page.contains("at.b"), "{page}");
}

// ---------------------------------------------------------------- lock and reset

#[tokio::test]
async fn locking_a_user_ends_their_live_session_and_sign_in() {
    let (app, f) = setup().await;
    let victim = app.user("to.lock", Role::UnitOfficer, f.unit_a.id).await;
    let victim_token = app.token_for(&victim).await;
    let res = app.login_form("to.lock", PASSWORD).await;
    let session = session_of(&res);
    assert_eq!(app.get("/", &session).await.status, StatusCode::OK);
    assert_eq!(
        app.api(Method::GET, "/api/v1/me", Some(&victim_token), None)
            .await
            .status,
        StatusCode::OK
    );

    // The system administrator may not lock (that is the security administrator's).
    let sys = token(&app, "sysadmin", Role::SystemAdmin, f.bureau.id).await;
    let res = app
        .api(
            Method::POST,
            &format!("/api/v1/users/{}/lock", victim.id),
            Some(&sys),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get("/", &session).await.status,
        StatusCode::OK,
        "still signed in"
    );

    let sec = token(&app, "secadmin", Role::SecurityAdmin, f.bureau.id).await;
    let res = app
        .api(
            Method::POST,
            &format!("/api/v1/users/{}/lock", victim.id),
            Some(&sec),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["disabled"], true);
    let audit = app.last_audit().await;
    assert_eq!(
        (audit.entity.as_str(), audit.action.as_str()),
        ("user", "lock")
    );

    let r = app.get("/", &session).await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "the open session stopped working"
    );
    assert!(r.location().starts_with("/login"));
    let (ended,): (i64,) = app
        .db
        .fetch_one(
            &Q::new(
                "SELECT COUNT(*) FROM user_session WHERE user_id = $1 AND end_reason = 'locked'",
            )
            .bind(victim.id),
        )
        .await
        .unwrap();
    assert_eq!(ended, 1, "the session is ended, not just refused");
    assert_eq!(
        app.api(Method::GET, "/api/v1/me", Some(&victim_token), None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let r = app.login_form("to.lock", PASSWORD).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("账号已被停用"), "{}", r.text());

    // Unlocking lets them back in.
    let res = app
        .api(
            Method::POST,
            &format!("/api/v1/users/{}/unlock", victim.id),
            Some(&sec),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json()["disabled"], false);
    assert_eq!(
        app.login_form("to.lock", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn nobody_locks_their_own_account() {
    let (app, f) = setup().await;
    let sec = app.user("secadmin", Role::SecurityAdmin, f.bureau.id).await;
    let t = app.token_for(&sec).await;
    let res = app
        .api(
            Method::POST,
            &format!("/api/v1/users/{}/lock", sec.id),
            Some(&t),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(
        app.api(Method::GET, "/api/v1/me", Some(&t), None)
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_password_reset_returns_a_new_password_and_forces_a_change() {
    let (app, f) = setup().await;
    let u = app.user("forgetful", Role::UnitOfficer, f.unit_a.id).await;
    let old_session = session_of(&app.login_form("forgetful", PASSWORD).await);
    assert_eq!(app.get("/", &old_session).await.status, StatusCode::OK);

    let sys = token(&app, "sysadmin", Role::SystemAdmin, f.bureau.id).await;
    let res = app
        .api(
            Method::POST,
            &format!("/api/v1/users/{}/reset-password", u.id),
            Some(&sys),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let body: Value = res.json();
    let new_password = body["password"].as_str().expect("new password").to_string();
    assert_ne!(new_password, PASSWORD);
    let audit = app.last_audit().await;
    assert_eq!(
        (audit.entity.as_str(), audit.action.as_str()),
        ("user", "reset_password")
    );
    assert!(!format!("{:?}{:?}", audit.before_json, audit.after_json).contains(&new_password));

    assert_eq!(
        app.get("/", &old_session).await.status,
        StatusCode::SEE_OTHER,
        "old session ended"
    );
    let r = app.login_form("forgetful", PASSWORD).await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the old password is gone"
    );
    let r = app.login_form("forgetful", &new_password).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/password", "must change it first");
    let got = app
        .api(
            Method::GET,
            &format!("/api/v1/users/{}", u.id),
            Some(&sys),
            None,
        )
        .await
        .json();
    assert_eq!(got["must_change_password"], true);
    assert!(got.get("password").is_none());
}

#[tokio::test]
async fn a_system_admin_cannot_reset_another_administrators_password() {
    let (app, f) = setup().await;
    let sec = app.user("secadmin", Role::SecurityAdmin, f.bureau.id).await;
    let sys = token(&app, "sysadmin", Role::SystemAdmin, f.bureau.id).await;
    let (before,): (String,) = app
        .db
        .fetch_one(&Q::new("SELECT password_hash FROM app_user WHERE id = $1").bind(sec.id))
        .await
        .unwrap();
    let res = app
        .api(
            Method::POST,
            &format!("/api/v1/users/{}/reset-password", sec.id),
            Some(&sys),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text());
    let (after,): (String,) = app
        .db
        .fetch_one(&Q::new("SELECT password_hash FROM app_user WHERE id = $1").bind(sec.id))
        .await
        .unwrap();
    assert_eq!(before, after);
}
