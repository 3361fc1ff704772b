//! HTTP as the outside world speaks it to a running `anjian`: Bearer-token API calls, multipart
//! uploads, and a cookie-keeping "browser" that signs in through the HTML login form with its
//! CSRF token. Redirects are never followed, so tests see exactly what the server answered.

use std::collections::BTreeMap;
use std::time::Duration;

use reqwest::header::{HeaderMap, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use reqwest::{Client, Method};
use serde_json::Value;

/// One answer, read completely (a 2xx counts as acknowledged only once its body arrived).
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}), status {}: {}", self.status, self.text()))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn location(&self) -> Option<&str> {
        self.headers.get(LOCATION).and_then(|v| v.to_str().ok())
    }
}

pub fn client() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        // Generous: a debug build on two busy cores answers slowly, but never this slowly.
        .timeout(Duration::from_secs(30))
        .build()
        .expect("http client")
}

async fn finish(r: reqwest::Response) -> reqwest::Result<Resp> {
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let body = r.bytes().await?.to_vec();
    Ok(Resp {
        status,
        headers,
        body,
    })
}

/// A JSON API call with a Bearer token. Transport errors (the server died) are returned, not
/// panicked on: the crash test counts them as "not acknowledged".
pub async fn api(
    c: &Client,
    base: &str,
    token: &str,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> reqwest::Result<Resp> {
    let mut rb = c
        .request(method, format!("{base}{path}"))
        .bearer_auth(token);
    if let Some(b) = body {
        rb = rb.json(b);
    }
    finish(rb.send().await?).await
}

/// POST /api/v1/attachments with one `file` part, the multipart body written by hand (the
/// client's multipart feature would pull in a MIME-guessing crate for nothing).
pub async fn upload(
    c: &Client,
    base: &str,
    token: &str,
    name: &str,
    bytes: &[u8],
) -> reqwest::Result<Resp> {
    let boundary = format!("----anjian-process-{:016x}", rand::random::<u64>());
    let mut body = Vec::with_capacity(bytes.len() + 256);
    body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
    body.extend_from_slice(
        format!(
            "Content-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let r = c
        .post(format!("{base}/api/v1/attachments"))
        .bearer_auth(token)
        .header(
            CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await?;
    finish(r).await
}

/// The value of the first `name="csrf_token"` hidden input of a page (login form, layout).
pub fn csrf_of(html: &str) -> Option<String> {
    let at = html.find("name=\"csrf_token\"")?;
    let rest = &html[at..];
    let v = rest.find("value=\"")? + "value=\"".len();
    let end = rest[v..].find('"')?;
    Some(rest[v..v + end].to_string())
}

/// A cookie jar bound to nothing: the same cookies can be sent to either instance, which is
/// the point of the two-instance test.
#[derive(Debug, Default, Clone)]
pub struct Browser {
    pub cookies: BTreeMap<String, String>,
}

impl Browser {
    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep(&mut self, r: &Resp) {
        for v in r.headers.get_all(SET_COOKIE) {
            let Ok(v) = v.to_str() else { continue };
            let Some((k, rest)) = v.split_once('=') else {
                continue;
            };
            let value = rest.split(';').next().unwrap_or("").to_string();
            if value.is_empty() || v.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_string(), value);
            }
        }
    }

    pub async fn get(&mut self, c: &Client, base: &str, path: &str) -> Resp {
        let r = c
            .get(format!("{base}{path}"))
            .header(COOKIE, self.cookie_header())
            .send()
            .await
            .expect("GET");
        let r = finish(r).await.expect("GET body");
        self.keep(&r);
        r
    }

    pub async fn post_form(
        &mut self,
        c: &Client,
        base: &str,
        path: &str,
        form: &[(&str, &str)],
    ) -> Resp {
        let body = form
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect::<Vec<_>>()
            .join("&");
        let r = c
            .post(format!("{base}{path}"))
            .header(COOKIE, self.cookie_header())
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("POST");
        let r = finish(r).await.expect("POST body");
        self.keep(&r);
        r
    }

    /// A JSON call riding on the session cookie, with the session's CSRF token in its header.
    pub async fn post_json(
        &mut self,
        c: &Client,
        base: &str,
        path: &str,
        csrf: &str,
        body: &Value,
    ) -> Resp {
        let r = c
            .post(format!("{base}{path}"))
            .header(COOKIE, self.cookie_header())
            .header("x-csrf-token", csrf)
            .json(body)
            .send()
            .await
            .expect("POST json");
        let r = finish(r).await.expect("POST json body");
        self.keep(&r);
        r
    }

    /// Signs in through the login form: GET /login sets the double-submit cookie and renders
    /// the same token in the form, POST /login sends both back.
    pub async fn login(c: &Client, base: &str, username: &str, password: &str) -> Browser {
        let mut b = Browser::default();
        let page = b.get(c, base, "/login").await;
        assert_eq!(page.status, 200, "login page: {}", page.text());
        let csrf = csrf_of(&page.text()).expect("login form carries a CSRF token");
        let r = b
            .post_form(
                c,
                base,
                "/login",
                &[
                    ("csrf_token", &csrf),
                    ("username", username),
                    ("password", password),
                ],
            )
            .await;
        assert!(
            r.status == 303 && b.cookies.contains_key("anjian_session"),
            "login of {username}: {} {}",
            r.status,
            r.text()
        );
        b
    }
}

fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// True when the text holds at least one CJK character: refusals must speak Chinese.
pub fn has_chinese(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}
