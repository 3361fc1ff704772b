//! The hazard ledger as an Excel workbook (隐患排查治理台账) in the layout offices keep on paper:
//! title rows, the usual columns, real date cells (not text), overdue rows in red, frozen header,
//! autofilter and a landscape print setup that repeats the header on every page.
//!
//! Large exports stream through `export_stream` (shared with the safety work ledgers): rows are
//! read a page at a time and written in rust_xlsxwriter's constant-memory mode, the finished
//! file is streamed from disk. Memory stays flat whether the ledger has a hundred rows or a
//! hundred thousand.

use std::path::{Path, PathBuf};

use axum::http::HeaderValue;
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{
    ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};

use anjian_db::audit::{self, Change};
use anjian_db::hazard::{self, Hazard, LedgerCursor, LedgerNames};

use super::pages::ListQuery;
use crate::auth::Auth;
use crate::error::AppError;
use crate::export_stream::{self, RowSink, RowSource};
use crate::AppState;

/// The readers the integration tests check these files with (their crate has no direct
/// dependency on them; see the report of issue 3 — a dev-dependency would replace this).
#[doc(hidden)]
pub mod readers {
    pub use calamine;
    pub use zip;
}

/// Most rows one export writes; beyond it the sheet says so in its last line.
pub const EXPORT_CAP: usize = 100_000;

/// The ledger's columns and their widths (characters). The import recognises the columns it
/// knows by these names and ignores the others, so an exported ledger imports back.
#[rustfmt::skip]
pub const HEADERS: [(&str, f64); 21] = [
    ("序号", 6.0), (hazard::col::ORG, 18.0), (hazard::col::LOCATION, 14.0),
    (hazard::col::DESCRIPTION, 36.0), (hazard::col::CATEGORY, 10.0), (hazard::col::GRADE, 9.0),
    (hazard::col::CRITERION, 18.0), (hazard::col::FOUND_ON, 11.0), (hazard::col::FOUND_BY, 9.0),
    ("来源/检查", 15.0), (hazard::col::CAMPAIGN, 16.0), (hazard::col::DEADLINE, 11.0),
    ("原定期限", 11.0), ("整改责任人", 10.0), ("整改措施", 28.0), ("整改资金（元）", 11.0),
    ("整改完成日期", 12.0), ("验收人", 9.0), ("验收日期", 11.0), ("状态", 8.0), ("是否逾期", 8.0),
];

/// Row of the header line; the title and the export line sit above it.
const HEADER_ROW: u32 = 2;
const LAST_COL: u16 = (HEADERS.len() - 1) as u16;

/// A hazard with the names its row shows.
pub struct LedgerRow {
    pub h: Hazard,
    pub org: String,
    pub source: String,
    pub campaign: String,
    pub verifier: String,
}

impl LedgerRow {
    pub fn new(h: Hazard, names: &LedgerNames) -> LedgerRow {
        let name = |m: &std::collections::HashMap<i64, String>, id: Option<i64>| {
            id.and_then(|i| m.get(&i).cloned())
        };
        LedgerRow {
            org: name(&names.orgs, Some(h.org_id)).unwrap_or_else(|| h.org_name.clone()),
            source: match h.inspection_id {
                Some(_) => name(&names.inspections, h.inspection_id).unwrap_or("检查".into()),
                None => "直接登记".into(),
            },
            campaign: name(&names.campaigns, h.campaign_id).unwrap_or_default(),
            verifier: name(&names.users, h.verified_by).unwrap_or_default(),
            h,
        }
    }
}

/// One style and its overdue twin (red text on a pale red fill).
struct Pair {
    normal: Format,
    late: Format,
}

impl Pair {
    fn new(base: Format) -> Pair {
        Pair {
            late: base
                .clone()
                .set_font_color("C00000")
                .set_background_color("FDE9E7"),
            normal: base,
        }
    }
    fn get(&self, late: bool) -> &Format {
        if late {
            &self.late
        } else {
            &self.normal
        }
    }
}

struct Formats {
    title: Format,
    sub: Format,
    head: Format,
    text: Pair,
    wrap: Pair,
    center: Pair,
    date: Pair,
    money: Pair,
}

impl Formats {
    fn new() -> Formats {
        let cell = Format::new()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::VerticalCenter);
        Formats {
            title: Format::new()
                .set_bold()
                .set_font_size(16)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            sub: Format::new().set_align(FormatAlign::Left),
            head: cell
                .clone()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_background_color("D9E1F2"),
            text: Pair::new(cell.clone()),
            wrap: Pair::new(cell.clone().set_text_wrap()),
            center: Pair::new(cell.clone().set_align(FormatAlign::Center)),
            date: Pair::new(
                cell.clone()
                    .set_num_format("yyyy-mm-dd")
                    .set_align(FormatAlign::Center),
            ),
            money: Pair::new(cell.set_num_format("#,##0.00")),
        }
    }
}

fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    // Years beyond u16 cannot be stored (the import and forms refuse them long before).
    ExcelDateTime::from_ymd(
        d.year().clamp(1900, 9999) as u16,
        d.month() as u8,
        d.day() as u8,
    )
}

/// A ledger workbook being written row by row.
pub struct LedgerSheet {
    wb: Workbook,
    fm: Formats,
    today: NaiveDate,
    next_row: u32,
    rows: usize,
}

impl LedgerSheet {
    /// Title rows and header written. With `tempdir`, the sheet is in constant-memory mode and
    /// its rows spill to a temp file there (the data directory, not a possibly RAM-backed /tmp).
    pub fn new(
        title: &str,
        subtitle: &str,
        today: NaiveDate,
        tempdir: Option<&Path>,
    ) -> Result<LedgerSheet, XlsxError> {
        let mut wb = Workbook::new();
        // Level 1: a 100,000-row sheet is ~250 MB of XML; the default level 6 spends seconds
        // more on it for a file only a little smaller.
        wb.set_zip_compression_level(1);
        let ws = match tempdir {
            Some(dir) => {
                wb.set_tempdir(dir)?;
                wb.add_worksheet_with_constant_memory()?
            }
            None => wb.add_worksheet(),
        };
        let fm = Formats::new();
        ws.set_name("隐患台账")?;
        for (c, (_, w)) in HEADERS.iter().enumerate() {
            ws.set_column_width(c as u16, *w)?;
        }
        ws.set_row_height(0, 30)?;
        ws.merge_range(0, 0, 0, LAST_COL, title, &fm.title)?;
        ws.merge_range(1, 0, 1, LAST_COL, subtitle, &fm.sub)?;
        ws.set_row_height(HEADER_ROW, 30)?;
        for (c, (h, _)) in HEADERS.iter().enumerate() {
            ws.write_string_with_format(HEADER_ROW, c as u16, *h, &fm.head)?;
        }
        ws.set_freeze_panes(HEADER_ROW + 1, 2)?;
        ws.set_landscape();
        ws.set_paper_size(9); // A4
        ws.set_print_fit_to_pages(1, 0);
        ws.set_repeat_rows(HEADER_ROW, HEADER_ROW)?;
        ws.set_margins(0.4, 0.4, 0.6, 0.6, 0.3, 0.3);
        ws.set_footer("&C第 &P 页，共 &N 页");
        Ok(LedgerSheet {
            wb,
            fm,
            today,
            next_row: HEADER_ROW + 1,
            rows: 0,
        })
    }

    fn sheet(&mut self) -> Result<&mut Worksheet, XlsxError> {
        self.wb.worksheet_from_index(0)
    }

    pub fn push(&mut self, r: &LedgerRow) -> Result<(), XlsxError> {
        let row = self.next_row;
        let h = &r.h;
        let late = h.is_overdue(self.today);
        let seq = (self.rows + 1) as f64;
        // Disjoint borrows of the fields: the formats are read while the sheet is written.
        let fm = &self.fm;
        let ws = self.wb.worksheet_from_index(0)?;
        let date = |ws: &mut Worksheet, c: u16, d: Option<NaiveDate>| -> Result<(), XlsxError> {
            match d {
                Some(d) => ws.write_datetime_with_format(row, c, excel_date(d)?, fm.date.get(late)),
                None => ws.write_blank(row, c, fm.date.get(late)),
            }
            .map(|_| ())
        };
        let (text, wrap, center) = (fm.text.get(late), fm.wrap.get(late), fm.center.get(late));
        ws.write_number_with_format(row, 0, seq, center)?;
        ws.write_string_with_format(row, 1, &r.org, wrap)?;
        ws.write_string_with_format(row, 2, &h.location, wrap)?;
        ws.write_string_with_format(row, 3, &h.description, wrap)?;
        ws.write_string_with_format(row, 4, &h.category, text)?;
        ws.write_string_with_format(row, 5, if h.is_major() { "重大" } else { "一般" }, center)?;
        ws.write_string_with_format(row, 6, &h.major_criterion, wrap)?;
        date(ws, 7, Some(h.found_on))?;
        ws.write_string_with_format(row, 8, &h.found_by, text)?;
        ws.write_string_with_format(row, 9, &r.source, text)?;
        ws.write_string_with_format(row, 10, &r.campaign, wrap)?;
        date(ws, 11, Some(h.deadline))?;
        date(ws, 12, Some(h.original_deadline))?;
        ws.write_string_with_format(row, 13, &h.owner, text)?;
        ws.write_string_with_format(row, 14, &h.measures, wrap)?;
        match h.funds_fen {
            Some(f) => {
                ws.write_number_with_format(row, 15, f as f64 / 100.0, fm.money.get(late))?
            }
            None => ws.write_blank(row, 15, fm.money.get(late))?,
        };
        date(ws, 16, h.rectified_on)?;
        ws.write_string_with_format(row, 17, &r.verifier, text)?;
        date(ws, 18, h.verified_on)?;
        ws.write_string_with_format(row, 19, h.status_label(), center)?;
        ws.write_string_with_format(row, 20, if late { "是" } else { "否" }, center)?;
        self.next_row += 1;
        self.rows += 1;
        Ok(())
    }

