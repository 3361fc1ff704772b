//! The ledger's keyword search through the trigram index (migration 0005) and the organisation
//! filter as a text field with suggestions. Keyword results are compared with the plain LIKE the
//! ledger used before the index, on the same database, and with hand-written expectations that
//! are the same for SQLite and PostgreSQL.

use axum::body::Body;
use axum::http::{Request, StatusCode};

use anjian_db::hazard::{self, HazardFilter, SHORT_KEYWORD_WINDOW, SUGGESTION_LIMIT};
use anjian_db::{PageReq, Q};
use anjian_testkit::suggestion_labels;

use super::*;

async fn ledger_ids(w: &World, who: &Person, keyword: &str) -> Vec<i64> {
    let f = HazardFilter {
        keyword: Some(keyword.to_string()),
        ..Default::default()
    };
    hazard::list(&w.app.db, &who.ctx, &f, PageReq::new(Some(1), Some(200)))
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|h| h.id)
        .collect()
}

/// What the ledger matched before the index: LIKE over the three columns, newest first.
async fn like_ids(app: &TestApp, keyword: &str) -> Vec<i64> {
    let p = anjian_db::like_pattern(keyword.trim());
    let rows: Vec<(i64,)> = app
        .db
        .fetch_all(
            &Q::new(
                "SELECT id FROM hazard WHERE deleted_at IS NULL AND (description LIKE $1 ESCAPE '\\' \
                 OR location LIKE $2 ESCAPE '\\' OR category LIKE $3 ESCAPE '\\') \
                 ORDER BY found_on DESC, id DESC",
            )
            .bind(p.clone())
            .bind(p.clone())
            .bind(p),
        )
        .await
        .unwrap();
    rows.into_iter().map(|(i,)| i).collect()
}

async fn make(
    w: &World,
    org_id: i64,
    description: &str,
    location: &str,
    category: &str,
    found: i64,
) -> i64 {
    let mut i = input(org_id, description, found, 10);
    i.location = location.into();
    i.category = category.into();
    hazard::create(&w.app.db, &w.officer.ctx, &i)
        .await
        .expect("register")
        .id
}

#[tokio::test]
async fn keywords_of_three_characters_or_more_match_exactly_what_like_matched() {
    let w = world().await;
    let (a, u) = (w.f.site_a.id, w.f.unit_a.id);
    let h1 = make(&w, a, "消防通道被杂物堵塞", "1号仓房", "消防安全", -9).await;
    let h2 = make(&w, u, "配电箱门未关闭", "消防泵房", "用电安全", -8).await;
    let h3 = make(&w, a, "熏蒸作业未设警戒线", "2号仓房", "熏蒸作业", -7).await;
    let h4 = make(&w, a, "电缆 100%_老化", "配电室", "其他", -6).await;
    let h5 = make(&w, a, "引用\"消防\"标语缺失", "办公楼", "安全管理", -5).await;
    let h6 = make(&w, a, "消防 通道标识不清", "院内", "消防安全", -4).await;
    let h7 = make(&w, a, "UPS cabinet 漏水", "机房", "其他", -3).await;

    // Hand-written: the same on both databases.
    let cases: Vec<(&str, Vec<i64>)> = vec![
        ("消防通道", vec![h1]),
        ("消防泵房", vec![h2]),
        ("熏蒸作业", vec![h3]),
        ("号仓房", vec![h3, h1]),
        ("100%_", vec![h4]),
        ("0%_老", vec![h4]),
        ("%_老", vec![h4]),
        ("\"消防\"", vec![h5]),
        ("消防 通道", vec![h6]),
        ("消防安全", vec![h6, h1]),
        (" 消防安全 ", vec![h6, h1]),
        ("cabinet", vec![h7]),
        ("UPS", vec![h7]),
        ("NEAR", vec![]),
        ("消防通道被杂物堵塞啊", vec![]),
        ("*防通", vec![]),
        ("防通道", vec![h1]),
    ];
    for (k, expected) in &cases {
        assert_eq!(
            &ledger_ids(&w, &w.supervisor, k).await,
            expected,
            "keyword {k:?}"
        );
        assert_eq!(
            ledger_ids(&w, &w.supervisor, k).await,
            like_ids(&w.app, k).await,
            "keyword {k:?} as LIKE matched it"
        );
    }
    // Case: whatever this database's LIKE does (SQLite folds ASCII case, PostgreSQL does not),
    // the indexed search does the same.
    for k in ["ups", "Cabinet", "CABINET", "ups cab"] {
        assert_eq!(
            ledger_ids(&w, &w.supervisor, k).await,
            like_ids(&w.app, k).await,
            "keyword {k:?}"
        );
    }
    // Scope still applies: unit B sees none of unit A's hazards.
    assert!(ledger_ids(&w, &w.officer_b, "消防通道").await.is_empty());

    // The index follows edits and deletions of the text.
    let h = row(&w.app, h3).await;
    let mut changed = input(a, "熏蒸作业无人监护", -7, 10);
    changed.location = "3号仓房".into();
    changed.category = "熏蒸作业".into();
    hazard::update(&w.app.db, &w.officer.ctx, h3, h.row_version, &changed)
        .await
        .unwrap();
    assert!(ledger_ids(&w, &w.supervisor, "未设警戒").await.is_empty());
    assert_eq!(ledger_ids(&w, &w.supervisor, "无人监护").await, [h3]);
    assert_eq!(ledger_ids(&w, &w.supervisor, "3号仓房").await, [h3]);
    assert_eq!(ledger_ids(&w, &w.supervisor, "号仓房").await, [h3, h1]);
    w.app
        .db
        .execute(&Q::new("DELETE FROM hazard_event WHERE hazard_id = $1").bind(h7))
        .await
        .unwrap();
    w.app
        .db
        .execute(&Q::new("DELETE FROM hazard WHERE id = $1").bind(h7))
        .await
        .unwrap();
    assert!(ledger_ids(&w, &w.supervisor, "cabinet").await.is_empty());
}

