//! Duty JSON API for what the roster and calendar pages edit: holiday calendar entries
//! (create, update, delete), shift swaps (list, request, approve, reject), one shift's edit and
//! regenerating a draft's rotation. Each goes through the same data-layer function as its page,
//! so the permission checks, the coverage check, the optimistic concurrency (`row_version`, 409
//! on a stale one) and the audit entry are the pages'. Ids are looked up first: an id outside
//! the caller's scope is 404 whatever the body.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use anjian_db::duty::{self, CalendarInput, RosterInput, ShiftDef, ShiftInput, SwapInput};
use anjian_db::{DbError, FieldErrors};
use anjian_domain::role::Permission;

use super::api::{detail, CalendarDto, RosterDetail, VersionBody};
use crate::auth::{Access, Auth};
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Id};
use crate::hazard::query::LateJson;
use crate::routes::RouteTable;
use crate::AppState;

pub fn routes() -> RouteTable {
    use axum::http::Method;
    let view = Access::Perm(Permission::DutyView);
    let roster = Access::Perm(Permission::DutyRoster);
    let record = Access::Perm(Permission::DutyRecord);
    let settings = Access::Perm(Permission::DutySettings);
    RouteTable::default()
        .post("/api/v1/duty/calendar", settings, calendar_create)
        .add(
            Method::PUT,
            "/api/v1/duty/calendar/{id}",
            settings,
            calendar_update,
        )
        .add(
            Method::DELETE,
            "/api/v1/duty/calendar/{id}",
            settings,
            calendar_delete,
        )
        .get("/api/v1/duty/rosters/{id}/swaps", view, swap_list)
        .post("/api/v1/duty/rosters/{id}/swaps", record, swap_request)
        .post("/api/v1/duty/swaps/{id}/approve", roster, swap_approve)
        .post("/api/v1/duty/swaps/{id}/reject", roster, swap_reject)
        .add(
            Method::PUT,
            "/api/v1/duty/shifts/{id}",
            roster,
            shift_update,
        )
        .post("/api/v1/duty/rosters/{id}/generate", roster, generate)
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    calendar_create,
    calendar_update,
    calendar_delete,
    swap_list,
    swap_request,
    swap_approve,
    swap_reject,
    shift_update,
    generate
))]
pub struct Doc;

/// One shift of every roster day.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DutyShiftDef {
    /// 白班, 夜班… (required when a day has several shifts)
    #[serde(default)]
    pub name: String,
    /// HH:MM, Shanghai time
    pub start: String,
    /// 1 to 24
    pub hours: i64,
}

impl DutyShiftDef {
    pub fn def(&self) -> ShiftDef {
        ShiftDef {
            name: self.name.clone(),
            start: self.start.clone(),
            hours: self.hours.to_string(),
        }
    }
}

/// The data layer names a shift's fields as the roster form does (`shift_start_2`); a body
/// that listed `shifts` gets them as `shifts[1].start`.
pub fn shift_errors(e: DbError, listed: bool) -> DbError {
    let DbError::Invalid(errs) = e else {
        return e;
    };
    if !listed {
        return DbError::Invalid(errs);
    }
    let rename = |field: &str| -> String {
        for i in 0..duty::MAX_SHIFTS {
            for (base, part) in [
                ("shift_name", "name"),
                ("shift_start", "start"),
                ("shift_hours", "hours"),
            ] {
                if field == duty::shift_key(base, i) {
                    return format!("shifts[{i}].{part}");
                }
            }
        }
        field.to_string()
    };
    DbError::Invalid(FieldErrors(
        errs.0.into_iter().map(|(f, m)| (rename(&f), m)).collect(),
    ))
}

/// A calendar entry: a run of 放假 days or of 调休上班 days.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DutyCalendarBody {
    /// YYYY-MM-DD
    pub first_date: String,
    /// YYYY-MM-DD, at most 31 days after first_date
    pub last_date: String,
    /// `holiday` 放假 or `workday` 调休上班
    pub kind: String,
    /// 春节, 国庆节…
    pub name: String,
    #[serde(default)]
    pub note: String,
}

/// A calendar entry as corrected, with the version it is based on.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DutyCalendarUpdateBody {
    pub row_version: i64,
    pub first_date: String,
    pub last_date: String,
    pub kind: String,
    pub name: String,
    #[serde(default)]
    pub note: String,
}

#[utoipa::path(post, path = "/api/v1/duty/calendar", tag = "值班值守", request_body = DutyCalendarBody,
    responses((status = 201, body = CalendarDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 415, body = ErrorBody),
              (status = 422, body = ErrorBody, description = "字段有误，或与已有记录日期重叠")),
    security(("bearer" = [])))]
