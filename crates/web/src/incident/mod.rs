//! Accident and emergency-event reports (事故/突发事件信息报告): pages (`pages`: register, 首报
//! form, detail with 续报/终报, statistics, settings), form parsing (`forms`) and the JSON API
//! (`api`).

pub mod api;
pub mod forms;
pub mod pages;
pub mod settings;

use crate::routes::RouteTable;

/// Pages and JSON routes of this module.
pub fn routes() -> RouteTable {
    pages::routes().merge(api::routes())
}

/// This module's part of the OpenAPI document, merged into the whole by `api::document`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    use utoipa::OpenApi;
    api::Doc::openapi()
}
