//! checklist tests (stub).

use anjian_testkit::{Fixture, TestApp};

/// Records of unit B, one per kind of id this module's routes take, keyed by the path fragment
/// that identifies the route (e.g. "/hazards/"). routes_walk checks each answers 404 to unit A.
pub async fn foreign_ids(_app: &TestApp, _f: &Fixture) -> Vec<(&'static str, i64)> {
    Vec::new()
}
