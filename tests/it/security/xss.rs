//! Stored XSS and formula injection: the world's payloads (one per text field of every JSON
//! body, each after a spreadsheet formula prefix) are checked in everything the walk got back —
//! HTML escaped, JSON verbatim, Excel cells as text (never a formula), DOCX parsed and holding
//! the text as text.

use calamine::Data;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

use super::sweep::{Filled, Sweep};
use super::walk::{walk, Page};
use super::{assert_no_raw_markup, check_escaped, docx_texts, world, xlsx_cells, xss_payload};

/// Text fields the world fills that no page shows, each with the reason. A field that starts
/// being shown must leave this list (the test says so), so that it is checked from then on.
const NOT_ON_ANY_PAGE: &[(&str, &str)] = &[];

/// The payload after its marker: what a page must show escaped.
fn tail(f: &Filled) -> &str {
    let at = f.value.find(&f.marker).expect("marker in value") + f.marker.len();
    &f.value[at..]
}

fn strings<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::String(s) => out.push(s),
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(o) => o.values().for_each(|x| strings(x, out)),
        _ => {}
    }
}

/// Every text in `texts` that carries a marker holds that field's whole value, unchanged.
fn assert_verbatim<'a>(
    s: &Sweep,
    texts: impl IntoIterator<Item = &'a str>,
    what: &str,
    seen: &mut BTreeSet<String>,
) {
    for t in texts {
        for f in s.filled.iter().filter(|f| t.contains(&f.marker)) {
            // Audit entries keep before/after as JSON text: there the value is JSON-escaped.
            let as_json = serde_json::to_string(&f.value).unwrap();
            assert!(
                t.contains(&f.value) || t.contains(&as_json[1..as_json.len() - 1]),
                "{what}: {} ({}) altered: {t:?}",
                f.label,
                f.value
            );
            seen.insert(f.marker.clone());
        }
    }
}

/// Marked values are text cells holding the whole value; no payload is ever in a formula.
fn check_xlsx(s: &Sweep, p: &Page, seen: &mut BTreeSet<String>) -> usize {
    let mut marked = 0;
    for cell in xlsx_cells(&p.res.body, &p.path) {
        let what = format!("{} {}", p.path, cell.at);
        assert!(
            !cell.formula.contains("ZQ"),
            "{what}: a payload became the formula {:?}",
            cell.formula
        );
        let text = cell.data.to_string();
        if text.contains("ZQ") {
            assert!(
                matches!(cell.data, Data::String(_)),
                "{what}: a payload in a {:?} cell",
                cell.data
            );
            marked += 1;
            assert_verbatim(s, [text.as_str()], &what, seen);
        }
    }
    marked
}

