//! What the inspection module relies on: `list_usable` and `items_in_tx` return only what the
//! caller may use, and refuse (NotFound) the rest.

use anjian_db::checklist;
use anjian_db::DbError;
use anjian_domain::role::Role;
use anjian_testkit::TestApp;

use super::support::{insert_checklist, person};

#[tokio::test]
async fn items_in_tx_gives_active_items_in_order_and_not_found_outside_the_callers_view() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let a = person(&app, "ct_a", Role::Inspector, &f.site_a).await;
    let sup = person(&app, "ct_sup", Role::BureauSupervisor, &f.bureau).await;
    let (b_list, _) = insert_checklist(&app, f.unit_b.id, "乙单位表").await;
    let (a_list, _) = insert_checklist(&app, f.unit_a.id, "甲单位表").await;

    let usable = checklist::list_usable(&app.db, &a.ctx).await.unwrap();
    assert_eq!(usable.len(), 9, "8 built-in + unit A's own");
    assert!(
        usable[..8].iter().all(|c| c.builtin),
        "the built-in library first"
    );

    let mut tx = app.db.begin().await.unwrap();
    let items = checklist::items_in_tx(&mut tx, &a.ctx, a_list)
        .await
        .unwrap();
    assert_eq!(items.len(), 1);
    assert!(matches!(
        checklist::items_in_tx(&mut tx, &a.ctx, b_list).await,
        Err(DbError::NotFound)
    ));
    assert!(matches!(
        checklist::items_in_tx(&mut tx, &a.ctx, 9_999_999).await,
        Err(DbError::NotFound)
    ));
    drop(tx);

    // A deactivated checklist is no longer usable, though its page still opens.
    let row = checklist::get(&app.db, &sup.ctx, a_list).await.unwrap();
    checklist::set_active(&app.db, &sup.ctx, a_list, false, row.checklist.row_version)
        .await
        .unwrap();
    let mut tx = app.db.begin().await.unwrap();
    assert!(matches!(
        checklist::items_in_tx(&mut tx, &a.ctx, a_list).await,
        Err(DbError::NotFound)
    ));
    drop(tx);
    assert_eq!(
        checklist::list_usable(&app.db, &a.ctx).await.unwrap().len(),
        8
    );
    assert!(checklist::get(&app.db, &a.ctx, a_list).await.is_ok());

    // Without InspectionView there is nothing to use.
    let admin = person(&app, "ct_admin", Role::SystemAdmin, &f.bureau).await;
    assert!(matches!(
        checklist::list_usable(&app.db, &admin.ctx).await,
        Err(DbError::Forbidden)
    ));
}
