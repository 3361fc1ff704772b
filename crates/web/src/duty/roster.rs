//! Roster pages: new (with the generated rotation), detail (days marked where a leader is
//! required, regenerate, publish, swaps). One shift's edit form is in `shift`.

use std::collections::BTreeSet;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use chrono::NaiveDate;
use serde::Deserialize;

use anjian_db::duty::{self, Roster, RosterInput, Shift, ShiftDef, Swap, SwapInput};
use anjian_db::{DbError, FieldErrors};
use anjian_domain::role::Permission;

use crate::auth::{Access, Auth};
use crate::checklist::forms::row_version;
use crate::error::{AppError, PageError, PageResult};
use crate::extract::Id;
use crate::layout::Chrome;
use crate::routes::RouteTable;
use crate::AppState;

pub fn routes() -> RouteTable {
    let view = Access::Perm(Permission::DutyView);
    let roster = Access::Perm(Permission::DutyRoster);
    let record = Access::Perm(Permission::DutyRecord);
    RouteTable::default()
        .get("/duty/rosters/new", roster, new_page)
        .post("/duty/rosters", roster, create)
        .get("/duty/rosters/{id}", view, detail)
        .post("/duty/rosters/{id}/generate", roster, generate)
        .post("/duty/rosters/{id}/publish", roster, publish)
        .post("/duty/rosters/{id}/swaps", record, swap_request)
        .post("/duty/rosters/{id}/swaps/decide", roster, swap_decide)
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct RosterForm {
    pub org_id: String,
    pub name: String,
    pub start_date: String,
    pub end_date: String,
    pub note: String,
    /// The day's shifts, one row each: the first row keeps the single-shift names, the others
    /// are numbered (`shift_start_2`), as the data layer names their errors.
    pub shift_name: String,
    pub shift_start: String,
    pub shift_hours: String,
    pub shift_name_2: String,
    pub shift_start_2: String,
    pub shift_hours_2: String,
    pub shift_name_3: String,
    pub shift_start_3: String,
    pub shift_hours_3: String,
    pub leaders: String,
    pub officers: String,
    pub officers_per_day: String,
    pub row_version: String,
}

/// One row of the roster form's shifts, with its field names.
pub struct ShiftRow {
    pub n: usize,
    pub name_field: String,
    pub start_field: String,
    pub hours_field: String,
    pub name: String,
    pub start: String,
    pub hours: String,
}

impl RosterForm {
    pub fn shift_rows(&self) -> Vec<ShiftRow> {
        [
            (&self.shift_name, &self.shift_start, &self.shift_hours),
            (&self.shift_name_2, &self.shift_start_2, &self.shift_hours_2),
            (&self.shift_name_3, &self.shift_start_3, &self.shift_hours_3),
        ]
        .into_iter()
        .enumerate()
        .map(|(i, (name, start, hours))| ShiftRow {
            n: i + 1,
            name_field: duty::shift_key("shift_name", i),
            start_field: duty::shift_key("shift_start", i),
            hours_field: duty::shift_key("shift_hours", i),
            name: name.clone(),
            start: start.clone(),
            hours: hours.clone(),
        })
        .collect()
    }

    /// The form as the data layer's input would fill it (the regenerate form's starting point).
    fn from_input(i: RosterInput, row_version: i64) -> Self {
        let mut f = RosterForm {
            leaders: i.leaders,
            officers: i.officers,
            officers_per_day: i.officers_per_day,
            row_version: row_version.to_string(),
            ..Default::default()
        };
        let slots = [
            (&mut f.shift_name, &mut f.shift_start, &mut f.shift_hours),
            (
                &mut f.shift_name_2,
                &mut f.shift_start_2,
                &mut f.shift_hours_2,
            ),
            (
                &mut f.shift_name_3,
                &mut f.shift_start_3,
                &mut f.shift_hours_3,
            ),
        ];
        for (d, (name, start, hours)) in i.shifts.into_iter().zip(slots) {
            *name = d.name;
            *start = d.start;
            *hours = d.hours;
        }
        f
    }

    fn input(&self) -> Result<RosterInput, FieldErrors> {
        let org_id = match self.org_id.trim() {
            "" => 0,
            s => s
                .parse()
                .map_err(|_| FieldErrors::single("org_id", "值班单位无效"))?,
        };
        Ok(RosterInput {
            org_id,
            name: self.name.clone(),
            start_date: self.start_date.clone(),
            end_date: self.end_date.clone(),
            note: self.note.clone(),
            shifts: self
                .shift_rows()
                .into_iter()
                .map(|r| ShiftDef {
                    name: r.name,
                    start: r.start,
                    hours: r.hours,
                })
                .collect(),
            leaders: self.leaders.clone(),
            officers: self.officers.clone(),
            officers_per_day: self.officers_per_day.clone(),
        })
    }
}

#[derive(Template)]
#[template(path = "duty/roster_form.html")]
struct NewPage {
    chrome: Chrome,
    form: RosterForm,
    errors: FieldErrors,
    orgs: Vec<(i64, String)>,
}

async fn new_render(
    state: &AppState,
    auth: &Auth,
    form: RosterForm,
    errors: FieldErrors,
) -> PageResult<Response> {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let p = NewPage {
        chrome: Chrome::new(auth, "/duty", "新建值班表")
            .crumb("/duty", "值班值守")
            .crumb("/duty/rosters/new", "新建值班表"),
        form,
        errors,
        orgs: anjian_db::incident::orgs_for_picker(&state.db, &auth.ctx())
            .await
            .unwrap_or_default(),
    };
    Ok((status, Html(p.render().map_err(PageError::from)?)).into_response())
}

async fn new_page(State(state): State<AppState>, auth: Auth) -> PageResult<Response> {
    let today = super::pages::today();
    let form = RosterForm {
        org_id: auth.inner.user.org_id.to_string(),
        start_date: today.to_string(),
        end_date: (today + chrono::Days::new(6)).to_string(),
        shift_start: "08:30".into(),
        shift_hours: "24".into(),
        officers_per_day: "1".into(),
        ..Default::default()
    };
    new_render(&state, &auth, form, FieldErrors::new()).await
}

async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<RosterForm>,
) -> PageResult<Response> {
    let input = match f.input() {
        Ok(i) => i,
        Err(e) => return new_render(&state, &auth, f, e).await,
    };
    match duty::create_roster(&state.db, &auth.ctx(), &input).await {
        Ok(r) => {
            Ok(Redirect::to(&format!("/duty/rosters/{}?notice=created", r.id)).into_response())
        }
        Err(DbError::Invalid(e)) => new_render(&state, &auth, f, e).await,
        Err(e) => Err(e.into()),
    }
}

