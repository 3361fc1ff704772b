//! Excel export and template import of a ledger, both from the ledger's column list
//! (`anjian_db::ledger::columns`): the template's header is the export's header, so an exported
//! sheet imports back. Import is preview then confirm, all or nothing, with per-row errors
//! "第N行【列名】…"; the file waits between the two under a random token bound to the session.

use std::path::Path;

use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use anjian_db::audit::{self, Change};
use anjian_db::ledger::{self, columns, RowError};
use anjian_domain::ledger::LedgerKind;
use rust_xlsxwriter::XlsxError;

use super::kind_of;
use super::view::ListQuery;
use crate::auth::Auth;
use crate::error::{AppError, PageError, PageResult};
use crate::export_stream::{self, RowSink, RowSource};
use crate::import::{read, Sheet};
use crate::layout::Chrome;
use crate::AppState;

/// Rows one export writes at most. Memory does not bound it (rows stream into a constant-memory
/// sheet); the time and the temp file of one request do, as for the hazard ledger. The list page
/// says so before the download, and a cut sheet says so in its last row.
pub const EXPORT_CAP: usize = 100_000;
/// Rows the preview shows.
const SHOW_ROWS: usize = 20;

fn headers(kind: LedgerKind) -> Vec<&'static str> {
    columns(kind).into_iter().map(|(_, l, _)| l).collect()
}

/// A ledger's sheet being written row by row: header and rows as displayed (codes as labels,
/// 元 with two decimals), the header being the import template's so the file imports back.
pub struct EntrySheet {
    wb: rust_xlsxwriter::Workbook,
    cols: Vec<(&'static str, &'static str, bool)>,
    rows: usize,
}

impl EntrySheet {
    /// With `tempdir`, the sheet is in constant-memory mode and its rows spill to a temp file
    /// there.
    pub fn new(kind: LedgerKind, tempdir: Option<&Path>) -> Result<EntrySheet, XlsxError> {
        use rust_xlsxwriter::{Format, FormatBorder, Workbook};
        let mut wb = Workbook::new();
        // As for the hazard ledger: level 1 saves seconds on a large sheet for a little size.
        wb.set_zip_compression_level(1);
        let ws = match tempdir {
            Some(dir) => {
                wb.set_tempdir(dir)?;
                wb.add_worksheet_with_constant_memory()?
            }
            None => wb.add_worksheet(),
        };
        ws.set_name(kind.label())?;
        let head = Format::new()
            .set_bold()
            .set_background_color("D9E1F2")
            .set_border(FormatBorder::Thin);
        let cols = columns(kind);
        for (c, (_, label, _)) in cols.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *label, &head)?;
            ws.set_column_width(c as u16, if c == 0 { 24.0 } else { 16.0 })?;
        }
        ws.set_freeze_panes(1, 0)?;
        Ok(EntrySheet { wb, cols, rows: 0 })
    }

    fn finish(&mut self, truncated: bool) -> Result<usize, XlsxError> {
        if truncated {
            let row = self.rows as u32 + 1;
            let ws = self.wb.worksheet_from_index(0)?;
            ws.write_string(
                row,
                0,
                format!(
                    "仅导出了最新的{EXPORT_CAP}条记录（单次导出上限），其余记录未包含，请缩小日期范围后分批导出。"
                ),
            )?;
        }
        Ok(self.rows)
    }

    pub fn to_bytes(mut self) -> Result<Vec<u8>, XlsxError> {
        self.finish(false)?;
        self.wb.save_to_buffer()
    }
}

impl RowSink for EntrySheet {
    type Row = ledger::Entry;

    fn push(&mut self, e: &ledger::Entry) -> Result<(), XlsxError> {
        let row = self.rows as u32 + 1;
        let ws = self.wb.worksheet_from_index(0)?;
        for (c, (name, _, _)) in self.cols.iter().enumerate() {
            ws.write_string(row, c as u16, e.display(name))?;
        }
        self.rows += 1;
        Ok(())
    }

    fn save(mut self, path: &Path, truncated: bool) -> Result<usize, XlsxError> {
        let n = self.finish(truncated)?;
        self.wb.save(path)?;
        Ok(n)
    }
}

/// The sheet of a ledger written in memory (small sets: tests, examples).
pub fn xlsx(kind: LedgerKind, rows: &[ledger::Entry]) -> Result<Vec<u8>, XlsxError> {
    let mut s = EntrySheet::new(kind, None)?;
    for e in rows {
        s.push(e)?;
    }
    s.to_bytes()
}

/// The entries of an export in the list's order.
struct EntrySource {
    db: anjian_db::Db,
    ctx: anjian_db::Ctx,
    kind: LedgerKind,
    f: ledger::LedgerFilter,
    cur: ledger::ExportCursor,
}

impl RowSource for EntrySource {
    type Row = ledger::Entry;

    async fn next_page(&mut self, want: i64) -> Result<Vec<ledger::Entry>, anjian_db::DbError> {
        ledger::export_page(&self.db, &self.ctx, self.kind, &self.f, &mut self.cur, want).await
    }
}

