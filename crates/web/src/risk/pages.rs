//! Risk pages: the register (by risk and by point) with its filters, the point page and the
//! risk page. Forms live in `forms.rs`, the card in `card.rs`, the four-colour view in `map.rs`.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use anjian_db::risk::{self, PointDetail, Risk, RiskDetail, RiskFilter, RiskPoint};
use anjian_db::{org, DbError, FieldErrors, Page, PageReq};
use anjian_domain::hazard::{HazardGrade, HazardStatus};
use anjian_domain::risk::{PointKind, RiskLevel};
use anjian_domain::role::Permission;

use super::view::{self, Opt};
use crate::auth::Auth;
use crate::error::{PageError, PageResult};
use crate::extract::Id;
use crate::layout::{query_string, Chrome, Pager};
use crate::AppState;

/// The register's query as typed. `org` is a name or id typed by the user: a province has
/// thousands of organisations, too many for a drop-down.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ListQuery {
    pub keyword: String,
    pub org: String,
    pub org_id: String,
    pub level: String,
    pub kind: String,
    pub flagged: String,
    pub elevated: String,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
    pub notice: Option<String>,
}

/// The organisation filter after looking the typed text up.
pub enum OrgPick {
    All,
    One(i64),
    /// Nothing matches (or the name is ambiguous): show nothing, say why.
    None(String),
}

impl ListQuery {
    pub fn query_string(&self) -> String {
        query_string(&[
            ("keyword", self.keyword.clone()),
            ("org", self.org.clone()),
            ("org_id", self.org_id.clone()),
            ("level", self.level.clone()),
            ("kind", self.kind.clone()),
            ("flagged", self.flagged.clone()),
            ("elevated", self.elevated.clone()),
        ])
    }

    /// Lenient: a value that does not parse is no filter (the form only offers valid ones).
    pub fn filter(&self, org_id: Option<i64>) -> RiskFilter {
        let keyword = self.keyword.trim();
        RiskFilter {
            org_id,
            level: RiskLevel::from_code(self.level.trim()),
            kind: PointKind::from_code(self.kind.trim()),
            keyword: (!keyword.is_empty()).then(|| keyword.to_string()),
            flagged: !self.flagged.is_empty(),
            elevated: !self.elevated.is_empty(),
            ..Default::default()
        }
    }

    /// `org_id` (links from other pages) wins over the typed `org`.
    pub async fn org(&self, state: &AppState, auth: &Auth) -> Result<OrgPick, PageError> {
        let ctx = auth.ctx();
        if let Ok(id) = self.org_id.trim().parse::<i64>() {
            // Out of scope is 404 like any id.
            let o = org::get_scoped(&state.db, &ctx, id).await?;
            return Ok(OrgPick::One(o.id));
        }
        let typed = self.org.trim();
        if typed.is_empty() {
            return Ok(OrgPick::All);
        }
        match org::find(&state.db, &ctx, typed).await {
            Ok(o) => Ok(OrgPick::One(o.id)),
            Err(DbError::NotFound) => Ok(OrgPick::None(format!(
                "未找到名称或编号为“{typed}”的单位或库点（只能查询本单位及下级）"
            ))),
            Err(DbError::Conflict(m)) => Ok(OrgPick::None(m)),
            Err(e) => Err(e.into()),
        }
    }
}

fn page_of<T>(items: Vec<T>, total: i64, req: PageReq) -> anjian_db::Page<T> {
    anjian_db::Page {
        items,
        total,
        page: req.page,
        page_size: req.page_size,
    }
}

#[derive(Template)]
#[template(path = "risk/list.html")]
struct ListPage {
    chrome: Chrome,
    /// The count stopped at `cap`: the page says "more than" and to narrow the query.
    capped: bool,
    cap: i64,
    action: &'static str,
    q: ListQuery,
    org_id: Option<i64>,
    org_hint: String,
    rows: Vec<Risk>,
    pager: Pager,
    levels: Vec<Opt>,
    kinds: Vec<Opt>,
    query: String,
    can_manage: bool,
    can_settings: bool,
}