/// A shift as the detail shows it: whether its day needs a leader and lacks one.
pub struct DayRow {
    pub s: Shift,
    pub label: String,
    pub required: bool,
    pub holiday: String,
    /// Some shift of this day has a leader (the coverage check asks for one a day).
    pub day_led: bool,
    /// The first shift of its day: the day's date and marks are shown once.
    pub first_of_day: bool,
}

impl DayRow {
    pub fn missing_leader(&self) -> bool {
        self.required && !self.day_led
    }
}

#[derive(Template)]
#[template(path = "duty/roster.html")]
struct DetailPage {
    chrome: Chrome,
    r: Roster,
    days: Vec<DayRow>,
    swaps: Vec<Swap>,
    can_roster: bool,
    can_record: bool,
    gen: RosterForm,
    swap: SwapForm,
    errors: FieldErrors,
    conflict: Option<String>,
}

/// The roster with each day's marks (holiday name, key period).
pub async fn day_rows(state: &AppState, auth: &Auth, r: &Roster) -> Result<Vec<DayRow>, DbError> {
    let ctx = auth.ctx();
    let shifts = duty::shifts(&state.db, &ctx, r.id).await?;
    let required: BTreeSet<NaiveDate> = duty::required_days(&state.db, r).await?;
    let entries = duty::calendar_entries(&state.db, &ctx, None).await?;
    let led: BTreeSet<NaiveDate> = shifts
        .iter()
        .filter(|s| !s.leader_name.trim().is_empty())
        .map(|s| s.duty_date)
        .collect();
    let mut previous: Option<NaiveDate> = None;
    Ok(shifts
        .into_iter()
        .map(|s| {
            let first_of_day = previous != Some(s.duty_date);
            previous = Some(s.duty_date);
            let holiday = entries
                .iter()
                .find(|e| e.first_date <= s.duty_date && s.duty_date <= e.last_date)
                .map(|e| format!("{}{}", e.name, e.kind_label()))
                .unwrap_or_default();
            DayRow {
                label: super::day_label(s.duty_date),
                required: required.contains(&s.duty_date),
                day_led: led.contains(&s.duty_date),
                first_of_day,
                holiday,
                s,
            }
        })
        .collect())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NoticeQuery {
    notice: Option<String>,
}

#[allow(clippy::too_many_arguments)] // the page's parts
async fn detail_render(
    state: &AppState,
    auth: &Auth,
    id: i64,
    gen: Option<RosterForm>,
    swap: Option<SwapForm>,
    errors: FieldErrors,
    conflict: Option<String>,
    notice: Option<&str>,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    let r = duty::get_roster(&state.db, &ctx, id).await?;
    let days = day_rows(state, auth, &r).await?;
    let swaps = duty::swaps(&state.db, &ctx, id).await?;
    // Regenerating replaces every shift: the form carries the version it was shown at, so shift
    // edits saved meanwhile are not silently thrown away. Its lists start from the rotation as it
    // stands, whenever the page is shown without a regenerate form of its own (first view, or
    // shown again after another form's error).
    let gen = match gen {
        Some(g) => g,
        None => {
            let shifts: Vec<Shift> = days.iter().map(|d| d.s.clone()).collect();
            RosterForm::from_input(duty::regenerate_input(&shifts), r.row_version)
        }
    };
    let mut chrome = Chrome::new(auth, "/duty", r.name.clone())
        .crumb("/duty", "值班值守")
        .crumb(format!("/duty/rosters/{id}"), r.name.clone());
    chrome.notice = notice.map(|n| {
        match n {
            "created" => "值班表已生成（草稿）",
            "published" => "值班表已发布",
            "requested" => "换班申请已提交",
            "approved" => "已批准换班",
            "declined" => "已驳回换班",
            _ => "已保存",
        }
        .to_string()
    });
    let status = if conflict.is_some() {
        StatusCode::CONFLICT
    } else if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let p = DetailPage {
        chrome,
        gen,
        swap: swap.unwrap_or_default(),
        can_roster: ctx.can(Permission::DutyRoster),
        can_record: ctx.can(Permission::DutyRecord),
        r,
        days,
        swaps,
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
    detail_render(
        &state,
        &auth,
        id,
        None,
        None,
        FieldErrors::new(),
        None,
        q.notice.as_deref(),
    )
    .await
}

/// Maps a data-layer result of a roster action to a redirect or the detail re-rendered.
async fn after(
    state: &AppState,
    auth: &Auth,
    id: i64,
    r: Result<(), DbError>,
    notice: &str,
    gen: Option<RosterForm>,
    swap: Option<SwapForm>,
) -> PageResult<Response> {
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/duty/rosters/{id}?notice={notice}")).into_response()),
        Err(DbError::Invalid(e)) => detail_render(state, auth, id, gen, swap, e, None, None).await,
        Err(DbError::Conflict(m)) => {
            detail_render(
                state,
                auth,
                id,
                gen,
                swap,
                FieldErrors::new(),
                Some(m),
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// Scope first: every roster action answers 404 for a roster outside the caller's scope before
/// reading its form.
pub(super) async fn scoped(state: &AppState, auth: &Auth, id: i64) -> Result<Roster, PageError> {
    Ok(duty::get_roster(&state.db, &auth.ctx(), id).await?)
}

pub(super) fn version(v: &str) -> Result<i64, PageError> {
    row_version(v).map_err(|e| PageError(AppError::Invalid(e)))
}

async fn generate(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Form(f): Form<RosterForm>,
) -> PageResult<Response> {
    scoped(&state, &auth, id).await?;
    let v = version(&f.row_version)?;
    let input = f.input().unwrap_or_default();
    let res = duty::generate(&state.db, &auth.ctx(), id, &input, v)
        .await
        .map(|_| ());
    after(&state, &auth, id, res, "saved", Some(f), None).await
}

async fn publish(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Form(f): Form<RosterForm>,
) -> PageResult<Response> {
    scoped(&state, &auth, id).await?;
    let v = version(&f.row_version)?;
    let res = duty::publish(&state.db, &auth.ctx(), id, v)
        .await
        .map(|_| ());
    after(&state, &auth, id, res, "published", None, None).await
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct SwapForm {
    pub shift_id: String,
    pub role: String,
    pub from_name: String,
    pub to_name: String,
    pub to_phone: String,
    pub reason: String,
    pub swap_id: String,
    pub decision: String,
    pub row_version: String,
}

async fn swap_request(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Form(f): Form<SwapForm>,
) -> PageResult<Response> {
    scoped(&state, &auth, id).await?;
    let input = SwapInput {
        shift_id: f.shift_id.trim().parse().unwrap_or(0),
        role: f.role.clone(),
        from_name: f.from_name.clone(),
        to_name: f.to_name.clone(),
        to_phone: f.to_phone.clone(),
        reason: f.reason.clone(),
    };
    let res = duty::request_swap(&state.db, &auth.ctx(), id, &input)
        .await
        .map(|_| ());
    after(&state, &auth, id, res, "requested", None, Some(f)).await
}

async fn swap_decide(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Form(f): Form<SwapForm>,
) -> PageResult<Response> {
    let r = scoped(&state, &auth, id).await?;
    let swap_id = f.swap_id.trim().parse().unwrap_or(0);
    let approve = f.decision == "approve";
    let res = duty::decide_swap(&state.db, &auth.ctx(), id, swap_id, approve, r.row_version)
        .await
        .map(|_| ());
    after(
        &state,
        &auth,
        id,
        res,
        if approve { "approved" } else { "declined" },
        None,
        None,
    )
    .await
}