    /// Autofilter over the written rows, and a closing note when the export was cut at the cap
    /// (in the 序号 column, which the import ignores).
    fn finish(&mut self, truncated: bool) -> Result<usize, XlsxError> {
        let last = self.next_row.saturating_sub(1).max(HEADER_ROW);
        let note =
            truncated.then(|| format!("仅导出了前{EXPORT_CAP}条记录，请缩小查询范围后分批导出。"));
        let row = self.next_row;
        let ws = self.sheet()?;
        ws.autofilter(HEADER_ROW, 0, last, LAST_COL)?;
        if let Some(n) = note {
            ws.write_string(row, 0, n)?;
        }
        Ok(self.rows)
    }

    pub fn save(mut self, path: &Path, truncated: bool) -> Result<usize, XlsxError> {
        let n = self.finish(truncated)?;
        self.wb.save(path)?;
        Ok(n)
    }

    pub fn to_bytes(mut self) -> Result<Vec<u8>, XlsxError> {
        self.finish(false)?;
        self.wb.save_to_buffer()
    }
}

/// A small ledger written in memory (organisation names as stored).
pub fn xlsx(rows: &[Hazard], today: NaiveDate) -> Result<Vec<u8>, XlsxError> {
    let mut s = LedgerSheet::new("隐患排查治理台账", "", today, None)?;
    for h in rows {
        s.push(&LedgerRow::new(h.clone(), &LedgerNames::default()))?;
    }
    s.to_bytes()
}

/// The filters of the ledger page in words, for the line under the title.
fn describe(q: &ListQuery, names: &LedgerNames) -> String {
    let f = q.filter();
    let day = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_else(|| "不限".into());
    let keyword = f.keyword.as_deref().map(str::trim).unwrap_or("");
    let parts: Vec<String> = [
        f.org_id
            .and_then(|o| names.orgs.get(&o))
            .map(|o| format!("单位：{o}")),
        (f.found_from.is_some() || f.found_to.is_some())
            .then(|| format!("发现日期：{} 至 {}", day(f.found_from), day(f.found_to))),
        f.status
            .map(|s| format!("状态：{}", s.label()))
            .or_else(|| f.open.then(|| "状态：未销号".into())),
        f.grade.map(|g| format!("等级：{}", g.label())),
        f.overdue.then(|| "仅逾期".into()),
        f.due_soon.then(|| "即将到期".into()),
        (!keyword.is_empty()).then(|| format!("关键字：{keyword}")),
    ]
    .into_iter()
    .flatten()
    .collect();
    if parts.is_empty() {
        "全部".into()
    } else {
        parts.join("；")
    }
}

