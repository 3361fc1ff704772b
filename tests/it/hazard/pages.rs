//! The pages as a browser uses them: registration with photos in one multipart form, the detail
//! page showing only the forms the caller may use, the loop through those forms, the ledger's
//! badges, the notice and the home page's to-do items.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};

use anjian_db::hazard;
use anjian_domain::hazard::HazardStatus;
use anjian_testkit::{Login, Resp, TestApp};

use super::*;

const PDF: &[u8] = b"%PDF-1.4\n%hazard photo\n";

/// A multipart form with text fields and files `(field, file name, bytes)`, CSRF in the query as
/// the pages send it.
async fn post_multipart(
    app: &TestApp,
    path: &str,
    who: &Login,
    fields: &[(&str, &str)],
    files: &[(&str, &str, &[u8])],
) -> Resp {
    let boundary = "----hazardtestboundary";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    for (field, name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    app.send(
        Request::post(format!("{path}?csrf_token={}", who.csrf))
            .header(header::COOKIE, format!("anjian_session={}", who.cookie))
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

fn id_from(location: &str) -> i64 {
    location
        .trim_start_matches("/hazards/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn register_with_photos_then_walk_the_loop_through_the_forms() {
    let w = world().await;
    let officer = w.app.login_as(&w.officer.user).await;
    let site = w.f.site_a.id.to_string();
    let (found, deadline) = (ds(-1), ds(6));
    let fields = [
        ("org_id", site.as_str()),
        ("location", "2号仓"),
        ("description", "仓内照明灯具防爆等级不足"),
        ("category", "用电安全"),
        ("grade", "general"),
        ("found_on", found.as_str()),
        ("found_by", "张三"),
        ("deadline", deadline.as_str()),
    ];
    // A refused form keeps what was typed and stores no photo.
    let mut bad = fields.to_vec();
    bad[2] = ("description", "");
    let res = post_multipart(
        &w.app,
        "/hazards",
        &officer,
        &bad,
        &[("before_photos", "p.pdf", PDF)],
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("隐患描述不能为空"));
    assert!(res.text().contains("2号仓"));

    let res = post_multipart(
        &w.app,
        "/hazards",
        &officer,
        &fields,
        &[("before_photos", "p.pdf", PDF)],
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let id = id_from(&res.location());
    let d = hazard::get(&w.app.db, &w.officer.ctx, id).await.unwrap();
    assert_eq!(d.attachments_of("before").len(), 1);
    assert_eq!(d.hazard.location, "2号仓");

    // The officer sees the 五落实 and extension forms, not verification.
    let page = w.app.get(&format!("/hazards/{id}"), &officer).await.text();
    assert!(page.contains("<h2>落实整改（五落实）</h2>"));
    assert!(page.contains("申请延期"));
    assert!(!page.contains("复查验收</h2>"));
    assert!(page.contains("登记隐患"), "timeline");

    let v = d.hazard.row_version.to_string();
    let res = w
        .app
        .post(
            &format!("/hazards/{id}/assign"),
            &officer,
            &[
                ("row_version", &v),
                ("owner", "李"),
                ("measures", "更换防爆灯"),
                ("funds", "abc"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("整改资金"));
    let res = w
        .app
        .post(
            &format!("/hazards/{id}/assign"),
            &officer,
            &[
                ("row_version", &v),
                ("owner", "李"),
                ("measures", "更换防爆灯"),
                ("funds", "2400"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    // The same (now stale) form again is a conflict.
    let res = w
        .app
        .post(
            &format!("/hazards/{id}/assign"),
            &officer,
            &[
                ("row_version", &v),
                ("owner", "李"),
                ("measures", "x"),
                ("funds", "1"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);

    let v = row(&w.app, id).await.row_version.to_string();
    let today = ds(0);
    // Submitting without a file is refused naming the evidence; with a PDF it goes through.
    let res = post_multipart(
        &w.app,
        &format!("/hazards/{id}/submit"),
        &officer,
        &[("row_version", &v), ("rectified_on", &today)],
        &[],
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("提交验收须上传整改后的照片或证明材料"));
    let res = post_multipart(
        &w.app,
        &format!("/hazards/{id}/submit"),
        &officer,
        &[
            ("row_version", &v),
            ("rectified_on", &today),
            ("note", "已更换"),
        ],
        &[("after_photos", "after.pdf", PDF)],
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    assert_eq!(
        row(&w.app, id).await.status(),
        HazardStatus::AwaitingVerification
    );

    // The inspector sees the verification forms and closes it.
    let inspector = w.app.login_as(&w.inspector.user).await;
    let page = w
        .app
        .get(&format!("/hazards/{id}"), &inspector)
        .await
        .text();
    assert!(page.contains("复查验收</h2>"));
    assert!(!page.contains("<h2>落实整改（五落实）</h2>"));
    let v = row(&w.app, id).await.row_version.to_string();
    let res = w
        .app
        .post(
            &format!("/hazards/{id}/reject"),
            &inspector,
            &[("row_version", &v), ("reason", "")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("退回须填写原因"));
    let res = w
        .app
        .post(
            &format!("/hazards/{id}/verify"),
            &inspector,
            &[("row_version", &v), ("verified_on", &today)],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(row(&w.app, id).await.status(), HazardStatus::Closed);
    let page = w
        .app
        .get(&format!("/hazards/{id}?notice=verified"), &inspector)
        .await
        .text();
    assert!(page.contains("已验收销号"));
    assert!(page.contains("验收通过，销号"), "timeline entry");
}

#[tokio::test]
async fn ledger_badges_notice_and_home_todo() {
    let w = world().await;
    let overdue = register(&w.app, &w.officer, w.f.site_a.id, "逾期的隐患", -10, -2).await;
    let soon = register(&w.app, &w.officer, w.f.site_a.id, "快到期的隐患", -2, 1).await;
    let head = w.app.login_as(&w.head.user).await;
    let page = w.app.get("/hazards", &head).await.text();
    assert!(page.contains("已逾期"));
    assert!(page.contains("即将到期"));
    let page = w.app.get("/hazards?overdue=1", &head).await.text();
    assert!(page.contains("逾期的隐患"));
    assert!(!page.contains("快到期的隐患"));

    let page = w
        .app
        .get(&format!("/hazards/notice?org_id={}", w.f.unit_a.id), &head)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page.text();
    assert!(text.contains("安全生产事故隐患整改通知书"));
    assert!(text.contains("以下2项事故隐患"));
    assert!(
        text.find("逾期的隐患").unwrap() < text.find("快到期的隐患").unwrap(),
        "by deadline"
    );

    let home = w.app.get("/", &head).await.text();
    assert!(home.contains("/hazards?overdue=1"));
    assert!(home.contains("已逾期未整改的隐患"));
    assert!(home.contains("/hazards?due_soon=1"));
    assert!(home.contains("/hazards?todo=rectify"));
    assert!(!home.contains("/hazards?todo=verify"), "nothing to verify");
    let _ = (overdue, soon);
    // Export answers an Excel file.
    let res = w.app.get("/hazards/export?overdue=1", &head).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.starts_with(b"PK"));
}

#[tokio::test]
async fn immediate_registration_and_major_forms_on_the_page() {
    let w = world().await;
    let inspector = w.app.login_as(&w.inspector.user).await;
    let site = w.f.site_a.id.to_string();
    let today = ds(0);
    let res = post_multipart(
        &w.app,
        "/hazards",
        &inspector,
        &[
            ("org_id", &site),
            ("description", "插线板私拉乱接"),
            ("grade", "general"),
            ("found_on", &today),
            ("immediate", "1"),
        ],
        &[
            ("before_photos", "b.pdf", PDF),
            ("after_photos", "a.pdf", PDF),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let h = row(&w.app, id_from(&res.location())).await;
    assert!(h.immediate);
    assert_eq!(h.status(), HazardStatus::AwaitingVerification);

    // A major hazard shows the plan form and no 五落实 until the plan is complete.
    let mut i = input(w.f.site_a.id, "重大隐患", -1, 30);
    i.grade = "major".into();
    i.major_criterion = "第一条".into();
    let m = hazard::create(&w.app.db, &w.officer.ctx, &i).await.unwrap();
    let officer = w.app.login_as(&w.officer.user).await;
    let page = w
        .app
        .get(&format!("/hazards/{}", m.id), &officer)
        .await
        .text();
    assert!(page.contains("制定治理方案"));
    assert!(!page.contains("<h2>落实整改（五落实）</h2>"));
    let sup = w.app.login_as(&w.supervisor.user).await;
    let page = w.app.get(&format!("/hazards/{}", m.id), &sup).await.text();
    assert!(page.contains("挂牌督办</h2>"));
    let page = w.app.get("/hazards/supervision", &sup).await.text();
    assert!(page.contains("重大隐患"));
}
