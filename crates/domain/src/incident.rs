//! Accidents and emergency events (事故/突发事件信息报告): the accident grade of 《生产安全事故报告和
//! 调查处理条例》(国务院令第493号) Art. 3, the report deadlines it implies, and the window in which a
//! change of casualties calls for a supplementary report (Art. 13). Sources: reference/domain-rules.md
//! §5.2, §5.3 and §7. Deadlines are settings (`ReportRules`), the grade thresholds are the law.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::money::Fen;

/// Accident grades, highest first (493号令 Art. 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccidentGrade {
    /// 特别重大事故.
    ExtremelySerious,
    /// 重大事故.
    Serious,
    /// 较大事故.
    Large,
    /// 一般事故.
    General,
}

impl AccidentGrade {
    pub const ALL: [AccidentGrade; 4] = [
        AccidentGrade::ExtremelySerious,
        AccidentGrade::Serious,
        AccidentGrade::Large,
        AccidentGrade::General,
    ];

    pub fn code(self) -> &'static str {
        match self {
            AccidentGrade::ExtremelySerious => "extremely_serious",
            AccidentGrade::Serious => "serious",
            AccidentGrade::Large => "large",
            AccidentGrade::General => "general",
        }
    }

    pub fn from_code(code: &str) -> Option<AccidentGrade> {
        Self::ALL.into_iter().find(|g| g.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            AccidentGrade::ExtremelySerious => "特别重大事故",
            AccidentGrade::Serious => "重大事故",
            AccidentGrade::Large => "较大事故",
            AccidentGrade::General => "一般事故",
        }
    }
}

/// 1 亿元 in 分.
const YI_YUAN: i64 = 100_000_000 * 100;
/// 1 万元 in 分.
const WAN_YUAN: i64 = 10_000 * 100;

/// The thresholds of Art. 3 for one grade: reached when any one is reached ("以上" includes the
/// bound, "以下" excludes it).
struct Threshold {
    grade: AccidentGrade,
    deaths: u32,
    serious_injuries: u32,
    loss: Fen,
}

const THRESHOLDS: [Threshold; 3] = [
    Threshold {
        grade: AccidentGrade::ExtremelySerious,
        deaths: 30,
        serious_injuries: 100,
        loss: Fen(YI_YUAN),
    },
    Threshold {
        grade: AccidentGrade::Serious,
        deaths: 10,
        serious_injuries: 50,
        loss: Fen(5_000 * WAN_YUAN),
    },
    Threshold {
        grade: AccidentGrade::Large,
        deaths: 3,
        serious_injuries: 10,
        loss: Fen(1_000 * WAN_YUAN),
    },
];

/// The grade of an accident: the highest grade any of deaths, serious injuries (including acute
/// industrial poisoning) or direct economic loss reaches. 一般 has no lower bound (Art. 3(四)): an
/// accident without casualties is still an accident.
pub fn grade(deaths: u32, serious_injuries: u32, direct_loss: Fen) -> AccidentGrade {
    THRESHOLDS
        .iter()
        .find(|t| {
            deaths >= t.deaths || serious_injuries >= t.serious_injuries || direct_loss >= t.loss
        })
        .map(|t| t.grade)
        .unwrap_or(AccidentGrade::General)
}

/// Which criterion decided the grade, for the page ("死亡3人，达到较大事故标准").
pub fn grade_reason(deaths: u32, serious_injuries: u32, direct_loss: Fen) -> String {
    let g = grade(deaths, serious_injuries, direct_loss);
    let Some(t) = THRESHOLDS.iter().find(|t| t.grade == g) else {
        return "未达到较大事故标准，为一般事故".to_string();
    };
    let mut why = Vec::new();
    if deaths >= t.deaths {
        why.push(format!("死亡{deaths}人"));
    }
    if serious_injuries >= t.serious_injuries {
        why.push(format!("重伤{serious_injuries}人"));
    }
    if direct_loss >= t.loss {
        why.push(format!("直接经济损失{}万元", direct_loss.to_wan_yuan_2dp()));
    }
    format!("{}，达到{}标准", why.join("、"), g.label())
}

/// Kinds of event reported through the same flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// 生产安全事故 (graded, counted as an accident).
    Accident,
    /// 汛情.
    Flood,
    /// 火情 without casualties.
    Fire,
    /// 设备故障.
    EquipmentFailure,
    /// 其他突发事件.
    Other,
}

