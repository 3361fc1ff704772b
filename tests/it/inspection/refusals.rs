//! Bad input is refused with a Chinese message naming the field, and nothing is written: not the
//! inspection, not its items, not the hazards already prepared, not an audit entry.

use anjian_db::inspection::{self, InspectionInput};
use anjian_db::{DbError, FieldErrors};
use anjian_domain::role::Role;
use anjian_testkit::TestApp;

use super::{attachment, input, library, person, written};

fn field_errors(r: Result<i64, DbError>) -> FieldErrors {
    match r {
        Err(DbError::Invalid(e)) => e,
        other => panic!("expected field errors, got {other:?}"),
    }
}

/// A change that makes a good input bad.
type Change = Box<dyn Fn(&mut InspectionInput)>;

#[tokio::test]
async fn each_bad_field_is_named_and_nothing_is_written() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let sup = person(&app, "sup", Role::BureauSupervisor, &f.bureau).await;
    let lib = library(&app, "仓储安全检查表（拒绝）").await;
    let other = library(&app, "另一检查表").await;
    let photo_b = attachment(&app, f.site_b.id).await;
    let good = || {
        input(
            f.site_a.id,
            "督查",
            "2023-03-01",
            &lib,
            &["pass", "fail", "na"],
        )
    };

    let cases: Vec<(&str, Change, &str)> = vec![
        ("org_id", Box::new(|i| i.org_id = None), "请选择受检单位"),
        (
            "kind",
            Box::new(|i| i.kind = "巡查".into()),
            "检查类型无效，应为 自查、督查、抽查、暗访 或 专项检查",
        ),
        (
            "inspected_on",
            Box::new(|i| i.inspected_on = "2099-01-01".into()),
            "检查日期不能晚于今天",
        ),
        (
            "inspected_on",
            Box::new(|i| i.inspected_on = "2023-02-30".into()),
            "检查日期：日期格式不正确：“2023-02-30”不是有效日期",
        ),
        (
            "inspectors",
            Box::new(|i| i.inspectors = "  ".into()),
            "请填写检查人员",
        ),
        (
            "illegal_description",
            Box::new(|i| i.illegal_operation = true),
            "请填写非法违法行为情况说明",
        ),
        (
            "items[2].result",
            Box::new(|i| i.items[2].result = "还行".into()),
            "第3项检查结果无效，应为 合格、不合格 或 不适用",
        ),
        (
            "items[0].result",
            Box::new(|i| i.items[0].result = String::new()),
            "第1项未选择检查结果",
        ),
        (
            "items[1].hazard",
            Box::new(|i| i.items[1].hazard = None),
            "第2项不合格，须填写隐患信息",
        ),
        (
            "items[1].hazard.deadline",
            Box::new(|i| {
                if let Some(h) = i.items[1].hazard.as_mut() {
                    h.deadline = "2023-02-01".into();
                }
            }),
            "第2项隐患：整改期限不能早于发现日期",
        ),
        (
            "items",
            Box::new(|i| {
                i.items.pop();
            }),
            "检查表第3项“电气线路敷设规范，无私拉乱接”未填写检查结果",
        ),
        (
            "items[2].checklist_item_id",
            Box::new(move |i| i.items[2].checklist_item_id = Some(other.items[0].id)),
            "第3项不属于所选检查表",
        ),
        (
            "checklist_id",
            Box::new(|i| i.checklist_id = Some(999_999)),
            "检查表不存在或已停用",
        ),
        (
            "items",
            Box::new(|i| i.checklist_id = None),
            "未选择检查表时不能填写检查项",
        ),
        (
            "campaign_id",
            Box::new(|i| i.campaign_id = Some(999_999)),
            "专项行动不存在，或不适用于所选单位",
        ),
        (
            "task_id",
            Box::new(|i| i.task_id = Some(999_999)),
            "检查任务不存在、已取消，或未下达给所选单位",
        ),
        (
            "attachment_ids",
            Box::new(move |i| i.attachment_ids = vec![photo_b]),
            "不属于受检单位",
        ),
    ];
    let before = written(&app).await;
    for (field, change, message) in cases {
        let mut i = good();
        change(&mut i);
        let e = field_errors(inspection::create(&app.db, &sup.ctx, &i).await);
        let got = e.get(field).unwrap_or_else(|| panic!("{field}: {e:?}"));
        assert!(got.contains(message), "{field}: {got}");
        assert_eq!(written(&app).await, before, "{field}: nothing written");
    }
    // The good input itself goes through (the cases above fail for their own reason only).
    inspection::create(&app.db, &sup.ctx, &good())
        .await
        .expect("recorded");
}

#[tokio::test]
async fn a_hazard_refused_after_the_inspection_row_was_written_rolls_everything_back() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let sup = person(&app, "sup", Role::BureauSupervisor, &f.bureau).await;
    let lib = library(&app, "仓储安全检查表（回滚）").await;
    let before = written(&app).await;
    // The bureau itself may be inspected, but a hazard hangs on a unit or a site: the hazard
    // module refuses it inside the transaction, after the inspection and its items were inserted.
    let i = input(
        f.bureau.id,
        "督查",
        "2023-03-01",
        &lib,
        &["fail", "pass", "fail"],
    );
    let e = field_errors(inspection::create(&app.db, &sup.ctx, &i).await);
    assert!(
        e.get("items[0].hazard.org_id")
            .is_some_and(|m| m.starts_with("第1项隐患：")),
        "{e:?}"
    );
    assert_eq!(written(&app).await, before, "all or nothing");
}

#[tokio::test]
async fn an_organisation_outside_the_callers_scope_is_a_field_error() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let officer = person(&app, "officer_a", Role::UnitOfficer, &f.unit_a).await;
    let lib = library(&app, "仓储安全检查表（越权）").await;
    let before = written(&app).await;
    let e = field_errors(
        inspection::create(
            &app.db,
            &officer.ctx,
            &input(
                f.site_b.id,
                "自查",
                "2023-03-01",
                &lib,
                &["pass", "pass", "pass"],
            ),
        )
        .await,
    );
    assert_eq!(e.get("org_id"), Some("受检单位不存在或已停用"));
    assert_eq!(written(&app).await, before);
}
