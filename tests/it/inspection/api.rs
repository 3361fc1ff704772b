//! The JSON API: create with items and a hazard, read, list with filters, correct with the
//! version, withdraw; bad input answers 422 naming the fields and writes nothing.

use axum::http::{Method, StatusCode};
use serde_json::json;

use anjian_domain::role::Role;
use anjian_testkit::TestApp;

use super::{library, person, written};

#[tokio::test]
async fn create_read_list_correct_and_withdraw_over_the_api() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let sup = person(&app, "sup", Role::BureauSupervisor, &f.bureau).await;
    let lib = library(&app, "仓储安全检查表（接口）").await;
    let token = app.token_for(&sup.user).await;
    let body = json!({
        "org_id": f.site_b.id,
        "kind": "spot_check",
        "inspected_on": "2023-04-02",
        "inspectors": "陈监管",
        "checklist_id": lib.checklist_id,
        "summary": "抽查乙库点",
        "items": [
            {"checklist_item_id": lib.items[2].id, "result": "不适用"},
            {"checklist_item_id": lib.items[0].id, "result": "pass"},
            {"checklist_item_id": lib.items[1].id, "result": "fail",
             "hazard": {"location": "5号仓", "deadline": "2023-05-02"}},
        ],
    });
    let res = app
        .api(
            Method::POST,
            "/api/v1/inspections",
            Some(&token),
            Some(body),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let d = res.json();
    let id = d["inspection"]["id"].as_i64().unwrap();
    assert_eq!(d["inspection"]["kind_label"], "抽查");
    assert_eq!(d["inspection"]["hazard_count"], 1);
    // Stored in the checklist's order, whatever order the client sent.
    let results: Vec<&str> = d["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["result"].as_str().unwrap())
        .collect();
    assert_eq!(results, vec!["pass", "fail", "na"]);
    let hazard = d["items"][1]["hazard_id"].as_i64().expect("hazard id");
    assert_eq!(d["hazard_ids"], json!([hazard]));

    let got = app
        .api(
            Method::GET,
            &format!("/api/v1/inspections/{id}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.json()["inspection"]["inspected_on"], "2023-04-02");

    let page = app
        .api(
            Method::GET,
            &format!(
                "/api/v1/inspections?org_id={}&kind=spot_check&from=2023-04-01",
                f.unit_b.id
            ),
            Some(&token),
            None,
        )
        .await
        .json();
    assert_eq!(page["total"], 1);
    let none = app
        .api(
            Method::GET,
            "/api/v1/inspections?to=2023-04-01",
            Some(&token),
            None,
        )
        .await
        .json();
    assert_eq!(none["total"], 0);
    let bad = app
        .api(
            Method::GET,
            "/api/v1/inspections?kind=patrol&from=2023-13-01",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.json()["fields"]["kind"].is_string() && bad.json()["fields"]["from"].is_string());

    let put = json!({"row_version": 1, "kind": "unannounced", "inspected_on": "2023-04-02", "inspectors": "陈监管、刘检查"});
    let res = app
        .api(
            Method::PUT,
            &format!("/api/v1/inspections/{id}"),
            Some(&token),
            Some(put.clone()),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["row_version"], 2);
    let stale = app
        .api(
            Method::PUT,
            &format!("/api/v1/inspections/{id}"),
            Some(&token),
            Some(put),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(stale.json()["message"], "记录已被他人修改，请刷新后重试");

    // A hazard came from it: it stays.
    let del = app
        .api(
            Method::DELETE,
            &format!("/api/v1/inspections/{id}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(del.status, StatusCode::CONFLICT);
    let plain = app
        .api(
            Method::POST,
            "/api/v1/inspections",
            Some(&token),
            Some(json!({"org_id": f.site_b.id, "kind": "督查", "inspected_on": "2023-04-03", "inspectors": "陈监管"})),
        )
        .await;
    assert_eq!(plain.status, StatusCode::CREATED, "{}", plain.text());
    let plain = plain.json()["inspection"]["id"].as_i64().unwrap();
    let del = app
        .api(
            Method::DELETE,
            &format!("/api/v1/inspections/{plain}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(del.status, StatusCode::NO_CONTENT);
    let gone = app
        .api(
            Method::GET,
            &format!("/api/v1/inspections/{plain}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bad_input_is_422_with_field_messages_and_writes_nothing() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let sup = person(&app, "sup", Role::BureauSupervisor, &f.bureau).await;
    let lib = library(&app, "仓储安全检查表（接口拒绝）").await;
    let token = app.token_for(&sup.user).await;
    let before = written(&app).await;
    let body = json!({
        "org_id": f.site_a.id,
        "kind": "巡查",
        "inspected_on": "2023-04-02",
        "inspectors": "",
        "checklist_id": lib.checklist_id,
        "illegal_operation": true,
        "items": [
            {"checklist_item_id": lib.items[0].id, "result": "pass"},
            {"checklist_item_id": lib.items[1].id, "result": "fail"},
            {"checklist_item_id": lib.items[2].id, "result": "还行"},
        ],
    });
    let res = app
        .api(
            Method::POST,
            "/api/v1/inspections",
            Some(&token),
            Some(body),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = res.json()["fields"].clone();
    assert_eq!(
        fields["kind"],
        "检查类型无效，应为 自查、督查、抽查、暗访 或 专项检查"
    );
    assert_eq!(fields["inspectors"], "请填写检查人员");
    assert_eq!(fields["illegal_description"], "请填写非法违法行为情况说明");
    assert_eq!(fields["items[1].hazard"], "第2项不合格，须填写隐患信息");
    assert_eq!(
        fields["items[2].result"],
        "第3项检查结果无效，应为 合格、不合格 或 不适用"
    );
    // A field the API does not know is named too.
    let res = app
        .api(
            Method::POST,
            "/api/v1/inspections",
            Some(&token),
            Some(json!({"org": 1})),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.json()["fields"]["org"], "不支持的字段");
    assert_eq!(written(&app).await, before);
}
