//! User accounts through the real routes: who may create which role (三员分立), the generated
//! initial password shown once and changed at first login, unique user names, scope between
//! units, locking that ends live sessions, and password resets.

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use anjian_db::Q;
use anjian_domain::role::Role;
use anjian_testkit::hidden_csrf;
use anjian_testkit::{Fixture, Login, Resp, TestApp, PASSWORD};

// ---------------------------------------------------------------- helpers

/// A browser session from a successful form login.
fn session_of(res: &Resp) -> Login {
    let cookie = res
        .set_cookie("anjian_session")
        .unwrap_or_else(|| panic!("no session cookie: {} {}", res.status, res.text()));
    Login {
        cookie,
        csrf: String::new(),
        user_id: 0,
    }
}

async fn token(app: &TestApp, username: &str, role: Role, org_id: i64) -> String {
    let u = app.user(username, role, org_id).await;
    app.token_for(&u).await
}

async fn create(app: &TestApp, token: &str, username: &str, role: &str, org_id: i64) -> Resp {
    app.api(
        Method::POST,
        "/api/v1/users",
        Some(token),
        Some(json!({"username": username, "name": format!("姓名{username}"), "org_id": org_id, "role": role, "phone": "13900000000"})),
    )
    .await
}

async fn user_count(app: &TestApp, username: &str) -> i64 {
    let (n,): (i64,) = app
        .db
        .fetch_one(&Q::new("SELECT COUNT(*) FROM app_user WHERE username = $1").bind(username))
        .await
        .unwrap();
    n
}

async fn setup() -> (TestApp, Fixture) {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    (app, f)
}

const ADMIN_ROLES: [&str; 3] = ["system_admin", "security_admin", "audit_admin"];
const BUSINESS_ROLES: [&str; 5] = [
    "bureau_supervisor",
    "bureau_leader",
    "unit_head",
    "unit_officer",
    "inspector",
];

// ---------------------------------------------------------------- creation and roles

#[tokio::test]
async fn system_admin_creates_a_business_user_and_gets_the_initial_password_once() {
    let (app, f) = setup().await;
    let t = token(&app, "sysadmin", Role::SystemAdmin, f.bureau.id).await;
    let res = create(&app, &t, "new.officer", "unit_officer", f.unit_a.id).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let body = res.json();
    let password = body["initial_password"]
        .as_str()
        .expect("initial password")
        .to_string();
    assert!(
        password.chars().count() >= 12,
        "a strong generated password: {password}"
    );
    assert_eq!(body["username"], "new.officer");
    assert_eq!(body["role"], "unit_officer");
    assert_eq!(body["role_label"], "单位安全员");
    assert_eq!(body["org_id"], f.unit_a.id);
    assert_eq!(body["org_name"], "甲单位");
    assert_eq!(body["must_change_password"], true);
    assert!(body.get("password_hash").is_none(), "{body}");
    let id = body["id"].as_i64().unwrap();

    // Stored only as a hash, and that hash matches the password handed out.
    let (hash, must_change): (String, bool) = app
        .db
        .fetch_one(
            &Q::new("SELECT password_hash, must_change_password FROM app_user WHERE id = $1")
                .bind(id),
        )
        .await
        .unwrap();
    assert_ne!(hash, password);
    assert!(hash.starts_with("$argon2id$"));
    assert!(must_change);
    assert!(anjian_db::user::verify_password(&password, &hash).await);

    // Never shown again: not by get, not by list, not in the audit trail.
    let got = app
        .api(Method::GET, &format!("/api/v1/users/{id}"), Some(&t), None)
        .await;
    assert_eq!(got.status, StatusCode::OK);
    assert!(got.json().get("initial_password").is_none());
    assert!(!got.text().contains(&password));
    let list = app
        .api(
            Method::GET,
            "/api/v1/users?keyword=new.officer",
            Some(&t),
            None,
        )
        .await;
    assert_eq!(list.json()["total"], 1);
    assert!(!list.text().contains(&password));
    let audit = app.last_audit().await;
    assert_eq!(
        (audit.entity.as_str(), audit.action.as_str()),
        ("user", "create")
    );
    assert_eq!(audit.entity_id, id.to_string());
    let trail = format!("{:?}{:?}", audit.before_json, audit.after_json);
    assert!(
        !trail.contains(&password) && !trail.contains(&hash),
        "no secret in the audit trail"
    );
}

