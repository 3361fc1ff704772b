//! Figures for the half-year summary: accidents by grade and type, deaths and injuries, direct
//! loss, events by kind, and the duty figures of key periods (coverage, missed zero reports).
//! "无人员伤亡事故" may be written only when `accidents == 0` here: the register exists and is
//! empty for the period.

use std::collections::BTreeMap;

use serde::Serialize;

use anjian_domain::incident::{AccidentGrade, EventKind};
use anjian_domain::money::Fen;
use anjian_domain::period::Period;
use anjian_domain::role::Permission;

use super::day_start;
use crate::duty::DutyFigures;
use crate::error::Result;
use crate::query::{Db, Q};
use crate::Ctx;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct GradeCount {
    pub grade: &'static str,
    pub label: &'static str,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TypeCount {
    /// Standard the code belongs to, e.g. "GB/T 6441-1986".
    pub standard: String,
    pub code: String,
    pub name: String,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct KindCount {
    pub kind: &'static str,
    pub label: &'static str,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct IncidentStatistics {
    pub first: chrono::NaiveDate,
    pub last: chrono::NaiveDate,
    /// 生产安全事故 that occurred in the period.
    pub accidents: i64,
    pub deaths: i64,
    pub missing: i64,
    pub serious_injuries: i64,
    pub minor_injuries: i64,
    pub direct_loss_fen: i64,
    /// Accidents with at least one death or injury (人员伤亡事故).
    pub casualty_accidents: i64,
    pub by_grade: Vec<GradeCount>,
    pub by_type: Vec<TypeCount>,
    /// Every kind of event, accidents included.
    pub events_by_kind: Vec<KindCount>,
    /// Events still open (no 终报).
    pub open_events: i64,
    /// Ids of the accidents counted, so every figure traces back to its records.
    pub accident_ids: Vec<i64>,
    pub duty: DutyFigures,
}

impl IncidentStatistics {
    pub fn loss_wan_yuan(&self) -> String {
        Fen(self.direct_loss_fen).to_wan_yuan_2dp()
    }
}

type Row = (
    i64,
    String,
    Option<String>,
    String,
    String,
    i64,
    i64,
    i64,
    i64,
    i64,
    String,
);

/// Statistics of the subtree of `org_id` (default: the caller's organisation) for `period`,
/// counting events by their occurrence in Shanghai time.
pub async fn statistics(
    db: &Db,
    ctx: &Ctx,
    period: &Period,
    org_id: Option<i64>,
) -> Result<IncidentStatistics> {
    ctx.require(Permission::IncidentView)?;
    let path = crate::duty::subtree_path(db, ctx, org_id).await?;
    let end = period.last.succ_opt().unwrap_or(period.last);
    let rows: Vec<Row> = db
        .fetch_all(
            &Q::new(
                "SELECT i.id, i.event_kind, i.grade, i.accident_standard, i.accident_type, i.deaths, i.missing, \
                 i.serious_injuries, i.minor_injuries, i.direct_loss_fen, i.status \
                 FROM incident i JOIN org o ON o.id = i.org_id \
                 WHERE o.path LIKE $1 AND o.path LIKE $2 AND i.occurred_at >= $3 AND i.occurred_at < $4 \
                 ORDER BY i.occurred_at, i.id",
            )
            .bind(format!("{path}%"))
            .bind(ctx.scope_like())
            .bind(day_start(period.first))
            .bind(day_start(end)),
        )
        .await?;
    let mut by_grade: BTreeMap<AccidentGrade, i64> = BTreeMap::new();
    let mut by_type: BTreeMap<(String, String), i64> = BTreeMap::new();
    let mut by_kind: BTreeMap<&'static str, i64> = BTreeMap::new();
    let mut s = IncidentStatistics {
        first: period.first,
        last: period.last,
        accidents: 0,
        deaths: 0,
        missing: 0,
        serious_injuries: 0,
        minor_injuries: 0,
        direct_loss_fen: 0,
        casualty_accidents: 0,
        by_grade: Vec::new(),
        by_type: Vec::new(),
        events_by_kind: Vec::new(),
        open_events: 0,
        accident_ids: Vec::new(),
        duty: crate::duty::figures(db, ctx, period, &path).await?,
    };
    for (id, kind, grade, std, typ, deaths, missing, serious, minor, loss, status) in rows {
        let kind = EventKind::from_code(&kind).unwrap_or(EventKind::Other);
        *by_kind.entry(kind.code()).or_default() += 1;
        if status == "open" {
            s.open_events += 1;
        }
        if !kind.is_accident() {
            continue;
        }
        s.accidents += 1;
        s.accident_ids.push(id);
        s.deaths += deaths;
        s.missing += missing;
        s.serious_injuries += serious;
        s.minor_injuries += minor;
        s.direct_loss_fen += loss;
        if deaths + missing + serious + minor > 0 {
            s.casualty_accidents += 1;
        }
        if let Some(g) = grade.as_deref().and_then(AccidentGrade::from_code) {
            *by_grade.entry(g).or_default() += 1;
        }
        *by_type.entry((std, typ)).or_default() += 1;
    }
    s.by_grade = AccidentGrade::ALL
        .into_iter()
        .map(|g| GradeCount {
            grade: g.code(),
            label: g.label(),
            count: by_grade.get(&g).copied().unwrap_or(0),
        })
        .collect();
    s.by_type = by_type
        .into_iter()
        .map(|((standard, code), count)| TypeCount {
            name: anjian_domain::accident::Standard::by_code(&standard)
                .and_then(|st| st.name_of(&code))
                .unwrap_or("")
                .to_string(),
            standard,
            code,
            count,
        })
        .collect();
    s.events_by_kind = EventKind::ALL
        .into_iter()
        .map(|k| KindCount {
            kind: k.code(),
            label: k.label(),
            count: by_kind.get(k.code()).copied().unwrap_or(0),
        })
        .collect();
    Ok(s)
}
