//! Action items of ledger entries (meeting decisions, drill improvements): marking one done,
//! the owners' to-do list, and the people an item or attendance may name.

use chrono::NaiveDate;
use serde::Serialize;

use anjian_domain::role::Permission;

use crate::audit::{self, Change};
use crate::error::{DbError, Result};
use crate::query::{Db, Q};
use crate::Ctx;

/// Marks an item done: its owner, or anyone who records ledgers for the entry's unit.
pub async fn item_done(db: &Db, ctx: &Ctx, item_id: i64) -> Result<i64> {
    ctx.require(Permission::LedgerView)?;
    let mut tx = db.begin().await?;
    let row: Option<(i64, Option<i64>, String, i64)> = tx
        .fetch_optional(
            &Q::new(
                "SELECT i.entry_id, i.owner_user_id, i.status, e.org_id FROM ledger_item i \
                 JOIN ledger_entry e ON e.id = i.entry_id JOIN org o ON o.id = e.org_id \
                 WHERE i.id = $1 AND e.deleted_at IS NULL AND (o.path LIKE $2 OR i.owner_user_id = $3)",
            )
            .bind(item_id)
            .bind(ctx.scope_like())
            .bind(ctx.user_id()),
        )
        .await?;
    let (entry_id, owner, status, org_id) = row.ok_or(DbError::NotFound)?;
    if owner != ctx.user_id() && !ctx.can(Permission::LedgerRecord) {
        return Err(DbError::Forbidden);
    }
    if status == "done" {
        return Ok(entry_id);
    }
    let now = crate::now();
    tx.execute(
        &Q::new(
            "UPDATE ledger_item SET status = 'done', done_at = $1, updated_at = $1 WHERE id = $2",
        )
        .bind(now)
        .bind(item_id),
    )
    .await?;
    audit::record(
        &mut tx,
        ctx,
        Change::new("ledger_item", item_id, "done")
            .org(Some(org_id))
            .after(serde_json::json!({ "entry_id": entry_id, "status": "done" })),
    )
    .await?;
    tx.commit().await?;
    Ok(entry_id)
}

/// An open item on its owner's to-do list.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct LedgerTodo {
    pub item_id: i64,
    pub entry_id: i64,
    pub kind: String,
    pub entry_title: String,
    pub content: String,
    pub deadline: Option<NaiveDate>,
}

impl LedgerTodo {
    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.deadline.is_some_and(|d| d < today)
    }
    /// `/ledgers/entries/{id}`, where the item can be marked done.
    pub fn href(&self) -> String {
        format!("/ledgers/entries/{}", self.entry_id)
    }
}

/// The caller's open meeting decisions and drill improvement items, the earliest deadline first.
pub async fn todo(db: &Db, ctx: &Ctx) -> Result<Vec<LedgerTodo>> {
    ctx.require(Permission::LedgerView)?;
    let Some(me) = ctx.user_id() else {
        return Ok(Vec::new());
    };
    db.fetch_all(
        &Q::new(
            "SELECT i.id AS item_id, e.id AS entry_id, e.kind, e.title AS entry_title, i.content, i.deadline \
             FROM ledger_item i JOIN ledger_entry e ON e.id = i.entry_id \
             WHERE i.owner_user_id = $1 AND i.status = 'open' AND e.deleted_at IS NULL \
             ORDER BY CASE WHEN i.deadline IS NULL THEN 1 ELSE 0 END, i.deadline, i.id LIMIT 100",
        )
        .bind(me),
    )
    .await
}

/// People the caller may name as attendees or owners: active accounts in scope (below `org_id`
/// when given), labelled with their organisation. Capped: a province has many.
pub async fn people_for_picker(
    db: &Db,
    ctx: &Ctx,
    org_id: Option<i64>,
) -> Result<Vec<(i64, String)>> {
    ctx.require(Permission::LedgerView)?;
    let mut q = Q::new(
        "SELECT u.id, u.name || '（' || o.name || '）' FROM app_user u JOIN org o ON o.id = u.org_id \
         WHERE u.disabled = ",
    );
    q.push_arg(false)
        .push(" AND o.path LIKE ")
        .push_arg(ctx.scope_like());
    if let Some(id) = org_id {
        q.push(" AND o.path LIKE (SELECT x.path FROM org x WHERE x.id = ")
            .push_arg(id)
            .push(") || '%'");
    }
    q.push(" AND u.role NOT IN ('system_admin', 'security_admin', 'audit_admin')");
    q.push(" ORDER BY o.path, u.name, u.id LIMIT 500");
    db.fetch_all(&q).await
}