#[tokio::test]
async fn system_admin_cannot_create_administrators() {
    let (app, f) = setup().await;
    let t = token(&app, "sysadmin", Role::SystemAdmin, f.bureau.id).await;
    let audits = app.audit_count().await;
    for (i, role) in ADMIN_ROLES.iter().enumerate() {
        let name = format!("would.be.admin{i}");
        let res = create(&app, &t, &name, role, f.bureau.id).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{role}: {}", res.text());
        assert_eq!(res.json()["code"], "forbidden");
        assert_eq!(user_count(&app, &name).await, 0, "{role} not created");
    }
    assert_eq!(app.audit_count().await, audits);
    for (i, role) in BUSINESS_ROLES.iter().enumerate() {
        let res = create(&app, &t, &format!("biz{i}"), role, f.unit_b.id).await;
        assert_eq!(res.status, StatusCode::CREATED, "{role}: {}", res.text());
    }
}

#[tokio::test]
async fn security_admin_can_create_administrators() {
    let (app, f) = setup().await;
    let t = token(&app, "secadmin", Role::SecurityAdmin, f.bureau.id).await;
    for (i, role) in ADMIN_ROLES.iter().chain(BUSINESS_ROLES.iter()).enumerate() {
        let name = format!("made{i}");
        let res = create(&app, &t, &name, role, f.bureau.id).await;
        assert_eq!(res.status, StatusCode::CREATED, "{role}: {}", res.text());
        assert_eq!(res.json()["role"], *role);
        assert_eq!(user_count(&app, &name).await, 1);
    }
}

#[tokio::test]
async fn roles_that_manage_no_users_cannot_create_any() {
    let (app, f) = setup().await;
    for (i, role) in [
        Role::AuditAdmin,
        Role::UnitHead,
        Role::BureauSupervisor,
        Role::Inspector,
    ]
    .into_iter()
    .enumerate()
    {
        let t = token(&app, &format!("caller{i}"), role, f.bureau.id).await;
        let res = create(&app, &t, &format!("victim{i}"), "inspector", f.unit_a.id).await;
        assert_eq!(
            res.status,
            StatusCode::FORBIDDEN,
            "{role:?}: {}",
            res.text()
        );
        assert_eq!(user_count(&app, &format!("victim{i}")).await, 0);
    }
}

