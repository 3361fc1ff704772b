//! Checklists (检查表): the library of templates with ordered items, maintained by the bureau.
//!
//! CONTRACT (used by the inspection module): `Checklist`, `ChecklistItem`, `list_usable` and
//! `items_in_tx` keep these names and shapes.
//!
//! Visibility: `org_id` NULL is the built-in library every user with InspectionView sees; an
//! org-owned checklist is seen by users whose scope contains the owner and by users below the
//! owner (a unit uses its bureau's checklists).

use serde::Serialize;

use anjian_domain::role::Permission;

pub(crate) mod fields;
mod items;
mod manage;

pub use fields::units_for_picker;
pub use items::{add_item, get_item, move_item, set_item_active, update_item, ItemInput};
pub use manage::{create, set_active, update, ChecklistInput};

pub(crate) use fields::{stale, text_field};

use crate::error::Result;
use crate::query::{Db, Tx, Q};
use crate::Ctx;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Checklist {
    pub id: i64,
    /// NULL: the built-in library every user sees.
    pub org_id: Option<i64>,
    pub name: String,
    pub category: String,
    pub description: String,
    pub source: String,
    pub builtin: bool,
    pub active: bool,
    pub row_version: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ChecklistItem {
    pub id: i64,
    pub checklist_id: i64,
    pub position: i64,
    pub content: String,
    pub category: String,
    /// 依据: the legal basis the item cites.
    pub basis: String,
    /// Failing this item means a major hazard (重大事故隐患判定标准).
    pub major_criterion: bool,
    pub active: bool,
}

pub(crate) const COLS: &str = "c.id, c.org_id, c.name, c.category, c.description, c.source, \
     c.builtin, c.active, c.row_version, c.created_at, c.updated_at";

pub(crate) const ITEM_COLS: &str =
    "id, checklist_id, position, content, category, basis, major_criterion, active";

/// `FROM checklist c LEFT JOIN org o … WHERE <visible>`: the caller's view of the library.
pub(crate) fn visible(ctx: &Ctx, head: &str) -> Q {
    let mut q = Q::new(head);
    q.push(" FROM checklist c LEFT JOIN org o ON o.id = c.org_id WHERE (c.org_id IS NULL OR o.path LIKE ")
        .push_arg(ctx.scope_like());
    q.push(" OR ")
        .push_arg(ctx.scope_path().to_string())
        .push(" LIKE o.path || '%')");
    q
}

/// Active checklists the caller may use in an inspection, the built-in library first.
pub async fn list_usable(db: &Db, ctx: &Ctx) -> Result<Vec<Checklist>> {
    ctx.require(Permission::InspectionView)?;
    let mut q = visible(ctx, &format!("SELECT {COLS}"));
    q.push(" AND c.active = ").push_arg(true);
    q.push(" ORDER BY c.builtin DESC, c.category, c.name");
    db.fetch_all(&q).await
}

/// The active items of a checklist the caller may use, in order; NotFound when it is not visible
/// to the caller or no longer active.
pub async fn items_in_tx(tx: &mut Tx, ctx: &Ctx, checklist_id: i64) -> Result<Vec<ChecklistItem>> {
    ctx.require(Permission::InspectionView)?;
    let mut q = visible(ctx, "SELECT c.id");
    q.push(" AND c.id = ").push_arg(checklist_id);
    q.push(" AND c.active = ").push_arg(true);
    let _: (i64,) = tx.fetch_one(&q).await?;
    tx.fetch_all(
        &Q::new(&format!(
            "SELECT {ITEM_COLS} FROM checklist_item WHERE checklist_id = $1 AND active = $2 \
             ORDER BY position, id"
        ))
        .bind(checklist_id)
        .bind(true),
    )
    .await
}

// ---------------------------------------------------------------- library pages

/// A checklist as the library pages show it: who maintains it and how many active items it has.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ChecklistRow {
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub checklist: Checklist,
    /// Name of the maintaining organisation; None for the built-in library.
    pub owner_name: Option<String>,
    #[serde(skip)]
    pub owner_path: Option<String>,
    pub item_count: i64,
}

