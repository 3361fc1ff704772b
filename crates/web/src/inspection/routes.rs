//! Inspection pages besides recording: the list with its filters, the detail page with items,
//! photos and hazards, the header edit and the withdrawal.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use chrono::NaiveDate;
use serde::Deserialize;

use anjian_db::inspection::{self, Inspection, InspectionDetail, InspectionFilter};
use anjian_db::{DbError, FieldErrors, PageReq};
use anjian_domain::dates::parse_date;
use anjian_domain::inspection::InspectionKind;
use anjian_domain::role::Permission;

use super::forms::EditForm;
use super::new::{kinds, org_choices, Choice};
use crate::auth::Auth;
use crate::error::{PageError, PageResult};
use crate::extract::Id;
use crate::layout::{query_string, Chrome, Pager};
use crate::AppState;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    pub keyword: String,
    pub kind: String,
    pub org_id: String,
    pub from: String,
    pub to: String,
    pub campaign_id: String,
    pub task_id: String,
    pub illegal_only: String,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
    pub notice: Option<String>,
}

impl ListQuery {
    /// The filter and the messages for values that could not be read (shown, not fatal: a
    /// list with a mistyped date still lists).
    fn filter(&self) -> (InspectionFilter, Vec<String>) {
        let mut bad = Vec::new();
        let mut date = |v: &str, label: &str| -> Option<NaiveDate> {
            if v.trim().is_empty() {
                return None;
            }
            parse_date(v)
                .map_err(|e| bad.push(format!("{label}：{e}")))
                .ok()
        };
        let from = date(&self.from, "开始日期");
        let to = date(&self.to, "结束日期");
        let id = |v: &str| v.trim().parse::<i64>().ok();
        (
            InspectionFilter {
                under: id(&self.org_id),
                kind: InspectionKind::from_code(&self.kind),
                from,
                to,
                campaign_id: id(&self.campaign_id),
                task_id: id(&self.task_id),
                keyword: Some(self.keyword.clone()),
                illegal_only: !self.illegal_only.is_empty(),
            },
            bad,
        )
    }

    fn query_string(&self) -> String {
        query_string(&[
            ("keyword", self.keyword.clone()),
            ("kind", self.kind.clone()),
            ("org_id", self.org_id.clone()),
            ("from", self.from.clone()),
            ("to", self.to.clone()),
            ("campaign_id", self.campaign_id.clone()),
            ("task_id", self.task_id.clone()),
            ("illegal_only", self.illegal_only.clone()),
        ])
    }
}

#[derive(Template)]
#[template(path = "inspection/list.html")]
struct ListPage {
    chrome: Chrome,
    q: ListQuery,
    rows: Vec<Inspection>,
    pager: Pager,
    can_record: bool,
    kinds: Vec<(&'static str, &'static str)>,
    orgs: Vec<Choice>,
    problems: Vec<String>,
}

pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ListQuery>,
) -> PageResult<Html<String>> {
    let ctx = auth.ctx();
    let (f, problems) = q.filter();
    let page = inspection::list(&state.db, &ctx, &f, PageReq::new(q.page, q.page_size)).await?;
    let pager = Pager::new(&page, "/inspections", &q.query_string());
    let orgs = if ctx.can(Permission::OrgView) {
        org_choices(&state, &auth).await?
    } else {
        Vec::new()
    };
    let p = ListPage {
        chrome: Chrome::new(&auth, "/inspections", "安全检查")
            .crumb("/inspections", "安全检查")
            .notice(q.notice.as_deref()),
        q,
        rows: page.items,
        pager,
        can_record: ctx.can(Permission::InspectionRecord),
        kinds: kinds(),
        orgs,
        problems,
    };
    Ok(Html(p.render().map_err(PageError::from)?))
}

#[derive(Template)]
#[template(path = "inspection/detail.html")]
struct DetailPage {
    chrome: Chrome,
    d: InspectionDetail,
    editable: bool,
    recorded_at: String,
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    notice: Option<String>,
}

