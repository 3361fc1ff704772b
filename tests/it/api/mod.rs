//! The JSON API as a whole: the OpenAPI document (snapshot-tested, and checked against the route
//! table so spec and routes cannot drift) and the one error shape `{code, message, fields}` for
//! every way a request can be wrong.
//!
//! To accept an intended change of the document: `UPDATE_SNAPSHOTS=1 cargo test -p anjian-it
//! --test it api::` and commit tests/it/snapshots/openapi.json.
//!
//! The tests are split into `document` (the OpenAPI document), `request_body` (bodies that are
//! malformed, do not fit, have the wrong type or are too large) and `route_auth_query` (unknown
//! routes and methods, missing tokens and permissions, query parameters); the error-shape
//! helpers below are shared by the last two.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::Value;

use anjian_domain::role::Role;
use anjian_testkit::{Resp, TestApp};

mod document;
mod request_body;
mod route_auth_query;

/// Asserts the error body is exactly `{code, message, fields}` with this code, and returns it.
fn error_body(res: &Resp, status: StatusCode, code: &str) -> Value {
    assert_eq!(res.status, status, "{}", res.text());
    let ct = res
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(
        ct.starts_with("application/json"),
        "JSON error, got {ct}: {}",
        res.text()
    );
    let body = res.json();
    let keys: BTreeSet<&str> = body
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        BTreeSet::from(["code", "fields", "message"]),
        "{body}"
    );
    assert_eq!(body["code"], code, "{body}");
    assert!(!body["message"]
        .as_str()
        .expect("message is text")
        .is_empty());
    assert!(body["fields"].is_object(), "{body}");
    body
}

async fn raw(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> Resp {
    let mut b = Request::builder().method(method).uri(path);
    if let Some(t) = token {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    if let Some(ct) = content_type {
        b = b.header(header::CONTENT_TYPE, ct);
    }
    app.send(b.body(Body::from(body)).unwrap()).await
}

async fn admin(app: &TestApp) -> (anjian_testkit::Fixture, String) {
    let f = app.fixture().await;
    let u = app.user("sysadmin", Role::SystemAdmin, f.bureau.id).await;
    let t = app.token_for(&u).await;
    (f, t)
}
