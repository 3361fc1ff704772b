//! The one story every case tells: someone else saves first (the governing row's version moves
//! on), then a stale form or API body is sent through the real route. It must be refused with
//! 409 and the Chinese stale message, leave every watched row exactly as it was and write no
//! audit entry; the same edit made from a freshly read version must then go through.

use axum::http::{Method, StatusCode};
use serde_json::Value;

use anjian_db::Q;
use anjian_testkit::{Login, Resp, TestApp};

use super::form::Form;

/// The wording most stale refusals use (`stale()` of each module).
pub const STALE: &str = "记录已被他人修改，请刷新后重试";

/// What a response tells the user: the JSON message, or the page's alerts and field errors.
fn messages(res: &Resp) -> Vec<String> {
    if let Ok(j) = serde_json::from_slice::<Value>(&res.body) {
        return vec![j["message"].as_str().unwrap_or_default().to_string()];
    }
    let text = super::form::unescape(&res.text());
    let mut said = Vec::new();
    // Form pages show alerts and field errors; the error page its message under the status.
    for marker in ["role=\"alert\">", "class=\"field-error\">", "</h1><p>"] {
        for part in text.split(marker).skip(1) {
            said.push(part.split('<').next().unwrap_or("").trim().to_string());
        }
    }
    said
}

/// A stale refusal in words: the common message, or a module's own fuller one (the summary's
/// names who saved which version) saying the change was not saved.
fn says_stale(m: &str) -> bool {
    m.contains(STALE) || (m.contains("修改") && m.contains("未保存"))
}

/// What a response says, short enough for a failure message.
pub fn brief(res: &Resp) -> String {
    format!("{} {:?}", res.status, messages(res))
}

/// Rows of a table: those whose `column` equals the value, or all of them.
#[derive(Debug, Clone, Copy)]
pub enum Rows {
    Where(&'static str, &'static str, i64),
    /// Rows keyed by text (settings keyed by name).
    Keyed(&'static str, &'static str, &'static str),
    All(&'static str),
}

impl Rows {
    fn table(self) -> &'static str {
        match self {
            Rows::Where(t, _, _) | Rows::Keyed(t, _, _) | Rows::All(t) => t,
        }
    }

    fn filter(self, q: &mut Q) {
        match self {
            Rows::Where(_, c, v) => {
                q.push(&format!(" WHERE {c} = ")).push_arg(v);
            }
            Rows::Keyed(_, c, v) => {
                q.push(&format!(" WHERE {c} = ")).push_arg(v);
            }
            Rows::All(_) => {}
        }
    }
}

async fn columns(app: &TestApp, table: &str) -> Vec<String> {
    let q = if app.is_postgres() {
        Q::new(
            "SELECT column_name::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
        )
    } else {
        Q::new("SELECT name FROM pragma_table_info($1) ORDER BY cid")
    };
    let rows: Vec<(String,)> = app.db.fetch_all(&q.bind(table)).await.expect("columns");
    assert!(!rows.is_empty(), "table {table} exists");
    rows.into_iter().map(|r| r.0).collect()
}

/// Every column of the rows as text, one line per row in a stable order: "unchanged" means
/// unchanged in every column, not only the ones a case thought of.
pub async fn snapshot(app: &TestApp, rows: &[Rows]) -> Vec<String> {
    let mut out = Vec::new();
    for r in rows {
        let cols = columns(app, r.table()).await;
        let line = cols
            .iter()
            .map(|c| format!("COALESCE(CAST(\"{c}\" AS TEXT), '∅')"))
            .collect::<Vec<_>>()
            .join(" || '|' || ");
        let mut q = Q::new(&format!("SELECT {line} FROM {}", r.table()));
        r.filter(&mut q);
        q.push(" ORDER BY 1");
        let got: Vec<(String,)> = app.db.fetch_all(&q).await.expect("snapshot");
        out.push(format!("[{}]", r.table()));
        out.extend(got.into_iter().map(|g| g.0));
    }
    out
}

/// Someone else's save, as the data layer records it: the version moves on.
pub async fn saved_by_someone_else(app: &TestApp, gov: Rows) {
    let mut q = Q::new(&format!(
        "UPDATE {} SET row_version = row_version + 1",
        gov.table()
    ));
    gov.filter(&mut q);
    let n = app.db.execute(&q).await.expect("bump");
    assert!(n > 0, "{gov:?} has rows to change");
}

/// What a refused request must leave behind, taken right before sending it.
pub struct Before {
    rows: Vec<Rows>,
    snapshot: Vec<String>,
    audits: i64,
}

impl Before {
    pub async fn take(app: &TestApp, rows: &[Rows]) -> Before {
        Before {
            rows: rows.to_vec(),
            snapshot: snapshot(app, rows).await,
            audits: app.audit_count().await,
        }
    }

