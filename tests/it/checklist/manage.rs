//! Creating, editing and deactivating checklists through the pages: Chinese field errors with
//! the form kept, stale versions refused, audit entries, and who may maintain which checklist.

use axum::http::StatusCode;

use anjian_db::checklist;
use anjian_db::{DbError, Q};
use anjian_domain::role::Role;
use anjian_testkit::TestApp;

use super::support::{audits, insert_checklist, other_bureau, person};

async fn version(app: &TestApp, id: i64) -> i64 {
    let (v,): (i64,) = app
        .db
        .fetch_one(&Q::new("SELECT row_version FROM checklist WHERE id = $1").bind(id))
        .await
        .unwrap();
    v
}

async fn id_of(app: &TestApp, name: &str) -> i64 {
    let (id,): (i64,) = app
        .db
        .fetch_one(&Q::new("SELECT id FROM checklist WHERE name = $1").bind(name))
        .await
        .unwrap();
    id
}

#[tokio::test]
async fn a_supervisor_creates_edits_and_deactivates_a_checklist_with_audit_and_version_checks() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let sup = person(&app, "cl_sup", Role::BureauSupervisor, &f.bureau).await;

    let res = app
        .post(
            "/checklists",
            &sup.login,
            &[
                ("name", " 粮食烘干作业检查表 "),
                ("category", "烘干作业"),
                ("source", "本局规定"),
                ("description", "烘干塔作业前检查"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let id = id_of(&app, "粮食烘干作业检查表").await;
    assert_eq!(res.location(), format!("/checklists/{id}?notice=created"));
    let row = checklist::get(&app.db, &sup.ctx, id).await.unwrap();
    assert_eq!(
        row.checklist.org_id,
        Some(f.bureau.id),
        "owned by the caller's org"
    );
    assert!(!row.checklist.builtin);
    assert_eq!(row.checklist.row_version, 1);
    assert_eq!(
        audits(&app, "checklist", id).await,
        vec![("create".to_string(), Some(f.bureau.id))]
    );

    // The edit form carries the version it showed.
    let form = app.get(&format!("/checklists/{id}/edit"), &sup.login).await;
    assert_eq!(form.status, 200);
    assert!(form.text().contains("name=\"row_version\" value=\"1\""));

    let ok = app
        .post(
            &format!("/checklists/{id}"),
            &sup.login,
            &[
                ("name", "粮食烘干作业安全检查表"),
                ("category", "烘干作业"),
                ("row_version", "1"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text());
    assert_eq!(version(&app, id).await, 2);

    // A second save from the same (now stale) form is refused and changes nothing.
    let stale = app
        .post(
            &format!("/checklists/{id}"),
            &sup.login,
            &[
                ("name", "被覆盖的名称"),
                ("category", "烘干作业"),
                ("row_version", "1"),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let html = stale.text();
    assert!(html.contains("记录已被他人修改，请刷新后重试"));
    assert!(
        html.contains("value=\"被覆盖的名称\""),
        "what the user typed is kept"
    );
    let row = checklist::get(&app.db, &sup.ctx, id).await.unwrap();
    assert_eq!(row.checklist.name, "粮食烘干作业安全检查表");

    // Deactivate: gone from what inspections may use, still on the list with 含已停用.
    let off = app
        .post(
            &format!("/checklists/{id}/deactivate"),
            &sup.login,
            &[("row_version", "2")],
        )
        .await;
    assert_eq!(off.status, StatusCode::SEE_OTHER);
    let usable = checklist::list_usable(&app.db, &sup.ctx).await.unwrap();
    assert!(usable.iter().all(|c| c.id != id));
    assert!(!app
        .get("/checklists", &sup.login)
        .await
        .text()
        .contains("粮食烘干作业安全检查表"));
    assert!(app
        .get("/checklists?include_inactive=1", &sup.login)
        .await
        .text()
        .contains("粮食烘干作业安全检查表"));
    let on = app
        .post(
            &format!("/checklists/{id}/activate"),
            &sup.login,
            &[("row_version", "3")],
        )
        .await;
    assert_eq!(on.status, StatusCode::SEE_OTHER);
    let actions: Vec<String> = audits(&app, "checklist", id)
        .await
        .into_iter()
        .map(|a| a.0)
        .collect();
    assert_eq!(actions, ["create", "update", "deactivate", "activate"]);
}

#[tokio::test]
async fn bad_checklist_input_is_422_with_chinese_messages_and_nothing_written() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let sup = person(&app, "cl_bad", Role::BureauSupervisor, &f.bureau).await;
    let audits_before = app.audit_count().await;
    let long = "长".repeat(101);
    let res = app
        .post(
            "/checklists",
            &sup.login,
            &[("name", &long), ("category", "  ")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text();
    assert!(
        html.contains("<p class=\"field-error\">检查表名称不能超过100个字</p>"),
        "{html}"
    );
    assert!(html.contains("<p class=\"field-error\">类别不能为空</p>"));

    // A name already in the library.
    let dup = app
        .post(
            "/checklists",
            &sup.login,
            &[("name", "消防安全检查表"), ("category", "消防安全")],
        )
        .await;
    assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(dup.text().contains("已有同名检查表，请换一个名称"));

    // A missing version on edit names the field.
    let id = {
        let (id, _) = insert_checklist(&app, f.bureau.id, "局自建表").await;
        id
    };
    let nov = app
        .post(
            &format!("/checklists/{id}"),
            &sup.login,
            &[("name", "局自建表"), ("category", "x")],
        )
        .await;
    assert_eq!(nov.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(nov.text().contains("请填写版本号"));
    assert_eq!(app.audit_count().await, audits_before, "nothing audited");
}

#[tokio::test]
async fn who_sees_and_who_maintains_which_checklist() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let root_sup = person(&app, "cl_root", Role::BureauSupervisor, &f.bureau).await;
    let unit_sup = person(&app, "cl_unit_sup", Role::BureauSupervisor, &f.unit_a).await;
    let a_officer = person(&app, "cl_a", Role::UnitOfficer, &f.unit_a).await;
    let site_a = person(&app, "cl_site_a", Role::Inspector, &f.site_a).await;
    let b_officer = person(&app, "cl_b", Role::UnitOfficer, &f.unit_b).await;
    let (other, other_unit) = other_bureau(&app).await;

    let (bureau_list, _) = insert_checklist(&app, f.bureau.id, "局检查表").await;
    let (a_list, _) = insert_checklist(&app, f.unit_a.id, "甲单位检查表").await;
    let (b_list, _) = insert_checklist(&app, f.unit_b.id, "乙单位检查表").await;
    let (other_list, _) = insert_checklist(&app, other.id, "丙局检查表").await;
    let (other_unit_list, _) = insert_checklist(&app, other_unit.id, "丙局单位检查表").await;
    let builtin = id_of(&app, "消防安全检查表").await;

    let status = |who: &super::support::Person, id: i64| {
        let (app, login) = (&app, who.login.clone());
        async move { app.get(&format!("/checklists/{id}"), &login).await.status }
    };
    // The bureau's and the built-in ones reach every unit and site below.
    for who in [&a_officer, &site_a, &b_officer] {
        assert_eq!(status(who, bureau_list).await, 200);
        assert_eq!(status(who, builtin).await, 200);
    }
    // A unit's own checklist: the unit, its sites and the bureau; not the other unit.
    assert_eq!(status(&a_officer, a_list).await, 200);
    assert_eq!(status(&site_a, a_list).await, 200);
    assert_eq!(status(&root_sup, a_list).await, 200);
    assert_eq!(status(&a_officer, b_list).await, 404);
    assert_eq!(status(&site_a, b_list).await, 404);
    // Another bureau's checklists are invisible to everyone here.
    for who in [&root_sup, &a_officer, &b_officer] {
        assert_eq!(status(who, other_list).await, 404);
        assert_eq!(status(who, other_unit_list).await, 404);
    }
    let usable: Vec<i64> = checklist::list_usable(&app.db, &a_officer.ctx)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert!(usable.contains(&bureau_list) && usable.contains(&a_list) && usable.contains(&builtin));
    assert!(!usable.contains(&b_list) && !usable.contains(&other_list));

    // Maintaining: the built-in library only by the root organisation's supervisors; a unit's
    // supervisor maintains what is owned inside their scope but only reads the bureau's.
    let edit = |who: &super::support::Person, id: i64| {
        let (app, login) = (&app, who.login.clone());
        async move {
            app.get(&format!("/checklists/{id}/edit"), &login)
                .await
                .status
        }
    };
    assert_eq!(edit(&root_sup, builtin).await, 200);
    assert_eq!(edit(&root_sup, a_list).await, 200);
    assert_eq!(edit(&unit_sup, builtin).await, StatusCode::FORBIDDEN);
    assert_eq!(edit(&unit_sup, bureau_list).await, StatusCode::FORBIDDEN);
    assert_eq!(edit(&unit_sup, a_list).await, 200);
    assert_eq!(edit(&unit_sup, b_list).await, 404);
    let refused = app
        .post(
            &format!("/checklists/{builtin}/deactivate"),
            &unit_sup.login,
            &[("row_version", "1")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let err = checklist::set_active(&app.db, &unit_sup.ctx, builtin, false, 1).await;
    assert!(matches!(err, Err(DbError::Forbidden)));
    let err = checklist::set_active(&app.db, &unit_sup.ctx, b_list, false, 1).await;
    assert!(matches!(err, Err(DbError::NotFound)));

    // Viewers without InspectionPlan cannot open the forms or post.
    assert_eq!(
        app.get("/checklists/new", &a_officer.login).await.status,
        StatusCode::FORBIDDEN
    );
    let res = app
        .post(
            "/checklists",
            &a_officer.login,
            &[("name", "越权"), ("category", "x")],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // A unit supervisor's new checklist belongs to the unit.
    let made = checklist::create(
        &app.db,
        &unit_sup.ctx,
        &checklist::ChecklistInput {
            name: "甲单位烘干塔检查表".into(),
            category: "烘干".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(made.org_id, Some(f.unit_a.id));
    assert_eq!(status(&b_officer, made.id).await, 404);
}
