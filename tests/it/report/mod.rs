//! The summary report on datasets built in the test: the figures follow the records, and the
//! pre-publication check finds what would make the summary untrue. (The demo's 2023 H1 summary
//! is tested in tests/it/demo.rs.)

use anjian_db::hazard;
use anjian_db::report::{self, check};
use anjian_domain::period::Period;
use anjian_domain::role::Role;
use anjian_testkit::{Fixture, TestApp};

use crate::hazard::{awaiting, ds, person, world};

mod backends;
mod drafts;
mod templates;

/// Records of unit B, one per kind of id this module's routes take, keyed by the path fragment
/// that identifies the route. routes_walk checks each answers 404 to unit A.
pub async fn foreign_ids(app: &TestApp, f: &Fixture) -> Vec<(&'static str, i64)> {
    let b = person(app, "report_foreign_b", Role::UnitOfficer, &f.unit_b).await;
    let d = report::draft::create(&app.db, &b.ctx, &Period::year(2023).unwrap(), None)
        .await
        .expect("unit B's draft");
    vec![("/reports/drafts/", d.id)]
}

#[tokio::test]
async fn the_check_finds_closures_without_evidence_and_silent_units() {
    let w = world().await;
    let app = &w.app;
    let h = awaiting(&w, &w.officer).await;
    hazard::verify(
        &app.db,
        &w.supervisor.ctx,
        h.id,
        &hazard::VerifyInput {
            row_version: h.row_version,
            verified_on: ds(0),
            note: "复查合格".into(),
        },
    )
    .await
    .expect("verify");
    let period = Period::year(chrono::Datelike::year(&hazard::today())).unwrap();
    let ctx = &w.supervisor.ctx;
    let path = report::subtree_path(&app.db, ctx, None).await.unwrap();
    let codes = |v: &[check::Finding]| v.iter().map(|f| f.code.clone()).collect::<Vec<_>>();
    let found = check::check(&app.db, ctx, &period, &path).await.unwrap();
    // Unit B recorded nothing this year; unit A's closure has its after-photo.
    assert_eq!(codes(&found), ["units_without_records"]);
    assert_eq!(found[0].ids, [w.f.unit_b.id]);

    // The evidence disappears (a restore of an older attachment store, a direct edit).
    app.db
        .execute(
            &anjian_db::Q::new(
                "DELETE FROM hazard_attachment WHERE hazard_id = $1 AND kind = 'after'",
            )
            .bind(h.id),
        )
        .await
        .unwrap();
    let found = check::check(&app.db, ctx, &period, &path).await.unwrap();
    assert_eq!(
        codes(&found),
        ["closed_without_evidence", "units_without_records"]
    );
    assert_eq!((found[0].count, found[0].ids.clone()), (1, vec![h.id]));

    // Unit A's officer checks unit A only: unit B is out of sight, and so out of the check.
    let a_path = report::subtree_path(&app.db, &w.officer.ctx, None)
        .await
        .unwrap();
    let found = check::check(&app.db, &w.officer.ctx, &period, &a_path)
        .await
        .unwrap();
    assert_eq!(codes(&found), ["closed_without_evidence"]);
    // An organisation outside the caller's scope is not found.
    assert!(matches!(
        report::subtree_path(&app.db, &w.officer.ctx, Some(w.f.unit_b.id)).await,
        Err(anjian_db::DbError::NotFound)
    ));
}

#[tokio::test]
async fn open_hazards_turn_the_sentence_and_the_figures_agree_with_the_statistics() {
    let w = world().await;
    let app = &w.app;
    // Two hazards this year: one closed, one still awaiting verification.
    let closed = awaiting(&w, &w.officer).await;
    hazard::verify(
        &app.db,
        &w.supervisor.ctx,
        closed.id,
        &hazard::VerifyInput {
            row_version: closed.row_version,
            verified_on: ds(0),
            note: "复查合格".into(),
        },
    )
    .await
    .unwrap();
    awaiting(&w, &w.officer).await;
    let period = Period::year(chrono::Datelike::year(&hazard::today())).unwrap();
    let f = report::figures(&app.db, &w.supervisor.ctx, &period, None)
        .await
        .unwrap();
    assert_eq!(
        (f.hazards_general_found, f.hazards_rectified, f.hazards_open),
        (2, 1, 1)
    );
    assert_eq!(f.rectification_rate, Some(0.5));
    let s = report::text::render_default(&f).unwrap().plain();
    assert!(s.contains("排查一般安全隐患问题2项，已整改1项，整改率50%，剩余1项正在整改，均已明确整改责任、措施和期限，"), "{s}");
    assert!(!s.contains("已全部完成整改"));
    assert!(s.contains("对尚未整改完毕的1项隐患逐项盯办"));
}

