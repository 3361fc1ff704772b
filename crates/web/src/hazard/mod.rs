//! Hazards (事故隐患): the ledger, registration, the detail page with the closed-loop actions,
//! the rectification notice, supervision of major hazards, and the JSON API.

pub mod actions;
pub mod api;
pub mod dto;
pub mod export;
pub mod forms;
pub mod import;
pub mod notice;
pub mod notice_docx;
pub mod org_filter;
pub mod pages;
pub mod query;
pub mod registration;
pub mod view;

use anjian_domain::role::Permission;

use crate::auth::Access;
use crate::routes::RouteTable;

/// Pages and JSON routes of this module.
pub fn routes() -> RouteTable {
    let view = Access::Perm(Permission::HazardView);
    let report = Access::Perm(Permission::HazardReport);
    let rectify = Access::Perm(Permission::HazardRectify);
    let verify = Access::Perm(Permission::HazardVerify);
    let decide = Access::Perm(Permission::HazardDecideExtension);
    let supervise = Access::Perm(Permission::HazardSupervise);
    RouteTable::default()
        .get("/hazards", view, pages::list)
        .get("/hazards/export", view, pages::export)
        .get("/hazards/org-options", view, org_filter::org_options)
        .get("/hazards/import", report, import::page)
        .get("/hazards/import/template", report, import::template)
        .post("/hazards/import", report, import::preview)
        .post("/hazards/import/confirm", report, import::confirm)
        .post("/api/v1/hazards/import", report, import::api_import)
        .get("/hazards/new", report, registration::new_page)
        .post("/hazards", report, registration::create)
        .get("/hazards/notice", view, notice::notice_page)
        .get("/hazards/notice.docx", view, notice_docx::download)
        .get("/hazards/supervision", supervise, notice::supervision_page)
        .get("/hazards/{id}", view, pages::detail)
        .get("/hazards/{id}/edit", report, registration::edit_page)
        .post("/hazards/{id}", report, registration::update)
        .post("/hazards/{id}/assign", rectify, actions::assign)
        .post("/hazards/{id}/submit", rectify, actions::submit)
        .post("/hazards/{id}/verify", verify, actions::verify)
        .post("/hazards/{id}/reject", verify, actions::reject)
        .post(
            "/hazards/{id}/extension",
            rectify,
            actions::request_extension,
        )
        .post(
            "/hazards/{id}/extension/decide",
            decide,
            actions::decide_extension,
        )
        // Either HazardReport or HazardRectify may edit the plan: the guard lets signed-in users
        // through and the data layer checks the two permissions.
        .post("/hazards/{id}/plan", view, actions::save_plan)
        .post("/hazards/{id}/report", report, actions::report)
        .post("/hazards/{id}/listing", supervise, actions::list_hazard)
        .post("/hazards/{id}/lift", supervise, actions::lift)
        .merge(api::routes())
}

/// This module's part of the OpenAPI document, merged into the whole by `api::document`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    use utoipa::OpenApi;
    let mut doc = api::HazardApi::openapi();
    doc.merge(import::ImportApi::openapi());
    doc
}
