//! The risk form: identification and assessment (LEC, LS or direct grading, plus the residual
//! risk after controls), with the result computed by the server before saving when asked
//! (`action=compute`, the page's no-JavaScript path); saving, re-assessment and activation.
//! A refused form re-renders with 422 and Chinese messages per field.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use anjian_db::risk::{self, RiskInput};
use anjian_db::{DbError, FieldErrors};
use anjian_domain::risk::GradingRules;

use super::assess::{AssessForm, AssessResult};
use super::forms::{html, status_of, wants_active};
use super::view::{self, Opt, RulesData};
use crate::auth::Auth;
use crate::error::PageResult;
use crate::extract::Id;
use crate::hazard::forms::FormData;
use crate::layout::Chrome;
use crate::AppState;

#[derive(Debug, Default, Clone)]
pub struct RiskForm {
    pub description: String,
    pub factors: Vec<String>,
    pub accident_types: Vec<String>,
    pub consequence: String,
    pub assess: AssessForm,
    pub control_tier: String,
    pub assessed_on: String,
    pub version_reason: String,
    /// Residual risk after controls, by any method the inherent assessment allows; an empty
    /// method means none.
    pub residual: AssessForm,
}

impl RiskForm {
    fn from_data(d: &FormData) -> RiskForm {
        let many = |k: &str| {
            d.pairs
                .iter()
                .filter(|(key, v)| key == k && !v.trim().is_empty())
                .map(|(_, v)| v.trim().to_string())
                .collect::<Vec<_>>()
        };
        RiskForm {
            description: d.get("description"),
            factors: many("factors"),
            accident_types: many("accident_types"),
            consequence: d.get("consequence"),
            assess: AssessForm::from_data(d),
            control_tier: d.get("control_tier"),
            assessed_on: d.get("assessed_on"),
            version_reason: d.get("version_reason"),
            residual: AssessForm::residual_from_data(d),
        }
    }

    fn from_risk(r: &risk::Risk) -> RiskForm {
        let codes = |s: &str| view::split_codes(s).map(str::to_string).collect();
        RiskForm {
            description: r.description.clone(),
            factors: codes(&r.factors),
            accident_types: codes(&r.accident_types),
            consequence: r.consequence.clone(),
            assess: r
                .assessment()
                .map(|a| AssessForm::from_assessment(&a))
                .unwrap_or_else(AssessForm::new_lec),
            control_tier: r.control_tier.clone(),
            assessed_on: super::today().to_string(),
            version_reason: String::new(),
            residual: r
                .residual()
                .map(|a| AssessForm::from_assessment(&a))
                .unwrap_or_default(),
        }
    }

    /// Checks the assessment here (so its messages name the form's fields) and builds the input.
    fn to_input(&self, point_id: i64, errs: &mut FieldErrors) -> RiskInput {
        self.assess.parse(errs);
        let a = &self.assess;
        let (l, s) = if a.method == "ls" {
            (a.ls_l.clone(), a.ls_s.clone())
        } else {
            (a.l.clone(), String::new())
        };
        self.residual.parse_residual(errs);
        let r = &self.residual;
        let (rl, rs) = if r.method == "ls" {
            (r.ls_l.clone(), r.ls_s.clone())
        } else {
            (r.l.clone(), String::new())
        };
        RiskInput {
            risk_point_id: Some(point_id),
            description: self.description.clone(),
            factors: self.factors.clone(),
            accident_standard: String::new(),
            accident_types: self.accident_types.clone(),
            consequence: self.consequence.clone(),
            method: a.method.clone(),
            l,
            e: a.e.clone(),
            c: a.c.clone(),
            s,
            reason: a.reason.clone(),
            residual_method: r.method.clone(),
            residual_l: rl,
            residual_e: r.e.clone(),
            residual_c: r.c.clone(),
            residual_s: rs,
            residual_reason: r.reason.clone(),
            control_tier: self.control_tier.clone(),
            assessed_on: self.assessed_on.clone(),
            version_reason: self.version_reason.clone(),
        }
    }

