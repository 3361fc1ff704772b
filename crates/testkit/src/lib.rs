//! Test harness: a `TestApp` on a fresh database (SQLite temp file by default, a fresh
//! PostgreSQL schema when ANJIAN_TEST_PG_URL is set), a standard organisation fixture, and
//! request helpers that drive the real router without a socket. No mocks: every test talks to
//! the real database through the real code.

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use tower::ServiceExt;

use anjian_db::org::{self, Org, OrgInput};
use anjian_db::session::{self, Policy};
use anjian_db::user::{self, User};
use anjian_db::{migrate, Ctx, Db, Q};
use anjian_domain::role::Role;
use anjian_web::{AppState, WebConfig};

/// The password of every fixture account.
pub const PASSWORD: &str = "Test-Passw0rd";

pub fn pg_url() -> Option<String> {
    std::env::var("ANJIAN_TEST_PG_URL")
        .ok()
        .filter(|s| !s.is_empty())
}

pub struct TestApp {
    pub db: Db,
    /// The database URL, for code that connects by itself (the CLI).
    pub url: String,
    pub state: AppState,
    pub router: Router,
    pub dir: PathBuf,
    pub config: WebConfig,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("anjian-test-{}", hex(rand::random::<[u8; 8]>())));
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

fn hex(b: [u8; 8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A fresh, migrated, empty database on the backend the environment asks for, and its URL.
pub async fn fresh_db(dir: &std::path::Path) -> (Db, String) {
    match pg_url() {
        Some(url) => {
            let schema = format!("t_{}", hex(rand::random::<[u8; 8]>()));
            let admin = sqlx::PgPool::connect(&url)
                .await
                .expect("connect to ANJIAN_TEST_PG_URL");
            sqlx::query(&format!("CREATE SCHEMA {schema}"))
                .execute(&admin)
                .await
                .expect("create schema");
            admin.close().await;
            let opts = sqlx::postgres::PgConnectOptions::from_str(&url).expect("pg url");
            let db = Db::connect_pg(opts, Some(&schema))
                .await
                .expect("connect pg");
            migrate::migrate(&db).await.expect("migrate pg");
            let sep = if url.contains('?') { '&' } else { '?' };
            (db, format!("{url}{sep}options=-c%20search_path%3D{schema}"))
        }
        None => {
            let path = dir.join("anjian.db");
            let db = Db::connect_sqlite(path.clone()).await.expect("open sqlite");
            migrate::migrate(&db).await.expect("migrate sqlite");
            (db, format!("sqlite://{}", path.display()))
        }
    }
}

impl TestApp {
    pub async fn new() -> TestApp {
        Self::with_policy(Policy::default()).await
    }

    pub async fn with_policy(policy: Policy) -> TestApp {
        Self::with_config(|c| c.policy = policy).await
    }

    /// A test app whose web settings `adjust` changes from the defaults.
    pub async fn with_config(adjust: impl FnOnce(&mut WebConfig)) -> TestApp {
        let dir = temp_dir();
        let (db, url) = fresh_db(&dir).await;
        let mut config = WebConfig {
            policy: Policy::default(),
            upload_limit: 2 * 1024 * 1024,
            secure_cookies: false,
            trust_proxy: false,
            data_dir: dir.clone(),
        };
        adjust(&mut config);
        let state = AppState::new(db.clone(), &config).expect("state");
        let router = anjian_web::app(state.clone());
        TestApp {
            db,
            url,
            state,
            router,
            dir,
            config,
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.db, Db::Postgres(_))
    }

    pub async fn send(&self, req: Request<Body>) -> Resp {
        let res = self
            .router
            .clone()
            .oneshot(req)
            .await
            .expect("router is infallible");
        let status = res.status();
        let headers = res.headers().clone();
        let body = res
            .into_body()
            .collect()
            .await
            .map(|b| b.to_bytes().to_vec())
            .unwrap_or_default();
        Resp {
            status,
            headers,
            body,
        }
    }

    /// A request as a signed-in browser (cookie + CSRF token) or anonymous.
    pub async fn page(
        &self,
        method: Method,
        path: &str,
        who: Option<&Login>,
        form: &[(&str, &str)],
    ) -> Resp {
        let mut b = Request::builder().method(method.clone()).uri(path);
        if let Some(w) = who {
            b = b.header(header::COOKIE, format!("anjian_session={}", w.cookie));
        }
        let body = if method == Method::GET {
            Body::empty()
        } else {
            let mut pairs: Vec<(&str, &str)> = form.to_vec();
            if let Some(w) = who {
                if !pairs.iter().any(|(k, _)| *k == "csrf_token") {
                    pairs.push(("csrf_token", &w.csrf));
                }
            }
            b = b.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            Body::from(serde_urlencoded::to_string(&pairs).expect("form"))
        };
        self.send(b.body(body).expect("request")).await
    }

    pub async fn get(&self, path: &str, who: &Login) -> Resp {
        self.page(Method::GET, path, Some(who), &[]).await
    }

    pub async fn post(&self, path: &str, who: &Login, form: &[(&str, &str)]) -> Resp {
        self.page(Method::POST, path, Some(who), form).await
    }

    /// A JSON API request with a Bearer token (or none).
    pub async fn api(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<serde_json::Value>,
    ) -> Resp {
        let mut b = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let body = match body {
            Some(v) => {
                b = b.header(header::CONTENT_TYPE, "application/json");
                Body::from(v.to_string())
            }
            None => Body::empty(),
        };
        self.send(b.body(body).expect("request")).await
    }

    /// Number of audit entries, for "one entry per mutation" checks.
    pub async fn audit_count(&self) -> i64 {
        let (n,): (i64,) = self
            .db
            .fetch_one(&Q::new("SELECT COUNT(*) FROM audit_log"))
            .await
            .expect("count");
        n
    }

    pub async fn last_audit(&self) -> anjian_db::audit::AuditEntry {
        self.db
            .fetch_one(&Q::new(
                "SELECT id, at, actor_user_id, actor_username, ip, org_id, entity, entity_id, action, before_json, \
                 after_json, prev_hash, hash FROM audit_log ORDER BY id DESC LIMIT 1",
            ))
            .await
            .expect("last audit entry")
    }
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).to_string()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
    pub fn location(&self) -> String {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    }
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| {
                let first = v.split(';').next()?;
                let (k, val) = first.split_once('=')?;
                (k == name).then(|| val.to_string())
            })
    }
}

