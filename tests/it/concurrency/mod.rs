//! Optimistic concurrency swept across every editable record (issue 8 §3): for each table with a
//! `row_version`, a user (or API client) who read a record sends an edit after someone else
//! saved it. Through the real route, it must be refused with 409 and the Chinese stale message,
//! leave the record as it was and write no audit entry; a form shown again for a field error must
//! keep the version it was read at; and the same edit from a fresh read must go through.
//!
//! `COVERAGE` says which route covers which table. A table that gains a `row_version` column
//! without an entry here fails `every_versioned_table_has_a_stale_edit_case`, so a new editable
//! record cannot be forgotten. Child rows without a version of their own are covered through
//! their parent's: checklist items (checklist), duty shifts (duty_roster), incident reports
//! (incident), hazard plans and extensions (hazard), a draft's saved texts (report_draft).
//! State actions that check the state they act on instead of a version (deciding a swap,
//! (de)activating, locking an account, deleting) are not edits of a form and are not listed.

use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use anjian_db::org::Org;
use anjian_db::user::User;
use anjian_db::{Ctx, Q};
use anjian_domain::role::Role;
use anjian_testkit::{Fixture, Login, TestApp};
use anjian_web::route_table;

mod core;
mod form;
mod harness;
mod ledger;
mod planning;
mod records;
mod report;

/// A fresh application with the standard tree (a bureau, units A and B, a site each).
pub struct Scene {
    pub app: TestApp,
    pub f: Fixture,
}

pub async fn scene() -> Scene {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    Scene { app, f }
}

/// A user as the data layer sees them (for setting records up) and as a signed-in browser.
pub struct Signed {
    pub user: User,
    pub ctx: Ctx,
    pub login: Login,
}

impl Signed {
    /// The hazard tests' `Person`, which the other modules' record helpers take.
    pub fn person(&self) -> crate::hazard::Person {
        crate::hazard::Person {
            user: self.user.clone(),
            ctx: self.ctx.clone(),
        }
    }
}

pub async fn signed_in(app: &TestApp, name: &str, role: Role, org: &Org) -> Signed {
    let p = crate::hazard::person(app, name, role, org).await;
    let login = app.login_as(&p.user).await;
    Signed {
        user: p.user,
        ctx: p.ctx,
        login,
    }
}

/// Not `Send`: the cases' futures borrow across awaits in ways the compiler cannot prove `Send`
/// for every lifetime, so they run on one thread (a `LocalSet`), interleaved at their awaits.
type Case = fn() -> Pin<Box<dyn Future<Output = ()>>>;

/// One stale edit through one route.
pub struct Entry {
    /// The table whose `row_version` the route checks.
    pub table: &'static str,
    /// As in the route table: method and path.
    pub method: &'static str,
    pub route: &'static str,
    pub run: Case,
}

macro_rules! entry {
    ($table:literal, $method:literal, $route:literal, $case:path) => {
        Entry {
            table: $table,
            method: $method,
            route: $route,
            run: || -> Pin<Box<dyn Future<Output = ()>>> { Box::pin($case()) },
        }
    };
}

/// Which route covers which table.
pub const COVERAGE: &[Entry] = &[
    entry!(
        "ledger_settings",
        "POST",
        "/ledgers/settings",
        ledger::rules_page
    ),
    entry!(
        "ledger_settings",
        "PUT",
        "/api/v1/ledgers/settings",
        ledger::rules_api
    ),
    entry!(
        "ledger_funding_category",
        "POST",
        "/ledgers/settings/categories/{id}",
        ledger::category_page
    ),
    entry!(
        "ledger_funding_category",
        "PUT",
        "/api/v1/ledgers/settings/categories/{id}",
        ledger::category_api
    ),
    entry!("org", "POST", "/orgs/{id}", core::org_page),
    entry!("org", "PUT", "/api/v1/orgs/{id}", core::org_api),
    entry!("app_user", "POST", "/users/{id}", core::user_profile_page),
    entry!(
        "app_user",
        "POST",
        "/users/{id}/assign",
        core::user_assign_page
    ),
    entry!(
        "risk_settings",
        "POST",
        "/risks/settings",
        core::risk_settings_page
    ),
    entry!(
        "risk_settings",
        "PUT",
        "/api/v1/risk-settings",
        core::risk_settings_api
    ),
    entry!(
        "report_rule",
        "POST",
        "/incidents/settings",
        core::report_rules_page
    ),
    entry!(
        "report_rule",
        "PUT",
        "/api/v1/incident-rules",
        core::report_rules_api
    ),
    entry!(
        "holiday_calendar",
        "POST",
        "/duty/calendar/save",
        core::calendar_page
    ),
    entry!(
        "checklist",
        "POST",
        "/checklists/{id}",
        planning::checklist_page
    ),
    entry!(
        "checklist",
        "POST",
        "/checklist-items/{id}",
        planning::checklist_item_page
    ),
    entry!(
        "campaign",
        "POST",
        "/campaigns/{id}",
        planning::campaign_page
    ),
    entry!(
        "inspection_task",
        "POST",
        "/inspection-tasks/{id}",
        planning::inspection_task_page
    ),
    entry!(
        "inspection",
        "POST",
        "/inspections/{id}",
        planning::inspection_page
    ),
    entry!("hazard", "POST", "/hazards/{id}", records::hazard_page),
    entry!("hazard", "PUT", "/api/v1/hazards/{id}", records::hazard_api),
    entry!(
        "hazard",
        "POST",
        "/hazards/{id}/verify",
        records::hazard_verify_page
    ),
    entry!(
        "hazard_listing",
        "POST",
        "/api/v1/hazards/{id}/lift",
        records::hazard_listing_api
    ),
    entry!(
        "risk_point",
        "POST",
        "/risk-points/{id}",
        records::risk_point_page
    ),
    entry!("risk", "POST", "/risks/{id}", records::risk_page),
    entry!(
        "risk_measure",
        "POST",
        "/risk-measures/{id}",
        records::risk_measure_page
    ),
    entry!(
        "ledger_entry",
        "POST",
        "/ledgers/entries/{id}",
        records::ledger_page
    ),
    entry!(
        "duty_roster",
        "POST",
        "/duty/rosters/{id}/shift",
        records::roster_shift_page
    ),
    entry!(
        "duty_roster",
        "POST",
        "/duty/rosters/{id}/generate",
        records::roster_generate_page
    ),
    entry!(
        "report_draft",
        "POST",
        "/reports/drafts/{id}",
        report::draft_page
    ),
    entry!(
        "report_template",
        "POST",
        "/reports/templates",
        report::template_page
    ),
    entry!(
        "incident",
        "POST",
        "/incidents/{id}/reports",
        records::incident_page
    ),
];

