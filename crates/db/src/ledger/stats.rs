//! Period statistics of the ledgers (counts and sums by period, unit and category, computed in
//! SQL on both databases) and the boards: units overdue for a drill, quarters without a quarterly
//! safety meeting, units without a responsibility letter, people short of training hours.

use chrono::NaiveDate;
use serde::Serialize;

use anjian_domain::ledger::{
    drill_overdue, quarters_begun, training_shortfall, DrillIntervals, LedgerKind, TrainingMinimums,
};
use anjian_domain::money::Fen;
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
fn in_period(ctx: &Ctx, head: &str, period: &Period, org_path: Option<&str>, by_unit: bool) -> Q {
    let mut q = Q::new(head);
    q.push(" FROM ledger_entry e JOIN org o ON o.id = e.org_id");
    if by_unit {
        q.push(" LEFT JOIN org u ON u.kind = 'unit' AND o.path LIKE u.path || '%'");
    }
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
    let mut q = in_period(
        ctx,
        "SELECT e.kind, COUNT(*), CAST(SUM(e.amount_fen) AS BIGINT), CAST(SUM(e.hours_tenths) AS BIGINT), \
         CAST(SUM(e.participants) AS BIGINT), CAST(SUM(CASE WHEN e.category = 'quarterly' THEN 1 ELSE 0 END) AS BIGINT)",
        period,
        path,
        false,
    );
    q.push(" GROUP BY e.kind");
    type KindRow = (
        String,
        i64,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
    );
    for (kind, n, fen, hours, people, quarterly) in db.fetch_all::<KindRow>(&q).await? {
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
        false,
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
    let mut q = in_period(
        ctx,
        "SELECT COALESCE(u.id, o.id), COALESCE(u.name, o.name), MIN(COALESCE(u.path, o.path)), e.kind, \
         COUNT(*), CAST(SUM(e.amount_fen) AS BIGINT)",
        period,
        path,
        true,
    );
    q.push(" GROUP BY COALESCE(u.id, o.id), COALESCE(u.name, o.name), e.kind ORDER BY 3, 4");
    type UnitRow = (i64, String, String, String, i64, Option<i64>);
    for (id, name, _, kind, n, fen) in db.fetch_all::<UnitRow>(&q).await? {
        if s.by_unit.last().is_none_or(|u| u.org_id != id) {
            s.by_unit.push(UnitStatistics {
                org_id: id,
                org_name: name,
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

fn last_drill(q: &mut Q, plan_types: &str) {
    q.push(
        "(SELECT MAX(e.entry_date) FROM ledger_entry e JOIN org o ON o.id = e.org_id \
         WHERE e.kind = 'drill' AND e.deleted_at IS NULL AND o.path LIKE u.path || '%' AND e.plan_type IN (",
    )
    .push(plan_types)
    .push("))");
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
    let mut q = Q::new("SELECT u.id, u.name, ");
    last_drill(&mut q, "'comprehensive', 'special'");
    q.push(", ");
    last_drill(&mut q, "'onsite'");
    q.push(" FROM org u WHERE u.kind = 'unit' AND u.active = ")
        .push_arg(true);
    q.push(" AND u.path LIKE ").push_arg(ctx.scope_like());
    q.push(" ORDER BY u.sort_order, u.path LIMIT 5000");
    type Row = (i64, String, Option<NaiveDate>, Option<NaiveDate>);
    Ok(db
        .fetch_all::<Row>(&q)
        .await?
        .into_iter()
        .map(|(id, name, plan, onsite)| DrillBoardRow {
            org_id: id,
            org_name: name,
            last_plan: plan,
            last_onsite: onsite,
            plan_overdue: drill_overdue(plan, intervals.plan_months, today),
            onsite_overdue: drill_overdue(onsite, intervals.onsite_months, today),
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
    let mut q = Q::new("SELECT x.id, x.name");
    for quarter in 1..=4u32 {
        let Some(p) = Period::quarter(year, quarter) else {
            continue;
        };
        q.push(
            ", (SELECT COUNT(*) FROM ledger_entry e JOIN org o ON o.id = e.org_id WHERE e.kind = 'meeting' \
             AND e.category = 'quarterly' AND e.deleted_at IS NULL AND ((x.kind = 'bureau' AND e.org_id = x.id) \
             OR (x.kind = 'unit' AND o.path LIKE x.path || '%')) AND e.entry_date >= ",
        )
        .push_arg(p.first)
        .push(" AND e.entry_date <= ")
        .push_arg(p.last)
        .push(")");
    }
    q.push(" FROM org x WHERE x.kind IN ('bureau', 'unit') AND x.active = ")
        .push_arg(true);
    q.push(" AND x.path LIKE ").push_arg(ctx.scope_like());
    q.push(" ORDER BY x.path LIMIT 5000");
    let begun = quarters_begun(year, today);
    type Row = (i64, String, i64, i64, i64, i64);
    Ok(db
        .fetch_all::<Row>(&q)
        .await?
        .into_iter()
        .map(|(id, name, a, b, c, d)| {
            let quarters = [a, b, c, d];
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
    let sub = "FROM ledger_entry e JOIN org o ON o.id = e.org_id WHERE e.kind = 'letter' \
               AND e.deleted_at IS NULL AND o.path LIKE u.path || '%' AND e.year = ";
    let mut q = Q::new(&format!("SELECT u.id, u.name, (SELECT MIN(e.id) {sub}"));
    q.push_arg(i64::from(year));
    q.push(&format!("), (SELECT MIN(e.entry_date) {sub}"));
    q.push_arg(i64::from(year));
    q.push(") FROM org u WHERE u.kind = 'unit' AND u.active = ")
        .push_arg(true);
    q.push(" AND u.path LIKE ").push_arg(ctx.scope_like());
    q.push(" ORDER BY u.sort_order, u.path LIMIT 5000");
    type Row = (i64, String, Option<i64>, Option<NaiveDate>);
    Ok(db
        .fetch_all::<Row>(&q)
        .await?
        .into_iter()
        .map(|(id, name, entry, signed)| LetterBoardRow {
            org_id: id,
            org_name: name,
            entry_id: entry,
            signed_on: signed,
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
