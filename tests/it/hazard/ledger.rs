//! The ledger's filters, paging and scope, the home page's to-do counts per role, and the data of
//! the rectification notice — each expectation worked out by hand from the hazards set up here.

use anjian_db::hazard::{self, HazardFilter, TodoKind};
use anjian_db::{DbError, PageReq, Q};
use anjian_domain::hazard::{HazardGrade, HazardStatus};

use super::*;

struct Set {
    h1: i64,
    h2: i64,
    h3: i64,
    h4: i64,
    h5: i64,
    hb: i64,
}

/// h1 site A 配电箱漏电 found -20 deadline -1 (overdue); h2 unit A 消防通道堵塞 found -10
/// deadline +2 (due soon); h3 site A major found -5 deadline +10; h4 site A 灭火器 found -3
/// deadline +3, 整改中 (due soon); h5 site A "电缆老化 100%_test" found -2, closed; hb site B
/// 配电柜 found -1 deadline 0 (due soon).
async fn set(w: &World) -> Set {
    let (app, a) = (&w.app, w.f.site_a.id);
    let mut i = input(a, "配电箱漏电", -20, -1);
    i.category = "用电安全".into();
    let h1 = hazard::create(&app.db, &w.officer.ctx, &i)
        .await
        .unwrap()
        .id;
    let mut i = input(w.f.unit_a.id, "消防通道堵塞", -10, 2);
    i.category = "消防安全".into();
    let h2 = hazard::create(&app.db, &w.officer.ctx, &i)
        .await
        .unwrap()
        .id;
    let mut i = input(a, "熏蒸作业未设警戒", -5, 10);
    i.category = "熏蒸作业".into();
    i.grade = "major".into();
    i.major_criterion = "第五条".into();
    let h3 = hazard::create(&app.db, &w.officer.ctx, &i)
        .await
        .unwrap()
        .id;
    let mut i = input(a, "灭火器压力不足", -3, 3);
    i.category = "消防安全".into();
    let h = hazard::create(&app.db, &w.officer.ctx, &i).await.unwrap();
    let h = hazard::assign(
        &app.db,
        &w.officer.ctx,
        h.id,
        &hazard::AssignInput {
            row_version: h.row_version,
            owner: "保管员".into(),
            measures: "充装".into(),
            funds: "50".into(),
        },
    )
    .await
    .unwrap();
    let h4 = h.id;
    let mut i = input(a, "电缆老化 100%_test", -2, 4);
    i.category = "其他".into();
    let h = hazard::create(&app.db, &w.officer.ctx, &i).await.unwrap();
    let h = hazard::assign(
        &app.db,
        &w.officer.ctx,
        h.id,
        &hazard::AssignInput {
            row_version: h.row_version,
            owner: "电工".into(),
            measures: "更换".into(),
            funds: "0".into(),
        },
    )
    .await
    .unwrap();
    let photo = attachment(app, a).await;
    let h = hazard::submit_rectification(
        &app.db,
        &w.officer.ctx,
        h.id,
        &hazard::SubmitInput {
            row_version: h.row_version,
            rectified_on: ds(-1),
            after_attachment_ids: vec![photo],
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let h5 = hazard::verify(
        &app.db,
        &w.inspector.ctx,
        h.id,
        &hazard::VerifyInput {
            row_version: h.row_version,
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .id;
    let mut i = input(w.f.site_b.id, "配电柜未上锁", -1, 0);
    i.category = "用电安全".into();
    let hb = hazard::create(&app.db, &w.officer_b.ctx, &i)
        .await
        .unwrap()
        .id;
    Set {
        h1,
        h2,
        h3,
        h4,
        h5,
        hb,
    }
}

async fn ids(w: &World, who: &Person, f: HazardFilter) -> Vec<i64> {
    hazard::list(&w.app.db, &who.ctx, &f, PageReq::new(None, Some(200)))
        .await
        .unwrap()
        .items
        .iter()
        .map(|h| h.id)
        .collect()
}

#[tokio::test]
async fn every_filter_with_hand_computed_results() {
    let w = world().await;
    let s = set(&w).await;
    let (o, sup) = (&w.officer, &w.supervisor);
    let all = HazardFilter::default;
    assert_eq!(
        ids(&w, o, all()).await,
        [s.h5, s.h4, s.h3, s.h2, s.h1],
        "scope, newest found first"
    );
    assert_eq!(
        ids(&w, sup, all()).await,
        [s.hb, s.h5, s.h4, s.h3, s.h2, s.h1]
    );
    assert_eq!(ids(&w, &w.officer_b, all()).await, [s.hb]);

    let f = |g: fn(&mut HazardFilter)| {
        let mut x = HazardFilter::default();
        g(&mut x);
        x
    };
    let site_a = w.f.site_a.id;
    let unit_a = w.f.unit_a.id;
    let mut x = all();
    x.org_id = Some(site_a);
    assert_eq!(
        ids(&w, sup, x).await,
        [s.h5, s.h4, s.h3, s.h1],
        "the site only"
    );
    let mut x = all();
    x.org_id = Some(unit_a);
    assert_eq!(
        ids(&w, sup, x).await,
        [s.h5, s.h4, s.h3, s.h2, s.h1],
        "the unit and its site"
    );
    // Unit B's subtree asked for by unit A: the scope still applies.
    let mut x = all();
    x.org_id = Some(w.f.unit_b.id);
    assert_eq!(ids(&w, o, x).await, Vec::<i64>::new());

    assert_eq!(
        ids(&w, o, f(|x| x.status = Some(HazardStatus::Pending))).await,
        [s.h3, s.h2, s.h1]
    );
    assert_eq!(
        ids(&w, o, f(|x| x.status = Some(HazardStatus::Closed))).await,
        [s.h5]
    );
    assert_eq!(
        ids(&w, o, f(|x| x.open = true)).await,
        [s.h4, s.h3, s.h2, s.h1]
    );
    // The count of open hazards is a statement of its own (the status index); a short page
    // shows it agrees with the rows.
    let p = hazard::list(
        &w.app.db,
        &o.ctx,
        &f(|x| x.open = true),
        PageReq::new(Some(1), Some(2)),
    )
    .await
    .unwrap();
    assert_eq!(p.total, 4, "open hazards counted");
    assert_eq!(
        p.items.iter().map(|h| h.id).collect::<Vec<_>>(),
        [s.h4, s.h3]
    );
    assert_eq!(
        ids(&w, o, f(|x| x.grade = Some(HazardGrade::Major))).await,
        [s.h3]
    );
    assert_eq!(ids(&w, sup, f(|x| x.overdue = true)).await, [s.h1]);
    assert_eq!(ids(&w, o, f(|x| x.due_soon = true)).await, [s.h4, s.h2]);
    assert_eq!(
        ids(&w, sup, f(|x| x.due_soon = true)).await,
        [s.hb, s.h4, s.h2]
    );
    let mut x = all();
    x.found_from = Some(day(-5));
    x.found_to = Some(day(-3));
    assert_eq!(ids(&w, o, x).await, [s.h4, s.h3]);

    let kw = |k: &str| HazardFilter {
        keyword: Some(k.to_string()),
        ..Default::default()
    };
    assert_eq!(ids(&w, o, kw("配电")).await, [s.h1]);
    assert_eq!(ids(&w, sup, kw("配电")).await, [s.hb, s.h1]);
    assert_eq!(
        ids(&w, o, kw("消防")).await,
        [s.h4, s.h2],
        "description or category"
    );
    assert_eq!(ids(&w, o, kw("1号仓房")).await.len(), 5, "location");
    assert_eq!(ids(&w, o, kw("%")).await, [s.h5], "wildcards are literal");
    assert_eq!(ids(&w, o, kw("_")).await, [s.h5]);
    assert_eq!(ids(&w, o, kw("  ")).await.len(), 5, "blank is no filter");

    let mut x = all();
    x.ids = vec![s.h1, s.h3, s.hb];
    assert_eq!(
        ids(&w, o, x).await,
        [s.h3, s.h1],
        "unit B's id is out of scope"
    );

    // Campaign and inspection links, set directly: their modules own how they are made.
    let now = anjian_db::now();
    let (c,): (i64,) = w
        .app
        .db
        .fetch_one(
            &Q::new(
                "INSERT INTO campaign (org_id, kind, name, start_date, end_date, created_at, updated_at) \
                 VALUES ($1, 'campaign', '冬春火灾防控', $2, $3, $4, $4) RETURNING id",
            )
            .bind(w.f.bureau.id)
            .bind(day(-30))
            .bind(day(30))
            .bind(now),
        )
        .await
        .unwrap();
    let (insp,): (i64,) = w
        .app
        .db
        .fetch_one(
            &Q::new(
                "INSERT INTO inspection (org_id, kind, inspected_on, inspectors, created_at, updated_at) \
                 VALUES ($1, 'self_check', $2, '张三', $3, $3) RETURNING id",
            )
            .bind(w.f.site_a.id)
            .bind(day(-5))
            .bind(now),
        )
        .await
        .unwrap();
    for (col, v, id) in [
        ("campaign_id", c, s.h2),
        ("campaign_id", c, s.h4),
        ("inspection_id", insp, s.h3),
    ] {
        w.app
            .db
            .execute(
                &Q::new(&format!("UPDATE hazard SET {col} = $1 WHERE id = $2"))
                    .bind(v)
                    .bind(id),
            )
            .await
            .unwrap();
    }
    let mut x = all();
    x.campaign_id = Some(c);
    assert_eq!(ids(&w, o, x).await, [s.h4, s.h2]);
    let mut x = all();
    x.inspection_id = Some(insp);
    assert_eq!(ids(&w, o, x).await, [s.h3]);

    // Combined filters and paging.
    let mut x = all();
    x.open = true;
    x.keyword = Some("消防".into());
    x.due_soon = true;
    assert_eq!(ids(&w, o, x).await, [s.h4, s.h2]);
    let p = hazard::list(&w.app.db, &o.ctx, &all(), PageReq::new(Some(2), Some(2)))
        .await
        .unwrap();
    assert_eq!(p.total, 5);
    assert_eq!(
        p.items.iter().map(|h| h.id).collect::<Vec<_>>(),
        [s.h3, s.h2]
    );
}

#[tokio::test]
async fn todo_counts_follow_scope_and_role() {
    let w = world().await;
    let s = set(&w).await;
    // h6: 待验收, rectified by the officer.
    let h6 = awaiting(&w, &w.officer).await;
    // Extension requests: h2 by the officer, h4 by the head.
    for (id, who) in [(s.h2, &w.officer), (s.h4, &w.head)] {
        let h = row(&w.app, id).await;
        hazard::request_extension(
            &w.app.db,
            &who.ctx,
            id,
            &hazard::ExtensionInput {
                row_version: h.row_version,
                new_deadline: ds(15),
                reason: "材料未到".into(),
            },
        )
        .await
        .unwrap();
    }
    let t = |p: &Person| {
        let (app, ctx) = (&w.app, p.ctx.clone());
        async move { hazard::todo(&app.db, &ctx).await.unwrap() }
    };
    let todo = |to_rectify, to_verify, overdue, due_soon, extensions_to_decide| hazard::Todo {
        to_rectify,
        to_verify,
        overdue,
        due_soon,
        extensions_to_decide,
    };
    // Unit A awaiting rectification: h1, h2, h3, h4. Overdue: h1. Due soon: h2, h4.
    assert_eq!(t(&w.officer).await, todo(4, 0, 1, 2, 0));
    // The head verifies h6 (the officer's work) and decides h2 (not his own h4 request).
    assert_eq!(t(&w.head).await, todo(4, 1, 1, 2, 1));
    assert_eq!(t(&w.inspector).await, todo(0, 1, 1, 2, 0));
    // The bureau: no rectification right; hb (deadline today) is due soon too; both requests.
    assert_eq!(t(&w.supervisor).await, todo(0, 1, 1, 3, 2));
    assert_eq!(t(&w.officer_b).await, todo(1, 0, 0, 1, 0));
    // The to-do lists behind the counts.
    let list = |k: TodoKind| HazardFilter {
        todo: Some(k),
        ..Default::default()
    };
    assert_eq!(ids(&w, &w.head, list(TodoKind::Verify)).await, [h6.id]);
    assert_eq!(
        ids(&w, &w.officer, list(TodoKind::Verify)).await,
        Vec::<i64>::new(),
        "own work"
    );
    assert_eq!(ids(&w, &w.head, list(TodoKind::Extension)).await, [s.h2]);
    assert_eq!(
        ids(&w, &w.supervisor, list(TodoKind::Extension)).await,
        [s.h4, s.h2]
    );
    assert_eq!(
        ids(&w, &w.officer, list(TodoKind::Rectify)).await,
        [s.h4, s.h3, s.h2, s.h1]
    );
    let _ = s.h5;
}

#[tokio::test]
async fn the_notice_lists_the_units_open_hazards_by_deadline() {
    let w = world().await;
    let s = set(&w).await;
    let n = hazard::notice(&w.app.db, &w.head.ctx, w.f.unit_a.id)
        .await
        .unwrap();
    assert_eq!(n.org_name, "甲单位");
    let got: Vec<(usize, i64, bool)> = n
        .items
        .iter()
        .map(|i| (i.seq, i.hazard_id, i.overdue))
        .collect();
    assert_eq!(
        got,
        [
            (1, s.h1, true),
            (2, s.h2, false),
            (3, s.h4, false),
            (4, s.h3, false)
        ]
    );
    assert_eq!(n.overdue_count, 1);
    assert_eq!(n.earliest_deadline, Some(day(-1)));
    assert_eq!(n.issuer_name, "甲单位");
    let e = hazard::notice(&w.app.db, &w.head.ctx, w.f.unit_b.id)
        .await
        .unwrap_err();
    assert!(matches!(e, DbError::NotFound));
    let n = hazard::notice(&w.app.db, &w.supervisor.ctx, w.f.unit_b.id)
        .await
        .unwrap();
    assert_eq!(
        n.items.iter().map(|i| i.hazard_id).collect::<Vec<_>>(),
        [s.hb]
    );
}
