//! Period statistics of the ledgers (counts and sums by period, unit and category, computed in
//! SQL on both databases) and the boards: units overdue for a drill, quarters without a quarterly
//! safety meeting, units without a responsibility letter, people short of training hours.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::Serialize;

use anjian_domain::ledger::{
    drill_overdue, quarters_begun, training_shortfall, DrillIntervals, LedgerKind, TrainingMinimums,
};
use anjian_domain::money::Fen;
use anjian_domain::org::path_within;
use anjian_domain::period::Period;
use anjian_domain::role::{Permission, Role};

use crate::error::Result;
use crate::query::{Db, Q};
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

/// `FROM ledger_entry e JOIN org o … WHERE` live entries in the period, in scope, below `org_path`.
fn in_period(ctx: &Ctx, head: &str, period: &Period, org_path: Option<&str>) -> Q {
    let mut q = Q::new(head);
    q.push(" FROM ledger_entry e JOIN org o ON o.id = e.org_id");
    q.push(" WHERE e.deleted_at IS NULL AND e.entry_date >= ")
        .push_arg(period.first);
    q.push(" AND e.entry_date <= ").push_arg(period.last);
    q.push(" AND o.path LIKE ").push_arg(ctx.scope_like());
    if let Some(p) = org_path {
        q.push(" AND o.path LIKE ").push_arg(format!("{p}%"));
    }
    q
}

/// The path of an organisation in the caller's scope; NotFound otherwise.
async fn scoped_path(db: &Db, ctx: &Ctx, org_id: i64) -> Result<String> {
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
struct OrgRow {
    name: String,
    path: String,
    kind: String,
}

/// Every organisation by id (a province has ~2,000). Statistics and boards read the entries in
/// one grouped pass per organisation and roll the groups up by materialised path here: the
/// correlated sub-queries they replace joined every unit to its entries by `LIKE u.path || '%'`,
/// which no index serves (2–6 s a page on the province dataset).
async fn orgs_by_id(db: &Db) -> Result<HashMap<i64, OrgRow>> {
    let rows: Vec<(i64, String, String, String)> = db
        .fetch_all(&Q::new("SELECT id, name, path, kind FROM org"))
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, path, kind)| (id, OrgRow { name, path, kind }))
        .collect())
}

