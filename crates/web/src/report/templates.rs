//! The wording-template settings page (ReportSettings): every paragraph's template with its
//! saved versions, the figures and words a template may use, save (checked by compiling and
//! rendering for sample periods) and restore default.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use anjian_db::report::engine::{FIGURE_KEYS, WORD_KEYS};
use anjian_db::report::templates::{self, WordingTemplate};
use anjian_db::DbError;

use crate::auth::Auth;
use crate::error::{PageError, PageResult};
use crate::layout::{instant, Chrome};
use crate::AppState;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SaveForm {
    pub key: String,
    pub body: String,
    pub row_version: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PageQuery {
    pub notice: Option<String>,
    pub key: String,
}

pub struct ShownVersion {
    pub version: i64,
    pub body: String,
    pub is_default: bool,
    pub saved: String,
    pub saved_by: String,
}

pub struct ShownTemplate {
    pub key: String,
    /// The section's id on the page, for the redirect after a save.
    pub anchor: String,
    pub label: String,
    pub body: String,
    pub is_default: bool,
    pub row_version: i64,
    pub updated: String,
    pub updated_by: String,
    pub rows: usize,
    pub error: Option<String>,
    pub history: Vec<ShownVersion>,
}

#[derive(Template)]
#[template(path = "report/templates.html")]
struct TemplatesPage {
    chrome: Chrome,
    templates: Vec<ShownTemplate>,
    figures: &'static [(&'static str, &'static str, &'static str)],
    words: &'static [(&'static str, &'static str)],
    failed: bool,
}

/// What a refused save leaves on the page: the template, the text as sent, and why.
struct Refused<'a> {
    key: &'a str,
    /// The text as sent (None for a restore, which sends no text).
    body: Option<&'a str>,
    message: String,
    /// A stale save (409), not a wrong template (422).
    conflict: bool,
}

async fn render(
    state: &AppState,
    auth: &Auth,
    notice: Option<&str>,
    refused: Option<Refused<'_>>,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    let list: Vec<WordingTemplate> = templates::list(&state.db, &ctx).await?;
    let mut shown = Vec::new();
    for t in list {
        let history = templates::history(&state.db, &ctx, &t.key)
            .await?
            .into_iter()
            .map(|v| ShownVersion {
                version: v.version,
                is_default: v.body.is_none(),
                body: v.body.unwrap_or_default(),
                saved: instant(&v.saved_at),
                saved_by: v.saved_by_name,
            })
            .collect();
        let mine = refused.as_ref().filter(|r| r.key == t.key);
        let body = mine
            .and_then(|r| r.body)
            .map(str::to_string)
            .unwrap_or(t.body);
        shown.push(ShownTemplate {
            rows: super::drafts::rows_for(&body, 60, 4, 30),
            error: mine.map(|r| r.message.clone()),
            anchor: anchor(&t.key),
            key: t.key,
            label: t.label,
            body,
            is_default: t.is_default,
            row_version: t.row_version,
            updated: t.updated_at.as_ref().map(instant).unwrap_or_default(),
            updated_by: t.updated_by_name,
            history,
        });
    }
    let failed = refused.is_some();
    let mut chrome = Chrome::new(auth, "/reports", "总结措辞模板")
        .crumb("/reports", "工作总结")
        .crumb("/reports/templates", "措辞模板")
        .notice(notice);
    if notice == Some("restored") {
        chrome.notice = Some("已恢复默认措辞".into());
    }
    let page = TemplatesPage {
        chrome,
        templates: shown,
        figures: FIGURE_KEYS,
        words: WORD_KEYS,
        failed,
    };
    let status = match &refused {
        None => axum::http::StatusCode::OK,
        Some(r) if r.conflict => axum::http::StatusCode::CONFLICT,
        Some(_) => axum::http::StatusCode::UNPROCESSABLE_ENTITY,
    };
    let html = page.render().map_err(PageError::from)?;
    Ok((status, Html(html)).into_response())
}

/// GET /reports/templates
pub async fn page(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<PageQuery>,
) -> PageResult<Response> {
    render(&state, &auth, q.notice.as_deref(), None).await
}

fn anchor(key: &str) -> String {
    format!("t-{}", key.replace('.', "-"))
}

fn version_of(v: &str) -> Result<i64, DbError> {
    v.trim()
        .parse::<i64>()
        .map_err(|_| DbError::invalid("row_version", "缺少版本号，请刷新页面后重试"))
}

async fn store(
    state: &AppState,
    auth: &Auth,
    f: &SaveForm,
    body: Option<&str>,
    notice: &str,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    let result = match version_of(&f.row_version) {
        Ok(v) => templates::save(&state.db, &ctx, f.key.trim(), body, v).await,
        Err(e) => Err(e),
    };
    let refused = |message: String, conflict: bool| Refused {
        key: f.key.trim(),
        body,
        message,
        conflict,
    };
    match result {
        Ok(t) => Ok(Redirect::to(&format!(
            "/reports/templates?notice={notice}#{}",
            anchor(&t.key)
        ))
        .into_response()),
        Err(DbError::Invalid(e)) => {
            let m =
                e.0.into_iter()
                    .map(|(_, m)| m)
                    .collect::<Vec<_>>()
                    .join("；");
            render(state, auth, None, Some(refused(m, false))).await
        }
        Err(DbError::Conflict(m)) => render(state, auth, None, Some(refused(m, true))).await,
        Err(e) => Err(e.into()),
    }
}

/// POST /reports/templates: saves one template's wording.
pub async fn save(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<SaveForm>,
) -> PageResult<Response> {
    store(&state, &auth, &f, Some(&f.body), "saved").await
}

/// POST /reports/templates/restore: the default wording in force again.
pub async fn restore(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<SaveForm>,
) -> PageResult<Response> {
    store(&state, &auth, &f, None, "restored").await
}