#[tokio::test]
async fn every_text_field_is_escaped_in_pages_verbatim_in_json_and_text_in_excel_and_word() {
    let s = world::build(xss_payload).await;
    let pages = walk(&s).await;
    // SECURITY_DUMP=dir keeps every response of the walk, for looking at a failure.
    if let Ok(dir) = std::env::var("SECURITY_DUMP") {
        std::fs::create_dir_all(&dir).unwrap();
        for (i, p) in pages.iter().enumerate() {
            let name = format!("{dir}/{i:03}{}", p.path.replace(['/', '?', '&'], "_"));
            std::fs::write(name, &p.res.body).unwrap();
        }
    }
    let mut on_pages: BTreeSet<String> = BTreeSet::new();
    let mut elsewhere: BTreeSet<String> = BTreeSet::new();
    let (mut html, mut json, mut xlsx, mut docx, mut marked_cells) = (0, 0, 0, 0, 0);
    for p in &pages {
        let what = format!("{} ({})", p.path, p.res.status);
        if p.is_html() {
            html += 1;
            let text = p.res.text();
            assert_no_raw_markup(&text, &what);
            for f in &s.filled {
                if check_escaped(&text, &f.marker, tail(f), &what) > 0 {
                    on_pages.insert(f.marker.clone());
                }
            }
        } else if p.is_json() {
            json += 1;
            let v: Value = serde_json::from_slice(&p.res.body)
                .unwrap_or_else(|e| panic!("{what}: JSON that does not parse: {e}"));
            let mut texts = Vec::new();
            strings(&v, &mut texts);
            assert_verbatim(&s, texts, &what, &mut elsewhere);
        } else if p.is_xlsx() {
            xlsx += 1;
            marked_cells += check_xlsx(&s, p, &mut elsewhere);
        } else if p.is_docx() {
            docx += 1;
            let texts = docx_texts(&p.res.body, &what);
            assert_verbatim(&s, texts.iter().map(String::as_str), &what, &mut elsewhere);
        } else {
            // Anything else that carries a payload is a download (Markdown, CSV…): never
            // something a browser would render in our origin.
            let text = p.res.text();
            if text.contains("ZQ") {
                let ct = p.content_type();
                let disp = p
                    .res
                    .headers
                    .get(axum::http::header::CONTENT_DISPOSITION)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                assert!(
                    disp.starts_with("attachment") || ct.starts_with("text/plain"),
                    "{what}: {ct} with payloads shown inline"
                );
            }
        }
    }
    eprintln!(
        "xss walk: {} responses ({html} HTML, {json} JSON, {xlsx} xlsx with {marked_cells} marked cells, {docx} docx); \
         {} fields filled, {} seen escaped on pages",
        pages.len(),
        s.filled.len(),
        on_pages.len()
    );
    assert!(xlsx >= 5 && docx >= 3, "the walk reaches the exports");
    assert!(marked_cells > 20, "the exports carry the payloads");
    // Every filled field is shown somewhere (else the walk would prove nothing for it).
    let allowed: BTreeMap<&str, &str> = NOT_ON_ANY_PAGE.iter().copied().collect();
    let mut missing: BTreeSet<&str> = BTreeSet::new();
    for f in &s.filled {
        let shown = on_pages.contains(&f.marker);
        if !shown && !allowed.contains_key(f.label.as_str()) {
            // Another filling of the same property may be the one shown.
            if !s
                .filled
                .iter()
                .any(|g| g.label == f.label && on_pages.contains(&g.marker))
            {
                missing.insert(&f.label);
            }
        }
    }
    assert!(
        missing.is_empty(),
        "filled but shown on no page of the walk: {missing:?}"
    );
    for (label, _) in NOT_ON_ANY_PAGE {
        assert!(
            !s.filled
                .iter()
                .any(|f| &f.label == label && on_pages.contains(&f.marker)),
            "{label} is shown now: take it off NOT_ON_ANY_PAGE"
        );
    }
}

/// Attribute values in the templates are quoted: an unquoted `value={{ x }}` would let a space
/// in the data start a new attribute (an event handler) without any `<` or `"`.
#[test]
fn template_attributes_are_quoted_and_nothing_bypasses_escaping() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/web/templates");
    let mut files = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "html") {
                files.push(p);
            }
        }
    }
    assert!(files.len() > 30, "found the templates");
    for p in files {
        let t = std::fs::read_to_string(&p).unwrap();
        for (at, _) in t.match_indices("={") {
            // ` name={{ x }}`: an attribute name right after whitespace, then the expression.
            let before = &t[..at];
            let name_start = before
                .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                .map_or(0, |i| i + 1);
            let after_space = before[..name_start].ends_with(char::is_whitespace);
            assert!(
                !(after_space && name_start < at),
                "{}: unquoted attribute value: …{}…",
                p.display(),
                &t[name_start..(at + 12).min(t.len())]
            );
        }
        // `|safe` only for the SVG charts, which escape their own text (checked by the walk).
        for (i, line) in t.lines().enumerate() {
            if line.contains("|safe") || line.contains("| safe") {
                assert!(
                    line.contains("svg"),
                    "{}:{}: |safe on {line:?}",
                    p.display(),
                    i + 1
                );
            }
            assert!(
                !line.contains("escape(\"none\")") && !line.contains("e(\"none\")"),
                "{}:{}",
                p.display(),
                i + 1
            );
        }
    }
}
