//! The responsible person of a point or measure: an enabled account of the point's organisation
//! or of its ancestors up to the unit, else 422 naming the field; the candidates offered; a
//! link made under the earlier rule kept on edit; the to-do reaching the picked person.

use anjian_db::risk;
use anjian_db::{DbError, Q};

use super::*;
use crate::hazard::{ds, register};

fn refused(r: Result<impl std::fmt::Debug, DbError>, field: &str) {
    match r {
        Err(DbError::Invalid(f)) => assert!(
            f.get(field)
                .is_some_and(|m| m.contains("责任人须为风险点所属单位")),
            "{f:?}"
        ),
        other => panic!("expected a field error on {field}, got {other:?}"),
    }
}

#[tokio::test]
async fn responsible_accounts_come_from_the_point_org_and_its_unit_only() {
    let w = world().await;
    let db = &w.app.db;
    let keeper = person(&w.app, "rk_keeper_site_a", Role::Inspector, &w.f.site_a).await;
    let gone = person(&w.app, "rk_gone_site_a", Role::Inspector, &w.f.site_a).await;
    db.execute(&Q::new("UPDATE app_user SET disabled = TRUE WHERE id = $1").bind(gone.user.id))
        .await
        .unwrap();

    // The candidates of a site: its own accounts and its unit's, nearest first; never the
    // bureau's, another unit's or a disabled one.
    let c = risk::responsible_candidates(db, &w.head.ctx, w.f.site_a.id)
        .await
        .unwrap();
    let ids: Vec<i64> = c.iter().map(|u| u.id).collect();
    assert_eq!(ids[0], keeper.user.id, "the site's own people first");
    for p in [&keeper, &w.head, &w.officer] {
        assert!(ids.contains(&p.user.id), "{}", p.user.username);
    }
    for p in [&gone, &w.supervisor, &w.leader, &w.head_b] {
        assert!(!ids.contains(&p.user.id), "{}", p.user.username);
    }
    assert!(matches!(
        risk::responsible_candidates(db, &w.head.ctx, w.f.site_b.id).await,
        Err(DbError::NotFound)
    ));
    // A point on the unit itself: the site's people are not its people.
    let c = risk::responsible_candidates(db, &w.head.ctx, w.f.unit_a.id)
        .await
        .unwrap();
    assert!(!c.iter().any(|u| u.id == keeper.user.id));

    // Points: each candidate is taken, the name filled from the account.
    for p in [&keeper, &w.officer] {
        let mut pi = point_input(&w.f.site_a, "配电室", "equipment");
        pi.responsible_user_id = Some(p.user.id);
        pi.responsible_name = String::new();
        let made = risk::create_point(db, &w.head.ctx, &pi).await.unwrap();
        assert_eq!(made.responsible_user_id, Some(p.user.id));
        assert_eq!(made.responsible_name, p.user.name);
    }
    // Anyone else is refused naming the field, whatever the caller's own scope.
    for p in [&w.supervisor, &w.head_b, &gone] {
        let mut pi = point_input(&w.f.site_a, "配电室", "equipment");
        pi.responsible_user_id = Some(p.user.id);
        refused(
            risk::create_point(db, &w.supervisor.ctx, &pi).await,
            "responsible_user_id",
        );
    }
    let mut pi = point_input(&w.f.unit_a, "办公楼", "place");
    pi.responsible_user_id = Some(keeper.user.id);
    refused(
        risk::create_point(db, &w.head.ctx, &pi).await,
        "responsible_user_id",
    );
    let mut pi = point_input(&w.f.site_a, "配电室", "equipment");
    pi.responsible_user_id = Some(999_999);
    refused(
        risk::create_point(db, &w.head.ctx, &pi).await,
        "responsible_user_id",
    );

    // Measures: the same rule, from the measure's point.
    let p = point(&w.app, &w.head, &w.f.site_a, "熏蒸作业", "activity").await;
    let r = lec(&w.app, &w.head, p.id, "磷化氢中毒", "3", "6", "15").await;
    let m = |who: Option<i64>| MeasureInput {
        measure_type: "management".into(),
        content: "作业前检测浓度".into(),
        responsible_user_id: who,
        ..Default::default()
    };
    let ok = risk::create_measure(db, &w.head.ctx, r.id, &m(Some(keeper.user.id)))
        .await
        .unwrap();
    assert_eq!(ok.responsible_name, keeper.user.name);
    refused(
        risk::create_measure(db, &w.head.ctx, r.id, &m(Some(w.head_b.user.id))).await,
        "responsible_user_id",
    );
    refused(
        risk::update_measure(
            db,
            &w.head.ctx,
            ok.id,
            ok.row_version,
            &m(Some(w.leader.user.id)),
        )
        .await,
        "responsible_user_id",
    );
}

#[tokio::test]
async fn a_link_made_under_the_earlier_rule_is_kept_on_edit_but_not_when_the_point_moves() {
    let w = world().await;
    let db = &w.app.db;
    let p = point(&w.app, &w.head, &w.f.site_a, "熏蒸作业", "activity").await;
    // Data from before the rule: the bureau's supervisor linked as responsible.
    db.execute(
        &Q::new("UPDATE risk_point SET responsible_user_id = $1 WHERE id = $2")
            .bind(w.supervisor.user.id)
            .bind(p.id),
    )
    .await
    .unwrap();
    let mut pi = point_input(&w.f.site_a, "熏蒸作业（改）", "activity");
    pi.responsible_user_id = Some(w.supervisor.user.id);
    let edited = risk::update_point(db, &w.head.ctx, p.id, p.row_version, &pi)
        .await
        .unwrap();
    assert_eq!(edited.responsible_user_id, Some(w.supervisor.user.id));
    pi.org_id = Some(w.f.unit_a.id);
    refused(
        risk::update_point(db, &w.head.ctx, p.id, edited.row_version, &pi).await,
        "responsible_user_id",
    );
}

#[tokio::test]
async fn the_reassessment_todo_reaches_the_picked_person_not_the_one_who_saved() {
    let w = world().await;
    let db = &w.app.db;
    let keeper = person(&w.app, "rk_keeper_todo", Role::Inspector, &w.f.site_a).await;
    let mut pi = point_input(&w.f.site_a, "有限空间", "place");
    pi.responsible_user_id = Some(keeper.user.id);
    let p = risk::create_point(db, &w.head.ctx, &pi).await.unwrap();
    let mut first = lec_input(p.id, "缺氧窒息", "3", "6", "7");
    first.assessed_on = ds(-30);
    risk::create_risk(db, &w.head.ctx, &first).await.unwrap();
    for (n, d) in [("一", -20), ("二", -10), ("三", -1)] {
        let h = register(
            &w.app,
            &w.officer,
            w.f.site_a.id,
            &format!("隐患{n}"),
            d,
            10,
        )
        .await;
        risk::link_hazard(db, &w.officer.ctx, h.id, Some(p.id))
            .await
            .unwrap();
    }
    let todo = risk::todo(db, &keeper.ctx).await.unwrap();
    assert_eq!(
        todo.mine.iter().map(|p| p.id).collect::<Vec<_>>(),
        [p.id],
        "on the picked person's list"
    );
    assert!(risk::todo(db, &w.head.ctx).await.unwrap().mine.is_empty());
}
