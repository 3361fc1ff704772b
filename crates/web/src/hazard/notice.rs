//! The printable rectification notice (整改通知书) of one unit, and the supervision list of major
//! hazards (挂牌督办).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use serde::Deserialize;

use anjian_db::hazard::{self, Notice, SupervisionItem};
use anjian_db::org;

use super::view::{self, OrgOption};
use crate::auth::Auth;
use crate::error::{PageError, PageResult};
use crate::layout::Chrome;
use crate::AppState;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NoticeQuery {
    org_id: String,
}

#[derive(Template)]
#[template(path = "hazard/notice.html")]
struct NoticePage {
    chrome: Chrome,
    orgs: Vec<OrgOption>,
    selected: String,
    n: Option<Notice>,
}

/// Without `org_id`, a picker; with it, the notice (404 when the organisation is out of scope).
pub async fn notice_page(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<NoticeQuery>,
) -> PageResult<Html<String>> {
    let ctx = auth.ctx();
    let selected = q.org_id.trim().parse::<i64>().ok();
    let n = match selected {
        Some(o) => Some(hazard::notice(&state.db, &ctx, o).await?),
        None => None,
    };
    let orgs = org::all_in_scope(&state.db, &ctx, false).await?;
    let p = NoticePage {
        chrome: Chrome::new(&auth, "/hazards", "整改通知书")
            .crumb("/hazards", "隐患台账")
            .crumb("/hazards/notice", "整改通知书"),
        orgs: view::org_options(&orgs, false),
        selected: selected.map(|s| s.to_string()).unwrap_or_default(),
        n,
    };
    Ok(Html(p.render().map_err(PageError::from)?))
}

#[derive(Template)]
#[template(path = "hazard/supervision.html")]
struct SupervisionPage {
    chrome: Chrome,
    items: Vec<SupervisionItem>,
}

pub async fn supervision_page(
    State(state): State<AppState>,
    auth: Auth,
) -> PageResult<Html<String>> {
    let items = hazard::list_for_supervision(&state.db, &auth.ctx()).await?;
    let p = SupervisionPage {
        chrome: Chrome::new(&auth, "/hazards", "重大隐患挂牌督办")
            .crumb("/hazards", "隐患台账")
            .crumb("/hazards/supervision", "重大隐患挂牌督办"),
        items,
    };
    Ok(Html(p.render().map_err(PageError::from)?))
}
