//! The register as Excel in the usual 安全风险分级管控清单 layout (title, subtitle, one row per
//! risk, the level cell in its colour), and the import of such a sheet: template → upload →
//! preview (a dry run of the real import) → confirm, all or nothing, like the hazard ledger.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Json;
use calamine::Data;
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, XlsxError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use anjian_db::audit::{self, Change};
use anjian_db::risk::{self, RiskImportRow, RowError, COLUMNS, MAX_ROWS};
use anjian_db::FieldErrors;
use anjian_domain::risk::RiskLevel;

use super::pages::{ListQuery, OrgPick};
use crate::auth::Auth;
use crate::error::{ApiError, AppError, ErrorBody, PageError, PageResult};
use crate::hazard::forms::FormData;
use crate::layout::Chrome;
use crate::AppState;

/// Rows an export writes at most (the register is exported per unit in practice).
pub const EXPORT_CAP: i64 = 20_000;
const TITLE_ROWS: u32 = 2;

fn width(col: &str) -> f64 {
    match col {
        "序号" | "L" | "E" | "C" | "S" => 5.0,
        "风险值" | "评价方法" | "管控层级" | "风险点类型" | "责任人" | "评估日期" => {
            10.0
        }
        "风险等级" => 9.0,
        "风险描述" | "工程技术措施" | "管理措施" | "培训教育措施" | "个体防护措施"
        | "应急处置措施" => 28.0,
        _ => 16.0,
    }
}

fn level_format(level: &str, base: &Format) -> Format {
    let (bg, fg) = match RiskLevel::parse(level) {
        Some(RiskLevel::Major) => (0xD7263D, 0xFFFFFF),
        Some(RiskLevel::Large) => (0xF47C20, 0x1F1300),
        Some(RiskLevel::General) => (0xFFD43B, 0x2B2300),
        Some(RiskLevel::Low) => (0x1F6FD1, 0xFFFFFF),
        None => return base.clone(),
    };
    base.clone()
        .set_background_color(Color::RGB(bg))
        .set_font_color(Color::RGB(fg))
        .set_bold()
}

/// The workbook: title row, subtitle row, header (the import's column names), data.
pub fn xlsx(rows: &[RiskImportRow], title: &str, subtitle: &str) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("安全风险分级管控清单")?;
    let last = (COLUMNS.len() - 1) as u16;
    let title_f = Format::new()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let sub_f = Format::new().set_align(FormatAlign::Left);
    let head = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_background_color(Color::RGB(0xD9E1F2))
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let cell = Format::new()
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::VerticalCenter);
    ws.set_row_height(0, 30)?;
    ws.merge_range(0, 0, 0, last, title, &title_f)?;
    ws.merge_range(1, 0, 1, last, subtitle, &sub_f)?;
    for (c, name) in COLUMNS.iter().enumerate() {
        ws.set_column_width(c as u16, width(name))?;
        ws.write_string_with_format(TITLE_ROWS, c as u16, *name, &head)?;
    }
    let level_col = COLUMNS.iter().position(|c| *c == "风险等级");
    for (i, r) in rows.iter().enumerate() {
        let row = TITLE_ROWS + 1 + i as u32;
        for (c, v) in r.cells().iter().enumerate() {
            let f = if Some(c) == level_col {
                level_format(v, &cell)
            } else {
                cell.clone()
            };
            ws.write_string_with_format(row, c as u16, v, &f)?;
        }
    }
    ws.set_freeze_panes(TITLE_ROWS + 1, 3)?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(TITLE_ROWS, TITLE_ROWS)?;
    ws.set_footer("&C第 &P 页，共 &N 页");
    wb.save_to_buffer()
}

