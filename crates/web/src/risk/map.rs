//! The four-colour view (红橙黄蓝四色安全风险空间分布图) of an organisation: its risk points on the
//! uploaded site plan (markers placed by per-mille coordinates, drawn as SVG with x/y attributes
//! since the CSP forbids inline styles) or, without a plan, as a grid of coloured tiles; the
//! plan upload and marker forms; and the counts by level per unit for the bureau.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use anjian_db::risk::{self, FourColour, RiskPoint, UnitCounts};
use anjian_db::{org, DbError, FieldErrors};
use anjian_domain::risk::RiskLevel;
use anjian_domain::role::Permission;

use crate::attachment::sniff;
use crate::auth::Auth;
use crate::error::{AppError, PageError, PageResult};
use crate::extract::Id;
use crate::hazard::forms::FormData;
use crate::layout::Chrome;
use crate::AppState;

/// The grid shows at most this many tiles; the register lists the rest.
const GRID_MAX: usize = 600;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MapQuery {
    pub org_id: String,
    pub org: String,
    pub notice: Option<String>,
}

#[derive(Template)]
#[template(path = "risk/map.html")]
struct MapPage {
    chrome: Chrome,
    v: FourColour,
    shown: Vec<RiskPoint>,
    hidden: usize,
    legend: Vec<(&'static str, &'static str, i64)>,
    can_manage: bool,
    org_text: String,
    errors: FieldErrors,
}

impl MapPage {
    /// Per mille as an SVG percentage: 123 → "12.3%".
    fn pct(&self, v: &Option<i64>) -> String {
        let v = v.unwrap_or(0).clamp(0, 1000);
        format!("{}.{}%", v / 10, v % 10)
    }
    fn opt(&self, v: &Option<i64>) -> String {
        v.map(|x| x.to_string()).unwrap_or_default()
    }
}

async fn render(
    state: &AppState,
    auth: &Auth,
    org_id: i64,
    notice: Option<&str>,
    errors: FieldErrors,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    let v = risk::four_colour(&state.db, &ctx, org_id).await?;
    let legend = RiskLevel::ALL
        .iter()
        .enumerate()
        .map(|(i, l)| (l.label(), l.css(), v.counts[i]))
        .collect();
    let hidden = v.points.len().saturating_sub(GRID_MAX);
    let shown = v.points.iter().take(GRID_MAX).cloned().collect();
    let title = format!("四色分布图：{}", v.org_name);
    let status = if errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let p = MapPage {
        chrome: Chrome::new(auth, "/risks", title.clone())
            .crumb("/risks", "风险分级管控")
            .crumb(format!("/risks/map?org_id={org_id}"), title)
            .notice(notice),
        org_text: v.org_name.clone(),
        shown,
        hidden,
        legend,
        can_manage: ctx.can(Permission::RiskManage),
        errors,
        v,
    };
    Ok((status, Html(p.render().map_err(PageError::from)?)).into_response())
}

/// GET /risks/map?org_id= (or org= name): the caller's own organisation by default.
pub async fn page(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<MapQuery>,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    let org_id = if let Ok(id) = q.org_id.trim().parse::<i64>() {
        id
    } else if !q.org.trim().is_empty() {
        match org::find(&state.db, &ctx, q.org.trim()).await {
            Ok(o) => o.id,
            Err(DbError::Conflict(m)) => return Err(AppError::BadRequest(m).into()),
            Err(e) => return Err(e.into()),
        }
    } else {
        auth.inner.user.org_id
    };
    render(
        &state,
        &auth,
        org_id,
        q.notice.as_deref(),
        FieldErrors::new(),
    )
    .await
}

