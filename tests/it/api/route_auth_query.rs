//! Errors outside the body, each in the one error shape: unknown routes and ids (404), a method
//! the route lacks (405), missing or bad tokens (401 with a Bearer challenge), a role without the
//! permission (403), bad query parameters (422) — and the page size clamped rather than refused.

use axum::http::{header, Method, StatusCode};
use serde_json::json;

use anjian_db::org::{self, OrgInput};
use anjian_db::Ctx;
use anjian_domain::role::Role;
use anjian_testkit::TestApp;

use super::{admin, error_body};

// ---------------------------------------------------------------- error shape: routes, auth, query

#[tokio::test]
async fn unknown_routes_and_bad_ids_are_404_json() {
    let app = TestApp::new().await;
    let (f, token) = admin(&app).await;
    for path in [
        "/api/v1/nothing-here",
        "/api/v1/orgs/abc",
        "/api/v1/orgs/-1",
        "/api/v1/orgs/0",
        "/api/v1/orgs/99999999",
        "/api/v2/orgs",
    ] {
        let res = app.api(Method::GET, path, Some(&token), None).await;
        error_body(&res, StatusCode::NOT_FOUND, "not_found");
    }
    let res = app
        .api(
            Method::GET,
            &format!("/api/v1/orgs/{}", f.unit_a.id),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let res = app
        .api(
            Method::POST,
            "/api/v1/orgs/abc/move",
            Some(&token),
            Some(json!({"parent_id": f.bureau.id})),
        )
        .await;
    error_body(&res, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn a_method_the_route_does_not_have_keeps_its_status_in_the_error_shape() {
    let app = TestApp::new().await;
    let (f, token) = admin(&app).await;
    let res = app
        .api(
            Method::DELETE,
            &format!("/api/v1/orgs/{}", f.site_a.id),
            Some(&token),
            None,
        )
        .await;
    error_body(&res, StatusCode::METHOD_NOT_ALLOWED, "bad_request");
    assert!(
        org::get(&app.db, &Ctx::system("t"), f.site_a.id)
            .await
            .is_ok(),
        "nothing deleted"
    );
}

#[tokio::test]
async fn no_or_bad_token_is_401_with_a_bearer_challenge() {
    let app = TestApp::new().await;
    let (f, token) = admin(&app).await;
    for t in [
        None,
        Some("ajt_not-a-real-token"),
        Some(&token[..token.len() - 1]),
    ] {
        for p in [
            "/api/v1/orgs",
            "/api/v1/me",
            &format!("/api/v1/orgs/{}", f.unit_a.id),
        ] {
            let res = app.api(Method::GET, p, t, None).await;
            error_body(&res, StatusCode::UNAUTHORIZED, "unauthorized");
            assert_eq!(
                res.headers.get(header::WWW_AUTHENTICATE).unwrap(),
                "Bearer",
                "{p}"
            );
        }
    }
    let res = app.api(Method::GET, "/api/v1/me", Some(&token), None).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json()["username"], "sysadmin");
}

#[tokio::test]
async fn a_write_without_a_valid_token_is_401_not_a_csrf_failure() {
    let app = TestApp::new().await;
    let (f, token) = admin(&app).await;
    let before = org::count_all(&app.db).await.unwrap();
    let body = json!({"kind": "site", "parent_id": f.unit_a.id, "name": "无令牌"});
    for t in [
        None,
        Some("ajt_not-a-real-token"),
        Some(&token[..token.len() - 1]),
    ] {
        let res = app
            .api(Method::POST, "/api/v1/orgs", t, Some(body.clone()))
            .await;
        error_body(&res, StatusCode::UNAUTHORIZED, "unauthorized");
        assert_eq!(res.headers.get(header::WWW_AUTHENTICATE).unwrap(), "Bearer");
    }
    assert_eq!(org::count_all(&app.db).await.unwrap(), before);
}

#[tokio::test]
async fn a_role_without_the_permission_gets_403() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let leader = app.user("leader", Role::BureauLeader, f.bureau.id).await;
    let token = app.token_for(&leader).await;
    let res = app
        .api(
            Method::POST,
            "/api/v1/orgs",
            Some(&token),
            Some(json!({"kind": "site", "parent_id": f.unit_a.id, "name": "x"})),
        )
        .await;
    error_body(&res, StatusCode::FORBIDDEN, "forbidden");
    let res = app
        .api(Method::GET, "/api/v1/orgs", Some(&token), None)
        .await;
    assert_eq!(res.status, StatusCode::OK, "viewing is allowed");
}

#[tokio::test]
async fn bad_query_parameters_are_422_naming_them() {
    let app = TestApp::new().await;
    let (_, token) = admin(&app).await;
    for (q, field) in [
        ("page=abc", "page"),
        ("page_size=lots", "page_size"),
        ("include_inactive=maybe", "include_inactive"),
        ("colour=red", "colour"),
        ("kind=castle", "kind"),
    ] {
        let res = app
            .api(
                Method::GET,
                &format!("/api/v1/orgs?{q}"),
                Some(&token),
                None,
            )
            .await;
        let body = error_body(&res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert!(body["fields"][field].is_string(), "{q}: {body}");
    }
}

#[tokio::test]
async fn page_size_is_clamped() {
    let app = TestApp::new().await;
    let (f, token) = admin(&app).await;
    let sys = Ctx::system("test");
    for i in 0..201 {
        org::create(
            &app.db,
            &sys,
            &OrgInput {
                kind: "site".into(),
                parent_id: Some(f.unit_a.id),
                name: format!("批量库点{i:03}"),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    }
    let total = 5 + 201;
    let res = app
        .api(
            Method::GET,
            "/api/v1/orgs?page_size=100000",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let body = res.json();
    assert_eq!(body["page_size"], 200, "clamped to the maximum");
    assert_eq!(body["items"].as_array().unwrap().len(), 200);
    assert_eq!(body["total"], total);
    let res = app
        .api(
            Method::GET,
            "/api/v1/orgs?page_size=100000&page=2",
            Some(&token),
            None,
        )
        .await
        .json();
    assert_eq!(
        res["items"].as_array().unwrap().len(),
        total - 200,
        "the rest on page 2"
    );
    // Too small and negative numbers are clamped too.
    let res = app
        .api(
            Method::GET,
            "/api/v1/orgs?page_size=0&page=-3",
            Some(&token),
            None,
        )
        .await
        .json();
    assert_eq!(
        (res["page_size"].as_i64(), res["page"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(res["items"].as_array().unwrap().len(), 1);
}