/// GET /risks/export: the register with the page's filters, within the caller's scope. Audited.
pub async fn export(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ListQuery>,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    let org_id = match q.org(&state, &auth).await? {
        OrgPick::One(id) => Some(id),
        OrgPick::All => None,
        OrgPick::None(m) => return Err(AppError::BadRequest(m).into()),
    };
    let f = q.filter(org_id);
    let rows = risk::register_rows(&state.db, &ctx, &f, EXPORT_CAP).await?;
    let unit = match org_id {
        Some(id) => anjian_db::org::get_scoped(&state.db, &ctx, id).await?.name,
        None => anjian_db::org::get_scoped(&state.db, &ctx, auth.inner.user.org_id)
            .await
            .map(|o| o.name)
            .unwrap_or_default(),
    };
    let today = super::today();
    let title = format!("{unit}安全风险分级管控清单");
    let subtitle = format!(
        "导出日期：{}　　共{}项风险{}",
        today.format("%Y年%-m月%-d日"),
        rows.len(),
        if rows.len() as i64 >= EXPORT_CAP {
            "（已达导出上限，请缩小范围）"
        } else {
            ""
        }
    );
    let bytes = xlsx(&rows, &title, &subtitle)
        .map_err(|e| AppError::Internal(format!("生成 Excel 失败：{e}")))?;
    audit::record_alone(
        &state.db,
        &ctx,
        Change::new("risk", "", "export").org(org_id).after(
            serde_json::json!({ "format": "xlsx", "rows": rows.len(), "query": q.query_string() }),
        ),
    )
    .await?;
    Ok(crate::org::routes::xlsx_response(
        bytes,
        &format!("{title}_{}.xlsx", today.format("%Y%m%d")),
    ))
}

// ---------------------------------------------------------------- reading a sheet

/// "风险等级（自动计算）*" → "风险等级".
fn normalise(header: &str) -> String {
    let h = header.trim().trim_end_matches(['*', '＊']).trim();
    let h = h.split(['（', '(']).next().unwrap_or(h);
    h.split_whitespace().collect()
}

fn cell_text(c: &Data) -> String {
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        Data::DateTime(d) => match d.as_datetime() {
            Some(dt) => dt.date().format("%Y-%m-%d").to_string(),
            None => d.as_f64().to_string(),
        },
        Data::DateTimeIso(s) => s.split('T').next().unwrap_or(s).to_string(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(_) => "#错误".to_string(),
    }
}

fn file_error(message: impl Into<String>) -> AppError {
    AppError::Invalid(FieldErrors::single("file", message))
}

/// Columns a sheet must have.
const REQUIRED: [&str; 4] = ["单位/库点", "风险点名称", "风险描述", "评价方法"];

fn slot<'a>(row: &'a mut RiskImportRow, col: &str) -> Option<&'a mut String> {
    Some(match col {
        "单位/库点" => &mut row.org,
        "风险点名称" => &mut row.point_name,
        "风险点类型" => &mut row.point_kind,
        "所在位置" => &mut row.location,
        "风险描述" => &mut row.description,
        "危险有害因素" => &mut row.factors,
        "可能导致的事故类型" => &mut row.accident_types,
        "后果" => &mut row.consequence,
        "评价方法" => &mut row.method,
        "L" => &mut row.l,
        "E" => &mut row.e,
        "C" => &mut row.c,
        "S" => &mut row.s,
        "风险值" => &mut row.score,
        "风险等级" => &mut row.level,
        "直接判定依据" => &mut row.direct_reason,
        "管控层级" => &mut row.tier,
        "工程技术措施" => &mut row.engineering,
        "管理措施" => &mut row.management,
        "培训教育措施" => &mut row.training,
        "个体防护措施" => &mut row.protective,
        "应急处置措施" => &mut row.emergency,
        "责任人" => &mut row.responsible,
        "评估日期" => &mut row.assessed_on,
        _ => return None,
    })
}

