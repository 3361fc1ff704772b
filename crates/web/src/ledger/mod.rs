//! Safety work ledgers (安全工作台账): one set of pages, one export, one import and one JSON API
//! for the six ledgers (funding, training, publicity, drills, meetings, letters), driven by the
//! field lists of `anjian_domain::ledger`, plus the overview with period statistics and the boards.

pub mod api;
pub mod boards;
pub mod excel;
pub mod pages;
pub mod settings;
pub mod settings_api;
pub mod view;

use axum::http::Uri;

use anjian_domain::ledger::LedgerKind;
use anjian_domain::role::Permission;

use crate::auth::Access;
use crate::error::AppError;
use crate::routes::RouteTable;

/// The ledger a per-ledger page belongs to, from its path (`/ledgers/drills/new` → Drill).
pub fn kind_of(uri: &Uri) -> Result<LedgerKind, AppError> {
    uri.path()
        .strip_prefix("/ledgers/")
        .and_then(|rest| rest.split('/').next())
        .and_then(LedgerKind::from_code)
        .ok_or(AppError::NotFound)
}

/// The per-ledger routes of one ledger; the paths are literals so the route table lists them.
macro_rules! ledger_routes {
    ($t:expr, $seg:literal, $view:expr, $record:expr) => {
        $t.get(concat!("/ledgers/", $seg), $view, pages::list)
            .post(concat!("/ledgers/", $seg), $record, pages::create)
            .get(concat!("/ledgers/", $seg, "/new"), $record, pages::new_page)
            .get(concat!("/ledgers/", $seg, "/export"), $view, excel::export)
            .get(concat!("/ledgers/", $seg, "/import"), $record, excel::page)
            .post(
                concat!("/ledgers/", $seg, "/import"),
                $record,
                excel::preview,
            )
            .post(
                concat!("/ledgers/", $seg, "/import/confirm"),
                $record,
                excel::confirm,
            )
            .get(
                concat!("/ledgers/", $seg, "/import/template"),
                $record,
                excel::template,
            )
    };
}

/// Pages and JSON routes of this module.
pub fn routes() -> RouteTable {
    let view = Access::Perm(Permission::LedgerView);
    let record = Access::Perm(Permission::LedgerRecord);
    let manage = Access::Perm(Permission::LedgerSettings);
    let t = RouteTable::default()
        .get("/ledgers", view, pages::overview)
        .get("/ledgers/org-options", view, view::org_options)
        .get("/ledgers/settings", manage, settings::page)
        .post("/ledgers/settings", manage, settings::save_rules)
        .post(
            "/ledgers/settings/categories",
            manage,
            settings::add_category,
        )
        .post(
            "/ledgers/settings/categories/{id}",
            manage,
            settings::update_category,
        )
        .post(
            "/ledgers/settings/categories/{id}/delete",
            manage,
            settings::delete_category,
        )
        .get("/ledgers/boards/drills", view, boards::drills)
        .get("/ledgers/boards/meetings", view, boards::meetings)
        .get("/ledgers/boards/letters", view, boards::letters)
        .get(
            "/ledgers/boards/training-hours",
            view,
            boards::training_hours,
        )
        .get("/ledgers/entries/{id}", view, pages::detail)
        .get("/ledgers/entries/{id}/edit", record, pages::edit_page)
        .post("/ledgers/entries/{id}", record, pages::update)
        .post("/ledgers/entries/{id}/delete", record, pages::delete)
        .post("/ledgers/entries/{id}/attachments", record, pages::attach)
        .post(
            "/ledgers/entries/{id}/attachments/remove",
            record,
            pages::detach,
        )
        // The owner of an item may close it without LedgerRecord: the data layer decides.
        .post("/ledgers/items/{id}/done", view, pages::item_done);
    let t = ledger_routes!(t, "funding", view, record);
    let t = ledger_routes!(t, "training", view, record);
    let t = ledger_routes!(t, "publicity", view, record);
    let t = ledger_routes!(t, "drills", view, record);
    let t = ledger_routes!(t, "meetings", view, record);
    let t = ledger_routes!(t, "letters", view, record);
    t.merge(api::routes()).merge(settings_api::routes())
}

/// This module's part of the OpenAPI document, merged into the whole by `api::document`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    use utoipa::OpenApi;
    let mut doc = api::LedgerApi::openapi();
    doc.merge(settings_api::LedgerSettingsApi::openapi());
    doc
}
