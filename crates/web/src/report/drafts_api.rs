//! Drafts of the summary in the JSON API: list, create (the summary in the wording in force),
//! get a version with the figures snapshot and what changed since, and save a new version
//! (refused with 409 when made from an older version than the latest).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use anjian_db::report::draft::{
    self, figure_changes, Draft, DraftContent, DraftInput, DraftSection, DraftVersionInfo,
    FigureChange,
};
use anjian_db::report::{self, Figures};
use anjian_db::PageReq;
use anjian_domain::role::Permission;

use crate::auth::{Access, Auth};
use crate::checklist::json_body;
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Id};
use crate::routes::RouteTable;
use crate::statistics::resolve_period;
use crate::AppState;

pub fn routes() -> RouteTable {
    let view = Access::Perm(Permission::HazardView);
    let write = Access::Perm(Permission::ReportWrite);
    RouteTable::default()
        .get("/api/v1/reports/drafts", view, list)
        .post("/api/v1/reports/drafts", write, create)
        .get("/api/v1/reports/drafts/{id}", view, get)
        .post("/api/v1/reports/drafts/{id}/versions", write, new_version)
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(list, create, get, new_version))]
pub struct Doc;

/// A draft of the summary: period, organisation (with its subtree) and its latest version.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportDraftDto {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    /// Period code, e.g. 2023H1.
    pub period: String,
    /// e.g. 2023年上半年.
    pub period_label: String,
    /// The latest version's title.
    pub title: String,
    /// The latest version's number; send it back with a new version.
    pub row_version: i64,
    pub created_at: DateTime<Utc>,
    pub created_by_name: String,
    pub updated_at: DateTime<Utc>,
    pub updated_by_name: String,
}

