//! The upload size limit: over it (announced or streamed) is a JSON 413 with nothing stored,
//! exactly at it is accepted.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};

use anjian_domain::role::Role;
use anjian_testkit::TestApp;

use super::{assert_error_shape, attachment_count, multipart, stored_files, upload, BOUNDARY};

fn pdf_of_size(n: usize) -> Vec<u8> {
    let mut file = b"%PDF-1.4\n".to_vec();
    file.resize(n, b' ');
    file
}

#[tokio::test]
async fn an_upload_over_the_limit_is_413_and_stores_nothing() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let u = app.user("officer_a", Role::UnitOfficer, f.unit_a.id).await;
    let token = app.token_for(&u).await;
    assert_eq!(app.config.upload_limit, 2 * 1024 * 1024);
    let audits = app.audit_count().await;
    // One byte over, and 32 KiB over (still inside the transport limit's headroom for framing,
    // so the upload's own check is what refuses it).
    for size in [
        app.config.upload_limit + 1,
        app.config.upload_limit + 32 * 1024,
    ] {
        let res = upload(
            &app,
            &token,
            multipart(None, "big.pdf", "application/pdf", &pdf_of_size(size)),
        )
        .await;
        assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE, "{size} bytes");
        assert_error_shape(&res, "payload_too_large");
    }
    assert_eq!(attachment_count(&app).await, 0);
    assert!(stored_files(&app).is_empty());
    assert_eq!(app.audit_count().await, audits);
    // Well under the limit is fine.
    let res = upload(
        &app,
        &token,
        multipart(None, "ok.pdf", "application/pdf", &pdf_of_size(1024 * 1024)),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
}

#[tokio::test]
async fn a_streamed_upload_far_over_the_limit_is_413() {
    // No Content-Length (chunked transfer): the body limit trips while the file is being read.
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let u = app.user("officer_a", Role::UnitOfficer, f.unit_a.id).await;
    let token = app.token_for(&u).await;
    let res = upload(
        &app,
        &token,
        multipart(
            None,
            "huge.pdf",
            "application/pdf",
            &pdf_of_size(3 * 1024 * 1024),
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", res.text());
    assert_error_shape(&res, "payload_too_large");
    assert_eq!(attachment_count(&app).await, 0);
    assert!(stored_files(&app).is_empty());
}

#[tokio::test]
async fn an_upload_announced_over_the_limit_gets_the_json_413() {
    // Browsers and curl always send Content-Length with an upload.
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let u = app.user("officer_a", Role::UnitOfficer, f.unit_a.id).await;
    let token = app.token_for(&u).await;
    let body = multipart(
        None,
        "huge.pdf",
        "application/pdf",
        &pdf_of_size(3 * 1024 * 1024),
    );
    let req = Request::post("/api/v1/attachments")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header(header::CONTENT_LENGTH, body.len())
        .body(Body::from(body))
        .unwrap();
    let res = app.send(req).await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_error_shape(&res, "payload_too_large");
    assert_eq!(attachment_count(&app).await, 0);
}

#[tokio::test]
async fn an_upload_of_exactly_the_limit_is_accepted() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let u = app.user("officer_a", Role::UnitOfficer, f.unit_a.id).await;
    let token = app.token_for(&u).await;
    let file = pdf_of_size(app.config.upload_limit);
    let res = upload(
        &app,
        &token,
        multipart(None, "just.pdf", "application/pdf", &file),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    assert_eq!(res.json()["size_bytes"], app.config.upload_limit);
}
