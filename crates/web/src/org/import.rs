//! Organisation import from the Excel template: upload → preview with per-row errors (a dry run
//! of the real import) → confirm, all-or-nothing.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use anjian_db::org::{self, ImportRow, OrgInput};
use anjian_domain::org::OrgKind;
use anjian_domain::role::Permission;

use crate::auth::{Access, Auth};
use crate::error::{AppError, PageError, PageResult};
use crate::import::{self, PreviewRow};
use crate::layout::Chrome;
use crate::routes::RouteTable;
use crate::AppState;

pub fn routes() -> RouteTable {
    let manage = Access::Perm(Permission::OrgManage);
    RouteTable::default()
        .get("/orgs/import", manage, page)
        .get("/orgs/import/template", manage, template)
        .post("/orgs/import", manage, preview)
        .post("/orgs/import/confirm", manage, confirm)
}

const COLUMNS: &[(&str, bool, f64)] = &[
    ("上级组织（编号或名称）", true, 28.0),
    ("类型（单位/库点）", true, 16.0),
    ("名称", true, 30.0),
    ("统一社会信用代码", false, 24.0),
    ("地址", false, 36.0),
    ("主要负责人", false, 12.0),
    ("联系人", false, 12.0),
    ("联系电话", false, 16.0),
    ("排序号", false, 8.0),
];

fn column_names() -> Vec<&'static str> {
    COLUMNS.iter().map(|c| c.0).collect()
}

#[derive(Template)]
#[template(path = "org/import.html")]
struct ImportPage {
    chrome: Chrome,
    columns: Vec<&'static str>,
    error: Option<String>,
    rows: Vec<PreviewRow>,
    payload: String,
    ok_count: usize,
}

fn chrome(auth: &Auth) -> Chrome {
    Chrome::new(auth, "/orgs", "导入组织")
        .crumb("/orgs", "组织机构")
        .crumb("/orgs/import", "导入")
}

fn render(p: ImportPage, status: axum::http::StatusCode) -> PageResult<Response> {
    Ok((status, Html(p.render().map_err(PageError::from)?)).into_response())
}

async fn page(auth: Auth) -> PageResult<Response> {
    let p = ImportPage {
        chrome: chrome(&auth),
        columns: column_names(),
        error: None,
        rows: vec![],
        payload: String::new(),
        ok_count: 0,
    };
    render(p, axum::http::StatusCode::OK)
}

async fn template(_auth: Auth) -> PageResult<Response> {
    let bytes = import::template(
        "组织机构",
        COLUMNS,
        &[
            "某市粮食和物资储备局",
            "单位",
            "示例粮食储备有限公司",
            "",
            "某市某区某路1号",
            "张三",
            "李四",
            "0591-87000000",
            "10",
        ],
    )
    .map_err(|e| AppError::Internal(format!("模板生成失败：{e}")))?;
    Ok(super::routes::xlsx_response(bytes, "组织机构导入模板.xlsx"))
}

fn kind_code(text: &str) -> String {
    match text.trim() {
        "单位" | "局属单位" | "企事业单位" => "unit".into(),
        "库点" | "储备库" | "部门" => "site".into(),
        "局" => "bureau".into(),
        other => OrgKind::from_code(other)
            .map(|k| k.code().to_string())
            .unwrap_or_else(|| other.to_string()),
    }
}

fn to_rows(sheet: &import::Sheet) -> (Vec<ImportRow>, Vec<PreviewRow>) {
    let mut rows = Vec::new();
    let mut preview = Vec::new();
    for (line, cells) in &sheet.rows {
        let cell = |i: usize| cells.get(i).cloned().unwrap_or_default();
        let mut errors = Vec::new();
        let sort_order = match cell(8).trim() {
            "" => 0,
            s => s.parse::<i64>().unwrap_or_else(|_| {
                errors.push("排序号必须是整数".to_string());
                0
            }),
        };
        rows.push(ImportRow {
            line: *line,
            parent: cell(0),
            input: OrgInput {
                kind: kind_code(&cell(1)),
                parent_id: None,
                name: cell(2),
                uscc: Some(cell(3)),
                address: cell(4),
                principal: cell(5),
                contact_person: cell(6),
                contact_phone: cell(7),
                sort_order,
            },
        });
        preview.push(PreviewRow {
            line: *line,
            cells: (0..COLUMNS.len()).map(cell).collect(),
            errors,
        });
    }
    (rows, preview)
}