/// The ledger with the list's filters as an Excel sheet, every matching row up to
/// `EXPORT_CAP`, streamed; audited like every export (with the row count and whether it was
/// cut).
pub async fn export(
    State(state): State<AppState>,
    auth: Auth,
    uri: Uri,
    Query(q): Query<ListQuery>,
) -> PageResult<Response> {
    let kind = kind_of(&uri)?;
    let ctx = auth.ctx();
    let source = EntrySource {
        db: state.db.clone(),
        ctx: ctx.clone(),
        kind,
        f: q.filter(),
        cur: ledger::ExportCursor::default(),
    };
    let file = export_stream::write(&state, source, EXPORT_CAP, move |dir| {
        EntrySheet::new(kind, Some(dir))
    })
    .await?;
    audit::record_alone(
        &state.db,
        &ctx,
        Change::new("ledger_entry", "", "export").after(serde_json::json!({
            "kind": kind.code(),
            "rows": file.rows,
            "truncated": file.truncated,
            "query": q.query_string(),
        })),
    )
    .await?;
    let name = format!(
        "{}台账_{}.xlsx",
        kind.label(),
        ledger::today().format("%Y%m%d")
    );
    Ok(export_stream::respond(&state, &file, "ledger.xlsx", &name).await?)
}

pub async fn template(auth: Auth, uri: Uri) -> PageResult<Response> {
    let _ = auth;
    let kind = kind_of(&uri)?;
    let cols: Vec<(&str, bool, f64)> = columns(kind)
        .into_iter()
        .map(|(_, l, req)| (l, req, 18.0))
        .collect();
    let example = example(kind);
    let bytes = crate::import::template(kind.label(), &cols, &example)
        .map_err(|e| AppError::Internal(format!("模板生成失败：{e}")))?;
    Ok(crate::org::routes::xlsx_response(
        bytes,
        &format!("{}导入模板.xlsx", kind.label()),
    ))
}

/// An example row of each template, in column order.
fn example(kind: LedgerKind) -> Vec<&'static str> {
    match kind {
        LedgerKind::Funding => vec![
            "某粮食储备库",
            "2023-03-15",
            "配备和更新现场作业人员安全防护用品",
            "11930.00",
            "购置防毒面具20套",
            "",
        ],
        LedgerKind::Training => vec![
            "某粮食储备库",
            "2023-04-10",
            "熏蒸作业安全培训",
            "安全培训",
            "4",
            "张三",
            "25",
            "全部合格",
            "",
        ],
        LedgerKind::Publicity => vec![
            "某粮食储备库",
            "2023-06-16",
            "安全生产月宣传咨询日",
            "宣传咨询日",
            "",
            "120",
            "",
        ],
        LedgerKind::Drill => vec![
            "某粮食储备库",
            "2023-05-20",
            "仓房火灾应急演练",
            "火灾",
            "单项演练",
            "实战演练",
            "现场处置方案",
            "仓房火灾现场处置方案",
            "30",
            "",
        ],
        LedgerKind::Meeting => vec![
            "某粮食储备库",
            "2023-03-28",
            "一季度安全生产工作会议",
            "季度安全生产工作会议",
            "",
            "分析一季度安全生产形势",
            "",
        ],
        LedgerKind::Letter => vec![
            "某粮食储备库",
            "2023-02-20",
            "2023",
            "安全生产暨消防安全目标责任书",
            "局长与库主任",
            "",
        ],
    }
}

#[derive(Template)]
#[template(path = "ledger/import.html")]
struct ImportPage {
    chrome: Chrome,
    kind: LedgerKind,
    headers: Vec<&'static str>,
    error: Option<String>,
    errors: Vec<String>,
    rows: Vec<(usize, Vec<String>)>,
    total: usize,
    token: String,
}

impl ImportPage {
    fn new(auth: &Auth, kind: LedgerKind) -> ImportPage {
        let base = format!("/ledgers/{}", kind.segment());
        ImportPage {
            chrome: Chrome::new(auth, "/ledgers", format!("导入{}", kind.label()))
                .crumb("/ledgers", "安全工作台账")
                .crumb(&base, kind.label())
                .crumb(format!("{base}/import"), "导入"),
            kind,
            headers: headers(kind),
            error: None,
            errors: Vec::new(),
            rows: Vec::new(),
            total: 0,
            token: String::new(),
        }
    }

    /// The header of column `i` (a row may carry more cells than the template has columns).
    fn header(&self, i: &usize) -> &str {
        self.headers.get(*i).copied().unwrap_or("")
    }

    fn render(self, status: StatusCode) -> PageResult<Response> {
        Ok((
            status,
            Html(Template::render(&self).map_err(PageError::from)?),
        )
            .into_response())
    }

    fn refused(mut self, errors: &[RowError]) -> PageResult<Response> {
        self.errors = errors.iter().take(200).map(|e| e.to_string()).collect();
        self.render(StatusCode::UNPROCESSABLE_ENTITY)
    }

