//! Item pages of a checklist: add (on the checklist page), edit, move up/down, deactivate and
//! reactivate. Every form carries the checklist's version; a stale one is refused.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;

use anjian_db::checklist::{self, ChecklistItem, ChecklistRow};
use anjian_db::{DbError, FieldErrors};
use anjian_domain::role::Permission;

use super::forms::{row_version, ItemForm, VersionForm};
use crate::auth::{Access, Auth};
use crate::error::{AppError, PageError, PageResult};
use crate::extract::Id;
use crate::layout::Chrome;
use crate::routes::RouteTable;
use crate::AppState;

pub fn routes() -> RouteTable {
    let plan = Access::Perm(Permission::InspectionPlan);
    RouteTable::default()
        .post("/checklists/{id}/items", plan, add)
        .get("/checklist-items/{id}/edit", plan, edit_page)
        .post("/checklist-items/{id}", plan, update)
        .post("/checklist-items/{id}/up", plan, move_up)
        .post("/checklist-items/{id}/down", plan, move_down)
        .post("/checklist-items/{id}/deactivate", plan, deactivate)
        .post("/checklist-items/{id}/activate", plan, activate)
}

async fn add(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Form(f): Form<ItemForm>,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    let c = checklist::get(&state.db, &ctx, id).await?;
    if !c.can_manage(&ctx) {
        return Err(DbError::Forbidden.into());
    }
    let version = match row_version(&f.row_version) {
        Ok(v) => v,
        Err(errors) => {
            return super::routes::render_detail(&state, &auth, c, f, errors, None, None).await
        }
    };
    match checklist::add_item(&state.db, &ctx, id, &f.to_input(), Some(version)).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/checklists/{id}?notice=created#items")).into_response())
        }
        Err(DbError::Invalid(errors)) => {
            super::routes::render_detail(&state, &auth, c, f, errors, None, None).await
        }
        Err(DbError::Conflict(m)) => {
            super::routes::render_detail(&state, &auth, c, f, FieldErrors::new(), Some(m), None)
                .await
        }
        Err(e) => Err(e.into()),
    }
}

/// An item and its checklist, when the caller may change them (404 / 403 otherwise).
async fn managed(
    state: &AppState,
    auth: &Auth,
    item_id: i64,
) -> Result<(ChecklistRow, ChecklistItem), PageError> {
    let ctx = auth.ctx();
    let (c, item) = checklist::get_item(&state.db, &ctx, item_id).await?;
    if !c.can_manage(&ctx) {
        return Err(DbError::Forbidden.into());
    }
    Ok((c, item))
}

#[derive(Template)]
#[template(path = "checklist/item_form.html")]
struct ItemPage {
    chrome: Chrome,
    c: ChecklistRow,
    item: ChecklistItem,
    form: ItemForm,
    errors: FieldErrors,
    conflict: Option<String>,
}

fn item_page(
    auth: &Auth,
    c: ChecklistRow,
    item: ChecklistItem,
    form: ItemForm,
    errors: FieldErrors,
    conflict: Option<String>,
) -> PageResult<Response> {
    let status = super::form_status(&errors, &conflict);
    let cid = c.checklist.id;
    let p = ItemPage {
        chrome: Chrome::new(auth, "/checklists", "编辑检查项")
            .crumb("/checklists", "检查表库")
            .crumb(format!("/checklists/{cid}"), c.checklist.name.clone())
            .crumb(format!("/checklist-items/{}/edit", item.id), "编辑检查项"),
        c,
        item,
        form,
        errors,
        conflict,
    };
    Ok((status, Html(p.render().map_err(PageError::from)?)).into_response())
}

async fn edit_page(State(state): State<AppState>, auth: Auth, Id(id): Id) -> PageResult<Response> {
    let (c, item) = managed(&state, &auth, id).await?;
    let form = ItemForm::from_item(&item, c.checklist.row_version);
    item_page(&auth, c, item, form, FieldErrors::new(), None)
}

async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Form(f): Form<ItemForm>,
) -> PageResult<Response> {
    let (c, item) = managed(&state, &auth, id).await?;
    let version = match row_version(&f.row_version) {
        Ok(v) => v,
        Err(errors) => return item_page(&auth, c, item, f, errors, None),
    };
    let cid = c.checklist.id;
    match checklist::update_item(&state.db, &auth.ctx(), id, &f.to_input(), version).await {
        Ok(_) => Ok(Redirect::to(&format!("/checklists/{cid}?notice=saved#items")).into_response()),
        Err(DbError::Invalid(errors)) => item_page(&auth, c, item, f, errors, None),
        Err(DbError::Conflict(m)) => item_page(&auth, c, item, f, FieldErrors::new(), Some(m)),
        Err(e) => Err(e.into()),
    }
}

enum Action {
    Up,
    Down,
    Deactivate,
    Activate,
}

async fn act(
    state: &AppState,
    auth: &Auth,
    id: i64,
    f: &VersionForm,
    a: Action,
) -> PageResult<Response> {
    let (c, _) = managed(state, auth, id).await?;
    let version = row_version(&f.row_version).map_err(|e| PageError(AppError::Invalid(e)))?;
    let ctx = auth.ctx();
    let db = &state.db;
    let notice = match a {
        Action::Up => checklist::move_item(db, &ctx, id, true, version)
            .await
            .map(|_| "saved"),
        Action::Down => checklist::move_item(db, &ctx, id, false, version)
            .await
            .map(|_| "saved"),
        Action::Deactivate => checklist::set_item_active(db, &ctx, id, false, version)
            .await
            .map(|_| "deactivated"),
        Action::Activate => checklist::set_item_active(db, &ctx, id, true, version)
            .await
            .map(|_| "activated"),
    }?;
    Ok(Redirect::to(&format!(
        "/checklists/{}?notice={notice}#item-{id}",
        c.checklist.id
    ))
    .into_response())
}

async fn move_up(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Form(f): Form<VersionForm>,
) -> PageResult<Response> {
    act(&state, &auth, id, &f, Action::Up).await
}

async fn move_down(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Form(f): Form<VersionForm>,
) -> PageResult<Response> {
    act(&state, &auth, id, &f, Action::Down).await
}

async fn deactivate(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Form(f): Form<VersionForm>,
) -> PageResult<Response> {
    act(&state, &auth, id, &f, Action::Deactivate).await
}

async fn activate(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Form(f): Form<VersionForm>,
) -> PageResult<Response> {
    act(&state, &auth, id, &f, Action::Activate).await
}
