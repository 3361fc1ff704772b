//! Issuing, editing and cancelling tasks through the pages: 全部单位, Chinese field errors,
//! references outside the caller's view refused, stale versions, audit, and who may do what.

use axum::http::StatusCode;

use anjian_db::inspection_task;
use anjian_db::{DbError, Q};
use anjian_domain::role::Role;
use anjian_testkit::TestApp;

use super::support::{audits, date, insert_campaign, insert_checklist, other_bureau, person};

async fn assigned(app: &TestApp, id: i64) -> Vec<i64> {
    let rows: Vec<(i64,)> = app
        .db
        .fetch_all(
            &Q::new("SELECT org_id FROM inspection_task_org WHERE task_id = $1 ORDER BY org_id")
                .bind(id),
        )
        .await
        .unwrap();
    rows.into_iter().map(|(i,)| i).collect()
}

#[tokio::test]
async fn a_task_to_all_units_is_issued_edited_and_cancelled_with_audit() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let sup = person(&app, "tm_sup", Role::BureauSupervisor, &f.bureau).await;
    let campaign = insert_campaign(&app, f.bureau.id, "2023年安全生产月").await;
    let (fire,): (i64,) = app
        .db
        .fetch_one(&Q::new(
            "SELECT id FROM checklist WHERE name = '消防安全检查表'",
        ))
        .await
        .unwrap();

    let form = app
        .get(
            &format!("/inspection-tasks/new?campaign_id={campaign}"),
            &sup.login,
        )
        .await;
    assert_eq!(form.status, 200);
    let html = form.text();
    assert!(html.contains(&format!(
        "<option value=\"{campaign}\" selected>2023年安全生产月</option>"
    )));
    assert!(html.contains("消防安全检查表"));

    let (c, k) = (campaign.to_string(), fire.to_string());
    let res = app
        .post(
            "/inspection-tasks",
            &sup.login,
            &[
                ("title", "安全生产月消防自查"),
                ("kind", "self_check"),
                ("campaign_id", &c),
                ("checklist_id", &k),
                ("start_date", "2023-06-01"),
                ("due_date", "2023-06-20"),
                ("all_units", "1"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let (id,): (i64,) = app
        .db
        .fetch_one(&Q::new(
            "SELECT id FROM inspection_task WHERE title = '安全生产月消防自查'",
        ))
        .await
        .unwrap();
    assert_eq!(
        assigned(&app, id).await,
        [f.unit_a.id, f.unit_b.id],
        "全部单位 = every unit in scope"
    );
    let t = inspection_task::get(&app.db, &sup.ctx, id).await.unwrap();
    assert_eq!(t.campaign_name.as_deref(), Some("2023年安全生产月"));
    assert_eq!(t.checklist_name.as_deref(), Some("消防安全检查表"));
    assert_eq!(t.task.created_by, Some(sup.user.id));

    // Edit: narrow to unit B and move the due date.
    let edit = app
        .get(&format!("/inspection-tasks/{id}/edit"), &sup.login)
        .await;
    assert_eq!(edit.status, 200);
    assert!(edit.text().contains("name=\"row_version\" value=\"1\""));
    let b = f.unit_b.id.to_string();
    let res = app
        .post(
            &format!("/inspection-tasks/{id}"),
            &sup.login,
            &[
                ("title", "安全生产月消防自查"),
                ("kind", "spot_check"),
                ("start_date", "2023-06-01"),
                ("due_date", "2023-06-25"),
                ("all_units", "0"),
                ("org_ids", &b),
                ("row_version", "1"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    assert_eq!(assigned(&app, id).await, [f.unit_b.id]);
    let t = inspection_task::get(&app.db, &sup.ctx, id).await.unwrap();
    assert_eq!(
        (t.task.kind.as_str(), t.task.due_date, t.task.campaign_id),
        ("spot_check", date("2023-06-25"), None)
    );

    let stale = app
        .post(
            &format!("/inspection-tasks/{id}"),
            &sup.login,
            &[
                ("title", "旧页面"),
                ("start_date", "2023-06-01"),
                ("due_date", "2023-06-25"),
                ("all_units", "1"),
                ("row_version", "1"),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.text().contains("记录已被他人修改，请刷新后重试"));

    // Cancel, then nothing more may change.
    let res = app
        .post(
            &format!("/inspection-tasks/{id}/cancel"),
            &sup.login,
            &[("row_version", "2")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let t = inspection_task::get(&app.db, &sup.ctx, id).await.unwrap();
    assert!(t.task.cancelled_at.is_some());
    assert_eq!(
        app.get(&format!("/inspection-tasks/{id}/edit"), &sup.login)
            .await
            .status,
        StatusCode::CONFLICT
    );
    assert!(matches!(
        inspection_task::cancel(&app.db, &sup.ctx, id, 3).await,
        Err(DbError::Conflict(_))
    ));
    let html = app
        .get(&format!("/inspection-tasks/{id}"), &sup.login)
        .await
        .text();
    assert!(html.contains("已取消") && !html.contains("取消任务</button>"));
    assert!(!app
        .get("/inspection-tasks", &sup.login)
        .await
        .text()
        .contains("安全生产月消防自查"));
    assert!(app
        .get("/inspection-tasks?status=cancelled", &sup.login)
        .await
        .text()
        .contains("安全生产月消防自查"));

    let actions: Vec<(String, Option<i64>)> = audits(&app, "inspection_task", id).await;
    assert_eq!(
        actions,
        [
            ("create".to_string(), Some(f.bureau.id)),
            ("update".to_string(), Some(f.bureau.id)),
            ("cancel".to_string(), Some(f.bureau.id)),
        ]
    );
}

#[tokio::test]
async fn bad_task_input_is_422_naming_each_field_and_foreign_references_are_refused() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let sup = person(&app, "tb_bad", Role::BureauSupervisor, &f.bureau).await;
    let (other, other_unit) = other_bureau(&app).await;
    let foreign_campaign = insert_campaign(&app, other.id, "丙局行动")
        .await
        .to_string();
    let foreign_list = insert_checklist(&app, other.id, "丙局检查表")
        .await
        .0
        .to_string();
    let before = app.audit_count().await;

    let res = app
        .post(
            "/inspection-tasks",
            &sup.login,
            &[
                ("title", ""),
                ("kind", "inspection"),
                ("start_date", "2023-06-20"),
                ("due_date", "2023-06-01"),
                ("all_units", "0"),
                ("campaign_id", "abc"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text().contains("专项行动无效"),
        "the number check comes first"
    );
    let res = app
        .post(
            "/inspection-tasks",
            &sup.login,
            &[
                ("title", ""),
                ("kind", "inspection"),
                ("start_date", "2023-06-20"),
                ("due_date", "2023-06-01"),
                ("all_units", "0"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text();
    for msg in [
        "任务名称不能为空",
        "检查类型无效，应为 自查、督查、抽查、暗访 或 专项检查",
        "截止日期不能早于开始日期",
        "请选择下达单位，或选择“全部单位”",
    ] {
        assert!(
            html.contains(&format!("<p class=\"field-error\">{msg}</p>")),
            "{msg}"
        );
    }
    let ok_fields = [
        ("title", "越界引用"),
        ("start_date", "2023-06-01"),
        ("due_date", "2023-06-30"),
        ("all_units", "1"),
    ];
    for (name, value, msg) in [
        (
            "campaign_id",
            foreign_campaign.as_str(),
            "专项行动不存在或无权使用",
        ),
        (
            "checklist_id",
            foreign_list.as_str(),
            "检查表不存在、已停用或无权使用",
        ),
    ] {
        let mut form = ok_fields.to_vec();
        form.push((name, value));
        let res = app.post("/inspection-tasks", &sup.login, &form).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        assert!(res.text().contains(msg), "{name}");
    }
    let other_u = other_unit.id.to_string();
    let res = app
        .post(
            "/inspection-tasks",
            &sup.login,
            &[
                ("title", "越界"),
                ("start_date", "2023-06-01"),
                ("due_date", "2023-06-30"),
                ("all_units", "0"),
                ("org_ids", &other_u),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let (n,): (i64,) = app
        .db
        .fetch_one(&Q::new("SELECT COUNT(*) FROM inspection_task"))
        .await
        .unwrap();
    assert_eq!(n, 0);
    assert_eq!(app.audit_count().await, before);
}

#[tokio::test]
async fn units_cannot_issue_and_cannot_touch_the_bureaus_tasks() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let sup = person(&app, "tp_sup", Role::BureauSupervisor, &f.bureau).await;
    let a_head = person(&app, "tp_a", Role::UnitHead, &f.unit_a).await;
    let a_sup = person(&app, "tp_asup", Role::BureauSupervisor, &f.unit_a).await;
    let id = inspection_task::create(
        &app.db,
        &sup.ctx,
        &inspection_task::TaskInput {
            title: "局下达".into(),
            start_date: "2023-06-01".into(),
            due_date: "2023-06-30".into(),
            all_units: true,
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .id;
    assert_eq!(
        app.get("/inspection-tasks/new", &a_head.login).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(
            &format!("/inspection-tasks/{id}/cancel"),
            &a_head.login,
            &[("row_version", "1")]
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    // Assigned to the unit's planner, seen, but not theirs to change.
    assert_eq!(
        app.get(&format!("/inspection-tasks/{id}"), &a_sup.login)
            .await
            .status,
        200
    );
    assert_eq!(
        app.get(&format!("/inspection-tasks/{id}/edit"), &a_sup.login)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert!(matches!(
        inspection_task::cancel(&app.db, &a_sup.ctx, id, 1).await,
        Err(DbError::Forbidden)
    ));
    // The unit's planner issues within its own scope: 全部单位 is its own unit only.
    let res = app
        .post(
            "/inspection-tasks",
            &a_sup.login,
            &[
                ("title", "单位自行下达"),
                ("start_date", "2023-06-01"),
                ("due_date", "2023-06-30"),
                ("all_units", "1"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let (own,): (i64,) = app
        .db
        .fetch_one(&Q::new(
            "SELECT id FROM inspection_task WHERE title = '单位自行下达'",
        ))
        .await
        .unwrap();
    assert_eq!(assigned(&app, own).await, [f.unit_a.id]);
    // A unit with nothing in scope (a site's planner) has no unit to assign to.
    let site_sup = person(&app, "tp_ssup", Role::BureauSupervisor, &f.site_a).await;
    let res = app
        .post(
            "/inspection-tasks",
            &site_sup.login,
            &[
                ("title", "库点下达"),
                ("start_date", "2023-06-01"),
                ("due_date", "2023-06-30"),
                ("all_units", "1"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("您的管辖范围内没有可下达的单位"));
}
