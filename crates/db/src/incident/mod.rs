//! Accident and emergency-event reports (事故/突发事件信息报告): 首报, 续报, 终报, the accident
//! register and its statistics.
//!
//! An `incident` row holds the event as its latest report states it; `incident_report` keeps
//! every report in order with its figures and what changed. Transitions go through
//! `anjian_domain::incident_flow::apply`; the grade of 国务院令493号 is recomputed and stored on
//! every report of an accident. Time limits are settings (`rules`), defaults from 493号令.

use chrono::{DateTime, Utc};
use serde::Serialize;

use anjian_domain::incident::{AccidentGrade, EventKind, ReportRules};
use anjian_domain::incident_flow::{self, Clock, Figures, ReportKind, Status};
use anjian_domain::money::Fen;
use anjian_domain::role::Permission;

mod input;
mod report;
mod settings;
mod stats;

pub(crate) use input::instant_field;
pub use input::{parse_instant, FiguresInput, IncidentInput, ReportInput};
pub use report::{append, create};
pub use settings::{rules, rules_version, save_rules, IncidentRules};
pub use stats::{statistics, GradeCount, IncidentStatistics, KindCount, TypeCount};

use crate::error::Result;
use crate::query::{Db, Tx, Q};
use crate::{Ctx, Page, PageReq};

/// An event as its latest report states it, with its organisation.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Incident {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    #[serde(skip)]
    pub org_path: String,
    pub event_kind: String,
    pub accident_standard: String,
    pub accident_type: String,
    pub traffic_or_fire: bool,
    pub title: String,
    pub occurred_at: DateTime<Utc>,
    pub place: String,
    pub account: String,
    pub deaths: i64,
    pub missing: i64,
    pub serious_injuries: i64,
    pub minor_injuries: i64,
    pub direct_loss_fen: i64,
    pub measures: String,
    pub reporter: String,
    pub contacts: String,
    pub grade: Option<String>,
    pub status: String,
    pub initial_due: DateTime<Utc>,
    pub first_reported_at: DateTime<Utc>,
    pub last_reported_at: DateTime<Utc>,
    pub cause: String,
    pub responsibility: String,
    pub corrective_actions: String,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_by: Option<i64>,
    pub reported_by: Option<i64>,
    pub row_version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub(crate) const COLS: &str = "i.id, i.org_id, o.name AS org_name, o.path AS org_path, i.event_kind, \
     i.accident_standard, i.accident_type, i.traffic_or_fire, i.title, i.occurred_at, i.place, i.account, \
     i.deaths, i.missing, i.serious_injuries, i.minor_injuries, i.direct_loss_fen, i.measures, i.reporter, \
     i.contacts, i.grade, i.status, i.initial_due, i.first_reported_at, \
     (SELECT MAX(r.reported_at) FROM incident_report r WHERE r.incident_id = i.id) AS last_reported_at, \
     i.cause, i.responsibility, i.corrective_actions, i.closed_at, i.closed_by, i.reported_by, \
     i.row_version, i.created_at, i.updated_at";

impl Incident {
    pub fn kind(&self) -> EventKind {
        EventKind::from_code(&self.event_kind).unwrap_or(EventKind::Other)
    }

    pub fn kind_label(&self) -> &'static str {
        self.kind().label()
    }

    pub fn grade(&self) -> Option<AccidentGrade> {
        self.grade.as_deref().and_then(AccidentGrade::from_code)
    }

    pub fn grade_label(&self) -> &'static str {
        self.grade().map(|g| g.label()).unwrap_or("—")
    }

    /// "死亡3人，达到较大事故标准" for accidents; empty for other events.
    pub fn grade_reason(&self) -> String {
        if self.kind().is_accident() {
            anjian_domain::incident::grade_reason(
                count(self.deaths),
                count(self.serious_injuries),
                Fen(self.direct_loss_fen),
            )
        } else {
            String::new()
        }
    }

    pub fn status(&self) -> Status {
        Status::from_code(&self.status).unwrap_or(Status::Open)
    }

    pub fn status_label(&self) -> &'static str {
        self.status().label()
    }

    pub fn is_open(&self) -> bool {
        self.status() == Status::Open
    }

    pub fn accident_type_label(&self) -> String {
        if self.accident_type.is_empty() {
            return String::new();
        }
        let name = anjian_domain::accident::Standard::by_code(&self.accident_standard)
            .and_then(|s| s.name_of(&self.accident_type))
            .unwrap_or("");
        format!("{} {}", self.accident_type, name)
    }

    pub fn figures(&self) -> Figures {
        Figures {
            deaths: count(self.deaths),
            missing: count(self.missing),
            serious_injuries: count(self.serious_injuries),
            minor_injuries: count(self.minor_injuries),
            direct_loss: Fen(self.direct_loss_fen),
        }
    }

    pub fn loss_yuan(&self) -> String {
        Fen(self.direct_loss_fen).to_yuan_2dp()
    }

    pub fn clock(&self, rules: &IncidentRules, now: DateTime<Utc>) -> Clock {
        incident_flow::clock(
            &rules.report,
            rules.follow_up_hours,
            self.grade(),
            self.occurred_at,
            self.first_reported_at,
            self.last_reported_at,
            self.status(),
            now,
        )
    }
}

