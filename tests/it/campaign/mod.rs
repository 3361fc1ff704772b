//! Campaigns and key periods: the default set of a year, who sees and manages which campaign,
//! the forms and API with their Chinese field errors, the per-campaign figures read from
//! inspections and hazards, and the contract the inspection and hazard modules rely on.

use anjian_testkit::{Fixture, TestApp};

use crate::checklist::support;

mod api;
mod contract;
mod defaults;
mod manage;
mod stats;

/// Records of unit B, one per kind of id this module's routes take, keyed by the path fragment
/// that identifies the route (e.g. "/hazards/"). routes_walk checks each answers 404 to unit A.
pub async fn foreign_ids(app: &TestApp, f: &Fixture) -> Vec<(&'static str, i64)> {
    let id = support::insert_campaign(app, f.unit_b.id, "乙单位自行开展的专项行动").await;
    vec![("/campaigns/", id)]
}
