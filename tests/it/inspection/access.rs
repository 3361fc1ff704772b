//! Scope and permissions: a unit never sees or changes another unit's inspections (repository,
//! pages, photos, API); an inspected unit sees the bureau's 督查 of it but cannot rewrite it; a
//! read-only role cannot record.

use axum::http::{Method, StatusCode};

use anjian_db::inspection::{self, InspectionFilter};
use anjian_db::{DbError, PageReq, Q};
use anjian_domain::role::Role;
use anjian_testkit::TestApp;

use super::{attachment, input, library, person, written};
use crate::inspection::repo::campaign_for;

async fn inspection_audits(app: &TestApp) -> i64 {
    let (n,): (i64,) = app
        .db
        .fetch_one(&Q::new(
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'inspection'",
        ))
        .await
        .unwrap();
    n
}

#[tokio::test]
async fn unit_a_never_sees_or_changes_unit_b_inspections() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let a = person(&app, "officer_a", Role::UnitOfficer, &f.unit_a).await;
    let b = person(&app, "officer_b", Role::UnitOfficer, &f.unit_b).await;
    let lib = library(&app, "仓储安全检查表（范围）").await;
    let photo = attachment(&app, f.site_b.id).await;
    let mut i = input(
        f.site_b.id,
        "自查",
        "2023-03-01",
        &lib,
        &["pass", "pass", "pass"],
    );
    i.attachment_ids = vec![photo];
    let b_id = inspection::create(&app.db, &b.ctx, &i).await.unwrap();
    let a_id = inspection::create(
        &app.db,
        &a.ctx,
        &input(f.site_a.id, "自查", "2023-03-01", &lib, &[]),
    )
    .await
    .unwrap();

    // Repository.
    let seen: Vec<i64> = inspection::list(
        &app.db,
        &a.ctx,
        &InspectionFilter::default(),
        PageReq::new(None, None),
    )
    .await
    .unwrap()
    .items
    .iter()
    .map(|i| i.id)
    .collect();
    assert_eq!(seen, vec![a_id]);
    let under_b = InspectionFilter {
        under: Some(f.unit_b.id),
        ..Default::default()
    };
    assert_eq!(
        inspection::list(&app.db, &a.ctx, &under_b, PageReq::new(None, None))
            .await
            .unwrap()
            .total,
        0
    );
    assert!(matches!(
        inspection::get(&app.db, &a.ctx, b_id).await,
        Err(DbError::NotFound)
    ));
    let before = written(&app).await;
    let upd = anjian_db::inspection::InspectionUpdate {
        row_version: 1,
        kind: "self_check".into(),
        inspected_on: "2023-03-01".into(),
        inspectors: "越权".into(),
        ..Default::default()
    };
    assert!(matches!(
        inspection::update(&app.db, &a.ctx, b_id, &upd).await,
        Err(DbError::NotFound)
    ));
    assert!(matches!(
        inspection::delete(&app.db, &a.ctx, b_id).await,
        Err(DbError::NotFound)
    ));
    assert_eq!(written(&app).await, before);

    // Pages and the photo.
    let login = app.login_as(&a.user).await;
    assert_eq!(
        app.get(&format!("/inspections/{b_id}"), &login)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("/inspections/{b_id}/edit"), &login)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("/attachments/{photo}"), &login)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let res = app
        .post(
            &format!("/inspections/{b_id}"),
            &login,
            &[
                ("row_version", "1"),
                ("kind", "self_check"),
                ("inspected_on", "2023-03-01"),
                ("inspectors", "越权"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.post(&format!("/inspections/{b_id}/delete"), &login, &[])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let list = app.get("/inspections", &login).await.text();
    assert!(
        !list.contains("乙库点") && list.contains("甲库点"),
        "{list}"
    );

    // API.
    let token = app.token_for(&a.user).await;
    let path = format!("/api/v1/inspections/{b_id}");
    assert_eq!(
        app.api(Method::GET, &path, Some(&token), None).await.status,
        StatusCode::NOT_FOUND
    );
    let put = serde_json::json!({"row_version": 1, "kind": "self_check", "inspected_on": "2023-03-01", "inspectors": "越权"});
    assert_eq!(
        app.api(Method::PUT, &path, Some(&token), Some(put))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.api(Method::DELETE, &path, Some(&token), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let page = app
        .api(Method::GET, "/api/v1/inspections", Some(&token), None)
        .await
        .json();
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["id"], a_id);
    // Signing in and the token wrote their own audit entries; the records are untouched.
    assert_eq!(
        written(&app).await[..4],
        before[..4],
        "nothing changed by any of it"
    );
    assert_eq!(inspection_audits(&app).await, 2, "the two creations only");
    let (inspectors,): (String,) = app
        .db
        .fetch_one(&Q::new("SELECT inspectors FROM inspection WHERE id = $1").bind(b_id))
        .await
        .unwrap();
    assert_eq!(inspectors, "张检查、李安全");
}

#[tokio::test]
async fn the_inspected_unit_sees_the_bureaus_inspection_but_cannot_rewrite_it() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let sup = person(&app, "sup", Role::BureauSupervisor, &f.bureau).await;
    let head = person(&app, "head_a", Role::UnitHead, &f.unit_a).await;
    let lib = library(&app, "仓储安全检查表（督查）").await;
    let camp = campaign_for(&app, &sup, "重大事故隐患专项排查整治行动").await;
    let mut i = input(f.site_a.id, "暗访", "2023-03-01", &lib, &[]);
    i.campaign_id = Some(camp);
    let id = inspection::create(&app.db, &sup.ctx, &i).await.unwrap();

    let seen = inspection::get(&app.db, &head.ctx, id)
        .await
        .expect("visible to the unit");
    assert!(!seen.inspection.editable_by(&head.ctx));
    assert!(seen.inspection.editable_by(&sup.ctx));
    let upd = anjian_db::inspection::InspectionUpdate {
        row_version: 1,
        kind: "self_check".into(),
        inspected_on: "2023-03-01".into(),
        inspectors: "改成自查".into(),
        campaign_id: Some(camp),
        ..Default::default()
    };
    assert!(matches!(
        inspection::update(&app.db, &head.ctx, id, &upd).await,
        Err(DbError::Forbidden)
    ));
    assert!(matches!(
        inspection::delete(&app.db, &head.ctx, id).await,
        Err(DbError::Forbidden)
    ));
    let login = app.login_as(&head.user).await;
    let page = app.get(&format!("/inspections/{id}"), &login).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        !page.text().contains("修改基本情况"),
        "no edit button for the inspected unit"
    );
    assert_eq!(
        app.get(&format!("/inspections/{id}/edit"), &login)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(&format!("/inspections/{id}/delete"), &login, &[])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_leader_reads_but_cannot_record() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let leader = person(&app, "leader", Role::BureauLeader, &f.bureau).await;
    let lib = library(&app, "仓储安全检查表（领导）").await;
    let e = inspection::create(
        &app.db,
        &leader.ctx,
        &input(f.site_a.id, "督查", "2023-03-01", &lib, &[]),
    )
    .await
    .unwrap_err();
    assert!(matches!(e, DbError::Forbidden));
    let login = app.login_as(&leader.user).await;
    assert_eq!(app.get("/inspections", &login).await.status, StatusCode::OK);
    assert_eq!(
        app.get("/inspections/new", &login).await.status,
        StatusCode::FORBIDDEN
    );
    let token = app.token_for(&leader.user).await;
    let res = app
        .api(
            Method::POST,
            "/api/v1/inspections",
            Some(&token),
            Some(serde_json::json!({})),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}
