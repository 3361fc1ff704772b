//! The ledger entry as read: the export cursor, detail (items, attendees, attachments). One
//! implementation for the six ledgers; the list is in `search`, writes in `write`, action items
//! in `items`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use anjian_domain::ledger::{self, LedgerKind, Widget};
use anjian_domain::money::Fen;
use anjian_domain::role::Permission;

use super::input::LedgerInput;
use crate::error::Result;
use crate::query::{Db, Q};
use crate::Ctx;

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

pub(super) const COLS: &str =
    "e.id, e.kind, e.org_id, o.name AS org_name, o.path AS org_path, e.entry_date, \
     e.year, e.title, e.category, e.description, e.amount_fen, e.hours_tenths, e.participants, \
     e.campaign_id, c.name AS campaign_name, e.drill_kind, e.drill_form, e.plan_type, e.plan, \
     e.trainer, e.assessment, e.evaluation, e.attendees, e.topics, e.signatories, e.targets, \
     e.created_by, e.row_version, e.created_at, e.updated_at, fc.label AS funding_label";

// The funding category's label as the bureau named it (a unique key: no extra rows, and both
// databases drop the join where the label is not read, as in the counts).
pub(super) const FROM: &str = " FROM ledger_entry e JOIN org o ON o.id = e.org_id \
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
    q.push_keyword(
        f.keyword.as_deref(),
        &["e.title", "e.description", "e.category", "o.name"],
    );
    q
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
