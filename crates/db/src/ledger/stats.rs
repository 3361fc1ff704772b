//! Period statistics of the ledgers: counts and sums by period, unit and category, computed in
//! SQL on both databases. The boards (`boards`) share the roll-up helpers here.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::Serialize;

use anjian_domain::ledger::LedgerKind;
use anjian_domain::money::Fen;
use anjian_domain::org::path_within;
use anjian_domain::period::Period;
use anjian_domain::role::Permission;

use crate::cache::{self, Cached, Topic};
use crate::error::Result;
use crate::org::filter::{reach, Orgs};
use crate::query::{Backend, Db, Q};
use crate::Ctx;

#[derive(Debug, Clone, Serialize)]
pub struct CategoryFunding {
    pub code: String,
    pub label: String,
    pub fen: i64,
}

impl CategoryFunding {
    pub fn wan_yuan(&self) -> String {
        Fen(self.fen).to_wan_yuan_2dp()
    }
}

/// One unit's figures (entries at a site count for its unit; bureau-level entries for the
/// bureau itself).
#[derive(Debug, Clone, Default, Serialize)]
pub struct UnitStatistics {
    pub org_id: i64,
    pub org_name: String,
    pub funding_fen: i64,
    pub publicity_events: i64,
    pub trainings: i64,
    pub drills: i64,
    pub safety_meetings: i64,
    pub responsibility_letters_signed: i64,
}

impl UnitStatistics {
    pub fn funding_wan_yuan(&self) -> String {
        Fen(self.funding_fen).to_wan_yuan_2dp()
    }
}

/// What the half-year summary cites: "累计落实安全生产经费投入11.93万元", "开展宣传活动16场，培训活动
/// 15场，应急演练11场", quarterly meetings, letters signed.
#[derive(Debug, Clone, Serialize)]
pub struct LedgerStatistics {
    pub first: NaiveDate,
    pub last: NaiveDate,
    pub funding_fen: i64,
    pub publicity_events: i64,
    pub trainings: i64,
    /// Sum of the trainings' 学时, in tenths.
    pub training_hours_tenths: i64,
    pub training_participants: i64,
    pub drills: i64,
    pub safety_meetings: i64,
    pub quarterly_meetings: i64,
    pub responsibility_letters_signed: i64,
    /// All ten categories in order, zero where nothing was spent.
    pub funding_by_category: Vec<CategoryFunding>,
    pub by_unit: Vec<UnitStatistics>,
}

impl LedgerStatistics {
    /// The funding total in 万元 with two decimals, rounded half up on the 分 integer.
    pub fn funding_wan_yuan(&self) -> String {
        Fen(self.funding_fen).to_wan_yuan_2dp()
    }
}

/// `FROM ledger_entry e WHERE` live entries in the period of the organisations in reach (scope
/// and subtree, resolved by `org::filter::reach`): no join to `org`, which cost a lookup per
/// entry of the period, and none at all for a caller who sees the whole tree.
fn in_period(head: &str, period: &Period, orgs: &Orgs) -> Q {
    let mut q = Q::new(head);
    q.push(" FROM ledger_entry e WHERE e.deleted_at IS NULL AND e.entry_date >= ")
        .push_arg(period.first);
    q.push(" AND e.entry_date <= ").push_arg(period.last);
    orgs.push_condition(&mut q, "e.org_id", "e.id");
    q
}

/// What `statistics_with` reads per organisation and kind.
const GROUP_HEAD: &str = "SELECT e.org_id, e.kind, COUNT(*), CAST(SUM(e.amount_fen) AS BIGINT), \
     CAST(SUM(e.hours_tenths) AS BIGINT), CAST(SUM(e.participants) AS BIGINT), \
     CAST(SUM(CASE WHEN e.category = 'quarterly' THEN 1 ELSE 0 END) AS BIGINT)";

