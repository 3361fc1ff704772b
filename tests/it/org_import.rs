//! Organisation import: template, preview with per-row errors (a dry run), all-or-nothing confirm.

use axum::http::StatusCode;

use anjian_db::Q;
use anjian_domain::role::Role;
use anjian_testkit::{uscc, TestApp};

const HEADER: [&str; 9] = [
    "上级组织（编号或名称）*",
    "类型（单位/库点）*",
    "名称*",
    "统一社会信用代码",
    "地址",
    "主要负责人",
    "联系人",
    "联系电话",
    "排序号",
];

fn xlsx(header: &[&str], rows: &[[&str; 9]]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r as u32 + 1, c as u16, *v).unwrap();
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

async fn org_count(app: &TestApp) -> i64 {
    let (n,): (i64,) = app
        .db
        .fetch_one(&Q::new("SELECT COUNT(*) FROM org"))
        .await
        .unwrap();
    n
}

fn payload(html: &str) -> String {
    let raw = html
        .split("name=\"payload\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("confirm form");
    raw.replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&amp;", "&")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

#[tokio::test]
async fn template_preview_and_confirm() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let admin = app.login_role(Role::SystemAdmin, f.bureau.id).await;

    let t = app.get("/orgs/import/template", &admin).await;
    assert_eq!(t.status, StatusCode::OK);
    assert!(t.body.starts_with(b"PK"));

    let code = uscc(4242);
    let unit = [
        "测试局",
        "单位",
        "新储备公司",
        &code,
        "某路1号",
        "王五",
        "",
        "0591-1234567",
        "3",
    ];
    let site = [
        "新储备公司",
        "库点",
        "新储备公司一号库",
        "",
        "",
        "",
        "",
        "",
        "",
    ];
    let bad = ["测试局", "单位", "缺代码公司", "", "", "", "", "", "x"];
    let before = org_count(&app).await;
    let audit_before = app.audit_count().await;

    // One bad row: the preview names it and nothing is written.
    let res = app
        .upload(
            "/orgs/import",
            &admin,
            "orgs.xlsx",
            &xlsx(&HEADER, &[unit, site, bad]),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text();
    // Both the unreadable cell and the rule the dry run checks are reported at once.
    assert!(html.contains("排序号必须是整数"), "{html}");
    assert!(html.contains("单位必须填写统一社会信用代码"), "{html}");
    assert!(!html.contains("name=\"payload\""), "no confirm form");
    assert_eq!(org_count(&app).await, before);

    // All rows good: a preview (dry run, still nothing written) with a confirm form.
    let res = app
        .upload(
            "/orgs/import",
            &admin,
            "orgs.xlsx",
            &xlsx(&HEADER, &[unit, site]),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert!(res.text().contains("确认导入 2 行"));
    assert_eq!(org_count(&app).await, before);
    assert_eq!(
        app.audit_count().await,
        audit_before,
        "a dry run leaves no trace"
    );

    let res = app
        .post(
            "/orgs/import/confirm",
            &admin,
            &[("payload", &payload(&res.text()))],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    assert_eq!(org_count(&app).await, before + 2);
    let (unit_id, unit_parent, got_uscc): (i64, Option<i64>, Option<String>) = app
        .db
        .fetch_one(&Q::new(
            "SELECT id, parent_id, uscc FROM org WHERE name = '新储备公司'",
        ))
        .await
        .unwrap();
    assert_eq!(unit_parent, Some(f.bureau.id));
    assert_eq!(got_uscc.as_deref(), Some(code.as_str()));
    let (site_parent,): (Option<i64>,) = app
        .db
        .fetch_one(&Q::new(
            "SELECT parent_id FROM org WHERE name = '新储备公司一号库'",
        ))
        .await
        .unwrap();
    assert_eq!(
        site_parent,
        Some(unit_id),
        "a row may name a parent created earlier in the same file"
    );
    assert_eq!(app.last_audit().await.action, "import");
    assert_eq!(
        app.audit_count().await,
        audit_before + 3,
        "two creates and the import itself"
    );
}

#[tokio::test]
async fn a_wrong_header_is_refused_with_the_column_named() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let admin = app.login_role(Role::SystemAdmin, f.bureau.id).await;
    let mut header = HEADER;
    header[2] = "单位名称";
    let res = app
        .upload(
            "/orgs/import",
            &admin,
            "x.xlsx",
            &xlsx(&header, &[["测试局", "单位", "x", "", "", "", "", "", ""]]),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("第3列表头应为"), "{}", res.text());
    let res = app
        .upload("/orgs/import", &admin, "x.xlsx", b"not a spreadsheet")
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("无法读取该文件"));
}

#[tokio::test]
async fn a_tampered_confirmation_is_checked_again() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let head = app.login_role(Role::UnitHead, f.unit_a.id).await;
    let before = org_count(&app).await;
    // A unit head of A tries to import a site under unit B by editing the payload.
    let payload = serde_json::json!([
        {"line": 2, "parent": "甲单位", "input": {"kind": "site", "name": "合法库点"}},
        {"line": 3, "parent": f.unit_b.id.to_string(), "input": {"kind": "site", "name": "越权库点"}}
    ]);
    let res = app
        .post(
            "/orgs/import/confirm",
            &head,
            &[("payload", &payload.to_string())],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("上级组织不存在"), "{}", res.text());
    assert_eq!(
        org_count(&app).await,
        before,
        "all or nothing: the legal row is not written either"
    );
}
