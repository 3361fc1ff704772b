//! Security headers on every response — each page, export and JSON answer of the walk, the
//! error pages and error JSON, static files — and pages that need no inline script: no inline
//! `<script>`, no `on…=` handler attribute, no `javascript:` URL anywhere the walk went.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};

use anjian_testkit::Resp;

use super::sweep::Actor;
use super::walk::walk;
use super::{world, xss_payload};

fn header_of(res: &Resp, name: &str) -> String {
    res.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// The directive's sources, or None when the policy does not have it.
fn directive<'a>(csp: &'a str, name: &str) -> Option<Vec<&'a str>> {
    csp.split(';').map(str::trim).find_map(|d| {
        let mut parts = d.split_whitespace();
        (parts.next() == Some(name)).then(|| parts.collect())
    })
}

pub fn assert_security_headers(res: &Resp, what: &str) {
    let csp = header_of(res, "content-security-policy");
    assert!(!csp.is_empty(), "{what}: no Content-Security-Policy");
    let scripts = directive(&csp, "script-src")
        .or_else(|| directive(&csp, "default-src"))
        .unwrap_or_else(|| panic!("{what}: CSP without script-src or default-src: {csp}"));
    for bad in [
        "'unsafe-inline'",
        "'unsafe-eval'",
        "*",
        "data:",
        "http:",
        "https:",
    ] {
        assert!(
            !scripts.contains(&bad),
            "{what}: scripts from {bad} allowed: {csp}"
        );
    }
    assert_eq!(
        directive(&csp, "object-src"),
        Some(vec!["'none'"]),
        "{what}: {csp}"
    );
    let frames = directive(&csp, "frame-ancestors");
    let xfo = header_of(res, "x-frame-options");
    assert!(
        frames.as_deref() == Some(&["'none'"][..]) || matches!(xfo.as_str(), "DENY" | "SAMEORIGIN"),
        "{what}: may be framed (X-Frame-Options {xfo:?}, CSP {csp})"
    );
    assert_eq!(
        header_of(res, "x-content-type-options"),
        "nosniff",
        "{what}"
    );
    let referrer = header_of(res, "referrer-policy");
    assert!(
        [
            "no-referrer",
            "same-origin",
            "strict-origin",
            "strict-origin-when-cross-origin"
        ]
        .contains(&referrer.as_str()),
        "{what}: Referrer-Policy {referrer:?}"
    );
}

/// Tags of `html` with their attributes: (tag name, [(attribute, value)]), quotes respected.
pub fn tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut out = Vec::new();
    let b = html.as_bytes();
    let mut i = 0;
    while let Some(off) = html[i..].find('<') {
        i += off + 1;
        if html[i..].starts_with("!--") {
            i = html[i..].find("-->").map_or(b.len(), |e| i + e + 3);
            continue;
        }
        // `</form>` comes out as the tag "/form".
        let closing = html[i..].starts_with('/');
        let start = if closing { i + 1 } else { i };
        let name_end = html[start..]
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .map_or(b.len(), |e| start + e);
        let name = format!(
            "{}{}",
            if closing { "/" } else { "" },
            html[start..name_end].to_ascii_lowercase()
        );
        let mut attrs = Vec::new();
        let mut j = name_end;
        loop {
            while j < b.len() && (b[j].is_ascii_whitespace() || b[j] == b'/') {
                j += 1;
            }
            if j >= b.len() || b[j] == b'>' {
                break;
            }
            let a_start = j;
            while j < b.len() && !b[j].is_ascii_whitespace() && !b"=>".contains(&b[j]) {
                j += 1;
            }
            let attr = html[a_start..j].to_ascii_lowercase();
            let mut value = String::new();
            if j < b.len() && b[j] == b'=' {
                j += 1;
                if j < b.len() && (b[j] == b'"' || b[j] == b'\'') {
                    let q = b[j];
                    let end = b[j + 1..]
                        .iter()
                        .position(|c| *c == q)
                        .map_or(b.len(), |e| j + 1 + e);
                    value = html[j + 1..end.min(b.len())].to_string();
                    j = end + 1;
                } else {
                    let v_start = j;
                    while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' {
                        j += 1;
                    }
                    value = html[v_start..j].to_string();
                }
            }
            attrs.push((attr, value));
        }
        out.push((name, attrs));
        i = j.min(b.len());
    }
    out
}

