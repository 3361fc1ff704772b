//! What a form or API request sends for a report, parsed into checked values with Chinese
//! messages naming the field. Numbers arrive as typed text so "abc" or "-1" is a field error,
//! never a 500.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use anjian_domain::incident::EventKind;
use anjian_domain::incident_flow::Figures;
use anjian_domain::money::Fen;

use crate::checklist::fields::text_field;
use crate::error::{DbError, FieldErrors, Result};

/// The 首报 of an event.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct IncidentInput {
    pub org_id: i64,
    /// `accident`, `flood`, `fire`, `equipment_failure`, `other`.
    pub event_kind: String,
    /// Accident type code of the current standard (accidents only), e.g. "19".
    pub accident_type: String,
    /// Road traffic or fire accident: the 7-day casualty-change window applies.
    pub traffic_or_fire: bool,
    pub title: String,
    /// Shanghai time as typed ("2023-05-01 08:30", "2023-05-01T08:30") or RFC 3339.
    pub occurred_at: String,
    pub place: String,
    pub account: String,
    #[serde(flatten)]
    pub figures: FiguresInput,
    pub measures: String,
    pub reporter: String,
    pub contacts: String,
}

/// Casualties and estimated direct loss as typed: counts of people, loss in 元.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct FiguresInput {
    pub deaths: String,
    pub missing: String,
    pub serious_injuries: String,
    pub minor_injuries: String,
    /// 元, up to two decimals.
    pub direct_loss_yuan: String,
}

/// A 续报 or 终报. Figures are the totals as of this report (blank keeps the previous value).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ReportInput {
    /// `follow_up` or `final`.
    pub kind: String,
    pub content: String,
    #[serde(flatten)]
    pub figures: FiguresInput,
    pub measures: String,
    pub reporter: String,
    /// 终报 only.
    pub cause: String,
    pub responsibility: String,
    pub corrective_actions: String,
}

/// More than any plausible event; keeps counts far from integer limits.
const MAX_PEOPLE: u32 = 100_000;

fn people(errs: &mut FieldErrors, field: &str, label: &str, v: &str, prev: u32) -> u32 {
    let v = v.trim();
    if v.is_empty() {
        return prev;
    }
    match v.parse::<i64>() {
        Ok(n) if n < 0 => {
            errs.add(field, format!("{label}不能为负数"));
            prev
        }
        Ok(n) if n > i64::from(MAX_PEOPLE) => {
            errs.add(field, format!("{label}不能超过{MAX_PEOPLE}人"));
            prev
        }
        Ok(n) => n as u32,
        Err(_) => {
            errs.add(field, format!("{label}必须是整数"));
            prev
        }
    }
}

impl FiguresInput {
    /// The figures, blank fields keeping `prev`.
    pub(super) fn parse(&self, errs: &mut FieldErrors, prev: &Figures) -> Figures {
        let loss = match self.direct_loss_yuan.trim() {
            "" => prev.direct_loss,
            s => match Fen::parse_yuan(s) {
                Ok(f) => f,
                Err(e) => {
                    errs.add(
                        "direct_loss_yuan",
                        format!(
                            "直接经济损失（元）{}",
                            e.to_string().replacen("金额", "", 1)
                        ),
                    );
                    prev.direct_loss
                }
            },
        };
        Figures {
            deaths: people(errs, "deaths", "死亡人数", &self.deaths, prev.deaths),
            missing: people(errs, "missing", "下落不明人数", &self.missing, prev.missing),
            serious_injuries: people(
                errs,
                "serious_injuries",
                "重伤人数",
                &self.serious_injuries,
                prev.serious_injuries,
            ),
            minor_injuries: people(
                errs,
                "minor_injuries",
                "轻伤人数",
                &self.minor_injuries,
                prev.minor_injuries,
            ),
            direct_loss: loss,
        }
    }
}

