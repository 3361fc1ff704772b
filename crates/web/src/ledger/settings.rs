//! The ledger settings page (LedgerSettings): the drill intervals and yearly training minimums
//! the boards check, and the use categories of 安全生产经费 (add, rename, reorder, deactivate;
//! delete only while unused). Each setting shows the regulation it comes from. A form shown
//! again keeps the version it was read at, so a stale save is refused with 409.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use anjian_db::ledger::settings::{
    self, CategoryInput, FundingCategory, LedgerSettings, RulesInput, RULE_FIELDS,
};
use anjian_db::{DbError, FieldErrors};
use anjian_domain::ledger as rules;

use crate::auth::Auth;
use crate::error::{PageError, PageResult};
use crate::extract::Id;
use crate::hazard::forms::FormData;
use crate::layout::Chrome;
use crate::AppState;

/// One setting of the rules form: its field, label, unit, typed value, error and source.
pub struct RuleRow {
    pub name: &'static str,
    pub label: &'static str,
    pub unit: &'static str,
    pub value: String,
    pub error: Option<String>,
    pub source: &'static str,
}

/// A category row; `input` is what the form shows (the stored values, or the typed ones when
/// this row's form is shown again).
pub struct CategoryRow {
    pub c: FundingCategory,
    pub label: String,
    pub source: String,
    pub sort_order: String,
    pub active: bool,
    pub row_version: i64,
    pub errors: FieldErrors,
    pub conflict: Option<String>,
}

#[derive(Template)]
#[template(path = "ledger/settings.html")]
struct SettingsPage {
    chrome: Chrome,
    rules: Vec<RuleRow>,
    rules_version: i64,
    rules_conflict: Option<String>,
    rules_invalid: bool,
    last_change: String,
    categories: Vec<CategoryRow>,
    new_cat: CategoryRow,
    funding_source: &'static str,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SettingsQuery {
    notice: Option<String>,
}

/// What is shown again, and why.
#[derive(Default)]
struct Again {
    rules: Option<(RulesInput, i64, FieldErrors, Option<String>)>,
    /// The category id (0: the new one) with its typed input, version, errors and conflict.
    category: Option<(i64, CategoryInput, i64, FieldErrors, Option<String>)>,
}

fn source_of(name: &str) -> &'static str {
    match name {
        "drill_onsite_months" => rules::DRILL_ONSITE_SOURCE,
        "drill_plan_months" => rules::DRILL_PLAN_SOURCE,
        "manager_initial_hours" | "manager_yearly_hours" => rules::TRAINING_MANAGER_SOURCE,
        _ => rules::TRAINING_STAFF_SOURCE,
    }
}

fn category_row(c: FundingCategory, again: &Again) -> CategoryRow {
    match &again.category {
        Some((id, input, v, errs, conflict)) if *id == c.id => CategoryRow {
            label: input.label.clone(),
            source: input.source.clone(),
            sort_order: input.sort_order.clone(),
            active: input.active,
            row_version: *v,
            errors: errs.clone(),
            conflict: conflict.clone(),
            c,
        },
        _ => CategoryRow {
            label: c.label.clone(),
            source: c.source.clone(),
            sort_order: c.sort_order.to_string(),
            active: c.active,
            row_version: c.row_version,
            errors: FieldErrors::new(),
            conflict: None,
            c,
        },
    }
}

