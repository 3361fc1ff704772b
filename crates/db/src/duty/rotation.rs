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

/// One generated shift: the day, which of the day's shifts (index into the roster's shift
/// definitions), its leader and officers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayPlan {
    pub date: NaiveDate,
    pub shift: usize,
    pub leader: Option<Person>,
    pub officers: Vec<Person>,
}

/// A rotation over `shifts_per_day` shifts a day: shift after shift, day after day, each takes
/// the next leader of the list and the next `per_day` officers, continuing round the lists, so
/// with one shift a day day i gets leader i mod n.
pub fn rotate(
    first: NaiveDate,
    last: NaiveDate,
    shifts_per_day: usize,
    leaders: &[Person],
    officers: &[Person],
    per_day: usize,
) -> Vec<DayPlan> {
    let mut out = Vec::new();
    let mut d = first;
    let mut i = 0usize;
    let mut next_officer = 0usize;
    while d <= last {
        for shift in 0..shifts_per_day.max(1) {
            let leader = (!leaders.is_empty()).then(|| leaders[i % leaders.len()].clone());
            let mut team = Vec::new();
            if !officers.is_empty() {
                for _ in 0..per_day.min(officers.len()) {
                    team.push(officers[next_officer % officers.len()].clone());
                    next_officer += 1;
                }
            }
            out.push(DayPlan {
                date: d,
                shift,
                leader,
                officers: team,
            });
            i += 1;
        }
        d = match d.succ_opt() {
            Some(n) => n,
            None => break,
        };
    }
    out
}

/// The people of `lists` in order of first appearance, each once (by name): what a rotation was
/// generated from, recovered from its shifts so that regenerating starts from the same lists.
pub fn distinct_people<'a>(lists: impl IntoIterator<Item = &'a [Person]>) -> Vec<Person> {
    let mut out: Vec<Person> = Vec::new();
    for list in lists {
        for p in list {
            if !p.name.is_empty() && !out.iter().any(|q| q.name == p.name) {
                out.push(p.clone());
            }
        }
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
