//! Ledger template imports, for each of the six ledgers, with generated sheets: every field
//! filled the ways a person may (codes or labels of closed lists, 元 as text or as a number,
//! 学时 and counts as text or numbers, dates in every spelling), required "*" marks on the
//! header or not, notes in columns after the template's. Valid sheets preview and confirm; a
//! sheet with an arbitrary cell either still passes or is refused with "第N行【列】…" and writes
//! nothing. Export → import → export lists every entry twice with the same cells.

use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::NaiveDate;

use anjian_db::ledger::columns;
use anjian_db::org::{self, OrgInput};
use anjian_db::Ctx;
use anjian_domain::ledger::{format_hours, LedgerKind, Widget};
use anjian_domain::money::Fen;
use anjian_domain::role::Role;

use super::hazard_rows::{date_cell, exported};
use super::workbooks::{any_cell, xlsx, Cell};
use super::*;

/// A field's value as generated: the cell written and what the export shows for it.
#[derive(Clone, Debug)]
pub struct Value {
    cell: Cell,
    shown: String,
}

fn text(cell: Cell, shown: impl Into<String>) -> Value {
    Value {
        cell,
        shown: shown.into(),
    }
}

/// A valid value for a field of the ledger (`required` fields are never blank).
fn value(widget: Widget, required: bool) -> BoxedStrategy<Value> {
    let valid = match widget {
        Widget::Text(max) | Widget::Area(max) => cell_text(max.min(40))
            .prop_map(|s| text(Cell::Text(s.clone()), s))
            .boxed(),
        Widget::Suggest(list) => prop_oneof![
            prop::sample::select(list).prop_map(|(_, l)| text(Cell::Text(l.to_string()), l)),
            cell_text(20).prop_map(|s| text(Cell::Text(s.clone()), s)),
        ]
        .boxed(),
        Widget::Select(list) => (prop::sample::select(list), any::<bool>())
            .prop_map(|((c, l), by_code)| {
                text(Cell::Text(if by_code { c } else { l }.to_string()), l)
            })
            .boxed(),
        Widget::Money => (0i64..1_000_000_000_000, 0usize..3)
            .prop_map(|(fen, how)| {
                let shown = Fen(fen).to_yuan_2dp();
                let cell = match how {
                    0 => Cell::Text(shown.clone()),
                    // A number cell keeps at most 15 significant digits; these amounts fit.
                    1 => Cell::Number(shown.parse().unwrap()),
                    _ => Cell::Text(format!("{}.{:02}0", fen / 100, fen % 100)),
                };
                text(cell, shown)
            })
            .boxed(),
        Widget::Hours => (1i64..=10_000, any::<bool>())
            .prop_map(|(tenths, as_number)| {
                let shown = format_hours(tenths);
                let cell = if as_number {
                    Cell::Number(tenths as f64 / 10.0)
                } else {
                    Cell::Text(shown.clone())
                };
                text(cell, shown)
            })
            .boxed(),
        Widget::Count | Widget::Year => {
            let range = if widget == Widget::Year {
                1990i64..=2099
            } else {
                0i64..=1_000_000
            };
            (range, any::<bool>())
                .prop_map(|(n, as_number)| {
                    let cell = if as_number {
                        Cell::Number(n as f64)
                    } else {
                        Cell::Text(n.to_string())
                    };
                    text(cell, n.to_string())
                })
                .boxed()
        }
        Widget::Campaign => Just(text(Cell::Empty, "")).boxed(),
    };
    if required {
        valid
    } else {
        prop_oneof![1 => Just(text(Cell::Empty, "")), 3 => valid].boxed()
    }
}

/// One entry: its date (and how it is written) and a value per field of the ledger.
fn entry(kind: LedgerKind) -> impl Strategy<Value = (NaiveDate, usize, Vec<Value>)> {
    let fields: Vec<BoxedStrategy<Value>> = kind
        .fields()
        .iter()
        .map(|f| value(f.widget, f.required))
        .collect();
    (past_day(), 0usize..8, fields)
}

/// A sheet for `kind`: entries, an arbitrary cell in some, which headers carry "*", and notes.
fn sheet(kind: LedgerKind) -> impl Strategy<Value = Sheet> {
    let width = columns(kind).len();
    (
        prop::collection::vec(
            (
                entry(kind),
                prop::option::weighted(0.25, (0..width, any_cell())),
            ),
            1..5,
        ),
        prop::collection::vec(any::<bool>(), width),
        prop::collection::vec("[一-龥]{2,6}", 0..2),
    )
        .prop_map(move |(rows, stars, notes)| Sheet {
            kind,
            rows,
            stars,
            notes,
        })
}

/// An entry (date, how the date is written, field values) and an arbitrary cell put in it.
type Row = ((NaiveDate, usize, Vec<Value>), Option<(usize, Cell)>);

#[derive(Clone, Debug)]
struct Sheet {
    kind: LedgerKind,
    rows: Vec<Row>,
    stars: Vec<bool>,
    notes: Vec<String>,
}

impl Sheet {
    fn damaged(&self) -> bool {
        self.rows.iter().any(|(_, d)| d.is_some())
    }