/// The rows of the first worksheet: the header is the first of the top ten lines naming the
/// point and description columns (an exported register has title lines above it).
pub fn read_rows(bytes: &[u8]) -> Result<Vec<RiskImportRow>, AppError> {
    let range = crate::import::first_sheet(bytes)?;
    let first_line = range.start().map(|(r, _)| r as usize + 1).unwrap_or(1);
    let mut lines = range.rows().enumerate();
    let mut columns: Vec<Option<String>> = Vec::new();
    for (_, r) in lines.by_ref().take(10) {
        let names: Vec<String> = r.iter().map(|c| normalise(&cell_text(c))).collect();
        if names.iter().any(|n| n == "风险点名称") && names.iter().any(|n| n == "风险描述")
        {
            columns = names
                .into_iter()
                .map(|n| COLUMNS.contains(&n.as_str()).then_some(n))
                .collect();
            break;
        }
    }
    if columns.is_empty() {
        return Err(file_error(
            "没有找到表头行（应含“风险点名称”“风险描述”等列），请使用下载的模板",
        ));
    }
    if let Some(missing) = REQUIRED
        .iter()
        .find(|want| !columns.iter().any(|c| c.as_deref() == Some(**want)))
    {
        return Err(file_error(format!("缺少【{missing}】列，请使用下载的模板")));
    }
    let mut out = Vec::new();
    for (i, r) in lines {
        let mut row = RiskImportRow {
            line: first_line + i,
            ..Default::default()
        };
        let mut any = false;
        for (c, name) in columns.iter().enumerate() {
            let Some(name) = name else { continue };
            if name == "序号" {
                continue;
            }
            let text = r.get(c).map(cell_text).unwrap_or_default();
            if let Some(s) = slot(&mut row, name) {
                if s.is_empty() {
                    any |= !text.is_empty();
                    *s = text;
                }
            }
        }
        if any {
            out.push(row);
        }
    }
    if out.is_empty() {
        return Err(file_error("文件中没有数据行"));
    }
    if out.len() > MAX_ROWS {
        return Err(file_error(format!(
            "一次最多导入{MAX_ROWS}行，本文件有{}行，请分批导入",
            out.len()
        )));
    }
    Ok(out)
}

/// The template: the register's columns and one example row.
pub fn template() -> Result<Vec<u8>, XlsxError> {
    let required = |c: &str| REQUIRED.contains(&c);
    let cols: Vec<(&str, bool, f64)> = COLUMNS
        .iter()
        .map(|c| (*c, required(c), width(c)))
        .collect();
    let example = [
        "1",
        "",
        "3号平房仓",
        "场所/区域",
        "东库区",
        "熏蒸后散气不彻底，人员进仓作业",
        "22",
        "中毒和窒息",
        "中毒窒息，致1人死亡",
        "LEC",
        "3",
        "3",
        "15",
        "",
        "",
        "",
        "",
        "",
        "安装磷化氢浓度检测报警装置",
        "执行有限空间作业审批制度",
        "作业前进行安全交底",
        "佩戴正压式空气呼吸器",
        "发现中毒立即撤离并拨打120",
        "张三",
        "2023-03-01",
    ];
    crate::import::template("安全风险分级管控清单", &cols, &example)
}

// ---------------------------------------------------------------- pages

const SHOW_ROWS: usize = 50;
const SHOW_ERRORS: usize = 500;
/// Columns the preview shows.
const SHOWN: [&str; 7] = [
    "单位/库点",
    "风险点名称",
    "风险描述",
    "评价方法",
    "L/E/C/S",
    "直接判定依据",
    "评估日期",
];

pub struct PreviewRow {
    pub line: usize,
    pub cells: Vec<String>,
    pub failed: bool,
}

impl PreviewRow {
    fn new(r: &RiskImportRow, failed: bool) -> PreviewRow {
        let factors = [&r.l, &r.e, &r.c, &r.s]
            .iter()
            .filter(|v| !v.is_empty())
            .map(|v| v.as_str())
            .collect::<Vec<_>>()
            .join(" / ");
        PreviewRow {
            line: r.line,
            cells: vec![
                r.org.clone(),
                r.point_name.clone(),
                r.description.clone(),
                r.method.clone(),
                factors,
                r.direct_reason.clone(),
                r.assessed_on.clone(),
            ],
            failed,
        }
    }
}

