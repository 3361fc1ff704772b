//! Audit pages.

use crate::routes::RouteTable;

pub fn routes() -> RouteTable {
    RouteTable::default()
}
