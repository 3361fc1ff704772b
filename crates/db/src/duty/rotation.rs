//! Pure rules of the roster: people as typed ("姓名 电话", one per line), a rotation over a date
//! range, and the coverage check (days that need a leader on duty and lack one). No I/O.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub name: String,
    pub phone: String,
}

/// A phone as people type it: digits with optional "-", "+" and spaces removed, 5 to 20 digits
/// (extensions, landlines with area code, mobiles).
pub fn valid_phone(p: &str) -> bool {
    let digits = p.chars().filter(|c| c.is_ascii_digit()).count();
    p.chars()
        .all(|c| c.is_ascii_digit() || c == '-' || c == '+')
        && (5..=20).contains(&digits)
}

/// People, one per line: "姓名 电话" (space, tab, comma or 、 between). A line with a bad phone is
/// an error naming the line.
pub fn parse_people(text: &str) -> Result<Vec<Person>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let mut parts = line
            .split(|c: char| c.is_whitespace() || c == ',' || c == '，' || c == '、')
            .filter(|s| !s.is_empty());
        // A line of separators only ("，，") names nobody: skip it like a blank line rather
        // than put a person without a name on the roster.
        let Some(name) = parts.next().map(str::to_string) else {
            continue;
        };
        let phone = parts.collect::<Vec<_>>().join("");
        if name.chars().count() > 30 {
            return Err(format!("第{}行：姓名不能超过30个字", i + 1));
        }
        if !phone.is_empty() && !valid_phone(&phone) {
            return Err(format!("第{}行：电话“{phone}”格式不正确", i + 1));
        }
        out.push(Person { name, phone });
    }
    Ok(out)
}

pub fn people_text(people: &[Person]) -> String {
    people
        .iter()
        .map(|p| {
            if p.phone.is_empty() {
                p.name.clone()
            } else {
                format!("{} {}", p.name, p.phone)
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// One generated day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayPlan {
    pub date: NaiveDate,
    pub leader: Option<Person>,
    pub officers: Vec<Person>,
}

/// A rotation: day i gets leader i mod n, and `per_day` officers continuing round the list.
pub fn rotate(
    first: NaiveDate,
    last: NaiveDate,
    leaders: &[Person],
    officers: &[Person],
    per_day: usize,
) -> Vec<DayPlan> {
    let mut out = Vec::new();
    let mut d = first;
    let mut i = 0usize;
    let mut next_officer = 0usize;
    while d <= last {
        let leader = (!leaders.is_empty()).then(|| leaders[i % leaders.len()].clone());
        let mut today = Vec::new();
        if !officers.is_empty() {
            for _ in 0..per_day.min(officers.len()) {
                today.push(officers[next_officer % officers.len()].clone());
                next_officer += 1;
            }
        }
        out.push(DayPlan {
            date: d,
            leader,
            officers: today,
        });
        i += 1;
        d = match d.succ_opt() {
            Some(n) => n,
            None => break,
        };
    }
    out
}

/// Days in `required` with no shift that has a leader (`led` = days with a leader).
pub fn days_without_leader(
    required: &BTreeSet<NaiveDate>,
    led: &BTreeSet<NaiveDate>,
) -> Vec<NaiveDate> {
    required.difference(led).copied().collect()
}
