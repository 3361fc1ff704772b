//! The ledgers' organisation filter (issue 5): a text field with suggestions instead of a
//! `<select>` of the whole tree, on the lists and the overview. A typed name is resolved (or
//! refused on the field with 422), links with `org_id` keep working, and nothing outside the
//! caller's scope is suggested.

use axum::body::Body;
use axum::http::{Request, StatusCode};

use anjian_testkit::suggestion_labels;

use super::search::train;
use super::*;

#[tokio::test]
async fn the_lists_filter_by_an_organisation_typed_or_picked_by_name() {
    let c = cast().await;
    let app = &c.app;
    let c_a = app.org_at("site", c.f.unit_a.id, "中心库").await;
    let c_b = app.org_at("site", c.f.unit_b.id, "中心库").await;
    let ea = train(
        &c,
        &c.officer,
        c_a,
        "2023-03-01",
        "甲中心库培训",
        "安全培训",
    )
    .await;
    let eb = train(
        &c,
        &c.officer_b,
        c_b,
        "2023-03-02",
        "乙中心库培训",
        "安全培训",
    )
    .await;
    let es = train(
        &c,
        &c.officer,
        c.f.site_a.id,
        "2023-03-03",
        "甲库点培训",
        "安全培训",
    )
    .await;
    let sup = app.login_as(&c.supervisor.user).await;
    let officer = app.login_as(&c.officer.user).await;
    let has = |html: &str, id: i64| html.contains(&format!("href=\"/ledgers/entries/{id}\""));

    // No <select> of the tree: the page lists the children of the current choice.
    let page = app.get("/ledgers/training", &sup).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(!html.contains("<select name=\"org_id\""));
    assert!(html.contains("data-org-suggest=\"/ledgers/org-options\""));
    assert!(html.contains("<option value=\"甲单位\">"), "units offered");
    assert!(
        !html.contains("<option value=\"甲库点\">"),
        "not every site of the tree"
    );
    let page = app
        .get("/ledgers/training?org=%E7%94%B2%E5%8D%95%E4%BD%8D", &sup)
        .await; // 甲单位
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(has(&html, ea) && has(&html, es) && !has(&html, eb));
    assert!(
        html.contains("value=\"甲单位\""),
        "the choice is shown by name"
    );
    assert!(
        html.contains("<option value=\"甲库点\">"),
        "its sites offered"
    );
    assert!(
        html.contains(&format!("org_id={}", c.f.unit_a.id)),
        "links carry the id"
    );

    // A name used twice: the label with the parent picks one, the bare name asks which.
    let page = app
        .get("/ledgers/training?org=%E4%B8%AD%E5%BF%83%E5%BA%93", &sup)
        .await; // 中心库
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = page.text();
    assert!(html.contains("有2个单位或库点名为“中心库”"), "{html}");
    assert!(
        html.contains("id=\"org-error\""),
        "the message is on the field"
    );
    assert!(
        !has(&html, ea) && !has(&html, eb),
        "no silent whole-scope list"
    );
    let page = app
        .get(
            "/ledgers/training?org=%E4%B8%AD%E5%BF%83%E5%BA%93%EF%BC%88%E4%B9%99%E5%8D%95%E4%BD%8D%EF%BC%89",
            &sup,
        )
        .await; // 中心库（乙单位）
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(has(&html, eb) && !has(&html, ea));
    assert!(html.contains("value=\"中心库（乙单位）\""));

    // Unit A's officer: the name is unique there, and unit B's site does not exist.
    let page = app
        .get(
            "/ledgers/training?org=%E4%B8%AD%E5%BF%83%E5%BA%93",
            &officer,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(has(&page.text(), ea));
    let page = app
        .get(
            "/ledgers/training?org=%E4%B9%99%E5%BA%93%E7%82%B9",
            &officer,
        )
        .await; // 乙库点
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("没有找到名为“乙库点”的单位或库点"));

    // A link with only org_id (dashboard, summary) shows the name; a blank field clears it; an
    // out-of-scope id lists nothing.
    let html = app
        .get(&format!("/ledgers/training?org_id={c_a}"), &sup)
        .await
        .text();
    assert!(html.contains("value=\"中心库（甲单位）\"") && has(&html, ea) && !has(&html, eb));
    let html = app
        .get(&format!("/ledgers/training?org_id={c_a}&org="), &sup)
        .await
        .text();
    assert!(has(&html, ea) && has(&html, eb) && has(&html, es));
    let page = app
        .get(&format!("/ledgers/training?org_id={c_b}"), &officer)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!has(&page.text(), eb));

    // The overview takes the same field.
    let page = app
        .get("/ledgers?period=2023&org=%E7%94%B2%E5%8D%95%E4%BD%8D", &sup)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("value=\"甲单位\""));
    let page = app.get("/ledgers?period=2023&org=%E4%B8%99", &sup).await; // 丙
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("没有找到名为“丙”的单位或库点"));
    let page = app
        .get(
            &format!("/ledgers?period=2023&org_id={}", c.f.unit_b.id),
            &sup,
        )
        .await;
    assert!(page.text().contains("value=\"乙单位\""));
}

#[tokio::test]
async fn organisation_suggestions_stay_in_scope() {
    let c = cast().await;
    let app = &c.app;
    app.org_at("site", c.f.unit_a.id, "中心库").await;
    app.org_at("site", c.f.unit_b.id, "中心库").await;
    let officer = app.login_as(&c.officer.user).await;
    let officer_b = app.login_as(&c.officer_b.user).await;
    let sup = app.login_as(&c.supervisor.user).await;
    let ask = |q: &str| format!("/ledgers/org-options?q={q}");

    let res = app.get(&ask("%E5%BA%93%E7%82%B9"), &officer_b).await; // 库点
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(
        suggestion_labels(&res.json()),
        ["乙库点"],
        "unit B sees only its own site"
    );
    let res = app.get(&ask("%E7%94%B2"), &officer_b).await; // 甲
    assert!(
        suggestion_labels(&res.json()).is_empty(),
        "nothing of unit A"
    );
    let res = app.get(&ask("%E4%B8%AD%E5%BF%83%E5%BA%93"), &officer).await; // 中心库
    assert_eq!(
        suggestion_labels(&res.json()),
        ["中心库"],
        "unique within unit A"
    );
    let res = app.get(&ask("%E4%B8%AD%E5%BF%83%E5%BA%93"), &sup).await;
    let mut got = suggestion_labels(&res.json());
    got.sort();
    assert_eq!(got, ["中心库（乙单位）", "中心库（甲单位）"]);
    let res = app.get(&ask("%25"), &sup).await;
    assert!(
        suggestion_labels(&res.json()).is_empty(),
        "wildcards are literal"
    );
    let res = app
        .send(
            Request::get("/ledgers/org-options?q=a")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_ne!(res.status, StatusCode::OK, "anonymous: refused");
}
