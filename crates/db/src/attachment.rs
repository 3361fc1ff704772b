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

/// The longest file name kept, in characters (a longer one keeps its extension).
const NAME_MAX: usize = 100;

/// A client's file name made safe to store, show and offer as a download name: only its last
/// path component (a name is never a path here), without control, bidirectional-override or
/// zero-width characters (which make `invoice\u{202E}fdp.exe` read as `invoiceexe.pdf`), without
/// leading dots, at most `NAME_MAX` characters; "附件" when nothing is left.
pub fn neutral_name(raw: &str) -> String {
    let last = raw
        .rsplit(['/', '\\'])
        .find(|s| !s.trim().is_empty())
        .unwrap_or("");
    let clean: String = last
        .chars()
        .filter(|c| {
            !(c.is_control()
                || matches!(c, '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
                    | '\u{2060}'..='\u{2069}' | '\u{FEFF}'))
        })
        .collect();
    let clean = clean.trim().trim_start_matches('.').trim();
    if clean.is_empty() {
        return "附件".to_string();
    }
    if clean.chars().count() <= NAME_MAX {
        return clean.to_string();
    }
    let ext = clean
        .rsplit_once('.')
        .map(|(_, e)| e)
        .filter(|e| !e.is_empty() && e.chars().count() <= 10)
        .map(|e| format!(".{e}"))
        .unwrap_or_default();
    let stem: String = clean.chars().take(NAME_MAX - ext.chars().count()).collect();
    format!("{stem}{ext}")
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
            .bind(neutral_name(&a.original_name))
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

#[cfg(test)]
mod tests {
    use super::neutral_name;

    #[test]
    fn names_lose_paths_controls_and_overrides() {
        assert_eq!(neutral_name("../../etc/passwd"), "passwd");
        assert_eq!(neutral_name("..\\..\\x.pdf"), "x.pdf");
        assert_eq!(neutral_name("C:\\dir\\现场照片.jpg"), "现场照片.jpg");
        assert_eq!(neutral_name("report\u{202E}fdp.exe"), "reportfdp.exe");
        assert_eq!(neutral_name("a\tb\u{0085}c\0.pdf"), "abc.pdf");
        assert_eq!(neutral_name(".."), "附件");
        assert_eq!(neutral_name(".htaccess"), "htaccess");
        assert_eq!(neutral_name("  "), "附件");
        let long = neutral_name(&("名".repeat(300) + ".docx"));
        assert_eq!(long.chars().count(), 100);
        assert!(long.ends_with(".docx"));
    }
}
