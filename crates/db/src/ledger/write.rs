//! Writing ledger entries: create and edit with optimistic concurrency, soft delete; the
//! entry, its items and attendees and the audit entry in one transaction.

use anjian_domain::ledger::LedgerKind;
use anjian_domain::role::Permission;

use super::entry::{by_id, get_row, Entry};
use super::input::{LedgerInput, NewEntry};
use crate::audit::{self, Change};
use crate::checklist::fields::stale;
use crate::error::{DbError, Result};
use crate::query::{Db, Tx, Q};
use crate::Ctx;

/// The organisation's path when it is active and in the caller's scope; a field error otherwise.
async fn org_path(tx: &mut Tx, ctx: &Ctx, org_id: i64) -> Result<String> {
    let row: Option<(String,)> = tx
        .fetch_optional(
            &Q::new("SELECT path FROM org WHERE id = $1 AND path LIKE $2 AND active = $3")
                .bind(org_id)
                .bind(ctx.scope_like())
                .bind(true),
        )
        .await?;
    row.map(|r| r.0)
        .ok_or_else(|| DbError::invalid("org_id", "单位不存在或不在管辖范围内"))
}

/// Checks the references of a parsed entry inside the transaction: the campaign covers the
/// unit, attendees are people of the unit, owners and attachments are in the caller's scope.
pub(super) async fn check_refs(tx: &mut Tx, ctx: &Ctx, e: &NewEntry) -> Result<()> {
    let path = org_path(tx, ctx, e.org_id).await?;
    if let Some(c) = e.campaign_id {
        crate::campaign::check_in_tx(tx, ctx, c, e.org_id).await?;
    }
    // "People of the unit": a training at a site may name anyone of the site's unit.
    let unit: Option<(String,)> = if e.attendee_user_ids.is_empty() {
        None
    } else {
        tx.fetch_optional(
            &Q::new("SELECT path FROM org WHERE kind = 'unit' AND $1 LIKE path || '%'")
                .bind(path.clone()),
        )
        .await?
    };
    let path = unit.map(|u| u.0).unwrap_or(path);
    for u in &e.attendee_user_ids {
        let ok: Option<(i64,)> = tx
            .fetch_optional(
                &Q::new("SELECT u.id FROM app_user u JOIN org o ON o.id = u.org_id WHERE u.id = $1 AND o.path LIKE $2")
                    .bind(*u)
                    .bind(format!("{path}%")),
            )
            .await?;
        if ok.is_none() {
            return Err(DbError::invalid(
                "attendee_user_ids",
                "参训人员须为本单位人员",
            ));
        }
    }
    for (i, it) in e.items.iter().enumerate() {
        if let Some(u) = it.owner_user_id {
            let ok: Option<(i64,)> = tx
                .fetch_optional(
                    &Q::new("SELECT u.id FROM app_user u JOIN org o ON o.id = u.org_id WHERE u.id = $1 AND o.path LIKE $2")
                        .bind(u)
                        .bind(ctx.scope_like()),
                )
                .await?;
            if ok.is_none() {
                return Err(DbError::invalid(
                    &format!("items[{i}]"),
                    format!("第{}项的负责人不存在或不在管辖范围内", i + 1),
                ));
            }
        }
    }
    for a in &e.attachment_ids {
        let ok: Option<(i64,)> = tx
            .fetch_optional(
                &Q::new("SELECT a.id FROM attachment a JOIN org o ON o.id = a.org_id WHERE a.id = $1 AND a.deleted_at IS NULL AND o.path LIKE $2")
                    .bind(*a)
                    .bind(ctx.scope_like()),
            )
            .await?;
        if ok.is_none() {
            return Err(DbError::invalid("attachment_ids", "附件不存在或无权使用"));
        }
    }
    Ok(())
}

/// Writes the attendees and items of an entry (replacing what was there) and links attachments.
async fn write_children(tx: &mut Tx, id: i64, e: &NewEntry) -> Result<()> {
    let now = crate::now();
    tx.execute(&Q::new("DELETE FROM ledger_attendee WHERE entry_id = $1").bind(id))
        .await?;
    for u in &e.attendee_user_ids {
        tx.execute(
            &Q::new("INSERT INTO ledger_attendee (entry_id, user_id) VALUES ($1, $2)")
                .bind(id)
                .bind(*u),
        )
        .await?;
    }
    tx.execute(&Q::new("DELETE FROM ledger_item WHERE entry_id = $1").bind(id))
        .await?;
    for (i, it) in e.items.iter().enumerate() {
        tx.execute(
            &Q::new(
                "INSERT INTO ledger_item (entry_id, position, content, owner_user_id, deadline, status, done_at, \
                 created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
            )
            .bind(id)
            .bind(i as i64 + 1)
            .bind(it.content.clone())
            .bind(it.owner_user_id)
            .bind(crate::Arg::Date(it.deadline))
            .bind(if it.done { "done" } else { "open" })
            .bind(if it.done { Some(now) } else { None })
            .bind(now),
        )
        .await?;
    }
    super::attachments::link(tx, id, &e.attachment_ids).await
}

/// The column values of an entry, in the order of `VALUE_COLS`.
fn bind_values(mut q: Q, e: &NewEntry) -> Q {
    q = q
        .bind(e.org_id)
        .bind(crate::Arg::Date(e.entry_date))
        .bind(e.year)
        .bind(e.title.clone())
        .bind(e.category.clone())
        .bind(e.description.clone())
        .bind(e.amount_fen)
        .bind(e.hours_tenths)
        .bind(e.participants)
        .bind(e.campaign_id);
    for v in [
        &e.drill_kind,
        &e.drill_form,
        &e.plan_type,
        &e.plan,
        &e.trainer,
        &e.assessment,
        &e.evaluation,
        &e.attendees,
        &e.topics,
        &e.signatories,
        &e.targets,
    ] {
        q = q.bind(v.clone());
    }
    q
}

