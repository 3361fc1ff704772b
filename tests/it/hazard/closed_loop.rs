//! The closed loop on the data layer: register → 五落实 → submit with evidence → verify by
//! someone else → 已销号, and every refusal that keeps a closure honest (nothing changes when
//! refused), rejection and resubmission, 立即整改, stale versions and concurrent verifications.

use anjian_db::hazard::{self, AssignInput, RejectInput, SubmitInput, VerifyInput};
use anjian_db::{DbError, Q};
use anjian_domain::hazard::HazardStatus;

use super::*;

#[tokio::test]
async fn the_full_loop_closes_with_evidence_and_someone_else_verifying() {
    let w = world().await;
    let before = attachment(&w.app, w.f.site_a.id).await;
    let mut i = input(w.f.site_a.id, "配电箱未接地", -3, 7);
    i.before_attachment_ids = vec![before];
    let h = hazard::create(&w.app.db, &w.officer.ctx, &i).await.unwrap();
    assert_eq!(h.status(), HazardStatus::Pending);
    assert_eq!(h.deadline, day(7));
    assert_eq!(h.original_deadline, day(7));
    assert_eq!(h.reported_by, Some(w.officer.user.id));

    let h = hazard::assign(
        &w.app.db,
        &w.officer.ctx,
        h.id,
        &AssignInput {
            row_version: h.row_version,
            owner: "李电工".into(),
            measures: "加装接地线".into(),
            funds: "1,200.50".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(h.status(), HazardStatus::Rectifying);
    assert_eq!(h.funds_fen, Some(120_050), "1,200.50 元 = 120050 分");
    assert_eq!(h.deadline, day(7), "五落实 keeps the deadline");

    let after = attachment(&w.app, w.f.site_a.id).await;
    let h = hazard::submit_rectification(
        &w.app.db,
        &w.officer.ctx,
        h.id,
        &SubmitInput {
            row_version: h.row_version,
            rectified_on: ds(-1),
            note: "接地已完成".into(),
            after_attachment_ids: vec![after],
        },
    )
    .await
    .unwrap();
    assert_eq!(h.status(), HazardStatus::AwaitingVerification);
    assert_eq!(h.rectified_by, Some(w.officer.user.id));
    assert_eq!(h.rectified_on, Some(day(-1)));

    let h = hazard::verify(
        &w.app.db,
        &w.inspector.ctx,
        h.id,
        &VerifyInput {
            row_version: h.row_version,
            verified_on: ds(0),
            note: "复查合格".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(h.status(), HazardStatus::Closed);
    assert_eq!(h.verified_by, Some(w.inspector.user.id));
    assert_eq!(h.verified_on, Some(day(0)));
    assert!(h.closed_at.is_some());
    assert_eq!(h.row_version, 4, "registered 1, three steps");

    assert_eq!(
        events(&w.app, h.id).await,
        ["registered", "assigned", "submitted", "verified"]
    );
    assert_eq!(
        audits(&w.app, h.id).await,
        ["create", "assign", "submit", "verify"]
    );
    let d = hazard::get(&w.app.db, &w.officer.ctx, h.id).await.unwrap();
    let kinds: Vec<(i64, &str, i64)> = d
        .attachments
        .iter()
        .map(|a| (a.attachment_id, a.kind.as_str(), a.round))
        .collect();
    assert_eq!(kinds, [(before, "before", 0), (after, "after", 1)]);
    assert_eq!(d.events[3].to_status.as_deref(), Some("closed"));
}

/// Runs `step`, expects a field error naming `field`, and checks nothing changed.
async fn refused<Fut>(w: &World, id: i64, field: &str, step: Fut)
where
    Fut: std::future::Future<Output = Result<Hazard, DbError>>,
{
    let before = row(&w.app, id).await;
    let audits_before = w.app.audit_count().await;
    let events_before = events(&w.app, id).await;
    let e = step.await.expect_err("refused");
    assert_eq!(field_of(&e), field, "{e:?}");
    let after = row(&w.app, id).await;
    assert_eq!(after.row_version, before.row_version);
    assert_eq!(after.status, before.status);
    assert_eq!(after.rectified_on, before.rectified_on);
    assert_eq!(after.verified_on, before.verified_on);
    assert_eq!(w.app.audit_count().await, audits_before);
    assert_eq!(events(&w.app, id).await, events_before);
}

#[tokio::test]
async fn the_rectifier_cannot_verify_their_own_work() {
    let w = world().await;
    let h = awaiting(&w, &w.head).await;
    refused(&w, h.id, "verified_by", async {
        hazard::verify(
            &w.app.db,
            &w.head.ctx,
            h.id,
            &VerifyInput {
                row_version: h.row_version,
                verified_on: ds(0),
                note: String::new(),
            },
        )
        .await
    })
    .await;
    // Nor reject it: that too is a verification.
    refused(&w, h.id, "verified_by", async {
        hazard::reject(
            &w.app.db,
            &w.head.ctx,
            h.id,
            &RejectInput {
                row_version: h.row_version,
                verified_on: ds(0),
                reason: "自己退回".into(),
            },
        )
        .await
    })
    .await;
}

#[tokio::test]
async fn verification_dated_before_the_rectification_is_refused() {
    let w = world().await;
    let h = awaiting(&w, &w.officer).await; // rectified yesterday
    refused(&w, h.id, "verified_on", async {
        hazard::verify(
            &w.app.db,
            &w.inspector.ctx,
            h.id,
            &VerifyInput {
                row_version: h.row_version,
                verified_on: ds(-2),
                note: String::new(),
            },
        )
        .await
    })
    .await;
    // A verification in the future is refused too, on the same field.
    refused(&w, h.id, "verified_on", async {
        hazard::verify(
            &w.app.db,
            &w.inspector.ctx,
            h.id,
            &VerifyInput {
                row_version: h.row_version,
                verified_on: ds(1),
                note: String::new(),
            },
        )
        .await
    })
    .await;
}

#[tokio::test]
async fn submitting_without_evidence_or_with_bad_dates_is_refused() {
    let w = world().await;
    let h = register(&w.app, &w.officer, w.f.site_a.id, "灭火器过期", -5, 5).await;
    // Submitting before 五落实 is the wrong status.
    refused(&w, h.id, "status", async {
        hazard::submit_rectification(
            &w.app.db,
            &w.officer.ctx,
            h.id,
            &SubmitInput {
                row_version: h.row_version,
                rectified_on: ds(0),
                after_attachment_ids: vec![],
                ..Default::default()
            },
        )
        .await
    })
    .await;
    let h = hazard::assign(
        &w.app.db,
        &w.officer.ctx,
        h.id,
        &AssignInput {
            row_version: h.row_version,
            owner: "王".into(),
            measures: "更换".into(),
            funds: "300".into(),
        },
    )
    .await
    .unwrap();
    refused(&w, h.id, "evidence", async {
        hazard::submit_rectification(
            &w.app.db,
            &w.officer.ctx,
            h.id,
            &SubmitInput {
                row_version: h.row_version,
                rectified_on: ds(0),
                after_attachment_ids: vec![],
                ..Default::default()
            },
        )
        .await
    })
    .await;
    let photo = attachment(&w.app, w.f.site_a.id).await;
    refused(&w, h.id, "rectified_on", async {
        hazard::submit_rectification(
            &w.app.db,
            &w.officer.ctx,
            h.id,
            &SubmitInput {
                row_version: h.row_version,
                rectified_on: ds(-6), // before it was found
                after_attachment_ids: vec![photo],
                ..Default::default()
            },
        )
        .await
    })
    .await;
    // The refused submission linked nothing: the photo can still prove the real one.
    let (links,): (i64,) = w
        .app
        .db
        .fetch_one(
            &Q::new("SELECT COUNT(*) FROM hazard_attachment WHERE attachment_id = $1").bind(photo),
        )
        .await
        .unwrap();
    assert_eq!(links, 0);
    // Unit B's photo is out of scope for unit A.
    let foreign = attachment(&w.app, w.f.site_b.id).await;
    refused(&w, h.id, "after_attachment_ids", async {
        hazard::submit_rectification(
            &w.app.db,
            &w.officer.ctx,
            h.id,
            &SubmitInput {
                row_version: h.row_version,
                rectified_on: ds(0),
                after_attachment_ids: vec![foreign],
                ..Default::default()
            },
        )
        .await
    })
    .await;
    // 五落实 needs an owner and valid funds.
    refused(&w, h.id, "owner", async {
        hazard::assign(
            &w.app.db,
            &w.officer.ctx,
            h.id,
            &AssignInput {
                row_version: h.row_version,
                owner: " ".into(),
                measures: "x".into(),
                funds: "1".into(),
            },
        )
        .await
    })
    .await;
    refused(&w, h.id, "funds", async {
        hazard::assign(
            &w.app.db,
            &w.officer.ctx,
            h.id,
            &AssignInput {
                row_version: h.row_version,
                owner: "王".into(),
                measures: "x".into(),
                funds: "12.345".into(),
            },
        )
        .await
    })
    .await;
}

#[tokio::test]
async fn rejection_needs_a_reason_returns_to_rectifying_and_the_resubmission_closes() {
    let w = world().await;
    let h = awaiting(&w, &w.officer).await;
    refused(&w, h.id, "reason", async {
        hazard::reject(
            &w.app.db,
            &w.inspector.ctx,
            h.id,
            &RejectInput {
                row_version: h.row_version,
                verified_on: ds(0),
                reason: "  ".into(),
            },
        )
        .await
    })
    .await;
    let h = hazard::reject(
        &w.app.db,
        &w.inspector.ctx,
        h.id,
        &RejectInput {
            row_version: h.row_version,
            verified_on: ds(0),
            reason: "仍有杂物".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(h.status(), HazardStatus::Rectifying);
    assert_eq!(h.rectified_on, None);
    assert_eq!(h.rectified_by, None);
    assert_eq!(h.verification_note, "仍有杂物");
    assert_eq!(h.owner, "李保管", "the plan stays");

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
        &w.inspector.ctx,
        h.id,
        &VerifyInput {
            row_version: h.row_version,
            verified_on: ds(0),
            note: String::new(),
        },
    )
    .await
    .unwrap();
    assert_eq!(h.status(), HazardStatus::Closed);
    assert_eq!(
        events(&w.app, h.id).await,
        [
            "registered",
            "assigned",
            "submitted",
            "rejected",
            "submitted",
            "verified"
        ]
    );
    let d = hazard::get(&w.app.db, &w.officer.ctx, h.id).await.unwrap();
    let rounds: Vec<i64> = d.attachments_of("after").iter().map(|a| a.round).collect();
    assert_eq!(
        rounds,
        [1, 2],
        "each submission's evidence is its own round"
    );
}

#[tokio::test]
async fn a_stale_version_is_a_conflict_and_changes_nothing() {
    let w = world().await;
    let h = register(&w.app, &w.officer, w.f.site_a.id, "栏杆松动", -1, 5).await;
    let plan = |v: i64| AssignInput {
        row_version: v,
        owner: "赵".into(),
        measures: "紧固".into(),
        funds: "0".into(),
    };
    let fresh = hazard::assign(&w.app.db, &w.officer.ctx, h.id, &plan(h.row_version))
        .await
        .unwrap();
    let audits_before = w.app.audit_count().await;
    let e = hazard::assign(&w.app.db, &w.head.ctx, h.id, &plan(h.row_version))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, DbError::Conflict(m) if m == "记录已被他人修改，请刷新后重试"),
        "{e:?}"
    );
    assert_eq!(row(&w.app, h.id).await.row_version, fresh.row_version);
    assert_eq!(w.app.audit_count().await, audits_before);
}

#[tokio::test]
async fn two_concurrent_verifications_end_with_one_success_and_one_clear_refusal() {
    let w = world().await;
    let h = awaiting(&w, &w.officer).await;
    let v = VerifyInput {
        row_version: h.row_version,
        verified_on: ds(0),
        note: String::new(),
    };
    let (a, b) = tokio::join!(
        hazard::verify(&w.app.db, &w.inspector.ctx, h.id, &v),
        hazard::verify(&w.app.db, &w.head.ctx, h.id, &v),
    );
    let oks = [a.is_ok(), b.is_ok()].iter().filter(|x| **x).count();
    assert_eq!(oks, 1, "{a:?} / {b:?}");
    let err = a.err().or(b.err()).expect("one refused");
    assert!(matches!(err, DbError::Conflict(_)), "{err:?}");
    assert_eq!(
        events(&w.app, h.id)
            .await
            .iter()
            .filter(|a| *a == "verified")
            .count(),
        1
    );
}
