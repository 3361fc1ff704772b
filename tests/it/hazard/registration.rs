//! Registration: per-field errors, scope of the organisation and photos, 立即整改, editing while
//! 待整改, and who may do what.

use anjian_db::hazard::{self, AssignInput, VerifyInput};
use anjian_db::{DbError, Q};
use anjian_domain::hazard::HazardStatus;

use super::*;

#[tokio::test]
async fn immediate_rectification_arrives_awaiting_verification_with_its_evidence() {
    let w = world().await;
    let photo = attachment(&w.app, w.f.site_a.id).await;
    let mut i = input(w.f.site_a.id, "安全出口指示灯不亮", 0, 0);
    i.deadline = String::new();
    i.immediate = true;
    i.after_attachment_ids = vec![photo];
    i.rectification_note = "当场更换灯管".into();
    let h = hazard::create(&w.app.db, &w.inspector.ctx, &i)
        .await
        .unwrap();
    assert_eq!(h.status(), HazardStatus::AwaitingVerification);
    assert!(h.immediate);
    assert_eq!(h.deadline, day(0), "the found date");
    assert_eq!(h.rectified_by, Some(w.inspector.user.id));
    assert_eq!(h.rectified_on, Some(day(0)));
    assert_eq!(events(&w.app, h.id).await, ["registered", "immediate"]);
    assert_eq!(audits(&w.app, h.id).await, ["create", "immediate"]);

    // The inspector fixed it, so someone else verifies.
    let e = hazard::verify(
        &w.app.db,
        &w.inspector.ctx,
        h.id,
        &VerifyInput {
            row_version: h.row_version,
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(field_of(&e), "verified_by");
    let h = hazard::verify(
        &w.app.db,
        &w.head.ctx,
        h.id,
        &VerifyInput {
            row_version: h.row_version,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(h.status(), HazardStatus::Closed);
    assert_eq!(h.verified_on, Some(day(0)), "empty date means today");
}

#[tokio::test]
async fn immediate_needs_evidence_and_a_general_grade() {
    let w = world().await;
    let count = || async {
        let (n,): (i64,) = w
            .app
            .db
            .fetch_one(&Q::new("SELECT COUNT(*) FROM hazard"))
            .await
            .unwrap();
        n
    };
    let before = count().await;
    let mut i = input(w.f.site_a.id, "现场整改", 0, 0);
    i.immediate = true;
    let e = hazard::create(&w.app.db, &w.inspector.ctx, &i)
        .await
        .unwrap_err();
    assert_eq!(field_of(&e), "after_attachment_ids");
    i.grade = "major".into();
    i.major_criterion = "第三条".into();
    i.after_attachment_ids = vec![attachment(&w.app, w.f.site_a.id).await];
    let e = hazard::create(&w.app.db, &w.inspector.ctx, &i)
        .await
        .unwrap_err();
    assert_eq!(field_of(&e), "grade");
    assert_eq!(count().await, before, "nothing half-written");
}

#[tokio::test]
async fn registration_errors_name_their_fields() {
    let w = world().await;
    type Change = Box<dyn Fn(&mut HazardInput)>;
    let cases: Vec<(&str, Change)> = vec![
        ("org_id", Box::new(|i| i.org_id = None)),
        ("description", Box::new(|i| i.description = " ".into())),
        (
            "description",
            Box::new(|i| i.description = "长".repeat(501)),
        ),
        ("grade", Box::new(|i| i.grade = "较大".into())),
        ("major_criterion", Box::new(|i| i.grade = "major".into())),
        ("found_on", Box::new(|i| i.found_on = "2023-02-30".into())),
        ("found_on", Box::new(|i| i.found_on = ds(1))),
        ("deadline", Box::new(|i| i.deadline = String::new())),
        ("deadline", Box::new(|i| i.deadline = ds(-10))),
    ];
    for (field, change) in cases {
        let mut i = input(w.f.site_a.id, "描述", -2, 5);
        change(&mut i);
        let e = hazard::create(&w.app.db, &w.officer.ctx, &i)
            .await
            .unwrap_err();
        assert_eq!(field_of(&e), field);
    }
    // Scope and kind of the organisation, and attachments, are checked by the database layer.
    for (org, field) in [(w.f.site_b.id, "org_id"), (w.f.bureau.id, "org_id")] {
        let e = hazard::create(&w.app.db, &w.officer.ctx, &input(org, "x", 0, 1))
            .await
            .unwrap_err();
        assert_eq!(field_of(&e), field);
    }
    let mut i = input(w.f.site_a.id, "x", 0, 1);
    i.before_attachment_ids = vec![attachment(&w.app, w.f.site_b.id).await];
    let e = hazard::create(&w.app.db, &w.officer.ctx, &i)
        .await
        .unwrap_err();
    assert_eq!(field_of(&e), "before_attachment_ids");
    // A photo already proving one hazard cannot be reused for another.
    let used = attachment(&w.app, w.f.site_a.id).await;
    let mut i = input(w.f.site_a.id, "first", 0, 1);
    i.before_attachment_ids = vec![used];
    hazard::create(&w.app.db, &w.officer.ctx, &i).await.unwrap();
    i.description = "second".into();
    let e = hazard::create(&w.app.db, &w.officer.ctx, &i)
        .await
        .unwrap_err();
    assert_eq!(field_of(&e), "before_attachment_ids");
    // A campaign that does not exist is a field error (the campaign module decides).
    let mut i = input(w.f.site_a.id, "x", 0, 1);
    i.campaign_id = Some(999_999);
    let e = hazard::create(&w.app.db, &w.officer.ctx, &i)
        .await
        .unwrap_err();
    assert_eq!(field_of(&e), "campaign_id");
}

#[tokio::test]
async fn editing_registration_is_only_while_pending_and_keeps_versions() {
    let w = world().await;
    let h = register(&w.app, &w.officer, w.f.site_a.id, "原描述", -1, 5).await;
    let mut i = input(w.f.site_a.id, "新描述", -1, 6);
    let e = hazard::update(&w.app.db, &w.officer.ctx, h.id, h.row_version + 1, &i)
        .await
        .unwrap_err();
    assert!(matches!(e, DbError::Conflict(_)));
    let h2 = hazard::update(&w.app.db, &w.officer.ctx, h.id, h.row_version, &i)
        .await
        .unwrap();
    assert_eq!(h2.description, "新描述");
    assert_eq!((h2.deadline, h2.original_deadline), (day(6), day(6)));
    assert_eq!(audits(&w.app, h.id).await, ["create", "update"]);
    let h3 = hazard::assign(
        &w.app.db,
        &w.officer.ctx,
        h.id,
        &AssignInput {
            row_version: h2.row_version,
            owner: "a".into(),
            measures: "b".into(),
            funds: "0".into(),
        },
    )
    .await
    .unwrap();
    i.description = "再改".into();
    let e = hazard::update(&w.app.db, &w.officer.ctx, h.id, h3.row_version, &i)
        .await
        .unwrap_err();
    assert_eq!(field_of(&e), "status");
}

#[tokio::test]
async fn roles_without_the_permission_are_refused() {
    let w = world().await;
    let h = awaiting(&w, &w.officer).await;
    // A unit officer may rectify but not verify; a leader may only look.
    let e = hazard::verify(
        &w.app.db,
        &w.officer.ctx,
        h.id,
        &VerifyInput {
            row_version: h.row_version,
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert!(matches!(e, DbError::Forbidden));
    let leader = person(
        &w.app,
        "leader",
        anjian_domain::role::Role::BureauLeader,
        &w.f.bureau,
    )
    .await;
    let e = hazard::create(&w.app.db, &leader.ctx, &input(w.f.site_a.id, "x", 0, 1))
        .await
        .unwrap_err();
    assert!(matches!(e, DbError::Forbidden));
    assert!(hazard::get(&w.app.db, &leader.ctx, h.id).await.is_ok());
}
