//! The ledger list: filters, a count that stops at `COUNT_CAP`, the funding list's exact total,
//! and the keyword search through the trigram index of migration 0015 (SQLite FTS5 `trigram`
//! table `ledger_entry_fts`, PostgreSQL `pg_trgm` GIN indexes), as the hazard ledger does it.
//!
//! The list used to count and sum every matching entry joined to its organisation on each page
//! (78 ms for all trainings, 596 ms with a keyword, on a million entries; docs/benchmarks.md).

use chrono::NaiveDate;

use anjian_domain::ledger::LedgerKind;
use anjian_domain::role::Permission;

use super::entry::{Entry, LedgerFilter, COLS, FROM};
use super::stats::ledger_statement;
use crate::cache::{self, Cached, Topic};
use crate::error::Result;
use crate::hazard::{fts_phrase, KEYWORD_INDEXED_CHARS, SHORT_KEYWORD_WINDOW};
use crate::org::filter::{reach, Orgs};
use crate::query::{off_trigram_index, trimmed_keyword, Backend, Db, Q};
use crate::{like_pattern, Ctx, Page, PageReq};

/// Counting a list stops here (the page says "1000+"): each entry counted is an entry read, and
/// nobody pages through a thousand. The funding list counts exactly: its total (money) sums every
/// match in the same pass.
pub const COUNT_CAP: i64 = 1_000;

/// A page of a ledger and what the page says about it.
#[derive(Debug, Clone)]
pub struct LedgerPage {
    /// `total` stops at `COUNT_CAP` unless this is the funding list.
    pub page: Page<Entry>,
    /// The amounts (分) of every matching entry: exact, for the funding list; 0 for the others.
    pub amount_fen_total: i64,
    /// The count stopped at `COUNT_CAP`: there may be more.
    pub capped: bool,
    /// There is a page after this one.
    pub more: bool,
    /// A keyword shorter than `KEYWORD_INDEXED_CHARS` searched (SQLite) only the entries dated
    /// on or after this day (the newest `SHORT_KEYWORD_WINDOW` meeting the other filters); None
    /// when nothing was left out.
    pub searched_since: Option<NaiveDate>,
}

/// How a keyword is matched on SQLite (PostgreSQL's pg_trgm serves the LIKE itself).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fts {
    /// The LIKE alone: entries are read in the list's order until the page is full (cheap when
    /// matches are common), or the keyword is too short for the index.
    No,
    /// `FROM (<FTS5 matches ∪ entries of the organisations named>) CROSS JOIN ledger_entry e`:
    /// few matches, read and sorted. The candidates must lead: with `e.id IN (…)` instead,
    /// SQLite walked the ledger's kind index and probed the list (83 ms against 3 ms for a rare
    /// keyword among 300,000 trainings).
    Filter,
    /// `FROM ledger_entry_fts CROSS JOIN ledger_entry e`: matches streamed from the index.
    Drive,
}

/// A list query with its organisations and keyword settled.
#[derive(Clone)]
struct Search {
    kind: LedgerKind,
    f: LedgerFilter,
    orgs: Orgs,
    /// Trimmed, never blank.
    keyword: Option<String>,
    /// Organisations in scope whose name holds the keyword: the list matches the unit's name
    /// too, and the text index holds only the entry's own text.
    named: Vec<i64>,
    /// The caller's scope, for the sub-select that PostgreSQL's counts read (see `push_orgs`).
    scope_like: String,
    sqlite: bool,
}

fn push_ids(q: &mut Q, ids: &[i64]) {
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.push_arg(*id);
    }
}

impl Search {
    /// The organisations in reach: the literal list of ids (SQLite; PostgreSQL's pages), or for
    /// PostgreSQL's counts and sums the sub-select the list came from. From the sixth run of a
    /// statement PostgreSQL may use a generic plan, which cannot see that a list of a unit's ids
    /// is selective: it summed one unit's funding by reading the year's funding of every unit
    /// (300 ms against 0.4 ms, EXPLAIN ANALYZE on a million entries); with the sub-select its
    /// generic plan walks the unit's organisations (1–15 ms).
    fn push_orgs(&self, q: &mut Q, counting: bool) {
        match &self.orgs {
            Orgs::Only(_) if counting && !self.sqlite => {
                q.push(" AND e.org_id IN (SELECT x.id FROM org x WHERE x.path LIKE ")
                    .push_arg(self.scope_like.clone());
                if let Some(o) = self.f.org_id {
                    q.push(" AND x.path LIKE (SELECT y.path FROM org y WHERE y.id = ")
                        .push_arg(o);
                    q.push(") || '%'");
                }
                q.push(")");
            }
            orgs => orgs.push_condition(q, "e.org_id", "e.id"),
        }
    }

