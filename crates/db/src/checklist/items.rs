//! The items of a checklist: add, edit, move up or down, deactivate. Items are never deleted:
//! inspections snapshot them, and the history of the library stays readable in the audit trail.
//! Every change bumps the checklist's `row_version`, which the form must have seen.

use serde::{Deserialize, Serialize};

use super::manage::{bump, load_managed};
use super::{stale, text_field, ChecklistItem, ChecklistRow, ITEM_COLS};
use crate::audit::{self, Change};
use crate::error::{FieldErrors, Result};
use crate::query::{Db, Tx, Q};
use crate::Ctx;

/// What a form or API request sends for an item.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ItemInput {
    pub content: String,
    pub category: String,
    /// 依据
    pub basis: String,
    pub major_criterion: bool,
    /// Editing only: false deactivates, true reactivates, None leaves it.
    pub active: Option<bool>,
}

struct Valid {
    content: String,
    category: String,
    basis: String,
}

impl ItemInput {
    fn parse(&self) -> Result<Valid> {
        let mut errs = FieldErrors::new();
        let v = Valid {
            content: text_field(&mut errs, "content", "检查内容", &self.content, true, 500),
            category: text_field(
                &mut errs,
                "category",
                "检查项类别",
                &self.category,
                false,
                50,
            ),
            basis: text_field(&mut errs, "basis", "依据", &self.basis, false, 300),
        };
        errs.into_result()?;
        Ok(v)
    }
}

async fn item_in_tx(tx: &mut Tx, id: i64) -> Result<ChecklistItem> {
    tx.fetch_one(
        &Q::new(&format!(
            "SELECT {ITEM_COLS} FROM checklist_item WHERE id = $1"
        ))
        .bind(id),
    )
    .await
}

/// An item and its checklist, when the caller can see the checklist.
pub async fn get_item(db: &Db, ctx: &Ctx, item_id: i64) -> Result<(ChecklistRow, ChecklistItem)> {
    let item: ChecklistItem = db
        .fetch_one(
            &Q::new(&format!(
                "SELECT {ITEM_COLS} FROM checklist_item WHERE id = $1"
            ))
            .bind(item_id),
        )
        .await?;
    let list = super::get(db, ctx, item.checklist_id).await?;
    Ok((list, item))
}

/// Loads an item for a change, checking its checklist is one the caller maintains.
async fn managed_item(
    tx: &mut Tx,
    ctx: &Ctx,
    item_id: i64,
) -> Result<(ChecklistRow, ChecklistItem)> {
    let item = item_in_tx(tx, item_id).await?;
    let list = load_managed(tx, ctx, item.checklist_id).await?;
    Ok((list, item))
}

async fn audit_item(
    tx: &mut Tx,
    ctx: &Ctx,
    org_id: Option<i64>,
    action: &str,
    before: Option<&ChecklistItem>,
    after: &ChecklistItem,
) -> Result<()> {
    let mut c = Change::new("checklist_item", after.id, action)
        .org(org_id)
        .after(after);
    if let Some(b) = before {
        c = c.before(b);
    }
    audit::record(tx, ctx, c).await
}

