//! Inspection tasks: issuing them to units, the completion board with hand-computed figures,
//! what a unit sees of them, editing and cancelling (stale versions, audit), the API, and the
//! contract the inspection module relies on.

use anjian_testkit::{Fixture, TestApp};

use crate::checklist::support;

mod api;
mod board;
mod contract;
mod manage;

/// Records of unit B, one per kind of id this module's routes take, keyed by the path fragment
/// that identifies the route (e.g. "/hazards/"). routes_walk checks each answers 404 to unit A.
pub async fn foreign_ids(app: &TestApp, f: &Fixture) -> Vec<(&'static str, i64)> {
    let id = support::insert_task(app, f.unit_b.id, &[f.unit_b.id], "2023-05-31").await;
    vec![("/inspection-tasks/", id)]
}
