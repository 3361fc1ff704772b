//! The hazard ledger's organisation filter: the shared text field with suggestions of
//! `crate::org_filter`, with the hazard ledger's permission and `GET /hazards/org-options`.

use axum::extract::{Query, State};
use axum::Json;

use anjian_db::Ctx;
use anjian_domain::role::Permission;

pub use crate::org_filter::{OptionsQuery, OrgField, OrgOptions};

use super::pages::ListQuery;
use crate::auth::Auth;
use crate::error::{AppError, PageResult};
use crate::org_filter::{self, Source};
use crate::AppState;

const SOURCE: Source = Source {
    perm: Permission::HazardView,
    label: "单位/库点",
    url: "/hazards/org-options",
};

/// Suggestions for the filter field, as JSON for `app.js`.
pub async fn org_options(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<OptionsQuery>,
) -> PageResult<Json<OrgOptions>> {
    Ok(org_filter::options(&state, &auth.ctx(), SOURCE.perm, &q).await?)
}

/// Settles the organisation of the ledger's query (see `crate::org_filter::settle`).
pub async fn settle(state: &AppState, ctx: &Ctx, q: &mut ListQuery) -> Result<OrgField, AppError> {
    org_filter::settle(state, ctx, SOURCE, &mut q.org, &mut q.org_id).await
}
