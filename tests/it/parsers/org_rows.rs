//! Organisation import with generated sheets: sites under the unit by the unit's name or id,
//! the kind in its Chinese spellings, optional codes, addresses, people, phones and sort orders,
//! the header with or without its "*" marks. Valid sheets preview and confirm; a sheet with an
//! arbitrary cell is imported whole or refused whole. The confirmation carries the rows back as
//! JSON, so any payload posted there is answered without a 5xx and nothing is written unless the
//! rows pass every check again. (There is no export in the template's layout, so no round trip.)

use std::sync::atomic::{AtomicUsize, Ordering};

use anjian_domain::role::Role;
use anjian_testkit::uscc;

use super::workbooks::{any_cell, xlsx, Cell, Damaged};
use super::*;

const HEADER: [&str; 9] = [
    "上级组织（编号或名称）",
    "类型（单位/库点）",
    "名称",
    "统一社会信用代码",
    "地址",
    "主要负责人",
    "联系人",
    "联系电话",
    "排序号",
];

/// A site as a row: parent by name (`false`) or id, kind spelling, name stem, whether it has a
/// code, address, principal, contact, phone, sort order (text or number).
type Site = (
    bool,
    usize,
    String,
    bool,
    String,
    String,
    String,
    String,
    Option<(i64, bool)>,
);

fn site() -> impl Strategy<Value = Site> {
    let opt = |s: BoxedStrategy<String>| prop_oneof![Just(String::new()), s];
    (
        any::<bool>(),
        0usize..4,
        cell_text(20),
        any::<bool>(),
        opt(cell_text(60).boxed()),
        opt("[一-龥]{2,4}".boxed()),
        opt("[一-龥]{2,4}".boxed()),
        opt("(\\+86 )?[0-9]{3,4}-[0-9]{7,8}|\\(0591\\) [0-9]{8}|1[3-9][0-9]{9}".boxed()),
        prop::option::of((-1_000_000i64..=1_000_000, any::<bool>())),
    )
}

fn cells(s: &Site, unit: (i64, &str), n: usize) -> Vec<Cell> {
    let (by_id, kind, stem, code, address, principal, contact, phone, sort) = s;
    vec![
        if *by_id {
            Cell::Number(unit.0 as f64)
        } else {
            Cell::Text(unit.1.to_string())
        },
        Cell::Text(["库点", "储备库", "部门", "site"][*kind].to_string()),
        // The number keeps names apart: two sites of one name under one unit are refused.
        Cell::Text(format!("{stem}{n}")),
        // Codes are unique across organisations; the number makes them so.
        Cell::Text(if *code {
            uscc(10_000 + n as u32)
        } else {
            String::new()
        }),
        Cell::Text(address.clone()),
        Cell::Text(principal.clone()),
        Cell::Text(contact.clone()),
        Cell::Text(phone.clone()),
        match sort {
            None => Cell::Empty,
            Some((v, true)) => Cell::Number(*v as f64),
            Some((v, false)) => Cell::Text(v.to_string()),
        },
    ]
}

struct World {
    app: TestApp,
    login: Login,
    unit: (i64, String),
    names: AtomicUsize,
}

async fn world() -> World {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let user = app.user("head", Role::UnitHead, f.unit_a.id).await;
    let login = app.login_as(&user).await;
    World {
        app,
        login,
        unit: (f.unit_a.id, f.unit_a.name.clone()),
        names: AtomicUsize::new(0),
    }
}