    pub fn has_factor(&self, code: &str) -> bool {
        self.factors.iter().any(|f| f == code)
    }
    pub fn has_type(&self, code: &str) -> bool {
        self.accident_types.iter().any(|f| f == code)
    }
}

/// Options of the assessment pickers, built once per page.
pub struct AssessOpts {
    pub lec_l: Vec<Opt>,
    pub lec_e: Vec<Opt>,
    pub lec_c: Vec<Opt>,
    pub ls_l: Vec<Opt>,
    pub ls_s: Vec<Opt>,
}

impl AssessOpts {
    pub fn new() -> AssessOpts {
        AssessOpts {
            lec_l: view::lec_l(),
            lec_e: view::lec_e(),
            lec_c: view::lec_c(),
            ls_l: view::ls_l(),
            ls_s: view::ls_s(),
        }
    }
}

impl Default for AssessOpts {
    fn default() -> Self {
        Self::new()
    }
}

#[derive(Template)]
#[template(path = "risk/risk_form.html")]
struct RiskFormPage {
    chrome: Chrome,
    action: String,
    cancel: String,
    editing: bool,
    row_version: i64,
    point_name: String,
    form: RiskForm,
    assess: AssessForm,
    errors: FieldErrors,
    result: Option<AssessResult>,
    residual_result: Option<AssessResult>,
    opts: AssessOpts,
    rules_data: RulesData,
    factors: Vec<Opt>,
    accident_types: Vec<Opt>,
    accident_standard: &'static str,
    tiers: Vec<Opt>,
    default_tier: String,
}

struct RiskFormCtx<'a> {
    point: &'a risk::RiskPoint,
    editing: Option<&'a risk::Risk>,
}

async fn risk_form_page(
    state: &AppState,
    auth: &Auth,
    c: RiskFormCtx<'_>,
    form: RiskForm,
    errors: FieldErrors,
    status: StatusCode,
) -> PageResult<Response> {
    let rules: GradingRules = risk::rules(&state.db).await?;
    let (title, action, cancel) = match c.editing {
        Some(r) => (
            format!("重新评估：{}", r.description),
            format!("/risks/{}", r.id),
            format!("/risks/{}", r.id),
        ),
        None => (
            "辨识评估风险".to_string(),
            format!("/risk-points/{}/risks", c.point.id),
            format!("/risk-points/{}", c.point.id),
        ),
    };
    let result = form.assess.result(&rules);
    let residual_result = form.residual.residual_result(&rules);
    let default_tier = result
        .as_ref()
        .map(|r| rules.default_tier(r.level).label().to_string())
        .unwrap_or_default();
    let p = RiskFormPage {
        chrome: Chrome::new(auth, "/risks", title.clone())
            .crumb("/risks", "风险分级管控")
            .crumb(format!("/risk-points/{}", c.point.id), c.point.name.clone())
            .crumb(&action, title),
        action,
        cancel,
        editing: c.editing.is_some(),
        row_version: c.editing.map(|r| r.row_version).unwrap_or(0),
        point_name: c.point.name.clone(),
        assess: form.assess.clone(),
        form,
        errors,
        result,
        residual_result,
        opts: AssessOpts::new(),
        rules_data: RulesData::new(&rules),
        factors: view::factors(),
        accident_types: view::accident_types(),
        accident_standard: view::accident_standard(),
        tiers: view::tiers(),
        default_tier,
    };
    html(status, &p)
}

/// The refused or computed form: 422 with errors, 200 for "计算等级".
fn form_status(errors: &FieldErrors) -> StatusCode {
    status_of(errors)
}

pub async fn new_risk(
    State(state): State<AppState>,
    auth: Auth,
    Id(point_id): Id,
) -> PageResult<Response> {
    let d = risk::get_point(&state.db, &auth.ctx(), point_id).await?;
    let form = RiskForm {
        assess: AssessForm::new_lec(),
        assessed_on: super::today().to_string(),
        ..Default::default()
    };
    let c = RiskFormCtx {
        point: &d.point,
        editing: None,
    };
    risk_form_page(&state, &auth, c, form, FieldErrors::new(), StatusCode::OK).await
}

