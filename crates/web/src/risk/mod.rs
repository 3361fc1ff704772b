//! Risk grading and control (安全风险分级管控): the register by risk and by point, the point and
//! risk pages with their forms (LEC / LS / direct assessment, computed by the server and shown
//! live by app.js), control measures and their checklist, the 岗位安全风险告知卡 (A4 page and
//! DOCX), the four-colour view, counts by unit, the grading settings, Excel export and import,
//! and the JSON API.

pub mod api;
pub mod assess;
pub mod card;
pub mod dto;
pub mod excel;
pub mod forms;
pub mod map;
pub mod pages;
pub mod rules_form;
pub mod settings;
pub mod view;

use anjian_domain::role::Permission;

use crate::auth::Access;
use crate::routes::RouteTable;

/// Today in Asia/Shanghai: assessment dates and card dates.
pub fn today() -> chrono::NaiveDate {
    anjian_domain::time::today(anjian_db::now())
}

/// Pages and JSON routes of this module.
pub fn routes() -> RouteTable {
    let view = Access::Perm(Permission::RiskView);
    let manage = Access::Perm(Permission::RiskManage);
    let settings = Access::Perm(Permission::RiskSettings);
    RouteTable::default()
        .get("/risks", view, pages::list)
        .get("/risks/export", view, excel::export)
        .get("/risks/import", manage, excel::import_page)
        .get("/risks/import/template", manage, excel::import_template)
        .post("/risks/import", manage, excel::preview)
        .post("/risks/import/confirm", manage, excel::confirm)
        .get("/risks/map", view, map::page)
        .post("/risks/map/plan", manage, map::upload_plan)
        .get("/risks/units", view, map::units)
        .get("/risks/settings", settings, settings::page)
        .post("/risks/settings", settings, settings::save)
        .get("/risks/{id}", view, pages::risk_page)
        .get("/risks/{id}/edit", manage, forms::edit_risk)
        .post("/risks/{id}", manage, forms::update_risk)
        .post("/risks/{id}/active", manage, forms::risk_active)
        .post("/risks/{id}/measures", manage, forms::create_measure)
        .get("/risk-points", view, pages::points)
        .get("/risk-points/new", manage, forms::new_point)
        .post("/risk-points", manage, forms::create_point)
        .get("/risk-points/{id}", view, pages::point)
        .get("/risk-points/{id}/edit", manage, forms::edit_point)
        .post("/risk-points/{id}", manage, forms::update_point)
        .post("/risk-points/{id}/active", manage, forms::point_active)
        .post("/risk-points/{id}/marker", manage, map::set_marker)
        .post("/risk-points/{id}/checklist", manage, forms::to_checklist)
        .get("/risk-points/{id}/risks/new", manage, forms::new_risk)
        .post("/risk-points/{id}/risks", manage, forms::create_risk)
        .get("/risk-points/{id}/card", view, card::page)
        .get("/risk-points/{id}/card.docx", view, card::download)
        .get("/risk-measures/{id}/edit", manage, forms::edit_measure)
        .post("/risk-measures/{id}", manage, forms::update_measure)
        .post("/risk-measures/{id}/active", manage, forms::measure_active)
        .merge(api::routes())
}

/// This module's part of the OpenAPI document, merged into the whole by `api::document`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    use utoipa::OpenApi;
    api::RiskApi::openapi()
}
