//! Pages and forms: who may open what, scope, the register's filters, the assessment form with
//! its server-side result and Chinese field errors, re-assessment versions, measures, CSRF.

use axum::http::{Method, StatusCode};

use anjian_db::risk;

use super::*;

/// A 1×1 PNG: enough for the content sniffer to accept it as an image.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

#[tokio::test]
async fn pages_open_for_viewers_and_refuse_others() {
    let w = world().await;
    let app = &w.app;
    let p = point(app, &w.officer, w.f.site_a.id, "1号平房仓").await;
    let r = lec_risk(app, &w.officer, p.id, "熏蒸后进仓", ("3", "6", "15")).await;
    let pages = [
        "/risks".to_string(),
        "/risk-points".to_string(),
        format!("/risk-points/{}", p.id),
        format!("/risks/{}", r.id),
        format!("/risk-points/{}/card", p.id),
        format!("/risks/map?org_id={}", w.f.unit_a.id),
        "/risks/units".to_string(),
    ];
    for who in [&w.officer, &w.inspector, &w.leader, &w.supervisor] {
        let l = login(app, who).await;
        for path in &pages {
            let res = app.get(path, &l).await;
            assert_eq!(
                res.status,
                StatusCode::OK,
                "{path} for {}",
                who.user.username
            );
        }
    }
    // No risk permission at all: 403 on every page.
    let admin = login(app, &w.admin).await;
    for path in &pages {
        assert_eq!(
            app.get(path, &admin).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    // Viewers without RiskManage cannot open the forms; without RiskSettings, the settings.
    let insp = login(app, &w.inspector).await;
    for path in [
        "/risk-points/new".to_string(),
        format!("/risk-points/{}/risks/new", p.id),
        format!("/risks/{}/edit", r.id),
        "/risks/import".to_string(),
        "/risks/settings".to_string(),
    ] {
        assert_eq!(
            app.get(&path, &insp).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    let officer = login(app, &w.officer).await;
    assert_eq!(
        app.get("/risks/settings", &officer).await.status,
        StatusCode::FORBIDDEN
    );
    // Unit B sees none of unit A's records: 404, not 403.
    let b = login(app, &w.officer_b).await;
    for path in [
        format!("/risk-points/{}", p.id),
        format!("/risks/{}", r.id),
        format!("/risk-points/{}/card", p.id),
        format!("/risk-points/{}/card.docx", p.id),
        format!("/risks/map?org_id={}", w.f.unit_a.id),
        format!("/risks/{}/edit", r.id),
    ] {
        assert_eq!(
            app.get(&path, &b).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let list = app.get("/risks", &b).await.text();
    assert!(
        !list.contains("熏蒸后进仓"),
        "unit B's register lists only its own risks"
    );
    // Anonymous: sent to the login page.
    let anon = app.page(Method::GET, "/risks", None, &[]).await;
    assert!(anon.status.is_redirection() || anon.status == StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn register_shows_levels_in_colour_and_filters_by_typed_org_level_and_flags() {
    let w = world().await;
    let app = &w.app;
    let p1 = point(app, &w.officer, w.f.site_a.id, "熏蒸作业").await;
    lec_risk(app, &w.officer, p1.id, "磷化氢中毒", ("3", "6", "40")).await; // D = 720 重大
    let p2 = point(app, &w.officer, w.f.unit_a.id, "配电室").await;
    lec_risk(app, &w.officer, p2.id, "触电", ("1", "6", "7")).await; // D = 42 低
    let pb = point(app, &w.officer_b, w.f.site_b.id, "乙单位浅圆仓").await;
    lec_risk(app, &w.officer_b, pb.id, "粉尘爆炸", ("3", "3", "15")).await; // 135 一般

    let sup = login(app, &w.supervisor).await;
    let all = app.get("/risks", &sup).await.text();
    assert!(all.contains("磷化氢中毒") && all.contains("触电") && all.contains("粉尘爆炸"));
    assert!(all.contains("risk-badge risk-red\">重大风险"));
    assert!(all.contains("risk-badge risk-blue\">低风险"));
    assert!(all.contains("D = 3×6×40 = 720"));
    // The organisation filter is a text field, not a drop-down of every organisation.
    assert!(all.contains("name=\"org\""));
    assert!(!all.contains("<select name=\"org"));

    let by_name = app
        .get("/risks?org=%E4%B9%99%E5%8D%95%E4%BD%8D", &sup)
        .await
        .text(); // 乙单位
    assert!(by_name.contains("粉尘爆炸") && !by_name.contains("触电"));
    let by_id = app
        .get(&format!("/risks?org={}", w.f.site_a.id), &sup)
        .await
        .text();
    assert!(by_id.contains("磷化氢中毒") && !by_id.contains("触电"));
    let unknown = app
        .get("/risks?org=%E6%97%A0%E6%AD%A4%E5%8D%95%E4%BD%8D", &sup)
        .await; // 无此单位
    assert_eq!(unknown.status, StatusCode::OK);
    assert!(unknown
        .text()
        .contains("未找到名称或编号为“无此单位”的单位或库点"));
    assert!(!unknown.text().contains("磷化氢中毒"));

    let major = app.get("/risks?level=major", &sup).await.text();
    assert!(major.contains("磷化氢中毒") && !major.contains("触电") && !major.contains("粉尘爆炸"));
    let points = app.get("/risk-points?level=low", &sup).await.text();
    assert!(points.contains("配电室") && !points.contains("熏蒸作业"));
    let kw = app
        .get("/risk-points?keyword=%E9%85%8D%E7%94%B5", &sup)
        .await
        .text(); // 配电
    assert!(kw.contains("配电室") && !kw.contains("熏蒸作业"));
    let flagged = app.get("/risk-points?flagged=1", &sup).await.text();
    assert!(flagged.contains("没有符合条件的风险点"));
}

#[tokio::test]
async fn lec_form_computes_on_the_server_refuses_bad_values_and_saves_a_version() {
    let w = world().await;
    let app = &w.app;
    let p = point(app, &w.officer, w.f.site_a.id, "3号平房仓").await;
    let l = login(app, &w.officer).await;

    let form = app
        .get(&format!("/risk-points/{}/risks/new", p.id), &l)
        .await
        .text();
    // Each value with its meaning, and the rules for the live calculation.
    assert!(form.contains("<option value=\"0.5\">0.5 — 很不可能，可以设想</option>"));
    assert!(form.contains("<option value=\"15\">15 — 非常严重，一人死亡</option>"));
    assert!(form.contains("data-lec-bounds=\"2000,7000,16000,32000\""));
    assert!(
        form.contains("有充分、有效的防范、控制、监测、保护措施"),
        "LS criteria shown"
    );

    let path = format!("/risk-points/{}/risks", p.id);
    let base = |l: &'static str| {
        vec![
            ("description", "熏蒸散气不彻底进仓"),
            ("factors", "22"),
            ("accident_types", "19"),
            ("method", "lec"),
            ("l", l),
            ("e", "6"),
            ("c", "15"),
            ("assessed_on", "2026-11-01"),
        ]
    };
    // "计算等级" without saving: 200 and the result, nothing stored.
    let mut compute = base("3");
    compute.push(("action", "compute"));
    let res = app.post(&path, &l, &compute).await;
    assert_eq!(res.status, StatusCode::OK);
    let html = unescape(&res.text());
    assert!(html.contains("D = 3×6×15 = 270（高度危险，要立即整改） → 较大风险（橙）"));
    assert!(html.contains("class=\"risk-orange\""));
    assert_eq!(
        risk::list(
            &app.db,
            &w.officer.ctx,
            &Default::default(),
            anjian_db::PageReq::new(None, None)
        )
        .await
        .unwrap()
        .total,
        0
    );

    // A value outside the table: 422 naming the field in Chinese, nothing stored.
    let res = app.post(&path, &l, &base("4")).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = unescape(&res.text());
    assert!(html.contains("L（事故发生的可能性）只能取 10、6、3、1、0.5、0.2、0.1"));
    assert!(
        html.contains("熏蒸散气不彻底进仓"),
        "what was typed is kept"
    );
    let res = app.post(&path, &l, &base("")).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unescape(&res.text()).contains("请选择L（事故发生的可能性）的取值"));
    // LS with S out of range names the LS field.
    let ls = [
        ("description", "叉车伤人"),
        ("method", "ls"),
        ("ls_l", "3"),
        ("ls_s", "6"),
        ("assessed_on", "2026-11-01"),
    ];
    let res = app.post(&path, &l, &ls).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unescape(&res.text()).contains("S（严重性）只能取 1 至 5 的整数"));
    // Direct grading needs its reason.
    let direct = [("description", "x"), ("method", "direct"), ("reason", " ")];
    let res = app.post(&path, &l, &direct).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unescape(&res.text()).contains("直接判定为重大风险时必须写明判定依据"));

    // Saved: redirect to the risk, which shows the result and its first version.
    let res = app.post(&path, &l, &base("3")).await;
    assert!(res.status.is_redirection(), "{}", res.text());
    let id = id_in(&res.location(), "/risks/");
    let page = unescape(&app.get(&format!("/risks/{id}"), &l).await.text());
    assert!(page.contains("D = 3×6×15 = 270"));
    assert!(page.contains("较大风险（橙）"));
    assert!(page.contains("中毒和窒息"));
    assert!(page.contains("化学性危险和有害因素"));

    // Re-assessment through the edit form keeps the old version.
    let edit = app.get(&format!("/risks/{id}/edit"), &l).await.text();
    let rv = edit
        .split("name=\"row_version\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    assert!(edit.contains("<option value=\"3\" selected>3 — 可能，但不经常</option>"));
    let again = [
        ("row_version", rv.as_str()),
        ("description", "熏蒸散气不彻底进仓"),
        ("method", "lec"),
        ("l", "1"),
        ("e", "6"),
        ("c", "15"),
        ("assessed_on", "2026-11-20"),
        ("version_reason", "增设检测报警后重新评估"),
    ];
    let res = app.post(&format!("/risks/{id}"), &l, &again).await;
    assert!(res.status.is_redirection(), "{}", res.text());
    let page = unescape(&app.get(&format!("/risks/{id}"), &l).await.text());
    assert!(page.contains("D = 1×6×15 = 90"));
    assert!(page.contains("增设检测报警后重新评估"));
    let d = risk::get_risk(&app.db, &w.officer.ctx, id).await.unwrap();
    assert_eq!(d.versions.len(), 2);
    // A stale row_version is refused.
    let res = app.post(&format!("/risks/{id}"), &l, &again).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn forms_need_their_csrf_token() {
    let w = world().await;
    let app = &w.app;
    let l = login(app, &w.officer).await;
    let org = w.f.site_a.id.to_string();
    let form = [
        ("csrf_token", "wrong"),
        ("org", org.as_str()),
        ("kind", "place"),
        ("name", "无令牌"),
    ];
    let res = app.post("/risk-points", &l, &form).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let pages = risk::list_points(
        &app.db,
        &w.officer.ctx,
        &Default::default(),
        anjian_db::PageReq::new(None, None),
    )
    .await
    .unwrap();
    assert_eq!(pages.total, 0);
    // With the token the same form creates the point.
    let ok = [("org", org.as_str()), ("kind", "place"), ("name", "有令牌")];
    let res = app.post("/risk-points", &l, &ok).await;
    assert!(res.status.is_redirection(), "{}", res.text());
    let id = id_in(&res.location(), "/risk-points/");
    assert!(app
        .get(&format!("/risk-points/{id}"), &l)
        .await
        .text()
        .contains("有令牌"));
}

#[tokio::test]
async fn point_form_errors_measures_and_the_checklist() {
    let w = world().await;
    let app = &w.app;
    let l = login(app, &w.officer).await;
    // Unknown organisation typed and an empty name: 422 with Chinese messages.
    let res = app
        .post(
            "/risk-points",
            &l,
            &[("org", "不存在的库点"), ("kind", "place"), ("name", "")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unescape(&res.text()).contains("未找到名称或编号为“不存在的库点”的单位或库点"));
    // Unit B's organisation is outside the officer's scope.
    let b = w.f.site_b.id.to_string();
    let res = app
        .post(
            "/risk-points",
            &l,
            &[("org", b.as_str()), ("kind", "place"), ("name", "越权")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);

    let p = point(app, &w.officer, w.f.site_a.id, "进出仓作业").await;
    let r = lec_risk(app, &w.officer, p.id, "输送机卷入", ("3", "6", "7")).await;
    let path = format!("/risks/{}/measures", r.id);
    let res = app
        .post(&path, &l, &[("measure_type", ""), ("content", "")])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .post(
            &path,
            &l,
            &[
                ("measure_type", "engineering"),
                ("content", "输送机加装防护罩"),
                ("responsible_name", "王五"),
            ],
        )
        .await;
    assert!(res.status.is_redirection(), "{}", res.text());
    let page = app.get(&format!("/risk-points/{}", p.id), &l).await.text();
    assert!(page.contains("输送机加装防护罩") && page.contains("工程技术"));
    // The point's measures become a checklist of its organisation.
    let res = app
        .post(&format!("/risk-points/{}/checklist", p.id), &l, &[])
        .await;
    assert!(res.status.is_redirection(), "{}", res.text());
    assert!(res.location().starts_with("/checklists/"));
    // Unit B cannot post to unit A's point: 404 before anything is read.
    let lb = login(app, &w.officer_b).await;
    let res = app
        .post(&format!("/risk-points/{}/checklist", p.id), &lb, &[])
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn four_colour_view_draws_a_grid_or_the_plan_with_markers() {
    let w = world().await;
    let app = &w.app;
    let p = point(app, &w.officer, w.f.site_a.id, "1号仓").await;
    lec_risk(app, &w.officer, p.id, "中毒", ("6", "6", "15")).await; // 540 重大
    let l = login(app, &w.officer).await;
    let url = format!("/risks/map?org_id={}", w.f.unit_a.id);
    let html = app.get(&url, &l).await.text();
    assert!(html.contains("class=\"risk-grid\""));
    assert!(html.contains(&format!(
        "<a href=\"/risk-points/{}\" class=\"risk-red\">",
        p.id
    )));
    assert!(!html.contains("class=\"overlay\""), "no plan yet");
    assert!(!html.contains("style="), "no inline styles under the CSP");

    // A PNG plan, then a marker at 25.0 % / 50.5 %.
    let res = post_file(
        app,
        &format!("/risks/map/plan?org_id={}", w.f.unit_a.id),
        &l,
        "plan",
        "plan.png",
        PNG,
    )
    .await;
    assert!(res.status.is_redirection(), "{}", res.text());
    let p2 = risk::get_point(&app.db, &w.officer.ctx, p.id)
        .await
        .unwrap()
        .point;
    let rv = p2.row_version.to_string();
    let res = app
        .post(
            &format!("/risk-points/{}/marker?org_id={}", p.id, w.f.unit_a.id),
            &l,
            &[
                ("row_version", rv.as_str()),
                ("marker_x", "250"),
                ("marker_y", "505"),
            ],
        )
        .await;
    assert!(res.status.is_redirection(), "{}", res.text());
    let html = app.get(&url, &l).await.text();
    assert!(html.contains("class=\"overlay\""));
    assert!(html.contains(
        "<svg x=\"25.0%\" y=\"50.5%\" overflow=\"visible\"><circle r=\"10\" class=\"risk-red\">"
    ));
    assert!(!html.contains("style="));
    // A marker out of range is refused with a message.
    let p3 = risk::get_point(&app.db, &w.officer.ctx, p.id)
        .await
        .unwrap()
        .point;
    let rv = p3.row_version.to_string();
    let res = app
        .post(
            &format!("/risk-points/{}/marker", p.id),
            &l,
            &[
                ("row_version", rv.as_str()),
                ("marker_x", "1200"),
                ("marker_y", "5"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The bureau's counts by unit.
    let sup = login(app, &w.supervisor).await;
    let units = app.get("/risks/units", &sup).await.text();
    assert!(units.contains("甲单位"));
    // Units without points are left out unless asked for (thousands at province scale).
    assert!(!units.contains("乙单位") && units.contains("另有 1 个单位尚无风险点"));
    assert!(app
        .get("/risks/units?all=1", &sup)
        .await
        .text()
        .contains("乙单位"));
    assert!(units.contains("class=\"n risk-red\">1</td>"));
}
