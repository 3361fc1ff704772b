//! The loop through /api/v1/hazards with tokens: the same rules answer in the API's error shape
//! (422 naming the field, 409 for a stale version), and the to-do counts.

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use super::*;

async fn call(
    w: &World,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let res = w.app.api(method, path, Some(token), body).await;
    let v = if res.body.is_empty() {
        Value::Null
    } else {
        res.json()
    };
    (res.status, v)
}

#[tokio::test]
async fn the_loop_through_the_api() {
    let w = world().await;
    let officer = w.app.token_for(&w.officer.user).await;
    let inspector = w.app.token_for(&w.inspector.user).await;
    let photo = attachment(&w.app, w.f.site_a.id).await;

    let (st, v) = call(
        &w,
        &officer,
        Method::POST,
        "/api/v1/hazards",
        Some(json!({
            "org_id": w.f.site_a.id, "description": "配电室无挡鼠板", "grade": "general",
            "found_on": ds(-2), "deadline": ds(5), "before_attachment_ids": [photo]
        })),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let id = v["hazard"]["id"].as_i64().unwrap();
    assert_eq!(v["hazard"]["status"], "pending");
    assert_eq!(v["attachments"][0]["kind"], "before");
    assert_eq!(v["events"][0]["action"], "registered");
    let ver = v["hazard"]["row_version"].as_i64().unwrap();

    // Field errors name the field.
    let (st, v) = call(
        &w,
        &officer,
        Method::POST,
        &format!("/api/v1/hazards/{id}/assign"),
        Some(json!({"row_version": ver, "owner": "", "measures": "加装", "funds": "0"})),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["fields"]["owner"].is_string(), "{v}");
    let (st, v) = call(
        &w,
        &officer,
        Method::POST,
        &format!("/api/v1/hazards/{id}/assign"),
        Some(json!({"row_version": ver, "owner": "王", "measures": "加装", "funds": "800"})),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["hazard"]["funds_fen"], 80_000);
    // The old version again: 409.
    let (st, v) = call(
        &w,
        &officer,
        Method::POST,
        &format!("/api/v1/hazards/{id}/assign"),
        Some(json!({"row_version": ver, "owner": "王", "measures": "加装", "funds": "800"})),
    )
    .await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert_eq!(v["code"], "conflict");
    assert_eq!(v["message"], "记录已被他人修改，请刷新后重试");
    let ver = ver + 1;

    let (st, v) = call(
        &w,
        &officer,
        Method::POST,
        &format!("/api/v1/hazards/{id}/submit"),
        Some(json!({"row_version": ver, "rectified_on": ds(-1)})),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["fields"]["evidence"].is_string(), "{v}");
    let after = attachment(&w.app, w.f.site_a.id).await;
    let (st, v) = call(
        &w,
        &officer,
        Method::POST,
        &format!("/api/v1/hazards/{id}/submit"),
        Some(json!({"row_version": ver, "rectified_on": ds(-1), "after_attachment_ids": [after]})),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let ver = v["hazard"]["row_version"].as_i64().unwrap();

    // The inspector's to-do shows it.
    let (_, t) = call(&w, &inspector, Method::GET, "/api/v1/hazards/todo", None).await;
    assert_eq!(t["to_verify"], 1);
    let (_, l) = call(
        &w,
        &inspector,
        Method::GET,
        "/api/v1/hazards?todo=verify",
        None,
    )
    .await;
    assert_eq!(l["items"][0]["id"], id);

    let (st, v) = call(
        &w,
        &inspector,
        Method::POST,
        &format!("/api/v1/hazards/{id}/verify"),
        Some(json!({"row_version": ver, "verified_on": ds(-2)})),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["fields"]["verified_on"].is_string(), "{v}");
    let (st, v) = call(
        &w,
        &inspector,
        Method::POST,
        &format!("/api/v1/hazards/{id}/verify"),
        Some(json!({"row_version": ver, "verified_on": ds(0), "note": "合格"})),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["hazard"]["status"], "closed");
    let actions: Vec<&str> = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["registered", "assigned", "submitted", "verified"]);

    // An officer has no verification right: 403 from the guard.
    let (st, _) = call(
        &w,
        &officer,
        Method::POST,
        &format!("/api/v1/hazards/{id}/verify"),
        Some(json!({})),
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn query_parameters_are_checked() {
    let w = world().await;
    let token = w.app.token_for(&w.officer.user).await;
    for (q, field) in [
        ("status=done", "status"),
        ("grade=较大", "grade"),
        ("found_from=2023-02-30", "found_from"),
        ("ids=1,x", "ids"),
        ("todo=nothing", "todo"),
        ("overdue=maybe", "overdue"),
        ("colour=red", "colour"),
    ] {
        let (st, v) = call(
            &w,
            &token,
            Method::GET,
            &format!("/api/v1/hazards?{q}"),
            None,
        )
        .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{q}: {v}");
        assert!(v["fields"][field].is_string(), "{q}: {v}");
    }
    let (st, v) = call(
        &w,
        &token,
        Method::GET,
        "/api/v1/hazards?status=open&overdue=true&page_size=5",
        None,
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["page_size"], 5);
    // A body that is not JSON is 415 after the hazard is found, 400 when malformed.
    let h = register(&w.app, &w.officer, w.f.site_a.id, "x", 0, 1).await;
    let res = w
        .app
        .api(
            Method::POST,
            &format!("/api/v1/hazards/{}/assign", h.id),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}
