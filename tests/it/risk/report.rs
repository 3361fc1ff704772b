//! Four colours, counts by unit, the notice card, statistics worked out by hand, and measures
//! turned into a checklist.

use chrono::Datelike;

use anjian_db::risk;
use anjian_db::{DbError, Q};
use anjian_domain::period::Period;
use anjian_domain::risk::RiskLevel;

use super::*;

#[tokio::test]
async fn four_colours_counts_card_and_statistics_match_the_setup() {
    let w = world().await;
    let db = &w.app.db;
    // Unit A: 平房仓 (一般 + 低 → 一般), 熏蒸作业 (重大), 空仓 (no risk).
    let flat = point(&w.app, &w.head, &w.f.site_a, "平房仓", "place").await;
    let r1 = lec(&w.app, &w.head, flat.id, "粮堆坍塌", "3", "6", "7").await; // 126 一般
    lec(&w.app, &w.head, flat.id, "机械伤害", "1", "6", "3").await; // 18 低
    let fum = point(&w.app, &w.head, &w.f.unit_a, "熏蒸作业", "activity").await;
    let major = direct(&w.app, &w.head, fum.id, "磷化氢中毒").await;
    measure(
        &w.app,
        &w.head,
        major.id,
        "protective",
        "佩戴正压式空气呼吸器",
    )
    .await;
    measure(
        &w.app,
        &w.head,
        major.id,
        "emergency",
        "发生中毒立即撤离并送医",
    )
    .await;
    measure(&w.app, &w.head, r1.id, "management", "进仓作业审批").await;
    let empty = point(&w.app, &w.head, &w.f.site_a, "空仓", "place").await;
    // Unit B: 配电室 (较大).
    let pb = point(&w.app, &w.head_b, &w.f.site_b, "配电室", "equipment").await;
    ls(&w.app, &w.head_b, pb.id, "触电", "3", "5").await; // 15 较大

    let site_plan = crate::hazard::attachment(&w.app, w.f.unit_a.id).await;
    risk::set_site_plan(db, &w.head.ctx, w.f.unit_a.id, Some(site_plan))
        .await
        .unwrap();
    risk::set_marker(db, &w.head.ctx, flat.id, flat.row_version, "250", "600")
        .await
        .unwrap();
    assert!(matches!(
        risk::set_marker(db, &w.head.ctx, flat.id, flat.row_version, "1", "1").await,
        Err(DbError::Conflict(_))
    ));

    let fc = risk::four_colour(db, &w.head.ctx, w.f.unit_a.id)
        .await
        .unwrap();
    assert_eq!(fc.site_plan_attachment_id, Some(site_plan));
    assert_eq!(fc.counts, [1, 0, 1, 0]);
    assert_eq!(fc.unassessed, 1);
    assert_eq!(
        fc.points
            .iter()
            .map(|p| (p.name.as_str(), p.css()))
            .collect::<Vec<_>>(),
        [
            ("熏蒸作业", "risk-red"),
            ("平房仓", "risk-yellow"),
            ("空仓", "risk-none")
        ]
    );
    assert_eq!(
        (fc.points[1].marker_x, fc.points[1].marker_y),
        (Some(250), Some(600))
    );
    let _ = empty;

    let units = risk::counts_by_unit(db, &w.leader.ctx).await.unwrap();
    let a = units.iter().find(|u| u.org_id == w.f.unit_a.id).unwrap();
    assert_eq!(
        (a.points, a.points_unassessed, a.risks),
        ([1, 0, 1, 0], 1, [1, 0, 1, 1])
    );
    let b = units.iter().find(|u| u.org_id == w.f.unit_b.id).unwrap();
    assert_eq!((b.points, b.risks), ([0, 1, 0, 0], [0, 1, 0, 0]));
    let only_a = risk::counts_by_unit(db, &w.head.ctx).await.unwrap();
    assert_eq!(only_a.len(), 1);

    let card = risk::notice_card(db, &w.officer.ctx, fum.id).await.unwrap();
    assert_eq!(
        (
            card.point_name.as_str(),
            card.level_label.as_str(),
            card.colour.as_str()
        ),
        ("熏蒸作业", "重大风险", "红")
    );
    assert_eq!(card.accident_types, ["中毒和窒息"]);
    assert_eq!(
        card.measures
            .iter()
            .map(|m| (m.type_label.as_str(), m.content.as_str()))
            .collect::<Vec<_>>(),
        [
            ("个体防护", "佩戴正压式空气呼吸器"),
            ("应急处置", "发生中毒立即撤离并送医")
        ]
    );
    assert_eq!(card.report_phone, "0591-12345678");
    assert!(card.emergency_measures.contains("撤离"));

    // Statistics this year: 4 first assessments, 1 re-assessment (below), nothing re-graded.
    let mut input = lec_input(flat.id, "粮堆坍塌", "3", "6", "15");
    input.version_reason = "复评".into();
    risk::update_risk(db, &w.head.ctx, r1.id, r1.row_version, &input)
        .await
        .unwrap(); // 270 较大
    let today = crate::hazard::day(0);
    let year = Period::custom(today.with_ordinal(1).unwrap(), today).unwrap();
    let s = risk::statistics(db, &w.leader.ctx, &year, None)
        .await
        .unwrap();
    assert_eq!(s.points_by_level, [1, 2, 0, 0]);
    assert_eq!(s.points_unassessed, 1);
    assert_eq!(s.risks_by_level, [1, 2, 0, 1]);
    assert_eq!(
        (s.first_assessments, s.reassessments, s.regraded),
        (4, 1, 0)
    );
    assert_eq!(
        s.major_risks.iter().map(|m| m.risk_id).collect::<Vec<_>>(),
        [major.id]
    );
    assert_eq!(s.major_by_tier[0], ("company".to_string(), 1));
    let sa = risk::statistics(db, &w.leader.ctx, &year, Some(w.f.unit_b.id))
        .await
        .unwrap();
    assert_eq!((sa.risks_by_level, sa.first_assessments), ([0, 1, 0, 0], 1));
    assert_eq!(sa.by_unit.len(), 1);
    let last_year = Period::custom(
        today
            .with_ordinal(1)
            .unwrap()
            .pred_opt()
            .unwrap()
            .with_ordinal(1)
            .unwrap(),
        today.with_ordinal(1).unwrap().pred_opt().unwrap(),
    )
    .unwrap();
    let s0 = risk::statistics(db, &w.leader.ctx, &last_year, None)
        .await
        .unwrap();
    assert_eq!((s0.first_assessments, s0.reassessments), (0, 0));
    assert!(matches!(
        risk::statistics(db, &w.head.ctx, &year, Some(w.f.unit_b.id)).await,
        Err(DbError::NotFound)
    ));
    let _ = RiskLevel::Major;
}

