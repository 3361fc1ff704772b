//! Attachments through the real upload route: the type is decided by content (an HTML page named
//! photo.jpg is refused before anything is stored), images get a thumbnail, downloads are always
//! `attachment` and only within scope, the size limit and the organisation scope hold.
//!
//! The tests are split into `content` (type sniffing, thumbnails, downloads), `size_limit` and
//! `access` (organisation scope, permission, the page's CSRF token); they share the hand-built
//! multipart body, the PNG generator and the storage checks below.

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{header, Method, Request};

use anjian_db::Q;
use anjian_testkit::{Resp, TestApp};

mod access;
mod content;
mod size_limit;

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
pub(crate) fn png(w: u32, h: u32) -> Vec<u8> {
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
