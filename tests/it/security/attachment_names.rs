//! Attachment names as a hostile client sends them: path traversal, absolute paths, control and
//! bidirectional-override characters, very long names. They are stored neutralised, nothing
//! leaves the store's directory, and the download header stays well-formed. Types are decided by
//! content, whatever the name says.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};

use anjian_domain::role::Role;
use anjian_testkit::{Resp, TestApp};

use super::sweep::upload_pdf;

fn files_under(dir: &Path) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(p);
            }
        }
    }
    out
}

/// Format and bidirectional controls (RLO and friends, zero-width joiners, the BOM).
fn invisible(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// `attachment; filename="<ascii>"; filename*=UTF-8''<percent-encoded>` and nothing a client
/// could read as another parameter or header.
fn assert_safe_disposition(res: &Resp, what: &str) {
    let d = res
        .headers
        .get(header::CONTENT_DISPOSITION)
        .unwrap_or_else(|| panic!("{what}: no Content-Disposition"))
        .to_str()
        .unwrap_or_else(|_| panic!("{what}: Content-Disposition is not ASCII"));
    assert!(d.starts_with("attachment;"), "{what}: {d}");
    let (plain, star) = d
        .split_once("; filename*=UTF-8''")
        .unwrap_or_else(|| panic!("{what}: {d}"));
    let quoted = plain
        .trim_start_matches("attachment; filename=\"")
        .trim_end_matches('"');
    assert!(
        quoted
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)),
        "{what}: plain file name {quoted:?}"
    );
    assert!(
        star.chars()
            .all(|c| c.is_ascii_alphanumeric() || "%!#$&+-.^_`|~".contains(c)),
        "{what}: encoded file name {star:?}"
    );
}

#[tokio::test]
async fn hostile_names_are_neutralised_stored_inside_the_store_and_downloaded_safely() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let u = app.user("uploader", Role::UnitOfficer, f.unit_a.id).await;
    let token = app.token_for(&u).await;
    let login = app.login_as(&u).await;
    let before = files_under(&app.dir);
    let long = "很长的文件名".repeat(100) + ".pdf";
    let names = [
        "../../etc/passwd",
        "..\\..\\x.pdf",
        "/etc/passwd",
        "C:\\Windows\\System32\\drivers\\etc\\hosts",
        "report\u{202E}fdp.exe",
        "a\u{2066}b\u{2069}c\u{200F}d\u{FEFF}.pdf",
        "tab\there\u{0085}and\u{009B}c1.pdf",
        "quote\\\"and;semicolon=x.pdf",
        "..",
        long.as_str(),
    ];
    let mut stored = Vec::new();
    for name in names {
        let res = upload_pdf(&app, &token, f.unit_a.id, name).await;
        assert_eq!(res.status, StatusCode::CREATED, "{name:?}: {}", res.text());
        let v = res.json();
        let got = v["original_name"].as_str().unwrap().to_string();
        assert!(!got.is_empty(), "{name:?}: a name remains");
        assert!(
            !got.contains(['/', '\\']),
            "{name:?} → {got:?}: still a path"
        );
        assert!(
            !got.starts_with('.'),
            "{name:?} → {got:?}: hidden or parent"
        );
        assert!(
            !got.chars().any(invisible),
            "{name:?} → {got:?}: control or bidi characters"
        );
        assert!(
            got.chars().count() <= 100,
            "{name:?}: {} characters kept",
            got.chars().count()
        );
        stored.push((name, got, v["id"].as_i64().unwrap()));
    }
    let by_name = |n: &str| {
        stored
            .iter()
            .find(|(name, _, _)| *name == n)
            .unwrap()
            .1
            .clone()
    };
    assert_eq!(by_name("../../etc/passwd"), "passwd");
    assert_eq!(by_name("..\\..\\x.pdf"), "x.pdf");
    assert_eq!(by_name("report\u{202E}fdp.exe"), "reportfdp.exe");
    assert!(
        by_name(&long).ends_with(".pdf"),
        "a shortened name keeps its extension"
    );

    // Only the store's own files appeared, all inside it and named by content.
    let store = app.dir.join("attachments");
    let added: Vec<PathBuf> = files_under(&app.dir).difference(&before).cloned().collect();
    assert!(!added.is_empty());
    for p in &added {
        assert!(p.starts_with(&store), "{} outside the store", p.display());
        let file = p.file_name().unwrap().to_string_lossy().to_string();
        assert!(
            file.chars().all(|c| c.is_ascii_hexdigit()),
            "{} is not a content hash",
            p.display()
        );
    }
    assert!(!app.dir.join("etc").exists() && !store.join("etc").exists());

    for (name, _, id) in &stored {
        let res = app.get(&format!("/attachments/{id}"), &login).await;
        assert_eq!(res.status, StatusCode::OK, "{name:?}");
        assert_safe_disposition(&res, name);
        assert_eq!(res.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    }
}

