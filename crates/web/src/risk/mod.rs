//! Risk grading and control (安全风险分级管控): the register by risk and by point, the point and
//! risk pages with their forms (LEC / LS / direct assessment, computed by the server and shown
//! live by app.js), control measures and their checklist, the 岗位安全风险告知卡 (A4 page and
//! DOCX), the four-colour view, counts by unit, the grading settings, Excel export and import,
//! and the JSON API.

pub mod api;
pub mod assess;
pub mod card;
pub mod dto;
pub mod dto_request;
pub mod dto_settings;
pub mod dto_summary;
pub mod excel;
pub mod forms;
pub mod import;
pub mod map;
pub mod measure_form;
pub mod pages;
pub mod point_form;
pub mod risk_form;
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
        .get("/risks/import", manage, import::import_page)
        .get("/risks/import/template", manage, import::import_template)
        .post("/risks/import", manage, import::preview)
        .post("/risks/import/confirm", manage, import::confirm)
        .get("/risks/map", view, map::page)
        .post("/risks/map/plan", manage, map::upload_plan)
        .get("/risks/units", view, map::units)
        .get("/risks/settings", settings, settings::page)
        .post("/risks/settings", settings, settings::save)
        .get("/risks/{id}", view, pages::risk_page)
        .get("/risks/{id}/edit", manage, risk_form::edit_risk)
        .post("/risks/{id}", manage, risk_form::update_risk)
        .post("/risks/{id}/active", manage, risk_form::risk_active)
        .post("/risks/{id}/measures", manage, measure_form::create_measure)
        .get("/risk-points", view, pages::points)
        .get("/risk-points/new", manage, point_form::new_point)
        .post("/risk-points", manage, point_form::create_point)
        .get("/risk-points/{id}", view, pages::point)
        .get("/risk-points/{id}/edit", manage, point_form::edit_point)
        .post("/risk-points/{id}", manage, point_form::update_point)
        .post("/risk-points/{id}/active", manage, point_form::point_active)
        .post("/risk-points/{id}/marker", manage, map::set_marker)
        .post(
            "/risk-points/{id}/checklist",
            manage,
            point_form::to_checklist,
        )
        .get("/risk-points/{id}/risks/new", manage, risk_form::new_risk)
        .post("/risk-points/{id}/risks", manage, risk_form::create_risk)
        .get("/risk-points/{id}/card", view, card::page)
        .get("/risk-points/{id}/card.docx", view, card::download)
        .get(
            "/risk-measures/{id}/edit",
            manage,
            measure_form::edit_measure,
        )
        .post("/risk-measures/{id}", manage, measure_form::update_measure)
        .post(
            "/risk-measures/{id}/active",
            manage,
            measure_form::measure_active,
        )
        .merge(api::routes())
}

/// This module's part of the OpenAPI document, merged into the whole by `api::document`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    use utoipa::OpenApi;
    api::RiskApi::openapi()
}
