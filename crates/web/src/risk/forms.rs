//! Risk forms: the point form, the risk form (identification and assessment: LEC, LS or direct
//! grading, with the result computed by the server before saving when asked), the measure form,
//! activation and turning a point's measures into a checklist. Every refused form re-renders with
//! 422 and Chinese messages per field.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};

use anjian_db::risk::{self, MeasureInput, PointInput, RiskInput};
use anjian_db::{org, DbError, FieldErrors};
use anjian_domain::risk::GradingRules;

use super::assess::{AssessForm, AssessResult};
use super::pages::{render_point, render_risk};
use super::view::{self, Opt, RulesData};
use crate::auth::Auth;
use crate::error::{PageError, PageResult};
use crate::extract::Id;
use crate::hazard::forms::FormData;
use crate::layout::Chrome;
use crate::AppState;

/// At most this many organisations are offered as a drop-down; above it, a text field takes a
/// name or number (a bureau user at province scale sees thousands).
const ORG_SELECT_MAX: usize = 200;

fn status_of(errors: &FieldErrors) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

fn html<T: Template>(status: StatusCode, t: &T) -> PageResult<Response> {
    Ok((status, Html(t.render().map_err(PageError::from)?)).into_response())
}

// ---------- responsible people ----------

fn picked_user(d: &FormData) -> String {
    d.get("responsible_user_id").trim().to_string()
}

/// The responsible account and name as the data layer takes them. Picking another account than
/// the one linked before (`kept`) names that person: the name is left empty so the data layer
/// writes the account's, and a name typed for the earlier person does not stay on the card.
fn responsible(
    errs: &mut FieldErrors,
    picked: &str,
    typed_name: &str,
    kept: Option<i64>,
) -> (Option<i64>, String) {
    let id = match picked.trim() {
        "" => None,
        v => match v.parse::<i64>() {
            Ok(id) if id > 0 => Some(id),
            _ => {
                errs.add("responsible_user_id", "请从列表中选择责任人账号");
                None
            }
        },
    };
    let name = match id {
        Some(id) if Some(id) != kept => String::new(),
        _ => typed_name.to_string(),
    };
    (id, name)
}

/// The people offered for an organisation as typed in a form (an id); none when it is not one
/// the caller may see, or not an id yet (the form says how to list them).
async fn people_of(state: &AppState, auth: &Auth, org: &str) -> Vec<risk::PersonOption> {
    match org.trim().parse::<i64>() {
        Ok(id) => risk::responsible_candidates(&state.db, &auth.ctx(), id)
            .await
            .unwrap_or_default(),
        Err(_) => Vec::new(),
    }
}

// ---------- points ----------

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

fn wants_active(data: &FormData) -> bool {
    data.get("active").trim() == "1"
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

// ---------- risks ----------

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

// ---------- measures ----------

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
