//! The pages: every ledger's list, form, detail and board renders; a training recorded through
//! the form with a sign-in photo is counted.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};

use anjian_domain::ledger::LedgerKind;

use super::*;

/// A 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0xF0,
    0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D, 0x1D, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

#[tokio::test]
async fn every_ledger_page_and_board_renders() {
    let c = cast().await;
    let login = c.app.login_as(&c.supervisor.user).await;
    let e = record(
        &c.app,
        &c.officer.ctx,
        LedgerKind::Drill,
        &drill(c.f.unit_a.id, "2023-05-20", "onsite"),
    )
    .await;
    let mut paths = vec![
        "/ledgers".to_string(),
        "/ledgers?period=2023H1".into(),
        format!("/ledgers/entries/{}", e.id),
        format!("/ledgers/entries/{}/edit", e.id),
        "/ledgers/boards/drills".into(),
        "/ledgers/boards/meetings?year=2023".into(),
        "/ledgers/boards/letters?flagged=1".into(),
        "/ledgers/boards/training-hours".into(),
    ];
    for k in LedgerKind::ALL {
        paths.push(format!("/ledgers/{}", k.segment()));
        paths.push(format!("/ledgers/{}/new", k.segment()));
        paths.push(format!("/ledgers/{}/import", k.segment()));
        paths.push(format!(
            "/ledgers/{}?keyword=x&from=2023-01-01&to=2023-12-31&category=1",
            k.segment()
        ));
    }
    for p in &paths {
        let r = c.app.get(p, &login).await;
        assert_eq!(r.status, StatusCode::OK, "{p}: {}", r.text());
    }
    let r = c.app.get("/ledgers?period=2023H9", &login).await;
    assert!(r.text().contains("统计期间格式不正确"));
}

#[tokio::test]
async fn a_training_with_a_sign_in_photo_is_recorded_through_the_form_and_counted() {
    let c = cast().await;
    let login = c.app.login_as(&c.officer.user).await;
    let a = c.f.unit_a.id.to_string();
    let o = c.officer.user.id.to_string();
    let fields = [
        ("org_id", a.as_str()),
        ("entry_date", "2023-04-10"),
        ("title", "熏蒸作业安全培训"),
        ("category", "安全培训"),
        ("hours", "4"),
        ("participants", "25"),
        ("attendee", o.as_str()),
    ];
    let boundary = "----ledgertest";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"签到表.png\"\r\nContent-Type: image/png\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(PNG);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let r = c
        .app
        .send(
            Request::post(format!("/ledgers/training?csrf_token={}", login.csrf))
                .header(header::COOKIE, format!("anjian_session={}", login.cookie))
                .header(
                    header::CONTENT_TYPE,
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let detail = c.app.get(&r.location(), &login).await;
    let html = detail.text();
    assert!(html.contains("熏蒸作业安全培训"));
    assert!(html.contains("签到表.png"), "the photo is attached");
    assert!(html.contains("参训人员（1 人）"));
    let overview = c.app.get("/ledgers?period=2023H1", &login).await.text();
    assert!(overview.contains("1 场（4 学时，25 人次）"), "{overview}");
    let board = c
        .app
        .get("/ledgers/boards/training-hours?year=2023", &login)
        .await
        .text();
    assert!(board.contains("差 8 学时"), "12 − 4 = 8 short");
}

#[tokio::test]
async fn a_wrong_attachment_is_taken_off_an_entry_and_the_removal_is_audited() {
    let c = cast().await;
    let login = c.app.login_as(&c.officer.user).await;
    let e = record(
        &c.app,
        &c.officer.ctx,
        LedgerKind::Drill,
        &drill(c.f.unit_a.id, "2023-05-20", "onsite"),
    )
    .await;
    // The entry page's upload field is `files` (several at once).
    let m = anjian_testkit::multipart(&[], "模糊的照片.png", PNG);
    let r = c
        .app
        .send(
            Request::post(format!(
                "/ledgers/entries/{}/attachments?csrf_token={}",
                e.id, login.csrf
            ))
            .header(header::COOKIE, format!("anjian_session={}", login.cookie))
            .header(header::CONTENT_TYPE, m.0.clone())
            .body(Body::from(multipart_files(&m)))
            .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let d = ledger::get(&c.app.db, &c.officer.ctx, e.id).await.unwrap();
    assert_eq!(d.attachments.len(), 1);
    let aid = d.attachments[0].attachment_id.to_string();
    let remove = format!("/ledgers/entries/{}/attachments/remove", e.id);
    // Another unit's officer cannot see the entry, so the removal reads as not found.
    let other = c.app.login_as(&c.officer_b.user).await;
    let r = c
        .app
        .post(&remove, &other, &[("attachment_id", aid.as_str())])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // An attachment that is not on this entry is not found either; a missing id names the field.
    let r = c
        .app
        .post(&remove, &login, &[("attachment_id", "999999")])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = c.app.post(&remove, &login, &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("请选择要删除的附件"));
    let audits = c.app.audit_count().await;
    let r = c
        .app
        .post(&remove, &login, &[("attachment_id", aid.as_str())])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let html = c.app.get(&r.location(), &login).await.text();
    assert!(html.contains("附件已删除"));
    assert!(!html.contains("模糊的照片.png"));
    assert!(ledger::get(&c.app.db, &c.officer.ctx, e.id)
        .await
        .unwrap()
        .attachments
        .is_empty());
    assert_eq!(c.app.audit_count().await, audits + 1);
    let last = c.app.last_audit().await;
    assert_eq!(
        (last.entity.as_str(), last.action.as_str()),
        ("ledger_entry", "detach")
    );
    assert!(last
        .before_json
        .unwrap_or_default()
        .contains("模糊的照片.png"));
    // The file itself stays: what was once evidence can still be traced.
    let r = c.app.get(&format!("/attachments/{aid}"), &login).await;
    assert_eq!(r.status, StatusCode::OK);
}

/// A testkit multipart body with its file field renamed from `file` to `files`. The boundary is
/// random per body, so the content type must come from the same call.
fn multipart_files(m: &(String, Vec<u8>)) -> Vec<u8> {
    let needle = b"name=\"file\";";
    let at =
        m.1.windows(needle.len())
            .position(|w| w == needle)
            .expect("file field");
    let mut out = m.1[..at].to_vec();
    out.extend_from_slice(b"name=\"files\";");
    out.extend_from_slice(&m.1[at + needle.len()..]);
    out
}
