//! Every figure of the world (see `mod.rs`), worked out by hand, for the half-year, its quarters,
//! the year, a unit's and a site's subtree — and the records behind each figure.

use std::collections::BTreeMap;

use anjian_db::statistics::{self, CampaignStats, HazardStats};
use anjian_db::{Ctx, DbError};
use anjian_domain::period::Period;
use anjian_domain::role::Role;

use super::{world, World};
use crate::inspection::person;

fn p(code: &str) -> Period {
    Period::parse(code).unwrap()
}

fn kinds(
    self_check: i64,
    supervision: i64,
    spot_check: i64,
    unannounced: i64,
    special: i64,
) -> BTreeMap<String, i64> {
    [
        ("self_check", self_check),
        ("supervision", supervision),
        ("spot_check", spot_check),
        ("unannounced", unannounced),
        ("special", special),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

fn camp(
    w: &World,
    id: i64,
    inspections: i64,
    found: i64,
    rectified: i64,
    open: i64,
) -> CampaignStats {
    CampaignStats {
        campaign_id: id,
        name: if id == w.c1 {
            "重大事故隐患专项排查整治行动"
        } else {
            "安全生产月"
        }
        .into(),
        inspections,
        hazards_found: found,
        hazards_rectified: rectified,
        hazards_open: open,
    }
}

async fn stats(w: &World, ctx: &Ctx, period: &str, org: Option<i64>) -> HazardStats {
    statistics::hazard_statistics(&w.app.db, ctx, &p(period), org)
        .await
        .unwrap_or_else(|e| panic!("{period}: {e:?}"))
}

async fn ids(w: &World, ctx: &Ctx, period: &str, org: Option<i64>, figure: &str) -> Vec<i64> {
    statistics::record_ids(&w.app.db, ctx, &p(period), org, figure)
        .await
        .unwrap_or_else(|e| panic!("{figure}: {e:?}"))
}

#[tokio::test]
async fn the_half_year_over_the_whole_tree() {
    let w = world().await;
    let (i, h) = (&w.i, &w.h);
    let got = stats(&w, &w.sup.ctx, "2023H1", None).await;
    // Inspections 01-01..06-30: #1 #2 #3 #4 #5 #6 #9 (#7 is July, #8 is 2022, #10 withdrawn).
    // Units: #1 #2 #9 → 甲单位, #3 #4 → 乙单位; #5 (the bureau) and #6 (its department) none.
    // Hazards found: H1 H2 H3 H4 H6 H7 (H5 is July, H8 deleted); major: H3.
    // Rectified by 06-30: H1 (02-28), H7 (06-20); H2 was verified 07-05, so it is open here.
    // Open: H2 H3 H4 H6. Overdue (awaiting rectification, deadline < 07-01): H3 only — H4 awaits
    // verification, H6 is due 07-15.
    let want = HazardStats {
        inspections: 7,
        inspections_by_kind: kinds(2, 1, 1, 1, 2),
        inspected_orgs: 2,
        hazards_found: 6,
        hazards_general_found: 5,
        hazards_major_found: 1,
        hazards_general_rectified: 2,
        hazards_major_rectified: 0,
        hazards_rectified: 2,
        hazards_open: 4,
        hazards_overdue: 1,
        rectification_rate: Some(2.0 / 6.0),
        hazards_major_listed: 1,
        illegal_operations_found: 1,
        per_campaign: vec![camp(&w, w.c1, 2, 2, 2, 0), camp(&w, w.c2, 2, 1, 0, 1)],
    };
    assert_eq!(got, want);

    let ctx = &w.sup.ctx;
    assert_eq!(
        ids(&w, ctx, "2023H1", None, "inspections").await,
        vec![i[1], i[2], i[3], i[4], i[5], i[6], i[9]]
    );
    assert_eq!(
        ids(&w, ctx, "2023H1", None, "inspections_by_kind.special").await,
        vec![i[5], i[9]]
    );
    assert_eq!(
        ids(&w, ctx, "2023H1", None, "inspected_orgs").await,
        vec![w.f.unit_a.id, w.f.unit_b.id]
    );
    assert_eq!(
        ids(&w, ctx, "2023H1", None, "illegal_operations_found").await,
        vec![i[4]]
    );
    assert_eq!(
        ids(&w, ctx, "2023H1", None, "hazards_found").await,
        vec![h[1], h[2], h[3], h[4], h[6], h[7]]
    );
    assert_eq!(
        ids(&w, ctx, "2023H1", None, "hazards_major_found").await,
        vec![h[3]]
    );
    assert_eq!(
        ids(&w, ctx, "2023H1", None, "hazards_rectified").await,
        vec![h[1], h[7]]
    );
    assert_eq!(
        ids(&w, ctx, "2023H1", None, "hazards_general_rectified").await,
        vec![h[1], h[7]]
    );
    assert_eq!(
        ids(&w, ctx, "2023H1", None, "hazards_open").await,
        vec![h[2], h[3], h[4], h[6]]
    );
    assert_eq!(
        ids(&w, ctx, "2023H1", None, "hazards_overdue").await,
        vec![h[3]]
    );
    assert_eq!(
        ids(&w, ctx, "2023H1", None, "hazards_major_listed").await,
        vec![h[3]]
    );
    assert_eq!(
        ids(
            &w,
            ctx,
            "2023H1",
            None,
            &format!("per_campaign.{}.inspections", w.c1)
        )
        .await,
        vec![i[1], i[2]]
    );
    assert_eq!(
        ids(
            &w,
            ctx,
            "2023H1",
            None,
            &format!("per_campaign.{}.hazards_found", w.c1)
        )
        .await,
        vec![h[1], h[7]]
    );
    assert_eq!(
        ids(
            &w,
            ctx,
            "2023H1",
            None,
            &format!("per_campaign.{}.hazards_open", w.c2)
        )
        .await,
        vec![h[6]]
    );

    // Every count is the length of its list.
    for (figure, n) in [
        ("inspections", want.inspections),
        ("inspected_orgs", want.inspected_orgs),
        ("hazards_found", want.hazards_found),
        ("hazards_general_found", want.hazards_general_found),
        ("hazards_rectified", want.hazards_rectified),
        ("hazards_open", want.hazards_open),
        ("hazards_overdue", want.hazards_overdue),
    ] {
        assert_eq!(
            ids(&w, ctx, "2023H1", None, figure).await.len() as i64,
            n,
            "{figure}"
        );
    }
    let e = statistics::record_ids(&w.app.db, ctx, &p("2023H1"), None, "rectification_rate")
        .await
        .unwrap_err();
    assert!(matches!(e, DbError::Invalid(f) if f.get("figure").is_some()));
}

#[tokio::test]
async fn quarters_split_at_the_boundary_and_the_year_sees_the_late_closure() {
    let w = world().await;
    let ctx = &w.sup.ctx;
    // Q1 (01-01..03-31): #1 #2 #3 (#3 on the last day); H1 H2 H3; only H1 verified by 03-31;
    // overdue cutoff 04-01: H3 is due 05-31 → none. H3 was listed 04-05: not in Q1.
    let q1 = stats(&w, ctx, "2023Q1", None).await;
    assert_eq!(
        (
            q1.inspections,
            q1.inspected_orgs,
            q1.hazards_found,
            q1.hazards_rectified,
            q1.hazards_open,
            q1.hazards_overdue
        ),
        (3, 2, 3, 1, 2, 0)
    );
    assert_eq!(
        (q1.hazards_major_listed, q1.illegal_operations_found),
        (0, 0)
    );
    assert_eq!(q1.inspections_by_kind, kinds(1, 1, 1, 0, 0));
    // Q2 (04-01..06-30): #4 (first day) #5 #6 #9; units 乙 (#4) and 甲 (#9); H4 H6 H7; H7 closed;
    // nothing overdue at 07-01 (H4 awaits verification, H6 due 07-15); H3 was found in Q1.
    let q2 = stats(&w, ctx, "2023Q2", None).await;
    assert_eq!(
        (
            q2.inspections,
            q2.inspected_orgs,
            q2.hazards_found,
            q2.hazards_rectified,
            q2.hazards_open,
            q2.hazards_overdue
        ),
        (4, 2, 3, 1, 2, 0)
    );
    assert_eq!(
        (q2.hazards_major_listed, q2.illegal_operations_found),
        (0, 1)
    );
    // Q3 (07-01..09-30): #7 and H5, pending and due 07-10 → overdue.
    let q3 = stats(&w, ctx, "2023Q3", None).await;
    assert_eq!(
        (
            q3.inspections,
            q3.inspected_orgs,
            q3.hazards_found,
            q3.hazards_overdue
        ),
        (1, 1, 1, 1)
    );
    assert_eq!(q3.rectification_rate, Some(0.0));
    // The year: #1–#7 and #9; H1–H7; rectified H1 H2 (07-05) H7; open H3 H4 H5 H6; overdue at
    // 2024-01-01: H3, H5, H6.
    let y = stats(&w, ctx, "2023", None).await;
    assert_eq!(
        (
            y.inspections,
            y.inspected_orgs,
            y.hazards_found,
            y.hazards_rectified,
            y.hazards_open,
            y.hazards_overdue
        ),
        (8, 2, 7, 3, 4, 3)
    );
    assert_eq!(
        ids(&w, ctx, "2023", None, "hazards_rectified").await,
        vec![w.h[1], w.h[2], w.h[7]]
    );
    // A month with nothing in it.
    let empty = stats(&w, ctx, "2023-08", None).await;
    assert_eq!(
        (
            empty.inspections,
            empty.hazards_found,
            empty.rectification_rate
        ),
        (0, 0, None)
    );
    assert!(empty.per_campaign.is_empty());
    // A custom range of one day: the half-year's last day.
    let day = stats(&w, ctx, "2023-06-30..2023-06-30", None).await;
    assert_eq!(
        (day.inspections, day.inspected_orgs),
        (2, 0),
        "the bureau and its department count for no unit"
    );
}

#[tokio::test]
async fn a_subtree_counts_only_what_hangs_below_it() {
    let w = world().await;
    // 甲单位 in H1: #1 #2 #9; one unit; H1 (closed) and H6 (pending); H8 is deleted.
    let a = stats(&w, &w.sup.ctx, "2023H1", Some(w.f.unit_a.id)).await;
    let want = HazardStats {
        inspections: 3,
        inspections_by_kind: kinds(1, 1, 0, 0, 1),
        inspected_orgs: 1,
        hazards_found: 2,
        hazards_general_found: 2,
        hazards_major_found: 0,
        hazards_general_rectified: 1,
        hazards_major_rectified: 0,
        hazards_rectified: 1,
        hazards_open: 1,
        hazards_overdue: 0,
        rectification_rate: Some(0.5),
        hazards_major_listed: 0,
        illegal_operations_found: 0,
        per_campaign: vec![camp(&w, w.c1, 2, 1, 1, 0), camp(&w, w.c2, 1, 1, 0, 1)],
    };
    assert_eq!(a, want);
    // Unit A's own user sees the same by default (their organisation).
    assert_eq!(stats(&w, &w.officer_a.ctx, "2023H1", None).await, want);
    // 乙库点 alone: #3 (it counts for 乙单位 above it); H2 H3 and the directly registered H7.
    let sb = stats(&w, &w.sup.ctx, "2023H1", Some(w.f.site_b.id)).await;
    assert_eq!(
        (
            sb.inspections,
            sb.inspected_orgs,
            sb.hazards_found,
            sb.hazards_rectified
        ),
        (1, 1, 3, 1)
    );
    assert_eq!(
        ids(
            &w,
            &w.sup.ctx,
            "2023H1",
            Some(w.f.site_b.id),
            "inspected_orgs"
        )
        .await,
        vec![w.f.unit_b.id]
    );
    // 丙单位 was never inspected.
    let c = stats(&w, &w.sup.ctx, "2023H1", Some(w.unit_c.id)).await;
    assert_eq!(
        (c.inspections, c.inspected_orgs, c.hazards_found),
        (0, 0, 0)
    );
    // The department alone: one inspection, no unit.
    let dept = stats(&w, &w.sup.ctx, "2023H1", Some(w.dept.id)).await;
    assert_eq!((dept.inspections, dept.inspected_orgs), (1, 0));
}

#[tokio::test]
async fn scope_and_permission() {
    let w = world().await;
    // Another unit's subtree is not there for unit A, nor its records.
    let e = statistics::hazard_statistics(
        &w.app.db,
        &w.officer_a.ctx,
        &p("2023H1"),
        Some(w.f.unit_b.id),
    )
    .await
    .unwrap_err();
    assert!(matches!(e, DbError::NotFound));
    let e = statistics::record_ids(
        &w.app.db,
        &w.officer_a.ctx,
        &p("2023H1"),
        Some(w.f.bureau.id),
        "hazards_found",
    )
    .await
    .unwrap_err();
    assert!(matches!(e, DbError::NotFound));
    // The records a unit gets are its own only.
    let mine = ids(&w, &w.officer_a.ctx, "2023H1", None, "hazards_found").await;
    assert_eq!(mine, vec![w.h[1], w.h[6]]);
    // The audit administrator has no business with hazards.
    let auditor = person(&w.app, "stat_auditor", Role::AuditAdmin, &w.f.bureau).await;
    let e = statistics::hazard_statistics(&w.app.db, &auditor.ctx, &p("2023H1"), None)
        .await
        .unwrap_err();
    assert!(matches!(e, DbError::Forbidden));
}

#[tokio::test]
async fn another_root_is_never_counted_with_this_tree() {
    let w = world().await;
    let sys = Ctx::system("test");
    let other = anjian_db::org::create(
        &w.app.db,
        &sys,
        &anjian_db::org::OrgInput {
            kind: "bureau".into(),
            name: "另一局".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    anjian_db::inspection::create(
        &w.app.db,
        &sys,
        &anjian_db::inspection::InspectionInput {
            org_id: Some(other.id),
            kind: "self_check".into(),
            inspected_on: "2023-03-01".into(),
            inspectors: "另一局".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    // The first bureau's subtree is no longer every organisation: its figures stay its own.
    assert_eq!(stats(&w, &w.sup.ctx, "2023H1", None).await.inspections, 7);
    // The command line without an organisation covers both trees.
    assert_eq!(stats(&w, &sys, "2023H1", None).await.inspections, 8);
}

#[tokio::test]
async fn a_running_period_counts_overdue_against_today() {
    use anjian_db::hazard::{self, HazardInput};
    let app = anjian_testkit::TestApp::new().await;
    let f = app.fixture().await;
    let sup = person(&app, "run_sup", Role::BureauSupervisor, &f.bureau).await;
    let today = hazard::today();
    let day = |n: i64| {
        today
            .checked_add_signed(chrono::TimeDelta::days(n))
            .unwrap()
    };
    let mut ids = Vec::new();
    for deadline in [-1, 0] {
        let h = hazard::create(
            &app.db,
            &sup.ctx,
            &HazardInput {
                org_id: Some(f.site_a.id),
                description: "消防通道堵塞".into(),
                grade: "general".into(),
                found_on: day(-5).to_string(),
                deadline: day(deadline).to_string(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        ids.push(h.id);
    }
    // The period runs until next month: overdue means past today's date, not the period's end.
    let running = Period::custom(day(-10), day(30)).unwrap();
    let s = statistics::hazard_statistics(&app.db, &sup.ctx, &running, None)
        .await
        .unwrap();
    assert_eq!(
        (s.hazards_found, s.hazards_open, s.hazards_overdue),
        (2, 2, 1)
    );
    let overdue = statistics::record_ids(&app.db, &sup.ctx, &running, None, "hazards_overdue")
        .await
        .unwrap();
    assert_eq!(
        overdue,
        vec![ids[0]],
        "due yesterday; the one due today is not overdue yet"
    );
}
