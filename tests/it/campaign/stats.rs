//! The figures of a campaign, from inspection and hazard rows written directly (the inspection
//! and hazard modules are tested on their own): counted per covered unit and limited to the
//! caller's scope; deleted inspections and other campaigns' records do not count.

use axum::http::Method;

use anjian_db::campaign;
use anjian_domain::role::Role;
use anjian_testkit::TestApp;

use super::support::{
    delete_inspection, insert_campaign, insert_hazard, insert_inspection, person,
};

#[tokio::test]
async fn figures_by_unit_and_scope_are_the_hand_counted_ones() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let sup = person(&app, "cs_sup", Role::BureauSupervisor, &f.bureau).await;
    let a = person(&app, "cs_a", Role::UnitHead, &f.unit_a).await;
    let verifier = person(&app, "cs_v", Role::Inspector, &f.unit_a).await;
    let c = insert_campaign(&app, f.bureau.id, "2023年安全生产月").await;
    let other = insert_campaign(&app, f.bureau.id, "2023年冬春火灾防控").await;
    let (r, v) = (a.user.id, verifier.user.id);

    // Unit A: two inspections (one at its site), a third one deleted; three hazards — one
    // closed, one major still open, one general still open.
    insert_inspection(&app, f.unit_a.id, "2023-06-05", Some(c), None).await;
    insert_inspection(&app, f.site_a.id, "2023-06-12", Some(c), None).await;
    let gone = insert_inspection(&app, f.site_a.id, "2023-06-13", Some(c), None).await;
    delete_inspection(&app, gone).await;
    insert_hazard(&app, f.site_a.id, c, false, true, r, v).await;
    insert_hazard(&app, f.site_a.id, c, true, false, r, v).await;
    insert_hazard(&app, f.unit_a.id, c, false, false, r, v).await;
    // Unit B: one inspection, one closed hazard.
    insert_inspection(&app, f.site_b.id, "2023-06-20", Some(c), None).await;
    insert_hazard(&app, f.site_b.id, c, false, true, r, v).await;
    // Another campaign's records and a record without campaign do not count.
    insert_inspection(&app, f.unit_a.id, "2023-06-21", Some(other), None).await;
    insert_hazard(&app, f.unit_a.id, other, false, false, r, v).await;
    insert_inspection(&app, f.unit_a.id, "2023-06-22", None, None).await;

    let s = campaign::stats(&app.db, &sup.ctx, c).await.unwrap();
    assert_eq!(
        (
            s.inspections,
            s.hazards,
            s.major_hazards,
            s.rectified,
            s.open
        ),
        (3, 4, 1, 2, 2)
    );
    let units: Vec<(String, i64, i64, i64, i64)> = s
        .units
        .iter()
        .map(|u| {
            (
                u.name.clone(),
                u.inspections,
                u.hazards,
                u.rectified,
                u.open(),
            )
        })
        .collect();
    assert_eq!(
        units,
        [
            ("甲单位".to_string(), 2, 3, 1, 2),
            ("乙单位".to_string(), 1, 1, 1, 0)
        ]
    );

    // Unit A sees only its own figures.
    let s = campaign::stats(&app.db, &a.ctx, c).await.unwrap();
    assert_eq!(
        (s.inspections, s.hazards, s.rectified, s.open),
        (2, 3, 1, 2)
    );
    assert_eq!(s.units.len(), 1);

    // The page and the API show the same.
    let html = app.get(&format!("/campaigns/{c}"), &sup.login).await.text();
    assert!(html.contains("<dt>检查次数</dt><dd>3</dd>"), "{html}");
    assert!(html.contains("4 项（其中重大隐患 1 项）"));
    let body = app
        .api(
            Method::GET,
            &format!("/api/v1/campaigns/{c}"),
            Some(&a.token),
            None,
        )
        .await
        .json();
    assert_eq!(body["figures"]["inspections"], 2);
    assert_eq!(body["figures"]["open"], 2);
    assert_eq!(body["figures"]["units"][0]["name"], "甲单位");
}
