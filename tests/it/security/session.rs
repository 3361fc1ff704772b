//! Session fixation (a session id planted before sign-in is never the one after it), logout
//! that ends the session on the server, and brute force: the configured number of wrong
//! passwords locks the account, the lock holds against the right password, and no answer tells
//! an existing user name from an unknown one.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};

use anjian_db::Q;
use anjian_domain::role::Role;
use anjian_testkit::{hidden_csrf, Resp, TestApp, PASSWORD};

/// Signs in through the login form, with `planted` (a whole `anjian_session=…` pair) riding
/// along as a fixation attempt would make the browser send it.
async fn sign_in(app: &TestApp, username: &str, password: &str, planted: Option<&str>) -> Resp {
    let page = app
        .send(Request::get("/login").body(Body::empty()).unwrap())
        .await;
    let pre = page.set_cookie("anjian_pre").expect("pre-login cookie");
    let token = hidden_csrf(&page.text());
    let body = serde_urlencoded::to_string([
        ("username", username),
        ("password", password),
        ("csrf_token", &token),
    ])
    .unwrap();
    let cookies = match planted {
        Some(p) => format!("anjian_pre={pre}; {p}"),
        None => format!("anjian_pre={pre}"),
    };
    app.send(
        Request::post("/login")
            .header(header::COOKIE, cookies)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

async fn home_as(app: &TestApp, cookie: &str) -> Resp {
    app.send(
        Request::get("/")
            .header(header::COOKIE, format!("anjian_session={cookie}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

/// The login page's error message.
fn message(res: &Resp) -> String {
    let html = res.text();
    let start = html
        .find("class=\"form-error\"")
        .or_else(|| html.find("class=\"error\""))
        .unwrap_or(0);
    let rest = &html[start..];
    let open = rest.find('>').map_or(0, |i| i + 1);
    rest[open..rest.find("</").unwrap_or(rest.len())]
        .trim()
        .to_string()
}

#[tokio::test]
async fn a_session_id_set_before_sign_in_is_not_the_one_after_it() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    app.user("victim", Role::UnitOfficer, f.unit_a.id).await;
    let attacker = app.user("attacker", Role::UnitOfficer, f.unit_b.id).await;

    // An id the attacker made up: ignored, and a fresh one is issued.
    let planted = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    let res = sign_in(
        &app,
        "victim",
        PASSWORD,
        Some(&format!("anjian_session={planted}")),
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let issued = res
        .set_cookie("anjian_session")
        .expect("a session cookie at sign-in");
    assert_ne!(issued, planted);
    assert_eq!(
        home_as(&app, planted).await.status,
        StatusCode::SEE_OTHER,
        "the planted id is no session"
    );
    assert_eq!(home_as(&app, &issued).await.status, StatusCode::OK);

    // The attacker's own live session, planted in the victim's browser: the login form's token
    // no longer matches (it is that session's), so signing in is refused, and the session
    // stays the attacker's (never upgraded to the victim).
    let theirs = app.login_as(&attacker).await.cookie;
    let res = sign_in(
        &app,
        "victim",
        PASSWORD,
        Some(&format!("anjian_session={theirs}")),
    )
    .await;
    match res.set_cookie("anjian_session") {
        Some(issued) => assert_ne!(issued, theirs),
        None => assert!(res.status.is_client_error(), "{}", res.status),
    }
    let page = home_as(&app, &theirs).await.text();
    assert!(
        page.contains("attacker") && !page.contains("victim"),
        "the planted session was upgraded"
    );

    // The pre-login cookie (the login form's CSRF pair) is no session either.
    let page = app
        .send(Request::get("/login").body(Body::empty()).unwrap())
        .await;
    let pre = page.set_cookie("anjian_pre").unwrap();
    assert_eq!(home_as(&app, &pre).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let u = app.user("leaver", Role::UnitOfficer, f.unit_a.id).await;
    let res = sign_in(&app, "leaver", PASSWORD, None).await;
    let cookie = res.set_cookie("anjian_session").unwrap();
    let page = home_as(&app, &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = hidden_csrf(&page.text());
    let out = app
        .send(
            Request::post("/logout")
                .header(header::COOKIE, format!("anjian_session={cookie}"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!("csrf_token={csrf}")))
                .unwrap(),
        )
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    // The browser is told to forget the cookie, but a copy kept elsewhere is dead too.
    assert_eq!(out.set_cookie("anjian_session").as_deref(), Some(""));
    assert_eq!(home_as(&app, &cookie).await.status, StatusCode::SEE_OTHER);
    let (live,): (i64,) = app
        .db
        .fetch_one(
            &Q::new("SELECT COUNT(*) FROM user_session WHERE user_id = $1 AND ended_at IS NULL")
                .bind(u.id),
        )
        .await
        .unwrap();
    assert_eq!(live, 0, "no live session row remains");
}

#[tokio::test]
async fn repeated_wrong_passwords_lock_the_account_and_no_answer_tells_whether_it_exists() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let u = app.user("target", Role::UnitOfficer, f.unit_a.id).await;
    let threshold = app.state.policy.max_failed_logins;
    assert!(threshold >= 3, "a lockout is configured: {threshold}");
    // The same attempts against an existing and an unknown user name read the same, attempt
    // for attempt, up to and past the lock.
    for i in 1..=threshold + 1 {
        let known = sign_in(&app, "target", "Wrong-Passw0rd", None).await;
        let unknown = sign_in(&app, "no_such_user", "Wrong-Passw0rd", None).await;
        assert_eq!(
            known.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "attempt {i}"
        );
        assert_eq!(
            (known.status, message(&known)),
            (unknown.status, message(&unknown)),
            "attempt {i}"
        );
        assert!(known.set_cookie("anjian_session").is_none());
        let (locked,): (Option<chrono::DateTime<chrono::Utc>>,) = app
            .db
            .fetch_one(&Q::new("SELECT locked_until FROM app_user WHERE id = $1").bind(u.id))
            .await
            .unwrap();
        assert_eq!(
            locked.is_some(),
            i >= threshold,
            "attempt {i} of {threshold}"
        );
    }
    let (until,): (Option<chrono::DateTime<chrono::Utc>>,) = app
        .db
        .fetch_one(&Q::new("SELECT locked_until FROM app_user WHERE id = $1").bind(u.id))
        .await
        .unwrap();
    let until = until.expect("locked after the configured number of failures");
    let minutes = (until - chrono::Utc::now()).num_minutes();
    assert!(
        (0..=app.state.policy.lockout_minutes).contains(&minutes),
        "{minutes}"
    );
    // The right password does not open a locked account, and says nothing an unknown name
    // would not get.
    let right = sign_in(&app, "target", PASSWORD, None).await;
    let unknown = sign_in(&app, "no_such_user", PASSWORD, None).await;
    assert_eq!(right.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        right.set_cookie("anjian_session").is_none(),
        "signed in while locked"
    );
    assert_eq!(message(&right), message(&unknown));
}
