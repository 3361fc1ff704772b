//! The register's query shapes (by risk without the point joined unless a filter reads it, by
//! point in index order with the page's ids first) give the same answers: a deactivated point's
//! risks leave every view of the register, unassessed points come last on every page, and a
//! rule change rewrites the cached level of exactly the points whose level moves.

use anjian_db::risk::{self, RiskFilter};
use anjian_db::{Ctx, PageReq, Q};
use anjian_domain::risk::{GradingRules, PointKind, RiskLevel};

use super::*;

async fn risk_ids(db: &anjian_db::Db, ctx: &Ctx, f: RiskFilter) -> (i64, Vec<i64>) {
    let p = risk::list(db, ctx, &f, PageReq::new(None, None))
        .await
        .unwrap();
    (p.total, p.items.iter().map(|r| r.id).collect())
}

async fn point_ids(db: &anjian_db::Db, ctx: &Ctx, f: RiskFilter, page: PageReq) -> (i64, Vec<i64>) {
    let p = risk::list_points(db, ctx, &f, page).await.unwrap();
    (p.total, p.items.iter().map(|p| p.id).collect())
}

#[tokio::test]
async fn deactivated_points_leave_every_view_of_the_register_and_unassessed_points_come_last() {
    let w = world().await;
    let db = &w.app.db;
    let fum = point(&w.app, &w.head, &w.f.site_a, "熏蒸作业", "activity").await;
    let a1 = lec(&w.app, &w.head, fum.id, "散气不彻底", "3", "6", "7").await; // 126 一般
    let a2 = direct(&w.app, &w.head, fum.id, "磷化氢中毒").await; // 重大
    let room = point(&w.app, &w.head, &w.f.site_a, "配电室", "equipment").await;
    let b1 = ls(&w.app, &w.head, room.id, "触电", "3", "5").await; // 15 较大
    let b2 = lec(&w.app, &w.head, room.id, "电缆起火", "1", "6", "3").await; // 18 低
    let empty = point(&w.app, &w.head, &w.f.site_a, "空仓", "place").await;
    let room_now = point_now(&w.app, room.id).await;
    risk::set_point_active(db, &w.head.ctx, room.id, room_now.row_version, false)
        .await
        .unwrap();

    let f = RiskFilter::default;
    // The bureau's leader (whole tree) and unit A's head (its organisations) read the same.
    for ctx in [&w.leader.ctx, &w.head.ctx] {
        assert_eq!(risk_ids(db, ctx, f()).await, (2, vec![a2.id, a1.id]));
        let level = |l| RiskFilter {
            level: Some(l),
            ..f()
        };
        assert_eq!(
            risk_ids(db, ctx, level(RiskLevel::Large)).await,
            (0, vec![])
        );
        assert_eq!(
            risk_ids(db, ctx, level(RiskLevel::Major)).await,
            (1, vec![a2.id])
        );
        let kind = |k| RiskFilter {
            kind: Some(k),
            ..f()
        };
        assert_eq!(
            risk_ids(db, ctx, kind(PointKind::Equipment)).await,
            (0, vec![])
        );
        assert_eq!(
            risk_ids(db, ctx, kind(PointKind::Activity)).await,
            (2, vec![a2.id, a1.id])
        );
        let keyword = |k: &str| RiskFilter {
            keyword: Some(k.into()),
            ..f()
        };
        assert_eq!(risk_ids(db, ctx, keyword("配电")).await, (0, vec![]));
        assert_eq!(risk_ids(db, ctx, keyword("熏蒸")).await.0, 2);
        let of_room = RiskFilter {
            risk_point_id: Some(room.id),
            ..f()
        };
        assert_eq!(risk_ids(db, ctx, of_room).await, (0, vec![]));
        let everything = RiskFilter {
            include_inactive: true,
            ..f()
        };
        assert_eq!(risk_ids(db, ctx, everything).await.0, 4);

        // Points: assessed by level, the unassessed one last, on one page or one per page.
        assert_eq!(
            point_ids(db, ctx, f(), PageReq::new(None, None)).await,
            (2, vec![fum.id, empty.id])
        );
        assert_eq!(
            point_ids(db, ctx, f(), PageReq::new(Some(2), Some(1))).await,
            (2, vec![empty.id])
        );
        assert_eq!(
            point_ids(db, ctx, level(RiskLevel::Major), PageReq::new(None, None)).await,
            (1, vec![fum.id])
        );
        assert_eq!(
            point_ids(db, ctx, level(RiskLevel::Low), PageReq::new(None, None)).await,
            (0, vec![])
        );
    }

    // Back in the register with the point.
    let room_now = point_now(&w.app, room.id).await;
    risk::set_point_active(db, &w.head.ctx, room.id, room_now.row_version, true)
        .await
        .unwrap();
    assert_eq!(
        risk_ids(db, &w.leader.ctx, f()).await,
        (4, vec![a2.id, b1.id, a1.id, b2.id])
    );
    assert_eq!(
        point_ids(db, &w.leader.ctx, f(), PageReq::new(None, None)).await,
        (3, vec![fum.id, room.id, empty.id])
    );
    assert_eq!(
        point_ids(db, &w.head.ctx, f(), PageReq::new(Some(2), Some(2))).await,
        (3, vec![empty.id])
    );
}

