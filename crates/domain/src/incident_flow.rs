//! The report flow of an accident or emergency event: 首报 opens it, 续报 append to it, 终报 closes
//! it, and nothing is appended after that. Pure transitions with typed refusals (the db layer loads
//! the state, applies, writes). Also what changed between two reports, whether the change calls for
//! a 补报 (493号令 Art. 13), and the report clocks shown to the bureau.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::incident::{grade, AccidentGrade, EventKind, ReportRules};
use crate::money::Fen;

/// The kind of one report of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// 首报.
    Initial,
    /// 续报 (including 补报 of casualty changes).
    FollowUp,
    /// 终报: cause, responsibility and corrective actions; closes the event.
    Final,
}

impl ReportKind {
    pub const ALL: [ReportKind; 3] = [ReportKind::Initial, ReportKind::FollowUp, ReportKind::Final];

    pub fn code(self) -> &'static str {
        match self {
            ReportKind::Initial => "initial",
            ReportKind::FollowUp => "follow_up",
            ReportKind::Final => "final",
        }
    }

    pub fn from_code(s: &str) -> Option<ReportKind> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            ReportKind::Initial => "首报",
            ReportKind::FollowUp => "续报",
            ReportKind::Final => "终报",
        }
    }
}

/// Whether an event is still being reported on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// No report yet (the state before 首报).
    New,
    Open,
    Closed,
}

impl Status {
    pub fn code(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Open => "open",
            Status::Closed => "closed",
        }
    }

    pub fn from_code(s: &str) -> Option<Status> {
        [Status::New, Status::Open, Status::Closed]
            .into_iter()
            .find(|k| k.code() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::New => "未报告",
            Status::Open => "处置中",
            Status::Closed => "已终报结案",
        }
    }
}

/// Why a report is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("该事件已有首报，请填写续报")]
    AlreadyReported,
    #[error("该事件尚无首报")]
    NotReported,
    #[error("该事件已终报结案，不能再追加报告")]
    Closed,
}

/// The next status after a report of `kind`, or why it is refused.
pub fn apply(status: Status, kind: ReportKind) -> Result<Status, Refusal> {
    match (status, kind) {
        (Status::Closed, _) => Err(Refusal::Closed),
        (Status::New, ReportKind::Initial) => Ok(Status::Open),
        (Status::New, _) => Err(Refusal::NotReported),
        (Status::Open, ReportKind::Initial) => Err(Refusal::AlreadyReported),
        (Status::Open, ReportKind::FollowUp) => Ok(Status::Open),
        (Status::Open, ReportKind::Final) => Ok(Status::Closed),
    }
}

/// Casualties and loss as one report states them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Figures {
    pub deaths: u32,
    pub missing: u32,
    pub serious_injuries: u32,
    pub minor_injuries: u32,
    pub direct_loss: Fen,
}

impl Figures {
    /// The 493号令 grade for an accident; other events have none.
    pub fn grade(&self, kind: EventKind) -> Option<AccidentGrade> {
        kind.is_accident()
            .then(|| grade(self.deaths, self.serious_injuries, self.direct_loss))
    }

    pub fn casualties(&self) -> (u32, u32, u32, u32) {
        (
            self.deaths,
            self.missing,
            self.serious_injuries,
            self.minor_injuries,
        )
    }
}

/// What changed between two reports, one Chinese phrase per figure ("死亡 0→1人").
pub fn changes(before: &Figures, after: &Figures) -> Vec<String> {
    let mut out = Vec::new();
    let mut count = |label: &str, a: u32, b: u32| {
        if a != b {
            out.push(format!("{label} {a}→{b}人"));
        }
    };
    count("死亡", before.deaths, after.deaths);
    count("下落不明", before.missing, after.missing);
    count("重伤", before.serious_injuries, after.serious_injuries);
    count("轻伤", before.minor_injuries, after.minor_injuries);
    if before.direct_loss != after.direct_loss {
        out.push(format!(
            "直接经济损失 {}→{}元",
            before.direct_loss.to_yuan_2dp(),
            after.direct_loss.to_yuan_2dp()
        ));
    }
    out
}

/// Whether a follow-up at `at` is a 补报 the law requires: an accident's casualties changed within
/// the window of Art. 13 (30 days; 7 for road traffic and fire).
pub fn is_supplementary(
    rules: &ReportRules,
    kind: EventKind,
    traffic_or_fire: bool,
    occurred_at: DateTime<Utc>,
    at: DateTime<Utc>,
    before: &Figures,
    after: &Figures,
) -> bool {
    kind.is_accident()
        && before.casualties() != after.casualties()
        && rules.casualty_change_needs_report(occurred_at, at, traffic_or_fire)
}

/// How often an open event is followed up. A setting: the interval (≥1 per day for 较大涉险 and
/// 一般 events, ≥2 per day for 重大/特别重大) is stated by secondary material whose origin
/// regulation is unconfirmed (reference/domain-rules.md §5.3), so it is a default to verify.
pub const DEFAULT_FOLLOW_UP_HOURS: i64 = 24;

pub const FOLLOW_UP_SOURCE: &str = "续报频次：较大涉险事故、一般事故每日至少续报1次，重大、特别重大事故每日至少2次（辅导材料所述，原始规定待核实），可按本地规定调整。";

