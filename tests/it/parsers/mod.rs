//! Property tests of every importer and of the free-form parsers behind the routes (issue 8,
//! item 6). Uploaded files are arbitrary bytes, damaged workbooks and generated workbooks with
//! arbitrary cells, posted through the real routes; the answer is always a Chinese 4xx or an
//! import, never a 5xx or a crash, and a refused file writes nothing. Where a module writes a
//! file that it also reads (the ledger, hazard and risk exports), export → import → export
//! gives every record twice.
//!
//! One `TestApp` serves all the cases of a property (a database per case would cost seconds),
//! so every check compares counts before and after its own request. Case counts are modest so
//! the module runs in well under a minute; `PROPTEST_CASES=500` searches deeper.

use std::fmt::Debug;

use axum::body::Body;
use axum::http::{header, Request};
use chrono::NaiveDate;
use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestRunner};

use anjian_db::Q;
use anjian_testkit::{multipart, Login, Resp, TestApp};

mod bytes;
mod db_parsers;
mod hazard_rows;
mod ledger_rows;
mod org_rows;
mod query_strings;
mod regressions;
mod risk_rows;
mod workbooks;

/// `default` cases, or `PROPTEST_CASES` when set. Failures are reported with their minimal
/// input; they are kept as plain tests in `regressions.rs`, not in a persistence file.
pub fn config(default: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// The runtime the cases of a property share with its `TestApp`.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// Runs `test` on `cases` inputs drawn from `strategy`; a failure panics with the minimal input.
pub fn check<S: Strategy>(
    cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) where
    S::Value: Debug,
{
    let mut runner = TestRunner::new(config(cases));
    if let Err(e) = runner.run(&strategy, test) {
        panic!("{e}");
    }
}

/// Whether the text has a Chinese character (the messages users read are Chinese).
pub fn has_chinese(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// What a refusal tells the user: the JSON `message` and field messages of the API, the alert
/// of an import page, or the message of an error page.
pub fn message(r: &Resp) -> String {
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&r.body) {
        let mut parts = vec![v["message"].as_str().unwrap_or("").to_string()];
        if let Some(f) = v["fields"].as_object() {
            parts.extend(f.values().filter_map(|m| m.as_str().map(String::from)));
        }
        return parts.join("；");
    }
    let html = r.text();
    // The alert of a page, the message of an error page, and the errors listed at the fields.
    let mut parts = Vec::new();
    for marker in ["role=\"alert\">", "</h1><p>", "class=\"field-error\">"] {
        for s in html.split(marker).skip(1) {
            parts.push(s.split('<').next().unwrap_or("").to_string());
        }
    }
    parts.join("；")
}

/// A clear refusal: a 4xx whose message is Chinese (never a 5xx, never a bare status).
pub fn refused_in_chinese(r: &Resp) -> Result<(), TestCaseError> {
    prop_assert!(
        r.status.is_client_error(),
        "expected a 4xx, got {}: {}",
        r.status,
        r.text().chars().take(400).collect::<String>()
    );
    let m = message(r);
    prop_assert!(has_chinese(&m), "no Chinese message in {}: {m:?}", r.status);
    Ok(())
}

/// Rows in each table an import writes, plus the audit trail: equal before and after a refused
/// import means nothing was written.
pub async fn footprint(app: &TestApp) -> Vec<i64> {
    let mut out = Vec::new();
    for table in [
        "hazard",
        "hazard_event",
        "risk_point",
        "risk",
        "ledger_entry",
        "org",
        "attachment",
        "audit_log",
    ] {
        let (n,): (i64,) = app
            .db
            .fetch_one(&Q::new(&format!("SELECT COUNT(*) FROM {table}")))
            .await
            .expect("count");
        out.push(n);
    }
    out
}

/// An upload as the pages post it (signed-in browser, CSRF token in the query).
pub async fn upload_page(app: &TestApp, path: &str, who: &Login, file: &[u8]) -> Resp {
    app.upload(path, who, "导入.xlsx", file).await
}

/// An upload to the API with a Bearer token; `dry_run` as the import APIs read it.
pub async fn upload_api(
    app: &TestApp,
    path: &str,
    token: &str,
    file: &[u8],
    dry_run: bool,
) -> Resp {
    let fields: Vec<(&str, &str)> = if dry_run {
        vec![("dry_run", "true")]
    } else {
        Vec::new()
    };
    let (ct, body) = multipart(&fields, "导入.xlsx", file);
    app.send(
        Request::post(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .expect("request"),
    )
    .await
}

/// A multipart body with one file under `field` (the testkit's helper always says `file`).
pub fn form_data(field: &str, file_name: &str, file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----anjianparsers7d1f";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{file_name}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The value of the preview's hidden `token` field (empty when there is no confirm form).
pub fn preview_token(html: &str) -> String {
    html.split("name=\"token\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or("")
        .to_string()
}

/// The line numbers "第N行【…】" messages name.
pub fn lines_named(text: &str) -> Vec<usize> {
    text.split("第")
        .skip(1)
        .filter_map(|s| {
            let (n, rest) = s.split_once('行')?;
            rest.starts_with('【').then(|| n.parse().ok())?
        })
        .collect()
}

/// Any day from 1990 to yesterday, as business records carry.
pub fn past_day() -> impl Strategy<Value = NaiveDate> {
    let first = NaiveDate::from_ymd_opt(1990, 1, 1).unwrap();
    let span = (anjian_db::hazard::today() - first).num_days() as u64 - 1;
    (0..=span).prop_map(move |n| first + chrono::Duration::days(n as i64))
}

/// Text a person types in a free-text cell: Chinese, ASCII, punctuation, markup and quotes, of
/// at most `max` characters, trimmed and not empty.
pub fn cell_text(max: usize) -> impl Strategy<Value = String> {
    let pattern = format!("[一-龥a-zA-Z0-9（）()、，。；：“”<>&'\"%_ /-]{{1,{max}}}");
    proptest::string::string_regex(&pattern)
        .expect("pattern")
        .prop_filter_map("blank", |s: String| {
            let t = s.trim().to_string();
            (!t.is_empty()).then_some(t)
        })
}