#[tokio::test]
async fn a_new_user_must_change_the_password_at_first_login() {
    let (app, f) = setup().await;
    let t = token(&app, "sysadmin", Role::SystemAdmin, f.bureau.id).await;
    let res = create(&app, &t, "first.login", "unit_officer", f.unit_a.id).await;
    assert_eq!(res.status, StatusCode::CREATED);
    let initial = res.json()["initial_password"].as_str().unwrap().to_string();

    let res = app.login_form("first.login", &initial).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    assert_eq!(res.location(), "/password", "sent to change the password");
    let mut me = session_of(&res);

    // Everything else sends them back there; the API answers 403.
    for path in ["/", "/orgs", &format!("/orgs/{}", f.unit_a.id)] {
        let r = app.get(path, &me).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(r.location(), "/password", "{path}");
    }
    let page = app.get("/password", &me).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("必须先修改密码"), "the page says why");
    me.csrf = hidden_csrf(&page.text());

    // A weak new password is refused with the rule, and the old one must be right.
    let r = app
        .post(
            "/password",
            &me,
            &[
                ("old_password", &initial),
                ("new_password", "short"),
                ("confirm_password", "short"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("密码至少8位"), "{}", r.text());
    let r = app
        .post(
            "/password",
            &me,
            &[
                ("old_password", "wrong"),
                ("new_password", "Neu-Passw0rd!"),
                ("confirm_password", "Neu-Passw0rd!"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("原密码不正确"));

    let r = app
        .post(
            "/password",
            &me,
            &[
                ("old_password", &initial),
                ("new_password", "Neu-Passw0rd!"),
                ("confirm_password", "Neu-Passw0rd!"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(
        app.get("/", &me).await.status,
        StatusCode::OK,
        "free to use the system now"
    );
    let (must_change,): (bool,) = app
        .db
        .fetch_one(&Q::new(
            "SELECT must_change_password FROM app_user WHERE username = 'first.login'",
        ))
        .await
        .unwrap();
    assert!(!must_change);

    // The initial password is spent; the new one works and no longer detours.
    let r = app.login_form("first.login", &initial).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("用户名或密码错误"));
    let r = app.login_form("first.login", "Neu-Passw0rd!").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/");
}

#[tokio::test]
async fn a_duplicate_user_name_is_422_naming_username() {
    let (app, f) = setup().await;
    let t = token(&app, "sysadmin", Role::SystemAdmin, f.bureau.id).await;
    assert_eq!(
        create(&app, &t, "dup", "inspector", f.unit_a.id)
            .await
            .status,
        StatusCode::CREATED
    );
    let res = create(&app, &t, "dup", "unit_officer", f.unit_b.id).await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        res.text()
    );
    let body = res.json();
    assert_eq!(body["code"], "validation_failed");
    assert_eq!(body["fields"]["username"], "用户名已存在", "{body}");
    assert_eq!(user_count(&app, "dup").await, 1);
    // Also against accounts created any other way, and after trimming.
    let res = create(&app, &t, " sysadmin ", "inspector", f.unit_a.id).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.json()["fields"]["username"], "用户名已存在");
    // Malformed names are refused with the rule.
    let res = create(&app, &t, "张三", "inspector", f.unit_a.id).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.json()["fields"]["username"]
        .as_str()
        .unwrap()
        .contains("只能由字母"));
}

#[tokio::test]
async fn creating_a_user_outside_the_callers_scope_or_in_an_inactive_org_is_422() {
    let (app, f) = setup().await;
    let sec_a = token(&app, "sec_a", Role::SecurityAdmin, f.unit_a.id).await;
    let res = create(&app, &sec_a, "elsewhere", "inspector", f.unit_b.id).await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        res.text()
    );
    assert!(res.json()["fields"]["org_id"].is_string());
    assert_eq!(user_count(&app, "elsewhere").await, 0);
    let sys = token(&app, "sysadmin", Role::SystemAdmin, f.bureau.id).await;
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/orgs/{}/deactivate", f.site_b.id),
            Some(&sys),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let res = create(&app, &sys, "in.closed.site", "inspector", f.site_b.id).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.json()["fields"]["org_id"], "所属组织已停用");
}

// ---------------------------------------------------------------- scope

#[tokio::test]
async fn a_unit_head_sees_the_users_of_their_own_unit_only() {
    let (app, f) = setup().await;
    let a_user = app.user("at.a", Role::UnitOfficer, f.site_a.id).await;
    let b_user = app.user("at.b", Role::UnitOfficer, f.unit_b.id).await;
    let head = app.user("head.a", Role::UnitHead, f.unit_a.id).await;
    let t = app.token_for(&head).await;

    let res = app
        .api(
            Method::GET,
            &format!("/api/v1/users/{}", b_user.id),
            Some(&t),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(res.json()["code"], "not_found");
    let res = app
        .api(
            Method::GET,
            &format!("/api/v1/users/{}", a_user.id),
            Some(&t),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json()["username"], "at.a");

    let list = app
        .api(Method::GET, "/api/v1/users?page_size=200", Some(&t), None)
        .await
        .json();
    let mut names: Vec<String> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    assert_eq!(names, ["at.a", "head.a"]);
    assert_eq!(list["total"], 2);
    // Asking for the other unit by filter does not widen the scope.
    let list = app
        .api(
            Method::GET,
            &format!("/api/v1/users?org_id={}", f.unit_b.id),
            Some(&t),
            None,
        )
        .await
        .json();
    assert_eq!(list["total"], 0);

    // The pages agree.
    let me = app.login_as(&head).await;
    assert_eq!(
        app.get(&format!("/users/{}", b_user.id), &me).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("/users/{}", a_user.id), &me).await.status,
        StatusCode::OK
    );
    let page = app.get("/users", &me).await.text();
    assert!(page.contains("at.a") && !page.contains("at.b"), "{page}");
}

