//! The report time-limit settings page (DutySettings): the values of `ReportRules` and the
//! follow-up interval, each shown with the regulation it comes from.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
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
}

impl SettingsForm {
    fn from_rules(r: &IncidentRules) -> Self {
        SettingsForm {
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
    sources: &'static [(&'static str, &'static str)],
    follow_up_source: &'static str,
}

fn settings_render(
    auth: &Auth,
    form: SettingsForm,
    errors: FieldErrors,
    saved: bool,
) -> PageResult<Response> {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
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
    let r = incident::rules(&state.db, &auth.ctx()).await?;
    settings_render(
        &auth,
        SettingsForm::from_rules(&r),
        FieldErrors::new(),
        q.notice.as_deref() == Some("saved"),
    )
}

pub(super) async fn save_settings(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<SettingsForm>,
) -> PageResult<Response> {
    let r = match f.parse() {
        Ok(r) => r,
        Err(e) => return settings_render(&auth, f, e, false),
    };
    match incident::save_rules(&state.db, &auth.ctx(), &r).await {
        Ok(_) => Ok(Redirect::to("/incidents/settings?notice=saved").into_response()),
        Err(DbError::Invalid(e)) => settings_render(&auth, f, e, false),
        Err(e) => Err(e.into()),
    }
}