/// No script the CSP would have to allow inline.
pub fn assert_no_inline_script(html: &str, what: &str) {
    for (name, attrs) in tags(html) {
        for (a, v) in &attrs {
            assert!(
                !a.starts_with("on"),
                "{what}: <{name} {a}=…> is an inline event handler"
            );
            let v = v.trim().to_ascii_lowercase();
            assert!(
                !v.starts_with("javascript:"),
                "{what}: <{name} {a}=\"{v}\">"
            );
        }
        if name == "script" {
            assert!(
                attrs.iter().any(|(a, _)| a == "src"),
                "{what}: inline <script> without src"
            );
        }
    }
    // A script element with a src must still be empty.
    let lower = html.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = lower[from..].find("<script") {
        let open_end = from + at + lower[from + at..].find('>').unwrap_or(0) + 1;
        let close = lower[open_end..]
            .find("</script>")
            .map_or(open_end, |c| open_end + c);
        assert!(
            lower[open_end..close].trim().is_empty(),
            "{what}: script element with inline code"
        );
        from = close.max(open_end);
    }
}

#[tokio::test]
async fn every_response_carries_the_security_headers_and_no_page_needs_inline_script() {
    let s = world::build(xss_payload).await;
    let mut responses: Vec<(String, Resp)> = walk(&s)
        .await
        .into_iter()
        .map(|p| (format!("GET {} ({})", p.path, p.res.status), p.res))
        .collect();
    let head = s.login(Actor::Head).await;
    let token = s.token(Actor::Head).to_string();
    // Error answers the walk does not provoke: a method a route lacks, a body too large, no
    // token, a form without its CSRF token, and public routes.
    let big = vec![b'x'; s.app.config.upload_limit + 200 * 1024];
    let extra: Vec<(String, Request<Body>)> = vec![
        (
            "DELETE /hazards".into(),
            Request::delete("/hazards").body(Body::empty()).unwrap(),
        ),
        (
            "PATCH /api/v1/hazards".into(),
            Request::patch("/api/v1/hazards")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::empty())
                .unwrap(),
        ),
        (
            "GET /api/v1/hazards without token".into(),
            Request::get("/api/v1/hazards").body(Body::empty()).unwrap(),
        ),
        (
            "POST /api/v1/attachments too large".into(),
            Request::post("/api/v1/attachments")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, "multipart/form-data; boundary=x")
                .body(Body::from(big))
                .unwrap(),
        ),
        (
            "POST /hazards without CSRF".into(),
            Request::post("/hazards")
                .header(header::COOKIE, format!("anjian_session={}", head.cookie))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from("description=x"))
                .unwrap(),
        ),
        (
            "GET /hazards anonymous".into(),
            Request::get("/hazards").body(Body::empty()).unwrap(),
        ),
        (
            "GET /static/app.js".into(),
            Request::get("/static/app.js").body(Body::empty()).unwrap(),
        ),
        (
            "GET /static/app.css".into(),
            Request::get("/static/app.css").body(Body::empty()).unwrap(),
        ),
        (
            "GET /healthz".into(),
            Request::get("/healthz").body(Body::empty()).unwrap(),
        ),
        (
            "GET /api/v1/openapi.json".into(),
            Request::get("/api/v1/openapi.json")
                .body(Body::empty())
                .unwrap(),
        ),
    ];
    for (what, req) in extra {
        let res = s.app.send(req).await;
        responses.push((format!("{what} ({})", res.status), res));
    }
    let statuses: std::collections::BTreeSet<u16> =
        responses.iter().map(|(_, r)| r.status.as_u16()).collect();
    for code in [200, 303, 401, 403, 404, 405, 413] {
        assert!(
            statuses.contains(&code),
            "no {code} among the responses checked: {statuses:?}"
        );
    }
    let mut pages = 0;
    for (what, res) in &responses {
        assert_security_headers(res, what);
        let ct = header_of(res, "content-type");
        if ct.starts_with("text/html") {
            pages += 1;
            assert_no_inline_script(&res.text(), what);
        }
        assert!(
            !res.status.is_server_error() || res.status == StatusCode::SERVICE_UNAVAILABLE,
            "{what}"
        );
    }
    eprintln!(
        "headers: {} responses checked, {pages} HTML pages free of inline script",
        responses.len()
    );
}