#[tokio::test]
async fn measures_become_a_checklist_with_the_interval_of_the_level() {
    let w = world().await;
    let db = &w.app.db;
    let p = point(&w.app, &w.head, &w.f.site_a, "熏蒸作业", "activity").await;
    assert!(matches!(
        risk::measures_to_checklist(db, &w.head.ctx, p.id).await,
        Err(DbError::Invalid(_))
    ));
    let r = direct(&w.app, &w.head, p.id, "磷化氢中毒").await;
    measure(&w.app, &w.head, r.id, "management", "熏蒸前审批").await;
    measure(&w.app, &w.head, r.id, "protective", "佩戴空气呼吸器").await;
    let made = risk::measures_to_checklist(db, &w.head.ctx, p.id)
        .await
        .unwrap();
    assert_eq!((made.items, made.check_days, made.replaced), (2, 7, false));
    let (org, name): (Option<i64>, String) = db
        .fetch_one(
            &Q::new("SELECT org_id, name FROM checklist WHERE id = $1").bind(made.checklist_id),
        )
        .await
        .unwrap();
    assert_eq!(org, Some(w.f.site_a.id));
    assert!(name.contains("熏蒸作业"));
    let items: Vec<(String, String, bool)> = db
        .fetch_all(&Q::new("SELECT content, basis, active FROM checklist_item WHERE checklist_id = $1 ORDER BY position").bind(made.checklist_id))
        .await
        .unwrap();
    assert_eq!(items[0].0, "熏蒸前审批");
    assert!(items[0].1.contains("每7天"));
    measure(&w.app, &w.head, r.id, "training", "熏蒸作业培训").await;
    let again = risk::measures_to_checklist(db, &w.head.ctx, p.id)
        .await
        .unwrap();
    assert_eq!(
        (again.checklist_id, again.items, again.replaced),
        (made.checklist_id, 3, true)
    );
    let (active,): (i64,) = db
        .fetch_one(
            &Q::new("SELECT COUNT(*) FROM checklist_item WHERE checklist_id = $1 AND active = $2")
                .bind(made.checklist_id)
                .bind(true),
        )
        .await
        .unwrap();
    assert_eq!(active, 3);
}
