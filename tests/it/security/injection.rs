//! SQL injection strings and spreadsheet formulas in every text field of the sweep: stored and
//! returned verbatim, matched only literally by every keyword search of the API, and written to
//! Excel as text cells, never as formulas.

use std::collections::BTreeSet;

use axum::http::{Method, StatusCode};
use serde_json::Value;

use anjian_db::Q;

use super::sweep::Sweep;
use super::walk::{walk, Callers};
use super::{marker, world, xlsx_cells, FORMULA_PREFIXES};

/// Three classics in one value (fields are often 50 characters at most): a statement break-out,
/// a tautology, and LIKE's wildcards with its escape character.
const SQL: &str = "'; DROP TABLE hazard; --' OR '1'='1%_\\";

fn sql_payload(n: usize) -> String {
    format!("{}{SQL}", marker(n))
}

/// `&lt;` and friends back to text, for finding a value in a page.
fn unescape(html: &str) -> String {
    html.replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#92;", "\\")
        .replace("&amp;", "&")
}

#[tokio::test]
async fn sql_strings_are_stored_and_returned_verbatim() {
    let s = world::build(sql_payload).await;
    let pages = walk(&s).await;
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    for p in &pages {
        assert!(
            !p.res.status.is_server_error(),
            "{} answered {}: {}",
            p.path,
            p.res.status,
            p.res.text()
        );
        let text = if p.is_json() {
            p.res.text()
        } else if p.is_html() {
            unescape(&p.res.text())
        } else {
            continue;
        };
        for f in s.filled.iter().filter(|f| text.contains(&f.marker)) {
            // JSON writes the backslash doubled; what it encodes is the value itself.
            let json_form = serde_json::to_string(&f.value).unwrap();
            let exact =
                text.contains(&f.value) || text.contains(&json_form[1..json_form.len() - 1]);
            // Pages may shorten long text ("…"); the marker and the quote after it still show
            // that nothing was stripped or doubled.
            let prefix: String = f.value.chars().take(f.marker.len() + 4).collect();
            assert!(
                exact || (p.is_html() && text.contains(&prefix)),
                "{}: {} changed on the way: {:?} not found",
                p.path,
                f.label,
                f.value
            );
            seen.insert(&f.label);
        }
    }
    let labels: BTreeSet<&str> = s.filled.iter().map(|f| f.label.as_str()).collect();
    let unseen: Vec<&&str> = labels.difference(&seen).collect();
    assert!(unseen.is_empty(), "stored but never returned: {unseen:?}");
    // The statements were data: the table is still there, with the world's hazards in it.
    let (n,): (i64,) = s
        .app
        .db
        .fetch_one(&Q::new("SELECT COUNT(*) FROM hazard"))
        .await
        .unwrap();
    assert!(n >= 4, "hazards: {n}");
}

/// The first array of a list answer (`items`).
fn items(v: &Value) -> Vec<Value> {
    v["items"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("no items in {v}"))
}

