//! Checklist pages: the library list with its filter, a checklist with its items, the new/edit
//! form, deactivate and reactivate.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use anjian_db::checklist::{self, ChecklistFilter, ChecklistItem, ChecklistRow};
use anjian_db::{DbError, FieldErrors, PageReq};
use anjian_domain::role::Permission;

use super::forms::{row_version, ChecklistForm, ItemForm, VersionForm};
use crate::auth::{Access, Auth};
use crate::error::{PageError, PageResult};
use crate::extract::Id;
use crate::layout::{query_string, Chrome, Pager};
use crate::routes::RouteTable;
use crate::AppState;

pub fn routes() -> RouteTable {
    let view = Access::Perm(Permission::InspectionView);
    let plan = Access::Perm(Permission::InspectionPlan);
    RouteTable::default()
        .get("/checklists", view, list)
        .get("/checklists/new", plan, new_page)
        .post("/checklists", plan, create)
        .get("/checklists/{id}", view, detail)
        .get("/checklists/{id}/edit", plan, edit_page)
        .post("/checklists/{id}", plan, update)
        .post("/checklists/{id}/deactivate", plan, deactivate)
        .post("/checklists/{id}/activate", plan, activate)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    pub category: String,
    pub keyword: String,
    pub include_inactive: String,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
    pub notice: Option<String>,
}

#[derive(Template)]
#[template(path = "checklist/list.html")]
struct ListPage {
    chrome: Chrome,
    q: ListQuery,
    rows: Vec<ChecklistRow>,
    categories: Vec<String>,
    pager: Pager,
    can_plan: bool,
}

async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ListQuery>,
) -> PageResult<Html<String>> {
    let ctx = auth.ctx();
    let f = ChecklistFilter {
        category: Some(q.category.clone()),
        keyword: Some(q.keyword.clone()),
        include_inactive: !q.include_inactive.is_empty(),
    };
    let page = checklist::list(&state.db, &ctx, &f, PageReq::new(q.page, q.page_size)).await?;
    let qs = query_string(&[
        ("category", q.category.clone()),
        ("keyword", q.keyword.clone()),
        ("include_inactive", q.include_inactive.clone()),
    ]);
    let p = ListPage {
        chrome: Chrome::new(&auth, "/checklists", "检查表库")
            .crumb("/checklists", "检查表库")
            .notice(q.notice.as_deref()),
        pager: Pager::new(&page, "/checklists", &qs),
        rows: page.items,
        categories: checklist::categories(&state.db, &ctx).await?,
        can_plan: ctx.can(Permission::InspectionPlan),
        q,
    };
    Ok(Html(p.render().map_err(PageError::from)?))
}

#[derive(Template)]
#[template(path = "checklist/detail.html")]
struct DetailPage {
    chrome: Chrome,
    c: ChecklistRow,
    items: Vec<ChecklistItem>,
    can_manage: bool,
    item: ItemForm,
    errors: FieldErrors,
    conflict: Option<String>,
}

#[derive(Deserialize, Default)]
struct NoticeQuery {
    notice: Option<String>,
}

/// The checklist page; also re-rendered by the add-item form with its errors.
pub(super) async fn render_detail(
    state: &AppState,
    auth: &Auth,
    c: ChecklistRow,
    item: ItemForm,
    errors: FieldErrors,
    conflict: Option<String>,
    notice: Option<&str>,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    let id = c.checklist.id;
    let can_manage = c.can_manage(&ctx);
    let items = checklist::items(&state.db, &ctx, id, can_manage).await?;
    let status = super::form_status(&errors, &conflict);
    let p = DetailPage {
        chrome: Chrome::new(auth, "/checklists", c.checklist.name.clone())
            .crumb("/checklists", "检查表库")
            .crumb(format!("/checklists/{id}"), c.checklist.name.clone())
            .notice(notice),
        item: if item.row_version.is_empty() {
            ItemForm {
                row_version: c.checklist.row_version.to_string(),
                ..item
            }
        } else {
            item
        },
        c,
        items,
        can_manage,
        errors,
        conflict,
    };
    Ok((status, Html(p.render().map_err(PageError::from)?)).into_response())
}

async fn detail(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Query(q): Query<NoticeQuery>,
) -> PageResult<Response> {
    let c = checklist::get(&state.db, &auth.ctx(), id).await?;
    render_detail(
        &state,
        &auth,
        c,
        ItemForm::default(),
        FieldErrors::new(),
        None,
        q.notice.as_deref(),
    )
    .await
}