/// The state of the report clocks of an event at `now`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Clock {
    /// When the 首报 was due (occurrence + the limit).
    pub initial_due: DateTime<Utc>,
    /// Minutes the 首报 came after its deadline; 0 when on time.
    pub initial_late_minutes: i64,
    /// For an open event, when the next 续报 is due, and the minutes left (negative: overdue).
    pub next_due: Option<DateTime<Utc>>,
    pub minutes_left: Option<i64>,
}

impl Clock {
    pub fn overdue(&self) -> bool {
        self.minutes_left.is_some_and(|m| m < 0)
    }
}

/// The clocks of an event: the 首报 against its 1-hour limit, and, while open, the next 续报
/// counted from the last report (half the interval for 重大 and above).
#[allow(clippy::too_many_arguments)] // each input is a distinct fact of the event
pub fn clock(
    rules: &ReportRules,
    follow_up_hours: i64,
    grade: Option<AccidentGrade>,
    occurred_at: DateTime<Utc>,
    first_reported_at: DateTime<Utc>,
    last_reported_at: DateTime<Utc>,
    status: Status,
    now: DateTime<Utc>,
) -> Clock {
    let initial_due = rules.initial_due(occurred_at);
    let initial_late_minutes = (first_reported_at - initial_due).num_minutes().max(0);
    let (next_due, minutes_left) = if status == Status::Open {
        let hours = match grade {
            Some(AccidentGrade::ExtremelySerious | AccidentGrade::Serious) => {
                (follow_up_hours / 2).max(1)
            }
            _ => follow_up_hours,
        };
        let due = last_reported_at + Duration::hours(hours);
        (Some(due), Some((due - now).num_minutes()))
    } else {
        (None, None)
    };
    Clock {
        initial_due,
        initial_late_minutes,
        next_due,
        minutes_left,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_flow_opens_appends_and_closes_once() {
        assert_eq!(apply(Status::New, ReportKind::Initial), Ok(Status::Open));
        assert_eq!(
            apply(Status::New, ReportKind::FollowUp),
            Err(Refusal::NotReported)
        );
        assert_eq!(
            apply(Status::Open, ReportKind::Initial),
            Err(Refusal::AlreadyReported)
        );
        assert_eq!(apply(Status::Open, ReportKind::FollowUp), Ok(Status::Open));
        assert_eq!(apply(Status::Open, ReportKind::Final), Ok(Status::Closed));
        for k in ReportKind::ALL {
            assert_eq!(apply(Status::Closed, k), Err(Refusal::Closed));
        }
    }

    #[test]
    fn changes_name_each_figure() {
        let a = Figures::default();
        let b = Figures {
            deaths: 1,
            minor_injuries: 2,
            direct_loss: Fen(150_050),
            ..a
        };
        assert_eq!(
            changes(&a, &b),
            vec!["死亡 0→1人", "轻伤 0→2人", "直接经济损失 0.00→1500.50元"]
        );
        assert!(changes(&b, &b).is_empty());
    }

    #[test]
    fn supplementary_only_for_accident_casualty_changes_in_the_window() {
        let r = ReportRules::default();
        let t0 = Utc.with_ymd_and_hms(2023, 5, 1, 2, 0, 0).unwrap();
        let a = Figures::default();
        let b = Figures { deaths: 1, ..a };
        let loss = Figures {
            direct_loss: Fen(100),
            ..a
        };
        let d = |n| t0 + Duration::days(n);
        assert!(is_supplementary(
            &r,
            EventKind::Accident,
            false,
            t0,
            d(30),
            &a,
            &b
        ));
        assert!(!is_supplementary(
            &r,
            EventKind::Accident,
            false,
            t0,
            d(31),
            &a,
            &b
        ));
        assert!(!is_supplementary(
            &r,
            EventKind::Accident,
            true,
            t0,
            d(8),
            &a,
            &b
        ));
        assert!(!is_supplementary(
            &r,
            EventKind::Accident,
            false,
            t0,
            d(1),
            &a,
            &loss
        ));
        assert!(!is_supplementary(
            &r,
            EventKind::Flood,
            false,
            t0,
            d(1),
            &a,
            &b
        ));
    }

    #[test]
    fn clocks() {
        let r = ReportRules::default();
        let t0 = Utc.with_ymd_and_hms(2023, 5, 1, 15, 30, 0).unwrap();
        let c = clock(
            &r,
            24,
            Some(AccidentGrade::General),
            t0,
            t0 + Duration::minutes(75),
            t0 + Duration::hours(2),
            Status::Open,
            t0 + Duration::hours(27),
        );
        assert_eq!(c.initial_late_minutes, 15);
        assert_eq!(c.minutes_left, Some(-60));
        assert!(c.overdue());
        let serious = clock(
            &r,
            24,
            Some(AccidentGrade::Serious),
            t0,
            t0,
            t0,
            Status::Open,
            t0 + Duration::hours(11),
        );
        assert_eq!(serious.minutes_left, Some(60));
        let closed = clock(&r, 24, None, t0, t0, t0, Status::Closed, t0);
        assert_eq!(closed.next_due, None);
        assert!(!closed.overdue());
    }

    #[test]
    fn grade_only_for_accidents() {
        let f = Figures {
            deaths: 3,
            ..Default::default()
        };
        assert_eq!(f.grade(EventKind::Accident), Some(AccidentGrade::Large));
        assert_eq!(f.grade(EventKind::Flood), None);
    }
}
