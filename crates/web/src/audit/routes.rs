//! Audit pages: the filtered list, one entry with its before/after snapshots, and the Excel
//! export (which is itself audited).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use anjian_db::audit::{self, AuditEntry, Change};
use anjian_db::{FieldErrors, Page, PageReq};
use anjian_domain::role::Permission;

use super::{action_label, entity_label, pretty_json, AuditParams, ACTIONS, ENTITIES};
use crate::auth::{Access, Auth};
use crate::error::{AppError, PageError, PageResult};
use crate::extract::Id;
use crate::layout::{instant, Chrome, Pager};
use crate::org::routes::xlsx_response;
use crate::routes::RouteTable;
use crate::AppState;

/// Most rows one export may hold.
pub const EXPORT_CAP: i64 = 50_000;

pub fn routes() -> RouteTable {
    let view = Access::Perm(Permission::AuditView);
    let export_access = Access::Perm(Permission::AuditExport);
    RouteTable::default()
        .get("/audit", view, list)
        .get("/audit/export", export_access, export)
        .get("/audit/{id}", view, detail)
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub entity: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub keyword: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
    pub notice: Option<String>,
}

impl ListQuery {
    fn params(&self) -> AuditParams {
        AuditParams {
            actor: self.actor.clone(),
            entity: self.entity.clone(),
            action: self.action.clone(),
            keyword: self.keyword.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
        }
    }
}

/// A rendered page with its status. A 422 form page is marked as already shaped, so the error
/// middleware passes it through instead of replacing it with the generic error page.
fn page_with_status(status: StatusCode, html: String) -> Response {
    let mut res = (status, Html(html)).into_response();
    crate::error::mark(&mut res);
    res
}

/// One row of the list with its display strings.
pub struct AuditLine {
    pub e: AuditEntry,
    pub at: String,
    pub entity_label: String,
    pub action_label: String,
}

impl AuditLine {
    fn new(e: AuditEntry) -> AuditLine {
        AuditLine {
            at: instant(&e.at),
            entity_label: entity_label(&e.entity),
            action_label: action_label(&e.action),
            e,
        }
    }
}

#[derive(Template)]
#[template(path = "audit/list.html")]
struct ListPage {
    chrome: Chrome,
    q: ListQuery,
    errors: FieldErrors,
    rows: Vec<AuditLine>,
    pager: Pager,
    can_export: bool,
    export_query: String,
    entities: &'static [(&'static str, &'static str)],
    actions: &'static [(&'static str, &'static str)],
    export_cap: i64,
}

fn render_list(
    auth: &Auth,
    q: ListQuery,
    page: Page<AuditEntry>,
    errors: FieldErrors,
) -> PageResult<Response> {
    let params = q.params();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let p = ListPage {
        chrome: Chrome::new(auth, "/audit", "审计日志")
            .crumb("/audit", "审计日志")
            .notice(q.notice.as_deref()),
        pager: Pager::new(&page, "/audit", &params.query_string()),
        rows: page.items.into_iter().map(AuditLine::new).collect(),
        export_query: params.query_string(),
        can_export: auth.inner.user.role.can(Permission::AuditExport),
        errors,
        q,
        entities: ENTITIES,
        actions: ACTIONS,
        export_cap: EXPORT_CAP,
    };
    Ok(page_with_status(
        status,
        p.render().map_err(PageError::from)?,
    ))
}

fn empty_page() -> Page<AuditEntry> {
    Page {
        items: Vec::new(),
        total: 0,
        page: 1,
        page_size: 20,
    }
}

async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ListQuery>,
) -> PageResult<Response> {
    let filter = match q.params().to_filter() {
        Ok(f) => f,
        Err(errors) => return render_list(&auth, q, empty_page(), errors),
    };
    let page = audit::list(
        &state.db,
        &auth.ctx(),
        &filter,
        PageReq::new(q.page, q.page_size),
    )
    .await?;
    render_list(&auth, q, page, FieldErrors::new())
}

