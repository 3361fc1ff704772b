//! The register (清单) of risks and the list of points, with filters and paging, and the
//! four-colour view.

use chrono::NaiveDate;

use anjian_domain::role::Permission;

use super::common::{point_select, push_in, today, window_start, RISK_COLS, RISK_FROM};
use super::{FourColour, Risk, RiskFilter, RiskPoint};
use crate::error::{DbError, Result};
use crate::query::{Db, Q};
use crate::{like_pattern, Ctx, Page, PageReq};

/// Counting stops here (the register says "10000+").
pub const COUNT_CAP: i64 = 10_000;

/// The organisations a query covers: all of them (no condition), or this list.
pub(crate) enum Orgs {
    All,
    Only(Vec<i64>),
}

/// Resolves scope and the subtree filter to organisation ids before the risk query, so the
/// planner stays on the risk indexes (see the hazard ledger's `orgs`). A caller who sees the
/// whole tree costs one COUNT and no list.
pub(crate) async fn orgs(db: &Db, ctx: &Ctx, org_id: Option<i64>) -> Result<Orgs> {
    if org_id.is_none() {
        let (outside,): (i64,) = db
            .fetch_one(
                &Q::new("SELECT COUNT(*) FROM org WHERE path NOT LIKE $1").bind(ctx.scope_like()),
            )
            .await?;
        if outside == 0 {
            return Ok(Orgs::All);
        }
    }
    let mut q = Q::new("SELECT id FROM org WHERE path LIKE ");
    q.push_arg(ctx.scope_like());
    if let Some(o) = org_id {
        q.push(" AND path LIKE (SELECT path FROM org WHERE id = ")
            .push_arg(o);
        q.push(") || '%'");
    }
    let ids: Vec<(i64,)> = db.fetch_all(&q).await?;
    Ok(Orgs::Only(ids.into_iter().map(|(i,)| i).collect()))
}

fn push_orgs(q: &mut Q, orgs: &Orgs, col: &str) {
    match orgs {
        Orgs::All => {}
        Orgs::Only(ids) if ids.is_empty() => {
            q.push(&format!(" AND {col} IS NULL"));
        }
        Orgs::Only(ids) => {
            q.push(&format!(" AND {col}"));
            push_in(q, ids);
        }
    }
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

fn push_keyword(q: &mut Q, f: &RiskFilter, with_risk: bool) {
    if let Some(k) = f
        .keyword
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let p = like_pattern(k);
        q.push(" AND (p.name LIKE ").push_arg(p.clone());
        q.push(" ESCAPE '\\' OR p.location LIKE ")
            .push_arg(p.clone());
        if with_risk {
            q.push(" ESCAPE '\\' OR r.description LIKE ").push_arg(p);
        }
        q.push(" ESCAPE '\\')");
    }
}

/// `<head> FROM risk r JOIN risk_point p … WHERE <filters>`.
pub(crate) fn risk_filtered(orgs: &Orgs, f: &RiskFilter, head: &str, today: NaiveDate) -> Q {
    let mut q = Q::new(head);
    q.push(" FROM risk r JOIN risk_point p ON p.id = r.risk_point_id WHERE 1 = 1");
    push_orgs(&mut q, orgs, "r.org_id");
    if !f.include_inactive {
        q.push(" AND r.active = ").push_arg(true);
        q.push(" AND p.active = ").push_arg(true);
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

async fn count(db: &Db, mut q: Q) -> Result<i64> {
    q.push(" LIMIT ").push_arg(COUNT_CAP);
    q.push(") t");
    let (n,): (i64,) = db.fetch_one(&q).await?;
    Ok(n)
}

/// A page of the register: risks highest level first, then organisation and point. `total` is
/// capped at `COUNT_CAP`.
pub async fn list(db: &Db, ctx: &Ctx, f: &RiskFilter, page: PageReq) -> Result<Page<Risk>> {
    ctx.require(Permission::RiskView)?;
    let today = today();
    let orgs = orgs(db, ctx, f.org_id).await?;
    let total = count(
        db,
        risk_filtered(&orgs, f, "SELECT COUNT(*) FROM (SELECT 1", today),
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
        q.push(" AND p.level_rank = ").push_arg(l.rank());
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

const POINT_ORDER: &str = " ORDER BY COALESCE(p.level_rank, 5), p.org_id, p.name, p.id";

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
    )
    .await?;
    let mut q = point_filtered(&orgs, f, point_select(today), today);
    q.push(POINT_ORDER).push(" LIMIT ").push_arg(page.page_size);
    q.push(" OFFSET ").push_arg(page.offset());
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
