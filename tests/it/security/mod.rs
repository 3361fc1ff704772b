//! The security sweep (issue 8, item 4). Systematic rather than sampled:
//!
//! - `sweep` fills every string property of every JSON request body in the live OpenAPI document
//!   with a marked payload (valid values only where a field is an enum, date, number or code) and
//!   builds a world of records in unit A through the API; `coverage` fails when a body or a
//!   string property exists that the sweep does not fill.
//! - `walk` requests every GET route of the route table for that world; `xss` checks every HTML
//!   page, JSON body, Excel sheet and Word document it returned; `forms` posts the payload to every
//!   HTML form route and to the forms that have no JSON twin.
//! - `injection` (SQL strings, Excel formulas), `attachment_names`, `session` (fixation, logout,
//!   brute force) and `headers` (on every response of the walk, error pages included).
//! - Cross-unit 404 on every route with an id stays in `routes_walk`, which also checks that the
//!   ids it uses are real (the owner's unit gets past the 404).

mod attachment_names;
mod coverage;
mod foreign_refs;
mod forms;
mod headers;
mod imports;
mod injection;
mod session;
pub(crate) mod sweep;
pub(crate) mod walk;
mod world;
mod xss;

/// The stored-XSS payload: a script element, an attribute break-out and an event handler.
pub const XSS: &str = "<script>alert(1)</script>\"'><img src=x onerror=alert(1)>";

/// The payload for fields shorter than `XSS` (a 50-character name, say): still an element and
/// an attribute break-out.
pub const XSS_SHORT: &str = "\"'><script>alert(1)</script>";

/// Prefixes that make a spreadsheet cell a formula when it is not written as text.
pub const FORMULA_PREFIXES: [&str; 4] = ["=", "+", "-", "@"];

/// The marker of the `n`-th filled field: short, and found nowhere else in a page.
pub fn marker(n: usize) -> String {
    format!("ZQ{n:03}")
}

/// The XSS payload of field `n`: a formula prefix (so that every Excel cell the sweep reaches
/// also tests formula injection), the marker, then the markup.
pub fn xss_payload(n: usize) -> String {
    format!(
        "{}{}{XSS}",
        FORMULA_PREFIXES[n % FORMULA_PREFIXES.len()],
        marker(n)
    )
}

/// Ways a character of the payload may legitimately appear in a page: itself (harmless ones),
/// an HTML entity, or percent/plus-encoded inside a URL.
fn encodings(c: char) -> Vec<String> {
    let mut v: Vec<String> = match c {
        '<' => ["&lt;", "&#60;", "&#x3c;", "%3c"]
            .map(String::from)
            .to_vec(),
        '>' => ["&gt;", "&#62;", "&#x3e;", "%3e"]
            .map(String::from)
            .to_vec(),
        '"' => ["&quot;", "&#34;", "&#x22;", "%22"]
            .map(String::from)
            .to_vec(),
        '\'' => ["&#39;", "&#x27;", "&apos;", "%27"]
            .map(String::from)
            .to_vec(),
        '&' => ["&amp;", "&#38;", "&#x26;", "%26"]
            .map(String::from)
            .to_vec(),
        ' ' => [" ", "+", "%20", "&#32;"].map(String::from).to_vec(),
        '=' => ["=", "%3d", "&#61;", "&#x3d;"].map(String::from).to_vec(),
        '/' => ["/", "%2f", "&#47;", "&#x2f;"].map(String::from).to_vec(),
        '(' => ["(", "%28", "&#40;"].map(String::from).to_vec(),
        ')' => [")", "%29", "&#41;"].map(String::from).to_vec(),
        '+' => ["+", "%2b", "&#43;"].map(String::from).to_vec(),
        '@' => ["@", "%40", "&#64;"].map(String::from).to_vec(),
        c => vec![c.to_string()],
    };
    v.dedup();
    v
}

/// Characters that must never appear raw where the payload has them.
fn dangerous(c: char) -> bool {
    matches!(c, '<' | '>' | '"' | '\'')
}

/// Checks every occurrence of `marker` in `html`: what follows must be the escaped payload `tail`
/// (or an escaped prefix of it, where a page shortens long text), never a raw `<`, `>`, `"` or
/// `'` where the payload has one. Returns how many occurrences there were.
pub fn check_escaped(html: &str, marker: &str, tail: &str, what: &str) -> usize {
    let lower = html.to_ascii_lowercase();
    let mut count = 0;
    let mut from = 0;
    while let Some(at) = html[from..].find(marker) {
        let start = from + at + marker.len();
        from = start;
        count += 1;
        let mut pos = start;
        for c in tail.chars() {
            let rest = &lower[pos..];
            match encodings(c).iter().find(|e| rest.starts_with(e.as_str())) {
                Some(e) => pos += e.len(),
                None => {
                    assert!(
                        !(dangerous(c) && rest.starts_with(c)),
                        "{what}: raw {c:?} after {marker}: …{}…",
                        snippet(html, start, 80)
                    );
                    break;
                }
            }
        }
    }
    count
}

