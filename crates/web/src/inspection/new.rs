//! Recording an inspection, as a two-step form that needs no script: step 1 chooses the inspected
//! organisation and the checklist (a task link `?task_id=` preselects the task's checklist),
//! step 2 shows the checklist's items with 合格/不合格/不适用 for each and, under each item, the
//! hazard block used when it fails. The photos travel with the form (multipart).

use askama::Template;
use axum::extract::{Query, Request, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use anjian_db::checklist;
use anjian_db::inspection::{self};
use anjian_db::inspection_task::TaskChoice;
use anjian_db::org::{self, Org};
use anjian_db::{DbError, FieldErrors};
use anjian_domain::inspection::{InspectionKind, ItemResult};

use super::forms::InspectionForm;
use super::photos;
use crate::auth::Auth;
use crate::error::{AppError, PageError, PageResult};
use crate::layout::Chrome;
use crate::AppState;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    pub org_id: String,
    pub checklist_id: String,
    pub task_id: String,
    pub step: String,
}

/// A choice in a select: value, indented label.
pub struct Choice {
    pub id: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "inspection/new.html")]
struct StepOne {
    chrome: Chrome,
    q: NewQuery,
    orgs: Vec<Choice>,
    checklists: Vec<Choice>,
    task: Option<TaskChoice>,
    error: Option<String>,
}

/// One checklist item on the step-2 form with what was entered and its messages.
pub struct ItemRow {
    pub n: usize,
    pub id: i64,
    pub content: String,
    pub category: String,
    pub basis: String,
    pub major: bool,
    pub result: String,
    pub note: String,
    /// The risk point the item checks, as posted (or the checklist's point on a fresh form).
    pub risk_point: String,
    pub description: String,
    pub location: String,
    pub deadline: String,
    pub errors: Vec<String>,
}

#[derive(Template)]
#[template(path = "inspection/form.html")]
struct StepTwo {
    chrome: Chrome,
    form: InspectionForm,
    org: Org,
    checklist_name: String,
    items: Vec<ItemRow>,
    kinds: Vec<(&'static str, &'static str)>,
    results: Vec<(&'static str, &'static str)>,
    campaigns: Vec<Choice>,
    tasks: Vec<Choice>,
    /// Risk points of the inspected organisation and below, offered on every item.
    points: Vec<Choice>,
    errors: FieldErrors,
}

pub fn kinds() -> Vec<(&'static str, &'static str)> {
    InspectionKind::ALL
        .iter()
        .map(|k| (k.code(), k.label()))
        .collect()
}

pub async fn org_choices(state: &AppState, auth: &Auth) -> Result<Vec<Choice>, DbError> {
    Ok(org::all_in_scope(&state.db, &auth.ctx(), false)
        .await?
        .into_iter()
        .map(|o| Choice {
            id: o.id.to_string(),
            label: format!("{}{}", "　".repeat(o.depth()), o.name),
        })
        .collect())
}

fn parse_id(s: &str) -> Option<i64> {
    s.trim().parse::<i64>().ok().filter(|i| *i > 0)
}

async fn step_one(
    state: &AppState,
    auth: &Auth,
    mut q: NewQuery,
    error: Option<String>,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    let task = match parse_id(&q.task_id) {
        Some(t) => inspection::task_defaults(&state.db, &ctx, t).await?,
        None => None,
    };
    if let Some(t) = &task {
        if q.checklist_id.is_empty() {
            q.checklist_id = t.checklist_id.map(|c| c.to_string()).unwrap_or_default();
        }
    } else {
        q.task_id.clear();
    }
    let checklists = checklist::list_usable(&state.db, &ctx)
        .await?
        .into_iter()
        .map(|c| Choice {
            id: c.id.to_string(),
            label: c.name,
        })
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let p = StepOne {
        chrome: Chrome::new(auth, "/inspections", "登记安全检查")
            .crumb("/inspections", "安全检查")
            .crumb("/inspections/new", "登记"),
        orgs: org_choices(state, auth).await?,
        checklists,
        task,
        q,
        error,
    };
    Ok((status, Html(p.render().map_err(PageError::from)?)).into_response())
}

