//! Registering a hazard and editing its registration while 待整改: the form (with photos in the
//! same multipart post) and its 关联风险点 select, which lists the active points of the
//! organisation chosen on the form.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use anjian_db::hazard::{self, HazardInput};
use anjian_db::{org, risk, DbError, FieldErrors};
use anjian_domain::risk::RiskLevel;

use super::forms::{store_files, FormData};
use super::pages::campaign_options;
use super::view::{self, OrgOption};
use crate::auth::Auth;
use crate::error::{AppError, PageError, PageResult};
use crate::extract::Id;
use crate::layout::Chrome;
use crate::AppState;

/// The form's secondary button: re-render the form with the risk points of the organisation now
/// chosen, saving nothing. Pages work without JavaScript, so this round trip is how a changed
/// organisation brings its points.
const REFRESH: &str = "refresh_points";

/// The 关联风险点 select.
pub struct PointPicker {
    /// The form names an organisation it offers; without one there is nothing to list yet.
    pub org_chosen: bool,
    /// (id, label) of the organisation's active points, and of the point the edited hazard
    /// references already when that one is not among them (stopped since, or linked to a point
    /// below the organisation from the risk side): keeping it must stay possible.
    pub options: Vec<(i64, String)>,
}

impl PointPicker {
    async fn load(
        state: &AppState,
        auth: &Auth,
        orgs: &[OrgOption],
        form: &HazardForm,
        editing: Option<&hazard::Hazard>,
    ) -> PageResult<PointPicker> {
        let ctx = auth.ctx();
        let chosen = form
            .org_id
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|id| orgs.iter().any(|o| o.id == *id));
        let Some(org_id) = chosen else {
            return Ok(PointPicker {
                org_chosen: false,
                options: Vec::new(),
            });
        };
        let mut options: Vec<(i64, String)> =
            match risk::points_for_hazard_form(&state.db, &ctx, org_id).await {
                Ok(v) => v.into_iter().map(|p| (p.id, point_label(&p))).collect(),
                // The organisation left the caller's scope meanwhile: nothing to offer; saving
                // says why.
                Err(DbError::NotFound) | Err(DbError::Forbidden) => Vec::new(),
                Err(e) => return Err(e.into()),
            };
        if let Some(h) = editing {
            if let Some(p) = h.risk_point_id {
                if h.org_id == org_id && !options.iter().any(|(id, _)| *id == p) {
                    let d = hazard::get(&state.db, &ctx, h.id).await?;
                    let name = d.risk_point_name.unwrap_or_else(|| format!("#{p}"));
                    options.push((p, format!("{name}（当前关联）")));
                }
            }
        }
        Ok(PointPicker {
            org_chosen: true,
            options,
        })
    }
}

/// "配电室（库区东侧，较大风险）": what tells two points apart on a phone-width select.
fn point_label(p: &risk::PointOption) -> String {
    let level = p
        .level_rank
        .and_then(RiskLevel::from_rank)
        .map(|l| l.label());
    let extra: Vec<&str> = [Some(p.location.trim()), level]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect();
    if extra.is_empty() {
        p.name.clone()
    } else {
        format!("{}（{}）", p.name, extra.join("，"))
    }
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
    pub risk_point_id: String,
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
            risk_point_id: d.get("risk_point_id"),
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
            risk_point_id: h.risk_point_id.map(|p| p.to_string()).unwrap_or_default(),
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
            risk_point_id: id(&self.risk_point_id, "risk_point_id", "关联风险点", errs),
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
    points: PointPicker,
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
    let orgs = view::org_options(
        &org::all_in_scope(&state.db, &auth.ctx(), false).await?,
        false,
    );
    let points = PointPicker::load(state, auth, &orgs, &form, editing).await?;
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
        orgs,
        campaigns: campaign_options(state, auth).await,
        grades: view::grades(),
        categories: view::CATEGORIES,
        points,
    };
    Ok((status, Html(p.render().map_err(PageError::from)?)).into_response())
}

/// Links may preselect the organisation and the risk point (a risk point's page: "register a
/// hazard found here"); both are only defaults, checked when the form is saved.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    org_id: Option<String>,
    risk_point_id: Option<String>,
}

pub async fn new_page(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<NewQuery>,
) -> PageResult<Response> {
    let form = HazardForm {
        grade: "general".into(),
        found_on: hazard::today().to_string(),
        found_by: auth.inner.user.name.clone(),
        org_id: q
            .org_id
            .unwrap_or_else(|| auth.inner.user.org_id.to_string()),
        risk_point_id: q.risk_point_id.unwrap_or_default(),
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
    if data.has(REFRESH) {
        return form_page(&state, &auth, None, form, FieldErrors::new()).await;
    }
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
    let mut h = hazard::get_row(&state.db, &auth.ctx(), id).await?;
    data.check()?;
    // A form shown again (field errors, refresh) keeps the version it was first read at, so a
    // save after someone else's cannot slip through by way of the re-rendered page.
    h.row_version = data.row_version();
    let mut errs = FieldErrors::new();
    let mut form = HazardForm::from_data(&data, &mut errs);
    if data.has(REFRESH) {
        return form_page(&state, &auth, Some(&h), form, FieldErrors::new()).await;
    }
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
