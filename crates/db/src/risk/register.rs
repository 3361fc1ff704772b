//! The register (清单) of risks and the list of points, with filters and paging, and the
//! four-colour view.

use chrono::NaiveDate;

use anjian_domain::role::Permission;

use super::common::{point_select, today, window_start, RISK_COLS, RISK_FROM};
use super::{FourColour, Risk, RiskFilter, RiskPoint};
use crate::error::{DbError, Result};
use crate::query::{trimmed_keyword, Db, Q};
use crate::{Ctx, Page, PageReq};

/// Counting stops here (the register says "10000+").
pub const COUNT_CAP: i64 = 10_000;

/// Counting a keyword search stops here ("1000+"), as the hazard ledger's does: every match
/// counted is a risk joined to its point and matched by LIKE (a two-character keyword such as
/// 熏蒸 matches one risk in nine: counting to 10,000 read 90,000 of them; bench/risks.sh).
pub const KEYWORD_COUNT_CAP: i64 = 1_000;

/// Where counting stops for this filter.
pub fn count_cap(f: &RiskFilter) -> i64 {
    if keyword(f).is_some() {
        KEYWORD_COUNT_CAP
    } else {
        COUNT_CAP
    }
}

/// Scope and the subtree filter resolved to organisation ids before the risk query, so the
/// planner stays on the risk indexes (the shared `org::filter::reach`).
pub(crate) use crate::org::filter::{reach as orgs, Orgs};

fn push_orgs(q: &mut Q, orgs: &Orgs, col: &str) {
    // `col` is never NULL, so it also serves as the column that matches nothing.
    orgs.push_condition(q, col, col);
}

/// ` AND <col> IN (points with an open hazard / due for re-assessment)`: driven from the
/// hazards that reference a point, which are few next to the risks.
fn push_point_states(q: &mut Q, f: &RiskFilter, col: &str, today: NaiveDate) {
    if f.elevated {
        q.push(&format!(
            " AND {col} IN (SELECT h.risk_point_id FROM hazard h WHERE h.risk_point_id IS NOT NULL \
             AND h.status <> 'closed' AND h.deleted_at IS NULL)"
        ));
    }
    if f.flagged {
        q.push(&format!(
            " AND {col} IN (SELECT h.risk_point_id FROM hazard h JOIN risk_point p2 ON p2.id = h.risk_point_id \
             WHERE h.deleted_at IS NULL AND h.found_on >= "
        ))
        .push_arg(window_start(today));
        q.push(" AND h.found_on <= ").push_arg(today);
        q.push(&format!(
            " GROUP BY h.risk_point_id HAVING COUNT(*) >= {} AND (MAX(p2.last_assessed_on) IS NULL \
             OR MAX(p2.last_assessed_on) <= MAX(h.found_on)))",
            anjian_domain::risk::REASSESS_HAZARDS
        ));
    }
}

fn keyword(f: &RiskFilter) -> Option<&str> {
    trimmed_keyword(f.keyword.as_deref())
}

fn push_keyword(q: &mut Q, f: &RiskFilter, with_risk: bool) {
    let cols: &[&str] = if with_risk {
        &["p.name", "p.location", "r.description"]
    } else {
        &["p.name", "p.location"]
    };
    q.push_keyword(f.keyword.as_deref(), cols);
}

