//! The safety work summary (安全生产工作总结) written from the records: the period's figures, each
//! computed by its module's statistics and traceable to the records it counts, and the wording
//! (`text`) that turns them into the summary's paragraphs.
//!
//! A figure whose register does not exist yet in this installation is `None`, never 0: the
//! wording then says nothing rather than claim, for instance, "无人员伤亡事故" without an accident
//! register.

pub mod check;
pub mod draft;
pub mod engine;
pub mod marker;
pub mod samples;
pub mod templates;
pub mod text;

use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};

use anjian_domain::money::Fen;
use anjian_domain::period::{Period, PeriodKind};
use anjian_domain::role::Permission;

use crate::error::Result;
use crate::query::{Db, Q};
use crate::statistics;
use crate::Ctx;

/// Names of the fire-safety campaigns of the default campaign set (campaign::defaults): their
/// inspections are the "消防安全专项检查" of part (四).
pub const FIRE_CAMPAIGN_WORDS: &[&str] = &["火灾防控", "一扇门"];

/// The period's figures. JSON keys are the report's public contract (`anjian report --format
/// json`, the API): counts as integers, money in 分, rates between 0 and 1, null where the
/// register the figure comes from is not kept in this installation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Figures {
    /// Period code (2023H1) and label (2023年上半年).
    pub period: String,
    pub period_label: String,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    /// The organisation the summary covers (the whole system: the bureau).
    pub org_id: Option<i64>,
    pub org_name: String,
    /// "上半年全系统" / "本季度本单位": how the prose names who did it and when.
    pub scope_word: String,
    /// "下半年" / "下一年度": the plan section's period.
    pub next_period_word: String,

    pub inspections: i64,
    pub inspected_orgs: i64,
    pub hazards_general_found: i64,
    pub hazards_general_rectified: i64,
    pub hazards_major_found: i64,
    pub hazards_major_listed: i64,
    pub hazards_rectified: i64,
    pub hazards_open: i64,
    pub hazards_overdue: i64,
    pub rectification_rate: Option<f64>,
    pub illegal_operations_found: i64,

    pub accidents: Option<i64>,
    pub deaths: Option<i64>,
    pub injuries: Option<i64>,

    pub funding_fen: Option<i64>,
    pub publicity_events: Option<i64>,
    pub trainings: Option<i64>,
    pub drills: Option<i64>,
    /// Drills whose scenario is fire or flood (part 四).
    pub drills_fire_flood: Option<i64>,
    pub safety_meetings: Option<i64>,
    pub responsibility_letters_signed: Option<i64>,
    pub units_drill_overdue: Option<i64>,

    pub risk_points: Option<i64>,
    pub risks_major: Option<i64>,
    /// Major risks whose point names no responsible person.
    pub risks_major_unassigned: Option<i64>,

    /// Key periods of the period around which inspections were recorded (春节、全国两会…).
    pub key_periods: String,
    /// The fire campaigns with inspections in the period, and those inspections.
    pub fire_campaigns: String,
    pub fire_campaign_inspections: i64,
    /// Key periods in the next period, for the plan.
    pub next_key_periods: String,
}

impl Figures {
    /// A figure as the prose shows it: counts as integers, funding in 万元 with two decimals, the
    /// rate as a percentage. Unknown keys show as "—" (`fig()` refuses them, so a template naming
    /// a figure that does not exist is not saved; `engine::FIGURE_KEYS` lists the known ones).
    pub fn display(&self, key: &str) -> String {
        let n = |v: i64| v.to_string();
        let opt = |v: Option<i64>| v.map(n).unwrap_or_else(|| "—".into());
        match key {
            "inspections" => n(self.inspections),
            "inspected_orgs" => n(self.inspected_orgs),
            "hazards_general_found" => n(self.hazards_general_found),
            "hazards_general_rectified" => n(self.hazards_general_rectified),
            "hazards_major_found" => n(self.hazards_major_found),
            "hazards_major_listed" => n(self.hazards_major_listed),
            "hazards_rectified" => n(self.hazards_rectified),
            "hazards_open" => n(self.hazards_open),
            "hazards_overdue" => n(self.hazards_overdue),
            "illegal_operations_found" => n(self.illegal_operations_found),
            "fire_campaign_inspections" => n(self.fire_campaign_inspections),
            "rectification_rate" => self
                .rectification_rate
                .map(percent)
                .unwrap_or_else(|| "—".into()),
            "funding" => self
                .funding_fen
                .map(|f| Fen(f).to_wan_yuan_2dp())
                .unwrap_or_else(|| "—".into()),
            "accidents" => opt(self.accidents),
            "deaths" => opt(self.deaths),
            "injuries" => opt(self.injuries),
            "publicity_events" => opt(self.publicity_events),
            "trainings" => opt(self.trainings),
            "drills" => opt(self.drills),
            "drills_fire_flood" => opt(self.drills_fire_flood),
            "safety_meetings" => opt(self.safety_meetings),
            "responsibility_letters_signed" => opt(self.responsibility_letters_signed),
            "risk_points" => opt(self.risk_points),
            "risks_major" => opt(self.risks_major),
            "risks_major_unassigned" => opt(self.risks_major_unassigned),
            _ => "—".into(),
        }
    }
}