    fn failed(mut self, e: AppError) -> PageResult<Response> {
        match e {
            AppError::Invalid(f) => {
                self.error = Some(
                    f.0.into_iter()
                        .map(|(_, m)| m)
                        .collect::<Vec<_>>()
                        .join("；"),
                );
                self.render(StatusCode::UNPROCESSABLE_ENTITY)
            }
            e => Err(e.into()),
        }
    }
}

pub async fn page(auth: Auth, uri: Uri) -> PageResult<Response> {
    let kind = kind_of(&uri)?;
    ImportPage::new(&auth, kind).render(StatusCode::OK)
}

/// The sheet's data rows after checking its header against the ledger's template.
fn sheet_rows(kind: LedgerKind, bytes: &[u8]) -> Result<Vec<(usize, Vec<String>)>, AppError> {
    let sheet: Sheet = read(bytes)?;
    sheet.check_header(&headers(kind))?;
    Ok(sheet.rows)
}

async fn receive(state: &AppState, mut mp: Multipart) -> Result<Vec<u8>, AppError> {
    let read_err = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::PayloadTooLarge
        } else {
            AppError::BadRequest("上传内容格式不正确".into())
        }
    };
    while let Some(field) = mp.next_field().await.map_err(read_err)? {
        if field.name() == Some("file") {
            let b = field.bytes().await.map_err(read_err)?;
            if b.len() > state.upload_limit {
                return Err(AppError::PayloadTooLarge);
            }
            if !b.is_empty() {
                return Ok(b.to_vec());
            }
        }
    }
    Err(AppError::Invalid(anjian_db::FieldErrors::single(
        "file",
        "请选择要导入的 Excel 文件",
    )))
}

fn pending_path(
    state: &AppState,
    auth: &Auth,
    token: &str,
) -> Result<std::path::PathBuf, AppError> {
    let valid = token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit());
    if !valid {
        return Err(AppError::BadRequest("导入文件已过期，请重新上传".into()));
    }
    let session = auth.inner.session.as_ref().map(|s| s.id).unwrap_or(0);
    let dir = crate::hazard::export::tmp_dir(state, "imports")?;
    Ok(dir.join(format!(
        "ledger-u{}-s{session}-{}.xlsx",
        auth.inner.user.id,
        token.to_ascii_lowercase()
    )))
}

/// Upload: every row is checked and written inside a transaction that is rolled back. All good:
/// the file waits for the confirmation. Otherwise every error is listed, 422.
pub async fn preview(
    State(state): State<AppState>,
    auth: Auth,
    uri: Uri,
    mp: Multipart,
) -> PageResult<Response> {
    let kind = kind_of(&uri)?;
    let page = ImportPage::new(&auth, kind);
    let got = async {
        let bytes = receive(&state, mp).await?;
        crate::import::off_runtime(bytes, move |b| sheet_rows(kind, b)).await
    }
    .await;
    let (bytes, rows) = match got {
        Ok(v) => v,
        Err(e) => return page.failed(e),
    };
    match ledger::import_rows(&state.db, &auth.ctx(), kind, &rows, false).await {
        Ok(Err(errors)) => page.refused(&errors),
        Ok(Ok(_)) => {
            let token = hex::encode(rand::random::<[u8; 16]>());
            let path = pending_path(&state, &auth, &token)?;
            tokio::fs::write(&path, &bytes)
                .await
                .map_err(|e| AppError::Internal(format!("保存导入文件失败：{e}")))?;
            let mut page = page;
            page.total = rows.len();
            page.rows = rows.into_iter().take(SHOW_ROWS).collect();
            page.token = token;
            page.render(StatusCode::OK)
        }
        Err(anjian_db::DbError::Invalid(f)) => page.failed(AppError::Invalid(f)),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ConfirmForm {
    token: String,
}

pub async fn confirm(
    State(state): State<AppState>,
    auth: Auth,
    uri: Uri,
    Form(f): Form<ConfirmForm>,
) -> PageResult<Response> {
    let kind = kind_of(&uri)?;
    let path = pending_path(&state, &auth, f.token.trim())?;
    let bytes = tokio::fs::read(&path)
        .await
        .map_err(|_| AppError::BadRequest("导入文件已过期或已导入，请重新上传".into()))?;
    let _ = tokio::fs::remove_file(&path).await;
    let page = ImportPage::new(&auth, kind);
    let rows = match crate::import::off_runtime(bytes, move |b| sheet_rows(kind, b))
        .await
        .map(|(_, r)| r)
    {
        Ok(r) => r,
        Err(e) => return page.failed(e),
    };
    match ledger::import_rows(&state.db, &auth.ctx(), kind, &rows, true).await? {
        Ok(_) => Ok(
            Redirect::to(&format!("/ledgers/{}?notice=imported", kind.segment())).into_response(),
        ),
        Err(errors) => page.refused(&errors),
    }
}
