//! Inspection items that name the risk point they check (issue 4 §5): stored with the item, a
//! failed item's hazard registered at that point, the point checked like a hazard's (the
//! inspected organisation or below, active, in scope), through the data layer, the API and the
//! form (which preselects the point a measures checklist was made from).

use axum::http::{Method, StatusCode};
use serde_json::json;

use anjian_db::risk::{self, MeasureInput, PointInput, RiskInput};
use anjian_db::{DbError, Q};

use super::*;

const DATE: &str = "2023-05-06";

async fn point_of(app: &TestApp, who: &Person, org_id: i64, name: &str) -> i64 {
    risk::create_point(
        &app.db,
        &who.ctx,
        &PointInput {
            org_id: Some(org_id),
            kind: "place".into(),
            name: name.into(),
            ..Default::default()
        },
    )
    .await
    .expect("point")
    .id
}

async fn hazard_point(app: &TestApp, inspection_id: i64) -> Vec<Option<i64>> {
    let rows: Vec<(Option<i64>,)> = app
        .db
        .fetch_all(
            &Q::new("SELECT risk_point_id FROM hazard WHERE inspection_id = $1 ORDER BY id")
                .bind(inspection_id),
        )
        .await
        .unwrap();
    rows.into_iter().map(|r| r.0).collect()
}

fn field_error(r: Result<i64, DbError>, field: &str) -> String {
    match r {
        Err(DbError::Invalid(f)) => f
            .get(field)
            .unwrap_or_else(|| panic!("no error on {field}: {f:?}"))
            .to_string(),
        other => panic!("expected a field error on {field}, got {other:?}"),
    }
}

#[tokio::test]
async fn a_failed_item_at_a_risk_point_registers_its_hazard_there_within_scope_rules() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let head = person(&app, "rp_head_a", Role::UnitHead, &f.unit_a).await;
    let head_b = person(&app, "rp_head_b", Role::UnitHead, &f.unit_b).await;
    let lib = library(&app, "仓储安全检查表（风险点）").await;
    let at_site = point_of(&app, &head, f.site_a.id, "1号平房仓").await;
    let at_unit = point_of(&app, &head, f.unit_a.id, "办公楼配电室").await;
    let other_unit = point_of(&app, &head_b, f.site_b.id, "乙库点熏蒸").await;

    // Site A inspected; item 1 passes at the point, item 2 fails there, item 3 fails elsewhere.
    let mut i = input(
        f.site_a.id,
        "self_check",
        DATE,
        &lib,
        &["pass", "fail", "fail"],
    );
    i.items[0].risk_point_id = Some(at_site);
    i.items[1].risk_point_id = Some(at_site);
    let id = inspection::create(&app.db, &head.ctx, &i).await.unwrap();
    assert_eq!(hazard_point(&app, id).await, [Some(at_site), None]);
    let d = inspection::get(&app.db, &head.ctx, id).await.unwrap();
    assert_eq!(d.items[0].risk_point_id, Some(at_site));
    assert_eq!(d.items[1].risk_point_name.as_deref(), Some("1号平房仓"));
    assert_eq!(d.items[2].risk_point_id, None);
    // The point now counts the hazard (elevated while it is open).
    assert!(
        risk::get_point(&app.db, &head.ctx, at_site)
            .await
            .unwrap()
            .point
            .elevated
    );

    // Refused, naming the item's field: another unit's point (reads as not existing), the
    // inspected site's unit's point, a stopped point.
    let refuse = |p: i64| {
        let mut i = input(
            f.site_a.id,
            "self_check",
            DATE,
            &lib,
            &["pass", "fail", "pass"],
        );
        i.items[1].risk_point_id = Some(p);
        i
    };
    let before = count(&app, "inspection").await;
    let m = field_error(
        inspection::create(&app.db, &head.ctx, &refuse(other_unit)).await,
        "items[1].risk_point_id",
    );
    assert!(m.contains("风险点不存在"), "{m}");
    let m = field_error(
        inspection::create(&app.db, &head.ctx, &refuse(at_unit)).await,
        "items[1].risk_point_id",
    );
    assert!(m.contains("风险点不属于"), "{m}");
    let p = risk::get_point(&app.db, &head.ctx, at_site)
        .await
        .unwrap()
        .point;
    risk::set_point_active(&app.db, &head.ctx, at_site, p.row_version, false)
        .await
        .unwrap();
    let m = field_error(
        inspection::create(&app.db, &head.ctx, &refuse(at_site)).await,
        "items[1].risk_point_id",
    );
    assert!(m.contains("已停用"), "{m}");
    assert_eq!(count(&app, "inspection").await, before, "nothing written");

    // The unit inspected: a point of its site (below it) is fine.
    let mut i = input(
        f.unit_a.id,
        "self_check",
        DATE,
        &lib,
        &["fail", "pass", "pass"],
    );
    i.items[0].risk_point_id = Some(at_unit);
    let id = inspection::create(&app.db, &head.ctx, &i).await.unwrap();
    assert_eq!(hazard_point(&app, id).await, [Some(at_unit)]);
}