/// Tables of the migrated schema that have a `row_version` column.
async fn versioned_tables(app: &TestApp) -> BTreeSet<String> {
    let q = if app.is_postgres() {
        Q::new(
            "SELECT table_name::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND column_name = 'row_version'",
        )
    } else {
        Q::new(
            "SELECT m.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND p.name = 'row_version'",
        )
    };
    let rows: Vec<(String,)> = app.db.fetch_all(&q).await.expect("versioned tables");
    rows.into_iter().map(|r| r.0).collect()
}

#[tokio::test]
async fn every_versioned_table_has_a_stale_edit_case() {
    let app = TestApp::new().await;
    let schema = versioned_tables(&app).await;
    let listed: BTreeSet<String> = COVERAGE.iter().map(|e| e.table.to_string()).collect();
    let forgotten: Vec<&String> = schema.difference(&listed).collect();
    assert!(
        forgotten.is_empty(),
        "tables with a row_version but no stale-edit case in concurrency::COVERAGE: {forgotten:?}; \
         add the route that edits them"
    );
    let unknown: Vec<&String> = listed.difference(&schema).collect();
    assert!(
        unknown.is_empty(),
        "COVERAGE names tables without a row_version: {unknown:?}"
    );
    for t in ["org", "app_user", "report_rule"] {
        assert!(schema.contains(t), "{t} is versioned (0009_row_versions)");
    }
}

#[test]
fn every_listed_route_is_a_route_of_the_application() {
    let routes: BTreeSet<(String, &str)> = route_table()
        .entries
        .iter()
        .map(|e| (e.method.to_string(), e.path))
        .collect();
    for e in COVERAGE {
        assert!(
            routes.contains(&(e.method.to_string(), e.route)),
            "{} {} is not in the route table",
            e.method,
            e.route
        );
    }
}

/// Every case on its own database, a few at a time (two cores; each PostgreSQL case holds a
/// pool), every failure reported with its route rather than only the first.
#[tokio::test]
async fn every_edit_route_refuses_a_stale_version() {
    let local = tokio::task::LocalSet::new();
    let failed = local
        .run_until(async {
            let gate = Arc::new(tokio::sync::Semaphore::new(3));
            let mut running = Vec::new();
            for e in COVERAGE {
                let gate = gate.clone();
                let run = e.run;
                let name = format!("{} {} ({})", e.method, e.route, e.table);
                let task = tokio::task::spawn_local(async move {
                    let _permit = gate.acquire_owned().await.expect("gate");
                    run().await
                });
                running.push((name, task));
            }
            let mut failed = Vec::new();
            for (name, task) in running {
                if let Err(e) = task.await {
                    let why = match e.try_into_panic() {
                        Ok(p) => p
                            .downcast_ref::<String>()
                            .cloned()
                            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                            .unwrap_or_default(),
                        Err(e) => e.to_string(),
                    };
                    failed.push(format!("{name}: {why}"));
                }
            }
            failed
        })
        .await;
    assert!(
        failed.is_empty(),
        "{} of {} stale-edit cases failed:\n{}",
        failed.len(),
        COVERAGE.len(),
        failed.join("\n\n")
    );
}
