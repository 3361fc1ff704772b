//! Duty pages besides the roster: the overview (who is on duty now, rosters, zero reports missed),
//! the holiday calendar (view; edit with DutySettings), and the duty log with handover notes and
//! zero reports.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use chrono::NaiveDate;
use serde::Deserialize;

use anjian_db::duty::{
    self, CalendarEntry, CalendarInput, DutyLog, LogInput, MissingZero, OnDuty, Roster,
    RosterFilter, ZeroReport,
};
use anjian_db::{DbError, FieldErrors, PageReq};
use anjian_domain::role::Permission;
use anjian_domain::time::format_instant;

use crate::auth::{Access, Auth};
use crate::checklist::forms::row_version;
use crate::error::{AppError, PageError, PageResult};
use crate::layout::{Chrome, Pager};
use crate::routes::RouteTable;
use crate::AppState;

pub fn routes() -> RouteTable {
    let view = Access::Perm(Permission::DutyView);
    let record = Access::Perm(Permission::DutyRecord);
    let settings = Access::Perm(Permission::DutySettings);
    RouteTable::default()
        .get("/duty", view, overview)
        .get("/duty/calendar", view, calendar)
        .post("/duty/calendar", settings, calendar_create)
        .post("/duty/calendar/save", settings, calendar_save)
        .post("/duty/calendar/delete", settings, calendar_delete)
        .get("/duty/logs", view, logs_page)
        .post("/duty/logs", record, add_log)
        .post("/duty/zero-reports", record, add_zero)
}

pub fn today() -> NaiveDate {
    anjian_domain::time::today(anjian_db::now())
}

fn days_ago(n: u64) -> NaiveDate {
    today()
        .checked_sub_days(chrono::Days::new(n))
        .unwrap_or(today())
}

