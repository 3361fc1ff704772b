//! Incident JSON API under /api/v1/incidents: list (the register), 首报, one event with its
//! reports, 续报/终报, statistics of a period, and the time-limit settings.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use anjian_db::incident::{
    self, FiguresInput, Incident, IncidentInput, IncidentReport, IncidentRules, ReportInput,
};
use anjian_db::{FieldErrors, PageReq};
use anjian_domain::incident::{AccidentGrade, EventKind, ReportRules};
use anjian_domain::incident_flow::Status;
use anjian_domain::period::Period;
use anjian_domain::role::Permission;

use crate::auth::{Access, Auth};
use crate::checklist::json_body;
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Id};
use crate::routes::RouteTable;
use crate::AppState;

pub fn routes() -> RouteTable {
    let view = Access::Perm(Permission::IncidentView);
    let report = Access::Perm(Permission::IncidentReport);
    let settings = Access::Perm(Permission::DutySettings);
    RouteTable::default()
        .get("/api/v1/incidents", view, list)
        .post("/api/v1/incidents", report, create)
        .get("/api/v1/incidents/statistics", view, statistics)
        .get("/api/v1/incidents/{id}", view, get)
        .post("/api/v1/incidents/{id}/reports", report, append)
        .get("/api/v1/incident-rules", view, get_rules)
        .add(
            axum::http::Method::PUT,
            "/api/v1/incident-rules",
            settings,
            put_rules,
        )
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(list, create, statistics, get, append, get_rules, put_rules))]
pub struct Doc;

/// An accident or emergency event as its latest report states it.
#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentDto {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    /// `accident`, `flood`, `fire`, `equipment_failure`, `other`.
    pub event_kind: String,
    /// Standard of the accident type, e.g. "GB/T 6441-1986" (accidents only).
    pub accident_standard: String,
    pub accident_type: String,
    pub traffic_or_fire: bool,
    pub title: String,
    pub occurred_at: DateTime<Utc>,
    pub place: String,
    pub account: String,
    pub deaths: i64,
    pub missing: i64,
    pub serious_injuries: i64,
    pub minor_injuries: i64,
    /// 分.
    pub direct_loss_fen: i64,
    pub measures: String,
    pub reporter: String,
    pub contacts: String,
    /// 493号令 grade (accidents only): `extremely_serious`, `serious`, `large`, `general`.
    pub grade: Option<String>,
    /// Why the grade, e.g. "死亡3人，达到较大事故标准".
    pub grade_reason: String,
    /// `open` or `closed`.
    pub status: String,
    pub initial_due: DateTime<Utc>,
    pub first_reported_at: DateTime<Utc>,
    /// Minutes the 首报 came after its deadline (0: on time).
    pub initial_late_minutes: i64,
    /// Next 续报 due (open events).
    pub next_report_due: Option<DateTime<Utc>>,
    /// Minutes left to the next 续报, negative when overdue.
    pub minutes_left: Option<i64>,
    pub cause: String,
    pub responsibility: String,
    pub corrective_actions: String,
    pub closed_at: Option<DateTime<Utc>>,
    pub row_version: i64,
}

impl IncidentDto {
    fn new(i: Incident, rules: &IncidentRules) -> Self {
        let c = i.clock(rules, anjian_db::now());
        IncidentDto {
            grade_reason: i.grade_reason(),
            id: i.id,
            org_id: i.org_id,
            org_name: i.org_name,
            event_kind: i.event_kind,
            accident_standard: i.accident_standard,
            accident_type: i.accident_type,
            traffic_or_fire: i.traffic_or_fire,
            title: i.title,
            occurred_at: i.occurred_at,
            place: i.place,
            account: i.account,
            deaths: i.deaths,
            missing: i.missing,
            serious_injuries: i.serious_injuries,
            minor_injuries: i.minor_injuries,
            direct_loss_fen: i.direct_loss_fen,
            measures: i.measures,
            reporter: i.reporter,
            contacts: i.contacts,
            grade: i.grade,
            status: i.status,
            initial_due: i.initial_due,
            first_reported_at: i.first_reported_at,
            initial_late_minutes: c.initial_late_minutes,
            next_report_due: c.next_due,
            minutes_left: c.minutes_left,
            cause: i.cause,
            responsibility: i.responsibility,
            corrective_actions: i.corrective_actions,
            closed_at: i.closed_at,
            row_version: i.row_version,
        }
    }
}

