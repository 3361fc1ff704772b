//! The summary page: period and organisation, the text with every figure linked to the records
//! it counts, the downloads, "保存为草稿" and the drafts in scope.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use anjian_db::report::draft::{self, Draft};
use anjian_db::report::text::Summary;
use anjian_db::report::Figures;
use anjian_db::statistics::Figure;
use anjian_db::{FieldErrors, PageReq};
use anjian_domain::ledger::LedgerKind;
use anjian_domain::period::Period;
use anjian_domain::role::Permission;

use super::view::{shown, Links, ShownSection};
use super::{build, export};
use crate::auth::Auth;
use crate::error::{AppError, PageError, PageResult};
use crate::layout::{instant, query_string, Chrome};
use crate::statistics::resolve_period;
use crate::AppState;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ReportQuery {
    pub period: String,
    pub org_id: String,
    pub format: String,
}

/// A draft in the page's list.
pub struct DraftRow {
    pub id: i64,
    pub title: String,
    pub period_label: String,
    pub org_name: String,
    pub version: i64,
    pub updated: String,
    pub updated_by: String,
}

impl DraftRow {
    pub fn new(d: &Draft) -> DraftRow {
        DraftRow {
            id: d.id,
            title: d.title.clone(),
            period_label: d.period_label(),
            org_name: d.org_name.clone(),
            version: d.row_version,
            updated: instant(&d.updated_at),
            updated_by: d.updated_by_name.clone(),
        }
    }
}

/// How many drafts the summary page lists (the latest saved); the API pages through all.
const SHOWN_DRAFTS: i64 = 30;

#[derive(Template)]
#[template(path = "report/index.html")]
struct IndexPage {
    chrome: Chrome,
    q: ReportQuery,
    title: String,
    sections: Vec<ShownSection>,
    base: String,
    findings: Vec<ShownFinding>,
    errors: FieldErrors,
    warnings: Vec<String>,
    drafts: Vec<DraftRow>,
    drafts_total: i64,
    can_write: bool,
    can_settings: bool,
}

/// A finding of the pre-publication check with links to (the first of) its records.
pub struct ShownFinding {
    pub message: String,
    pub count: i64,
    pub links: Vec<(String, String)>,
}

/// How many records of a finding the page links to; the API lists up to 200.
const SHOWN_IDS: usize = 20;

pub(super) fn org_param(v: &str) -> Result<Option<i64>, FieldErrors> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    v.parse::<i64>()
        .map(Some)
        .map_err(|_| FieldErrors::single("org_id", "组织编号必须是整数"))
}

/// Where a figure's records are listed: the statistics' record lists for inspection and hazard
/// figures, the ledger lists and the accident register filtered to the period for theirs. Figures
/// without an exact list (the risk register as it stood at the period's end, fire and flood
/// drills) are shown without a link rather than linked to a list that counts something else.
pub fn figure_link(key: &str, base: &str, period: &Period, org_id: &str) -> Option<String> {
    if Figure::parse(key).is_some() {
        return Some(format!("/statistics/records?{base}&figure={key}"));
    }
    let range = query_string(&[
        ("org_id", org_id.trim().to_string()),
        ("from", period.first.to_string()),
        ("to", period.last.to_string()),
    ]);
    let ledger = |kind: LedgerKind| Some(format!("/ledgers/{}?{range}", kind.segment()));
    match key {
        "funding" => ledger(LedgerKind::Funding),
        "publicity_events" => ledger(LedgerKind::Publicity),
        "trainings" => ledger(LedgerKind::Training),
        "drills" => ledger(LedgerKind::Drill),
        "safety_meetings" => ledger(LedgerKind::Meeting),
        "responsibility_letters_signed" => ledger(LedgerKind::Letter),
        "accidents" | "deaths" | "injuries" => {
            Some(format!("/incidents?event_kind=accident&{range}"))
        }
        _ => None,
    }
}

