//! The statistics page: period and organisation pickers, the figures with a link from each to the
//! records it counts, per campaign, and the sentence the summary report would write.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::Datelike;
use serde::Deserialize;

use anjian_db::statistics::{self, Figure, HazardStats, RecordKind};
use anjian_db::FieldErrors;
use anjian_domain::inspection::InspectionKind;
use anjian_domain::period::Period;
use anjian_domain::role::Permission;

use super::{percent, resolve_period};
use crate::auth::Auth;
use crate::error::{PageError, PageResult};
use crate::inspection::new::{org_choices, Choice};
use crate::layout::{query_string, Chrome};
use crate::AppState;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct StatsQuery {
    pub period: String,
    pub from: String,
    pub to: String,
    pub org_id: String,
    pub figure: String,
    pub page: Option<usize>,
}

/// One line of the figures table.
pub struct Line {
    pub label: String,
    /// Indented lines are the parts of the line above.
    pub sub: bool,
    pub value: String,
    pub link: Option<String>,
}

pub struct CampaignLine {
    pub name: String,
    pub cells: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "statistics/index.html")]
struct IndexPage {
    chrome: Chrome,
    q: StatsQuery,
    orgs: Vec<Choice>,
    quick: Vec<(String, String)>,
    period_label: String,
    lines: Vec<Line>,
    campaigns: Vec<CampaignLine>,
    sentence: String,
    errors: FieldErrors,
}

/// Quick picks: this year, its halves and quarters, and last year.
fn quick_periods(year: i32) -> Vec<(String, String)> {
    let mut codes = vec![format!("{year}"), format!("{year}H1"), format!("{year}H2")];
    codes.extend((1..=4).map(|q| format!("{year}Q{q}")));
    codes.push(format!("{}", year - 1));
    codes.push(format!("{}H2", year - 1));
    codes
        .into_iter()
        .filter_map(|c| Period::parse(&c).ok())
        .map(|p| (p.code(), p.label()))
        .collect()
}

/// What the summary report says of these figures (its wording rules are in DOMAIN.md).
pub fn sentence(s: &HazardStats) -> String {
    let mut out = format!(
        "共计开展安全检查{}次，检查覆盖企业{}家，排查一般安全隐患问题{}项",
        s.inspections, s.inspected_orgs, s.hazards_general_found
    );
    if s.hazards_major_found > 0 {
        out.push_str(&format!("、重大事故隐患{}项", s.hazards_major_found));
    }
    if s.hazards_found > 0 {
        if s.hazards_open == 0 {
            out.push_str("，已全部完成整改");
        } else {
            out.push_str(&format!(
                "，已整改{}项，整改率{}，剩余{}项正在整改",
                s.hazards_rectified,
                percent(s.rectification_rate),
                s.hazards_open
            ));
        }
    }
    if s.hazards_major_listed == 0 {
        out.push_str("，无挂牌督办重大隐患");
    } else {
        out.push_str(&format!("，挂牌督办重大隐患{}项", s.hazards_major_listed));
    }
    if s.illegal_operations_found > 0 {
        out.push_str(&format!(
            "，发现非法、违法生产经营行为{}起",
            s.illegal_operations_found
        ));
    }
    out.push('。');
    out
}

fn lines(s: &HazardStats, link: &dyn Fn(&str) -> String) -> Vec<Line> {
    let line = |label: &str, sub: bool, value: i64, code: &str| Line {
        label: label.to_string(),
        sub,
        value: value.to_string(),
        link: Some(link(code)),
    };
    let mut out = vec![line("安全检查（次）", false, s.inspections, "inspections")];
    for k in InspectionKind::ALL {
        let n = s.inspections_by_kind.get(k.code()).copied().unwrap_or(0);
        out.push(line(
            k.label(),
            true,
            n,
            &format!("inspections_by_kind.{}", k.code()),
        ));
    }
    out.push(line(
        "检查覆盖单位（家）",
        false,
        s.inspected_orgs,
        "inspected_orgs",
    ));
    out.push(line(
        "发现非法、违法生产经营行为（次）",
        false,
        s.illegal_operations_found,
        "illegal_operations_found",
    ));
    out.push(line(
        "排查隐患（项）",
        false,
        s.hazards_found,
        "hazards_found",
    ));
    out.push(line(
        "一般隐患",
        true,
        s.hazards_general_found,
        "hazards_general_found",
    ));
    out.push(line(
        "重大隐患",
        true,
        s.hazards_major_found,
        "hazards_major_found",
    ));
    out.push(line(
        "已整改（项）",
        false,
        s.hazards_rectified,
        "hazards_rectified",
    ));
    out.push(line(
        "一般隐患",
        true,
        s.hazards_general_rectified,
        "hazards_general_rectified",
    ));
    out.push(line(
        "重大隐患",
        true,
        s.hazards_major_rectified,
        "hazards_major_rectified",
    ));
    out.push(Line {
        label: "整改率".into(),
        sub: false,
        value: percent(s.rectification_rate),
        link: None,
    });
    out.push(line("未整改（项）", false, s.hazards_open, "hazards_open"));
    out.push(line("逾期", true, s.hazards_overdue, "hazards_overdue"));
    out.push(line(
        "挂牌督办重大隐患（项）",
        false,
        s.hazards_major_listed,
        "hazards_major_listed",
    ));
    out
}

