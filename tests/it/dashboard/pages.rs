//! The page and the API: links to the records, well-formed SVG with escaped names, period and
//! organisation parameters, scope.

use axum::http::{Method, StatusCode};

use anjian_domain::role::Role;

use super::{svgs, world, xml_elements, World, EVIL};
use crate::hazard::person;

fn half(w: &World) -> String {
    format!("{}H1", w.y)
}

#[tokio::test]
async fn the_page_links_every_figure_and_draws_well_formed_svg() {
    let w = world().await;
    let app = &w.app;
    let login = app.login_as(&w.sup.user).await;
    let res = app
        .get(&format!("/dashboard?period={}", half(&w)), &login)
        .await;
    assert_eq!(res.status, StatusCode::OK);
    // askama writes & in attributes as &#38;, the SVG writer as &amp;: the same character.
    let html = res.text().replace("&#38;", "&amp;");
    let (y, b) = (w.y, w.f.bureau.id);
    assert!(html.contains(&format!("{y}年上半年")), "the period's label");
    assert!(html.contains(&format!("同比为{}年上半年，环比为{}年下半年", y - 1, y - 1)));
    // Key figures link to the statistics' record lists, the ledgers and the register.
    for link in [
        format!("/statistics/records?period={y}H1&amp;org_id={b}&amp;figure=hazards_found"),
        format!("/statistics/records?period={y}H1&amp;org_id={b}&amp;figure=hazards_major_listed"),
        format!("/statistics?period={y}H1&amp;org_id={b}"),
        format!("/ledgers/funding?org_id={b}&amp;from={y}-01-01&amp;to={y}-06-30"),
        // Bars: a month's overdue hazards, a unit's hazards, risk points by level, a ledger.
        format!("/statistics/records?period={y}-03&amp;org_id={b}&amp;figure=hazards_overdue"),
        format!(
            "/statistics/records?period={y}H1&amp;org_id={}&amp;figure=hazards_found",
            w.f.unit_a.id
        ),
        format!("/risk-points?level=major&amp;org_id={b}"),
        format!("/risk-points?level=low&amp;org_id={b}"),
        format!("/ledgers/training?org_id={b}&amp;from={y}-01-01&amp;to={y}-06-30"),
        // Lists: overdue hazards and the drill board.
        format!("/hazards/{}", w.h[2]),
        format!("/hazards?overdue=1&amp;org_id={b}"),
        format!("/ledgers/drills?org_id={}", w.unit_c.id),
    ] {
        assert!(html.contains(&link), "missing link {link}");
    }
    assert!(html.contains("+3（+100%）"), "同比 of the hazards found");
    assert!(html.contains("+1（—）"), "a change against a zero base");

    let charts = svgs(&html);
    assert_eq!(charts.len(), 4, "months, units, risk levels, ledgers");
    for svg in &charts {
        let names = xml_elements(svg).unwrap_or_else(|e| panic!("{e}\n{svg}"));
        assert_eq!(names[0], "svg");
        assert!(
            svg.contains("viewBox=\"0 0 400 "),
            "scales through its viewBox"
        );
        assert!(!svg.contains("style="), "no inline styles under the CSP");
        // Every link is named by a <title> right inside it.
        assert_eq!(
            svg.matches("<a href=").count(),
            svg.matches("\"><title>").count(),
            "{svg}"
        );
    }
    // Unit C's name is text everywhere: escaped in the SVG label and title, never markup.
    assert!(!html.contains("<script>alert(1)"));
    let units = &charts[1];
    assert!(
        units.contains("&lt;script&gt;alert(1)&lt;/script&gt;丙&amp;&quot;单位&#39;"),
        "{units}"
    );
    // The worst unit first: 丙 at 0%.
    assert!(units.find("丙").unwrap() < units.find("甲单位").unwrap());
    assert!(units.contains("0%（0/1）"));
    // Risk levels in the four colours.
    for class in ["risk-red", "risk-orange", "risk-yellow", "risk-blue"] {
        assert!(charts[2].contains(&format!("class=\"{class}\"")), "{class}");
    }
    // The stylesheet colours what the charts name.
    let css = app
        .send(
            axum::http::Request::get("/static/app.css")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .text();
    for class in [
        "dash-rectified",
        "dash-open",
        "dash-overdue",
        "dash-svg .risk-red",
    ] {
        assert!(css.contains(&format!(".{class}")), "{class}");
    }
    let _ = EVIL;
}

#[tokio::test]
async fn the_page_checks_its_parameters_and_scope() {
    let w = world().await;
    let app = &w.app;
    let a = app.login_as(&w.officer_a.user).await;
    // Unit A's officer: its own subtree, with 本级 hazard h3 linked by id.
    let res = app
        .get(&format!("/dashboard?period={}", half(&w)), &a)
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let html = res.text();
    assert!(html.contains("甲单位（本级）"));
    assert!(html.contains(&format!("/hazards?ids={}", w.h[3])));
    assert!(!html.contains("乙单位"), "another unit never shows");
    // Another unit's id, by either name of the parameter: not found.
    for q in ["org_id", "org"] {
        let res = app
            .get(&format!("/dashboard?{q}={}", w.f.unit_b.id), &a)
            .await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{q}");
    }
    // Bad input: 422 naming what is wrong, in Chinese.
    let res = app.get("/dashboard?period=2023H3", &a).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("统计期间格式不正确"));
    let res = app.get("/dashboard?org_id=abc", &a).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("组织编号必须是整数"));
    // The selector words and the default: the current periods.
    let res = app.get("/dashboard?period=month", &a).await;
    assert_eq!(res.status, StatusCode::OK);
    let today = anjian_domain::time::today(anjian_db::now());
    let month = anjian_domain::period::Period::month(
        chrono::Datelike::year(&today),
        chrono::Datelike::month(&today),
    )
    .unwrap();
    assert!(res
        .text()
        .contains(&format!("<span class=\"tag\">{}</span>", month.label())));
    let res = app.get("/dashboard", &a).await;
    let half_now = anjian_domain::period::Period::half_year_of(today).unwrap();
    assert!(res
        .text()
        .contains(&format!("<span class=\"tag\">{}</span>", half_now.label())));
    // The home page leads here.
    assert!(app
        .get("/", &a)
        .await
        .text()
        .contains("<a href=\"/dashboard\">进入驾驶舱</a>"));
}