// ---------------------------------------------------------------- lock and reset

#[tokio::test]
async fn locking_a_user_ends_their_live_session_and_sign_in() {
    let (app, f) = setup().await;
    let victim = app.user("to.lock", Role::UnitOfficer, f.unit_a.id).await;
    let victim_token = app.token_for(&victim).await;
    let res = app.login_form("to.lock", PASSWORD).await;
    let session = session_of(&res);
    assert_eq!(app.get("/", &session).await.status, StatusCode::OK);
    assert_eq!(
        app.api(Method::GET, "/api/v1/me", Some(&victim_token), None)
            .await
            .status,
        StatusCode::OK
    );

    // The system administrator may not lock (that is the security administrator's).
    let sys = token(&app, "sysadmin", Role::SystemAdmin, f.bureau.id).await;
    let res = app
        .api(
            Method::POST,
            &format!("/api/v1/users/{}/lock", victim.id),
            Some(&sys),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get("/", &session).await.status,
        StatusCode::OK,
        "still signed in"
    );

    let sec = token(&app, "secadmin", Role::SecurityAdmin, f.bureau.id).await;
    let res = app
        .api(
            Method::POST,
            &format!("/api/v1/users/{}/lock", victim.id),
            Some(&sec),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["disabled"], true);
    let audit = app.last_audit().await;
    assert_eq!(
        (audit.entity.as_str(), audit.action.as_str()),
        ("user", "lock")
    );

    let r = app.get("/", &session).await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "the open session stopped working"
    );
    assert!(r.location().starts_with("/login"));
    let (ended,): (i64,) = app
        .db
        .fetch_one(
            &Q::new(
                "SELECT COUNT(*) FROM user_session WHERE user_id = $1 AND end_reason = 'locked'",
            )
            .bind(victim.id),
        )
        .await
        .unwrap();
    assert_eq!(ended, 1, "the session is ended, not just refused");
    assert_eq!(
        app.api(Method::GET, "/api/v1/me", Some(&victim_token), None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let r = app.login_form("to.lock", PASSWORD).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("账号已被停用"), "{}", r.text());

    // Unlocking lets them back in.
    let res = app
        .api(
            Method::POST,
            &format!("/api/v1/users/{}/unlock", victim.id),
            Some(&sec),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json()["disabled"], false);
    assert_eq!(
        app.login_form("to.lock", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn nobody_locks_their_own_account() {
    let (app, f) = setup().await;
    let sec = app.user("secadmin", Role::SecurityAdmin, f.bureau.id).await;
    let t = app.token_for(&sec).await;
    let res = app
        .api(
            Method::POST,
            &format!("/api/v1/users/{}/lock", sec.id),
            Some(&t),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(
        app.api(Method::GET, "/api/v1/me", Some(&t), None)
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_password_reset_returns_a_new_password_and_forces_a_change() {
    let (app, f) = setup().await;
    let u = app.user("forgetful", Role::UnitOfficer, f.unit_a.id).await;
    let old_session = session_of(&app.login_form("forgetful", PASSWORD).await);
    assert_eq!(app.get("/", &old_session).await.status, StatusCode::OK);

    let sys = token(&app, "sysadmin", Role::SystemAdmin, f.bureau.id).await;
    let res = app
        .api(
            Method::POST,
            &format!("/api/v1/users/{}/reset-password", u.id),
            Some(&sys),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let body: Value = res.json();
    let new_password = body["password"].as_str().expect("new password").to_string();
    assert_ne!(new_password, PASSWORD);
    let audit = app.last_audit().await;
    assert_eq!(
        (audit.entity.as_str(), audit.action.as_str()),
        ("user", "reset_password")
    );
    assert!(!format!("{:?}{:?}", audit.before_json, audit.after_json).contains(&new_password));

    assert_eq!(
        app.get("/", &old_session).await.status,
        StatusCode::SEE_OTHER,
        "old session ended"
    );
    let r = app.login_form("forgetful", PASSWORD).await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the old password is gone"
    );
    let r = app.login_form("forgetful", &new_password).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/password", "must change it first");
    let got = app
        .api(
            Method::GET,
            &format!("/api/v1/users/{}", u.id),
            Some(&sys),
            None,
        )
        .await
        .json();
    assert_eq!(got["must_change_password"], true);
    assert!(got.get("password").is_none());
}

#[tokio::test]
async fn a_system_admin_cannot_reset_another_administrators_password() {
    let (app, f) = setup().await;
    let sec = app.user("secadmin", Role::SecurityAdmin, f.bureau.id).await;
    let sys = token(&app, "sysadmin", Role::SystemAdmin, f.bureau.id).await;
    let (before,): (String,) = app
        .db
        .fetch_one(&Q::new("SELECT password_hash FROM app_user WHERE id = $1").bind(sec.id))
        .await
        .unwrap();
    let res = app
        .api(
            Method::POST,
            &format!("/api/v1/users/{}/reset-password", sec.id),
            Some(&sys),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text());
    let (after,): (String,) = app
        .db
        .fetch_one(&Q::new("SELECT password_hash FROM app_user WHERE id = $1").bind(sec.id))
        .await
        .unwrap();
    assert_eq!(before, after);
}

// ---------------------------------------------------------------- pages

#[tokio::test]
async fn page_create_shows_the_initial_password_once() {
    let (app, f) = setup().await;
    let admin = app.login_role(Role::SystemAdmin, f.bureau.id).await;
    let form = app.get("/users/new", &admin).await;
    assert_eq!(form.status, StatusCode::OK);
    let html = form.text();
    assert!(
        html.contains("value=\"unit_officer\""),
        "business roles offered"
    );
    assert!(
        !html.contains("value=\"security_admin\""),
        "administrator roles not offered to the system administrator"
    );

    let org = f.unit_a.id.to_string();
    let res = app
        .post(
            "/users",
            &admin,
            &[
                ("username", "page.made"),
                ("name", "页面新建"),
                ("org_id", &org),
                ("role", "inspector"),
                ("phone", ""),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let html = res.text();
    let marker = "<code class=\"secret\">";
    let start = html.find(marker).expect("password shown") + marker.len();
    let password = html[start..].split('<').next().unwrap().to_string();
    assert!(password.len() >= 12, "{password}");
    let (id, hash): (i64, String) = app
        .db
        .fetch_one(&Q::new(
            "SELECT id, password_hash FROM app_user WHERE username = 'page.made'",
        ))
        .await
        .unwrap();
    assert!(
        anjian_db::user::verify_password(&password, &hash).await,
        "the shown password is the account's"
    );
    let detail = app.get(&format!("/users/{id}"), &admin).await;
    assert_eq!(detail.status, StatusCode::OK);
    assert!(!detail.text().contains(&password), "not shown again");

    // A duplicate from the page: 422 and the form names the field.
    let res = app
        .post(
            "/users",
            &admin,
            &[
                ("username", "page.made"),
                ("name", "又一个"),
                ("org_id", &org),
                ("role", "inspector"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("用户名已存在"));
    // An administrator role smuggled into the form is refused.
    let res = app
        .post(
            "/users",
            &admin,
            &[
                ("username", "sneaky"),
                ("name", "越权"),
                ("org_id", &org),
                ("role", "security_admin"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(user_count(&app, "sneaky").await, 0);
}
