//! The ledger entry: list with filters and paging, detail (items, attendees, attachments),
//! create and edit with optimistic concurrency, soft delete, and the owners' to-do items. One
//! implementation for the six ledgers.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use anjian_domain::ledger::{self, LedgerKind, Widget};
use anjian_domain::money::Fen;
use anjian_domain::role::Permission;

use super::input::{LedgerInput, NewEntry};
use crate::audit::{self, Change};
use crate::checklist::fields::{push_keyword, stale};
use crate::error::{DbError, Result};
use crate::query::{Db, Tx, Q};
use crate::{Ctx, Page, PageReq};

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Entry {
    pub id: i64,
    pub kind: String,
    pub org_id: i64,
    pub org_name: String,
    #[serde(skip)]
    pub org_path: String,
    pub entry_date: NaiveDate,
    pub year: Option<i64>,
    pub title: String,
    pub category: String,
    pub description: String,
    pub amount_fen: Option<i64>,
    pub hours_tenths: Option<i64>,
    pub participants: Option<i64>,
    pub campaign_id: Option<i64>,
    pub campaign_name: Option<String>,
    pub drill_kind: String,
    pub drill_form: String,
    pub plan_type: String,
    pub plan: String,
    pub trainer: String,
    pub assessment: String,
    pub evaluation: String,
    pub attendees: String,
    pub topics: String,
    pub signatories: String,
    pub targets: String,
    pub created_by: Option<i64>,
    pub row_version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The use category's label from the settings (funding entries only).
    pub funding_label: Option<String>,
}

impl Entry {
    pub fn kind(&self) -> LedgerKind {
        // CHECK constraint: only the six codes can be stored.
        LedgerKind::from_code(&self.kind).unwrap_or(LedgerKind::Funding)
    }

    /// A field as people read it: codes as labels, 分 as 元 with two decimals, tenths as 学时.
    pub fn display(&self, name: &str) -> String {
        let kind = self.kind();
        let widget = kind.field(name).map(|f| f.widget);
        match name {
            "org" => self.org_name.clone(),
            "entry_date" => self.entry_date.to_string(),
            "year" => self.year.map(|y| y.to_string()).unwrap_or_default(),
            "amount" => self
                .amount_fen
                .map(|f| Fen(f).to_yuan_2dp())
                .unwrap_or_default(),
            "hours" => self
                .hours_tenths
                .map(ledger::format_hours)
                .unwrap_or_default(),
            "participants" => self.participants.map(|n| n.to_string()).unwrap_or_default(),
            "campaign_id" => self.campaign_name.clone().unwrap_or_default(),
            "category" if kind == LedgerKind::Funding => self
                .funding_label
                .clone()
                .unwrap_or_else(|| self.category.clone()),
            _ => {
                let v = self.text(name);
                match widget {
                    Some(Widget::Select(list)) => list
                        .iter()
                        .find(|(c, _)| *c == v)
                        .map(|(_, l)| l.to_string())
                        .unwrap_or_else(|| v.to_string()),
                    _ => v.to_string(),
                }
            }
        }
    }

    fn text(&self, name: &str) -> &str {
        match name {
            "title" => &self.title,
            "category" => &self.category,
            "description" => &self.description,
            "drill_kind" => &self.drill_kind,
            "drill_form" => &self.drill_form,
            "plan_type" => &self.plan_type,
            "plan" => &self.plan,
            "trainer" => &self.trainer,
            "assessment" => &self.assessment,
            "evaluation" => &self.evaluation,
            "attendees" => &self.attendees,
            "topics" => &self.topics,
            "signatories" => &self.signatories,
            "targets" => &self.targets,
            _ => "",
        }
    }

    /// The entry back as an input, for the edit form.
    pub fn to_input(&self) -> LedgerInput {
        let mut i = LedgerInput {
            org_id: Some(self.org_id),
            entry_date: self.entry_date.to_string(),
            campaign_id: self.campaign_id,
            ..Default::default()
        };
        for f in self.kind().fields() {
            let v = match f.widget {
                Widget::Select(_) => self.text(f.name).to_string(),
                _ => self.display(f.name),
            };
            i.set(f.name, v);
        }
        i
    }
}

