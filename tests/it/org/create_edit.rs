//! Creating and editing organisations through the pages: the credit-code checks with their
//! Chinese field errors, the form kept filled in on a 422, the audited create and update, and
//! editing refused outside the caller's scope.

use axum::http::StatusCode;

use anjian_db::Q;
use anjian_domain::role::Role;
use anjian_testkit::{uscc, TestApp};

use super::{bad_check_character, org_count, org_row};

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
    assert!(
        form.text().contains("name=\"row_version\" value=\"1\""),
        "the form carries the version it shows"
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
                ("row_version", "1"),
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
                ("row_version", "2"),
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
                ("row_version", "2"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("排序号必须是整数"), "{}", res.text());
    // Without the version the form was read at, nothing is saved either.
    let res = app
        .post(
            &path,
            &admin,
            &[("kind", "unit"), ("name", "别的名字"), ("uscc", &code)],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("请填写版本号"), "{}", res.text());
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
