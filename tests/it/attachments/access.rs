//! Who may upload where: an `org_id` outside the caller's scope is refused without leaving an
//! orphan object, roles without the permission get 403, and the page upload needs its CSRF token.

use std::path::PathBuf;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};

use anjian_db::Q;
use anjian_domain::role::Role;
use anjian_testkit::TestApp;

use super::{assert_error_shape, attachment_count, multipart, png, stored_files, upload, BOUNDARY};

#[tokio::test]
async fn org_id_outside_the_callers_scope_is_422_naming_org_id() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let u = app.user("officer_a", Role::UnitOfficer, f.unit_a.id).await;
    let token = app.token_for(&u).await;
    let image = png(4, 4);
    for org in [
        f.unit_b.id.to_string(),
        f.site_b.id.to_string(),
        f.bureau.id.to_string(),
        "999999".to_string(),
    ] {
        let res = upload(
            &app,
            &token,
            multipart(Some(&org), "p.png", "image/png", &image),
        )
        .await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "org {org}: {}",
            res.text()
        );
        let body = assert_error_shape(&res, "validation_failed");
        assert!(body["fields"]["org_id"].is_string(), "{body}");
    }
    let res = upload(
        &app,
        &token,
        multipart(Some("abc"), "p.png", "image/png", &image),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.json()["fields"]["org_id"].is_string());
    assert_eq!(attachment_count(&app).await, 0);
    // In scope it works.
    let res = upload(
        &app,
        &token,
        multipart(Some(&f.site_a.id.to_string()), "p.png", "image/png", &image),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
}

#[tokio::test]
async fn an_upload_refused_for_its_org_id_stores_no_object() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let u = app.user("officer_a", Role::UnitOfficer, f.unit_a.id).await;
    let token = app.token_for(&u).await;
    let res = upload(
        &app,
        &token,
        multipart(
            Some(&f.unit_b.id.to_string()),
            "p.png",
            "image/png",
            &png(5, 5),
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(attachment_count(&app).await, 0);
    assert_eq!(
        stored_files(&app),
        Vec::<PathBuf>::new(),
        "a refused upload leaves no orphan blob behind"
    );
}

#[tokio::test]
async fn roles_without_upload_permission_get_403() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let leader = app.user("leader", Role::BureauLeader, f.bureau.id).await;
    let token = app.token_for(&leader).await;
    let res = upload(
        &app,
        &token,
        multipart(None, "p.png", "image/png", &png(2, 2)),
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_error_shape(&res, "forbidden");
    assert_eq!(attachment_count(&app).await, 0);
    assert!(stored_files(&app).is_empty());
}

#[tokio::test]
async fn page_upload_needs_the_csrf_token_and_redirects_to_the_download() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let u = app.user("officer_a", Role::UnitOfficer, f.unit_a.id).await;
    let me = app.login_as(&u).await;
    let image = png(3, 3);
    let send = |uri: String| {
        Request::post(uri)
            .header(header::COOKIE, format!("anjian_session={}", me.cookie))
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(Body::from(multipart(None, "p.png", "image/png", &image)))
            .unwrap()
    };
    let res = app.send(send("/attachments".into())).await;
    assert_eq!(
        res.status,
        StatusCode::FORBIDDEN,
        "a cookie alone is not enough"
    );
    let res = app.send(send("/attachments?csrf_token=wrong".into())).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(attachment_count(&app).await, 0);
    let res = app
        .send(send(format!("/attachments?csrf_token={}", me.csrf)))
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let (id,): (i64,) = app
        .db
        .fetch_one(&Q::new("SELECT MAX(id) FROM attachment"))
        .await
        .unwrap();
    assert_eq!(res.location(), format!("/attachments/{id}"));
}
