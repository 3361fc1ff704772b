//! The ledger settings (LedgerSettings): defaults seeded from the cited constants, edits through
//! the page and the API that change the boards and statistics, refusals (403 for a unit user,
//! 409 on a stale form, 422 naming the field) and the audit entry written with each change.

use axum::http::{Method, StatusCode};
use chrono::NaiveDate;
use serde_json::json;

use anjian_db::ledger::{self, settings};
use anjian_domain::ledger::{DrillIntervals, LedgerKind, TrainingMinimums, FUNDING_CATEGORIES};

use super::*;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn rules_form<'a>(version: &'a str, onsite: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("row_version", version),
        ("drill_onsite_months", onsite),
        ("drill_plan_months", "12"),
        ("manager_initial_hours", "32"),
        ("manager_yearly_hours", "12"),
        ("newcomer_hours", "24"),
        ("staff_yearly_hours", "20"),
    ]
}

#[tokio::test]
async fn defaults_are_the_cited_constants_and_the_page_shows_their_sources() {
    let c = cast().await;
    let s = settings::settings(&c.app.db, &c.supervisor.ctx)
        .await
        .unwrap();
    assert_eq!(s.rules.drill, DrillIntervals::default());
    assert_eq!(s.rules.training, TrainingMinimums::default());
    let seeded: Vec<(&str, &str)> = s
        .categories
        .iter()
        .map(|c| (c.code.as_str(), c.label.as_str()))
        .collect();
    assert_eq!(seeded, FUNDING_CATEGORIES.to_vec());
    assert!(s
        .categories
        .iter()
        .all(|c| c.active && c.source == "财资〔2022〕136号"));
    let login = c.app.login_as(&c.supervisor.user).await;
    let r = c.app.get("/ledgers/settings", &login).await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    for cited in [
        "第三十三条",
        "每半年至少组织一次现场处置方案演练",
        "第九条",
        "第十三条",
        "财资〔2022〕136号",
    ] {
        assert!(html.contains(cited), "the page cites {cited}");
    }
    assert!(
        html.contains("href=\"/ledgers/settings\""),
        "menu entry for the supervisor"
    );
}

