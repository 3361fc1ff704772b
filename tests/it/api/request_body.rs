//! Request bodies that are wrong, each answered in the one error shape: malformed JSON (400), JSON
//! that does not fit (422 naming the field), the wrong content type (415) and bodies over the
//! limit (413). Nothing is ever inserted.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::{json, Value};

use anjian_db::org;
use anjian_db::Ctx;
use anjian_testkit::TestApp;

use super::{admin, error_body, raw};

// ---------------------------------------------------------------- error shape: request bodies

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
