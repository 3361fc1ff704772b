//! Moving a node (and its whole subtree) and what that does to everyone's scope, the moves that
//! are refused, and deactivation: its rules, its effect on the lists, and on signing in.

use axum::http::{Method, StatusCode};
use serde_json::json;

use anjian_db::org::{self, OrgInput};
use anjian_db::Ctx;
use anjian_domain::role::Role;
use anjian_testkit::{Login, TestApp, PASSWORD};

use super::{admin_token, ids, org_row};

// ---------------------------------------------------------------- moving

#[tokio::test]
async fn moving_a_site_to_another_unit_moves_it_out_of_one_scope_into_the_other() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let admin = app.login_role(Role::SystemAdmin, f.bureau.id).await;
    let officer_a = app.login_role(Role::UnitOfficer, f.unit_a.id).await;
    let officer_b = app.login_role(Role::UnitOfficer, f.unit_b.id).await;
    let site = format!("/orgs/{}", f.site_a.id);
    assert_eq!(app.get(&site, &officer_a).await.status, StatusCode::OK);
    assert_eq!(
        app.get(&site, &officer_b).await.status,
        StatusCode::NOT_FOUND
    );

    let target = f.unit_b.id.to_string();
    let res = app
        .post(&format!("{site}/move"), &admin, &[("parent_id", &target)])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());

    let moved = org_row(&app, f.site_a.id).await;
    assert_eq!(moved.parent_id, Some(f.unit_b.id));
    assert_eq!(moved.path, format!("{}{}/", f.unit_b.path, f.site_a.id));
    assert_ne!(moved.path, f.site_a.path);
    assert_eq!(
        app.get(&site, &officer_b).await.status,
        StatusCode::OK,
        "the new unit now sees it"
    );
    assert_eq!(
        app.get(&site, &officer_a).await.status,
        StatusCode::NOT_FOUND,
        "the old unit no longer does"
    );
    // The rest of the tree did not move.
    assert_eq!(org_row(&app, f.site_b.id).await.path, f.site_b.path);
    assert_eq!(org_row(&app, f.unit_a.id).await.path, f.unit_a.path);
    let audit = app.last_audit().await;
    assert_eq!(
        (audit.entity.as_str(), audit.action.as_str()),
        ("org", "move")
    );
    assert!(audit
        .before_json
        .unwrap_or_default()
        .contains(&f.site_a.path));
    assert!(audit.after_json.unwrap_or_default().contains(&moved.path));
}