/// SQLite: the same groups, driven from the organisations in id order and, for each, a range of
/// `ledger_entry_org_kind` per kind and the period, so the rows arrive grouped. Reading the
/// period from `ledger_entry_period` (by date) made SQLite sort every entry of the period into a
/// temporary b-tree to group it: 192 ms against 84 ms for a year of the province dataset (256,000
/// entries, sqlite3 shell). PostgreSQL hashes the groups and keeps its plan (63 ms; 86 ms this way).
fn groups_by_org(period: &Period, orgs: &Orgs) -> Q {
    let mut q = Q::new(GROUP_HEAD);
    q.push(
        " FROM org o NOT INDEXED CROSS JOIN ledger_entry e ON e.org_id = o.id WHERE e.kind IN (",
    );
    for (i, k) in LedgerKind::ALL.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.push_arg(k.code());
    }
    q.push(") AND e.deleted_at IS NULL AND e.entry_date >= ")
        .push_arg(period.first);
    q.push(" AND e.entry_date <= ").push_arg(period.last);
    orgs.push_condition(&mut q, "o.id", "o.id");
    q.push(" GROUP BY o.id, e.kind");
    q
}

/// The path of an organisation in the caller's scope; NotFound otherwise.
pub(super) async fn scoped_path(db: &Db, ctx: &Ctx, org_id: i64) -> Result<String> {
    let (p,): (String,) = db
        .fetch_one(
            &Q::new("SELECT path FROM org WHERE id = $1 AND path LIKE $2")
                .bind(org_id)
                .bind(ctx.scope_like()),
        )
        .await?;
    Ok(p)
}

/// One organisation as the roll-ups need it.
pub(super) struct OrgRow {
    name: String,
    path: String,
    kind: String,
}

/// Every organisation by id (a province has ~2,000). Statistics and boards read the entries in
/// one grouped pass per organisation and roll the groups up by materialised path here: the
/// correlated sub-queries they replace joined every unit to its entries by `LIKE u.path || '%'`,
/// which no index serves (2–6 s a page on the province dataset).
pub(super) async fn orgs_by_id(db: &Db, ctx: &Ctx) -> Result<HashMap<i64, OrgRow>> {
    // The whole tree (2,000 rows for a province) on every statistics view and board: kept while
    // the tree stands still (`cache`).
    let generations = cache::current(db, ctx).await?;
    let q = Q::new("SELECT id, name, path, kind FROM org");
    let rows: Vec<(i64, String, String, String)> = Cached {
        q: &q,
        topics: &[Topic::Org],
    }
    .fetch_all(db, generations)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, path, kind)| (id, OrgRow { name, path, kind }))
        .collect())
}

/// The values of `rows` (organisation id, value) whose organisation lies in the subtree `path`.
pub(super) fn below<'a, T>(
    orgs: &'a HashMap<i64, OrgRow>,
    rows: &'a [(i64, T)],
    path: &'a str,
) -> impl Iterator<Item = &'a T> + 'a {
    rows.iter()
        .filter(move |(id, _)| orgs.get(id).is_some_and(|o| path_within(&o.path, path)))
        .map(|(_, v)| v)
}

/// Counts and sums of the ledgers over `period`, for the caller's scope or the subtree of
/// `org_id` (NotFound when that organisation is outside the scope), by the use categories of
/// the settings.
pub async fn statistics(
    db: &Db,
    ctx: &Ctx,
    period: &Period,
    org_id: Option<i64>,
) -> Result<LedgerStatistics> {
    ctx.require(Permission::LedgerView)?;
    let categories = super::settings::funding_categories(db).await?;
    statistics_with(db, ctx, period, org_id, &categories).await
}

