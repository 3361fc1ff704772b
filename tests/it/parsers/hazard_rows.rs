//! Hazard import with generated workbooks: any column order, header spellings and aliases,
//! title lines above the header, unknown columns, dates in every accepted spelling or as real
//! date cells or serials. Valid rows are always imported; a row with an arbitrary cell is either
//! still valid or refused with "第N行【列】…" and then nothing is written. Export → import →
//! export lists every hazard twice with the same fields.

use std::sync::atomic::{AtomicUsize, Ordering};

use calamine::{Data, Reader};
use chrono::NaiveDate;

use anjian_db::hazard::col;
use anjian_db::org::{self, OrgInput};
use anjian_db::Ctx;
use anjian_domain::role::Role;

use super::workbooks::{any_cell, xlsx, Cell};
use super::*;

/// The columns of the template, each with names offices use for it.
const FIELDS: [(&str, &[&str]); 9] = [
    (col::ORG, &["单位", "所属单位"]),
    (col::LOCATION, &["隐患位置"]),
    (col::DESCRIPTION, &["隐患内容", "存在问题"]),
    (col::CATEGORY, &["隐患类型"]),
    (col::GRADE, &["隐患级别"]),
    (col::CRITERION, &["判定依据"]),
    (col::FOUND_ON, &["排查日期", "检查日期"]),
    (col::FOUND_BY, &["检查人"]),
    (col::DEADLINE, &["整改时限"]),
];

/// One hazard as a person would enter it.
#[derive(Clone, Debug)]
pub struct Hz {
    location: String,
    description: String,
    category: String,
    major: bool,
    criterion: String,
    found_on: NaiveDate,
    found_by: String,
    days_to_fix: u16,
    /// How the grade and the two dates are written (indices into the spellings).
    spelling: (usize, usize, usize),
}

fn hz() -> impl Strategy<Value = Hz> {
    let opt = |n: usize| prop_oneof![Just(String::new()), cell_text(n)];
    (
        (
            opt(30),
            cell_text(80),
            opt(20),
            any::<bool>(),
            cell_text(60),
        ),
        (
            past_day(),
            opt(20),
            0u16..400,
            (0usize..4, 0usize..8, 0usize..8),
        ),
    )
        .prop_map(
            |(
                (location, description, category, major, criterion),
                (found_on, found_by, days, spelling),
            )| Hz {
                location,
                description,
                category,
                major,
                criterion,
                found_on,
                found_by,
                days_to_fix: days,
                spelling,
            },
        )
}

impl Hz {
    fn deadline(&self) -> NaiveDate {
        self.found_on + chrono::Duration::days(i64::from(self.days_to_fix))
    }

    /// The cells of the nine template columns.
    fn cells(&self, org: &str) -> Vec<Cell> {
        let grade = if self.major {
            ["重大", "重大隐患", "major", "重大事故隐患"]
        } else {
            ["一般", "一般隐患", "general", "一般事故隐患"]
        }[self.spelling.0];
        vec![
            Cell::Text(org.to_string()),
            Cell::Text(self.location.clone()),
            Cell::Text(self.description.clone()),
            Cell::Text(self.category.clone()),
            Cell::Text(grade.to_string()),
            Cell::Text(self.criterion.clone()),
            date_cell(self.found_on, self.spelling.1),
            Cell::Text(self.found_by.clone()),
            date_cell(self.deadline(), self.spelling.2),
        ]
    }

    /// What the ledger shows of it, in the template's column order.
    fn shown(&self, org: &str) -> Vec<String> {
        vec![
            org.to_string(),
            self.location.clone(),
            self.description.clone(),
            self.category.clone(),
            if self.major { "重大" } else { "一般" }.to_string(),
            if self.major {
                self.criterion.clone()
            } else {
                String::new()
            },
            self.found_on.to_string(),
            self.found_by.clone(),
            self.deadline().to_string(),
        ]
    }
}

