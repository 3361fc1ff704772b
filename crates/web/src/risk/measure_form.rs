//! The control measure form: added from the form on the risk page (refusals re-render that page),
//! edited on a page of its own, activated and deactivated. A refused form re-renders with 422.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};

use anjian_db::risk::{self, MeasureInput};
use anjian_db::{DbError, FieldErrors};

use super::forms::{html, picked_user, responsible, status_of, wants_active};
use super::pages::render_risk;
use super::view::{self, Opt};
use crate::auth::Auth;
use crate::error::PageResult;
use crate::extract::Id;
use crate::hazard::forms::FormData;
use crate::layout::Chrome;
use crate::AppState;

#[derive(Debug, Default, Clone)]
pub struct MeasureForm {
    pub measure_type: String,
    pub content: String,
    pub tier: String,
    pub responsible_name: String,
    /// The picked account ("" = none), as posted.
    pub responsible_user_id: String,
}

impl MeasureForm {
    fn from_data(d: &FormData) -> MeasureForm {
        MeasureForm {
            measure_type: d.get("measure_type"),
            content: d.get("content"),
            tier: d.get("tier"),
            responsible_name: d.get("responsible_name"),
            responsible_user_id: picked_user(d),
        }
    }

    fn input(&self, kept: Option<i64>, errs: &mut FieldErrors) -> MeasureInput {
        let (responsible_user_id, responsible_name) = responsible(
            errs,
            &self.responsible_user_id,
            &self.responsible_name,
            kept,
        );
        MeasureInput {
            measure_type: self.measure_type.clone(),
            content: self.content.clone(),
            tier: self.tier.clone(),
            responsible_user_id,
            responsible_name,
        }
    }
}

/// POST /risks/{id}/measures: adds a measure from the form on the risk page.
pub async fn create_measure(
    State(state): State<AppState>,
    auth: Auth,
    Id(risk_id): Id,
    data: FormData,
) -> PageResult<Response> {
    risk::get_risk(&state.db, &auth.ctx(), risk_id).await?;
    data.check()?;
    let form = MeasureForm::from_data(&data);
    let mut errs = FieldErrors::new();
    let input = form.input(None, &mut errs);
    if !errs.is_empty() {
        return render_risk(&state, &auth, risk_id, None, errs, form).await;
    }
    match risk::create_measure(&state.db, &auth.ctx(), risk_id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/risks/{risk_id}?notice=created")).into_response()),
        Err(DbError::Invalid(e)) => render_risk(&state, &auth, risk_id, None, e, form).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "risk/measure_form.html")]
struct MeasurePage {
    chrome: Chrome,
    id: i64,
    risk_id: i64,
    active: bool,
    row_version: i64,
    m: MeasureForm,
    errors: FieldErrors,
    types: Vec<Opt>,
    tiers: Vec<Opt>,
    people: Vec<risk::PersonOption>,
}

async fn measure_page(
    state: &AppState,
    auth: &Auth,
    ms: &risk::Measure,
    m: MeasureForm,
    errors: FieldErrors,
) -> PageResult<Response> {
    let title = "修改管控措施".to_string();
    let p = MeasurePage {
        chrome: Chrome::new(auth, "/risks", title.clone())
            .crumb("/risks", "风险分级管控")
            .crumb(
                format!("/risks/{}", ms.risk_id),
                format!("风险 #{}", ms.risk_id),
            )
            .crumb(format!("/risk-measures/{}/edit", ms.id), title),
        id: ms.id,
        risk_id: ms.risk_id,
        active: ms.active,
        row_version: ms.row_version,
        m,
        errors: errors.clone(),
        types: view::measure_types(),
        tiers: view::tiers(),
        people: risk::responsible_candidates(&state.db, &auth.ctx(), ms.org_id).await?,
    };
    html(status_of(&errors), &p)
}

pub async fn edit_measure(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> PageResult<Response> {
    let ms = risk::get_measure(&state.db, &auth.ctx(), id).await?;
    let m = MeasureForm {
        measure_type: ms.measure_type.clone(),
        content: ms.content.clone(),
        tier: ms.tier.clone(),
        responsible_name: ms.responsible_name.clone(),
        responsible_user_id: ms
            .responsible_user_id
            .map(|u| u.to_string())
            .unwrap_or_default(),
    };
    measure_page(&state, &auth, &ms, m, FieldErrors::new()).await
}

pub async fn update_measure(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    data: FormData,
) -> PageResult<Response> {
    let mut ms = risk::get_measure(&state.db, &auth.ctx(), id).await?;
    data.check()?;
    // A form shown again (field errors, refresh) keeps the version it was first read at, so a
    // save after someone else's cannot slip through by way of the re-rendered page.
    ms.row_version = data.row_version();
    let m = MeasureForm::from_data(&data);
    let mut errs = FieldErrors::new();
    let input = m.input(ms.responsible_user_id, &mut errs);
    if !errs.is_empty() {
        return measure_page(&state, &auth, &ms, m, errs).await;
    }
    match risk::update_measure(&state.db, &auth.ctx(), id, data.row_version(), &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/risks/{}?notice=saved", ms.risk_id)).into_response()),
        Err(DbError::Invalid(e)) => measure_page(&state, &auth, &ms, m, e).await,
        Err(e) => Err(e.into()),
    }
}

/// POST /risk-measures/{id}/active
pub async fn measure_active(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    data: FormData,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    let ms = risk::get_measure(&state.db, &ctx, id).await?;
    data.check()?;
    let active = wants_active(&data);
    risk::set_measure_active(&state.db, &ctx, id, data.row_version(), active).await?;
    let notice = if active { "activated" } else { "deactivated" };
    Ok(Redirect::to(&format!("/risks/{}?notice={notice}", ms.risk_id)).into_response())
}