impl ListPage {
    fn css_of(&self, code: &str) -> &'static str {
        view::level_css(code)
    }
    fn tone<'a>(&self, css: &'a str) -> &'a str {
        css.trim_start_matches("risk-")
    }
}

#[derive(Template)]
#[template(path = "risk/points.html")]
struct PointsPage {
    chrome: Chrome,
    /// The count stopped at `cap`: the page says "more than" and to narrow the query.
    capped: bool,
    cap: i64,
    action: &'static str,
    q: ListQuery,
    org_id: Option<i64>,
    org_hint: String,
    rows: Vec<RiskPoint>,
    pager: Pager,
    levels: Vec<Opt>,
    kinds: Vec<Opt>,
    query: String,
    can_manage: bool,
}

impl PointsPage {
    fn tone<'a>(&self, css: &'a str) -> &'a str {
        css.trim_start_matches("risk-")
    }
}

/// The pager of a register page whose count stopped at `cap` ("1000+" and no last page), or the
/// plain one. Below the cap there is certainly a next page; past it, a full page suggests one.
fn register_pager<T>(page: &Page<T>, base: &str, query: &str, cap: i64) -> Pager {
    if page.total >= cap {
        let more =
            page.page * page.page_size < page.total || page.items.len() as i64 == page.page_size;
        Pager::capped(page, base, query, more)
    } else {
        Pager::new(page, base, query)
    }
}

/// GET /risks: the register, one row per risk.
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ListQuery>,
) -> PageResult<Html<String>> {
    let ctx = auth.ctx();
    let req = PageReq::new(q.page, q.page_size);
    let cap = risk::count_cap(&q.filter(None));
    let pick = q.org(&state, &auth).await?;
    let (org_id, org_hint, page) = match pick {
        OrgPick::None(hint) => (None, hint, page_of(Vec::new(), 0, req)),
        pick => {
            let id = match pick {
                OrgPick::One(id) => Some(id),
                _ => None,
            };
            (
                id,
                String::new(),
                risk::list(&state.db, &ctx, &q.filter(id), req).await?,
            )
        }
    };
    let query = q.query_string();
    let p = ListPage {
        chrome: Chrome::new(&auth, "/risks", "安全风险分级管控清单")
            .crumb("/risks", "风险分级管控")
            .notice(q.notice.as_deref()),
        action: "/risks",
        pager: register_pager(&page, "/risks", &query, cap),
        capped: page.total >= cap,
        cap,
        rows: page.items,
        org_id,
        org_hint,
        levels: view::levels(),
        kinds: view::kinds(),
        query,
        q,
        can_manage: ctx.can(Permission::RiskManage),
        can_settings: ctx.can(Permission::RiskSettings),
    };
    Ok(Html(p.render().map_err(PageError::from)?))
}

/// GET /risk-points: the register, one row per point, with the elevated and re-assessment flags.
pub async fn points(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ListQuery>,
) -> PageResult<Html<String>> {
    let ctx = auth.ctx();
    let req = PageReq::new(q.page, q.page_size);
    let cap = risk::count_cap(&q.filter(None));
    let (org_id, org_hint, page) = match q.org(&state, &auth).await? {
        OrgPick::None(hint) => (None, hint, page_of(Vec::new(), 0, req)),
        pick => {
            let id = match pick {
                OrgPick::One(id) => Some(id),
                _ => None,
            };
            let f = q.filter(id);
            (
                id,
                String::new(),
                risk::list_points(&state.db, &ctx, &f, req).await?,
            )
        }
    };
    let query = q.query_string();
    let p = PointsPage {
        chrome: Chrome::new(&auth, "/risks", "风险点")
            .crumb("/risks", "风险分级管控")
            .crumb("/risk-points", "风险点")
            .notice(q.notice.as_deref()),
        action: "/risk-points",
        pager: register_pager(&page, "/risk-points", &query, cap),
        capped: page.total >= cap,
        cap,
        rows: page.items,
        org_id,
        org_hint,
        levels: view::levels(),
        kinds: view::kinds(),
        query,
        q,
        can_manage: ctx.can(Permission::RiskManage),
    };
    Ok(Html(p.render().map_err(PageError::from)?))
}

