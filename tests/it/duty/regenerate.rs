//! A roster with a swap on record is not regenerated: regeneration replaces every shift, and a
//! swap names its shift (the swap is evidence of who stood in). Before this rule the HTML form
//! answered 500 (a foreign-key failure), found by the security sweep's form walk.

use anjian_db::duty::{self, SwapInput};
use anjian_db::DbError;

use super::{input, roster};
use crate::hazard::world;

#[tokio::test]
async fn a_roster_with_a_swap_is_adjusted_day_by_day_not_regenerated() {
    let w = world().await;
    let r = roster(
        &w.app,
        &w.officer,
        w.f.unit_a.id,
        "2023-01-20",
        "2023-01-22",
    )
    .await;
    let before = duty::shifts(&w.app.db, &w.officer.ctx, r.id).await.unwrap();
    // Without a swap the draft regenerates.
    let fresh = input(w.f.unit_a.id, "2023-01-20", "2023-01-22");
    let r = duty::generate(&w.app.db, &w.officer.ctx, r.id, &fresh, r.row_version)
        .await
        .expect("a draft without swaps regenerates");
    let shifts = duty::shifts(&w.app.db, &w.officer.ctx, r.id).await.unwrap();
    assert_eq!(shifts.len(), before.len());
    duty::request_swap(
        &w.app.db,
        &w.officer.ctx,
        r.id,
        &SwapInput {
            shift_id: shifts[0].id,
            role: "leader".into(),
            to_name: "钱七".into(),
            reason: "出差".into(),
            ..Default::default()
        },
    )
    .await
    .expect("swap");
    let r = duty::get_roster(&w.app.db, &w.officer.ctx, r.id)
        .await
        .unwrap();
    let audit = w.app.audit_count().await;
    match duty::generate(&w.app.db, &w.officer.ctx, r.id, &fresh, r.row_version).await {
        Err(DbError::Conflict(m)) => assert!(m.contains("换班记录"), "{m}"),
        other => panic!("regenerating over a swap: {:?}", other.map(|r| r.id)),
    }
    let after = duty::shifts(&w.app.db, &w.officer.ctx, r.id).await.unwrap();
    assert_eq!(
        after.iter().map(|s| s.id).collect::<Vec<_>>(),
        shifts.iter().map(|s| s.id).collect::<Vec<_>>(),
        "the shifts stay"
    );
    assert_eq!(w.app.audit_count().await, audit, "nothing written");
}