#[derive(Template)]
#[template(path = "risk/import.html")]
struct ImportPage {
    chrome: Chrome,
    columns: Vec<(&'static str, bool)>,
    shown: [&'static str; 7],
    error: Option<String>,
    errors: Vec<String>,
    more_errors: usize,
    rows: Vec<PreviewRow>,
    total: usize,
    token: String,
}

impl ImportPage {
    fn new(auth: &Auth) -> ImportPage {
        ImportPage {
            chrome: Chrome::new(auth, "/risks", "导入风险清单")
                .crumb("/risks", "风险分级管控")
                .crumb("/risks/import", "导入风险清单"),
            columns: COLUMNS
                .iter()
                .filter(|c| **c != "序号")
                .map(|c| (*c, REQUIRED.contains(c)))
                .collect(),
            shown: SHOWN,
            error: None,
            errors: Vec::new(),
            more_errors: 0,
            rows: Vec::new(),
            total: 0,
            token: String::new(),
        }
    }

    fn failed(mut self, message: impl Into<String>) -> ImportPage {
        self.error = Some(message.into());
        self
    }

    fn with_errors(mut self, rows: &[RiskImportRow], errors: &[RowError]) -> ImportPage {
        self.total = rows.len();
        self.errors = errors
            .iter()
            .take(SHOW_ERRORS)
            .map(|e| e.to_string())
            .collect();
        self.more_errors = errors.len().saturating_sub(SHOW_ERRORS);
        let mut bad: Vec<usize> = errors.iter().map(|e| e.line).collect();
        bad.sort_unstable();
        bad.dedup();
        self.rows = rows
            .iter()
            .filter(|r| bad.binary_search(&r.line).is_ok())
            .take(SHOW_ROWS)
            .map(|r| PreviewRow::new(r, true))
            .collect();
        self.error = Some(format!(
            "共{}行，其中{}行有错误，请修改 Excel 文件后重新上传。全部无误才会导入，本次没有导入任何数据。",
            rows.len(),
            bad.len()
        ));
        self
    }

    fn render(self, status: StatusCode) -> PageResult<Response> {
        let html = Template::render(&self).map_err(PageError::from)?;
        Ok((status, Html(html)).into_response())
    }
}

fn messages(f: FieldErrors) -> String {
    f.0.into_iter()
        .map(|(_, m)| m)
        .collect::<Vec<_>>()
        .join("；")
}

pub async fn import_page(auth: Auth) -> PageResult<Response> {
    ImportPage::new(&auth).render(StatusCode::OK)
}

pub async fn import_template(_auth: Auth) -> PageResult<Response> {
    let bytes = template().map_err(|e| AppError::Internal(format!("模板生成失败：{e}")))?;
    Ok(crate::org::routes::xlsx_response(
        bytes,
        "安全风险分级管控清单导入模板.xlsx",
    ))
}

/// Where an uploaded file waits for confirmation: bound to the user and session by name, under a
/// 128-bit random token.
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
        "risk-u{}-s{session}-{}.xlsx",
        auth.inner.user.id,
        token.to_ascii_lowercase()
    )))
}

fn uploaded(data: &FormData) -> Result<Vec<u8>, AppError> {
    data.check()?;
    let f = data
        .files_of("file")
        .next()
        .ok_or_else(|| file_error("请选择要导入的 Excel 文件"))?;
    if f.bytes.is_empty() {
        return Err(file_error("文件为空"));
    }
    Ok(f.bytes.clone())
}

