//! The pages as an inspector's phone uses them: the two-step form without script, photos posted
//! with the record, refusals re-rendered with the messages at their items, the detail page, the
//! header edit and withdrawal, and the list's filters.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};

use anjian_db::inspection;
use anjian_db::Q;
use anjian_domain::role::Role;
use anjian_testkit::{Login, Resp, TestApp};

use super::{input, library, person, written};

/// A 1×1 PNG: enough for the content sniffer to accept it as a photo.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

/// The step-2 form as a browser posts it, multipart with files under `photos`.
async fn post_multipart(
    app: &TestApp,
    who: &Login,
    fields: &[(&str, String)],
    photos: &[(&str, &[u8])],
) -> Resp {
    let boundary = "----anjianinspectionform";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    for (name, bytes) in photos {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"photos\"; filename=\"{name}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    app.send(
        Request::post(format!("/inspections?csrf_token={}", who.csrf))
            .header(header::COOKIE, format!("anjian_session={}", who.cookie))
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

fn id_from(location: &str) -> i64 {
    location
        .trim_start_matches("/inspections/")
        .split('?')
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no id in {location}"))
}

#[tokio::test]
async fn the_two_step_form_records_an_inspection_with_a_hazard_and_a_photo() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let inspector = person(&app, "inspector_a", Role::Inspector, &f.unit_a).await;
    let lib = library(&app, "仓储安全检查表（表单）").await;
    let login = app.login_as(&inspector.user).await;

    let step1 = app.get("/inspections/new", &login).await;
    assert_eq!(step1.status, StatusCode::OK);
    let html = step1.text();
    assert!(
        html.contains("甲库点") && !html.contains("乙库点"),
        "only orgs in scope"
    );
    assert!(html.contains("仓储安全检查表（表单）"));

    let step2 = app
        .get(
            &format!(
                "/inspections/new?step=2&org_id={}&checklist_id={}",
                f.site_a.id, lib.checklist_id
            ),
            &login,
        )
        .await;
    assert_eq!(step2.status, StatusCode::OK);
    let html = step2.text();
    for it in &lib.items {
        assert!(
            html.contains(&format!("name=\"r_{}\" value=\"fail\"", it.id)),
            "radios per item"
        );
        assert!(
            html.contains(&format!("name=\"hd_{}\"", it.id)),
            "hazard block per item"
        );
    }
    assert!(html.contains("重大隐患判定项"));
    assert!(
        html.contains(&inspector.user.name),
        "inspectors default to the user"
    );
    assert!(
        html.contains("value=\"self_check\" selected"),
        "a unit inspects itself: 自查"
    );
    assert!(!html.contains("<script>"), "no inline script");

    let (a, b, c) = (lib.items[0].id, lib.items[1].id, lib.items[2].id);
    let fields: Vec<(String, String)> = vec![
        ("org_id".into(), f.site_a.id.to_string()),
        ("checklist_id".into(), lib.checklist_id.to_string()),
        ("kind".into(), "self_check".into()),
        ("inspected_on".into(), "2023-05-06".into()),
        ("inspectors".into(), "吴检查".into()),
        ("item".into(), a.to_string()),
        (format!("r_{a}"), "pass".into()),
        ("item".into(), b.to_string()),
        (format!("r_{b}"), "na".into()),
        ("item".into(), c.to_string()),
        (format!("r_{c}"), "fail".into()),
        (format!("hd_{c}"), "配电箱线路私拉乱接".into()),
        (format!("hl_{c}"), "2号仓房".into()),
        (format!("ht_{c}"), "2023-05-20".into()),
        ("summary".into(), "总体良好".into()),
    ];
    let refs: Vec<(&str, String)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    let res = post_multipart(&app, &login, &refs, &[("现场.png", PNG)]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let id = id_from(&res.location());

    let detail = app.get(&res.location(), &login).await;
    assert_eq!(detail.status, StatusCode::OK);
    let html = detail.text();
    assert!(html.contains("已新增"));
    assert!(html.contains(&lib.items[2].content));
    let d = inspection::get(&app.db, &inspector.ctx, id).await.unwrap();
    let hazard = d.items[2].hazard_id.expect("hazard registered");
    assert!(
        html.contains(&format!("href=\"/hazards/{hazard}\"")),
        "links the hazard"
    );
    assert_eq!(d.attachments.len(), 1);
    assert_eq!(
        d.attachments[0].org_id, f.site_a.id,
        "the photo belongs to the inspected site"
    );
    assert!(html.contains(&format!("/attachments/{}", d.attachments[0].id)));
    let (desc, loc): (String, String) = app
        .db
        .fetch_one(&Q::new("SELECT description, location FROM hazard WHERE id = $1").bind(hazard))
        .await
        .unwrap();
    assert_eq!(
        (desc.as_str(), loc.as_str()),
        ("配电箱线路私拉乱接", "2号仓房")
    );
}

#[tokio::test]
async fn a_refused_form_comes_back_with_messages_at_the_items_keeps_the_photos_and_writes_nothing()
{
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let officer = person(&app, "officer_a", Role::UnitOfficer, &f.unit_a).await;
    let lib = library(&app, "仓储安全检查表（重填）").await;
    let login = app.login_as(&officer.user).await;
    let (a, b, c) = (lib.items[0].id, lib.items[1].id, lib.items[2].id);
    let mut fields: Vec<(String, String)> = vec![
        ("org_id".into(), f.site_a.id.to_string()),
        ("checklist_id".into(), lib.checklist_id.to_string()),
        ("kind".into(), "self_check".into()),
        ("inspected_on".into(), "2023-05-06".into()),
        ("inspectors".into(), "周安全员".into()),
        ("item".into(), a.to_string()),
        (format!("r_{a}"), "pass".into()),
        ("item".into(), b.to_string()),
        ("item".into(), c.to_string()),
        (format!("r_{c}"), "fail".into()),
        (format!("hd_{c}"), "线路老化".into()),
        ("illegal_operation".into(), "1".into()),
    ];
    let before = written(&app).await;
    let refs: Vec<(&str, String)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    let res = post_multipart(&app, &login, &refs, &[("现场.png", PNG)]).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text();
    assert!(html.contains("第2项未选择检查结果"), "{html}");
    assert!(html.contains("第3项隐患：整改期限"), "{html}");
    assert!(html.contains("请填写非法违法行为情况说明"));
    assert!(
        html.contains(">线路老化</textarea>"),
        "what was typed is kept"
    );
    assert!(html.contains("已上传照片1张"));
    let [ins, items, links, hazards, _] = written(&app).await;
    assert_eq!(
        [ins, items, links, hazards],
        [before[0], before[1], before[2], before[3]],
        "no inspection, item, link or hazard"
    );
    let kept = html
        .split("name=\"attachment_ids\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the stored photo is carried in the form")
        .to_string();

    // Corrected and sent again (url-encoded this time): the photo from the first try is linked.
    fields.push((format!("r_{b}"), "pass".into()));
    fields.push((format!("ht_{c}"), "2023-05-30".into()));
    fields.retain(|(k, _)| k != "illegal_operation");
    fields.push(("attachment_ids".into(), kept.clone()));
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let res = app.post("/inspections", &login, &pairs).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let d = inspection::get(&app.db, &officer.ctx, id_from(&res.location()))
        .await
        .unwrap();
    assert_eq!(
        d.attachments
            .iter()
            .map(|a| a.id.to_string())
            .collect::<Vec<_>>(),
        vec![kept]
    );
    assert_eq!(d.hazard_ids.len(), 1);
}

#[tokio::test]
async fn a_file_that_is_not_a_photo_is_refused_before_anything_is_stored() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let officer = person(&app, "officer_a", Role::UnitOfficer, &f.unit_a).await;

    let login = app.login_as(&officer.user).await;
    let before = (written(&app).await, super::count(&app, "attachment").await);
    let fields = vec![
        ("org_id", f.site_a.id.to_string()),
        ("kind", "self_check".to_string()),
        ("inspected_on", "2023-05-06".to_string()),
        ("inspectors", "周安全员".to_string()),
    ];
    let res = post_multipart(
        &app,
        &login,
        &fields,
        &[("ok.png", PNG), ("page.html", b"<html><script>x</script>")],
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("不是支持的文件类型"));
    assert_eq!(
        (written(&app).await, super::count(&app, "attachment").await),
        before
    );
}

#[tokio::test]
async fn a_task_link_preselects_its_checklist_kind_and_campaign() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let sup = person(&app, "sup", Role::BureauSupervisor, &f.bureau).await;
    let officer = person(&app, "officer_a", Role::UnitOfficer, &f.unit_a).await;
    let lib = library(&app, "仓储安全检查表（任务链接）").await;
    let camp = super::repo::campaign_for(&app, &sup, "安全生产月").await;
    let task = anjian_db::inspection_task::create(
        &app.db,
        &sup.ctx,
        &anjian_db::inspection_task::TaskInput {
            title: "六月专项检查".into(),
            kind: "special".into(),
            campaign_id: Some(camp),
            checklist_id: Some(lib.checklist_id),
            start_date: "2023-06-01".into(),
            due_date: "2099-06-30".into(),
            org_ids: vec![f.unit_a.id],
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .id;
    let login = app.login_as(&officer.user).await;
    let step1 = app
        .get(&format!("/inspections/new?task_id={task}"), &login)
        .await
        .text();
    assert!(step1.contains("六月专项检查"));
    assert!(step1.contains(&format!("value=\"{}\" selected", lib.checklist_id)));
    let step2 = app
        .get(
            &format!(
                "/inspections/new?step=2&task_id={task}&org_id={}&checklist_id={}",
                f.site_a.id, lib.checklist_id
            ),
            &login,
        )
        .await
        .text();
    assert!(
        step2.contains("value=\"special\" selected"),
        "the task's kind"
    );
    assert!(
        step2.contains(&format!("value=\"{camp}\" selected")),
        "the task's campaign"
    );
    assert!(
        step2.contains(&format!("value=\"{task}\" selected")),
        "the task itself"
    );
}

#[tokio::test]
async fn edit_delete_and_list_pages() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let sup = person(&app, "sup", Role::BureauSupervisor, &f.bureau).await;
    let lib = library(&app, "仓储安全检查表（页面）").await;
    let id = inspection::create(
        &app.db,
        &sup.ctx,
        &input(f.site_a.id, "督查", "2023-03-01", &lib, &[]),
    )
    .await
    .unwrap();
    let mut illegal = input(f.site_b.id, "暗访", "2023-04-01", &lib, &[]);
    illegal.illegal_operation = true;
    illegal.illegal_description = "无证储存危险化学品".into();
    let other = inspection::create(&app.db, &sup.ctx, &illegal)
        .await
        .unwrap();
    let login = app.login_as(&sup.user).await;

    let edit = app.get(&format!("/inspections/{id}/edit"), &login).await;
    assert_eq!(edit.status, StatusCode::OK);
    assert!(edit.text().contains("name=\"row_version\" value=\"1\""));
    let form = |v: &'static str, inspectors: &'static str| {
        vec![
            ("row_version", v),
            ("kind", "spot_check"),
            ("inspected_on", "2023-03-01"),
            ("inspectors", inspectors),
        ]
    };
    let bad = app
        .post(&format!("/inspections/{id}"), &login, &form("1", ""))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().contains("请填写检查人员"));
    let ok = app
        .post(&format!("/inspections/{id}"), &login, &form("1", "王检查"))
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(ok.location(), format!("/inspections/{id}?notice=saved"));
    let stale = app
        .post(&format!("/inspections/{id}"), &login, &form("1", "赵检查"))
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);

    let list = app.get("/inspections?illegal_only=1", &login).await.text();
    assert!(
        list.contains(&format!("/inspections/{other}"))
            && !list.contains(&format!("/inspections/{id}\""))
    );
    let list = app
        .get(
            "/inspections?kind=spot_check&from=2023-03-01&to=2023-03-01",
            &login,
        )
        .await
        .text();
    assert!(
        list.contains(&format!("/inspections/{id}\""))
            && !list.contains(&format!("/inspections/{other}\""))
    );
    let list = app.get("/inspections?from=2023-02-30", &login).await;
    assert_eq!(
        list.status,
        StatusCode::OK,
        "a mistyped date is reported, not fatal"
    );
    assert!(list.text().contains("开始日期"));

    let del = app
        .post(&format!("/inspections/{id}/delete"), &login, &[])
        .await;
    assert_eq!(del.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get(&format!("/inspections/{id}"), &login).await.status,
        StatusCode::NOT_FOUND
    );
}
