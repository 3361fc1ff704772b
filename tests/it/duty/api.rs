//! The duty API for what the pages edit: holiday calendar entries, shift swaps, one shift's edit
//! and regenerating a rotation. Each operation: success (with its audit entry), 422 naming the
//! field, 404 for an id outside the caller's scope, 403 for a role without the permission and
//! 409 on a stale row_version — on the real database.

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use anjian_db::duty;
use anjian_domain::role::Role;
use anjian_testkit::{Resp, TestApp};

use super::roster;
use crate::hazard::world;

async fn call(app: &TestApp, m: Method, path: &str, token: &str, body: Option<Value>) -> Resp {
    app.api(m, path, Some(token), body).await
}

/// A 422 whose `fields` names `field` with a Chinese message containing `text`.
fn names(r: &Resp, field: &str, text: &str) {
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let j = r.json();
    let m = j["fields"][field]
        .as_str()
        .unwrap_or_else(|| panic!("no message for {field}: {j}"));
    assert!(m.contains(text), "{field}: {m}");
}

fn conflict(r: &Resp) {
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    assert_eq!(r.json()["code"], "conflict");
    assert!(r.json()["message"].as_str().unwrap().contains("修改"));
}

async fn last_action(app: &TestApp) -> (String, String) {
    let a = app.last_audit().await;
    (a.entity, a.action)
}

