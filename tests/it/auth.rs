//! Sign-in, lockout, CSRF, session expiry, forced password change, logout and API tokens.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};

use anjian_db::session::Policy;
use anjian_db::Q;
use anjian_domain::role::Role;
use anjian_testkit::{Login, TestApp, PASSWORD};

#[tokio::test]
async fn login_sets_a_hardened_session_cookie_and_audits() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    app.user("zhang", Role::UnitOfficer, f.unit_a.id).await;
    let res = app.login_form("zhang", PASSWORD).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location(), "/");
    let raw = res
        .headers
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap()
        .to_string();
    assert!(raw.starts_with("anjian_session="), "{raw}");
    assert!(
        raw.contains("HttpOnly") && raw.contains("SameSite=Lax"),
        "{raw}"
    );
    let e = app.last_audit().await;
    assert_eq!(
        (
            e.entity.as_str(),
            e.action.as_str(),
            e.actor_username.as_str()
        ),
        ("session", "login", "zhang")
    );
    // Only the hash of the cookie is stored.
    let cookie = res.set_cookie("anjian_session").unwrap();
    let (n,): (i64,) = app
        .db
        .fetch_one(&Q::new("SELECT COUNT(*) FROM user_session WHERE token_hash = $1").bind(&cookie))
        .await
        .unwrap();
    assert_eq!(n, 0);
    let home = app.send(
        Request::get("/")
            .header(header::COOKIE, format!("anjian_session={cookie}"))
            .body(Body::empty())
            .unwrap(),
    );
    let home = home.await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.text().contains("待办事项"));
}

#[tokio::test]
async fn five_failures_lock_the_account_for_the_lockout_period() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let u = app.user("li", Role::UnitOfficer, f.unit_a.id).await;
    for i in 1..=4 {
        let res = app.login_form("li", "wrong-Passw0rd").await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "attempt {i}");
        assert!(res.text().contains("用户名或密码错误"), "{}", res.text());
    }
    // The fifth failure locks; the answer reads as for any wrong password (an unknown user name
    // is never locked, so a different one would tell which names exist).
    let fifth = app.login_form("li", "wrong-Passw0rd").await;
    assert_eq!(fifth.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        fifth.text().contains("连续失败5次账号将锁定15分钟"),
        "{}",
        fifth.text()
    );
    // Even the right password is refused while locked.
    let res = app.login_form("li", PASSWORD).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.set_cookie("anjian_session").is_none());
    assert!(res.text().contains("用户名或密码错误"));
    let (until,): (Option<chrono::DateTime<chrono::Utc>>,) = app
        .db
        .fetch_one(&Q::new("SELECT locked_until FROM app_user WHERE id = $1").bind(u.id))
        .await
        .unwrap();
    let minutes = (until.unwrap() - chrono::Utc::now()).num_minutes();
    assert!(
        (14..=15).contains(&minutes),
        "locked for 15 minutes, got {minutes}"
    );
    // When the period has passed, the right password works again.
    app.db
        .execute(
            &Q::new("UPDATE app_user SET locked_until = $1 WHERE id = $2")
                .bind(chrono::Utc::now() - chrono::Duration::minutes(1))
                .bind(u.id),
        )
        .await
        .unwrap();
    assert_eq!(
        app.login_form("li", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    let (failed,): (i64,) = app
        .db
        .fetch_one(&Q::new(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'login_failed'",
        ))
        .await
        .unwrap();
    assert_eq!(failed, 6, "every failed attempt is audited");
}

#[tokio::test]
async fn unknown_user_and_wrong_password_read_the_same() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    app.user("wang", Role::UnitOfficer, f.unit_a.id).await;
    let a = app.login_form("nobody", "whatever-Passw0rd").await;
    let b = app.login_form("wang", "whatever-Passw0rd").await;
    assert_eq!(a.status, b.status);
    assert!(a.text().contains("用户名或密码错误") && b.text().contains("用户名或密码错误"));
}

