//! Process-level tests: they start the real `anjian` binary (built by cargo for this package)
//! and talk to it over HTTP and its command line, on SQLite or, with ANJIAN_TEST_PG_URL, on a
//! fresh PostgreSQL schema.
//!
//! - `crash`: SIGKILL mid-load; every acknowledged write survives, the audit chain verifies and
//!   the database passes its integrity checks.
//! - `demo`: `serve --demo` serves from a fresh image of itself once the demo is loaded.
//! - `two_instances` (PostgreSQL only): sessions, daily jobs and concurrent verification across
//!   two processes on one database.
//! - `warnings`: what the server says at start about its database server (autovacuum off).

mod acks;
mod client;
mod crash;
mod demo;
mod harness;
mod integrity;
mod two_instances;
mod warnings;
mod world;