async fn export(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ListQuery>,
) -> PageResult<Response> {
    let params = q.params();
    let filter = match params.to_filter() {
        Ok(f) => f,
        Err(errors) => return render_list(&auth, q, empty_page(), errors),
    };
    let ctx = auth.ctx();
    let entries = audit::export(&state.db, &ctx, &filter, EXPORT_CAP).await?;
    let bytes = xlsx(&entries).map_err(|e| AppError::Internal(format!("导出失败：{e}")))?;
    // Who took a copy of the trail, and of which part, is itself part of the trail.
    audit::record_alone(
        &state.db,
        &ctx,
        Change::new("audit_log", "", "export").after(serde_json::json!({
            "rows": entries.len(),
            "truncated": entries.len() as i64 >= EXPORT_CAP,
            "query": params.query_string(),
        })),
    )
    .await?;
    Ok(xlsx_response(bytes, "审计日志.xlsx"))
}

/// Longest text Excel keeps in one cell.
const CELL_MAX: usize = 32_767;

fn cell_text(s: &str) -> String {
    if s.chars().count() <= CELL_MAX - 16 {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(CELL_MAX - 16).collect();
        t.push_str("…（已截断）");
        t
    }
}

/// The audit trail as a sheet: one row per entry, newest first, times in Shanghai.
pub fn xlsx(entries: &[AuditEntry]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, FormatBorder, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("审计日志")?;
    let head = Format::new()
        .set_bold()
        .set_background_color("D9E1F2")
        .set_border(FormatBorder::Thin);
    let headers = [
        "序号",
        "时间",
        "操作人",
        "IP",
        "组织",
        "对象",
        "编号",
        "动作",
        "变更前",
        "变更后",
        "哈希",
    ];
    let widths = [
        8.0, 20.0, 16.0, 16.0, 8.0, 10.0, 10.0, 12.0, 50.0, 50.0, 66.0,
    ];
    for (c, (h, w)) in headers.iter().zip(widths).enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &head)?;
        ws.set_column_width(c as u16, w)?;
    }
    for (i, e) in entries.iter().enumerate() {
        let r = (i + 1) as u32;
        ws.write_number(r, 0, e.id as f64)?;
        ws.write_string(r, 1, instant(&e.at))?;
        ws.write_string(r, 2, &e.actor_username)?;
        ws.write_string(r, 3, &e.ip)?;
        match (&e.org_name, e.org_id) {
            (Some(n), Some(o)) => ws.write_string(r, 4, format!("{n}（{o}）"))?,
            (None, Some(o)) => ws.write_string(r, 4, o.to_string())?,
            _ => ws,
        };
        ws.write_string(r, 5, entity_label(&e.entity))?;
        ws.write_string(r, 6, &e.entity_id)?;
        ws.write_string(r, 7, action_label(&e.action))?;
        ws.write_string(r, 8, cell_text(e.before_json.as_deref().unwrap_or("")))?;
        ws.write_string(r, 9, cell_text(e.after_json.as_deref().unwrap_or("")))?;
        ws.write_string(r, 10, &e.hash)?;
    }
    ws.set_freeze_panes(1, 0)?;
    wb.save_to_buffer()
}

#[derive(Template)]
#[template(path = "audit/detail.html")]
struct DetailPage {
    chrome: Chrome,
    line: AuditLine,
    before: Option<String>,
    after: Option<String>,
    hash_ok: bool,
}

async fn detail(State(state): State<AppState>, auth: Auth, Id(id): Id) -> PageResult<Html<String>> {
    let e = anjian_db::audit::get(&state.db, &auth.ctx(), id).await?;
    let p = DetailPage {
        chrome: Chrome::new(&auth, "/audit", format!("审计记录 #{id}"))
            .crumb("/audit", "审计日志")
            .crumb(format!("/audit/{id}"), format!("#{id}")),
        before: pretty_json(&e.before_json),
        after: pretty_json(&e.after_json),
        hash_ok: e.compute_hash() == e.hash,
        line: AuditLine::new(e),
    };
    Ok(Html(p.render().map_err(PageError::from)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_cells_are_cut_to_fit_excel() {
        let long = "字".repeat(40_000);
        let t = cell_text(&long);
        assert!(t.chars().count() <= CELL_MAX);
        assert!(t.ends_with("（已截断）"));
        assert_eq!(cell_text("{}"), "{}");
    }
}