const COLS: &str = "e.id, e.kind, e.org_id, o.name AS org_name, o.path AS org_path, e.entry_date, \
     e.year, e.title, e.category, e.description, e.amount_fen, e.hours_tenths, e.participants, \
     e.campaign_id, c.name AS campaign_name, e.drill_kind, e.drill_form, e.plan_type, e.plan, \
     e.trainer, e.assessment, e.evaluation, e.attendees, e.topics, e.signatories, e.targets, \
     e.created_by, e.row_version, e.created_at, e.updated_at, fc.label AS funding_label";

// The funding category's label as the bureau named it (a unique key: no extra rows, and both
// databases drop the join where the label is not read, as in the counts).
const FROM: &str = " FROM ledger_entry e JOIN org o ON o.id = e.org_id \
     LEFT JOIN campaign c ON c.id = e.campaign_id \
     LEFT JOIN ledger_funding_category fc ON e.kind = 'funding' AND fc.code = e.category";

pub(super) fn by_id(ctx: Option<&Ctx>, id: i64) -> Q {
    let mut q = Q::new(&format!(
        "SELECT {COLS}{FROM} WHERE e.id = $1 AND e.deleted_at IS NULL"
    ))
    .bind(id);
    if let Some(ctx) = ctx {
        q.push(" AND o.path LIKE ").push_arg(ctx.scope_like());
    }
    q
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Item {
    pub id: i64,
    pub entry_id: i64,
    pub position: i64,
    pub content: String,
    pub owner_user_id: Option<i64>,
    pub owner_name: Option<String>,
    pub deadline: Option<NaiveDate>,
    pub status: String,
    pub done_at: Option<DateTime<Utc>>,
}

impl Item {
    pub fn done(&self) -> bool {
        self.status == "done"
    }
    pub fn overdue(&self, today: NaiveDate) -> bool {
        !self.done() && self.deadline.is_some_and(|d| d < today)
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct EntryAttachment {
    pub attachment_id: i64,
    pub original_name: String,
    pub mime: String,
    pub has_thumb: bool,
}

impl EntryAttachment {
    pub fn is_image(&self) -> bool {
        self.mime.starts_with("image/")
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct EntryDetail {
    pub entry: Entry,
    pub items: Vec<Item>,
    /// Named attendees: (user id, name).
    pub attendees: Vec<(i64, String)>,
    pub attachments: Vec<EntryAttachment>,
}

#[derive(Debug, Clone, Default)]
pub struct LedgerFilter {
    pub org_id: Option<i64>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// The ledger's type column (use category, training kind, form, scenario, meeting kind).
    pub category: Option<String>,
    pub keyword: Option<String>,
}

/// `head` and the entries matching `f`; `campaign` joins the campaign for its name (the rows),
/// left out for the totals so they read only `ledger_entry_kind_cover` (migration 0014).
fn filtered(ctx: &Ctx, kind: LedgerKind, f: &LedgerFilter, head: &str, campaign: bool) -> Q {
    let mut q = Q::new(head);
    q.push(if campaign {
        FROM
    } else {
        " FROM ledger_entry e JOIN org o ON o.id = e.org_id"
    })
    .push(" WHERE e.deleted_at IS NULL AND e.kind = ")
    .push_arg(kind.code());
    q.push(" AND o.path LIKE ").push_arg(ctx.scope_like());
    if let Some(id) = f.org_id {
        q.push(" AND o.path LIKE (SELECT x.path FROM org x WHERE x.id = ")
            .push_arg(id)
            .push(") || '%'");
    }
    if let Some(d) = f.from {
        q.push(" AND e.entry_date >= ").push_arg(d);
    }
    if let Some(d) = f.to {
        q.push(" AND e.entry_date <= ").push_arg(d);
    }
    if let Some(c) = f.category.as_deref().filter(|c| !c.trim().is_empty()) {
        q.push(" AND e.category = ").push_arg(c.trim());
    }
    push_keyword(
        &mut q,
        f.keyword.as_deref(),
        &["e.title", "e.description", "e.category", "o.name"],
    );
    q
}

/// Entries of one ledger the caller can see, the latest first, with the filtered total of
/// amounts (分) for the funding ledger.
pub async fn list(
    db: &Db,
    ctx: &Ctx,
    kind: LedgerKind,
    f: &LedgerFilter,
    page: PageReq,
) -> Result<(Page<Entry>, i64)> {
    ctx.require(Permission::LedgerView)?;
    // The count and the total in one pass over the index (they were two).
    let (total, sum): (i64, Option<i64>) = db
        .fetch_one(&filtered(
            ctx,
            kind,
            f,
            "SELECT COUNT(*), CAST(SUM(e.amount_fen) AS BIGINT)",
            false,
        ))
        .await?;
    let mut q = filtered(ctx, kind, f, &format!("SELECT {COLS}"), true);
    q.push(" ORDER BY e.entry_date DESC, e.id DESC LIMIT ");
    q.push_arg(page.page_size).push(" OFFSET ");
    q.push_arg(page.offset());
    let p = Page {
        items: db.fetch_all(&q).await?,
        total,
        page: page.page,
        page_size: page.page_size,
    };
    Ok((p, sum.unwrap_or(0)))
}

/// Where an export has got to in the list's order (date, then id, newest first).
#[derive(Debug, Clone, Default)]
pub struct ExportCursor {
    last: Option<(NaiveDate, i64)>,
    done: bool,
}

impl ExportCursor {
    pub fn done(&self) -> bool {
        self.done
    }
}

/// The next page of up to `limit` entries after `cur`, in the list's order, for exports that
/// must not hold the whole ledger in memory: a keyset on (date, id) instead of an OFFSET, so
/// the last page of a long ledger costs what the first does.
pub async fn export_page(
    db: &Db,
    ctx: &Ctx,
    kind: LedgerKind,
    f: &LedgerFilter,
    cur: &mut ExportCursor,
    limit: i64,
) -> Result<Vec<Entry>> {
    ctx.require(Permission::LedgerView)?;
    if cur.done {
        return Ok(Vec::new());
    }
    let limit = limit.max(1);
    let mut q = filtered(ctx, kind, f, &format!("SELECT {COLS}"), true);
    if let Some((d, id)) = cur.last {
        q.push(" AND (e.entry_date < ").push_arg(d);
        q.push(" OR (e.entry_date = ").push_arg(d);
        q.push(" AND e.id < ").push_arg(id).push("))");
    }
    q.push(" ORDER BY e.entry_date DESC, e.id DESC LIMIT ")
        .push_arg(limit);
    let rows: Vec<Entry> = db.fetch_all(&q).await?;
    cur.done = (rows.len() as i64) < limit;
    if let Some(e) = rows.last() {
        cur.last = Some((e.entry_date, e.id));
    }
    Ok(rows)
}

/// The entry row within the caller's scope.
pub async fn get_row(db: &Db, ctx: &Ctx, id: i64) -> Result<Entry> {
    ctx.require(Permission::LedgerView)?;
    db.fetch_one(&by_id(Some(ctx), id)).await
}

pub async fn get(db: &Db, ctx: &Ctx, id: i64) -> Result<EntryDetail> {
    let entry = get_row(db, ctx, id).await?;
    let items = db
        .fetch_all(
            &Q::new(
                "SELECT i.id, i.entry_id, i.position, i.content, i.owner_user_id, u.name AS owner_name, \
                 i.deadline, i.status, i.done_at FROM ledger_item i LEFT JOIN app_user u ON u.id = i.owner_user_id \
                 WHERE i.entry_id = $1 ORDER BY i.position, i.id",
            )
            .bind(id),
        )
        .await?;
    let attendees = db
        .fetch_all(
            &Q::new(
                "SELECT u.id, u.name FROM ledger_attendee a JOIN app_user u ON u.id = a.user_id \
                 WHERE a.entry_id = $1 ORDER BY u.name, u.id",
            )
            .bind(id),
        )
        .await?;
    let attachments = db
        .fetch_all(
            &Q::new(
                "SELECT a.id AS attachment_id, a.original_name, a.mime, a.has_thumb FROM ledger_attachment l \
                 JOIN attachment a ON a.id = l.attachment_id WHERE l.entry_id = $1 AND a.deleted_at IS NULL \
                 ORDER BY l.created_at, a.id",
            )
            .bind(id),
        )
        .await?;
    Ok(EntryDetail {
        entry,
        items,
        attendees,
        attachments,
    })
}

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
