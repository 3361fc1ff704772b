//! Hazard JSON API under /api/v1/hazards: the same repository calls as the pages, so the same
//! permissions, scope and rules. Bodies are read after the hazard is loaded (`LateJson`), so an
//! out-of-scope id is 404 whatever was posted.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;

use anjian_db::hazard;
use anjian_db::{FieldErrors, PageReq};
use anjian_domain::role::Permission;

use super::dto::*;
use super::query::{HazardQuery, LateJson, NoticeQuery};
use crate::auth::{Access, Auth};
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::{ApiQuery, Id};
use crate::routes::RouteTable;
use crate::AppState;

pub use super::export::xlsx;

pub fn routes() -> RouteTable {
    let view = Access::Perm(Permission::HazardView);
    let report = Access::Perm(Permission::HazardReport);
    let rectify = Access::Perm(Permission::HazardRectify);
    let verify = Access::Perm(Permission::HazardVerify);
    let decide = Access::Perm(Permission::HazardDecideExtension);
    let supervise = Access::Perm(Permission::HazardSupervise);
    RouteTable::default()
        .get("/api/v1/hazards", view, list)
        .post("/api/v1/hazards", report, create)
        .get("/api/v1/hazards/todo", view, todo)
        .get("/api/v1/hazards/notice", view, notice)
        .get("/api/v1/hazards/supervision", supervise, supervision)
        .get("/api/v1/hazards/{id}", view, get)
        .add(
            axum::http::Method::PUT,
            "/api/v1/hazards/{id}",
            report,
            update,
        )
        .post("/api/v1/hazards/{id}/assign", rectify, assign)
        .post("/api/v1/hazards/{id}/submit", rectify, submit)
        .post("/api/v1/hazards/{id}/verify", verify, verify_hazard)
        .post("/api/v1/hazards/{id}/reject", verify, reject)
        .post(
            "/api/v1/hazards/{id}/extensions",
            rectify,
            request_extension,
        )
        .post(
            "/api/v1/hazards/{id}/extensions/decide",
            decide,
            decide_extension,
        )
        // HazardReport or HazardRectify: checked in the data layer.
        .post("/api/v1/hazards/{id}/plan", view, save_plan)
        .post("/api/v1/hazards/{id}/report", report, report_upward)
        .post("/api/v1/hazards/{id}/listing", supervise, list_hazard)
        .post("/api/v1/hazards/{id}/lift", supervise, lift)
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list,
    create,
    todo,
    notice,
    supervision,
    get,
    update,
    assign,
    submit,
    verify_hazard,
    reject,
    request_extension,
    decide_extension,
    save_plan,
    report_upward,
    list_hazard,
    lift
))]
pub struct HazardApi;