impl EventKind {
    pub const ALL: [EventKind; 5] = [
        EventKind::Accident,
        EventKind::Flood,
        EventKind::Fire,
        EventKind::EquipmentFailure,
        EventKind::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            EventKind::Accident => "accident",
            EventKind::Flood => "flood",
            EventKind::Fire => "fire",
            EventKind::EquipmentFailure => "equipment_failure",
            EventKind::Other => "other",
        }
    }

    pub fn from_code(code: &str) -> Option<EventKind> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            EventKind::Accident => "生产安全事故",
            EventKind::Flood => "汛情",
            EventKind::Fire => "火情（无人员伤亡）",
            EventKind::EquipmentFailure => "设备故障",
            EventKind::Other => "其他突发事件",
        }
    }

    /// Whether the event counts in the accident register (and so in "无人员伤亡事故").
    pub fn is_accident(self) -> bool {
        self == EventKind::Accident
    }
}

/// Report time limits. Defaults are the national minimums of 493号令; provinces set shorter ones
/// (domain-rules §7 lists examples), so they are settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportRules {
    /// The unit head reports to the county-or-above department within this many minutes of the
    /// occurrence (Art. 9: 1 小时).
    pub initial_minutes: i64,
    /// Casualty changes within this many days of the accident call for a 补报 (Art. 13: 30 日).
    pub casualty_change_days: i64,
    /// The same window for road traffic and fire accidents (Art. 13: 7 日).
    pub casualty_change_days_traffic_fire: i64,
}

impl Default for ReportRules {
    fn default() -> Self {
        ReportRules {
            initial_minutes: 60,
            casualty_change_days: 30,
            casualty_change_days_traffic_fire: 7,
        }
    }
}

/// Where each default comes from, shown on the settings page.
pub const REPORT_RULE_SOURCES: &[(&str, &str)] = &[
    (
        "initial_minutes",
        "《生产安全事故报告和调查处理条例》（国务院令第493号）第九条：单位负责人接到报告后，应当于1小时内向事故发生地县级以上人民政府安全生产监督管理部门和负有安全生产监督管理职责的有关部门报告。各地可规定更短时限。",
    ),
    (
        "casualty_change_days",
        "同条例第十三条：自事故发生之日起30日内，事故造成的伤亡人数发生变化的，应当及时补报；道路交通事故、火灾事故自发生之日起7日内伤亡人数发生变化的，应当及时补报。",
    ),
];

impl ReportRules {
    /// When the initial report is due: occurrence plus the limit (instants in UTC; the page
    /// shows them in Asia/Shanghai, so a deadline may fall after midnight local time).
    pub fn initial_due(&self, occurred_at: DateTime<Utc>) -> DateTime<Utc> {
        occurred_at + Duration::minutes(self.initial_minutes)
    }

    /// Whether a casualty change noticed at `at` falls in the supplementary-report window of an
    /// accident that occurred at `occurred_at`. `traffic_or_fire` selects the 7-day window.
    pub fn casualty_change_needs_report(
        &self,
        occurred_at: DateTime<Utc>,
        at: DateTime<Utc>,
        traffic_or_fire: bool,
    ) -> bool {
        let days = if traffic_or_fire {
            self.casualty_change_days_traffic_fire
        } else {
            self.casualty_change_days
        };
        at >= occurred_at && at <= occurred_at + Duration::days(days)
    }

    pub fn validate(&self) -> Result<(), Vec<(&'static str, String)>> {
        let mut errs = Vec::new();
        if !(1..=24 * 60).contains(&self.initial_minutes) {
            errs.push(("initial_minutes", "首报时限应为 1 至 1440 分钟".to_string()));
        }
        if !(1..=365).contains(&self.casualty_change_days) {
            errs.push((
                "casualty_change_days",
                "伤亡变化补报期限应为 1 至 365 天".to_string(),
            ));
        }
        if !(1..=365).contains(&self.casualty_change_days_traffic_fire) {
            errs.push((
                "casualty_change_days_traffic_fire",
                "道路交通、火灾事故伤亡变化补报期限应为 1 至 365 天".to_string(),
            ));
        }
        if errs.is_empty() {
            Ok(())
        } else {
            Err(errs)
        }
    }
}