#[tokio::test]
async fn calendar_entries_are_created_updated_and_deleted_with_versions() {
    let w = world().await;
    let app = &w.app;
    let sup = app.token_for(&w.supervisor.user).await;
    let officer = app.token_for(&w.officer.user).await;
    let body = json!({"first_date": "2028-01-01", "last_date": "2028-01-01", "kind": "holiday", "name": "元旦"});

    // Only DutySettings edits the calendar.
    let r = call(
        app,
        Method::POST,
        "/api/v1/duty/calendar",
        &officer,
        Some(body.clone()),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = call(
        app,
        Method::POST,
        "/api/v1/duty/calendar",
        &sup,
        Some(json!({
            "first_date": "2028-01-01", "last_date": "2028-01-01", "kind": "节日", "name": "元旦"
        })),
    )
    .await;
    names(&r, "kind", "放假 或 调休上班");
    let before = app.audit_count().await;
    let r = call(
        app,
        Method::POST,
        "/api/v1/duty/calendar",
        &sup,
        Some(body.clone()),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(app.audit_count().await, before + 1);
    assert_eq!(
        last_action(app).await,
        ("holiday_calendar".into(), "create".into())
    );
    let created = r.json();
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["row_version"], 1);
    assert_eq!(created["year"], 2028);
    // The same day again overlaps.
    let r = call(app, Method::POST, "/api/v1/duty/calendar", &sup, Some(body)).await;
    names(&r, "first_date", "重叠");

    let path = format!("/api/v1/duty/calendar/{id}");
    let upd = |v: i64, name: &str| json!({"row_version": v, "first_date": "2028-01-01", "last_date": "2028-01-03", "kind": "holiday", "name": name});
    assert_eq!(
        call(app, Method::PUT, &path, &officer, Some(upd(1, "元旦")))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    names(
        &call(app, Method::PUT, &path, &sup, Some(upd(1, ""))).await,
        "name",
        "节日名称",
    );
    names(
        &call(
            app,
            Method::PUT,
            &path,
            &sup,
            Some(json!({"first_date": "2028-01-01"})),
        )
        .await,
        "row_version",
        "缺少必填字段",
    );
    assert_eq!(
        call(
            app,
            Method::PUT,
            "/api/v1/duty/calendar/987654",
            &sup,
            Some(upd(1, "元旦"))
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let r = call(app, Method::PUT, &path, &sup, Some(upd(1, "元旦"))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["row_version"], 2);
    assert_eq!(r.json()["last_date"], "2028-01-03");
    assert_eq!(
        last_action(app).await,
        ("holiday_calendar".into(), "update".into())
    );
    // The holiday is a day needing a leader from now on.
    let h = duty::holidays_between(&app.db, super::d("2028-01-03"), super::d("2028-01-03"))
        .await
        .unwrap();
    assert_eq!(h.len(), 1);
    conflict(&call(app, Method::PUT, &path, &sup, Some(upd(1, "新年"))).await);

    assert_eq!(
        call(
            app,
            Method::DELETE,
            &format!("{path}?row_version=2"),
            &officer,
            None
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    names(
        &call(app, Method::DELETE, &path, &sup, None).await,
        "row_version",
        "版本号",
    );
    assert_eq!(
        call(
            app,
            Method::DELETE,
            "/api/v1/duty/calendar/987654?row_version=1",
            &sup,
            None
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    conflict(
        &call(
            app,
            Method::DELETE,
            &format!("{path}?row_version=1"),
            &sup,
            None,
        )
        .await,
    );
    let r = call(
        app,
        Method::DELETE,
        &format!("{path}?row_version=2"),
        &sup,
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    assert_eq!(
        last_action(app).await,
        ("holiday_calendar".into(), "delete".into())
    );
    assert_eq!(
        call(
            app,
            Method::DELETE,
            &format!("{path}?row_version=2"),
            &sup,
            None
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn swaps_are_requested_approved_and_rejected_through_the_api() {
    let w = world().await;
    let app = &w.app;
    let r = roster(app, &w.officer, w.f.unit_a.id, "2023-01-20", "2023-01-22").await;
    let shifts = duty::shifts(&app.db, &w.officer.ctx, r.id).await.unwrap();
    let officer = app.token_for(&w.officer.user).await;
    let inspector = app.token_for(&w.inspector.user).await;
    let foreign = app.token_for(&w.officer_b.user).await;
    let leader_u = app
        .user("duty_api_leader", Role::BureauLeader, w.f.bureau.id)
        .await;
    let leader = app.token_for(&leader_u).await;
    let auditor_u = app
        .user("duty_api_auditor", Role::AuditAdmin, w.f.bureau.id)
        .await;
    let auditor = app.token_for(&auditor_u).await;
    let swaps = format!("/api/v1/duty/rosters/{}/swaps", r.id);
    let ask = |shift: i64, role: &str, to: &str| json!({"shift_id": shift, "role": role, "from_name": "张三", "to_name": to, "to_phone": "13800000009", "reason": "家中有事"});

    // Request: the inspector (DutyRecord) may; the bureau leader (read-only) may not.
    assert_eq!(
        call(
            app,
            Method::POST,
            &swaps,
            &leader,
            Some(ask(shifts[0].id, "officer", "钱七"))
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        call(
            app,
            Method::POST,
            &swaps,
            &foreign,
            Some(ask(shifts[0].id, "officer", "钱七"))
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    names(
        &call(
            app,
            Method::POST,
            &swaps,
            &inspector,
            Some(ask(shifts[0].id, "officer", " ")),
        )
        .await,
        "to_name",
        "接班人",
    );
    names(
        &call(
            app,
            Method::POST,
            &swaps,
            &inspector,
            Some(ask(shifts[0].id, "boss", "钱七")),
        )
        .await,
        "role",
        "带班领导或值班人员",
    );
    // Officers are kept as "姓名 电话" lines: a name with a separator would have emptied the
    // shift's whole officer list once the swap was approved.
    names(
        &call(
            app,
            Method::POST,
            &swaps,
            &inspector,
            Some(ask(shifts[0].id, "officer", "钱 七")),
        )
        .await,
        "to_name",
        "不能包含空格",
    );
    let before = app.audit_count().await;
    let req = call(
        app,
        Method::POST,
        &swaps,
        &inspector,
        Some(ask(shifts[0].id, "officer", "钱七")),
    )
    .await;
    assert_eq!(req.status, StatusCode::CREATED, "{}", req.text());
    assert_eq!(app.audit_count().await, before + 1);
    assert_eq!(
        last_action(app).await,
        ("duty_swap".into(), "request".into())
    );
    let sw = req.json();
    assert_eq!(sw["status"], "requested");
    assert_eq!(sw["from_name"], "张三");
    let approve = format!("/api/v1/duty/swaps/{}/approve", sw["id"]);

    // Listing: anyone who sees duty, within scope.
    let list = call(app, Method::GET, &swaps, &leader, None).await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.json().as_array().unwrap().len(), 1);
    assert_eq!(
        call(app, Method::GET, &swaps, &foreign, None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        call(app, Method::GET, &swaps, &auditor, None).await.status,
        StatusCode::FORBIDDEN
    );

    // Approve: roster keepers only, on the roster's current version.
    let v = json!({"row_version": r.row_version});
    assert_eq!(
        call(app, Method::POST, &approve, &inspector, Some(v.clone()))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        call(app, Method::POST, &approve, &foreign, Some(v.clone()))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    names(
        &call(app, Method::POST, &approve, &officer, Some(json!({}))).await,
        "row_version",
        "缺少必填字段",
    );
    conflict(
        &call(
            app,
            Method::POST,
            &approve,
            &officer,
            Some(json!({"row_version": r.row_version + 5})),
        )
        .await,
    );
    let ok = call(app, Method::POST, &approve, &officer, Some(v.clone())).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
    assert_eq!(ok.json()["row_version"], r.row_version + 1);
    assert_eq!(ok.json()["shifts"][0]["officers"][0]["name"], "钱七");
    assert_eq!(
        last_action(app).await,
        ("duty_roster".into(), "approve_swap".into())
    );
    // Decided once only.
    let again = call(
        app,
        Method::POST,
        &approve,
        &officer,
        Some(json!({"row_version": r.row_version + 1})),
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.json()["message"], "该换班申请已处理");

    // Reject: a leader swap declined leaves the leader as it was.
    let req = call(
        app,
        Method::POST,
        &swaps,
        &officer,
        Some(ask(shifts[1].id, "leader", "赵副局长")),
    )
    .await;
    assert_eq!(req.status, StatusCode::CREATED, "{}", req.text());
    let reject = format!("/api/v1/duty/swaps/{}/reject", req.json()["id"]);
    let v2 = json!({"row_version": r.row_version + 1});
    assert_eq!(
        call(app, Method::POST, &reject, &leader, Some(v2.clone()))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        call(app, Method::POST, &reject, &foreign, Some(v2.clone()))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    names(
        &call(
            app,
            Method::POST,
            &reject,
            &officer,
            Some(json!({"row_version": "二"})),
        )
        .await,
        "row_version",
        "类型",
    );
    conflict(&call(app, Method::POST, &reject, &officer, Some(v.clone())).await);
    let ok = call(app, Method::POST, &reject, &officer, Some(v2)).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
    assert_eq!(ok.json()["shifts"][1]["leader_name"], "李副局长");
    assert_eq!(
        last_action(app).await,
        ("duty_roster".into(), "decline_swap".into())
    );
    let list = call(app, Method::GET, &swaps, &officer, None).await.json();
    let statuses: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["declined", "approved"]);
}

#[tokio::test]
async fn a_shift_is_edited_through_the_api_and_a_published_roster_keeps_its_leaders() {
    let w = world().await;
    let app = &w.app;
    let r = roster(app, &w.officer, w.f.unit_a.id, "2023-01-20", "2023-01-30").await;
    let shifts = duty::shifts(&app.db, &w.officer.ctx, r.id).await.unwrap();
    let s23 = shifts
        .iter()
        .find(|s| s.duty_date == super::d("2023-01-23"))
        .unwrap();
    let officer = app.token_for(&w.officer.user).await;
    let inspector = app.token_for(&w.inspector.user).await;
    let foreign = app.token_for(&w.officer_b.user).await;
    let path = format!("/api/v1/duty/shifts/{}", s23.id);
    let body = |v: i64, start: &str, leader: &str| {
        json!({"row_version": v, "shift_name": "全天", "shift_start": start, "shift_hours": 24,
               "leader_name": leader, "leader_phone": "13900000007", "officers": ["周八 13800000008", "吴九"]})
    };
    assert_eq!(
        call(
            app,
            Method::PUT,
            &path,
            &inspector,
            Some(body(1, "09:00", "赵副局长"))
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        call(
            app,
            Method::PUT,
            &path,
            &foreign,
            Some(body(1, "09:00", "赵副局长"))
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    names(
        &call(
            app,
            Method::PUT,
            &path,
            &officer,
            Some(body(r.row_version, "9点", "赵副局长")),
        )
        .await,
        "shift_start",
        "交班时间格式应为 时:分",
    );
    let mut bad = body(r.row_version, "09:00", "赵副局长");
    bad["officers"] = json!(["周八 电话abc"]);
    names(
        &call(app, Method::PUT, &path, &officer, Some(bad)).await,
        "officers",
        "值班人员第1行",
    );
    conflict(
        &call(
            app,
            Method::PUT,
            &path,
            &officer,
            Some(body(r.row_version + 3, "09:00", "赵副局长")),
        )
        .await,
    );
    let before = app.audit_count().await;
    let ok = call(
        app,
        Method::PUT,
        &path,
        &officer,
        Some(body(r.row_version, "09:00", "赵副局长")),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
    assert_eq!(app.audit_count().await, before + 1);
    assert_eq!(
        last_action(app).await,
        ("duty_roster".into(), "update_shift".into())
    );
    let j = ok.json();
    let edited = j["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == s23.id)
        .unwrap()
        .clone();
    assert_eq!(edited["shift_name"], "全天");
    assert_eq!(edited["shift_start"], "09:00");
    assert_eq!(edited["leader_name"], "赵副局长");
    assert_eq!(edited["officers"][1]["name"], "吴九");
    let v = j["row_version"].as_i64().unwrap();
    // Published: clearing a holiday's only leader is refused with the day named.
    let p = call(
        app,
        Method::POST,
        &format!("/api/v1/duty/rosters/{}/publish", r.id),
        &officer,
        Some(json!({"row_version": v})),
    )
    .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.text());
    let refused = call(
        app,
        Method::PUT,
        &path,
        &officer,
        Some(body(v + 1, "09:00", "")),
    )
    .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(refused.json()["message"]
        .as_str()
        .unwrap()
        .contains("2023-01-23"));
}

#[tokio::test]
async fn a_draft_is_regenerated_with_two_shifts_through_the_api() {
    let w = world().await;
    let app = &w.app;
    let r = roster(app, &w.officer, w.f.unit_a.id, "2023-01-20", "2023-01-22").await;
    let officer = app.token_for(&w.officer.user).await;
    let inspector = app.token_for(&w.inspector.user).await;
    let foreign = app.token_for(&w.officer_b.user).await;
    let path = format!("/api/v1/duty/rosters/{}/generate", r.id);
    let body = |v: i64, night: &str| {
        json!({"row_version": v,
               "shifts": [{"name": "白班", "start": "08:30", "hours": 12}, {"name": "夜班", "start": night, "hours": 12}],
               "leaders": ["王局长 13900000001", "李副局长 13900000002", "赵副局长"],
               "officers": ["张三", "李四", "王五", "赵六"], "officers_per_day": 2})
    };
    assert_eq!(
        call(
            app,
            Method::POST,
            &path,
            &inspector,
            Some(body(r.row_version, "20:30"))
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        call(
            app,
            Method::POST,
            &path,
            &foreign,
            Some(body(r.row_version, "20:30"))
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    names(
        &call(
            app,
            Method::POST,
            &path,
            &officer,
            Some(body(r.row_version, "20:00")),
        )
        .await,
        "shifts[1].start",
        "第2个班次：20:00起的班次与前一班次（08:30 起 12 小时）时间重叠",
    );
    conflict(
        &call(
            app,
            Method::POST,
            &path,
            &officer,
            Some(body(r.row_version + 1, "20:30")),
        )
        .await,
    );
    let ok = call(
        app,
        Method::POST,
        &path,
        &officer,
        Some(body(r.row_version, "20:30")),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
    assert_eq!(
        last_action(app).await,
        ("duty_roster".into(), "generate".into())
    );
    let j = ok.json();
    let got: Vec<(String, String, String, usize)> = j["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["duty_date"].as_str().unwrap().to_string(),
                s["shift_name"].as_str().unwrap().to_string(),
                s["leader_name"].as_str().unwrap().to_string(),
                s["officers"].as_array().unwrap().len(),
            )
        })
        .collect();
    let want = [
        ("2023-01-20", "白班", "王局长"),
        ("2023-01-20", "夜班", "李副局长"),
        ("2023-01-21", "白班", "赵副局长"),
        ("2023-01-21", "夜班", "王局长"),
        ("2023-01-22", "白班", "李副局长"),
        ("2023-01-22", "夜班", "赵副局长"),
    ];
    assert_eq!(
        got,
        want.iter()
            .map(|(d, n, l)| (d.to_string(), n.to_string(), l.to_string(), 2))
            .collect::<Vec<_>>()
    );
    // Creating with shifts names the row of a bad one the same way.
    let r = call(app, Method::POST, "/api/v1/duty/rosters", &officer, Some(json!({
        "org_id": w.f.unit_a.id, "name": "两班值班表", "start_date": "2023-02-01", "end_date": "2023-02-02",
        "shifts": [{"name": "白班", "start": "08:30", "hours": 12}, {"name": "白班", "start": "20:30", "hours": 30}]
    })))
    .await;
    names(&r, "shifts[1].name", "班次名称“白班”重复");
    names(
        &r,
        "shifts[1].hours",
        "第2个班次：班次时长应为 1 至 24 小时的整数",
    );
}