/// POST /risk-points/{id}/risks. With `action=compute` the server only computes and shows the
/// result (the page's no-JavaScript path); otherwise it saves.
pub async fn create_risk(
    State(state): State<AppState>,
    auth: Auth,
    Id(point_id): Id,
    data: FormData,
) -> PageResult<Response> {
    let d = risk::get_point(&state.db, &auth.ctx(), point_id).await?;
    data.check()?;
    let form = RiskForm::from_data(&data);
    let c = RiskFormCtx {
        point: &d.point,
        editing: None,
    };
    let mut errs = FieldErrors::new();
    let input = form.to_input(point_id, &mut errs);
    if data.get("action") == "compute" || !errs.is_empty() {
        let st = form_status(&errs);
        return risk_form_page(&state, &auth, c, form, errs, st).await;
    }
    match risk::create_risk(&state.db, &auth.ctx(), &input).await {
        Ok(r) => Ok(Redirect::to(&format!("/risks/{}?notice=created", r.id)).into_response()),
        Err(DbError::Invalid(e)) => {
            let e = ls_fields(&form, e);
            risk_form_page(&state, &auth, c, form, e, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The data layer names LS factors `l` and `s` (`residual_l`, `residual_s`); the form calls
/// them `ls_l` and `ls_s` (`residual_ls_l`, `residual_ls_s`).
fn ls_fields(form: &RiskForm, e: FieldErrors) -> FieldErrors {
    let ls = form.assess.method == "ls";
    let residual_ls = form.residual.method == "ls";
    FieldErrors(
        e.0.into_iter()
            .map(|(f, m)| match f.as_str() {
                "l" if ls => ("ls_l".to_string(), m),
                "s" if ls => ("ls_s".to_string(), m),
                "residual_l" if residual_ls => ("residual_ls_l".to_string(), m),
                "residual_s" if residual_ls => ("residual_ls_s".to_string(), m),
                _ => (f, m),
            })
            .collect(),
    )
}

pub async fn edit_risk(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> PageResult<Response> {
    let d = risk::get_risk(&state.db, &auth.ctx(), id).await?;
    let form = RiskForm::from_risk(&d.risk);
    let c = RiskFormCtx {
        point: &d.point,
        editing: Some(&d.risk),
    };
    risk_form_page(&state, &auth, c, form, FieldErrors::new(), StatusCode::OK).await
}

/// POST /risks/{id}: re-assessment (a new version) or correction of the description.
pub async fn update_risk(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    data: FormData,
) -> PageResult<Response> {
    let mut d = risk::get_risk(&state.db, &auth.ctx(), id).await?;
    data.check()?;
    // A form shown again (field errors, refresh) keeps the version it was first read at, so a
    // save after someone else's cannot slip through by way of the re-rendered page.
    d.risk.row_version = data.row_version();
    let form = RiskForm::from_data(&data);
    let c = RiskFormCtx {
        point: &d.point,
        editing: Some(&d.risk),
    };
    let mut errs = FieldErrors::new();
    let input = form.to_input(d.point.id, &mut errs);
    if data.get("action") == "compute" || !errs.is_empty() {
        let st = form_status(&errs);
        return risk_form_page(&state, &auth, c, form, errs, st).await;
    }
    match risk::update_risk(&state.db, &auth.ctx(), id, data.row_version(), &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/risks/{id}?notice=saved")).into_response()),
        Err(DbError::Invalid(e)) => {
            let e = ls_fields(&form, e);
            risk_form_page(&state, &auth, c, form, e, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

/// POST /risks/{id}/active
pub async fn risk_active(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    data: FormData,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    risk::get_risk(&state.db, &ctx, id).await?;
    data.check()?;
    let active = wants_active(&data);
    risk::set_risk_active(&state.db, &ctx, id, data.row_version(), active).await?;
    let notice = if active { "activated" } else { "deactivated" };
    Ok(Redirect::to(&format!("/risks/{id}?notice={notice}")).into_response())
}
