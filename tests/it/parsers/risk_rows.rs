//! Risk register import (安全风险分级管控清单) with generated sheets: LEC, LS and direct
//! assessments with their factors as text or numbers, GB/T 13861 factors and GB 6441 accident
//! types by code or name, measures per type, columns in any order under title lines. Valid
//! sheets import; a sheet with an arbitrary cell is imported whole or refused whole. Export →
//! import → export lists every risk twice with the same cells.

use std::sync::atomic::{AtomicUsize, Ordering};

use anjian_db::org::{self, OrgInput};
use anjian_db::risk::COLUMNS;
use anjian_db::Ctx;
use anjian_domain::accident::CURRENT;
use anjian_domain::risk::{
    factor_name, tenths, ControlTier, FACTOR_CATEGORIES, LEC_C, LEC_E, LEC_L,
};
use anjian_domain::role::Role;

use super::hazard_rows::{date_cell, exported, layout, Layout};
use super::workbooks::{any_cell, Cell, Damaged};
use super::*;

/// The columns the import reads (the register's, without 序号 and the computed 风险值/风险等级),
/// with no aliases: the register's own names are the only spelling.
const FIELDS: [(&str, &[&str]); 22] = [
    ("单位/库点", &[]),
    ("风险点名称", &[]),
    ("风险点类型", &[]),
    ("所在位置", &[]),
    ("风险描述", &[]),
    ("危险有害因素", &[]),
    ("可能导致的事故类型", &[]),
    ("后果", &[]),
    ("评价方法", &[]),
    ("L", &[]),
    ("E", &[]),
    ("C", &[]),
    ("S", &[]),
    ("直接判定依据", &[]),
    ("管控层级", &[]),
    ("工程技术措施", &[]),
    ("管理措施", &[]),
    ("培训教育措施", &[]),
    ("个体防护措施", &[]),
    ("应急处置措施", &[]),
    ("责任人", &[]),
    ("评估日期", &[]),
];

/// Text without the separators that split a cell into several values.
fn plain(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[一-龥a-zA-Z0-9（）]{{1,{max}}}")).expect("pattern")
}

fn opt(s: impl Strategy<Value = String> + 'static) -> BoxedStrategy<String> {
    prop_oneof![1 => Just(String::new()), 2 => s].boxed()
}

/// An assessment as written in the sheet: method, L, E, C, S, reason.
fn assessment() -> impl Strategy<Value = [Cell; 6]> {
    let table = |t: &'static [(u32, &'static str)]| {
        (
            prop::sample::select(t.iter().map(|(v, _)| *v).collect::<Vec<_>>()),
            any::<bool>(),
        )
            .prop_map(|(v, number)| {
                if number {
                    Cell::Number(f64::from(v) / 10.0)
                } else {
                    Cell::Text(tenths(v))
                }
            })
    };
    let method = |names: &'static [&'static str]| {
        prop::sample::select(names).prop_map(|m| Cell::Text(m.to_string()))
    };
    prop_oneof![
        (
            method(&["LEC", "lec", "作业条件危险性评价法"]),
            table(LEC_L),
            table(LEC_E),
            table(LEC_C)
        )
            .prop_map(|(m, l, e, c)| [m, l, e, c, Cell::Empty, Cell::Empty]),
        (method(&["LS", "ls", "风险矩阵法"]), 1u32..=5, 1u32..=5).prop_map(|(m, l, s)| [
            m,
            Cell::Number(f64::from(l)),
            Cell::Empty,
            Cell::Empty,
            Cell::Text(s.to_string()),
            Cell::Empty,
        ]),
        (method(&["直接判定", "direct"]), cell_text(60)).prop_map(|(m, r)| [
            m,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Text(r)
        ]),
    ]
}

/// A risk row in `FIELDS` order, the organisation left to fill, and the cells the export writes
/// back verbatim: point name, description, consequence, factor and accident names, measures,
/// assessment date.
#[derive(Clone, Debug)]
pub struct Rk {
    cells: Vec<Cell>,
    shown: Vec<String>,
}

