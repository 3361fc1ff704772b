//! The ledger lists at province scale (issue 5): the count stops at `COUNT_CAP` ("1000+", the
//! pager goes on by the rows found) while the funding total stays exact; the keyword goes through
//! the trigram index of migration 0015 and matches exactly what the plain LIKE matched (compared
//! on the same database, and with hand-written expectations that are the same on SQLite and
//! PostgreSQL). The organisation filter is in `org_filter`.

use axum::http::{Method, StatusCode};
use chrono::NaiveDate;

use anjian_db::hazard::SHORT_KEYWORD_WINDOW;
use anjian_db::ledger::{self, LedgerFilter, COUNT_CAP};
use anjian_db::{PageReq, Q};
use anjian_domain::ledger::LedgerKind;
use anjian_testkit::TestApp;

use crate::hazard::Person;

use super::export::generate_funding;
use super::*;

fn keyword(k: &str) -> LedgerFilter {
    LedgerFilter {
        keyword: Some(k.to_string()),
        ..Default::default()
    }
}

async fn ids(c: &Cast, who: &Person, kind: LedgerKind, k: &str) -> Vec<i64> {
    ledger::search(
        &c.app.db,
        &who.ctx,
        kind,
        &keyword(k),
        PageReq::new(Some(1), Some(200)),
    )
    .await
    .unwrap()
    .page
    .items
    .into_iter()
    .map(|e| e.id)
    .collect()
}

/// What the list matched before the index: LIKE over title, description, type and the
/// organisation's name, newest first.
async fn like_ids(app: &TestApp, kind: LedgerKind, k: &str) -> Vec<i64> {
    let p = anjian_db::like_pattern(k.trim());
    let rows: Vec<(i64,)> = app
        .db
        .fetch_all(
            &Q::new(
                "SELECT e.id FROM ledger_entry e JOIN org o ON o.id = e.org_id \
                 WHERE e.deleted_at IS NULL AND e.kind = $1 AND (e.title LIKE $2 ESCAPE '\\' \
                 OR e.description LIKE $3 ESCAPE '\\' OR e.category LIKE $4 ESCAPE '\\' \
                 OR o.name LIKE $5 ESCAPE '\\') ORDER BY e.entry_date DESC, e.id DESC",
            )
            .bind(kind.code())
            .bind(p.clone())
            .bind(p.clone())
            .bind(p.clone())
            .bind(p),
        )
        .await
        .unwrap();
    rows.into_iter().map(|(i,)| i).collect()
}

pub(super) async fn train(
    c: &Cast,
    who: &Person,
    org_id: i64,
    day: &str,
    title: &str,
    kind: &str,
) -> i64 {
    train_with(c, who, org_id, day, title, kind, "").await
}

async fn train_with(
    c: &Cast,
    who: &Person,
    org_id: i64,
    day: &str,
    title: &str,
    kind: &str,
    description: &str,
) -> i64 {
    let mut i = training(org_id, day, "2", Vec::new());
    i.title = title.into();
    i.category = kind.into();
    i.description = description.into();
    record(&c.app, &who.ctx, LedgerKind::Training, &i).await.id
}

