//! Shift definitions of a roster day (白班 08:30 起 12 小时, 夜班 20:30 起 12 小时): the rows as
//! typed, their validation (names, times, no overlap round the clock) and how a shift is labelled.
//! Kept apart from the roster's repository so the rules of a day's shifts can be read on their own.

use serde::{Deserialize, Serialize};

use crate::error::FieldErrors;

/// "白班 08:30 起 12 小时", or the times alone for an unnamed shift.
pub fn shift_label(name: &str, start: &str, hours: i64) -> String {
    let times = format!("{start} 起 {hours} 小时");
    if name.is_empty() {
        times
    } else {
        format!("{name} {times}")
    }
}

/// One shift of every roster day as typed: name (may be empty), start HH:MM, length in hours.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(default)]
pub struct ShiftDef {
    pub name: String,
    pub start: String,
    pub hours: String,
}

impl ShiftDef {
    fn is_blank(&self) -> bool {
        self.name.trim().is_empty() && self.start.trim().is_empty() && self.hours.trim().is_empty()
    }
}

/// Most shifts a day: 三班倒 is the most the units work.
pub const MAX_SHIFTS: usize = 3;

/// A validated shift definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ShiftSpec {
    pub name: String,
    pub start: String,
    pub hours: i64,
}

/// The field of the i-th shift as the roster form names it: `shift_start`, `shift_start_2`, …
pub fn shift_key(base: &str, i: usize) -> String {
    if i == 0 {
        base.to_string()
    } else {
        format!("{base}_{}", i + 1)
    }
}

/// Start and length of one shift; blanks take the default 08:30 and 24 hours when `defaults`.
fn shift_times(
    errs: &mut FieldErrors,
    i: usize,
    prefix: &str,
    start: &str,
    hours: &str,
    defaults: bool,
) -> (String, i64) {
    let start = match start.trim() {
        "" if defaults => "08:30".to_string(),
        "" => {
            errs.add(
                &shift_key("shift_start", i),
                format!("{prefix}请填写交班时间"),
            );
            "08:30".to_string()
        }
        s => match chrono::NaiveTime::parse_from_str(s, "%H:%M") {
            Ok(t) => t.format("%H:%M").to_string(),
            Err(_) => {
                errs.add(
                    &shift_key("shift_start", i),
                    format!("{prefix}交班时间格式应为 时:分，如 08:30"),
                );
                "08:30".to_string()
            }
        },
    };
    let hours = match hours.trim() {
        "" if defaults => 24,
        s => match s.parse::<i64>() {
            Ok(h) if (1..=24).contains(&h) => h,
            _ => {
                errs.add(
                    &shift_key("shift_hours", i),
                    format!("{prefix}班次时长应为 1 至 24 小时的整数"),
                );
                24
            }
        },
    };
    (start, hours)
}

pub(crate) fn shift_fields(errs: &mut FieldErrors, start: &str, hours: &str) -> (String, i64) {
    shift_times(errs, 0, "", start, hours, true)
}

fn minutes(start: &str) -> i64 {
    chrono::NaiveTime::parse_from_str(start, "%H:%M")
        .map(|t| {
            use chrono::Timelike;
            i64::from(t.hour()) * 60 + i64::from(t.minute())
        })
        .unwrap_or(0)
}

/// The shifts of a roster day, in order of their start: blank rows are skipped (none at all is
/// the default 24-hour shift from 08:30); names are unique, and the shifts may not overlap
/// round the clock (白班 08:30 12 小时 then 夜班 20:30 12 小时 fits; 夜班 20:00 overlaps).
/// Errors name the row's fields (`shift_start_2`) and say which shift.
pub(crate) fn parse_shifts(errs: &mut FieldErrors, defs: &[ShiftDef]) -> Vec<ShiftSpec> {
    let rows: Vec<(usize, &ShiftDef)> = defs
        .iter()
        .enumerate()
        .filter(|(_, d)| !d.is_blank())
        .collect();
    if rows.is_empty() {
        return vec![ShiftSpec {
            name: String::new(),
            start: "08:30".into(),
            hours: 24,
        }];
    }
    if rows.len() > MAX_SHIFTS {
        errs.add("shifts", format!("每天最多设{MAX_SHIFTS}个班次"));
        return Vec::new();
    }
    let single = rows.len() == 1;
    let mut out: Vec<(usize, ShiftSpec)> = Vec::new();
    let before = errs.0.len();
    for (i, d) in rows {
        let prefix = if single {
            String::new()
        } else {
            format!("第{}个班次：", i + 1)
        };
        let name = d.name.trim().to_string();
        if name.chars().count() > 10 {
            errs.add(
                &shift_key("shift_name", i),
                format!("{prefix}班次名称不能超过10个字"),
            );
        } else if !name.is_empty() && out.iter().any(|(_, s)| s.name == name) {
            errs.add(
                &shift_key("shift_name", i),
                format!("{prefix}班次名称“{name}”重复"),
            );
        } else if !single && name.is_empty() {
            errs.add(
                &shift_key("shift_name", i),
                format!("{prefix}请填写班次名称，如 白班、夜班"),
            );
        }
        let (start, hours) = shift_times(errs, i, &prefix, &d.start, &d.hours, single);
        out.push((i, ShiftSpec { name, start, hours }));
    }
    if errs.0.len() == before {
        out.sort_by_key(|(_, s)| minutes(&s.start));
        let n = out.len();
        for k in 0..n {
            let (_, a) = &out[k];
            let (j, b) = &out[(k + 1) % n];
            let end = minutes(&a.start) + a.hours * 60;
            let next = minutes(&b.start) + if k + 1 == n { 1440 } else { 0 };
            if n > 1 && end > next {
                errs.add(
                    &shift_key("shift_start", *j),
                    format!(
                        "第{}个班次：{}起的班次与前一班次（{} 起 {} 小时）时间重叠",
                        j + 1,
                        b.start,
                        a.start,
                        a.hours
                    ),
                );
                break;
            }
        }
    }
    out.into_iter().map(|(_, s)| s).collect()
}