#[tokio::test]
async fn a_rule_change_sets_each_points_level_from_its_active_risks_only() {
    let w = world().await;
    let db = &w.app.db;
    // Moves to 较大 under the stricter rules; its inactive 270 would be 重大 but does not count.
    let p = point(&w.app, &w.head, &w.f.site_a, "平房仓", "place").await;
    let r126 = lec(&w.app, &w.head, p.id, "粮堆坍塌", "3", "6", "7").await; // 一般
    let r270 = lec(&w.app, &w.head, p.id, "仓内起火", "3", "6", "15").await; // 较大
    risk::set_risk_active(db, &w.head.ctx, r270.id, r270.row_version, false)
        .await
        .unwrap();
    // Keeps 重大 although its 126 moves.
    let q = point(&w.app, &w.head, &w.f.site_a, "熏蒸作业", "activity").await;
    direct(&w.app, &w.head, q.id, "磷化氢中毒").await;
    lec(&w.app, &w.head, q.id, "散气不彻底", "3", "6", "7").await;
    // Only an inactive risk: no level before or after.
    let s = point(&w.app, &w.head_b, &w.f.site_b, "输送机", "equipment").await;
    let lone = lec(&w.app, &w.head_b, s.id, "卷入", "3", "6", "15").await;
    risk::set_risk_active(db, &w.head_b.ctx, lone.id, lone.row_version, false)
        .await
        .unwrap();
    assert_eq!(
        point_now(&w.app, p.id).await.level(),
        Some(RiskLevel::General)
    );
    assert_eq!(point_now(&w.app, s.id).await.level(), None);

    let rules = GradingRules {
        lec_levels: [
            RiskLevel::Major,
            RiskLevel::Major,
            RiskLevel::Large,
            RiskLevel::General,
            RiskLevel::Low,
        ],
        ..Default::default()
    };
    let report = risk::update_rules(db, &w.supervisor.ctx, &rules, "从严管控", 0)
        .await
        .unwrap();
    assert_eq!(
        report.changed_to,
        [2, 2, 0, 0],
        "126 ×2 → 较大, 270 ×2 → 重大"
    );
    let sys = Ctx::system("test");
    assert_eq!(
        risk::get_risk(db, &sys, r126.id)
            .await
            .unwrap()
            .risk
            .level(),
        RiskLevel::Large
    );
    assert_eq!(
        point_now(&w.app, p.id).await.level(),
        Some(RiskLevel::Large)
    );
    assert_eq!(
        point_now(&w.app, q.id).await.level(),
        Some(RiskLevel::Major)
    );
    assert_eq!(point_now(&w.app, s.id).await.level(), None);

    // Back to the defaults: every cached level equals its active risks' highest again.
    risk::update_rules(db, &w.supervisor.ctx, &GradingRules::default(), "恢复", 1)
        .await
        .unwrap();
    assert_eq!(
        point_now(&w.app, p.id).await.level(),
        Some(RiskLevel::General)
    );
    let (stale,): (i64,) = db
        .fetch_one(&Q::new(
            "SELECT COUNT(*) FROM risk_point p WHERE COALESCE(p.level_rank, 0) <> COALESCE((SELECT \
             MIN(r.level_rank) FROM risk r WHERE r.risk_point_id = p.id AND r.active = TRUE), 0)",
        ))
        .await
        .unwrap();
    assert_eq!(stale, 0);
}

/// Copies risk `id` `n` times (same point, organisation and assessment).
async fn copies(db: &anjian_db::Db, id: i64, n: i64) {
    let cols = "risk_point_id, org_id, description, factors, accident_standard, accident_types, \
                consequence, method, f_l, f_e, f_c, f_s, direct_reason, score, level_rank, \
                control_tier, assessed_on, assessor_user_id, assessor_name, active, row_version, \
                created_at, updated_at";
    db.execute(
        &Q::new(&format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1) \
             INSERT INTO risk ({cols}) SELECT {cols} FROM risk CROSS JOIN n WHERE id = $2"
        ))
        .bind(n)
        .bind(id),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn counting_stops_at_the_cap_of_the_filter_and_the_page_says_so() {
    let w = world().await;
    let db = &w.app.db;
    let fum = point(&w.app, &w.head, &w.f.site_a, "熏蒸作业", "activity").await;
    let r = lec(&w.app, &w.head, fum.id, "散气不彻底", "3", "6", "7").await;
    copies(db, r.id, risk::KEYWORD_COUNT_CAP + 4).await;
    let all = risk::KEYWORD_COUNT_CAP + 5;
    let ctx = &w.leader.ctx;
    let f = RiskFilter::default();
    assert_eq!(risk::count_cap(&f), risk::COUNT_CAP);
    assert_eq!(
        risk_ids(db, ctx, f).await.0,
        all,
        "counted exactly below 10,000"
    );
    let keyword = RiskFilter {
        keyword: Some(" 熏蒸 ".into()),
        ..Default::default()
    };
    assert_eq!(risk::count_cap(&keyword), risk::KEYWORD_COUNT_CAP);
    assert_eq!(risk_ids(db, ctx, keyword).await.0, risk::KEYWORD_COUNT_CAP);

    // The page: exact without a keyword; "1000+", a hint and a next page with one.
    let login = w.app.login_as(&w.leader.user).await;
    let page = w.app.get("/risks", &login).await;
    assert!(
        page.text().contains(&format!("共 {all} 条")),
        "{}",
        page.text()
    );
    assert!(!page.text().contains("请缩小查询范围"));
    let page = w
        .app
        .get("/risks?keyword=%E7%86%8F%E8%92%B8&page=3", &login)
        .await;
    let text = page.text();
    assert!(text.contains("共 1000+ 条，第 3 页"), "{text}");
    assert!(text.contains("符合条件的风险超过 1000 个，请缩小查询范围。"));
    assert!(text.contains("page=4"), "a next page while under the cap");
}
