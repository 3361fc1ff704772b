//! Stale edits of the platform's own records and of the settings pages: organisations, accounts
//! (profile and role), the risk grading rules, the report time limits and the holiday calendar.

use axum::http::Method;
use serde_json::json;

use anjian_db::incident::{self, IncidentRules};
use anjian_db::{risk, Q};
use anjian_domain::risk::GradingRules;
use anjian_domain::role::Role;

use super::harness::{ApiEdit, PageEdit, Rows};
use super::{scene, signed_in};

pub async fn org_page() {
    let s = scene().await;
    let admin = s.app.login_role(Role::SystemAdmin, s.f.bureau.id).await;
    let id = s.f.site_b.id;
    PageEdit {
        app: &s.app,
        who: &admin,
        page: format!("/orgs/{id}/edit"),
        action: format!("/orgs/{id}"),
        pick: None,
        gov: Rows::Where("org", "id", id),
        rival: None,
        watch: vec![Rows::Where("org", "id", id)],
        edit: vec![("contact_person", "并发测试联系人".into())],
        invalid: Some(("name", "")),
    }
    .run()
    .await;
}

pub async fn org_api() {
    let s = scene().await;
    let admin = s
        .app
        .user("cc_sysadmin", Role::SystemAdmin, s.f.bureau.id)
        .await;
    let token = s.app.token_for(&admin).await;
    let id = s.f.site_b.id;
    ApiEdit {
        app: &s.app,
        token: &token,
        method: Method::PUT,
        path: format!("/api/v1/orgs/{id}"),
        read: format!("/api/v1/orgs/{id}"),
        at: "/row_version",
        gov: Rows::Where("org", "id", id),
        watch: vec![Rows::Where("org", "id", id)],
        body: json!({"kind": "site", "name": "乙库点", "contact_person": "并发测试联系人"}),
    }
    .run()
    .await;
}

/// An inspector of unit B whose account the administrators edit.
async fn target(s: &super::Scene) -> i64 {
    s.app
        .user("cc_target", Role::Inspector, s.f.unit_b.id)
        .await
        .id
}

pub async fn user_profile_page() {
    let s = scene().await;
    let id = target(&s).await;
    let admin = s.app.login_role(Role::SystemAdmin, s.f.bureau.id).await;
    PageEdit {
        app: &s.app,
        who: &admin,
        page: format!("/users/{id}/edit"),
        action: format!("/users/{id}"),
        pick: None,
        gov: Rows::Where("app_user", "id", id),
        rival: None,
        watch: vec![Rows::Where("app_user", "id", id)],
        edit: vec![("phone", "13800000009".into())],
        invalid: Some(("name", "")),
    }
    .run()
    .await;
}

pub async fn user_assign_page() {
    let s = scene().await;
    let id = target(&s).await;
    let security = s.app.login_role(Role::SecurityAdmin, s.f.bureau.id).await;
    PageEdit {
        app: &s.app,
        who: &security,
        page: format!("/users/{id}/assign"),
        action: format!("/users/{id}/assign"),
        pick: None,
        gov: Rows::Where("app_user", "id", id),
        rival: None,
        watch: vec![Rows::Where("app_user", "id", id)],
        edit: vec![("role", "unit_officer".into())],
        invalid: Some(("role", "")),
    }
    .run()
    .await;
}

/// The bureau's supervisor, with rules and time limits stored once (version 1), so that a
/// concurrent save has a version to move.
async fn supervisor_with_settings(s: &super::Scene) -> super::Signed {
    let sup = signed_in(&s.app, "cc_supervisor", Role::BureauSupervisor, &s.f.bureau).await;
    risk::update_rules(&s.app.db, &sup.ctx, &GradingRules::default(), "初次保存", 0)
        .await
        .expect("rules stored");
    incident::save_rules(&s.app.db, &sup.ctx, &IncidentRules::default(), 0)
        .await
        .expect("time limits stored");
    sup
}

