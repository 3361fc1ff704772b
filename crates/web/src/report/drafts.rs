//! Draft pages: "保存为草稿" from the summary page, a draft's version with its figures linked and
//! flagged where the records changed since, the version list, the edit form (a textarea per
//! section, figures as markers 【80|inspections】) and the downloads of any version.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use anjian_db::report::draft::{
    self, figure_changes, Draft, DraftInput, DraftSection, DraftVersion, FigureChange,
};
use anjian_db::{DbError, FieldErrors};
use anjian_domain::role::Permission;

use super::pages::{export_file, org_param, DraftRow};
use super::view::{shown, Compare, Links, ShownSection};
use crate::auth::Auth;
use crate::error::{AppError, PageError, PageResult};
use crate::extract::Id;
use crate::layout::{instant, Chrome};
use crate::statistics::resolve_period;
use crate::AppState;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CreateForm {
    pub period: String,
    pub org_id: String,
}

/// POST /reports/drafts: the summary of the period as a new draft.
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<CreateForm>,
) -> PageResult<Response> {
    let period = resolve_period(&f.period, "", "").map_err(AppError::Invalid)?;
    let org_id = org_param(&f.org_id).map_err(AppError::Invalid)?;
    let d = draft::create(&state.db, &auth.ctx(), &period, org_id).await?;
    Ok(Redirect::to(&format!("/reports/drafts/{}?notice=created", d.id)).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ShowQuery {
    pub version: String,
    pub notice: Option<String>,
    pub format: String,
}

fn version_param(v: &str) -> Result<Option<i64>, AppError> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    v.parse::<i64>()
        .map(Some)
        .map_err(|_| AppError::Invalid(FieldErrors::single("version", "版本号必须是整数")))
}

pub struct VersionRow {
    pub version: i64,
    pub title: String,
    pub note: String,
    pub saved: String,
    pub saved_by: String,
}

#[derive(Template)]
#[template(path = "report/draft.html")]
struct ShowPage {
    chrome: Chrome,
    draft: DraftRow,
    title: String,
    sections: Vec<ShownSection>,
    shown_version: i64,
    latest: bool,
    note: String,
    saved: String,
    saved_by: String,
    versions: Vec<VersionRow>,
    changes: Vec<FigureChange>,
    can_write: bool,
}

/// GET /reports/drafts/{id}: a version (the latest unless `?version=`) as the summary reads.
pub async fn show(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Query(q): Query<ShowQuery>,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    let d = draft::get(&state.db, &ctx, id).await?;
    let v = draft::version(&state.db, &ctx, id, version_param(&q.version)?).await?;
    let period = d.period()?;
    let snapshot = d.figures();
    let current = anjian_db::report::figures(&state.db, &ctx, &period, Some(d.org_id)).await?;
    let links = Links::new(&period, &d.org_id.to_string());
    let summary = v.content.to_summary();
    let sections = shown(
        &summary.sections,
        &links,
        Some(&Compare {
            snapshot: &snapshot,
            current: &current,
        }),
    );
    let versions = draft::versions(&state.db, &ctx, id)
        .await?
        .into_iter()
        .map(|x| VersionRow {
            version: x.version,
            title: x.title,
            note: x.note,
            saved: instant(&x.saved_at),
            saved_by: x.saved_by_name,
        })
        .collect();
    let chrome = Chrome::new(&auth, "/reports", d.title.clone())
        .crumb("/reports", "工作总结")
        .crumb(format!("/reports/drafts/{id}"), "草稿")
        .notice(q.notice.as_deref());
    let page = ShowPage {
        chrome,
        draft: DraftRow::new(&d),
        title: summary.title.clone(),
        sections,
        shown_version: v.info.version,
        latest: v.info.version == d.row_version,
        note: v.info.note.clone(),
        saved: instant(&v.info.saved_at),
        saved_by: v.info.saved_by_name.clone(),
        versions,
        changes: figure_changes(&snapshot, &current),
        can_write: ctx.can(Permission::ReportWrite),
    };
    Ok(Html(page.render().map_err(PageError::from)?).into_response())
}

/// GET /reports/drafts/{id}/download?version=&format=docx|md|html
pub async fn download(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Query(q): Query<ShowQuery>,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    let v: DraftVersion = draft::version(&state.db, &ctx, id, version_param(&q.version)?).await?;
    let s = v.content.to_summary();
    let name = format!("{}（草稿第{}版）", s.title, v.info.version);
    Ok(export_file(&s, &q.format, &name)?)
}

/// One section of the edit form.
pub struct EditSection {
    pub index: usize,
    pub heading: String,
    pub level: u8,
    pub text: String,
    /// Rows of its textarea: enough for its paragraphs at phone width.
    pub rows: usize,
}

#[derive(Template)]
#[template(path = "report/draft_edit.html")]
struct EditPage {
    chrome: Chrome,
    id: i64,
    row_version: i64,
    title: String,
    note: String,
    sections: Vec<EditSection>,
    errors: FieldErrors,
    conflict: Option<String>,
}

/// Rows a textarea needs to show `text` whole when about `per_line` characters fit on a line,
/// within `min..=max`.
pub(super) fn rows_for(text: &str, per_line: usize, min: usize, max: usize) -> usize {
    let wrapped: usize = text
        .lines()
        .map(|l| l.chars().count().div_ceil(per_line).max(1))
        .sum();
    (wrapped + 1).clamp(min, max)
}

fn edit_sections(sections: &[DraftSection]) -> Vec<EditSection> {
    sections
        .iter()
        .enumerate()
        .map(|(index, s)| EditSection {
            index,
            heading: s.heading.clone(),
            level: s.level,
            text: s.text.clone(),
            rows: rows_for(&s.text, 45, 3, 30),
        })
        .collect()
}

fn edit_render(
    auth: &Auth,
    d: &Draft,
    input: &DraftInput,
    errors: FieldErrors,
    conflict: Option<String>,
) -> PageResult<Response> {
    let status = crate::checklist::form_status(&errors, &conflict);
    let chrome = Chrome::new(auth, "/reports", format!("修改草稿：{}", d.title))
        .crumb("/reports", "工作总结")
        .crumb(format!("/reports/drafts/{}", d.id), "草稿")
        .crumb(format!("/reports/drafts/{}/edit", d.id), "修改");
    let page = EditPage {
        chrome,
        id: d.id,
        row_version: input.row_version,
        title: input.title.clone(),
        note: input.note.clone(),
        sections: edit_sections(&input.sections),
        errors,
        conflict,
    };
    Ok((status, Html(page.render().map_err(PageError::from)?)).into_response())
}

/// GET /reports/drafts/{id}/edit: the latest version in the form.
pub async fn edit(State(state): State<AppState>, auth: Auth, Id(id): Id) -> PageResult<Response> {
    let ctx = auth.ctx();
    let d = draft::get(&state.db, &ctx, id).await?;
    let v = draft::version(&state.db, &ctx, id, None).await?;
    let input = DraftInput {
        row_version: d.row_version,
        title: v.content.title,
        sections: v.content.sections,
        note: String::new(),
    };
    edit_render(&auth, &d, &input, FieldErrors::new(), None)
}

/// The edit form's fields: `title`, `note`, `row_version`, and per section `heading_N`,
/// `level_N`, `text_N` (N from 0, in order).
fn parse_form(fields: &[(String, String)]) -> Result<DraftInput, FieldErrors> {
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let mut errs = FieldErrors::new();
    let row_version = get("row_version")
        .and_then(|v| v.trim().parse::<i64>().ok())
        .unwrap_or_else(|| {
            errs.add("row_version", "缺少版本号，请刷新页面后重试");
            0
        });
    let mut sections = Vec::new();
    for i in 0.. {
        let Some(text) = get(&format!("text_{i}")) else {
            break;
        };
        let level = get(&format!("level_{i}"))
            .and_then(|v| v.trim().parse::<u8>().ok())
            .unwrap_or(0);
        sections.push(DraftSection {
            heading: get(&format!("heading_{i}")).unwrap_or("").to_string(),
            level,
            text: text.replace("\r\n", "\n"),
        });
        if sections.len() > 100 {
            break;
        }
    }
    let input = DraftInput {
        row_version,
        title: get("title").unwrap_or("").to_string(),
        sections,
        note: get("note").unwrap_or("").to_string(),
    };
    if errs.is_empty() {
        Ok(input)
    } else {
        Err(errs)
    }
}

/// POST /reports/drafts/{id}: saves the form as the next version.
pub async fn save(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    // Scope before the form: a draft out of sight is 404 whatever is posted.
    let d = draft::get(&state.db, &ctx, id).await?;
    let input = match parse_form(&fields) {
        Ok(i) => i,
        Err(e) => return Err(PageError(AppError::Invalid(e))),
    };
    match draft::save_version(&state.db, &ctx, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/reports/drafts/{id}?notice=saved")).into_response()),
        Err(DbError::Invalid(e)) => edit_render(&auth, &d, &input, e, None),
        Err(DbError::Conflict(m)) => edit_render(&auth, &d, &input, FieldErrors::new(), Some(m)),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_reads_its_sections_in_order() {
        let f: Vec<(String, String)> = [
            ("row_version", "3"),
            ("title", "总结"),
            ("text_0", "开头\r\n第二段"),
            ("heading_1", "一、主要工作完成情况"),
            ("level_1", "1"),
            ("text_1", ""),
            ("text_3", "跳号的节不读"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        let i = parse_form(&f).unwrap();
        assert_eq!(i.row_version, 3);
        assert_eq!(i.sections.len(), 2);
        assert_eq!(i.sections[0].text, "开头\n第二段");
        assert_eq!(i.sections[1].level, 1);
        assert!(parse_form(&[]).is_err());
    }
}