#[tokio::test]
async fn state_changing_requests_need_the_csrf_token() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let login = app.login_role(Role::SystemAdmin, f.bureau.id).await;
    let form = [
        ("kind", "site"),
        ("parent_id", &*f.unit_a.id.to_string()),
        ("name", "新库点"),
    ];
    let other = app.login_role(Role::SystemAdmin, f.bureau.id).await;
    let before = app.audit_count().await;
    // No token at all.
    let res = app
        .send(
            Request::post("/orgs")
                .header(header::COOKIE, format!("anjian_session={}", login.cookie))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(serde_urlencoded::to_string(form).unwrap()))
                .unwrap(),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert!(res.text().contains("CSRF"));
    // Someone else's token.
    let mut with_wrong: Vec<(&str, &str)> = form.to_vec();
    with_wrong.push(("csrf_token", &other.csrf));
    assert_eq!(
        app.post("/orgs", &login, &with_wrong).await.status,
        StatusCode::FORBIDDEN
    );
    // Header form, as the JS enhancement sends it, with a wrong value.
    let res = app
        .send(
            Request::post("/logout")
                .header(header::COOKIE, format!("anjian_session={}", login.cookie))
                .header("x-csrf-token", "nope")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.audit_count().await,
        before,
        "refused requests change nothing"
    );
    // The right token passes.
    assert_eq!(
        app.post("/orgs", &login, &form).await.status,
        StatusCode::SEE_OTHER
    );
    // The login form itself is protected by the pre-login cookie.
    let res = app
        .send(
            Request::post("/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from("username=a&password=b&csrf_token=x"))
                .unwrap(),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}

async fn status_of_home(app: &TestApp, login: &Login) -> (StatusCode, String) {
    let r = app.get("/", login).await;
    (r.status, r.location())
}

#[tokio::test]
async fn idle_sessions_expire_and_the_expiry_is_audited() {
    let app = TestApp::with_policy(Policy {
        idle_timeout_minutes: 30,
        ..Policy::default()
    })
    .await;
    let f = app.fixture().await;
    let login = app.login_role(Role::UnitOfficer, f.unit_a.id).await;
    assert_eq!(status_of_home(&app, &login).await.0, StatusCode::OK);
    // 29 minutes idle: still valid. Moving `last_seen_at` back stands in for time passing; the
    // same statement sets `expires_at` unchanged, a column the cache watches (migration 0017), so
    // the server reads the session afresh as it would after a real half hour (a kept row is only
    // trusted while it was seen less than a minute ago, and real time only moves forward).
    app.db
        .execute(
            &Q::new("UPDATE user_session SET last_seen_at = $1, expires_at = expires_at WHERE user_id = $2")
                .bind(chrono::Utc::now() - chrono::Duration::minutes(29))
                .bind(login.user_id),
        )
        .await
        .unwrap();
    assert_eq!(status_of_home(&app, &login).await.0, StatusCode::OK);
    // 31 minutes idle: gone.
    app.db
        .execute(
            &Q::new("UPDATE user_session SET last_seen_at = $1, expires_at = expires_at WHERE user_id = $2")
                .bind(chrono::Utc::now() - chrono::Duration::minutes(31))
                .bind(login.user_id),
        )
        .await
        .unwrap();
    let (status, location) = status_of_home(&app, &login).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.starts_with("/login"));
    let (reason,): (Option<String>,) = app
        .db
        .fetch_one(
            &Q::new("SELECT end_reason FROM user_session WHERE user_id = $1").bind(login.user_id),
        )
        .await
        .unwrap();
    assert_eq!(reason.as_deref(), Some("idle_timeout"));
    assert_eq!(app.last_audit().await.action, "idle_timeout");
    // Activity does not revive it.
    assert_eq!(status_of_home(&app, &login).await.0, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn sessions_end_at_their_absolute_lifetime() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let login = app.login_role(Role::UnitOfficer, f.unit_a.id).await;
    app.db
        .execute(
            &Q::new("UPDATE user_session SET expires_at = $1 WHERE user_id = $2")
                .bind(chrono::Utc::now() - chrono::Duration::seconds(1))
                .bind(login.user_id),
        )
        .await
        .unwrap();
    assert_eq!(status_of_home(&app, &login).await.0, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_forced_password_change_comes_before_anything_else() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let u = app.user("zhao", Role::UnitOfficer, f.unit_a.id).await;
    app.db
        .execute(
            &Q::new("UPDATE app_user SET must_change_password = $1 WHERE id = $2")
                .bind(true)
                .bind(u.id),
        )
        .await
        .unwrap();
    let res = app.login_form("zhao", PASSWORD).await;
    assert_eq!(res.location(), "/password");
    let login = app.login_as(&u).await;
    let res = app.get("/orgs", &login).await;
    assert_eq!(
        (res.status, res.location().as_str()),
        (StatusCode::SEE_OTHER, "/password")
    );
    // A weak password is refused with the field named.
    let weak = app
        .post(
            "/password",
            &login,
            &[
                ("old_password", PASSWORD),
                ("new_password", "abcdefgh"),
                ("confirm_password", "abcdefgh"),
            ],
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(weak.text().contains("密码需包含"), "{}", weak.text());
    // Wrong old password.
    let res = app
        .post(
            "/password",
            &login,
            &[
                ("old_password", "x"),
                ("new_password", "N3w-Secret!"),
                ("confirm_password", "N3w-Secret!"),
            ],
        )
        .await;
    assert!(res.text().contains("原密码不正确"));
    let ok = app
        .post(
            "/password",
            &login,
            &[
                ("old_password", PASSWORD),
                ("new_password", "N3w-Secret!"),
                ("confirm_password", "N3w-Secret!"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get("/orgs", &login).await.status, StatusCode::OK);
    assert_eq!(app.login_form("zhao", "N3w-Secret!").await.location(), "/");
    assert_eq!(app.last_audit().await.action, "login");
}

#[tokio::test]
async fn logout_ends_the_session() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let login = app.login_role(Role::UnitOfficer, f.unit_a.id).await;
    let res = app.post("/logout", &login, &[]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(app.last_audit().await.action, "logout");
    assert_eq!(status_of_home(&app, &login).await.0, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn api_tokens_act_with_their_users_rights_until_revoked() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let u = app.user("api_user", Role::UnitOfficer, f.unit_a.id).await;
    let token = app.token_for(&u).await;
    let me = app.api(Method::GET, "/api/v1/me", Some(&token), None).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json()["username"], "api_user");
    assert_eq!(
        app.api(
            Method::GET,
            &format!("/api/v1/orgs/{}", f.unit_b.id),
            Some(&token),
            None
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.api(Method::GET, "/api/v1/me", Some("ajt_forged"), None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let (stored,): (String,) = app
        .db
        .fetch_one(&Q::new("SELECT token_hash FROM api_token WHERE user_id = $1").bind(u.id))
        .await
        .unwrap();
    assert_ne!(stored, token, "tokens are stored hashed");
    anjian_db::session::revoke_tokens(&app.db, &anjian_db::Ctx::system("test"), "api_user", None)
        .await
        .unwrap();
    assert_eq!(
        app.api(Method::GET, "/api/v1/me", Some(&token), None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_security_admin_can_end_someone_elses_session() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let victim = app.login_role(Role::UnitOfficer, f.unit_a.id).await;
    let admin = app.login_role(Role::SecurityAdmin, f.bureau.id).await;
    let (sid,): (i64,) = app
        .db
        .fetch_one(&Q::new("SELECT id FROM user_session WHERE user_id = $1").bind(victim.user_id))
        .await
        .unwrap();
    let list = app.get("/sessions", &admin).await;
    assert_eq!(list.status, StatusCode::OK);
    let res = app.post(&format!("/sessions/{sid}/end"), &admin, &[]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(status_of_home(&app, &victim).await.0, StatusCode::SEE_OTHER);
    assert_eq!(app.last_audit().await.action, "end_session");
}

fn session_cookie_line(res: &anjian_testkit::Resp) -> String {
    res.headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("anjian_session="))
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn cookies_are_secure_behind_https() {
    // Configured outright.
    let app = TestApp::with_config(|c| c.secure_cookies = true).await;
    let f = app.fixture().await;
    app.user("https_user", Role::UnitOfficer, f.unit_a.id).await;
    let res = app.login_form("https_user", PASSWORD).await;
    assert!(
        session_cookie_line(&res).contains("; Secure"),
        "{}",
        session_cookie_line(&res)
    );

    // Not configured, and no trusted proxy: a forged X-Forwarded-Proto changes nothing.
    let plain = TestApp::new().await;
    let f = plain.fixture().await;
    plain
        .user("http_user", Role::UnitOfficer, f.unit_a.id)
        .await;
    let res = plain.login_form("http_user", PASSWORD).await;
    assert!(!session_cookie_line(&res).contains("Secure"));

    // Behind a trusted proxy that terminated HTTPS.
    let proxied = TestApp::with_config(|c| c.trust_proxy = true).await;
    let f = proxied.fixture().await;
    proxied
        .user("proxied", Role::UnitOfficer, f.unit_a.id)
        .await;
    let page = proxied
        .send(Request::get("/login").body(Body::empty()).unwrap())
        .await;
    let pre = page.set_cookie("anjian_pre").unwrap();
    let res = proxied
        .send(
            Request::post("/login")
                .header(header::COOKIE, format!("anjian_pre={pre}"))
                .header("x-forwarded-proto", "https")
                .header("x-forwarded-for", "10.1.2.3")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!(
                    "username=proxied&password={PASSWORD}&csrf_token={pre}"
                )))
                .unwrap(),
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(session_cookie_line(&res).contains("; Secure"));
    // …and the audit trail records the client's address, not the proxy's.
    assert_eq!(proxied.last_audit().await.ip, "10.1.2.3");
}
