//! The attachments of a ledger entry (invoices, sign-in sheets, photos, scans): linking uploads
//! to an entry and taking a wrong one off again. Taking one off only unlinks it: the stored
//! file and its upload record stay, and the audit entry names it, so what was once evidence can
//! still be traced.

use anjian_domain::role::Permission;

use super::entry::{by_id, Entry};
use super::input::NewEntry;
use super::write::check_refs;
use crate::audit::{self, Change};
use crate::error::{DbError, Result};
use crate::query::{Db, Tx, Q};
use crate::Ctx;

/// Links uploads to an entry inside the caller's transaction; ids already linked are skipped.
pub(super) async fn link(tx: &mut Tx, id: i64, ids: &[i64]) -> Result<()> {
    for a in ids {
        let there: Option<(i64,)> = tx
            .fetch_optional(
                &Q::new("SELECT entry_id FROM ledger_attachment WHERE entry_id = $1 AND attachment_id = $2")
                    .bind(id)
                    .bind(*a),
            )
            .await?;
        if there.is_none() {
            tx.execute(
                &Q::new("INSERT INTO ledger_attachment (entry_id, attachment_id, created_at) VALUES ($1, $2, $3)")
                    .bind(id)
                    .bind(*a)
                    .bind(crate::now()),
            )
            .await?;
        }
    }
    Ok(())
}

/// Adds uploaded attachments to an existing entry.
pub async fn add_attachments(db: &Db, ctx: &Ctx, id: i64, ids: &[i64]) -> Result<()> {
    ctx.require(Permission::LedgerRecord)?;
    let mut tx = db.begin().await?;
    let entry: Entry = tx.fetch_one(&by_id(Some(ctx), id)).await?;
    let probe = NewEntry {
        org_id: entry.org_id,
        attachment_ids: ids.to_vec(),
        ..Default::default()
    };
    check_refs(&mut tx, ctx, &probe).await?;
    link(&mut tx, id, ids).await?;
    audit::record(
        &mut tx,
        ctx,
        Change::new("ledger_entry", id, "attach")
            .org(Some(entry.org_id))
            .after(serde_json::json!({ "attachment_ids": ids })),
    )
    .await?;
    tx.commit().await
}

/// Takes an attachment off an entry (a wrong invoice, a blurred photo). The entry must be in the
/// caller's scope and the attachment linked to it; otherwise it reads as not found.
pub async fn remove_attachment(db: &Db, ctx: &Ctx, id: i64, attachment_id: i64) -> Result<()> {
    ctx.require(Permission::LedgerRecord)?;
    let mut tx = db.begin().await?;
    let entry: Entry = tx.fetch_one(&by_id(Some(ctx), id)).await?;
    let name: Option<(String,)> = tx
        .fetch_optional(
            &Q::new(
                "SELECT a.original_name FROM ledger_attachment l JOIN attachment a ON a.id = l.attachment_id \
                 WHERE l.entry_id = $1 AND l.attachment_id = $2",
            )
            .bind(id)
            .bind(attachment_id),
        )
        .await?;
    let Some((original_name,)) = name else {
        return Err(DbError::NotFound);
    };
    tx.execute(
        &Q::new("DELETE FROM ledger_attachment WHERE entry_id = $1 AND attachment_id = $2")
            .bind(id)
            .bind(attachment_id),
    )
    .await?;
    audit::record(
        &mut tx,
        ctx,
        Change::new("ledger_entry", id, "detach")
            .org(Some(entry.org_id))
            .before(serde_json::json!({
                "attachment_id": attachment_id,
                "original_name": original_name,
            })),
    )
    .await?;
    tx.commit().await
}