fn payload(html: &str) -> Option<String> {
    let raw = html
        .split("name=\"payload\" value=\"")
        .nth(1)?
        .split('"')
        .next()?;
    Some(
        raw.replace("&quot;", "\"")
            .replace("&#34;", "\"")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
}

#[test]
fn generated_org_sheets_import_whole_or_not_at_all() {
    let rt = runtime();
    let w = rt.block_on(world());
    let rows = prop::collection::vec(
        (
            site(),
            prop::option::weighted(0.25, (0usize..9, any_cell())),
        ),
        1..5,
    );
    let stars = prop::collection::vec(any::<bool>(), 9);
    check(
        32,
        (rows, stars),
        |(rows, stars): (Vec<Damaged<Site>>, Vec<bool>)| {
            rt.block_on(async {
                let header: Vec<String> = HEADER
                    .iter()
                    .zip(&stars)
                    .map(|(h, s)| if *s { format!("{h}*") } else { h.to_string() })
                    .collect();
                let damaged = rows.iter().any(|(_, d)| d.is_some());
                let body: Vec<Vec<Cell>> = rows
                    .iter()
                    .map(|(s, d)| {
                        let n = w.names.fetch_add(1, Ordering::SeqCst);
                        let mut c = cells(s, (w.unit.0, &w.unit.1), n);
                        if let Some((i, cell)) = d {
                            c[*i] = cell.clone();
                        }
                        c
                    })
                    .collect();
                let before = footprint(&w.app).await;
                let preview =
                    upload_page(&w.app, "/orgs/import", &w.login, &xlsx(&[], &header, &body)).await;
                if preview.status.as_u16() == 200 {
                    prop_assert_eq!(
                        &footprint(&w.app).await,
                        &before,
                        "the preview wrote something"
                    );
                    let p = payload(&preview.text()).expect("a confirm form");
                    let confirm = w
                        .app
                        .post("/orgs/import/confirm", &w.login, &[("payload", p.as_str())])
                        .await;
                    prop_assert_eq!(confirm.status.as_u16(), 303, "{}", confirm.text());
                    prop_assert_eq!(footprint(&w.app).await[5], before[5] + rows.len() as i64);
                    return Ok(());
                }
                prop_assert!(damaged, "valid rows refused: {}", preview.text());
                prop_assert_eq!(preview.status.as_u16(), 422);
                prop_assert!(has_chinese(&message(&preview)), "{}", preview.text());
                prop_assert_eq!(
                    footprint(&w.app).await,
                    before,
                    "a refused sheet wrote something"
                );
                Ok(())
            })
        },
    );
}

/// What a tampered or truncated confirmation may carry.
fn any_payload() -> impl Strategy<Value = String> {
    let row = (
        any::<i64>(),
        "\\PC{0,12}",
        prop::sample::select(vec!["site", "unit", "bureau", "x", ""]),
        "\\PC{0,12}",
        prop::option::of("\\PC{0,20}"),
        any::<i64>(),
    )
        .prop_map(|(line, parent, kind, name, code, sort)| {
            serde_json::json!({
                "line": line, "parent": parent,
                "input": { "kind": kind, "parent_id": null, "name": name, "uscc": code,
                           "address": "", "principal": "", "contact_person": "", "contact_phone": "",
                           "sort_order": sort }
            })
        });
    prop_oneof![
        "\\PC{0,60}",
        prop::collection::vec(any::<char>(), 0..60).prop_map(String::from_iter),
        prop::collection::vec(row, 0..4).prop_map(|v| serde_json::Value::Array(v).to_string()),
        Just("[".repeat(10_000)),
    ]
}

#[test]
fn any_confirmation_payload_is_answered_without_a_server_error() {
    let rt = runtime();
    let w = rt.block_on(world());
    check(48, any_payload(), |p: String| {
        rt.block_on(async {
            let before = footprint(&w.app).await;
            let res = w
                .app
                .post("/orgs/import/confirm", &w.login, &[("payload", p.as_str())])
                .await;
            prop_assert!(
                !res.status.is_server_error(),
                "{}: {}",
                res.status,
                res.text()
            );
            if res.status.as_u16() != 303 {
                prop_assert!(res.status.is_client_error());
                prop_assert!(has_chinese(&message(&res)) || has_chinese(&res.text()));
                prop_assert_eq!(
                    footprint(&w.app).await,
                    before,
                    "a refused confirmation wrote something"
                );
            }
            Ok(())
        })
    });
}