/// Counts are stored non-negative (CHECK) and bounded by the input parser.
fn count(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

/// One report of an event.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct IncidentReport {
    pub id: i64,
    pub incident_id: i64,
    pub kind: String,
    pub reported_at: DateTime<Utc>,
    pub reported_by: Option<i64>,
    pub reporter: String,
    pub content: String,
    pub changes: String,
    pub supplementary: bool,
    pub deaths: i64,
    pub missing: i64,
    pub serious_injuries: i64,
    pub minor_injuries: i64,
    pub direct_loss_fen: i64,
    pub grade: Option<String>,
}

impl IncidentReport {
    pub fn kind_label(&self) -> &'static str {
        ReportKind::from_code(&self.kind)
            .map(|k| k.label())
            .unwrap_or("")
    }

    pub fn grade_label(&self) -> &'static str {
        self.grade
            .as_deref()
            .and_then(AccidentGrade::from_code)
            .map(|g| g.label())
            .unwrap_or("")
    }

    pub fn loss_yuan(&self) -> String {
        Fen(self.direct_loss_fen).to_yuan_2dp()
    }
}

fn by_id(ctx: Option<&Ctx>, id: i64) -> Q {
    let mut q = Q::new(&format!(
        "SELECT {COLS} FROM incident i JOIN org o ON o.id = i.org_id WHERE i.id = $1"
    ))
    .bind(id);
    if let Some(ctx) = ctx {
        q.push(" AND o.path LIKE ").push_arg(ctx.scope_like());
    }
    q
}

/// An event within the caller's scope; NotFound otherwise.
pub async fn get(db: &Db, ctx: &Ctx, id: i64) -> Result<Incident> {
    ctx.require(Permission::IncidentView)?;
    db.fetch_one(&by_id(Some(ctx), id)).await
}

pub(crate) async fn get_in_tx(tx: &mut Tx, ctx: &Ctx, id: i64) -> Result<Incident> {
    tx.fetch_one(&by_id(Some(ctx), id)).await
}

pub(crate) async fn reload(tx: &mut Tx, id: i64) -> Result<Incident> {
    tx.fetch_one(&by_id(None, id)).await
}

/// The reports of an event in the order they were made.
pub async fn reports(db: &Db, ctx: &Ctx, id: i64) -> Result<Vec<IncidentReport>> {
    get(db, ctx, id).await?;
    db.fetch_all(
        &Q::new(
            "SELECT id, incident_id, kind, reported_at, reported_by, reporter, content, changes, supplementary, \
             deaths, missing, serious_injuries, minor_injuries, direct_loss_fen, grade \
             FROM incident_report WHERE incident_id = $1 ORDER BY reported_at, id",
        )
        .bind(id),
    )
    .await
}

/// Filters of the register (事故台账) and the event list.
#[derive(Debug, Clone, Default)]
pub struct IncidentFilter {
    /// Only events of this kind (`accident` for the accident register).
    pub event_kind: Option<EventKind>,
    pub grade: Option<AccidentGrade>,
    pub accident_type: Option<String>,
    pub status: Option<Status>,
    /// Subtree of this organisation (must be in scope, else nothing matches).
    pub org_id: Option<i64>,
    /// Occurred on or after this day (Shanghai).
    pub from: Option<chrono::NaiveDate>,
    /// Occurred on or before this day (Shanghai).
    pub to: Option<chrono::NaiveDate>,
    pub keyword: Option<String>,
}

