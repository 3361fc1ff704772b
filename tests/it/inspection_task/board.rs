//! The completion board with hand-computed figures: one unit submitted on time, one late, one
//! not at all and now overdue (its only inspection was deleted). Inspections are written
//! directly, as the inspection module would write them.

use axum::http::Method;

use anjian_db::inspection_task::{self, TaskInput, UnitStatus};
use anjian_db::org::{self, OrgInput};
use anjian_db::Ctx;
use anjian_domain::role::Role;
use anjian_testkit::{uscc, TestApp};

use super::support::{date, delete_inspection, insert_inspection, person};

#[tokio::test]
async fn the_board_counts_on_time_late_and_overdue_units() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let unit_c = org::create(
        &app.db,
        &Ctx::system("test"),
        &OrgInput {
            kind: "unit".into(),
            parent_id: Some(f.bureau.id),
            name: "丙单位".into(),
            uscc: Some(uscc(3)),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let sup = person(&app, "tb_sup", Role::BureauSupervisor, &f.bureau).await;
    let a = person(&app, "tb_a", Role::UnitOfficer, &f.unit_a).await;
    let task = inspection_task::create(
        &app.db,
        &sup.ctx,
        &TaskInput {
            title: "五月安全自查".into(),
            start_date: "2023-05-01".into(),
            due_date: "2023-05-31".into(),
            org_ids: vec![f.unit_a.id, f.unit_b.id, unit_c.id],
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let id = task.id;
    assert_eq!(task.kind, "self_check", "自查 by default");

    // 甲: its site on 05-20 (on time); a later one does not move the date.
    let first = insert_inspection(&app, f.site_a.id, "2023-05-20", None, Some(id)).await;
    insert_inspection(&app, f.unit_a.id, "2023-06-02", None, Some(id)).await;
    // 乙: only after the due date.
    insert_inspection(&app, f.site_b.id, "2023-06-05", None, Some(id)).await;
    // 丙: one on time, but deleted; and one without the task.
    let gone = insert_inspection(&app, unit_c.id, "2023-05-10", None, Some(id)).await;
    delete_inspection(&app, gone).await;
    insert_inspection(&app, unit_c.id, "2023-05-11", None, None).await;

    // Judged the day after the due date.
    let (_, b) = inspection_task::board(&app.db, &sup.ctx, id, date("2023-06-10"))
        .await
        .unwrap();
    assert_eq!(
        (
            b.assigned,
            b.submitted,
            b.on_time,
            b.late,
            b.pending,
            b.overdue
        ),
        (3, 2, 1, 1, 0, 1)
    );
    let rows: Vec<(&str, UnitStatus, Option<chrono::NaiveDate>)> = b
        .rows
        .iter()
        .map(|r| (r.name.as_str(), r.status, r.first_on))
        .collect();
    assert_eq!(
        rows,
        [
            ("甲单位", UnitStatus::OnTime, Some(date("2023-05-20"))),
            ("乙单位", UnitStatus::Late, Some(date("2023-06-05"))),
            ("丙单位", UnitStatus::Overdue, None),
        ]
    );
    assert_eq!(b.rows[0].first_inspection_id, Some(first));

    // On the due date itself 丙 is not yet overdue.
    let (_, b) = inspection_task::board(&app.db, &sup.ctx, id, date("2023-05-31"))
        .await
        .unwrap();
    assert_eq!((b.pending, b.overdue), (1, 0));

    // The page, judged today (long after 2023): the counts at the top and each unit's tag.
    let html = app
        .get(&format!("/inspection-tasks/{id}"), &sup.login)
        .await
        .text();
    assert!(html.contains("已提交 <strong>2/3</strong>"), "{html}");
    assert!(html.contains("（按时 1，逾期提交 1）"));
    assert!(html.contains("逾期未提交 <span class=\"tag danger\">1</span>"));
    assert!(html.contains("<span class=\"tag ok\">已提交（按时）</span>"));
    assert!(html.contains("<span class=\"tag warning\">已提交（逾期）</span>"));
    assert!(html.contains("<span class=\"tag danger\">已逾期</span>"));
    assert!(html.contains(&format!("/inspections/{first}")));

    // Unit A sees the task with its own row only.
    let page = app.get(&format!("/inspection-tasks/{id}"), &a.login).await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains("已提交 <strong>1/1</strong>"));
    assert!(!html.contains("乙单位") && !html.contains("丙单位"));
    assert!(!html.contains("取消任务"));

    // The API agrees.
    let body = app
        .api(
            Method::GET,
            &format!("/api/v1/inspection-tasks/{id}"),
            Some(&sup.token),
            None,
        )
        .await
        .json();
    assert_eq!(body["board"]["submitted"], 2);
    assert_eq!(body["board"]["overdue"], 1);
    assert_eq!(body["board"]["rows"][1]["status"], "late");
    assert_eq!(body["board"]["rows"][2]["status"], "overdue");
    assert_eq!(body["overdue"], true);
    assert_eq!(body["assigned"], 3);
}

#[test]
fn unit_status_at_the_due_date_boundary() {
    let due = date("2023-05-31");
    assert_eq!(
        UnitStatus::of(Some(due), due, date("2023-07-01")),
        UnitStatus::OnTime
    );
    assert_eq!(
        UnitStatus::of(Some(date("2023-06-01")), due, due),
        UnitStatus::Late
    );
    assert_eq!(UnitStatus::of(None, due, due), UnitStatus::Pending);
    assert_eq!(
        UnitStatus::of(None, due, date("2023-06-01")),
        UnitStatus::Overdue
    );
}

#[tokio::test]
async fn a_unit_sees_its_open_task_with_its_status_and_the_link_to_record_it() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let sup = person(&app, "tl_sup", Role::BureauSupervisor, &f.bureau).await;
    let b = person(&app, "tl_b", Role::UnitOfficer, &f.unit_b).await;
    let a = person(&app, "tl_a", Role::UnitOfficer, &f.unit_a).await;
    let leader = person(&app, "tl_lead", Role::BureauLeader, &f.bureau).await;
    let mk = |title: &str, due: &str, units: Vec<i64>| TaskInput {
        title: title.into(),
        start_date: "2023-01-01".into(),
        due_date: due.into(),
        org_ids: units,
        ..Default::default()
    };
    let open = inspection_task::create(
        &app.db,
        &sup.ctx,
        &mk("长期自查任务", "2099-12-31", vec![f.unit_b.id]),
    )
    .await
    .unwrap()
    .id;
    let late = inspection_task::create(
        &app.db,
        &sup.ctx,
        &mk("已过期的任务", "2023-02-01", vec![f.unit_b.id]),
    )
    .await
    .unwrap()
    .id;
    let only_a = inspection_task::create(
        &app.db,
        &sup.ctx,
        &mk("甲单位的任务", "2099-12-31", vec![f.unit_a.id]),
    )
    .await
    .unwrap()
    .id;

    let html = app.get("/inspection-tasks", &b.login).await.text();
    assert!(html.contains("长期自查任务") && html.contains("已过期的任务"));
    assert!(!html.contains("甲单位的任务"));
    assert!(html.contains(&format!("href=\"/inspections/new?task_id={open}\"")));
    assert!(
        html.contains(&format!("href=\"/inspections/new?task_id={late}\"")),
        "late is still submittable"
    );
    assert!(html.contains("<span class=\"tag warning\">进行中</span>"));
    assert!(html.contains("<span class=\"tag danger\">已逾期</span>"));
    assert!(
        !html.contains("下达检查任务"),
        "no issuing without InspectionPlan"
    );
    assert_eq!(
        app.get(&format!("/inspection-tasks/{only_a}"), &b.login)
            .await
            .status,
        404
    );
    assert_eq!(
        app.get(&format!("/inspection-tasks/{open}"), &a.login)
            .await
            .status,
        404
    );

    // Once B submitted, its status turns and the link goes.
    insert_inspection(&app, f.site_b.id, "2023-03-01", None, Some(open)).await;
    let html = app.get("/inspection-tasks", &b.login).await.text();
    assert!(!html.contains(&format!("/inspections/new?task_id={open}\"")));
    assert!(html.contains("<span class=\"tag ok\">已提交</span>"));

    // A bureau leader reads the board but gets no record link and no management buttons.
    let html = app
        .get(&format!("/inspection-tasks/{open}"), &leader.login)
        .await
        .text();
    assert!(html.contains("已提交 <strong>1/1</strong>"));
    assert!(!html.contains("/inspections/new") && !html.contains("取消任务"));
}
