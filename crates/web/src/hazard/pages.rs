//! Hazard pages: the ledger with its filters, registration (with photos in the same form), the
//! detail page with the forms the caller may use, editing while 待整改, and the Excel export.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use anjian_db::hazard::{self, HazardDetail, HazardFilter, HazardInput};
use anjian_db::{campaign, org, DbError, FieldErrors, PageReq};
use anjian_domain::dates::parse_date;
use anjian_domain::hazard::{HazardGrade, HazardStatus, MAJOR_PLAN_PARTS};
use anjian_domain::role::Permission;

use super::forms::{store_files, FormData};
use super::org_filter::{self, OrgField};
use super::view::{self, OrgOption, Row};
use crate::auth::Auth;
use crate::error::{AppError, PageError, PageResult};
use crate::extract::Id;
use crate::layout::{query_string, Chrome, Pager};
use crate::AppState;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ListQuery {
    pub org_id: String,
    /// The organisation filter as typed or picked (a name); the form sends it, links send
    /// `org_id`. See `org_filter::settle`.
    pub org: Option<String>,
    pub status: String,
    pub grade: String,
    pub campaign_id: String,
    pub overdue: String,
    pub due_soon: String,
    pub found_from: String,
    pub found_to: String,
    pub keyword: String,
    pub todo: String,
    pub ids: String,
    pub inspection_id: String,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
    pub notice: Option<String>,
}

fn num(s: &str) -> Option<i64> {
    s.trim().parse().ok()
}

impl ListQuery {
    /// Lenient: a value that does not parse is no filter (the form only offers valid ones).
    pub fn filter(&self) -> HazardFilter {
        let status = self.status.trim();
        HazardFilter {
            org_id: num(&self.org_id),
            status: HazardStatus::from_code(status),
            open: status == "open",
            grade: HazardGrade::from_code(self.grade.trim()),
            campaign_id: num(&self.campaign_id),
            overdue: !self.overdue.is_empty(),
            due_soon: !self.due_soon.is_empty(),
            found_from: parse_date(&self.found_from).ok(),
            found_to: parse_date(&self.found_to).ok(),
            keyword: Some(self.keyword.clone()),
            ids: self.ids.split(',').filter_map(num).collect(),
            inspection_id: num(&self.inspection_id),
            todo: hazard::TodoKind::from_code(self.todo.trim()),
        }
    }

    pub fn query_string(&self) -> String {
        query_string(&[
            ("org_id", self.org_id.clone()),
            ("status", self.status.clone()),
            ("grade", self.grade.clone()),
            ("campaign_id", self.campaign_id.clone()),
            ("overdue", self.overdue.clone()),
            ("due_soon", self.due_soon.clone()),
            ("found_from", self.found_from.clone()),
            ("found_to", self.found_to.clone()),
            ("keyword", self.keyword.clone()),
            ("todo", self.todo.clone()),
            ("ids", self.ids.clone()),
            ("inspection_id", self.inspection_id.clone()),
        ])
    }
}

#[derive(Template)]
#[template(path = "hazard/list.html")]
struct ListPage {
    chrome: Chrome,
    q: ListQuery,
    rows: Vec<Row>,
    pager: Pager,
    capped: bool,
    /// Where counting stopped (`HazardFilter::count_cap`).
    cap: i64,
    org: OrgField,
    /// The keyword was too short for the index: only hazards found since this day were searched.
    searched_since: Option<String>,
    campaigns: Vec<(i64, String)>,
    statuses: Vec<(&'static str, &'static str)>,
    grades: Vec<(&'static str, &'static str)>,
    todo_label: &'static str,
    query: String,
    can_report: bool,
    can_supervise: bool,
}

/// Campaigns for pickers: those covering the caller's organisation. A failure leaves the picker
/// empty rather than failing the page.
async fn campaign_options(state: &AppState, auth: &Auth) -> Vec<(i64, String)> {
    campaign::usable_for_org(&state.db, &auth.ctx(), auth.inner.user.org_id)
        .await
        .map(|v| v.into_iter().map(|c| (c.id, c.name)).collect())
        .unwrap_or_default()
}

pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(mut q): Query<ListQuery>,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    let org = org_filter::settle(&state, &ctx, &mut q).await?;
    let filter = q.filter();
    let req = PageReq::new(q.page, q.page_size);
    // A name that matches no organisation (or several) filters nothing: the page says so on the
    // field instead of silently listing the whole scope.
    let (found, status) = if org.error.is_some() {
        let empty = hazard::LedgerPage {
            page: anjian_db::Page {
                items: Vec::new(),
                total: 0,
                page: 1,
                page_size: req.page_size,
            },
            searched_since: None,
        };
        (empty, StatusCode::UNPROCESSABLE_ENTITY)
    } else {
        (
            hazard::search(&state.db, &ctx, &filter, req).await?,
            StatusCode::OK,
        )
    };
    let page = found.page;
    let query = q.query_string();
    let pager = Pager::new(&page, "/hazards", &query);
    let today = hazard::today();
    let p = ListPage {
        chrome: Chrome::new(&auth, "/hazards", "隐患台账")
            .crumb("/hazards", "隐患台账")
            .notice(q.notice.as_deref()),
        cap: filter.count_cap(),
        capped: page.total >= filter.count_cap(),
        rows: page.items.into_iter().map(|h| Row::new(h, today)).collect(),
        pager,
        org,
        searched_since: found.searched_since.map(|d| d.to_string()),
        campaigns: campaign_options(&state, &auth).await,
        statuses: view::statuses(),
        grades: view::grades(),
        todo_label: hazard::TodoKind::from_code(q.todo.trim())
            .map(|t| t.label())
            .unwrap_or(""),
        query,
        q,
        can_report: ctx.can(Permission::HazardReport),
        can_supervise: ctx.can(Permission::HazardSupervise),
    };
    Ok((status, Html(p.render().map_err(PageError::from)?)).into_response())
}

/// The registration form's values as typed.
#[derive(Default, Clone)]
pub struct HazardForm {
    pub org_id: String,
    pub location: String,
    pub description: String,
    pub category: String,
    pub grade: String,
    pub major_criterion: String,
    pub found_on: String,
    pub found_by: String,
    pub deadline: String,
    pub campaign_id: String,
    pub immediate: bool,
    pub rectification_note: String,
    /// Photos stored by an earlier, refused submission of this form.
    pub before_ids: Vec<i64>,
    pub after_ids: Vec<i64>,
}

impl HazardForm {
    fn from_data(d: &FormData, errs: &mut FieldErrors) -> HazardForm {
        HazardForm {
            org_id: d.get("org_id"),
            location: d.get("location"),
            description: d.get("description"),
            category: d.get("category"),
            grade: d.get("grade"),
            major_criterion: d.get("major_criterion"),
            found_on: d.get("found_on"),
            found_by: d.get("found_by"),
            deadline: d.get("deadline"),
            campaign_id: d.get("campaign_id"),
            immediate: d.has("immediate"),
            rectification_note: d.get("rectification_note"),
            before_ids: d.ids("before_attachment_ids", errs),
            after_ids: d.ids("after_attachment_ids", errs),
        }
    }

    fn from_hazard(h: &hazard::Hazard) -> HazardForm {
        HazardForm {
            org_id: h.org_id.to_string(),
            location: h.location.clone(),
            description: h.description.clone(),
            category: h.category.clone(),
            grade: h.grade.clone(),
            major_criterion: h.major_criterion.clone(),
            found_on: h.found_on.to_string(),
            found_by: h.found_by.clone(),
            deadline: h.deadline.to_string(),
            campaign_id: h.campaign_id.map(|c| c.to_string()).unwrap_or_default(),
            ..Default::default()
        }
    }