    fn short(&self) -> bool {
        self.keyword
            .as_deref()
            .is_some_and(|k| k.chars().count() < KEYWORD_INDEXED_CHARS)
    }

    /// `<head> FROM ledger_entry e … WHERE <every condition>`. Every keyword match is checked
    /// with the LIKE the list always ran (title, description, type, organisation name), so
    /// results are exactly LIKE's; the FTS5 index (`fts`) only picks candidates (trigram folds
    /// case beyond ASCII where LIKE does not, so its candidates are a superset).
    fn query(&self, head: &str, fts: Fts, counting: bool) -> Q {
        let indexed = self.sqlite && self.keyword.is_some() && !self.short();
        let fts = match fts {
            _ if !indexed => Fts::No,
            // Streaming FTS5 matches misses entries matched by their organisation's name alone.
            Fts::Drive if !self.named.is_empty() => Fts::Filter,
            other => other,
        };
        let mut q = Q::new(head);
        let k = self.keyword.as_deref().unwrap_or_default();
        match fts {
            Fts::Drive => {
                q.push(" FROM ledger_entry_fts CROSS JOIN ledger_entry e ON e.id = ledger_entry_fts.rowid");
                q.push(" WHERE ledger_entry_fts MATCH ")
                    .push_arg(fts_phrase(k));
                q.push(" AND");
            }
            Fts::Filter => {
                q.push(
                    " FROM (SELECT rowid AS id FROM ledger_entry_fts WHERE ledger_entry_fts MATCH ",
                )
                .push_arg(fts_phrase(k));
                if !self.named.is_empty() {
                    // UNION, not UNION ALL: an entry matched by its text and by its
                    // organisation's name is one entry.
                    q.push(" UNION SELECT x.id FROM ledger_entry x WHERE x.kind = ")
                        .push_arg(self.kind.code());
                    q.push(" AND x.org_id IN (");
                    push_ids(&mut q, &self.named);
                    q.push(")");
                }
                q.push(") m CROSS JOIN ledger_entry e ON e.id = m.id WHERE");
            }
            Fts::No => {
                q.push(" FROM ledger_entry e WHERE");
            }
        }
        q.push(" e.deleted_at IS NULL");
        q.push(" AND e.kind = ").push_arg(self.kind.code());
        self.push_orgs(&mut q, counting);
        if let Some(d) = self.f.from {
            q.push(" AND e.entry_date >= ").push_arg(d);
        }
        if let Some(d) = self.f.to {
            q.push(" AND e.entry_date <= ").push_arg(d);
        }
        if let Some(c) = self.f.category.as_deref().filter(|c| !c.trim().is_empty()) {
            q.push(" AND e.category = ").push_arg(c.trim());
        }
        if self.keyword.is_none() {
            return q;
        }
        let cols = ["e.title", "e.description", "e.category"];
        q.push(" AND (");
        if self.short() {
            q.push_like_any(k, &off_trigram_index(&cols));
        } else {
            q.push_like_any(k, &cols);
        }
        if !self.named.is_empty() {
            // `o.name LIKE …` of the joined organisation, as the ids it names.
            q.push(" OR e.org_id IN (");
            push_ids(&mut q, &self.named);
            q.push(")");
        }
        q.push(")");
        q
    }
}

