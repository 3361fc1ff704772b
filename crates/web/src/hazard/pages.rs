//! Hazard pages: the ledger with its filters, the detail page with the forms the caller may use,
//! and the Excel export. Registration and editing are `registration`.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use anjian_db::hazard::{self, HazardDetail, HazardFilter};
use anjian_db::{campaign, FieldErrors, PageReq};
use anjian_domain::dates::parse_date;
use anjian_domain::hazard::{HazardGrade, HazardStatus, MAJOR_PLAN_PARTS};
use anjian_domain::role::Permission;

use super::org_filter::{self, OrgField};
use super::view::{self, Row};
use crate::auth::Auth;
use crate::error::{PageError, PageResult};
use crate::extract::Id;
use crate::layout::{query_string, Chrome, Pager};
use crate::AppState;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ListQuery {
    pub org_id: String,
    /// The organisation filter as typed or picked (a name); the form sends it, links send
    /// `org_id`. See `org_filter::settle`.
    pub org: Option<String>,
    pub status: String,
    pub grade: String,
    pub campaign_id: String,
    pub overdue: String,
    pub due_soon: String,
    pub found_from: String,
    pub found_to: String,
    pub keyword: String,
    pub todo: String,
    pub ids: String,
    pub inspection_id: String,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
    pub notice: Option<String>,
}

fn num(s: &str) -> Option<i64> {
    s.trim().parse().ok()
}

impl ListQuery {
    /// Lenient: a value that does not parse is no filter (the form only offers valid ones).
    pub fn filter(&self) -> HazardFilter {
        let status = self.status.trim();
        HazardFilter {
            org_id: num(&self.org_id),
            status: HazardStatus::from_code(status),
            open: status == "open",
            grade: HazardGrade::from_code(self.grade.trim()),
            campaign_id: num(&self.campaign_id),
            overdue: !self.overdue.is_empty(),
            due_soon: !self.due_soon.is_empty(),
            found_from: parse_date(&self.found_from).ok(),
            found_to: parse_date(&self.found_to).ok(),
            keyword: Some(self.keyword.clone()),
            ids: self.ids.split(',').filter_map(num).collect(),
            inspection_id: num(&self.inspection_id),
            todo: hazard::TodoKind::from_code(self.todo.trim()),
        }
    }

    pub fn query_string(&self) -> String {
        query_string(&[
            ("org_id", self.org_id.clone()),
            ("status", self.status.clone()),
            ("grade", self.grade.clone()),
            ("campaign_id", self.campaign_id.clone()),
            ("overdue", self.overdue.clone()),
            ("due_soon", self.due_soon.clone()),
            ("found_from", self.found_from.clone()),
            ("found_to", self.found_to.clone()),
            ("keyword", self.keyword.clone()),
            ("todo", self.todo.clone()),
            ("ids", self.ids.clone()),
            ("inspection_id", self.inspection_id.clone()),
        ])
    }
}

#[derive(Template)]
#[template(path = "hazard/list.html")]
struct ListPage {
    chrome: Chrome,
    q: ListQuery,
    rows: Vec<Row>,
    pager: Pager,
    capped: bool,
    /// Where counting stopped (`HazardFilter::count_cap`).
    cap: i64,
    org: OrgField,
    /// The keyword was too short for the index: only hazards found since this day were searched.
    searched_since: Option<String>,
    campaigns: Vec<(i64, String)>,
    statuses: Vec<(&'static str, &'static str)>,
    grades: Vec<(&'static str, &'static str)>,
    todo_label: &'static str,
    query: String,
    can_report: bool,
    can_supervise: bool,
}

/// Campaigns for pickers: those covering the caller's organisation. A failure leaves the picker
/// empty rather than failing the page.
pub(super) async fn campaign_options(state: &AppState, auth: &Auth) -> Vec<(i64, String)> {
    campaign::usable_for_org(&state.db, &auth.ctx(), auth.inner.user.org_id)
        .await
        .map(|v| v.into_iter().map(|c| (c.id, c.name)).collect())
        .unwrap_or_default()
}

pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(mut q): Query<ListQuery>,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    let org = org_filter::settle(&state, &ctx, &mut q).await?;
    let filter = q.filter();
    let req = PageReq::new(q.page, q.page_size);
    // A name that matches no organisation (or several) filters nothing: the page says so on the
    // field instead of silently listing the whole scope.
    let (found, status) = if org.error.is_some() {
        let empty = hazard::LedgerPage {
            page: anjian_db::Page {
                items: Vec::new(),
                total: 0,
                page: 1,
                page_size: req.page_size,
            },
            searched_since: None,
        };
        (empty, StatusCode::UNPROCESSABLE_ENTITY)
    } else {
        (
            hazard::search(&state.db, &ctx, &filter, req).await?,
            StatusCode::OK,
        )
    };
    let page = found.page;
    let query = q.query_string();
    let pager = Pager::new(&page, "/hazards", &query);
    let today = hazard::today();
    let p = ListPage {
        chrome: Chrome::new(&auth, "/hazards", "隐患台账")
            .crumb("/hazards", "隐患台账")
            .notice(q.notice.as_deref()),
        cap: filter.count_cap(),
        capped: page.total >= filter.count_cap(),
        rows: page.items.into_iter().map(|h| Row::new(h, today)).collect(),
        pager,
        org,
        searched_since: found.searched_since.map(|d| d.to_string()),
        campaigns: campaign_options(&state, &auth).await,
        statuses: view::statuses(),
        grades: view::grades(),
        todo_label: hazard::TodoKind::from_code(q.todo.trim())
            .map(|t| t.label())
            .unwrap_or(""),
        query,
        q,
        can_report: ctx.can(Permission::HazardReport),
        can_supervise: ctx.can(Permission::HazardSupervise),
    };
    Ok((status, Html(p.render().map_err(PageError::from)?)).into_response())
}