/// `<head> FROM risk r [JOIN risk_point p …] WHERE <filters>`. The point is joined only for a
/// filter on its own columns (kind, keyword): without one, the count and the page's ids are read
/// from one covering index of `risk` (200,000 risks: the whole-tree count took 4–22 ms on SQLite
/// and 15–24 ms on PostgreSQL joining every risk to its point, 1–2 ms without; bench/risks.sh).
pub(crate) fn risk_filtered(orgs: &Orgs, f: &RiskFilter, head: &str, today: NaiveDate) -> Q {
    let mut q = Q::new(head);
    if f.kind.is_some() || keyword(f).is_some() {
        q.push(" FROM risk r JOIN risk_point p ON p.id = r.risk_point_id WHERE 1 = 1");
    } else {
        q.push(" FROM risk r WHERE 1 = 1");
    }
    push_orgs(&mut q, orgs, "r.org_id");
    if !f.include_inactive {
        q.push(" AND r.active = ").push_arg(true);
        // The risks of a deactivated point leave the register with it. Deactivated points are
        // few: the literal FALSE lets both databases read them from the partial index
        // `risk_point_inactive` (migration 0016) once per statement.
        q.push(
            " AND r.risk_point_id NOT IN (SELECT ip.id FROM risk_point ip WHERE ip.active = FALSE)",
        );
    }
    if let Some(l) = f.level {
        q.push(" AND r.level_rank = ").push_arg(l.rank());
    }
    if let Some(k) = f.kind {
        q.push(" AND p.kind = ").push_arg(k.code());
    }
    if let Some(p) = f.risk_point_id {
        q.push(" AND r.risk_point_id = ").push_arg(p);
    }
    push_keyword(&mut q, f, true);
    push_point_states(&mut q, f, "r.risk_point_id", today);
    q
}

pub(crate) const REGISTER_ORDER: &str = " ORDER BY r.level_rank, r.org_id, r.risk_point_id, r.id";

async fn count(db: &Db, mut q: Q, cap: i64) -> Result<i64> {
    q.push(" LIMIT ").push_arg(cap);
    q.push(") t");
    let (n,): (i64,) = db.fetch_one(&q).await?;
    Ok(n)
}

/// A page of the register: risks highest level first, then organisation and point. `total` is
/// capped at `count_cap(f)`.
pub async fn list(db: &Db, ctx: &Ctx, f: &RiskFilter, page: PageReq) -> Result<Page<Risk>> {
    ctx.require(Permission::RiskView)?;
    let today = today();
    let orgs = orgs(db, ctx, f.org_id).await?;
    let total = count(
        db,
        risk_filtered(&orgs, f, "SELECT COUNT(*) FROM (SELECT 1", today),
        count_cap(f),
    )
    .await?;
    // The page's ids from the indexes first, then only those rows are read and joined.
    let mut q = risk_filtered(
        &orgs,
        f,
        &format!("SELECT {RISK_COLS}{RISK_FROM} WHERE r.id IN (SELECT r.id"),
        today,
    );
    q.push(REGISTER_ORDER)
        .push(" LIMIT ")
        .push_arg(page.page_size);
    q.push(" OFFSET ").push_arg(page.offset());
    q.push(")").push(REGISTER_ORDER);
    Ok(Page {
        items: db.fetch_all(&q).await?,
        total,
        page: page.page,
        page_size: page.page_size,
    })
}

/// Every register row matching the filter, up to `limit` (exports).
pub(crate) async fn all(db: &Db, ctx: &Ctx, f: &RiskFilter, limit: i64) -> Result<Vec<Risk>> {
    let orgs = orgs(db, ctx, f.org_id).await?;
    let mut q = risk_filtered(
        &orgs,
        f,
        &format!("SELECT {RISK_COLS}{RISK_FROM} WHERE r.id IN (SELECT r.id"),
        today(),
    );
    q.push(REGISTER_ORDER).push(" LIMIT ").push_arg(limit);
    q.push(")").push(REGISTER_ORDER);
    db.fetch_all(&q).await
}

fn point_filtered(orgs: &Orgs, f: &RiskFilter, mut q: Q, today: NaiveDate) -> Q {
    q.push(" WHERE 1 = 1");
    push_orgs(&mut q, orgs, "p.org_id");
    if !f.include_inactive {
        q.push(" AND p.active = ").push_arg(true);
    }
    if let Some(l) = f.level {
        // The same as `p.level_rank = rank` (ranks are 1–4), written as the list's sort key so
        // the filter and the order are one range of `risk_point_order`.
        q.push(" AND COALESCE(p.level_rank, 5) = ")
            .push_arg(l.rank());
    }
    if let Some(k) = f.kind {
        q.push(" AND p.kind = ").push_arg(k.code());
    }
    if let Some(p) = f.risk_point_id {
        q.push(" AND p.id = ").push_arg(p);
    }
    push_keyword(&mut q, f, false);
    push_point_states(&mut q, f, "p.id", today);
    q
}

