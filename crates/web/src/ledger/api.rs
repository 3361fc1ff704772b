//! Ledger JSON API under /api/v1/ledgers: the same repository calls as the pages, so the same
//! permissions, scope and rules. One set of endpoints for the six ledgers (`kind`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use anjian_db::ledger::{self, Entry, ItemInput, LedgerFilter, LedgerInput};
use anjian_db::{FieldErrors, PageReq};
use anjian_domain::dates::parse_date;
use anjian_domain::ledger::LedgerKind;
use anjian_domain::money::Fen;
use anjian_domain::period::Period;
use anjian_domain::role::Permission;

use crate::auth::{Access, Auth};
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::{ApiQuery, Id};
use crate::hazard::query::LateJson;
use crate::routes::RouteTable;
use crate::AppState;

pub fn routes() -> RouteTable {
    let view = Access::Perm(Permission::LedgerView);
    let record = Access::Perm(Permission::LedgerRecord);
    RouteTable::default()
        .get("/api/v1/ledgers/entries", view, list)
        .post("/api/v1/ledgers/entries", record, create)
        .get("/api/v1/ledgers/statistics", view, statistics)
        .get("/api/v1/ledgers/todo", view, todo)
        .get("/api/v1/ledgers/entries/{id}", view, get)
        .add(
            axum::http::Method::PUT,
            "/api/v1/ledgers/entries/{id}",
            record,
            update,
        )
        .add(
            axum::http::Method::DELETE,
            "/api/v1/ledgers/entries/{id}",
            record,
            delete,
        )
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(list, create, statistics, todo, get, update, delete),
    components(schemas(
        EntryDto,
        EntryPage,
        EntryDetailDto,
        LedgerItemDto,
        LedgerItemBody,
        LedgerBody,
        LedgerStatisticsDto,
        CategoryDto,
        UnitDto,
        LedgerTodoDto
    ))
)]
pub struct LedgerApi;