    fn to_input(&self, errs: &mut FieldErrors) -> HazardInput {
        let id = |v: &str, field: &str, label: &str, errs: &mut FieldErrors| {
            let v = v.trim();
            if v.is_empty() {
                return None;
            }
            v.parse::<i64>().ok().or_else(|| {
                errs.add(field, format!("{label}无效"));
                None
            })
        };
        HazardInput {
            org_id: id(&self.org_id, "org_id", "所属单位", errs),
            location: self.location.clone(),
            description: self.description.clone(),
            category: self.category.clone(),
            grade: self.grade.clone(),
            major_criterion: self.major_criterion.clone(),
            found_on: self.found_on.clone(),
            found_by: self.found_by.clone(),
            deadline: self.deadline.clone(),
            campaign_id: id(&self.campaign_id, "campaign_id", "专项行动", errs),
            before_attachment_ids: self.before_ids.clone(),
            immediate: self.immediate,
            after_attachment_ids: self.after_ids.clone(),
            rectification_note: self.rectification_note.clone(),
        }
    }

    pub fn ids_text(ids: &[i64]) -> String {
        ids.iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(",")
    }
}

#[derive(Template)]
#[template(path = "hazard/form.html")]
struct FormPage {
    chrome: Chrome,
    action: String,
    editing: bool,
    row_version: i64,
    form: HazardForm,
    errors: FieldErrors,
    orgs: Vec<OrgOption>,
    campaigns: Vec<(i64, String)>,
    grades: Vec<(&'static str, &'static str)>,
    categories: [&'static str; 10],
    before_text: String,
    after_text: String,
}

async fn form_page(
    state: &AppState,
    auth: &Auth,
    editing: Option<&hazard::Hazard>,
    form: HazardForm,
    errors: FieldErrors,
) -> PageResult<Response> {
    let (title, action) = match editing {
        Some(h) => (format!("修改隐患 #{}", h.id), format!("/hazards/{}", h.id)),
        None => ("登记隐患".to_string(), "/hazards".to_string()),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let orgs = org::all_in_scope(&state.db, &auth.ctx(), false).await?;
    let p = FormPage {
        chrome: Chrome::new(auth, "/hazards", title.clone())
            .crumb("/hazards", "隐患台账")
            .crumb(&action, title),
        action,
        editing: editing.is_some(),
        row_version: editing.map(|h| h.row_version).unwrap_or(0),
        before_text: HazardForm::ids_text(&form.before_ids),
        after_text: HazardForm::ids_text(&form.after_ids),
        form,
        errors,
        orgs: view::org_options(&orgs, false),
        campaigns: campaign_options(state, auth).await,
        grades: view::grades(),
        categories: view::CATEGORIES,
    };
    Ok((status, Html(p.render().map_err(PageError::from)?)).into_response())
}

pub async fn new_page(State(state): State<AppState>, auth: Auth) -> PageResult<Response> {
    let form = HazardForm {
        grade: "general".into(),
        found_on: hazard::today().to_string(),
        found_by: auth.inner.user.name.clone(),
        org_id: auth.inner.user.org_id.to_string(),
        ..Default::default()
    };
    form_page(&state, &auth, None, form, FieldErrors::new()).await
}

/// Registration: the fields are checked first, then the photos are stored under the chosen
/// organisation, then the hazard is created with them. If the data layer still refuses, the
/// stored photo ids ride along in the re-rendered form so nobody uploads twice.
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    data: FormData,
) -> PageResult<Response> {
    data.check()?;
    let mut errs = FieldErrors::new();
    let mut form = HazardForm::from_data(&data, &mut errs);
    let mut input = form.to_input(&mut errs);
    if !errs.is_empty() {
        return form_page(&state, &auth, None, form, errs).await;
    }
    // Checked before any photo is stored; photos posted with the form count as evidence.
    let mut probe = input.clone();
    if data.files_of("after_photos").next().is_some() {
        probe.after_attachment_ids.push(0);
    }
    if let Err(DbError::Invalid(e)) = probe.parse() {
        return form_page(&state, &auth, None, form, e).await;
    }
    let org_id = input.org_id.unwrap_or(auth.inner.user.org_id);
    let stored = async {
        let b = store_files(&state, &auth, &data, "before_photos", org_id).await?;
        let a = store_files(&state, &auth, &data, "after_photos", org_id).await?;
        Ok::<_, AppError>((b, a))
    }
    .await;
    match stored {
        Ok((b, a)) => {
            form.before_ids.extend(b);
            form.after_ids.extend(a);
        }
        Err(AppError::Invalid(e)) => return form_page(&state, &auth, None, form, e).await,
        Err(e) => return Err(e.into()),
    }
    input.before_attachment_ids = form.before_ids.clone();
    input.after_attachment_ids = form.after_ids.clone();
    match hazard::create(&state.db, &auth.ctx(), &input).await {
        Ok(h) => Ok(Redirect::to(&format!("/hazards/{}?notice=created", h.id)).into_response()),
        Err(DbError::Invalid(e)) => form_page(&state, &auth, None, form, e).await,
        Err(e) => Err(e.into()),
    }
}

pub async fn edit_page(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> PageResult<Response> {
    let h = hazard::get_row(&state.db, &auth.ctx(), id).await?;
    let form = HazardForm::from_hazard(&h);
    form_page(&state, &auth, Some(&h), form, FieldErrors::new()).await
}

pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    data: FormData,
) -> PageResult<Response> {
    let h = hazard::get_row(&state.db, &auth.ctx(), id).await?;
    data.check()?;
    let mut errs = FieldErrors::new();
    let mut form = HazardForm::from_data(&data, &mut errs);
    let mut input = form.to_input(&mut errs);
    if !errs.is_empty() {
        return form_page(&state, &auth, Some(&h), form, errs).await;
    }
    if let Err(DbError::Invalid(e)) = input.parse() {
        return form_page(&state, &auth, Some(&h), form, e).await;
    }
    match store_files(&state, &auth, &data, "before_photos", h.org_id).await {
        Ok(b) => form.before_ids.extend(b),
        Err(AppError::Invalid(e)) => return form_page(&state, &auth, Some(&h), form, e).await,
        Err(e) => return Err(e.into()),
    }
    input.before_attachment_ids = form.before_ids.clone();
    match hazard::update(&state.db, &auth.ctx(), id, data.row_version(), &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/hazards/{id}?notice=saved")).into_response()),
        Err(DbError::Invalid(e)) => form_page(&state, &auth, Some(&h), form, e).await,
        Err(e) => Err(e.into()),
    }
}

/// Which action forms the caller sees on the detail page; the data layer checks again.
#[derive(Default)]
pub struct Can {
    pub edit: bool,
    pub assign: bool,
    pub submit: bool,
    pub verify: bool,
    pub extension: bool,
    pub decide: bool,
    pub plan: bool,
    pub report: bool,
    pub list: bool,
    pub lift: bool,
}

impl Can {
    fn of(auth: &Auth, d: &HazardDetail) -> Can {
        let ctx = auth.ctx();
        let me = auth.inner.user.id;
        let h = &d.hazard;
        let st = h.status();
        let major = h.is_major();
        let awaiting = st.awaits_rectification();
        let rectify = ctx.can(Permission::HazardRectify);
        let plan_ok = !major || d.major_plan_complete();
        let listing = d.listing.as_ref();
        Can {
            edit: st == HazardStatus::Pending && ctx.can(Permission::HazardReport),
            assign: awaiting && rectify && plan_ok,
            submit: st == HazardStatus::Rectifying && rectify,
            verify: st == HazardStatus::AwaitingVerification
                && ctx.can(Permission::HazardVerify)
                && h.rectified_by != Some(me),
            extension: awaiting && rectify && d.pending_extension().is_none(),
            decide: d.pending_extension().is_some_and(|e| e.requested_by != me)
                && ctx.can(Permission::HazardDecideExtension),
            plan: major && st.is_open() && (ctx.can(Permission::HazardReport) || rectify),
            report: major
                && d.major_plan_complete()
                && !d.major.as_ref().is_some_and(|m| m.reported())
                && ctx.can(Permission::HazardReport),
            list: major
                && st.is_open()
                && listing.is_none()
                && ctx.can(Permission::HazardSupervise),
            lift: listing.is_some_and(|l| !l.lifted())
                && st == HazardStatus::Closed
                && ctx.can(Permission::HazardSupervise),
        }
    }
}

#[derive(Template)]
#[template(path = "hazard/detail.html")]
struct DetailPage {
    chrome: Chrome,
    d: HazardDetail,
    row: Row,
    can: Can,
    today: String,
    /// The action whose form was refused, its errors and what was posted.
    failed: String,
    errors: FieldErrors,
    posted: Vec<(String, String)>,
    plan_parts: Vec<(&'static str, &'static str, String)>,
}

impl DetailPage {
    /// A posted value when re-rendering the refused form, else `default`.
    fn val(&self, action: &str, key: &str, default: &str) -> String {
        if self.failed == action {
            if let Some((_, v)) = self.posted.iter().find(|(k, _)| k == key) {
                return v.clone();
            }
        }
        default.to_string()
    }
    fn when(&self, at: chrono::DateTime<chrono::Utc>) -> String {
        crate::layout::instant(&at)
    }
    /// Attachments by kind, the kinds that have any, in page order.
    fn file_groups(&self) -> Vec<(bool, &'static str, Vec<&hazard::HazardAttachment>)> {
        [
            ("before", "整改前"),
            ("after", "整改后"),
            ("plan", "治理方案材料"),
            ("lift", "解除督办材料"),
        ]
        .into_iter()
        .map(|(k, l)| (k == "after", l, self.d.attachments_of(k)))
        .filter(|(_, _, v)| !v.is_empty())
        .collect()
    }
    /// The errors of the refused form, shown at its top.
    fn general_errors(&self, action: &str) -> Vec<String> {
        if self.failed != action {
            return Vec::new();
        }
        self.errors.0.iter().map(|(_, m)| m.clone()).collect()
    }
}

pub async fn render_detail(
    state: &AppState,
    auth: &Auth,
    id: i64,
    notice: Option<&str>,
    failed: &str,
    errors: FieldErrors,
    posted: Vec<(String, String)>,
) -> PageResult<Response> {
    let d = hazard::get(&state.db, &auth.ctx(), id).await?;
    let today = hazard::today();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let title = format!("隐患 #{id}");
    let plan_parts = match &d.major {
        Some(m) => m.labelled_parts(),
        None => MAJOR_PLAN_PARTS
            .iter()
            .map(|(f, l)| (*f, *l, String::new()))
            .collect(),
    };
    let p = DetailPage {
        chrome: Chrome::new(auth, "/hazards", title.clone())
            .crumb("/hazards", "隐患台账")
            .crumb(format!("/hazards/{id}"), title)
            .notice(notice),
        can: Can::of(auth, &d),
        row: Row::new(d.hazard.clone(), today),
        today: today.to_string(),
        d,
        failed: failed.to_string(),
        errors,
        posted,
        plan_parts,
    };
    Ok((status, Html(p.render().map_err(PageError::from)?)).into_response())
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
) -> PageResult<Response> {
    render_detail(
        &state,
        &auth,
        id,
        q.notice.as_deref(),
        "",
        FieldErrors::new(),
        Vec::new(),
    )
    .await
}

/// The ledger as an Excel sheet, with the filters of the page. Audited like every export.
pub async fn export(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ListQuery>,
) -> PageResult<Response> {
    Ok(super::export::download(&state, &auth, &q).await?)
}