/// A signed-in browser session.
#[derive(Clone, Debug)]
pub struct Login {
    pub cookie: String,
    pub csrf: String,
    pub user_id: i64,
}

/// The standard tree: a bureau with units A and B, each with one site, and one account per role
/// at the bureau, at unit A and at unit B.
pub struct Fixture {
    pub bureau: Org,
    pub unit_a: Org,
    pub site_a: Org,
    pub unit_b: Org,
    pub site_b: Org,
}

/// A valid 统一社会信用代码 built from a number.
pub fn uscc(n: u32) -> String {
    let first17 = format!("91350100MA{:07}", n);
    let c = anjian_domain::uscc::check_character(&first17).expect("valid charset");
    format!("{first17}{c}")
}

static HASH: OnceLock<String> = OnceLock::new();

async fn password_hash() -> String {
    if let Some(h) = HASH.get() {
        return h.clone();
    }
    let h = user::hash_password(PASSWORD).await.expect("hash");
    HASH.get_or_init(|| h).clone()
}

impl TestApp {
    pub async fn fixture(&self) -> Fixture {
        let ctx = Ctx::system("test");
        let mk = |kind: &str, parent: Option<i64>, name: &str, code: Option<String>| OrgInput {
            kind: kind.into(),
            parent_id: parent,
            name: name.into(),
            uscc: code,
            ..Default::default()
        };
        let bureau = org::create(&self.db, &ctx, &mk("bureau", None, "测试局", None))
            .await
            .expect("bureau");
        let unit_a = org::create(
            &self.db,
            &ctx,
            &mk("unit", Some(bureau.id), "甲单位", Some(uscc(1))),
        )
        .await
        .expect("a");
        let site_a = org::create(&self.db, &ctx, &mk("site", Some(unit_a.id), "甲库点", None))
            .await
            .expect("sa");
        let unit_b = org::create(
            &self.db,
            &ctx,
            &mk("unit", Some(bureau.id), "乙单位", Some(uscc(2))),
        )
        .await
        .expect("b");
        let site_b = org::create(&self.db, &ctx, &mk("site", Some(unit_b.id), "乙库点", None))
            .await
            .expect("sb");
        Fixture {
            bureau,
            unit_a,
            site_a,
            unit_b,
            site_b,
        }
    }

    /// Adds an organisation of `kind` under `parent`; its id.
    pub async fn org_at(&self, kind: &str, parent: i64, name: &str) -> i64 {
        org::create(
            &self.db,
            &Ctx::system("test"),
            &OrgInput {
                kind: kind.into(),
                parent_id: Some(parent),
                name: name.into(),
                ..Default::default()
            },
        )
        .await
        .expect("org")
        .id
    }