/// A date as a sheet may hold it: a date cell, an Excel serial, or text in any accepted spelling.
pub fn date_cell(d: NaiveDate, how: usize) -> Cell {
    let serial = (d - NaiveDate::from_ymd_opt(1899, 12, 30).unwrap()).num_days() as f64;
    match how {
        0 => Cell::Date(d),
        1 => Cell::Number(serial),
        2 => Cell::Text(d.format("%Y/%-m/%-d").to_string()),
        3 => Cell::Text(d.format("%Y.%-m.%-d").to_string()),
        4 => Cell::Text(d.format("%Y年%-m月%-d日").to_string()),
        5 => Cell::Number(d.format("%Y%m%d").to_string().parse().unwrap()),
        6 => Cell::Text(d.format("%Y%m%d").to_string()),
        _ => Cell::Text(d.to_string()),
    }
}

/// How the sheet is laid out: the order of the columns, which name each header uses, unknown
/// columns put in, title lines above.
#[derive(Clone, Debug)]
pub struct Layout {
    order: Vec<usize>,
    names: Vec<usize>,
    extra: Vec<(usize, String)>,
    pub titles: Vec<String>,
}

pub fn layout(columns: usize) -> impl Strategy<Value = Layout> {
    (
        Just((0..columns).collect::<Vec<_>>()).prop_shuffle(),
        prop::collection::vec(0usize..5, columns),
        prop::collection::vec((0usize..=columns, "[一-龥]{2,6}"), 0..3),
        prop::collection::vec("[一-龥]{4,12}(台账|清单)", 0..3),
    )
        .prop_map(|(order, names, extra, titles)| Layout {
            order,
            names,
            extra,
            titles,
        })
}

impl Layout {
    /// The workbook of `rows` (cells in template order), with extra columns holding `filler`.
    pub fn render(&self, fields: &[(&str, &[&str])], rows: &[Vec<Cell>]) -> Vec<u8> {
        let mut header: Vec<String> = self
            .order
            .iter()
            .map(|&i| {
                let (name, aliases) = fields[i];
                match self.names[i] {
                    0 => name.to_string(),
                    1 => format!("{name}*"),
                    n @ (2 | 3) if !aliases.is_empty() => {
                        aliases[(n - 2) % aliases.len()].to_string()
                    }
                    _ => format!("{name}（说明）"),
                }
            })
            .collect();
        let mut body: Vec<Vec<Cell>> = rows
            .iter()
            .map(|r| self.order.iter().map(|&i| r[i].clone()).collect())
            .collect();
        for (at, name) in &self.extra {
            let at = (*at).min(header.len());
            // An unknown column must not shadow a known one by its name.
            header.insert(at, format!("附注{name}"));
            for r in body.iter_mut() {
                r.insert(at, Cell::Text(name.clone()));
            }
        }
        xlsx(&self.titles, &header, &body)
    }
}

/// The exported ledger's records: for each data row the cells under `columns`, as text.
pub fn exported(bytes: &[u8], columns: &[&str], key: &str) -> Vec<Vec<String>> {
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("xlsx");
    let range = wb.worksheet_range_at(0).expect("sheet").expect("readable");
    let text = |c: &Data| match c {
        Data::DateTime(d) => d
            .as_datetime()
            .map(|x| x.date().to_string())
            .unwrap_or_default(),
        Data::Empty => String::new(),
        other => other.to_string().trim().to_string(),
    };
    let mut rows = range.rows();
    let header: Vec<String> = loop {
        let r = rows.next().expect("a header row");
        let names: Vec<String> = r.iter().map(text).collect();
        if names.iter().any(|n| n == key) {
            break names;
        }
    };
    let idx: Vec<usize> = columns
        .iter()
        .map(|c| {
            header
                .iter()
                .position(|h| h == c)
                .unwrap_or_else(|| panic!("column {c}"))
        })
        .collect();
    let mut out: Vec<Vec<String>> = rows
        .map(|r| {
            idx.iter()
                .map(|&i| r.get(i).map(text).unwrap_or_default())
                .collect()
        })
        .filter(|r: &Vec<String>| r.iter().any(|c| !c.is_empty()))
        .collect();
    out.sort();
    out
}

struct World {
    app: TestApp,
    login: Login,
    token: String,
    unit: i64,
    sites: AtomicUsize,
}

async fn world() -> World {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let user = app.user("head", Role::UnitHead, f.unit_a.id).await;
    let login = app.login_as(&user).await;
    let token = app.token_for(&user).await;
    World {
        app,
        login,
        token,
        unit: f.unit_a.id,
        sites: AtomicUsize::new(0),
    }
}

