//! Inspection task pages: the list (for a unit, its own tasks with its status and the link to
//! record the inspection), the completion board, the new/edit form and cancelling.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use chrono::NaiveDate;
use serde::Deserialize;

use anjian_db::campaign::{self, CampaignFilter};
use anjian_db::checklist::{self, Checklist};
use anjian_db::inspection_task::{self, Board, TaskFilter, TaskRow};
use anjian_db::{DbError, FieldErrors, PageReq};
use anjian_domain::inspection::InspectionKind;
use anjian_domain::role::Permission;

use super::forms::TaskForm;
use crate::auth::{Access, Auth};
use crate::checklist::forms::{row_version, VersionForm};
use crate::error::{AppError, PageError, PageResult};
use crate::extract::Id;
use crate::layout::{query_string, Chrome, Pager};
use crate::routes::RouteTable;
use crate::AppState;

pub fn routes() -> RouteTable {
    let view = Access::Perm(Permission::InspectionView);
    let plan = Access::Perm(Permission::InspectionPlan);
    RouteTable::default()
        .get("/inspection-tasks", view, list)
        .get("/inspection-tasks/new", plan, new_page)
        .post("/inspection-tasks", plan, create)
        .get("/inspection-tasks/{id}", view, detail)
        .get("/inspection-tasks/{id}/edit", plan, edit_page)
        .post("/inspection-tasks/{id}", plan, update)
        .post("/inspection-tasks/{id}/cancel", plan, cancel)
}

fn today() -> NaiveDate {
    anjian_domain::time::today(anjian_db::now())
}

/// A list row with what the caller sees of it.
pub struct Line {
    pub t: TaskRow,
    /// The caller's own status when they are an assignee rather than the issuer.
    pub status: &'static str,
    pub tone: &'static str,
    pub can_record: bool,
}

fn line(t: TaskRow, ctx: &anjian_db::Ctx, today: NaiveDate) -> Line {
    let (status, tone) = if t.cancelled() {
        ("已取消", "")
    } else if t.assigned > 0 && t.submitted >= t.assigned {
        ("已提交", "ok")
    } else if today > t.task.due_date {
        ("已逾期", "danger")
    } else if today < t.task.start_date {
        ("未开始", "")
    } else {
        ("进行中", "warning")
    };
    let can_record = !t.cancelled()
        && ctx.can(Permission::InspectionRecord)
        && !t.can_manage(ctx)
        && t.submitted < t.assigned;
    Line {
        t,
        status,
        tone,
        can_record,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    /// `open` (default), `cancelled` or `all`.
    pub status: String,
    pub keyword: String,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
    pub notice: Option<String>,
}

#[derive(Template)]
#[template(path = "inspection_task/list.html")]
struct ListPage {
    chrome: Chrome,
    q: ListQuery,
    rows: Vec<Line>,
    pager: Pager,
    can_plan: bool,
}

async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(mut q): Query<ListQuery>,
) -> PageResult<Html<String>> {
    let ctx = auth.ctx();
    if !matches!(q.status.as_str(), "open" | "cancelled" | "all") {
        q.status = "open".into();
    }
    let f = TaskFilter {
        status: q.status.clone(),
        keyword: Some(q.keyword.clone()),
        campaign_id: None,
    };
    let page =
        inspection_task::list(&state.db, &ctx, &f, PageReq::new(q.page, q.page_size)).await?;
    let qs = query_string(&[("status", q.status.clone()), ("keyword", q.keyword.clone())]);
    let day = today();
    let p = ListPage {
        chrome: Chrome::new(&auth, "/inspection-tasks", "检查任务")
            .crumb("/inspection-tasks", "检查任务")
            .notice(q.notice.as_deref()),
        pager: Pager::new(&page, "/inspection-tasks", &qs),
        rows: page.items.into_iter().map(|t| line(t, &ctx, day)).collect(),
        can_plan: ctx.can(Permission::InspectionPlan),
        q,
    };
    Ok(Html(p.render().map_err(PageError::from)?))
}

#[derive(Template)]
#[template(path = "inspection_task/detail.html")]
struct DetailPage {
    chrome: Chrome,
    line: Line,
    board: Board,
    can_manage: bool,
    today: NaiveDate,
    cancelled_at: String,
}

#[derive(Deserialize, Default)]
struct NoticeQuery {
    notice: Option<String>,
}

async fn detail(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Query(q): Query<NoticeQuery>,
) -> PageResult<Html<String>> {
    let ctx = auth.ctx();
    let day = today();
    let (t, board) = inspection_task::board(&state.db, &ctx, id, day).await?;
    let p = DetailPage {
        chrome: Chrome::new(&auth, "/inspection-tasks", t.task.title.clone())
            .crumb("/inspection-tasks", "检查任务")
            .crumb(format!("/inspection-tasks/{id}"), t.task.title.clone())
            .notice(q.notice.as_deref()),
        can_manage: t.can_manage(&ctx) && !t.cancelled(),
        cancelled_at: crate::layout::opt_instant(&t.task.cancelled_at),
        line: line(t, &ctx, day),
        board,
        today: day,
    };
    Ok(Html(p.render().map_err(PageError::from)?))
}

