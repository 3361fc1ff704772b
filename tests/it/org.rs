//! Organisations through the real routes: the create/edit forms with their Chinese field errors,
//! moving a node and what that does to everyone's scope, deactivation rules and their effect on
//! sign-in, list search and paging over the API, and the audited Excel export.

use axum::http::{header, Method, StatusCode};
use serde_json::json;

use anjian_db::org::{self, Org, OrgInput};
use anjian_db::{Ctx, Q};
use anjian_domain::role::Role;
use anjian_testkit::{uscc, Fixture, Login, TestApp, PASSWORD};

// ---------------------------------------------------------------- helpers

async fn org_count(app: &TestApp) -> i64 {
    let (n,): (i64,) = app
        .db
        .fetch_one(&Q::new("SELECT COUNT(*) FROM org"))
        .await
        .unwrap();
    n
}

async fn org_row(app: &TestApp, id: i64) -> Org {
    org::get(&app.db, &Ctx::system("test"), id)
        .await
        .expect("org row")
}

async fn admin_token(app: &TestApp, f: &Fixture) -> String {
    let u = app.user("sysadmin", Role::SystemAdmin, f.bureau.id).await;
    app.token_for(&u).await
}

/// A valid code with its check character replaced by another valid character.
fn bad_check_character(n: u32) -> (String, char) {
    let good = uscc(n);
    let expected = good.chars().last().unwrap();
    let wrong = if expected == '0' { '1' } else { '0' };
    (format!("{}{}", &good[..17], wrong), expected)
}

fn ids(v: &serde_json::Value) -> Vec<i64> {
    v["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|o| o["id"].as_i64().unwrap())
        .collect()
}

// ---------------------------------------------------------------- create / edit pages

#[tokio::test]
async fn page_create_with_a_wrong_check_character_is_422_naming_the_uscc_field() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let admin = app.login_role(Role::SystemAdmin, f.bureau.id).await;
    let before = org_count(&app).await;
    let audits = app.audit_count().await;
    let (code, expected) = bad_check_character(40);
    let bureau = f.bureau.id.to_string();
    let res = app
        .post(
            "/orgs",
            &admin,
            &[
                ("kind", "unit"),
                ("parent_id", &bureau),
                ("name", "丙单位"),
                ("uscc", &code),
            ],
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        res.text()
    );
    let html = res.text();
    let msg = format!("统一社会信用代码校验位错误，应为“{expected}”");
    assert!(
        html.contains(&format!("<p class=\"field-error\">{msg}</p>")),
        "the page shows the uscc error next to the field: {html}"
    );
    // The form comes back filled in, so the user can correct the one character.
    assert!(
        html.contains(&format!("value=\"{code}\"")),
        "entered code is kept"
    );
    assert!(html.contains("value=\"丙单位\""), "entered name is kept");
    assert_eq!(org_count(&app).await, before, "nothing inserted");
    assert_eq!(app.audit_count().await, audits, "nothing audited");
}

#[tokio::test]
async fn page_create_of_a_unit_without_uscc_is_422() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let admin = app.login_role(Role::SystemAdmin, f.bureau.id).await;
    let before = org_count(&app).await;
    let bureau = f.bureau.id.to_string();
    let res = app
        .post(
            "/orgs",
            &admin,
            &[
                ("kind", "unit"),
                ("parent_id", &bureau),
                ("name", "丁单位"),
                ("uscc", "  "),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text().contains("单位必须填写统一社会信用代码"),
        "{}",
        res.text()
    );
    assert_eq!(org_count(&app).await, before, "nothing inserted");
}