/// A new site of the unit, so that a case's records are the only ones under it.
async fn new_site(w: &World) -> (i64, String) {
    let name = format!("库点{}", w.sites.fetch_add(1, Ordering::SeqCst));
    let o = org::create(
        &w.app.db,
        &Ctx::system("test"),
        &OrgInput {
            kind: "site".into(),
            parent_id: Some(w.unit),
            name: name.clone(),
            ..Default::default()
        },
    )
    .await
    .expect("site");
    (o.id, name)
}

#[test]
fn generated_sheets_import_whole_or_not_at_all() {
    let rt = runtime();
    let w = rt.block_on(world());
    let rows = prop::collection::vec(
        (hz(), prop::option::weighted(0.25, (0usize..9, any_cell()))),
        1..5,
    );
    check(32, (rows, layout(9)), |(rows, layout)| {
        rt.block_on(async {
            let (_, site) = new_site(&w).await;
            let damaged = rows.iter().any(|(_, d)| d.is_some());
            let cells: Vec<Vec<Cell>> = rows
                .iter()
                .map(|(h, d)| {
                    let mut c = h.cells(&site);
                    if let Some((i, cell)) = d {
                        c[*i] = cell.clone();
                    }
                    c
                })
                .collect();
            let file = layout.render(&FIELDS, &cells);
            let before = footprint(&w.app).await;
            let res = upload_api(&w.app, "/api/v1/hazards/import", &w.token, &file, false).await;
            if res.status.as_u16() == 201 {
                prop_assert_eq!(res.json()["imported"].as_u64(), Some(rows.len() as u64));
                return Ok(());
            }
            prop_assert!(damaged, "valid rows refused: {} {}", res.status, res.text());
            refused_in_chinese(&res)?;
            prop_assert_eq!(
                footprint(&w.app).await,
                before,
                "a refused sheet wrote something"
            );
            // Every message names a data line of the sheet.
            let first = layout.titles.len() + 2;
            for line in lines_named(&message(&res)) {
                prop_assert!(
                    (first..first + rows.len()).contains(&line),
                    "line {line}: {}",
                    message(&res)
                );
            }
            Ok(())
        })
    });
}

#[test]
fn an_exported_ledger_imports_back_to_the_same_hazards() {
    let rt = runtime();
    let w = rt.block_on(world());
    let columns: Vec<&str> = FIELDS.iter().map(|(n, _)| *n).collect();
    check(
        16,
        (prop::collection::vec(hz(), 1..5), layout(9)),
        |(hazards, layout)| {
            rt.block_on(async {
                let (site_id, site) = new_site(&w).await;
                let cells: Vec<Vec<Cell>> = hazards.iter().map(|h| h.cells(&site)).collect();
                let res = upload_api(
                    &w.app,
                    "/api/v1/hazards/import",
                    &w.token,
                    &layout.render(&FIELDS, &cells),
                    false,
                )
                .await;
                prop_assert_eq!(res.status.as_u16(), 201, "{}", res.text());
                let mut expected: Vec<Vec<String>> =
                    hazards.iter().map(|h| h.shown(&site)).collect();
                expected.sort();
                let export = format!("/hazards/export?org_id={site_id}");
                let first = w.app.get(&export, &w.login).await;
                prop_assert_eq!(first.status.as_u16(), 200);
                prop_assert_eq!(
                    &exported(&first.body, &columns, col::DESCRIPTION),
                    &expected
                );
                // The ledger as exported is a valid import: the same hazards once more.
                let again = upload_api(
                    &w.app,
                    "/api/v1/hazards/import",
                    &w.token,
                    &first.body,
                    false,
                )
                .await;
                prop_assert_eq!(again.status.as_u16(), 201, "{}", again.text());
                let second = w.app.get(&export, &w.login).await;
                let mut twice: Vec<Vec<String>> =
                    expected.iter().chain(expected.iter()).cloned().collect();
                twice.sort();
                prop_assert_eq!(exported(&second.body, &columns, col::DESCRIPTION), twice);
                Ok(())
            })
        },
    );
}
