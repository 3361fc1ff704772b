//! The checklist library (检查表库): pages (`routes`, `items`), JSON API (`api`) and form parsing
//! (`forms`). Also the small helpers the planning modules (campaigns, inspection tasks) share.

pub mod api;
pub mod forms;
pub mod items;
pub mod routes;

use axum::body::Bytes;
use axum::http::{header, HeaderMap};
use serde::de::DeserializeOwned;

use crate::error::AppError;
use crate::routes::RouteTable;

/// Pages and JSON routes of this module.
pub fn routes() -> RouteTable {
    routes::routes().merge(items::routes()).merge(api::routes())
}

/// This module's part of the OpenAPI document, merged into the whole by `api::document`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    use utoipa::OpenApi;
    api::Doc::openapi()
}

/// A JSON body parsed only after the handler has loaded the record it addresses, so that an id
/// outside the caller's scope is 404 whatever the body says (and 415/400/422 otherwise, in the one
/// error shape).
pub(crate) fn json_body<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<T, AppError> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !is_json {
        return Err(AppError::UnsupportedMedia(
            "请求内容类型应为 application/json".into(),
        ));
    }
    crate::extract::parse_json(body)
}

/// The status a re-rendered form answers with: 422 for field errors, 409 for a stale version.
pub(crate) fn form_status(
    errors: &anjian_db::FieldErrors,
    conflict: &Option<String>,
) -> axum::http::StatusCode {
    use axum::http::StatusCode;
    if conflict.is_some() {
        StatusCode::CONFLICT
    } else if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}
