//! What an upload contains decides what happens to it: markup disguised as an image is refused
//! before anything is stored, a PNG is kept byte for byte with a thumbnail and downloads as an
//! `attachment` within scope only, a PDF is recognised whatever its name, and a missing or empty
//! file is refused.

use std::path::PathBuf;

use axum::http::{header, Method, StatusCode};

use anjian_db::Q;
use anjian_domain::role::Role;
use anjian_testkit::TestApp;

use super::{assert_error_shape, attachment_count, multipart, png, stored_files, upload, BOUNDARY};

#[tokio::test]
async fn html_named_photo_jpg_is_refused_and_nothing_is_stored() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let u = app.user("officer_a", Role::UnitOfficer, f.unit_a.id).await;
    let token = app.token_for(&u).await;
    let audits = app.audit_count().await;
    let html = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>";
    let res = upload(
        &app,
        &token,
        multipart(None, "photo.jpg", "image/jpeg", html),
    )
    .await;
    assert_eq!(
        res.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "{}",
        res.text()
    );
    let body = assert_error_shape(&res, "unsupported_media_type");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("不支持的文件类型"),
        "{body}"
    );
    assert_eq!(attachment_count(&app).await, 0, "no attachment row");
    assert_eq!(
        stored_files(&app),
        Vec::<PathBuf>::new(),
        "no stored object"
    );
    assert_eq!(app.audit_count().await, audits);
    // An SVG (script-capable markup) named .png fares no better.
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>";
    let res = upload(&app, &token, multipart(None, "a.png", "image/png", svg)).await;
    assert_eq!(res.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(attachment_count(&app).await, 0);
    assert!(stored_files(&app).is_empty());
}

#[tokio::test]
async fn a_png_is_stored_with_a_thumbnail_and_downloads_as_an_attachment_in_scope_only() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let officer = app.user("officer_a", Role::UnitOfficer, f.unit_a.id).await;
    let token = app.token_for(&officer).await;
    let image = png(24, 16);
    let res = upload(
        &app,
        &token,
        multipart(
            Some(&f.site_a.id.to_string()),
            "现场照片.png",
            "image/png",
            &image,
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let dto = res.json();
    assert_eq!(dto["has_thumb"], true, "{dto}");
    assert_eq!(dto["mime"], "image/png");
    assert_eq!(dto["size_bytes"], image.len());
    assert_eq!(dto["org_id"], f.site_a.id);
    assert_eq!(dto["original_name"], "现场照片.png");
    let id = dto["id"].as_i64().unwrap();
    let sha = dto["sha256"].as_str().unwrap().to_string();
    assert_eq!(sha.len(), 64);

    // The bytes are on disk exactly as sent, plus a thumbnail.
    let files = stored_files(&app);
    assert_eq!(files.len(), 2, "object and thumbnail: {files:?}");
    let object = files
        .iter()
        .find(|p| p.file_name().unwrap().to_string_lossy() == sha)
        .expect("object named by hash");
    assert_eq!(std::fs::read(object).unwrap(), image);
    let audit = app.last_audit().await;
    assert_eq!(
        (audit.entity.as_str(), audit.action.as_str()),
        ("attachment", "create")
    );
    assert_eq!(audit.entity_id, id.to_string());

    let meta = app
        .api(
            Method::GET,
            &format!("/api/v1/attachments/{id}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(meta.status, StatusCode::OK);
    assert_eq!(meta.json()["sha256"], sha.as_str());

    let me = app.login_as(&officer).await;
    let dl = app.get(&format!("/attachments/{id}"), &me).await;
    assert_eq!(dl.status, StatusCode::OK, "{}", dl.text());
    assert_eq!(dl.body, image, "download returns the uploaded bytes");
    assert_eq!(dl.headers.get(header::CONTENT_TYPE).unwrap(), "image/png");
    let disposition = dl
        .headers
        .get(header::CONTENT_DISPOSITION)
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        disposition.starts_with("attachment;"),
        "never inline: {disposition}"
    );
    assert_eq!(
        dl.headers.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(),
        "nosniff"
    );

    let thumb = app.get(&format!("/attachments/{id}/thumb"), &me).await;
    assert_eq!(thumb.status, StatusCode::OK);
    assert_eq!(
        &thumb.body[..8],
        b"\x89PNG\r\n\x1a\n",
        "the thumbnail is a PNG"
    );
    assert_eq!(
        thumb.headers.get(header::CONTENT_TYPE).unwrap(),
        "image/png"
    );

    // The bureau above sees it; another unit does not, not even that it exists.
    let bureau = app.login_role(Role::BureauSupervisor, f.bureau.id).await;
    assert_eq!(
        app.get(&format!("/attachments/{id}"), &bureau).await.status,
        StatusCode::OK
    );
    let other_user = app.user("officer_b", Role::UnitOfficer, f.unit_b.id).await;
    let other = app.login_as(&other_user).await;
    let res = app.get(&format!("/attachments/{id}"), &other).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_ne!(res.body, image);
    assert_eq!(
        app.get(&format!("/attachments/{id}/thumb"), &other)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let other_token = app.token_for(&other_user).await;
    let res = app
        .api(
            Method::GET,
            &format!("/api/v1/attachments/{id}"),
            Some(&other_token),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_error_shape(&res, "not_found");
}

#[tokio::test]
async fn a_pdf_is_accepted_whatever_its_name_and_served_as_pdf() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let u = app.user("officer_a", Role::UnitOfficer, f.unit_a.id).await;
    let token = app.token_for(&u).await;
    let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
        .to_vec();
    let res = upload(
        &app,
        &token,
        multipart(None, "整改报告", "application/octet-stream", &pdf),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let dto = res.json();
    assert_eq!(dto["mime"], "application/pdf");
    assert_eq!(dto["has_thumb"], false);
    assert_eq!(
        dto["org_id"], f.unit_a.id,
        "defaults to the uploader's organisation"
    );
    let (mime, uploaded_by): (String, Option<i64>) = app
        .db
        .fetch_one(
            &Q::new("SELECT mime, uploaded_by FROM attachment WHERE id = $1")
                .bind(dto["id"].as_i64().unwrap()),
        )
        .await
        .unwrap();
    assert_eq!(mime, "application/pdf");
    assert_eq!(uploaded_by, Some(u.id));
    let me = app.login_as(&u).await;
    let dl = app.get(&format!("/attachments/{}", dto["id"]), &me).await;
    assert_eq!(dl.status, StatusCode::OK);
    assert_eq!(
        dl.headers.get(header::CONTENT_TYPE).unwrap(),
        "application/pdf"
    );
    assert_eq!(dl.body, pdf);
    // No thumbnail for a document.
    assert_eq!(
        app.get(&format!("/attachments/{}/thumb", dto["id"]), &me)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn upload_without_a_file_or_with_an_empty_file_is_422() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let u = app.user("officer_a", Role::UnitOfficer, f.unit_a.id).await;
    let token = app.token_for(&u).await;
    let only_org = format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"org_id\"\r\n\r\n{}\r\n--{BOUNDARY}--\r\n", f.unit_a.id);
    let res = upload(&app, &token, only_org.into_bytes()).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.json()["fields"]["file"].is_string());
    let res = upload(
        &app,
        &token,
        multipart(None, "empty.pdf", "application/pdf", b""),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.json()["fields"]["file"].is_string());
    assert_eq!(attachment_count(&app).await, 0);
}
