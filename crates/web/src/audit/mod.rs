//! The audit trail for audit administrators: browse, filter, export.

pub mod routes;
