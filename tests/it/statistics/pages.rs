//! The statistics page with its pickers, each figure linking to its records, the records page,
//! and the JSON API — on the world of `mod.rs`.

use axum::http::{Method, StatusCode};

use anjian_domain::role::Role;

use super::world;
use crate::inspection::person;

#[tokio::test]
async fn the_page_shows_the_figures_linked_to_their_records() {
    let w = world().await;
    let login = w.app.login_as(&w.sup.user).await;
    let res = w
        .app
        .get(
            "/statistics?period=2023H1",
            &w.app.login_as(&w.sup.user).await,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let html = res.text();
    assert!(html.contains("2023年上半年"));
    // The seed's sentence, from the records.
    assert!(
        html.contains(
            "共计开展安全检查7次，检查覆盖企业2家，排查一般安全隐患问题5项、重大事故隐患1项，已整改2项，整改率33.3%，剩余4项正在整改，挂牌督办重大隐患1项，发现非法、违法生产经营行为1起。"
        ),
        "{html}"
    );
    // askama writes `&` in attributes as `&#38;`.
    let link = "/statistics/records?period=2023H1&#38;figure=hazards_open";
    assert!(html.contains(link), "{html}");
    assert!(html.contains("安全生产月"));

    let records = w
        .app
        .get(
            "/statistics/records?period=2023H1&figure=hazards_open",
            &login,
        )
        .await;
    assert_eq!(records.status, StatusCode::OK);
    let text = records.text();
    assert!(text.contains("共 4 条记录"), "{text}");
    for h in [w.h[2], w.h[3], w.h[4], w.h[6]] {
        assert!(text.contains(&format!("href=\"/hazards/{h}\"")));
    }
    assert!(!text.contains(&format!("href=\"/hazards/{}\"", w.h[1])));
    let orgs = w
        .app
        .get(
            &format!(
                "/statistics/records?period=2023H1&figure=inspected_orgs&org_id={}",
                w.f.bureau.id
            ),
            &login,
        )
        .await
        .text();
    assert!(orgs.contains(&format!("href=\"/orgs/{}\"", w.f.unit_a.id)));

    // A custom range through the two date inputs.
    let custom = w
        .app
        .get("/statistics?from=2023-06-30&to=2023-06-30", &login)
        .await
        .text();
    assert!(custom.contains("2023年6月30日至2023年6月30日"));
    assert!(custom.contains("共计开展安全检查2次，检查覆盖企业0家"));
}

#[tokio::test]
async fn bad_pickers_are_422_with_the_message_and_other_units_are_404() {
    let w = world().await;
    let login = w.app.login_as(&w.officer_a.user).await;
    let res = w.app.get("/statistics?period=2023H3", &login).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("统计期间格式不正确"));
    let res = w
        .app
        .get("/statistics?from=2023-06-30&to=2023-01-01", &login)
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let res = w
        .app
        .get(
            &format!("/statistics?period=2023H1&org_id={}", w.f.unit_b.id),
            &login,
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = w
        .app
        .get(
            &format!(
                "/statistics/records?period=2023H1&figure=hazards_found&org_id={}",
                w.f.unit_b.id
            ),
            &login,
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = w
        .app
        .get("/statistics/records?period=2023H1&figure=nothing", &login)
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A unit's page is its own numbers.
    let own = w.app.get("/statistics?period=2023H1", &login).await.text();
    assert!(
        own.contains("共计开展安全检查3次，检查覆盖企业1家"),
        "{own}"
    );
}

#[tokio::test]
async fn the_api_answers_the_figures_and_their_ids() {
    let w = world().await;
    let token = w.app.token_for(&w.sup.user).await;
    let res = w
        .app
        .api(
            Method::GET,
            "/api/v1/statistics/hazards?period=2023H1",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let s = res.json();
    assert_eq!(s["period"], "2023H1");
    assert_eq!(s["first"], "2023-01-01");
    assert_eq!(s["org_id"], w.f.bureau.id);
    assert_eq!(s["inspections"], 7);
    assert_eq!(s["inspections_by_kind"]["special"], 2);
    assert_eq!(s["inspected_orgs"], 2);
    assert_eq!(s["hazards_found"], 6);
    assert_eq!(s["hazards_open"], 4);
    assert_eq!(s["hazards_overdue"], 1);
    assert_eq!(s["per_campaign"][1]["name"], "安全生产月");
    let r = w
        .app
        .api(
            Method::GET,
            &format!(
                "/api/v1/statistics/hazards/records?period=2023H1&org_id={}&figure=inspections",
                w.f.unit_a.id
            ),
            Some(&token),
            None,
        )
        .await
        .json();
    assert_eq!(r["record_kind"], "inspection");
    assert_eq!(r["ids"], serde_json::json!([w.i[1], w.i[2], w.i[9]]));
    let bad = w
        .app
        .api(
            Method::GET,
            "/api/v1/statistics/hazards?period=2023Q5",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.json()["fields"]["period"]
        .as_str()
        .unwrap()
        .starts_with("统计期间"));
    let bad = w
        .app
        .api(
            Method::GET,
            "/api/v1/statistics/hazards/records?period=2023H1&figure=x",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.json()["fields"]["figure"].is_string());
    let auditor = person(&w.app, "stat_api_auditor", Role::AuditAdmin, &w.f.bureau).await;
    let t = w.app.token_for(&auditor.user).await;
    let res = w
        .app
        .api(Method::GET, "/api/v1/statistics/hazards", Some(&t), None)
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}
