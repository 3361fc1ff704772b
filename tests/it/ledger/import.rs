//! Template import: the error classes (header, unknown unit, bad value, bad choice, bad date,
//! required cell), all or nothing, and the preview → confirm round trip through the pages.

use axum::http::StatusCode;

use anjian_db::ledger::{self, LedgerFilter};
use anjian_db::PageReq;
use anjian_domain::ledger::LedgerKind;

use super::*;

/// An .xlsx whose first row is `header` and then `rows`, all cells text.
fn sheet(header: &[&str], rows: &[Vec<&str>]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, *v).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

const FUNDING: [&str; 6] = [
    "单位",
    "投入日期",
    "使用类别",
    "金额（元）",
    "用途说明",
    "备注",
];

fn rows(cells: &[Vec<&str>]) -> Vec<(usize, Vec<String>)> {
    cells
        .iter()
        .enumerate()
        .map(|(i, r)| (i + 2, r.iter().map(|s| s.to_string()).collect()))
        .collect()
}

async fn count(c: &Cast) -> i64 {
    let (p, _) = ledger::list(
        &c.app.db,
        &c.supervisor.ctx,
        LedgerKind::Funding,
        &LedgerFilter::default(),
        PageReq::new(None, None),
    )
    .await
    .unwrap();
    p.total
}

#[tokio::test]
async fn every_bad_row_is_reported_and_nothing_is_written() {
    let c = cast().await;
    let a = c.f.unit_a.name.as_str();
    let b = c.f.unit_b.name.as_str();
    let cells = vec![
        vec![a, "2023-01-10", "安全生产责任保险", "1,193.00", "保费", ""],
        vec!["不存在的单位", "2023-01-10", "1", "10", "x", ""],
        vec![a, "2023/2/30", "1", "10", "x", ""],
        vec![a, "2023-01-10", "买茶叶", "12.345", "x", ""],
        vec![a, "2023-01-10", "1", "", "", ""],
        vec![b, "2023-01-10", "1", "10", "x", ""],
    ];
    let before = c.app.audit_count().await;
    let errs = ledger::import_rows(
        &c.app.db,
        &c.officer.ctx,
        LedgerKind::Funding,
        &rows(&cells),
        true,
    )
    .await
    .unwrap()
    .unwrap_err();
    let text: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        text,
        vec![
            "第3行【单位】“不存在的单位”不存在或不在管辖范围内",
            "第4行【投入日期】投入日期格式不正确：“2023/2/30”不是有效日期",
            "第5行【使用类别】使用类别应为：完善、改造和维护安全防护设施设备、配备、维护、保养应急救援器材、设备，应急救援队伍建设、应急预案制修订与应急演练、重大危险源检测、评估、监控，安全风险分级管控和事故隐患排查整改，安全生产信息化、智能化建设、安全生产检查、评估评价、咨询和标准化建设、配备和更新现场作业人员安全防护用品、安全生产宣传、教育、培训和从业人员发现并报告事故隐患的奖励、安全生产适用的新技术、新标准、新工艺、新装备的推广应用、安全设施及特种设备检测检验、检定校准、安全生产责任保险、与安全生产直接相关的其他支出",
            "第5行【金额（元）】金额最多两位小数",
            "第6行【金额（元）】金额不能为空",
            "第6行【用途说明】用途说明不能为空",
            "第7行【单位】“乙单位”不存在或不在管辖范围内".replace("乙单位", b).as_str(),
        ]
    );
    assert_eq!(count(&c).await, 0, "all or nothing");
    assert_eq!(c.app.audit_count().await, before);

    // The first row alone imports; the label of the category is stored as its code.
    let ids = ledger::import_rows(
        &c.app.db,
        &c.officer.ctx,
        LedgerKind::Funding,
        &rows(&cells[..1]),
        true,
    )
    .await
    .unwrap()
    .unwrap();
    let e = ledger::get_row(&c.app.db, &c.officer.ctx, ids[0])
        .await
        .unwrap();
    assert_eq!((e.category.as_str(), e.amount_fen), ("9", Some(119_300)));
    assert_eq!(c.app.last_audit().await.action, "import");
    // A preview (no commit) writes nothing.
    ledger::import_rows(
        &c.app.db,
        &c.officer.ctx,
        LedgerKind::Funding,
        &rows(&cells[..1]),
        false,
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(count(&c).await, 1);
}

#[tokio::test]
async fn preview_then_confirm_through_the_pages_and_a_wrong_header_is_refused() {
    let c = cast().await;
    let login = c.app.login_as(&c.officer.user).await;
    let a = c.f.unit_a.name.as_str();
    let bad = sheet(&["单位", "日期"], &[vec![a, "2023-01-10"]]);
    let r = c
        .app
        .upload("/ledgers/funding/import", &login, "f.xlsx", &bad)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .contains("第2列表头应为“投入日期”，实为“日期”，请使用下载的模板"));

    let wrong = sheet(&FUNDING, &[vec![a, "2023-01-10", "1", "-3", "x", ""]]);
    let r = c
        .app
        .upload("/ledgers/funding/import", &login, "f.xlsx", &wrong)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("第2行【金额（元）】金额不能为负数"));

    let good = sheet(
        &FUNDING,
        &[
            vec![a, "2023-01-10", "1", "50000", "护栏", ""],
            vec![a, "20230301", "5", "69300.00", "面具", ""],
        ],
    );
    let r = c
        .app
        .upload("/ledgers/funding/import", &login, "f.xlsx", &good)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let html = r.text();
    let marker = "name=\"token\" value=\"";
    let start = html.find(marker).expect("token") + marker.len();
    let token = html[start..].split('"').next().unwrap().to_string();
    assert_eq!(count(&c).await, 0, "the preview writes nothing");
    let r = c
        .app
        .post(
            "/ledgers/funding/import/confirm",
            &login,
            &[("token", token.as_str())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(count(&c).await, 2);
    let s = ledger::statistics(
        &c.app.db,
        &c.officer.ctx,
        &anjian_domain::period::Period::parse("2023H1").unwrap(),
        None,
    )
    .await
    .unwrap();
    assert_eq!(s.funding_wan_yuan(), "11.93");
    // The export has the template's header, so it imports back.
    let r = c.app.get("/ledgers/funding/export", &login).await;
    assert_eq!(r.status, StatusCode::OK);
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(r.body.clone())).unwrap();
    use calamine::Reader;
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    let header: Vec<String> = range
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(
        header,
        FUNDING.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    );
    assert_eq!(range.rows().count(), 3);
    let r = c.app.get("/ledgers/funding/import/template", &login).await;
    assert_eq!(r.status, StatusCode::OK);
}
