//! The responsible-person picker on the point and measure forms, and the API's 422 naming the
//! field for an account outside the point's organisation and its unit.

use axum::http::{Method, StatusCode};
use serde_json::json;

use super::*;

#[tokio::test]
async fn point_form_offers_the_org_people_and_stores_the_picked_account() {
    let w = world().await;
    let app = &w.app;
    let l = login(app, &w.officer).await;
    let keeper = person(app, "rw_keeper_site_a", Role::Inspector, &w.f.site_a).await;

    // The new form: the caller's own organisation (unit A) and its people; "list people" for
    // the site chosen shows the site's people too, nothing stored.
    let html = unescape(&app.get("/risk-points/new", &l).await.text());
    assert!(html.contains("name=\"responsible_user_id\""));
    assert!(html.contains(&format!(
        "<option value=\"{}\" selected>",
        w.officer.user.id
    )));
    assert!(!html.contains(&format!("<option value=\"{}\"", w.officer_b.user.id)));
    let site = w.f.site_a.id.to_string();
    let base = |user: &str| {
        vec![
            ("org", site.clone()),
            ("kind", "place".to_string()),
            ("name", "1号平房仓".to_string()),
            ("responsible_user_id", user.to_string()),
            ("responsible_name", "旧名字".to_string()),
        ]
    };
    let mut listing = base("");
    listing.push(("action", "people".into()));
    let pairs: Vec<(&str, &str)> = listing.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = app.post("/risk-points", &l, &pairs).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res
        .text()
        .contains(&format!("<option value=\"{}\"", keeper.user.id)));
    assert_eq!(count_points(app).await, 0);

    // Another unit's account: 422 naming the field, nothing stored.
    for (bad, msg) in [
        (w.officer_b.user.id.to_string(), "责任人须为风险点所属单位"),
        (w.leader.user.id.to_string(), "责任人须为风险点所属单位"),
        ("甲".to_string(), "请从列表中选择责任人账号"),
    ] {
        let v = base(&bad);
        let pairs: Vec<(&str, &str)> = v.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let res = app.post("/risk-points", &l, &pairs).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(unescape(&res.text()).contains(msg), "{bad}");
    }
    assert_eq!(count_points(app).await, 0);

    // The site's keeper: stored with the id and the account's name (not the name typed for
    // someone else before the pick).
    let v = base(&keeper.user.id.to_string());
    let pairs: Vec<(&str, &str)> = v.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = app.post("/risk-points", &l, &pairs).await;
    assert!(res.status.is_redirection(), "{}", res.text());
    let id = id_in(&res.location(), "/risk-points/");
    let p = risk::get_point(&app.db, &w.officer.ctx, id)
        .await
        .unwrap()
        .point;
    assert_eq!(p.responsible_user_id, Some(keeper.user.id));
    assert_eq!(p.responsible_name, keeper.user.name);

    // Someone without an account: no id, the name as typed.
    let edit = format!("/risk-points/{id}");
    let rv = p.row_version.to_string();
    let res = app
        .post(
            &edit,
            &l,
            &[
                ("row_version", rv.as_str()),
                ("org", site.as_str()),
                ("kind", "place"),
                ("name", "1号平房仓"),
                ("responsible_user_id", ""),
                ("responsible_name", "临时工老刘"),
            ],
        )
        .await;
    assert!(res.status.is_redirection(), "{}", res.text());
    let p = risk::get_point(&app.db, &w.officer.ctx, id)
        .await
        .unwrap()
        .point;
    assert_eq!(p.responsible_user_id, None);
    assert_eq!(p.responsible_name, "临时工老刘");

    // The measure form on the risk page offers the same people and refuses others.
    let r = lec_risk(app, &w.officer, id, "仓内作业窒息", ("3", "6", "7")).await;
    let page = app.get(&format!("/risks/{}", r.id), &l).await.text();
    assert!(page.contains(&format!("<option value=\"{}\"", keeper.user.id)));
    let path = format!("/risks/{}/measures", r.id);
    let bad = w.officer_b.user.id.to_string();
    let form = |u: &str| {
        [
            ("measure_type", "management".to_string()),
            ("content", "进仓前通风检测".to_string()),
            ("responsible_user_id", u.to_string()),
        ]
    };
    let f = form(&bad);
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = app.post(&path, &l, &pairs).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unescape(&res.text()).contains("责任人须为风险点所属单位"));
    let f = form(&keeper.user.id.to_string());
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = app.post(&path, &l, &pairs).await;
    assert!(res.status.is_redirection(), "{}", res.text());
    let d = risk::get_risk(&app.db, &w.officer.ctx, r.id).await.unwrap();
    assert_eq!(d.measures[0].responsible_user_id, Some(keeper.user.id));
    assert_eq!(d.measures[0].responsible_name, keeper.user.name);
}

async fn count_points(app: &TestApp) -> i64 {
    let (n,): (i64,) = app
        .db
        .fetch_one(&anjian_db::Q::new("SELECT COUNT(*) FROM risk_point"))
        .await
        .unwrap();
    n
}

#[tokio::test]
async fn api_refuses_an_account_outside_the_point_org_naming_the_field() {
    let w = world().await;
    let app = &w.app;
    let token = app.token_for(&w.officer.user).await;
    let t = Some(token.as_str());
    let body = |user: i64| json!({"org_id": w.f.site_a.id, "kind": "place", "name": "配电室", "responsible_user_id": user});
    let res = app
        .api(
            Method::POST,
            "/api/v1/risk-points",
            t,
            Some(body(w.officer_b.user.id)),
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        res.text()
    );
    assert!(res.json()["fields"]["responsible_user_id"].is_string());
    let res = app
        .api(
            Method::POST,
            "/api/v1/risk-points",
            t,
            Some(body(w.inspector.user.id)),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    assert_eq!(
        res.json()["point"]["responsible_user_id"],
        w.inspector.user.id
    );
    let pid = res.json()["point"]["id"].as_i64().unwrap();

    let r = lec_risk(app, &w.officer, pid, "触电", ("1", "6", "7")).await;
    let path = format!("/api/v1/risks/{}/measures", r.id);
    let m = |user: i64| json!({"measure_type": "engineering", "content": "漏电保护", "responsible_user_id": user});
    let res = app
        .api(Method::POST, &path, t, Some(m(w.supervisor.user.id)))
        .await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        res.text()
    );
    assert!(res.json()["fields"]["responsible_user_id"].is_string());
    let res = app
        .api(Method::POST, &path, t, Some(m(w.inspector.user.id)))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    // Unit B's risk: 404 before the body is judged.
    let pb = point(app, &w.officer_b, w.f.site_b.id, "乙仓").await;
    let rb = lec_risk(app, &w.officer_b, pb.id, "乙仓风险", ("1", "6", "7")).await;
    let res = app
        .api(
            Method::POST,
            &format!("/api/v1/risks/{}/measures", rb.id),
            t,
            Some(m(w.inspector.user.id)),
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
}
