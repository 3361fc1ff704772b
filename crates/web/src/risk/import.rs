//! Importing a risk register sheet, all or nothing like the hazard ledger: the page with the
//! template download, the upload checked by a dry run of the real import (preview, or the rows'
//! errors), the confirmation that imports the kept file, and the same through the API. Reading
//! the sheet itself is `excel::read_rows`.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use anjian_db::risk::{self, RiskImportRow, RowError, COLUMNS};
use anjian_db::FieldErrors;

use super::excel::{file_error, read_rows, template, REQUIRED};
use crate::auth::Auth;
use crate::error::{ApiError, AppError, ErrorBody, PageError, PageResult};
use crate::hazard::forms::FormData;
use crate::layout::Chrome;
use crate::AppState;

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