#[derive(Template)]
#[template(path = "risk/point.html")]
struct PointPage {
    chrome: Chrome,
    d: PointDetail,
    can_manage: bool,
    errors: FieldErrors,
}

impl PointPage {
    fn hz_status(&self, code: &str) -> &'static str {
        HazardStatus::from_code(code)
            .map(|s| s.label())
            .unwrap_or("")
    }
    fn hz_open(&self, code: &str) -> bool {
        HazardStatus::from_code(code).is_some_and(|s| s.is_open())
    }
    fn hz_grade(&self, code: &str) -> &'static str {
        HazardGrade::from_code(code)
            .map(|g| g.label())
            .unwrap_or("")
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NoticeQuery {
    pub notice: Option<String>,
}

pub async fn render_point(
    state: &AppState,
    auth: &Auth,
    id: i64,
    notice: Option<&str>,
    errors: FieldErrors,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    let d = risk::get_point(&state.db, &ctx, id).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let title = d.point.name.clone();
    let p = PointPage {
        chrome: Chrome::new(auth, "/risks", title.clone())
            .crumb("/risks", "风险分级管控")
            .crumb("/risk-points", "风险点")
            .crumb(format!("/risk-points/{id}"), title)
            .notice(notice),
        d,
        can_manage: ctx.can(Permission::RiskManage),
        errors,
    };
    Ok((status, Html(p.render().map_err(PageError::from)?)).into_response())
}

/// GET /risk-points/{id}
pub async fn point(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Query(q): Query<NoticeQuery>,
) -> PageResult<Response> {
    render_point(&state, &auth, id, q.notice.as_deref(), FieldErrors::new()).await
}

#[derive(Template)]
#[template(path = "risk/risk.html")]
pub struct RiskPage {
    pub chrome: Chrome,
    pub d: RiskDetail,
    pub can_manage: bool,
    pub errors: FieldErrors,
    /// The add-measure form as typed when it was refused.
    pub m: super::measure_form::MeasureForm,
    pub types: Vec<Opt>,
    pub tiers: Vec<Opt>,
    /// The LEC danger band of the current D under the rules in force.
    pub band: String,
    /// Who may be named responsible for a measure (the point's organisation and its unit).
    pub people: Vec<risk::PersonOption>,
}

impl RiskPage {
    pub fn method_label_of(&self, a: &anjian_domain::risk::Assessment) -> &'static str {
        anjian_domain::risk::method_label(a.method_code())
    }
}

pub async fn render_risk(
    state: &AppState,
    auth: &Auth,
    id: i64,
    notice: Option<&str>,
    errors: FieldErrors,
    m: super::measure_form::MeasureForm,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    let d = risk::get_risk(&state.db, &ctx, id).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let title = format!("风险 #{id}");
    let rules = risk::rules(&state.db).await?;
    let band = rules.lec_band_label(d.risk.score.max(0) as u64).to_string();
    let can_manage = ctx.can(Permission::RiskManage);
    let people = if can_manage {
        risk::responsible_candidates(&state.db, &ctx, d.point.org_id).await?
    } else {
        Vec::new()
    };
    let p = RiskPage {
        band,
        people,
        chrome: Chrome::new(auth, "/risks", title.clone())
            .crumb("/risks", "风险分级管控")
            .crumb(format!("/risk-points/{}", d.point.id), d.point.name.clone())
            .crumb(format!("/risks/{id}"), title)
            .notice(notice),
        d,
        can_manage,
        errors,
        m,
        types: view::measure_types(),
        tiers: view::tiers(),
    };
    Ok((status, Html(p.render().map_err(PageError::from)?)).into_response())
}

/// GET /risks/{id}: the risk, its assessment versions and its measures.
pub async fn risk_page(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Query(q): Query<NoticeQuery>,
) -> PageResult<Response> {
    render_risk(
        &state,
        &auth,
        id,
        q.notice.as_deref(),
        FieldErrors::new(),
        Default::default(),
    )
    .await
}
