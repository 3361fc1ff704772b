//! Duty (值班值守): the overview with today's duty, rosters (generate, edit, publish with the
//! coverage check, swaps, print/Excel/DOCX), the holiday calendar, the duty log and zero reports
//! (`pages`, `roster`, `shift`, `export`), and the JSON API (`api`).

pub mod api;
pub mod api_edit;
pub mod export;
pub mod pages;
pub mod roster;
pub mod shift;

use crate::routes::RouteTable;

/// Pages and JSON routes of this module.
pub fn routes() -> RouteTable {
    pages::routes()
        .merge(roster::routes())
        .merge(shift::routes())
        .merge(export::routes())
        .merge(api::routes())
        .merge(api_edit::routes())
}

/// This module's part of the OpenAPI document, merged into the whole by `api::document`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    use utoipa::OpenApi;
    let mut doc = api::Doc::openapi();
    doc.merge(api_edit::Doc::openapi());
    doc
}

/// A Chinese date with its weekday, "2023-01-22（日）".
pub fn day_label(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    let w = ["一", "二", "三", "四", "五", "六", "日"][d.weekday().num_days_from_monday() as usize];
    format!("{}（{w}）", d.format("%Y-%m-%d"))
}