#[tokio::test]
async fn the_api_answers_the_same_figures() {
    let w = world().await;
    let app = &w.app;
    let token = app.token_for(&w.sup.user).await;
    let res = app
        .api(
            Method::GET,
            &format!("/api/v1/dashboard?period={}", half(&w)),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let j = res.json();
    assert_eq!(j["period"]["code"], half(&w));
    assert_eq!(j["year_ago"]["code"], format!("{}H1", w.y - 1));
    assert_eq!(j["preceding"]["code"], format!("{}H2", w.y - 1));
    let fig = |key: &str| {
        j["figures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["key"] == key)
            .unwrap_or_else(|| panic!("{key}"))
            .clone()
    };
    let found = fig("hazards_found");
    assert_eq!(
        (
            found["value"].as_f64(),
            found["year_ago"].as_f64(),
            found["preceding"].as_f64()
        ),
        (Some(6.0), Some(3.0), Some(1.0))
    );
    assert_eq!(found["yoy_delta"].as_f64(), Some(3.0));
    assert_eq!(found["yoy_ratio"].as_f64(), Some(1.0));
    let listed = fig("hazards_major_listed");
    assert_eq!(listed["yoy_delta"].as_f64(), Some(1.0));
    assert!(
        listed["yoy_ratio"].is_null(),
        "no ratio against a zero base"
    );
    assert_eq!(fig("funding")["value"].as_f64(), Some(100_000.0));
    assert_eq!(fig("funding")["measure"], "fen");
    assert_eq!(j["months"].as_array().unwrap().len(), 12);
    assert_eq!(j["units"][0]["org_name"], super::EVIL);
    assert_eq!(j["units"][0]["rectification_rate"].as_f64(), Some(0.0));
    assert_eq!(j["risk_levels"][0]["points"], 2);
    assert_eq!(j["risk_levels"][0]["colour"], "红");
    assert_eq!(j["overdue_total"], 3);

    // Unit A's officer: unit B by `org` or `org_id` is 404; bad values are 422 naming the field.
    let t = app.token_for(&w.officer_a.user).await;
    for q in ["org_id", "org"] {
        let res = app
            .api(
                Method::GET,
                &format!("/api/v1/dashboard?{q}={}", w.f.unit_b.id),
                Some(&t),
                None,
            )
            .await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{q}");
    }
    let res = app
        .api(
            Method::GET,
            "/api/v1/dashboard?period=2023Q5",
            Some(&t),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.json()["fields"]["period"].is_string(), "{}", res.text());
    let res = app
        .api(Method::GET, "/api/v1/dashboard?color=red", Some(&t), None)
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .api(Method::GET, "/api/v1/dashboard", Some(&t), None)
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json()["org_id"], w.f.unit_a.id);
    // Without a token: 401.
    let res = app.api(Method::GET, "/api/v1/dashboard", None, None).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    // Every role with HazardView opens it (the bureau's leader reads); the others are refused.
    let leader = person(app, "dash_leader", Role::BureauLeader, &w.f.bureau).await;
    let l = app.login_as(&leader.user).await;
    assert_eq!(app.get("/dashboard", &l).await.status, StatusCode::OK);
    let auditor = person(app, "dash_auditor", Role::AuditAdmin, &w.f.bureau).await;
    let t = app.token_for(&auditor.user).await;
    let res = app
        .api(Method::GET, "/api/v1/dashboard", Some(&t), None)
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let page = app.login_as(&auditor.user).await;
    assert_eq!(
        app.get("/dashboard", &page).await.status,
        StatusCode::FORBIDDEN
    );
    assert!(!app.get("/", &page).await.text().contains("进入驾驶舱"));
}
