//! The organisation filter of the ledger pages (hazards, safety work ledgers): a text field with
//! suggestions instead of a `<select>` of every organisation in scope (2,000 options at province
//! scale). Without JavaScript the page lists the current choice's children in a `<datalist>` and
//! accepts any exact name (or `名称（上级名称）`) typed into the field; with JavaScript, `app.js`
//! fills the datalist from the module's `…/org-options?q=…` while typing. The template is
//! `org_field.html`; the data layer `anjian_db::org::filter`.

use axum::Json;
use serde::{Deserialize, Serialize};

use anjian_db::org::filter::{self, OrgChoice};
use anjian_db::{Ctx, DbError};
use anjian_domain::role::Permission;

use crate::error::AppError;
use crate::AppState;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OptionsQuery {
    /// Part of a name, as typed.
    pub q: String,
}

#[derive(Serialize)]
pub struct OrgOptions {
    /// At most `filter::SUGGESTION_LIMIT`, all within the caller's scope.
    pub items: Vec<OrgChoice>,
}

/// Suggestions for the filter field, as JSON for `app.js`, for a module's permission.
pub async fn options(
    state: &AppState,
    ctx: &Ctx,
    perm: Permission,
    q: &OptionsQuery,
) -> Result<Json<OrgOptions>, AppError> {
    let items = filter::suggestions(&state.db, ctx, perm, &q.q).await?;
    Ok(Json(OrgOptions { items }))
}

/// What the filter field shows: its label and suggestions URL, its text, the error when the
/// text names no single organisation, and the options listed in the page.
#[derive(Default)]
pub struct OrgField {
    pub label: &'static str,
    pub url: &'static str,
    pub text: String,
    pub error: Option<String>,
    pub options: Vec<OrgChoice>,
}

/// Where a page's filter field comes from: the module's permission, the field's label and the
/// module's suggestions route.
#[derive(Clone, Copy)]
pub struct Source {
    pub perm: Permission,
    pub label: &'static str,
    pub url: &'static str,
}

/// Settles the organisation of a list's query. A submitted `org` text wins (blank: no
/// organisation) and is turned into `org_id`, so pager and export links carry the id; links that
/// carry only `org_id` (from statistics, notices, the dashboard…) show that organisation's name.
/// A text that names no organisation, or several, leaves the filter unresolved with a message on
/// the field (the page then lists nothing and answers 422).
pub async fn settle(
    state: &AppState,
    ctx: &Ctx,
    src: Source,
    org: &mut Option<String>,
    org_id: &mut String,
) -> Result<OrgField, AppError> {
    let mut field = OrgField {
        label: src.label,
        url: src.url,
        ..Default::default()
    };
    let mut current = None;
    match org.take() {
        Some(text) if text.trim().is_empty() => org_id.clear(),
        Some(text) => match filter::resolve(&state.db, ctx, src.perm, "org", &text).await {
            Ok(c) => {
                *org_id = c.id.to_string();
                field.text = c.label.clone();
                current = Some(c.id);
            }
            Err(DbError::Invalid(errs)) => {
                field.error = errs.get("org").map(str::to_string);
                field.text = text.trim().to_string();
                org_id.clear();
            }
            Err(e) => return Err(e.into()),
        },
        None => {
            if let Ok(id) = org_id.trim().parse::<i64>() {
                match filter::choice(&state.db, ctx, src.perm, id).await {
                    Ok(c) => {
                        field.text = c.label;
                        current = Some(c.id);
                    }
                    // Out of scope or gone: the list shows nothing for it, as before.
                    Err(DbError::NotFound) => {}
                    Err(e) => return Err(e.into()),
                }
            }
        }
    }
    field.options = filter::children(&state.db, ctx, src.perm, current).await?;
    Ok(field)
}