async fn search(s: &Sweep, token: &str, path: &str, query: &str, keyword: &str) -> Vec<Value> {
    let q = serde_urlencoded::to_string([("keyword", keyword), ("page_size", "100")]).unwrap();
    let res = s
        .app
        .api(
            Method::GET,
            &format!("{path}?{query}{q}"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::OK,
        "{path} keyword {keyword:?}: {}",
        res.text()
    );
    items(&res.json())
}

/// A token of a bureau user whose role passes the route's guard.
async fn caller(s: &Sweep, callers: &mut Callers, path: &str) -> String {
    let e = anjian_web::route_table()
        .entries
        .into_iter()
        .find(|e| e.method == Method::GET && e.path == path)
        .unwrap_or_else(|| panic!("{path} is not a route"));
    let role = match e.access {
        anjian_web::auth::Access::Perm(_) => crate::routes_walk::role_for(e.access),
        _ => anjian_domain::role::Role::BureauSupervisor,
    };
    callers.get(s, role, s.f.bureau.id).await.1
}

#[tokio::test]
async fn every_keyword_search_of_the_api_matches_literally() {
    let s = world::build(sql_payload).await;
    // Every list operation of the API that takes a keyword, from the document itself.
    let mut lists = Vec::new();
    for (path, ops) in s.doc["paths"].as_object().unwrap() {
        let takes_keyword = ops["get"]["parameters"].as_array().is_some_and(|ps| {
            ps.iter()
                .any(|p| p["name"] == "keyword" && p["in"] == "query")
        });
        if takes_keyword {
            // The ledger list wants its kind (though the document calls it optional).
            let query = if path == "/api/v1/ledgers/entries" {
                "kind=meeting&"
            } else {
                ""
            };
            lists.push((path.clone(), query.to_string()));
        }
    }
    assert!(lists.len() >= 10, "keyword searches: {lists:?}");
    let mut callers = Callers::default();
    for (path, query) in &lists {
        let token = caller(&s, &mut callers, path).await;
        // As wildcards `%__%` matches any text of two characters or more; literally, nothing.
        let wild = search(&s, &token, path, query, "%__%").await;
        assert!(
            wild.is_empty(),
            "{path}: `%__%` matched {} rows: wildcards were not escaped",
            wild.len()
        );
        for keyword in ["%_\\", "' OR '1'='1", "'; DROP TABLE hazard; --"] {
            let found = search(&s, &token, path, query, keyword).await;
            assert!(
                !found.is_empty(),
                "{path}: {keyword:?} should find the world's records"
            );
            for row in &found {
                let text = row.to_string();
                let json_form = serde_json::to_string(keyword).unwrap();
                assert!(
                    text.contains(&json_form[1..json_form.len() - 1])
                        || row_matches_through_its_org(&s, row),
                    "{path}: {keyword:?} matched a row without it: {text}"
                );
            }
        }
    }
    let (n,): (i64,) = s
        .app
        .db
        .fetch_one(&Q::new("SELECT COUNT(*) FROM hazard"))
        .await
        .unwrap();
    assert!(n >= 4);
}

/// Some lists also search the organisation's name, which the sweep filled for unit A and its
/// sites but which a row shows only as an id.
fn row_matches_through_its_org(s: &Sweep, row: &Value) -> bool {
    let org = row["org_id"].as_i64();
    org.is_some_and(|o| [s.f.unit_a.id, s.f.site_a.id].contains(&o))
}

/// A DDE formula after each of the prefixes that make a cell a formula.
fn formula_payload(n: usize) -> String {
    format!(
        "{}{}+cmd|' /C calc'!A0",
        FORMULA_PREFIXES[n % FORMULA_PREFIXES.len()],
        marker(n)
    )
}

#[tokio::test]
async fn text_starting_with_a_formula_character_stays_text_in_every_excel_export() {
    let s = world::build(formula_payload).await;
    let pages = walk(&s).await;
    let mut by_prefix = [0usize; 4];
    let mut sheets = 0;
    for p in pages.iter().filter(|p| p.is_xlsx()) {
        sheets += 1;
        for cell in xlsx_cells(&p.res.body, &p.path) {
            let what = format!("{} {}", p.path, cell.at);
            assert!(
                cell.formula.is_empty() || !cell.formula.contains("cmd|"),
                "{what}: formula {:?}",
                cell.formula
            );
            let text = cell.data.to_string();
            let Some(f) = s.filled.iter().find(|f| text.contains(&f.marker)) else {
                continue;
            };
            // Read back as a text cell (calamine tells shared/inline strings from numbers,
            // booleans and formulas), with the value as entered.
            assert!(
                matches!(cell.data, calamine::Data::String(_)),
                "{what}: {:?}",
                cell.data
            );
            assert!(
                cell.formula.is_empty(),
                "{what}: has the formula {:?}",
                cell.formula
            );
            assert!(
                text.contains(&f.value),
                "{what}: {text:?} is not {:?}",
                f.value
            );
            if let Some(i) = FORMULA_PREFIXES.iter().position(|p| text.starts_with(p)) {
                by_prefix[i] += 1;
            }
        }
    }
    eprintln!("formula sweep: {sheets} workbooks, cells starting with = + - @: {by_prefix:?}");
    assert!(sheets >= 5, "the walk reaches the exports");
    assert!(
        by_prefix.iter().all(|n| *n >= 3),
        "every prefix reaches the cells: {by_prefix:?}"
    );
}
