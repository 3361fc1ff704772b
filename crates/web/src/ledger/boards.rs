//! The boards: units overdue for a drill, quarters without a quarterly safety meeting, units
//! without a responsibility letter for the year, people short of yearly training hours. One
//! generic table template; each board only says its columns and which rows to flag.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use chrono::Datelike;
use serde::Deserialize;

use anjian_db::ledger;
use anjian_domain::ledger::format_hours;

use crate::auth::Auth;
use crate::error::{PageError, PageResult};
use crate::layout::Chrome;
use crate::AppState;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BoardQuery {
    pub year: String,
    /// Show only the flagged rows.
    pub flagged: String,
}

impl BoardQuery {
    fn year(&self) -> i32 {
        self.year
            .trim()
            .parse::<i32>()
            .ok()
            .filter(|y| (1990..=2099).contains(y))
            .unwrap_or_else(|| ledger::today().year())
    }
}

pub struct BoardRow {
    pub cells: Vec<String>,
    pub flagged: bool,
    /// One tag each: tags do not wrap inside, so several short ones fit a phone.
    pub flags: Vec<String>,
}

#[derive(Template)]
#[template(path = "ledger/board.html")]
struct BoardPage {
    chrome: Chrome,
    action: &'static str,
    /// Whether the board is per year (shows the year field).
    yearly: bool,
    year: i32,
    only_flagged: bool,
    rule: String,
    headers: Vec<&'static str>,
    rows: Vec<BoardRow>,
    flagged: usize,
}

#[allow(clippy::too_many_arguments)]
fn page(
    auth: &Auth,
    action: &'static str,
    title: &str,
    q: &BoardQuery,
    yearly: bool,
    rule: String,
    headers: Vec<&'static str>,
    rows: Vec<BoardRow>,
) -> PageResult<Html<String>> {
    let flagged = rows.iter().filter(|r| r.flagged).count();
    let only = !q.flagged.is_empty();
    let rows = rows.into_iter().filter(|r| !only || r.flagged).collect();
    let p = BoardPage {
        chrome: Chrome::new(auth, "/ledgers", title)
            .crumb("/ledgers", "安全工作台账")
            .crumb(action, title),
        action,
        yearly,
        year: q.year(),
        only_flagged: only,
        rule,
        headers,
        rows,
        flagged,
    };
    Ok(Html(p.render().map_err(PageError::from)?))
}

fn date(d: Option<chrono::NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_else(|| "无记录".into())
}

pub async fn drills(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<BoardQuery>,
) -> PageResult<Html<String>> {
    // One read of the settings for both the flags and the rule shown above them.
    let i = ledger::settings::rules(&state.db).await?.drill;
    let rows = ledger::drill_board_with(&state.db, &auth.ctx(), ledger::today(), i).await?;
    let rows = rows
        .into_iter()
        .map(|r| {
            let mut flag = Vec::new();
            if r.plan_overdue {
                flag.push("综合/专项预案演练超期");
            }
            if r.onsite_overdue {
                flag.push("现场处置方案演练超期");
            }
            BoardRow {
                cells: vec![r.org_name, date(r.last_plan), date(r.last_onsite)],
                flagged: !flag.is_empty(),
                flags: flag.into_iter().map(str::to_string).collect(),
            }
        })
        .collect();
    let rule = format!(
        "按台账设置：每{}个月至少组织一次综合或专项应急预案演练，每{}个月至少组织一次现场处置方案演练（《生产安全事故应急预案管理办法》第三十三条：每年、每半年至少一次）。",
        i.plan_months, i.onsite_months
    );
    page(
        &auth,
        "/ledgers/boards/drills",
        "演练超期单位",
        &q,
        false,
        rule,
        vec!["单位", "最近综合/专项预案演练", "最近现场处置方案演练"],
        rows,
    )
}

pub async fn meetings(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<BoardQuery>,
) -> PageResult<Html<String>> {
    let rows = ledger::meeting_board(&state.db, &auth.ctx(), q.year(), ledger::today()).await?;
    let rows = rows
        .into_iter()
        .map(|r| {
            let mut cells = vec![r.org_name];
            cells.extend(r.quarters.iter().map(|n| n.to_string()));
            BoardRow {
                cells,
                flagged: !r.missing.is_empty(),
                flags: r
                    .missing
                    .iter()
                    .map(|q| format!("第{q}季度未召开"))
                    .collect(),
            }
        })
        .collect();
    page(
        &auth,
        "/ledgers/boards/meetings",
        "季度安全生产工作会议",
        &q,
        true,
        "每季度召开安全生产工作会议；已开始的季度未登记季度会议的标为缺失。".into(),
        vec!["单位", "一季度", "二季度", "三季度", "四季度"],
        rows,
    )
}

pub async fn letters(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<BoardQuery>,
) -> PageResult<Html<String>> {
    let rows = ledger::letter_board(&state.db, &auth.ctx(), q.year()).await?;
    let rows = rows
        .into_iter()
        .map(|r| BoardRow {
            flagged: r.signed_on.is_none(),
            flags: if r.signed_on.is_none() {
                vec!["未签订".into()]
            } else {
                Vec::new()
            },
            cells: vec![
                r.org_name,
                r.signed_on.map(|d| d.to_string()).unwrap_or_default(),
            ],
        })
        .collect();
    page(
        &auth,
        "/ledgers/boards/letters",
        "目标责任书签订情况",
        &q,
        true,
        "与局属单位逐年签订安全生产暨消防安全目标责任书。".into(),
        vec!["单位", "签订日期"],
        rows,
    )
}

pub async fn training_hours(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<BoardQuery>,
) -> PageResult<Html<String>> {
    let m = ledger::settings::rules(&state.db).await?.training;
    let rows = ledger::training_hours_with(&state.db, &auth.ctx(), q.year(), None, m).await?;
    let rows = rows
        .into_iter()
        .map(|p| BoardRow {
            flagged: p.shortfall_tenths > 0,
            flags: if p.shortfall_tenths > 0 {
                vec![format!("差 {} 学时", format_hours(p.shortfall_tenths))]
            } else {
                Vec::new()
            },
            cells: vec![
                p.name,
                p.org_name,
                format_hours(p.hours_tenths),
                format_hours(p.minimum_tenths),
            ],
        })
        .collect();
    let rule = format!(
        "按台账设置（依据《生产经营单位安全培训规定》）：主要负责人和安全生产管理人员每年再培训不少于{}学时（初次不少于{}学时），其他从业人员每年不少于{}学时（新上岗岗前不少于{}学时）。学时按登记了参训人员的培训记录统计。",
        format_hours(m.manager_yearly_tenths),
        format_hours(m.manager_initial_tenths),
        format_hours(m.staff_yearly_tenths),
        format_hours(m.newcomer_tenths)
    );
    page(
        &auth,
        "/ledgers/boards/training-hours",
        "个人年度培训学时",
        &q,
        true,
        rule,
        vec!["姓名", "单位", "年度学时", "应达学时"],
        rows,
    )
}
