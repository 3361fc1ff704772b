//! The JSON API: shapes, 422 naming fields, 404 outside scope, settings and statistics.

use axum::http::{Method, StatusCode};
use serde_json::json;

use super::*;

#[tokio::test]
async fn api_creates_points_and_risks_and_answers_in_its_shapes() {
    let w = world().await;
    let app = &w.app;
    let token = app.token_for(&w.officer.user).await;
    let t = Some(token.as_str());

    let res = app
        .api(
            Method::POST,
            "/api/v1/risk-points",
            t,
            Some(json!({"org_id": w.f.site_a.id, "kind": "activity", "name": "熏蒸作业", "report_phone": "119"})),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let pid = res.json()["point"]["id"].as_i64().unwrap();
    assert_eq!(res.json()["point"]["level"], serde_json::Value::Null);

    // A bad L is 422 naming the field.
    let res = app
        .api(
            Method::POST,
            "/api/v1/risks",
            t,
            Some(json!({"risk_point_id": pid, "description": "磷化氢中毒", "method": "lec", "l": "4", "e": "6", "c": "15"})),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.json()["fields"]["l"]
        .as_str()
        .unwrap()
        .contains("只能取"));

    let res = app
        .api(
            Method::POST,
            "/api/v1/risks",
            t,
            Some(json!({"risk_point_id": pid, "description": "磷化氢中毒", "method": "lec",
                        "l": "3", "e": "6", "c": "15", "accident_types": ["19"], "factors": ["22"]})),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let j = res.json();
    let rid = j["risk"]["id"].as_i64().unwrap();
    assert_eq!(j["risk"]["assessment"]["formula"], "D = 3×6×15 = 270");
    assert_eq!(j["risk"]["assessment"]["score"], "270");
    assert_eq!(j["risk"]["assessment"]["l"], "3");
    assert_eq!(j["risk"]["assessment"]["level"]["code"], "large");
    assert_eq!(j["risk"]["assessment"]["level"]["colour"], "橙");
    assert_eq!(j["risk"]["accident_type_names"][0], "中毒和窒息");
    assert_eq!(j["versions"].as_array().unwrap().len(), 1);

    let res = app
        .api(
            Method::POST,
            &format!("/api/v1/risks/{rid}/measures"),
            t,
            Some(json!({"measure_type": "management", "content": "执行熏蒸作业审批"})),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());

    let list = app
        .api(Method::GET, "/api/v1/risks?level=large", t, None)
        .await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.json()["total"], 1);
    let bad = app
        .api(Method::GET, "/api/v1/risks?level=purple", t, None)
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.json()["fields"]["level"].is_string());
    let points = app.api(Method::GET, "/api/v1/risk-points", t, None).await;
    assert_eq!(points.json()["items"][0]["level"]["label"], "较大风险");
    assert_eq!(points.json()["items"][0]["risk_count"], 1);

    let card = app
        .api(
            Method::GET,
            &format!("/api/v1/risk-points/{pid}/card"),
            t,
            None,
        )
        .await;
    assert_eq!(card.status, StatusCode::OK);
    assert_eq!(card.json()["report_phone"], "119");
    assert_eq!(card.json()["measures"][0]["content"], "执行熏蒸作业审批");

    let map = app
        .api(
            Method::GET,
            &format!("/api/v1/risk-points/map?org_id={}", w.f.unit_a.id),
            t,
            None,
        )
        .await;
    assert_eq!(map.status, StatusCode::OK);
    assert_eq!(map.json()["counts"], json!([0, 1, 0, 0]));

    // Update needs the row_version; a stale one is 409.
    let d = app
        .api(Method::GET, &format!("/api/v1/risks/{rid}"), t, None)
        .await
        .json();
    let rv = d["risk"]["row_version"].as_i64().unwrap();
    let body =
        json!({"description": "磷化氢中毒", "method": "ls", "l": "4", "s": "5", "row_version": rv});
    let res = app
        .api(
            Method::PUT,
            &format!("/api/v1/risks/{rid}"),
            t,
            Some(body.clone()),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["assessment"]["formula"], "R = 4×5 = 20");
    assert_eq!(res.json()["assessment"]["level"]["code"], "major");
    let res = app
        .api(Method::PUT, &format!("/api/v1/risks/{rid}"), t, Some(body))
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);

    // Unit B: 404 on A's records, whatever the body.
    let tb = app.token_for(&w.officer_b.user).await;
    for path in [
        format!("/api/v1/risks/{rid}"),
        format!("/api/v1/risk-points/{pid}"),
    ] {
        let res = app.api(Method::GET, &path, Some(&tb), None).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{path}");
    }
    let res = app
        .api(
            Method::PUT,
            &format!("/api/v1/risks/{rid}"),
            Some(&tb),
            Some(json!({"bogus": 1})),
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn api_settings_regrade_and_statistics() {
    let w = world().await;
    let app = &w.app;
    let p = point(app, &w.officer, w.f.site_a.id, "配电室").await;
    lec_risk(app, &w.officer, p.id, "触电", ("3", "6", "7")).await; // 126 一般
    let ts = app.token_for(&w.supervisor.user).await;
    let to = app.token_for(&w.officer.user).await;

    let s = app
        .api(Method::GET, "/api/v1/risk-settings", Some(&to), None)
        .await;
    assert_eq!(s.status, StatusCode::OK);
    let j = s.json();
    assert_eq!(j["rules"]["lec_bounds"], json!(["20", "70", "160", "320"]));
    assert_eq!(j["stored"], false);
    assert!(j["sources"].as_array().unwrap().len() >= 5);

    let mut rules = j["rules"].clone();
    rules["lec_levels"] = json!(["major", "major", "large", "general", "low"]);
    let body = json!({"rules": rules, "reason": "按省厅新规调整", "row_version": 0});
    let res = app
        .api(
            Method::PUT,
            "/api/v1/risk-settings",
            Some(&to),
            Some(body.clone()),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let no_reason = json!({"rules": rules, "reason": "", "row_version": 0});
    let res = app
        .api(
            Method::PUT,
            "/api/v1/risk-settings",
            Some(&ts),
            Some(no_reason),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.json()["fields"]["reason"].is_string());
    let res = app
        .api(Method::PUT, "/api/v1/risk-settings", Some(&ts), Some(body))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["changed_total"], 1);
    assert_eq!(res.json()["changed_to"], json!([0, 1, 0, 0]));

    let st = app
        .api(Method::GET, "/api/v1/statistics/risks", Some(&ts), None)
        .await;
    assert_eq!(st.status, StatusCode::OK, "{}", st.text());
    assert_eq!(st.json()["risks_by_level"], json!([0, 1, 0, 0]));
    assert!(st.json()["by_unit"]
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u["org_name"] == "甲单位"));
    let bad = app
        .api(
            Method::GET,
            "/api/v1/statistics/risks?period=nope",
            Some(&ts),
            None,
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}