/// The index is there to serve the search (SQLite: FTS5 trigram table kept by triggers;
/// PostgreSQL: pg_trgm GIN indexes on the three columns).
#[tokio::test]
async fn the_keyword_index_exists_on_both_databases() {
    let w = world().await;
    let h = make(
        &w,
        w.f.site_a.id,
        "消防通道被杂物堵塞",
        "1号仓房",
        "消防安全",
        -1,
    )
    .await;
    if w.app.is_postgres() {
        let (n,): (i64,) = w
            .app
            .db
            .fetch_one(&Q::new(
                "SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'hazard' \
                 AND indexdef LIKE '%gin_trgm_ops%'",
            ))
            .await
            .unwrap();
        assert_eq!(n, 3, "description, location and category");
    } else {
        let (id,): (i64,) = w
            .app
            .db
            .fetch_one(&Q::new(
                "SELECT rowid FROM hazard_fts WHERE hazard_fts MATCH '\"杂物堵\"'",
            ))
            .await
            .unwrap();
        assert_eq!(id, h);
    }
}

/// On SQLite a keyword shorter than a trigram searches only the hazards found since the day of
/// the `SHORT_KEYWORD_WINDOW`-th newest that meet the other filters; a narrower filter (or the
/// export) still finds older ones. PostgreSQL searches everything.
#[tokio::test]
async fn short_keywords_search_the_newest_hazards_only() {
    let w = world().await;
    let app = &w.app;
    let old = make(&w, w.f.site_a.id, "老鼠洞未封堵", "1号仓房", "其他", -100).await;
    // The window's worth of newer hazards at site B, written in one statement.
    let now = anjian_db::now();
    app.db
        .execute(
            &Q::new(
                "INSERT INTO hazard (org_id, location, description, category, grade, found_on, status, \
                 deadline, original_deadline, created_at, updated_at) \
                 SELECT $1, '', '日常巡查记录', '', 'general', $2, 'pending', $3, $4, $5, $6 \
                 FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $7) \
                       SELECT i FROM n) x",
            )
            .bind(w.f.site_b.id)
            .bind(day(-1))
            .bind(day(10))
            .bind(day(10))
            .bind(now)
            .bind(now)
            .bind(SHORT_KEYWORD_WINDOW),
        )
        .await
        .unwrap();
    if app.is_postgres() {
        // PostgreSQL keeps the plain LIKE for short keywords (see `hazard::search`).
        assert_eq!(ledger_ids(&w, &w.supervisor, "老鼠").await, [old]);
    } else {
        assert!(
            ledger_ids(&w, &w.supervisor, "老鼠").await.is_empty(),
            "outside the window"
        );
    }
    assert_eq!(
        ledger_ids(&w, &w.supervisor, "老鼠洞").await,
        [old],
        "indexed: everything"
    );
    assert_eq!(
        ledger_ids(&w, &w.officer, "老鼠").await,
        [old],
        "unit A's window holds it"
    );
    let f = HazardFilter {
        keyword: Some("老鼠".into()),
        ..Default::default()
    };
    let all = hazard::all(&app.db, &w.supervisor.ctx, &f, 100)
        .await
        .unwrap();
    assert_eq!(
        all.iter().map(|h| h.id).collect::<Vec<_>>(),
        [old],
        "the export reads all"
    );

    // The page says the search was bounded.
    let who = app.login_as(&w.supervisor.user).await;
    let page = app.get("/hazards?keyword=%E8%80%81%E9%BC%A0", &who).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.text().contains("关键字少于 3 个字，只查找了"),
        !app.is_postgres(),
        "{}",
        page.text()
    );
    let page = app
        .get("/hazards?keyword=%E8%80%81%E9%BC%A0%E6%B4%9E", &who)
        .await;
    assert!(!page.text().contains("关键字少于 3 个字，只查找了"));
    assert!(page.text().contains(&format!("/hazards/{old}")));
}

