//! The hazard ledger (台账): filters and pages, and the home page's to-do counts. A unit's
//! rectification notice, built on `all`, is in `notice`.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use anjian_domain::hazard::{HazardGrade, HazardStatus, DUE_SOON_DAYS};
use anjian_domain::role::Permission;

use super::record::{Hazard, COLS};
use super::today;
use crate::cache::{self, Cached, Topic};
use crate::error::{DbError, Result};
use crate::org::filter::{reach, Orgs};
use crate::query::{off_trigram_index, trimmed_keyword, Backend, Db, Q};
use crate::{Ctx, Page, PageReq};

/// The to-do views of the ledger, each the list behind one home-page count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TodoKind {
    /// Awaiting rectification (待整改, 整改中).
    Rectify,
    /// 待验收, not rectified by the caller.
    Verify,
    /// With an extension request waiting, not made by the caller.
    Extension,
}

impl TodoKind {
    pub fn from_code(s: &str) -> Option<TodoKind> {
        match s {
            "rectify" => Some(TodoKind::Rectify),
            "verify" => Some(TodoKind::Verify),
            "extension" => Some(TodoKind::Extension),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            TodoKind::Rectify => "rectify",
            TodoKind::Verify => "verify",
            TodoKind::Extension => "extension",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            TodoKind::Rectify => "待我整改",
            TodoKind::Verify => "待我验收",
            TodoKind::Extension => "待我审批的延期申请",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct HazardFilter {
    /// This organisation and everything below it.
    pub org_id: Option<i64>,
    pub status: Option<HazardStatus>,
    /// Everything not yet closed.
    pub open: bool,
    pub grade: Option<HazardGrade>,
    pub campaign_id: Option<i64>,
    /// Past the deadline and still awaiting rectification, by today's date (not the daily marker).
    pub overdue: bool,
    /// Due within `DUE_SOON_DAYS` days and not overdue.
    pub due_soon: bool,
    pub found_from: Option<NaiveDate>,
    pub found_to: Option<NaiveDate>,
    /// Matched in description, location and category.
    pub keyword: Option<String>,
    /// Exactly these hazards (traceability links from reports and inspections).
    pub ids: Vec<i64>,
    pub inspection_id: Option<i64>,
    pub todo: Option<TodoKind>,
}

const AWAITING: &str = "('pending', 'rectifying')";

/// `('pending', …)`: every status but 已销号, as literals (codes, never input) so the planner
/// sees the values.
fn open_statuses() -> String {
    let codes: Vec<String> = HazardStatus::ALL
        .into_iter()
        .filter(|s| *s != HazardStatus::Closed)
        .map(|s| format!("'{}'", s.code()))
        .collect();
    format!("({})", codes.join(", "))
}

/// Resolves scope and the org-subtree filter to organisation ids before the hazard query (see
/// `org::filter::reach`): handing the planner a literal list (or nothing, for a caller who sees
/// the whole tree) keeps it on the hazard indexes, where a sub-select made SQLite sort every
/// hazard of every listed org (measured on a million rows: 170 ms → 2 ms per page).
pub(crate) async fn orgs(db: &Db, ctx: &Ctx, f: &HazardFilter) -> Result<Orgs> {
    reach(db, ctx, f.org_id).await
}

/// Keywords of at least this many characters are looked up in the trigram index of migration
/// 0005 (SQLite FTS5 `trigram`, PostgreSQL `pg_trgm`): a trigram is three characters, so a shorter
/// keyword has none to look up.
pub const KEYWORD_INDEXED_CHARS: usize = 3;

/// A shorter keyword (common two-character words such as 消防, 用电) is matched by reading rows,
/// so the ledger page searches only the hazards found since the day of the newest this-many that
/// meet the other conditions — a bounded read instead of a scan of the whole ledger — and says
/// from which day. Narrowing by organisation or date moves the window; a keyword of three or more
/// characters, and the export, search everything.
pub const SHORT_KEYWORD_WINDOW: i64 = 2_000;

/// Counting a keyword search stops here ("1000+"): each match counted is a row read.
pub const KEYWORD_COUNT_CAP: i64 = 1_000;

impl HazardFilter {
    /// The keyword as matched: trimmed, None when blank.
    pub fn keyword(&self) -> Option<&str> {
        trimmed_keyword(self.keyword.as_deref())
    }

    /// A keyword too short for the index: searched within `SHORT_KEYWORD_WINDOW` hazards only.
    pub fn keyword_is_short(&self) -> bool {
        self.keyword()
            .is_some_and(|k| k.chars().count() < KEYWORD_INDEXED_CHARS)
    }
}

/// What a statement reads, and how a keyword is matched on SQLite (PostgreSQL's pg_trgm serves
/// the LIKE itself).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Read {
    /// Rows in the ledger's order, the LIKE alone: rows are read newest first until the page is
    /// full (cheap when matches are common), or the keyword is too short for the index.
    Rows,
    /// Rows, `h.id IN (<FTS5 matches>)`: few matches, read and sorted.
    RowsIndexed,
    /// A capped count, the LIKE alone.
    Count,
    /// A capped count, `FROM hazard_fts CROSS JOIN hazard h`: matches streamed from the index.
    CountIndexed,
}

impl Read {
    fn counts(self) -> bool {
        matches!(self, Read::Count | Read::CountIndexed)
    }
}

/// `<head> FROM hazard h … WHERE <organisations and filters>`. Every keyword match is checked
/// with LIKE, so results are exactly LIKE's; the FTS5 index (`fts`) only picks the candidates
/// (trigram folds case beyond ASCII where LIKE does not, so its candidates are a superset).
fn filtered(
    read: Read,
    orgs: &Orgs,
    ctx: &Ctx,
    f: &HazardFilter,
    head: &str,
    join: &str,
    today: NaiveDate,
) -> Q {
    let mut q = Q::new(head);
    let keyword = f.keyword();
    // Only a keyword long enough for the index has candidates to take from it.
    let indexed = keyword.is_some() && !f.keyword_is_short();
    let read = match read {
        Read::RowsIndexed if !indexed => Read::Rows,
        Read::CountIndexed if !indexed => Read::Count,
        r => r,
    };
    if read == Read::CountIndexed {
        q.push(" FROM hazard_fts CROSS JOIN hazard h ON h.id = hazard_fts.rowid")
            .push(join);
        q.push(" WHERE hazard_fts MATCH ")
            .push_arg(fts_phrase(keyword.unwrap_or_default()));
        q.push(" AND h.deleted_at IS NULL");
    } else {
        q.push(" FROM hazard h").push(join);
        q.push(" WHERE h.deleted_at IS NULL");
    }
    push_conditions(&mut q, orgs, ctx, f, today, read.counts());
    if let Some(k) = keyword {
        if read == Read::RowsIndexed {
            q.push(" AND h.id IN (SELECT rowid FROM hazard_fts WHERE hazard_fts MATCH ")
                .push_arg(fts_phrase(k));
            q.push(")");
        }
        let cols = ["h.description", "h.location", "h.category"];
        q.push(" AND (");
        if f.keyword_is_short() {
            q.push_like_any(k, &off_trigram_index(&cols));
        } else {
            q.push_like_any(k, &cols);
        }
        q.push(")");
    }
    q
}

/// An FTS5 query matching `k` as a substring: one quoted phrase (a double quote inside is
/// doubled), so no character of the keyword is read as query syntax.
pub(crate) fn fts_phrase(k: &str) -> String {
    format!("\"{}\"", k.replace('"', "\"\""))
}

/// Every condition but the keyword, appended after a `WHERE`.
fn push_conditions(
    q: &mut Q,
    orgs: &Orgs,
    ctx: &Ctx,
    f: &HazardFilter,
    today: NaiveDate,
    counting: bool,
) {
    // No organisation in reach: nothing matches (id is never NULL).
    orgs.push_condition(q, "h.org_id", "h.id");
    if let Some(s) = f.status {
        q.push(" AND h.status = ").push_arg(s.code());
    } else if f.open && counting {
        // A count reads the open statuses from the status index. `<> 'closed'` there walked
        // another covering index through every closed hazard to the cap (1,000,000 hazards,
        // 15 % open: 45 ms on SQLite, 55 ms on PostgreSQL; 0.8 / 3.7 ms this way).
        q.push(" AND h.status IN ").push(&open_statuses());
    } else if f.open {
        // Not a status list for rows: open hazards are the recent ones, so walking the
        // found-date index finds a page of them at once, where a status index would gather and
        // sort them all (SQLite: 23 ms for the first page that way, 0.2 ms this way).
        q.push(" AND h.status <> 'closed'");
    }
    if let Some(g) = f.grade {
        q.push(" AND h.grade = ").push_arg(g.code());
    }
    if let Some(c) = f.campaign_id {
        q.push(" AND h.campaign_id = ").push_arg(c);
    }
    if f.overdue {
        q.push(" AND h.status IN ").push(AWAITING);
        q.push(" AND h.deadline < ").push_arg(today);
    }
    if f.due_soon {
        let end = today
            .checked_add_days(Days::new(DUE_SOON_DAYS as u64))
            .unwrap_or(today);
        q.push(" AND h.status IN ").push(AWAITING);
        q.push(" AND h.deadline >= ").push_arg(today);
        q.push(" AND h.deadline <= ").push_arg(end);
    }
    if let Some(d) = f.found_from {
        q.push(" AND h.found_on >= ").push_arg(d);
    }
    if let Some(d) = f.found_to {
        q.push(" AND h.found_on <= ").push_arg(d);
    }
    if !f.ids.is_empty() {
        q.push(" AND h.id IN (");
        for (i, id) in f.ids.iter().take(500).enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.push_arg(*id);
        }
        q.push(")");
    }
    if let Some(i) = f.inspection_id {
        q.push(" AND h.inspection_id = ").push_arg(i);
    }
    if let Some(t) = f.todo {
        push_todo(q, ctx, t);
    }
}

fn push_todo(q: &mut Q, ctx: &Ctx, t: TodoKind) {
    let me = ctx.user_id().unwrap_or(0);
    match t {
        TodoKind::Rectify => {
            q.push(" AND h.status IN ").push(AWAITING);
        }
        TodoKind::Verify => {
            q.push(" AND h.status = 'awaiting_verification' AND (h.rectified_by IS NULL OR h.rectified_by <> ")
                .push_arg(me);
            q.push(")");
        }
        TodoKind::Extension => {
            // Driven from the (few) pending requests rather than probing every hazard.
            q.push(
                " AND h.id IN (SELECT e.hazard_id FROM hazard_extension e WHERE e.status = 'pending' \
                 AND e.requested_by <> ",
            )
            .push_arg(me);
            q.push(")");
        }
    }
}

/// Counting stops here: beyond it the ledger says "10000+" rather than scanning a million rows
/// for a figure nobody pages through. Keyword searches stop at `KEYWORD_COUNT_CAP`.
pub const COUNT_CAP: i64 = 10_000;

impl HazardFilter {
    /// Where counting this filter stops.
    pub fn count_cap(&self) -> i64 {
        if self.keyword().is_some() {
            KEYWORD_COUNT_CAP
        } else {
            COUNT_CAP
        }
    }
}

/// A ledger page and how its keyword was searched.
#[derive(Debug, Clone)]
pub struct LedgerPage {
    pub page: Page<Hazard>,
    /// A keyword shorter than `KEYWORD_INDEXED_CHARS` searched only the hazards found on or after
    /// this day (see `SHORT_KEYWORD_WINDOW`); None when nothing was left out.
    pub searched_since: Option<NaiveDate>,
}

/// A page of the ledger, newest found first. `total` is capped at `f.count_cap()`.
pub async fn list(db: &Db, ctx: &Ctx, f: &HazardFilter, page: PageReq) -> Result<Page<Hazard>> {
    Ok(search(db, ctx, f, page).await?.page)
}

/// `list`, saying how far back a short keyword searched.
pub async fn search(db: &Db, ctx: &Ctx, f: &HazardFilter, page: PageReq) -> Result<LedgerPage> {
    ctx.require(Permission::HazardView)?;
    let today = today();
    let orgs = orgs(db, ctx, f).await?;
    // The window's first day and the capped count are kept while no hazard, extension request
    // or organisation changes (`cache`): a quarter of a list page's SQL on SQLite, and the 5 ms
    // of a short keyword's count, for pages that are mostly read again unchanged (paging, the
    // next person opening the ledger). The page rows are read afresh.
    let generations = cache::current(db, ctx).await?;
    let mut searched_since = None;
    let window;
    // SQLite only: PostgreSQL's generic plans (prepared statements, from the sixth run) do not
    // know that the bound date is recent and read the whole table in parallel for it (measured:
    // 0.9 s a count, the pool ran dry at 64 connections), so there a short keyword keeps the
    // plain LIKE the ledger always ran, now with the lower count cap.
    let f = if f.keyword_is_short() && db.backend() == Backend::Sqlite {
        // The found date of the window's oldest hazard, from the covering indexes alone; the LIKE
        // then reads no further back than that day.
        let mut probe = f.clone();
        probe.keyword = None;
        let mut q = filtered(
            Read::Rows,
            &orgs,
            ctx,
            &probe,
            "SELECT h.found_on",
            "",
            today,
        );
        q.push(" ORDER BY h.found_on DESC LIMIT 1 OFFSET ")
            .push_arg(SHORT_KEYWORD_WINDOW - 1);
        let mut b = f.clone();
        let oldest: Vec<(NaiveDate,)> = kept(&q).fetch_all(db, generations).await?;
        if let Some((day,)) = oldest.first().copied() {
            if f.found_from.is_none_or(|from| from < day) {
                b.found_from = Some(day);
                searched_since = Some(day);
            }
        }
        window = b;
        &window
    } else {
        f
    };
    let sqlite = db.backend() == Backend::Sqlite;
    let cap = f.count_cap();
    let mut cq = filtered(
        if sqlite {
            Read::CountIndexed
        } else {
            Read::Count
        },
        &orgs,
        ctx,
        f,
        "SELECT COUNT(*) FROM (SELECT 1",
        "",
        today,
    );
    cq.push(" LIMIT ").push_arg(cap);
    cq.push(") t");
    let (total,): (i64,) = kept(&cq).fetch_one(db, generations).await?;
    // The page's ids first, from the covering indexes of migration 0004 alone; then only those
    // rows are read. Sorting full rows instead costs a table read per match (measured: 20× slower
    // for the overdue list on a million hazards). A keyword with fewer matches than the count
    // cap is looked up in the index and its few matches sorted; a common one is found faster by
    // reading rows newest first until the page is full.
    let read = if sqlite && total < cap {
        Read::RowsIndexed
    } else {
        Read::Rows
    };
    let mut q = filtered(
        read,
        &orgs,
        ctx,
        f,
        &format!(
            "SELECT {COLS} FROM hazard h JOIN org o ON o.id = h.org_id WHERE h.id IN (SELECT h.id"
        ),
        "",
        today,
    );
    q.push(" ORDER BY h.found_on DESC, h.id DESC LIMIT ")
        .push_arg(page.page_size);
    q.push(" OFFSET ").push_arg(page.offset());
    q.push(") ORDER BY h.found_on DESC, h.id DESC");
    Ok(LedgerPage {
        page: Page {
            items: db.fetch_all(&q).await?,
            total,
            page: page.page,
            page_size: page.page_size,
        },
        searched_since,
    })
}

/// A statement of the ledger over hazards, their extension requests and the tree (`filtered`),
/// kept while none of them changes.
fn kept(q: &Q) -> Cached<'_> {
    Cached {
        q,
        topics: &[Topic::Hazard, Topic::Org],
    }
}

