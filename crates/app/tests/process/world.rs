//! The accounts every process test needs, made the way a bureau's IT staff would: the first
//! start prints `admin`'s password; admin signs in through the login form, sets a password and
//! adds a unit through the API; `anjian user add --password-stdin` makes the working accounts,
//! each signs in once to set its own password (until then the API refuses it), and
//! `anjian token create` hands out their API tokens.

use reqwest::Client;
use serde_json::{json, Value};

use crate::client::Browser;
use crate::harness::{Server, Store};

/// Every account's password once set.
pub const PASSWORD: &str = "Proc-Passw0rd-8";
const INITIAL: &str = "Initial-Passw0rd-7";

pub struct Account {
    pub username: &'static str,
    pub name: &'static str,
    pub id: i64,
    pub token: String,
}

pub struct World {
    pub bureau_id: i64,
    pub unit_id: i64,
    /// unit_officer of the unit: registers, rectifies, uploads, keeps ledgers.
    pub officer: Account,
}

/// A valid 统一社会信用代码 (the check character computed, not hard-coded).
fn uscc(n: u32) -> String {
    let first17 = format!("91350100MA{n:07}");
    let c = anjian_domain::uscc::check_character(&first17).expect("valid charset");
    format!("{first17}{c}")
}

/// Signs in with the initial password, which leads to the forced change, and sets PASSWORD.
/// Returns the signed-in browser and the session's CSRF token.
pub async fn set_own_password(
    c: &Client,
    base: &str,
    username: &str,
    initial: &str,
) -> (Browser, String) {
    let mut b = Browser::login(c, base, username, initial).await;
    let page = b.get(c, base, "/password").await;
    assert_eq!(page.status, 200, "{}", page.text());
    let csrf = crate::client::csrf_of(&page.text()).expect("password form token");
    let r = b
        .post_form(
            c,
            base,
            "/password",
            &[
                ("csrf_token", &csrf),
                ("old_password", initial),
                ("new_password", PASSWORD),
                ("confirm_password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "password change of {username}: {}", r.text());
    (b, csrf)
}

/// A working account: `anjian user add`, its own password set through the forms, then an API
/// token from `anjian token create`; its id as the API reports it.
pub async fn account(
    store: &Store,
    c: &Client,
    base: &str,
    (username, name, org, role): (&'static str, &'static str, i64, &str),
) -> Account {
    store.cli_ok(
        &[
            "user",
            "add",
            "--username",
            username,
            "--name",
            name,
            "--org",
            &org.to_string(),
            "--role",
            role,
            "--password-stdin",
        ],
        Some(&format!("{INITIAL}\n")),
    );
    set_own_password(c, base, username, INITIAL).await;
    let token = store
        .cli_ok(
            &[
                "token",
                "create",
                "--username",
                username,
                "--name",
                "进程测试",
            ],
            None,
        )
        .trim()
        .to_string();
    assert!(token.starts_with("ajt_"), "token: {token}");
    let me = crate::client::api(c, base, &token, reqwest::Method::GET, "/api/v1/me", None)
        .await
        .expect("GET /api/v1/me");
    assert_eq!(me.status, 200, "the token works: {}", me.text());
    let id = me.json()["id"].as_i64().expect("user id");
    Account {
        username,
        name,
        id,
        token,
    }
}

pub async fn setup(store: &Store, server: &Server, c: &Client) -> World {
    let base = server.base.as_str();
    let admin_pw = server
        .printed_password("admin")
        .expect("first start prints admin's password");
    let (mut admin, csrf) = set_own_password(c, base, "admin", &admin_pw).await;
    let orgs: Value =
        serde_json::from_str(&store.cli_ok(&["org", "list", "--json"], None)).expect("org json");
    let bureau_id = orgs
        .as_array()
        .expect("org list")
        .iter()
        .find(|o| o["kind"] == "bureau")
        .and_then(|o| o["id"].as_i64())
        .expect("first start made the bureau");
    let r = admin
        .post_json(
            c,
            base,
            "/api/v1/orgs",
            &csrf,
            &json!({
                "kind": "unit", "parent_id": bureau_id, "name": "进程测试储备库",
                "uscc": uscc(4711), "principal": "郑主任", "address": "某市进程路1号"
            }),
        )
        .await;
    assert_eq!(r.status, 201, "create unit: {}", r.text());
    let unit_id = r.json()["id"].as_i64().expect("unit id");
    let officer = account(
        store,
        c,
        base,
        ("officer", "周安全员", unit_id, "unit_officer"),
    )
    .await;
    World {
        bureau_id,
        unit_id,
        officer,
    }
}