/// `statistics` with the use categories given: every active one in order, and a deactivated
/// one where money was filed under it in the period.
pub async fn statistics_with(
    db: &Db,
    ctx: &Ctx,
    period: &Period,
    org_id: Option<i64>,
    categories: &[super::settings::FundingCategory],
) -> Result<LedgerStatistics> {
    ctx.require(Permission::LedgerView)?;
    if let Some(id) = org_id {
        // NotFound outside the scope, rather than empty figures.
        scoped_path(db, ctx, id).await?;
    }
    let in_reach = reach(db, ctx, org_id).await?;
    // Both grouped statements below read every entry of the period (256,000 for a year of the
    // province). The first one's groups (~12,000: an organisation and kind each) are rolled up
    // over the tree into the totals and the units, and that roll-up is what is kept, while no
    // ledger entry and no organisation changes (`cache`): done on every call, it was over half
    // the CPU of the overview page (bench/ledgers.sh, perf). The second one's rows are kept.
    let generations = cache::current(db, ctx).await?;
    // One pass over the period per organisation and kind, rolled up in `roll_up`. The earlier
    // per-unit statement joined every entry to every unit by `LIKE u.path || '%'` (1.5–2.4 s for
    // a half-year of the province dataset on SQLite).
    // Grouping by category too would save the second statement below but makes four times the
    // groups: PostgreSQL's hash aggregate then spilled to disk (427 ms against 290 + 40 ms).
    let q = if db.backend() == Backend::Sqlite {
        groups_by_org(period, &in_reach)
    } else {
        let mut q = in_period(GROUP_HEAD, period, &in_reach);
        q.push(" GROUP BY e.org_id, e.kind");
        q
    };
    let grouped = ledger_statement(&q);
    let mut s = match grouped.peek_derived::<LedgerStatistics>(db, generations, ROLL_UP) {
        Some(s) => s,
        None => {
            // Read afresh, not kept: only their roll-up is used again.
            let groups: Vec<GroupRow> = db.fetch_all(&q).await?;
            let orgs = orgs_by_id(db, ctx).await?;
            let s = roll_up(period, groups, &orgs);
            grouped.keep_derived(db, generations, ROLL_UP, s.clone(), s.by_unit.len() + 1);
            s
        }
    };
    // The period's funding by category: `ledger_entry_kind_cover` alone.
    let mut q = in_period(
        "SELECT e.category, CAST(SUM(e.amount_fen) AS BIGINT)",
        period,
        &in_reach,
    );
    q.push(" AND e.kind = 'funding' GROUP BY e.category");
    let sums: Vec<(String, Option<i64>)> = ledger_statement(&q).fetch_all(db, generations).await?;
    s.funding_by_category = categories
        .iter()
        .map(|c| CategoryFunding {
            code: c.code.clone(),
            label: c.label.clone(),
            fen: sums
                .iter()
                .find(|(code, _)| *code == c.code)
                .and_then(|(_, f)| *f)
                .unwrap_or(0),
        })
        .zip(categories)
        .filter(|(f, c)| c.active || f.fen != 0)
        .map(|(f, _)| f)
        .collect();
    Ok(s)
}

/// The name of the kept roll-up of a statistics statement's groups (`cache::Cached::peek_derived`).
const ROLL_UP: &str = "ledger statistics roll-up";

