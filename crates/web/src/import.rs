//! Spreadsheet import shared by every module: read the first worksheet of an .xlsx file into
//! text cells, check the header against the template, and show a preview with per-row errors.
//! Modules turn the text rows into their own inputs; writing is all-or-nothing in the data layer.

use calamine::{Data, DataRef, Range, Reader};

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

fn file_error(message: impl Into<String>) -> AppError {
    AppError::Invalid(anjian_db::FieldErrors::single("file", message))
}

fn unreadable() -> AppError {
    file_error("无法读取该文件，请使用下载的 Excel 模板（.xlsx）填写")
}

/// Rows of a worksheet an import looks at: the largest import (10,000 rows) under its title lines
/// fits with room to spare.
pub const SHEET_ROWS: u32 = 20_000;
/// Columns an import looks at: no template has more than 25; cells further right are ignored.
pub const SHEET_COLS: u32 = 64;

/// The first worksheet of an uploaded .xlsx, as a dense range built only from the cells inside
/// `SHEET_ROWS` × `SHEET_COLS`.
///
/// Not `open_workbook_auto` + `worksheet_range`: calamine sizes a range by its farthest cell, so
/// a 600-byte sheet with values in A1 and XFD1048576 asks for 512 GiB and the allocator aborts
/// the whole server; a legacy .xls does the same while merely being opened (its sheets are read
/// eagerly), and a cell reference longer than any integer overflows (a panic in debug builds).
/// So only .xlsx is read, cell by cell, a value below `SHEET_ROWS` refuses the file, and a panic
/// inside the reader is an unreadable file rather than a 500.
pub fn first_sheet(bytes: &[u8]) -> Result<Range<Data>, AppError> {
    const OLE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    if bytes.starts_with(&OLE) {
        return Err(file_error(
            "不支持旧版 Excel（.xls）文件，请在 Excel 或 WPS 中另存为 .xlsx 后上传",
        ));
    }
    std::panic::catch_unwind(|| {
        within_unzipped_limit(bytes, UNZIPPED_MAX)?;
        bounded_first_sheet(bytes)
    })
    .unwrap_or_else(|_| Err(unreadable()))
}

/// Runs `read` over an upload off the async workers (unzipping, the size check and reading a
/// 10,000-row sheet are a noticeable moment of CPU that would stall every request sharing the
/// worker), and hands the bytes back with what was read.
pub async fn off_runtime<T: Send + 'static>(
    bytes: Vec<u8>,
    read: impl FnOnce(&[u8]) -> Result<T, AppError> + Send + 'static,
) -> Result<(Vec<u8>, T), AppError> {
    tokio::task::spawn_blocking(move || read(&bytes).map(|v| (bytes, v)))
        .await
        .map_err(|e| AppError::Internal(format!("读取文件失败：{e}")))?
}

/// The most an uploaded .xlsx may hold once unzipped. A 10,000-row template filled with long
/// Chinese text is ~30 MB of XML; calamine inflates the shared strings into memory before any
/// cell is read, so a 3 MB upload whose sharedStrings.xml inflates to 3 GiB (a "zip bomb")
/// took the server past 2 GB of memory before this check.
pub const UNZIPPED_MAX: u64 = 128 * 1024 * 1024;

/// Refuses a zip whose entries inflate to more than `limit` bytes in all. The sizes an archive
/// declares can lie, so each entry is inflated (into nothing) and counted, stopping at the limit.
fn within_unzipped_limit(bytes: &[u8], limit: u64) -> Result<(), AppError> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|_| unreadable())?;
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(|_| unreadable())?;
        let mut capped = entry.take(limit - total + 1);
        total += std::io::copy(&mut capped, &mut std::io::sink()).map_err(|_| unreadable())?;
        if total > limit {
            return Err(file_error(format!(
                "文件解压后超过{}MB，无法导入；请只保留模板中的数据后重新上传",
                limit / (1024 * 1024)
            )));
        }
    }
    Ok(())
}

fn bounded_first_sheet(bytes: &[u8]) -> Result<Range<Data>, AppError> {
    let mut wb = calamine::Xlsx::new(std::io::Cursor::new(bytes)).map_err(|_| unreadable())?;
    let name = wb.sheet_names().first().cloned().ok_or_else(unreadable)?;
    let mut cells = wb.worksheet_cells_reader(&name).map_err(|_| unreadable())?;
    let mut kept = Vec::new();
    while let Some(cell) = cells.next_cell().map_err(|_| unreadable())? {
        let (row, col) = cell.get_position();
        if matches!(cell.get_value(), DataRef::Empty) {
            continue;
        }
        if row >= SHEET_ROWS {
            return Err(file_error(format!(
                "第{}行超出可导入的范围（最多{SHEET_ROWS}行），请删除表格下方多余的内容后重新上传",
                u64::from(row) + 1
            )));
        }
        if col < SHEET_COLS {
            kept.push(calamine::Cell::new(
                (row, col),
                Data::from(cell.get_value().clone()),
            ));
        }
    }
    Ok(Range::from_sparse(kept))
}

pub fn read(bytes: &[u8]) -> Result<Sheet, AppError> {
    let range = first_sheet(bytes)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A zip of one entry holding `n` bytes of "a" (deflated to a few KB).
    fn zip_of(n: usize) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        w.start_file("xl/sharedStrings.xml", opts).unwrap();
        let chunk = vec![b'a'; 64 * 1024];
        for _ in 0..n / chunk.len() {
            w.write_all(&chunk).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn a_zip_inflating_past_the_limit_is_refused_naming_the_file() {
        let bomb = zip_of(4 * 1024 * 1024);
        assert!(
            bomb.len() < 64 * 1024,
            "the test file is small: {}",
            bomb.len()
        );
        match within_unzipped_limit(&bomb, 1024 * 1024) {
            Err(AppError::Invalid(e)) => {
                assert!(e.get("file").is_some_and(|m| m.contains("解压后超过1MB")))
            }
            Err(_) => panic!("refused, but not as an invalid file"),
            Ok(()) => panic!("a zip bomb passed"),
        }
        assert!(within_unzipped_limit(&bomb, 8 * 1024 * 1024).is_ok());
    }
}