/// A page of one ledger the caller can see, the latest first, with the count (stopping at
/// `COUNT_CAP` except for funding) and, for the funding list, the exact total of its amounts.
pub async fn search(
    db: &Db,
    ctx: &Ctx,
    kind: LedgerKind,
    f: &LedgerFilter,
    page: PageReq,
) -> Result<LedgerPage> {
    ctx.require(Permission::LedgerView)?;
    // What a page reads besides its rows — the organisations a keyword names, a short keyword's
    // window, the count (and the funding total) — is kept while no ledger entry and no
    // organisation changes (`cache`): a keyword's count over its window was ~5 ms of the ~8 ms of
    // a SQLite keyword page (1,000,000 entries). The page rows are read afresh.
    let generations = cache::current(db, ctx).await?;
    let keyword = trimmed_keyword(f.keyword.as_deref()).map(str::to_string);
    let named = match &keyword {
        Some(k) => {
            // The organisations whose name holds the keyword: kept while the tree stands still.
            let q = Q::new(
                "SELECT id FROM org WHERE path LIKE $1 AND name LIKE $2 ESCAPE '\\' ORDER BY id",
            )
            .bind(ctx.scope_like())
            .bind(like_pattern(k));
            let rows: Vec<(i64,)> = Cached {
                q: &q,
                topics: &[Topic::Org],
            }
            .fetch_all(db, generations)
            .await?;
            rows.into_iter().map(|(i,)| i).collect()
        }
        None => Vec::new(),
    };
    let mut s = Search {
        kind,
        f: f.clone(),
        orgs: reach(db, ctx, f.org_id).await?,
        keyword,
        named,
        scope_like: ctx.scope_like(),
        sqlite: db.backend() == Backend::Sqlite,
    };
    let mut searched_since = None;
    // SQLite only, as the hazard ledger: PostgreSQL's generic plans do not know that the bound
    // date is recent and read the whole table for it; there a short keyword keeps the plain LIKE.
    if s.short() && s.sqlite {
        // The date of the window's oldest entry, from the date index alone; the LIKE then reads
        // no further back than that day.
        let mut probe = s.clone();
        probe.keyword = None;
        let mut q = probe.query("SELECT e.entry_date", Fts::No, false);
        q.push(" ORDER BY e.entry_date DESC LIMIT 1 OFFSET ")
            .push_arg(SHORT_KEYWORD_WINDOW - 1);
        let oldest: Vec<(NaiveDate,)> = ledger_statement(&q).fetch_all(db, generations).await?;
        if let Some((day,)) = oldest.first().copied() {
            if s.f.from.is_none_or(|from| from < day) {
                s.f.from = Some(day);
                searched_since = Some(day);
            }
        }
    }
    let funding = kind == LedgerKind::Funding;
    let (total, sum) = if funding {
        // Money is summed exactly, over every match; the count comes with it. Without a keyword
        // or organisation this reads `ledger_entry_kind_cover` alone (no join to org).
        // That pass read all 200,000 funding entries of the province on every page view, so
        // its result is kept while no ledger entry and no organisation changes (`cache`; the
        // organisation tree because PostgreSQL's statement resolves the subtree in a sub-select).
        let q = s.query(
            "SELECT COUNT(*), CAST(SUM(e.amount_fen) AS BIGINT)",
            Fts::Drive,
            true,
        );
        let rows: Vec<(i64, Option<i64>)> = ledger_statement(&q).fetch_all(db, generations).await?;
        let (n, sum) = rows.first().copied().unwrap_or((0, None));
        (n, sum.unwrap_or(0))
    } else {
        let mut q = s.query("SELECT COUNT(*) FROM (SELECT 1", Fts::Drive, true);
        q.push(" LIMIT ").push_arg(COUNT_CAP);
        q.push(") t");
        let (n,): (i64,) = ledger_statement(&q).fetch_one(db, generations).await?;
        (n, 0)
    };
    // The page's ids first, from the indexes; then only those rows are read and joined. A
    // keyword with fewer matches than the cap is looked up in the index and its matches sorted;
    // a common one is found faster by reading entries newest first until the page is full.
    let fts = if total < COUNT_CAP {
        Fts::Filter
    } else {
        Fts::No
    };
    let mut q = s.query(
        &format!("SELECT {COLS}{FROM} WHERE e.id IN (SELECT e.id"),
        fts,
        false,
    );
    // One more than the page: whether a next page exists, where the count stopped.
    q.push(" ORDER BY e.entry_date DESC, e.id DESC LIMIT ")
        .push_arg(page.page_size + 1);
    q.push(" OFFSET ").push_arg(page.offset());
    q.push(") ORDER BY e.entry_date DESC, e.id DESC");
    let mut items: Vec<Entry> = db.fetch_all(&q).await?;
    let more = items.len() as i64 > page.page_size;
    items.truncate(page.page_size as usize);
    Ok(LedgerPage {
        page: Page {
            items,
            total,
            page: page.page,
            page_size: page.page_size,
        },
        amount_fen_total: sum,
        capped: !funding && total >= COUNT_CAP,
        more,
        searched_since,
    })
}

/// `search`'s page and the funding total (分).
pub async fn list(
    db: &Db,
    ctx: &Ctx,
    kind: LedgerKind,
    f: &LedgerFilter,
    page: PageReq,
) -> Result<(Page<Entry>, i64)> {
    let p = search(db, ctx, kind, f, page).await?;
    Ok((p.page, p.amount_fen_total))
}