fn base_query(period: &Period, org_id: &str) -> String {
    query_string(&[
        ("period", period.code()),
        ("org_id", org_id.trim().to_string()),
    ])
}

async fn org_list(state: &AppState, auth: &Auth) -> Result<Vec<Choice>, PageError> {
    if auth.ctx().can(Permission::OrgView) {
        Ok(org_choices(state, auth).await?)
    } else {
        Ok(Vec::new())
    }
}

fn org_param(q: &StatsQuery) -> Result<Option<i64>, FieldErrors> {
    let v = q.org_id.trim();
    if v.is_empty() {
        return Ok(None);
    }
    v.parse::<i64>()
        .map(Some)
        .map_err(|_| FieldErrors::single("org_id", "组织编号必须是整数"))
}

pub async fn index(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<StatsQuery>,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    let today = anjian_domain::time::today(anjian_db::now());
    let mut page = IndexPage {
        chrome: Chrome::new(&auth, "/statistics", "检查与隐患统计")
            .crumb("/statistics", "统计分析"),
        orgs: org_list(&state, &auth).await?,
        quick: quick_periods(today.year()),
        period_label: String::new(),
        lines: Vec::new(),
        campaigns: Vec::new(),
        sentence: String::new(),
        errors: FieldErrors::new(),
        q: q.clone(),
    };
    let asked =
        resolve_period(&q.period, &q.from, &q.to).and_then(|p| org_param(&q).map(|o| (p, o)));
    let (period, org_id) = match asked {
        Ok(v) => v,
        Err(errors) => {
            page.errors = errors;
            let html = page.render().map_err(PageError::from)?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
        }
    };
    let s = statistics::hazard_statistics(&state.db, &ctx, &period, org_id).await?;
    let base = base_query(&period, &q.org_id);
    let link = |code: &str| format!("/statistics/records?{base}&figure={code}");
    page.period_label = period.label();
    page.q.period = period.code();
    page.lines = lines(&s, &link);
    page.campaigns = s
        .per_campaign
        .iter()
        .map(|c| {
            let cell = |v: i64, f: &str| {
                (
                    v.to_string(),
                    link(&format!("per_campaign.{}.{f}", c.campaign_id)),
                )
            };
            CampaignLine {
                name: c.name.clone(),
                cells: vec![
                    cell(c.inspections, "inspections"),
                    cell(c.hazards_found, "hazards_found"),
                    cell(c.hazards_rectified, "hazards_rectified"),
                    cell(c.hazards_open, "hazards_open"),
                ],
            }
        })
        .collect();
    page.sentence = sentence(&s);
    Ok(Html(page.render().map_err(PageError::from)?).into_response())
}

/// Records page size: ids are short, a long page is fine on a phone.
const RECORDS_PER_PAGE: usize = 100;

#[derive(Template)]
#[template(path = "statistics/records.html")]
struct RecordsPage {
    chrome: Chrome,
    label: String,
    period_label: String,
    total: usize,
    links: Vec<(String, String)>,
    back: String,
    prev: Option<String>,
    next: Option<String>,
    page: usize,
    pages: usize,
}

pub async fn records(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<StatsQuery>,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    let period =
        resolve_period(&q.period, &q.from, &q.to).map_err(crate::error::AppError::Invalid)?;
    let org_id = org_param(&q).map_err(crate::error::AppError::Invalid)?;
    let figure = Figure::parse(&q.figure).ok_or_else(|| {
        crate::error::AppError::Invalid(FieldErrors::single("figure", "未知的统计项"))
    })?;
    let ids = statistics::record_ids(&state.db, &ctx, &period, org_id, &q.figure).await?;
    let (prefix, noun) = match figure.records() {
        RecordKind::Inspection => ("/inspections/", "检查记录"),
        RecordKind::Org => ("/orgs/", "单位"),
        RecordKind::Hazard => ("/hazards/", "隐患"),
    };
    let pages = ids.len().div_ceil(RECORDS_PER_PAGE).max(1);
    let page = q.page.unwrap_or(1).clamp(1, pages);
    let links = ids
        .iter()
        .skip((page - 1) * RECORDS_PER_PAGE)
        .take(RECORDS_PER_PAGE)
        .map(|id| (format!("{prefix}{id}"), format!("{noun}#{id}")))
        .collect();
    let base = base_query(&period, &q.org_id);
    let here = format!("/statistics/records?{base}&figure={}", figure.code());
    let p = RecordsPage {
        chrome: Chrome::new(&auth, "/statistics", figure.label())
            .crumb(format!("/statistics?{base}"), "统计分析")
            .crumb(here.clone(), figure.label()),
        label: figure.label(),
        period_label: period.label(),
        total: ids.len(),
        links,
        back: format!("/statistics?{base}"),
        prev: (page > 1).then(|| format!("{here}&page={}", page - 1)),
        next: (page < pages).then(|| format!("{here}&page={}", page + 1)),
        page,
        pages,
    };
    Ok(Html(p.render().map_err(PageError::from)?).into_response())
}
