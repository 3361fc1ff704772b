//! Major hazards: the six-part plan before 五落实, the upward report, 挂牌督办 and its lifting
//! (only once the hazard is closed, and only with evidence).

use anjian_db::hazard::{
    self, AssignInput, LiftInput, ListingInput, PlanInput, ReportInput, SubmitInput, VerifyInput,
};
use anjian_db::DbError;
use anjian_domain::hazard::HazardStatus;

use super::*;

async fn major(w: &World) -> Hazard {
    let mut i = input(w.f.site_a.id, "粮仓立筒仓体裂缝", -3, 60);
    i.grade = "重大".into();
    i.major_criterion = "粮食仓储重大隐患判定标准 第二条".into();
    hazard::create(&w.app.db, &w.officer.ctx, &i).await.unwrap()
}

fn plan(v: i64, safety: &str) -> PlanInput {
    PlanInput {
        row_version: v,
        objectives: "消除裂缝隐患".into(),
        methods: "加固仓体".into(),
        funds_materials: "专项资金20万元".into(),
        organisation: "工程科负责".into(),
        time_limits: "60日内完成".into(),
        safety_emergency: safety.into(),
        plan_attachment_ids: vec![],
    }
}

fn assign_input(v: i64) -> AssignInput {
    AssignInput {
        row_version: v,
        owner: "工程科长".into(),
        measures: "按方案加固".into(),
        funds: "200000".into(),
    }
}

#[tokio::test]
async fn the_plan_must_be_complete_before_rectification_and_the_upward_report() {
    let w = world().await;
    let h = major(&w).await;
    assert!(h.is_major());
    let e = hazard::assign(
        &w.app.db,
        &w.officer.ctx,
        h.id,
        &assign_input(h.row_version),
    )
    .await
    .unwrap_err();
    assert_eq!(field_of(&e), "status");
    // A partial plan is saved but does not unlock anything.
    let p = hazard::save_plan(&w.app.db, &w.officer.ctx, h.id, &plan(h.row_version, ""))
        .await
        .unwrap();
    assert!(!p.complete());
    let h = row(&w.app, h.id).await;
    let e = hazard::assign(
        &w.app.db,
        &w.officer.ctx,
        h.id,
        &assign_input(h.row_version),
    )
    .await
    .unwrap_err();
    assert_eq!(field_of(&e), "status");
    let report = |v: i64| ReportInput {
        row_version: v,
        current_state: "仓体东侧出现裂缝".into(),
        harm_analysis: "可能坍塌，整改难度大".into(),
    };
    let e = hazard::report_upward(&w.app.db, &w.officer.ctx, h.id, &report(h.row_version))
        .await
        .unwrap_err();
    assert_eq!(field_of(&e), "plan");

    let p = hazard::save_plan(
        &w.app.db,
        &w.officer.ctx,
        h.id,
        &plan(h.row_version, "设置警戒区，制定坍塌应急预案"),
    )
    .await
    .unwrap();
    assert!(p.complete());
    let h = row(&w.app, h.id).await;
    // The report needs both analyses.
    let e = hazard::report_upward(
        &w.app.db,
        &w.officer.ctx,
        h.id,
        &ReportInput {
            row_version: h.row_version,
            current_state: "x".into(),
            harm_analysis: String::new(),
        },
    )
    .await
    .unwrap_err();
    assert_eq!(field_of(&e), "harm_analysis");
    let m = hazard::report_upward(&w.app.db, &w.officer.ctx, h.id, &report(h.row_version))
        .await
        .unwrap();
    assert!(m.reported_at.is_some());
    assert_eq!(m.reported_by, Some(w.officer.user.id));
    let h = row(&w.app, h.id).await;
    let e = hazard::report_upward(&w.app.db, &w.officer.ctx, h.id, &report(h.row_version))
        .await
        .unwrap_err();
    assert_eq!(field_of(&e), "status", "reported once");
    let h = hazard::assign(
        &w.app.db,
        &w.officer.ctx,
        h.id,
        &assign_input(h.row_version),
    )
    .await
    .unwrap();
    assert_eq!(h.status(), HazardStatus::Rectifying);
    assert_eq!(
        events(&w.app, h.id).await,
        [
            "registered",
            "plan_saved",
            "plan_saved",
            "reported",
            "assigned"
        ]
    );
}

