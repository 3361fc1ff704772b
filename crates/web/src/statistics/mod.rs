//! Statistics of inspections and hazards: the page with its period and organisation pickers,
//! the list of records behind each figure, and the JSON API.

pub mod api;
pub mod pages;

use chrono::NaiveDate;
use utoipa::OpenApi;

use anjian_db::FieldErrors;
use anjian_domain::dates::parse_date;
use anjian_domain::period::Period;
use anjian_domain::role::Permission;

use crate::auth::Access;
use crate::routes::RouteTable;

/// Pages and JSON routes of this module.
pub fn routes() -> RouteTable {
    let view = Access::Perm(Permission::HazardView);
    RouteTable::default()
        .get("/statistics", view, pages::index)
        .get("/statistics/records", view, pages::records)
        .get("/api/v1/statistics/hazards", view, api::hazards)
        .get("/api/v1/statistics/hazards/records", view, api::records)
}

#[derive(OpenApi)]
#[openapi(paths(api::hazards, api::records))]
struct Doc;

/// This module's part of the OpenAPI document, merged into the whole by `api::document`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    Doc::openapi()
}

/// The half-year containing today: what a summary is usually written for.
pub fn default_period(today: NaiveDate) -> Period {
    Period::half_year_of(today).unwrap_or(Period {
        first: today,
        last: today,
        kind: anjian_domain::period::PeriodKind::Custom,
    })
}

/// The period a request asks for: a custom range `from`..`to` when both are given, otherwise the
/// `period` code (2023, 2023H1, 2023Q2, 2023-05, 2023-01-01..2023-03-31), otherwise the current
/// half-year. Errors name the field.
pub fn resolve_period(period: &str, from: &str, to: &str) -> Result<Period, FieldErrors> {
    let (from, to) = (from.trim(), to.trim());
    if !from.is_empty() || !to.is_empty() {
        let mut errs = FieldErrors::new();
        let mut date = |field: &str, label: &str, v: &str| match parse_date(v) {
            Ok(d) => Some(d),
            Err(e) => {
                errs.add(field, format!("{label}：{e}"));
                None
            }
        };
        let first = date("from", "开始日期", from);
        let last = date("to", "结束日期", to);
        return match (first, last) {
            (Some(a), Some(b)) => {
                Period::custom(a, b).map_err(|e| FieldErrors::single("period", e.to_string()))
            }
            _ => Err(errs),
        };
    }
    if period.trim().is_empty() {
        return Ok(default_period(anjian_domain::time::today(anjian_db::now())));
    }
    Period::parse(period).map_err(|e| FieldErrors::single("period", e.to_string()))
}

/// The rate as people read it: one decimal, no trailing ".0" for whole percentages — the same
/// wording the summary report uses (`anjian_db::report::percent`).
pub fn percent(rate: Option<f64>) -> String {
    rate.map(anjian_db::report::percent)
        .unwrap_or_else(|| "—".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_from_code_or_range() {
        assert_eq!(resolve_period("2023H1", "", "").unwrap().code(), "2023H1");
        assert_eq!(
            resolve_period("2023", "2023-02-01", "2023-02-10")
                .unwrap()
                .code(),
            "2023-02-01..2023-02-10"
        );
        assert!(resolve_period("2023H3", "", "")
            .unwrap_err()
            .get("period")
            .is_some());
        assert!(resolve_period("", "2023-02-01", "")
            .unwrap_err()
            .get("to")
            .is_some());
        assert!(resolve_period("", "2023-02-10", "2023-02-01")
            .unwrap_err()
            .get("period")
            .is_some());
    }

    #[test]
    fn percentages() {
        assert_eq!(percent(None), "—");
        assert_eq!(percent(Some(1.0)), "100%");
        assert_eq!(percent(Some(2.0 / 3.0)), "66.7%");
    }
}