impl From<&Draft> for ReportDraftDto {
    fn from(d: &Draft) -> Self {
        ReportDraftDto {
            id: d.id,
            org_id: d.org_id,
            org_name: d.org_name.clone(),
            period: d.period.clone(),
            period_label: d.period_label(),
            title: d.title.clone(),
            row_version: d.row_version,
            created_at: d.created_at,
            created_by_name: d.created_by_name.clone(),
            updated_at: d.updated_at,
            updated_by_name: d.updated_by_name.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportDraftPage {
    pub items: Vec<ReportDraftDto>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

/// One saved version of a draft.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportDraftVersionInfo {
    pub version: i64,
    pub title: String,
    /// The saver's note on what changed.
    pub note: String,
    pub saved_at: DateTime<Utc>,
    pub saved_by_name: String,
}

impl From<DraftVersionInfo> for ReportDraftVersionInfo {
    fn from(v: DraftVersionInfo) -> Self {
        ReportDraftVersionInfo {
            version: v.version,
            title: v.title,
            note: v.note,
            saved_at: v.saved_at,
            saved_by_name: v.saved_by_name,
        }
    }
}

/// A draft with one version's narrative, its version list, the figures as they stood when it
/// was generated, and the figures whose records changed since.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportDraftDetail {
    pub draft: ReportDraftDto,
    /// The version shown (the latest unless asked).
    pub version: ReportDraftVersionInfo,
    /// Its narrative: sections whose text has one paragraph a line and the figures as markers
    /// 【value|key】 (key as in `Figures`).
    pub content: DraftContent,
    /// Every version, newest first.
    pub versions: Vec<ReportDraftVersionInfo>,
    /// The figures when the draft was generated.
    pub figures: Figures,
    /// Figures whose value now differs from `figures` (数据已变化).
    pub changed_figures: Vec<FigureChange>,
}

async fn detail(
    state: &AppState,
    auth: &Auth,
    id: i64,
    version: Option<i64>,
) -> Result<ReportDraftDetail, AppError> {
    let ctx = auth.ctx();
    let d = draft::get(&state.db, &ctx, id).await?;
    let v = draft::version(&state.db, &ctx, id, version).await?;
    let snapshot = d.figures();
    let current = report::figures(&state.db, &ctx, &d.period()?, Some(d.org_id)).await?;
    Ok(ReportDraftDetail {
        draft: ReportDraftDto::from(&d),
        version: v.info.into(),
        content: v.content,
        versions: draft::versions(&state.db, &ctx, id)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
        changed_figures: figure_changes(&snapshot, &current),
        figures: snapshot,
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReportDraftListQuery {
    /// 只列此期间的草稿，如 2023H1
    pub period: Option<String>,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
}

/// Drafts in the caller's scope, latest saved first.
#[utoipa::path(get, path = "/api/v1/reports/drafts", tag = "报告", params(ReportDraftListQuery),
    responses((status = 200, description = "总结草稿", body = ReportDraftPage),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<ReportDraftListQuery>,
) -> ApiResult<Json<ReportDraftPage>> {
    let p = draft::list(
        &state.db,
        &auth.ctx(),
        q.period.as_deref(),
        PageReq::new(q.page, q.page_size),
    )
    .await?;
    Ok(Json(ReportDraftPage {
        items: p.items.iter().map(ReportDraftDto::from).collect(),
        total: p.total,
        page: p.page,
        page_size: p.page_size,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportDraftCreateBody {
    /// 总结期间：2023、2023H1、2023Q2、2023-05 或 2023-01-01..2023-03-31；默认当前半年
    pub period: Option<String>,
    /// 组织（含下级），默认本人所属组织
    pub org_id: Option<i64>,
}

/// Saves the summary of the period, in the wording in force, as a new draft (version 1).
#[utoipa::path(post, path = "/api/v1/reports/drafts", tag = "报告",
    request_body = ReportDraftCreateBody,
    responses((status = 201, description = "已保存为草稿", body = ReportDraftDetail),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(b): ApiJson<ReportDraftCreateBody>,
) -> ApiResult<Response> {
    let period =
        resolve_period(b.period.as_deref().unwrap_or(""), "", "").map_err(AppError::Invalid)?;
    let d = draft::create(&state.db, &auth.ctx(), &period, b.org_id).await?;
    let body = detail(&state, &auth, d.id, None).await?;
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReportDraftVersionQuery {
    /// 版本号，默认最新版本
    pub version: Option<i64>,
}

/// A draft with one version's narrative (the latest unless `version`).
#[utoipa::path(get, path = "/api/v1/reports/drafts/{id}", tag = "报告",
    params(("id" = i64, Path, description = "草稿编号"), ReportDraftVersionQuery),
    responses((status = 200, description = "草稿", body = ReportDraftDetail),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    ApiQuery(q): ApiQuery<ReportDraftVersionQuery>,
) -> ApiResult<Json<ReportDraftDetail>> {
    Ok(Json(detail(&state, &auth, id, q.version).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportDraftVersionBody {
    /// The version this edit was made from (the draft's `row_version`); an older one is refused.
    pub row_version: i64,
    pub title: String,
    /// Sections in order; keep the figure markers 【value|key】 to keep figures linked.
    pub sections: Vec<DraftSection>,
    /// 修改说明
    #[serde(default)]
    pub note: String,
}

/// Saves an edited narrative as the draft's next version.
#[utoipa::path(post, path = "/api/v1/reports/drafts/{id}/versions", tag = "报告",
    params(("id" = i64, Path, description = "草稿编号")),
    request_body = ReportDraftVersionBody,
    responses((status = 200, description = "已保存为新版本", body = ReportDraftDetail),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "草稿已有更新的版本", body = ErrorBody),
              (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn new_version(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<ReportDraftDetail>> {
    let ctx = auth.ctx();
    // Scope before the body: a draft out of sight is 404 whatever is sent.
    draft::get(&state.db, &ctx, id).await?;
    let b: ReportDraftVersionBody = json_body(&headers, &body)?;
    let input = DraftInput {
        row_version: b.row_version,
        title: b.title,
        sections: b.sections,
        note: b.note,
    };
    draft::save_version(&state.db, &ctx, id, &input).await?;
    Ok(Json(detail(&state, &auth, id, None).await?))
}
