//! The register as a sheet and its import: per-row Chinese errors, all or nothing, preview.

use anjian_db::risk::{self, RiskFilter, RiskImportRow};
use anjian_db::Q;

use super::*;

fn row(line: usize, org: &str, point: &str, desc: &str) -> RiskImportRow {
    RiskImportRow {
        line,
        org: org.into(),
        point_name: point.into(),
        point_kind: "场所/区域".into(),
        location: "东区".into(),
        description: desc.into(),
        factors: "物理性危险和有害因素、12".into(),
        accident_types: "坍塌、09 高处坠落".into(),
        consequence: "人员伤亡".into(),
        method: "LEC".into(),
        l: "3".into(),
        e: "6".into(),
        c: "7".into(),
        management: "进仓审批\n专人监护".into(),
        protective: "系安全绳".into(),
        responsible: "王保管".into(),
        assessed_on: "2024/3/1".into(),
        ..Default::default()
    }
}

async fn count(app: &TestApp, table: &str) -> i64 {
    let (n,): (i64,) = app
        .db
        .fetch_one(&Q::new(&format!("SELECT COUNT(*) FROM {table}")))
        .await
        .unwrap();
    n
}

#[tokio::test]
async fn import_reports_every_row_error_and_writes_nothing_unless_all_pass() {
    let w = world().await;
    let db = &w.app.db;
    let mut bad = row(3, "乙库点", "平房仓", "");
    bad.l = "4".into();
    let mut bad2 = row(4, "甲库点", "", "粮堆坍塌");
    bad2.accident_types = "粉尘爆炸".into();
    bad2.method = "打分".into();
    let rows = vec![row(2, "甲库点", "平房仓", "粮堆埋人"), bad, bad2];
    let errs = risk::import_rows(db, &w.head.ctx, &rows, true)
        .await
        .unwrap()
        .unwrap_err();
    let text: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
    assert!(
        text.contains(
            &"第3行【单位/库点】“乙库点”不存在或不在您的管辖范围内（须与组织机构中的名称完全一致）"
                .to_string()
        ),
        "{text:?}"
    );
    assert!(
        text.contains(&"第3行【风险描述】不能为空".to_string()),
        "{text:?}"
    );
    assert!(
        text.iter()
            .any(|t| t.starts_with("第3行【L】") && t.contains("只能取")),
        "{text:?}"
    );
    assert!(
        text.contains(&"第4行【风险点名称】不能为空".to_string()),
        "{text:?}"
    );
    assert!(
        text.contains(
            &"第4行【可能导致的事故类型】“粉尘爆炸”不是GB/T 6441-1986的事故类别".to_string()
        ),
        "{text:?}"
    );
    assert!(
        text.iter().any(|t| t.starts_with("第4行【评价方法】")),
        "{text:?}"
    );
    assert!(
        !text.iter().any(|t| t.starts_with("第2行")),
        "row 2 is fine"
    );
    assert_eq!(count(&w.app, "risk").await, 0, "all or nothing");
    assert_eq!(count(&w.app, "risk_point").await, 0);
}

#[tokio::test]
async fn import_previews_then_commits_and_the_export_reads_back() {
    let w = world().await;
    let db = &w.app.db;
    let mut r3 = row(3, "甲库点", "平房仓", "机械伤害");
    r3.method = "风险矩阵法（LS）".into();
    r3.l = "4".into();
    r3.e = String::new();
    r3.c = String::new();
    r3.s = "4".into();
    let mut r4 = row(4, "甲单位", "熏蒸作业", "磷化氢中毒");
    r4.point_kind = "作业活动".into();
    r4.method = "直接判定".into();
    r4.direct_reason = "熏蒸作业未设警戒区".into();
    r4.tier = "公司级".into();
    let rows = vec![row(2, "甲库点", "平房仓", "粮堆埋人"), r3, r4];
    let preview = risk::import_rows(db, &w.head.ctx, &rows, false)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(preview.len(), 3);
    assert_eq!(count(&w.app, "risk").await, 0, "a preview rolls back");
    let ids = risk::import_rows(db, &w.head.ctx, &rows, true)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ids.len(), 3);
    assert_eq!(
        count(&w.app, "risk_point").await,
        2,
        "rows 2 and 3 share 平房仓"
    );
    assert_eq!(count(&w.app, "risk_measure").await, 9);
    assert_eq!(count(&w.app, "risk_version").await, 3);
    assert_eq!(w.app.last_audit().await.action, "import");
    let first = risk::get_risk(db, &w.head.ctx, ids[0]).await.unwrap().risk;
    assert_eq!(
        (first.factors.as_str(), first.accident_types.as_str()),
        ("21,12", "10,09")
    );
    assert_eq!(first.assessed_on.to_string(), "2024-03-01");

    let sheet = risk::register_rows(db, &w.head.ctx, &RiskFilter::default(), 1000)
        .await
        .unwrap();
    assert_eq!(sheet.len(), 3);
    assert_eq!(sheet[0].cells().len(), risk::COLUMNS.len());
    // Highest level first: the direct grading.
    assert_eq!(
        (sheet[0].description.as_str(), sheet[0].level.as_str()),
        ("磷化氢中毒", "重大风险")
    );
    let lec_row = sheet.iter().find(|r| r.description == "粮堆埋人").unwrap();
    assert_eq!(
        (lec_row.score.as_str(), lec_row.method.as_str()),
        ("126", "LEC")
    );
    assert_eq!(lec_row.management, "进仓审批\n专人监护");
    assert_eq!(
        lec_row.factors,
        "物理性危险和有害因素、行为性危险和有害因素"
    );
    // The export imports back (into unit A again: three more risks on the same points).
    let again: Vec<RiskImportRow> = sheet
        .into_iter()
        .enumerate()
        .map(|(i, mut r)| {
            r.line = i + 2;
            r
        })
        .collect();
    let ids2 = risk::import_rows(db, &w.head.ctx, &again, true)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ids2.len(), 3);
    assert_eq!(count(&w.app, "risk_point").await, 2);
}