/// The values of `rows` (organisation id, value) whose organisation lies in the subtree `path`.
fn below<'a, T>(
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
    let path = match org_id {
        Some(id) => Some(scoped_path(db, ctx, id).await?),
        None => None,
    };
    let path = path.as_deref();
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
    // One pass over the period per organisation and kind, rolled up below into the totals and
    // the units. The earlier per-unit statement joined every entry to every unit by
    // `LIKE u.path || '%'` (1.5–2.4 s for a half-year of the province dataset on SQLite), and a
    // separate statement read the period again for the totals.
    let mut q = in_period(
        ctx,
        "SELECT e.org_id, e.kind, COUNT(*), CAST(SUM(e.amount_fen) AS BIGINT), \
         CAST(SUM(e.hours_tenths) AS BIGINT), CAST(SUM(e.participants) AS BIGINT), \
         CAST(SUM(CASE WHEN e.category = 'quarterly' THEN 1 ELSE 0 END) AS BIGINT)",
        period,
        path,
    );
    q.push(" GROUP BY e.org_id, e.kind");
    type GroupRow = (
        i64,
        String,
        i64,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
    );
    let groups: Vec<GroupRow> = db.fetch_all(&q).await?;
    let orgs = orgs_by_id(db).await?;
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
    for (org_id, kind, n, fen, hours, people, quarterly) in groups {
        let k = kinds.entry(kind.clone()).or_insert((0, [None; 4]));
        k.0 += n;
        for (total, v) in k.1.iter_mut().zip([fen, hours, people, quarterly]) {
            add(total, v);
        }
        let Some(org) = orgs.get(&org_id) else {
            continue;
        };
        let mut targets: Vec<UnitKey> = units
            .iter()
            .filter(|(_, u)| path_within(&org.path, &u.path))
            .map(|(id, u)| (u.path.as_str(), *id, u.name.as_str()))
            .collect();
        if targets.is_empty() {
            targets.push((org.path.as_str(), org_id, org.name.as_str()));
        }
        for t in targets {
            let u = per_unit.entry((t, kind.clone())).or_insert((0, None));
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
    let mut q = in_period(
        ctx,
        "SELECT e.category, CAST(SUM(e.amount_fen) AS BIGINT)",
        period,
        path,
    );
    q.push(" AND e.kind = 'funding' GROUP BY e.category");
    let sums: Vec<(String, Option<i64>)> = db.fetch_all(&q).await?;
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
    Ok(s)
}

// ---------------------------------------------------------------- boards

#[derive(Debug, Clone, Serialize)]
pub struct DrillBoardRow {
    pub org_id: i64,
    pub org_name: String,
    /// Last drill of a 综合 or 专项应急预案.
    pub last_plan: Option<NaiveDate>,
    /// Last drill of a 现场处置方案.
    pub last_onsite: Option<NaiveDate>,
    pub plan_overdue: bool,
    pub onsite_overdue: bool,
}

/// Units in scope and how long ago they last drilled, against the intervals of the settings
/// (by default 半年 for 现场处置方案, 一年 otherwise).
pub async fn drill_board(db: &Db, ctx: &Ctx, today: NaiveDate) -> Result<Vec<DrillBoardRow>> {
    ctx.require(Permission::LedgerView)?;
    let intervals = super::settings::rules(db).await?.drill;
    drill_board_with(db, ctx, today, intervals).await
}

/// `drill_board` against the intervals given.
pub async fn drill_board_with(
    db: &Db,
    ctx: &Ctx,
    today: NaiveDate,
    intervals: DrillIntervals,
) -> Result<Vec<DrillBoardRow>> {
    ctx.require(Permission::LedgerView)?;
    let mut q =
        Q::new("SELECT u.id, u.name, u.path FROM org u WHERE u.kind = 'unit' AND u.active = ");
    q.push_arg(true);
    q.push(" AND u.path LIKE ").push_arg(ctx.scope_like());
    q.push(" ORDER BY u.sort_order, u.path LIMIT 5000");
    let units: Vec<(i64, String, String)> = db.fetch_all(&q).await?;
    if units.is_empty() {
        return Ok(Vec::new());
    }
    // The last drill of each plan type per organisation; a unit's is the latest of its subtree.
    let mut q = Q::new(
        "SELECT e.org_id, e.plan_type, MAX(e.entry_date) FROM ledger_entry e JOIN org o ON o.id = e.org_id \
         WHERE e.kind = 'drill' AND e.deleted_at IS NULL \
         AND e.plan_type IN ('comprehensive', 'special', 'onsite') AND o.path LIKE ",
    );
    q.push_arg(ctx.scope_like());
    q.push(" GROUP BY e.org_id, e.plan_type");
    let rows: Vec<(i64, String, Option<NaiveDate>)> = db.fetch_all(&q).await?;
    let orgs = orgs_by_id(db).await?;
    let (onsite, plan): (Vec<_>, Vec<_>) = rows.into_iter().partition(|r| r.1 == "onsite");
    let onsite: Vec<(i64, Option<NaiveDate>)> = onsite.into_iter().map(|r| (r.0, r.2)).collect();
    let plan: Vec<(i64, Option<NaiveDate>)> = plan.into_iter().map(|r| (r.0, r.2)).collect();
    Ok(units
        .into_iter()
        .map(|(id, name, path)| {
            let plan = below(&orgs, &plan, &path).flatten().max().copied();
            let onsite = below(&orgs, &onsite, &path).flatten().max().copied();
            DrillBoardRow {
                org_id: id,
                org_name: name,
                last_plan: plan,
                last_onsite: onsite,
                plan_overdue: drill_overdue(plan, intervals.plan_months, today),
                onsite_overdue: drill_overdue(onsite, intervals.onsite_months, today),
            }
        })
        .collect())
}

#[derive(Debug, Clone, Serialize)]
pub struct MeetingBoardRow {
    pub org_id: i64,
    pub org_name: String,
    /// Quarterly safety meetings held in Q1–Q4.
    pub quarters: [i64; 4],
    /// Quarters that have begun and had none.
    pub missing: Vec<u32>,
}

/// The bureau and units in scope, with the 季度安全生产工作会议 each held per quarter of `year`.
/// The bureau counts only its own meetings; a unit counts those of its subtree.
pub async fn meeting_board(
    db: &Db,
    ctx: &Ctx,
    year: i32,
    today: NaiveDate,
) -> Result<Vec<MeetingBoardRow>> {
    ctx.require(Permission::LedgerView)?;
    let mut q = Q::new(
        "SELECT x.id, x.name, x.kind, x.path FROM org x WHERE x.kind IN ('bureau', 'unit') AND x.active = ",
    );
    q.push_arg(true);
    q.push(" AND x.path LIKE ").push_arg(ctx.scope_like());
    q.push(" ORDER BY x.path LIMIT 5000");
    let orgs: Vec<(i64, String, String, String)> = db.fetch_all(&q).await?;
    let quarters: Vec<Period> = (1..=4u32)
        .filter_map(|quarter| Period::quarter(year, quarter))
        .collect();
    // One pass over the year's quarterly meetings in scope, counted per organisation and quarter.
    let mut counts: Vec<(i64, [i64; 4])> = Vec::new();
    if let (false, Some(first), Some(last)) = (orgs.is_empty(), quarters.first(), quarters.last()) {
        let mut q = Q::new("SELECT e.org_id");
        for p in &quarters {
            q.push(", COUNT(CASE WHEN e.entry_date >= ")
                .push_arg(p.first)
                .push(" AND e.entry_date <= ")
                .push_arg(p.last)
                .push(" THEN 1 END)");
        }
        q.push(
            " FROM ledger_entry e JOIN org o ON o.id = e.org_id WHERE e.kind = 'meeting' \
             AND e.category = 'quarterly' AND e.deleted_at IS NULL AND e.entry_date >= ",
        )
        .push_arg(first.first)
        .push(" AND e.entry_date <= ")
        .push_arg(last.last);
        q.push(" AND o.path LIKE ").push_arg(ctx.scope_like());
        q.push(" GROUP BY e.org_id");
        type Row = (i64, i64, i64, i64, i64);
        counts = db
            .fetch_all::<Row>(&q)
            .await?
            .into_iter()
            .map(|(id, a, b, c, d)| (id, [a, b, c, d]))
            .collect();
    }
    let all = if counts.is_empty() {
        HashMap::new()
    } else {
        orgs_by_id(db).await?
    };
    let begun = quarters_begun(year, today);
    Ok(orgs
        .into_iter()
        .map(|(id, name, kind, path)| {
            let mut quarters = [0i64; 4];
            let mine: Vec<&[i64; 4]> = if kind == "bureau" {
                counts
                    .iter()
                    .filter(|(o, _)| *o == id)
                    .map(|(_, c)| c)
                    .collect()
            } else {
                below(&all, &counts, &path).collect()
            };
            for c in mine {
                for (total, n) in quarters.iter_mut().zip(c) {
                    *total += n;
                }
            }
            let missing = (1..=begun)
                .filter(|q| quarters[(*q - 1) as usize] == 0)
                .collect();
            MeetingBoardRow {
                org_id: id,
                org_name: name,
                quarters,
                missing,
            }
        })
        .collect())
}

#[derive(Debug, Clone, Serialize)]
pub struct LetterBoardRow {
    pub org_id: i64,
    pub org_name: String,
    /// The entry and signing date of the unit's letter for the year, if any.
    pub entry_id: Option<i64>,
    pub signed_on: Option<NaiveDate>,
}

/// Units in scope and whether they signed a responsibility letter for `year`.
pub async fn letter_board(db: &Db, ctx: &Ctx, year: i32) -> Result<Vec<LetterBoardRow>> {
    ctx.require(Permission::LedgerView)?;
    let mut q =
        Q::new("SELECT u.id, u.name, u.path FROM org u WHERE u.kind = 'unit' AND u.active = ");
    q.push_arg(true);
    q.push(" AND u.path LIKE ").push_arg(ctx.scope_like());
    q.push(" ORDER BY u.sort_order, u.path LIMIT 5000");
    let units: Vec<(i64, String, String)> = db.fetch_all(&q).await?;
    if units.is_empty() {
        return Ok(Vec::new());
    }
    // The year's letters in scope, the first entry and signing date per organisation.
    let mut q = Q::new(
        "SELECT e.org_id, MIN(e.id), MIN(e.entry_date) FROM ledger_entry e JOIN org o ON o.id = e.org_id \
         WHERE e.kind = 'letter' AND e.deleted_at IS NULL AND e.year = ",
    );
    q.push_arg(i64::from(year));
    q.push(" AND o.path LIKE ").push_arg(ctx.scope_like());
    q.push(" GROUP BY e.org_id");
    let rows: Vec<(i64, (Option<i64>, Option<NaiveDate>))> = db
        .fetch_all::<(i64, Option<i64>, Option<NaiveDate>)>(&q)
        .await?
        .into_iter()
        .map(|(org, id, date)| (org, (id, date)))
        .collect();
    let orgs = orgs_by_id(db).await?;
    Ok(units
        .into_iter()
        .map(|(id, name, path)| LetterBoardRow {
            org_id: id,
            org_name: name,
            entry_id: below(&orgs, &rows, &path).filter_map(|r| r.0).min(),
            signed_on: below(&orgs, &rows, &path).filter_map(|r| r.1).min(),
        })
        .collect())
}

#[derive(Debug, Clone, Serialize)]
pub struct PersonHours {
    pub user_id: i64,
    pub name: String,
    pub org_name: String,
    pub role: String,
    pub hours_tenths: i64,
    pub minimum_tenths: i64,
    pub shortfall_tenths: i64,
}

/// Training hours per person in `year` (trainings naming them as attendees) against the yearly
/// minimum of the settings for their role; people of the caller's scope, below `org_id`.
pub async fn training_hours(
    db: &Db,
    ctx: &Ctx,
    year: i32,
    org_id: Option<i64>,
) -> Result<Vec<PersonHours>> {
    ctx.require(Permission::LedgerView)?;
    let minimums = super::settings::rules(db).await?.training;
    training_hours_with(db, ctx, year, org_id, minimums).await
}

/// `training_hours` against the minimums given.
pub async fn training_hours_with(
    db: &Db,
    ctx: &Ctx,
    year: i32,
    org_id: Option<i64>,
    minimums: TrainingMinimums,
) -> Result<Vec<PersonHours>> {
    ctx.require(Permission::LedgerView)?;
    let Some(p) = Period::year(year) else {
        return Ok(Vec::new());
    };
    let mut q = Q::new(
        "SELECT u.id, u.name, o.name, u.role, (SELECT CAST(SUM(e.hours_tenths) AS BIGINT) FROM ledger_attendee a \
         JOIN ledger_entry e ON e.id = a.entry_id WHERE a.user_id = u.id AND e.kind = 'training' \
         AND e.deleted_at IS NULL AND e.entry_date >= ",
    );
    q.push_arg(p.first)
        .push(" AND e.entry_date <= ")
        .push_arg(p.last);
    q.push(") FROM app_user u JOIN org o ON o.id = u.org_id WHERE u.disabled = ")
        .push_arg(false);
    q.push(" AND u.role NOT IN ('system_admin', 'security_admin', 'audit_admin') AND o.path LIKE ")
        .push_arg(ctx.scope_like());
    if let Some(id) = org_id {
        let path = scoped_path(db, ctx, id).await?;
        q.push(" AND o.path LIKE ").push_arg(format!("{path}%"));
    }
    q.push(" ORDER BY o.path, u.name, u.id LIMIT 2000");
    type Row = (i64, String, String, String, Option<i64>);
    Ok(db
        .fetch_all::<Row>(&q)
        .await?
        .into_iter()
        .map(|(id, name, org_name, role, hours)| {
            let hours = hours.unwrap_or(0);
            let min = Role::from_code(&role)
                .map(|r| minimums.yearly_for(r))
                .unwrap_or(minimums.staff_yearly_tenths);
            PersonHours {
                user_id: id,
                name,
                org_name,
                role,
                hours_tenths: hours,
                minimum_tenths: min,
                shortfall_tenths: training_shortfall(hours, min),
            }
        })
        .collect())
}