#[tokio::test]
async fn organisation_suggestions_stay_in_scope_and_short() {
    let w = world().await;
    let app = &w.app;
    for i in 0..25 {
        app.org_at("site", w.f.unit_a.id, &format!("甲{i:02}号库点"))
            .await;
    }
    let c_a = app.org_at("site", w.f.unit_a.id, "中心库").await;
    let c_b = app.org_at("site", w.f.unit_b.id, "中心库").await;
    let officer = app.login_as(&w.officer.user).await;
    let officer_b = app.login_as(&w.officer_b.user).await;
    let sup = app.login_as(&w.supervisor.user).await;

    let res = app
        .get("/hazards/org-options?q=%E5%BA%93%E7%82%B9", &officer_b)
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(
        suggestion_labels(&res.json()),
        ["乙库点"],
        "unit B sees only its own site"
    );
    let res = app
        .get("/hazards/org-options?q=%E7%94%B2", &officer_b)
        .await;
    assert!(
        suggestion_labels(&res.json()).is_empty(),
        "nothing of unit A"
    );
    // Unit A: at most the limit; exact name first.
    let res = app
        .get("/hazards/org-options?q=%E5%BA%93%E7%82%B9", &officer)
        .await;
    let got = suggestion_labels(&res.json());
    assert_eq!(got.len() as i64, SUGGESTION_LIMIT);
    assert!(got.iter().all(|l| l.contains("库点")));
    let res = app
        .get(
            "/hazards/org-options?q=%E7%94%B2%E5%BA%93%E7%82%B9",
            &officer,
        )
        .await;
    assert_eq!(suggestion_labels(&res.json())[0], "甲库点");
    // A name that repeats in scope carries its parent; for unit A it is unique.
    let res = app
        .get("/hazards/org-options?q=%E4%B8%AD%E5%BF%83%E5%BA%93", &sup)
        .await;
    let mut got = suggestion_labels(&res.json());
    got.sort();
    assert_eq!(got, ["中心库（乙单位）", "中心库（甲单位）"]);
    let res = app
        .get(
            "/hazards/org-options?q=%E4%B8%AD%E5%BF%83%E5%BA%93",
            &officer,
        )
        .await;
    assert_eq!(suggestion_labels(&res.json()), ["中心库"]);
    // Wildcards are literal.
    let res = app.get("/hazards/org-options?q=%25", &sup).await;
    assert!(suggestion_labels(&res.json()).is_empty());
    // Anonymous: refused like every page.
    let res = app
        .send(
            Request::get("/hazards/org-options?q=a")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_ne!(res.status, StatusCode::OK);

    // The data layer answers the same for a unit user: never an organisation outside the scope.
    let all = hazard::org_suggestions(&app.db, &w.officer.ctx, "")
        .await
        .unwrap();
    assert!(!all.is_empty());
    assert!(all
        .iter()
        .all(|o| o.id != c_b && o.id != w.f.unit_b.id && o.id != w.f.bureau.id));
    assert!(hazard::org_choice(&app.db, &w.officer.ctx, c_b)
        .await
        .is_err());
    let _ = c_a;
}

#[tokio::test]
async fn the_ledger_filters_by_an_organisation_typed_or_picked_by_name() {
    let w = world().await;
    let app = &w.app;
    let c_a = app.org_at("site", w.f.unit_a.id, "中心库").await;
    let c_b = app.org_at("site", w.f.unit_b.id, "中心库").await;
    let ha = make(&w, c_a, "甲中心库配电箱", "", "", -3).await;
    let hb = register(app, &w.officer_b, c_b, "乙中心库配电箱", -2, 5)
        .await
        .id;
    let hs = make(&w, w.f.site_a.id, "甲库点配电箱", "", "", -1).await;
    let sup = app.login_as(&w.supervisor.user).await;
    let officer = app.login_as(&w.officer.user).await;
    let has = |html: &str, id: i64| html.contains(&format!("href=\"/hazards/{id}\""));

    // No JavaScript: the page lists the children of the current choice and takes a typed name.
    let page = app.get("/hazards", &sup).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("<option value=\"甲单位\">"), "units offered");
    assert!(
        !html.contains("<option value=\"甲库点\">"),
        "not every site of the tree"
    );
    let page = app
        .get("/hazards?org=%E7%94%B2%E5%8D%95%E4%BD%8D", &sup)
        .await; // 甲单位
    let html = page.text();
    assert_eq!(page.status, StatusCode::OK);
    assert!(has(&html, ha) && has(&html, hs) && !has(&html, hb));
    assert!(
        html.contains("value=\"甲单位\""),
        "the choice is shown by name"
    );
    assert!(
        html.contains("<option value=\"甲库点\">"),
        "its sites offered"
    );
    assert!(
        html.contains(&format!("org_id={}", w.f.unit_a.id)),
        "links carry the id"
    );

    // A name used twice: the label with the parent picks one, the bare name asks which.
    let page = app
        .get("/hazards?org=%E4%B8%AD%E5%BF%83%E5%BA%93", &sup)
        .await; // 中心库
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = page.text();
    assert!(html.contains("有2个单位或库点名为“中心库”"), "{html}");
    assert!(
        !has(&html, ha) && !has(&html, hb),
        "no silent whole-scope list"
    );
    // 中心库（乙单位）
    let page = app
        .get(
            "/hazards?org=%E4%B8%AD%E5%BF%83%E5%BA%93%EF%BC%88%E4%B9%99%E5%8D%95%E4%BD%8D%EF%BC%89",
            &sup,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(has(&html, hb) && !has(&html, ha));
    assert!(html.contains("value=\"中心库（乙单位）\""));

    // For unit A's officer the name is unique, and unit B's site does not exist.
    let page = app
        .get("/hazards?org=%E4%B8%AD%E5%BF%83%E5%BA%93", &officer)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(has(&page.text(), ha));
    let page = app
        .get("/hazards?org=%E4%B9%99%E5%BA%93%E7%82%B9", &officer)
        .await; // 乙库点
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("没有找到名为“乙库点”的单位或库点"));

    // A link with only org_id (statistics, notices) shows the name; a blank field clears it.
    let page = app.get(&format!("/hazards?org_id={c_a}"), &sup).await;
    let html = page.text();
    assert!(html.contains("value=\"中心库（甲单位）\"") && has(&html, ha) && !has(&html, hb));
    let page = app.get(&format!("/hazards?org_id={c_a}&org="), &sup).await;
    let html = page.text();
    assert!(has(&html, ha) && has(&html, hb) && has(&html, hs));
}
