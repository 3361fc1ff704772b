//! Deadline extensions: the request keeps the original deadline; approval moves the deadline in
//! force, rejection keeps it; nobody decides their own request; one pending request at a time.

use anjian_db::hazard::{self, DecisionInput, ExtensionInput};
use anjian_db::{DbError, Q};

use super::*;

async fn requested(w: &World) -> Hazard {
    let h = register(&w.app, &w.officer, w.f.site_a.id, "仓顶防水层破损", -10, 3).await;
    hazard::request_extension(
        &w.app.db,
        &w.officer.ctx,
        h.id,
        &ExtensionInput {
            row_version: h.row_version,
            new_deadline: ds(20),
            reason: "雨季无法施工".into(),
        },
    )
    .await
    .expect("request")
}

async fn ext_status(w: &World, id: i64) -> Vec<String> {
    let rows: Vec<(String,)> = w
        .app
        .db
        .fetch_all(
            &Q::new("SELECT status FROM hazard_extension WHERE hazard_id = $1 ORDER BY id")
                .bind(id),
        )
        .await
        .unwrap();
    rows.into_iter().map(|(s,)| s).collect()
}

#[tokio::test]
async fn approval_moves_the_deadline_and_keeps_the_original() {
    let w = world().await;
    let h = requested(&w).await;
    assert_eq!(h.deadline, day(3), "a request alone changes nothing");
    let d = hazard::get(&w.app.db, &w.officer.ctx, h.id).await.unwrap();
    let p = d.pending_extension().expect("pending");
    assert_eq!(
        (p.current_deadline, p.requested_deadline),
        (day(3), day(20))
    );

    let h = hazard::decide_extension(
        &w.app.db,
        &w.head.ctx,
        h.id,
        &DecisionInput {
            row_version: h.row_version,
            decision: "approve".into(),
            note: "同意".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(h.deadline, day(20));
    assert_eq!(h.original_deadline, day(3));
    assert!(h.extended());
    assert_eq!(ext_status(&w, h.id).await, ["approved"]);
    assert_eq!(
        events(&w.app, h.id).await,
        ["registered", "extension_requested", "extension_approved"]
    );
    assert_eq!(
        audits(&w.app, h.id).await,
        ["create", "request_extension", "decide_extension"]
    );
}

#[tokio::test]
async fn rejection_keeps_the_deadline_and_a_new_request_may_follow() {
    let w = world().await;
    let h = requested(&w).await;
    let h = hazard::decide_extension(
        &w.app.db,
        &w.supervisor.ctx,
        h.id,
        &DecisionInput {
            row_version: h.row_version,
            decision: "reject".into(),
            note: "理由不充分".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!((h.deadline, h.original_deadline), (day(3), day(3)));
    assert_eq!(ext_status(&w, h.id).await, ["rejected"]);
    let h = hazard::request_extension(
        &w.app.db,
        &w.officer.ctx,
        h.id,
        &ExtensionInput {
            row_version: h.row_version,
            new_deadline: ds(10),
            reason: "补充材料后再申请".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(ext_status(&w, h.id).await, ["rejected", "pending"]);
}

#[tokio::test]
async fn refusals_of_requests_and_decisions() {
    let w = world().await;
    let h = requested(&w).await;
    // A second request while one is pending.
    let e = hazard::request_extension(
        &w.app.db,
        &w.officer.ctx,
        h.id,
        &ExtensionInput {
            row_version: h.row_version,
            new_deadline: ds(30),
            reason: "再延".into(),
        },
    )
    .await
    .unwrap_err();
    assert_eq!(field_of(&e), "extension");
    // The unit head requests on another hazard and cannot decide it himself.
    let h2 = register(&w.app, &w.officer, w.f.site_a.id, "另一项", -1, 2).await;
    let h2 = hazard::request_extension(
        &w.app.db,
        &w.head.ctx,
        h2.id,
        &ExtensionInput {
            row_version: h2.row_version,
            new_deadline: ds(9),
            reason: "材料未到".into(),
        },
    )
    .await
    .unwrap();
    let e = hazard::decide_extension(
        &w.app.db,
        &w.head.ctx,
        h2.id,
        &DecisionInput {
            row_version: h2.row_version,
            decision: "approve".into(),
            note: String::new(),
        },
    )
    .await
    .unwrap_err();
    assert_eq!(field_of(&e), "extension");
    assert_eq!(row(&w.app, h2.id).await.deadline, day(2));
    // A unit officer has no right to decide at all.
    let e = hazard::decide_extension(
        &w.app.db,
        &w.officer.ctx,
        h.id,
        &DecisionInput {
            row_version: h.row_version,
            decision: "approve".into(),
            note: String::new(),
        },
    )
    .await
    .unwrap_err();
    assert!(matches!(e, DbError::Forbidden));
    // A decision needs approve or reject.
    let e = hazard::decide_extension(
        &w.app.db,
        &w.supervisor.ctx,
        h.id,
        &DecisionInput {
            row_version: h.row_version,
            decision: "maybe".into(),
            note: String::new(),
        },
    )
    .await
    .unwrap_err();
    assert_eq!(field_of(&e), "decision");
    // The new deadline must be later than the current one, and a reason is required.
    let h3 = register(&w.app, &w.officer, w.f.site_a.id, "第三项", -1, 5).await;
    for (deadline, reason, field) in [
        (ds(5), "原因", "new_deadline"),
        (ds(9), " ", "reason"),
        ("明天".to_string(), "原因", "new_deadline"),
    ] {
        let e = hazard::request_extension(
            &w.app.db,
            &w.officer.ctx,
            h3.id,
            &ExtensionInput {
                row_version: h3.row_version,
                new_deadline: deadline,
                reason: reason.into(),
            },
        )
        .await
        .unwrap_err();
        assert_eq!(field_of(&e), field);
    }
    assert!(ext_status(&w, h3.id).await.is_empty());
}

#[tokio::test]
async fn a_pending_request_lapses_when_the_rectification_is_submitted() {
    let w = world().await;
    let h = requested(&w).await;
    let h = hazard::assign(
        &w.app.db,
        &w.officer.ctx,
        h.id,
        &hazard::AssignInput {
            row_version: h.row_version,
            owner: "张".into(),
            measures: "修补".into(),
            funds: "0".into(),
        },
    )
    .await
    .unwrap();
    let photo = attachment(&w.app, w.f.site_a.id).await;
    let h = hazard::submit_rectification(
        &w.app.db,
        &w.officer.ctx,
        h.id,
        &hazard::SubmitInput {
            row_version: h.row_version,
            rectified_on: ds(0),
            after_attachment_ids: vec![photo],
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(ext_status(&w, h.id).await, ["rejected"]);
    // Nothing is left to decide: the deadline of a hazard under verification cannot move.
    let e = hazard::decide_extension(
        &w.app.db,
        &w.head.ctx,
        h.id,
        &DecisionInput {
            row_version: h.row_version,
            decision: "approve".into(),
            note: String::new(),
        },
    )
    .await
    .unwrap_err();
    // Refused by the state machine: under verification, no extension can be decided.
    assert_eq!(field_of(&e), "status");
    assert_eq!(row(&w.app, h.id).await.deadline, day(3));
    let t = hazard::todo(&w.app.db, &w.head.ctx).await.unwrap();
    assert_eq!(t.extensions_to_decide, 0);
}
