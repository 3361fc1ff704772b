//! Creating, editing and deactivating checklists. Built-in checklists are maintained by the root
//! bureau; org-owned ones by users whose scope contains the owner.

use serde::{Deserialize, Serialize};

use anjian_domain::role::Permission;

use super::{can_manage, row_head, stale, text_field, visible, Checklist, ChecklistRow, COLS};
use crate::audit::{self, Change};
use crate::error::{DbError, FieldErrors, Result};
use crate::query::{Db, Tx, Q};
use crate::Ctx;

/// What a form or API request sends for a checklist.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ChecklistInput {
    pub name: String,
    pub category: String,
    pub description: String,
    pub source: String,
    /// Editing only: false deactivates, true reactivates, None leaves it.
    pub active: Option<bool>,
}

#[derive(Debug, Clone)]
struct Valid {
    name: String,
    category: String,
    description: String,
    source: String,
}

impl ChecklistInput {
    fn parse(&self) -> Result<Valid> {
        let mut errs = FieldErrors::new();
        let v = Valid {
            name: text_field(&mut errs, "name", "检查表名称", &self.name, true, 100),
            category: text_field(&mut errs, "category", "类别", &self.category, true, 50),
            description: text_field(
                &mut errs,
                "description",
                "说明",
                &self.description,
                false,
                1000,
            ),
            source: text_field(&mut errs, "source", "来源依据", &self.source, false, 300),
        };
        errs.into_result()?;
        Ok(v)
    }
}

/// Loads a checklist for a change: NotFound when the caller cannot see it, Forbidden when they can
/// see but not maintain it (a unit looking at the bureau's library).
pub(super) async fn load_managed(tx: &mut Tx, ctx: &Ctx, id: i64) -> Result<ChecklistRow> {
    ctx.require(Permission::InspectionPlan)?;
    let mut q = visible(ctx, &row_head());
    q.push(" AND c.id = ").push_arg(id);
    let row: ChecklistRow = tx.fetch_one(&q).await?;
    if !can_manage(ctx, row.owner_path.as_deref()) {
        return Err(DbError::Forbidden);
    }
    Ok(row)
}

async fn name_free(tx: &mut Tx, name: &str, except: i64) -> Result<()> {
    let other: Option<(i64,)> = tx
        .fetch_optional(
            &Q::new("SELECT id FROM checklist WHERE name = $1 AND id <> $2")
                .bind(name)
                .bind(except),
        )
        .await?;
    match other {
        Some(_) => Err(DbError::invalid("name", "已有同名检查表，请换一个名称")),
        None => Ok(()),
    }
}

fn unique_name(e: DbError) -> DbError {
    match e {
        DbError::Sqlx(e) => match DbError::unique_or(e, "") {
            DbError::Conflict(_) => DbError::invalid("name", "已有同名检查表，请换一个名称"),
            e => e,
        },
        e => e,
    }
}

async fn reload(tx: &mut Tx, id: i64) -> Result<Checklist> {
    tx.fetch_one(&Q::new(&format!("SELECT {COLS} FROM checklist c WHERE c.id = $1")).bind(id))
        .await
}

/// Creates a checklist owned by the caller's organisation (the command line creates built-in
/// ones).
pub async fn create(db: &Db, ctx: &Ctx, input: &ChecklistInput) -> Result<Checklist> {
    ctx.require(Permission::InspectionPlan)?;
    let v = input.parse()?;
    let mut tx = db.begin().await?;
    name_free(&mut tx, &v.name, 0).await?;
    let now = crate::now();
    let owner = ctx.org_id();
    let (id,): (i64,) = tx
        .fetch_one(
            &Q::new(
                "INSERT INTO checklist (org_id, name, category, description, source, builtin, active, \
                 row_version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8) RETURNING id",
            )
            .bind(owner)
            .bind(v.name)
            .bind(v.category)
            .bind(v.description)
            .bind(v.source)
            .bind(owner.is_none())
            .bind(true)
            .bind(now),
        )
        .await
        .map_err(unique_name)?;
    let after = reload(&mut tx, id).await?;
    audit::record(
        &mut tx,
        ctx,
        Change::new("checklist", id, "create")
            .org(owner)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Edits the fields of a checklist the caller maintains, refusing a stale `row_version`.
pub async fn update(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    input: &ChecklistInput,
    row_version: i64,
) -> Result<Checklist> {
    let mut tx = db.begin().await?;
    let before = load_managed(&mut tx, ctx, id).await?;
    let v = input.parse()?;
    name_free(&mut tx, &v.name, id).await?;
    let n = tx
        .execute(
            &Q::new(
                "UPDATE checklist SET name = $1, category = $2, description = $3, source = $4, active = $8, \
                 row_version = row_version + 1, updated_at = $5 WHERE id = $6 AND row_version = $7",
            )
            .bind(v.name)
            .bind(v.category)
            .bind(v.description)
            .bind(v.source)
            .bind(crate::now())
            .bind(id)
            .bind(row_version)
            .bind(input.active.unwrap_or(before.checklist.active)),
        )
        .await
        .map_err(unique_name)?;
    if n == 0 {
        return Err(stale());
    }
    commit(tx, ctx, id, "update", &before.checklist).await
}

/// Deactivates (or reactivates) a checklist: it is no longer offered for new inspections, and
/// inspections that used it keep their snapshot.
pub async fn set_active(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    active: bool,
    row_version: i64,
) -> Result<Checklist> {
    let mut tx = db.begin().await?;
    let before = load_managed(&mut tx, ctx, id).await?;
    super::fields::set_active_row(&mut tx, "checklist", id, active, row_version).await?;
    let action = if active { "activate" } else { "deactivate" };
    commit(tx, ctx, id, action, &before.checklist).await
}

async fn commit(
    mut tx: Tx,
    ctx: &Ctx,
    id: i64,
    action: &str,
    before: &Checklist,
) -> Result<Checklist> {
    let after = reload(&mut tx, id).await?;
    audit::record(
        &mut tx,
        ctx,
        Change::new("checklist", id, action)
            .org(after.org_id)
            .before(before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Bumps the checklist's version for a change to its items: the checklist and its items are
/// edited as one record, so a stale item form or a reorder from an old page is refused.
pub(super) async fn bump(tx: &mut Tx, id: i64, row_version: i64) -> Result<()> {
    let n = tx
        .execute(
            &Q::new(
                "UPDATE checklist SET row_version = row_version + 1, updated_at = $1 \
                 WHERE id = $2 AND row_version = $3",
            )
            .bind(crate::now())
            .bind(id)
            .bind(row_version),
        )
        .await?;
    if n == 0 {
        return Err(stale());
    }
    Ok(())
}