    /// Creates an account directly (with the fixture password, no forced change) — the creation
    /// path itself is tested through the routes.
    pub async fn user(&self, username: &str, role: Role, org_id: i64) -> User {
        let now = anjian_db::now();
        let (id,): (i64,) = self
            .db
            .fetch_one(
                &Q::new(
                    "INSERT INTO app_user (username, name, org_id, role, phone, password_hash, must_change_password, \
                     failed_logins, disabled, created_at, updated_at) VALUES ($1, $2, $3, $4, '', $5, $6, 0, $7, $8, $8) \
                     RETURNING id",
                )
                .bind(username)
                .bind(format!("{}-{}", role.label(), username))
                .bind(org_id)
                .bind(role.code())
                .bind(password_hash().await)
                .bind(false)
                .bind(false)
                .bind(now),
            )
            .await
            .expect("insert user");
        self.db
            .fetch_one(
                &Q::new(
                    "SELECT id, username, name, org_id, role, phone, password_hash, must_change_password, \
                     failed_logins, locked_until, disabled, last_login_at, created_at, updated_at FROM app_user WHERE id = $1",
                )
                .bind(id),
            )
            .await
            .expect("user")
    }

    /// Signs a user in without the password round trip (which the auth tests cover).
    pub async fn login_as(&self, u: &User) -> Login {
        let (cookie, s) = session::login(&self.db, u, "127.0.0.1", "test", &self.state.policy)
            .await
            .expect("login");
        Login {
            cookie,
            csrf: s.csrf_token,
            user_id: u.id,
        }
    }

    /// A user with this role at this organisation, signed in.
    pub async fn login_role(&self, role: Role, org_id: i64) -> Login {
        let name = format!(
            "{}_{}_{}",
            role.code(),
            org_id,
            hex(rand::random::<[u8; 8]>()).get(0..6).unwrap_or("")
        );
        let u = self.user(&name, role, org_id).await;
        self.login_as(&u).await
    }

    /// An API token for a user.
    pub async fn token_for(&self, u: &User) -> String {
        session::create_token(&self.db, &Ctx::system("test"), &u.username, "test")
            .await
            .expect("token")
    }
}

/// A multipart/form-data body with text fields and one file field named `file`.
/// The labels of an organisation-filter suggestion answer (`{"items": [{"label": …}]}`).
pub fn suggestion_labels(v: &serde_json::Value) -> Vec<String> {
    v["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|o| o["label"].as_str().unwrap_or_default().to_string())
        .collect()
}

pub fn multipart(fields: &[(&str, &str)], file_name: &str, file: &[u8]) -> (String, Vec<u8>) {
    let boundary = format!("----anjian{}", hex(rand::random::<[u8; 8]>()));
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

impl TestApp {
    /// A multipart upload as a signed-in browser (CSRF token in the query, as the pages do).
    pub async fn upload(&self, path: &str, who: &Login, file_name: &str, file: &[u8]) -> Resp {
        let (ct, body) = multipart(&[], file_name, file);
        let sep = if path.contains('?') { '&' } else { '?' };
        self.send(
            Request::post(format!("{path}{sep}csrf_token={}", who.csrf))
                .header(header::COOKIE, format!("anjian_session={}", who.cookie))
                .header(header::CONTENT_TYPE, ct)
                .body(Body::from(body))
                .expect("request"),
        )
        .await
    }
}

/// The value of the hidden `csrf_token` input of a rendered form.
pub fn hidden_csrf(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("no csrf_token field in: {html}"))
        + marker.len();
    html[start..].split('"').next().unwrap_or("").to_string()
}

impl TestApp {
    /// Signs in through the real login form: GET /login for the pre-session cookie and the
    /// form's CSRF token (which must be that cookie's value), then POST the credentials with both.
    pub async fn login_form(&self, username: &str, password: &str) -> Resp {
        let page = self
            .send(Request::get("/login").body(Body::empty()).expect("request"))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        let pre = page
            .set_cookie("anjian_pre")
            .expect("login page sets the pre-login cookie");
        let token = hidden_csrf(&page.text());
        assert_eq!(token, pre, "the form's token is the double-submit cookie");
        let body = serde_urlencoded::to_string([
            ("username", username),
            ("password", password),
            ("csrf_token", &token),
        ])
        .expect("form");
        self.send(
            Request::post("/login")
                .header(header::COOKIE, format!("anjian_pre={pre}"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .expect("request"),
        )
        .await
    }
}
