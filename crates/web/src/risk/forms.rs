//! What the risk forms share: the response of a rendered form (200, or 422 with Chinese messages
//! per field), the responsible person (an account picked from the organisation's people, or a
//! name typed) and the activation flag. The forms themselves are split by what they edit:
//! `point_form`, `risk_form` (identification and assessment) and `measure_form`.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use anjian_db::risk;
use anjian_db::FieldErrors;

use crate::auth::Auth;
use crate::error::{PageError, PageResult};
use crate::hazard::forms::FormData;
use crate::AppState;

pub(super) fn status_of(errors: &FieldErrors) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

pub(super) fn html<T: Template>(status: StatusCode, t: &T) -> PageResult<Response> {
    Ok((status, Html(t.render().map_err(PageError::from)?)).into_response())
}

// ---------- responsible people ----------

pub(super) fn picked_user(d: &FormData) -> String {
    d.get("responsible_user_id").trim().to_string()
}

/// The responsible account and name as the data layer takes them. Picking another account than
/// the one linked before (`kept`) names that person: the name is left empty so the data layer
/// writes the account's, and a name typed for the earlier person does not stay on the card.
pub(super) fn responsible(
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
pub(super) async fn people_of(state: &AppState, auth: &Auth, org: &str) -> Vec<risk::PersonOption> {
    match org.trim().parse::<i64>() {
        Ok(id) => risk::responsible_candidates(&state.db, &auth.ctx(), id)
            .await
            .unwrap_or_default(),
        Err(_) => Vec::new(),
    }
}

pub(super) fn wants_active(data: &FormData) -> bool {
    data.get("active").trim() == "1"
}