/// POST /risks/map/plan?org_id=…: uploads (or with `remove`) drops the organisation's site plan.
pub async fn upload_plan(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<MapQuery>,
    data: FormData,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    let org_id = q
        .org_id
        .trim()
        .parse::<i64>()
        .map_err(|_| AppError::NotFound)?;
    // Scope first: an organisation outside it is 404 whatever was posted.
    org::get_scoped(&state.db, &ctx, org_id).await?;
    data.check()?;
    if data.has("remove") {
        risk::set_site_plan(&state.db, &ctx, org_id, None).await?;
        return Ok(
            Redirect::to(&format!("/risks/map?org_id={org_id}&notice=deleted")).into_response(),
        );
    }
    let Some(f) = data.files_of("plan").next() else {
        let e = FieldErrors::single("plan", "请选择平面图图片");
        return render(&state, &auth, org_id, None, e).await;
    };
    let kind = match sniff::sniff(&f.bytes, &f.name) {
        Some(k) if k.image => k,
        _ => {
            let e = FieldErrors::single("plan", "平面图只能是图片（JPG、PNG、GIF、WEBP）");
            return render(&state, &auth, org_id, None, e).await;
        }
    };
    if f.bytes.len() > state.upload_limit {
        return Err(AppError::PayloadTooLarge.into());
    }
    let a = crate::attachment::save(&state, &ctx, org_id, f.name.clone(), f.bytes.clone(), kind)
        .await?;
    match risk::set_site_plan(&state.db, &ctx, org_id, Some(a.id)).await {
        Ok(()) => Ok(
            Redirect::to(&format!("/risks/map?org_id={org_id}&notice=uploaded")).into_response(),
        ),
        Err(DbError::Invalid(e)) => render(&state, &auth, org_id, None, e).await,
        Err(e) => Err(e.into()),
    }
}

/// POST /risk-points/{id}/marker: places (or clears) the point's marker on its plan.
pub async fn set_marker(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Query(q): Query<MapQuery>,
    data: FormData,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    let d = risk::get_point(&state.db, &ctx, id).await?;
    data.check()?;
    // Back to the view the form was on (the point's unit or a site above it).
    let back = q.org_id.trim().parse::<i64>().unwrap_or(d.point.org_id);
    match risk::set_marker(
        &state.db,
        &ctx,
        id,
        data.row_version(),
        &data.get("marker_x"),
        &data.get("marker_y"),
    )
    .await
    {
        Ok(_) => {
            Ok(Redirect::to(&format!("/risks/map?org_id={back}&notice=saved")).into_response())
        }
        Err(DbError::Invalid(e)) => render(&state, &auth, back, None, e).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "risk/units.html")]
struct UnitsPage {
    chrome: Chrome,
    rows: Vec<UnitRow>,
    total: UnitCounts,
    levels: Vec<(&'static str, &'static str)>,
    /// Units without any point, left out unless asked for.
    hidden_empty: usize,
    all: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct UnitsQuery {
    pub all: String,
}

/// A unit's counts with each point count's class (its level colour when not zero).
struct UnitRow {
    c: UnitCounts,
    cells: Vec<(&'static str, i64, &'static str)>,
}

impl UnitRow {
    fn new(c: UnitCounts) -> UnitRow {
        let cells = RiskLevel::ALL
            .iter()
            .zip(c.points)
            .map(|(l, n)| (l.label(), n, if n > 0 { l.css() } else { "" }))
            .collect();
        UnitRow { c, cells }
    }
}

/// GET /risks/units: points and risks by level per unit (sites roll up to their unit). Units
/// without points are left out unless `all` is set: a province has thousands of units.
pub async fn units(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<UnitsQuery>,
) -> PageResult<Html<String>> {
    let rows = risk::counts_by_unit(&state.db, &auth.ctx()).await?;
    let all = !q.all.is_empty();
    let mut total = UnitCounts {
        org_name: "合计".into(),
        ..Default::default()
    };
    for r in &rows {
        for i in 0..4 {
            total.points[i] += r.points[i];
            total.risks[i] += r.risks[i];
        }
        total.points_unassessed += r.points_unassessed;
    }
    let p = UnitsPage {
        chrome: Chrome::new(&auth, "/risks", "各单位风险统计")
            .crumb("/risks", "风险分级管控")
            .crumb("/risks/units", "各单位风险统计"),
        hidden_empty: if all {
            0
        } else {
            rows.iter().filter(|r| r.points_total() == 0).count()
        },
        rows: rows
            .into_iter()
            .filter(|r| all || r.points_total() > 0)
            .map(UnitRow::new)
            .collect(),
        all,
        total,
        levels: RiskLevel::ALL
            .iter()
            .map(|l| (l.label(), l.css()))
            .collect(),
    };
    Ok(Html(p.render().map_err(PageError::from)?))
}
