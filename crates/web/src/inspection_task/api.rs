//! Inspection task JSON API under /api/v1/inspection-tasks, with the completion board.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use anjian_db::inspection_task::{self, Board, TaskFilter, TaskInput, TaskRow, UnitStatus};
use anjian_db::{FieldErrors, PageReq};
use anjian_domain::role::Permission;

use crate::auth::{Access, Auth};
use crate::checklist::json_body;
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Id};
use crate::routes::RouteTable;
use crate::AppState;

pub fn routes() -> RouteTable {
    let view = Access::Perm(Permission::InspectionView);
    let plan = Access::Perm(Permission::InspectionPlan);
    RouteTable::default()
        .get("/api/v1/inspection-tasks", view, list)
        .post("/api/v1/inspection-tasks", plan, create)
        .get("/api/v1/inspection-tasks/{id}", view, get)
        .add(
            axum::http::Method::PUT,
            "/api/v1/inspection-tasks/{id}",
            plan,
            update,
        )
        .post("/api/v1/inspection-tasks/{id}/cancel", plan, cancel)
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(list, create, get, update, cancel))]
pub struct Doc;

fn today() -> NaiveDate {
    anjian_domain::time::today(anjian_db::now())
}

/// An inspection task. `assigned`/`submitted` count the units the caller can see (a unit sees
/// only itself).
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskDto {
    pub id: i64,
    /// Issuing organisation.
    pub org_id: i64,
    pub owner_name: String,
    pub title: String,
    pub description: String,
    /// InspectionKind code: self_check, supervision, spot_check, unannounced, special.
    pub kind: String,
    pub campaign_id: Option<i64>,
    pub campaign_name: Option<String>,
    pub checklist_id: Option<i64>,
    pub checklist_name: Option<String>,
    pub start_date: NaiveDate,
    pub due_date: NaiveDate,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub assigned: i64,
    pub submitted: i64,
    /// Past the due date (Asia/Shanghai) with units still missing.
    pub overdue: bool,
    pub row_version: i64,
    pub can_manage: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TaskDto {
    fn new(r: TaskRow, can_manage: bool, today: NaiveDate) -> Self {
        let overdue = r.overdue(today);
        let t = r.task;
        TaskDto {
            id: t.id,
            org_id: t.org_id,
            owner_name: r.owner_name,
            title: t.title,
            description: t.description,
            kind: t.kind,
            campaign_id: t.campaign_id,
            campaign_name: r.campaign_name,
            checklist_id: t.checklist_id,
            checklist_name: r.checklist_name,
            start_date: t.start_date,
            due_date: t.due_date,
            cancelled_at: t.cancelled_at,
            assigned: r.assigned,
            submitted: r.submitted,
            overdue,
            row_version: t.row_version,
            can_manage,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

/// `on_time`, `late`, `pending` (not submitted, not yet due), `overdue` (not submitted, past due).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)] // documents the codes; responses carry UnitStatus
pub enum UnitStatusCode {
    OnTime,
    Late,
    Pending,
    Overdue,
}

/// One assigned unit on the board.
#[derive(Debug, Serialize, ToSchema)]
pub struct BoardRowDto {
    pub org_id: i64,
    pub name: String,
    #[schema(value_type = UnitStatusCode)]
    pub status: UnitStatus,
    /// Date of the first inspection carrying the task for this unit or a site below it.
    pub first_on: Option<NaiveDate>,
    pub first_inspection_id: Option<i64>,
}

/// The completion board.
#[derive(Debug, Serialize, ToSchema)]
pub struct BoardDto {
    pub assigned: usize,
    pub submitted: usize,
    pub on_time: usize,
    pub late: usize,
    pub pending: usize,
    pub overdue: usize,
    /// The Asia/Shanghai date the statuses were judged on.
    pub as_of: NaiveDate,
    pub rows: Vec<BoardRowDto>,
}

impl BoardDto {
    fn new(b: Board, as_of: NaiveDate) -> Self {
        BoardDto {
            assigned: b.assigned,
            submitted: b.submitted,
            on_time: b.on_time,
            late: b.late,
            pending: b.pending,
            overdue: b.overdue,
            as_of,
            rows: b
                .rows
                .into_iter()
                .map(|r| BoardRowDto {
                    org_id: r.org_id,
                    name: r.name,
                    status: r.status,
                    first_on: r.first_on,
                    first_inspection_id: r.first_inspection_id,
                })
                .collect(),
        }
    }
}

/// A task with its board.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskDetail {
    #[serde(flatten)]
    pub task: TaskDto,
    pub board: BoardDto,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TaskPage {
    pub items: Vec<TaskDto>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TaskQuery {
    /// `open` (not cancelled), `cancelled`, or `all` (default).
    pub status: Option<String>,
    /// Matches title or description.
    pub keyword: Option<String>,
    pub campaign_id: Option<i64>,
    /// 页码，从 1 开始
    pub page: Option<i64>,
    /// 每页条数，默认 20，超出 1–200 时自动调整
    pub page_size: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/inspection-tasks", tag = "检查任务", params(TaskQuery),
    responses((status = 200, body = TaskPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<TaskQuery>,
) -> ApiResult<Json<TaskPage>> {
    let status = q.status.unwrap_or_default();
    if !matches!(status.as_str(), "" | "open" | "cancelled" | "all") {
        return Err(AppError::Invalid(FieldErrors::single(
            "status",
            "状态无效，应为 open、cancelled 或 all",
        ))
        .into());
    }
    let ctx = auth.ctx();
    let f = TaskFilter {
        status,
        keyword: q.keyword,
        campaign_id: q.campaign_id,
    };
    let p = inspection_task::list(&state.db, &ctx, &f, PageReq::new(q.page, q.page_size)).await?;
    let day = today();
    Ok(Json(TaskPage {
        items: p
            .items
            .into_iter()
            .map(|r| {
                let m = r.can_manage(&ctx);
                TaskDto::new(r, m, day)
            })
            .collect(),
        total: p.total,
        page: p.page,
        page_size: p.page_size,
    }))
}

/// Fields of a new or edited task. Dates as `YYYY-MM-DD`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskBody {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// InspectionKind code; default self_check.
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub campaign_id: Option<i64>,
    #[serde(default)]
    pub checklist_id: Option<i64>,
    pub start_date: String,
    pub due_date: String,
    /// true: every active unit in the caller's scope (resolved when saved).
    #[serde(default)]
    pub all_units: bool,
    #[serde(default)]
    pub org_ids: Vec<i64>,
    /// Required when editing: the version last read.
    #[serde(default)]
    pub row_version: Option<i64>,
}

impl TaskBody {
    fn input(&self) -> TaskInput {
        TaskInput {
            title: self.title.clone(),
            description: self.description.clone(),
            kind: self.kind.clone(),
            campaign_id: self.campaign_id,
            checklist_id: self.checklist_id,
            start_date: self.start_date.clone(),
            due_date: self.due_date.clone(),
            all_units: self.all_units,
            org_ids: self.org_ids.clone(),
        }
    }
}

async fn detail(state: &AppState, auth: &Auth, id: i64) -> ApiResult<TaskDetail> {
    let ctx = auth.ctx();
    let day = today();
    let (t, b) = inspection_task::board(&state.db, &ctx, id, day).await?;
    let m = t.can_manage(&ctx);
    Ok(TaskDetail {
        task: TaskDto::new(t, m, day),
        board: BoardDto::new(b, day),
    })
}

#[utoipa::path(post, path = "/api/v1/inspection-tasks", tag = "检查任务", request_body = TaskBody,
    responses((status = 201, body = TaskDetail), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(b): ApiJson<TaskBody>,
) -> ApiResult<Response> {
    let t = inspection_task::create(&state.db, &auth.ctx(), &b.input()).await?;
    let d = detail(&state, &auth, t.id).await?;
    Ok((StatusCode::CREATED, Json(d)).into_response())
}

#[utoipa::path(get, path = "/api/v1/inspection-tasks/{id}", tag = "检查任务", params(("id" = i64, Path)),
    responses((status = 200, body = TaskDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> ApiResult<Json<TaskDetail>> {
    Ok(Json(detail(&state, &auth, id).await?))
}

/// Loads a task the caller may change: 404 when not visible, 403 when only assigned.
async fn managed(state: &AppState, auth: &Auth, id: i64) -> Result<TaskRow, AppError> {
    let ctx = auth.ctx();
    let t = inspection_task::get(&state.db, &ctx, id).await?;
    if !t.can_manage(&ctx) {
        return Err(AppError::Forbidden);
    }
    Ok(t)
}

fn required_version(v: Option<i64>) -> Result<i64, AppError> {
    v.ok_or_else(|| {
        AppError::Invalid(FieldErrors::single(
            "row_version",
            "缺少版本号（row_version），请先读取该任务",
        ))
    })
}

#[utoipa::path(put, path = "/api/v1/inspection-tasks/{id}", tag = "检查任务", params(("id" = i64, Path)), request_body = TaskBody,
    responses((status = 200, body = TaskDetail), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<TaskDetail>> {
    managed(&state, &auth, id).await?;
    let b: TaskBody = json_body(&headers, &body)?;
    let version = required_version(b.row_version)?;
    inspection_task::update(&state.db, &auth.ctx(), id, &b.input(), version).await?;
    Ok(Json(detail(&state, &auth, id).await?))
}

/// The version of the task last read.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelBody {
    pub row_version: i64,
}

#[utoipa::path(post, path = "/api/v1/inspection-tasks/{id}/cancel", tag = "检查任务", params(("id" = i64, Path)), request_body = CancelBody,
    responses((status = 200, body = TaskDetail), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn cancel(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<TaskDetail>> {
    managed(&state, &auth, id).await?;
    let b: CancelBody = json_body(&headers, &body)?;
    inspection_task::cancel(&state.db, &auth.ctx(), id, b.row_version).await?;
    Ok(Json(detail(&state, &auth, id).await?))
}
