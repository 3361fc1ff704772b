//! The dashboard page: period and unit pickers, the key figures with 同比/环比, the charts, the
//! overdue hazards and the units overdue for a drill.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use anjian_db::dashboard::{self, change, Dashboard, KeyFigure, Selector};
use anjian_db::FieldErrors;
use anjian_domain::ledger::LedgerKind;
use anjian_domain::period::Period;
use anjian_domain::time::today;

use super::charts;
use super::links::Links;
use crate::auth::Auth;
use crate::error::{PageError, PageResult};
use crate::inspection::new::{org_choices, Choice};
use crate::layout::Chrome;
use crate::AppState;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct DashQuery {
    pub period: String,
    /// `org` is accepted too, for hand-written links.
    #[serde(alias = "org")]
    pub org_id: String,
}

/// A key figure as a tile: value, link, and its changes.
pub struct Tile {
    pub label: &'static str,
    pub value: String,
    pub unit: &'static str,
    pub link: Option<String>,
    pub yoy: String,
    pub mom: String,
    /// `up`, `down` or `flat`, for the arrow.
    pub yoy_trend: &'static str,
    pub mom_trend: &'static str,
}

fn trend(t: i8) -> &'static str {
    match t {
        1 => "up",
        -1 => "down",
        _ => "flat",
    }
}

/// A row of a data table under a chart: cells of (text, link).
pub struct TableRow {
    pub label: String,
    pub cells: Vec<(String, Option<String>)>,
}

pub struct OverdueRow {
    pub id: i64,
    pub description: String,
    pub org_name: String,
    pub deadline: String,
    pub days: i64,
}

pub struct DrillRow {
    pub org_name: String,
    pub link: String,
    pub last_plan: String,
    pub last_onsite: String,
    pub what: String,
}

/// Everything shown below the pickers.
pub struct View {
    pub heading: String,
    pub through: String,
    pub org_name: String,
    pub yoy_label: String,
    pub mom_label: String,
    pub tiles: Vec<Tile>,
    pub months_svg: String,
    pub months_table: Vec<TableRow>,
    pub units_heading: &'static str,
    pub units_svg: String,
    pub units_rest: usize,
    pub units_quiet: usize,
    pub units_table: Vec<TableRow>,
    pub risk_svg: Option<String>,
    pub risk_unassessed: i64,
    pub ledger_svg: Option<String>,
    pub overdue: Vec<OverdueRow>,
    pub overdue_total: i64,
    pub overdue_link: String,
    pub drills: Option<Vec<DrillRow>>,
    pub drills_total: usize,
}

/// Units overdue for a drill listed on the page; the drill board lists them all.
const DRILLS_SHOWN: usize = 10;

#[derive(Template)]
#[template(path = "dashboard/index.html")]
struct IndexPage {
    chrome: Chrome,
    periods: Vec<(String, String, bool)>,
    orgs: Vec<Choice>,
    org_id: String,
    errors: FieldErrors,
    v: Option<View>,
}

fn period_options(current: Option<&Period>) -> Vec<(String, String, bool)> {
    let today = today(anjian_db::now());
    let mut out: Vec<(String, String, bool)> = Selector::ALL
        .into_iter()
        .map(|s| {
            let p = s.period_of(today);
            (
                s.code().to_string(),
                format!("{}（{}）", s.label(), p.label()),
                current == Some(&p),
            )
        })
        .collect();
    if let Some(p) = current.filter(|p| Selector::matching(p, today).is_none()) {
        out.push((p.code(), p.label(), true));
    }
    out
}

fn tile(f: &KeyFigure, links: &Links) -> Tile {
    Tile {
        label: f.label,
        value: f.text(),
        unit: f.unit(),
        link: links.key(f.key),
        yoy: f.yoy_text(),
        mom: f.mom_text(),
        yoy_trend: trend(KeyFigure::trend(f.yoy())),
        mom_trend: trend(KeyFigure::trend(f.mom())),
    }
}

/// The key figures shown as tiles: everything but the ledger counts (drawn as a chart), and only
/// figures whose register the caller may read.
fn tiles(d: &Dashboard, links: &Links) -> Vec<Tile> {
    d.figures
        .iter()
        .filter(|f| !change::LEDGER_COUNT_KEYS.contains(&f.key))
        .filter(|f| f.current.is_some() || f.key == "rectification_rate")
        .map(|f| tile(f, links))
        .collect()
}

fn ledger_chart(d: &Dashboard, links: &Links) -> Option<String> {
    let kinds = [
        ("trainings", LedgerKind::Training),
        ("publicity_events", LedgerKind::Publicity),
        ("drills", LedgerKind::Drill),
        ("safety_meetings", LedgerKind::Meeting),
    ];
    let mut items = Vec::new();
    for (key, kind) in kinds {
        let f = d.figure(key)?;
        let n = f.current? as i64;
        let href = links
            .key(key)
            .unwrap_or_else(|| format!("/ledgers/{}", kind.segment()));
        let title = format!(
            "{}{}{}{}（同比{}，环比{}）",
            d.comparison.current.label(),
            f.label,
            n,
            f.unit(),
            f.yoy_text(),
            f.mom_text()
        );
        items.push((f.label.to_string(), n, href, title));
    }
    Some(charts::ledgers(&items, "dash-ledgers-caption"))
}

