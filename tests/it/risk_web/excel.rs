//! The register as Excel (安全风险分级管控清单) and its import: template, preview, per-row
//! errors, all or nothing, confirm.

use std::io::Cursor;

use axum::http::StatusCode;
use calamine::{Data, Reader};

use anjian_db::risk::COLUMNS;
use anjian_db::PageReq;

use super::*;

fn sheet(bytes: &[u8]) -> calamine::Range<Data> {
    let mut wb = calamine::open_workbook_auto_from_rs(Cursor::new(bytes.to_vec())).expect("xlsx");
    wb.worksheet_range_at(0)
        .expect("a sheet")
        .expect("readable")
}

fn text(r: &calamine::Range<Data>, row: usize, col: usize) -> String {
    match r.get((row, col)) {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Empty) | None => String::new(),
        Some(d) => d.to_string(),
    }
}

/// A workbook with the register's header and text rows.
fn workbook(rows: &[Vec<&str>]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in COLUMNS.iter().enumerate() {
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

/// A row in COLUMNS order.
fn row<'a>(org: &'a str, point: &'a str, desc: &'a str, l: &'a str) -> Vec<&'a str> {
    vec![
        "",
        org,
        point,
        "场所/区域",
        "东库区",
        desc,
        "22",
        "中毒和窒息",
        "中毒",
        "LEC",
        l,
        "6",
        "15",
        "",
        "",
        "",
        "",
        "",
        "安装检测报警仪",
        "执行作业审批",
        "",
        "",
        "",
        "张三",
        "2023-03-01",
    ]
}

async fn risk_total(w: &World) -> i64 {
    anjian_db::risk::list(
        &w.app.db,
        &w.supervisor.ctx,
        &Default::default(),
        PageReq::new(None, None),
    )
    .await
    .unwrap()
    .total
}

#[tokio::test]
async fn export_writes_the_register_layout_with_coloured_levels() {
    let w = world().await;
    let app = &w.app;
    let p = point(app, &w.officer, w.f.site_a.id, "1号平房仓").await;
    let r = lec_risk(app, &w.officer, p.id, "熏蒸后进仓", ("6", "6", "15")).await;
    measure(app, &w.officer, r.id, "engineering", "安装检测报警仪").await;
    let pb = point(app, &w.officer_b, w.f.site_b.id, "乙仓").await;
    lec_risk(app, &w.officer_b, pb.id, "乙单位的风险", ("1", "1", "1")).await;

    let l = login(app, &w.officer).await;
    let res = app.get("/risks/export", &l).await;
    assert_eq!(res.status, StatusCode::OK);
    let s = sheet(&res.body);
    assert!(text(&s, 0, 0).ends_with("安全风险分级管控清单"));
    for (c, name) in COLUMNS.iter().enumerate() {
        assert_eq!(text(&s, 2, c), *name, "column {c}");
    }
    let col = |name: &str| COLUMNS.iter().position(|c| *c == name).unwrap();
    assert_eq!(text(&s, 3, col("风险点名称")), "1号平房仓");
    assert_eq!(text(&s, 3, col("风险描述")), "熏蒸后进仓");
    assert_eq!(text(&s, 3, col("风险值")), "540");
    assert_eq!(text(&s, 3, col("风险等级")), "重大风险");
    assert_eq!(text(&s, 3, col("工程技术措施")), "安装检测报警仪");
    assert_eq!(text(&s, 4, col("风险描述")), "", "only the caller's scope");
    // The level cell is filled red.
    let styles = zip_part(&res.body, "xl/styles.xml");
    assert!(styles.contains("FFD7263D"));
    let a = app.last_audit().await;
    assert_eq!((a.entity.as_str(), a.action.as_str()), ("risk", "export"));

    // What was exported imports back (as a new risk of the same point name).
    let res = post_file(app, "/risks/import", &l, "file", "r.xlsx", &res.body).await;
    assert_eq!(res.status, StatusCode::OK, "{}", unescape(&res.text()));
    assert!(res.text().contains("检查全部通过"));
}

#[tokio::test]
async fn import_previews_lists_row_errors_and_writes_all_or_nothing() {
    let w = world().await;
    let app = &w.app;
    let l = login(app, &w.officer).await;
    let tpl = app.get("/risks/import/template", &l).await;
    assert_eq!(tpl.status, StatusCode::OK);
    let t = sheet(&tpl.body);
    assert!(text(&t, 0, 2).starts_with("风险点名称"));

    // One good row, one with an L outside the table: nothing imported, the error names the row.
    let bad = workbook(&[
        row("甲库点", "1号仓", "熏蒸后进仓", "3"),
        row("甲库点", "1号仓", "进仓作业窒息", "4"),
    ]);
    let res = post_file(app, "/risks/import", &l, "file", "bad.xlsx", &bad).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = unescape(&res.text());
    assert!(html.contains("第3行【L】"), "{html}");
    assert!(html.contains("本次没有导入任何数据"));
    assert!(!html.contains("name=\"token\""));
    assert_eq!(risk_total(&w).await, 0);
    // Not a spreadsheet at all.
    let res = post_file(
        app,
        "/risks/import",
        &l,
        "file",
        "x.xlsx",
        b"not a workbook",
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unescape(&res.text()).contains("无法读取该文件"));

    // All good: preview, then confirm.
    let good = workbook(&[
        row("甲库点", "1号仓", "熏蒸后进仓", "3"),
        row("甲库点", "1号仓", "进仓作业窒息", "1"),
    ]);
    let res = post_file(app, "/risks/import", &l, "file", "good.xlsx", &good).await;
    assert_eq!(res.status, StatusCode::OK, "{}", unescape(&res.text()));
    let html = res.text();
    assert!(html.contains("共 2 行，检查全部通过"));
    assert_eq!(risk_total(&w).await, 0, "the preview writes nothing");
    let token = html
        .split("name=\"token\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    // Someone else cannot confirm it.
    let other = login(app, &w.officer).await;
    let res = app
        .post(
            "/risks/import/confirm",
            &other,
            &[("token", token.as_str())],
        )
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    let res = app
        .post("/risks/import/confirm", &l, &[("token", token.as_str())])
        .await;
    assert!(res.status.is_redirection(), "{}", res.text());
    assert_eq!(risk_total(&w).await, 2);
    let list = app.get("/risks", &l).await.text();
    assert!(list.contains("进仓作业窒息"));
    // The token is spent.
    let res = app
        .post("/risks/import/confirm", &l, &[("token", token.as_str())])
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    // Viewers may not import.
    let insp = login(app, &w.inspector).await;
    let res = post_file(app, "/risks/import", &insp, "file", "good.xlsx", &good).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}