/// 1.0 → "100%", 0.9811 → "98.1%", 0.5 → "50%": one decimal, trailing zero dropped.
pub fn percent(rate: f64) -> String {
    let tenths = (rate * 1000.0).round() as i64;
    if tenths % 10 == 0 {
        format!("{}%", tenths / 10)
    } else {
        format!("{}.{}%", tenths / 10, tenths % 10)
    }
}

/// How the prose names the period ("上半年") and the next one ("下半年").
fn period_words(p: &Period) -> (&'static str, &'static str) {
    match p.kind {
        PeriodKind::HalfYear if p.first.month() <= 6 => ("上半年", "下半年"),
        PeriodKind::HalfYear => ("下半年", "下一年度"),
        PeriodKind::Year => ("全年", "下一年度"),
        PeriodKind::Quarter => ("本季度", "下一季度"),
        PeriodKind::Month => ("本月", "下月"),
        PeriodKind::Custom => ("本期", "下一阶段"),
    }
}

/// The period right after `p`, of the same length where it has one.
fn next_period(p: &Period) -> Period {
    let start = p.last.checked_add_days(Days::new(1)).unwrap_or(p.last);
    let span = (p.last - p.first).num_days().max(0) as u64;
    let end = start.checked_add_days(Days::new(span)).unwrap_or(start);
    Period {
        first: start,
        last: end,
        kind: PeriodKind::Custom,
    }
}

/// A key period's name without its year prefix ("2023年春节" → "春节").
fn bare_name(name: &str) -> String {
    match name.split_once('年') {
        Some((y, rest)) if y.chars().all(|c| c.is_ascii_digit()) && !rest.is_empty() => {
            rest.to_string()
        }
        _ => name.to_string(),
    }
}

/// The materialised path of the summary's subtree: `org_id` (in scope, else NotFound), the
/// caller's organisation, or for the command line the root of the tree.
pub async fn subtree_path(db: &Db, ctx: &Ctx, org_id: Option<i64>) -> Result<String> {
    Ok(match org_id.or(ctx.org_id()) {
        Some(id) => {
            let (path,): (String,) = db
                .fetch_one(
                    &Q::new("SELECT path FROM org WHERE id = $1 AND path LIKE $2")
                        .bind(id)
                        .bind(ctx.scope_like()),
                )
                .await?;
            path
        }
        None => {
            let (path,): (String,) = db
                .fetch_one(&Q::new(
                    "SELECT path FROM org WHERE parent_id IS NULL ORDER BY id LIMIT 1",
                ))
                .await?;
            path
        }
    })
}

