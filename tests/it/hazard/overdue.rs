//! The daily overdue job: marks exactly the hazards still awaiting rectification after their
//! deadline, once per day whatever the number of calls, with a timeline event and an audit entry
//! each.

use anjian_db::hazard::{self, AssignInput, SubmitInput};
use anjian_db::{job, Q};

use super::*;

async fn assign(w: &World, h: &Hazard) -> Hazard {
    hazard::assign(
        &w.app.db,
        &w.officer.ctx,
        h.id,
        &AssignInput {
            row_version: h.row_version,
            owner: "责任人".into(),
            measures: "措施".into(),
            funds: "0".into(),
        },
    )
    .await
    .unwrap()
}

async fn submit(w: &World, h: &Hazard) -> Hazard {
    let photo = attachment(&w.app, w.f.site_a.id).await;
    hazard::submit_rectification(
        &w.app.db,
        &w.officer.ctx,
        h.id,
        &SubmitInput {
            row_version: h.row_version,
            rectified_on: ds(-1),
            after_attachment_ids: vec![photo],
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn marks_exactly_the_open_hazards_past_their_deadline_once_a_day() {
    let w = world().await;
    let (app, a, b) = (&w.app, w.f.site_a.id, w.f.site_b.id);
    // Deadline yesterday, 待整改: overdue.
    let ha = register(app, &w.officer, a, "A", -10, -1).await;
    // Deadline three days ago, 整改中: overdue.
    let hb = register(app, &w.officer, a, "B", -10, -3).await;
    let hb = assign(&w, &hb).await;
    // Deadline today: not yet overdue.
    let hc = register(app, &w.officer, a, "C", -10, 0).await;
    // Past the deadline but already 待验收: not the rectifier's job any more.
    let hd = register(app, &w.officer, a, "D", -10, -2).await;
    let hd = assign(&w, &hd).await;
    submit(&w, &hd).await;
    // Past the deadline but closed.
    let he = register(app, &w.officer, a, "E", -10, -2).await;
    let he = submit(&w, &assign(&w, &he).await).await;
    hazard::verify(
        &app.db,
        &w.inspector.ctx,
        he.id,
        &hazard::VerifyInput {
            row_version: he.row_version,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    // Unit B's overdue hazard: the job runs for the whole database.
    let hf = register(app, &w.officer_b, b, "F", -10, -5).await;
    // Already marked on an earlier day: not marked again.
    let hg = register(app, &w.officer, a, "G", -10, -4).await;
    app.db
        .execute(
            &Q::new("UPDATE hazard SET overdue_marked_on = $1 WHERE id = $2")
                .bind(day(-3))
                .bind(hg.id),
        )
        .await
        .unwrap();

    let audits_before = app.audit_count().await;
    let r = hazard::mark_overdue(&app.db, day(0)).await.unwrap();
    assert!(r.ran);
    assert_eq!(r.marked, vec![ha.id, hb.id, hf.id]);
    assert_eq!(app.audit_count().await, audits_before + 3);
    let last = app.last_audit().await;
    assert_eq!(last.action, "mark_overdue");
    assert_eq!(last.actor_username, "system:daily-job");
    for id in [ha.id, hb.id, hf.id] {
        let h = row(app, id).await;
        assert_eq!(h.overdue_marked_on, Some(day(0)));
        assert_eq!(
            events(app, id).await.last().map(String::as_str),
            Some("overdue")
        );
    }
    assert_eq!(
        row(app, hb.id).await.row_version,
        hb.row_version,
        "forms stay valid"
    );
    for id in [hc.id, hd.id, he.id] {
        assert_eq!(row(app, id).await.overdue_marked_on, None);
    }
    assert_eq!(row(app, hg.id).await.overdue_marked_on, Some(day(-3)));

    // A second call the same day (another instance, the next scheduler tick) does nothing,
    // even for a hazard that became overdue-looking since.
    let hh = register(app, &w.officer, a, "H", -10, -1).await;
    let r = hazard::mark_overdue(&app.db, day(0)).await.unwrap();
    assert_eq!(r, hazard::MarkReport::default());
    assert_eq!(row(app, hh.id).await.overdue_marked_on, None);
    let (runs, finished): (i64, i64) = app
        .db
        .fetch_one(&Q::new(
            "SELECT COUNT(*), COUNT(finished_at) FROM job_run WHERE job = 'hazard_overdue'",
        ))
        .await
        .unwrap();
    assert_eq!((runs, finished), (1, 1));

    // The next day: C (deadline today) and H are now overdue.
    let r = hazard::mark_overdue(&app.db, day(1)).await.unwrap();
    assert_eq!(r.marked, vec![hc.id, hh.id]);
}

#[tokio::test]
async fn run_daily_claims_today_once() {
    let w = world().await;
    let h = register(&w.app, &w.officer, w.f.site_a.id, "逾期", -5, -1).await;
    job::run_daily(&w.app.db).await.unwrap();
    assert_eq!(row(&w.app, h.id).await.overdue_marked_on, Some(day(0)));
    let before = w.app.audit_count().await;
    job::run_daily(&w.app.db).await.unwrap();
    assert_eq!(w.app.audit_count().await, before);
    // Two instances racing on the same day: one claim wins.
    let (x, y) = tokio::join!(
        hazard::mark_overdue(&w.app.db, day(2)),
        hazard::mark_overdue(&w.app.db, day(2))
    );
    let ran = [x.unwrap().ran, y.unwrap().ran];
    assert_eq!(ran.iter().filter(|r| **r).count(), 1, "{ran:?}");
}
