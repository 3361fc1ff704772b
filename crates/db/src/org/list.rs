//! Listing organisations: the filtered, paged list and every node in scope for pickers and
//! exports. Both read the organisation table alone, so their rows are kept while the tree stands
//! still (`cache`).

use anjian_domain::org::OrgKind;
use anjian_domain::role::Permission;

use super::{Org, COLS};
use crate::cache::{self, Cached, Topic};
use crate::error::Result;
use crate::query::{Db, Q};
use crate::{Ctx, Page, PageReq};

#[derive(Debug, Clone, Default)]
pub struct OrgFilter {
    pub keyword: Option<String>,
    pub kind: Option<OrgKind>,
    pub include_inactive: bool,
    /// Only this node and the nodes below it (must itself be in scope).
    pub under: Option<i64>,
}

fn filtered(ctx: &Ctx, f: &OrgFilter, head: &str) -> Q {
    let mut q = Q::new(head);
    q.push(" WHERE path LIKE ").push_arg(ctx.scope_like());
    q.push_keyword(f.keyword.as_deref(), &["name", "uscc", "principal"]);
    if let Some(k) = f.kind {
        q.push(" AND kind = ").push_arg(k.code());
    }
    if !f.include_inactive {
        q.push(" AND active = ").push_arg(true);
    }
    if let Some(u) = f.under {
        q.push(" AND path LIKE (SELECT path FROM org WHERE id = ")
            .push_arg(u);
        q.push(") || '%'");
    }
    q
}

/// Organisations in scope, in tree order (path sorts parents before children; sort_order breaks
/// ties between siblings only on the pages that show a flat list).
pub async fn list(db: &Db, ctx: &Ctx, f: &OrgFilter, page: PageReq) -> Result<Page<Org>> {
    ctx.require(Permission::OrgView)?;
    // Both statements read the organisation table only, so their rows are kept while the tree
    // stands still (`cache`): this list is on every supervisor's desk.
    let generations = cache::current(db, ctx).await?;
    // A separate COUNT rather than COUNT(*) OVER (): the window makes SQLite copy every matching
    // row into a temporary table, which cost more than the second query (measured).
    let count = filtered(ctx, f, "SELECT COUNT(*) FROM org");
    let total: Vec<(i64,)> = tree_statement(&count).fetch_all(db, generations).await?;
    let mut q = filtered(ctx, f, &format!("SELECT {COLS} FROM org"));
    q.push(" ORDER BY path LIMIT ").push_arg(page.page_size);
    q.push(" OFFSET ").push_arg(page.offset());
    Ok(Page {
        items: tree_statement(&q).fetch_all(db, generations).await?,
        total: total.first().map_or(0, |t| t.0),
        page: page.page,
        page_size: page.page_size,
    })
}

/// A statement over the organisation table alone, kept while the tree is unchanged.
pub(super) fn tree_statement(q: &Q) -> Cached<'_> {
    Cached {
        q,
        topics: &[Topic::Org],
    }
}

/// Every active node in scope, in tree order: for pickers and exports.
pub async fn all_in_scope(db: &Db, ctx: &Ctx, include_inactive: bool) -> Result<Vec<Org>> {
    ctx.require(Permission::OrgView)?;
    let f = OrgFilter {
        include_inactive,
        ..Default::default()
    };
    let generations = cache::current(db, ctx).await?;
    let mut q = filtered(ctx, &f, &format!("SELECT {COLS} FROM org"));
    q.push(" ORDER BY path");
    tree_statement(&q).fetch_all(db, generations).await
}
