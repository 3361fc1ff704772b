//! The boards: drill intervals, quarterly meetings, responsibility letters, training hours.

use chrono::NaiveDate;

use anjian_db::ledger;
use anjian_domain::ledger::LedgerKind;

use super::*;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[tokio::test]
async fn units_whose_last_drill_is_older_than_the_interval() {
    let c = cast().await;
    // Unit A: an on-site drill at its site on 2023-01-15, a special-plan drill on 2022-08-01.
    record(
        &c.app,
        &c.officer.ctx,
        LedgerKind::Drill,
        &drill(c.f.site_a.id, "2023-01-15", "onsite"),
    )
    .await;
    record(
        &c.app,
        &c.officer.ctx,
        LedgerKind::Drill,
        &drill(c.f.unit_a.id, "2022-08-01", "special"),
    )
    .await;
    let row = |rows: &[ledger::DrillBoardRow], id: i64| {
        rows.iter().find(|r| r.org_id == id).unwrap().clone()
    };
    let rows = ledger::drill_board(&c.app.db, &c.supervisor.ctx, d("2023-07-15"))
        .await
        .unwrap();
    let a = row(&rows, c.f.unit_a.id);
    assert_eq!(a.last_onsite, Some(d("2023-01-15")));
    assert!(!a.onsite_overdue, "due by 2023-07-15, six months on");
    assert!(!a.plan_overdue, "due by 2023-08-01, a year on");
    let b = row(&rows, c.f.unit_b.id);
    assert!(b.onsite_overdue && b.plan_overdue, "never drilled");
    let rows = ledger::drill_board(&c.app.db, &c.supervisor.ctx, d("2023-08-02"))
        .await
        .unwrap();
    let a = row(&rows, c.f.unit_a.id);
    assert!(a.onsite_overdue && a.plan_overdue);
    // A unit user sees only its own unit.
    let rows = ledger::drill_board(&c.app.db, &c.officer.ctx, d("2023-08-02"))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
}

#[tokio::test]
async fn quarters_without_a_quarterly_meeting() {
    let c = cast().await;
    record(
        &c.app,
        &c.officer.ctx,
        LedgerKind::Meeting,
        &meeting(c.f.unit_a.id, "2023-03-28", "quarterly"),
    )
    .await;
    // A special meeting does not count; nor does the bureau's own for the units.
    record(
        &c.app,
        &c.officer.ctx,
        LedgerKind::Meeting,
        &meeting(c.f.unit_a.id, "2023-05-10", "special"),
    )
    .await;
    record(
        &c.app,
        &c.supervisor.ctx,
        LedgerKind::Meeting,
        &meeting(c.f.bureau.id, "2023-04-02", "quarterly"),
    )
    .await;
    let rows = ledger::meeting_board(&c.app.db, &c.supervisor.ctx, 2023, d("2023-08-01"))
        .await
        .unwrap();
    let find = |id: i64| rows.iter().find(|r| r.org_id == id).unwrap();
    assert_eq!(find(c.f.unit_a.id).quarters, [1, 0, 0, 0]);
    assert_eq!(find(c.f.unit_a.id).missing, vec![2, 3]);
    assert_eq!(find(c.f.bureau.id).quarters, [0, 1, 0, 0]);
    assert_eq!(find(c.f.bureau.id).missing, vec![1, 3]);
    assert_eq!(find(c.f.unit_b.id).missing, vec![1, 2, 3]);
}

#[tokio::test]
async fn units_that_have_not_signed_this_years_letter() {
    let c = cast().await;
    let e = record(
        &c.app,
        &c.supervisor.ctx,
        LedgerKind::Letter,
        &letter(c.f.unit_a.id, "2023-02-20", "2023"),
    )
    .await;
    // A 2024 letter signed in December 2023 is next year's.
    record(
        &c.app,
        &c.supervisor.ctx,
        LedgerKind::Letter,
        &letter(c.f.unit_b.id, "2023-12-20", "2024"),
    )
    .await;
    let rows = ledger::letter_board(&c.app.db, &c.supervisor.ctx, 2023)
        .await
        .unwrap();
    let a = rows.iter().find(|r| r.org_id == c.f.unit_a.id).unwrap();
    assert_eq!(
        (a.entry_id, a.signed_on),
        (Some(e.id), Some(d("2023-02-20")))
    );
    let b = rows.iter().find(|r| r.org_id == c.f.unit_b.id).unwrap();
    assert_eq!(b.signed_on, None);
    let rows = ledger::letter_board(&c.app.db, &c.supervisor.ctx, 2024)
        .await
        .unwrap();
    assert!(rows
        .iter()
        .find(|r| r.org_id == c.f.unit_b.id)
        .unwrap()
        .signed_on
        .is_some());
}

#[tokio::test]
async fn yearly_training_hours_per_person_against_the_minimums() {
    let c = cast().await;
    let (o, i) = (c.officer.user.id, c.inspector.user.id);
    let ctx = &c.officer.ctx;
    // The officer: 4 + 1.5 = 5.5 学时 in 2023 (the 2022 one does not count) against 12 → 6.5 short.
    // The inspector (at the unit's site): 4 学时 against 20 → 16 short.
    record(
        &c.app,
        ctx,
        LedgerKind::Training,
        &training(c.f.unit_a.id, "2023-03-01", "4", vec![o, i]),
    )
    .await;
    record(
        &c.app,
        ctx,
        LedgerKind::Training,
        &training(c.f.unit_a.id, "2023-09-01", "1.5", vec![o]),
    )
    .await;
    record(
        &c.app,
        ctx,
        LedgerKind::Training,
        &training(c.f.unit_a.id, "2022-09-01", "8", vec![o]),
    )
    .await;
    let rows = ledger::training_hours(&c.app.db, ctx, 2023, None)
        .await
        .unwrap();
    let p = |id: i64| rows.iter().find(|r| r.user_id == id).unwrap();
    assert_eq!(
        (
            p(o).hours_tenths,
            p(o).minimum_tenths,
            p(o).shortfall_tenths
        ),
        (55, 120, 65)
    );
    assert_eq!(
        (
            p(i).hours_tenths,
            p(i).minimum_tenths,
            p(i).shortfall_tenths
        ),
        (40, 200, 160)
    );
    assert!(
        rows.iter().all(|r| r.user_id != c.officer_b.user.id),
        "unit B's people are not listed"
    );
    // Attendees must be people of the training's unit.
    let bad = training(c.f.unit_a.id, "2023-03-01", "2", vec![c.supervisor.user.id]);
    match ledger::create(&c.app.db, &c.supervisor.ctx, LedgerKind::Training, &bad).await {
        Err(anjian_db::DbError::Invalid(f)) => {
            assert_eq!(f.get("attendee_user_ids"), Some("参训人员须为本单位人员"))
        }
        other => panic!("{other:?}"),
    }
}
