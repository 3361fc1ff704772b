//! The grading settings page: RiskSettings only, sources cited, a reason required, and a change
//! re-grades the stored risks and says how many changed level.

use axum::http::StatusCode;

use anjian_db::risk;
use anjian_domain::risk::RiskLevel;

use super::*;

fn rules_form<'a>(levels: [&'a str; 5], reason: &'a str) -> Vec<(String, &'a str)> {
    let mut v: Vec<(String, &str)> = Vec::new();
    for (i, b) in ["20", "70", "160", "320"].iter().enumerate() {
        v.push((format!("lec_bound{i}"), b));
    }
    for (i, l) in levels.iter().enumerate() {
        v.push((format!("lec_level{i}"), l));
    }
    for (i, m) in ["20", "15", "9"].iter().enumerate() {
        v.push((format!("ls_min{i}"), m));
    }
    for (i, t) in ["company", "company", "department", "team"]
        .iter()
        .enumerate()
    {
        v.push((format!("tier{i}"), t));
    }
    for (i, d) in ["7", "15", "30", "90"].iter().enumerate() {
        v.push((format!("check_days{i}"), d));
    }
    v.push(("reason".into(), reason));
    v
}

#[tokio::test]
async fn changing_the_rules_regrades_and_reports_the_count() {
    let w = world().await;
    let app = &w.app;
    let p = point(app, &w.officer, w.f.site_a.id, "配电室").await;
    let r1 = lec_risk(app, &w.officer, p.id, "触电", ("3", "6", "7")).await; // 126 一般
    let r2 = lec_risk(app, &w.officer, p.id, "电气火灾", ("1", "6", "3")).await; // 18 低
    let sup = login(app, &w.supervisor).await;

    let page = unescape(&app.get("/risks/settings", &sup).await.text());
    assert!(page.contains("安委办〔2016〕11号"), "sources cited");
    assert!(page.contains("DB37/T 2882-2016"));
    assert!(page.contains("为通行做法（非法规规定）"));
    assert!(page.contains("name=\"lec_bound3\" value=\"320\""));

    // No reason: 422, nothing changed.
    let form = rules_form(["major", "major", "large", "general", "low"], "");
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    let res = app.post("/risks/settings", &sup, &pairs).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unescape(&res.text()).contains("请填写修改原因"));
    // A lower band mapped higher than the one above it: refused by the rules' own check.
    let form = rules_form(["low", "major", "large", "general", "low"], "试验");
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    let res = app.post("/risks/settings", &sup, &pairs).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unescape(&res.text()).contains("对应的风险等级不能更低"));

    // Stricter mapping: 70–160 becomes 较大, 20–70 一般: r1 一般→较大; r2 (D=18) stays 低.
    let form = rules_form(
        ["major", "major", "large", "general", "low"],
        "按省厅新规调整",
    );
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    let res = app.post("/risks/settings", &sup, &pairs).await;
    assert!(res.status.is_redirection(), "{}", res.text());
    let back = app.get(&res.location(), &sup).await.text();
    assert!(
        back.contains("1 项风险的等级发生变化"),
        "{}",
        res.location()
    );
    assert!(back.contains("按省厅新规调整"));
    let d1 = risk::get_risk(&app.db, &w.officer.ctx, r1.id)
        .await
        .unwrap();
    assert_eq!(d1.risk.level(), RiskLevel::Large);
    assert!(d1.versions.iter().any(|v| v.is_regrade()));
    let d2 = risk::get_risk(&app.db, &w.officer.ctx, r2.id)
        .await
        .unwrap();
    assert_eq!(d2.risk.level(), RiskLevel::Low);
    // The risk page shows the re-grade in its history.
    let l = login(app, &w.officer).await;
    let html = app.get(&format!("/risks/{}", r1.id), &l).await.text();
    assert!(html.contains("标准调整重新定级"));
    // An officer may not post the settings.
    let res = app.post("/risks/settings", &l, &pairs).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}
