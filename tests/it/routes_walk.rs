//! Walks the application's route table: every route but the public ones refuses an anonymous
//! request, and every route that takes an id answers 404 for an id outside the caller's scope.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};

use anjian_db::Q;
use anjian_domain::role::Role;
use anjian_testkit::TestApp;
use anjian_web::auth::Access;
use anjian_web::route_table;

const PRE: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

#[tokio::test]
async fn only_login_health_static_and_the_api_description_are_public() {
    let public: BTreeSet<(String, &str)> = route_table()
        .entries
        .iter()
        .filter(|e| e.access == Access::Public)
        .map(|e| (e.method.to_string(), e.path))
        .collect();
    let expected: BTreeSet<(String, &str)> = [
        ("GET", "/login"),
        ("POST", "/login"),
        ("GET", "/healthz"),
        ("GET", "/readyz"),
        ("GET", "/static/app.css"),
        ("GET", "/static/app.js"),
        ("GET", "/api/v1/openapi.json"),
    ]
    .into_iter()
    .map(|(m, p)| (m.to_string(), p))
    .collect();
    assert_eq!(public, expected);
}

fn concrete(path: &str, id: i64) -> String {
    path.replace("{id}", &id.to_string())
}

#[tokio::test]
async fn every_protected_route_refuses_an_anonymous_request() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let entries: Vec<_> = route_table()
        .entries
        .into_iter()
        .filter(|e| e.access != Access::Public)
        .collect();
    assert!(
        entries.len() > 20,
        "the table lists the application's routes"
    );
    let before = app.audit_count().await;
    for e in &entries {
        let path = concrete(e.path, f.site_a.id);
        let api = path.starts_with("/api/");
        let mut b = Request::builder().method(e.method.clone()).uri(&path);
        // Give anonymous form posts a valid pre-login CSRF pair so that the access guard, not
        // the CSRF check, is what refuses them.
        if e.method != Method::GET {
            b = b
                .header(header::COOKIE, format!("anjian_pre={PRE}"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        }
        let body = if e.method == Method::GET {
            Body::empty()
        } else {
            Body::from(format!("csrf_token={PRE}"))
        };
        let res = app.send(b.body(body).unwrap()).await;
        if api {
            assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{} {path}", e.method);
            assert_eq!(res.json()["code"], "unauthorized");
        } else {
            assert_eq!(res.status, StatusCode::SEE_OTHER, "{} {path}", e.method);
            assert!(
                res.location().starts_with("/login"),
                "{} {path} → {}",
                e.method,
                res.location()
            );
        }
    }
    assert_eq!(
        app.audit_count().await,
        before,
        "anonymous requests changed nothing"
    );
}

/// The first role (in matrix order) that passes the route's guard.
fn role_for(access: Access) -> Role {
    match access {
        Access::Perm(p) => Role::ALL
            .into_iter()
            .find(|r| r.can(p))
            .expect("some role has every permission"),
        _ => Role::UnitOfficer,
    }
}

#[tokio::test]
async fn every_route_with_an_id_answers_404_outside_the_callers_scope() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    // Records that belong to unit B, one per kind of id in the route table.
    let b_user = app.user("b_user", Role::Inspector, f.unit_b.id).await;
    // A live session of unit B's user, for the /sessions/{id} routes.
    app.login_as(&b_user).await;
    let (b_session,): (i64,) = app
        .db
        .fetch_one(&Q::new("SELECT MAX(id) FROM user_session WHERE user_id = $1").bind(b_user.id))
        .await
        .unwrap();
    let (b_audit,): (i64,) = app
        .db
        .fetch_one(&Q::new("SELECT MAX(id) FROM audit_log WHERE org_id = $1").bind(f.site_b.id))
        .await
        .unwrap();
    let (b_attachment,): (i64,) = app
        .db
        .fetch_one(
            &Q::new(
                "INSERT INTO attachment (org_id, sha256, size_bytes, mime, original_name, has_thumb, created_at) \
                 VALUES ($1, $2, 3, 'application/pdf', 'b.pdf', $3, $4) RETURNING id",
            )
            .bind(f.site_b.id)
            .bind("ab".repeat(32))
            .bind(true)
            .bind(anjian_db::now()),
        )
        .await
        .unwrap();
    // Each business module's test folder names its own unit-B records.
    let mut module_ids: Vec<(&'static str, i64)> = Vec::new();
    module_ids.extend(crate::checklist::foreign_ids(&app, &f).await);
    module_ids.extend(crate::campaign::foreign_ids(&app, &f).await);
    module_ids.extend(crate::inspection_task::foreign_ids(&app, &f).await);
    module_ids.extend(crate::inspection::foreign_ids(&app, &f).await);
    module_ids.extend(crate::hazard::foreign_ids(&app, &f).await);
    module_ids.extend(crate::risk::foreign_ids(&app, &f).await);
    module_ids.extend(crate::ledger::foreign_ids(&app, &f).await);
    module_ids.extend(crate::duty::foreign_ids(&app, &f).await);
    module_ids.extend(crate::incident::foreign_ids(&app, &f).await);
    module_ids.extend(crate::report::foreign_ids(&app, &f).await);
    let id_for = |path: &str| -> i64 {
        if let Some((_, id)) = module_ids.iter().find(|(frag, _)| path.contains(frag)) {
            *id
        } else if path.contains("/orgs/") {
            f.site_b.id
        } else if path.contains("/users/") {
            b_user.id
        } else if path.contains("/sessions/") {
            b_session
        } else if path.contains("/audit/") {
            b_audit
        } else if path.contains("/attachments/") {
            b_attachment
        } else {
            panic!("route {path} takes an id of a kind this test does not know: teach it")
        }
    };
    let entries: Vec<_> = route_table()
        .entries
        .into_iter()
        .filter(|e| e.path.contains("{id}"))
        .collect();
    assert!(entries.len() >= 10);
    let mut checked = 0;
    for e in entries {
        let role = role_for(e.access);
        let me = app
            .user(&format!("walker_{checked}"), role, f.unit_a.id)
            .await;
        let path = concrete(e.path, id_for(e.path));
        let res = if path.starts_with("/api/") {
            let token = app.token_for(&me).await;
            let body = if path.ends_with("/move") {
                Some(serde_json::json!({"parent_id": f.unit_a.id}))
            } else if e.method == Method::PUT {
                Some(serde_json::json!({"kind": "site", "name": "越权修改"}))
            } else {
                None
            };
            app.api(e.method.clone(), &path, Some(&token), body).await
        } else {
            let login = app.login_as(&me).await;
            let a = f.unit_a.id.to_string();
            let form = [
                ("kind", "site"),
                ("name", "越权修改"),
                ("parent_id", a.as_str()),
                ("org_id", a.as_str()),
                ("role", "inspector"),
                ("phone", ""),
                ("sort_order", "0"),
            ];
            app.page(e.method.clone(), &path, Some(&login), &form).await
        };
        assert_eq!(
            res.status,
            StatusCode::NOT_FOUND,
            "{} {path} as {role:?} at unit A: {}",
            e.method,
            res.text()
        );
        checked += 1;
    }
    assert!(checked >= 10);
    // The out-of-scope records are untouched.
    let (name,): (String,) = app
        .db
        .fetch_one(&Q::new("SELECT name FROM org WHERE id = $1").bind(f.site_b.id))
        .await
        .unwrap();
    assert_eq!(name, "乙库点");
    let (disabled,): (bool,) = app
        .db
        .fetch_one(&Q::new("SELECT disabled FROM app_user WHERE id = $1").bind(b_user.id))
        .await
        .unwrap();
    assert!(!disabled);
}