pub async fn calendar_create(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(b): ApiJson<DutyCalendarBody>,
) -> ApiResult<Response> {
    let input = CalendarInput {
        first_date: b.first_date,
        last_date: b.last_date,
        kind: b.kind,
        name: b.name,
        note: b.note,
    };
    let e = duty::create_entry(&state.db, &auth.ctx(), &input).await?;
    Ok((StatusCode::CREATED, Json(CalendarDto::from(e))).into_response())
}

#[utoipa::path(put, path = "/api/v1/duty/calendar/{id}", tag = "值班值守", request_body = DutyCalendarUpdateBody,
    params(("id" = i64, Path, description = "日历记录 id")),
    responses((status = 200, body = CalendarDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "记录已被他人修改"), (status = 415, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn calendar_update(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    body: LateJson,
) -> ApiResult<Json<CalendarDto>> {
    let ctx = auth.ctx();
    duty::get_entry(&state.db, &ctx, id).await?;
    let b: DutyCalendarUpdateBody = body.parse()?;
    let input = CalendarInput {
        first_date: b.first_date,
        last_date: b.last_date,
        kind: b.kind,
        name: b.name,
        note: b.note,
    };
    let e = duty::update_entry(&state.db, &ctx, id, &input, b.row_version).await?;
    Ok(Json(e.into()))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
pub struct DutyVersionQuery {
    /// The version the deletion is based on (required)
    pub row_version: Option<i64>,
}

#[utoipa::path(delete, path = "/api/v1/duty/calendar/{id}", tag = "值班值守",
    params(("id" = i64, Path, description = "日历记录 id"), DutyVersionQuery),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "记录已被他人修改"),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn calendar_delete(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    ApiQuery(q): ApiQuery<DutyVersionQuery>,
) -> ApiResult<StatusCode> {
    let ctx = auth.ctx();
    duty::get_entry(&state.db, &ctx, id).await?;
    let Some(v) = q.row_version else {
        return Err(AppError::Invalid(FieldErrors::single(
            "row_version",
            "缺少版本号 row_version",
        ))
        .into());
    };
    duty::delete_entry(&state.db, &ctx, id, v).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A request to hand one's place in a shift to someone else.
#[derive(Debug, Serialize, ToSchema)]
pub struct DutySwapDto {
    pub id: i64,
    pub roster_id: i64,
    pub shift_id: i64,
    pub duty_date: NaiveDate,
    /// `leader` 带班领导 or `officer` 值班人员
    pub role: String,
    pub from_name: String,
    pub to_name: String,
    pub to_phone: String,
    pub reason: String,
    /// `requested`, `approved` or `declined`
    pub status: String,
    pub requested_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

impl From<duty::Swap> for DutySwapDto {
    fn from(w: duty::Swap) -> Self {
        DutySwapDto {
            id: w.id,
            roster_id: w.roster_id,
            shift_id: w.shift_id,
            duty_date: w.duty_date,
            role: w.role,
            from_name: w.from_name,
            to_name: w.to_name,
            to_phone: w.to_phone,
            reason: w.reason,
            status: w.status,
            requested_at: w.requested_at,
            decided_at: w.decided_at,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/duty/rosters/{id}/swaps", tag = "值班值守",
    params(("id" = i64, Path, description = "值班表 id")),
    responses((status = 200, body = Vec<DutySwapDto>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn swap_list(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> ApiResult<Json<Vec<DutySwapDto>>> {
    let rows = duty::swaps(&state.db, &auth.ctx(), id).await?;
    Ok(Json(rows.into_iter().map(DutySwapDto::from).collect()))
}

/// A swap request for one shift of the roster.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DutySwapBody {
    /// A shift of this roster
    pub shift_id: i64,
    /// `leader` (the shift's leader hands over) or `officer`
    pub role: String,
    /// The officer handing over (role `officer` only)
    #[serde(default)]
    pub from_name: String,
    pub to_name: String,
    #[serde(default)]
    pub to_phone: String,
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/duty/rosters/{id}/swaps", tag = "值班值守", request_body = DutySwapBody,
    params(("id" = i64, Path, description = "值班表 id")),
    responses((status = 201, body = DutySwapDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 415, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn swap_request(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    body: LateJson,
) -> ApiResult<Response> {
    let ctx = auth.ctx();
    duty::get_roster(&state.db, &ctx, id).await?;
    let b: DutySwapBody = body.parse()?;
    let input = SwapInput {
        shift_id: b.shift_id,
        role: b.role,
        from_name: b.from_name,
        to_name: b.to_name,
        to_phone: b.to_phone,
        reason: b.reason,
    };
    let w = duty::request_swap(&state.db, &ctx, id, &input).await?;
    Ok((StatusCode::CREATED, Json(DutySwapDto::from(w))).into_response())
}

async fn decide(
    state: &AppState,
    auth: &Auth,
    swap_id: i64,
    body: LateJson,
    approve: bool,
) -> ApiResult<Json<RosterDetail>> {
    let ctx = auth.ctx();
    let w = duty::get_swap(&state.db, &ctx, swap_id).await?;
    let b: VersionBody = body.parse()?;
    duty::decide_swap(
        &state.db,
        &ctx,
        w.roster_id,
        swap_id,
        approve,
        b.row_version,
    )
    .await?;
    Ok(Json(detail(state, auth, w.roster_id).await?))
}

#[utoipa::path(post, path = "/api/v1/duty/swaps/{id}/approve", tag = "值班值守", request_body = VersionBody,
    params(("id" = i64, Path, description = "换班申请 id")),
    responses((status = 200, body = RosterDetail, description = "值班表（班次已换人），row_version 加 1"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "值班表已被他人修改，或该申请已处理"),
              (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn swap_approve(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    body: LateJson,
) -> ApiResult<Json<RosterDetail>> {
    decide(&state, &auth, id, body, true).await
}

#[utoipa::path(post, path = "/api/v1/duty/swaps/{id}/reject", tag = "值班值守", request_body = VersionBody,
    params(("id" = i64, Path, description = "换班申请 id")),
    responses((status = 200, body = RosterDetail), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "值班表已被他人修改，或该申请已处理"),
              (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn swap_reject(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    body: LateJson,
) -> ApiResult<Json<RosterDetail>> {
    decide(&state, &auth, id, body, false).await
}

/// One shift as edited, with the version of its roster the edit is based on. Omitted people
/// fields clear them.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DutyShiftBody {
    /// The roster's row_version
    pub row_version: i64,
    #[serde(default)]
    pub shift_name: String,
    /// HH:MM
    pub shift_start: String,
    /// 1 to 24
    pub shift_hours: i64,
    #[serde(default)]
    pub leader_name: String,
    #[serde(default)]
    pub leader_phone: String,
    /// "姓名 电话" each
    #[serde(default)]
    pub officers: Vec<String>,
}

#[utoipa::path(put, path = "/api/v1/duty/shifts/{id}", tag = "值班值守", request_body = DutyShiftBody,
    params(("id" = i64, Path, description = "班次 id")),
    responses((status = 200, body = RosterDetail, description = "值班表，row_version 加 1"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "值班表已被他人修改，或已发布的值班表会因此缺带班领导"),
              (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn shift_update(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    body: LateJson,
) -> ApiResult<Json<RosterDetail>> {
    let ctx = auth.ctx();
    let s = duty::get_shift(&state.db, &ctx, id).await?;
    let b: DutyShiftBody = body.parse()?;
    let input = ShiftInput {
        shift_id: id,
        shift_name: b.shift_name,
        shift_start: b.shift_start,
        shift_hours: b.shift_hours.to_string(),
        leader_name: b.leader_name,
        leader_phone: b.leader_phone,
        officers: b.officers.join("\n"),
    };
    duty::update_shift(&state.db, &ctx, s.roster_id, &input, b.row_version).await?;
    Ok(Json(detail(&state, &auth, s.roster_id).await?))
}

/// A new rotation for a draft roster, replacing every shift.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DutyGenerateBody {
    /// The roster's row_version
    pub row_version: i64,
    /// The shifts of each day (none: one 24-hour shift from 08:30)
    #[serde(default)]
    pub shifts: Vec<DutyShiftDef>,
    /// "姓名 电话" each, in rotation order
    #[serde(default)]
    pub leaders: Vec<String>,
    #[serde(default)]
    pub officers: Vec<String>,
    /// Officers per shift (default 1)
    #[serde(default)]
    pub officers_per_day: Option<i64>,
}

#[utoipa::path(post, path = "/api/v1/duty/rosters/{id}/generate", tag = "值班值守", request_body = DutyGenerateBody,
    params(("id" = i64, Path, description = "值班表 id")),
    responses((status = 200, body = RosterDetail), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "值班表已发布，或已被他人修改"),
              (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn generate(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    body: LateJson,
) -> ApiResult<Json<RosterDetail>> {
    let ctx = auth.ctx();
    duty::get_roster(&state.db, &ctx, id).await?;
    let b: DutyGenerateBody = body.parse()?;
    let input = RosterInput {
        shifts: b.shifts.iter().map(DutyShiftDef::def).collect(),
        leaders: b.leaders.join("\n"),
        officers: b.officers.join("\n"),
        officers_per_day: b
            .officers_per_day
            .map(|n| n.to_string())
            .unwrap_or_default(),
        ..Default::default()
    };
    duty::generate(&state.db, &ctx, id, &input, b.row_version)
        .await
        .map_err(|e| shift_errors(e, true))?;
    Ok(Json(detail(&state, &auth, id).await?))
}
