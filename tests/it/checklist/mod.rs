//! The checklist library: the seeded built-in checklists, who may see and maintain which
//! checklist, editing checklists and their items through the pages and the API (Chinese field
//! errors, stale versions, audit), and the contract the inspection module relies on.

use anjian_testkit::{Fixture, TestApp};

mod api;
mod contract;
mod items;
mod library;
mod manage;
pub mod support;

/// Records of unit B, one per kind of id this module's routes take, keyed by the path fragment
/// that identifies the route (e.g. "/hazards/"). routes_walk checks each answers 404 to unit A.
pub async fn foreign_ids(app: &TestApp, f: &Fixture) -> Vec<(&'static str, i64)> {
    let (list, item) = support::insert_checklist(app, f.unit_b.id, "乙单位自建检查表").await;
    vec![("/checklists/", list), ("/checklist-items/", item)]
}
