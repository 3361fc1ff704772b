//! Hazard import from Excel: a template to fill (with a 说明 sheet), upload → preview (every check
//! of the import, nothing written) → confirm (every check again inside the write transaction,
//! then the inserts), all or nothing. The
//! uploaded file waits between preview and confirm in the data directory under a random token
//! bound to the user and session that uploaded it; confirm reads it again and imports for real.
//! An exported ledger imports too: columns are found by their header names, unknown ones ignored.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Form, Json};
use calamine::Data;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use anjian_db::hazard::{self, col, ImportRow, RowError, MAX_ROWS};
use anjian_db::FieldErrors;

use crate::auth::Auth;
use crate::error::{ApiError, AppError, ErrorBody, PageError, PageResult};
use crate::layout::Chrome;
use crate::AppState;

/// What a column of the sheet holds.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Field {
    Org,
    Location,
    Description,
    Category,
    Grade,
    Criterion,
    FoundOn,
    FoundBy,
    Deadline,
    Campaign,
}

/// Header names (after dropping "*" and a bracketed note) and the field each means. The first
/// name is the template's; the others are what offices' own ledgers call the column.
#[rustfmt::skip]
const NAMES: &[(Field, &[&str])] = &[
    (Field::Org, &[col::ORG, "单位", "库点", "单位名称", "所属单位", "单位/部门"]),
    (Field::Location, &[col::LOCATION, "部位", "隐患位置", "隐患地点"]),
    (Field::Description, &[col::DESCRIPTION, "隐患内容", "隐患情况", "存在问题", "隐患描述及内容"]),
    (Field::Category, &[col::CATEGORY, "类别", "隐患类型"]),
    (Field::Grade, &[col::GRADE, "等级", "隐患级别"]),
    (Field::Criterion, &[col::CRITERION, "判定依据", "重大隐患判定标准"]),
    (Field::FoundOn, &[col::FOUND_ON, "排查日期", "检查日期", "发现时间"]),
    (Field::FoundBy, &[col::FOUND_BY, "排查人", "检查人"]),
    (Field::Deadline, &[col::DEADLINE, "整改时限"]),
    (Field::Campaign, &[col::CAMPAIGN]),
];

const REQUIRED: [Field; 5] = [
    Field::Org,
    Field::Description,
    Field::Grade,
    Field::FoundOn,
    Field::Deadline,
];

fn name_of(f: Field) -> &'static str {
    NAMES
        .iter()
        .find(|(k, _)| *k == f)
        .map(|(_, n)| n[0])
        .unwrap_or("")
}

/// "隐患等级（一般/重大）*" → "隐患等级".
fn normalise(header: &str) -> String {
    let h = header.trim().trim_end_matches(['*', '＊']).trim();
    let h = h.split(['（', '(']).next().unwrap_or(h);
    h.split_whitespace().collect()
}

fn field_of(header: &str) -> Option<Field> {
    let h = normalise(header);
    NAMES
        .iter()
        .find(|(_, names)| names.contains(&h.as_str()))
        .map(|(f, _)| *f)
}

/// A cell as the text a person would read in it. Date cells become `YYYY-MM-DD` (a time of day
/// is dropped); numbers keep the form they were typed in, so a date typed as a serial or as
/// 20230301 reaches the date parser unchanged.
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

/// The rows of the first worksheet. The header is the first of the top ten lines that names
/// the description and organisation columns, so title lines above it (an exported ledger) are
/// skipped; lines whose known columns are all empty are skipped too.
pub fn read_rows(bytes: &[u8]) -> Result<Vec<ImportRow>, AppError> {
    let range = crate::import::first_sheet(bytes)?;
    let first_line = range.start().map(|(r, _)| r as usize + 1).unwrap_or(1);
    let mut lines = range.rows().enumerate();
    let mut columns: Vec<Option<Field>> = Vec::new();
    for (_, r) in lines.by_ref().take(10) {
        let found: Vec<Option<Field>> = r.iter().map(|c| field_of(&cell_text(c))).collect();
        if found.contains(&Some(Field::Description)) && found.contains(&Some(Field::Org)) {
            columns = found;
            break;
        }
    }
    if columns.is_empty() {
        return Err(file_error(
            "没有找到表头行（应含“单位/库点”“隐患描述”等列），请使用下载的模板",
        ));
    }
    // A column named twice counts once, at its first place.
    for i in 0..columns.len() {
        if columns[i].is_some() && columns[..i].contains(&columns[i]) {
            columns[i] = None;
        }
    }
    if let Some(f) = REQUIRED.iter().find(|f| !columns.contains(&Some(**f))) {
        return Err(file_error(format!(
            "缺少【{}】列，请使用下载的模板",
            name_of(*f)
        )));
    }
    let mut out = Vec::new();
    for (i, r) in lines {
        let mut row = ImportRow {
            line: first_line + i,
            ..Default::default()
        };
        let mut any = false;
        for (c, field) in columns.iter().enumerate() {
            let Some(field) = field else { continue };
            let text = r.get(c).map(cell_text).unwrap_or_default();
            any |= !text.is_empty();
            let slot = match field {
                Field::Org => &mut row.org,
                Field::Location => &mut row.location,
                Field::Description => &mut row.description,
                Field::Category => &mut row.category,
                Field::Grade => &mut row.grade,
                Field::Criterion => &mut row.major_criterion,
                Field::FoundOn => &mut row.found_on,
                Field::FoundBy => &mut row.found_by,
                Field::Deadline => &mut row.deadline,
                Field::Campaign => &mut row.campaign,
            };
            *slot = text;
        }
        if !any {
            continue;
        }
        if out.len() >= MAX_ROWS {
            return Err(file_error(format!("一次最多导入{MAX_ROWS}行，请分批导入")));
        }
        out.push(row);
    }
    if out.is_empty() {
        return Err(file_error("文件中没有数据行"));
    }
    Ok(out)
}

