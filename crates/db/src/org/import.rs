//! Importing organisations from a spreadsheet: all rows checked in one transaction, all or nothing.

use serde::{Deserialize, Serialize};

use anjian_domain::role::Permission;

use super::{create_in_tx, Org, OrgInput};
use crate::audit::{self, Change};
use crate::error::{DbError, FieldErrors, Result};
use crate::query::{Db, Q};
use crate::Ctx;

/// One row of an import: the parent named by id or exact name (of an existing node in scope or
/// of a row earlier in the same file).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ImportRow {
    /// Line in the source file, for messages.
    pub line: usize,
    pub parent: String,
    pub input: OrgInput,
}

/// Imports rows all-or-nothing: every row is checked, and unless all pass nothing is written.
/// With `commit` false it is a dry run (the preview): the same checks, then a rollback.
/// Returns the created nodes, or the errors of each failing row.
pub async fn import(
    db: &Db,
    ctx: &Ctx,
    rows: &[ImportRow],
    commit: bool,
) -> Result<std::result::Result<Vec<Org>, Vec<(usize, FieldErrors)>>> {
    ctx.require(Permission::OrgManage)?;
    let mut tx = db.begin().await?;
    let mut created: Vec<Org> = Vec::new();
    let mut failures = Vec::new();
    for row in rows {
        let mut input = row.input.clone();
        let parent = row.parent.trim();
        let resolved = if parent.is_empty() {
            Err(DbError::invalid(
                "parent_id",
                "请填写上级组织（编号或名称）",
            ))
        } else if let Some(o) = created.iter().rev().find(|o| o.name == parent) {
            Ok(o.id)
        } else if let Ok(id) = parent.parse::<i64>() {
            Ok(id)
        } else {
            let found: Vec<(i64,)> = tx
                .fetch_all(
                    &Q::new("SELECT id FROM org WHERE name = $1 AND path LIKE $2")
                        .bind(parent)
                        .bind(ctx.scope_like()),
                )
                .await?;
            match found.len() {
                1 => Ok(found[0].0),
                0 => Err(DbError::invalid(
                    "parent_id",
                    format!("上级组织“{parent}”不存在"),
                )),
                n => Err(DbError::invalid(
                    "parent_id",
                    format!("有{n}个组织名为“{parent}”，请改填编号"),
                )),
            }
        };
        let result = match resolved {
            Ok(pid) => {
                input.parent_id = Some(pid);
                create_in_tx(&mut tx, ctx, &input).await
            }
            Err(e) => Err(e),
        };
        match result {
            Ok(o) => created.push(o),
            Err(DbError::Invalid(f)) => failures.push((row.line, f)),
            Err(DbError::Conflict(m)) => failures.push((row.line, FieldErrors::single("name", m))),
            Err(e) => return Err(e),
        }
    }
    if !failures.is_empty() {
        // Dropping the transaction rolls back the rows that did pass.
        return Ok(Err(failures));
    }
    if !commit {
        return Ok(Ok(created));
    }
    audit::record(
        &mut tx,
        ctx,
        Change::new("org", "", "import").after(serde_json::json!({"rows": created.len()})),
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(created))
}
