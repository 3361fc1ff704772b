//! Organisation pages: list with query form and toolbar, detail, create, edit, move, deactivate,
//! Excel export.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use anjian_db::audit::{self, Change};
use anjian_db::org::{self, Org, OrgFilter};
use anjian_db::{DbError, FieldErrors, PageReq};
use anjian_domain::org::OrgKind;
use anjian_domain::role::Permission;

use super::forms::{MoveForm, OrgForm};
use crate::auth::{Access, Auth};
use crate::error::{AppError, PageError, PageResult};
use crate::extract::Id;
use crate::layout::{query_string, Chrome, Pager};
use crate::routes::RouteTable;
use crate::AppState;

pub fn routes() -> RouteTable {
    let view = Access::Perm(Permission::OrgView);
    let manage = Access::Perm(Permission::OrgManage);
    RouteTable::default()
        .get("/orgs", view, list)
        .get("/orgs/export", view, export)
        .get("/orgs/new", manage, new_page)
        .post("/orgs", manage, create)
        .get("/orgs/{id}", view, detail)
        .get("/orgs/{id}/edit", manage, edit_page)
        .post("/orgs/{id}", manage, update)
        .get("/orgs/{id}/move", manage, move_page)
        .post("/orgs/{id}/move", manage, move_submit)
        .post("/orgs/{id}/deactivate", manage, deactivate)
        .post("/orgs/{id}/activate", manage, activate)
        .merge(super::import::routes())
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    pub keyword: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub include_inactive: String,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
    pub notice: Option<String>,
}

impl ListQuery {
    fn filter(&self) -> OrgFilter {
        OrgFilter {
            keyword: Some(self.keyword.clone()),
            kind: OrgKind::from_code(&self.kind),
            include_inactive: !self.include_inactive.is_empty(),
            under: None,
        }
    }
    fn query_string(&self) -> String {
        query_string(&[
            ("keyword", self.keyword.clone()),
            ("kind", self.kind.clone()),
            ("include_inactive", self.include_inactive.clone()),
        ])
    }
}

/// One row of the list: the node plus its indentation for the tree view.
pub struct OrgLine {
    pub org: Org,
    pub indent: String,
}

#[derive(Template)]
#[template(path = "org/list.html")]
struct ListPage {
    chrome: Chrome,
    q: ListQuery,
    rows: Vec<OrgLine>,
    pager: Pager,
    can_manage: bool,
    export_query: String,
    kinds: Vec<(&'static str, &'static str)>,
}

fn kinds() -> Vec<(&'static str, &'static str)> {
    OrgKind::ALL.iter().map(|k| (k.code(), k.label())).collect()
}

fn indent(o: &Org) -> String {
    "　".repeat(o.depth())
}

async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ListQuery>,
) -> PageResult<Html<String>> {
    let ctx = auth.ctx();
    let page = org::list(
        &state.db,
        &ctx,
        &q.filter(),
        PageReq::new(q.page, q.page_size),
    )
    .await?;
    let pager = Pager::new(&page, "/orgs", &q.query_string());
    let rows = page
        .items
        .into_iter()
        .map(|o| OrgLine {
            indent: indent(&o),
            org: o,
        })
        .collect();
    let p = ListPage {
        chrome: Chrome::new(&auth, "/orgs", "组织机构")
            .crumb("/orgs", "组织机构")
            .notice(q.notice.as_deref()),
        export_query: q.query_string(),
        q,
        rows,
        pager,
        can_manage: ctx.can(Permission::OrgManage),
        kinds: kinds(),
    };
    Ok(Html(p.render().map_err(PageError::from)?))
}

async fn export(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ListQuery>,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    let f = q.filter();
    let page = org::list(
        &state.db,
        &ctx,
        &f,
        PageReq {
            page: 1,
            page_size: 100_000,
        },
    )
    .await?;
    let bytes = crate::org::api::xlsx(&page.items)
        .map_err(|e| AppError::Internal(format!("导出失败：{e}")))?;
    audit::record_alone(
        &state.db,
        &ctx,
        Change::new("org", "", "export")
            .after(serde_json::json!({"rows": page.items.len(), "query": q.query_string()})),
    )
    .await?;
    Ok(xlsx_response(bytes, "组织机构.xlsx"))
}

