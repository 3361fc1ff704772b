//! Incident pages: the register (事故台账) with filters and the board of open events with their
//! clocks, the 首报 form, the detail with its reports and the 续报/终报 forms, the statistics of a
//! period, and the time-limit settings.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use anjian_db::incident::{
    self, Incident, IncidentFilter, IncidentReport, IncidentRules, IncidentStatistics,
};
use anjian_db::{DbError, FieldErrors, PageReq};
use anjian_domain::incident::{AccidentGrade, EventKind};
use anjian_domain::incident_flow::{Clock, Status};
use anjian_domain::period::Period;
use anjian_domain::role::Permission;
use anjian_domain::time::format_instant;

use super::forms::{IncidentForm, ReportForm};
use crate::auth::{Access, Auth};
use crate::checklist::forms::row_version;
use crate::error::{PageError, PageResult};
use crate::extract::Id;
use crate::layout::{query_string, Chrome, Pager};
use crate::routes::RouteTable;
use crate::AppState;

pub fn routes() -> RouteTable {
    let view = Access::Perm(Permission::IncidentView);
    let report = Access::Perm(Permission::IncidentReport);
    let settings = Access::Perm(Permission::DutySettings);
    RouteTable::default()
        .get("/incidents", view, list)
        .get("/incidents/new", report, new_page)
        .post("/incidents", report, create)
        .get("/incidents/statistics", view, statistics)
        .get(
            "/incidents/settings",
            settings,
            super::settings::settings_page,
        )
        .post(
            "/incidents/settings",
            settings,
            super::settings::save_settings,
        )
        .get("/incidents/{id}", view, detail)
        .post("/incidents/{id}/reports", report, append)
}

/// Minutes as people read a clock: "1小时5分钟".
pub fn duration_label(minutes: i64) -> String {
    let m = minutes.abs();
    if m >= 60 * 24 {
        format!("{}天{}小时", m / (60 * 24), (m % (60 * 24)) / 60)
    } else if m >= 60 {
        format!("{}小时{}分钟", m / 60, m % 60)
    } else {
        format!("{m}分钟")
    }
}

/// An event with its clock, as the list and the detail show it.
pub struct Row {
    pub i: Incident,
    pub clock: Clock,
}

impl Row {
    pub fn occurred(&self) -> String {
        format_instant(self.i.occurred_at)
    }
    pub fn initial_due(&self) -> String {
        format_instant(self.clock.initial_due)
    }
    pub fn initial_state(&self) -> String {
        if self.clock.initial_late_minutes > 0 {
            format!(
                "首报超时{}",
                duration_label(self.clock.initial_late_minutes)
            )
        } else {
            "首报按时".to_string()
        }
    }
    pub fn next_due(&self) -> String {
        self.clock.next_due.map(format_instant).unwrap_or_default()
    }
    pub fn clock_label(&self) -> String {
        match self.clock.minutes_left {
            Some(m) if m < 0 => format!("续报已超时{}", duration_label(m)),
            Some(m) => format!("距下次续报{}", duration_label(m)),
            None => String::new(),
        }
    }
    pub fn clock_class(&self) -> &'static str {
        match self.clock.minutes_left {
            Some(m) if m < 0 => "tag danger",
            Some(m) if m < 120 => "tag warning",
            Some(_) => "tag",
            None => "tag ok",
        }
    }
}

fn rows(list: Vec<Incident>, rules: &IncidentRules, now: DateTime<Utc>) -> Vec<Row> {
    list.into_iter()
        .map(|i| {
            let clock = i.clock(rules, now);
            Row { i, clock }
        })
        .collect()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    pub event_kind: String,
    pub grade: String,
    pub accident_type: String,
    pub status: String,
    pub org_id: String,
    pub from: String,
    pub to: String,
    pub keyword: String,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
    pub notice: Option<String>,
}

impl ListQuery {
    /// The filter, and a Chinese message for each value that could not be read (then ignored).
    pub fn filter(&self) -> (IncidentFilter, Vec<String>) {
        let mut bad = Vec::new();
        let mut date = |label: &str, s: &str| {
            if s.trim().is_empty() {
                return None;
            }
            match anjian_domain::dates::parse_business_date(s) {
                Ok(d) => Some(d),
                Err(e) => {
                    bad.push(e.to_string().replacen("日期", label, 1));
                    None
                }
            }
        };
        let from = date("起始日期", &self.from);
        let to = date("截止日期", &self.to);
        let f = IncidentFilter {
            event_kind: EventKind::from_code(&self.event_kind),
            grade: AccidentGrade::from_code(&self.grade),
            accident_type: Some(self.accident_type.clone()).filter(|s| !s.is_empty()),
            status: Status::from_code(&self.status),
            org_id: self.org_id.trim().parse().ok(),
            from,
            to,
            keyword: Some(self.keyword.clone()),
        };
        (f, bad)
    }
}

