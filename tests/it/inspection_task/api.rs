//! The task API: issue, read with the board, edit with the version, cancel — and the error shape
//! for bad bodies, foreign ids and roles.

use axum::http::{Method, StatusCode};
use serde_json::json;

use anjian_domain::role::Role;
use anjian_testkit::TestApp;

use super::support::{field, insert_task, person};

#[tokio::test]
async fn tasks_through_the_api() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let sup = person(&app, "ta_sup", Role::BureauSupervisor, &f.bureau).await;
    let b = person(&app, "ta_b", Role::UnitOfficer, &f.unit_b).await;
    let t = Some(sup.token.as_str());
    let res = app
        .api(
            Method::POST,
            "/api/v1/inspection-tasks",
            t,
            Some(
                json!({"title": "汛前检查", "kind": "special", "start_date": "2023-05-01",
                        "due_date": "2023-05-15", "org_ids": [f.unit_a.id, f.unit_b.id]}),
            ),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let body = res.json();
    let id = body["id"].as_i64().unwrap();
    assert_eq!(body["kind"], "special");
    assert_eq!(body["board"]["assigned"], 2);
    assert_eq!(
        body["board"]["overdue"], 2,
        "long past the due date, nobody submitted"
    );

    let mine = app
        .api(
            Method::GET,
            "/api/v1/inspection-tasks",
            Some(&b.token),
            None,
        )
        .await
        .json();
    assert_eq!(mine["total"], 1);
    assert_eq!(mine["items"][0]["assigned"], 1, "a unit counts only itself");
    assert_eq!(mine["items"][0]["can_manage"], false);

    let res = app
        .api(
            Method::PUT,
            &format!("/api/v1/inspection-tasks/{id}"),
            t,
            Some(json!({"title": "汛前检查（补充）", "start_date": "2023-05-01", "due_date": "2023-05-20",
                        "all_units": true, "row_version": 1})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["kind"], "self_check");
    assert_eq!(res.json()["row_version"], 2);

    let res = app
        .api(
            Method::POST,
            &format!("/api/v1/inspection-tasks/{id}/cancel"),
            t,
            Some(json!({"row_version": 1})),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    let res = app
        .api(
            Method::POST,
            &format!("/api/v1/inspection-tasks/{id}/cancel"),
            t,
            Some(json!({"row_version": 2})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert!(res.json()["cancelled_at"].is_string());
    let open = app
        .api(Method::GET, "/api/v1/inspection-tasks?status=open", t, None)
        .await
        .json();
    assert_eq!(open["total"], 0);
}

#[tokio::test]
async fn bad_task_bodies_foreign_ids_and_roles() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let sup = person(&app, "tab_sup", Role::BureauSupervisor, &f.unit_a).await;
    let officer = person(&app, "tab_off", Role::UnitOfficer, &f.unit_a).await;
    let t = Some(sup.token.as_str());
    let b_task = insert_task(&app, f.unit_b.id, &[f.unit_b.id], "2023-05-31").await;
    let res = app
        .api(
            Method::POST,
            "/api/v1/inspection-tasks",
            t,
            Some(json!({"title": "x", "start_date": "明天", "due_date": "2023-05-01", "org_ids": [f.unit_b.id]})),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field(&res.json(), "start_date").starts_with("开始日期格式不正确"));
    let res = app
        .api(Method::GET, "/api/v1/inspection-tasks?status=late", t, None)
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    for (method, path) in [
        (Method::GET, format!("/api/v1/inspection-tasks/{b_task}")),
        (Method::PUT, format!("/api/v1/inspection-tasks/{b_task}")),
        (
            Method::POST,
            format!("/api/v1/inspection-tasks/{b_task}/cancel"),
        ),
    ] {
        let res = app.api(method.clone(), &path, t, None).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{method} {path}");
    }
    let res = app
        .api(
            Method::POST,
            "/api/v1/inspection-tasks",
            Some(&officer.token),
            Some(json!({"title": "x", "start_date": "2023-05-01", "due_date": "2023-05-01"})),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}