/// Served by the expression index `risk_point_order` (migration 0016), which must keep exactly
/// this expression: the whole tree's first page then reads 20 index entries instead of sorting
/// every point.
const POINT_ORDER: &str = " ORDER BY COALESCE(p.level_rank, 5), p.org_id, p.name, p.id";

/// `POINT_ORDER` when a level is chosen: every row then has the same first key, and without it
/// both databases see that the index's order after the level is the list's (SQLite sorted the
/// 8,000 points of one level instead).
const POINT_ORDER_IN_LEVEL: &str = " ORDER BY p.org_id, p.name, p.id";

/// A page of risk points, highest level first (unassessed last), then organisation and name.
pub async fn list_points(
    db: &Db,
    ctx: &Ctx,
    f: &RiskFilter,
    page: PageReq,
) -> Result<Page<RiskPoint>> {
    ctx.require(Permission::RiskView)?;
    let today = today();
    let orgs = orgs(db, ctx, f.org_id).await?;
    let total = count(
        db,
        point_filtered(
            &orgs,
            f,
            Q::new("SELECT COUNT(*) FROM (SELECT 1 FROM risk_point p"),
            today,
        ),
        count_cap(f),
    )
    .await?;
    // The page's ids first (index columns only), then the columns of just those points: the
    // elevated and re-assessment states are sub-queries, which a sort would otherwise compute
    // for every matching point (50,000 in a province) before keeping 20.
    let order = if f.level.is_some() {
        POINT_ORDER_IN_LEVEL
    } else {
        POINT_ORDER
    };
    let mut q = point_select(today);
    q.push(" WHERE p.id IN (SELECT p.id FROM risk_point p");
    let mut q = point_filtered(&orgs, f, q, today);
    q.push(order).push(" LIMIT ").push_arg(page.page_size);
    q.push(" OFFSET ").push_arg(page.offset());
    q.push(")").push(order);
    Ok(Page {
        items: db.fetch_all(&q).await?,
        total,
        page: page.page,
        page_size: page.page_size,
    })
}

/// Active points of an organisation's subtree (in scope), highest level first.
pub(crate) async fn points_of_subtree(
    db: &Db,
    ctx: &Ctx,
    org_id: i64,
) -> Result<(String, Vec<RiskPoint>)> {
    let org: Option<(String,)> = db
        .fetch_optional(
            &Q::new("SELECT name FROM org WHERE id = $1 AND path LIKE $2")
                .bind(org_id)
                .bind(ctx.scope_like()),
        )
        .await?;
    let Some((name,)) = org else {
        return Err(DbError::NotFound);
    };
    let f = RiskFilter {
        org_id: Some(org_id),
        ..Default::default()
    };
    let orgs = orgs(db, ctx, f.org_id).await?;
    let mut q = point_filtered(&orgs, &f, point_select(today()), today());
    q.push(POINT_ORDER).push(" LIMIT 5000");
    Ok((name, db.fetch_all(&q).await?))
}

/// The four-colour view of an organisation (its subtree's active points) with the site plan.
pub async fn four_colour(db: &Db, ctx: &Ctx, org_id: i64) -> Result<FourColour> {
    ctx.require(Permission::RiskView)?;
    let (org_name, points) = points_of_subtree(db, ctx, org_id).await?;
    let mut counts = [0i64; 4];
    let mut unassessed = 0;
    for p in &points {
        match p.level_rank {
            Some(r @ 1..=4) => counts[(r - 1) as usize] += 1,
            _ => unassessed += 1,
        }
    }
    Ok(FourColour {
        org_id,
        org_name,
        site_plan_attachment_id: super::point::plan_of(db, org_id).await?,
        points,
        counts,
        unassessed,
    })
}
