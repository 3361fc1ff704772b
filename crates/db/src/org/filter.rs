//! The organisation filter of the ledgers (hazards, safety work ledgers) as a text field:
//! suggestions while typing (at most `SUGGESTION_LIMIT`, all in the caller's scope) and the text
//! a person typed or picked, resolved back to one organisation; and `reach`, the organisations a
//! filtered list may cover. The ledgers used to render every organisation in scope into a
//! `<select>` on every page (2,000 options, 136 KB at province scale), which cost more than the
//! ledgers' own queries.
//!
//! Each function takes the permission of the module asking (`HazardView`, `LedgerView`): a
//! person who may read one ledger but not the other gets suggestions only where they may read.
//!
//! Every list page runs `children` (with its duplicate-name check) and `reach`: about 1 ms of the
//! ~1.3 ms of SQL of a ledger page on SQLite (sqlx log, a million entries), for a tree that rarely
//! changes. Their results are kept while the organisation tree is unchanged (`cache`, topic
//! `org`, as `org::list` does); `suggestions` and `resolve` answer typed text and are read afresh.

use serde::Serialize;

use anjian_domain::role::Permission;

use super::list::tree_statement;
use crate::cache::{self, Generations};
use crate::error::{DbError, Result};
use crate::query::{Db, Q};
use crate::{like_pattern, Ctx};

/// Suggestions answered per request.
pub const SUGGESTION_LIMIT: i64 = 20;

/// Options listed in the page itself (children of the current choice), for browsers without
/// JavaScript.
pub const CHILD_OPTION_LIMIT: i64 = 100;

/// One organisation as the filter field offers it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct OrgChoice {
    pub id: i64,
    pub name: String,
    /// What the field shows and accepts back: the name, or `名称（上级名称）` when another
    /// organisation in the caller's scope has the same name.
    pub label: String,
    pub kind: String,
    pub active: bool,
}

type ChoiceRow = (i64, String, String, bool, Option<String>);

const SELECT: &str = "SELECT o.id, o.name, o.kind, o.active, p.name FROM org o \
                      LEFT JOIN org p ON p.id = o.parent_id WHERE o.path LIKE ";

/// Gives each row its label: names that occur more than once in scope carry their parent's name.
/// With `kept`, the check is a kept statement read as of those generations.
async fn choices(
    db: &Db,
    ctx: &Ctx,
    rows: Vec<ChoiceRow>,
    kept: Option<Generations>,
) -> Result<Vec<OrgChoice>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Q::new("SELECT name FROM org WHERE path LIKE ");
    q.push_arg(ctx.scope_like());
    q.push(" AND name IN (");
    for (i, r) in rows.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.push_arg(r.1.clone());
    }
    q.push(") GROUP BY name HAVING COUNT(*) > 1");
    let shared: Vec<(String,)> = match kept {
        Some(g) => tree_statement(&q).fetch_all(db, g).await?,
        None => db.fetch_all(&q).await?,
    };
    Ok(rows
        .into_iter()
        .map(|(id, name, kind, active, parent)| {
            let label = match parent {
                Some(p) if shared.iter().any(|(n,)| *n == name) => format!("{name}（{p}）"),
                _ => name.clone(),
            };
            OrgChoice {
                id,
                name,
                label,
                kind,
                active,
            }
        })
        .collect())
}

/// Up to `SUGGESTION_LIMIT` organisations in scope whose name contains `text`: exact name first,
/// then names starting with it, then higher levels of the tree; active before inactive. A blank
/// text lists the top of the caller's tree.
pub async fn suggestions(
    db: &Db,
    ctx: &Ctx,
    perm: Permission,
    text: &str,
) -> Result<Vec<OrgChoice>> {
    ctx.require(perm)?;
    let text = text.trim();
    let mut q = Q::new(SELECT);
    q.push_arg(ctx.scope_like());
    if !text.is_empty() {
        q.push(" AND o.name LIKE ").push_arg(like_pattern(text));
        q.push(" ESCAPE '\\' ORDER BY CASE WHEN o.name = ")
            .push_arg(text.to_string());
        q.push(" THEN 0 WHEN o.name LIKE ")
            .push_arg(like_pattern(text)[1..].to_string());
        q.push(" ESCAPE '\\' THEN 1 ELSE 2 END, ");
    } else {
        q.push(" ORDER BY ");
    }
    q.push("o.active DESC, LENGTH(o.path), o.path LIMIT ")
        .push_arg(SUGGESTION_LIMIT);
    let rows: Vec<ChoiceRow> = db.fetch_all(&q).await?;
    choices(db, ctx, rows, None).await
}