/// Up to `n` bytes either side of `at`, cut at character boundaries.
pub fn snippet(s: &str, at: usize, n: usize) -> &str {
    let mut a = at.saturating_sub(n);
    while !s.is_char_boundary(a) {
        a -= 1;
    }
    let mut b = (at + n).min(s.len());
    while !s.is_char_boundary(b) {
        b += 1;
    }
    &s[a..b]
}

/// The payload's markup must not be anywhere in a page as markup, whichever field carried it.
pub fn assert_no_raw_markup(html: &str, what: &str) {
    let lower = html.to_ascii_lowercase();
    for bad in ["<script>alert(1)", "<img src=x", "onerror=alert(1)>"] {
        if let Some(at) = lower.find(bad) {
            // `onerror=alert(1)>` is harmless as text (`&lt;img src=x onerror=alert(1)&gt;`): it
            // counts only when the element around it is real.
            if bad.starts_with("onerror") && !lower[..at].ends_with("<img src=x ") {
                continue;
            }
            panic!("{what}: raw markup {bad:?}: …{}…", snippet(html, at, 120));
        }
    }
}

/// The text of every `w:t` run of a WordprocessingML part, after checking that it parses.
pub fn docx_texts(bytes: &[u8], what: &str) -> Vec<String> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .unwrap_or_else(|e| panic!("{what}: not a zip: {e}"));
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap_or_else(|e| panic!("{what}: no word/document.xml: {e}"))
        .read_to_string(&mut xml)
        .unwrap();
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut out: Vec<String> = Vec::new();
    let mut in_text = false;
    let mut depth = 0i64;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(e)) => {
                depth += 1;
                in_text = e.name().as_ref() == b"w:t";
                if in_text {
                    out.push(String::new());
                }
            }
            Ok(quick_xml::events::Event::End(_)) => {
                depth -= 1;
                in_text = false;
            }
            Ok(quick_xml::events::Event::Text(t)) if in_text => {
                let s = t
                    .xml_content()
                    .unwrap_or_else(|e| panic!("{what}: bad text: {e}"));
                out.last_mut().unwrap().push_str(&s);
            }
            // Entities inside a run (&lt; &#60; …) come as separate references.
            Ok(quick_xml::events::Event::GeneralRef(r)) if in_text => {
                let name = String::from_utf8_lossy(r.as_ref()).to_string();
                let c = match name.as_str() {
                    "lt" => '<',
                    "gt" => '>',
                    "amp" => '&',
                    "quot" => '"',
                    "apos" => '\'',
                    n => n
                        .strip_prefix("#x")
                        .map(|h| u32::from_str_radix(h, 16))
                        .or_else(|| n.strip_prefix('#').map(|d| d.parse::<u32>()))
                        .and_then(|r| r.ok())
                        .and_then(char::from_u32)
                        .unwrap_or_else(|| panic!("{what}: unexpected entity &{n};")),
                };
                out.last_mut().unwrap().push(c);
            }
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("{what}: document.xml does not parse: {e}"),
        }
    }
    assert_eq!(depth, 0, "{what}: unbalanced document.xml");
    out
}

/// A cell of a workbook: where, its value and, when it is one, its formula.
pub struct Cell {
    pub at: String,
    pub data: calamine::Data,
    pub formula: String,
}

/// Every used cell (values and formulas) of every sheet of an xlsx file.
pub fn xlsx_cells(bytes: &[u8], what: &str) -> Vec<Cell> {
    use calamine::Reader;
    let mut wb = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec()))
        .unwrap_or_else(|e| panic!("{what}: not an xlsx: {e}"));
    let mut out = Vec::new();
    for sheet in wb.sheet_names() {
        let values = wb.worksheet_range(&sheet).unwrap();
        let formulas = wb.worksheet_formula(&sheet).unwrap();
        let mut cells: std::collections::BTreeMap<(u32, u32), Cell> =
            std::collections::BTreeMap::new();
        let (r0, c0) = values.start().unwrap_or((0, 0));
        for (r, c, v) in values.used_cells() {
            let (r, c) = (r as u32 + r0, c as u32 + c0);
            cells.insert(
                (r, c),
                Cell {
                    at: format!("{sheet}!R{}C{}", r + 1, c + 1),
                    data: v.clone(),
                    formula: String::new(),
                },
            );
        }
        let (r0, c0) = formulas.start().unwrap_or((0, 0));
        for (r, c, f) in formulas.used_cells() {
            let (r, c) = (r as u32 + r0, c as u32 + c0);
            cells
                .entry((r, c))
                .or_insert_with(|| Cell {
                    at: format!("{sheet}!R{}C{}", r + 1, c + 1),
                    data: calamine::Data::Empty,
                    formula: String::new(),
                })
                .formula = f.clone();
        }
        out.extend(cells.into_values());
    }
    out
}