#[tokio::test]
async fn moving_a_unit_rewrites_the_path_of_its_whole_subtree() {
    // Units only sit under a bureau, and only the command line creates a second bureau, so the
    // move itself runs as the command line does; visibility is then checked through the routes.
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let sys = Ctx::system("test");
    let bureau2 = org::create(
        &app.db,
        &sys,
        &OrgInput {
            kind: "bureau".into(),
            parent_id: None,
            name: "第二局".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let extra = org::create(
        &app.db,
        &sys,
        &OrgInput {
            kind: "site".into(),
            parent_id: Some(f.unit_a.id),
            name: "甲二库点".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let admin1 = app.login_role(Role::SystemAdmin, f.bureau.id).await;
    let admin2 = app.login_role(Role::SystemAdmin, bureau2.id).await;
    let officer_a = app.login_role(Role::UnitOfficer, f.unit_a.id).await;

    org::move_to(&app.db, &sys, f.unit_a.id, bureau2.id)
        .await
        .expect("move unit");

    let unit = org_row(&app, f.unit_a.id).await;
    let unit_path = format!("{}{}/", bureau2.path, f.unit_a.id);
    assert_eq!(unit.path, unit_path);
    assert_eq!(
        org_row(&app, f.site_a.id).await.path,
        format!("{unit_path}{}/", f.site_a.id)
    );
    assert_eq!(
        org_row(&app, extra.id).await.path,
        format!("{unit_path}{}/", extra.id)
    );
    assert_eq!(
        org_row(&app, f.unit_b.id).await.path,
        f.unit_b.path,
        "siblings stay"
    );
    assert_eq!(org_row(&app, f.site_b.id).await.path, f.site_b.path);

    for id in [f.unit_a.id, f.site_a.id, extra.id] {
        let p = format!("/orgs/{id}");
        assert_eq!(
            app.get(&p, &admin2).await.status,
            StatusCode::OK,
            "{p} now under the second bureau"
        );
        assert_eq!(
            app.get(&p, &admin1).await.status,
            StatusCode::NOT_FOUND,
            "{p} left the first bureau"
        );
        assert_eq!(
            app.get(&p, &officer_a).await.status,
            StatusCode::OK,
            "the unit still sees its own subtree"
        );
    }
    let adm2 = app.user("adm2", Role::SystemAdmin, bureau2.id).await;
    let token2 = app.token_for(&adm2).await;
    let listed = app
        .api(Method::GET, "/api/v1/orgs", Some(&token2), None)
        .await;
    let mut got = ids(&listed.json());
    got.sort();
    let mut want = vec![bureau2.id, f.unit_a.id, f.site_a.id, extra.id];
    want.sort();
    assert_eq!(got, want);
}

#[tokio::test]
async fn moving_a_node_under_itself_or_below_itself_is_refused() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let token = admin_token(&app, &f).await;
    let audits = app.audit_count().await;
    let path = format!("/api/v1/orgs/{}/move", f.unit_a.id);
    for target in [f.unit_a.id, f.site_a.id] {
        let res = app
            .api(
                Method::POST,
                &path,
                Some(&token),
                Some(json!({ "parent_id": target })),
            )
            .await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            res.text()
        );
        let body = res.json();
        assert_eq!(body["code"], "validation_failed");
        assert_eq!(
            body["fields"]["parent_id"], "不能将组织移动到其自身或其下级组织之下",
            "{body}"
        );
    }
    // A site cannot take a unit below it either, and a unit cannot go under another unit.
    let res = app
        .api(
            Method::POST,
            &format!("/api/v1/orgs/{}/move", f.unit_b.id),
            Some(&token),
            Some(json!({"parent_id": f.unit_a.id})),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.json()["fields"]["parent_id"]
            .as_str()
            .unwrap_or("")
            .contains("不能设置在"),
        "{}",
        res.text()
    );
    for o in [&f.unit_a, &f.site_a, &f.unit_b] {
        let now = org_row(&app, o.id).await;
        assert_eq!(
            (now.path.as_str(), now.parent_id),
            (o.path.as_str(), o.parent_id),
            "{} unchanged",
            o.name
        );
    }
    assert_eq!(
        app.audit_count().await,
        audits,
        "refused moves are not audited as moves"
    );
}

// ---------------------------------------------------------------- deactivation

#[tokio::test]
async fn deactivating_a_node_with_active_children_is_a_conflict() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let token = admin_token(&app, &f).await;
    let res = app
        .api(
            Method::POST,
            &format!("/api/v1/orgs/{}/deactivate", f.unit_a.id),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text());
    let body = res.json();
    assert_eq!(body["code"], "conflict");
    assert!(
        body["message"].as_str().unwrap().contains("下级组织"),
        "{body}"
    );
    assert!(org_row(&app, f.unit_a.id).await.active, "still active");

    // Once the child is inactive the parent may follow.
    let res = app
        .api(
            Method::POST,
            &format!("/api/v1/orgs/{}/deactivate", f.site_a.id),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let res = app
        .api(
            Method::POST,
            &format!("/api/v1/orgs/{}/deactivate", f.unit_a.id),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert!(!org_row(&app, f.unit_a.id).await.active);
    // …and a child cannot be reactivated under an inactive parent.
    let res = app
        .api(
            Method::POST,
            &format!("/api/v1/orgs/{}/activate", f.site_a.id),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(!org_row(&app, f.site_a.id).await.active);
}

#[tokio::test]
async fn a_deactivated_leaf_is_hidden_from_the_default_list_only() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let token = admin_token(&app, &f).await;
    let res = app
        .api(
            Method::POST,
            &format!("/api/v1/orgs/{}/deactivate", f.site_a.id),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["active"], false);
    assert!(!org_row(&app, f.site_a.id).await.active);
    let audit = app.last_audit().await;
    assert_eq!(
        (audit.action.as_str(), audit.entity_id.clone()),
        ("deactivate", f.site_a.id.to_string())
    );

    let default = app
        .api(Method::GET, "/api/v1/orgs", Some(&token), None)
        .await
        .json();
    assert!(
        !ids(&default).contains(&f.site_a.id),
        "hidden by default: {default}"
    );
    assert!(ids(&default).contains(&f.site_b.id));
    assert_eq!(default["total"], 4);
    let all = app
        .api(
            Method::GET,
            "/api/v1/orgs?include_inactive=true",
            Some(&token),
            None,
        )
        .await
        .json();
    assert!(
        ids(&all).contains(&f.site_a.id),
        "shown with include_inactive: {all}"
    );
    assert_eq!(all["total"], 5);
    let row = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == f.site_a.id)
        .unwrap()
        .clone();
    assert_eq!(row["active"], false);
    // Still reachable directly (records keep pointing at it).
    assert_eq!(
        app.api(
            Method::GET,
            &format!("/api/v1/orgs/{}", f.site_a.id),
            Some(&token),
            None
        )
        .await
        .status,
        StatusCode::OK
    );

    // The page list behaves the same.
    let admin = app.login_role(Role::SystemAdmin, f.bureau.id).await;
    let page = app.get("/orgs", &admin).await.text();
    assert!(!page.contains("甲库点"), "page hides it by default");
    let page = app.get("/orgs?include_inactive=1", &admin).await.text();
    assert!(
        page.contains("甲库点") && page.contains("<tr class=\"inactive\">"),
        "page shows it, marked, when asked"
    );
}

#[tokio::test]
async fn users_of_a_deactivated_org_cannot_sign_in() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let token = admin_token(&app, &f).await;
    app.user("kuguan", Role::UnitOfficer, f.site_a.id).await;

    let ok = app.login_form("kuguan", PASSWORD).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text());
    let cookie = ok.set_cookie("anjian_session").expect("signed in");
    let session = Login {
        cookie,
        csrf: String::new(),
        user_id: 0,
    };
    assert_eq!(app.get("/", &session).await.status, StatusCode::OK);

    let res = app
        .api(
            Method::POST,
            &format!("/api/v1/orgs/{}/deactivate", f.site_a.id),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);

    let refused = app.login_form("kuguan", PASSWORD).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.text().contains("账号已被停用"),
        "{}",
        refused.text()
    );
    assert!(
        refused.set_cookie("anjian_session").is_none(),
        "no session handed out"
    );
    let audit = app.last_audit().await;
    assert_eq!(audit.action, "login_failed");
    // The session opened before the deactivation stops working too.
    let res = app.get("/", &session).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(res.location().starts_with("/login"), "{}", res.location());
}