/// Every hazard matching the filter, up to `limit`: for exports and the notice.
pub async fn all(db: &Db, ctx: &Ctx, f: &HazardFilter, limit: i64) -> Result<Vec<Hazard>> {
    ctx.require(Permission::HazardView)?;
    let orgs = orgs(db, ctx, f).await?;
    // Exports read date windows newest first (`ledger_page`): the LIKE stops with each
    // window's LIMIT, where an FTS5 candidate list would be read whole for every window.
    let mut q = filtered(
        Read::Rows,
        &orgs,
        ctx,
        f,
        &format!("SELECT {COLS}"),
        " JOIN org o ON o.id = h.org_id",
        today(),
    );
    q.push(" ORDER BY h.found_on DESC, h.id DESC LIMIT ")
        .push_arg(limit);
    db.fetch_all(&q).await
}

/// The home page's to-do counts for the caller's scope and role. A count the role cannot act on
/// is zero; counts stop at `COUNT_CAP` (shown as "10000+").
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Todo {
    pub to_rectify: i64,
    pub to_verify: i64,
    pub overdue: i64,
    pub due_soon: i64,
    pub extensions_to_decide: i64,
}

impl Todo {
    pub fn is_empty(&self) -> bool {
        *self == Todo::default()
    }
}

pub async fn todo(db: &Db, ctx: &Ctx) -> Result<Todo> {
    ctx.require(Permission::HazardView)?;
    let today = today();
    let orgs = orgs(db, ctx, &HazardFilter::default()).await?;
    let count = |f: HazardFilter| {
        let mut q = filtered(
            Read::Count,
            &orgs,
            ctx,
            &f,
            "SELECT COUNT(*) FROM (SELECT 1",
            "",
            today,
        );
        q.push(" LIMIT ").push_arg(COUNT_CAP);
        q.push(") t");
        async move {
            let (n,): (i64,) = db.fetch_one(&q).await?;
            Ok::<i64, DbError>(n)
        }
    };
    let with = |t: TodoKind| HazardFilter {
        todo: Some(t),
        ..Default::default()
    };
    let mut out = Todo::default();
    if ctx.can(Permission::HazardRectify) {
        out.to_rectify = count(with(TodoKind::Rectify)).await?;
    }
    if ctx.can(Permission::HazardVerify) {
        out.to_verify = count(with(TodoKind::Verify)).await?;
    }
    if ctx.can(Permission::HazardDecideExtension) {
        out.extensions_to_decide = count(with(TodoKind::Extension)).await?;
    }
    out.overdue = count(HazardFilter {
        overdue: true,
        ..Default::default()
    })
    .await?;
    out.due_soon = count(HazardFilter {
        due_soon: true,
        ..Default::default()
    })
    .await?;
    Ok(out)
}