#[tokio::test]
async fn keywords_match_exactly_what_like_matched() {
    let c = cast().await;
    let (a, u, o) = (&c.officer, c.f.site_a.id, c.f.unit_a.id);
    let t1 = train(&c, a, u, "2023-03-01", "消防器材实操培训", "消防培训").await;
    let t2 = train_with(
        &c,
        a,
        o,
        "2023-03-02",
        "新员工三级安全教育",
        "安全培训",
        "讲解消防通道管理",
    )
    .await;
    let t3 = train_with(
        &c,
        a,
        u,
        "2023-03-03",
        "有限空间作业培训",
        "技能培训",
        "电缆 100%_老化",
    )
    .await;
    let t4 = train(&c, a, u, "2023-03-04", "引用\"消防\"标语", "警示教育").await;
    let t5 = train(&c, a, u, "2023-03-05", "UPS cabinet 维护培训", "技能培训").await;
    let t6 = train(
        &c,
        &c.officer_b,
        c.f.unit_b.id,
        "2023-03-06",
        "熏蒸作业安全培训",
        "安全培训",
    )
    .await;
    let t = LedgerKind::Training;

    // Hand-written: the same on both databases. 甲库点 and 单位 are organisation names.
    let cases: Vec<(&str, Vec<i64>)> = vec![
        ("消防器材", vec![t1]),
        ("消防通道", vec![t2]),
        ("消防培训", vec![t1]),
        ("100%_", vec![t3]),
        ("%_老", vec![t3]),
        ("\"消防\"", vec![t4]),
        ("cabinet", vec![t5]),
        ("UPS", vec![t5]),
        ("甲库点", vec![t5, t4, t3, t1]),
        ("甲单位", vec![t2]),
        ("熏蒸作业", vec![t6]),
        (" 安全培训 ", vec![t6, t2]),
        ("NEAR", vec![]),
        ("*消防", vec![]),
        ("消防器材实操培训啊", vec![]),
        ("消防", vec![t4, t2, t1]),
        ("单位", vec![t6, t2]),
        ("培训", vec![t6, t5, t3, t2, t1]),
        ("%", vec![t3]),
    ];
    for (k, expected) in &cases {
        assert_eq!(
            &ids(&c, &c.supervisor, t, k).await,
            expected,
            "keyword {k:?}"
        );
        assert_eq!(
            ids(&c, &c.supervisor, t, k).await,
            like_ids(&c.app, t, k).await,
            "keyword {k:?} as LIKE matched it"
        );
    }
    // Case: whatever this database's LIKE does (SQLite folds ASCII case, PostgreSQL does not),
    // the indexed search does the same.
    for k in ["ups", "Cabinet", "CABINET", "ups cab"] {
        assert_eq!(
            ids(&c, &c.supervisor, t, k).await,
            like_ids(&c.app, t, k).await,
            "keyword {k:?}"
        );
    }
    // Scope still applies, to the entry text and to organisation names.
    assert_eq!(ids(&c, &c.officer_b, t, "安全培训").await, [t6]);
    assert!(ids(&c, &c.officer_b, t, "甲库点").await.is_empty());
    assert_eq!(ids(&c, &c.officer, t, "培训").await, [t5, t3, t2, t1]);
    // Another ledger's entries are not among the matches.
    assert!(ids(&c, &c.supervisor, LedgerKind::Publicity, "消防器材")
        .await
        .is_empty());

    // The index follows edits of the text and deletions.
    let e = ledger::get_row(&c.app.db, &a.ctx, t3).await.unwrap();
    let mut changed = e.to_input();
    changed.title = "受限空间作业培训".into();
    ledger::update(&c.app.db, &a.ctx, t3, e.row_version, &changed)
        .await
        .unwrap();
    assert!(ids(&c, &c.supervisor, t, "有限空间").await.is_empty());
    assert_eq!(ids(&c, &c.supervisor, t, "受限空间").await, [t3]);
    let e = ledger::get_row(&c.app.db, &a.ctx, t5).await.unwrap();
    ledger::delete(&c.app.db, &a.ctx, t5, e.row_version)
        .await
        .unwrap();
    assert!(ids(&c, &c.supervisor, t, "cabinet").await.is_empty());
    c.app
        .db
        .execute(&Q::new("DELETE FROM ledger_entry WHERE id = $1").bind(t4))
        .await
        .unwrap();
    assert!(ids(&c, &c.supervisor, t, "\"消防\"").await.is_empty());
    for (k, _) in &cases {
        assert_eq!(
            ids(&c, &c.supervisor, t, k).await,
            like_ids(&c.app, t, k).await,
            "keyword {k:?} after the edits"
        );
    }
}

/// SQLite: FTS5 trigram table kept by triggers; PostgreSQL: pg_trgm GIN indexes on the three
/// text columns.
#[tokio::test]
async fn the_ledger_keyword_index_exists_on_both_databases() {
    let c = cast().await;
    let id = train(
        &c,
        &c.officer,
        c.f.site_a.id,
        "2023-03-01",
        "消防器材实操培训",
        "消防培训",
    )
    .await;
    if c.app.is_postgres() {
        let (n,): (i64,) = c
            .app
            .db
            .fetch_one(&Q::new(
                "SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() \
                 AND tablename = 'ledger_entry' AND indexdef LIKE '%gin_trgm_ops%'",
            ))
            .await
            .unwrap();
        assert_eq!(n, 3, "title, description and category");
    } else {
        let (found,): (i64,) = c
            .app
            .db
            .fetch_one(&Q::new(
                "SELECT rowid FROM ledger_entry_fts WHERE ledger_entry_fts MATCH '\"器材实\"'",
            ))
            .await
            .unwrap();
        assert_eq!(found, id);
    }
}

/// `n` trainings of `org_id` on `day`, titled 日常培训1…n, in one statement (both databases).
async fn generate_trainings(app: &TestApp, org_id: i64, n: i64, day: &str) {
    let now = anjian_db::now();
    app.db
        .execute(
            &Q::new(
                "INSERT INTO ledger_entry (kind, org_id, entry_date, title, category, hours_tenths, \
                 participants, row_version, created_at, updated_at) \
                 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1) \
                 SELECT 'training', $2, $3, '日常培训' || CAST(i AS TEXT), '安全培训', 10, 5, 1, $4, $4 FROM n",
            )
            .bind(n)
            .bind(org_id)
            .bind(day.parse::<NaiveDate>().unwrap())
            .bind(now),
        )
        .await
        .expect("generated trainings");
}