#[tokio::test]
async fn names_with_raw_control_bytes_are_refused_and_nothing_is_stored() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let u = app.user("uploader", Role::UnitOfficer, f.unit_a.id).await;
    let token = app.token_for(&u).await;
    let before = files_under(&app.dir);
    for raw in ["nul\0.pdf", "cr\r\nX-Injected: 1\r\n.pdf", "bell\x07.pdf"] {
        let res = upload_pdf(&app, &token, f.unit_a.id, raw).await;
        assert!(
            res.status.is_client_error(),
            "{raw:?}: {} {}",
            res.status,
            res.text()
        );
        assert!(res.headers.get("x-injected").is_none());
    }
    let (n,): (i64,) = app
        .db
        .fetch_one(&anjian_db::Q::new("SELECT COUNT(*) FROM attachment"))
        .await
        .unwrap();
    assert_eq!(n, 0);
    assert_eq!(files_under(&app.dir), before);
}

/// Markup or a program under a picture's name is refused; what is accepted is served as what it
/// is, as a download.
#[tokio::test]
async fn uploads_are_typed_by_content_not_by_name() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let u = app.user("uploader", Role::UnitOfficer, f.unit_a.id).await;
    let token = app.token_for(&u).await;
    let login = app.login_as(&u).await;
    let refused: [(&str, &[u8]); 5] = [
        ("photo.jpg", b"<!DOCTYPE html><script>alert(1)</script>"),
        ("photo.png", b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>"),
        ("photo.jpg", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00This program cannot be run in DOS mode"),
        ("scan.pdf", b"\x7fELF\x02\x01\x01\x00"),
        ("doc.docx", b"PK\x03\x04 a zip that is not an Office document"),
    ];
    for (name, bytes) in refused {
        let (ct, body) =
            anjian_testkit::multipart(&[("org_id", &f.unit_a.id.to_string())], name, bytes);
        let res = app
            .send(
                Request::builder()
                    .method(Method::POST)
                    .uri("/api/v1/attachments")
                    .header(header::AUTHORIZATION, format!("Bearer {token}"))
                    .header(header::CONTENT_TYPE, ct)
                    .body(Body::from(body))
                    .unwrap(),
            )
            .await;
        assert_eq!(
            res.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{name}: {}",
            res.text()
        );
    }
    // A GIF header in front of markup is a GIF: served as image/gif, as a download, never sniffed.
    let polyglot = b"GIF89a\x01\x00\x01\x00<script>alert(1)</script>";
    let (ct, body) = anjian_testkit::multipart(&[], "x.html", polyglot);
    let res = app
        .send(
            Request::post("/api/v1/attachments")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, ct)
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let id = res.json()["id"].as_i64().unwrap();
    let res = app.get(&format!("/attachments/{id}"), &login).await;
    assert_eq!(res.headers[header::CONTENT_TYPE], "image/gif");
    assert_safe_disposition(&res, "polyglot");
    assert_eq!(res.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
}