/// POST /risks/import: a dry run of the import; all good → keep the file and show the preview.
pub async fn preview(
    State(state): State<AppState>,
    auth: Auth,
    data: FormData,
) -> PageResult<Response> {
    let page = ImportPage::new(&auth);
    let read = match uploaded(&data) {
        Ok(b) => crate::import::off_runtime(b, read_rows).await,
        Err(e) => Err(e),
    };
    let (bytes, rows) = match read {
        Ok(v) => v,
        Err(AppError::Invalid(f)) => {
            return page
                .failed(messages(f))
                .render(StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => return Err(e.into()),
    };
    match risk::import_rows(&state.db, &auth.ctx(), &rows, false).await? {
        Err(errors) => page
            .with_errors(&rows, &errors)
            .render(StatusCode::UNPROCESSABLE_ENTITY),
        Ok(_) => {
            let token = hex::encode(rand::random::<[u8; 16]>());
            let path = pending_path(&state, &auth, &token)?;
            tokio::fs::write(&path, &bytes)
                .await
                .map_err(|e| AppError::Internal(format!("保存导入文件失败：{e}")))?;
            let mut page = page;
            page.total = rows.len();
            page.rows = rows
                .iter()
                .take(SHOW_ROWS)
                .map(|r| PreviewRow::new(r, false))
                .collect();
            page.token = token;
            page.render(StatusCode::OK)
        }
    }
}

/// POST /risks/import/confirm: the kept file imported for real, all or nothing.
pub async fn confirm(
    State(state): State<AppState>,
    auth: Auth,
    data: FormData,
) -> PageResult<Response> {
    data.check()?;
    let path = pending_path(&state, &auth, data.get("token").trim())?;
    let bytes = tokio::fs::read(&path)
        .await
        .map_err(|_| AppError::BadRequest("导入文件已过期或已导入，请重新上传".into()))?;
    let _ = tokio::fs::remove_file(&path).await;
    let page = ImportPage::new(&auth);
    let rows = match crate::import::off_runtime(bytes, read_rows)
        .await
        .map(|(_, r)| r)
    {
        Ok(r) => r,
        Err(AppError::Invalid(f)) => {
            return page
                .failed(messages(f))
                .render(StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => return Err(e.into()),
    };
    match risk::import_rows(&state.db, &auth.ctx(), &rows, true).await? {
        Ok(_) => Ok(Redirect::to("/risks?notice=imported").into_response()),
        Err(errors) => page
            .with_errors(&rows, &errors)
            .render(StatusCode::UNPROCESSABLE_ENTITY),
    }
}

// ---------------------------------------------------------------- API

/// The multipart form of an import.
#[derive(ToSchema)]
#[allow(dead_code)] // documents the multipart fields read by `api_import`
pub struct RiskImportForm {
    /// 按导入模板填写的 Excel 文件（.xlsx）；从清单导出的文件也可导入
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// true：只检查、不写入（预览）
    dry_run: Option<bool>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RiskImportResult {
    pub dry_run: bool,
    /// 文件中的数据行数
    pub rows: usize,
    /// 实际导入的行数（试运行或有错误时为 0）
    pub imported: usize,
    /// 新风险的编号（仅实际导入时）
    pub ids: Vec<i64>,
}

#[utoipa::path(post, path = "/api/v1/risks/import", tag = "安全风险",
    request_body(content = RiskImportForm, content_type = "multipart/form-data"),
    responses((status = 200, description = "试运行通过", body = RiskImportResult),
              (status = 201, description = "已全部导入", body = RiskImportResult),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 413, body = ErrorBody),
              (status = 422, description = "文件无法读取，或有行错误（fields 的键为“第N行【列名】”）；均未导入", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn api_import(
    State(state): State<AppState>,
    auth: Auth,
    data: FormData,
) -> Result<Response, ApiError> {
    let bytes = uploaded(&data)?;
    let dry_run = matches!(data.get("dry_run").trim(), "true" | "1");
    let (_, rows) = crate::import::off_runtime(bytes, read_rows).await?;
    let ids = match risk::import_rows(&state.db, &auth.ctx(), &rows, !dry_run).await? {
        Ok(ids) => ids,
        Err(errors) => {
            let fields = errors
                .iter()
                .map(|e| (format!("第{}行【{}】", e.line, e.column), e.message.clone()))
                .collect();
            return Err(AppError::Invalid(FieldErrors(fields)).into());
        }
    };
    let (status, ids) = if dry_run {
        (StatusCode::OK, Vec::new())
    } else {
        (StatusCode::CREATED, ids)
    };
    let body = RiskImportResult {
        dry_run,
        rows: rows.len(),
        imported: ids.len(),
        ids,
    };
    Ok((status, Json(body)).into_response())
}