#[tokio::test]
async fn short_keywords_search_the_newest_entries_only_on_sqlite() {
    let c = cast().await;
    let old = train(
        &c,
        &c.officer,
        c.f.site_a.id,
        "2023-01-05",
        "老鼠洞防治培训",
        "安全培训",
    )
    .await;
    generate_trainings(&c.app, c.f.site_b.id, SHORT_KEYWORD_WINDOW, "2023-06-01").await;
    let t = LedgerKind::Training;
    if c.app.is_postgres() {
        // PostgreSQL keeps the plain LIKE for short keywords (see `ledger::search`).
        assert_eq!(ids(&c, &c.supervisor, t, "老鼠").await, [old]);
    } else {
        assert!(
            ids(&c, &c.supervisor, t, "老鼠").await.is_empty(),
            "outside the window"
        );
    }
    assert_eq!(
        ids(&c, &c.supervisor, t, "老鼠洞").await,
        [old],
        "indexed: all"
    );
    assert_eq!(
        ids(&c, &c.officer, t, "老鼠").await,
        [old],
        "unit A's window holds it"
    );
    let who = c.app.login_as(&c.supervisor.user).await;
    let page = c
        .app
        .get("/ledgers/training?keyword=%E8%80%81%E9%BC%A0", &who)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.text()
            .contains("关键字少于 3 个字，只查找了 2023-06-01 以来的记录"),
        !c.app.is_postgres(),
        "{}",
        page.text()
    );
    // A date range older than the window searches that range.
    let page = c
        .app
        .get(
            "/ledgers/training?keyword=%E8%80%81%E9%BC%A0&to=2023-05-31",
            &who,
        )
        .await;
    assert!(page.text().contains(&format!("/ledgers/entries/{old}")));
}

#[tokio::test]
async fn counts_stop_at_the_cap_and_the_funding_total_stays_exact() {
    let c = cast().await;
    let n = COUNT_CAP + 5;
    generate_trainings(&c.app, c.f.site_a.id, n, "2023-04-01").await;
    generate_funding(&c.app, c.f.site_a.id, n).await;
    let all = LedgerFilter::default();
    let page = |p: i64| PageReq::new(Some(p), Some(20));
    for who in [&c.supervisor, &c.officer] {
        let found = ledger::search(&c.app.db, &who.ctx, LedgerKind::Training, &all, page(1))
            .await
            .unwrap();
        assert_eq!(
            (found.page.total, found.capped, found.more),
            (COUNT_CAP, true, true)
        );
        assert_eq!(found.page.items.len(), 20);
        // The pager goes on past the count, by the rows found.
        let p50 = ledger::search(&c.app.db, &who.ctx, LedgerKind::Training, &all, page(50))
            .await
            .unwrap();
        assert!(p50.more, "rows 1001–1005 are still to come");
        let p51 = ledger::search(&c.app.db, &who.ctx, LedgerKind::Training, &all, page(51))
            .await
            .unwrap();
        assert_eq!((p51.page.items.len(), p51.more), (5, false));
        // Money: every entry counted and summed, 1 + 2 + … + n 分.
        let f = ledger::search(&c.app.db, &who.ctx, LedgerKind::Funding, &all, page(1))
            .await
            .unwrap();
        assert_eq!((f.page.total, f.capped), (n, false));
        assert_eq!(f.amount_fen_total, n * (n + 1) / 2);
    }
    // Unit B sees none of it.
    let b = ledger::search(
        &c.app.db,
        &c.officer_b.ctx,
        LedgerKind::Funding,
        &all,
        page(1),
    )
    .await
    .unwrap();
    assert_eq!((b.page.total, b.amount_fen_total), (0, 0));

    let login = c.app.login_as(&c.supervisor.user).await;
    let html = c.app.get("/ledgers/training", &login).await.text();
    assert!(html.contains("共 1000+ 条，第 1 页"), "{html}");
    assert!(html.contains("符合条件的记录超过 1000 条"));
    assert!(html.contains("page=2\">下一页"));
    let html = c.app.get("/ledgers/training?page=51", &login).await.text();
    assert!(
        html.contains("上一页") && !html.contains("下一页"),
        "{html}"
    );
    let html = c.app.get("/ledgers/funding", &login).await.text();
    assert!(html.contains("共 1005 条，第 1 / 51 页"), "{html}");
    assert!(
        html.contains("<strong>0.51</strong> 万元（5055.15 元）"),
        "{html}"
    );
    assert!(!html.contains("符合条件的记录超过"));
    let token = c.app.token_for(&c.supervisor.user).await;
    let r = c
        .app
        .api(
            Method::GET,
            "/api/v1/ledgers/entries?kind=training",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.json()["total"], COUNT_CAP);
    let r = c
        .app
        .api(
            Method::GET,
            "/api/v1/ledgers/entries?kind=funding",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(
        (
            r.json()["total"].as_i64(),
            r.json()["amount_fen_total"].as_i64()
        ),
        (Some(n), Some(n * (n + 1) / 2))
    );
}
