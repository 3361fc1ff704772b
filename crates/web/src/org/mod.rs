//! Organisations: pages (`routes`), JSON API (`api`) and form parsing (`forms`).

pub mod api;
pub mod forms;
pub mod import;
pub mod routes;
