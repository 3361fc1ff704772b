//! Inspections (安全检查): the list, the two-step recording form with photos, the detail page,
//! header corrections and withdrawal, and the JSON API.

pub mod api;
pub mod forms;
pub mod new;
pub mod photos;
pub mod routes;

use axum::http::Method;
use utoipa::OpenApi;

use anjian_domain::role::Permission;

use crate::auth::Access;
use crate::routes::RouteTable;

/// Pages and JSON routes of this module.
pub fn routes() -> RouteTable {
    let view = Access::Perm(Permission::InspectionView);
    let record = Access::Perm(Permission::InspectionRecord);
    RouteTable::default()
        .get("/inspections", view, routes::list)
        .get("/inspections/new", record, new::new_page)
        .post("/inspections", record, new::create)
        .get("/inspections/{id}", view, routes::detail)
        .get("/inspections/{id}/edit", record, routes::edit_page)
        .post("/inspections/{id}", record, routes::update)
        .post("/inspections/{id}/delete", record, routes::delete)
        .get("/api/v1/inspections", view, api::list)
        .post("/api/v1/inspections", record, api::create)
        .get("/api/v1/inspections/{id}", view, api::get)
        .add(Method::PUT, "/api/v1/inspections/{id}", record, api::update)
        .add(
            Method::DELETE,
            "/api/v1/inspections/{id}",
            record,
            api::delete,
        )
}

#[derive(OpenApi)]
#[openapi(paths(api::list, api::create, api::get, api::update, api::delete))]
struct Doc;

/// This module's part of the OpenAPI document, merged into the whole by `api::document`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    Doc::openapi()
}
