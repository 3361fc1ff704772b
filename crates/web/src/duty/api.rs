//! Duty JSON API under /api/v1/duty: today's duty, rosters (list, create with rotation, read,
//! publish), the holiday calendar, duty log entries and zero reports (including the missed ones).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use anjian_db::duty::{self, LogInput, Roster, RosterFilter, RosterInput, Shift};
use anjian_db::{FieldErrors, PageReq};
use anjian_domain::role::Permission;

use crate::auth::{Access, Auth};
use crate::checklist::json_body;
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Id};
use crate::routes::RouteTable;
use crate::AppState;

pub fn routes() -> RouteTable {
    let view = Access::Perm(Permission::DutyView);
    let roster = Access::Perm(Permission::DutyRoster);
    let record = Access::Perm(Permission::DutyRecord);
    RouteTable::default()
        .get("/api/v1/duty/today", view, today)
        .get("/api/v1/duty/rosters", view, list)
        .post("/api/v1/duty/rosters", roster, create)
        .get("/api/v1/duty/rosters/{id}", view, get)
        .post("/api/v1/duty/rosters/{id}/publish", roster, publish)
        .get("/api/v1/duty/calendar", view, calendar)
        .get("/api/v1/duty/logs", view, logs)
        .post("/api/v1/duty/logs", record, add_log)
        .post("/api/v1/duty/zero-reports", record, zero_report)
        .get("/api/v1/duty/zero-reports/missing", view, missing)
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    today,
    list,
    create,
    get,
    publish,
    calendar,
    logs,
    add_log,
    zero_report,
    missing
))]
pub struct Doc;

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonDto {
    pub name: String,
    pub phone: String,
}

/// One shift on duty now or later today, for one organisation. Shown at an instant: every
/// shift of a published roster whose span contains it (yesterday's 夜班 until its handover) as
/// `current`, and today's (Asia/Shanghai) shifts that start later as `upcoming`; ended shifts are
/// left out. Ordered by organisation, then start.
#[derive(Debug, Serialize, ToSchema)]
pub struct OnDutyDto {
    pub org_id: i64,
    pub org_name: String,
    pub roster_id: i64,
    pub shift_id: i64,
    pub duty_date: NaiveDate,
    /// 白班, 夜班…; empty for the default single shift.
    pub shift_name: String,
    /// HH:MM, Shanghai time.
    pub shift_start: String,
    pub shift_hours: i64,
    /// "白班 08:30 起 12 小时", or the times alone for an unnamed shift.
    pub label: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// `current` (on duty now) or `upcoming` (later today).
    pub status: String,
    pub leader_name: String,
    pub leader_phone: String,
    pub officers: Vec<PersonDto>,
}