/// A ledger entry. Amounts in 分 (integer) and as 元 text with two decimals; never floats.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntryDto {
    pub id: i64,
    /// `funding`, `training`, `publicity`, `drill`, `meeting`, `letter`
    pub kind: String,
    pub org_id: i64,
    pub org_name: String,
    pub entry_date: chrono::NaiveDate,
    pub year: Option<i64>,
    pub title: String,
    pub category: String,
    pub category_label: String,
    pub description: String,
    pub amount_fen: Option<i64>,
    pub amount_yuan: Option<String>,
    /// 学时 in tenths
    pub hours_tenths: Option<i64>,
    pub participants: Option<i64>,
    pub campaign_id: Option<i64>,
    pub drill_kind: String,
    pub drill_form: String,
    pub plan_type: String,
    pub plan: String,
    pub trainer: String,
    pub assessment: String,
    pub evaluation: String,
    pub attendees: String,
    pub topics: String,
    pub signatories: String,
    pub targets: String,
    pub row_version: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<Entry> for EntryDto {
    fn from(e: Entry) -> Self {
        EntryDto {
            category_label: match e.kind() {
                LedgerKind::Funding => e.display("category"),
                k => k.category_options().label(&e.category),
            },
            amount_yuan: e.amount_fen.map(|f| Fen(f).to_yuan_2dp()),
            id: e.id,
            kind: e.kind,
            org_id: e.org_id,
            org_name: e.org_name,
            entry_date: e.entry_date,
            year: e.year,
            title: e.title,
            category: e.category,
            description: e.description,
            amount_fen: e.amount_fen,
            hours_tenths: e.hours_tenths,
            participants: e.participants,
            campaign_id: e.campaign_id,
            drill_kind: e.drill_kind,
            drill_form: e.drill_form,
            plan_type: e.plan_type,
            plan: e.plan,
            trainer: e.trainer,
            assessment: e.assessment,
            evaluation: e.evaluation,
            attendees: e.attendees,
            topics: e.topics,
            signatories: e.signatories,
            targets: e.targets,
            row_version: e.row_version,
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EntryPage {
    pub items: Vec<EntryDto>,
    /// Matching entries, counted up to 1000 (the funding ledger: exactly)
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
    /// Sum of the filtered entries' amounts in 分 (funding)
    pub amount_fen_total: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LedgerItemDto {
    pub id: i64,
    pub content: String,
    pub owner_user_id: Option<i64>,
    pub owner_name: Option<String>,
    pub deadline: Option<chrono::NaiveDate>,
    /// `open` or `done`
    pub status: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EntryDetailDto {
    pub entry: EntryDto,
    pub items: Vec<LedgerItemDto>,
    pub attendee_user_ids: Vec<i64>,
    pub attachment_ids: Vec<i64>,
}

/// An action or improvement item as sent.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct LedgerItemBody {
    pub content: String,
    pub owner_user_id: Option<i64>,
    /// YYYY-MM-DD
    pub deadline: String,
    /// `open` or `done`
    pub status: String,
}

/// A ledger entry as sent. Which fields a ledger reads and requires depends on `kind`; amounts
/// are text in 元 with at most two decimals (`"1193.00"`).
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct LedgerBody {
    /// `funding`, `training`, `publicity`, `drill`, `meeting`, `letter` (create only)
    pub kind: String,
    /// Required on update: the version the change is based on
    pub row_version: Option<i64>,
    pub org_id: Option<i64>,
    pub entry_date: String,
    pub year: String,
    pub title: String,
    pub category: String,
    pub description: String,
    pub amount: String,
    pub hours: String,
    pub participants: String,
    pub campaign_id: Option<i64>,
    pub drill_kind: String,
    pub drill_form: String,
    pub plan_type: String,
    pub plan: String,
    pub trainer: String,
    pub assessment: String,
    pub evaluation: String,
    pub attendees: String,
    pub topics: String,
    pub signatories: String,
    pub targets: String,
    pub attendee_user_ids: Vec<i64>,
    pub items: Vec<LedgerItemBody>,
    pub attachment_ids: Vec<i64>,
}

impl LedgerBody {
    fn into_input(self) -> LedgerInput {
        LedgerInput {
            org_id: self.org_id,
            entry_date: self.entry_date,
            year: self.year,
            title: self.title,
            category: self.category,
            description: self.description,
            amount: self.amount,
            hours: self.hours,
            participants: self.participants,
            campaign_id: self.campaign_id,
            drill_kind: self.drill_kind,
            drill_form: self.drill_form,
            plan_type: self.plan_type,
            plan: self.plan,
            trainer: self.trainer,
            assessment: self.assessment,
            evaluation: self.evaluation,
            attendees: self.attendees,
            topics: self.topics,
            signatories: self.signatories,
            targets: self.targets,
            attendee_user_ids: self.attendee_user_ids,
            items: self
                .items
                .into_iter()
                .map(|i| ItemInput {
                    content: i.content,
                    owner_user_id: i.owner_user_id,
                    deadline: i.deadline,
                    status: i.status,
                })
                .collect(),
            attachment_ids: self.attachment_ids,
        }
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
pub struct EntryQuery {
    /// `funding`, `training`, `publicity`, `drill`, `meeting`, `letter`
    pub kind: String,
    /// This organisation and everything below it
    pub org_id: Option<i64>,
    /// First date, YYYY-MM-DD
    pub from: Option<String>,
    /// Last date, YYYY-MM-DD
    pub to: Option<String>,
    /// The ledger's type column (use category code, training kind, form, scenario, meeting kind)
    pub category: Option<String>,
    pub keyword: Option<String>,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
}

fn kind_param(s: &str) -> Result<LedgerKind, AppError> {
    LedgerKind::from_code(s).ok_or_else(|| {
        AppError::Invalid(FieldErrors::single(
            "kind",
            "台账类型应为 funding、training、publicity、drill、meeting 或 letter",
        ))
    })
}

fn date_param(field: &str, v: &Option<String>) -> Result<Option<chrono::NaiveDate>, AppError> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => parse_date(s)
            .map(Some)
            .map_err(|e| AppError::Invalid(FieldErrors::single(field, e.to_string()))),
    }
}

#[utoipa::path(get, path = "/api/v1/ledgers/entries", tag = "安全工作台账", params(EntryQuery),
    responses((status = 200, body = EntryPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<EntryQuery>,
) -> ApiResult<Json<EntryPage>> {
    let kind = kind_param(&q.kind)?;
    let f = LedgerFilter {
        org_id: q.org_id,
        from: date_param("from", &q.from)?,
        to: date_param("to", &q.to)?,
        category: q.category.clone(),
        keyword: q.keyword.clone(),
    };
    let (p, sum) = ledger::list(
        &state.db,
        &auth.ctx(),
        kind,
        &f,
        PageReq::new(q.page, q.page_size),
    )
    .await?;
    Ok(Json(EntryPage {
        items: p.items.into_iter().map(Into::into).collect(),
        total: p.total,
        page: p.page,
        page_size: p.page_size,
        amount_fen_total: sum,
    }))
}

#[utoipa::path(post, path = "/api/v1/ledgers/entries", tag = "安全工作台账", request_body = LedgerBody,
    responses((status = 201, body = EntryDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    body: LateJson,
) -> ApiResult<Response> {
    let b: LedgerBody = body.parse()?;
    let kind = kind_param(&b.kind)?;
    let e = ledger::create(&state.db, &auth.ctx(), kind, &b.into_input()).await?;
    Ok((StatusCode::CREATED, Json(EntryDto::from(e))).into_response())
}

#[utoipa::path(get, path = "/api/v1/ledgers/entries/{id}", tag = "安全工作台账", params(("id" = i64, Path)),
    responses((status = 200, body = EntryDetailDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> ApiResult<Json<EntryDetailDto>> {
    let d = ledger::get(&state.db, &auth.ctx(), id).await?;
    Ok(Json(EntryDetailDto {
        items: d
            .items
            .into_iter()
            .map(|i| LedgerItemDto {
                id: i.id,
                content: i.content,
                owner_user_id: i.owner_user_id,
                owner_name: i.owner_name,
                deadline: i.deadline,
                status: i.status,
            })
            .collect(),
        attendee_user_ids: d.attendees.iter().map(|(i, _)| *i).collect(),
        attachment_ids: d.attachments.iter().map(|a| a.attachment_id).collect(),
        entry: d.entry.into(),
    }))
}

#[utoipa::path(put, path = "/api/v1/ledgers/entries/{id}", tag = "安全工作台账", params(("id" = i64, Path)),
    request_body = LedgerBody,
    responses((status = 200, body = EntryDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    body: LateJson,
) -> ApiResult<Json<EntryDto>> {
    let ctx = auth.ctx();
    ledger::get_row(&state.db, &ctx, id).await?;
    let b: LedgerBody = body.parse()?;
    let Some(v) = b.row_version else {
        return Err(AppError::Invalid(FieldErrors::single("row_version", "缺少必填字段")).into());
    };
    Ok(Json(
        ledger::update(&state.db, &ctx, id, v, &b.into_input())
            .await?
            .into(),
    ))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
pub struct DeleteQuery {
    /// The version the deletion is based on
    pub row_version: i64,
}

#[utoipa::path(delete, path = "/api/v1/ledgers/entries/{id}", tag = "安全工作台账",
    params(("id" = i64, Path), DeleteQuery),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn delete(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    ApiQuery(q): ApiQuery<DeleteQuery>,
) -> ApiResult<StatusCode> {
    ledger::delete(&state.db, &auth.ctx(), id, q.row_version).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryDto {
    pub code: String,
    pub label: String,
    pub fen: i64,
    pub wan_yuan: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitDto {
    pub org_id: i64,
    pub org_name: String,
    pub funding_fen: i64,
    pub publicity_events: i64,
    pub trainings: i64,
    pub drills: i64,
    pub safety_meetings: i64,
    pub responsibility_letters_signed: i64,
}

/// Ledger figures of a period, as the half-year summary cites them.
#[derive(Debug, Serialize, ToSchema)]
pub struct LedgerStatisticsDto {
    pub first: chrono::NaiveDate,
    pub last: chrono::NaiveDate,
    pub funding_fen: i64,
    /// 万元 with two decimals, half up on the 分 integer
    pub funding_wan_yuan: String,
    pub publicity_events: i64,
    pub trainings: i64,
    pub training_hours_tenths: i64,
    pub training_participants: i64,
    pub drills: i64,
    pub safety_meetings: i64,
    pub quarterly_meetings: i64,
    pub responsibility_letters_signed: i64,
    pub funding_by_category: Vec<CategoryDto>,
    pub by_unit: Vec<UnitDto>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
pub struct StatisticsQuery {
    /// `2023`, `2023H1`, `2023Q2`, `2023-05` or `2023-01-01..2023-03-31`
    pub period: String,
    /// This organisation and everything below it
    pub org_id: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/ledgers/statistics", tag = "安全工作台账", params(StatisticsQuery),
    responses((status = 200, body = LedgerStatisticsDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn statistics(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<StatisticsQuery>,
) -> ApiResult<Json<LedgerStatisticsDto>> {
    let period = Period::parse(&q.period)
        .map_err(|e| AppError::Invalid(FieldErrors::single("period", e.to_string())))?;
    let s = ledger::statistics(&state.db, &auth.ctx(), &period, q.org_id).await?;
    Ok(Json(LedgerStatisticsDto {
        funding_wan_yuan: s.funding_wan_yuan(),
        first: s.first,
        last: s.last,
        funding_fen: s.funding_fen,
        publicity_events: s.publicity_events,
        trainings: s.trainings,
        training_hours_tenths: s.training_hours_tenths,
        training_participants: s.training_participants,
        drills: s.drills,
        safety_meetings: s.safety_meetings,
        quarterly_meetings: s.quarterly_meetings,
        responsibility_letters_signed: s.responsibility_letters_signed,
        funding_by_category: s
            .funding_by_category
            .iter()
            .map(|c| CategoryDto {
                code: c.code.clone(),
                label: c.label.clone(),
                fen: c.fen,
                wan_yuan: c.wan_yuan(),
            })
            .collect(),
        by_unit: s
            .by_unit
            .into_iter()
            .map(|u| UnitDto {
                org_id: u.org_id,
                org_name: u.org_name,
                funding_fen: u.funding_fen,
                publicity_events: u.publicity_events,
                trainings: u.trainings,
                drills: u.drills,
                safety_meetings: u.safety_meetings,
                responsibility_letters_signed: u.responsibility_letters_signed,
            })
            .collect(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LedgerTodoDto {
    pub item_id: i64,
    pub entry_id: i64,
    pub kind: String,
    pub entry_title: String,
    pub content: String,
    pub deadline: Option<chrono::NaiveDate>,
}

#[utoipa::path(get, path = "/api/v1/ledgers/todo", tag = "安全工作台账",
    responses((status = 200, body = Vec<LedgerTodoDto>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn todo(
    State(state): State<AppState>,
    auth: Auth,
) -> ApiResult<Json<Vec<LedgerTodoDto>>> {
    let items = ledger::todo(&state.db, &auth.ctx()).await?;
    Ok(Json(
        items
            .into_iter()
            .map(|t| LedgerTodoDto {
                item_id: t.item_id,
                entry_id: t.entry_id,
                kind: t.kind,
                entry_title: t.entry_title,
                content: t.content,
                deadline: t.deadline,
            })
            .collect(),
    ))
}
