//! Organisations: the tree every record hangs on and the boundary of every user's scope.

pub mod filter;
mod import;
mod list;

pub use import::{import, ImportRow};
pub use list::{all_in_scope, list, OrgFilter};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use anjian_domain::org::{check_placement, child_path, OrgKind, PlacementError};
use anjian_domain::role::Permission;
use anjian_domain::uscc::Uscc;

use crate::audit::{self, Change};
use crate::error::{DbError, FieldErrors, Result};
use crate::query::{Db, Tx, Q};
use crate::Ctx;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Org {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub kind: String,
    pub name: String,
    pub uscc: Option<String>,
    pub address: String,
    pub principal: String,
    pub contact_person: String,
    pub contact_phone: String,
    pub sort_order: i64,
    pub active: bool,
    pub path: String,
    /// Optimistic concurrency: an edit names the version it read and is refused when it changed.
    pub row_version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Org {
    pub fn kind(&self) -> OrgKind {
        // The column has a CHECK constraint, so an unknown code cannot be stored.
        OrgKind::from_code(&self.kind).unwrap_or(OrgKind::Site)
    }
    pub fn kind_label(&self) -> &'static str {
        self.kind().label()
    }
    /// Depth in the tree, 0 for the bureau.
    pub fn depth(&self) -> usize {
        self.path.matches('/').count().saturating_sub(2)
    }
}

const COLS: &str =
    "id, parent_id, kind, name, uscc, address, principal, contact_person, contact_phone, \
                    sort_order, active, path, row_version, created_at, updated_at";

/// What a form or API request sends; parsed into `ValidOrg` with per-field Chinese errors.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct OrgInput {
    pub kind: String,
    pub parent_id: Option<i64>,
    pub name: String,
    #[serde(default)]
    pub uscc: Option<String>,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub principal: String,
    #[serde(default)]
    pub contact_person: String,
    #[serde(default)]
    pub contact_phone: String,
    #[serde(default)]
    pub sort_order: i64,
}

#[derive(Debug, Clone)]
pub struct ValidOrg {
    pub kind: OrgKind,
    pub name: String,
    pub uscc: Option<Uscc>,
    pub address: String,
    pub principal: String,
    pub contact_person: String,
    pub contact_phone: String,
    pub sort_order: i64,
}

fn text(
    errs: &mut FieldErrors,
    field: &str,
    label: &str,
    v: &str,
    required: bool,
    max: usize,
) -> String {
    let v = v.trim();
    if required && v.is_empty() {
        errs.add(field, format!("{label}不能为空"));
    } else if v.chars().count() > max {
        errs.add(field, format!("{label}不能超过{max}个字"));
    }
    v.to_string()
}

impl OrgInput {
    pub fn parse(&self) -> Result<ValidOrg> {
        let mut errs = FieldErrors::new();
        let kind = OrgKind::from_code(self.kind.trim());
        if kind.is_none() {
            errs.add("kind", "组织类型无效，应为 局、单位 或 库点");
        }
        let name = text(&mut errs, "name", "名称", &self.name, true, 100);
        let raw_uscc = self
            .uscc
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let uscc = match raw_uscc.map(Uscc::parse) {
            None => {
                if kind.is_some_and(|k| k.requires_uscc()) {
                    errs.add("uscc", "单位必须填写统一社会信用代码");
                }
                None
            }
            Some(Ok(u)) => Some(u),
            Some(Err(e)) => {
                errs.add("uscc", e.to_string());
                None
            }
        };
        let address = text(&mut errs, "address", "地址", &self.address, false, 200);
        let principal = text(
            &mut errs,
            "principal",
            "主要负责人",
            &self.principal,
            false,
            50,
        );
        let contact_person = text(
            &mut errs,
            "contact_person",
            "联系人",
            &self.contact_person,
            false,
            50,
        );
        let contact_phone = text(
            &mut errs,
            "contact_phone",
            "联系电话",
            &self.contact_phone,
            false,
            30,
        );
        if !contact_phone
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | ' ' | '(' | ')'))
        {
            errs.add("contact_phone", "联系电话只能包含数字、空格和 - + ( )");
        }
        if !(-1_000_000..=1_000_000).contains(&self.sort_order) {
            errs.add("sort_order", "排序号应在 -1000000 到 1000000 之间");
        }
        errs.into_result()?;
        Ok(ValidOrg {
            kind: kind.unwrap_or(OrgKind::Site),
            name,
            uscc,
            address,
            principal,
            contact_person,
            contact_phone,
            sort_order: self.sort_order,
        })
    }
}

