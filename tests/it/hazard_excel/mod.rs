//! Hazard ledger Excel export and import, and the DOCX rectification notice. Files are read back
//! with calamine (cell types, not just text) and zip (the DOCX body), as an office would open them.

use std::io::{Cursor, Read};

use axum::body::Body;
use axum::http::{header, Request};

use anjian_web::hazard::export::readers::calamine::{self, Data, Reader};
use anjian_web::hazard::export::readers::zip;

use anjian_db::Q;
use anjian_testkit::{multipart, Login, Resp, TestApp};

use crate::hazard::Person;

mod export;
mod import;
mod notice;

/// The import template's header, as the template writes it.
pub const HEADER: [&str; 10] = [
    "单位/库点（名称或编号）*",
    "隐患部位",
    "隐患描述*",
    "隐患类别",
    "隐患等级（一般/重大）*",
    "重大隐患判定依据",
    "发现日期*",
    "发现人",
    "整改期限*",
    "专项行动（名称，可不填）",
];

/// A cell of a test workbook: text, a number (Excel serials), or a real date cell.
#[derive(Clone, Debug)]
pub enum C {
    T(String),
    N(f64),
    D(chrono::NaiveDate),
}

pub fn t(s: &str) -> C {
    C::T(s.to_string())
}

/// A workbook with the given header and rows (empty text cells left blank).
pub fn workbook(header: &[&str], rows: &[Vec<C>]) -> Vec<u8> {
    use chrono::Datelike;
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, v) in row.iter().enumerate() {
            let c = c as u16;
            match v {
                C::T(s) if s.is_empty() => {}
                C::T(s) => {
                    ws.write_string(r, c, s).unwrap();
                }
                C::N(n) => {
                    ws.write_number(r, c, *n).unwrap();
                }
                C::D(d) => {
                    let x = rust_xlsxwriter::ExcelDateTime::from_ymd(
                        d.year() as u16,
                        d.month() as u8,
                        d.day() as u8,
                    )
                    .unwrap();
                    ws.write_datetime_with_format(r, c, x, &date).unwrap();
                }
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

/// A template row of text cells.
pub fn row(cells: [&str; 10]) -> Vec<C> {
    cells.iter().map(|s| t(s)).collect()
}

pub async fn hazard_count(app: &TestApp) -> i64 {
    let (n,): (i64,) = app
        .db
        .fetch_one(&Q::new("SELECT COUNT(*) FROM hazard"))
        .await
        .unwrap();
    n
}

/// Rows written anywhere a registration writes: hazards, their timeline, the audit trail.
pub async fn footprint(app: &TestApp) -> (i64, i64, i64) {
    let (e,): (i64,) = app
        .db
        .fetch_one(&Q::new("SELECT COUNT(*) FROM hazard_event"))
        .await
        .unwrap();
    (hazard_count(app).await, e, app.audit_count().await)
}

/// The first worksheet as calamine reads it (typed cells, absolute positions from A1).
pub fn sheet(bytes: &[u8]) -> calamine::Range<Data> {
    let mut wb = calamine::open_workbook_auto_from_rs(Cursor::new(bytes.to_vec())).expect("xlsx");
    wb.worksheet_range_at(0)
        .expect("a sheet")
        .expect("readable")
}

pub fn sheet_named(bytes: &[u8], name: &str) -> calamine::Range<Data> {
    let mut wb = calamine::open_workbook_auto_from_rs(Cursor::new(bytes.to_vec())).expect("xlsx");
    wb.worksheet_range(name).expect("the sheet")
}

/// One part of a zip container (xlsx or docx) as text.
pub fn zip_part(bytes: &[u8], name: &str) -> String {
    let mut z = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).expect("zip");
    let mut f = z.by_name(name).expect("part");
    let mut s = String::new();
    f.read_to_string(&mut s).expect("utf-8");
    s
}

/// The value of the confirm form's hidden token (empty when there is no confirm form).
pub fn token(html: &str) -> String {
    html.split("name=\"token\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or("")
        .to_string()
}

/// Text with the HTML escapes askama writes turned back, for looking for messages in a page.
pub fn unescape(html: &str) -> String {
    html.replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// POST /api/v1/hazards/import with a bearer token: the file and, when given, `dry_run`.
pub async fn api_import(app: &TestApp, token: &str, file: &[u8], dry_run: Option<&str>) -> Resp {
    let fields: Vec<(&str, &str)> = dry_run.map(|d| vec![("dry_run", d)]).unwrap_or_default();
    let (ct, body) = multipart(&fields, "hazards.xlsx", file);
    app.send(
        Request::post("/api/v1/hazards/import")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

/// Upload for preview, then confirm with the preview's token. Returns the preview response.
pub async fn import_through_pages(app: &TestApp, who: &Login, file: &[u8]) -> (Resp, Resp) {
    let preview = app
        .upload("/hazards/import", who, "hazards.xlsx", file)
        .await;
    let tok = token(&preview.text());
    let confirm = app
        .post("/hazards/import/confirm", who, &[("token", tok.as_str())])
        .await;
    (preview, confirm)
}

/// A signed-in browser session for a `Person` of the hazard tests' world.
pub async fn login(app: &TestApp, p: &Person) -> Login {
    app.login_as(&p.user).await
}
