//! Pages and JSON API of this module.

use utoipa::OpenApi;

use crate::routes::RouteTable;

/// Pages and JSON routes of this module.
pub fn routes() -> RouteTable {
    RouteTable::default()
}

#[derive(OpenApi)]
#[openapi()]
struct Doc;

/// This module's part of the OpenAPI document, merged into the whole by `api::document`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    Doc::openapi()
}
