//! The JSON API as a whole: the OpenAPI document (snapshot-tested, and checked against the route
//! table so spec and routes cannot drift) and the one error shape `{code, message, fields}` for
//! every way a request can be wrong.
//!
//! To accept an intended change of the document: `UPDATE_SNAPSHOTS=1 cargo test -p anjian-it
//! --test it api::` and commit tests/it/snapshots/openapi.json.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::{json, Value};

use anjian_db::org::{self, OrgInput};
use anjian_db::Ctx;
use anjian_domain::role::Role;
use anjian_testkit::{Resp, TestApp};

const SNAPSHOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/it/snapshots/openapi.json");
const HTTP_METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Pretty JSON with object keys sorted at every level, whatever map type serde_json was built
/// with: the snapshot must not change because of key order.
fn canonical(v: &Value, indent: usize, out: &mut String) {
    let pad = "  ".repeat(indent + 1);
    match v {
        Value::Object(m) if !m.is_empty() => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push_str("{\n");
            for (i, k) in keys.iter().enumerate() {
                out.push_str(&pad);
                out.push_str(&serde_json::to_string(k).unwrap());
                out.push_str(": ");
                canonical(&m[k.as_str()], indent + 1, out);
                if i + 1 < keys.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            out.push_str(&"  ".repeat(indent));
            out.push('}');
        }
        Value::Array(a) if !a.is_empty() => {
            out.push_str("[\n");
            for (i, x) in a.iter().enumerate() {
                out.push_str(&pad);
                canonical(x, indent + 1, out);
                if i + 1 < a.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            out.push_str(&"  ".repeat(indent));
            out.push(']');
        }
        other => out.push_str(&serde_json::to_string(other).unwrap()),
    }
}

async fn openapi(app: &TestApp) -> Value {
    let res = app
        .send(
            Request::get("/api/v1/openapi.json")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(
        res.headers
            .get(header::CONTENT_TYPE)
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("application/json"),
        "served as JSON"
    );
    serde_json::from_slice(&res.body)
        .unwrap_or_else(|e| panic!("openapi.json is not valid JSON: {e}"))
}

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

// ---------------------------------------------------------------- the document

#[tokio::test]
async fn openapi_document_is_public_valid_json_of_version_3() {
    let app = TestApp::new().await;
    let doc = openapi(&app).await;
    let version = doc["openapi"].as_str().expect("openapi version field");
    assert!(version.starts_with("3."), "{version}");
    assert!(!doc["info"]["title"].as_str().unwrap_or("").is_empty());
    assert!(
        doc["paths"].as_object().is_some_and(|p| !p.is_empty()),
        "has paths"
    );
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer",
        "documents Bearer auth"
    );
    // Every error response points at the one error schema.
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if !HTTP_METHODS.contains(&method.as_str()) {
                continue;
            }
            for (status, r) in op["responses"]
                .as_object()
                .unwrap_or_else(|| panic!("{method} {path} has responses"))
            {
                if status.starts_with('4') {
                    let schema = &r["content"]["application/json"]["schema"]["$ref"];
                    assert_eq!(
                        schema, "#/components/schemas/ErrorBody",
                        "{method} {path} {status}"
                    );
                }
            }
        }
    }
}

#[tokio::test]
async fn openapi_document_matches_the_snapshot() {
    let app = TestApp::new().await;
    let mut text = String::new();
    canonical(&openapi(&app).await, 0, &mut text);
    text.push('\n');
    if std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
        std::fs::create_dir_all(std::path::Path::new(SNAPSHOT).parent().unwrap()).unwrap();
        std::fs::write(SNAPSHOT, &text).unwrap();
        return;
    }
    let stored = std::fs::read_to_string(SNAPSHOT)
        .unwrap_or_else(|e| panic!("{SNAPSHOT}: {e}; create it with UPDATE_SNAPSHOTS=1"));
    if stored != text {
        let (line, (want, got)) = stored
            .lines()
            .zip(text.lines())
            .enumerate()
            .find(|(_, (a, b))| a != b)
            .map(|(i, p)| (i + 1, p))
            .unwrap_or((
                stored.lines().count().min(text.lines().count()) + 1,
                ("<end>", "<end>"),
            ));
        panic!(
            "the OpenAPI document changed (first difference at line {line}):\n  snapshot: {want}\n  now:      {got}\n\
             If the change is intended, run with UPDATE_SNAPSHOTS=1 and commit {SNAPSHOT}."
        );
    }
}