/// The form's defaults: today, the user as inspector, 自查 when a unit inspects itself and 督查
/// when the bureau inspects, and the task's kind and campaign when it answers a task.
async fn defaults(
    state: &AppState,
    auth: &Auth,
    org: &Org,
    q: &NewQuery,
) -> Result<InspectionForm, DbError> {
    let ctx = auth.ctx();
    let task = match parse_id(&q.task_id) {
        Some(t) => inspection::task_defaults(&state.db, &ctx, t).await?,
        None => None,
    };
    // The user's own scope root is "/<bureau>/" for bureau staff.
    let at_bureau = ctx.scope_path().matches('/').count() <= 2;
    let kind = match &task {
        Some(t) => t.kind.clone(),
        None if at_bureau => InspectionKind::Supervision.code().into(),
        None => InspectionKind::SelfCheck.code().into(),
    };
    Ok(InspectionForm {
        org_id: org.id.to_string(),
        checklist_id: q.checklist_id.trim().to_string(),
        task_id: task.as_ref().map(|t| t.id.to_string()).unwrap_or_default(),
        kind,
        inspected_on: anjian_domain::time::today(anjian_db::now())
            .format("%Y-%m-%d")
            .to_string(),
        inspectors: auth.inner.user.name.clone(),
        campaign_id: task
            .and_then(|t| t.campaign_id)
            .map(|c| c.to_string())
            .unwrap_or_default(),
        ..Default::default()
    })
}

/// Renders step 2 for `form` (its org and checklist decide what is shown). A form whose org or
/// checklist cannot be shown goes back to step 1.
async fn step_two(
    state: &AppState,
    auth: &Auth,
    mut form: InspectionForm,
    errors: FieldErrors,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    let org = match parse_id(&form.org_id) {
        Some(id) => org::get(&state.db, &ctx, id)
            .await
            .ok()
            .filter(|o| o.active),
        None => None,
    };
    let Some(org) = org else {
        return back(state, auth, &form, "请选择受检单位").await;
    };
    let (checklist_name, library) = match parse_id(&form.checklist_id) {
        Some(id) => match checklist::get(&state.db, &ctx, id).await {
            Ok(c) if c.checklist.active => (
                c.checklist.name.clone(),
                checklist::items(&state.db, &ctx, id, false).await?,
            ),
            _ => {
                return back(state, auth, &form, "检查表不存在或已停用，请重新选择").await;
            }
        },
        None => (String::new(), Vec::new()),
    };
    let points: Vec<Choice> = anjian_db::risk::points_for_inspection(&state.db, &ctx, org.id)
        .await?
        .into_iter()
        .map(|p| Choice {
            id: p.id.to_string(),
            label: if p.org_name == org.name {
                p.name
            } else {
                format!("{}（{}）", p.name, p.org_name)
            },
        })
        .collect();
    // A checklist made from a point's control measures checks that point: a fresh form says so
    // on every item, so a failed one's hazard lands on the point without anyone choosing it.
    let checklist_point = match parse_id(&form.checklist_id) {
        Some(c) => anjian_db::risk::point_of_checklist(&state.db, c)
            .await?
            .map(|p| p.to_string())
            .filter(|p| points.iter().any(|c| c.id == *p))
            .unwrap_or_default(),
        None => String::new(),
    };
    // Rows in the checklist's order, with what this form already says for each item.
    let items = library
        .iter()
        .enumerate()
        .map(|(k, c)| {
            let entered = form.items.iter().position(|it| it.id == c.id);
            let it = entered
                .and_then(|i| form.items.get(i))
                .cloned()
                .unwrap_or_default();
            let prefix = entered.map(|i| format!("items[{i}]"));
            let errors = errors
                .0
                .iter()
                .filter(|(f, _)| prefix.as_ref().is_some_and(|p| f.starts_with(p.as_str())))
                .map(|(_, m)| m.clone())
                .collect();
            ItemRow {
                n: k + 1,
                id: c.id,
                content: c.content.clone(),
                category: c.category.clone(),
                basis: c.basis.clone(),
                major: c.major_criterion,
                result: it.result,
                note: it.note,
                risk_point: if entered.is_some() {
                    it.risk_point
                } else {
                    checklist_point.clone()
                },
                // The item states the requirement; the hazard is its breach, so say so rather than
                // prefilling a sentence that describes the compliant state.
                description: if it.description.is_empty() {
                    format!("不符合检查要求：{}", c.content)
                } else {
                    it.description
                },
                location: it.location,
                deadline: it.deadline,
                errors,
            }
        })
        .collect();
    let campaigns = anjian_db::campaign::usable_for_org(&state.db, &ctx, org.id)
        .await?
        .into_iter()
        .map(|c| Choice {
            id: c.id.to_string(),
            label: c.name,
        })
        .collect();
    let tasks = anjian_db::inspection_task::open_for_org(&state.db, &ctx, org.id)
        .await?
        .into_iter()
        .map(|t| Choice {
            id: t.id.to_string(),
            label: format!("{}（{}前）", t.title, t.due_date.format("%Y-%m-%d")),
        })
        .collect();
    form.checklist_id = form.checklist_id.trim().to_string();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let p = StepTwo {
        chrome: Chrome::new(auth, "/inspections", "登记安全检查")
            .crumb("/inspections", "安全检查")
            .crumb("/inspections/new", "登记"),
        form,
        org,
        checklist_name,
        items,
        kinds: kinds(),
        results: ItemResult::ALL
            .iter()
            .map(|r| (r.code(), r.label()))
            .collect(),
        campaigns,
        tasks,
        points,
        errors,
    };
    Ok((status, Html(p.render().map_err(PageError::from)?)).into_response())
}

