//! The audit trail: one entry per change in the same transaction, append-only, hash-chained, and
//! readable only by audit administrators.

use axum::http::StatusCode;

use anjian_db::audit;
use anjian_db::{Ctx, Q};
use anjian_domain::role::Role;
use anjian_testkit::TestApp;

#[tokio::test]
async fn every_organisation_change_writes_exactly_one_entry_with_before_and_after() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let admin = app.login_role(Role::SystemAdmin, f.bureau.id).await;
    let unit_a = f.unit_a.id.to_string();
    let unit_b = f.unit_b.id.to_string();

    let n = app.audit_count().await;
    let res = app
        .post(
            "/orgs",
            &admin,
            &[
                ("kind", "site"),
                ("parent_id", &unit_a),
                ("name", "新建库点"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let id: i64 = res
        .location()
        .trim_start_matches("/orgs/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(app.audit_count().await, n + 1);
    let e = app.last_audit().await;
    assert_eq!(
        (e.entity.as_str(), e.entity_id.clone(), e.action.as_str()),
        ("org", id.to_string(), "create")
    );
    assert!(e.before_json.is_none());
    assert!(e.after_json.unwrap().contains("新建库点"));
    assert_eq!(e.actor_user_id, Some(admin.user_id));

    // (path, form fields, the audit action it writes)
    type Step<'a> = (String, Vec<(&'a str, &'a str)>, &'a str);
    let steps: [Step; 4] = [
        (
            format!("/orgs/{id}"),
            vec![("kind", "site"), ("name", "改名库点"), ("row_version", "1")],
            "update",
        ),
        (
            format!("/orgs/{id}/move"),
            vec![("parent_id", &unit_b)],
            "move",
        ),
        (format!("/orgs/{id}/deactivate"), vec![], "deactivate"),
        (format!("/orgs/{id}/activate"), vec![], "activate"),
    ];
    for (path, form, action) in steps {
        let n = app.audit_count().await;
        let res = app.post(&path, &admin, &form).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{path}: {}", res.text());
        assert_eq!(app.audit_count().await, n + 1, "{action}");
        let e = app.last_audit().await;
        assert_eq!(e.action, action);
        assert!(
            e.before_json.is_some() && e.after_json.is_some(),
            "{action} keeps before and after"
        );
        assert_ne!(e.before_json, e.after_json);
    }
}

#[tokio::test]
async fn a_refused_change_writes_nothing() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let admin = app.login_role(Role::SystemAdmin, f.bureau.id).await;
    let orgs_before: (i64,) = app
        .db
        .fetch_one(&Q::new("SELECT COUNT(*) FROM org"))
        .await
        .unwrap();
    let n = app.audit_count().await;
    let unit = f.bureau.id.to_string();
    // A unit with a wrong check character.
    let mut bad = anjian_testkit::uscc(7);
    let last = bad.pop().unwrap();
    bad.push(if last == '1' { '2' } else { '1' });
    let res = app
        .post(
            "/orgs",
            &admin,
            &[
                ("kind", "unit"),
                ("parent_id", &unit),
                ("name", "坏代码单位"),
                ("uscc", &bad),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("校验位"), "{}", res.text());
    // Deactivating a node with active children is refused after the transaction began.
    let res = app
        .post(&format!("/orgs/{}/deactivate", f.unit_a.id), &admin, &[])
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(app.audit_count().await, n);
    let orgs_after: (i64,) = app
        .db
        .fetch_one(&Q::new("SELECT COUNT(*) FROM org"))
        .await
        .unwrap();
    assert_eq!(orgs_before, orgs_after);
}

#[tokio::test]
async fn the_trail_is_append_only() {
    let app = TestApp::new().await;
    app.fixture().await;
    assert!(
        app.db
            .execute(&Q::new("UPDATE audit_log SET action = 'x'"))
            .await
            .is_err(),
        "UPDATE refused"
    );
    assert!(
        app.db
            .execute(&Q::new("DELETE FROM audit_log"))
            .await
            .is_err(),
        "DELETE refused"
    );
    assert!(app.audit_count().await > 0);
}

/// Lifts the append-only guard the way someone with file access would, to simulate tampering.
async fn tamper(app: &TestApp, sql: &str) {
    if app.is_postgres() {
        app.db
            .execute(&Q::new(
                "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update",
            ))
            .await
            .unwrap();
        app.db.execute(&Q::new(sql)).await.unwrap();
        app.db
            .execute(&Q::new(
                "ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update",
            ))
            .await
            .unwrap();
    } else {
        app.db
            .execute(&Q::new("DROP TRIGGER audit_log_no_update"))
            .await
            .unwrap();
        app.db
            .execute(&Q::new("DROP TRIGGER audit_log_no_delete"))
            .await
            .unwrap();
        app.db.execute(&Q::new(sql)).await.unwrap();
    }
}

#[tokio::test]
async fn verify_finds_the_first_edited_row() {
    let app = TestApp::new().await;
    app.fixture().await;
    let intact = audit::verify(&app.db).await.unwrap();
    assert!(intact.first_broken.is_none());
    assert_eq!(intact.checked, app.audit_count().await);
    tamper(
        &app,
        "UPDATE audit_log SET after_json = '{\"name\":\"伪造\"}' WHERE id = 3",
    )
    .await;
    let r = audit::verify(&app.db).await.unwrap();
    let b = r.first_broken.expect("tampering is detected");
    assert_eq!(b.id, 3);
    assert!(b.reason.contains("篡改"), "{}", b.reason);
    assert_eq!(r.checked, 2);
}

#[tokio::test]
async fn verify_finds_a_deleted_row() {
    let app = TestApp::new().await;
    app.fixture().await;
    tamper(&app, "DELETE FROM audit_log WHERE id = 2").await;
    let b = audit::verify(&app.db)
        .await
        .unwrap()
        .first_broken
        .expect("deletion is detected");
    assert_eq!(b.id, 3);
}

#[tokio::test]
async fn only_audit_administrators_read_the_trail_and_they_change_nothing_else() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let auditor = app.login_role(Role::AuditAdmin, f.bureau.id).await;
    let sysadmin = app.login_role(Role::SystemAdmin, f.bureau.id).await;
    assert_eq!(app.get("/audit", &auditor).await.status, StatusCode::OK);
    assert_eq!(
        app.get("/audit", &sysadmin).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/audit/export", &sysadmin).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/orgs", &auditor).await.status,
        StatusCode::FORBIDDEN
    );
    let res = app
        .post("/orgs", &auditor, &[("kind", "site"), ("name", "x")])
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // The export is itself audited.
    let n = app.audit_count().await;
    let x = app.get("/audit/export", &auditor).await;
    assert_eq!(x.status, StatusCode::OK);
    assert!(x.body.starts_with(b"PK"), "an xlsx file");
    assert_eq!(app.audit_count().await, n + 1);
    assert_eq!(app.last_audit().await.action, "export");
}

#[tokio::test]
async fn a_unit_level_audit_admin_sees_only_its_subtree() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let ctx_a = {
        let u = app.user("aud_a", Role::AuditAdmin, f.unit_a.id).await;
        Ctx::user(
            anjian_db::ctx::UserCtx {
                id: u.id,
                username: u.username,
                name: u.name,
                role: Role::AuditAdmin,
                org_id: f.unit_a.id,
                scope_path: f.unit_a.path.clone(),
            },
            "",
        )
    };
    let page = audit::list(
        &app.db,
        &ctx_a,
        &Default::default(),
        anjian_db::PageReq::new(None, Some(200)),
    )
    .await
    .unwrap();
    assert!(!page.items.is_empty());
    for e in &page.items {
        let org = e.org_id.expect("scoped entries name an organisation");
        assert!(
            [f.unit_a.id, f.site_a.id].contains(&org),
            "entry {} about org {org}",
            e.id
        );
    }
}
