//! Integration tests: one binary whose modules mirror the business modules. Every test runs on
//! SQLite, or on PostgreSQL when ANJIAN_TEST_PG_URL is set (CI runs both).

mod api;
mod attachments;
mod audit;
mod auth;
mod backend;
mod backup;
mod cache;
mod campaign;
mod checklist;
mod cli;
mod concurrency;
mod dashboard;
mod demo;
mod duty;
mod hazard;
mod hazard_excel;
mod incident;
mod inspection;
mod inspection_task;
mod ledger;
mod migrations;
mod org;
mod org_import;
mod parsers;
mod permissions;
mod report;
mod risk;
mod risk_web;
mod routes_walk;
mod security;
mod statistics;
mod user;
