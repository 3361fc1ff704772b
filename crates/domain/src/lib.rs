//! Pure rules and types of anjian: identifiers, codes with check characters, money, periods, dates,
//! roles and permissions. No I/O and no async here, so every rule is testable in isolation and
//! the same on SQLite and PostgreSQL.

pub mod accident;
pub mod calendar;
pub mod dates;
pub mod hazard;
pub mod incident;
pub mod incident_flow;
pub mod inspection;
pub mod ledger;
pub mod money;
pub mod org;
pub mod password;
pub mod period;
pub mod risk;
pub mod role;
pub mod time;
pub mod uscc;
