//! The dashboard (驾驶舱): key figures of a period with 同比/环比, and server-rendered SVG charts
//! of hazards by month, rectification by unit, risk points by level and the ledgers, each figure
//! and bar linked to the records it counts. The figures come from `anjian_db::dashboard`.

pub mod api;
pub mod charts;
pub mod links;
pub mod pages;
pub mod svg;

use utoipa::OpenApi;

use anjian_db::FieldErrors;
use anjian_domain::period::Period;
use anjian_domain::role::Permission;

use crate::auth::Access;
use crate::routes::RouteTable;

/// Pages and JSON routes of this module.
pub fn routes() -> RouteTable {
    let view = Access::Perm(Permission::HazardView);
    RouteTable::default()
        .get("/dashboard", view, pages::index)
        .get("/api/v1/dashboard", view, api::dashboard)
}

#[derive(OpenApi)]
#[openapi(paths(api::dashboard))]
struct Doc;

/// This module's part of the OpenAPI document, merged into the whole by `api::document`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    Doc::openapi()
}

/// The period (`month`, `quarter`, `half`, `year` for the current one, or a period code; empty:
/// the current half-year, in Asia/Shanghai) and the organisation of a request. Errors name the
/// field.
pub fn params(period: &str, org_id: &str) -> Result<(Period, Option<i64>), FieldErrors> {
    let mut errs = FieldErrors::new();
    let today = anjian_domain::time::today(anjian_db::now());
    let p = anjian_db::dashboard::period::resolve(period, today)
        .map_err(|e| errs.add("period", e.to_string()))
        .ok();
    let org = org_id.trim();
    let o = if org.is_empty() {
        Some(None)
    } else {
        match org.parse::<i64>() {
            Ok(id) => Some(Some(id)),
            Err(_) => {
                errs.add("org_id", "组织编号必须是整数");
                None
            }
        }
    };
    match (p, o) {
        (Some(p), Some(o)) => Ok((p, o)),
        _ => Err(errs),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_name_the_field_in_error() {
        let today = anjian_domain::time::today(anjian_db::now());
        let (p, o) = params("", "").unwrap();
        assert!(p.contains(today));
        assert_eq!(o, None);
        assert_eq!(params("2023H1", " 7 ").unwrap().1, Some(7));
        let e = params("2023H7", "x").unwrap_err();
        assert!(e.get("period").is_some());
        assert_eq!(e.get("org_id"), Some("组织编号必须是整数"));
    }
}