fn render(
    auth: &Auth,
    s: LedgerSettings,
    again: Again,
    notice: Option<&str>,
) -> PageResult<Response> {
    let (input, rules_version, errs, rules_conflict) = match &again.rules {
        Some((i, v, e, c)) => (i.clone(), *v, e.clone(), c.clone()),
        None => (
            RulesInput::from_rules(&s.rules),
            s.row_version,
            FieldErrors::new(),
            None,
        ),
    };
    let conflict = rules_conflict.is_some()
        || again
            .category
            .as_ref()
            .is_some_and(|(_, _, _, _, c)| c.is_some());
    let invalid = !errs.is_empty()
        || again
            .category
            .as_ref()
            .is_some_and(|(_, _, _, e, _)| !e.is_empty());
    let status = if conflict {
        StatusCode::CONFLICT
    } else if invalid {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let rule_rows = RULE_FIELDS
        .iter()
        .map(|(name, label)| RuleRow {
            name,
            label,
            unit: if name.ends_with("months") {
                "个月"
            } else {
                "学时"
            },
            value: input.raw(name).to_string(),
            error: errs.get(name).map(str::to_string),
            source: source_of(name),
        })
        .collect();
    let last_change = match (&s.updated_at, s.updated_by_name.as_str()) {
        (Some(at), by) => format!("最近修改：{} {}", crate::layout::instant(at), by),
        (None, _) => "尚未修改，现为规定的默认值。".into(),
    };
    let new_cat = match &again.category {
        Some((0, input, _, errs, conflict)) => CategoryRow {
            c: blank_category(),
            label: input.label.clone(),
            source: input.source.clone(),
            sort_order: input.sort_order.clone(),
            active: true,
            row_version: 0,
            errors: errs.clone(),
            conflict: conflict.clone(),
        },
        _ => CategoryRow {
            c: blank_category(),
            label: String::new(),
            source: String::new(),
            sort_order: String::new(),
            active: true,
            row_version: 0,
            errors: FieldErrors::new(),
            conflict: None,
        },
    };
    let p = SettingsPage {
        chrome: Chrome::new(auth, "/ledgers/settings", "台账设置")
            .crumb("/ledgers", "安全工作台账")
            .crumb("/ledgers/settings", "台账设置")
            .notice(notice),
        rules: rule_rows,
        rules_version,
        rules_conflict,
        rules_invalid: !errs.is_empty(),
        last_change,
        categories: s
            .categories
            .into_iter()
            .map(|c| category_row(c, &again))
            .collect(),
        new_cat,
        funding_source: rules::FUNDING_SOURCE,
    };
    Ok((status, Html(p.render().map_err(PageError::from)?)).into_response())
}

fn blank_category() -> FundingCategory {
    FundingCategory {
        id: 0,
        code: String::new(),
        label: String::new(),
        source: String::new(),
        sort_order: 0,
        active: true,
        row_version: 0,
        entries: 0,
    }
}

/// GET /ledgers/settings
pub async fn page(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<SettingsQuery>,
) -> PageResult<Response> {
    let s = settings::settings(&state.db, &auth.ctx()).await?;
    render(&auth, s, Again::default(), q.notice.as_deref())
}

/// POST /ledgers/settings: the intervals and minimums.
pub async fn save_rules(
    State(state): State<AppState>,
    auth: Auth,
    data: FormData,
) -> PageResult<Response> {
    data.check()?;
    let ctx = auth.ctx();
    let input: RulesInput = data.parse();
    let version = data.row_version();
    let res = settings::update_rules(&state.db, &ctx, &input, version).await;
    let again = |e: FieldErrors, c: Option<String>| Again {
        rules: Some((input.clone(), version, e, c)),
        category: None,
    };
    match res {
        Ok(_) => Ok(Redirect::to("/ledgers/settings?notice=saved").into_response()),
        Err(DbError::Invalid(e)) => {
            let s = settings::settings(&state.db, &ctx).await?;
            render(&auth, s, again(e, None), None)
        }
        Err(DbError::Conflict(m)) => {
            let s = settings::settings(&state.db, &ctx).await?;
            render(&auth, s, again(FieldErrors::new(), Some(m)), None)
        }
        Err(e) => Err(e.into()),
    }
}

fn category_input(data: &FormData) -> CategoryInput {
    CategoryInput {
        label: data.get("label"),
        source: data.get("source"),
        sort_order: data.get("sort_order"),
        active: data.has("active"),
    }
}

/// Shows the page again for category `id`'s form after a refusal; other errors go up.
async fn category_refused(
    state: &AppState,
    auth: &Auth,
    id: i64,
    input: CategoryInput,
    version: i64,
    err: DbError,
) -> PageResult<Response> {
    let (errs, conflict) = match err {
        DbError::Invalid(e) => (e, None),
        DbError::Conflict(m) => (FieldErrors::new(), Some(m)),
        e => return Err(e.into()),
    };
    let s = settings::settings(&state.db, &auth.ctx()).await?;
    let again = Again {
        rules: None,
        category: Some((id, input, version, errs, conflict)),
    };
    render(auth, s, again, None)
}

/// POST /ledgers/settings/categories: a new category.
pub async fn add_category(
    State(state): State<AppState>,
    auth: Auth,
    data: FormData,
) -> PageResult<Response> {
    data.check()?;
    let mut input = category_input(&data);
    // A new category is offered at once; deactivating is an edit of an existing one.
    input.active = true;
    match settings::add_category(&state.db, &auth.ctx(), &input).await {
        Ok(_) => Ok(Redirect::to("/ledgers/settings?notice=created#categories").into_response()),
        Err(e) => category_refused(&state, &auth, 0, input, 0, e).await,
    }
}

/// POST /ledgers/settings/categories/{id}: rename, reorder, (de)activate.
pub async fn update_category(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    data: FormData,
) -> PageResult<Response> {
    data.check()?;
    let input = category_input(&data);
    let version = data.row_version();
    match settings::update_category(&state.db, &auth.ctx(), id, version, &input).await {
        Ok(_) => Ok(Redirect::to("/ledgers/settings?notice=saved#categories").into_response()),
        Err(e) => category_refused(&state, &auth, id, input, version, e).await,
    }
}

/// POST /ledgers/settings/categories/{id}/delete: only a category no entry uses.
pub async fn delete_category(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    data: FormData,
) -> PageResult<Response> {
    data.check()?;
    let version = data.row_version();
    match settings::delete_category(&state.db, &auth.ctx(), id, version).await {
        Ok(()) => Ok(Redirect::to("/ledgers/settings?notice=deleted#categories").into_response()),
        Err(e) => {
            let input = CategoryInput {
                label: data.get("label"),
                ..Default::default()
            };
            // The row shows its stored values again, with the refusal.
            let s = settings::settings(&state.db, &auth.ctx()).await?;
            let stored = s
                .categories
                .iter()
                .find(|c| c.id == id)
                .map(|c| CategoryInput {
                    label: c.label.clone(),
                    source: c.source.clone(),
                    sort_order: c.sort_order.to_string(),
                    active: c.active,
                });
            category_refused(&state, &auth, id, stored.unwrap_or(input), version, e).await
        }
    }
}
