//! Spreadsheet import shared by every module: read the first worksheet of an .xlsx/.xls file into
//! text cells, check the header against the template, and show a preview with per-row errors.
//! Modules turn the text rows into their own inputs; writing is all-or-nothing in the data layer.

use calamine::{Data, Reader};

use crate::error::AppError;

/// A worksheet as text: the header row and the data rows (fully empty rows dropped), with the
/// 1-based line number each data row had in the file.
pub struct Sheet {
    pub header: Vec<String>,
    pub rows: Vec<(usize, Vec<String>)>,
}

/// Largest import accepted, in data rows: bigger files are split by the office anyway.
pub const MAX_ROWS: usize = 5000;

fn cell_text(c: &Data) -> String {
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        // Whole numbers typed into a cell come back as floats; show them as people typed them.
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        Data::DateTime(d) => match d.as_datetime() {
            Some(dt) if dt.time() == chrono::NaiveTime::MIN => {
                dt.date().format("%Y-%m-%d").to_string()
            }
            Some(dt) => dt.format("%Y-%m-%d %H:%M").to_string(),
            None => d.as_f64().to_string(),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(_) => "#错误".to_string(),
    }
}

pub fn read(bytes: &[u8]) -> Result<Sheet, AppError> {
    let bad = || {
        AppError::Invalid(anjian_db::FieldErrors::single(
            "file",
            "无法读取该文件，请使用下载的 Excel 模板（.xlsx）填写",
        ))
    };
    let mut wb =
        calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).map_err(|_| bad())?;
    let range = wb
        .worksheet_range_at(0)
        .ok_or_else(bad)?
        .map_err(|_| bad())?;
    let mut rows = range.rows().enumerate();
    let header: Vec<String> = match rows.next() {
        Some((_, r)) => r.iter().map(cell_text).collect(),
        None => {
            return Err(AppError::Invalid(anjian_db::FieldErrors::single(
                "file",
                "文件是空的",
            )))
        }
    };
    let start = range.start().map(|(r, _)| r as usize).unwrap_or(0);
    let mut out = Vec::new();
    for (i, r) in rows {
        let cells: Vec<String> = r.iter().map(cell_text).collect();
        if cells.iter().all(|c| c.is_empty()) {
            continue;
        }
        if out.len() >= MAX_ROWS {
            return Err(AppError::Invalid(anjian_db::FieldErrors::single(
                "file",
                format!("一次最多导入{MAX_ROWS}行，请分批导入"),
            )));
        }
        out.push((start + i + 1, cells));
    }
    Ok(Sheet { header, rows: out })
}

impl Sheet {
    /// The header must start with the template's columns, in order.
    pub fn check_header(&self, expected: &[&str]) -> Result<(), AppError> {
        for (i, want) in expected.iter().enumerate() {
            let got = self.header.get(i).map(String::as_str).unwrap_or("");
            if got.trim_end_matches('*').trim() != *want {
                return Err(AppError::Invalid(anjian_db::FieldErrors::single(
                    "file",
                    format!(
                        "第{}列表头应为“{want}”，实为“{got}”，请使用下载的模板",
                        i + 1
                    ),
                )));
            }
        }
        Ok(())
    }
}

/// A row of the preview: the cells as read and the Chinese errors found in them.
pub struct PreviewRow {
    pub line: usize,
    pub cells: Vec<String>,
    pub errors: Vec<String>,
}

/// A blank template with the given header (required columns marked with *), and an example row.
pub fn template(
    sheet_name: &str,
    columns: &[(&str, bool, f64)],
    example: &[&str],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet_name)?;
    let head = Format::new()
        .set_bold()
        .set_background_color("D9E1F2")
        .set_border(rust_xlsxwriter::FormatBorder::Thin);
    let text = Format::new().set_num_format("@");
    for (c, (name, required, width)) in columns.iter().enumerate() {
        let title = if *required {
            format!("{name}*")
        } else {
            name.to_string()
        };
        ws.write_string_with_format(0, c as u16, title, &head)?;
        // Text format so codes such as 统一社会信用代码 and phone numbers keep leading zeros.
        ws.set_column_width(c as u16, *width)?;
        ws.set_column_format(c as u16, &text)?;
    }
    for (c, v) in example.iter().enumerate() {
        ws.write_string(1, c as u16, *v)?;
    }
    ws.set_freeze_panes(1, 0)?;
    wb.save_to_buffer()
}