/// A row of the statistics' grouped statement: organisation, kind, count, and the sums of 分,
/// training hours (tenths), participants and quarterly meetings.
type GroupRow = (
    i64,
    String,
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

/// The period's totals and units from the groups of `groups` (an organisation and kind each),
/// over the tree `orgs`; `funding_by_category` is left empty for the caller.
fn roll_up(
    period: &Period,
    groups: Vec<GroupRow>,
    orgs: &HashMap<i64, OrgRow>,
) -> LedgerStatistics {
    let mut s = LedgerStatistics {
        first: period.first,
        last: period.last,
        funding_fen: 0,
        publicity_events: 0,
        trainings: 0,
        training_hours_tenths: 0,
        training_participants: 0,
        drills: 0,
        safety_meetings: 0,
        quarterly_meetings: 0,
        responsibility_letters_signed: 0,
        funding_by_category: Vec::new(),
        by_unit: Vec::new(),
    };
    // An entry counts for every unit its organisation lies in, whatever the caller's scope (a
    // site's for its unit even when the caller sees only the site), otherwise for the
    // organisation itself (the bureau's own entries and its departments').
    let units: Vec<(i64, &OrgRow)> = orgs
        .iter()
        .filter(|(_, o)| o.kind == "unit")
        .map(|(id, o)| (*id, o))
        .collect();
    let add = |a: &mut Option<i64>, b: Option<i64>| {
        if let Some(b) = b {
            *a = Some(a.unwrap_or(0) + b);
        }
    };
    // Per kind: count and the sums (None while every summed value was NULL, as SQL's SUM).
    let mut kinds: BTreeMap<String, (i64, [Option<i64>; 4])> = BTreeMap::new();
    // Per unit, keyed by its path (the order of the old `ORDER BY path, kind`), and kind.
    type UnitKey<'a> = (&'a str, i64, &'a str);
    let mut per_unit: BTreeMap<(UnitKey, String), (i64, Option<i64>)> = BTreeMap::new();
    // The units each organisation counts for, worked out once per organisation rather than for
    // each of its (up to six) groups.
    let mut targets_of: HashMap<i64, Vec<UnitKey>> = HashMap::new();
    for (org_id, kind, n, fen, hours, people, quarterly) in groups {
        let k = kinds.entry(kind.clone()).or_insert((0, [None; 4]));
        k.0 += n;
        for (total, v) in k.1.iter_mut().zip([fen, hours, people, quarterly]) {
            add(total, v);
        }
        let Some(org) = orgs.get(&org_id) else {
            continue;
        };
        let targets = targets_of.entry(org_id).or_insert_with(|| {
            let mut t: Vec<UnitKey> = units
                .iter()
                .filter(|(_, u)| path_within(&org.path, &u.path))
                .map(|(id, u)| (u.path.as_str(), *id, u.name.as_str()))
                .collect();
            if t.is_empty() {
                t.push((org.path.as_str(), org_id, org.name.as_str()));
            }
            t
        });
        for t in targets.iter() {
            let u = per_unit.entry((*t, kind.clone())).or_insert((0, None));
            u.0 += n;
            add(&mut u.1, fen);
        }
    }
    for (kind, (n, [fen, hours, people, quarterly])) in kinds {
        match LedgerKind::from_code(&kind) {
            Some(LedgerKind::Funding) => s.funding_fen = fen.unwrap_or(0),
            Some(LedgerKind::Training) => {
                s.trainings = n;
                s.training_hours_tenths = hours.unwrap_or(0);
                s.training_participants = people.unwrap_or(0);
            }
            Some(LedgerKind::Publicity) => s.publicity_events = n,
            Some(LedgerKind::Drill) => s.drills = n,
            Some(LedgerKind::Meeting) => {
                s.safety_meetings = n;
                s.quarterly_meetings = quarterly.unwrap_or(0);
            }
            Some(LedgerKind::Letter) => s.responsibility_letters_signed = n,
            None => {}
        }
    }
    for (((_, id, name), kind), (n, fen)) in per_unit {
        if s.by_unit.last().is_none_or(|u| u.org_id != id) {
            s.by_unit.push(UnitStatistics {
                org_id: id,
                org_name: name.to_string(),
                ..Default::default()
            });
        }
        let Some(u) = s.by_unit.last_mut() else {
            continue;
        };
        match LedgerKind::from_code(&kind) {
            Some(LedgerKind::Funding) => u.funding_fen = fen.unwrap_or(0),
            Some(LedgerKind::Training) => u.trainings = n,
            Some(LedgerKind::Publicity) => u.publicity_events = n,
            Some(LedgerKind::Drill) => u.drills = n,
            Some(LedgerKind::Meeting) => u.safety_meetings = n,
            Some(LedgerKind::Letter) => u.responsibility_letters_signed = n,
            None => {}
        }
    }
    s
}

/// A statement over ledger entries and the tree, kept while neither changes (`cache`).
pub(super) fn ledger_statement(q: &Q) -> Cached<'_> {
    Cached {
        q,
        topics: &[Topic::Ledger, Topic::Org],
    }
}