pub async fn index(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ReportQuery>,
) -> PageResult<Response> {
    let mut page = IndexPage {
        chrome: Chrome::new(&auth, "/reports", "安全生产工作总结").crumb("/reports", "工作总结"),
        q: q.clone(),
        title: String::new(),
        sections: Vec::new(),
        base: String::new(),
        findings: Vec::new(),
        errors: FieldErrors::new(),
        warnings: Vec::new(),
        drafts: Vec::new(),
        drafts_total: 0,
        can_write: auth.ctx().can(Permission::ReportWrite),
        can_settings: auth.ctx().can(Permission::ReportSettings),
    };
    let ctx = auth.ctx();
    let listed = draft::list(
        &state.db,
        &ctx,
        None,
        PageReq::new(Some(1), Some(SHOWN_DRAFTS)),
    )
    .await?;
    page.drafts = listed.items.iter().map(DraftRow::new).collect();
    page.drafts_total = listed.total;
    let asked =
        resolve_period(&q.period, "", "").and_then(|p| org_param(&q.org_id).map(|o| (p, o)));
    let (period, org_id) = match asked {
        Ok(v) => v,
        Err(errors) => {
            page.errors = errors;
            let html = page.render().map_err(PageError::from)?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
        }
    };
    let (_, s, warnings) = build(&state, &auth, &period, org_id).await?;
    let links = Links::new(&period, &q.org_id);
    let base = links.base().to_string();
    page.q.period = period.code();
    page.title = s.title.clone();
    page.sections = shown(&s.sections, &links, None);
    page.warnings = warnings;
    let path = anjian_db::report::subtree_path(&state.db, &ctx, org_id).await?;
    page.findings = anjian_db::report::check::check(&state.db, &ctx, &period, &path)
        .await?
        .into_iter()
        .map(|f| {
            let prefix = match f.record_kind.as_str() {
                "org" => "/orgs/",
                "roster" => "/duty/rosters/",
                "incident" => "/incidents/",
                _ => "/hazards/",
            };
            ShownFinding {
                message: f.message,
                count: f.count,
                links: f
                    .ids
                    .iter()
                    .take(SHOWN_IDS)
                    .map(|id| (format!("{prefix}{id}"), format!("#{id}")))
                    .collect(),
            }
        })
        .collect();
    page.base = base;
    Ok(Html(page.render().map_err(PageError::from)?).into_response())
}

pub(super) fn attachment(content_type: &'static str, name: &str, body: Vec<u8>) -> Response {
    // RFC 5987 filename* so that the Chinese file name survives every browser.
    let encoded: String = form_urlencoded::byte_serialize(name.as_bytes()).collect();
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"report\"; filename*=UTF-8''{encoded}"),
            ),
        ],
        body,
    )
        .into_response()
}

pub async fn download(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ReportQuery>,
) -> PageResult<Response> {
    let period = resolve_period(&q.period, "", "").map_err(AppError::Invalid)?;
    let org_id = org_param(&q.org_id).map_err(AppError::Invalid)?;
    let (f, s, _): (Figures, _, _) = build(&state, &auth, &period, org_id).await?;
    if q.format.trim() == "json" {
        return Ok(attachment(
            "application/json",
            &format!("{}.json", s.title),
            serde_json::to_vec_pretty(&serde_json::json!({ "figures": f, "summary": s }))
                .map_err(|e| AppError::Internal(e.to_string()))?,
        ));
    }
    Ok(export_file(&s, &q.format, &s.title)?)
}

/// The summary as a file in `format` (docx, md or html), named `name` plus the extension.
pub(super) fn export_file(s: &Summary, format: &str, name: &str) -> Result<Response, AppError> {
    Ok(match format.trim() {
        "docx" | "" => attachment(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            &format!("{name}.docx"),
            export::docx(s).map_err(|e| AppError::Internal(e.to_string()))?,
        ),
        "md" => attachment(
            "text/markdown; charset=utf-8",
            &format!("{name}.md"),
            export::markdown(s).into_bytes(),
        ),
        "html" => attachment(
            "text/html; charset=utf-8",
            &format!("{name}.html"),
            export::html(s).into_bytes(),
        ),
        _ => {
            return Err(AppError::Invalid(FieldErrors::single(
                "format",
                "导出格式只能是 docx、md、html 或 json",
            )))
        }
    })
}