    fn bytes(&self, org: &str, with_damage: bool) -> Vec<u8> {
        let mut header: Vec<String> = columns(self.kind)
            .iter()
            .zip(&self.stars)
            .map(|((_, label, _), star)| {
                if *star {
                    format!("{label}*")
                } else {
                    label.to_string()
                }
            })
            .collect();
        header.extend(self.notes.iter().map(|n| format!("附注{n}")));
        let rows: Vec<Vec<Cell>> = self
            .rows
            .iter()
            .map(|((day, how, values), damage)| {
                let mut r = vec![Cell::Text(org.to_string()), date_cell(*day, *how)];
                r.extend(values.iter().map(|v| v.cell.clone()));
                r.extend(self.notes.iter().map(|n| Cell::Text(n.clone())));
                if let (true, Some((i, c))) = (with_damage, damage) {
                    r[*i] = c.clone();
                }
                r
            })
            .collect();
        xlsx(&[], &header, &rows)
    }

    /// What the export shows of the entries, sorted.
    fn shown(&self, org: &str) -> Vec<Vec<String>> {
        let mut out: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|((day, _, values), _)| {
                let mut r = vec![org.to_string(), day.to_string()];
                r.extend(values.iter().map(|v| v.shown.clone()));
                r
            })
            .collect();
        out.sort();
        out
    }
}

fn any_sheet() -> impl Strategy<Value = Sheet> {
    prop::sample::select(LedgerKind::ALL.to_vec()).prop_flat_map(sheet)
}

struct World {
    app: TestApp,
    login: Login,
    unit: i64,
    sites: AtomicUsize,
}

async fn world() -> World {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let user = app.user("head", Role::UnitHead, f.unit_a.id).await;
    let login = app.login_as(&user).await;
    World {
        app,
        login,
        unit: f.unit_a.id,
        sites: AtomicUsize::new(0),
    }
}

async fn new_site(w: &World) -> (i64, String) {
    let name = format!("台账库点{}", w.sites.fetch_add(1, Ordering::SeqCst));
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

/// Preview, then confirm when the preview passed. The preview's answer, and the confirmation's
/// when there was one.
async fn import(w: &World, kind: LedgerKind, file: &[u8]) -> (Resp, Option<Resp>) {
    let base = format!("/ledgers/{}/import", kind.segment());
    let preview = upload_page(&w.app, &base, &w.login, file).await;
    if preview.status.as_u16() != 200 {
        return (preview, None);
    }
    let token = preview_token(&preview.text());
    let confirm = w
        .app
        .post(
            &format!("{base}/confirm"),
            &w.login,
            &[("token", token.as_str())],
        )
        .await;
    (preview, Some(confirm))
}

#[test]
fn generated_ledger_sheets_import_whole_or_not_at_all() {
    let rt = runtime();
    let w = rt.block_on(world());
    check(36, any_sheet(), |s: Sheet| {
        rt.block_on(async {
            let (_, site) = new_site(&w).await;
            let before = footprint(&w.app).await;
            let (preview, confirm) = import(&w, s.kind, &s.bytes(&site, true)).await;
            if let Some(confirm) = confirm {
                prop_assert_eq!(confirm.status.as_u16(), 303, "{}", confirm.text());
                prop_assert_eq!(footprint(&w.app).await[4], before[4] + s.rows.len() as i64);
                return Ok(());
            }
            prop_assert!(
                s.damaged(),
                "valid {} sheet refused: {}",
                s.kind.code(),
                message(&preview)
            );
            prop_assert_eq!(preview.status.as_u16(), 422, "{}", preview.text());
            prop_assert_eq!(
                footprint(&w.app).await,
                before,
                "a refused sheet wrote something"
            );
            let errors = preview.text();
            let named = lines_named(&errors);
            let alert = message(&preview);
            prop_assert!(
                !named.is_empty() || has_chinese(&alert),
                "no message: {}",
                errors
            );
            for line in named {
                prop_assert!((2..2 + s.rows.len()).contains(&line), "line {line}");
            }
            Ok(())
        })
    });
}

#[test]
fn an_exported_ledger_imports_back_to_the_same_entries() {
    let rt = runtime();
    let w = rt.block_on(world());
    check(18, any_sheet(), |s: Sheet| {
        rt.block_on(async {
            let (site_id, site) = new_site(&w).await;
            let seg = s.kind.segment();
            let (preview, confirm) = import(&w, s.kind, &s.bytes(&site, false)).await;
            prop_assert!(confirm.is_some(), "{}", message(&preview));
            let labels: Vec<&str> = columns(s.kind).into_iter().map(|(_, l, _)| l).collect();
            let export = format!("/ledgers/{seg}/export?org_id={site_id}");
            let first = w.app.get(&export, &w.login).await;
            prop_assert_eq!(first.status.as_u16(), 200);
            let expected = s.shown(&site);
            prop_assert_eq!(&exported(&first.body, &labels, labels[0]), &expected);
            let (again, confirm) = import(&w, s.kind, &first.body).await;
            prop_assert!(
                confirm.is_some(),
                "the export does not import: {}",
                message(&again)
            );
            let second = w.app.get(&export, &w.login).await;
            let mut twice: Vec<Vec<String>> =
                expected.iter().chain(expected.iter()).cloned().collect();
            twice.sort();
            prop_assert_eq!(exported(&second.body, &labels, labels[0]), twice);
            Ok(())
        })
    });
}
