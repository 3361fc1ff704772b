//! The report time-limit settings page (DutySettings): the values of `ReportRules` and the
//! follow-up interval, each shown with the regulation it comes from.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use anjian_db::incident::{self, IncidentRules};
use anjian_db::{DbError, FieldErrors};
use anjian_domain::incident::REPORT_RULE_SOURCES;
use anjian_domain::incident_flow::FOLLOW_UP_SOURCE;

use super::pages::NoticeQuery;
use crate::auth::Auth;
use crate::error::{PageError, PageResult};
use crate::layout::Chrome;
use crate::AppState;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct SettingsForm {
    pub initial_minutes: String,
    pub casualty_change_days: String,
    pub casualty_change_days_traffic_fire: String,
    pub follow_up_hours: String,
    /// The settings' version the form was rendered from (hidden; 0 while none are stored).
    pub row_version: String,
}

impl SettingsForm {
    fn from_rules(r: &IncidentRules, row_version: i64) -> Self {
        SettingsForm {
            row_version: row_version.to_string(),
            initial_minutes: r.report.initial_minutes.to_string(),
            casualty_change_days: r.report.casualty_change_days.to_string(),
            casualty_change_days_traffic_fire: r
                .report
                .casualty_change_days_traffic_fire
                .to_string(),
            follow_up_hours: r.follow_up_hours.to_string(),
        }
    }

    fn parse(&self) -> Result<IncidentRules, FieldErrors> {
        let mut errs = FieldErrors::new();
        let mut num = |field: &str, label: &str, v: &str| {
            crate::extract::form_i64(&mut errs, field, label, v, None).unwrap_or(0)
        };
        let r = IncidentRules {
            report: anjian_domain::incident::ReportRules {
                initial_minutes: num("initial_minutes", "首报时限", &self.initial_minutes),
                casualty_change_days: num(
                    "casualty_change_days",
                    "伤亡变化补报期限",
                    &self.casualty_change_days,
                ),
                casualty_change_days_traffic_fire: num(
                    "casualty_change_days_traffic_fire",
                    "道路交通、火灾事故补报期限",
                    &self.casualty_change_days_traffic_fire,
                ),
            },
            follow_up_hours: num("follow_up_hours", "续报间隔", &self.follow_up_hours),
        };
        if errs.is_empty() {
            Ok(r)
        } else {
            Err(errs)
        }
    }
}

#[derive(Template)]
#[template(path = "incident/settings.html")]
struct SettingsPage {
    chrome: Chrome,
    form: SettingsForm,
    errors: FieldErrors,
    conflict: Option<String>,
    sources: &'static [(&'static str, &'static str)],
    follow_up_source: &'static str,
}

fn settings_render(
    auth: &Auth,
    form: SettingsForm,
    errors: FieldErrors,
    conflict: Option<String>,
    saved: bool,
) -> PageResult<Response> {
    let status = crate::checklist::form_status(&errors, &conflict);
    let mut chrome = Chrome::new(auth, "/incidents", "信息报告时限设置")
        .crumb("/incidents", "事故信息报告")
        .crumb("/incidents/settings", "时限设置");
    if saved {
        chrome.notice = Some("已保存".into());
    }
    let p = SettingsPage {
        chrome,
        form,
        errors,
        conflict,
        sources: REPORT_RULE_SOURCES,
        follow_up_source: FOLLOW_UP_SOURCE,
    };
    Ok((status, Html(p.render().map_err(PageError::from)?)).into_response())
}

pub(super) async fn settings_page(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<NoticeQuery>,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    let r = incident::rules(&state.db, &ctx).await?;
    let v = incident::rules_version(&state.db, &ctx).await?;
    settings_render(
        &auth,
        SettingsForm::from_rules(&r, v),
        FieldErrors::new(),
        None,
        q.notice.as_deref() == Some("saved"),
    )
}

pub(super) async fn save_settings(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<SettingsForm>,
) -> PageResult<Response> {
    // The version is parsed with the values, so a form without one is a field error, and a
    // re-rendered form keeps the version first read.
    let parsed = f
        .parse()
        .and_then(|r| Ok((r, crate::checklist::forms::row_version(&f.row_version)?)));
    let (r, version) = match parsed {
        Ok(v) => v,
        Err(e) => return settings_render(&auth, f, e, None, false),
    };
    match incident::save_rules(&state.db, &auth.ctx(), &r, version).await {
        Ok(_) => Ok(Redirect::to("/incidents/settings?notice=saved").into_response()),
        Err(DbError::Invalid(e)) => settings_render(&auth, f, e, None, false),
        Err(DbError::Conflict(m)) => settings_render(&auth, f, FieldErrors::new(), Some(m), false),
        Err(e) => Err(e.into()),
    }
}