/// A scratch folder `tmp/<sub>` of the data directory's file store (exports being written, imports
/// awaiting confirmation). Files older than an hour are leftovers (a download never finished, a
/// preview never confirmed) and are removed here, so the folder cleans itself.
pub fn tmp_dir(state: &AppState, sub: &str) -> Result<PathBuf, AppError> {
    let dir = PathBuf::from(state.store.info().root())
        .join("tmp")
        .join(sub);
    std::fs::create_dir_all(&dir)
        .map_err(|e| AppError::Internal(format!("无法创建临时目录：{e}")))?;
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for e in entries.flatten() {
            let old = e
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age.as_secs() > 3600);
            if old {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    Ok(dir)
}

/// `attachment` with an ASCII fallback and the UTF-8 name (RFC 5987 / RFC 6266).
pub fn disposition(ascii: &str, name: &str) -> HeaderValue {
    let v = format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        crate::auth::urlencode(name)
    );
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// Exports the ledger with the page's filters, within the caller's scope: written in pages to
/// a file, audited (row count and filter), then streamed.
pub async fn download(state: &AppState, auth: &Auth, q: &ListQuery) -> Result<Response, AppError> {
    let ctx = auth.ctx();
    let db = &state.db;
    let f = q.filter();
    let names = LedgerNames::load(db, &ctx).await?;
    let today = hazard::today();
    let unit = f
        .org_id
        .and_then(|o| names.orgs.get(&o))
        .or_else(|| names.orgs.get(&auth.inner.user.org_id))
        .cloned()
        .unwrap_or_default();
    let title = format!("{unit}隐患排查治理台账");
    let subtitle = format!(
        "导出日期：{}　　查询条件：{}",
        today.format("%Y年%-m月%-d日"),
        describe(q, &names)
    );
    let source = HazardSource {
        db: db.clone(),
        ctx: ctx.clone(),
        f,
        cur: LedgerCursor::default(),
        names,
    };
    let file = export_stream::write(state, source, EXPORT_CAP, move |dir| {
        LedgerSheet::new(&title, &subtitle, today, Some(dir))
    })
    .await?;
    audit::record_alone(
        db,
        &ctx,
        Change::new("hazard", "", "export").after(serde_json::json!({
            "format": "xlsx",
            "rows": file.rows,
            "query": q.query_string(),
        })),
    )
    .await?;
    let name = format!("{unit}隐患排查治理台账_{}.xlsx", today.format("%Y%m%d"));
    export_stream::respond(state, &file, "ledger.xlsx", &name).await
}

/// The hazards of an export in the ledger's order, with the names their rows show (learnt a
/// page at a time).
struct HazardSource {
    db: anjian_db::Db,
    ctx: anjian_db::Ctx,
    f: hazard::HazardFilter,
    cur: LedgerCursor,
    names: LedgerNames,
}

impl RowSource for HazardSource {
    type Row = LedgerRow;

    async fn next_page(&mut self, want: i64) -> Result<Vec<LedgerRow>, anjian_db::DbError> {
        if self.cur.done() {
            return Ok(Vec::new());
        }
        let page = hazard::ledger_page(&self.db, &self.ctx, &self.f, &mut self.cur, want).await?;
        self.names.add_page(&self.db, &page).await?;
        Ok(page
            .into_iter()
            .map(|h| LedgerRow::new(h, &self.names))
            .collect())
    }
}

impl RowSink for LedgerSheet {
    type Row = LedgerRow;

    fn push(&mut self, row: &LedgerRow) -> Result<(), XlsxError> {
        LedgerSheet::push(self, row)
    }

    fn save(self, path: &Path, truncated: bool) -> Result<usize, XlsxError> {
        LedgerSheet::save(self, path, truncated)
    }
}

/// A column of the import template, as the 说明 sheet and the import page explain it.
pub struct TemplateColumn {
    pub name: &'static str,
    /// The header cell: the name, a note on what to write, "*" when required.
    pub header: &'static str,
    pub required: bool,
    pub date: bool,
    pub width: f64,
    pub note: &'static str,
    pub example: &'static str,
}

const fn tc(
    name: &'static str,
    header: &'static str,
    required: bool,
    date: bool,
    width: f64,
    note: &'static str,
    example: &'static str,
) -> TemplateColumn {
    TemplateColumn {
        name,
        header,
        required,
        date,
        width,
        note,
        example,
    }
}

#[rustfmt::skip]
pub const TEMPLATE_COLUMNS: [TemplateColumn; 10] = [
    tc(hazard::col::ORG, "单位/库点（名称或编号）*", true, false, 24.0,
       "组织机构中的准确名称或编号，须在您的管辖范围内；名称重复时写“上级名称/名称”", "甲粮食储备库"),
    tc(hazard::col::LOCATION, "隐患部位", false, false, 14.0, "如“3号仓房”“配电室”，不超过100字", "3号仓房"),
    tc(hazard::col::DESCRIPTION, "隐患描述*", true, false, 40.0, "隐患的具体情况，不超过500字",
       "仓房配电箱未上锁，箱内线路老化"),
    tc(hazard::col::CATEGORY, "隐患类别", false, false, 12.0, "如用电安全、消防安全、有限空间作业，不超过50字",
       "用电安全"),
    tc(hazard::col::GRADE, "隐患等级（一般/重大）*", true, false, 12.0,
       "填“一般”或“重大”（也可写“一般隐患”“重大隐患”）", "一般"),
    tc(hazard::col::CRITERION, "重大隐患判定依据", false, false, 24.0, "等级为“重大”时必填：所依据的判定标准条款", ""),
    tc(hazard::col::FOUND_ON, "发现日期*", true, true, 12.0, "不能晚于今天；写法见下方说明", "2024-03-01"),
    tc(hazard::col::FOUND_BY, "发现人", false, false, 10.0, "不超过50字", "张三"),
    tc(hazard::col::DEADLINE, "整改期限*", true, true, 12.0, "不能早于发现日期；写法见下方说明", "2024-03-15"),
    tc(hazard::col::CAMPAIGN, "专项行动（名称，可不填）", false, false, 22.0,
       "适用于该单位、正在进行的专项行动的准确名称或编号", ""),
];

/// What the 说明 sheet says below the column table.
pub const TEMPLATE_NOTES: [&str; 6] = [
    "每行一项隐患。请勿修改第一行表头；可以增加其他列（如序号、备注），导入时忽略。",
    "日期可写作 2023-03-01、2023-3-1、2023/03/01、2023/3/1、2023.3.1、2023年3月1日 或 20230301，也可使用 Excel 的日期单元格；只写年份（如“2023”）或日在前的写法（如“01/03/2023”）不接受。",
    "上传后系统逐行检查并预览，全部无误才可确认导入；任何一行有错误都不会导入任何数据。提示形如“第5行【整改期限】不是有效日期”，行号即 Excel 中的行号。",
    "导入的隐患一律登记为“待整改”；整改责任人、措施、资金、验收等在系统中按流程办理。",
    "从本系统导出的《隐患排查治理台账》可直接导入：按表头识别列，序号、来源、原定期限、整改、验收、状态、是否逾期等列不导入，隐患按“待整改”重新登记。",
    "一次最多导入10000行，更多请分批导入。",
];

/// The import template: the sheet to fill (header only, date columns formatted as dates, a
/// drop-down for the grade) and a 说明 sheet with every column, an example and the rules.
pub fn import_template() -> Result<Vec<u8>, XlsxError> {
    use rust_xlsxwriter::{DataValidation, DataValidationErrorStyle};
    let mut wb = Workbook::new();
    let fm = Formats::new();
    let text = Format::new().set_num_format("@");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let ws = wb.add_worksheet();
    ws.set_name("隐患导入")?;
    for (c, col) in TEMPLATE_COLUMNS.iter().enumerate() {
        let c = c as u16;
        ws.write_string_with_format(0, c, col.header, &fm.head)?;
        ws.set_column_width(c, col.width)?;
        // Text columns stay text so a number-like name or id keeps its form.
        ws.set_column_format(c, if col.date { &date } else { &text })?;
        if col.name == hazard::col::GRADE {
            let v = DataValidation::new()
                .allow_list_strings(&["一般", "重大"])?
                .set_error_style(DataValidationErrorStyle::Warning);
            ws.add_data_validation(1, c, hazard::MAX_ROWS as u32, c, &v)?;
        }
    }
    ws.set_row_height(0, 30)?;
    ws.set_freeze_panes(1, 0)?;
    let help = wb.add_worksheet();
    help.set_name("说明")?;
    help.merge_range(0, 0, 0, 3, "隐患导入说明", &fm.title)?;
    for (c, (h, w)) in [
        ("列名", 18.0),
        ("必填", 6.0),
        ("填写说明", 60.0),
        ("示例", 28.0),
    ]
    .iter()
    .enumerate()
    {
        help.write_string_with_format(1, c as u16, *h, &fm.head)?;
        help.set_column_width(c as u16, *w)?;
    }
    let mut row = 2;
    for col in &TEMPLATE_COLUMNS {
        help.write_string_with_format(row, 0, col.name, &fm.text.normal)?;
        help.write_string_with_format(
            row,
            1,
            if col.required { "是" } else { "" },
            &fm.center.normal,
        )?;
        help.write_string_with_format(row, 2, col.note, &fm.wrap.normal)?;
        help.write_string_with_format(row, 3, col.example, &fm.text.normal)?;
        row += 1;
    }
    row += 1;
    for (i, n) in TEMPLATE_NOTES.iter().enumerate() {
        help.merge_range(row, 0, row, 3, &format!("{}. {n}", i + 1), &fm.wrap.normal)?;
        help.set_row_height(row, 32)?;
        row += 1;
    }
    wb.save_to_buffer()
}