fn cell(n: i64, link: String) -> (String, Option<String>) {
    (n.to_string(), Some(link))
}

pub fn view(d: &Dashboard) -> View {
    let p = d.comparison.current;
    let links = Links {
        period: p,
        org_id: d.org_id,
    };
    let months_table = d
        .months
        .iter()
        .map(|b| TableRow {
            label: b.period.label(),
            cells: vec![
                cell(b.found, links.figure(&b.period, "hazards_found")),
                cell(b.rectified, links.figure(&b.period, "hazards_rectified")),
                cell(b.open, links.figure(&b.period, "hazards_open")),
                cell(b.overdue, links.figure(&b.period, "hazards_overdue")),
            ],
        })
        .collect();
    let (units_svg, units_rest) = charts::units(&d.units, &p, &links, "dash-units-caption");
    let units_table = d
        .units
        .iter()
        .filter(|u| u.found > 0)
        .map(|u| TableRow {
            label: u.org_name.clone(),
            cells: vec![
                cell(u.found, links.unit(u, &p)),
                (u.rectified.to_string(), None),
                (crate::statistics::percent(u.rate()), None),
                (u.open.to_string(), None),
                (u.overdue.to_string(), None),
            ],
        })
        .collect();
    let overdue = d
        .overdue
        .items
        .iter()
        .map(|h| OverdueRow {
            id: h.id,
            description: h.description.clone(),
            org_name: h.org_name.clone(),
            deadline: h.deadline.to_string(),
            days: (d.today - h.deadline).num_days(),
        })
        .collect();
    let never = || "从未演练".to_string();
    let drills = d.drills_overdue.as_ref().map(|rows| {
        rows.iter()
            .take(DRILLS_SHOWN)
            .map(|r| DrillRow {
                org_name: r.org_name.clone(),
                link: links.drills_of(r.org_id),
                last_plan: r.last_plan.map(|x| x.to_string()).unwrap_or_else(never),
                last_onsite: r.last_onsite.map(|x| x.to_string()).unwrap_or_else(never),
                what: match (r.plan_overdue, r.onsite_overdue) {
                    (true, true) => "预案演练、现场处置方案演练均已逾期",
                    (true, false) => "综合或专项预案演练逾期（每年至少一次）",
                    _ => "现场处置方案演练逾期（每半年至少一次）",
                }
                .to_string(),
            })
            .collect()
    });
    View {
        heading: p.label(),
        through: d
            .comparison
            .through
            .map(|t| t.format("%Y年%-m月%-d日").to_string())
            .unwrap_or_default(),
        org_name: d.org_name.clone(),
        yoy_label: d.comparison.year_ago.label(),
        mom_label: d.comparison.preceding.label(),
        tiles: tiles(d, &links),
        months_svg: charts::months(&d.months, &links, "dash-months-caption"),
        months_table,
        units_heading: if d.org_kind == "bureau" {
            "各单位隐患整改率"
        } else {
            "下属库点隐患整改率"
        },
        units_svg,
        units_rest,
        units_quiet: d.units.iter().filter(|u| u.found == 0).count(),
        units_table,
        risk_svg: d
            .risk
            .as_ref()
            .map(|r| charts::risk(r, &links, "dash-risk-caption")),
        risk_unassessed: d.risk.as_ref().map_or(0, |r| r.points_unassessed),
        ledger_svg: ledger_chart(d, &links),
        overdue,
        overdue_total: d.overdue.total,
        overdue_link: links.overdue(),
        drills,
        drills_total: d.drills_overdue.as_ref().map_or(0, Vec::len),
    }
}

pub async fn index(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<DashQuery>,
) -> PageResult<Response> {
    let orgs = org_choices(&state, &auth).await?;
    let mut page = IndexPage {
        chrome: Chrome::new(&auth, "/dashboard", "驾驶舱").crumb("/dashboard", "驾驶舱"),
        periods: period_options(None),
        orgs,
        org_id: q.org_id.trim().to_string(),
        errors: FieldErrors::new(),
        v: None,
    };
    let (period, org_id) = match super::params(&q.period, &q.org_id) {
        Ok(v) => v,
        Err(errors) => {
            page.errors = errors;
            let html = page.render().map_err(PageError::from)?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
        }
    };
    let d = dashboard::load(&state.db, &auth.ctx(), &period, org_id).await?;
    page.periods = period_options(Some(&period));
    page.v = Some(view(&d));
    Ok(Html(page.render().map_err(PageError::from)?).into_response())
}