#[tokio::test]
async fn listing_and_lifting() {
    let w = world().await;
    let h = major(&w).await;
    let listing = |v: i64| ListingInput {
        row_version: v,
        authority: "市粮食和物资储备局".into(),
        listed_on: ds(0),
        deadline: ds(60),
    };
    // Only bureau supervisors list; the unit head may not.
    let e = hazard::list_hazard(&w.app.db, &w.head.ctx, h.id, &listing(h.row_version))
        .await
        .unwrap_err();
    assert!(matches!(e, DbError::Forbidden));
    let l = hazard::list_hazard(&w.app.db, &w.supervisor.ctx, h.id, &listing(h.row_version))
        .await
        .unwrap();
    assert_eq!((l.listed_on, l.deadline), (day(0), day(60)));
    let h = row(&w.app, h.id).await;
    let e = hazard::list_hazard(&w.app.db, &w.supervisor.ctx, h.id, &listing(h.row_version))
        .await
        .unwrap_err();
    assert_eq!(field_of(&e), "status", "one listing each");

    let lift = |v: i64, ids: Vec<i64>| LiftInput {
        row_version: v,
        lifted_on: ds(0),
        note: "整改完成".into(),
        lift_attachment_ids: ids,
    };
    let doc = attachment(&w.app, w.f.site_a.id).await;
    let e = hazard::lift_listing(
        &w.app.db,
        &w.supervisor.ctx,
        h.id,
        &lift(h.row_version, vec![doc]),
    )
    .await
    .unwrap_err();
    assert_eq!(
        field_of(&e),
        "status",
        "lifting is refused while the hazard is open"
    );

    // Close it: plan, 五落实, evidence, verification by the bureau.
    hazard::save_plan(
        &w.app.db,
        &w.officer.ctx,
        h.id,
        &plan(h.row_version, "应急预案"),
    )
    .await
    .unwrap();
    let h = row(&w.app, h.id).await;
    let h = hazard::assign(
        &w.app.db,
        &w.officer.ctx,
        h.id,
        &assign_input(h.row_version),
    )
    .await
    .unwrap();
    let photo = attachment(&w.app, w.f.site_a.id).await;
    let h = hazard::submit_rectification(
        &w.app.db,
        &w.officer.ctx,
        h.id,
        &SubmitInput {
            row_version: h.row_version,
            rectified_on: ds(0),
            after_attachment_ids: vec![photo],
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let h = hazard::verify(
        &w.app.db,
        &w.supervisor.ctx,
        h.id,
        &VerifyInput {
            row_version: h.row_version,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(h.status(), HazardStatus::Closed);

    let e = hazard::lift_listing(
        &w.app.db,
        &w.supervisor.ctx,
        h.id,
        &lift(h.row_version, vec![]),
    )
    .await
    .unwrap_err();
    assert_eq!(field_of(&e), "lift_attachment_ids", "evidence is required");
    let l = hazard::lift_listing(
        &w.app.db,
        &w.supervisor.ctx,
        h.id,
        &lift(h.row_version, vec![doc]),
    )
    .await
    .unwrap();
    assert_eq!(l.lifted_on, Some(day(0)));
    assert_eq!(l.lifted_by, Some(w.supervisor.user.id));
    let d = hazard::get(&w.app.db, &w.officer.ctx, h.id).await.unwrap();
    assert_eq!(d.attachments_of("lift").len(), 1);
    let e = hazard::lift_listing(
        &w.app.db,
        &w.supervisor.ctx,
        h.id,
        &lift(d.hazard.row_version, vec![]),
    )
    .await
    .unwrap_err();
    assert_eq!(field_of(&e), "status", "lifted once");
    let listed: Vec<String> = events(&w.app, h.id)
        .await
        .into_iter()
        .filter(|a| a == "listed" || a == "lifted")
        .collect();
    assert_eq!(listed, ["listed", "lifted"]);
    let sup = hazard::list_for_supervision(&w.app.db, &w.supervisor.ctx)
        .await
        .unwrap();
    assert_eq!(sup.len(), 1);
    assert!(sup[0].listing.as_ref().is_some_and(|l| l.lifted()));
}

#[tokio::test]
async fn general_hazards_have_no_plan_or_listing() {
    let w = world().await;
    let h = register(&w.app, &w.officer, w.f.site_a.id, "一般隐患", -1, 3).await;
    let e = hazard::save_plan(&w.app.db, &w.officer.ctx, h.id, &plan(h.row_version, "x"))
        .await
        .unwrap_err();
    assert_eq!(field_of(&e), "grade");
    let e = hazard::list_hazard(
        &w.app.db,
        &w.supervisor.ctx,
        h.id,
        &ListingInput {
            row_version: h.row_version,
            authority: "局".into(),
            listed_on: ds(0),
            deadline: ds(5),
        },
    )
    .await
    .unwrap_err();
    assert_eq!(field_of(&e), "grade");
    assert!(hazard::list_for_supervision(&w.app.db, &w.supervisor.ctx)
        .await
        .unwrap()
        .is_empty());
}
