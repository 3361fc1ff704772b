//! Workbooks for the import properties: written with typed cells (text, numbers, booleans, real
//! date cells, blanks) under optional merged title lines, and damaged ones — arbitrary bytes, a
//! valid file with flipped or cut bytes, and a valid file whose XML parts were edited and zipped
//! again, so that the damage reaches the spreadsheet reader rather than stopping at the zip CRC.

use std::io::{Cursor, Read, Write};

use chrono::{Datelike, NaiveDate};
use proptest::prelude::*;

/// A cell as a spreadsheet holds it.
#[derive(Clone, Debug)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    Date(NaiveDate),
}

/// A generated row and, maybe, an arbitrary cell put in at a column.
pub type Damaged<R> = (R, Option<(usize, Cell)>);

pub fn t(s: &str) -> Cell {
    Cell::Text(s.to_string())
}

/// An .xlsx with `titles` (each merged across the header's width, as exports write them), then
/// the header, then the rows.
pub fn xlsx(titles: &[String], header: &[String], rows: &[Vec<Cell>]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    let plain = rust_xlsxwriter::Format::new();
    let last = header.len().max(2) as u16 - 1;
    for (r, title) in titles.iter().enumerate() {
        ws.merge_range(r as u32, 0, r as u32, last, title, &plain)
            .expect("title");
    }
    let top = titles.len() as u32;
    for (c, h) in header.iter().enumerate() {
        if !h.is_empty() {
            ws.write_string(top, c as u16, h).expect("header");
        }
    }
    for (i, row) in rows.iter().enumerate() {
        let r = top + 1 + i as u32;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Empty => {}
                Cell::Text(s) if s.is_empty() => {}
                Cell::Text(s) => {
                    ws.write_string(r, c, s).expect("text");
                }
                Cell::Number(n) => {
                    ws.write_number(r, c, *n).expect("number");
                }
                Cell::Bool(b) => {
                    ws.write_boolean(r, c, *b).expect("bool");
                }
                Cell::Date(d) => {
                    let x = rust_xlsxwriter::ExcelDateTime::from_ymd(
                        d.year() as u16,
                        d.month() as u8,
                        d.day() as u8,
                    )
                    .expect("date");
                    ws.write_datetime_with_format(r, c, x, &date).expect("date");
                }
            }
        }
    }
    wb.save_to_buffer().expect("xlsx")
}

/// Any cell at all: free text with control characters, numbers of every size, dates far off.
pub fn any_cell() -> impl Strategy<Value = Cell> {
    prop_oneof![
        Just(Cell::Empty),
        "\\PC{0,30}".prop_map(Cell::Text),
        prop::collection::vec(any::<char>(), 0..20)
            .prop_map(|v| Cell::Text(v.into_iter().collect())),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Cell::Number),
        (-10_000i64..3_000_000).prop_map(|n| Cell::Number(n as f64)),
        any::<bool>().prop_map(Cell::Bool),
        (0u64..2_958_000).prop_map(|n| Cell::Date(
            NaiveDate::from_ymd_opt(1900, 3, 1).unwrap() + chrono::Duration::days(n as i64)
        )),
    ]
}

// ---------------------------------------------------------------- damaged files

/// Edits of the XML inside a workbook that a spreadsheet reader must survive: cell references
/// beyond Excel's grid or beyond any integer, cells far apart (a dense reader would size its
/// grid by them), bad shared-string indices, numbers that are not numbers, broken markup.
const XML_EDITS: &[&str] = &[
    r#"<c r="XFD1048576"><v>1</v></c>"#,
    r#"<c r="A1048576" t="inlineStr"><is><t>远处</t></is></c>"#,
    r#"<c r="XFD1"><v>1</v></c>"#,
    r#"<c r="A99999999999"><v>1</v></c>"#,
    r#"<c r="AAAAAAAAAAAAA1"><v>1</v></c>"#,
    r#"<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#,
    r#"<row r="2"><c r="A99999999999"><v>1</v></c></row>"#,
    r#"<row r="3"><c r="ZZZZZZZZZZ3"><v>1</v></c></row>"#,
    r#"<row r="70000"><c r="A70000" t="inlineStr"><is><t>远处</t></is></c></row>"#,
    r#"<row r="4"><c r="B4" t="s"><v>999999</v></c></row>"#,
    r#"<row r="5"><c r="C5" t="s"><v>-1</v></c></row>"#,
    r#"<row r="6"><c r="D6" t="n"><v>1e309</v></c></row>"#,
    r#"<row r="7"><c r="E7" t="d"><v>not a date</v></c></row>"#,
    r#"<row r="8"><c r="F8" s="99999"><v>44986</v></c></row>"#,
    r#"<row r="9"><c r="G9" t="b"><v>2</v></c></row>"#,
    r#"<row r="0"><c r="A0"><v>1</v></c></row>"#,
    r#"<row r="10"><c r="$A$10"><v>1</v></c></row>"#,
    r#"<row r="11"><c><v>1</v></c><c><v>2</v></c></row>"#,
    r#"<dimension ref="A1:XFD1048576"/>"#,
    r#"<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>"#,
    r#"<c r="A1"><f>SUM(A1:XFD1048576)</f></c>"#,
    "&#0;",
    "&bogus;",
    "<![CDATA[",
    "</sheetData>",
    "</worksheet>",
    "<",
    "\"",
    "\u{0}",
    "\u{feff}",
];