#[tokio::test]
async fn risk_figures_count_the_register_as_it_stood_at_the_period_end() {
    use anjian_db::risk::{self, PointInput, RiskInput};
    let w = world().await;
    let app = &w.app;
    let point = risk::create_point(
        &app.db,
        &w.officer.ctx,
        &PointInput {
            org_id: Some(w.f.site_a.id),
            kind: "activity".into(),
            name: "熏蒸作业".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let assess = |on: String, reason: &str| RiskInput {
        risk_point_id: Some(point.id),
        description: "磷化氢中毒".into(),
        method: "direct".into(),
        reason: reason.into(),
        assessed_on: on,
        ..Default::default()
    };
    let last_year = chrono::Datelike::year(&hazard::today()) - 1;
    // One major risk assessed last year, one this year.
    risk::create_risk(
        &app.db,
        &w.officer.ctx,
        &assess(format!("{last_year}-03-01"), "熏蒸作业属高危作业"),
    )
    .await
    .unwrap();
    risk::create_risk(&app.db, &w.officer.ctx, &assess(ds(0), "散气作业"))
        .await
        .unwrap();
    let figures = |p: Period| {
        let ctx = w.supervisor.ctx.clone();
        async move { report::figures(&app.db, &ctx, &p, None).await.unwrap() }
    };
    let before = figures(Period::year(last_year).unwrap()).await;
    assert_eq!(
        (
            before.risk_points,
            before.risks_major,
            before.risks_major_unassigned
        ),
        (Some(1), Some(1), Some(1))
    );
    let s = report::text::render_default(&before).unwrap().plain();
    assert!(
        s.contains("其中重大风险1项，有1项尚未明确管控责任人，"),
        "{s}"
    );
    let now = figures(Period::year(last_year + 1).unwrap()).await;
    assert_eq!((now.risk_points, now.risks_major), (Some(1), Some(2)));
    let earlier = figures(Period::year(last_year - 1).unwrap()).await;
    assert_eq!(earlier.risk_points, Some(0));
}

#[tokio::test]
async fn the_check_finds_published_duty_days_without_a_leader() {
    use anjian_db::duty::{create_roster, publish, RosterInput};
    let w = world().await;
    let app = &w.app;
    // Ordinary working days (no holiday, no key period): publishing allows a missing leader, the
    // summary's "严格执行领导带班" would not hold for them.
    let r = create_roster(
        &app.db,
        &w.officer.ctx,
        &RosterInput {
            org_id: w.f.unit_a.id,
            name: "四月值班表".into(),
            start_date: "2025-04-15".into(),
            end_date: "2025-04-17".into(),
            officers: "周值班 13800000001".into(),
            ..Default::default()
        },
    )
    .await
    .expect("roster");
    publish(&app.db, &w.officer.ctx, r.id, r.row_version)
        .await
        .expect("publish");
    let ctx = &w.supervisor.ctx;
    let path = report::subtree_path(&app.db, ctx, None).await.unwrap();
    let found = check::check(&app.db, ctx, &Period::year(2025).unwrap(), &path)
        .await
        .unwrap();
    let f = found
        .iter()
        .find(|f| f.code == "duty_without_leader")
        .expect("the roster is found");
    assert_eq!(
        (f.ids.clone(), f.record_kind.as_str()),
        (vec![r.id], "roster")
    );
    // The year before knows nothing of it.
    let before = check::check(&app.db, ctx, &Period::year(2024).unwrap(), &path)
        .await
        .unwrap();
    assert!(before.iter().all(|f| f.code != "duty_without_leader"));
}