#[derive(Template)]
#[template(path = "checklist/form.html")]
struct FormPage {
    chrome: Chrome,
    action: String,
    cancel: String,
    form: ChecklistForm,
    errors: FieldErrors,
    conflict: Option<String>,
    categories: Vec<String>,
}

async fn form_page(
    state: &AppState,
    auth: &Auth,
    editing: Option<&ChecklistRow>,
    form: ChecklistForm,
    errors: FieldErrors,
    conflict: Option<String>,
) -> PageResult<Response> {
    let (title, action, cancel) = match editing {
        Some(c) => (
            format!("编辑：{}", c.checklist.name),
            format!("/checklists/{}", c.checklist.id),
            format!("/checklists/{}", c.checklist.id),
        ),
        None => (
            "新增检查表".to_string(),
            "/checklists".to_string(),
            "/checklists".to_string(),
        ),
    };
    let status = super::form_status(&errors, &conflict);
    let p = FormPage {
        chrome: Chrome::new(auth, "/checklists", title.clone())
            .crumb("/checklists", "检查表库")
            .crumb(&cancel, title),
        action,
        cancel,
        form,
        errors,
        conflict,
        categories: checklist::categories(&state.db, &auth.ctx()).await?,
    };
    Ok((status, Html(p.render().map_err(PageError::from)?)).into_response())
}

async fn new_page(State(state): State<AppState>, auth: Auth) -> PageResult<Response> {
    form_page(
        &state,
        &auth,
        None,
        ChecklistForm::default(),
        FieldErrors::new(),
        None,
    )
    .await
}

async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<ChecklistForm>,
) -> PageResult<Response> {
    match checklist::create(&state.db, &auth.ctx(), &f.to_input()).await {
        Ok(c) => Ok(Redirect::to(&format!("/checklists/{}?notice=created", c.id)).into_response()),
        Err(DbError::Invalid(errors)) => form_page(&state, &auth, None, f, errors, None).await,
        Err(e) => Err(e.into()),
    }
}

/// A checklist the caller may change: 404 when not visible, 403 when visible but not theirs.
async fn managed(state: &AppState, auth: &Auth, id: i64) -> Result<ChecklistRow, PageError> {
    let ctx = auth.ctx();
    let c = checklist::get(&state.db, &ctx, id).await?;
    if !c.can_manage(&ctx) {
        return Err(DbError::Forbidden.into());
    }
    Ok(c)
}

async fn edit_page(State(state): State<AppState>, auth: Auth, Id(id): Id) -> PageResult<Response> {
    let c = managed(&state, &auth, id).await?;
    let form = ChecklistForm::from_checklist(&c.checklist);
    form_page(&state, &auth, Some(&c), form, FieldErrors::new(), None).await
}

async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Form(f): Form<ChecklistForm>,
) -> PageResult<Response> {
    let c = managed(&state, &auth, id).await?;
    let version = match row_version(&f.row_version) {
        Ok(v) => v,
        Err(errors) => return form_page(&state, &auth, Some(&c), f, errors, None).await,
    };
    match checklist::update(&state.db, &auth.ctx(), id, &f.to_input(), version).await {
        Ok(_) => Ok(Redirect::to(&format!("/checklists/{id}?notice=saved")).into_response()),
        Err(DbError::Invalid(errors)) => form_page(&state, &auth, Some(&c), f, errors, None).await,
        Err(DbError::Conflict(m)) => {
            form_page(&state, &auth, Some(&c), f, FieldErrors::new(), Some(m)).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn toggle(
    state: &AppState,
    auth: &Auth,
    id: i64,
    f: &VersionForm,
    active: bool,
) -> PageResult<Response> {
    managed(state, auth, id).await?;
    let version =
        row_version(&f.row_version).map_err(|e| PageError(crate::error::AppError::Invalid(e)))?;
    checklist::set_active(&state.db, &auth.ctx(), id, active, version).await?;
    let notice = if active { "activated" } else { "deactivated" };
    Ok(Redirect::to(&format!("/checklists/{id}?notice={notice}")).into_response())
}

async fn deactivate(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Form(f): Form<VersionForm>,
) -> PageResult<Response> {
    toggle(&state, &auth, id, &f, false).await
}

async fn activate(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Form(f): Form<VersionForm>,
) -> PageResult<Response> {
    toggle(&state, &auth, id, &f, true).await
}