    /// 409, the Chinese stale message (page or JSON), nothing written, nothing audited.
    pub async fn assert_refused(&self, app: &TestApp, res: &Resp, what: &str) {
        assert_eq!(
            res.status,
            StatusCode::CONFLICT,
            "{what}: a stale version must be refused with 409, got: {}",
            brief(res)
        );
        assert!(
            messages(res).iter().any(|m| says_stale(m)),
            "{what}: the refusal says in Chinese why: {}",
            brief(res)
        );
        if let Ok(j) = serde_json::from_slice::<Value>(&res.body) {
            assert_eq!(j["code"], "conflict", "{what}: {j}");
        }
        self.assert_unchanged(app, what).await;
    }

    pub async fn assert_unchanged(&self, app: &TestApp, what: &str) {
        assert_eq!(
            snapshot(app, &self.rows).await,
            self.snapshot,
            "{what}: the record is unchanged"
        );
        assert_eq!(
            app.audit_count().await,
            self.audits,
            "{what}: no audit entry for a refused change"
        );
    }

    /// The control: the same change from a fresh read is saved and audited, so the refusal was
    /// about the version and nothing else.
    pub async fn assert_saved(&self, app: &TestApp, res: &Resp, what: &str) {
        assert!(
            res.status.is_success() || res.status == StatusCode::SEE_OTHER,
            "{what}: the same edit from a fresh read is accepted, got {}",
            brief(res)
        );
        assert_ne!(
            snapshot(app, &self.rows).await,
            self.snapshot,
            "{what}: the fresh edit changed the record"
        );
        assert!(
            app.audit_count().await > self.audits,
            "{what}: the fresh edit is audited"
        );
    }
}

/// A page form case: the form as a user has it open, the change they make, and optionally a
/// value the server refuses, to check that a form shown again keeps the version it was read at.
pub struct PageEdit<'a> {
    pub app: &'a TestApp,
    pub who: &'a Login,
    /// The page holding the form.
    pub page: String,
    /// The form's action path.
    pub action: String,
    /// A field value singling the form out when the page has several posting to `action`.
    pub pick: Option<(&'static str, String)>,
    /// Whose version a concurrent save moves.
    pub gov: Rows,
    /// Where moving the version alone would break an invariant (a draft's version is the number
    /// of its latest saved text), the other user's save is this edit made through the same form.
    pub rival: Option<Vec<(&'static str, String)>>,
    /// Rows that must stay as they were (the governing row and what the form writes).
    pub watch: Vec<Rows>,
    pub edit: Vec<(&'static str, String)>,
    pub invalid: Option<(&'static str, &'static str)>,
}

impl PageEdit<'_> {
    async fn load(&self) -> Form {
        let res = self.app.get(&self.page, self.who).await;
        assert_eq!(res.status, StatusCode::OK, "{}: {}", self.page, brief(&res));
        self.form_in(&res.text())
    }

    fn form_in(&self, html: &str) -> Form {
        let pick = self.pick.as_ref().map(|(k, v)| (*k, v.as_str()));
        Form::find(html, &self.action, pick)
    }

    fn apply(&self, form: &mut Form) {
        for (k, v) in &self.edit {
            form.set(k, v);
        }
    }

    pub async fn run(self) {
        let what = format!("POST {}", self.action);
        let mut form = self.load().await;
        let read = form.get("row_version").unwrap_or_default().to_string();
        assert!(
            read.parse::<i64>().is_ok(),
            "{what}: the form carries the version it was read at (hidden row_version), got {read:?}"
        );
        match &self.rival {
            None => saved_by_someone_else(self.app, self.gov).await,
            Some(edits) => {
                let mut theirs = self.load().await;
                for (k, v) in edits {
                    theirs.set(k, v);
                }
                let res = theirs.submit(self.app, self.who).await;
                assert_eq!(res.status, StatusCode::SEE_OTHER, "{what}: {}", brief(&res));
            }
        }
        let before = Before::take(self.app, &self.watch).await;

        if let Some((field, bad)) = self.invalid {
            let mut typo = form.clone();
            self.apply(&mut typo);
            typo.set(field, bad);
            let res = typo.submit(self.app, self.who).await;
            before.assert_unchanged(self.app, &what).await;
            match res.status {
                StatusCode::CONFLICT => {}
                StatusCode::UNPROCESSABLE_ENTITY => {
                    // The user fixes the field on the page they were given back.
                    let was = form.get(field).unwrap_or_default().to_string();
                    form = self.form_in(&res.text());
                    form.set(field, &was);
                    assert_eq!(
                        form.get("row_version"),
                        Some(read.as_str()),
                        "{what}: a form shown again for a field error keeps the version it was read at"
                    );
                }
                s => panic!(
                    "{what}: an invalid {field} is 409 or 422, got {s}: {}",
                    brief(&res)
                ),
            }
        }
        self.apply(&mut form);
        let res = form.submit(self.app, self.who).await;
        before.assert_refused(self.app, &res, &what).await;

        let mut fresh = self.load().await;
        assert_ne!(
            fresh.get("row_version"),
            Some(read.as_str()),
            "{what}: a fresh read shows the new version"
        );
        self.apply(&mut fresh);
        let res = fresh.submit(self.app, self.who).await;
        before.assert_saved(self.app, &res, &what).await;
    }
}

/// An API case: the body a client built from what it read, sent after someone else saved; then
/// the same body with the fresh version.
pub struct ApiEdit<'a> {
    pub app: &'a TestApp,
    pub token: &'a str,
    pub method: Method,
    pub path: String,
    /// Where to read the current version, and where in that JSON it is (a JSON pointer such as
    /// "/row_version" or "/hazard/row_version").
    pub read: String,
    pub at: &'static str,
    pub gov: Rows,
    pub watch: Vec<Rows>,
    pub body: Value,
}

impl ApiEdit<'_> {
    async fn version(&self) -> i64 {
        let res = self
            .app
            .api(Method::GET, &self.read, Some(self.token), None)
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}: {}", self.read, brief(&res));
        res.json()
            .pointer(self.at)
            .and_then(Value::as_i64)
            .unwrap_or_else(|| {
                panic!(
                    "{} answers its row_version (documented in the schema): {}",
                    self.read,
                    res.text()
                )
            })
    }

    async fn send(&self, version: i64) -> Resp {
        let mut body = self.body.clone();
        body["row_version"] = version.into();
        self.app
            .api(
                self.method.clone(),
                &self.path,
                Some(self.token),
                Some(body),
            )
            .await
    }

    pub async fn run(self) {
        let what = format!("{} {}", self.method, self.path);
        let read = self.version().await;
        saved_by_someone_else(self.app, self.gov).await;
        let before = Before::take(self.app, &self.watch).await;
        let res = self.send(read).await;
        before.assert_refused(self.app, &res, &what).await;
        let fresh = self.version().await;
        assert_ne!(fresh, read, "{what}: a fresh read shows the new version");
        let res = self.send(fresh).await;
        before.assert_saved(self.app, &res, &what).await;
    }
}
