//! Creating users over the API and the page: who may create which role (三员分立), the
//! generated initial password shown exactly once and changed at first login, unique and
//! well-formed user names, and the organisation checks.

use axum::http::{Method, StatusCode};

use anjian_db::Q;
use anjian_domain::role::Role;
use anjian_testkit::hidden_csrf;

use super::{create, session_of, setup, token, user_count, ADMIN_ROLES, BUSINESS_ROLES};

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
