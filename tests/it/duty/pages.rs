//! Duty pages over HTTP: render with their facts, 404 outside the scope, 403 for read-only roles,
//! 409 with the days named when publishing is refused, downloads, and 422 for bad forms.

use axum::http::{header, Method, StatusCode};

use anjian_domain::role::Role;

use super::roster;
use crate::hazard::world;

#[tokio::test]
async fn roster_pages_downloads_scope_and_roles() {
    let w = world().await;
    let r = roster(
        &w.app,
        &w.officer,
        w.f.unit_a.id,
        "2023-01-20",
        "2023-01-30",
    )
    .await;
    let a = w.app.login_as(&w.officer.user).await;
    let page = w.app.get(&format!("/duty/rosters/{}", r.id), &a).await;
    assert_eq!(page.status, StatusCode::OK);
    let t = page.text();
    assert!(t.contains("2023-01-22（日）"));
    assert!(t.contains("春节放假"));
    assert!(t.contains("春节调休上班"));
    assert!(t.contains("王局长"));
    for (suffix, mime) in [
        (
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ] {
        let before = w.app.audit_count().await;
        let f = w
            .app
            .get(&format!("/duty/rosters/{}/{suffix}", r.id), &a)
            .await;
        assert_eq!(f.status, StatusCode::OK);
        assert_eq!(f.headers[header::CONTENT_TYPE], mime);
        assert_eq!(&f.body[..2], b"PK");
        assert_eq!(
            w.app.audit_count().await,
            before + 1,
            "downloads are audited"
        );
    }
    let print = w
        .app
        .get(&format!("/duty/rosters/{}/print", r.id), &a)
        .await;
    assert!(print.text().contains("24小时值班制度"));
    // Clear a holiday's leader through the page, then publishing is refused naming the day.
    let shifts = anjian_db::duty::shifts(&w.app.db, &w.officer.ctx, r.id)
        .await
        .unwrap();
    let s = shifts
        .iter()
        .find(|s| s.duty_date.to_string() == "2023-01-23")
        .unwrap();
    let sid = s.id.to_string();
    let v = r.row_version.to_string();
    let edit = w
        .app
        .get(&format!("/duty/rosters/{}/shift?shift_id={sid}", r.id), &a)
        .await;
    assert_eq!(edit.status, StatusCode::OK);
    let bad = w
        .app
        .post(
            &format!("/duty/rosters/{}/shift", r.id),
            &a,
            &[
                ("shift_id", &sid),
                ("row_version", &v),
                ("shift_start", "8点"),
                ("leader_phone", "x"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().contains("交班时间格式应为 时:分"));
    assert!(bad.text().contains("带班领导电话格式不正确"));
    let ok = w
        .app
        .post(
            &format!("/duty/rosters/{}/shift", r.id),
            &a,
            &[
                ("shift_id", &sid),
                ("row_version", &v),
                ("shift_start", "08:30"),
                ("shift_hours", "24"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text());
    let v2 = (r.row_version + 1).to_string();
    let refused = w
        .app
        .post(
            &format!("/duty/rosters/{}/publish", r.id),
            &a,
            &[("row_version", &v2)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(refused
        .text()
        .contains("没有带班领导，不能发布：2023-01-23"));
    assert!(refused.text().contains("须安排带班领导"));
    // Unit B: 404 on every roster route; the bureau leader reads but cannot arrange.
    let b = w.app.login_as(&w.officer_b.user).await;
    assert_eq!(
        w.app
            .get(&format!("/duty/rosters/{}", r.id), &b)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        w.app
            .get(&format!("/duty/rosters/{}/xlsx", r.id), &b)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let leader = w
        .app
        .user("duty_pages_leader", Role::BureauLeader, w.f.bureau.id)
        .await;
    let l = w.app.login_as(&leader).await;
    assert_eq!(
        w.app
            .get(&format!("/duty/rosters/{}", r.id), &l)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        w.app.get("/duty/rosters/new", &l).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        w.app
            .post(
                &format!("/duty/rosters/{}/publish", r.id),
                &l,
                &[("row_version", &v2)]
            )
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        w.app
            .post("/duty/calendar", &l, &[("name", "x")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // The API: the same refusal as 409 JSON, and 404 for unit B.
    let token = w.app.token_for(&w.officer.user).await;
    let api = w
        .app
        .api(
            Method::POST,
            &format!("/api/v1/duty/rosters/{}/publish", r.id),
            Some(&token),
            Some(serde_json::json!({"row_version": r.row_version + 1})),
        )
        .await;
    assert_eq!(api.status, StatusCode::CONFLICT);
    assert!(api.json()["message"]
        .as_str()
        .unwrap()
        .contains("2023-01-23"));
    let token_b = w.app.token_for(&w.officer_b.user).await;
    let api_b = w
        .app
        .api(
            Method::GET,
            &format!("/api/v1/duty/rosters/{}", r.id),
            Some(&token_b),
            None,
        )
        .await;
    assert_eq!(api_b.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn overview_calendar_and_logs_pages() {
    let w = world().await;
    let a = w.app.login_as(&w.officer.user).await;
    assert_eq!(w.app.get("/duty", &a).await.status, StatusCode::OK);
    let cal = w.app.get("/duty/calendar?year=2023", &a).await;
    assert!(cal.text().contains("国办发明电〔2022〕16号"));
    assert!(cal.text().contains("2023-01-21 至 2023-01-27"));
    assert!(
        !cal.text().contains("新增日历记录"),
        "unit officers do not edit the calendar"
    );
    // The supervisor adds, is refused an overlap, and deletes.
    let s = w.app.login_as(&w.supervisor.user).await;
    let add = w
        .app
        .post(
            "/duty/calendar",
            &s,
            &[
                ("first_date", "2028-01-01"),
                ("last_date", "2028-01-01"),
                ("kind", "holiday"),
                ("name", "元旦"),
                ("year", "2028"),
            ],
        )
        .await;
    assert_eq!(add.status, StatusCode::SEE_OTHER, "{}", add.text());
    let overlap = w
        .app
        .post(
            "/duty/calendar",
            &s,
            &[
                ("first_date", "2023-01-25"),
                ("last_date", "2023-01-26"),
                ("kind", "holiday"),
                ("name", "x"),
                ("year", "2023"),
            ],
        )
        .await;
    assert_eq!(overlap.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(overlap.text().contains("与已有的日历记录日期重叠"));
    let bad = w
        .app
        .post(
            "/duty/calendar",
            &s,
            &[
                ("first_date", "2023-13-01"),
                ("last_date", ""),
                ("kind", "x"),
                ("name", ""),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().contains("开始日期格式不正确"));
    assert!(bad.text().contains("节日名称不能为空"));
    // Logs: a bad entry is 422 with the field named; a good one shows.
    let org = w.f.unit_a.id.to_string();
    let r = w
        .app
        .post(
            "/duty/logs",
            &a,
            &[("org_id", &org), ("kind", "entry"), ("event", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("事件不能为空"));
    let r = w
        .app
        .post(
            "/duty/logs",
            &a,
            &[
                ("org_id", &org),
                ("kind", "entry"),
                ("event", "巡查库区一切正常"),
                ("notified", "值班领导"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let z = w
        .app
        .post(
            "/duty/zero-reports",
            &a,
            &[
                ("org_id", &org),
                ("report_date", "2023/1/22"),
                ("note", "无"),
            ],
        )
        .await;
    assert_eq!(z.status, StatusCode::SEE_OTHER);
    let again = w
        .app
        .post(
            "/duty/zero-reports",
            &a,
            &[("org_id", &org), ("report_date", "2023-01-22")],
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let page = w.app.get("/duty/logs?from=2023-01-01", &a).await.text();
    assert!(page.contains("巡查库区一切正常"));
    assert!(page.contains("2023-01-22"));
    let bad_range = w.app.get("/duty/logs?from=abc", &a).await.text();
    assert!(bad_range.contains("起始日期格式不正确"));
}
