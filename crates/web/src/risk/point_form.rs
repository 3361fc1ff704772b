//! The risk point form: new and edit pages (the organisation as a drop-down, or a text field
//! above `ORG_SELECT_MAX`; the responsible person from that organisation's people), saving,
//! activation and turning a point's measures into a checklist. A refused form re-renders with 422.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};

use anjian_db::risk::{self, PointInput};
use anjian_db::{org, DbError, FieldErrors};

use super::forms::{html, people_of, picked_user, responsible, status_of, wants_active};
use super::pages::render_point;
use super::view::{self, Opt};
use crate::auth::Auth;
use crate::error::PageResult;
use crate::extract::Id;
use crate::hazard::forms::FormData;
use crate::layout::Chrome;
use crate::AppState;

/// At most this many organisations are offered as a drop-down; above it, a text field takes a
/// name or number (a bureau user at province scale sees thousands).
const ORG_SELECT_MAX: usize = 200;

#[derive(Debug, Default, Clone)]
pub struct PointForm {
    /// Id from the drop-down, or a name or id typed into the text field.
    pub org: String,
    pub kind: String,
    pub name: String,
    pub location: String,
    pub responsible_name: String,
    /// The account picked from the organisation's people, as posted ("" = none: a person
    /// without an account, named in `responsible_name`).
    pub responsible_user_id: String,
    pub emergency_measures: String,
    pub report_phone: String,
    pub marker_x: String,
    pub marker_y: String,
}

impl PointForm {
    fn from_data(d: &FormData) -> PointForm {
        PointForm {
            org: d.get("org"),
            kind: d.get("kind"),
            name: d.get("name"),
            location: d.get("location"),
            responsible_name: d.get("responsible_name"),
            responsible_user_id: picked_user(d),
            emergency_measures: d.get("emergency_measures"),
            report_phone: d.get("report_phone"),
            marker_x: d.get("marker_x"),
            marker_y: d.get("marker_y"),
        }
    }

    fn from_point(p: &risk::RiskPoint) -> PointForm {
        PointForm {
            org: p.org_id.to_string(),
            kind: p.kind.clone(),
            name: p.name.clone(),
            location: p.location.clone(),
            responsible_name: p.responsible_name.clone(),
            responsible_user_id: p
                .responsible_user_id
                .map(|u| u.to_string())
                .unwrap_or_default(),
            emergency_measures: p.emergency_measures.clone(),
            report_phone: p.report_phone.clone(),
            marker_x: p.marker_x.map(|v| v.to_string()).unwrap_or_default(),
            marker_y: p.marker_y.map(|v| v.to_string()).unwrap_or_default(),
        }
    }

