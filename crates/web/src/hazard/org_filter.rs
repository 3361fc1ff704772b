//! The ledger's organisation filter: a text field with suggestions instead of a `<select>` of
//! every organisation in scope. Without JavaScript the page lists the current choice's children
//! in a `<datalist>` and accepts any exact name (or `名称（上级名称）`) typed into the field; with
//! JavaScript, `app.js` fills the datalist from `GET /hazards/org-options?q=…` while typing.

use axum::extract::{Query, State};
use axum::Json;
use serde::{Deserialize, Serialize};

use anjian_db::hazard::{self, OrgChoice};
use anjian_db::{Ctx, DbError};

use super::pages::ListQuery;
use crate::auth::Auth;
use crate::error::{AppError, PageResult};
use crate::AppState;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OptionsQuery {
    /// Part of a name, as typed.
    pub q: String,
}

#[derive(Serialize)]
pub struct OrgOptions {
    /// At most `hazard::SUGGESTION_LIMIT`, all within the caller's scope.
    pub items: Vec<OrgChoice>,
}

/// Suggestions for the filter field, as JSON for `app.js`.
pub async fn org_options(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<OptionsQuery>,
) -> PageResult<Json<OrgOptions>> {
    let items = hazard::org_suggestions(&state.db, &auth.ctx(), &q.q).await?;
    Ok(Json(OrgOptions { items }))
}

/// What the filter field shows: its text, the error when the text names no single
/// organisation, and the options listed in the page.
#[derive(Default)]
pub struct OrgField {
    pub text: String,
    pub error: Option<String>,
    pub options: Vec<OrgChoice>,
}

/// Settles the organisation of the ledger's query. A submitted `org` text wins (blank: no
/// organisation) and is turned into `org_id`, so pager and export links carry the id; links that
/// carry only `org_id` (from statistics, notices…) show that organisation's name. A text that
/// names no organisation, or several, leaves the filter unresolved with a message on the field.
pub async fn settle(state: &AppState, ctx: &Ctx, q: &mut ListQuery) -> Result<OrgField, AppError> {
    let mut field = OrgField::default();
    let mut current = None;
    match q.org.take() {
        Some(text) if text.trim().is_empty() => q.org_id.clear(),
        Some(text) => match hazard::resolve_org(&state.db, ctx, "org", &text).await {
            Ok(c) => {
                q.org_id = c.id.to_string();
                field.text = c.label.clone();
                current = Some(c.id);
            }
            Err(DbError::Invalid(errs)) => {
                field.error = errs.get("org").map(str::to_string);
                field.text = text.trim().to_string();
                q.org_id.clear();
            }
            Err(e) => return Err(e.into()),
        },
        None => {
            if let Ok(id) = q.org_id.trim().parse::<i64>() {
                match hazard::org_choice(&state.db, ctx, id).await {
                    Ok(c) => {
                        field.text = c.label;
                        current = Some(c.id);
                    }
                    // Out of scope or gone: the ledger shows nothing for it, as before.
                    Err(DbError::NotFound) => {}
                    Err(e) => return Err(e.into()),
                }
            }
        }
    }
    field.options = hazard::org_children(&state.db, ctx, current).await?;
    Ok(field)
}