fn rk() -> impl Strategy<Value = Rk> {
    let codes = |all: Vec<&'static str>| prop::sample::subsequence(all, 0..=2);
    let factors = codes(FACTOR_CATEGORIES.iter().map(|(c, _)| *c).collect());
    let accidents = codes(CURRENT.types.iter().map(|(c, _)| *c).collect());
    let point_kind = prop::sample::select(vec![
        "场所/区域",
        "场所",
        "设备设施",
        "作业活动",
        "equipment",
    ]);
    let tier = prop::sample::select(
        [""].into_iter()
            .chain(ControlTier::ALL.iter().map(|t| t.label()))
            .chain(["班组"])
            .collect::<Vec<_>>(),
    );
    (
        (
            plain(20),
            point_kind,
            opt(plain(20)),
            cell_text(80),
            opt(cell_text(40)),
        ),
        (factors, accidents, any::<bool>(), assessment(), tier),
        (
            prop::collection::vec(opt(plain(30)), 5),
            opt(plain(10)),
            prop::option::of((past_day(), 0usize..8)),
        ),
    )
        .prop_map(
            |(
                (point, kind, location, description, consequence),
                (factors, accidents, by_name, a, tier),
                (measures, responsible, assessed),
            )| {
                let name_of = |c: &str, names: bool, f: &dyn Fn(&str) -> String| {
                    if names {
                        f(c)
                    } else {
                        c.to_string()
                    }
                };
                let factor_text: Vec<String> = factors
                    .iter()
                    .map(|c| name_of(c, by_name, &|c| factor_name(c).unwrap().to_string()))
                    .collect();
                let accident_text: Vec<String> = accidents
                    .iter()
                    .map(|c| name_of(c, by_name, &|c| CURRENT.name_of(c).unwrap().to_string()))
                    .collect();
                let [method, l, e, c, s, reason] = a;
                let mut cells = vec![
                    Cell::Empty,
                    Cell::Text(point.clone()),
                    Cell::Text(kind.to_string()),
                    Cell::Text(location),
                    Cell::Text(description.clone()),
                    Cell::Text(factor_text.join("、")),
                    Cell::Text(accident_text.join("；")),
                    Cell::Text(consequence.clone()),
                    method,
                    l,
                    e,
                    c,
                    s,
                    reason,
                    Cell::Text(tier.to_string()),
                ];
                cells.extend(measures.iter().map(|m| Cell::Text(m.clone())));
                cells.push(Cell::Text(responsible));
                cells.push(match assessed {
                    Some((d, how)) => date_cell(d, how),
                    None => Cell::Empty,
                });
                let today = anjian_db::hazard::today();
                let mut shown = vec![
                    point,
                    description,
                    factors
                        .iter()
                        .map(|c| factor_name(c).unwrap())
                        .collect::<Vec<_>>()
                        .join("、"),
                    accidents
                        .iter()
                        .map(|c| CURRENT.name_of(c).unwrap())
                        .collect::<Vec<_>>()
                        .join("、"),
                    consequence,
                ];
                shown.extend(measures);
                shown.push(assessed.map(|(d, _)| d).unwrap_or(today).to_string());
                Rk { cells, shown }
            },
        )
}

/// The export columns `Rk::shown` describes, in its order.
const SHOWN: [&str; 11] = [
    "风险点名称",
    "风险描述",
    "危险有害因素",
    "可能导致的事故类型",
    "后果",
    "工程技术措施",
    "管理措施",
    "培训教育措施",
    "个体防护措施",
    "应急处置措施",
    "评估日期",
];

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