    /// The input, after looking the organisation up (a name typed in the text field).
    async fn to_input(
        &self,
        state: &AppState,
        auth: &Auth,
        keep_user: Option<i64>,
        errs: &mut FieldErrors,
    ) -> PointInput {
        let org_id = match self.org.trim() {
            "" => {
                errs.add("org", "请选择或填写风险点所属的单位/库点");
                None
            }
            typed => match org::find(&state.db, &auth.ctx(), typed).await {
                Ok(o) => Some(o.id),
                Err(DbError::Conflict(m)) => {
                    errs.add("org", m);
                    None
                }
                Err(_) => {
                    errs.add("org", format!("未找到名称或编号为“{typed}”的单位或库点"));
                    None
                }
            },
        };
        let (responsible_user_id, responsible_name) = responsible(
            errs,
            &self.responsible_user_id,
            &self.responsible_name,
            keep_user,
        );
        PointInput {
            org_id,
            kind: self.kind.clone(),
            name: self.name.clone(),
            location: self.location.clone(),
            responsible_user_id,
            responsible_name,
            emergency_measures: self.emergency_measures.clone(),
            report_phone: self.report_phone.clone(),
            marker_x: self.marker_x.clone(),
            marker_y: self.marker_y.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "risk/point_form.html")]
struct PointFormPage {
    chrome: Chrome,
    action: String,
    cancel: String,
    row_version: i64,
    form: PointForm,
    errors: FieldErrors,
    /// Empty when there are too many organisations: the text field is shown instead.
    orgs: Vec<view::Opt>,
    kinds: Vec<Opt>,
    /// Accounts of the chosen organisation and its unit, for the responsible person.
    people: Vec<risk::PersonOption>,
}

async fn point_form_page(
    state: &AppState,
    auth: &Auth,
    editing: Option<&risk::RiskPoint>,
    form: PointForm,
    errors: FieldErrors,
) -> PageResult<Response> {
    let (title, action, cancel) = match editing {
        Some(p) => (
            format!("修改风险点：{}", p.name),
            format!("/risk-points/{}", p.id),
            format!("/risk-points/{}", p.id),
        ),
        None => (
            "新增风险点".to_string(),
            "/risk-points".to_string(),
            "/risk-points".to_string(),
        ),
    };
    let all = org::all_in_scope(&state.db, &auth.ctx(), false).await?;
    let orgs = if all.len() <= ORG_SELECT_MAX {
        crate::hazard::view::org_options(&all, false)
            .into_iter()
            .map(|o| view::Opt {
                value: o.id.to_string(),
                label: o.label,
            })
            .collect()
    } else {
        Vec::new()
    };
    let p_org = form.org.clone();
    let p = PointFormPage {
        chrome: Chrome::new(auth, "/risks", title.clone())
            .crumb("/risks", "风险分级管控")
            .crumb("/risk-points", "风险点")
            .crumb(&action, title),
        action,
        cancel,
        row_version: editing.map(|p| p.row_version).unwrap_or(0),
        form,
        errors: errors.clone(),
        orgs,
        kinds: view::kinds(),
        people: people_of(state, auth, &p_org).await,
    };
    html(status_of(&errors), &p)
}

pub async fn new_point(State(state): State<AppState>, auth: Auth) -> PageResult<Response> {
    let form = PointForm {
        org: auth.inner.user.org_id.to_string(),
        kind: "place".into(),
        responsible_name: auth.inner.user.name.clone(),
        responsible_user_id: auth.inner.user.id.to_string(),
        ..Default::default()
    };
    point_form_page(&state, &auth, None, form, FieldErrors::new()).await
}

pub async fn create_point(
    State(state): State<AppState>,
    auth: Auth,
    data: FormData,
) -> PageResult<Response> {
    data.check()?;
    let form = PointForm::from_data(&data);
    let mut errs = FieldErrors::new();
    let input = form.to_input(&state, &auth, None, &mut errs).await;
    if data.get("action") == "people" || !errs.is_empty() {
        return point_form_page(&state, &auth, None, form, errs).await;
    }
    match risk::create_point(&state.db, &auth.ctx(), &input).await {
        Ok(p) => Ok(Redirect::to(&format!("/risk-points/{}?notice=created", p.id)).into_response()),
        Err(DbError::Invalid(e)) => point_form_page(&state, &auth, None, form, e).await,
        Err(e) => Err(e.into()),
    }
}

pub async fn edit_point(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> PageResult<Response> {
    let d = risk::get_point(&state.db, &auth.ctx(), id).await?;
    let form = PointForm::from_point(&d.point);
    point_form_page(&state, &auth, Some(&d.point), form, FieldErrors::new()).await
}

pub async fn update_point(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    data: FormData,
) -> PageResult<Response> {
    let mut d = risk::get_point(&state.db, &auth.ctx(), id).await?;
    data.check()?;
    // A form shown again (field errors, refresh) keeps the version it was first read at, so a
    // save after someone else's cannot slip through by way of the re-rendered page.
    d.point.row_version = data.row_version();
    let form = PointForm::from_data(&data);
    let mut errs = FieldErrors::new();
    let input = form
        .to_input(&state, &auth, d.point.responsible_user_id, &mut errs)
        .await;
    if data.get("action") == "people" || !errs.is_empty() {
        return point_form_page(&state, &auth, Some(&d.point), form, errs).await;
    }
    match risk::update_point(&state.db, &auth.ctx(), id, data.row_version(), &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/risk-points/{id}?notice=saved")).into_response()),
        Err(DbError::Invalid(e)) => point_form_page(&state, &auth, Some(&d.point), form, e).await,
        Err(e) => Err(e.into()),
    }
}

/// POST /risk-points/{id}/active
pub async fn point_active(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    data: FormData,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    risk::get_point(&state.db, &ctx, id).await?;
    data.check()?;
    let active = wants_active(&data);
    risk::set_point_active(&state.db, &ctx, id, data.row_version(), active).await?;
    let notice = if active { "activated" } else { "deactivated" };
    Ok(Redirect::to(&format!("/risk-points/{id}?notice={notice}")).into_response())
}

/// POST /risk-points/{id}/checklist: the point's measures become a checklist of its unit.
pub async fn to_checklist(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    data: FormData,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    risk::get_point(&state.db, &ctx, id).await?;
    data.check()?;
    match risk::measures_to_checklist(&state.db, &ctx, id).await {
        Ok(made) => Ok(
            Redirect::to(&format!("/checklists/{}?notice=created", made.checklist_id))
                .into_response(),
        ),
        Err(DbError::Invalid(e)) => render_point(&state, &auth, id, None, e).await,
        Err(e) => Err(e.into()),
    }
}
