//! Organisations through the real routes: the create/edit forms with their Chinese field errors,
//! moving a node and what that does to everyone's scope, deactivation rules and their effect on
//! sign-in, list search and paging over the API, and the audited Excel export.
//!
//! The tests are split by action — `create_edit`, `move_deactivate`, `list_export` — and share the
//! helpers below.

use anjian_db::org::{self, Org};
use anjian_db::{Ctx, Q};
use anjian_domain::role::Role;
use anjian_testkit::{uscc, Fixture, TestApp};

mod create_edit;
mod list_export;
mod move_deactivate;

// ---------------------------------------------------------------- helpers

async fn org_count(app: &TestApp) -> i64 {
    let (n,): (i64,) = app
        .db
        .fetch_one(&Q::new("SELECT COUNT(*) FROM org"))
        .await
        .unwrap();
    n
}

async fn org_row(app: &TestApp, id: i64) -> Org {
    org::get(&app.db, &Ctx::system("test"), id)
        .await
        .expect("org row")
}

async fn admin_token(app: &TestApp, f: &Fixture) -> String {
    let u = app.user("sysadmin", Role::SystemAdmin, f.bureau.id).await;
    app.token_for(&u).await
}

/// A valid code with its check character replaced by another valid character.
fn bad_check_character(n: u32) -> (String, char) {
    let good = uscc(n);
    let expected = good.chars().last().unwrap();
    let wrong = if expected == '0' { '1' } else { '0' };
    (format!("{}{}", &good[..17], wrong), expected)
}

fn ids(v: &serde_json::Value) -> Vec<i64> {
    v["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|o| o["id"].as_i64().unwrap())
        .collect()
}