#[derive(Template)]
#[template(path = "duty/overview.html")]
struct Overview {
    chrome: Chrome,
    on_duty: Vec<OnDuty>,
    rosters: Vec<Roster>,
    pager: Pager,
    missing: Vec<MissingZero>,
    can_roster: bool,
    can_record: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PageQuery {
    page: Option<i64>,
}

async fn overview(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<PageQuery>,
) -> PageResult<Html<String>> {
    let ctx = auth.ctx();
    let page = duty::list_rosters(
        &state.db,
        &ctx,
        &RosterFilter::default(),
        PageReq::new(q.page, Some(20)),
    )
    .await?;
    let yesterday = days_ago(1);
    let p = Overview {
        chrome: Chrome::new(&auth, "/duty", "值班值守").crumb("/duty", "值班值守"),
        on_duty: duty::on_duty_today(&state.db, &ctx).await?,
        pager: Pager::new(&page, "/duty", ""),
        rosters: page.items,
        missing: duty::missing_zero_reports(&state.db, &ctx, days_ago(30), yesterday).await?,
        can_roster: ctx.can(Permission::DutyRoster),
        can_record: ctx.can(Permission::DutyRecord),
    };
    Ok(Html(p.render().map_err(PageError::from)?))
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct CalendarForm {
    pub id: String,
    pub row_version: String,
    pub first_date: String,
    pub last_date: String,
    pub kind: String,
    pub name: String,
    pub note: String,
    pub year: String,
}

impl CalendarForm {
    fn input(&self) -> CalendarInput {
        CalendarInput {
            first_date: self.first_date.clone(),
            last_date: self.last_date.clone(),
            kind: self.kind.clone(),
            name: self.name.clone(),
            note: self.note.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "duty/calendar.html")]
struct CalendarPage {
    chrome: Chrome,
    year: i32,
    years: Vec<i32>,
    entries: Vec<CalendarEntry>,
    source: String,
    can_edit: bool,
    form: CalendarForm,
    errors: FieldErrors,
    conflict: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct YearQuery {
    year: String,
    notice: Option<String>,
}

async fn calendar_render(
    state: &AppState,
    auth: &Auth,
    year: i32,
    form: CalendarForm,
    errors: FieldErrors,
    conflict: Option<String>,
    notice: Option<&str>,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    let entries = duty::calendar_entries(&state.db, &ctx, Some(year)).await?;
    let source = anjian_domain::calendar::SOURCES
        .iter()
        .find(|s| s.year == year)
        .map(|s| {
            if s.complete {
                s.source.to_string()
            } else {
                format!("{}（调休安排待补录）", s.source)
            }
        })
        .unwrap_or_else(|| "本年度放假安排尚未录入，请按国务院办公厅通知录入".into());
    let mut chrome = Chrome::new(auth, "/duty", "节假日日历")
        .crumb("/duty", "值班值守")
        .crumb("/duty/calendar", "节假日日历");
    chrome.notice = notice.map(|n| match n {
        "deleted" => "已删除".to_string(),
        _ => "已保存".to_string(),
    });
    let status = if conflict.is_some() {
        StatusCode::CONFLICT
    } else if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let p = CalendarPage {
        chrome,
        year,
        years: (2023..=crate::campaign::routes::this_year() + 1).collect(),
        entries,
        source,
        can_edit: ctx.can(Permission::DutySettings),
        form,
        errors,
        conflict,
    };
    Ok((status, Html(p.render().map_err(PageError::from)?)).into_response())
}

async fn calendar(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<YearQuery>,
) -> PageResult<Response> {
    let year = q
        .year
        .trim()
        .parse()
        .ok()
        .filter(|y| anjian_domain::dates::BUSINESS_YEARS.contains(y))
        .unwrap_or_else(crate::campaign::routes::this_year);
    let form = CalendarForm {
        kind: "holiday".into(),
        ..Default::default()
    };
    calendar_render(
        &state,
        &auth,
        year,
        form,
        FieldErrors::new(),
        None,
        q.notice.as_deref(),
    )
    .await
}

fn form_year(f: &CalendarForm) -> i32 {
    f.year
        .trim()
        .parse()
        .ok()
        .filter(|y| anjian_domain::dates::BUSINESS_YEARS.contains(y))
        .unwrap_or_else(crate::campaign::routes::this_year)
}

async fn calendar_result(
    state: &AppState,
    auth: &Auth,
    f: CalendarForm,
    r: Result<i32, DbError>,
    notice: &str,
) -> PageResult<Response> {
    let year = form_year(&f);
    match r {
        Ok(y) => {
            Ok(Redirect::to(&format!("/duty/calendar?year={y}&notice={notice}")).into_response())
        }
        Err(DbError::Invalid(e)) => calendar_render(state, auth, year, f, e, None, None).await,
        Err(DbError::Conflict(m)) => {
            calendar_render(state, auth, year, f, FieldErrors::new(), Some(m), None).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn calendar_create(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<CalendarForm>,
) -> PageResult<Response> {
    use chrono::Datelike;
    let r = duty::create_entry(&state.db, &auth.ctx(), &f.input())
        .await
        .map(|e| e.last_date.year());
    calendar_result(&state, &auth, f, r, "saved").await
}

fn form_id(f: &CalendarForm) -> Result<i64, PageError> {
    f.id.trim()
        .parse()
        .map_err(|_| PageError(AppError::NotFound))
}

async fn calendar_save(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<CalendarForm>,
) -> PageResult<Response> {
    use chrono::Datelike;
    let id = form_id(&f)?;
    let v = row_version(&f.row_version).map_err(|e| PageError(AppError::Invalid(e)))?;
    let r = duty::update_entry(&state.db, &auth.ctx(), id, &f.input(), v)
        .await
        .map(|e| e.last_date.year());
    calendar_result(&state, &auth, f, r, "saved").await
}

async fn calendar_delete(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<CalendarForm>,
) -> PageResult<Response> {
    let id = form_id(&f)?;
    let year = form_year(&f);
    let v = row_version(&f.row_version).map_err(|e| PageError(AppError::Invalid(e)))?;
    let r = duty::delete_entry(&state.db, &auth.ctx(), id, v)
        .await
        .map(|_| year);
    calendar_result(&state, &auth, f, r, "deleted").await
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct LogForm {
    pub org_id: String,
    pub kind: String,
    pub logged_at: String,
    pub event: String,
    pub handling: String,
    pub notified: String,
    pub report_date: String,
    pub note: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LogQuery {
    from: String,
    to: String,
    notice: Option<String>,
}

#[derive(Template)]
#[template(path = "duty/logs.html")]
struct LogsPage {
    chrome: Chrome,
    from: NaiveDate,
    to: NaiveDate,
    bad: Vec<String>,
    logs: Vec<DutyLog>,
    zeros: Vec<ZeroReport>,
    missing: Vec<MissingZero>,
    orgs: Vec<(i64, String)>,
    can_record: bool,
    form: LogForm,
    errors: FieldErrors,
    conflict: Option<String>,
}

impl LogsPage {
    fn at(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        format_instant(*t)
    }
}

#[allow(clippy::too_many_arguments)] // the page's parts
async fn logs_render(
    state: &AppState,
    auth: &Auth,
    q: &LogQuery,
    form: LogForm,
    errors: FieldErrors,
    conflict: Option<String>,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    let mut bad = Vec::new();
    let mut date = |label: &str, s: &str, default: NaiveDate| {
        if s.trim().is_empty() {
            return default;
        }
        match anjian_domain::dates::parse_business_date(s) {
            Ok(d) => d,
            Err(e) => {
                bad.push(e.to_string().replacen("日期", label, 1));
                default
            }
        }
    };
    let from = date("起始日期", &q.from, days_ago(7));
    let to = date("截止日期", &q.to, today());
    let mut chrome = Chrome::new(auth, "/duty", "值班日志与零报告")
        .crumb("/duty", "值班值守")
        .crumb("/duty/logs", "值班日志");
    chrome.notice = q.notice.as_deref().map(|n| match n {
        "zero" => "零报告已报送".to_string(),
        _ => "已记录".to_string(),
    });
    let status = if conflict.is_some() {
        StatusCode::CONFLICT
    } else if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let p = LogsPage {
        chrome,
        logs: duty::logs(&state.db, &ctx, from, to).await?,
        zeros: duty::zero_reports(&state.db, &ctx, from, to).await?,
        missing: duty::missing_zero_reports(&state.db, &ctx, from, to).await?,
        orgs: anjian_db::incident::orgs_for_picker(&state.db, &ctx)
            .await
            .unwrap_or_default(),
        can_record: ctx.can(Permission::DutyRecord),
        from,
        to,
        bad,
        form,
        errors,
        conflict,
    };
    Ok((status, Html(p.render().map_err(PageError::from)?)).into_response())
}

fn default_log_form(auth: &Auth) -> LogForm {
    LogForm {
        org_id: auth.inner.user.org_id.to_string(),
        kind: "entry".into(),
        report_date: today().to_string(),
        ..Default::default()
    }
}

async fn logs_page(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<LogQuery>,
) -> PageResult<Response> {
    let form = default_log_form(&auth);
    logs_render(&state, &auth, &q, form, FieldErrors::new(), None).await
}

fn org_of(f: &LogForm) -> Result<i64, FieldErrors> {
    f.org_id
        .trim()
        .parse()
        .map_err(|_| FieldErrors::single("org_id", "请选择单位"))
}

async fn add_log(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<LogForm>,
) -> PageResult<Response> {
    let q = LogQuery::default();
    let org_id = match org_of(&f) {
        Ok(o) => o,
        Err(e) => return logs_render(&state, &auth, &q, f, e, None).await,
    };
    let input = LogInput {
        org_id,
        kind: f.kind.clone(),
        logged_at: f.logged_at.clone(),
        event: f.event.clone(),
        handling: f.handling.clone(),
        notified: f.notified.clone(),
    };
    match duty::add_log(&state.db, &auth.ctx(), &input).await {
        Ok(_) => Ok(Redirect::to("/duty/logs?notice=saved").into_response()),
        Err(DbError::Invalid(e)) => logs_render(&state, &auth, &q, f, e, None).await,
        Err(e) => Err(e.into()),
    }
}

async fn add_zero(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<LogForm>,
) -> PageResult<Response> {
    let q = LogQuery::default();
    let org_id = match org_of(&f) {
        Ok(o) => o,
        Err(e) => return logs_render(&state, &auth, &q, f, e, None).await,
    };
    match duty::zero_report(&state.db, &auth.ctx(), org_id, &f.report_date, &f.note).await {
        Ok(_) => Ok(Redirect::to("/duty/logs?notice=zero").into_response()),
        Err(DbError::Invalid(e)) => logs_render(&state, &auth, &q, f, e, None).await,
        Err(DbError::Conflict(m)) => {
            logs_render(&state, &auth, &q, f, FieldErrors::new(), Some(m)).await
        }
        Err(e) => Err(e.into()),
    }
}