/// The figures of `period` for the subtree of `org_id` (default: the caller's organisation; the
/// command line: the whole system).
pub async fn figures(db: &Db, ctx: &Ctx, period: &Period, org_id: Option<i64>) -> Result<Figures> {
    ctx.require(Permission::HazardView)?;
    let (org_name, path, whole): (String, String, bool) = match org_id.or(ctx.org_id()) {
        Some(id) => {
            let (name, path, kind): (String, String, String) = db
                .fetch_one(
                    &Q::new("SELECT name, path, kind FROM org WHERE id = $1 AND path LIKE $2")
                        .bind(id)
                        .bind(ctx.scope_like()),
                )
                .await?;
            (name, path, kind == "bureau")
        }
        None => {
            let (name, path): (String, String) = db
                .fetch_one(&Q::new(
                    "SELECT name, path FROM org WHERE parent_id IS NULL ORDER BY id LIMIT 1",
                ))
                .await?;
            (name, path, true)
        }
    };
    let (short, next_word) = period_words(period);
    let like = format!("{path}%");

    // The parts below are independent reads: they run side by side on the pool's connections
    // (the summary's figures of a year read ~0.5 s of indexes on the province dataset, most of
    // it in the ledgers and the risk register).
    let hazards = statistics::hazard_statistics(db, ctx, period, org_id);
    // Key periods with inspections in the week before or during them, and the next period's.
    let periods = async {
        let rows: Vec<(String, NaiveDate, NaiveDate)> = db
            .fetch_all(
                &Q::new(
                    "SELECT c.name, c.start_date, c.end_date FROM campaign c \
                     WHERE c.kind = 'key_period' AND c.start_date <= $2 AND c.end_date >= $1 \
                     AND c.active = $3 ORDER BY c.start_date, c.id",
                )
                .bind(period.first)
                .bind(period.last)
                .bind(true),
            )
            .await?;
        let mut key_periods: Vec<String> = Vec::new();
        for (name, start, end) in rows {
            let from = start.checked_sub_days(Days::new(7)).unwrap_or(start);
            let (n,): (i64,) = db
                .fetch_one(
                    &Q::new(
                        "SELECT COUNT(*) FROM inspection i JOIN org o ON o.id = i.org_id \
                         WHERE o.path LIKE $1 AND i.inspected_on >= $2 AND i.inspected_on <= $3",
                    )
                    .bind(like.clone())
                    .bind(from.max(period.first))
                    .bind(end.min(period.last)),
                )
                .await?;
            let bare = bare_name(&name);
            if n > 0 && !key_periods.contains(&bare) {
                key_periods.push(bare);
            }
        }
        let next = next_period(period);
        let upcoming: Vec<(String,)> = db
            .fetch_all(
                &Q::new(
                    "SELECT name FROM campaign WHERE kind = 'key_period' AND start_date >= $1 \
                     AND start_date <= $2 AND active = $3 ORDER BY start_date, id",
                )
                .bind(next.first)
                .bind(next.last)
                .bind(true),
            )
            .await?;
        let mut next_key_periods: Vec<String> = Vec::new();
        for (name,) in upcoming {
            let bare = bare_name(&name);
            if !next_key_periods.contains(&bare) {
                next_key_periods.push(bare);
            }
        }
        Ok::<_, crate::DbError>((key_periods, next_key_periods))
    };
    // The risk register is a state, not a flow: its figures are the register as it stood at the
    // period's end — the risks first assessed on or before its last day (the assessment date people
    // enter, so a register recorded later with its real dates counts where it belongs), at their
    // current level. A summary of a past half-year does not count risks identified afterwards.
    // Read point by point (`CROSS JOIN` keeps SQLite's loop in that order; PostgreSQL plans it as
    // any join): each point's risks from `risk_of_point`, their assessments from
    // `risk_version_assessed` (migration 0014); risk by risk it took 0.5 s on the province dataset.
    let risks = async {
        if !ctx.can(Permission::RiskView) {
            return Ok::<_, crate::DbError>((None, None, None));
        }
        let (points, major, unassigned): (i64, i64, i64) = db
            .fetch_one(
                &Q::new(
                    "SELECT COUNT(DISTINCT r.risk_point_id), \
                     COUNT(CASE WHEN r.level_rank = 1 THEN 1 END), \
                     COUNT(CASE WHEN r.level_rank = 1 AND p.responsible_user_id IS NULL \
                           AND p.responsible_name = '' THEN 1 END) \
                     FROM risk_point p CROSS JOIN risk r JOIN org o ON o.id = r.org_id \
                     WHERE r.risk_point_id = p.id AND o.path LIKE $1 AND r.active = $3 \
                     AND p.active = $3 AND EXISTS (SELECT 1 FROM risk_version v \
                     WHERE v.risk_id = r.id AND v.kind = 'assessment' AND v.assessed_on <= $2)",
                )
                .bind(like.clone())
                .bind(period.last)
                .bind(true),
            )
            .await?;
        Ok((Some(points), Some(major), Some(unassigned)))
    };
    let ledgers = async {
        if !ctx.can(Permission::LedgerView) {
            return Ok::<_, crate::DbError>((None, None, None));
        }
        let l = crate::ledger::statistics(db, ctx, period, org_id).await?;
        // Part (四) speaks of fire and flood drills: the scenarios that name fire (火) or flood (汛).
        let (fire_flood,): (i64,) = db
            .fetch_one(
                &Q::new(
                    "SELECT COUNT(*) FROM ledger_entry e JOIN org o ON o.id = e.org_id \
                     WHERE e.kind = 'drill' AND e.deleted_at IS NULL AND o.path LIKE $1 \
                     AND e.entry_date >= $2 AND e.entry_date <= $3 \
                     AND (e.category LIKE '%火%' OR e.category LIKE '%汛%')",
                )
                .bind(like.clone())
                .bind(period.first)
                .bind(period.last),
            )
            .await?;
        // Units whose last drill is older than the required interval, as of today: the plan
        // section asks them to drill.
        let overdue = crate::ledger::drill_board(db, ctx, anjian_domain::time::today(crate::now()))
            .await?
            .iter()
            .filter(|r| r.plan_overdue || r.onsite_overdue)
            .count() as i64;
        Ok((Some(l), Some(fire_flood), Some(overdue)))
    };
    // The accident register (事故信息报告): only with it may the summary say "无人员伤亡事故".
    let incidents = async {
        if !ctx.can(Permission::IncidentView) {
            return Ok::<_, crate::DbError>(None);
        }
        Ok(Some(
            crate::incident::statistics(db, ctx, period, org_id).await?,
        ))
    };
    let (
        hz,
        (key_periods, next_key_periods),
        (risk_points, risks_major, risks_major_unassigned),
        (ledger, drills_fire_flood, units_drill_overdue),
        incidents,
    ) = tokio::try_join!(hazards, periods, risks, ledgers, incidents)?;
    let fire: Vec<&statistics::CampaignStats> = hz
        .per_campaign
        .iter()
        .filter(|c| c.inspections > 0 && FIRE_CAMPAIGN_WORDS.iter().any(|w| c.name.contains(w)))
        .collect();
    let mut fire_names: Vec<String> = Vec::new();
    for c in &fire {
        let bare = bare_name(&c.name);
        if !fire_names.contains(&bare) {
            fire_names.push(bare);
        }
    }
    Ok(Figures {
        accidents: incidents.as_ref().map(|i| i.accidents),
        deaths: incidents.as_ref().map(|i| i.deaths),
        injuries: incidents
            .as_ref()
            .map(|i| i.serious_injuries + i.minor_injuries),
        funding_fen: ledger.as_ref().map(|l| l.funding_fen),
        publicity_events: ledger.as_ref().map(|l| l.publicity_events),
        trainings: ledger.as_ref().map(|l| l.trainings),
        drills: ledger.as_ref().map(|l| l.drills),
        drills_fire_flood,
        safety_meetings: ledger.as_ref().map(|l| l.safety_meetings),
        responsibility_letters_signed: ledger.as_ref().map(|l| l.responsibility_letters_signed),
        units_drill_overdue,
        risk_points,
        risks_major,
        risks_major_unassigned,
        period: period.code(),
        period_label: period.label(),
        first_day: period.first,
        last_day: period.last,
        org_id,
        org_name,
        scope_word: format!("{short}{}", if whole { "全系统" } else { "本单位" }),
        next_period_word: next_word.to_string(),
        inspections: hz.inspections,
        inspected_orgs: hz.inspected_orgs,
        hazards_general_found: hz.hazards_general_found,
        hazards_general_rectified: hz.hazards_general_rectified,
        hazards_major_found: hz.hazards_major_found,
        hazards_major_listed: hz.hazards_major_listed,
        hazards_rectified: hz.hazards_rectified,
        hazards_open: hz.hazards_open,
        hazards_overdue: hz.hazards_overdue,
        rectification_rate: hz.rectification_rate,
        illegal_operations_found: hz.illegal_operations_found,
        key_periods: key_periods.join("、"),
        fire_campaigns: fire_names.join("、"),
        fire_campaign_inspections: fire.iter().map(|c| c.inspections).sum(),
        next_key_periods: next_key_periods.join("、"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_read_as_written() {
        assert_eq!(percent(1.0), "100%");
        assert_eq!(percent(0.5), "50%");
        assert_eq!(percent(104.0 / 106.0), "98.1%");
        assert_eq!(percent(0.0), "0%");
    }

    #[test]
    fn key_period_names_lose_their_year() {
        assert_eq!(bare_name("2023年春节"), "春节");
        assert_eq!(bare_name("数字中国建设峰会"), "数字中国建设峰会");
        assert_eq!(bare_name("2023年"), "2023年");
    }

    #[test]
    fn the_next_period_follows_on() {
        let p = Period::parse("2023H1").unwrap();
        let n = next_period(&p);
        assert_eq!(n.first, NaiveDate::from_ymd_opt(2023, 7, 1).unwrap());
        assert_eq!(period_words(&p), ("上半年", "下半年"));
    }
}