/// Runs the import (dry run or for real) and folds its row errors into the preview.
async fn check(
    state: &AppState,
    auth: &Auth,
    rows: &[ImportRow],
    preview: &mut [PreviewRow],
    commit: bool,
) -> Result<bool, AppError> {
    // Rows with unreadable cells still go through the dry run, so every problem of the file is
    // reported at once; nothing is written unless all rows are clean.
    let local_errors = preview.iter().any(|p| !p.errors.is_empty());
    match org::import(&state.db, &auth.ctx(), rows, commit && !local_errors).await? {
        Ok(_) => Ok(!local_errors),
        Err(failures) => {
            for (line, errs) in failures {
                if let Some(p) = preview.iter_mut().find(|p| p.line == line) {
                    p.errors.extend(errs.0.into_iter().map(|(_, m)| m));
                }
            }
            Ok(false)
        }
    }
}

async fn preview(
    State(state): State<AppState>,
    auth: Auth,
    mut mp: Multipart,
) -> PageResult<Response> {
    let mut bytes = Vec::new();
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest("上传内容格式不正确".into()))?
    {
        if field.name() == Some("file") {
            bytes = field
                .bytes()
                .await
                .map_err(|_| AppError::PayloadTooLarge)?
                .to_vec();
        }
    }
    let fail = |msg: String| ImportPage {
        chrome: chrome(&auth),
        columns: column_names(),
        error: Some(msg),
        rows: vec![],
        payload: String::new(),
        ok_count: 0,
    };
    if bytes.is_empty() {
        return render(
            fail("请选择要导入的 Excel 文件".into()),
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let read = import::off_runtime(bytes, |b| {
        import::read(b).and_then(|s| s.check_header(&column_names()).map(|_| s))
    })
    .await
    .map(|(_, s)| s);
    let sheet = match read {
        Ok(s) => s,
        Err(AppError::Invalid(f)) => {
            let msg = f.0.first().map(|(_, m)| m.clone()).unwrap_or_default();
            return render(fail(msg), axum::http::StatusCode::UNPROCESSABLE_ENTITY);
        }
        Err(e) => return Err(e.into()),
    };
    if sheet.rows.is_empty() {
        return render(
            fail("模板中没有数据行".into()),
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let (rows, mut preview) = to_rows(&sheet);
    let ok = check(&state, &auth, &rows, &mut preview, false).await?;
    let p = ImportPage {
        chrome: chrome(&auth),
        columns: column_names(),
        error: (!ok)
            .then(|| "以下行有错误，请修改 Excel 文件后重新上传。全部无误才会导入。".to_string()),
        ok_count: if ok { rows.len() } else { 0 },
        payload: if ok {
            serde_json::to_string(&rows).unwrap_or_default()
        } else {
            String::new()
        },
        rows: preview,
    };
    render(
        p,
        if ok {
            axum::http::StatusCode::OK
        } else {
            axum::http::StatusCode::UNPROCESSABLE_ENTITY
        },
    )
}

#[derive(Deserialize)]
struct ConfirmForm {
    #[serde(default)]
    payload: String,
}

/// The rows come back from the preview page; every check runs again, so an edited payload is no
/// more than another submission.
async fn confirm(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<ConfirmForm>,
) -> PageResult<Response> {
    let rows: Vec<ImportRow> = serde_json::from_str(&f.payload)
        .map_err(|_| AppError::BadRequest("导入数据无效，请重新上传文件".into()))?;
    if rows.is_empty() || rows.len() > import::MAX_ROWS {
        return Err(AppError::BadRequest("导入数据无效，请重新上传文件".into()).into());
    }
    let mut preview: Vec<PreviewRow> = rows
        .iter()
        .map(|r| PreviewRow {
            line: r.line,
            cells: vec![
                r.parent.clone(),
                r.input.kind.clone(),
                r.input.name.clone(),
                r.input.uscc.clone().unwrap_or_default(),
                r.input.address.clone(),
                r.input.principal.clone(),
                r.input.contact_person.clone(),
                r.input.contact_phone.clone(),
                r.input.sort_order.to_string(),
            ],
            errors: vec![],
        })
        .collect();
    if check(&state, &auth, &rows, &mut preview, true).await? {
        return Ok(Redirect::to("/orgs?notice=imported").into_response());
    }
    let p = ImportPage {
        chrome: chrome(&auth),
        columns: column_names(),
        error: Some("导入未执行：数据已发生变化，以下行有错误。".into()),
        rows: preview,
        payload: String::new(),
        ok_count: 0,
    };
    render(p, axum::http::StatusCode::UNPROCESSABLE_ENTITY)
}
