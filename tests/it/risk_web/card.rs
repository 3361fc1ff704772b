//! The 岗位安全风险告知卡: the printable page and the DOCX say the same things.

use axum::http::StatusCode;

use super::*;

#[tokio::test]
async fn card_page_and_docx_carry_name_level_risks_measures_and_phone() {
    let w = world().await;
    let app = &w.app;
    let p = point(app, &w.officer, w.f.site_a.id, "2号浅圆仓").await;
    let r = lec_risk(
        app,
        &w.officer,
        p.id,
        "熏蒸后散气不彻底进仓",
        ("6", "6", "15"),
    )
    .await; // 540 重大
    measure(
        app,
        &w.officer,
        r.id,
        "engineering",
        "安装磷化氢浓度检测报警仪",
    )
    .await;
    measure(app, &w.officer, r.id, "protective", "佩戴正压式空气呼吸器").await;
    let l = login(app, &w.inspector).await;

    let res = app.get(&format!("/risk-points/{}/card", p.id), &l).await;
    assert_eq!(res.status, StatusCode::OK);
    let html = unescape(&res.text());
    assert!(html.contains("岗位安全风险告知卡"));
    assert!(html.contains("<header class=\"risk-red\">"));
    assert!(html.contains("2号浅圆仓　重大风险（红色）"));
    assert!(html.contains("熏蒸后散气不彻底进仓（重大风险）"));
    assert!(html.contains("中毒和窒息"));
    assert!(html.contains("【工程技术】安装磷化氢浓度检测报警仪"));
    assert!(html.contains("【个体防护】佩戴正压式空气呼吸器"));
    assert!(html.contains("立即撤离，通风，拨打120"));
    assert!(html.contains("0591-12345678"));
    assert!(html.contains(&format!("href=\"/risk-points/{}/card.docx\"", p.id)));
    assert!(!html.contains("style="));

    let before = app.audit_count().await;
    let res = app
        .get(&format!("/risk-points/{}/card.docx", p.id), &l)
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.headers["content-type"]
        .to_str()
        .unwrap()
        .contains("wordprocessingml"));
    let doc = zip_part(&res.body, "word/document.xml");
    for want in [
        "岗位安全风险告知卡",
        "2号浅圆仓　重大风险（红色）",
        "熏蒸后散气不彻底进仓（重大风险）",
        "中毒和窒息",
        "1. 【工程技术】安装磷化氢浓度检测报警仪",
        "2. 【个体防护】佩戴正压式空气呼吸器",
        "立即撤离，通风，拨打120",
        "0591-12345678",
        "张三",
    ] {
        assert!(doc.contains(want), "DOCX lacks {want}");
    }
    // Exports are audited.
    assert_eq!(app.audit_count().await, before + 1);
    let a = app.last_audit().await;
    assert_eq!(
        (a.entity.as_str(), a.action.as_str()),
        ("risk_point", "export")
    );
}