/// Reads the sheet off the async workers: a 10,000-row file takes a noticeable moment to unzip.
async fn parse(bytes: Vec<u8>) -> Result<Vec<ImportRow>, AppError> {
    crate::import::off_runtime(bytes, read_rows)
        .await
        .map(|(_, rows)| rows)
}

/// The multipart form: the file and, for the API, `dry_run`.
async fn receive(state: &AppState, mut mp: Multipart) -> Result<(Vec<u8>, bool), AppError> {
    let read_err = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::PayloadTooLarge
        } else {
            AppError::BadRequest("上传内容格式不正确".to_string())
        }
    };
    let (mut bytes, mut dry_run) = (Vec::new(), false);
    while let Some(mut field) = mp.next_field().await.map_err(read_err)? {
        match field.name().unwrap_or("") {
            "file" => {
                while let Some(chunk) = field.chunk().await.map_err(read_err)? {
                    if bytes.len() + chunk.len() > state.upload_limit {
                        return Err(AppError::PayloadTooLarge);
                    }
                    bytes.extend_from_slice(&chunk);
                }
            }
            "dry_run" => {
                let v = field.text().await.map_err(read_err)?;
                dry_run = matches!(v.trim(), "1" | "true" | "yes" | "on");
            }
            _ => {}
        }
    }
    if bytes.is_empty() {
        return Err(file_error("请选择要导入的 Excel 文件"));
    }
    Ok((bytes, dry_run))
}

// ---------------------------------------------------------------- pages

/// The columns shown in the preview table.
const SHOWN: [&str; 7] = [
    col::ORG,
    col::LOCATION,
    col::DESCRIPTION,
    col::GRADE,
    col::FOUND_ON,
    col::FOUND_BY,
    col::DEADLINE,
];
/// Rows and messages a page lists at most; the counts say how many more there are.
const SHOW_ROWS: usize = 50;
const SHOW_ERRORS: usize = 500;

pub struct PreviewRow {
    pub line: usize,
    pub cells: Vec<String>,
    pub failed: bool,
}

impl PreviewRow {
    fn new(r: &ImportRow, failed: bool) -> PreviewRow {
        // A date as it was understood (an Excel serial or 2023年3月1日 shown as 2023-03-01), so
        // the preview shows what will be stored; as typed when it cannot be read.
        let date = |v: &str| {
            anjian_domain::dates::parse_business_date(v)
                .map(|d| d.to_string())
                .unwrap_or_else(|_| v.to_string())
        };
        PreviewRow {
            line: r.line,
            cells: vec![
                r.org.clone(),
                r.location.clone(),
                r.description.clone(),
                r.grade.clone(),
                date(&r.found_on),
                r.found_by.clone(),
                date(&r.deadline),
            ],
            failed,
        }
    }
}

