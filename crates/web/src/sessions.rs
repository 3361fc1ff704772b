//! Sessions page for the security administrator: who is signed in, and forced sign-out.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use anjian_db::session::{self, SessionRow};
use anjian_db::PageReq;
use anjian_domain::role::Permission;

use crate::auth::{Access, Auth};
use crate::error::{PageError, PageResult};
use crate::extract::Id;
use crate::layout::{instant, Chrome, Pager};
use crate::routes::RouteTable;
use crate::AppState;

pub fn routes() -> RouteTable {
    let manage = Access::Perm(Permission::SessionManage);
    RouteTable::default()
        .get("/sessions", manage, list)
        .post("/sessions/{id}/end", manage, end)
}

/// One active session with its display strings.
pub struct SessionLine {
    pub s: SessionRow,
    pub created: String,
    pub last_seen: String,
    /// The caller's own session: ended with 退出, not from this list.
    pub is_current: bool,
}

#[derive(Template)]
#[template(path = "sessions.html")]
struct SessionsPage {
    chrome: Chrome,
    rows: Vec<SessionLine>,
    pager: Pager,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    pub page: Option<i64>,
    pub page_size: Option<i64>,
    pub notice: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ListQuery>,
) -> PageResult<Html<String>> {
    let ctx = auth.ctx();
    let page = session::list_active(&state.db, &ctx, PageReq::new(q.page, q.page_size)).await?;
    let pager = Pager::new(&page, "/sessions", "");
    let current = auth.inner.session.as_ref().map(|s| s.id);
    let rows = page
        .items
        .into_iter()
        .map(|s| SessionLine {
            created: instant(&s.created_at),
            last_seen: instant(&s.last_seen_at),
            is_current: Some(s.id) == current,
            s,
        })
        .collect();
    let p = SessionsPage {
        chrome: Chrome::new(&auth, "/sessions", "在线会话")
            .crumb("/sessions", "在线会话")
            .notice(q.notice.as_deref()),
        rows,
        pager,
    };
    Ok(Html(p.render().map_err(PageError::from)?))
}

async fn end(State(state): State<AppState>, auth: Auth, Id(id): Id) -> PageResult<Response> {
    session::end_by_admin(&state.db, &auth.ctx(), id).await?;
    Ok(Redirect::to("/sessions?notice=ended").into_response())
}