/// Appends an item at the end of the checklist. `row_version` is checked when given (a page
/// always sends it; an API client adding items need not).
pub async fn add_item(
    db: &Db,
    ctx: &Ctx,
    checklist_id: i64,
    input: &ItemInput,
    row_version: Option<i64>,
) -> Result<ChecklistItem> {
    let mut tx = db.begin().await?;
    let list = load_managed(&mut tx, ctx, checklist_id).await?;
    let v = input.parse()?;
    bump(
        &mut tx,
        checklist_id,
        row_version.unwrap_or(list.checklist.row_version),
    )
    .await?;
    let (last,): (Option<i64>,) = tx
        .fetch_one(
            &Q::new("SELECT MAX(position) FROM checklist_item WHERE checklist_id = $1")
                .bind(checklist_id),
        )
        .await?;
    let (id,): (i64,) = tx
        .fetch_one(
            &Q::new(
                "INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(checklist_id)
            .bind(last.unwrap_or(0) + 1)
            .bind(v.content)
            .bind(v.category)
            .bind(v.basis)
            .bind(input.major_criterion)
            .bind(true),
        )
        .await?;
    let after = item_in_tx(&mut tx, id).await?;
    audit_item(&mut tx, ctx, list.checklist.org_id, "create", None, &after).await?;
    tx.commit().await?;
    Ok(after)
}

/// Edits an item's text, category, basis and major-hazard flag (and its active flag when given).
pub async fn update_item(
    db: &Db,
    ctx: &Ctx,
    item_id: i64,
    input: &ItemInput,
    row_version: i64,
) -> Result<ChecklistItem> {
    let mut tx = db.begin().await?;
    let (list, before) = managed_item(&mut tx, ctx, item_id).await?;
    let v = input.parse()?;
    bump(&mut tx, list.checklist.id, row_version).await?;
    tx.execute(
        &Q::new(
            "UPDATE checklist_item SET content = $1, category = $2, basis = $3, major_criterion = $4, active = $5 \
             WHERE id = $6",
        )
        .bind(v.content)
        .bind(v.category)
        .bind(v.basis)
        .bind(input.major_criterion)
        .bind(input.active.unwrap_or(before.active))
        .bind(item_id),
    )
    .await?;
    let after = item_in_tx(&mut tx, item_id).await?;
    audit_item(
        &mut tx,
        ctx,
        list.checklist.org_id,
        "update",
        Some(&before),
        &after,
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Swaps an item with its neighbour above (`up`) or below. At the top (or bottom) nothing moves
/// and nothing is recorded, but a stale version is still refused.
pub async fn move_item(
    db: &Db,
    ctx: &Ctx,
    item_id: i64,
    up: bool,
    row_version: i64,
) -> Result<ChecklistItem> {
    let mut tx = db.begin().await?;
    let (list, before) = managed_item(&mut tx, ctx, item_id).await?;
    if list.checklist.row_version != row_version {
        return Err(stale());
    }
    let sql = if up {
        "SELECT id, position FROM checklist_item WHERE checklist_id = $1 AND (position < $2 OR (position = $2 AND id < $3)) \
         ORDER BY position DESC, id DESC LIMIT 1"
    } else {
        "SELECT id, position FROM checklist_item WHERE checklist_id = $1 AND (position > $2 OR (position = $2 AND id > $3)) \
         ORDER BY position, id LIMIT 1"
    };
    let neighbour: Option<(i64, i64)> = tx
        .fetch_optional(
            &Q::new(sql)
                .bind(list.checklist.id)
                .bind(before.position)
                .bind(item_id),
        )
        .await?;
    let Some((other_id, other_pos)) = neighbour else {
        return Ok(before);
    };
    bump(&mut tx, list.checklist.id, row_version).await?;
    // Equal positions (never written by this module, but possible in hand-edited data) would
    // swap to themselves: nudge so the order really changes.
    let (mine, theirs) = if other_pos == before.position {
        if up {
            (other_pos, other_pos + 1)
        } else {
            (other_pos + 1, other_pos)
        }
    } else {
        (other_pos, before.position)
    };
    for (id, pos) in [(item_id, mine), (other_id, theirs)] {
        tx.execute(
            &Q::new("UPDATE checklist_item SET position = $1 WHERE id = $2")
                .bind(pos)
                .bind(id),
        )
        .await?;
    }
    let after = item_in_tx(&mut tx, item_id).await?;
    let action = if up { "move_up" } else { "move_down" };
    audit_item(
        &mut tx,
        ctx,
        list.checklist.org_id,
        action,
        Some(&before),
        &after,
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Deactivates (or reactivates) an item: it is no longer offered in new inspections.
pub async fn set_item_active(
    db: &Db,
    ctx: &Ctx,
    item_id: i64,
    active: bool,
    row_version: i64,
) -> Result<ChecklistItem> {
    let mut tx = db.begin().await?;
    let (list, before) = managed_item(&mut tx, ctx, item_id).await?;
    bump(&mut tx, list.checklist.id, row_version).await?;
    tx.execute(
        &Q::new("UPDATE checklist_item SET active = $1 WHERE id = $2")
            .bind(active)
            .bind(item_id),
    )
    .await?;
    let after = item_in_tx(&mut tx, item_id).await?;
    let action = if active { "activate" } else { "deactivate" };
    audit_item(
        &mut tx,
        ctx,
        list.checklist.org_id,
        action,
        Some(&before),
        &after,
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}
