//! Risk JSON API under /api/v1/risk-points, /api/v1/risks, /api/v1/risk-measures,
//! /api/v1/risk-settings and /api/v1/statistics/risks: the same repository calls as the pages.
//! Bodies are read after the record is loaded (`LateJson`), so an out-of-scope id is 404.

use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use anjian_db::risk;
use anjian_db::PageReq;
use anjian_domain::role::Permission;

use super::dto::*;
use crate::auth::{Access, Auth};
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::{ApiQuery, Id};
use crate::hazard::query::LateJson;
use crate::routes::RouteTable;
use crate::AppState;

pub fn routes() -> RouteTable {
    let view = Access::Perm(Permission::RiskView);
    let manage = Access::Perm(Permission::RiskManage);
    let settings = Access::Perm(Permission::RiskSettings);
    RouteTable::default()
        .get("/api/v1/risk-points", view, list_points)
        .post("/api/v1/risk-points", manage, create_point)
        .get("/api/v1/risk-points/map", view, four_colour)
        .get("/api/v1/risk-points/{id}", view, get_point)
        .add(
            Method::PUT,
            "/api/v1/risk-points/{id}",
            manage,
            update_point,
        )
        .get("/api/v1/risk-points/{id}/card", view, card)
        .get("/api/v1/risks", view, list_risks)
        .post("/api/v1/risks", manage, create_risk)
        .get("/api/v1/risks/{id}", view, get_risk)
        .add(Method::PUT, "/api/v1/risks/{id}", manage, update_risk)
        .post("/api/v1/risks/{id}/measures", manage, create_measure)
        .add(
            Method::PUT,
            "/api/v1/risk-measures/{id}",
            manage,
            update_measure,
        )
        .get("/api/v1/risk-settings", view, get_settings)
        .add(Method::PUT, "/api/v1/risk-settings", settings, put_settings)
        .get("/api/v1/statistics/risks", view, statistics)
        .post("/api/v1/risks/import", manage, super::import::api_import)
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_points,
    create_point,
    four_colour,
    get_point,
    update_point,
    card,
    list_risks,
    create_risk,
    get_risk,
    update_risk,
    create_measure,
    update_measure,
    get_settings,
    put_settings,
    statistics,
    super::import::api_import
))]
pub struct RiskApi;

fn row_version(v: Option<i64>) -> Result<i64, AppError> {
    v.ok_or_else(|| {
        AppError::Invalid(anjian_db::FieldErrors::single(
            "row_version",
            "缺少 row_version（请先读取记录）",
        ))
    })
}