pub fn xlsx_response(bytes: Vec<u8>, filename: &str) -> Response {
    let disposition = format!(
        "attachment; filename=\"export.xlsx\"; filename*=UTF-8''{}",
        crate::auth::urlencode(filename)
    );
    let mut res = (StatusCode::OK, bytes).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

#[derive(Template)]
#[template(path = "org/detail.html")]
struct DetailPage {
    chrome: Chrome,
    org: Org,
    parent_name: String,
    children: Vec<Org>,
    can_manage: bool,
    is_own: bool,
}

#[derive(Deserialize, Default)]
struct NoticeQuery {
    notice: Option<String>,
}

async fn detail(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Query(q): Query<NoticeQuery>,
) -> PageResult<Html<String>> {
    let ctx = auth.ctx();
    let o = org::get(&state.db, &ctx, id).await?;
    let parent_name = match o.parent_id {
        // The parent of the user's own node is outside their scope: show no name for it.
        Some(p) => org::get(&state.db, &ctx, p)
            .await
            .map(|p| p.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    let children = org::children(&state.db, &ctx, id).await?;
    let p = DetailPage {
        children,
        chrome: Chrome::new(&auth, "/orgs", o.name.clone())
            .crumb("/orgs", "组织机构")
            .crumb(format!("/orgs/{id}"), o.name.clone())
            .notice(q.notice.as_deref()),
        is_own: o.path == ctx.scope_path(),
        can_manage: ctx.can(Permission::OrgManage),
        parent_name,
        org: o,
    };
    Ok(Html(p.render().map_err(PageError::from)?))
}

#[derive(Template)]
#[template(path = "org/form.html")]
struct FormPage {
    chrome: Chrome,
    action: String,
    editing: bool,
    form: OrgForm,
    errors: FieldErrors,
    /// The stale-version refusal, shown above the form (409).
    conflict: Option<String>,
    parents: Vec<OrgLine>,
    kinds: Vec<(&'static str, &'static str)>,
}

async fn parents(state: &AppState, auth: &Auth) -> Result<Vec<OrgLine>, DbError> {
    let all = org::all_in_scope(&state.db, &auth.ctx(), false).await?;
    Ok(all
        .into_iter()
        .filter(|o| o.kind() != OrgKind::Site)
        .map(|o| OrgLine {
            indent: indent(&o),
            org: o,
        })
        .collect())
}

async fn form_page(
    state: &AppState,
    auth: &Auth,
    editing: Option<&Org>,
    form: OrgForm,
    errors: FieldErrors,
    conflict: Option<String>,
) -> PageResult<Response> {
    let (title, action) = match editing {
        Some(o) => (format!("编辑：{}", o.name), format!("/orgs/{}", o.id)),
        None => ("新增组织".to_string(), "/orgs".to_string()),
    };
    let status = if conflict.is_some() {
        StatusCode::CONFLICT
    } else if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let p = FormPage {
        chrome: Chrome::new(auth, "/orgs", title.clone())
            .crumb("/orgs", "组织机构")
            .crumb(&action, title),
        action,
        editing: editing.is_some(),
        form,
        errors,
        conflict,
        parents: parents(state, auth).await?,
        kinds: kinds(),
    };
    Ok((status, Html(p.render().map_err(PageError::from)?)).into_response())
}

#[derive(Deserialize, Default)]
struct NewQuery {
    parent_id: Option<String>,
}

async fn new_page(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<NewQuery>,
) -> PageResult<Response> {
    let form = OrgForm {
        kind: "site".into(),
        parent_id: q.parent_id.unwrap_or_default(),
        ..Default::default()
    };
    form_page(&state, &auth, None, form, FieldErrors::new(), None).await
}

async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<OrgForm>,
) -> PageResult<Response> {
    let input = match f.to_input() {
        Ok(i) => i,
        Err(errors) => return form_page(&state, &auth, None, f, errors, None).await,
    };
    match org::create(&state.db, &auth.ctx(), &input).await {
        Ok(o) => Ok(Redirect::to(&format!("/orgs/{}?notice=created", o.id)).into_response()),
        Err(DbError::Invalid(errors)) => form_page(&state, &auth, None, f, errors, None).await,
        Err(e) => Err(e.into()),
    }
}

async fn edit_page(State(state): State<AppState>, auth: Auth, Id(id): Id) -> PageResult<Response> {
    let o = org::get(&state.db, &auth.ctx(), id).await?;
    form_page(
        &state,
        &auth,
        Some(&o),
        OrgForm::from_org(&o),
        FieldErrors::new(),
        None,
    )
    .await
}

async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Form(f): Form<OrgForm>,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    let o = org::get(&state.db, &ctx, id).await?;
    // The re-rendered form keeps the version the user submitted (not the current one): a form
    // sent back for a typo must still be refused if someone else saved in between.
    let (input, version) = match f.to_input().and_then(|i| Ok((i, f.row_version()?))) {
        Ok(v) => v,
        Err(errors) => return form_page(&state, &auth, Some(&o), f, errors, None).await,
    };
    match org::update(&state.db, &ctx, id, version, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/orgs/{id}?notice=saved")).into_response()),
        Err(DbError::Invalid(errors)) => form_page(&state, &auth, Some(&o), f, errors, None).await,
        Err(DbError::Conflict(m)) => {
            form_page(&state, &auth, Some(&o), f, FieldErrors::new(), Some(m)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "org/move.html")]
struct MovePage {
    chrome: Chrome,
    org: Org,
    parents: Vec<OrgLine>,
    error: Option<String>,
}

async fn render_move(
    state: &AppState,
    auth: &Auth,
    o: Org,
    error: Option<String>,
) -> PageResult<Response> {
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let parents = parents(state, auth)
        .await?
        .into_iter()
        .filter(|l| !l.org.path.starts_with(&o.path))
        .collect();
    let p = MovePage {
        chrome: Chrome::new(auth, "/orgs", format!("移动：{}", o.name))
            .crumb("/orgs", "组织机构")
            .crumb(format!("/orgs/{}", o.id), o.name.clone())
            .crumb(format!("/orgs/{}/move", o.id), "移动"),
        org: o,
        parents,
        error,
    };
    Ok((status, Html(p.render().map_err(PageError::from)?)).into_response())
}

async fn move_page(State(state): State<AppState>, auth: Auth, Id(id): Id) -> PageResult<Response> {
    let o = org::get(&state.db, &auth.ctx(), id).await?;
    render_move(&state, &auth, o, None).await
}

async fn move_submit(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Form(f): Form<MoveForm>,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    let o = org::get(&state.db, &ctx, id).await?;
    let Ok(parent) = f.parent_id.trim().parse::<i64>() else {
        return render_move(&state, &auth, o, Some("请选择新的上级组织".into())).await;
    };
    match org::move_to(&state.db, &ctx, id, parent).await {
        Ok(_) => Ok(Redirect::to(&format!("/orgs/{id}?notice=moved")).into_response()),
        Err(DbError::Invalid(errs)) => {
            let msg = errs.0.first().map(|(_, m)| m.clone());
            render_move(&state, &auth, o, msg).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn deactivate(State(state): State<AppState>, auth: Auth, Id(id): Id) -> PageResult<Response> {
    org::set_active(&state.db, &auth.ctx(), id, false).await?;
    Ok(Redirect::to(&format!("/orgs/{id}?notice=deactivated")).into_response())
}

async fn activate(State(state): State<AppState>, auth: Auth, Id(id): Id) -> PageResult<Response> {
    org::set_active(&state.db, &auth.ctx(), id, true).await?;
    Ok(Redirect::to(&format!("/orgs/{id}?notice=activated")).into_response())
}