#[derive(Template)]
#[template(path = "incident/list.html")]
struct ListPage {
    chrome: Chrome,
    q: ListQuery,
    open: Vec<Row>,
    rows: Vec<Row>,
    pager: Pager,
    bad: Vec<String>,
    can_report: bool,
    can_settings: bool,
    kinds: Vec<(&'static str, &'static str)>,
    grades: Vec<(&'static str, &'static str)>,
    types: &'static [(&'static str, &'static str)],
    orgs: Vec<(i64, String)>,
}

pub fn kinds() -> Vec<(&'static str, &'static str)> {
    EventKind::ALL
        .iter()
        .map(|k| (k.code(), k.label()))
        .collect()
}

pub fn grades() -> Vec<(&'static str, &'static str)> {
    AccidentGrade::ALL
        .iter()
        .map(|g| (g.code(), g.label()))
        .collect()
}

async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ListQuery>,
) -> PageResult<Html<String>> {
    let ctx = auth.ctx();
    let (f, bad) = q.filter();
    let rules = incident::rules(&state.db, &ctx).await?;
    let page = incident::list(&state.db, &ctx, &f, PageReq::new(q.page, q.page_size)).await?;
    let now = anjian_db::now();
    let open = incident::todo(&state.db, &ctx)
        .await?
        .into_iter()
        .map(|(i, clock)| Row { i, clock })
        .collect();
    let qs = query_string(&[
        ("event_kind", q.event_kind.clone()),
        ("grade", q.grade.clone()),
        ("accident_type", q.accident_type.clone()),
        ("status", q.status.clone()),
        ("org_id", q.org_id.clone()),
        ("from", q.from.clone()),
        ("to", q.to.clone()),
        ("keyword", q.keyword.clone()),
    ]);
    let mut chrome =
        Chrome::new(&auth, "/incidents", "事故信息报告").crumb("/incidents", "事故信息报告");
    chrome.notice = match q.notice.as_deref() {
        Some("saved") => Some("已保存".into()),
        _ => None,
    };
    let p = ListPage {
        chrome,
        pager: Pager::new(&page, "/incidents", &qs),
        rows: rows(page.items, &rules, now),
        open,
        bad,
        can_report: ctx.can(Permission::IncidentReport),
        can_settings: ctx.can(Permission::DutySettings),
        kinds: kinds(),
        grades: grades(),
        types: anjian_domain::accident::CURRENT.types,
        orgs: incident::orgs_for_picker(&state.db, &ctx).await?,
        q,
    };
    Ok(Html(p.render().map_err(PageError::from)?))
}

#[derive(Template)]
#[template(path = "incident/form.html")]
struct FormPage {
    chrome: Chrome,
    form: IncidentForm,
    errors: FieldErrors,
    kinds: Vec<(&'static str, &'static str)>,
    standard: &'static str,
    types: &'static [(&'static str, &'static str)],
    orgs: Vec<(i64, String)>,
    limit_minutes: i64,
}

async fn form_page(
    state: &AppState,
    auth: &Auth,
    form: IncidentForm,
    errors: FieldErrors,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let p = FormPage {
        chrome: Chrome::new(auth, "/incidents", "事故/突发事件首报")
            .crumb("/incidents", "事故信息报告")
            .crumb("/incidents/new", "首报"),
        form,
        errors,
        kinds: kinds(),
        standard: anjian_domain::accident::CURRENT.code,
        types: anjian_domain::accident::CURRENT.types,
        orgs: incident::orgs_for_picker(&state.db, &ctx).await?,
        limit_minutes: incident::rules(&state.db, &ctx)
            .await?
            .report
            .initial_minutes,
    };
    Ok((status, Html(p.render().map_err(PageError::from)?)).into_response())
}

async fn new_page(State(state): State<AppState>, auth: Auth) -> PageResult<Response> {
    let now = anjian_domain::time::to_shanghai(anjian_db::now());
    let form = IncidentForm {
        org_id: auth.inner.user.org_id.to_string(),
        event_kind: "accident".into(),
        occurred_at: now.format("%Y-%m-%dT%H:%M").to_string(),
        reporter: auth.inner.user.name.clone(),
        deaths: "0".into(),
        missing: "0".into(),
        serious_injuries: "0".into(),
        minor_injuries: "0".into(),
        direct_loss_yuan: "0".into(),
        ..Default::default()
    };
    form_page(&state, &auth, form, FieldErrors::new()).await
}

async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<IncidentForm>,
) -> PageResult<Response> {
    let input = match f.to_input() {
        Ok(i) => i,
        Err(e) => return form_page(&state, &auth, f, e).await,
    };
    match incident::create(&state.db, &auth.ctx(), &input).await {
        Ok(i) => Ok(Redirect::to(&format!("/incidents/{}?notice=reported", i.id)).into_response()),
        Err(DbError::Invalid(e)) => form_page(&state, &auth, f, e).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "incident/detail.html")]
struct DetailPage {
    chrome: Chrome,
    row: Row,
    reports: Vec<IncidentReport>,
    can_report: bool,
    form: ReportForm,
    errors: FieldErrors,
    conflict: Option<String>,
    /// "自事故发生之日起30日内…": the casualty-change window, for accidents.
    window: Option<String>,
}