/// An instant typed in Shanghai time ("2023-05-01 08:30[:00]", the `datetime-local` form
/// "2023-05-01T08:30") or given with its offset (RFC 3339).
pub fn parse_instant(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    let s = s.replace('T', " ").replace('/', "-");
    ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(&s, f).ok())
        .and_then(|n| {
            anjian_domain::time::shanghai()
                .from_local_datetime(&n)
                .single()
        })
        .map(|t| t.with_timezone(&Utc))
}

pub(super) struct ValidIncident {
    pub kind: EventKind,
    pub accident_type: String,
    pub title: String,
    pub occurred_at: DateTime<Utc>,
    pub place: String,
    pub account: String,
    pub figures: Figures,
    pub measures: String,
    pub reporter: String,
    pub contacts: String,
}

/// A clock skew allowance: a report typed "now" on a device a little ahead is not "in the future".
const FUTURE_TOLERANCE_MINUTES: i64 = 5;

/// An instant field typed in Shanghai time: present, well-formed, in the plausible years and not
/// in the future; otherwise a Chinese message naming the field.
pub(crate) fn instant_field(
    errs: &mut FieldErrors,
    field: &str,
    label: &str,
    raw: &str,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    use chrono::Datelike;
    if raw.trim().is_empty() {
        errs.add(field, format!("{label}不能为空"));
        return None;
    }
    let Some(t) = parse_instant(raw) else {
        errs.add(
            field,
            format!(
                "{label}格式不正确：“{}”，应为如2023-05-01 08:30",
                raw.trim()
            ),
        );
        return None;
    };
    let year = anjian_domain::time::to_shanghai(t).year();
    let range = anjian_domain::dates::BUSINESS_YEARS;
    if !range.contains(&year) {
        errs.add(
            field,
            format!(
                "{label}超出合理范围（{}年至{}年）",
                range.start(),
                range.end()
            ),
        );
        return None;
    }
    if t > now + chrono::Duration::minutes(FUTURE_TOLERANCE_MINUTES) {
        errs.add(field, format!("{label}不能晚于当前时间"));
        return None;
    }
    Some(t)
}

impl IncidentInput {
    pub(super) fn parse(&self, now: DateTime<Utc>) -> Result<ValidIncident> {
        let mut errs = FieldErrors::new();
        let kind = EventKind::from_code(self.event_kind.trim());
        if kind.is_none() {
            errs.add("event_kind", "事件类别无效");
        }
        let std = anjian_domain::accident::CURRENT;
        let accident_type = match kind {
            Some(EventKind::Accident) => match std.parse(&self.accident_type) {
                Some(c) => c.to_string(),
                None => {
                    errs.add(
                        "accident_type",
                        format!("生产安全事故须选择事故类别（{}）", std.code),
                    );
                    String::new()
                }
            },
            _ => String::new(),
        };
        let title = text_field(&mut errs, "title", "标题", &self.title, true, 100);
        let occurred = instant_field(&mut errs, "occurred_at", "发生时间", &self.occurred_at, now);
        let place = text_field(&mut errs, "place", "发生地点", &self.place, true, 200);
        let account = text_field(&mut errs, "account", "简要经过", &self.account, true, 4000);
        let figures = self.figures.parse(&mut errs, &Figures::default());
        let measures = text_field(
            &mut errs,
            "measures",
            "已采取的措施",
            &self.measures,
            false,
            4000,
        );
        let reporter = text_field(&mut errs, "reporter", "报告人", &self.reporter, true, 50);
        let contacts = text_field(&mut errs, "contacts", "联系方式", &self.contacts, true, 200);
        if self.org_id <= 0 {
            errs.add("org_id", "请选择事发单位");
        }
        errs.into_result()?;
        match (kind, occurred) {
            (Some(kind), Some(occurred_at)) => Ok(ValidIncident {
                kind,
                accident_type,
                title,
                occurred_at,
                place,
                account,
                figures,
                measures,
                reporter,
                contacts,
            }),
            _ => Err(DbError::invalid("event_kind", "事件类别无效")),
        }
    }
}