/// One report of an event.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportDto {
    pub id: i64,
    /// `initial`, `follow_up`, `final`.
    pub kind: String,
    pub reported_at: DateTime<Utc>,
    pub reporter: String,
    pub content: String,
    /// What changed since the previous report.
    pub changes: String,
    /// A casualty change within the window of 493号令 Art. 13 (补报).
    pub supplementary: bool,
    pub deaths: i64,
    pub missing: i64,
    pub serious_injuries: i64,
    pub minor_injuries: i64,
    pub direct_loss_fen: i64,
    pub grade: Option<String>,
}

impl From<IncidentReport> for ReportDto {
    fn from(r: IncidentReport) -> Self {
        ReportDto {
            id: r.id,
            kind: r.kind,
            reported_at: r.reported_at,
            reporter: r.reporter,
            content: r.content,
            changes: r.changes,
            supplementary: r.supplementary,
            deaths: r.deaths,
            missing: r.missing,
            serious_injuries: r.serious_injuries,
            minor_injuries: r.minor_injuries,
            direct_loss_fen: r.direct_loss_fen,
            grade: r.grade,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentDetail {
    #[serde(flatten)]
    pub incident: IncidentDto,
    pub reports: Vec<ReportDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentPage {
    pub items: Vec<IncidentDto>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct IncidentQuery {
    /// `accident`, `flood`, `fire`, `equipment_failure`, `other`
    pub event_kind: Option<String>,
    /// `extremely_serious`, `serious`, `large`, `general`
    pub grade: Option<String>,
    /// Accident type code, e.g. "19"
    pub accident_type: Option<String>,
    /// `open` or `closed`
    pub status: Option<String>,
    /// Subtree of this organisation
    pub org_id: Option<i64>,
    /// Occurred on or after (Shanghai date)
    pub from: Option<NaiveDate>,
    /// Occurred on or before (Shanghai date)
    pub to: Option<NaiveDate>,
    pub keyword: Option<String>,
    /// 页码，从 1 开始
    pub page: Option<i64>,
    /// 每页条数，默认 20，超出 1–200 时自动调整
    pub page_size: Option<i64>,
}

fn code<T>(
    field: &str,
    v: Option<String>,
    parse: fn(&str) -> Option<T>,
) -> Result<Option<T>, AppError> {
    match v.filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => parse(&s)
            .map(Some)
            .ok_or_else(|| AppError::Invalid(FieldErrors::single(field, "取值无效"))),
    }
}

#[utoipa::path(get, path = "/api/v1/incidents", tag = "事故信息报告", params(IncidentQuery),
    responses((status = 200, body = IncidentPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<IncidentQuery>,
) -> ApiResult<Json<IncidentPage>> {
    let ctx = auth.ctx();
    let f = incident::IncidentFilter {
        event_kind: code("event_kind", q.event_kind, EventKind::from_code)?,
        grade: code("grade", q.grade, AccidentGrade::from_code)?,
        accident_type: q.accident_type,
        status: code("status", q.status, Status::from_code)?,
        org_id: q.org_id,
        from: q.from,
        to: q.to,
        keyword: q.keyword,
    };
    let rules = incident::rules(&state.db, &ctx).await?;
    let p = incident::list(&state.db, &ctx, &f, PageReq::new(q.page, q.page_size)).await?;
    Ok(Json(IncidentPage {
        items: p
            .items
            .into_iter()
            .map(|i| IncidentDto::new(i, &rules))
            .collect(),
        total: p.total,
        page: p.page,
        page_size: p.page_size,
    }))
}

/// Casualties (people) and estimated direct loss.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct FiguresBody {
    pub deaths: Option<i64>,
    pub missing: Option<i64>,
    pub serious_injuries: Option<i64>,
    pub minor_injuries: Option<i64>,
    /// 元 as a decimal string, e.g. "12000.50" (exact to the 分).
    pub direct_loss_yuan: Option<String>,
}

impl FiguresBody {
    fn input(&self) -> FiguresInput {
        let s = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
        FiguresInput {
            deaths: s(self.deaths),
            missing: s(self.missing),
            serious_injuries: s(self.serious_injuries),
            minor_injuries: s(self.minor_injuries),
            direct_loss_yuan: self.direct_loss_yuan.clone().unwrap_or_default(),
        }
    }
}

/// A 首报.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentBody {
    pub org_id: i64,
    /// `accident`, `flood`, `fire`, `equipment_failure`, `other`.
    pub event_kind: String,
    /// Accident type code of GB/T 6441-1986 (accidents), e.g. "19".
    #[serde(default)]
    pub accident_type: String,
    #[serde(default)]
    pub traffic_or_fire: bool,
    pub title: String,
    /// RFC 3339, or Shanghai time "2023-05-01 08:30".
    pub occurred_at: String,
    pub place: String,
    pub account: String,
    #[serde(default)]
    pub figures: FiguresBody,
    #[serde(default)]
    pub measures: String,
    pub reporter: String,
    pub contacts: String,
}

#[utoipa::path(post, path = "/api/v1/incidents", tag = "事故信息报告", request_body = IncidentBody,
    responses((status = 201, body = IncidentDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(b): ApiJson<IncidentBody>,
) -> ApiResult<Response> {
    let ctx = auth.ctx();
    let input = IncidentInput {
        org_id: b.org_id,
        event_kind: b.event_kind,
        accident_type: b.accident_type,
        traffic_or_fire: b.traffic_or_fire,
        title: b.title,
        occurred_at: b.occurred_at,
        place: b.place,
        account: b.account,
        figures: b.figures.input(),
        measures: b.measures,
        reporter: b.reporter,
        contacts: b.contacts,
    };
    let i = incident::create(&state.db, &ctx, &input).await?;
    let rules = incident::rules(&state.db, &ctx).await?;
    Ok((StatusCode::CREATED, Json(IncidentDto::new(i, &rules))).into_response())
}

#[utoipa::path(get, path = "/api/v1/incidents/{id}", tag = "事故信息报告",
    params(("id" = i64, Path, description = "事件 id")),
    responses((status = 200, body = IncidentDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> ApiResult<Json<IncidentDetail>> {
    let ctx = auth.ctx();
    let i = incident::get(&state.db, &ctx, id).await?;
    let rules = incident::rules(&state.db, &ctx).await?;
    let reports = incident::reports(&state.db, &ctx, id).await?;
    Ok(Json(IncidentDetail {
        incident: IncidentDto::new(i, &rules),
        reports: reports.into_iter().map(ReportDto::from).collect(),
    }))
}

/// A 续报 or 终报. Figures are the totals as of this report; omitted ones stay as they were.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentReportBody {
    /// `follow_up` or `final`.
    pub kind: String,
    #[serde(default)]
    pub content: String,
    #[serde(default)]
    pub figures: FiguresBody,
    #[serde(default)]
    pub measures: String,
    pub reporter: String,
    /// 终报: required.
    #[serde(default)]
    pub cause: String,
    #[serde(default)]
    pub responsibility: String,
    #[serde(default)]
    pub corrective_actions: String,
    /// The event's `row_version` as read.
    pub row_version: i64,
}

#[utoipa::path(post, path = "/api/v1/incidents/{id}/reports", tag = "事故信息报告", request_body = IncidentReportBody,
    params(("id" = i64, Path, description = "事件 id")),
    responses((status = 200, body = IncidentDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn append(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<IncidentDto>> {
    let ctx = auth.ctx();
    // Scope before the body: an id outside the caller's scope is 404 whatever is sent.
    incident::get(&state.db, &ctx, id).await?;
    let b: IncidentReportBody = json_body(&headers, &body)?;
    let input = ReportInput {
        kind: b.kind,
        content: b.content,
        figures: b.figures.input(),
        measures: b.measures,
        reporter: b.reporter,
        cause: b.cause,
        responsibility: b.responsibility,
        corrective_actions: b.corrective_actions,
    };
    let i = incident::append(&state.db, &ctx, id, &input, b.row_version).await?;
    let rules = incident::rules(&state.db, &ctx).await?;
    Ok(Json(IncidentDto::new(i, &rules)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StatisticsQuery {
    /// e.g. 2023H1, 2023, 2023Q2, 2023-05 (default: the current half-year)
    pub period: Option<String>,
    /// Subtree of this organisation (default: the caller's)
    pub org_id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CountDto {
    pub code: String,
    pub label: String,
    pub count: i64,
}

/// Duty figures of key periods in the period.
#[derive(Debug, Serialize, ToSchema)]
pub struct DutyFiguresDto {
    pub key_period_days: i64,
    pub key_period_days_covered: i64,
    pub zero_reports_due: i64,
    pub zero_reports_missed: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentStatisticsDto {
    pub first: NaiveDate,
    pub last: NaiveDate,
    pub accidents: i64,
    pub casualty_accidents: i64,
    pub deaths: i64,
    pub missing: i64,
    pub serious_injuries: i64,
    pub minor_injuries: i64,
    pub direct_loss_fen: i64,
    pub by_grade: Vec<CountDto>,
    /// Codes as "standard:code", e.g. "GB/T 6441-1986:19".
    pub by_type: Vec<CountDto>,
    pub events_by_kind: Vec<CountDto>,
    pub open_events: i64,
    pub accident_ids: Vec<i64>,
    pub duty: DutyFiguresDto,
}

#[utoipa::path(get, path = "/api/v1/incidents/statistics", tag = "事故信息报告", params(StatisticsQuery),
    responses((status = 200, body = IncidentStatisticsDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn statistics(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<StatisticsQuery>,
) -> ApiResult<Json<IncidentStatisticsDto>> {
    let period = match q.period.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(p) => Period::parse(p)
            .map_err(|e| AppError::Invalid(FieldErrors::single("period", e.to_string())))?,
        None => {
            let today = anjian_domain::time::today(anjian_db::now());
            Period::half_year_of(today)
                .ok_or_else(|| AppError::Invalid(FieldErrors::single("period", "统计期间无效")))?
        }
    };
    let s = incident::statistics(&state.db, &auth.ctx(), &period, q.org_id).await?;
    Ok(Json(IncidentStatisticsDto {
        first: s.first,
        last: s.last,
        accidents: s.accidents,
        casualty_accidents: s.casualty_accidents,
        deaths: s.deaths,
        missing: s.missing,
        serious_injuries: s.serious_injuries,
        minor_injuries: s.minor_injuries,
        direct_loss_fen: s.direct_loss_fen,
        by_grade: s
            .by_grade
            .into_iter()
            .map(|g| CountDto {
                code: g.grade.into(),
                label: g.label.into(),
                count: g.count,
            })
            .collect(),
        by_type: s
            .by_type
            .into_iter()
            .map(|t| CountDto {
                code: format!("{}:{}", t.standard, t.code),
                label: t.name,
                count: t.count,
            })
            .collect(),
        events_by_kind: s
            .events_by_kind
            .into_iter()
            .map(|k| CountDto {
                code: k.kind.into(),
                label: k.label.into(),
                count: k.count,
            })
            .collect(),
        open_events: s.open_events,
        accident_ids: s.accident_ids,
        duty: DutyFiguresDto {
            key_period_days: s.duty.key_period_days,
            key_period_days_covered: s.duty.key_period_days_covered,
            zero_reports_due: s.duty.zero_reports_due,
            zero_reports_missed: s.duty.zero_reports_missed,
        },
    }))
}

/// Report time limits (defaults: 国务院令第493号 Art. 9 and 13).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentRulesDto {
    /// Minutes from the occurrence to the 首报 (default 60).
    pub initial_minutes: i64,
    /// Days in which a casualty change calls for a 补报 (default 30).
    pub casualty_change_days: i64,
    /// The same for road traffic and fire accidents (default 7).
    pub casualty_change_days_traffic_fire: i64,
    /// Hours between 续报 (default 24; halved for 重大 and above).
    pub follow_up_hours: i64,
    /// The settings' version (0 while the defaults apply). Always in answers; required in a PUT,
    /// which is refused with 409 when the settings were saved since it was read.
    #[serde(default)]
    pub row_version: Option<i64>,
}

impl IncidentRulesDto {
    fn new(r: IncidentRules, row_version: i64) -> Self {
        IncidentRulesDto {
            initial_minutes: r.report.initial_minutes,
            casualty_change_days: r.report.casualty_change_days,
            casualty_change_days_traffic_fire: r.report.casualty_change_days_traffic_fire,
            follow_up_hours: r.follow_up_hours,
            row_version: Some(row_version),
        }
    }
}

#[utoipa::path(get, path = "/api/v1/incident-rules", tag = "事故信息报告",
    responses((status = 200, body = IncidentRulesDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_rules(
    State(state): State<AppState>,
    auth: Auth,
) -> ApiResult<Json<IncidentRulesDto>> {
    let ctx = auth.ctx();
    let r = incident::rules(&state.db, &ctx).await?;
    let v = incident::rules_version(&state.db, &ctx).await?;
    Ok(Json(IncidentRulesDto::new(r, v)))
}

#[utoipa::path(put, path = "/api/v1/incident-rules", tag = "事故信息报告", request_body = IncidentRulesDto,
    responses((status = 200, body = IncidentRulesDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 415, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn put_rules(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(b): ApiJson<IncidentRulesDto>,
) -> ApiResult<Json<IncidentRulesDto>> {
    let r = IncidentRules {
        report: ReportRules {
            initial_minutes: b.initial_minutes,
            casualty_change_days: b.casualty_change_days,
            casualty_change_days_traffic_fire: b.casualty_change_days_traffic_fire,
        },
        follow_up_hours: b.follow_up_hours,
    };
    let Some(version) = b.row_version else {
        return Err(AppError::Invalid(FieldErrors::single(
            "row_version",
            "缺少版本号（row_version），请先读取时限设置",
        ))
        .into());
    };
    let saved = incident::save_rules(&state.db, &auth.ctx(), &r, version).await?;
    // Every save moves all values to the next version.
    Ok(Json(IncidentRulesDto::new(saved, version + 1)))
}
