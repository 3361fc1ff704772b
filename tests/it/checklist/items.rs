//! Items of a checklist through the pages: add at the end, edit, move up and down, deactivate
//! and reactivate — each audited, each refused on a stale version, and what the inspection
//! module then receives.

use axum::http::StatusCode;

use anjian_db::checklist;
use anjian_db::Q;
use anjian_domain::role::Role;
use anjian_testkit::TestApp;

use super::support::{audits, person};

async fn contents(app: &TestApp, ctx: &anjian_db::Ctx, id: i64, all: bool) -> Vec<String> {
    checklist::items(&app.db, ctx, id, all)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.content)
        .collect()
}

#[tokio::test]
async fn items_are_added_edited_reordered_and_deactivated_with_versions_and_audit() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let sup = person(&app, "it_sup", Role::BureauSupervisor, &f.bureau).await;
    let c = checklist::create(
        &app.db,
        &sup.ctx,
        &checklist::ChecklistInput {
            name: "烘干作业检查表".into(),
            category: "烘干作业".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let id = c.id;

    // Add three items from the checklist page, each with the version the page showed.
    for (n, text) in [
        "烘干塔防雷接地完好",
        "热风炉操作人员持证上岗",
        "烘干机内无积粮积尘",
    ]
    .iter()
    .enumerate()
    {
        let v = (n + 1).to_string();
        let mut form = vec![
            ("content", *text),
            ("category", "烘干"),
            ("row_version", v.as_str()),
        ];
        if n == 1 {
            form.push(("major_criterion", "1"));
            form.push((
                "basis",
                "应急管理部令第10号《工贸企业重大事故隐患判定标准》第三条第（二）项",
            ));
        }
        let res = app
            .post(&format!("/checklists/{id}/items"), &sup.login, &form)
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    }
    let items = checklist::items(&app.db, &sup.ctx, id, true).await.unwrap();
    assert_eq!(
        items.iter().map(|i| i.position).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert!(items[1].major_criterion && !items[0].major_criterion);
    let (first, second, third) = (items[0].id, items[1].id, items[2].id);

    // The page offers the item controls to its maintainer.
    let html = app
        .get(&format!("/checklists/{id}"), &sup.login)
        .await
        .text();
    assert!(html.contains(&format!("/checklist-items/{third}/up")));
    assert!(html.contains("name=\"row_version\" value=\"4\""));

    // Move the last item up: 1, 3, 2.
    let res = app
        .post(
            &format!("/checklist-items/{third}/up"),
            &sup.login,
            &[("row_version", "4")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        contents(&app, &sup.ctx, id, true).await,
        [
            "烘干塔防雷接地完好",
            "烘干机内无积粮积尘",
            "热风炉操作人员持证上岗"
        ]
    );
    // A second click from the same page is stale.
    let stale = app
        .post(
            &format!("/checklist-items/{first}/down"),
            &sup.login,
            &[("row_version", "4")],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.text().contains("记录已被他人修改，请刷新后重试"));
    // Moving the first item up changes nothing.
    let res = app
        .post(
            &format!("/checklist-items/{first}/up"),
            &sup.login,
            &[("row_version", "5")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let res = app
        .post(
            &format!("/checklist-items/{first}/down"),
            &sup.login,
            &[("row_version", "5")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        contents(&app, &sup.ctx, id, true).await,
        [
            "烘干机内无积粮积尘",
            "烘干塔防雷接地完好",
            "热风炉操作人员持证上岗"
        ]
    );

    // Edit an item: the form shows it; a blank content is a field error; then it saves.
    let form = app
        .get(&format!("/checklist-items/{second}/edit"), &sup.login)
        .await;
    assert_eq!(form.status, 200);
    assert!(form.text().contains("checked"), "major flag shown");
    let bad = app
        .post(
            &format!("/checklist-items/{second}"),
            &sup.login,
            &[("content", " "), ("row_version", "6")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad
        .text()
        .contains("<p class=\"field-error\">检查内容不能为空</p>"));
    let ok = app
        .post(
            &format!("/checklist-items/{second}"),
            &sup.login,
            &[
                ("content", "热风炉司炉人员持证上岗"),
                ("category", "烘干"),
                ("row_version", "6"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text());
    let edited = checklist::get_item(&app.db, &sup.ctx, second)
        .await
        .unwrap()
        .1;
    assert_eq!(edited.content, "热风炉司炉人员持证上岗");
    assert!(!edited.major_criterion, "unticked box clears the flag");

    // Deactivate: still on the page (greyed), gone from what an inspection receives.
    let res = app
        .post(
            &format!("/checklist-items/{third}/deactivate"),
            &sup.login,
            &[("row_version", "7")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let mut tx = app.db.begin().await.unwrap();
    let used = checklist::items_in_tx(&mut tx, &sup.ctx, id).await.unwrap();
    drop(tx);
    assert_eq!(
        used.iter().map(|i| i.content.as_str()).collect::<Vec<_>>(),
        ["烘干塔防雷接地完好", "热风炉司炉人员持证上岗"]
    );
    assert_eq!(
        contents(&app, &sup.ctx, id, true).await.len(),
        3,
        "items are never deleted"
    );
    let res = app
        .post(
            &format!("/checklist-items/{third}/activate"),
            &sup.login,
            &[("row_version", "8")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);

    let (n,): (i64,) = app
        .db
        .fetch_one(&Q::new("SELECT COUNT(*) FROM checklist_item WHERE checklist_id = $1").bind(id))
        .await
        .unwrap();
    assert_eq!(n, 3);
    let actions: Vec<String> = audits(&app, "checklist_item", third)
        .await
        .into_iter()
        .map(|a| a.0)
        .collect();
    assert_eq!(actions, ["create", "move_up", "deactivate", "activate"]);
    let second_actions: Vec<String> = audits(&app, "checklist_item", second)
        .await
        .into_iter()
        .map(|a| a.0)
        .collect();
    assert_eq!(
        second_actions,
        ["create", "update"],
        "the neighbour of a move is not audited separately"
    );
    assert!(audits(&app, "checklist_item", first)
        .await
        .iter()
        .any(|a| a.0 == "move_down"));
}

#[tokio::test]
async fn a_viewer_cannot_touch_items_and_a_stale_add_is_refused() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let sup = person(&app, "it2_sup", Role::BureauSupervisor, &f.bureau).await;
    let officer = person(&app, "it2_off", Role::UnitOfficer, &f.unit_a).await;
    let (id,): (i64,) = app
        .db
        .fetch_one(&Q::new(
            "SELECT id FROM checklist WHERE name = '防汛安全检查表'",
        ))
        .await
        .unwrap();
    let items = checklist::items(&app.db, &officer.ctx, id, false)
        .await
        .unwrap();
    let item = items[0].id;
    for path in [
        format!("/checklist-items/{item}/up"),
        format!("/checklist-items/{item}/deactivate"),
        format!("/checklists/{id}/items"),
    ] {
        let res = app
            .post(
                &path,
                &officer.login,
                &[("content", "越权"), ("row_version", "1")],
            )
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(
        app.get(&format!("/checklist-items/{item}/edit"), &officer.login)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // Adding from a page that showed an older version.
    app.post(
        &format!("/checklists/{id}/items"),
        &sup.login,
        &[("content", "新增一项"), ("row_version", "1")],
    )
    .await;
    let stale = app
        .post(
            &format!("/checklists/{id}/items"),
            &sup.login,
            &[("content", "再增一项"), ("row_version", "1")],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.text().contains("value=\"再增一项\"") || stale.text().contains(">再增一项<"));
    assert_eq!(
        checklist::items(&app.db, &sup.ctx, id, true)
            .await
            .unwrap()
            .len(),
        items.len() + 1
    );
}
