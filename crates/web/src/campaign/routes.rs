//! Campaign and key-period pages: the list with kind/year filter, the detail with its figures,
//! the new/edit form, deactivate/reactivate, and the default set of a year.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use anjian_db::campaign::{self, CampaignFilter, CampaignRow, CampaignStats};
use anjian_db::inspection_task::{self, TaskFilter, TaskRow};
use anjian_db::{DbError, FieldErrors, PageReq};
use anjian_domain::role::Permission;

use super::forms::CampaignForm;
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
        .get("/campaigns", view, list)
        .get("/campaigns/new", plan, new_page)
        .post("/campaigns", plan, create)
        .post("/campaigns/defaults", plan, defaults)
        .get("/campaigns/{id}", view, detail)
        .get("/campaigns/{id}/edit", plan, edit_page)
        .post("/campaigns/{id}", plan, update)
        .post("/campaigns/{id}/deactivate", plan, deactivate)
        .post("/campaigns/{id}/activate", plan, activate)
}

/// This year in Shanghai.
pub fn this_year() -> i32 {
    use chrono::Datelike;
    anjian_domain::time::today(anjian_db::now()).year()
}

/// Years offered in the filters: from 2023 (the first year the system records) to next year.
pub fn years() -> Vec<i32> {
    (2023..=this_year() + 1).rev().collect()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    pub kind: String,
    pub year: String,
    pub keyword: String,
    pub include_inactive: String,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
    pub notice: Option<String>,
    pub seeded: Option<usize>,
}

#[derive(Template)]
#[template(path = "campaign/list.html")]
struct ListPage {
    chrome: Chrome,
    q: ListQuery,
    rows: Vec<CampaignRow>,
    pager: Pager,
    can_plan: bool,
    kinds: [(&'static str, &'static str); 2],
    years: Vec<i32>,
    this_year: i32,
    today: chrono::NaiveDate,
}

