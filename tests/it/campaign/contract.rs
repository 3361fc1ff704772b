//! What the inspection and hazard modules rely on: `usable_for_org` lists the active campaigns
//! covering an organisation, and `check_in_tx` refuses one that does not with a field error.

use anjian_db::campaign::{self, CampaignInput};
use anjian_db::{Ctx, DbError};
use anjian_domain::role::Role;
use anjian_testkit::TestApp;

use super::support::{insert_campaign, other_bureau, person};

async fn check(app: &TestApp, ctx: &Ctx, c: i64, org: i64) -> Result<(), DbError> {
    let mut tx = app.db.begin().await.unwrap();
    campaign::check_in_tx(&mut tx, ctx, c, org).await
}

#[tokio::test]
async fn campaigns_cover_the_units_they_name_and_everything_below_them() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let sup = person(&app, "cc_sup", Role::BureauSupervisor, &f.bureau).await;
    let a = person(&app, "cc_a", Role::Inspector, &f.site_a).await;
    let (other, _) = other_bureau(&app).await;
    let all = insert_campaign(&app, f.bureau.id, "全部单位的行动").await;
    let only_b = campaign::create(
        &app.db,
        &sup.ctx,
        &CampaignInput {
            kind: "campaign".into(),
            name: "只给乙单位的行动".into(),
            start_date: "2023-06-01".into(),
            end_date: "2023-06-30".into(),
            all_units: false,
            org_ids: vec![f.unit_b.id],
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .id;
    let foreign = insert_campaign(&app, other.id, "丙局的行动").await;

    let ids = |v: Vec<campaign::Campaign>| v.into_iter().map(|c| c.id).collect::<Vec<_>>();
    assert_eq!(
        ids(campaign::usable_for_org(&app.db, &a.ctx, f.site_a.id)
            .await
            .unwrap()),
        [all]
    );
    let for_b = ids(campaign::usable_for_org(&app.db, &sup.ctx, f.site_b.id)
        .await
        .unwrap());
    assert!(for_b.contains(&all) && for_b.contains(&only_b) && !for_b.contains(&foreign));
    // An org outside the caller's scope is not found.
    assert!(matches!(
        campaign::usable_for_org(&app.db, &a.ctx, f.site_b.id).await,
        Err(DbError::NotFound)
    ));

    assert!(check(&app, &a.ctx, all, f.site_a.id).await.is_ok());
    assert!(check(&app, &sup.ctx, only_b, f.site_b.id).await.is_ok());
    for (c, org, ctx) in [
        (only_b, f.site_a.id, &sup.ctx),
        (only_b, f.site_a.id, &a.ctx),
        (foreign, f.site_a.id, &a.ctx),
        (all, f.site_b.id, &a.ctx),
        (9_999_999, f.site_a.id, &a.ctx),
    ] {
        match check(&app, ctx, c, org).await {
            Err(DbError::Invalid(e)) => {
                assert_eq!(
                    e.get("campaign_id"),
                    Some("专项行动不存在，或不适用于所选单位")
                )
            }
            other => panic!("campaign {c} for org {org}: {other:?}"),
        }
    }
}
