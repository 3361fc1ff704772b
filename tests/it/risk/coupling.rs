//! Hazards at a risk point: the picker, linking, the elevated state, the re-assessment flag and
//! the to-do, and the flag clearing after a new assessment.

use anjian_db::risk::{self, RiskFilter};
use anjian_db::{DbError, PageReq};

use super::*;
use crate::hazard::{ds, register};

#[tokio::test]
async fn open_hazards_elevate_a_point_and_three_in_ninety_days_flag_it_until_reassessed() {
    let w = world().await;
    let db = &w.app.db;
    let mut pi = point_input(&w.f.site_a, "有限空间", "place");
    pi.responsible_user_id = Some(w.officer.user.id);
    pi.responsible_name = String::new();
    let p = risk::create_point(db, &w.head.ctx, &pi).await.unwrap();
    assert_eq!(
        p.responsible_name, w.officer.user.name,
        "taken from the account"
    );
    // Assessed a month ago: the hazards below come after it.
    let first = RiskInput {
        risk_point_id: Some(p.id),
        description: "缺氧窒息".into(),
        method: "ls".into(),
        l: "3".into(),
        s: "4".into(),
        assessed_on: ds(-30),
        ..Default::default()
    };
    let r = risk::create_risk(db, &w.head.ctx, &first).await.unwrap();
    let other = point(&w.app, &w.head, &w.f.site_a, "配电室", "equipment").await;

    // The hazard form's picker offers the site's active points.
    let picks = risk::points_for_hazard_form(db, &w.officer.ctx, w.f.site_a.id)
        .await
        .unwrap();
    assert_eq!(
        picks.iter().map(|o| o.name.as_str()).collect::<Vec<_>>(),
        ["有限空间", "配电室"]
    );
    assert!(matches!(
        risk::points_for_hazard_form(db, &w.officer.ctx, w.f.site_b.id).await,
        Err(DbError::NotFound)
    ));

    // A hazard 100 days ago (outside the window), linked: elevated while open.
    let old = register(&w.app, &w.officer, w.f.site_a.id, "旧隐患", -100, -90).await;
    risk::link_hazard(db, &w.officer.ctx, old.id, Some(p.id))
        .await
        .unwrap();
    let now = point_now(&w.app, p.id).await;
    assert!(now.elevated);
    assert!(!now.flagged);
    let elevated = risk::list_points(
        db,
        &w.head.ctx,
        &RiskFilter {
            elevated: true,
            ..Default::default()
        },
        PageReq::new(None, None),
    )
    .await
    .unwrap();
    assert_eq!(
        elevated.items.iter().map(|p| p.id).collect::<Vec<_>>(),
        [p.id]
    );
    // Unlinked: no longer elevated.
    risk::link_hazard(db, &w.officer.ctx, old.id, None)
        .await
        .unwrap();
    assert!(!point_now(&w.app, p.id).await.elevated);
    risk::link_hazard(db, &w.officer.ctx, old.id, Some(p.id))
        .await
        .unwrap();
    assert_eq!(
        audits(&w.app, "hazard", old.id)
            .await
            .iter()
            .filter(|a| *a == "link_risk_point")
            .count(),
        3
    );

    // Two hazards within 90 days (plus the old one): not yet flagged.
    for (d, n) in [(-10, "通风设备故障"), (-6, "未检测氧含量")] {
        let h = register(&w.app, &w.officer, w.f.site_a.id, n, d, 5).await;
        risk::link_hazard(db, &w.officer.ctx, h.id, Some(p.id))
            .await
            .unwrap();
    }
    assert!(!point_now(&w.app, p.id).await.flagged);
    assert!(risk::todo(db, &w.officer.ctx).await.unwrap().is_empty());
    // The third: flagged, on the responsible person's to-do, counted for managers.
    let third = register(&w.app, &w.officer, w.f.site_a.id, "无人监护", -3, 5).await;
    risk::link_hazard(db, &w.officer.ctx, third.id, Some(p.id))
        .await
        .unwrap();
    assert!(point_now(&w.app, p.id).await.flagged);
    let mine = risk::todo(db, &w.officer.ctx).await.unwrap();
    assert_eq!(mine.mine.iter().map(|p| p.id).collect::<Vec<_>>(), [p.id]);
    assert_eq!(mine.flagged_in_scope, 1);
    let head = risk::todo(db, &w.head.ctx).await.unwrap();
    assert!(
        head.mine.is_empty(),
        "the head is not the responsible person"
    );
    assert_eq!(head.flagged_in_scope, 1);
    let flagged = risk::list(
        db,
        &w.head.ctx,
        &RiskFilter {
            flagged: true,
            ..Default::default()
        },
        PageReq::new(None, None),
    )
    .await
    .unwrap();
    assert_eq!(
        flagged.items.iter().map(|r| r.id).collect::<Vec<_>>(),
        [r.id]
    );
    assert_eq!(
        risk::todo(db, &w.head_b.ctx)
            .await
            .unwrap()
            .flagged_in_scope,
        0
    );

    // A re-assessment dated the day of the third hazard does not answer it …
    let mut input = RiskInput {
        risk_point_id: Some(p.id),
        description: "缺氧窒息".into(),
        method: "ls".into(),
        l: "4".into(),
        s: "4".into(),
        assessed_on: ds(-3),
        version_reason: "隐患频发，重新评估".into(),
        ..Default::default()
    };
    let r2 = risk::update_risk(db, &w.head.ctx, r.id, r.row_version, &input)
        .await
        .unwrap();
    assert!(point_now(&w.app, p.id).await.flagged);
    // … one dated after it does.
    input.assessed_on = ds(-1);
    risk::update_risk(db, &w.head.ctx, r.id, r2.row_version, &input)
        .await
        .unwrap();
    let now = point_now(&w.app, p.id).await;
    assert!(!now.flagged);
    assert!(now.elevated, "the hazards are still open");
    assert!(risk::todo(db, &w.officer.ctx).await.unwrap().is_empty());
    // A further hazard while the window still holds three or more flags it again.
    let fourth = register(&w.app, &w.officer, w.f.site_a.id, "通风机停用", 0, 5).await;
    risk::link_hazard(db, &w.officer.ctx, fourth.id, Some(p.id))
        .await
        .unwrap();
    assert!(point_now(&w.app, p.id).await.flagged);

    // Linking follows the registration's rule: a point of another unit reads as missing, a point
    // of the unit above the hazard's site is refused, a point of the same site is let in.
    let hb = register(&w.app, &w.officer, w.f.site_a.id, "配电箱未上锁", 0, 5).await;
    let pb = point(&w.app, &w.head_b, &w.f.site_b, "乙配电室", "equipment").await;
    let Err(DbError::Invalid(e)) = risk::link_hazard(db, &w.officer.ctx, hb.id, Some(pb.id)).await
    else {
        panic!("another unit's point refused");
    };
    assert_eq!(e.get("risk_point_id"), Some("风险点不存在"));
    let above = point(&w.app, &w.head, &w.f.unit_a, "甲单位配电室", "equipment").await;
    let Err(DbError::Invalid(e)) =
        risk::link_hazard(db, &w.officer.ctx, hb.id, Some(above.id)).await
    else {
        panic!("a point above the hazard's site refused");
    };
    assert_eq!(
        e.get("risk_point_id"),
        Some("风险点不属于隐患所在单位/库点，请选择本单位/库点的风险点")
    );
    assert!(matches!(
        risk::link_hazard(db, &w.head_b.ctx, hb.id, Some(pb.id)).await,
        Err(DbError::NotFound)
    ));
    risk::link_hazard(db, &w.officer.ctx, hb.id, Some(other.id))
        .await
        .unwrap();
    let detail = risk::get_point(db, &w.head.ctx, other.id).await.unwrap();
    assert_eq!(
        detail.hazards.iter().map(|h| h.id).collect::<Vec<_>>(),
        [hb.id]
    );
}