async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ListQuery>,
) -> PageResult<Html<String>> {
    let ctx = auth.ctx();
    let f = CampaignFilter {
        kind: campaign::parse_kind(&q.kind),
        year: q.year.trim().parse().ok(),
        keyword: Some(q.keyword.clone()),
        include_inactive: !q.include_inactive.is_empty(),
    };
    let page = campaign::list(&state.db, &ctx, &f, PageReq::new(q.page, q.page_size)).await?;
    let qs = query_string(&[
        ("kind", q.kind.clone()),
        ("year", q.year.clone()),
        ("keyword", q.keyword.clone()),
        ("include_inactive", q.include_inactive.clone()),
    ]);
    let mut chrome = Chrome::new(&auth, "/campaigns", "专项行动与重要时段")
        .crumb("/campaigns", "专项行动")
        .notice(q.notice.as_deref());
    if let Some(n) = q.seeded {
        chrome.notice = Some(if n == 0 {
            "默认专项行动和重要时段均已存在，未新增".to_string()
        } else {
            format!("已新增{n}项默认专项行动和重要时段")
        });
    }
    let p = ListPage {
        chrome,
        pager: Pager::new(&page, "/campaigns", &qs),
        rows: page.items,
        can_plan: ctx.can(Permission::InspectionPlan),
        kinds: campaign::KINDS,
        years: years(),
        this_year: this_year(),
        today: anjian_domain::time::today(anjian_db::now()),
        q,
    };
    Ok(Html(p.render().map_err(PageError::from)?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DefaultsForm {
    year: String,
}

async fn defaults(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<DefaultsForm>,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    let year: i32 = match f.year.trim().parse() {
        Ok(y) if years().contains(&y) => y,
        _ => {
            return Err(PageError(AppError::Invalid(FieldErrors::single(
                "year",
                "年份无效",
            ))))
        }
    };
    let n = campaign::seed_defaults(&state.db, &ctx, auth.inner.user.org_id, year).await?;
    Ok(Redirect::to(&format!("/campaigns?year={year}&seeded={n}")).into_response())
}

#[derive(Template)]
#[template(path = "campaign/detail.html")]
struct DetailPage {
    chrome: Chrome,
    c: CampaignRow,
    units: Vec<(i64, String)>,
    stats: CampaignStats,
    tasks: Vec<TaskRow>,
    can_manage: bool,
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
    let c = campaign::get(&state.db, &ctx, id).await?;
    let units = campaign::units(&state.db, &ctx, id).await?;
    let stats = campaign::stats(&state.db, &ctx, id).await?;
    let tasks = inspection_task::list(
        &state.db,
        &ctx,
        &TaskFilter {
            campaign_id: Some(id),
            ..Default::default()
        },
        PageReq::new(Some(1), Some(50)),
    )
    .await?
    .items;
    let p = DetailPage {
        chrome: Chrome::new(&auth, "/campaigns", c.campaign.name.clone())
            .crumb("/campaigns", "专项行动")
            .crumb(format!("/campaigns/{id}"), c.campaign.name.clone())
            .notice(q.notice.as_deref()),
        can_manage: c.can_manage(&ctx),
        c,
        units,
        stats,
        tasks,
    };
    Ok(Html(p.render().map_err(PageError::from)?))
}

#[derive(Template)]
#[template(path = "campaign/form.html")]
struct FormPage {
    chrome: Chrome,
    action: String,
    cancel: String,
    form: CampaignForm,
    errors: FieldErrors,
    conflict: Option<String>,
    kinds: [(&'static str, &'static str); 2],
    units: Vec<(i64, String)>,
    units_legend: &'static str,
}

async fn form_page(
    state: &AppState,
    auth: &Auth,
    editing: Option<&CampaignRow>,
    form: CampaignForm,
    errors: FieldErrors,
    conflict: Option<String>,
) -> PageResult<Response> {
    let (title, action) = match editing {
        Some(c) => (
            format!("编辑：{}", c.campaign.name),
            format!("/campaigns/{}", c.campaign.id),
        ),
        None => (
            "新增专项行动或重要时段".to_string(),
            "/campaigns".to_string(),
        ),
    };
    let cancel = if editing.is_some() {
        action.clone()
    } else {
        "/campaigns".to_string()
    };
    let status = crate::checklist::form_status(&errors, &conflict);
    let p = FormPage {
        chrome: Chrome::new(auth, "/campaigns", title.clone())
            .crumb("/campaigns", "专项行动")
            .crumb(&cancel, title),
        action,
        cancel,
        form,
        errors,
        conflict,
        kinds: campaign::KINDS,
        units: anjian_db::checklist::units_for_picker(&state.db, &auth.ctx()).await?,
        units_legend: "适用范围",
    };
    Ok((status, Html(p.render().map_err(PageError::from)?)).into_response())
}

async fn new_page(State(state): State<AppState>, auth: Auth) -> PageResult<Response> {
    form_page(
        &state,
        &auth,
        None,
        CampaignForm::new_default(),
        FieldErrors::new(),
        None,
    )
    .await
}

async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult<Response> {
    let f = CampaignForm::from_pairs(&pairs);
    let input = match f.to_input() {
        Ok(i) => i,
        Err(errors) => return form_page(&state, &auth, None, f, errors, None).await,
    };
    match campaign::create(&state.db, &auth.ctx(), &input).await {
        Ok(c) => Ok(Redirect::to(&format!("/campaigns/{}?notice=created", c.id)).into_response()),
        Err(DbError::Invalid(errors)) => form_page(&state, &auth, None, f, errors, None).await,
        Err(e) => Err(e.into()),
    }
}

/// A campaign the caller may change: 404 when not visible, 403 when only covered.
async fn managed(state: &AppState, auth: &Auth, id: i64) -> Result<CampaignRow, PageError> {
    let ctx = auth.ctx();
    let c = campaign::get(&state.db, &ctx, id).await?;
    if !c.can_manage(&ctx) {
        return Err(DbError::Forbidden.into());
    }
    Ok(c)
}

async fn edit_page(State(state): State<AppState>, auth: Auth, Id(id): Id) -> PageResult<Response> {
    let c = managed(&state, &auth, id).await?;
    let units = campaign::units(&state.db, &auth.ctx(), id).await?;
    let form = CampaignForm::from_campaign(&c.campaign, &units);
    form_page(&state, &auth, Some(&c), form, FieldErrors::new(), None).await
}

async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult<Response> {
    let c = managed(&state, &auth, id).await?;
    let f = CampaignForm::from_pairs(&pairs);
    let parsed = f
        .to_input()
        .and_then(|i| row_version(&f.row_version).map(|v| (i, v)));
    let (input, version) = match parsed {
        Ok(x) => x,
        Err(errors) => return form_page(&state, &auth, Some(&c), f, errors, None).await,
    };
    match campaign::update(&state.db, &auth.ctx(), id, &input, version).await {
        Ok(_) => Ok(Redirect::to(&format!("/campaigns/{id}?notice=saved")).into_response()),
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
    let version = row_version(&f.row_version).map_err(|e| PageError(AppError::Invalid(e)))?;
    campaign::set_active(&state.db, &auth.ctx(), id, active, version).await?;
    let notice = if active { "activated" } else { "deactivated" };
    Ok(Redirect::to(&format!("/campaigns/{id}?notice={notice}")).into_response())
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