pub async fn risk_settings_page() {
    let s = scene().await;
    let sup = supervisor_with_settings(&s).await;
    PageEdit {
        app: &s.app,
        who: &sup.login,
        page: "/risks/settings".into(),
        action: "/risks/settings".into(),
        pick: None,
        gov: Rows::Where("risk_settings", "id", 1),
        rival: None,
        watch: vec![Rows::Where("risk_settings", "id", 1)],
        edit: vec![
            ("check_days0", "8".into()),
            ("reason", "按省厅通知调整检查频次".into()),
        ],
        invalid: Some(("reason", "")),
    }
    .run()
    .await;
}

pub async fn risk_settings_api() {
    let s = scene().await;
    let sup = supervisor_with_settings(&s).await;
    let token = s.app.token_for(&sup.user).await;
    let now = s
        .app
        .api(Method::GET, "/api/v1/risk-settings", Some(&token), None)
        .await
        .json();
    let mut rules = now["rules"].clone();
    rules["check_days"][0] = json!(8);
    ApiEdit {
        app: &s.app,
        token: &token,
        method: Method::PUT,
        path: "/api/v1/risk-settings".into(),
        read: "/api/v1/risk-settings".into(),
        at: "/row_version",
        gov: Rows::Where("risk_settings", "id", 1),
        watch: vec![Rows::Where("risk_settings", "id", 1)],
        body: json!({"rules": rules, "reason": "按省厅通知调整检查频次"}),
    }
    .run()
    .await;
}

pub async fn report_rules_page() {
    let s = scene().await;
    let sup = supervisor_with_settings(&s).await;
    PageEdit {
        app: &s.app,
        who: &sup.login,
        page: "/incidents/settings".into(),
        action: "/incidents/settings".into(),
        pick: None,
        gov: Rows::All("report_rule"),
        rival: None,
        watch: vec![Rows::All("report_rule")],
        edit: vec![("initial_minutes", "45".into())],
        invalid: Some(("initial_minutes", "一小时")),
    }
    .run()
    .await;
}

pub async fn report_rules_api() {
    let s = scene().await;
    let sup = supervisor_with_settings(&s).await;
    let token = s.app.token_for(&sup.user).await;
    ApiEdit {
        app: &s.app,
        token: &token,
        method: Method::PUT,
        path: "/api/v1/incident-rules".into(),
        read: "/api/v1/incident-rules".into(),
        at: "/row_version",
        gov: Rows::All("report_rule"),
        watch: vec![Rows::All("report_rule")],
        body: json!({"initial_minutes": 45, "casualty_change_days": 30,
                     "casualty_change_days_traffic_fire": 7, "follow_up_hours": 24}),
    }
    .run()
    .await;
}

pub async fn calendar_page() {
    let s = scene().await;
    let sup = signed_in(&s.app, "cc_supervisor", Role::BureauSupervisor, &s.f.bureau).await;
    let (id,): (i64,) = s
        .app
        .db
        .fetch_one(
            &Q::new("SELECT id FROM holiday_calendar WHERE first_date = $1 AND kind = $2")
                .bind(chrono::NaiveDate::from_ymd_opt(2024, 10, 1).expect("date"))
                .bind("holiday"),
        )
        .await
        .expect("seeded National Day 2024");
    // The calendar shows every entry of the year with its own inline form; a form shown again
    // after a field error is the year's current rows, so only the plain stale save is asked.
    PageEdit {
        app: &s.app,
        who: &sup.login,
        page: "/duty/calendar?year=2024".into(),
        action: "/duty/calendar/save".into(),
        pick: Some(("id", id.to_string())),
        gov: Rows::Where("holiday_calendar", "id", id),
        rival: None,
        watch: vec![Rows::Where("holiday_calendar", "id", id)],
        edit: vec![("note", "国务院办公厅通知".into())],
        invalid: None,
    }
    .run()
    .await;
}