#[tokio::test]
async fn page_create_of_a_valid_unit_redirects_to_its_page() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let admin = app.login_role(Role::SystemAdmin, f.bureau.id).await;
    let before = org_count(&app).await;
    let bureau = f.bureau.id.to_string();
    // Lower case and surrounding spaces are accepted and stored normalised.
    let code = uscc(41);
    let typed = format!(" {} ", code.to_lowercase());
    let res = app
        .post(
            "/orgs",
            &admin,
            &[
                ("kind", "unit"),
                ("parent_id", &bureau),
                ("name", "戊单位"),
                ("uscc", &typed),
                ("principal", "张三"),
                ("contact_phone", "0591-12345678"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    assert_eq!(org_count(&app).await, before + 1);
    let (id,): (i64,) = app
        .db
        .fetch_one(&Q::new("SELECT id FROM org WHERE name = '戊单位'"))
        .await
        .unwrap();
    let loc = res.location();
    assert!(
        loc == format!("/orgs/{id}") || loc.starts_with(&format!("/orgs/{id}?")),
        "redirects to the new node's page, got {loc}"
    );
    let o = org_row(&app, id).await;
    assert_eq!(o.kind, "unit");
    assert_eq!(o.parent_id, Some(f.bureau.id));
    assert_eq!(o.uscc.as_deref(), Some(code.as_str()));
    assert_eq!(o.principal, "张三");
    assert_eq!(o.path, format!("{}{id}/", f.bureau.path));
    assert!(o.active);
    let audit = app.last_audit().await;
    assert_eq!(
        (audit.entity.as_str(), audit.action.as_str()),
        ("org", "create")
    );
    assert_eq!(audit.entity_id, id.to_string());
    assert_eq!(audit.actor_user_id, Some(admin.user_id));

    let page = app.get(&loc, &admin).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("戊单位"));
}

#[tokio::test]
async fn page_create_with_a_code_already_used_is_422() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let admin = app.login_role(Role::SystemAdmin, f.bureau.id).await;
    let before = org_count(&app).await;
    let bureau = f.bureau.id.to_string();
    let taken = f.unit_a.uscc.clone().unwrap();
    let res = app
        .post(
            "/orgs",
            &admin,
            &[
                ("kind", "unit"),
                ("parent_id", &bureau),
                ("name", "重复单位"),
                ("uscc", &taken),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text().contains("该统一社会信用代码已被其他组织使用"),
        "{}",
        res.text()
    );
    assert_eq!(org_count(&app).await, before);
}

#[tokio::test]
async fn page_edit_saves_the_fields_and_refuses_bad_input() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let admin = app.login_role(Role::SystemAdmin, f.bureau.id).await;
    let path = format!("/orgs/{}", f.unit_a.id);
    let code = f.unit_a.uscc.clone().unwrap();

    let form = app.get(&format!("{path}/edit"), &admin).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.text().contains("value=\"甲单位\""),
        "edit form is prefilled"
    );

    let res = app
        .post(
            &path,
            &admin,
            &[
                ("kind", "unit"),
                ("name", "甲单位（改）"),
                ("uscc", &code),
                ("address", "福州市鼓楼区1号"),
                ("principal", "李四"),
                ("contact_person", "王五"),
                ("contact_phone", "13800000000"),
                ("sort_order", "7"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    assert!(res.location().starts_with(&path));
    let o = org_row(&app, f.unit_a.id).await;
    assert_eq!(o.name, "甲单位（改）");
    assert_eq!(o.address, "福州市鼓楼区1号");
    assert_eq!(o.principal, "李四");
    assert_eq!(o.contact_person, "王五");
    assert_eq!(o.contact_phone, "13800000000");
    assert_eq!(o.sort_order, 7);
    assert_eq!(o.path, f.unit_a.path, "editing does not move");
    let audit = app.last_audit().await;
    assert_eq!(
        (audit.entity.as_str(), audit.action.as_str()),
        ("org", "update")
    );
    assert!(audit.before_json.unwrap_or_default().contains("甲单位"));
    assert!(audit
        .after_json
        .unwrap_or_default()
        .contains("甲单位（改）"));

    // A letter in the phone number and a non-number sort order: 422, nothing changes.
    let audits = app.audit_count().await;
    let res = app
        .post(
            &path,
            &admin,
            &[
                ("kind", "unit"),
                ("name", "别的名字"),
                ("uscc", &code),
                ("contact_phone", "call me"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text().contains("联系电话只能包含数字"),
        "{}",
        res.text()
    );
    let res = app
        .post(
            &path,
            &admin,
            &[
                ("kind", "unit"),
                ("name", "别的名字"),
                ("uscc", &code),
                ("sort_order", "x"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("排序号必须是整数"), "{}", res.text());
    assert_eq!(org_row(&app, f.unit_a.id).await.name, "甲单位（改）");
    assert_eq!(app.audit_count().await, audits);
}

#[tokio::test]
async fn a_unit_head_cannot_edit_a_node_of_another_unit() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let head_a = app.login_role(Role::UnitHead, f.unit_a.id).await;
    let res = app
        .post(
            &format!("/orgs/{}", f.site_b.id),
            &head_a,
            &[("kind", "site"), ("name", "被改了")],
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(org_row(&app, f.site_b.id).await.name, "乙库点");
}

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
