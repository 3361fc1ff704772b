//! Stale edits of the ledger settings: the drill intervals and training minimums, and a funding
//! use category, through the settings page and the API.

use axum::http::Method;
use serde_json::json;

use anjian_domain::role::Role;

use super::harness::{ApiEdit, PageEdit, Rows};
use super::{scene, signed_in};

pub async fn rules_page() {
    let s = scene().await;
    let sup = signed_in(&s.app, "cc_lg_sup", Role::BureauSupervisor, &s.f.bureau).await;
    PageEdit {
        app: &s.app,
        who: &sup.login,
        page: "/ledgers/settings".into(),
        action: "/ledgers/settings".into(),
        pick: None,
        gov: Rows::Where("ledger_settings", "id", 1),
        rival: None,
        watch: vec![Rows::Where("ledger_settings", "id", 1)],
        edit: vec![("drill_onsite_months", "4".into())],
        invalid: Some(("drill_onsite_months", "0")),
    }
    .run()
    .await;
}

pub async fn rules_api() {
    let s = scene().await;
    let sup = signed_in(&s.app, "cc_lg_sup", Role::BureauSupervisor, &s.f.bureau).await;
    let token = s.app.token_for(&sup.user).await;
    ApiEdit {
        app: &s.app,
        token: &token,
        method: Method::PUT,
        path: "/api/v1/ledgers/settings".into(),
        read: "/api/v1/ledgers/settings".into(),
        at: "/rules/row_version",
        gov: Rows::Where("ledger_settings", "id", 1),
        watch: vec![Rows::Where("ledger_settings", "id", 1)],
        body: json!({
            "drill_onsite_months": 4, "drill_plan_months": 12, "manager_initial_hours": "32",
            "manager_yearly_hours": "12", "newcomer_hours": "24", "staff_yearly_hours": "20"
        }),
    }
    .run()
    .await;
}

pub async fn category_page() {
    let s = scene().await;
    let sup = signed_in(&s.app, "cc_lg_sup", Role::BureauSupervisor, &s.f.bureau).await;
    PageEdit {
        app: &s.app,
        who: &sup.login,
        page: "/ledgers/settings".into(),
        action: "/ledgers/settings/categories/9".into(),
        pick: None,
        gov: Rows::Where("ledger_funding_category", "id", 9),
        rival: None,
        watch: vec![Rows::Where("ledger_funding_category", "id", 9)],
        edit: vec![("label", "安全生产责任保险（续保）".into())],
        invalid: Some(("label", "")),
    }
    .run()
    .await;
}

pub async fn category_api() {
    let s = scene().await;
    let sup = signed_in(&s.app, "cc_lg_sup", Role::BureauSupervisor, &s.f.bureau).await;
    let token = s.app.token_for(&sup.user).await;
    ApiEdit {
        app: &s.app,
        token: &token,
        method: Method::PUT,
        path: "/api/v1/ledgers/settings/categories/9".into(),
        read: "/api/v1/ledgers/settings".into(),
        at: "/categories/8/row_version",
        gov: Rows::Where("ledger_funding_category", "id", 9),
        watch: vec![Rows::Where("ledger_funding_category", "id", 9)],
        body: json!({"label": "安全生产责任保险（续保）"}),
    }
    .run()
    .await;
}