#[derive(Template)]
#[template(path = "inspection_task/form.html")]
struct FormPage {
    chrome: Chrome,
    action: String,
    cancel: String,
    form: TaskForm,
    errors: FieldErrors,
    conflict: Option<String>,
    kinds: Vec<(&'static str, &'static str)>,
    campaigns: Vec<(i64, String)>,
    checklists: Vec<Checklist>,
    units: Vec<(i64, String)>,
    units_legend: &'static str,
}

async fn form_page(
    state: &AppState,
    auth: &Auth,
    editing: Option<&TaskRow>,
    form: TaskForm,
    errors: FieldErrors,
    conflict: Option<String>,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    let (title, action) = match editing {
        Some(t) => (
            format!("编辑：{}", t.task.title),
            format!("/inspection-tasks/{}", t.task.id),
        ),
        None => ("下达检查任务".to_string(), "/inspection-tasks".to_string()),
    };
    let cancel = if editing.is_some() {
        action.clone()
    } else {
        "/inspection-tasks".to_string()
    };
    let campaigns = campaign::list(
        &state.db,
        &ctx,
        &CampaignFilter::default(),
        PageReq::new(Some(1), Some(PageReq::MAX_PAGE_SIZE)),
    )
    .await?
    .items
    .into_iter()
    .map(|c| (c.campaign.id, c.campaign.name))
    .collect();
    let status = crate::checklist::form_status(&errors, &conflict);
    let p = FormPage {
        chrome: Chrome::new(auth, "/inspection-tasks", title.clone())
            .crumb("/inspection-tasks", "检查任务")
            .crumb(&cancel, title),
        action,
        cancel,
        form,
        errors,
        conflict,
        kinds: InspectionKind::ALL
            .iter()
            .map(|k| (k.code(), k.label()))
            .collect(),
        campaigns,
        checklists: checklist::list_usable(&state.db, &ctx).await?,
        units: checklist::units_for_picker(&state.db, &ctx).await?,
        units_legend: "下达单位",
    };
    Ok((status, Html(p.render().map_err(PageError::from)?)).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NewQuery {
    campaign_id: String,
}

async fn new_page(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<NewQuery>,
) -> PageResult<Response> {
    let day = today();
    let form = TaskForm {
        kind: InspectionKind::SelfCheck.code().into(),
        campaign_id: q.campaign_id,
        start_date: day.to_string(),
        all_units: "1".into(),
        ..Default::default()
    };
    form_page(&state, &auth, None, form, FieldErrors::new(), None).await
}

async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult<Response> {
    let f = TaskForm::from_pairs(&pairs);
    let input = match f.to_input() {
        Ok(i) => i,
        Err(errors) => return form_page(&state, &auth, None, f, errors, None).await,
    };
    match inspection_task::create(&state.db, &auth.ctx(), &input).await {
        Ok(t) => {
            Ok(Redirect::to(&format!("/inspection-tasks/{}?notice=created", t.id)).into_response())
        }
        Err(DbError::Invalid(errors)) => form_page(&state, &auth, None, f, errors, None).await,
        Err(e) => Err(e.into()),
    }
}

/// A task the caller may change: 404 when not visible, 403 when only assigned, 409 cancelled.
async fn managed(state: &AppState, auth: &Auth, id: i64) -> Result<(TaskRow, Board), PageError> {
    let ctx = auth.ctx();
    let (t, board) = inspection_task::board(&state.db, &ctx, id, today()).await?;
    if !t.can_manage(&ctx) {
        return Err(DbError::Forbidden.into());
    }
    if t.cancelled() {
        return Err(AppError::Conflict("该任务已取消，不能再修改".into()).into());
    }
    Ok((t, board))
}

async fn edit_page(State(state): State<AppState>, auth: Auth, Id(id): Id) -> PageResult<Response> {
    let (t, board) = managed(&state, &auth, id).await?;
    let units: Vec<i64> = board.rows.iter().map(|r| r.org_id).collect();
    let form = TaskForm::from_task(&t.task, &units);
    form_page(&state, &auth, Some(&t), form, FieldErrors::new(), None).await
}

async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult<Response> {
    let (t, _) = managed(&state, &auth, id).await?;
    let f = TaskForm::from_pairs(&pairs);
    let parsed = f
        .to_input()
        .and_then(|i| row_version(&f.row_version).map(|v| (i, v)));
    let (input, version) = match parsed {
        Ok(x) => x,
        Err(errors) => return form_page(&state, &auth, Some(&t), f, errors, None).await,
    };
    match inspection_task::update(&state.db, &auth.ctx(), id, &input, version).await {
        Ok(_) => Ok(Redirect::to(&format!("/inspection-tasks/{id}?notice=saved")).into_response()),
        Err(DbError::Invalid(errors)) => form_page(&state, &auth, Some(&t), f, errors, None).await,
        Err(DbError::Conflict(m)) => {
            form_page(&state, &auth, Some(&t), f, FieldErrors::new(), Some(m)).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn cancel(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Form(f): Form<VersionForm>,
) -> PageResult<Response> {
    managed(&state, &auth, id).await?;
    let version = row_version(&f.row_version).map_err(|e| PageError(AppError::Invalid(e)))?;
    inspection_task::cancel(&state.db, &auth.ctx(), id, version).await?;
    Ok(Redirect::to(&format!("/inspection-tasks/{id}?notice=cancelled")).into_response())
}
