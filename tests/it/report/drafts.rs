//! Drafts of the summary: saved with the generated narrative and a figures snapshot, edited into
//! versions (who, when), stale saves refused, scoped to the organisation's subtree, audited;
//! figures stay linked through their markers and are flagged when the records change; any
//! version exports to DOCX, Markdown and HTML; the same through the API.

use axum::http::{Method, StatusCode};

use anjian_db::report::draft::{self, DraftInput, DraftSection};
use anjian_db::DbError;
use anjian_domain::period::Period;

use crate::hazard::{register, world, World};

fn year() -> Period {
    Period::year(chrono::Datelike::year(&anjian_db::hazard::today())).unwrap()
}

/// The sections of version `n` as the edit form would send them back.
async fn sections(w: &World, id: i64, n: Option<i64>) -> Vec<DraftSection> {
    draft::version(&w.app.db, &w.supervisor.ctx, id, n)
        .await
        .unwrap()
        .content
        .sections
}

fn docx_text(body: &[u8]) -> String {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(body.to_vec())).expect("a zip");
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut z.by_name("word/document.xml").unwrap(), &mut xml).unwrap();
    xml
}

#[tokio::test]
async fn a_draft_is_saved_edited_into_versions_and_a_stale_save_is_refused() {
    let w = world().await;
    let app = &w.app;
    register(app, &w.officer, w.f.site_a.id, "配电箱门未关闭", 0, 5).await;
    let sup = &w.supervisor.ctx;
    let audits = app.audit_count().await;
    let d = draft::create(&app.db, sup, &year(), None)
        .await
        .expect("draft");
    assert_eq!((d.row_version, d.org_id), (1, w.f.bureau.id));
    assert_eq!(d.figures().hazards_general_found, 1);
    assert_eq!(app.audit_count().await, audits + 1);
    let e = app.last_audit().await;
    assert_eq!(
        (e.entity.as_str(), e.action.as_str(), e.org_id),
        ("report_draft", "create", Some(w.f.bureau.id))
    );
    // The narrative keeps each figure as a marker a person can see and keep.
    let v1 = sections(&w, d.id, None).await;
    let hazards = v1
        .iter()
        .position(|s| s.heading.starts_with("（三）"))
        .unwrap();
    assert!(
        v1[hazards]
            .text
            .contains("排查一般安全隐患问题【1|hazards_general_found】项"),
        "{}",
        v1[hazards].text
    );

    // Unit A's officer may write drafts, but this one is the bureau's: out of sight.
    assert!(matches!(
        draft::get(&app.db, &w.officer.ctx, d.id).await,
        Err(DbError::NotFound)
    ));

    let mut edited = v1.clone();
    edited[0].text = format!("{}\n本期新增一段说明。", edited[0].text);
    let input = DraftInput {
        row_version: 1,
        title: d.title.clone(),
        sections: edited.clone(),
        note: "补充说明".into(),
    };
    let d2 = draft::save_version(&app.db, sup, d.id, &input)
        .await
        .expect("second version");
    assert_eq!(d2.row_version, 2);
    let e = app.last_audit().await;
    assert_eq!(
        (e.entity.as_str(), e.action.as_str()),
        ("report_draft", "new_version")
    );
    let versions = draft::versions(&app.db, sup, d.id).await.unwrap();
    assert_eq!(
        versions
            .iter()
            .map(|v| (v.version, v.note.as_str(), v.saved_by_name.as_str()))
            .collect::<Vec<_>>(),
        [
            (2, "补充说明", w.supervisor.user.name.as_str()),
            (1, "由系统记录生成", w.supervisor.user.name.as_str())
        ]
    );
    // Version 1 is kept as it was.
    assert_eq!(sections(&w, d.id, Some(1)).await, v1);
    assert_eq!(sections(&w, d.id, Some(2)).await, edited);

    // Someone who opened version 1 saves later: refused, in Chinese, nothing written.
    let audits = app.audit_count().await;
    let stale = draft::save_version(
        &app.db,
        sup,
        d.id,
        &DraftInput {
            note: "另一人的修改".into(),
            ..input.clone()
        },
    )
    .await;
    match stale {
        Err(DbError::Conflict(m)) => {
            assert!(m.contains("保存为第2版"), "{m}");
            assert!(m.contains("您是在第1版上修改的"), "{m}");
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(app.audit_count().await, audits);
    assert_eq!(draft::versions(&app.db, sup, d.id).await.unwrap().len(), 2);

    // An empty title is a field message.
    let bad = draft::save_version(
        &app.db,
        sup,
        d.id,
        &DraftInput {
            row_version: 2,
            title: " ".into(),
            ..input.clone()
        },
    )
    .await;
    match bad {
        Err(DbError::Invalid(f)) => assert_eq!(f.get("title"), Some("标题不能为空")),
        other => panic!("expected a field error, got {other:?}"),
    }
}

#[tokio::test]
async fn drafts_are_scoped_to_the_subtree_of_their_organisation() {
    let w = world().await;
    let app = &w.app;
    // Unit A's officer drafts unit A's summary; unit B cannot see it, nor draft for unit A.
    let d = draft::create(&app.db, &w.officer.ctx, &year(), None)
        .await
        .unwrap();
    assert_eq!(d.org_id, w.f.unit_a.id);
    assert!(matches!(
        draft::get(&app.db, &w.officer_b.ctx, d.id).await,
        Err(DbError::NotFound)
    ));
    assert!(matches!(
        draft::create(&app.db, &w.officer_b.ctx, &year(), Some(w.f.unit_a.id)).await,
        Err(DbError::NotFound)
    ));
    // The bureau sees it; unit B's list does not hold it.
    draft::get(&app.db, &w.supervisor.ctx, d.id).await.unwrap();
    let page = |ctx| {
        let db = app.db.clone();
        async move {
            draft::list(&db, &ctx, None, anjian_db::PageReq::new(None, None))
                .await
                .unwrap()
                .total
        }
    };
    assert_eq!(page(w.supervisor.ctx.clone()).await, 1);
    assert_eq!(page(w.officer_b.ctx.clone()).await, 0);

    let b = app.login_as(&w.officer_b.user).await;
    for path in [
        format!("/reports/drafts/{}", d.id),
        format!("/reports/drafts/{}/edit", d.id),
        format!("/reports/drafts/{}/download?format=docx", d.id),
    ] {
        assert_eq!(
            app.get(&path, &b).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let res = app
        .post(
            &format!("/reports/drafts/{}", d.id),
            &b,
            &[("row_version", "1"), ("title", "越权"), ("text_0", "越权")],
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let token = app.token_for(&w.officer_b.user).await;
    let res = app
        .api(
            Method::GET,
            &format!("/api/v1/reports/drafts/{}", d.id),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    // A leader reads drafts but does not write them.
    let leader = crate::hazard::person(
        app,
        "leader",
        anjian_domain::role::Role::BureauLeader,
        &w.f.bureau,
    )
    .await;
    draft::get(&app.db, &leader.ctx, d.id).await.unwrap();
    assert!(matches!(
        draft::create(&app.db, &leader.ctx, &year(), None).await,
        Err(DbError::Forbidden)
    ));
}

#[tokio::test]
async fn the_pages_link_figures_flag_changed_data_and_export_the_edited_version() {
    let w = world().await;
    let app = &w.app;
    register(app, &w.officer, w.f.site_a.id, "配电箱门未关闭", 0, 5).await;
    let login = app.login_as(&w.supervisor.user).await;
    let period = year().code();

    // 保存为草稿 from the summary page.
    let res = app
        .post(
            "/reports/drafts",
            &login,
            &[("period", &period), ("org_id", "")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let at = res.location();
    let id: i64 = at
        .trim_start_matches("/reports/drafts/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let html = app.get(&at, &login).await.text();
    assert!(html.contains("已新增"));
    // The figure links to the records it counts, with the draft's period and organisation.
    let link = format!(
        "<a class=\"figure\" href=\"/statistics/records?period={period}&#38;org_id={}&#38;figure=hazards_general_found\">1</a>",
        w.f.bureau.id
    );
    assert!(html.contains(&link), "{html}");
    assert!(!html.contains("数据已变化："));
    // Listed on the summary page.
    let list = app.get("/reports", &login).await.text();
    assert!(list.contains(&format!("href=\"/reports/drafts/{id}\"")));

    // Edit through the form: the sentence and the figure as typed.
    let edit = app.get(&format!("/reports/drafts/{id}/edit"), &login).await;
    assert_eq!(edit.status, StatusCode::OK);
    let v1 = sections(&w, id, None).await;
    let mut form: Vec<(String, String)> = vec![
        ("row_version".into(), "1".into()),
        (
            "title".into(),
            "某局年度安全生产工作总结（征求意见稿）".into(),
        ),
        ("note".into(), "改标题".into()),
    ];
    for (i, s) in v1.iter().enumerate() {
        let text = if i == 0 {
            format!("{}\r\n经局务会研究，特此报告。", s.text)
        } else {
            s.text.clone()
        };
        form.push((format!("heading_{i}"), s.heading.clone()));
        form.push((format!("level_{i}"), s.level.to_string()));
        form.push((format!("text_{i}"), text));
    }
    let pairs: Vec<(&str, &str)> = form.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let res = app
        .post(&format!("/reports/drafts/{id}"), &login, &pairs)
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    // The same form again is stale: 409 with the message, the typed text kept.
    let res = app
        .post(&format!("/reports/drafts/{id}"), &login, &pairs)
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    let html = res.text();
    assert!(html.contains("请打开最新版本后再修改"));
    assert!(html.contains("经局务会研究，特此报告。"));

    // The records change after the draft: the figure is flagged.
    register(app, &w.officer, w.f.site_a.id, "灭火器过期", 0, 5).await;
    let html = app
        .get(&format!("/reports/drafts/{id}"), &login)
        .await
        .text();
    assert!(html.contains("数据已变化：现为2"), "{html}");
    assert!(html.contains("排查一般隐患数：草稿中为1，现为2"));
    let token = app.token_for(&w.supervisor.user).await;
    let api = app
        .api(
            Method::GET,
            &format!("/api/v1/reports/drafts/{id}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(api.status, StatusCode::OK);
    let changed = &api.json()["changed_figures"];
    assert!(
        changed
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["key"] == "hazards_general_found" && c["was"] == "1" && c["now"] == "2"),
        "{changed}"
    );

    // Exports of version 2 carry the edited text; version 1's do not.
    let res = app
        .get(
            &format!("/reports/drafts/{id}/download?format=docx"),
            &login,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let xml = docx_text(&res.body);
    assert!(xml.contains("经局务会研究，特此报告。"));
    assert!(xml.contains("某局年度安全生产工作总结（征求意见稿）"));
    assert!(
        xml.contains("排查一般安全隐患问题1项"),
        "markers become plain figures"
    );
    assert!(!xml.contains("【"));
    let v1_docx = app
        .get(
            &format!("/reports/drafts/{id}/download?version=1&format=docx"),
            &login,
        )
        .await;
    assert!(!docx_text(&v1_docx.body).contains("特此报告"));
    for (format, want) in [("md", "经局务会研究"), ("html", "<p>经局务会研究")] {
        let res = app
            .get(
                &format!("/reports/drafts/{id}/download?format={format}"),
                &login,
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{format}");
        assert!(res.text().contains(want), "{format}");
    }
    let res = app
        .get(&format!("/reports/drafts/{id}/download?format=pdf"), &login)
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The generated summary exports as HTML too.
    let res = app
        .get(
            &format!("/reports/download?period={period}&format=html"),
            &login,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.text().contains("安全生产工作总结"));
}

#[tokio::test]
async fn the_api_creates_drafts_and_versions_and_refuses_a_stale_one() {
    let w = world().await;
    let app = &w.app;
    let token = app.token_for(&w.officer.user).await;
    let res = app
        .api(
            Method::POST,
            "/api/v1/reports/drafts",
            Some(&token),
            Some(serde_json::json!({ "period": year().code() })),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let body = res.json();
    let id = body["draft"]["id"].as_i64().unwrap();
    assert_eq!(body["draft"]["org_id"], w.f.unit_a.id);
    assert_eq!(body["version"]["version"], 1);
    let mut sections = body["content"]["sections"].as_array().unwrap().clone();
    sections[0]["text"] = serde_json::json!("全新的开头段。");
    let send = |row_version: i64| {
        let sections = sections.clone();
        let token = token.clone();
        async move {
            app.api(
                Method::POST,
                &format!("/api/v1/reports/drafts/{id}/versions"),
                Some(&token),
                Some(serde_json::json!({
                    "row_version": row_version,
                    "title": "单位安全生产工作总结",
                    "sections": sections,
                    "note": "接口修改",
                })),
            )
            .await
        }
    };
    let res = send(1).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let body = res.json();
    assert_eq!(body["draft"]["row_version"], 2);
    assert_eq!(body["content"]["sections"][0]["text"], "全新的开头段。");
    assert_eq!(body["versions"].as_array().unwrap().len(), 2);
    let res = send(1).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(res.json()["code"], "conflict");
    // Any version can be read back.
    let res = app
        .api(
            Method::GET,
            &format!("/api/v1/reports/drafts/{id}?version=1"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(res.json()["version"]["version"], 1);
    assert_ne!(
        res.json()["content"]["sections"][0]["text"],
        "全新的开头段。"
    );
    let res = app
        .api(Method::GET, "/api/v1/reports/drafts", Some(&token), None)
        .await;
    assert_eq!(res.json()["total"], 1);
    // An unknown field is refused, not ignored.
    let res = app
        .api(
            Method::POST,
            "/api/v1/reports/drafts",
            Some(&token),
            Some(serde_json::json!({ "period": "2023H1", "orgid": 1 })),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
}