impl DetailPage {
    fn at(&self, t: &DateTime<Utc>) -> String {
        format_instant(*t)
    }
    fn final_chosen(&self) -> bool {
        self.form.kind == "final"
    }
}

#[derive(Deserialize, Default)]
pub(super) struct NoticeQuery {
    pub notice: Option<String>,
}

#[allow(clippy::too_many_arguments)] // the page's parts
async fn detail_page(
    state: &AppState,
    auth: &Auth,
    id: i64,
    form: Option<ReportForm>,
    errors: FieldErrors,
    conflict: Option<String>,
    notice: Option<&str>,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    let i = incident::get(&state.db, &ctx, id).await?;
    let rules = incident::rules(&state.db, &ctx).await?;
    let reports = incident::reports(&state.db, &ctx, id).await?;
    let window = i.kind().is_accident().then(|| {
        let days = if i.traffic_or_fire {
            rules.report.casualty_change_days_traffic_fire
        } else {
            rules.report.casualty_change_days
        };
        let until = i.occurred_at + chrono::Duration::days(days);
        format!(
            "自事故发生之日起{days}日内（至{}）伤亡人数发生变化的，应当及时补报（国务院令第493号第十三条）。",
            format_instant(until)
        )
    });
    let status = if conflict.is_some() {
        StatusCode::CONFLICT
    } else if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let form = form.unwrap_or_else(|| ReportForm {
        kind: "follow_up".into(),
        reporter: auth.inner.user.name.clone(),
        row_version: i.row_version.to_string(),
        ..Default::default()
    });
    let mut chrome = Chrome::new(auth, "/incidents", i.title.clone())
        .crumb("/incidents", "事故信息报告")
        .crumb(format!("/incidents/{id}"), i.title.clone());
    chrome.notice = match notice {
        Some("reported") => Some("首报已提交".into()),
        Some("follow_up") => Some("续报已提交".into()),
        Some("final") => Some("终报已提交，事件已结案".into()),
        _ => None,
    };
    let clock = i.clock(&rules, anjian_db::now());
    let p = DetailPage {
        chrome,
        row: Row { i, clock },
        reports,
        can_report: ctx.can(Permission::IncidentReport),
        form,
        errors,
        conflict,
        window,
    };
    Ok((status, Html(p.render().map_err(PageError::from)?)).into_response())
}

async fn detail(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Query(q): Query<NoticeQuery>,
) -> PageResult<Response> {
    detail_page(
        &state,
        &auth,
        id,
        None,
        FieldErrors::new(),
        None,
        q.notice.as_deref(),
    )
    .await
}

async fn append(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Form(f): Form<ReportForm>,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    // Scope first: an id outside the caller's scope is 404 whatever the form says.
    incident::get(&state.db, &ctx, id).await?;
    let version = match row_version(&f.row_version) {
        Ok(v) => v,
        Err(e) => return detail_page(&state, &auth, id, Some(f), e, None, None).await,
    };
    match incident::append(&state.db, &ctx, id, &f.to_input(), version).await {
        Ok(_) => Ok(Redirect::to(&format!("/incidents/{id}?notice={}", f.kind)).into_response()),
        Err(DbError::Invalid(e)) => detail_page(&state, &auth, id, Some(f), e, None, None).await,
        Err(DbError::Conflict(m)) => {
            detail_page(
                &state,
                &auth,
                id,
                Some(f),
                FieldErrors::new(),
                Some(m),
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StatsQuery {
    period: String,
    org_id: String,
}

#[derive(Template)]
#[template(path = "incident/statistics.html")]
struct StatsPage {
    chrome: Chrome,
    period: String,
    period_label: String,
    org_id: String,
    orgs: Vec<(i64, String)>,
    s: IncidentStatistics,
    error: Option<String>,
}

/// The current half-year, as the summary reports it.
fn default_period() -> Period {
    let today = anjian_domain::time::today(anjian_db::now());
    Period::half_year_of(today).unwrap_or(Period {
        first: today,
        last: today,
        kind: anjian_domain::period::PeriodKind::Custom,
    })
}

async fn statistics(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<StatsQuery>,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    let (period, error) = if q.period.trim().is_empty() {
        (default_period(), None)
    } else {
        match Period::parse(&q.period) {
            Ok(p) => (p, None),
            Err(e) => (default_period(), Some(format!("统计期间：{e}"))),
        }
    };
    let org_id = q.org_id.trim().parse::<i64>().ok();
    let s = incident::statistics(&state.db, &ctx, &period, org_id).await?;
    let p = StatsPage {
        chrome: Chrome::new(&auth, "/incidents", "事故与值班统计")
            .crumb("/incidents", "事故信息报告")
            .crumb("/incidents/statistics", "统计"),
        period: if error.is_some() {
            q.period.clone()
        } else {
            period.code()
        },
        period_label: period.label(),
        org_id: q.org_id.clone(),
        orgs: incident::orgs_for_picker(&state.db, &ctx).await?,
        s,
        error,
    };
    let status = if p.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, Html(p.render().map_err(PageError::from)?)).into_response())
}
