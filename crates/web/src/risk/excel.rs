//! The register as Excel in the usual 安全风险分级管控清单 layout (title, subtitle, one row per
//! risk, the level cell in its colour) and its export; the reading of such a sheet and the import
//! template. The import flow built on them (upload → preview → confirm, and the API) is in
//! `import`.

use axum::extract::{Query, State};
use axum::response::Response;
use calamine::Data;
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, XlsxError};

use anjian_db::audit::{self, Change};
use anjian_db::risk::{self, RiskImportRow, COLUMNS, MAX_ROWS};
use anjian_db::FieldErrors;
use anjian_domain::risk::RiskLevel;

use super::pages::{ListQuery, OrgPick};
use crate::auth::Auth;
use crate::error::{AppError, PageResult};
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

pub(super) fn file_error(message: impl Into<String>) -> AppError {
    AppError::Invalid(FieldErrors::single("file", message))
}

/// Columns a sheet must have.
pub(super) const REQUIRED: [&str; 4] = ["单位/库点", "风险点名称", "风险描述", "评价方法"];

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