#[utoipa::path(get, path = "/api/v1/risk-points", tag = "安全风险", params(RiskQuery),
    responses((status = 200, body = PointPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_points(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<RiskQuery>,
) -> ApiResult<Json<PointPage>> {
    let f = q.filter()?;
    let p = risk::list_points(
        &state.db,
        &auth.ctx(),
        &f,
        PageReq::new(q.page, q.page_size),
    )
    .await?;
    Ok(Json(PointPage {
        items: p.items.into_iter().map(Into::into).collect(),
        total: p.total,
        page: p.page,
        page_size: p.page_size,
    }))
}

#[utoipa::path(post, path = "/api/v1/risk-points", tag = "安全风险", request_body = PointBody,
    responses((status = 201, body = PointDetailDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_point(
    State(state): State<AppState>,
    auth: Auth,
    body: LateJson,
) -> ApiResult<Response> {
    let b: PointBody = body.parse()?;
    let ctx = auth.ctx();
    let p = risk::create_point(&state.db, &ctx, &(&b).into()).await?;
    let d = risk::get_point(&state.db, &ctx, p.id).await?;
    Ok((StatusCode::CREATED, Json(PointDetailDto::from(d))).into_response())
}

#[utoipa::path(get, path = "/api/v1/risk-points/map", tag = "安全风险", params(OrgParam),
    responses((status = 200, description = "四色分布图", body = FourColourDto), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn four_colour(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<OrgParam>,
) -> ApiResult<Json<FourColourDto>> {
    let org_id = q.org_id.unwrap_or(auth.inner.user.org_id);
    Ok(Json(
        risk::four_colour(&state.db, &auth.ctx(), org_id)
            .await?
            .into(),
    ))
}

#[utoipa::path(get, path = "/api/v1/risk-points/{id}", tag = "安全风险",
    params(("id" = i64, Path, description = "风险点编号")),
    responses((status = 200, body = PointDetailDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_point(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> ApiResult<Json<PointDetailDto>> {
    Ok(Json(
        risk::get_point(&state.db, &auth.ctx(), id).await?.into(),
    ))
}

#[utoipa::path(put, path = "/api/v1/risk-points/{id}", tag = "安全风险", request_body = PointBody,
    params(("id" = i64, Path, description = "风险点编号")),
    responses((status = 200, body = PointDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn update_point(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    body: LateJson,
) -> ApiResult<Json<PointDto>> {
    let ctx = auth.ctx();
    risk::get_point(&state.db, &ctx, id).await?;
    let b: PointBody = body.parse()?;
    let rv = row_version(b.row_version)?;
    Ok(Json(
        risk::update_point(&state.db, &ctx, id, rv, &(&b).into())
            .await?
            .into(),
    ))
}

#[utoipa::path(get, path = "/api/v1/risk-points/{id}/card", tag = "安全风险",
    params(("id" = i64, Path, description = "风险点编号")),
    responses((status = 200, description = "岗位安全风险告知卡", body = NoticeCardDto), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn card(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> ApiResult<Json<NoticeCardDto>> {
    Ok(Json(
        risk::notice_card(&state.db, &auth.ctx(), id).await?.into(),
    ))
}

#[utoipa::path(get, path = "/api/v1/risks", tag = "安全风险", params(RiskQuery),
    responses((status = 200, body = RiskPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_risks(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<RiskQuery>,
) -> ApiResult<Json<RiskPage>> {
    let f = q.filter()?;
    let p = risk::list(
        &state.db,
        &auth.ctx(),
        &f,
        PageReq::new(q.page, q.page_size),
    )
    .await?;
    Ok(Json(RiskPage {
        items: p.items.into_iter().map(Into::into).collect(),
        total: p.total,
        page: p.page,
        page_size: p.page_size,
    }))
}

#[utoipa::path(post, path = "/api/v1/risks", tag = "安全风险", request_body = RiskBody,
    responses((status = 201, body = RiskDetailDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 415, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_risk(
    State(state): State<AppState>,
    auth: Auth,
    body: LateJson,
) -> ApiResult<Response> {
    let b: RiskBody = body.parse()?;
    let ctx = auth.ctx();
    let r = risk::create_risk(&state.db, &ctx, &(&b).into()).await?;
    let d = risk::get_risk(&state.db, &ctx, r.id).await?;
    Ok((StatusCode::CREATED, Json(RiskDetailDto::from(d))).into_response())
}

#[utoipa::path(get, path = "/api/v1/risks/{id}", tag = "安全风险",
    params(("id" = i64, Path, description = "风险编号")),
    responses((status = 200, body = RiskDetailDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_risk(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> ApiResult<Json<RiskDetailDto>> {
    Ok(Json(
        risk::get_risk(&state.db, &auth.ctx(), id).await?.into(),
    ))
}

#[utoipa::path(put, path = "/api/v1/risks/{id}", tag = "安全风险", request_body = RiskBody,
    params(("id" = i64, Path, description = "风险编号")),
    responses((status = 200, description = "重新评估（保存为新版本）或修改", body = RiskDto), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn update_risk(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    body: LateJson,
) -> ApiResult<Json<RiskDto>> {
    let ctx = auth.ctx();
    risk::get_risk(&state.db, &ctx, id).await?;
    let b: RiskBody = body.parse()?;
    let rv = row_version(b.row_version)?;
    Ok(Json(
        risk::update_risk(&state.db, &ctx, id, rv, &(&b).into())
            .await?
            .into(),
    ))
}

#[utoipa::path(post, path = "/api/v1/risks/{id}/measures", tag = "安全风险", request_body = MeasureBody,
    params(("id" = i64, Path, description = "风险编号")),
    responses((status = 201, body = MeasureDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 415, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_measure(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    body: LateJson,
) -> ApiResult<Response> {
    let ctx = auth.ctx();
    risk::get_risk(&state.db, &ctx, id).await?;
    let b: MeasureBody = body.parse()?;
    let m = risk::create_measure(&state.db, &ctx, id, &(&b).into()).await?;
    Ok((StatusCode::CREATED, Json(MeasureDto::from(m))).into_response())
}

#[utoipa::path(put, path = "/api/v1/risk-measures/{id}", tag = "安全风险", request_body = MeasureBody,
    params(("id" = i64, Path, description = "管控措施编号")),
    responses((status = 200, body = MeasureDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn update_measure(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    body: LateJson,
) -> ApiResult<Json<MeasureDto>> {
    let ctx = auth.ctx();
    risk::get_measure(&state.db, &ctx, id).await?;
    let b: MeasureBody = body.parse()?;
    let rv = row_version(b.row_version)?;
    Ok(Json(
        risk::update_measure(&state.db, &ctx, id, rv, &(&b).into())
            .await?
            .into(),
    ))
}

#[utoipa::path(get, path = "/api/v1/risk-settings", tag = "安全风险",
    responses((status = 200, description = "风险分级标准及其依据", body = SettingsDto), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_settings(
    State(state): State<AppState>,
    auth: Auth,
) -> ApiResult<Json<SettingsDto>> {
    Ok(Json(risk::settings(&state.db, &auth.ctx()).await?.into()))
}

#[utoipa::path(put, path = "/api/v1/risk-settings", tag = "安全风险", request_body = SettingsBody,
    responses((status = 200, description = "已保存并重新定级", body = RegradeDto), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn put_settings(
    State(state): State<AppState>,
    auth: Auth,
    body: LateJson,
) -> ApiResult<Json<RegradeDto>> {
    let b: SettingsBody = body.parse()?;
    let rules = b.rules.parse()?;
    let rv = row_version(b.row_version)?;
    Ok(Json(
        risk::update_rules(&state.db, &auth.ctx(), &rules, &b.reason, rv)
            .await?
            .into(),
    ))
}

#[utoipa::path(get, path = "/api/v1/statistics/risks", tag = "统计分析", params(RiskStatsParams),
    responses((status = 200, body = RiskStatisticsDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn statistics(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<RiskStatsParams>,
) -> ApiResult<Json<RiskStatisticsDto>> {
    let period = crate::statistics::resolve_period(q.period.as_deref().unwrap_or(""), "", "")
        .map_err(AppError::Invalid)?;
    let ctx = auth.ctx();
    let s = risk::statistics(&state.db, &ctx, &period, q.org_id).await?;
    Ok(Json(RiskStatisticsDto::new(&period, q.org_id, s)))
}