#[utoipa::path(get, path = "/api/v1/duty/today", tag = "值班值守",
    responses((status = 200, body = Vec<OnDutyDto>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn today(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<OnDutyDto>>> {
    let rows = duty::on_duty_today(&state.db, &auth.ctx()).await?;
    Ok(Json(
        rows.into_iter()
            .map(|d| OnDutyDto {
                label: d.label(),
                status: d.state.code().to_string(),
                org_id: d.org_id,
                org_name: d.org_name,
                roster_id: d.roster_id,
                shift_id: d.shift_id,
                duty_date: d.duty_date,
                shift_name: d.shift_name,
                shift_start: d.shift_start,
                shift_hours: d.shift_hours,
                starts_at: d.starts_at,
                ends_at: d.ends_at,
                leader_name: d.leader_name,
                leader_phone: d.leader_phone,
                officers: d
                    .officers
                    .into_iter()
                    .map(|p| PersonDto {
                        name: p.name,
                        phone: p.phone,
                    })
                    .collect(),
            })
            .collect(),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RosterDto {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub name: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    /// `draft` or `published`.
    pub status: String,
    pub note: String,
    pub published_at: Option<DateTime<Utc>>,
    pub row_version: i64,
}

impl From<Roster> for RosterDto {
    fn from(r: Roster) -> Self {
        RosterDto {
            id: r.id,
            org_id: r.org_id,
            org_name: r.org_name,
            name: r.name,
            start_date: r.start_date,
            end_date: r.end_date,
            status: r.status,
            note: r.note,
            published_at: r.published_at,
            row_version: r.row_version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ShiftDto {
    pub id: i64,
    pub duty_date: NaiveDate,
    /// 白班, 夜班…; empty for the default single shift.
    pub shift_name: String,
    pub shift_start: String,
    pub shift_hours: i64,
    pub leader_name: String,
    pub leader_phone: String,
    pub officers: Vec<PersonDto>,
}

impl From<Shift> for ShiftDto {
    fn from(s: Shift) -> Self {
        ShiftDto {
            officers: s
                .officer_list()
                .into_iter()
                .map(|p| PersonDto {
                    name: p.name,
                    phone: p.phone,
                })
                .collect(),
            id: s.id,
            duty_date: s.duty_date,
            shift_name: s.shift_name,
            shift_start: s.shift_start,
            shift_hours: s.shift_hours,
            leader_name: s.leader_name,
            leader_phone: s.leader_phone,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RosterDetail {
    #[serde(flatten)]
    pub roster: RosterDto,
    pub shifts: Vec<ShiftDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RosterPage {
    pub items: Vec<RosterDto>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RosterQuery {
    pub org_id: Option<i64>,
    /// Rosters that include this day
    pub on: Option<NaiveDate>,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/duty/rosters", tag = "值班值守", params(RosterQuery),
    responses((status = 200, body = RosterPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<RosterQuery>,
) -> ApiResult<Json<RosterPage>> {
    let f = RosterFilter {
        org_id: q.org_id,
        on: q.on,
    };
    let p = duty::list_rosters(
        &state.db,
        &auth.ctx(),
        &f,
        PageReq::new(q.page, q.page_size),
    )
    .await?;
    Ok(Json(RosterPage {
        items: p.items.into_iter().map(RosterDto::from).collect(),
        total: p.total,
        page: p.page,
        page_size: p.page_size,
    }))
}

/// A new roster and its rotation. People are "姓名 电话" lines.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RosterBody {
    pub org_id: i64,
    pub name: String,
    /// YYYY-MM-DD
    pub start_date: String,
    pub end_date: String,
    #[serde(default)]
    pub note: String,
    /// HH:MM (default 08:30); one shift a day. Ignored when `shifts` is given.
    #[serde(default)]
    pub shift_start: String,
    /// Hours (default 24)
    #[serde(default)]
    pub shift_hours: Option<i64>,
    /// Several shifts a day (at most 3, not overlapping), e.g. 白班 08:30 12 and 夜班 20:30 12.
    #[serde(default)]
    pub shifts: Vec<super::api_edit::DutyShiftDef>,
    #[serde(default)]
    pub leaders: Vec<String>,
    #[serde(default)]
    pub officers: Vec<String>,
    /// Officers per day (default 1)
    #[serde(default)]
    pub officers_per_day: Option<i64>,
}

pub(super) async fn detail(
    state: &AppState,
    auth: &Auth,
    id: i64,
) -> Result<RosterDetail, AppError> {
    let ctx = auth.ctx();
    let r = duty::get_roster(&state.db, &ctx, id).await?;
    let shifts = duty::shifts(&state.db, &ctx, id).await?;
    Ok(RosterDetail {
        roster: r.into(),
        shifts: shifts.into_iter().map(ShiftDto::from).collect(),
    })
}

#[utoipa::path(post, path = "/api/v1/duty/rosters", tag = "值班值守", request_body = RosterBody,
    responses((status = 201, body = RosterDetail), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(b): ApiJson<RosterBody>,
) -> ApiResult<Response> {
    let listed = !b.shifts.is_empty();
    let shifts = if listed {
        b.shifts.iter().map(|d| d.def()).collect()
    } else {
        vec![duty::ShiftDef {
            name: String::new(),
            start: b.shift_start,
            hours: b.shift_hours.map(|h| h.to_string()).unwrap_or_default(),
        }]
    };
    let input = RosterInput {
        org_id: b.org_id,
        name: b.name,
        start_date: b.start_date,
        end_date: b.end_date,
        note: b.note,
        shifts,
        leaders: b.leaders.join("\n"),
        officers: b.officers.join("\n"),
        officers_per_day: b
            .officers_per_day
            .map(|h| h.to_string())
            .unwrap_or_default(),
    };
    let r = duty::create_roster(&state.db, &auth.ctx(), &input)
        .await
        .map_err(|e| super::api_edit::shift_errors(e, listed))?;
    let d = detail(&state, &auth, r.id).await?;
    Ok((StatusCode::CREATED, Json(d)).into_response())
}

#[utoipa::path(get, path = "/api/v1/duty/rosters/{id}", tag = "值班值守",
    params(("id" = i64, Path, description = "值班表 id")),
    responses((status = 200, body = RosterDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> ApiResult<Json<RosterDetail>> {
    Ok(Json(detail(&state, &auth, id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionBody {
    pub row_version: i64,
}

#[utoipa::path(post, path = "/api/v1/duty/rosters/{id}/publish", tag = "值班值守", request_body = VersionBody,
    params(("id" = i64, Path, description = "值班表 id")),
    responses((status = 200, body = RosterDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "节假日或重要时段有日期缺带班领导，或已发布、已被修改"),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn publish(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<RosterDetail>> {
    duty::get_roster(&state.db, &auth.ctx(), id).await?;
    let b: VersionBody = json_body(&headers, &body)?;
    duty::publish(&state.db, &auth.ctx(), id, b.row_version).await?;
    Ok(Json(detail(&state, &auth, id).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarDto {
    pub id: i64,
    pub first_date: NaiveDate,
    pub last_date: NaiveDate,
    /// `holiday` 放假 or `workday` 调休上班.
    pub kind: String,
    pub name: String,
    pub year: i64,
    pub note: String,
    /// The version an update or deletion is based on.
    pub row_version: i64,
}

impl From<duty::CalendarEntry> for CalendarDto {
    fn from(e: duty::CalendarEntry) -> Self {
        CalendarDto {
            id: e.id,
            first_date: e.first_date,
            last_date: e.last_date,
            kind: e.kind,
            name: e.name,
            year: e.year,
            note: e.note,
            row_version: e.row_version,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct YearQuery {
    pub year: Option<i32>,
}

#[utoipa::path(get, path = "/api/v1/duty/calendar", tag = "值班值守", params(YearQuery),
    responses((status = 200, body = Vec<CalendarDto>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn calendar(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> ApiResult<Json<Vec<CalendarDto>>> {
    let rows = duty::calendar_entries(&state.db, &auth.ctx(), q.year).await?;
    Ok(Json(rows.into_iter().map(CalendarDto::from).collect()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RangeQuery {
    /// Default: 7 days ago
    pub from: Option<NaiveDate>,
    /// Default: today
    pub to: Option<NaiveDate>,
}

fn range(q: &RangeQuery) -> Result<(NaiveDate, NaiveDate), AppError> {
    let today = super::pages::today();
    let from = q.from.unwrap_or(today - chrono::Days::new(7));
    let to = q.to.unwrap_or(today);
    if to < from || (to - from).num_days() > 366 {
        return Err(AppError::Invalid(FieldErrors::single(
            "to",
            "截止日期应不早于起始日期，且区间不超过一年",
        )));
    }
    Ok((from, to))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LogDto {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub duty_date: NaiveDate,
    /// `entry` or `handover`.
    pub kind: String,
    pub logged_at: DateTime<Utc>,
    pub event: String,
    pub handling: String,
    pub notified: String,
    pub recorder_name: String,
}

impl From<duty::DutyLog> for LogDto {
    fn from(l: duty::DutyLog) -> Self {
        LogDto {
            id: l.id,
            org_id: l.org_id,
            org_name: l.org_name,
            duty_date: l.duty_date,
            kind: l.kind,
            logged_at: l.logged_at,
            event: l.event,
            handling: l.handling,
            notified: l.notified,
            recorder_name: l.recorder_name,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/duty/logs", tag = "值班值守", params(RangeQuery),
    responses((status = 200, body = Vec<LogDto>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn logs(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<RangeQuery>,
) -> ApiResult<Json<Vec<LogDto>>> {
    let (from, to) = range(&q)?;
    let rows = duty::logs(&state.db, &auth.ctx(), from, to).await?;
    Ok(Json(rows.into_iter().map(LogDto::from).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LogBody {
    pub org_id: i64,
    /// `entry` (default) or `handover`.
    #[serde(default)]
    pub kind: String,
    /// Shanghai time or RFC 3339; default now.
    #[serde(default)]
    pub logged_at: String,
    pub event: String,
    #[serde(default)]
    pub handling: String,
    #[serde(default)]
    pub notified: String,
}

#[utoipa::path(post, path = "/api/v1/duty/logs", tag = "值班值守", request_body = LogBody,
    responses((status = 201, body = LogDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn add_log(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(b): ApiJson<LogBody>,
) -> ApiResult<Response> {
    let input = LogInput {
        org_id: b.org_id,
        kind: b.kind,
        logged_at: b.logged_at,
        event: b.event,
        handling: b.handling,
        notified: b.notified,
    };
    let l = duty::add_log(&state.db, &auth.ctx(), &input).await?;
    Ok((StatusCode::CREATED, Json(LogDto::from(l))).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ZeroBody {
    pub org_id: i64,
    /// YYYY-MM-DD (today or earlier)
    pub report_date: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ZeroDto {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub report_date: NaiveDate,
    pub note: String,
    pub reported_at: DateTime<Utc>,
}

#[utoipa::path(post, path = "/api/v1/duty/zero-reports", tag = "值班值守", request_body = ZeroBody,
    responses((status = 201, body = ZeroDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn zero_report(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(b): ApiJson<ZeroBody>,
) -> ApiResult<Response> {
    let z = duty::zero_report(&state.db, &auth.ctx(), b.org_id, &b.report_date, &b.note).await?;
    Ok((
        StatusCode::CREATED,
        Json(ZeroDto {
            id: z.id,
            org_id: z.org_id,
            org_name: z.org_name,
            report_date: z.report_date,
            note: z.note,
            reported_at: z.reported_at,
        }),
    )
        .into_response())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MissingDto {
    pub org_id: i64,
    pub org_name: String,
    pub date: NaiveDate,
}

#[utoipa::path(get, path = "/api/v1/duty/zero-reports/missing", tag = "值班值守", params(RangeQuery),
    responses((status = 200, body = Vec<MissingDto>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn missing(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<RangeQuery>,
) -> ApiResult<Json<Vec<MissingDto>>> {
    let (from, to) = range(&q)?;
    let rows = duty::missing_zero_reports(&state.db, &auth.ctx(), from, to).await?;
    Ok(Json(
        rows.into_iter()
            .map(|m| MissingDto {
                org_id: m.org_id,
                org_name: m.org_name,
                date: m.date,
            })
            .collect(),
    ))
}