#[derive(Template)]
#[template(path = "hazard/import.html")]
struct ImportPage {
    chrome: Chrome,
    help: Vec<(&'static str, bool, &'static str)>,
    shown: [&'static str; 7],
    error: Option<String>,
    errors: Vec<String>,
    more_errors: usize,
    rows: Vec<PreviewRow>,
    total: usize,
    /// Set when every row passed: the confirm form carries it.
    token: String,
}

impl ImportPage {
    fn new(auth: &Auth) -> ImportPage {
        ImportPage {
            chrome: Chrome::new(auth, "/hazards", "导入隐患")
                .crumb("/hazards", "隐患台账")
                .crumb("/hazards/import", "导入隐患"),
            help: super::export::TEMPLATE_COLUMNS
                .iter()
                .map(|c| (c.name, c.required, c.note))
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

    /// The row errors, and the rows they are on.
    fn with_errors(mut self, rows: &[ImportRow], errors: &[RowError]) -> ImportPage {
        self.total = rows.len();
        self.errors = errors
            .iter()
            .take(SHOW_ERRORS)
            .map(|e| e.to_string())
            .collect();
        self.more_errors = errors.len().saturating_sub(SHOW_ERRORS);
        // Errors come in file order, so the lines with errors are sorted.
        let mut bad: Vec<usize> = errors.iter().map(|e| e.line).collect();
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
        Ok((status, Html(self.render_html()?)).into_response())
    }

    fn render_html(&self) -> Result<String, PageError> {
        Template::render(self).map_err(PageError::from)
    }
}

pub async fn page(auth: Auth) -> PageResult<Response> {
    ImportPage::new(&auth).render(StatusCode::OK)
}

pub async fn template(_auth: Auth) -> PageResult<Response> {
    let bytes = super::export::import_template()
        .map_err(|e| AppError::Internal(format!("模板生成失败：{e}")))?;
    Ok(crate::org::routes::xlsx_response(
        bytes,
        "隐患导入模板.xlsx",
    ))
}

/// Where an uploaded file waits for its confirmation: the name binds it to the uploader's user
/// and session, and the token is 128 random bits, so nobody can confirm someone else's file.
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
    let dir = super::export::tmp_dir(state, "imports")?;
    Ok(dir.join(format!(
        "u{}-s{session}-{}.xlsx",
        auth.inner.user.id,
        token.to_ascii_lowercase()
    )))
}

/// Upload: the file is read and checked row by row as the import would (nothing is written). All
/// rows good: the file is kept for the confirmation and the first rows shown. Otherwise every
/// error is listed, 422.
pub async fn preview(
    State(state): State<AppState>,
    auth: Auth,
    mp: Multipart,
) -> PageResult<Response> {
    let page = ImportPage::new(&auth);
    let read = async {
        let (bytes, _) = receive(&state, mp).await?;
        let rows = parse(bytes.clone()).await?;
        Ok::<_, AppError>((bytes, rows))
    }
    .await;
    let (bytes, rows) = match read {
        Ok(v) => v,
        Err(AppError::Invalid(f)) => {
            let msg =
                f.0.into_iter()
                    .map(|(_, m)| m)
                    .collect::<Vec<_>>()
                    .join("；");
            return page.failed(msg).render(StatusCode::UNPROCESSABLE_ENTITY);
        }
        Err(e) => return Err(e.into()),
    };
    match hazard::import_rows(&state.db, &auth.ctx(), &rows, false).await? {
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

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ConfirmForm {
    token: String,
}

/// Confirm: the kept file is read again and imported for real, all or nothing. Whatever happens
/// the file is then removed: a refused file has to be corrected anyway.
pub async fn confirm(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<ConfirmForm>,
) -> PageResult<Response> {
    let path = pending_path(&state, &auth, f.token.trim())?;
    let bytes = tokio::fs::read(&path)
        .await
        .map_err(|_| AppError::BadRequest("导入文件已过期或已导入，请重新上传".into()))?;
    let _ = tokio::fs::remove_file(&path).await;
    let page = ImportPage::new(&auth);
    let rows = match parse(bytes).await {
        Ok(r) => r,
        Err(AppError::Invalid(f)) => {
            let msg =
                f.0.into_iter()
                    .map(|(_, m)| m)
                    .collect::<Vec<_>>()
                    .join("；");
            return page.failed(msg).render(StatusCode::UNPROCESSABLE_ENTITY);
        }
        Err(e) => return Err(e.into()),
    };
    match hazard::import_rows(&state.db, &auth.ctx(), &rows, true).await? {
        Ok(_) => Ok(Redirect::to("/hazards?notice=imported").into_response()),
        Err(errors) => page
            .with_errors(&rows, &errors)
            .render(StatusCode::UNPROCESSABLE_ENTITY),
    }
}

// ---------------------------------------------------------------- API

#[derive(utoipa::OpenApi)]
#[openapi(paths(api_import))]
pub struct ImportApi;

/// The multipart form of an import.
#[derive(ToSchema)]
#[allow(dead_code)] // documents the multipart fields read by `receive`
pub struct ImportForm {
    /// 按导入模板填写的 Excel 文件（.xlsx）；从台账导出的文件也可导入
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// true：只检查、不写入（预览）
    dry_run: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResultDto {
    pub dry_run: bool,
    /// 文件中的数据行数
    pub rows: usize,
    /// 实际导入的行数（试运行或有错误时为 0）
    pub imported: usize,
    /// 新隐患的编号（仅实际导入时）
    pub ids: Vec<i64>,
}

#[utoipa::path(post, path = "/api/v1/hazards/import", tag = "事故隐患",
    request_body(content = ImportForm, content_type = "multipart/form-data"),
    responses((status = 200, description = "试运行通过", body = ImportResultDto),
              (status = 201, description = "已全部导入", body = ImportResultDto),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 413, body = ErrorBody),
              (status = 422, description = "文件无法读取，或有行错误（fields 的键为“第N行【列名】”，值为该格的问题）；均未导入", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn api_import(
    State(state): State<AppState>,
    auth: Auth,
    mp: Multipart,
) -> Result<Response, ApiError> {
    let (bytes, dry_run) = receive(&state, mp).await?;
    let rows = parse(bytes).await?;
    let ids = match hazard::import_rows(&state.db, &auth.ctx(), &rows, !dry_run).await? {
        Ok(ids) => ids,
        Err(errors) => {
            // One entry per problem cell, keyed by where it is: {"第5行【整改期限】": "不是有效日期…"}.
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
    let body = ImportResultDto {
        dry_run,
        rows: rows.len(),
        imported: ids.len(),
        ids,
    };
    Ok((status, Json(body)).into_response())
}