/// One node, or NotFound when it is absent or outside the caller's scope.
pub async fn get(db: &Db, ctx: &Ctx, id: i64) -> Result<Org> {
    ctx.require(Permission::OrgView)?;
    get_scoped(db, ctx, id).await
}

/// Scope check without the view permission: other modules use it to check that an org id a
/// client sent is one the caller may write to.
pub async fn get_scoped(db: &Db, ctx: &Ctx, id: i64) -> Result<Org> {
    db.fetch_one(
        &Q::new(&format!(
            "SELECT {COLS} FROM org WHERE id = $1 AND path LIKE $2"
        ))
        .bind(id)
        .bind(ctx.scope_like()),
    )
    .await
}

async fn get_in_tx(tx: &mut Tx, ctx: &Ctx, id: i64) -> Result<Org> {
    tx.fetch_one(
        &Q::new(&format!(
            "SELECT {COLS} FROM org WHERE id = $1 AND path LIKE $2"
        ))
        .bind(id)
        .bind(ctx.scope_like()),
    )
    .await
}

/// Finds a node by id or exact name, for the command line (`--org 3` or `--org 某某粮库`).
pub async fn find(db: &Db, ctx: &Ctx, id_or_name: &str) -> Result<Org> {
    if let Ok(id) = id_or_name.trim().parse::<i64>() {
        return get(db, ctx, id).await;
    }
    let rows: Vec<Org> = db
        .fetch_all(
            &Q::new(&format!(
                "SELECT {COLS} FROM org WHERE name = $1 AND path LIKE $2"
            ))
            .bind(id_or_name.trim())
            .bind(ctx.scope_like()),
        )
        .await?;
    match rows.len() {
        0 => Err(DbError::NotFound),
        1 => Ok(rows.into_iter().next().ok_or(DbError::NotFound)?),
        n => Err(DbError::Conflict(format!(
            "有{n}个组织名为“{}”，请改用编号",
            id_or_name.trim()
        ))),
    }
}

