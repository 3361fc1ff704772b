//! Attachment metadata. The bytes live in the object store (web layer, opendal) under their
//! SHA-256; this table says who uploaded what for which organisation.

use chrono::{DateTime, Utc};
use serde::Serialize;

use anjian_domain::role::Permission;

use crate::audit::{self, Change};
use crate::error::{DbError, Result};
use crate::query::{Db, Q};
use crate::Ctx;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Attachment {
    pub id: i64,
    pub org_id: i64,
    pub sha256: String,
    pub size_bytes: i64,
    pub mime: String,
    pub original_name: String,
    pub has_thumb: bool,
    pub uploaded_by: Option<i64>,
    pub created_at: DateTime<Utc>,
}

const COLS: &str =
    "a.id, a.org_id, a.sha256, a.size_bytes, a.mime, a.original_name, a.has_thumb, a.uploaded_by, \
                    a.created_at";

pub struct NewAttachment {
    pub org_id: i64,
    pub sha256: String,
    pub size_bytes: i64,
    pub mime: String,
    pub original_name: String,
    pub has_thumb: bool,
}

/// Checks that the caller may attach files to this organisation (in scope, active).
pub async fn check_target(db: &Db, ctx: &Ctx, org_id: i64) -> Result<()> {
    ctx.require(Permission::AttachmentUpload)?;
    let in_scope: Option<(i64,)> = db
        .fetch_optional(
            &Q::new("SELECT id FROM org WHERE id = $1 AND path LIKE $2 AND active = $3")
                .bind(org_id)
                .bind(ctx.scope_like())
                .bind(true),
        )
        .await?;
    match in_scope {
        Some(_) => Ok(()),
        None => Err(DbError::invalid("org_id", "所属组织不存在")),
    }
}

pub async fn create(db: &Db, ctx: &Ctx, a: NewAttachment) -> Result<Attachment> {
    ctx.require(Permission::AttachmentUpload)?;
    let mut tx = db.begin().await?;
    let in_scope: Option<(i64,)> = tx
        .fetch_optional(
            &Q::new("SELECT id FROM org WHERE id = $1 AND path LIKE $2 AND active = $3")
                .bind(a.org_id)
                .bind(ctx.scope_like())
                .bind(true),
        )
        .await?;
    if in_scope.is_none() {
        return Err(DbError::invalid("org_id", "所属组织不存在"));
    }
    let att: Attachment = tx
        .fetch_one(
            &Q::new(
                "INSERT INTO attachment (org_id, sha256, size_bytes, mime, original_name, has_thumb, uploaded_by, \
                 created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id, org_id, sha256, size_bytes, mime, \
                 original_name, has_thumb, uploaded_by, created_at",
            )
            .bind(a.org_id)
            .bind(a.sha256)
            .bind(a.size_bytes)
            .bind(a.mime)
            .bind(a.original_name)
            .bind(a.has_thumb)
            .bind(ctx.user_id())
            .bind(crate::now()),
        )
        .await?;
    audit::record(
        &mut tx,
        ctx,
        Change::new("attachment", att.id, "create")
            .org(Some(att.org_id))
            .after(&att),
    )
    .await?;
    tx.commit().await?;
    Ok(att)
}

/// An attachment whose organisation is in the caller's scope, else NotFound.
pub async fn get(db: &Db, ctx: &Ctx, id: i64) -> Result<Attachment> {
    ctx.require(Permission::AttachmentView)?;
    db.fetch_one(
        &Q::new(&format!(
            "SELECT {COLS} FROM attachment a JOIN org o ON o.id = a.org_id \
             WHERE a.id = $1 AND a.deleted_at IS NULL AND o.path LIKE $2"
        ))
        .bind(id)
        .bind(ctx.scope_like()),
    )
    .await
}
