//! The data layer: one `Db` that speaks SQLite (embedded default) or PostgreSQL (a URL), with the
//! same statements rendered per backend, migrations, and one module per business module. Every
//! repository function takes a `&Ctx`, checks the caller's permission there and filters by the
//! caller's organisation scope, so a handler cannot forget either.

pub mod attachment;
pub mod audit;
pub mod backup;
pub mod cache;
pub mod campaign;
pub mod checklist;
pub mod ctx;
pub mod dashboard;
pub mod duty;
pub mod error;
pub mod hazard;
pub mod incident;
pub mod inspection;
pub mod inspection_task;
pub mod job;
pub mod ledger;
pub mod migrate;
pub mod org;
pub mod query;
pub mod report;
pub mod risk;
pub mod session;
pub mod statistics;
pub mod user;

pub use ctx::{Actor, Ctx};
pub use error::{DbError, FieldErrors};
pub use query::{Arg, Db, Tx, Q};

/// One page of a list query. `page` starts at 1.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

impl<T> Page<T> {
    pub fn pages(&self) -> i64 {
        if self.total == 0 {
            1
        } else {
            (self.total + self.page_size - 1) / self.page_size
        }
    }
}

/// Page request, already clamped to sane bounds so no query can ask for a million rows.
#[derive(Debug, Clone, Copy)]
pub struct PageReq {
    pub page: i64,
    pub page_size: i64,
}

impl PageReq {
    pub const MAX_PAGE_SIZE: i64 = 200;

    pub fn new(page: Option<i64>, page_size: Option<i64>) -> PageReq {
        PageReq {
            page: page.unwrap_or(1).clamp(1, 1_000_000),
            page_size: page_size.unwrap_or(20).clamp(1, Self::MAX_PAGE_SIZE),
        }
    }

    pub fn offset(&self) -> i64 {
        (self.page - 1) * self.page_size
    }
}

/// Escapes LIKE wildcards in user input; statements use `ESCAPE '\'`.
pub fn like_pattern(input: &str) -> String {
    let mut out = String::from("%");
    for c in input.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// The current instant truncated to microseconds: PostgreSQL keeps microseconds, so values
/// written and read back compare equal on both backends (the audit hash depends on it).
pub fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::{DurationRound, TimeDelta};
    let n = chrono::Utc::now();
    n.duration_trunc(TimeDelta::microseconds(1)).unwrap_or(n)
}
