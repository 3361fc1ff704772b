//! Campaigns through the pages: create with all or chosen units, edit with a version, deactivate,
//! Chinese field errors, audit, and who sees and manages which campaign.

use axum::http::StatusCode;

use anjian_db::campaign;
use anjian_db::{DbError, Q};
use anjian_domain::role::Role;
use anjian_testkit::TestApp;

use super::support::{audits, date, insert_campaign, other_bureau, person};

async fn id_of(app: &TestApp, name: &str) -> i64 {
    let (id,): (i64,) = app
        .db
        .fetch_one(&Q::new("SELECT id FROM campaign WHERE name = $1").bind(name))
        .await
        .unwrap();
    id
}

#[tokio::test]
async fn a_campaign_for_chosen_units_is_created_edited_and_deactivated_with_audit() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let sup = person(&app, "cm_sup", Role::BureauSupervisor, &f.bureau).await;
    let a = person(&app, "cm_a", Role::UnitOfficer, &f.unit_a).await;
    let b = person(&app, "cm_b", Role::UnitOfficer, &f.unit_b).await;
    let unit_a = f.unit_a.id.to_string();

    let form = app.get("/campaigns/new", &sup.login).await;
    assert_eq!(form.status, 200);
    assert!(form.text().contains("甲单位") && form.text().contains("乙单位"));

    let res = app
        .post(
            "/campaigns",
            &sup.login,
            &[
                ("kind", "campaign"),
                ("name", "2023年汛前安全大检查"),
                ("start_date", "2023/5/1"),
                ("end_date", "2023年5月31日"),
                ("description", "汛前检查"),
                ("all_units", "0"),
                ("org_ids", &unit_a),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let id = id_of(&app, "2023年汛前安全大检查").await;
    let c = campaign::get(&app.db, &sup.ctx, id).await.unwrap();
    assert_eq!(
        (c.campaign.start_date, c.campaign.end_date),
        (date("2023-05-01"), date("2023-05-31"))
    );
    assert!(!c.campaign.all_units);
    assert_eq!(c.unit_count, 1);
    assert_eq!(c.campaign.org_id, f.bureau.id);

    // Covered unit A sees it; unit B does not.
    assert_eq!(
        app.get(&format!("/campaigns/{id}"), &a.login).await.status,
        200
    );
    assert_eq!(
        app.get(&format!("/campaigns/{id}"), &b.login).await.status,
        404
    );
    assert!(!app
        .get("/campaigns", &b.login)
        .await
        .text()
        .contains("汛前安全大检查"));

    // Widen it to all units; then B sees it too.
    let res = app
        .post(
            &format!("/campaigns/{id}"),
            &sup.login,
            &[
                ("kind", "key_period"),
                ("name", "2023年汛期"),
                ("start_date", "2023-05-01"),
                ("end_date", "2023-09-30"),
                ("all_units", "1"),
                ("row_version", "1"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    assert_eq!(
        app.get(&format!("/campaigns/{id}"), &b.login).await.status,
        200
    );
    let c = campaign::get(&app.db, &sup.ctx, id).await.unwrap();
    assert_eq!(
        (
            c.campaign.kind.as_str(),
            c.unit_count,
            c.campaign.row_version
        ),
        ("key_period", 0, 2)
    );

    // A stale form is refused and the form comes back filled in.
    let stale = app
        .post(
            &format!("/campaigns/{id}"),
            &sup.login,
            &[
                ("kind", "campaign"),
                ("name", "旧页面的修改"),
                ("start_date", "2023-05-01"),
                ("end_date", "2023-09-30"),
                ("all_units", "1"),
                ("row_version", "1"),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.text().contains("记录已被他人修改，请刷新后重试"));
    assert!(stale.text().contains("value=\"旧页面的修改\""));

    // Deactivate: no longer offered on forms.
    let res = app
        .post(
            &format!("/campaigns/{id}/deactivate"),
            &sup.login,
            &[("row_version", "2")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let usable = campaign::usable_for_org(&app.db, &a.ctx, f.site_a.id)
        .await
        .unwrap();
    assert!(usable.iter().all(|c| c.id != id));
    let actions: Vec<String> = audits(&app, "campaign", id)
        .await
        .into_iter()
        .map(|a| a.0)
        .collect();
    assert_eq!(actions, ["create", "update", "deactivate"]);
    // The audit keeps the chosen units before the change.
    let (before,): (Option<String>,) = app
        .db
        .fetch_one(&Q::new(
            "SELECT before_json FROM audit_log WHERE entity = 'campaign' AND action = 'update'",
        ))
        .await
        .unwrap();
    assert!(before
        .unwrap()
        .contains(&format!("\"org_ids\":[{}]", f.unit_a.id)));
}

#[tokio::test]
async fn bad_campaign_input_is_422_naming_each_field_in_chinese() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let sup = person(&app, "cm_bad", Role::BureauSupervisor, &f.bureau).await;
    let (_, other_unit) = other_bureau(&app).await;
    let before = app.audit_count().await;
    let res = app
        .post(
            "/campaigns",
            &sup.login,
            &[
                ("kind", "holiday"),
                ("name", ""),
                ("start_date", "2023-06-30"),
                ("end_date", "2023-06-01"),
                ("all_units", "0"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text();
    for msg in [
        "类型无效，应为 专项行动 或 重要时段",
        "名称不能为空",
        "结束日期不能早于开始日期",
        "请选择适用单位，或选择“全部单位”",
    ] {
        assert!(
            html.contains(&format!("<p class=\"field-error\">{msg}</p>")),
            "{msg}: {html}"
        );
    }
    let res = app
        .post(
            "/campaigns",
            &sup.login,
            &[
                ("kind", "campaign"),
                ("name", "x"),
                ("start_date", "2023-13-01"),
                ("end_date", ""),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text();
    assert!(html.contains("开始日期格式不正确"), "{html}");
    assert!(html.contains("结束日期不能为空"));

    // A unit outside the caller's scope (another bureau's) is refused, not silently dropped.
    let foreign = other_unit.id.to_string();
    let res = app
        .post(
            "/campaigns",
            &sup.login,
            &[
                ("kind", "campaign"),
                ("name", "越界"),
                ("start_date", "2023-06-01"),
                ("end_date", "2023-06-30"),
                ("all_units", "0"),
                ("org_ids", &foreign),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res
        .text()
        .contains("所选单位不存在、已停用或不在您的管辖范围内"));
    let (n,): (i64,) = app
        .db
        .fetch_one(&Q::new("SELECT COUNT(*) FROM campaign"))
        .await
        .unwrap();
    assert_eq!(n, 0);
    assert_eq!(app.audit_count().await, before);
}

#[tokio::test]
async fn units_see_but_do_not_manage_the_bureaus_campaigns_and_never_another_bureaus() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let a = person(&app, "cv_a", Role::UnitHead, &f.unit_a).await;
    let unit_sup = person(&app, "cv_usup", Role::BureauSupervisor, &f.unit_a).await;
    let sup = person(&app, "cv_sup", Role::BureauSupervisor, &f.bureau).await;
    let (other, _) = other_bureau(&app).await;
    let bureau_c = insert_campaign(&app, f.bureau.id, "局的专项行动").await;
    let other_c = insert_campaign(&app, other.id, "丙局专项行动").await;
    let b_c = insert_campaign(&app, f.unit_b.id, "乙单位专项行动").await;

    assert_eq!(
        app.get(&format!("/campaigns/{bureau_c}"), &a.login)
            .await
            .status,
        200
    );
    assert_eq!(
        app.get(&format!("/campaigns/{other_c}"), &a.login)
            .await
            .status,
        404
    );
    assert_eq!(
        app.get(&format!("/campaigns/{other_c}"), &sup.login)
            .await
            .status,
        404
    );
    assert_eq!(
        app.get(&format!("/campaigns/{b_c}"), &sup.login)
            .await
            .status,
        200
    );
    assert_eq!(
        app.get(&format!("/campaigns/{b_c}"), &a.login).await.status,
        404
    );
    // Seen but not owned: 403 for a planner below the owner; the route guard for a viewer.
    assert_eq!(
        app.get(&format!("/campaigns/{bureau_c}/edit"), &unit_sup.login)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert!(matches!(
        campaign::set_active(&app.db, &unit_sup.ctx, bureau_c, false, 1).await,
        Err(DbError::Forbidden)
    ));
    assert_eq!(
        app.post(
            &format!("/campaigns/{bureau_c}/deactivate"),
            &a.login,
            &[("row_version", "1")]
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert!(!app
        .get(&format!("/campaigns/{bureau_c}"), &a.login)
        .await
        .text()
        .contains("/edit"));
    assert!(app
        .get(&format!("/campaigns/{bureau_c}"), &sup.login)
        .await
        .text()
        .contains("/edit"));
}