/// The organisations directly below `parent` (default: the caller's organisation), in tree
/// order: the options a page lists for browsers that do not run the suggestions script.
pub async fn children(
    db: &Db,
    ctx: &Ctx,
    perm: Permission,
    parent: Option<i64>,
) -> Result<Vec<OrgChoice>> {
    ctx.require(perm)?;
    let Some(parent) = parent.or(ctx.org_id()) else {
        return Ok(Vec::new());
    };
    let mut q = Q::new(SELECT);
    q.push_arg(ctx.scope_like());
    q.push(" AND o.parent_id = ").push_arg(parent);
    q.push(" ORDER BY o.active DESC, o.sort_order, o.path LIMIT ")
        .push_arg(CHILD_OPTION_LIMIT);
    let generations = cache::current(db, ctx).await?;
    let rows: Vec<ChoiceRow> = tree_statement(&q).fetch_all(db, generations).await?;
    choices(db, ctx, rows, Some(generations)).await
}

/// One organisation in scope by id, with its label; NotFound outside the scope.
pub async fn choice(db: &Db, ctx: &Ctx, perm: Permission, id: i64) -> Result<OrgChoice> {
    ctx.require(perm)?;
    let mut q = Q::new(SELECT);
    q.push_arg(ctx.scope_like());
    q.push(" AND o.id = ").push_arg(id);
    let generations = cache::current(db, ctx).await?;
    let rows: Vec<ChoiceRow> = tree_statement(&q).fetch_all(db, generations).await?;
    let row = rows.into_iter().next().ok_or(DbError::NotFound)?;
    choices(db, ctx, vec![row], Some(generations))
        .await?
        .pop()
        .ok_or(DbError::NotFound)
}

/// The organisation a person typed or picked: an exact name, or `名称（上级名称）` as the
/// suggestions label names that occur twice. Anything else is a Chinese error on `field`.
pub async fn resolve(
    db: &Db,
    ctx: &Ctx,
    perm: Permission,
    field: &str,
    text: &str,
) -> Result<OrgChoice> {
    ctx.require(perm)?;
    let text = text.trim();
    let by_name = |name: &str, parent: Option<&str>| {
        let mut q = Q::new(SELECT);
        q.push_arg(ctx.scope_like());
        q.push(" AND o.name = ").push_arg(name.to_string());
        if let Some(p) = parent {
            q.push(" AND p.name = ").push_arg(p.to_string());
        }
        q.push(" ORDER BY o.path LIMIT 10");
        q
    };
    let mut rows: Vec<ChoiceRow> = db.fetch_all(&by_name(text, None)).await?;
    if rows.is_empty() {
        if let Some((name, parent)) = text.strip_suffix('）').and_then(|t| t.rsplit_once('（')) {
            rows = db.fetch_all(&by_name(name, Some(parent))).await?;
        }
    }
    match rows.len() {
        0 => Err(DbError::invalid(
            field,
            format!("没有找到名为“{text}”的单位或库点，请从输入时的提示中选择"),
        )),
        1 => choices(db, ctx, rows, None)
            .await?
            .pop()
            .ok_or(DbError::NotFound),
        n => Err(DbError::invalid(
            field,
            format!("有{n}个单位或库点名为“{text}”，请从提示中选择带上级名称的一项"),
        )),
    }
}

/// The organisations a list query may cover: every one (no condition needed), or this list.
#[derive(Debug, Clone)]
pub enum Orgs {
    All,
    Only(Vec<i64>),
}

impl Orgs {
    /// ` AND <col> IN (…)`, or nothing for `All`. `id_col` is a column never NULL, used to match
    /// nothing when no organisation is in reach.
    pub fn push_condition(&self, q: &mut Q, col: &str, id_col: &str) {
        match self {
            Orgs::All => {}
            Orgs::Only(ids) if ids.is_empty() => {
                q.push(" AND ").push(id_col).push(" IS NULL");
            }
            Orgs::Only(ids) => {
                q.push(" AND ").push(col).push(" IN (");
                for (i, id) in ids.iter().enumerate() {
                    if i > 0 {
                        q.push(", ");
                    }
                    q.push_arg(*id);
                }
                q.push(")");
            }
        }
    }
}

/// Resolves scope and an org-subtree filter to organisation ids before a list query. The org
/// table is small; handing the planner a literal list (or nothing, for a caller who sees the
/// whole tree) keeps it on the record's own indexes, where a join to `org` filtered by path made
/// SQLite look up the organisation of every row (hazards, a million rows: 170 ms → 2 ms a page).
pub async fn reach(db: &Db, ctx: &Ctx, org_id: Option<i64>) -> Result<Orgs> {
    let generations = cache::current(db, ctx).await?;
    if org_id.is_none() {
        // The bureau's staff see the whole tree: one count answers that, where loading the
        // 2,000 ids of a province on every page to compare them with the total cost more than
        // the list query itself.
        let count =
            Q::new("SELECT COUNT(*) FROM org WHERE path NOT LIKE $1").bind(ctx.scope_like());
        let outside: Vec<(i64,)> = tree_statement(&count).fetch_all(db, generations).await?;
        if outside.first().is_some_and(|(n,)| *n == 0) {
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
    let ids: Vec<(i64,)> = tree_statement(&q).fetch_all(db, generations).await?;
    Ok(Orgs::Only(ids.into_iter().map(|(i,)| i).collect()))
}
