//! The safety work summary: the page that shows it with every figure linked to its records, the
//! downloads (DOCX in 公文 layout, Markdown, HTML, JSON), drafts with versions (`drafts`,
//! `drafts_api`), the wording-template settings (`templates`) and the JSON API. The figures and
//! the wording come from `anjian_db::report`.

pub mod drafts;
pub mod drafts_api;
pub mod export;
pub mod pages;
pub mod templates;
pub mod view;

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi};

use anjian_db::report::{self, check::Finding, text::Summary, Figures};
use anjian_domain::period::Period;
use anjian_domain::role::Permission;

use crate::auth::{Access, Auth};
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::ApiQuery;
use crate::routes::RouteTable;
use crate::statistics::resolve_period;
use crate::AppState;

/// Pages and JSON routes of this module.
pub fn routes() -> RouteTable {
    let view = Access::Perm(Permission::HazardView);
    let write = Access::Perm(Permission::ReportWrite);
    let settings = Access::Perm(Permission::ReportSettings);
    RouteTable::default()
        .get("/reports", view, pages::index)
        .get("/reports/download", view, pages::download)
        .post("/reports/drafts", write, drafts::create)
        .get("/reports/drafts/{id}", view, drafts::show)
        .post("/reports/drafts/{id}", write, drafts::save)
        .get("/reports/drafts/{id}/edit", write, drafts::edit)
        .get("/reports/drafts/{id}/download", view, drafts::download)
        .get("/reports/templates", settings, templates::page)
        .post("/reports/templates", settings, templates::save)
        .post("/reports/templates/restore", settings, templates::restore)
        .get("/api/v1/reports/figures", view, figures)
        .get("/api/v1/reports/summary", view, summary)
        .get("/api/v1/reports/check", view, check)
        .merge(drafts_api::routes())
}

#[derive(OpenApi)]
#[openapi(paths(figures, summary, check))]
struct Doc;

/// This module's part of the OpenAPI document, merged into the whole by `api::document`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = Doc::openapi();
    doc.merge(drafts_api::Doc::openapi());
    doc
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReportParams {
    /// 总结期间：2023、2023H1、2023Q2、2023-05 或 2023-01-01..2023-03-31；默认当前半年
    pub period: Option<String>,
    /// 组织（含下级），默认本人所属组织
    pub org_id: Option<i64>,
}

/// The figures and the summary of a period in the wording in force, as every output uses them,
/// with a warning for each edited template that failed on these figures (its default was used).
pub async fn build(
    state: &AppState,
    auth: &Auth,
    period: &Period,
    org_id: Option<i64>,
) -> Result<(Figures, Summary, Vec<String>), AppError> {
    let ctx = auth.ctx();
    let f = report::figures(&state.db, &ctx, period, org_id).await?;
    let (s, warnings) = report::templates::summary(&state.db, &ctx, &f).await?;
    Ok((f, s, warnings))
}

fn period_of(p: &ReportParams) -> Result<Period, AppError> {
    resolve_period(p.period.as_deref().unwrap_or(""), "", "").map_err(AppError::Invalid)
}

/// The summary's figures: counts as integers, money in 分, rates between 0 and 1; null where the
/// register a figure comes from is not kept.
#[utoipa::path(get, path = "/api/v1/reports/figures", tag = "报告", params(ReportParams),
    responses((status = 200, description = "总结所用统计数字", body = Figures),
              (status = 422, description = "期间或组织有误", body = ErrorBody)))]
pub async fn figures(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<ReportParams>,
) -> ApiResult<Json<Figures>> {
    let period = period_of(&p)?;
    let ctx = auth.ctx();
    Ok(Json(
        report::figures(&state.db, &ctx, &period, p.org_id).await?,
    ))
}

/// The summary's text: sections of paragraphs, each a list of text and figure segments.
#[utoipa::path(get, path = "/api/v1/reports/summary", tag = "报告", params(ReportParams),
    responses((status = 200, description = "总结正文", body = Summary),
              (status = 422, description = "期间或组织有误", body = ErrorBody)))]
pub async fn summary(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<ReportParams>,
) -> ApiResult<Json<Summary>> {
    let period = period_of(&p)?;
    let (_, s, _) = build(&state, &auth, &period, p.org_id).await?;
    Ok(Json(s))
}

/// The pre-publication check: what in the records would make the summary untrue.
#[utoipa::path(get, path = "/api/v1/reports/check", tag = "报告", params(ReportParams),
    responses((status = 200, description = "发布前检查发现的问题（为空表示未发现）", body = Vec<Finding>),
              (status = 422, description = "期间或组织有误", body = ErrorBody)))]
pub async fn check(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<ReportParams>,
) -> ApiResult<Json<Vec<Finding>>> {
    let period = period_of(&p)?;
    let ctx = auth.ctx();
    let path = report::subtree_path(&state.db, &ctx, p.org_id).await?;
    Ok(Json(
        report::check::check(&state.db, &ctx, &period, &path).await?,
    ))
}