/// One damage to a workbook.
#[derive(Clone, Debug)]
pub enum Damage {
    /// Arbitrary bytes instead of a workbook.
    Bytes(Vec<u8>),
    /// The first `cut` permille of the file.
    Truncate(u16),
    /// Bytes overwritten at permille positions of the file.
    Flip(Vec<(u16, u8)>),
    /// Text inserted at permille positions of one XML part (by index), zipped again.
    EditXml(usize, Vec<(u16, String)>),
    /// An OLE compound-file header (legacy .xls) followed by arbitrary bytes.
    Legacy(Vec<u8>),
}

pub fn damage() -> impl Strategy<Value = Damage> {
    let edit = prop_oneof![
        prop::sample::select(XML_EDITS).prop_map(String::from),
        "\\PC{0,12}",
    ];
    prop_oneof![
        1 => prop::collection::vec(any::<u8>(), 0..2048).prop_map(Damage::Bytes),
        1 => (0u16..1000).prop_map(Damage::Truncate),
        1 => prop::collection::vec((0u16..1000, any::<u8>()), 1..8).prop_map(Damage::Flip),
        3 => (0usize..16, prop::collection::vec((0u16..=1000, edit), 1..4))
            .prop_map(|(part, edits)| Damage::EditXml(part, edits)),
        1 => prop::collection::vec(any::<u8>(), 0..1024).prop_map(Damage::Legacy),
    ]
}

fn at(len: usize, permille: u16) -> usize {
    len * usize::from(permille.min(1000)) / 1000
}

/// `valid` with the damage applied.
pub fn apply(valid: &[u8], d: &Damage) -> Vec<u8> {
    match d {
        Damage::Bytes(b) => b.clone(),
        Damage::Truncate(p) => valid[..at(valid.len(), *p)].to_vec(),
        Damage::Flip(edits) => {
            let mut out = valid.to_vec();
            for (p, b) in edits {
                let i = at(out.len(), *p).min(out.len() - 1);
                out[i] = *b;
            }
            out
        }
        Damage::EditXml(part, edits) => edit_xml(valid, *part, edits),
        Damage::Legacy(b) => {
            let mut out = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
            out.extend_from_slice(b);
            out
        }
    }
}

/// The workbook's parts, one of them (counted among the XML parts) edited, zipped again.
fn edit_xml(valid: &[u8], part: usize, edits: &[(u16, String)]) -> Vec<u8> {
    let mut zin = zip::ZipArchive::new(Cursor::new(valid)).expect("zip");
    let mut parts: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).expect("part");
        let mut data = Vec::new();
        f.read_to_end(&mut data).expect("read part");
        let name = f.name().expect("part name").to_string();
        parts.push((name, data));
    }
    let xml: Vec<usize> = (0..parts.len())
        .filter(|&i| parts[i].0.ends_with(".xml") || parts[i].0.ends_with(".rels"))
        .collect();
    // The sheet is where most damage matters; half the picks land on it.
    let sheet = parts
        .iter()
        .position(|(n, _)| n == "xl/worksheets/sheet1.xml");
    let target = match sheet {
        Some(s) if part.is_multiple_of(2) => s,
        _ => xml[part % xml.len()],
    };
    let mut text = parts[target].1.clone();
    for (p, s) in edits {
        // Markup goes in before a tag, where it keeps the part well-formed often enough to reach
        // the reader's handling of cells; other text lands anywhere (on a character boundary).
        let mut i = at(text.len(), *p);
        while i < text.len()
            && ((text[i] & 0xC0) == 0x80 || (s.starts_with('<') && text[i] != b'<'))
        {
            i += 1;
        }
        text.splice(i..i, s.bytes());
    }
    parts[target].1 = text;
    let mut out = Cursor::new(Vec::new());
    {
        let mut zout = zip::ZipWriter::new(&mut out);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in &parts {
            zout.start_file(name.as_str(), opts).expect("start part");
            zout.write_all(data).expect("write part");
        }
        zout.finish().expect("zip");
    }
    out.into_inner()
}
