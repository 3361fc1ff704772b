//! Campaigns (专项行动) and key periods (重要时段): pages (`routes`), JSON API (`api`) and form
//! parsing (`forms`).

pub mod api;
pub mod forms;
pub mod routes;

use crate::routes::RouteTable;

/// Pages and JSON routes of this module.
pub fn routes() -> RouteTable {
    routes::routes().merge(api::routes())
}

/// This module's part of the OpenAPI document, merged into the whole by `api::document`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    use utoipa::OpenApi;
    api::Doc::openapi()
}
