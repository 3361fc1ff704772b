//! The campaign API: list filters, create, get with units and figures, update with the version,
//! Chinese field errors and 404 for another unit's campaign.

use axum::http::{Method, StatusCode};
use serde_json::json;

use anjian_domain::role::Role;
use anjian_testkit::TestApp;

use super::support::{field, insert_campaign, person};

#[tokio::test]
async fn campaigns_through_the_api() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let sup = person(&app, "cap_sup", Role::BureauSupervisor, &f.bureau).await;
    let b = person(&app, "cap_b", Role::UnitOfficer, &f.unit_b).await;
    let t = Some(sup.token.as_str());

    let res = app
        .api(
            Method::POST,
            "/api/v1/campaigns",
            t,
            Some(json!({"kind": "campaign", "name": "2023年有限空间专项整治", "start_date": "2023-07-01",
                        "end_date": "2023-08-31", "all_units": false, "org_ids": [f.unit_a.id]})),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let body = res.json();
    let id = body["id"].as_i64().unwrap();
    assert_eq!(body["org_ids"], json!([f.unit_a.id]));
    assert_eq!(body["figures"]["inspections"], 0);
    assert_eq!(body["can_manage"], true);

    // Unit B is not covered: 404, and absent from its list.
    let res = app
        .api(
            Method::GET,
            &format!("/api/v1/campaigns/{id}"),
            Some(&b.token),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let list = app
        .api(
            Method::GET,
            "/api/v1/campaigns?year=2023",
            Some(&b.token),
            None,
        )
        .await
        .json();
    assert_eq!(list["total"], 0);

    let res = app
        .api(
            Method::PUT,
            &format!("/api/v1/campaigns/{id}"),
            t,
            Some(json!({"kind": "campaign", "name": "2023年有限空间专项整治", "start_date": "2023-07-01",
                        "end_date": "2023-09-30", "row_version": 1})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["end_date"], "2023-09-30");
    assert_eq!(res.json()["all_units"], true, "all_units defaults to true");
    let list = app
        .api(
            Method::GET,
            "/api/v1/campaigns?year=2023&kind=campaign",
            Some(&b.token),
            None,
        )
        .await;
    assert_eq!(list.json()["total"], 1);
    let res = app
        .api(
            Method::PUT,
            &format!("/api/v1/campaigns/{id}"),
            t,
            Some(
                json!({"kind": "campaign", "name": "旧版本", "start_date": "2023-07-01",
                        "end_date": "2023-09-30", "row_version": 1}),
            ),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn bad_campaign_bodies_and_foreign_ids() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let sup = person(&app, "cab_sup", Role::BureauSupervisor, &f.unit_a).await;
    let t = Some(sup.token.as_str());
    let b_c = insert_campaign(&app, f.unit_b.id, "乙单位的行动").await;
    let res = app
        .api(
            Method::POST,
            "/api/v1/campaigns",
            t,
            Some(json!({"kind": "x", "name": "", "start_date": "2023-02-30", "end_date": "2023-01-01"})),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.json();
    assert_eq!(field(&body, "kind"), "类型无效，应为 专项行动 或 重要时段");
    assert_eq!(field(&body, "name"), "名称不能为空");
    assert!(field(&body, "start_date").starts_with("开始日期"), "{body}");
    let res = app
        .api(Method::GET, "/api/v1/campaigns?kind=holiday", t, None)
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field(&res.json(), "kind").contains("key_period"));
    for method in [Method::GET, Method::PUT] {
        let res = app
            .api(
                method.clone(),
                &format!("/api/v1/campaigns/{b_c}"),
                t,
                Some(json!({"kind": "site", "name": "越权修改"})),
            )
            .await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{method}");
    }
    let res = app
        .api(
            Method::PUT,
            &format!("/api/v1/campaigns/{b_c}"),
            Some(&sup.token),
            None,
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::NOT_FOUND,
        "404 before the body is looked at"
    );
}
