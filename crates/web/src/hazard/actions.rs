//! The action forms of the hazard page. Each loads the hazard first (404 outside scope), then
//! reads what was posted, calls the data layer and redirects with a notice; a refusal re-renders
//! the page with the errors at the form that caused them.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};

use anjian_db::hazard::{
    self, AssignInput, DecisionInput, ExtensionInput, Hazard, LiftInput, ListingInput, PlanInput,
    RejectInput, ReportInput, SubmitInput, VerifyInput,
};
use anjian_db::{DbError, FieldErrors};

use super::forms::{store_files, FormData};
use super::pages::render_detail;
use crate::auth::Auth;
use crate::error::{AppError, PageResult};
use crate::extract::Id;
use crate::AppState;

/// Loads the hazard in scope and checks the body could be read.
async fn load(state: &AppState, auth: &Auth, id: i64, data: &FormData) -> Result<Hazard, AppError> {
    let h = hazard::get_row(&state.db, &auth.ctx(), id).await?;
    data.check()?;
    Ok(h)
}

/// The outcome of an action: redirect with a notice, the page again with the form's errors, or
/// an error page (403, 409…).
async fn finish<T>(
    state: &AppState,
    auth: &Auth,
    id: i64,
    action: &str,
    data: FormData,
    r: Result<T, AppError>,
    notice: &str,
) -> PageResult<Response> {
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/hazards/{id}?notice={notice}")).into_response()),
        Err(AppError::Invalid(e)) => {
            render_detail(state, auth, id, None, action, e, data.pairs).await
        }
        Err(e) => Err(e.into()),
    }
}

fn db<T>(r: Result<T, DbError>) -> Result<T, AppError> {
    r.map_err(AppError::from)
}

/// Stores the posted files of `file_field` and appends the ids listed in `ids_field`.
async fn evidence(
    state: &AppState,
    auth: &Auth,
    data: &FormData,
    h: &Hazard,
    file_field: &str,
    ids_field: &str,
) -> Result<Vec<i64>, AppError> {
    let mut errs = FieldErrors::new();
    let mut ids = data.ids(ids_field, &mut errs);
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    ids.extend(store_files(state, auth, data, file_field, h.org_id).await?);
    Ok(ids)
}

/// A form whose fields are exactly the data layer's input: load, parse, call, answer.
macro_rules! simple_action {
    ($(#[$doc:meta])* $name:ident, $input:ty, $call:path, $form:literal, $notice:literal) => {
        $(#[$doc])*
        pub async fn $name(
            State(state): State<AppState>,
            auth: Auth,
            Id(id): Id,
            data: FormData,
        ) -> PageResult<Response> {
            load(&state, &auth, id, &data).await?;
            let input: $input = data.parse();
            let r = db($call(&state.db, &auth.ctx(), id, &input).await);
            finish(&state, &auth, id, $form, data, r, $notice).await
        }
    };
}

simple_action!(
    /// 五落实.
    assign, AssignInput, hazard::assign, "assign", "saved"
);
simple_action!(verify, VerifyInput, hazard::verify, "verify", "verified");
simple_action!(
    /// Shares the verification form's place on the page.
    reject, RejectInput, hazard::reject, "verify", "returned"
);
simple_action!(
    request_extension,
    ExtensionInput,
    hazard::request_extension,
    "extension",
    "requested"
);
simple_action!(
    report,
    ReportInput,
    hazard::report_upward,
    "report",
    "reported"
);
simple_action!(
    list_hazard,
    ListingInput,
    hazard::list_hazard,
    "listing",
    "listed"
);

pub async fn submit(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    data: FormData,
) -> PageResult<Response> {
    let h = load(&state, &auth, id, &data).await?;
    let r = async {
        let ids = evidence(
            &state,
            &auth,
            &data,
            &h,
            "after_photos",
            "after_attachment_ids",
        )
        .await?;
        let input = SubmitInput {
            row_version: data.row_version(),
            rectified_on: data.get("rectified_on"),
            note: data.get("note"),
            after_attachment_ids: ids,
        };
        db(hazard::submit_rectification(&state.db, &auth.ctx(), id, &input).await)
    }
    .await;
    finish(&state, &auth, id, "submit", data, r, "submitted").await
}

pub async fn decide_extension(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    data: FormData,
) -> PageResult<Response> {
    load(&state, &auth, id, &data).await?;
    let input: DecisionInput = data.parse();
    let approve = input.decision == "approve";
    let r = db(hazard::decide_extension(&state.db, &auth.ctx(), id, &input).await);
    let notice = if approve { "approved" } else { "declined" };
    finish(&state, &auth, id, "decide", data, r, notice).await
}

pub async fn save_plan(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    data: FormData,
) -> PageResult<Response> {
    let h = load(&state, &auth, id, &data).await?;
    let r = async {
        let ids = evidence(
            &state,
            &auth,
            &data,
            &h,
            "plan_files",
            "plan_attachment_ids",
        )
        .await?;
        let input = PlanInput {
            row_version: data.row_version(),
            objectives: data.get("objectives"),
            methods: data.get("methods"),
            funds_materials: data.get("funds_materials"),
            organisation: data.get("organisation"),
            time_limits: data.get("time_limits"),
            safety_emergency: data.get("safety_emergency"),
            plan_attachment_ids: ids,
        };
        db(hazard::save_plan(&state.db, &auth.ctx(), id, &input).await)
    }
    .await;
    finish(&state, &auth, id, "plan", data, r, "saved").await
}

pub async fn lift(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    data: FormData,
) -> PageResult<Response> {
    let h = load(&state, &auth, id, &data).await?;
    let r = async {
        let ids = evidence(
            &state,
            &auth,
            &data,
            &h,
            "lift_files",
            "lift_attachment_ids",
        )
        .await?;
        let input = LiftInput {
            row_version: data.row_version(),
            lifted_on: data.get("lifted_on"),
            note: data.get("note"),
            lift_attachment_ids: ids,
        };
        db(hazard::lift_listing(&state.db, &auth.ctx(), id, &input).await)
    }
    .await;
    finish(&state, &auth, id, "lift", data, r, "lifted").await
}
