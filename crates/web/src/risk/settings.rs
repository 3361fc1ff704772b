//! The grading-rules page (RiskSettings): the LEC bands and their levels, the LS bounds, the
//! default control tier and inspection interval per level, each with its cited source. Saving
//! asks for a reason, re-grades every risk and says how many changed level.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use anjian_db::risk::{self, RuleSettings};
use anjian_db::{DbError, FieldErrors};

use super::rules_form::{self, BandRow, LevelRow, RulesForm};
use crate::auth::Auth;
use crate::error::{PageError, PageResult};
use crate::hazard::forms::FormData;
use crate::layout::Chrome;
use crate::AppState;

/// The last change, shown under the form.
pub struct Change {
    pub at: String,
    pub by: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "risk/settings.html")]
struct SettingsPage {
    chrome: Chrome,
    form: RulesForm,
    errors: FieldErrors,
    bands: Vec<BandRow>,
    level_rows: Vec<LevelRow>,
    changed: Option<i64>,
    history: Vec<Change>,
    /// The settings' version the form was first rendered from (0: none stored yet), carried
    /// through re-renders so that saving a corrected form still detects a concurrent save.
    row_version: i64,
    conflict: Option<String>,
    src_lec: &'static str,
    src_ls: &'static str,
    src_levels: &'static str,
    src_tiers: &'static str,
    src_days: &'static str,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SettingsQuery {
    changed: Option<i64>,
}

/// What a re-rendered form carries besides its fields: the version it was read at and the
/// stale-version refusal, if that is why it is shown again.
struct Resubmit {
    row_version: i64,
    conflict: Option<String>,
}

fn render(
    auth: &Auth,
    s: &RuleSettings,
    form: RulesForm,
    errors: FieldErrors,
    changed: Option<i64>,
    again: Resubmit,
) -> PageResult<Response> {
    let status = crate::checklist::form_status(&errors, &again.conflict);
    let history = if s.stored {
        vec![Change {
            at: s
                .updated_at
                .as_ref()
                .map(crate::layout::instant)
                .unwrap_or_default(),
            by: s.updated_by_name.clone(),
            reason: s.reason.clone(),
        }]
    } else {
        Vec::new()
    };
    let p = SettingsPage {
        chrome: Chrome::new(auth, "/risks", "风险分级标准")
            .crumb("/risks", "风险分级管控")
            .crumb("/risks/settings", "风险分级标准"),
        bands: form.band_rows(),
        level_rows: form.level_rows(),
        form,
        errors,
        changed,
        history,
        row_version: again.row_version,
        conflict: again.conflict,
        src_lec: rules_form::source("lec"),
        src_ls: rules_form::source("ls"),
        src_levels: rules_form::source("levels"),
        src_tiers: rules_form::source("tiers"),
        src_days: rules_form::source("check_days"),
    };
    Ok((status, Html(p.render().map_err(PageError::from)?)).into_response())
}

/// GET /risks/settings
pub async fn page(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<SettingsQuery>,
) -> PageResult<Response> {
    let s = risk::settings(&state.db, &auth.ctx()).await?;
    let form = RulesForm::from_rules(&s.rules);
    let again = Resubmit {
        row_version: s.row_version,
        conflict: None,
    };
    render(&auth, &s, form, FieldErrors::new(), q.changed, again)
}

/// POST /risks/settings: validate, store, re-grade; back to the page with the count.
pub async fn save(
    State(state): State<AppState>,
    auth: Auth,
    data: FormData,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    let s = risk::settings(&state.db, &ctx).await?;
    data.check()?;
    let form = RulesForm::from_data(&data);
    // A missing version reads as 0 ("none stored"), which a stored row refuses: never a blind save.
    let version = data.row_version();
    let again = |conflict| Resubmit {
        row_version: version,
        conflict,
    };
    let rules = match form.parse() {
        Ok(r) => r,
        Err(e) => return render(&auth, &s, form, e, None, again(None)),
    };
    match risk::update_rules(&state.db, &ctx, &rules, form.reason.trim(), version).await {
        Ok(rep) => Ok(
            Redirect::to(&format!("/risks/settings?changed={}", rep.changed_total)).into_response(),
        ),
        Err(DbError::Invalid(e)) => render(&auth, &s, form, e, None, again(None)),
        Err(DbError::Conflict(m)) => {
            render(&auth, &s, form, FieldErrors::new(), None, again(Some(m)))
        }
        Err(e) => Err(e.into()),
    }
}
