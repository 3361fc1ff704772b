//! Attachments through the real upload route: the type is decided by content (an HTML page named
//! photo.jpg is refused before anything is stored), images get a thumbnail, downloads are always
//! `attachment` and only within scope, the size limit and the organisation scope hold.

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};

use anjian_db::Q;
use anjian_domain::role::Role;
use anjian_testkit::{Resp, TestApp};

const BOUNDARY: &str = "----anjian-test-boundary-7MA4YWxkTrZu0gW";

// ---------------------------------------------------------------- helpers

/// A multipart/form-data body with optional `org_id` and one `file` part, built by hand.
fn multipart(org_id: Option<&str>, file_name: &str, content_type: &str, bytes: &[u8]) -> Vec<u8> {
    let mut b = Vec::new();
    if let Some(o) = org_id {
        b.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"org_id\"\r\n\r\n{o}\r\n"
            )
            .as_bytes(),
        );
    }
    b.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
             Content-Type: {content_type}\r\n\r\n"
        )
        .as_bytes(),
    );
    b.extend_from_slice(bytes);
    b.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    b
}

async fn upload(app: &TestApp, token: &str, body: Vec<u8>) -> Resp {
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/attachments")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from(body))
        .unwrap();
    app.send(req).await
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in data {
        crc ^= byte as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + byte as u32) % 65521;
        b = (b + a) % 65521;
    }
    (b << 16) | a
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let mut typed = kind.to_vec();
    typed.extend_from_slice(data);
    out.extend_from_slice(&typed);
    out.extend_from_slice(&crc32(&typed).to_be_bytes());
}

/// A valid RGB PNG of `w`×`h` pixels (a colour gradient), with the image data in one stored
/// (uncompressed) deflate block, so no compression library is needed.
fn png(w: u32, h: u32) -> Vec<u8> {
    let mut raw = Vec::new();
    for y in 0..h {
        raw.push(0); // filter: none
        for x in 0..w {
            raw.extend_from_slice(&[(x * 255 / w.max(1)) as u8, (y * 255 / h.max(1)) as u8, 0x80]);
        }
    }
    assert!(raw.len() < 65_535, "one stored block");
    let mut z = vec![0x78, 0x01, 0x01];
    z.extend_from_slice(&(raw.len() as u16).to_le_bytes());
    z.extend_from_slice(&(!(raw.len() as u16)).to_le_bytes());
    z.extend_from_slice(&raw);
    z.extend_from_slice(&adler32(&raw).to_be_bytes());

    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit, truecolour, deflate, no filter, no interlace

    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &z);
    chunk(&mut out, b"IEND", &[]);
    out
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files_under(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

fn stored_files(app: &TestApp) -> Vec<PathBuf> {
    files_under(&app.dir.join("attachments"))
}

async fn attachment_count(app: &TestApp) -> i64 {
    let (n,): (i64,) = app
        .db
        .fetch_one(&Q::new("SELECT COUNT(*) FROM attachment"))
        .await
        .unwrap();
    n
}

fn assert_error_shape(res: &Resp, code: &str) -> serde_json::Value {
    assert!(
        res.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .starts_with("application/json"),
        "JSON error body"
    );
    let body = res.json();
    let keys: Vec<&str> = body
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    let mut keys = keys;
    keys.sort();
    assert_eq!(keys, ["code", "fields", "message"], "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert!(!body["message"].as_str().unwrap_or("").is_empty());
    body
}

// ---------------------------------------------------------------- tests

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
async fn org_id_outside_the_callers_scope_is_422_naming_org_id() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let u = app.user("officer_a", Role::UnitOfficer, f.unit_a.id).await;
    let token = app.token_for(&u).await;
    let image = png(4, 4);
    for org in [
        f.unit_b.id.to_string(),
        f.site_b.id.to_string(),
        f.bureau.id.to_string(),
        "999999".to_string(),
    ] {
        let res = upload(
            &app,
            &token,
            multipart(Some(&org), "p.png", "image/png", &image),
        )
        .await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "org {org}: {}",
            res.text()
        );
        let body = assert_error_shape(&res, "validation_failed");
        assert!(body["fields"]["org_id"].is_string(), "{body}");
    }
    let res = upload(
        &app,
        &token,
        multipart(Some("abc"), "p.png", "image/png", &image),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.json()["fields"]["org_id"].is_string());
    assert_eq!(attachment_count(&app).await, 0);
    // In scope it works.
    let res = upload(
        &app,
        &token,
        multipart(Some(&f.site_a.id.to_string()), "p.png", "image/png", &image),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
}

#[tokio::test]
async fn an_upload_refused_for_its_org_id_stores_no_object() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let u = app.user("officer_a", Role::UnitOfficer, f.unit_a.id).await;
    let token = app.token_for(&u).await;
    let res = upload(
        &app,
        &token,
        multipart(
            Some(&f.unit_b.id.to_string()),
            "p.png",
            "image/png",
            &png(5, 5),
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(attachment_count(&app).await, 0);
    assert_eq!(
        stored_files(&app),
        Vec::<PathBuf>::new(),
        "a refused upload leaves no orphan blob behind"
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

#[tokio::test]
async fn roles_without_upload_permission_get_403() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let leader = app.user("leader", Role::BureauLeader, f.bureau.id).await;
    let token = app.token_for(&leader).await;
    let res = upload(
        &app,
        &token,
        multipart(None, "p.png", "image/png", &png(2, 2)),
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_error_shape(&res, "forbidden");
    assert_eq!(attachment_count(&app).await, 0);
    assert!(stored_files(&app).is_empty());
}

#[tokio::test]
async fn page_upload_needs_the_csrf_token_and_redirects_to_the_download() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let u = app.user("officer_a", Role::UnitOfficer, f.unit_a.id).await;
    let me = app.login_as(&u).await;
    let image = png(3, 3);
    let send = |uri: String| {
        Request::post(uri)
            .header(header::COOKIE, format!("anjian_session={}", me.cookie))
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(Body::from(multipart(None, "p.png", "image/png", &image)))
            .unwrap()
    };
    let res = app.send(send("/attachments".into())).await;
    assert_eq!(
        res.status,
        StatusCode::FORBIDDEN,
        "a cookie alone is not enough"
    );
    let res = app.send(send("/attachments?csrf_token=wrong".into())).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(attachment_count(&app).await, 0);
    let res = app
        .send(send(format!("/attachments?csrf_token={}", me.csrf)))
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let (id,): (i64,) = app
        .db
        .fetch_one(&Q::new("SELECT MAX(id) FROM attachment"))
        .await
        .unwrap();
    assert_eq!(res.location(), format!("/attachments/{id}"));
}
