//! Listing organisations over the API (keyword search, paging, kind filter, limited to the
//! caller's subtree) and the audited Excel export.

use axum::http::{header, Method, StatusCode};
use serde_json::json;

use anjian_domain::role::Role;
use anjian_testkit::TestApp;

use super::{admin_token, ids};

// ---------------------------------------------------------------- list

#[tokio::test]
async fn api_list_searches_by_keyword_and_pages() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let token = admin_token(&app, &f).await;
    let mut created = Vec::new();
    for i in 1..=5 {
        let res = app
            .api(
                Method::POST,
                "/api/v1/orgs",
                Some(&token),
                Some(json!({"kind": "site", "parent_id": f.unit_b.id, "name": format!("检索库点{i}号"), "principal": "赵六"})),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
        created.push(res.json()["id"].as_i64().unwrap());
    }
    created.sort();
    let q = format!(
        "/api/v1/orgs?keyword={}",
        anjian_web::auth::urlencode("检索库点")
    );
    let all = app.api(Method::GET, &q, Some(&token), None).await.json();
    assert_eq!(all["total"], 5);
    let mut got = ids(&all);
    got.sort();
    assert_eq!(got, created);

    let mut seen = Vec::new();
    for (page, expect) in [(1, 2), (2, 2), (3, 1), (4, 0)] {
        let res = app
            .api(
                Method::GET,
                &format!("{q}&page_size=2&page={page}"),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(res.status, StatusCode::OK);
        let body = res.json();
        assert_eq!(body["total"], 5, "total counts every match on every page");
        assert_eq!(body["page"], page);
        assert_eq!(body["page_size"], 2);
        assert_eq!(ids(&body).len(), expect, "page {page}: {body}");
        seen.extend(ids(&body));
    }
    seen.sort();
    assert_eq!(seen, created, "pages cover every match exactly once");

    // Keyword also matches the credit code and the principal.
    let by_code = app
        .api(
            Method::GET,
            &format!("/api/v1/orgs?keyword={}", f.unit_a.uscc.clone().unwrap()),
            Some(&token),
            None,
        )
        .await
        .json();
    assert_eq!(ids(&by_code), vec![f.unit_a.id]);
    let by_principal = app
        .api(
            Method::GET,
            &format!(
                "/api/v1/orgs?keyword={}",
                anjian_web::auth::urlencode("赵六")
            ),
            Some(&token),
            None,
        )
        .await
        .json();
    assert_eq!(by_principal["total"], 5);
    // LIKE wildcards typed by the user are literal characters, not "match anything".
    for wild in ["%", "_"] {
        let res = app
            .api(
                Method::GET,
                &format!("/api/v1/orgs?keyword={}", anjian_web::auth::urlencode(wild)),
                Some(&token),
                None,
            )
            .await
            .json();
        assert_eq!(res["total"], 0, "keyword {wild:?}: {res}");
    }
    // Kind filter.
    let units = app
        .api(Method::GET, "/api/v1/orgs?kind=unit", Some(&token), None)
        .await
        .json();
    let mut got = ids(&units);
    got.sort();
    assert_eq!(got, vec![f.unit_a.id, f.unit_b.id]);
}

#[tokio::test]
async fn api_list_is_limited_to_the_callers_subtree() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let u = app.user("officer_a", Role::UnitOfficer, f.unit_a.id).await;
    let token = app.token_for(&u).await;
    let body = app
        .api(Method::GET, "/api/v1/orgs", Some(&token), None)
        .await
        .json();
    let mut got = ids(&body);
    got.sort();
    assert_eq!(got, vec![f.unit_a.id, f.site_a.id]);
    assert_eq!(body["total"], 2);
    let res = app
        .api(
            Method::GET,
            &format!("/api/v1/orgs/{}", f.unit_b.id),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = app
        .api(
            Method::GET,
            &format!("/api/v1/orgs/{}", f.bureau.id),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "not even its own parent");
}

// ---------------------------------------------------------------- export

#[tokio::test]
async fn export_is_an_xlsx_download_and_is_audited() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let admin = app.login_role(Role::SystemAdmin, f.bureau.id).await;
    let officer_a = app.login_role(Role::UnitOfficer, f.unit_a.id).await;
    let before = app.audit_count().await;

    let res = app.get("/orgs/export", &admin).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(
        res.headers.get(header::CONTENT_TYPE).unwrap(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let disposition = res
        .headers
        .get(header::CONTENT_DISPOSITION)
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    assert_eq!(&res.body[..4], b"PK\x03\x04", "an xlsx is a zip");
    assert!(res
        .body
        .windows(b"xl/worksheets/sheet1.xml".len())
        .any(|w| w == b"xl/worksheets/sheet1.xml"));

    assert_eq!(app.audit_count().await, before + 1);
    let audit = app.last_audit().await;
    assert_eq!(
        (audit.entity.as_str(), audit.action.as_str()),
        ("org", "export")
    );
    assert_eq!(audit.actor_user_id, Some(admin.user_id));
    let after: serde_json::Value = serde_json::from_str(&audit.after_json.unwrap()).unwrap();
    assert_eq!(after["rows"], 5, "the whole bureau: {after}");

    // A unit exports only its own subtree.
    let res = app.get("/orgs/export", &officer_a).await;
    assert_eq!(res.status, StatusCode::OK);
    let audit = app.last_audit().await;
    assert_eq!(audit.action, "export");
    assert_eq!(audit.actor_user_id, Some(officer_a.user_id));
    let after: serde_json::Value = serde_json::from_str(&audit.after_json.unwrap()).unwrap();
    assert_eq!(after["rows"], 2, "{after}");
}
