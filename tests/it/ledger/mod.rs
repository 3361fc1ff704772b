//! Conformance stories of this module on the real database (SQLite, or PostgreSQL with
//! ANJIAN_TEST_PG_URL).

use anjian_testkit::{Fixture, TestApp};

/// Records of unit B, one per kind of id this module's routes take, keyed by the path fragment
/// that identifies the route. routes_walk checks each answers 404 to unit A.
pub async fn foreign_ids(_app: &TestApp, _f: &Fixture) -> Vec<(&'static str, i64)> {
    Vec::new()
}