/// The state of an initial-report clock at `now`: minutes left (negative when overdue).
pub fn minutes_left(due: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    (due - now).num_minutes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn wan(w: i64, fen_extra: i64) -> Fen {
        Fen(w * WAN_YUAN + fen_extra)
    }

    #[test]
    fn deaths_boundaries() {
        let g = |d| grade(d, 0, Fen(0));
        assert_eq!(g(0), AccidentGrade::General);
        assert_eq!(g(2), AccidentGrade::General);
        assert_eq!(g(3), AccidentGrade::Large);
        assert_eq!(g(9), AccidentGrade::Large);
        assert_eq!(g(10), AccidentGrade::Serious);
        assert_eq!(g(29), AccidentGrade::Serious);
        assert_eq!(g(30), AccidentGrade::ExtremelySerious);
    }

    #[test]
    fn serious_injury_boundaries() {
        let g = |s| grade(0, s, Fen(0));
        assert_eq!(g(9), AccidentGrade::General);
        assert_eq!(g(10), AccidentGrade::Large);
        assert_eq!(g(49), AccidentGrade::Large);
        assert_eq!(g(50), AccidentGrade::Serious);
        assert_eq!(g(99), AccidentGrade::Serious);
        assert_eq!(g(100), AccidentGrade::ExtremelySerious);
    }

    #[test]
    fn loss_boundaries_to_the_fen() {
        let g = |f| grade(0, 0, f);
        // 999.99万 / 1000万
        assert_eq!(g(wan(999, 9_900 * 100)), AccidentGrade::General);
        assert_eq!(g(wan(1_000, -1)), AccidentGrade::General);
        assert_eq!(g(wan(1_000, 0)), AccidentGrade::Large);
        // 4999.99万 / 5000万
        assert_eq!(g(wan(4_999, 9_900 * 100)), AccidentGrade::Large);
        assert_eq!(g(wan(5_000, 0)), AccidentGrade::Serious);
        // 9999.99万 / 1亿
        assert_eq!(g(wan(9_999, 9_900 * 100)), AccidentGrade::Serious);
        assert_eq!(g(Fen(YI_YUAN)), AccidentGrade::ExtremelySerious);
    }

    #[test]
    fn the_highest_criterion_wins() {
        assert_eq!(grade(1, 60, Fen(0)), AccidentGrade::Serious);
        assert_eq!(grade(3, 0, Fen(YI_YUAN)), AccidentGrade::ExtremelySerious);
        assert_eq!(grade(0, 0, Fen(0)), AccidentGrade::General);
        assert_eq!(
            grade_reason(3, 12, Fen(0)),
            "死亡3人、重伤12人，达到较大事故标准"
        );
        assert_eq!(grade_reason(0, 1, Fen(0)), "未达到较大事故标准，为一般事故");
    }

    #[test]
    fn the_initial_deadline_crosses_midnight_in_shanghai() {
        let r = ReportRules::default();
        // 23:30 Beijing time = 15:30 UTC; due 00:30 the next day Beijing time.
        let occurred = Utc.with_ymd_and_hms(2023, 5, 1, 15, 30, 0).unwrap();
        let due = r.initial_due(occurred);
        let local = crate::time::to_shanghai(due);
        assert_eq!(
            local.format("%Y-%m-%d %H:%M").to_string(),
            "2023-05-02 00:30"
        );
        assert_eq!(minutes_left(due, occurred + Duration::minutes(45)), 15);
        assert_eq!(minutes_left(due, occurred + Duration::minutes(75)), -15);
    }

    #[test]
    fn casualty_change_windows() {
        let r = ReportRules::default();
        let t0 = Utc.with_ymd_and_hms(2023, 5, 1, 0, 0, 0).unwrap();
        assert!(r.casualty_change_needs_report(t0, t0 + Duration::days(30), false));
        assert!(!r.casualty_change_needs_report(t0, t0 + Duration::days(31), false));
        assert!(r.casualty_change_needs_report(t0, t0 + Duration::days(7), true));
        assert!(!r.casualty_change_needs_report(t0, t0 + Duration::days(8), true));
        let bad = ReportRules {
            initial_minutes: 0,
            ..Default::default()
        };
        assert_eq!(bad.validate().unwrap_err()[0].0, "initial_minutes");
    }
}
