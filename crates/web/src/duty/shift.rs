//! One shift's edit form on a roster (`/duty/rosters/{id}/shift`): its times, name, leader and
//! officers; on a published roster the coverage check runs again when it is saved.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use anjian_db::duty::{self, Roster, ShiftInput};
use anjian_db::{DbError, FieldErrors};
use anjian_domain::role::Permission;

use super::roster::{scoped, version};
use crate::auth::{Access, Auth};
use crate::error::{AppError, PageError, PageResult};
use crate::extract::Id;
use crate::layout::Chrome;
use crate::routes::RouteTable;
use crate::AppState;

pub fn routes() -> RouteTable {
    let roster = Access::Perm(Permission::DutyRoster);
    RouteTable::default()
        .get("/duty/rosters/{id}/shift", roster, shift_page)
        .post("/duty/rosters/{id}/shift", roster, shift_save)
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ShiftForm {
    pub shift_id: String,
    pub shift_name: String,
    pub shift_start: String,
    pub shift_hours: String,
    pub leader_name: String,
    pub leader_phone: String,
    pub officers: String,
    pub row_version: String,
}

#[derive(Template)]
#[template(path = "duty/shift_form.html")]
struct ShiftPage {
    chrome: Chrome,
    r: Roster,
    day: String,
    form: ShiftForm,
    errors: FieldErrors,
    conflict: Option<String>,
}

async fn shift_render(
    state: &AppState,
    auth: &Auth,
    r: Roster,
    form: ShiftForm,
    errors: FieldErrors,
    conflict: Option<String>,
) -> PageResult<Response> {
    let shifts = duty::shifts(&state.db, &auth.ctx(), r.id).await?;
    let sid: i64 = form.shift_id.trim().parse().unwrap_or(0);
    let Some(s) = shifts.iter().find(|s| s.id == sid) else {
        return Err(PageError(AppError::NotFound));
    };
    let status = if conflict.is_some() {
        StatusCode::CONFLICT
    } else if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let day = super::day_label(s.duty_date);
    let p = ShiftPage {
        chrome: Chrome::new(auth, "/duty", format!("调整值班：{day}"))
            .crumb("/duty", "值班值守")
            .crumb(format!("/duty/rosters/{}", r.id), r.name.clone()),
        r,
        day,
        form,
        errors,
        conflict,
    };
    Ok((status, Html(p.render().map_err(PageError::from)?)).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ShiftQuery {
    shift_id: String,
}

async fn shift_page(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Query(q): Query<ShiftQuery>,
) -> PageResult<Response> {
    let r = scoped(&state, &auth, id).await?;
    let shifts = duty::shifts(&state.db, &auth.ctx(), id).await?;
    let sid: i64 = q.shift_id.trim().parse().unwrap_or(0);
    let s = shifts
        .into_iter()
        .find(|s| s.id == sid)
        .ok_or(PageError(AppError::NotFound))?;
    let form = ShiftForm {
        shift_id: s.id.to_string(),
        shift_name: s.shift_name,
        shift_start: s.shift_start,
        shift_hours: s.shift_hours.to_string(),
        leader_name: s.leader_name,
        leader_phone: s.leader_phone,
        officers: s.officers,
        row_version: r.row_version.to_string(),
    };
    shift_render(&state, &auth, r, form, FieldErrors::new(), None).await
}

async fn shift_save(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Form(f): Form<ShiftForm>,
) -> PageResult<Response> {
    let r = scoped(&state, &auth, id).await?;
    let v = version(&f.row_version)?;
    let input = ShiftInput {
        shift_id: f.shift_id.trim().parse().unwrap_or(0),
        shift_name: f.shift_name.clone(),
        shift_start: f.shift_start.clone(),
        shift_hours: f.shift_hours.clone(),
        leader_name: f.leader_name.clone(),
        leader_phone: f.leader_phone.clone(),
        officers: f.officers.clone(),
    };
    match duty::update_shift(&state.db, &auth.ctx(), id, &input, v).await {
        Ok(_) => Ok(Redirect::to(&format!("/duty/rosters/{id}?notice=saved")).into_response()),
        Err(DbError::Invalid(e)) => shift_render(&state, &auth, r, f, e, None).await,
        Err(DbError::Conflict(m)) => {
            shift_render(&state, &auth, r, f, FieldErrors::new(), Some(m)).await
        }
        Err(e) => Err(e.into()),
    }
}
