//! The checklist API: list with filters, a checklist with its items, create, update (with the
//! version), add and edit items — and the error shape for bad input, foreign ids and roles.

use axum::http::{Method, StatusCode};
use serde_json::json;

use anjian_domain::role::Role;
use anjian_testkit::TestApp;

use super::support::{field, insert_checklist, person};

#[tokio::test]
async fn checklists_and_items_through_the_api() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let sup = person(&app, "ca_sup", Role::BureauSupervisor, &f.bureau).await;
    let officer = person(&app, "ca_off", Role::UnitOfficer, &f.unit_a).await;
    let t = Some(sup.token.as_str());

    let list = app
        .api(
            Method::GET,
            "/api/v1/checklists?category=%E9%98%B2%E6%B1%9B",
            Some(&officer.token),
            None,
        )
        .await;
    assert_eq!(list.status, 200, "{}", list.text());
    let body = list.json();
    assert_eq!(body["total"], 1);
    assert_eq!(body["items"][0]["name"], "防汛安全检查表");
    assert_eq!(body["items"][0]["can_manage"], false);

    let res = app
        .api(
            Method::POST,
            "/api/v1/checklists",
            t,
            Some(json!({"name": "粮食烘干作业检查表", "category": "烘干作业"})),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let created = res.json();
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["org_id"], f.bureau.id);
    assert_eq!(created["items"], json!([]));

    // Items: add (the version is optional when adding), then edit with the version.
    let res = app
        .api(
            Method::POST,
            &format!("/api/v1/checklists/{id}/items"),
            t,
            Some(json!({"content": "烘干塔防雷接地完好", "basis": "GB 50057", "major_criterion": false})),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let item = res.json()["id"].as_i64().unwrap();
    let got = app
        .api(Method::GET, &format!("/api/v1/checklists/{id}"), t, None)
        .await
        .json();
    assert_eq!(got["row_version"], 2);
    assert_eq!(got["items"][0]["content"], "烘干塔防雷接地完好");
    assert_eq!(got["items"][0]["position"], 1);

    let res = app
        .api(
            Method::PUT,
            &format!("/api/v1/checklist-items/{item}"),
            t,
            Some(json!({"content": "烘干塔防雷装置完好", "major_criterion": true, "active": false, "row_version": 2})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["major_criterion"], true);
    assert_eq!(res.json()["active"], false);
    let res = app
        .api(
            Method::PUT,
            &format!("/api/v1/checklist-items/{item}"),
            t,
            Some(json!({"content": "旧版本的修改", "row_version": 2})),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(res.json()["message"], "记录已被他人修改，请刷新后重试");
    let res = app
        .api(
            Method::PUT,
            &format!("/api/v1/checklist-items/{item}"),
            t,
            Some(json!({"content": "无版本"})),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field(&res.json(), "row_version").contains("版本号"));

    // Update the checklist and deactivate it in one request.
    let res = app
        .api(
            Method::PUT,
            &format!("/api/v1/checklists/{id}"),
            t,
            Some(json!({"name": "粮食烘干作业安全检查表", "category": "烘干作业", "active": false, "row_version": 3})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let body = res.json();
    assert_eq!(body["name"], "粮食烘干作业安全检查表");
    assert_eq!(body["active"], false);
    assert_eq!(body["row_version"], 4);
}

#[tokio::test]
async fn bad_bodies_foreign_ids_and_roles_answer_in_the_error_shape() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let sup = person(&app, "cb_sup", Role::BureauSupervisor, &f.unit_a).await;
    let officer = person(&app, "cb_off", Role::UnitOfficer, &f.unit_a).await;
    let t = Some(sup.token.as_str());
    let (b_list, b_item) = insert_checklist(&app, f.unit_b.id, "乙单位表").await;
    let (a_list, _) = insert_checklist(&app, f.unit_a.id, "甲单位表").await;
    let before = app.audit_count().await;

    let res = app
        .api(
            Method::POST,
            "/api/v1/checklists",
            t,
            Some(json!({"name": "", "category": "x"})),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field(&res.json(), "name"), "检查表名称不能为空");
    let res = app
        .api(
            Method::POST,
            "/api/v1/checklists",
            t,
            Some(json!({"name": "x", "category": "x", "colour": 1})),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.json()["fields"]["colour"].is_string());
    let res = app
        .api(
            Method::POST,
            &format!("/api/v1/checklists/{a_list}/items"),
            t,
            Some(json!({"content": ""})),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field(&res.json(), "content"), "检查内容不能为空");

    // Unit B's records do not exist for unit A, whatever the body.
    for (method, path) in [
        (Method::GET, format!("/api/v1/checklists/{b_list}")),
        (Method::PUT, format!("/api/v1/checklists/{b_list}")),
        (Method::POST, format!("/api/v1/checklists/{b_list}/items")),
        (Method::PUT, format!("/api/v1/checklist-items/{b_item}")),
    ] {
        let res = app
            .api(
                method.clone(),
                &path,
                t,
                Some(json!({"content": "越权", "row_version": 1})),
            )
            .await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{method} {path}");
        assert_eq!(res.json()["code"], "not_found");
    }
    // A viewer is refused by the route guard; the built-in library is read-only for a unit.
    let res = app
        .api(
            Method::POST,
            "/api/v1/checklists",
            Some(&officer.token),
            Some(json!({"name": "x", "category": "x"})),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = app
        .api(
            Method::GET,
            "/api/v1/checklists?include_inactive=1",
            t,
            None,
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "booleans are true/false"
    );
    let builtin = app
        .api(
            Method::GET,
            "/api/v1/checklists?keyword=%E6%B6%88%E9%98%B2",
            t,
            None,
        )
        .await
        .json();
    let fire = builtin["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "消防安全检查表")
        .and_then(|c| c["id"].as_i64())
        .unwrap();
    let res = app
        .api(
            Method::PUT,
            &format!("/api/v1/checklists/{fire}"),
            t,
            Some(json!({"name": "改名", "category": "消防安全", "row_version": 1})),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = app
        .api(
            Method::PUT,
            &format!("/api/v1/checklists/{a_list}"),
            t,
            Some(json!({"name": "x"})),
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        res.text()
    );
    assert!(
        res.json()["fields"]["category"].is_string(),
        "names the missing field"
    );
    assert_eq!(app.audit_count().await, before, "nothing changed");
}