/// Back to step 1 with the choices of `form` and a message.
async fn back(
    state: &AppState,
    auth: &Auth,
    form: &InspectionForm,
    msg: &str,
) -> PageResult<Response> {
    let q = NewQuery {
        org_id: form.org_id.clone(),
        checklist_id: form.checklist_id.clone(),
        task_id: form.task_id.clone(),
        step: String::new(),
    };
    step_one(state, auth, q, Some(msg.to_string())).await
}

/// GET /inspections/new: step 1, or step 2 once the org (and checklist) are chosen.
pub async fn new_page(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<NewQuery>,
) -> PageResult<Response> {
    if q.step != "2" {
        return step_one(&state, &auth, q, None).await;
    }
    let ctx = auth.ctx();
    let org = match parse_id(&q.org_id) {
        Some(id) => org::get(&state.db, &ctx, id)
            .await
            .ok()
            .filter(|o| o.active),
        None => None,
    };
    let Some(org) = org else {
        return step_one(&state, &auth, q, Some("请选择受检单位".into())).await;
    };
    let form = defaults(&state, &auth, &org, &q).await?;
    step_two(&state, &auth, form, FieldErrors::new()).await
}

/// POST /inspections: the step-2 form, url-encoded or multipart with photos.
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    req: Request,
) -> PageResult<Response> {
    let sub = photos::read(&state, req).await?;
    let mut form = InspectionForm::from_pairs(&sub.pairs);
    let input = match form.to_input() {
        Ok(i) => i,
        Err(errors) => return step_two(&state, &auth, form, errors).await,
    };
    // Photos belong to the inspected organisation; without a valid one the create below reports
    // the org error and the photos are not stored.
    if let Some(org_id) = input.org_id {
        if !sub.files.is_empty() && org::get(&state.db, &auth.ctx(), org_id).await.is_ok() {
            match photos::store_all(&state, &auth, org_id, sub.files).await {
                Ok(ids) => form.attachment_ids.extend(ids),
                Err(AppError::Invalid(errors)) => {
                    return step_two(&state, &auth, form, errors).await
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
    let mut input = input;
    input.attachment_ids = form.attachment_ids.clone();
    match inspection::create(&state.db, &auth.ctx(), &input).await {
        Ok(id) => Ok(Redirect::to(&format!("/inspections/{id}?notice=created")).into_response()),
        Err(DbError::Invalid(errors)) => step_two(&state, &auth, form, errors).await,
        Err(e) => Err(e.into()),
    }
}
