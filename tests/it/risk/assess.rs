//! Points and risks with each method, versions kept, stale edits refused, scope and roles.

use anjian_db::risk::{self, MeasureInput, RiskFilter};
use anjian_db::{DbError, PageReq};
use anjian_domain::risk::RiskLevel;

use super::*;

#[tokio::test]
async fn risks_are_graded_by_lec_ls_and_direct_and_every_assessment_is_a_version() {
    let w = world().await;
    let p = point(&w.app, &w.head, &w.f.site_a, "平房仓", "place").await;
    assert_eq!(p.level_rank, None, "no risk yet: 未评估");
    assert_eq!(p.kind_label(), "场所/区域");

    // D = 3×6×7 = 126: 70 < D ≤ 160 → 一般, default tier 部门级.
    let a = lec(&w.app, &w.head, p.id, "粮堆埋人", "3", "6", "7").await;
    assert_eq!((a.score, a.level()), (12_600, RiskLevel::General));
    assert_eq!(a.control_tier, "department");
    assert_eq!(a.formula(), "D = 3×6×7 = 126");
    assert_eq!(a.factors, "21,12");
    assert_eq!(a.accident_types, "05,08");
    assert_eq!(a.accident_standard, "GB/T 6441-1986");
    assert_eq!(a.accident_type_names(), ["触电", "火灾"]);
    // R = 4×4 = 16 → 较大, default tier 公司级.
    let b = ls(&w.app, &w.head, p.id, "磷化氢中毒", "4", "4").await;
    assert_eq!((b.score, b.level()), (16, RiskLevel::Large));
    assert_eq!(b.control_tier, "company");
    assert_eq!(
        point_now(&w.app, p.id).await.level(),
        Some(RiskLevel::Large)
    );
    // Direct grading: 重大.
    let c = direct(&w.app, &w.head, p.id, "熏蒸未设警戒区").await;
    assert_eq!((c.score, c.level()), (0, RiskLevel::Major));
    let now = point_now(&w.app, p.id).await;
    assert_eq!((now.level(), now.risk_count), (Some(RiskLevel::Major), 3));

    let v = risk::versions(&w.app.db, &w.head.ctx, a.id).await.unwrap();
    assert_eq!(v.len(), 1);
    assert_eq!(
        (v[0].reason.as_str(), v[0].kind.as_str()),
        ("初次评估", "assessment")
    );
    assert_eq!(v[0].assessor_user_id, Some(w.head.user.id));

    // Re-assessment: C 7 → 15 makes D = 270 → 较大, a second version with its reason.
    let mut input = lec_input(p.id, "粮堆埋人", "3", "6", "15");
    input.version_reason = "增加了入仓作业频次".into();
    let a2 = risk::update_risk(&w.app.db, &w.head.ctx, a.id, a.row_version, &input)
        .await
        .unwrap();
    assert_eq!((a2.score, a2.level()), (27_000, RiskLevel::Large));
    let v = risk::versions(&w.app.db, &w.head.ctx, a.id).await.unwrap();
    assert_eq!(v.len(), 2);
    assert_eq!(v[0].reason, "增加了入仓作业频次");
    assert_eq!((v[0].level_rank, v[1].level_rank), (2, 3));
    assert_eq!(v[0].f_c, Some(150));
    // An edit that leaves the assessment alone writes no version.
    let mut input = lec_input(p.id, "粮堆埋人（进仓作业）", "3", "6", "15");
    input.control_tier = "公司级".into();
    let a3 = risk::update_risk(&w.app.db, &w.head.ctx, a.id, a2.row_version, &input)
        .await
        .unwrap();
    assert_eq!(a3.control_tier, "company");
    assert_eq!(
        risk::versions(&w.app.db, &w.head.ctx, a.id)
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        audits(&w.app, "risk", a.id).await,
        ["create", "reassess", "update"]
    );

    // Residual assessment after controls: R = 2×3 = 6 → 低.
    let mut input = lec_input(p.id, "粮堆埋人（进仓作业）", "3", "6", "15");
    input.residual_method = "ls".into();
    input.residual_l = "2".into();
    input.residual_s = "3".into();
    let a4 = risk::update_risk(&w.app.db, &w.head.ctx, a.id, a3.row_version, &input)
        .await
        .unwrap();
    assert_eq!(a4.residual_level(), Some(RiskLevel::Low));
    assert_eq!(a4.residual_score, Some(6));

    // Measures: tier defaults to the risk's.
    let m = risk::create_measure(
        &w.app.db,
        &w.officer.ctx,
        b.id,
        &MeasureInput {
            measure_type: "个体防护".into(),
            content: "佩戴正压式空气呼吸器".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        (m.measure_type.as_str(), m.tier.as_str()),
        ("protective", "company")
    );

    // Deactivating the major risk lowers the point to 较大.
    let c2 = risk::set_risk_active(&w.app.db, &w.head.ctx, c.id, c.row_version, false)
        .await
        .unwrap();
    assert!(!c2.active);
    let now = point_now(&w.app, p.id).await;
    assert_eq!((now.level(), now.risk_count), (Some(RiskLevel::Large), 2));
    let detail = risk::get_point(&w.app.db, &w.leader.ctx, p.id)
        .await
        .unwrap();
    assert_eq!(detail.risks.len(), 3);
    assert_eq!(detail.risks[1].measures.len(), 1, "the LS risk's measure");
}

#[tokio::test]
async fn bad_input_names_its_field_in_chinese() {
    let w = world().await;
    let p = point(&w.app, &w.head, &w.f.site_a, "配电室", "equipment").await;
    let mut input = lec_input(p.id, "", "4", "6", "7");
    input.factors = vec!["99".into()];
    input.accident_types = vec!["粉尘爆炸".into()];
    match risk::create_risk(&w.app.db, &w.head.ctx, &input).await {
        Err(DbError::Invalid(f)) => {
            assert_eq!(f.get("description"), Some("风险描述不能为空"));
            assert!(f.get("l").unwrap().contains("只能取"));
            assert!(f.get("factors").unwrap().contains("GB/T 13861"));
            assert!(f.get("accident_types").unwrap().contains("粉尘爆炸"));
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
    let mut pi = point_input(&w.f.bureau, "", "紫色");
    pi.marker_x = "1200".into();
    match risk::create_point(&w.app.db, &w.supervisor.ctx, &pi).await {
        Err(DbError::Invalid(f)) => {
            assert!(f.get("kind").unwrap().contains("风险点类型"));
            assert_eq!(f.get("name"), Some("风险点名称不能为空"));
            assert!(f.get("marker_y").is_some(), "x without y");
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
    match risk::create_point(
        &w.app.db,
        &w.supervisor.ctx,
        &point_input(&w.f.bureau, "局机关", "place"),
    )
    .await
    {
        Err(DbError::Invalid(f)) => assert_eq!(f.get("org_id"), Some("风险点须建在单位或库点上")),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[tokio::test]
async fn a_stale_edit_is_refused() {
    let w = world().await;
    let p = point(&w.app, &w.head, &w.f.site_a, "浅圆仓", "place").await;
    let fresh = risk::update_point(
        &w.app.db,
        &w.head.ctx,
        p.id,
        p.row_version,
        &point_input(&w.f.site_a, "1号浅圆仓", "place"),
    )
    .await
    .unwrap();
    assert_eq!(fresh.name, "1号浅圆仓");
    let stale = risk::update_point(
        &w.app.db,
        &w.officer.ctx,
        p.id,
        p.row_version,
        &point_input(&w.f.site_a, "2号浅圆仓", "place"),
    )
    .await;
    assert!(matches!(stale, Err(DbError::Conflict(m)) if m.contains("已被他人修改")));
    let r = lec(&w.app, &w.head, p.id, "高处坠落", "3", "6", "7").await;
    risk::update_risk(
        &w.app.db,
        &w.head.ctx,
        r.id,
        r.row_version,
        &lec_input(p.id, "高处坠落", "1", "6", "7"),
    )
    .await
    .unwrap();
    let stale = risk::update_risk(
        &w.app.db,
        &w.officer.ctx,
        r.id,
        r.row_version,
        &lec_input(p.id, "x", "1", "6", "7"),
    )
    .await;
    assert!(matches!(stale, Err(DbError::Conflict(_))));
    let m = measure(&w.app, &w.head, r.id, "engineering", "安装护栏").await;
    let mrow = risk::get_measure(&w.app.db, &w.head.ctx, m).await.unwrap();
    risk::set_measure_active(&w.app.db, &w.head.ctx, m, mrow.row_version, false)
        .await
        .unwrap();
    assert!(matches!(
        risk::set_measure_active(&w.app.db, &w.head.ctx, m, mrow.row_version, true).await,
        Err(DbError::Conflict(_))
    ));
    assert_eq!(point_now(&w.app, p.id).await.name, "1号浅圆仓");
}

#[tokio::test]
async fn unit_b_records_are_not_found_for_unit_a_and_the_leader_only_reads() {
    let w = world().await;
    let ids = foreign_ids(&w.app, &w.f).await;
    let (pb, rb, mb) = (ids[0].1, ids[1].1, ids[2].1);
    let a = &w.head.ctx;
    let db = &w.app.db;
    assert!(matches!(
        risk::get_point(db, a, pb).await,
        Err(DbError::NotFound)
    ));
    assert!(matches!(
        risk::get_risk(db, a, rb).await,
        Err(DbError::NotFound)
    ));
    assert!(matches!(
        risk::get_measure(db, a, mb).await,
        Err(DbError::NotFound)
    ));
    assert!(matches!(
        risk::notice_card(db, a, pb).await,
        Err(DbError::NotFound)
    ));
    assert!(matches!(
        risk::update_point(db, a, pb, 1, &point_input(&w.f.site_a, "x", "place")).await,
        Err(DbError::NotFound)
    ));
    assert!(matches!(
        risk::set_risk_active(db, a, rb, 1, false).await,
        Err(DbError::NotFound)
    ));
    assert!(matches!(
        risk::update_measure(
            db,
            a,
            mb,
            1,
            &MeasureInput {
                measure_type: "管理".into(),
                content: "x".into(),
                ..Default::default()
            }
        )
        .await,
        Err(DbError::NotFound)
    ));
    assert!(matches!(
        risk::create_risk(db, a, &lec_input(pb, "x", "3", "6", "7")).await,
        Err(DbError::NotFound)
    ));
    assert!(matches!(
        risk::four_colour(db, a, w.f.unit_b.id).await,
        Err(DbError::NotFound)
    ));
    // A point cannot be put on unit B's site either.
    assert!(matches!(
        risk::create_point(db, a, &point_input(&w.f.site_b, "x", "place")).await,
        Err(DbError::Invalid(_))
    ));
    // Unit A's register does not show unit B's risk; the bureau's does.
    let list = risk::list(db, a, &RiskFilter::default(), PageReq::new(None, None))
        .await
        .unwrap();
    assert_eq!(list.total, 0);
    let all = risk::list(
        db,
        &w.leader.ctx,
        &RiskFilter::default(),
        PageReq::new(None, None),
    )
    .await
    .unwrap();
    assert_eq!(all.items.iter().map(|r| r.id).collect::<Vec<_>>(), [rb]);

    // The leader reads everything and changes nothing.
    let l = &w.leader.ctx;
    assert!(risk::get_point(db, l, pb).await.is_ok());
    assert!(risk::notice_card(db, l, pb).await.is_ok());
    assert!(matches!(
        risk::create_point(db, l, &point_input(&w.f.site_a, "x", "place")).await,
        Err(DbError::Forbidden)
    ));
    assert!(matches!(
        risk::set_point_active(db, l, pb, 1, false).await,
        Err(DbError::Forbidden)
    ));
    assert!(matches!(
        risk::update_rules(db, l, &Default::default(), "x", 0).await,
        Err(DbError::Forbidden)
    ));
    assert!(
        matches!(
            risk::update_rules(db, a, &Default::default(), "x", 0).await,
            Err(DbError::Forbidden)
        ),
        "a unit head may not change the bureau's rules"
    );
    assert!(matches!(
        risk::measures_to_checklist(db, l, pb).await,
        Err(DbError::Forbidden)
    ));
}
