//! The dashboard's figures (首页/驾驶舱): key figures of a period with their year-on-year (同比)
//! and period-on-period (环比) changes, and the series its charts draw. Everything is gathered
//! from the modules that own it — the summary report's `figures` (which itself reads the hazard,
//! ledger, risk and accident statistics), the statistics' hazard measures, the risk register's
//! statistics, the hazard ledger's overdue filter and the ledger's drill board — so a figure here
//! is the same number the summary and the statistics page show for the same period and subtree.

pub mod change;
pub mod period;
pub mod series;

use chrono::NaiveDate;
use serde::Serialize;

use anjian_domain::period::Period;
use anjian_domain::role::Permission;

use crate::error::{DbError, Result};
use crate::hazard::{self, Hazard, HazardFilter};
use crate::ledger::DrillBoardRow;
use crate::query::{Db, Q};
use crate::report::{self, Figures};
use crate::{Ctx, PageReq};
pub use change::{KeyFigure, Measure};
pub use period::{Comparison, Selector};
pub use series::{MonthBar, UnitRate};

/// How many overdue hazards the dashboard lists (the first page of the filtered ledger).
pub const OVERDUE_SHOWN: i64 = 10;

/// The risk register now, by level 重大 → 低.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RiskLevels {
    pub points: [i64; 4],
    pub risks: [i64; 4],
    pub points_unassessed: i64,
}

/// The overdue hazards of the subtree as of today: how many, and the first page of the ledger's
/// overdue list (newest found first, as `/hazards?overdue=1` shows them).
#[derive(Debug, Clone, Serialize)]
pub struct OverdueList {
    pub total: i64,
    pub items: Vec<Hazard>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub today: NaiveDate,
    pub comparison: Comparison,
    /// The root of the subtree shown.
    pub org_id: i64,
    pub org_name: String,
    /// `bureau`, `unit` or `site`: below a bureau the rows of `units` are units, below a unit
    /// its sites.
    pub org_kind: String,
    pub current: Figures,
    pub year_ago: Figures,
    pub preceding: Figures,
    pub figures: Vec<KeyFigure>,
    pub months: Vec<MonthBar>,
    pub units: Vec<UnitRate>,
    /// None without RiskView.
    pub risk: Option<RiskLevels>,
    pub overdue: OverdueList,
    /// Units of the subtree overdue for a drill as of today; None without LedgerView.
    pub drills_overdue: Option<Vec<DrillBoardRow>>,
}

impl Dashboard {
    pub fn figure(&self, key: &str) -> Option<&KeyFigure> {
        self.figures.iter().find(|f| f.key == key)
    }
}

/// The subtree's root: `org_id` when in the caller's scope (else NotFound), by default the
/// caller's organisation. (id, name, path, kind).
pub async fn root(
    db: &Db,
    ctx: &Ctx,
    org_id: Option<i64>,
) -> Result<(i64, String, String, String)> {
    let id = org_id.or(ctx.org_id()).ok_or(DbError::NotFound)?;
    db.fetch_one(
        &Q::new("SELECT id, name, path, kind FROM org WHERE id = $1 AND path LIKE $2")
            .bind(id)
            .bind(ctx.scope_like()),
    )
    .await
}

/// The risk register by level, when the caller may read it.
async fn risk_levels(
    db: &Db,
    ctx: &Ctx,
    period: &Period,
    root: Option<i64>,
) -> Result<Option<RiskLevels>> {
    if !ctx.can(Permission::RiskView) {
        return Ok(None);
    }
    let s = crate::risk::statistics(db, ctx, period, root).await?;
    Ok(Some(RiskLevels {
        points: s.points_by_level,
        risks: s.risks_by_level,
        points_unassessed: s.points_unassessed,
    }))
}

/// The overdue hazards of the subtree as of today: the first page of the ledger's filter.
async fn overdue(db: &Db, ctx: &Ctx, root: Option<i64>) -> Result<OverdueList> {
    let filter = HazardFilter {
        org_id: root,
        overdue: true,
        ..Default::default()
    };
    let page = hazard::list(db, ctx, &filter, PageReq::new(Some(1), Some(OVERDUE_SHOWN))).await?;
    Ok(OverdueList {
        total: page.total,
        items: page.items,
    })
}

/// The units of the subtree below `root_path` overdue for a drill today, when the caller may
/// read the ledgers.
async fn drills_overdue(
    db: &Db,
    ctx: &Ctx,
    root_path: &str,
    today: NaiveDate,
) -> Result<Option<Vec<DrillBoardRow>>> {
    if !ctx.can(Permission::LedgerView) {
        return Ok(None);
    }
    // The board covers the caller's whole scope; keep the units of the subtree shown.
    let units: Vec<(i64,)> = db
        .fetch_all(
            &Q::new("SELECT id FROM org WHERE kind = 'unit' AND path LIKE $1")
                .bind(format!("{root_path}%")),
        )
        .await?;
    let rows = crate::ledger::drill_board(db, ctx, today).await?;
    Ok(Some(
        rows.into_iter()
            .filter(|r| r.plan_overdue || r.onsite_overdue)
            .filter(|r| units.iter().any(|(id,)| *id == r.org_id))
            .collect(),
    ))
}

/// The dashboard of `period` for the subtree of `org_id` (default: the caller's organisation).
pub async fn load(db: &Db, ctx: &Ctx, period: &Period, org_id: Option<i64>) -> Result<Dashboard> {
    ctx.require(Permission::HazardView)?;
    let today = anjian_domain::time::today(crate::now());
    let (root_id, root_name, root_path, root_kind) = root(db, ctx, org_id).await?;
    let root = Some(root_id);
    let comparison = period::comparison(period, today);
    let chart_end = comparison.through.unwrap_or(period.last);
    // Many small read queries in eight independent groups: run side by side, each on its
    // own pooled connection (reads only, no transaction), the page waits for the slowest group
    // instead of their sum.
    let (current, year_ago, preceding, months, units, risk, overdue, drills_overdue) = tokio::try_join!(
        report::figures(db, ctx, period, root),
        report::figures(db, ctx, &comparison.year_ago, root),
        report::figures(db, ctx, &comparison.preceding, root),
        series::by_month(db, ctx, chart_end, root),
        series::by_unit(db, ctx, period, root_id, &root_name),
        risk_levels(db, ctx, period, root),
        overdue(db, ctx, root),
        drills_overdue(db, ctx, &root_path, today),
    )?;
    let figures = change::key_figures(&current, &year_ago, &preceding);
    Ok(Dashboard {
        today,
        comparison,
        org_id: root_id,
        org_name: root_name,
        org_kind: root_kind,
        current,
        year_ago,
        preceding,
        figures,
        months,
        units,
        risk,
        overdue,
        drills_overdue,
    })
}
