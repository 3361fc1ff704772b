//! What the inspection module relies on: `open_for_org` offers the open tasks assigned to the
//! organisation's unit, and `check_in_tx` refuses any other task with a field error.

use anjian_db::inspection_task::{self, TaskInput};
use anjian_db::{Ctx, DbError};
use anjian_domain::role::Role;
use anjian_testkit::TestApp;

use super::support::person;

async fn check(app: &TestApp, ctx: &Ctx, task: i64, org: i64) -> Result<(), DbError> {
    let mut tx = app.db.begin().await.unwrap();
    inspection_task::check_in_tx(&mut tx, ctx, task, org).await
}

#[tokio::test]
async fn tasks_are_offered_to_the_assigned_units_and_their_sites_until_cancelled() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let sup = person(&app, "tc_sup", Role::BureauSupervisor, &f.bureau).await;
    let site_a = person(&app, "tc_site", Role::Inspector, &f.site_a).await;
    let mk = |title: &str, units: Vec<i64>| TaskInput {
        title: title.into(),
        start_date: "2023-06-01".into(),
        due_date: "2023-06-30".into(),
        org_ids: units,
        ..Default::default()
    };
    let to_a = inspection_task::create(&app.db, &sup.ctx, &mk("给甲", vec![f.unit_a.id]))
        .await
        .unwrap();
    let to_b = inspection_task::create(&app.db, &sup.ctx, &mk("给乙", vec![f.unit_b.id]))
        .await
        .unwrap();

    let offered: Vec<i64> = inspection_task::open_for_org(&app.db, &site_a.ctx, f.site_a.id)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(offered, [to_a.id]);
    assert!(matches!(
        inspection_task::open_for_org(&app.db, &site_a.ctx, f.site_b.id).await,
        Err(DbError::NotFound)
    ));
    assert!(check(&app, &site_a.ctx, to_a.id, f.site_a.id).await.is_ok());
    assert!(check(&app, &sup.ctx, to_b.id, f.site_b.id).await.is_ok());
    for (task, org, ctx) in [
        (to_b.id, f.site_a.id, &site_a.ctx),
        (to_b.id, f.site_a.id, &sup.ctx),
        (to_a.id, f.site_b.id, &site_a.ctx),
        (9_999_999, f.site_a.id, &site_a.ctx),
    ] {
        match check(&app, ctx, task, org).await {
            Err(DbError::Invalid(e)) => assert_eq!(
                e.get("task_id"),
                Some("检查任务不存在、已取消，或未下达给所选单位")
            ),
            other => panic!("task {task} for org {org}: {other:?}"),
        }
    }
    inspection_task::cancel(&app.db, &sup.ctx, to_a.id, to_a.row_version)
        .await
        .unwrap();
    assert!(
        inspection_task::open_for_org(&app.db, &site_a.ctx, f.site_a.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        check(&app, &site_a.ctx, to_a.id, f.site_a.id).await,
        Err(DbError::Invalid(_))
    ));
}