async fn new_site(w: &World) -> (i64, String) {
    let name = format!("风险库点{}", w.sites.fetch_add(1, Ordering::SeqCst));
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

fn render(layout: &Layout, site: &str, rows: &[Vec<Cell>]) -> Vec<u8> {
    let rows: Vec<Vec<Cell>> = rows
        .iter()
        .map(|r| {
            let mut r = r.clone();
            r[0] = Cell::Text(site.to_string());
            r
        })
        .collect();
    layout.render(&FIELDS, &rows)
}

#[test]
fn generated_registers_import_whole_or_not_at_all() {
    let rt = runtime();
    let w = rt.block_on(world());
    let rows = prop::collection::vec(
        (rk(), prop::option::weighted(0.25, (1usize..22, any_cell()))),
        1..5,
    );
    check(
        32,
        (rows, layout(22)),
        |(rows, layout): (Vec<Damaged<Rk>>, Layout)| {
            rt.block_on(async {
                let (_, site) = new_site(&w).await;
                let damaged = rows.iter().any(|(_, d)| d.is_some());
                let cells: Vec<Vec<Cell>> = rows
                    .iter()
                    .map(|(r, d)| {
                        let mut c = r.cells.clone();
                        if let Some((i, cell)) = d {
                            c[*i] = cell.clone();
                        }
                        c
                    })
                    .collect();
                let before = footprint(&w.app).await;
                let res = upload_api(
                    &w.app,
                    "/api/v1/risks/import",
                    &w.token,
                    &render(&layout, &site, &cells),
                    false,
                )
                .await;
                if res.status.as_u16() == 201 {
                    prop_assert_eq!(res.json()["imported"].as_u64(), Some(rows.len() as u64));
                    prop_assert_eq!(footprint(&w.app).await[3], before[3] + rows.len() as i64);
                    return Ok(());
                }
                prop_assert!(damaged, "valid rows refused: {} {}", res.status, res.text());
                refused_in_chinese(&res)?;
                prop_assert_eq!(
                    footprint(&w.app).await,
                    before,
                    "a refused register wrote something"
                );
                let first = layout.titles.len() + 2;
                for line in lines_named(&message(&res)) {
                    prop_assert!((first..first + rows.len()).contains(&line), "line {line}");
                }
                Ok(())
            })
        },
    );
}

#[test]
fn an_exported_register_imports_back_to_the_same_risks() {
    let rt = runtime();
    let w = rt.block_on(world());
    check(
        16,
        (prop::collection::vec(rk(), 1..4), layout(22)),
        |(risks, layout): (Vec<Rk>, Layout)| {
            rt.block_on(async {
                let (site_id, site) = new_site(&w).await;
                let cells: Vec<Vec<Cell>> = risks.iter().map(|r| r.cells.clone()).collect();
                let res = upload_api(
                    &w.app,
                    "/api/v1/risks/import",
                    &w.token,
                    &render(&layout, &site, &cells),
                    false,
                )
                .await;
                prop_assert_eq!(res.status.as_u16(), 201, "{}", res.text());
                let export = format!("/risks/export?org_id={site_id}");
                let first = w.app.get(&export, &w.login).await;
                prop_assert_eq!(first.status.as_u16(), 200, "{}", first.text());
                let mut expected: Vec<Vec<String>> =
                    risks.iter().map(|r| r.shown.clone()).collect();
                expected.sort();
                prop_assert_eq!(&exported(&first.body, &SHOWN, "风险描述"), &expected);
                // Every column of the register, 序号 aside, comes back the same for each copy.
                let all: Vec<&str> = COLUMNS.iter().copied().filter(|c| *c != "序号").collect();
                let once = exported(&first.body, &all, "风险描述");
                let again =
                    upload_api(&w.app, "/api/v1/risks/import", &w.token, &first.body, false).await;
                prop_assert_eq!(again.status.as_u16(), 201, "{}", again.text());
                let second = w.app.get(&export, &w.login).await;
                let mut twice: Vec<Vec<String>> = once.iter().chain(once.iter()).cloned().collect();
                twice.sort();
                prop_assert_eq!(exported(&second.body, &all, "风险描述"), twice);
                Ok(())
            })
        },
    );
}