#[utoipa::path(get, path = "/api/v1/hazards", tag = "事故隐患", params(HazardQuery),
    responses((status = 200, body = HazardPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<HazardQuery>,
) -> ApiResult<Json<HazardPage>> {
    let f = q.filter()?;
    let p = hazard::list(
        &state.db,
        &auth.ctx(),
        &f,
        PageReq::new(q.page, q.page_size),
    )
    .await?;
    Ok(Json(HazardPage {
        items: p.items.into_iter().map(Into::into).collect(),
        total: p.total,
        page: p.page,
        page_size: p.page_size,
    }))
}

#[utoipa::path(post, path = "/api/v1/hazards", tag = "事故隐患", request_body = HazardBody,
    responses((status = 201, body = HazardDetailDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    body: LateJson,
) -> ApiResult<Response> {
    let b: HazardBody = body.parse()?;
    let ctx = auth.ctx();
    let h = hazard::create(&state.db, &ctx, &b.into()).await?;
    let d = hazard::get(&state.db, &ctx, h.id).await?;
    Ok((StatusCode::CREATED, Json(HazardDetailDto::from(d))).into_response())
}

#[utoipa::path(get, path = "/api/v1/hazards/todo", tag = "事故隐患",
    responses((status = 200, body = TodoDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn todo(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<TodoDto>> {
    Ok(Json(hazard::todo(&state.db, &auth.ctx()).await?.into()))
}

#[utoipa::path(get, path = "/api/v1/hazards/notice", tag = "事故隐患", params(NoticeQuery),
    responses((status = 200, body = NoticeDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn notice(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<NoticeQuery>,
) -> ApiResult<Json<NoticeDto>> {
    let org_id = q
        .org_id
        .ok_or_else(|| AppError::Invalid(FieldErrors::single("org_id", "请指定单位")))?;
    Ok(Json(
        hazard::notice(&state.db, &auth.ctx(), org_id).await?.into(),
    ))
}

#[utoipa::path(get, path = "/api/v1/hazards/supervision", tag = "事故隐患",
    responses((status = 200, body = Vec<SupervisionDto>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn supervision(
    State(state): State<AppState>,
    auth: Auth,
) -> ApiResult<Json<Vec<SupervisionDto>>> {
    let items = hazard::list_for_supervision(&state.db, &auth.ctx()).await?;
    Ok(Json(items.into_iter().map(Into::into).collect()))
}

#[utoipa::path(get, path = "/api/v1/hazards/{id}", tag = "事故隐患", params(("id" = i64, Path)),
    responses((status = 200, body = HazardDetailDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> ApiResult<Json<HazardDetailDto>> {
    Ok(Json(hazard::get(&state.db, &auth.ctx(), id).await?.into()))
}

/// Loads the hazard (404 outside scope), then parses the body.
async fn load<B: DeserializeOwned>(
    state: &AppState,
    auth: &Auth,
    id: i64,
    body: LateJson,
) -> Result<(anjian_db::Ctx, B), AppError> {
    let ctx = auth.ctx();
    hazard::get_row(&state.db, &ctx, id).await?;
    Ok((ctx, body.parse()?))
}

/// The hazard after a step, as the answer to it.
async fn answer(
    state: &AppState,
    ctx: &anjian_db::Ctx,
    id: i64,
) -> ApiResult<Json<HazardDetailDto>> {
    Ok(Json(hazard::get(&state.db, ctx, id).await?.into()))
}

#[utoipa::path(put, path = "/api/v1/hazards/{id}", tag = "事故隐患", params(("id" = i64, Path)), request_body = HazardBody,
    responses((status = 200, body = HazardDetailDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    body: LateJson,
) -> ApiResult<Json<HazardDetailDto>> {
    let (ctx, b): (_, HazardBody) = load(&state, &auth, id, body).await?;
    let v = b.row_version;
    hazard::update(&state.db, &ctx, id, v, &b.into()).await?;
    answer(&state, &ctx, id).await
}

/// A step on a hazard: the body (documented by its `…Body` schema) has exactly the fields of the
/// data layer's input, so it is read straight into that input after the hazard is found.
macro_rules! step {
    ($name:ident, $path:literal, $body:ty, $input:ty, $call:path) => {
        #[utoipa::path(post, path = $path, tag = "事故隐患", params(("id" = i64, Path)),
            request_body = $body,
            responses((status = 200, body = HazardDetailDto), (status = 400, body = ErrorBody),
                      (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
                      (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
                      (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)),
            security(("bearer" = [])))]
        pub async fn $name(
            State(state): State<AppState>,
            auth: Auth,
            Id(id): Id,
            body: LateJson,
        ) -> ApiResult<Json<HazardDetailDto>> {
            let (ctx, b): (_, $input) = load(&state, &auth, id, body).await?;
            $call(&state.db, &ctx, id, &b).await?;
            answer(&state, &ctx, id).await
        }
    };
}

step!(
    assign,
    "/api/v1/hazards/{id}/assign",
    AssignBody,
    hazard::AssignInput,
    hazard::assign
);
step!(
    submit,
    "/api/v1/hazards/{id}/submit",
    SubmitBody,
    hazard::SubmitInput,
    hazard::submit_rectification
);
step!(
    verify_hazard,
    "/api/v1/hazards/{id}/verify",
    VerifyBody,
    hazard::VerifyInput,
    hazard::verify
);
step!(
    reject,
    "/api/v1/hazards/{id}/reject",
    RejectBody,
    hazard::RejectInput,
    hazard::reject
);
step!(
    request_extension,
    "/api/v1/hazards/{id}/extensions",
    ExtensionBody,
    hazard::ExtensionInput,
    hazard::request_extension
);
step!(
    decide_extension,
    "/api/v1/hazards/{id}/extensions/decide",
    DecisionBody,
    hazard::DecisionInput,
    hazard::decide_extension
);
step!(
    save_plan,
    "/api/v1/hazards/{id}/plan",
    PlanBody,
    hazard::PlanInput,
    hazard::save_plan
);
step!(
    report_upward,
    "/api/v1/hazards/{id}/report",
    ReportBody,
    hazard::ReportInput,
    hazard::report_upward
);
step!(
    list_hazard,
    "/api/v1/hazards/{id}/listing",
    ListingBody,
    hazard::ListingInput,
    hazard::list_hazard
);
step!(
    lift,
    "/api/v1/hazards/{id}/lift",
    LiftBody,
    hazard::LiftInput,
    hazard::lift_listing
);