#[tokio::test]
async fn openapi_paths_are_exactly_the_api_routes() {
    let app = TestApp::new().await;
    let doc = openapi(&app).await;
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if HTTP_METHODS.contains(&method.as_str()) {
                documented.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    let routed: BTreeSet<(String, String)> = anjian_web::route_table()
        .entries
        .iter()
        .filter(|e| e.path.starts_with("/api/v1") && e.path != "/api/v1/openapi.json")
        .map(|e| (e.method.as_str().to_string(), e.path.to_string()))
        .collect();
    assert!(routed.len() > 5, "the route table has API routes");
    let undocumented: Vec<_> = routed.difference(&documented).collect();
    let phantom: Vec<_> = documented.difference(&routed).collect();
    assert!(
        undocumented.is_empty() && phantom.is_empty(),
        "spec and routes drifted.\n  routes missing from the spec: {undocumented:?}\n  spec entries without a route: {phantom:?}"
    );
}

// ---------------------------------------------------------------- error shape

#[tokio::test]
async fn malformed_json_is_400() {
    let app = TestApp::new().await;
    let (_, token) = admin(&app).await;
    for bad in [
        &b"{\"kind\": \"site\", "[..],
        b"not json at all",
        b"",
        b"{'kind': 'site'}",
    ] {
        let res = raw(
            &app,
            Method::POST,
            "/api/v1/orgs",
            Some(&token),
            Some("application/json"),
            bad.to_vec(),
        )
        .await;
        let body = error_body(&res, StatusCode::BAD_REQUEST, "bad_request");
        assert_eq!(body["fields"], json!({}), "{body}");
    }
}

#[tokio::test]
async fn json_followed_by_garbage_is_400() {
    let app = TestApp::new().await;
    let (f, token) = admin(&app).await;
    let before = org::count_all(&app.db).await.unwrap();
    let mut body = json!({"kind": "site", "parent_id": f.unit_a.id, "name": "尾随垃圾"})
        .to_string()
        .into_bytes();
    body.extend_from_slice(b" }{ this is not JSON");
    let res = raw(
        &app,
        Method::POST,
        "/api/v1/orgs",
        Some(&token),
        Some("application/json"),
        body,
    )
    .await;
    error_body(&res, StatusCode::BAD_REQUEST, "bad_request");
    assert_eq!(
        org::count_all(&app.db).await.unwrap(),
        before,
        "nothing inserted"
    );
}

#[tokio::test]
async fn well_formed_json_that_does_not_fit_is_422_naming_the_field() {
    let app = TestApp::new().await;
    let (f, token) = admin(&app).await;
    let before = org::count_all(&app.db).await.unwrap();
    let post = |v: Value| {
        let (app, token) = (&app, &token);
        async move {
            app.api(Method::POST, "/api/v1/orgs", Some(token), Some(v))
                .await
        }
    };

    // Missing required field.
    let res = post(json!({"kind": "site", "parent_id": f.unit_a.id})).await;
    let body = error_body(&res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert!(
        body["fields"]["name"].is_string(),
        "names the missing field: {body}"
    );
    assert_eq!(body["fields"].as_object().unwrap().len(), 1);

    // Wrong type.
    let res = post(json!({"kind": "site", "parent_id": "abc", "name": "x"})).await;
    let body = error_body(&res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert!(
        body["fields"]["parent_id"].is_string(),
        "names the mistyped field: {body}"
    );
    let res =
        post(json!({"kind": "site", "parent_id": f.unit_a.id, "name": "x", "sort_order": "first"}))
            .await;
    let body = error_body(&res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert!(body["fields"]["sort_order"].is_string(), "{body}");

    // Unknown field.
    let res =
        post(json!({"kind": "site", "parent_id": f.unit_a.id, "name": "x", "colour": "red"})).await;
    let body = error_body(&res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert!(
        body["fields"]["colour"].is_string(),
        "names the unknown field: {body}"
    );

    // Not an object at all.
    let res = post(json!([1, 2, 3])).await;
    error_body(&res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");

    // Fits the shape but fails the rules: the data layer's Chinese message per field.
    let res =
        post(json!({"kind": "unit", "parent_id": f.bureau.id, "name": "", "uscc": "123"})).await;
    let body = error_body(&res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(body["fields"]["name"], "名称不能为空");
    assert_eq!(
        body["fields"]["uscc"],
        "统一社会信用代码应为18位，实际为3位"
    );

    assert_eq!(
        org::count_all(&app.db).await.unwrap(),
        before,
        "nothing inserted"
    );
}

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
async fn wrong_content_type_is_415() {
    let app = TestApp::new().await;
    let (f, token) = admin(&app).await;
    let body = json!({"kind": "site", "parent_id": f.unit_a.id, "name": "类型错误"})
        .to_string()
        .into_bytes();
    for ct in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let res = raw(
            &app,
            Method::POST,
            "/api/v1/orgs",
            Some(&token),
            ct,
            body.clone(),
        )
        .await;
        error_body(
            &res,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        );
    }
    assert!(org::find(&app.db, &Ctx::system("t"), "类型错误")
        .await
        .is_err());
}

fn huge_org(f: &anjian_testkit::Fixture) -> Vec<u8> {
    json!({"kind": "site", "parent_id": f.unit_a.id, "name": "x".repeat(3 * 1024 * 1024)})
        .to_string()
        .into_bytes()
}

#[tokio::test]
async fn a_streamed_body_over_the_limit_is_413() {
    let app = TestApp::new().await;
    let (f, token) = admin(&app).await;
    let before = org::count_all(&app.db).await.unwrap();
    let res = raw(
        &app,
        Method::POST,
        "/api/v1/orgs",
        Some(&token),
        Some("application/json"),
        huge_org(&f),
    )
    .await;
    error_body(&res, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    assert_eq!(org::count_all(&app.db).await.unwrap(), before);
}

#[tokio::test]
async fn a_body_announced_over_the_limit_is_413_in_the_error_shape() {
    let app = TestApp::new().await;
    let (f, token) = admin(&app).await;
    let huge = huge_org(&f);
    let req = Request::post("/api/v1/orgs")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_LENGTH, huge.len())
        .body(Body::from(huge))
        .unwrap();
    let res = app.send(req).await;
    error_body(&res, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
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
