//! User accounts through the real routes: who may create which role (三员分立), the generated
//! initial password shown once and changed at first login, unique user names, scope between
//! units, locking that ends live sessions, and password resets.
//!
//! The tests are split into `creation` (roles, initial password, first login, validation, the
//! create page) and `access` (scope, locking, password resets); they share the helpers below.

use axum::http::Method;
use serde_json::json;

use anjian_db::Q;
use anjian_domain::role::Role;
use anjian_testkit::{Fixture, Login, Resp, TestApp};

mod access;
mod creation;

// ---------------------------------------------------------------- helpers

/// A browser session from a successful form login.
fn session_of(res: &Resp) -> Login {
    let cookie = res
        .set_cookie("anjian_session")
        .unwrap_or_else(|| panic!("no session cookie: {} {}", res.status, res.text()));
    Login {
        cookie,
        csrf: String::new(),
        user_id: 0,
    }
}

async fn token(app: &TestApp, username: &str, role: Role, org_id: i64) -> String {
    let u = app.user(username, role, org_id).await;
    app.token_for(&u).await
}

async fn create(app: &TestApp, token: &str, username: &str, role: &str, org_id: i64) -> Resp {
    app.api(
        Method::POST,
        "/api/v1/users",
        Some(token),
        Some(json!({"username": username, "name": format!("姓名{username}"), "org_id": org_id, "role": role, "phone": "13900000000"})),
    )
    .await
}

async fn user_count(app: &TestApp, username: &str) -> i64 {
    let (n,): (i64,) = app
        .db
        .fetch_one(&Q::new("SELECT COUNT(*) FROM app_user WHERE username = $1").bind(username))
        .await
        .unwrap();
    n
}

async fn setup() -> (TestApp, Fixture) {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    (app, f)
}

const ADMIN_ROLES: [&str; 3] = ["system_admin", "security_admin", "audit_admin"];
const BUSINESS_ROLES: [&str; 5] = [
    "bureau_supervisor",
    "bureau_leader",
    "unit_head",
    "unit_officer",
    "inspector",
];