impl ChecklistRow {
    pub fn can_manage(&self, ctx: &Ctx) -> bool {
        can_manage(ctx, self.owner_path.as_deref())
    }
}

/// Who may change a checklist: InspectionPlan, and for the built-in library (no owner) a user of
/// the root organisation; for an org-owned checklist a user whose scope contains the owner.
pub fn can_manage(ctx: &Ctx, owner_path: Option<&str>) -> bool {
    if !ctx.can(Permission::InspectionPlan) {
        return false;
    }
    match owner_path {
        Some(p) => ctx.in_scope(p),
        None => match &ctx.actor {
            // A root path is "/<id>/": two slashes.
            crate::Actor::User(u) => u.scope_path.matches('/').count() == 2,
            crate::Actor::System(_) => true,
            crate::Actor::Anonymous => false,
        },
    }
}

#[derive(Debug, Clone, Default)]
pub struct ChecklistFilter {
    pub category: Option<String>,
    pub keyword: Option<String>,
    pub include_inactive: bool,
}

pub(crate) fn row_head() -> String {
    format!(
        "SELECT {COLS}, o.name AS owner_name, o.path AS owner_path, \
         (SELECT COUNT(*) FROM checklist_item i WHERE i.checklist_id = c.id AND i.active = TRUE) AS item_count"
    )
}

fn filtered(ctx: &Ctx, f: &ChecklistFilter, head: &str) -> Q {
    let mut q = visible(ctx, head);
    if let Some(cat) = f
        .category
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        q.push(" AND c.category = ").push_arg(cat);
    }
    q.push_keyword(f.keyword.as_deref(), &["c.name", "c.description"]);
    if !f.include_inactive {
        q.push(" AND c.active = ").push_arg(true);
    }
    q
}

/// The checklists the caller can see, the built-in library first.
pub async fn list(
    db: &Db,
    ctx: &Ctx,
    f: &ChecklistFilter,
    page: crate::PageReq,
) -> Result<crate::Page<ChecklistRow>> {
    ctx.require(Permission::InspectionView)?;
    fields::paged(
        db,
        &filtered(ctx, f, "SELECT COUNT(*)"),
        filtered(ctx, f, &row_head()),
        "c.builtin DESC, c.category, c.name, c.id",
        page,
    )
    .await
}

/// The categories in use, for the list's filter.
pub async fn categories(db: &Db, ctx: &Ctx) -> Result<Vec<String>> {
    ctx.require(Permission::InspectionView)?;
    let mut q = visible(ctx, "SELECT DISTINCT c.category");
    q.push(" AND c.category <> '' ORDER BY c.category");
    let rows: Vec<(String,)> = db.fetch_all(&q).await?;
    Ok(rows.into_iter().map(|(c,)| c).collect())
}

/// One checklist the caller can see (active or not); NotFound otherwise.
pub async fn get(db: &Db, ctx: &Ctx, id: i64) -> Result<ChecklistRow> {
    ctx.require(Permission::InspectionView)?;
    let mut q = visible(ctx, &row_head());
    q.push(" AND c.id = ").push_arg(id);
    db.fetch_one(&q).await
}

/// The items of a visible checklist in order, deactivated ones too when asked (the library page
/// shows them greyed so they can be reactivated).
pub async fn items(
    db: &Db,
    ctx: &Ctx,
    checklist_id: i64,
    include_inactive: bool,
) -> Result<Vec<ChecklistItem>> {
    get(db, ctx, checklist_id).await?;
    let mut q = Q::new(&format!(
        "SELECT {ITEM_COLS} FROM checklist_item WHERE checklist_id = $1"
    ))
    .bind(checklist_id);
    if !include_inactive {
        q.push(" AND active = ").push_arg(true);
    }
    q.push(" ORDER BY position, id");
    db.fetch_all(&q).await
}