#[tokio::test]
async fn the_api_takes_the_item_point_and_answers_422_naming_it() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let head = person(&app, "rp_api_head", Role::UnitHead, &f.unit_a).await;
    let head_b = person(&app, "rp_api_head_b", Role::UnitHead, &f.unit_b).await;
    let lib = library(&app, "仓储安全检查表（风险点接口）").await;
    let p = point_of(&app, &head, f.site_a.id, "1号平房仓").await;
    let pb = point_of(&app, &head_b, f.site_b.id, "乙库点熏蒸").await;
    let token = app.token_for(&head.user).await;
    let body = |point: i64| {
        json!({
            "org_id": f.site_a.id, "kind": "self_check", "inspected_on": DATE, "inspectors": "吴检查",
            "checklist_id": lib.checklist_id,
            "items": [
                {"checklist_item_id": lib.items[0].id, "result": "fail", "risk_point_id": point,
                 "hazard": {"location": "1号仓", "deadline": "2023-05-20"}},
                {"checklist_item_id": lib.items[1].id, "result": "pass"},
                {"checklist_item_id": lib.items[2].id, "result": "pass"},
            ],
        })
    };
    let res = app
        .api(
            Method::POST,
            "/api/v1/inspections",
            Some(&token),
            Some(body(pb)),
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        res.text()
    );
    assert!(res.json()["fields"]["items[0].risk_point_id"].is_string());
    let res = app
        .api(
            Method::POST,
            "/api/v1/inspections",
            Some(&token),
            Some(body(p)),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let j = res.json();
    assert_eq!(j["items"][0]["risk_point_id"], p);
    assert_eq!(j["items"][0]["risk_point_name"], "1号平房仓");
    let id = j["inspection"]["id"].as_i64().unwrap();
    assert_eq!(hazard_point(&app, id).await, [Some(p)]);
}

#[tokio::test]
async fn the_form_offers_the_points_and_preselects_a_measures_checklist_point() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let head = person(&app, "rp_form_head", Role::UnitHead, &f.unit_a).await;
    let inspector = person(&app, "rp_form_inspector", Role::Inspector, &f.unit_a).await;
    let p = point_of(&app, &head, f.site_a.id, "熏蒸作业").await;
    point_of(&app, &head, f.site_a.id, "配电室").await;
    let r = risk::create_risk(
        &app.db,
        &head.ctx,
        &RiskInput {
            risk_point_id: Some(p),
            description: "磷化氢中毒".into(),
            method: "lec".into(),
            l: "3".into(),
            e: "6".into(),
            c: "15".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    risk::create_measure(
        &app.db,
        &head.ctx,
        r.id,
        &MeasureInput {
            measure_type: "management".into(),
            content: "熏蒸后检测浓度合格方可进仓".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let made = risk::measures_to_checklist(&app.db, &head.ctx, p)
        .await
        .unwrap();
    let items = anjian_db::checklist::items(&app.db, &head.ctx, made.checklist_id, false)
        .await
        .unwrap();
    let item = items[0].id;

    let login = app.login_as(&inspector.user).await;
    let html = app
        .get(
            &format!(
                "/inspections/new?step=2&org_id={}&checklist_id={}",
                f.site_a.id, made.checklist_id
            ),
            &login,
        )
        .await
        .text();
    assert!(html.contains(&format!("name=\"rp_{item}\"")), "{html}");
    assert!(html.contains(&format!("<option value=\"{p}\" selected>熏蒸作业</option>")));
    assert!(html.contains(">配电室</option>"));

    let (org, cl, it) = (
        f.site_a.id.to_string(),
        made.checklist_id.to_string(),
        item.to_string(),
    );
    let (r_key, rp_key, ht_key) = (
        format!("r_{item}"),
        format!("rp_{item}"),
        format!("ht_{item}"),
    );
    let post = |point: String| {
        vec![
            ("org_id".to_string(), org.clone()),
            ("checklist_id".to_string(), cl.clone()),
            ("kind".to_string(), "self_check".to_string()),
            ("inspected_on".to_string(), DATE.to_string()),
            ("inspectors".to_string(), "吴检查".to_string()),
            ("item".to_string(), it.clone()),
            (r_key.clone(), "fail".to_string()),
            (rp_key.clone(), point),
            (ht_key.clone(), "2023-05-20".to_string()),
        ]
    };
    // A typed id that is no number: 422 at the item.
    let v = post("甲".into());
    let pairs: Vec<(&str, &str)> = v.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let res = app.post("/inspections", &login, &pairs).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("第1项风险点"));
    let v = post(p.to_string());
    let pairs: Vec<(&str, &str)> = v.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let res = app.post("/inspections", &login, &pairs).await;
    assert!(res.status.is_redirection(), "{}", res.text());
    let id: i64 = res
        .location()
        .trim_start_matches("/inspections/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(hazard_point(&app, id).await, [Some(p)]);
    let detail = app.get(&format!("/inspections/{id}"), &login).await.text();
    assert!(detail.contains(&format!("<a href=\"/risk-points/{p}\">熏蒸作业</a>")));
}