#[tokio::test]
async fn a_unit_user_is_refused_and_sees_no_menu_entry() {
    let c = cast().await;
    let login = c.app.login_as(&c.officer.user).await;
    assert_eq!(
        c.app.get("/ledgers/settings", &login).await.status,
        StatusCode::FORBIDDEN
    );
    let r = c
        .app
        .post("/ledgers/settings", &login, &rules_form("1", "3"))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = c
        .app
        .post(
            "/ledgers/settings/categories",
            &login,
            &[("label", "自设类别")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let token = c.app.token_for(&c.officer.user).await;
    let r = c
        .app
        .api(Method::GET, "/api/v1/ledgers/settings", Some(&token), None)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = c.app.get("/ledgers", &login).await;
    assert!(!r.text().contains("/ledgers/settings"), "no menu entry");
    assert_eq!(
        settings::rules(&c.app.db)
            .await
            .unwrap()
            .drill
            .onsite_months,
        6
    );
}

#[tokio::test]
async fn a_shorter_drill_interval_makes_a_unit_overdue_and_is_audited() {
    let c = cast().await;
    record(
        &c.app,
        &c.officer.ctx,
        LedgerKind::Drill,
        &drill(c.f.site_a.id, "2023-01-15", "onsite"),
    )
    .await;
    let onsite_overdue = |rows: Vec<ledger::DrillBoardRow>| {
        rows.iter()
            .find(|r| r.org_id == c.f.unit_a.id)
            .unwrap()
            .onsite_overdue
    };
    let rows = ledger::drill_board(&c.app.db, &c.supervisor.ctx, d("2023-06-01"))
        .await
        .unwrap();
    assert!(!onsite_overdue(rows), "six months: due by 2023-07-15");
    let login = c.app.login_as(&c.supervisor.user).await;
    let audits = c.app.audit_count().await;
    let r = c
        .app
        .post("/ledgers/settings", &login, &rules_form("1", "3"))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let rows = ledger::drill_board(&c.app.db, &c.supervisor.ctx, d("2023-06-01"))
        .await
        .unwrap();
    assert!(onsite_overdue(rows), "three months: due by 2023-04-15");
    // The board page states the interval in force.
    let r = c.app.get("/ledgers/boards/drills", &login).await;
    assert!(r.text().contains("每3个月至少组织一次现场处置方案演练"));
    assert_eq!(c.app.audit_count().await, audits + 1);
    let a = c.app.last_audit().await;
    assert_eq!(
        (a.entity.as_str(), a.action.as_str()),
        ("ledger_settings", "update")
    );
    let before: serde_json::Value =
        serde_json::from_str(a.before_json.as_deref().unwrap()).unwrap();
    let after: serde_json::Value = serde_json::from_str(a.after_json.as_deref().unwrap()).unwrap();
    assert_eq!(before["drill"]["onsite_months"], 6);
    assert_eq!(after["drill"]["onsite_months"], 3);
}

#[tokio::test]
async fn lower_training_minimums_clear_a_shortfall() {
    let c = cast().await;
    let year = 2023;
    let mut t = training(
        c.f.unit_a.id,
        "2023-03-01",
        "12",
        vec![c.head.user.id, c.inspector.user.id],
    );
    t.title = "年度培训".into();
    record(&c.app, &c.officer.ctx, LedgerKind::Training, &t).await;
    let short = |rows: &[ledger::PersonHours], id: i64| {
        rows.iter()
            .find(|p| p.user_id == id)
            .unwrap()
            .shortfall_tenths
    };
    let rows = ledger::training_hours(&c.app.db, &c.supervisor.ctx, year, None)
        .await
        .unwrap();
    assert_eq!(short(&rows, c.head.user.id), 0, "12 of 12 for a unit head");
    assert_eq!(
        short(&rows, c.inspector.user.id),
        80,
        "12 of 20 for other staff"
    );
    let token = c.app.token_for(&c.supervisor.user).await;
    let body = json!({
        "drill_onsite_months": 6, "drill_plan_months": 12, "manager_initial_hours": "32",
        "manager_yearly_hours": "12", "newcomer_hours": "24", "staff_yearly_hours": "12",
        "row_version": 1
    });
    let r = c
        .app
        .api(
            Method::PUT,
            "/api/v1/ledgers/settings",
            Some(&token),
            Some(body),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["staff_yearly_hours"], "12");
    assert_eq!(r.json()["row_version"], 2);
    let rows = ledger::training_hours(&c.app.db, &c.supervisor.ctx, year, None)
        .await
        .unwrap();
    assert_eq!(short(&rows, c.inspector.user.id), 0);
}

#[tokio::test]
async fn a_stale_form_or_body_is_refused_with_409_and_changes_nothing() {
    let c = cast().await;
    let login = c.app.login_as(&c.supervisor.user).await;
    let r = c
        .app
        .post("/ledgers/settings", &login, &rules_form("1", "4"))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let audits = c.app.audit_count().await;
    // A second form read at version 1.
    let r = c
        .app
        .post("/ledgers/settings", &login, &rules_form("1", "5"))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text().contains("记录已被他人修改，请刷新后重试"));
    assert!(
        r.text().contains("value=\"1\""),
        "the form keeps the version it was read at"
    );
    assert_eq!(
        settings::rules(&c.app.db)
            .await
            .unwrap()
            .drill
            .onsite_months,
        4
    );
    assert_eq!(
        c.app.audit_count().await,
        audits,
        "the refused save wrote nothing"
    );
    let token = c.app.token_for(&c.supervisor.user).await;
    let cat = c
        .app
        .api(Method::GET, "/api/v1/ledgers/settings", Some(&token), None)
        .await
        .json()["categories"][8]
        .clone();
    let audits = c.app.audit_count().await;
    let path = format!("/api/v1/ledgers/settings/categories/{}", cat["id"]);
    let body = |label: &str, v: i64| json!({"label": label, "row_version": v});
    let r = c
        .app
        .api(
            Method::PUT,
            &path,
            Some(&token),
            Some(body("安全生产责任保险（含续保）", 1)),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = c
        .app
        .api(
            Method::PUT,
            &path,
            Some(&token),
            Some(body("另一个名称", 1)),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["message"], "记录已被他人修改，请刷新后重试");
    assert_eq!(c.app.audit_count().await, audits + 1);
}

#[tokio::test]
async fn each_invalid_field_is_named_with_422() {
    let c = cast().await;
    let login = c.app.login_as(&c.supervisor.user).await;
    let cases = [
        (
            "drill_onsite_months",
            "0",
            "现场处置方案演练间隔应为1至36之间的整数（月）",
        ),
        (
            "drill_plan_months",
            "一年",
            "综合或专项应急预案演练间隔应为1至36之间的整数（月）",
        ),
        (
            "manager_initial_hours",
            "",
            "主要负责人和安全管理人员初次培训学时不能为空",
        ),
        (
            "manager_yearly_hours",
            "12.25",
            "主要负责人和安全管理人员每年再培训学时应为大于0的数字",
        ),
        (
            "newcomer_hours",
            "-1",
            "新上岗从业人员岗前培训学时应为大于0的数字",
        ),
        (
            "staff_yearly_hours",
            "500",
            "从业人员每年再培训学时不能超过200学时",
        ),
    ];
    let token = c.app.token_for(&c.supervisor.user).await;
    for (field, value, message) in cases {
        let mut form = rules_form("1", "6");
        for p in form.iter_mut() {
            if p.0 == field {
                p.1 = value;
            }
        }
        let r = c.app.post("/ledgers/settings", &login, &form).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        assert!(r.text().contains(message), "{field}: {message}");
        let mut body = json!({
            "drill_onsite_months": 6, "drill_plan_months": 12, "manager_initial_hours": "32",
            "manager_yearly_hours": "12", "newcomer_hours": "24", "staff_yearly_hours": "20",
            "row_version": 1
        });
        body[field] = match value.parse::<i64>() {
            Ok(n) if field.ends_with("months") => json!(n),
            _ if field.ends_with("months") => json!(0),
            _ => json!(value),
        };
        let r = c
            .app
            .api(
                Method::PUT,
                "/api/v1/ledgers/settings",
                Some(&token),
                Some(body),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        let fields = r.json()["fields"].to_string();
        assert!(fields.contains(field), "{field} named in {fields}");
    }
    for (form, message) in [
        (vec![("label", "  ")], "类别名称不能为空"),
        (
            vec![("label", "安全生产责任保险")],
            "已有同名的经费使用类别",
        ),
        (
            vec![("label", "新类别"), ("sort_order", "0")],
            "排序应为1至999之间的整数",
        ),
    ] {
        let r = c
            .app
            .post("/ledgers/settings/categories", &login, &form)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{message}");
        assert!(r.text().contains(message), "{message}");
    }
    assert_eq!(
        settings::rules(&c.app.db).await.unwrap(),
        Default::default()
    );
}

#[tokio::test]
async fn categories_are_added_renamed_deactivated_and_deleted_only_when_unused() {
    let c = cast().await;
    let token = c.app.token_for(&c.supervisor.user).await;
    let r = c
        .app
        .api(
            Method::POST,
            "/api/v1/ledgers/settings/categories",
            Some(&token),
            Some(json!({"label": "粮库消防设施维护", "source": "本局规定"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let added = r.json();
    assert_eq!(
        (added["code"].as_str(), added["sort_order"].as_i64()),
        (Some("11"), Some(11))
    );
    let audit = c.app.last_audit().await;
    assert_eq!(
        (audit.entity.as_str(), audit.action.as_str()),
        ("ledger_funding_category", "create")
    );
    // Entries may use it (by code or by label, as an import sheet would).
    let e = record(
        &c.app,
        &c.officer.ctx,
        LedgerKind::Funding,
        &funding(c.f.unit_a.id, "2023-03-01", "500.00", "11"),
    )
    .await;
    record(
        &c.app,
        &c.officer.ctx,
        LedgerKind::Funding,
        &funding(c.f.unit_a.id, "2023-03-02", "1.00", "粮库消防设施维护"),
    )
    .await;
    let period = anjian_domain::period::Period::half_year(2023, 1).unwrap();
    let s = ledger::statistics(&c.app.db, &c.supervisor.ctx, &period, None)
        .await
        .unwrap();
    let row = s
        .funding_by_category
        .iter()
        .find(|x| x.code == "11")
        .unwrap();
    assert_eq!((row.label.as_str(), row.fen), ("粮库消防设施维护", 50_100));
    assert_eq!(s.funding_by_category.len(), 11);
    // Renamed: entries follow the new label.
    let path = format!("/api/v1/ledgers/settings/categories/{}", added["id"]);
    let r = c
        .app
        .api(
            Method::PUT,
            &path,
            Some(&token),
            Some(json!({"label": "消防设施维护", "row_version": 1})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let got = ledger::get_row(&c.app.db, &c.officer.ctx, e.id)
        .await
        .unwrap();
    assert_eq!(got.display("category"), "消防设施维护");
    let login = c.app.login_as(&c.officer.user).await;
    assert!(c
        .app
        .get("/ledgers/funding", &login)
        .await
        .text()
        .contains("消防设施维护"));
    // Deactivated: no longer offered for new entries, still counted and still editable.
    let r = c
        .app
        .api(
            Method::PUT,
            &path,
            Some(&token),
            Some(json!({"label": "消防设施维护", "active": false, "row_version": 2})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let refused = ledger::create(
        &c.app.db,
        &c.officer.ctx,
        LedgerKind::Funding,
        &funding(c.f.unit_a.id, "2023-03-03", "1.00", "11"),
    )
    .await;
    match refused {
        Err(anjian_db::DbError::Invalid(f)) => assert!(f.get("category").is_some()),
        other => panic!("deactivated category accepted: {other:?}"),
    }
    let form = c.app.get("/ledgers/funding/new", &login).await.text();
    assert!(!form.contains("消防设施维护"), "not offered");
    let mut edit = got.to_input();
    edit.title = "改了用途说明".into();
    ledger::update(&c.app.db, &c.officer.ctx, e.id, got.row_version, &edit)
        .await
        .unwrap();
    let s = ledger::statistics(&c.app.db, &c.supervisor.ctx, &period, None)
        .await
        .unwrap();
    assert!(s
        .funding_by_category
        .iter()
        .any(|x| x.code == "11" && x.fen == 50_100));
    // A used category is never deleted; an unused one is.
    let r = c
        .app
        .api(
            Method::DELETE,
            &format!("{path}?row_version=3"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.json()["message"].as_str().unwrap().contains("不能删除"));
    let r = c
        .app
        .api(
            Method::POST,
            "/api/v1/ledgers/settings/categories",
            Some(&token),
            Some(json!({"label": "临时类别"})),
        )
        .await;
    let id = r.json()["id"].as_i64().unwrap();
    let r = c
        .app
        .api(
            Method::DELETE,
            &format!("/api/v1/ledgers/settings/categories/{id}?row_version=1"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(c.app.last_audit().await.action, "delete");
    let codes: Vec<String> = settings::funding_categories(&c.app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.code)
        .collect();
    assert_eq!(codes.len(), 11);
}

#[tokio::test]
async fn the_settings_page_edits_a_category() {
    let c = cast().await;
    let login = c.app.login_as(&c.supervisor.user).await;
    let r = c
        .app
        .post(
            "/ledgers/settings/categories/9",
            &login,
            &[
                ("row_version", "1"),
                ("label", "安全生产责任保险"),
                ("sort_order", "9"),
                ("source", "财资〔2022〕136号"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let cats = settings::funding_categories(&c.app.db).await.unwrap();
    assert!(
        !cats.iter().find(|x| x.id == 9).unwrap().active,
        "unchecked box deactivates"
    );
    let r = c
        .app
        .post(
            "/ledgers/settings/categories/9",
            &login,
            &[("row_version", "1"), ("label", "x"), ("active", "1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
}