const VALUE_COLS: [&str; 21] = [
    "org_id",
    "entry_date",
    "year",
    "title",
    "category",
    "description",
    "amount_fen",
    "hours_tenths",
    "participants",
    "campaign_id",
    "drill_kind",
    "drill_form",
    "plan_type",
    "plan",
    "trainer",
    "assessment",
    "evaluation",
    "attendees",
    "topics",
    "signatories",
    "targets",
];

/// Inserts a checked entry and its children in `tx` (no audit: the caller records it).
pub(crate) async fn insert_in_tx(
    tx: &mut Tx,
    ctx: &Ctx,
    kind: LedgerKind,
    e: &NewEntry,
) -> Result<i64> {
    let n = VALUE_COLS.len();
    let placeholders: Vec<String> = (1..=n).map(|i| format!("${i}")).collect();
    let sql = format!(
        "INSERT INTO ledger_entry ({}, kind, created_by, row_version, created_at, updated_at) \
         VALUES ({}, ${}, ${}, 1, ${}, ${}) RETURNING id",
        VALUE_COLS.join(", "),
        placeholders.join(", "),
        n + 1,
        n + 2,
        n + 3,
        n + 3,
    );
    let now = crate::now();
    let q = bind_values(Q::new(&sql), e)
        .bind(kind.code())
        .bind(ctx.user_id())
        .bind(now);
    let (id,): (i64,) = tx.fetch_one(&q).await?;
    write_children(tx, id, e).await?;
    Ok(id)
}

pub(crate) async fn check_in_tx(tx: &mut Tx, ctx: &Ctx, e: &NewEntry) -> Result<()> {
    check_refs(tx, ctx, e).await
}

/// Records a new entry of ledger `kind`.
pub async fn create(db: &Db, ctx: &Ctx, kind: LedgerKind, input: &LedgerInput) -> Result<Entry> {
    ctx.require(Permission::LedgerRecord)?;
    let e = input.parse(kind, &super::settings::funding_choices(db, None).await?)?;
    let mut tx = db.begin().await?;
    check_refs(&mut tx, ctx, &e).await?;
    let id = insert_in_tx(&mut tx, ctx, kind, &e).await?;
    let after: Entry = tx.fetch_one(&by_id(None, id)).await?;
    audit::record(
        &mut tx,
        ctx,
        Change::new("ledger_entry", id, "create")
            .org(Some(after.org_id))
            .after(snapshot(&after, &e)),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// The audit snapshot: the row and its children as entered.
fn snapshot(entry: &Entry, e: &NewEntry) -> serde_json::Value {
    serde_json::json!({
        "entry": entry,
        "attendee_user_ids": e.attendee_user_ids,
        "items": e.items,
        "attachment_ids": e.attachment_ids,
    })
}

/// Edits an entry the caller can see; a stale `row_version` is a conflict (409).
pub async fn update(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    row_version: i64,
    input: &LedgerInput,
) -> Result<Entry> {
    ctx.require(Permission::LedgerRecord)?;
    let before = get_row(db, ctx, id).await?;
    let keep = Some(before.category.as_str());
    let e = input.parse(
        before.kind(),
        &super::settings::funding_choices(db, keep).await?,
    )?;
    let mut tx = db.begin().await?;
    let current: Entry = tx.fetch_one(&by_id(Some(ctx), id)).await?;
    check_refs(&mut tx, ctx, &e).await?;
    let sets: Vec<String> = VALUE_COLS
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = ${}", i + 1))
        .collect();
    let n = VALUE_COLS.len();
    let sql = format!(
        "UPDATE ledger_entry SET {}, row_version = row_version + 1, updated_at = ${} \
         WHERE id = ${} AND row_version = ${} AND deleted_at IS NULL",
        sets.join(", "),
        n + 1,
        n + 2,
        n + 3
    );
    let q = bind_values(Q::new(&sql), &e)
        .bind(crate::now())
        .bind(id)
        .bind(row_version);
    if tx.execute(&q).await? != 1 {
        return Err(stale());
    }
    write_children(&mut tx, id, &e).await?;
    let after: Entry = tx.fetch_one(&by_id(None, id)).await?;
    audit::record(
        &mut tx,
        ctx,
        Change::new("ledger_entry", id, "update")
            .org(Some(after.org_id))
            .before(&current)
            .after(snapshot(&after, &e)),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Soft delete: the row stays for the audit trail and disappears from lists and totals.
pub async fn delete(db: &Db, ctx: &Ctx, id: i64, row_version: i64) -> Result<()> {
    ctx.require(Permission::LedgerRecord)?;
    let mut tx = db.begin().await?;
    let before: Entry = tx.fetch_one(&by_id(Some(ctx), id)).await?;
    let n = tx
        .execute(
            &Q::new(
                "UPDATE ledger_entry SET deleted_at = $1, updated_at = $1, row_version = row_version + 1 \
                 WHERE id = $2 AND row_version = $3 AND deleted_at IS NULL",
            )
            .bind(crate::now())
            .bind(id)
            .bind(row_version),
        )
        .await?;
    if n != 1 {
        return Err(stale());
    }
    audit::record(
        &mut tx,
        ctx,
        Change::new("ledger_entry", id, "delete")
            .org(Some(before.org_id))
            .before(&before),
    )
    .await?;
    tx.commit().await
}