/// Which action forms the caller sees on the detail page; the data layer checks again.
#[derive(Default)]
pub struct Can {
    pub edit: bool,
    pub assign: bool,
    pub submit: bool,
    pub verify: bool,
    pub extension: bool,
    pub decide: bool,
    pub plan: bool,
    pub report: bool,
    pub list: bool,
    pub lift: bool,
}

impl Can {
    fn of(auth: &Auth, d: &HazardDetail) -> Can {
        let ctx = auth.ctx();
        let me = auth.inner.user.id;
        let h = &d.hazard;
        let st = h.status();
        let major = h.is_major();
        let awaiting = st.awaits_rectification();
        let rectify = ctx.can(Permission::HazardRectify);
        let plan_ok = !major || d.major_plan_complete();
        let listing = d.listing.as_ref();
        Can {
            edit: st == HazardStatus::Pending && ctx.can(Permission::HazardReport),
            assign: awaiting && rectify && plan_ok,
            submit: st == HazardStatus::Rectifying && rectify,
            verify: st == HazardStatus::AwaitingVerification
                && ctx.can(Permission::HazardVerify)
                && h.rectified_by != Some(me),
            extension: awaiting && rectify && d.pending_extension().is_none(),
            decide: d.pending_extension().is_some_and(|e| e.requested_by != me)
                && ctx.can(Permission::HazardDecideExtension),
            plan: major && st.is_open() && (ctx.can(Permission::HazardReport) || rectify),
            report: major
                && d.major_plan_complete()
                && !d.major.as_ref().is_some_and(|m| m.reported())
                && ctx.can(Permission::HazardReport),
            list: major
                && st.is_open()
                && listing.is_none()
                && ctx.can(Permission::HazardSupervise),
            lift: listing.is_some_and(|l| !l.lifted())
                && st == HazardStatus::Closed
                && ctx.can(Permission::HazardSupervise),
        }
    }
}

#[derive(Template)]
#[template(path = "hazard/detail.html")]
struct DetailPage {
    chrome: Chrome,
    d: HazardDetail,
    row: Row,
    can: Can,
    /// The linked risk point is a link only for those who may open its page.
    can_view_risk: bool,
    today: String,
    /// The action whose form was refused, its errors and what was posted.
    failed: String,
    errors: FieldErrors,
    posted: Vec<(String, String)>,
    plan_parts: Vec<(&'static str, &'static str, String)>,
}

impl DetailPage {
    /// A posted value when re-rendering the refused form, else `default`.
    fn val(&self, action: &str, key: &str, default: &str) -> String {
        if self.failed == action {
            if let Some((_, v)) = self.posted.iter().find(|(k, _)| k == key) {
                return v.clone();
            }
        }
        default.to_string()
    }
    fn when(&self, at: chrono::DateTime<chrono::Utc>) -> String {
        crate::layout::instant(&at)
    }
    /// Attachments by kind, the kinds that have any, in page order.
    fn file_groups(&self) -> Vec<(bool, &'static str, Vec<&hazard::HazardAttachment>)> {
        [
            ("before", "整改前"),
            ("after", "整改后"),
            ("plan", "治理方案材料"),
            ("lift", "解除督办材料"),
        ]
        .into_iter()
        .map(|(k, l)| (k == "after", l, self.d.attachments_of(k)))
        .filter(|(_, _, v)| !v.is_empty())
        .collect()
    }
    /// The errors of the refused form, shown at its top.
    fn general_errors(&self, action: &str) -> Vec<String> {
        if self.failed != action {
            return Vec::new();
        }
        self.errors.0.iter().map(|(_, m)| m.clone()).collect()
    }
}

pub async fn render_detail(
    state: &AppState,
    auth: &Auth,
    id: i64,
    notice: Option<&str>,
    failed: &str,
    errors: FieldErrors,
    posted: Vec<(String, String)>,
) -> PageResult<Response> {
    let d = hazard::get(&state.db, &auth.ctx(), id).await?;
    let today = hazard::today();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let title = format!("隐患 #{id}");
    let plan_parts = match &d.major {
        Some(m) => m.labelled_parts(),
        None => MAJOR_PLAN_PARTS
            .iter()
            .map(|(f, l)| (*f, *l, String::new()))
            .collect(),
    };
    let p = DetailPage {
        chrome: Chrome::new(auth, "/hazards", title.clone())
            .crumb("/hazards", "隐患台账")
            .crumb(format!("/hazards/{id}"), title)
            .notice(notice),
        can: Can::of(auth, &d),
        can_view_risk: auth.ctx().can(Permission::RiskView),
        row: Row::new(d.hazard.clone(), today),
        today: today.to_string(),
        d,
        failed: failed.to_string(),
        errors,
        posted,
        plan_parts,
    };
    Ok((status, Html(p.render().map_err(PageError::from)?)).into_response())
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    notice: Option<String>,
}

pub async fn detail(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Query(q): Query<NoticeQuery>,
) -> PageResult<Response> {
    render_detail(
        &state,
        &auth,
        id,
        q.notice.as_deref(),
        "",
        FieldErrors::new(),
        Vec::new(),
    )
    .await
}

/// The ledger as an Excel sheet, with the filters of the page. Audited like every export.
pub async fn export(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ListQuery>,
) -> PageResult<Response> {
    Ok(super::export::download(&state, &auth, &q).await?)
}