/// The end of every change to an existing node: reload it, audit before and after in the same
/// transaction, commit.
async fn commit_change(mut tx: Tx, ctx: &Ctx, id: i64, action: &str, before: &Org) -> Result<Org> {
    let after: Org = tx
        .fetch_one(&Q::new(&format!("SELECT {COLS} FROM org WHERE id = $1")).bind(id))
        .await?;
    audit::record(
        &mut tx,
        ctx,
        Change::new("org", id, action)
            .org(Some(id))
            .before(before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// A parent the caller may place nodes under; an unknown or out-of-scope id is a field error.
async fn parent_in_scope(tx: &mut Tx, ctx: &Ctx, id: i64) -> Result<Org> {
    get_in_tx(tx, ctx, id).await.map_err(|e| match e {
        DbError::NotFound => DbError::invalid("parent_id", "上级组织不存在"),
        e => e,
    })
}

fn placement_error(e: PlacementError) -> DbError {
    DbError::invalid("parent_id", e.to_string())
}

async fn check_uscc_free(tx: &mut Tx, uscc: &Option<Uscc>, except: Option<i64>) -> Result<()> {
    if let Some(u) = uscc {
        let other: Option<(i64,)> = tx
            .fetch_optional(
                &Q::new("SELECT id FROM org WHERE uscc = $1 AND id <> $2")
                    .bind(u.as_str())
                    .bind(except.unwrap_or(0)),
            )
            .await?;
        if other.is_some() {
            return Err(DbError::invalid(
                "uscc",
                "该统一社会信用代码已被其他组织使用",
            ));
        }
    }
    Ok(())
}

pub async fn create(db: &Db, ctx: &Ctx, input: &OrgInput) -> Result<Org> {
    ctx.require(Permission::OrgManage)?;
    let mut tx = db.begin().await?;
    let org = create_in_tx(&mut tx, ctx, input).await?;
    tx.commit().await?;
    Ok(org)
}

/// Creates a node inside the caller's transaction (imports create many in one).
pub(super) async fn create_in_tx(tx: &mut Tx, ctx: &Ctx, input: &OrgInput) -> Result<Org> {
    let v = input.parse()?;
    let parent = match input.parent_id {
        Some(pid) => Some(parent_in_scope(tx, ctx, pid).await?),
        None => {
            // Only the command line may create a new root: a signed-in user always works below
            // their own node.
            if ctx.user_ctx().is_some() {
                return Err(DbError::invalid("parent_id", "请选择上级组织"));
            }
            None
        }
    };
    check_placement(v.kind, parent.as_ref().map(Org::kind)).map_err(placement_error)?;
    if parent.as_ref().is_some_and(|p| !p.active) {
        return Err(placement_error(PlacementError::ParentInactive));
    }
    check_uscc_free(tx, &v.uscc, None).await?;
    let now = crate::now();
    // The path needs the id, so insert with a placeholder path unique to this row, then fix it.
    let temp_path = format!("pending:{}", hex::encode(rand::random::<[u8; 8]>()));
    let (id,): (i64,) = tx
        .fetch_one(
            &Q::new(
                "INSERT INTO org (parent_id, kind, name, uscc, address, principal, contact_person, contact_phone, \
                 sort_order, active, path, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
            )
            .bind(input.parent_id)
            .bind(v.kind.code())
            .bind(v.name)
            .bind(v.uscc.as_ref().map(|u| u.as_str().to_string()))
            .bind(v.address)
            .bind(v.principal)
            .bind(v.contact_person)
            .bind(v.contact_phone)
            .bind(v.sort_order)
            .bind(true)
            .bind(temp_path)
            .bind(now),
        )
        .await
        .map_err(|e| match e {
            DbError::Sqlx(e) => DbError::unique_or(e, "该统一社会信用代码已被其他组织使用"),
            e => e,
        })?;
    let path = child_path(parent.as_ref().map(|p| p.path.as_str()), id);
    tx.execute(
        &Q::new("UPDATE org SET path = $1 WHERE id = $2")
            .bind(path)
            .bind(id),
    )
    .await?;
    let org: Org = tx
        .fetch_one(&Q::new(&format!("SELECT {COLS} FROM org WHERE id = $1")).bind(id))
        .await?;
    audit::record(
        tx,
        ctx,
        Change::new("org", id, "create").org(Some(id)).after(&org),
    )
    .await?;
    Ok(org)
}

/// The conflict every stale organisation form gets (the wording of the other modules).
fn stale() -> DbError {
    DbError::Conflict("记录已被他人修改，请刷新后重试".into())
}

/// Edits the fields of a node. Kind changes must still fit the tree (parent and children).
/// `row_version` is the version the form or API client read; when the node changed since (an
/// edit, a move, (de)activation) nothing is written and the caller gets the stale conflict.
pub async fn update(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    row_version: i64,
    input: &OrgInput,
) -> Result<Org> {
    ctx.require(Permission::OrgManage)?;
    let v = input.parse()?;
    let mut tx = db.begin().await?;
    let before = get_in_tx(&mut tx, ctx, id).await?;
    if v.kind != before.kind() {
        let parent_kind = match before.parent_id {
            Some(p) => {
                let (k,): (String,) = tx
                    .fetch_one(&Q::new("SELECT kind FROM org WHERE id = $1").bind(p))
                    .await?;
                OrgKind::from_code(&k)
            }
            None => None,
        };
        check_placement(v.kind, parent_kind)
            .map_err(|e| DbError::invalid("kind", e.to_string()))?;
        let kids: Vec<(String,)> = tx
            .fetch_all(&Q::new("SELECT DISTINCT kind FROM org WHERE parent_id = $1").bind(id))
            .await?;
        for (k,) in kids {
            if let Some(k) = OrgKind::from_code(&k) {
                check_placement(k, Some(v.kind))
                    .map_err(|e| DbError::invalid("kind", e.to_string()))?;
            }
        }
    }
    check_uscc_free(&mut tx, &v.uscc, Some(id)).await?;
    let n = tx
        .execute(
            &Q::new(
                "UPDATE org SET kind = $1, name = $2, uscc = $3, address = $4, principal = $5, contact_person = $6, \
                 contact_phone = $7, sort_order = $8, row_version = row_version + 1, updated_at = $9 \
                 WHERE id = $10 AND row_version = $11",
            )
        .bind(v.kind.code())
        .bind(v.name)
        .bind(v.uscc.as_ref().map(|u| u.as_str().to_string()))
        .bind(v.address)
        .bind(v.principal)
        .bind(v.contact_person)
        .bind(v.contact_phone)
            .bind(v.sort_order)
            .bind(crate::now())
            .bind(id)
            .bind(row_version),
        )
        .await?;
    if n == 0 {
        return Err(stale());
    }
    commit_change(tx, ctx, id, "update", &before).await
}

/// Moves a node (and everything below it, with all their records) under a new parent.
pub async fn move_to(db: &Db, ctx: &Ctx, id: i64, new_parent_id: i64) -> Result<Org> {
    ctx.require(Permission::OrgManage)?;
    let mut tx = db.begin().await?;
    let before = get_in_tx(&mut tx, ctx, id).await?;
    if before.path == ctx.scope_path() {
        return Err(DbError::invalid("parent_id", "不能移动您所属的组织本身"));
    }
    let parent = parent_in_scope(&mut tx, ctx, new_parent_id).await?;
    if parent.path.starts_with(&before.path) {
        return Err(placement_error(PlacementError::Cycle));
    }
    check_placement(before.kind(), Some(parent.kind())).map_err(placement_error)?;
    if !parent.active {
        return Err(placement_error(PlacementError::ParentInactive));
    }
    let new_path = child_path(Some(&parent.path), id);
    let old_len = before.path.chars().count() as i64;
    // Rewrite the prefix of the whole subtree in one statement: records reference org ids, so
    // they follow their node without being touched.
    tx.execute(
        &Q::new("UPDATE org SET path = $1 || substr(path, CAST($2 AS INTEGER)) WHERE path LIKE $3")
            .bind(new_path)
            .bind(old_len + 1)
            .bind(format!("{}%", before.path)),
    )
    .await?;
    tx.execute(
        &Q::new(
            "UPDATE org SET parent_id = $1, row_version = row_version + 1, updated_at = $2 WHERE id = $3",
        )
            .bind(new_parent_id)
            .bind(crate::now())
            .bind(id),
    )
    .await?;
    commit_change(tx, ctx, id, "move", &before).await
}

/// Deactivates (or reactivates) a node. Nodes are never deleted: records keep pointing at them.
pub async fn set_active(db: &Db, ctx: &Ctx, id: i64, active: bool) -> Result<Org> {
    ctx.require(Permission::OrgManage)?;
    let mut tx = db.begin().await?;
    let before = get_in_tx(&mut tx, ctx, id).await?;
    if before.path == ctx.scope_path() {
        return Err(DbError::Conflict("不能停用或启用您所属的组织本身".into()));
    }
    if !active {
        let (kids,): (i64,) = tx
            .fetch_one(
                &Q::new("SELECT COUNT(*) FROM org WHERE parent_id = $1 AND active = $2")
                    .bind(id)
                    .bind(true),
            )
            .await?;
        if kids > 0 {
            return Err(DbError::Conflict(format!(
                "该组织下还有{kids}个启用的下级组织，请先停用下级组织"
            )));
        }
    } else if let Some(pid) = before.parent_id {
        let (parent_active,): (bool,) = tx
            .fetch_one(&Q::new("SELECT active FROM org WHERE id = $1").bind(pid))
            .await?;
        if !parent_active {
            return Err(DbError::Conflict("上级组织已停用，请先启用上级组织".into()));
        }
    }
    tx.execute(
        &Q::new(
            "UPDATE org SET active = $1, row_version = row_version + 1, updated_at = $2 WHERE id = $3",
        )
            .bind(active)
            .bind(crate::now())
            .bind(id),
    )
    .await?;
    let action = if active { "activate" } else { "deactivate" };
    commit_change(tx, ctx, id, action, &before).await
}

/// Number of organisations (all, unscoped): the first start uses it to know the database is new.
pub async fn count_all(db: &Db) -> Result<i64> {
    let (n,): (i64,) = db.fetch_one(&Q::new("SELECT COUNT(*) FROM org")).await?;
    Ok(n)
}

/// The direct children of a node in scope, in sibling order.
pub async fn children(db: &Db, ctx: &Ctx, id: i64) -> Result<Vec<Org>> {
    ctx.require(Permission::OrgView)?;
    db.fetch_all(
        &Q::new(&format!(
            "SELECT {COLS} FROM org WHERE parent_id = $1 AND path LIKE $2 ORDER BY active DESC, sort_order, name"
        ))
        .bind(id)
        .bind(ctx.scope_like()),
    )
    .await
}
