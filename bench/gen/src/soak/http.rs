//! One signed-in session: its own cookies (the server's session and CSRF cookies, kept by hand:
//! reqwest is built without its cookie store), the account's API token for JSON writes, and
//! timed requests whose outcome goes to the shared statistics.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use reqwest::header::{HeaderMap, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use reqwest::{Client, Method, StatusCode};
use serde_json::Value;

use crate::stats::Stats;

pub struct Session {
    pub client: Client,
    pub base: String,
    pub token: String,
    cookies: BTreeMap<String, String>,
    /// Requests sent by this session (the workload keeps its write share by them).
    sent: AtomicU64,
}

/// What a request came back with: the status, and the body when the caller wants it.
pub struct Answer {
    pub status: StatusCode,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Result<Value> {
        serde_json::from_slice(&self.body).context("the answer is not JSON")
    }
}

pub fn client(timeout: Duration, conns: usize) -> Result<Client> {
    Ok(Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .pool_max_idle_per_host(conns)
        .build()?)
}

impl Session {
    pub fn new(client: Client, base: &str, token: &str) -> Session {
        Session {
            client,
            base: base.trim_end_matches('/').to_string(),
            token: token.to_string(),
            cookies: BTreeMap::new(),
            sent: AtomicU64::new(0),
        }
    }

    pub fn sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    fn keep_cookies(&mut self, headers: &HeaderMap) {
        for v in headers.get_all(SET_COOKIE) {
            let Ok(v) = v.to_str() else { continue };
            let pair = v.split(';').next().unwrap_or("");
            if let Some((name, value)) = pair.split_once('=') {
                if value.is_empty() || v.to_ascii_lowercase().contains("max-age=0") {
                    self.cookies.remove(name.trim());
                } else {
                    self.cookies
                        .insert(name.trim().to_string(), value.trim().to_string());
                }
            }
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Signs in through the login form, as a browser does: the form's CSRF field and cookie,
    /// then the POST, which must redirect and set the session cookie.
    pub async fn login(&mut self, username: &str, password: &str) -> Result<()> {
        let res = self
            .client
            .get(format!("{}/login", self.base))
            .send()
            .await?;
        self.keep_cookies(res.headers());
        let html = res.text().await?;
        let csrf = hidden_field(&html, "csrf_token").context("no csrf_token on /login")?;
        let form = [
            ("username", username),
            ("password", password),
            ("csrf_token", csrf.as_str()),
        ];
        let res = self
            .client
            .post(format!("{}/login", self.base))
            .header(COOKIE, self.cookie_header())
            .form(&form)
            .send()
            .await?;
        let status = res.status();
        self.keep_cookies(res.headers());
        let to = res
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        if !status.is_redirection() || to.contains("login") {
            bail!("signing in as {username}: HTTP {status}, redirected to {to:?}");
        }
        Ok(())
    }

    /// A page as the signed-in browser session (cookies).
    pub async fn page(&self, stats: &Stats, route: &'static str, path: &str) -> Option<Answer> {
        let req = self
            .client
            .get(format!("{}{path}", self.base))
            .header(COOKIE, self.cookie_header());
        self.sent.fetch_add(1, Ordering::Relaxed);
        timed(stats, route, path, req, StatusCode::OK).await
    }

    /// A JSON API call with the account's bearer token.
    pub async fn api(
        &self,
        stats: &Stats,
        route: &'static str,
        method: Method,
        path: &str,
        body: Option<&Value>,
        expect: StatusCode,
    ) -> Option<Answer> {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req
                .header(CONTENT_TYPE, "application/json")
                .body(serde_json::to_vec(b).expect("a JSON value serialises"));
        }
        self.sent.fetch_add(1, Ordering::Relaxed);
        timed(stats, route, path, req, expect).await
    }

    /// A multipart upload of one file (the attachment API), built by hand: reqwest's multipart
    /// feature would add dependencies for one form.
    pub async fn upload(
        &self,
        stats: &Stats,
        route: &'static str,
        org_id: i64,
        name: &str,
        bytes: &[u8],
    ) -> Option<Answer> {
        let boundary = format!("soak{:016x}", rand::random::<u64>());
        let mut body = Vec::with_capacity(bytes.len() + 512);
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"org_id\"\r\n\r\n{org_id}\r\n\
                 --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let req = self
            .client
            .post(format!("{}/api/v1/attachments", self.base))
            .bearer_auth(&self.token)
            .header(
                CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body);
        self.sent.fetch_add(1, Ordering::Relaxed);
        timed(
            stats,
            route,
            "/api/v1/attachments",
            req,
            StatusCode::CREATED,
        )
        .await
    }
}

/// Sends, times and records one request. Anything but the expected status, a transport error or
/// a timeout counts as an error of the route (with the status and the start of the body).
async fn timed(
    stats: &Stats,
    route: &'static str,
    path: &str,
    req: reqwest::RequestBuilder,
    expect: StatusCode,
) -> Option<Answer> {
    let t = Instant::now();
    let res = req.send().await;
    let out = match res {
        Ok(r) => {
            let status = r.status();
            match r.bytes().await {
                Ok(b) => Ok(Answer {
                    status,
                    body: b.to_vec(),
                }),
                Err(e) => Err(format!("reading the body: {e}")),
            }
        }
        Err(e) if e.is_timeout() => Err("timed out".to_string()),
        Err(e) => Err(format!("transport: {e}")),
    };
    let micros = t.elapsed().as_micros() as u64;
    match out {
        Ok(a) if a.status == expect => {
            stats.ok(route, micros);
            Some(a)
        }
        Ok(a) => {
            let text = String::from_utf8_lossy(&a.body);
            let snippet: String = text.chars().take(200).collect();
            stats.error(
                route,
                micros,
                format!(
                    "{path}: HTTP {} {}",
                    a.status.as_u16(),
                    snippet.replace('\n', " ")
                ),
            );
            None
        }
        Err(e) => {
            stats.error(route, micros, format!("{path}: {e}"));
            None
        }
    }
}

/// The value of the first `<input name=NAME …>` of a page (attributes in any order).
pub fn hidden_field(html: &str, name: &str) -> Option<String> {
    let needle = format!("name=\"{name}\"");
    let at = html.find(&needle)?;
    let start = html[..at].rfind('<')?;
    let end = at + html[at..].find('>')?;
    let tag = &html[start..end];
    let v = tag.find("value=\"")? + "value=\"".len();
    let rest = &tag[v..];
    Some(rest[..rest.find('"')?].to_string())
}

#[cfg(test)]
mod tests {
    use super::hidden_field;

    #[test]
    fn finds_a_hidden_field_whatever_the_attribute_order() {
        let html = r#"<form><input type="hidden" value="abc" name="csrf_token"><input name="x" value="y"></form>"#;
        assert_eq!(hidden_field(html, "csrf_token").as_deref(), Some("abc"));
        assert_eq!(hidden_field(html, "x").as_deref(), Some("y"));
        assert_eq!(hidden_field(html, "nope"), None);
    }
}