/// The first instant of a Shanghai day, in UTC.
pub fn day_start(d: chrono::NaiveDate) -> DateTime<Utc> {
    use chrono::TimeZone;
    anjian_domain::time::shanghai()
        .from_local_datetime(&d.and_time(chrono::NaiveTime::MIN))
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

fn filtered(ctx: &Ctx, head: &str, f: &IncidentFilter) -> Q {
    let mut q = Q::new(head);
    q.push(" FROM incident i JOIN org o ON o.id = i.org_id WHERE o.path LIKE ")
        .push_arg(ctx.scope_like());
    if let Some(k) = f.event_kind {
        q.push(" AND i.event_kind = ").push_arg(k.code());
    }
    if let Some(g) = f.grade {
        q.push(" AND i.grade = ").push_arg(g.code());
    }
    if let Some(t) = f.accident_type.as_deref().filter(|t| !t.is_empty()) {
        q.push(" AND i.accident_type = ").push_arg(t);
    }
    if let Some(s) = f.status {
        q.push(" AND i.status = ").push_arg(s.code());
    }
    if let Some(org) = f.org_id {
        q.push(" AND o.path LIKE (SELECT p.path FROM org p WHERE p.id = ")
            .push_arg(org);
        q.push(") || '%'");
    }
    if let Some(d) = f.from {
        q.push(" AND i.occurred_at >= ").push_arg(day_start(d));
    }
    if let Some(d) = f.to.and_then(|d| d.succ_opt()) {
        q.push(" AND i.occurred_at < ").push_arg(day_start(d));
    }
    q.push_keyword(f.keyword.as_deref(), &["i.title", "i.place", "i.account"]);
    q
}

/// One page of events, newest first.
pub async fn list(db: &Db, ctx: &Ctx, f: &IncidentFilter, page: PageReq) -> Result<Page<Incident>> {
    ctx.require(Permission::IncidentView)?;
    let count = filtered(ctx, "SELECT COUNT(*)", f);
    let q = filtered(ctx, &format!("SELECT {COLS}"), f);
    crate::checklist::fields::paged(db, &count, q, "i.occurred_at DESC, i.id DESC", page).await
}

/// Open events within the caller's scope with their clocks, the most urgent first (the home
/// page's to-do and the bureau's board).
pub async fn todo(db: &Db, ctx: &Ctx) -> Result<Vec<(Incident, Clock)>> {
    ctx.require(Permission::IncidentView)?;
    let rules = rules(db, ctx).await?;
    let f = IncidentFilter {
        status: Some(Status::Open),
        ..Default::default()
    };
    let mut q = filtered(ctx, &format!("SELECT {COLS}"), &f);
    q.push(" ORDER BY i.occurred_at DESC LIMIT 50");
    let now = crate::now();
    let mut rows: Vec<(Incident, Clock)> = db
        .fetch_all::<Incident>(&q)
        .await?
        .into_iter()
        .map(|i| {
            let c = i.clock(&rules, now);
            (i, c)
        })
        .collect();
    rows.sort_by_key(|(_, c)| c.minutes_left.unwrap_or(i64::MAX));
    Ok(rows)
}

/// Active organisations in the caller's scope, for the report form's organisation field
/// (indented by depth).
pub async fn orgs_for_picker(db: &Db, ctx: &Ctx) -> Result<Vec<(i64, String)>> {
    ctx.require(Permission::IncidentView)?;
    let rows: Vec<(i64, String, String)> = db
        .fetch_all(
            &Q::new(
                "SELECT id, name, path FROM org WHERE active = $1 AND path LIKE $2 ORDER BY path",
            )
            .bind(true)
            .bind(ctx.scope_like()),
        )
        .await?;
    let base = ctx.scope_path().matches('/').count();
    Ok(rows
        .into_iter()
        .map(|(id, name, path)| {
            let depth = path.matches('/').count().saturating_sub(base);
            (id, format!("{}{}", "　".repeat(depth), name))
        })
        .collect())
}

/// Whether the rules allow a report by this caller (for showing the buttons).
pub fn can_report(ctx: &Ctx) -> bool {
    ctx.can(Permission::IncidentReport)
}

pub(crate) fn rules_default() -> ReportRules {
    ReportRules::default()
}
