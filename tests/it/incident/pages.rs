//! The incident pages and API over HTTP: Chinese field errors with 422, 404 outside the scope,
//! 403 for read-only roles, 409 after the final report, and the pages rendering their facts.

use axum::http::{Method, StatusCode};
use serde_json::json;

use anjian_domain::role::Role;

use super::{file, local};
use crate::hazard::world;

#[tokio::test]
async fn bad_input_gets_chinese_field_errors() {
    let w = world().await;
    let login = w.app.login_as(&w.officer.user).await;
    let site = w.f.site_a.id.to_string();
    let future = anjian_domain::time::to_shanghai(chrono::Utc::now() + chrono::Duration::hours(3))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let form = |occurred: &str, deaths: &str, loss: &str| {
        vec![
            ("org_id", site.clone()),
            ("event_kind", "accident".to_string()),
            ("accident_type", "03".to_string()),
            ("title", "测试".to_string()),
            ("occurred_at", occurred.to_string()),
            ("place", "1号仓".to_string()),
            ("account", "经过".to_string()),
            ("deaths", deaths.to_string()),
            ("direct_loss_yuan", loss.to_string()),
            ("reporter", "张三".to_string()),
            ("contacts", "13800000000".to_string()),
        ]
    };
    let send = |f: Vec<(&'static str, String)>| {
        let app = &w.app;
        let login = &login;
        async move {
            let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.post("/incidents", login, &pairs).await
        }
    };
    let before = w.app.audit_count().await;
    let r = send(form(&future, "-1", "abc")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let t = r.text();
    assert!(t.contains("发生时间不能晚于当前时间"), "{t}");
    assert!(t.contains("死亡人数不能为负数"));
    assert!(t.contains("直接经济损失（元）不是有效数字"));
    let r = send(form("1900-01-01T08:00", "x", "-5")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let t = r.text();
    assert!(t.contains("发生时间超出合理范围（1990年至2099年）"), "{t}");
    assert!(t.contains("死亡人数必须是整数"));
    assert!(t.contains("直接经济损失（元）不能为负数"));
    let r = send(form("昨天", "0", "0")).await;
    assert!(r.text().contains("发生时间格式不正确"));
    let mut no_type = form(&local(1), "0", "0");
    no_type[2].1 = String::new();
    let r = send(no_type).await;
    assert!(r
        .text()
        .contains("生产安全事故须选择事故类别（GB/T 6441-1986）"));
    assert_eq!(w.app.audit_count().await, before, "nothing was written");
    // The API names the field the same way.
    let token = w.app.token_for(&w.officer.user).await;
    let r = w
        .app
        .api(
            Method::POST,
            "/api/v1/incidents",
            Some(&token),
            Some(json!({
                "org_id": w.f.site_a.id, "event_kind": "accident", "accident_type": "03", "title": "t",
                "occurred_at": local(1), "place": "p", "account": "a", "reporter": "r", "contacts": "c",
                "figures": {"serious_injuries": -2, "direct_loss_yuan": "abc"}
            })),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let j = r.json();
    assert_eq!(j["fields"]["serious_injuries"], "重伤人数不能为负数");
    assert_eq!(
        j["fields"]["direct_loss_yuan"],
        "直接经济损失（元）不是有效数字"
    );
    // A good one is created and its page shows the grade with the reason and the clock.
    let ok = send(form(&local(0), "3", "100")).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text());
    let page = w.app.get(&ok.location(), &login).await;
    let t = page.text();
    assert!(t.contains("较大事故"));
    assert!(t.contains("死亡3人，达到较大事故标准"));
    assert!(t.contains("首报按时"));
    assert!(t.contains("距下次续报"));
}

#[tokio::test]
async fn pages_enforce_scope_roles_and_the_closed_state() {
    let w = world().await;
    let i = file(&w.officer, &w.app, w.f.site_a.id, "accident", "0", "0", 1).await;
    let path = format!("/incidents/{}", i.id);
    let reports = format!("{path}/reports");
    let b = w.app.login_as(&w.officer_b.user).await;
    assert_eq!(w.app.get(&path, &b).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        w.app
            .post(&reports, &b, &[("kind", "follow_up")])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let token_b = w.app.token_for(&w.officer_b.user).await;
    let api = format!("/api/v1/incidents/{}", i.id);
    assert_eq!(
        w.app
            .api(Method::GET, &api, Some(&token_b), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // The bureau leader reads everything but files nothing.
    let leader = w
        .app
        .user("inc_leader", Role::BureauLeader, w.f.bureau.id)
        .await;
    let l = w.app.login_as(&leader).await;
    assert_eq!(w.app.get(&path, &l).await.status, StatusCode::OK);
    let list = w.app.get("/incidents", &l).await;
    assert!(list.text().contains(&i.title));
    assert!(
        !list.text().contains("填报首报"),
        "no button for a read-only role"
    );
    assert_eq!(
        w.app.get("/incidents/new", &l).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        w.app
            .post(&reports, &l, &[("kind", "follow_up")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        w.app.get("/incidents/settings", &l).await.status,
        StatusCode::FORBIDDEN
    );
    // Follow-up and final report through the page; then the event is closed (409).
    let a = w.app.login_as(&w.officer.user).await;
    let v = i.row_version.to_string();
    let r = w
        .app
        .post(
            &reports,
            &a,
            &[
                ("kind", "follow_up"),
                ("content", "伤者出院"),
                ("minor_injuries", "2"),
                ("reporter", "李四"),
                ("row_version", &v),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let v2 = (i.row_version + 1).to_string();
    let r = w
        .app
        .post(
            &reports,
            &a,
            &[
                ("kind", "final"),
                ("reporter", "李四"),
                ("row_version", &v2),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("事故原因不能为空"));
    let r = w
        .app
        .post(
            &reports,
            &a,
            &[
                ("kind", "final"),
                ("reporter", "李四"),
                ("cause", "违章"),
                ("responsibility", "班长"),
                ("corrective_actions", "培训"),
                ("row_version", &v2),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = w.app.get(&path, &a).await.text();
    assert!(page.contains("已终报结案"));
    assert!(page.contains("轻伤 1→2人"));
    assert!(!page.contains("提交报告"), "no form once closed");
    let v3 = (i.row_version + 2).to_string();
    let r = w
        .app
        .post(
            &reports,
            &a,
            &[
                ("kind", "follow_up"),
                ("content", "x"),
                ("reporter", "x"),
                ("row_version", &v3),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text().contains("该事件已终报结案，不能再追加报告"));
    // The bureau's statistics page and the settings page render.
    let s = w.app.login_as(&w.supervisor.user).await;
    let st = w.app.get("/incidents/statistics", &s).await;
    assert_eq!(st.status, StatusCode::OK);
    assert!(st.text().contains("人员伤亡事故1起"));
    let bad = w.app.get("/incidents/statistics?period=2023X", &s).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let set = w
        .app
        .post(
            "/incidents/settings",
            &s,
            &[
                ("initial_minutes", "abc"),
                ("casualty_change_days", "30"),
                ("casualty_change_days_traffic_fire", "7"),
                ("follow_up_hours", "24"),
            ],
        )
        .await;
    assert_eq!(set.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(set.text().contains("首报时限必须是整数"));
}
