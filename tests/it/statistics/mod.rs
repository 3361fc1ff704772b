//! statistics tests (stub).