pub async fn detail(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Query(q): Query<NoticeQuery>,
) -> PageResult<Html<String>> {
    let ctx = auth.ctx();
    let d = inspection::get(&state.db, &ctx, id).await?;
    let title = format!(
        "{} {} {}",
        d.inspection.inspected_on,
        d.inspection.org_name,
        d.inspection.kind_label()
    );
    let p = DetailPage {
        chrome: Chrome::new(&auth, "/inspections", title.clone())
            .crumb("/inspections", "安全检查")
            .crumb(format!("/inspections/{id}"), title)
            .notice(q.notice.as_deref()),
        editable: d.inspection.editable_by(&ctx),
        recorded_at: crate::layout::instant(&d.inspection.created_at),
        d,
    };
    Ok(Html(p.render().map_err(PageError::from)?))
}

#[derive(Template)]
#[template(path = "inspection/edit.html")]
struct EditPage {
    chrome: Chrome,
    i: Inspection,
    form: EditForm,
    errors: FieldErrors,
    kinds: Vec<(&'static str, &'static str)>,
    campaigns: Vec<Choice>,
    tasks: Vec<Choice>,
}

async fn edit_form(
    state: &AppState,
    auth: &Auth,
    i: Inspection,
    form: EditForm,
    errors: FieldErrors,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    // The current campaign and task stay choosable even when no longer offered for new records.
    let mut campaigns: Vec<Choice> = anjian_db::campaign::usable_for_org(&state.db, &ctx, i.org_id)
        .await?
        .into_iter()
        .map(|c| Choice {
            id: c.id.to_string(),
            label: c.name,
        })
        .collect();
    if let (Some(id), Some(name)) = (i.campaign_id, &i.campaign_name) {
        if !campaigns.iter().any(|c| c.id == id.to_string()) {
            campaigns.push(Choice {
                id: id.to_string(),
                label: name.clone(),
            });
        }
    }
    let mut tasks: Vec<Choice> =
        anjian_db::inspection_task::open_for_org(&state.db, &ctx, i.org_id)
            .await?
            .into_iter()
            .map(|t| Choice {
                id: t.id.to_string(),
                label: t.title,
            })
            .collect();
    if let (Some(id), Some(title)) = (i.task_id, &i.task_title) {
        if !tasks.iter().any(|t| t.id == id.to_string()) {
            tasks.push(Choice {
                id: id.to_string(),
                label: title.clone(),
            });
        }
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let p = EditPage {
        chrome: Chrome::new(auth, "/inspections", "修改检查记录")
            .crumb("/inspections", "安全检查")
            .crumb(format!("/inspections/{}", i.id), i.org_name.clone())
            .crumb(format!("/inspections/{}/edit", i.id), "修改"),
        i,
        form,
        errors,
        kinds: kinds(),
        campaigns,
        tasks,
    };
    Ok((status, Html(p.render().map_err(PageError::from)?)).into_response())
}

/// Loads a record the caller may change: 404 outside scope, 403 for someone else's record.
async fn editable(state: &AppState, auth: &Auth, id: i64) -> Result<Inspection, PageError> {
    let ctx = auth.ctx();
    let d = inspection::get(&state.db, &ctx, id).await?;
    if !d.inspection.editable_by(&ctx) {
        return Err(DbError::Forbidden.into());
    }
    Ok(d.inspection)
}

pub async fn edit_page(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> PageResult<Response> {
    let i = editable(&state, &auth, id).await?;
    let form = EditForm::from_inspection(&i);
    edit_form(&state, &auth, i, form, FieldErrors::new()).await
}

pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Form(f): Form<EditForm>,
) -> PageResult<Response> {
    let i = editable(&state, &auth, id).await?;
    let input = match f.to_input() {
        Ok(input) => input,
        Err(errors) => return edit_form(&state, &auth, i, f, errors).await,
    };
    match inspection::update(&state.db, &auth.ctx(), id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/inspections/{id}?notice=saved")).into_response()),
        Err(DbError::Invalid(errors)) => edit_form(&state, &auth, i, f, errors).await,
        Err(e) => Err(e.into()),
    }
}

pub async fn delete(State(state): State<AppState>, auth: Auth, Id(id): Id) -> PageResult<Response> {
    inspection::delete(&state.db, &auth.ctx(), id).await?;
    Ok(Redirect::to("/inspections?notice=deleted").into_response())
}
