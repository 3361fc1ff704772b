//! Repository stories: recording with items and hazards, tasks and campaigns, the list's filters,
//! header corrections and withdrawal.

use chrono::NaiveDate;

use anjian_db::campaign::{self, CampaignInput};
use anjian_db::inspection::{self, InspectionFilter, InspectionUpdate};
use anjian_db::inspection_task::{self, TaskInput};
use anjian_db::{DbError, PageReq, Q};
use anjian_domain::inspection::InspectionKind;
use anjian_domain::role::Role;
use anjian_testkit::TestApp;

use super::{attachment, input, library, person, Person};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

pub async fn campaign_for(app: &TestApp, by: &Person, name: &str) -> i64 {
    campaign::create(
        &app.db,
        &by.ctx,
        &CampaignInput {
            kind: "campaign".into(),
            name: name.into(),
            start_date: "2023-01-01".into(),
            end_date: "2023-12-31".into(),
            all_units: true,
            ..Default::default()
        },
    )
    .await
    .expect("campaign")
    .id
}

#[derive(sqlx::FromRow, Debug)]
struct HazardRow {
    org_id: i64,
    grade: String,
    major_criterion: String,
    description: String,
    location: String,
    found_on: NaiveDate,
    found_by: String,
    deadline: NaiveDate,
    status: String,
    campaign_id: Option<i64>,
    inspection_id: Option<i64>,
    inspection_item_id: Option<i64>,
}

async fn hazard_row(app: &TestApp, id: i64) -> HazardRow {
    app.db
        .fetch_one(
            &Q::new(
                "SELECT org_id, grade, major_criterion, description, location, found_on, found_by, deadline, status, \
                 campaign_id, inspection_id, inspection_item_id FROM hazard WHERE id = $1",
            )
            .bind(id),
        )
        .await
        .expect("hazard row")
}

#[tokio::test]
async fn a_failed_item_registers_its_hazard_from_the_item_in_the_same_transaction() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let sup = person(&app, "sup", Role::BureauSupervisor, &f.bureau).await;
    let lib = library(&app, "仓储安全检查表（记录）").await;
    let camp = campaign_for(&app, &sup, "重大事故隐患专项排查整治行动").await;
    let photo = attachment(&app, f.site_a.id).await;
    let mut i = input(
        f.site_a.id,
        "督查",
        "2023-03-01",
        &lib,
        &["pass", "fail", "fail"],
    );
    i.campaign_id = Some(camp);
    i.summary = "库区整体情况良好".into();
    i.attachment_ids = vec![photo, photo];
    let audit_before = app.audit_count().await;

    let id = inspection::create(&app.db, &sup.ctx, &i)
        .await
        .expect("recorded");

    // One entry for the inspection, one per hazard (the hazard module audits its own rows).
    assert_eq!(app.audit_count().await, audit_before + 3);
    let last = app.last_audit().await;
    assert_eq!(
        (last.entity.as_str(), last.action.as_str()),
        ("inspection", "create")
    );
    assert_eq!(last.entity_id, id.to_string());

    let got = inspection::get(&app.db, &sup.ctx, id).await.unwrap();
    let ins = &got.inspection;
    assert_eq!(ins.kind, "supervision");
    assert_eq!(ins.inspected_on, d("2023-03-01"));
    assert_eq!(ins.campaign_id, Some(camp));
    assert_eq!(ins.recorded_by, Some(sup.user.id));
    assert_eq!((ins.failed_items, ins.hazard_count), (2, 2));
    assert_eq!(
        got.attachments.iter().map(|a| a.id).collect::<Vec<_>>(),
        vec![photo]
    );
    let results: Vec<(i64, &str, bool)> = got
        .items
        .iter()
        .map(|it| (it.position, it.result.as_str(), it.major_criterion))
        .collect();
    assert_eq!(
        results,
        vec![(1, "pass", false), (2, "fail", true), (3, "fail", false)]
    );
    assert_eq!(got.items[0].hazard_id, None);
    assert_eq!(got.hazard_ids.len(), 2);

    let major = hazard_row(&app, got.items[1].hazard_id.unwrap()).await;
    assert_eq!(
        major.grade, "major",
        "a failed major-criterion item is a major hazard"
    );
    assert_eq!(major.major_criterion, lib.items[1].content);
    assert_eq!(major.inspection_id, Some(id));
    assert_eq!(major.inspection_item_id, Some(got.items[1].id));
    let general = hazard_row(&app, got.items[2].hazard_id.unwrap()).await;
    assert_eq!(general.grade, "general");
    assert_eq!(general.major_criterion, "");
    assert_eq!(
        general.description,
        format!("不符合检查要求：{}", lib.items[2].content),
        "prefilled from the item, phrased as its breach"
    );
    assert_eq!(general.location, "3号仓房");
    assert_eq!(
        (general.found_on, general.deadline),
        (d("2023-03-01"), d("2023-03-11"))
    );
    assert_eq!(general.found_by, "张检查、李安全");
    assert_eq!(general.org_id, f.site_a.id);
    assert_eq!(general.status, "pending");
    assert_eq!(general.campaign_id, Some(camp), "the inspection's campaign");
    assert_eq!(general.inspection_item_id, Some(got.items[2].id));

    // The items are a snapshot: editing the library later does not rewrite the evidence.
    app.db
        .execute(
            &Q::new("UPDATE checklist_item SET content = '改过的内容' WHERE id = $1")
                .bind(lib.items[0].id),
        )
        .await
        .unwrap();
    let again = inspection::get(&app.db, &sup.ctx, id).await.unwrap();
    assert_eq!(again.items[0].content, lib.items[0].content);
}

#[tokio::test]
async fn an_item_fixed_on_the_spot_arrives_awaiting_verification() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let officer = person(&app, "officer_a", Role::UnitOfficer, &f.unit_a).await;
    let lib = library(&app, "仓储安全检查表（立即整改）").await;
    let after = attachment(&app, f.site_a.id).await;
    let mut i = input(
        f.site_a.id,
        "self_check",
        "2023-03-01",
        &lib,
        &["pass", "pass", "fail"],
    );
    if let Some(h) = i.items[2].hazard.as_mut() {
        h.immediate = true;
        h.deadline.clear();
        h.after_attachment_ids = vec![after];
        h.rectification_note = "当场整理线路".into();
    }
    let id = inspection::create(&app.db, &officer.ctx, &i)
        .await
        .expect("recorded");
    let got = inspection::get(&app.db, &officer.ctx, id).await.unwrap();
    let h = hazard_row(&app, got.items[2].hazard_id.unwrap()).await;
    assert_eq!(h.status, "awaiting_verification");
    assert_eq!(
        h.deadline,
        d("2023-03-01"),
        "立即整改: the deadline is the day found"
    );
}

#[tokio::test]
async fn a_task_brings_its_campaign_and_must_be_assigned_to_the_inspected_unit() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let sup = person(&app, "sup", Role::BureauSupervisor, &f.bureau).await;
    let officer = person(&app, "officer_a", Role::UnitOfficer, &f.unit_a).await;
    let lib = library(&app, "仓储安全检查表（任务）").await;
    let camp = campaign_for(&app, &sup, "安全生产月").await;
    let other = campaign_for(&app, &sup, "冬春火灾防控").await;
    let task = inspection_task::create(
        &app.db,
        &sup.ctx,
        &TaskInput {
            title: "一季度自查".into(),
            kind: "self_check".into(),
            campaign_id: Some(camp),
            checklist_id: Some(lib.checklist_id),
            start_date: "2023-01-01".into(),
            due_date: "2023-03-31".into(),
            org_ids: vec![f.unit_a.id],
            ..Default::default()
        },
    )
    .await
    .expect("task")
    .id;

    let mut i = input(
        f.site_a.id,
        "self_check",
        "2023-03-01",
        &lib,
        &["pass", "pass", "na"],
    );
    i.task_id = Some(task);
    let id = inspection::create(&app.db, &officer.ctx, &i)
        .await
        .expect("recorded");
    let got = inspection::get(&app.db, &officer.ctx, id).await.unwrap();
    assert_eq!(got.inspection.task_id, Some(task));
    assert_eq!(
        got.inspection.campaign_id,
        Some(camp),
        "taken from the task"
    );

    i.campaign_id = Some(other);
    let e = inspection::create(&app.db, &officer.ctx, &i)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, DbError::Invalid(fe) if fe.get("campaign_id").is_some()),
        "{e:?}"
    );

    // Unit B was not given the task.
    let mut b = input(
        f.site_b.id,
        "self_check",
        "2023-03-01",
        &lib,
        &["pass", "pass", "na"],
    );
    b.task_id = Some(task);
    let e = inspection::create(&app.db, &sup.ctx, &b).await.unwrap_err();
    assert!(
        matches!(&e, DbError::Invalid(fe) if fe.get("task_id").is_some()),
        "{e:?}"
    );
}

#[tokio::test]
async fn the_list_filters_by_subtree_kind_dates_campaign_keyword_and_findings_and_pages() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let sup = person(&app, "sup", Role::BureauSupervisor, &f.bureau).await;
    let lib = library(&app, "仓储安全检查表（列表）").await;
    let camp = campaign_for(&app, &sup, "安全生产月").await;
    let mut ids = Vec::new();
    for (org, kind, date, campaign, illegal) in [
        (f.site_a.id, "self_check", "2023-01-05", None, false),
        (f.unit_a.id, "supervision", "2023-02-10", Some(camp), false),
        (f.site_b.id, "spot_check", "2023-03-31", Some(camp), false),
        (f.unit_b.id, "unannounced", "2023-04-01", None, true),
        (f.bureau.id, "special", "2023-05-01", None, false),
    ] {
        let mut i = input(org, kind, date, &lib, &[]);
        i.campaign_id = campaign;
        i.illegal_operation = illegal;
        i.illegal_description = if illegal {
            "无证经营危险化学品仓库".into()
        } else {
            String::new()
        };
        ids.push(
            inspection::create(&app.db, &sup.ctx, &i)
                .await
                .expect("recorded"),
        );
    }
    let list = |f: InspectionFilter| {
        let (app, sup) = (&app, &sup);
        async move {
            inspection::list(&app.db, &sup.ctx, &f, PageReq::new(None, None))
                .await
                .unwrap()
                .items
                .iter()
                .map(|i| i.id)
                .collect::<Vec<_>>()
        }
    };
    // Latest first.
    assert_eq!(
        list(InspectionFilter::default()).await,
        vec![ids[4], ids[3], ids[2], ids[1], ids[0]]
    );
    assert_eq!(
        list(InspectionFilter {
            under: Some(f.unit_a.id),
            ..Default::default()
        })
        .await,
        vec![ids[1], ids[0]]
    );
    assert_eq!(
        list(InspectionFilter {
            kind: Some(InspectionKind::SpotCheck),
            ..Default::default()
        })
        .await,
        vec![ids[2]]
    );
    assert_eq!(
        list(InspectionFilter {
            from: Some(d("2023-02-10")),
            to: Some(d("2023-03-31")),
            ..Default::default()
        })
        .await,
        vec![ids[2], ids[1]],
        "both ends included"
    );
    assert_eq!(
        list(InspectionFilter {
            campaign_id: Some(camp),
            ..Default::default()
        })
        .await,
        vec![ids[2], ids[1]]
    );
    assert_eq!(
        list(InspectionFilter {
            illegal_only: true,
            ..Default::default()
        })
        .await,
        vec![ids[3]]
    );
    assert_eq!(
        list(InspectionFilter {
            keyword: Some("危险化学品".into()),
            ..Default::default()
        })
        .await,
        vec![ids[3]]
    );
    assert_eq!(
        list(InspectionFilter {
            keyword: Some("乙库".into()),
            ..Default::default()
        })
        .await,
        vec![ids[2]]
    );
    assert_eq!(
        list(InspectionFilter {
            keyword: Some("%".into()),
            ..Default::default()
        })
        .await,
        Vec::<i64>::new()
    );

    let page2 = inspection::list(
        &app.db,
        &sup.ctx,
        &InspectionFilter::default(),
        PageReq::new(Some(2), Some(2)),
    )
    .await
    .unwrap();
    assert_eq!(page2.total, 5);
    assert_eq!(page2.pages(), 3);
    assert_eq!(
        page2.items.iter().map(|i| i.id).collect::<Vec<_>>(),
        vec![ids[2], ids[1]]
    );
}

fn header(row_version: i64) -> InspectionUpdate {
    InspectionUpdate {
        row_version,
        kind: "spot_check".into(),
        inspected_on: "2023-03-02".into(),
        inspectors: "王检查".into(),
        summary: "补充说明".into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn header_corrections_need_the_current_version_and_keep_the_date_once_hazards_exist() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let sup = person(&app, "sup", Role::BureauSupervisor, &f.bureau).await;
    let lib = library(&app, "仓储安全检查表（修改）").await;
    let plain = inspection::create(
        &app.db,
        &sup.ctx,
        &input(
            f.site_a.id,
            "督查",
            "2023-03-01",
            &lib,
            &["pass", "pass", "pass"],
        ),
    )
    .await
    .unwrap();
    let audit_before = app.audit_count().await;
    let e = inspection::update(&app.db, &sup.ctx, plain, &header(7))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, DbError::Conflict(m) if m == "记录已被他人修改，请刷新后重试"),
        "{e:?}"
    );
    assert_eq!(
        app.audit_count().await,
        audit_before,
        "a refused edit writes nothing"
    );

    let after = inspection::update(&app.db, &sup.ctx, plain, &header(1))
        .await
        .expect("saved");
    assert_eq!(
        (after.kind.as_str(), after.inspected_on, after.row_version),
        ("spot_check", d("2023-03-02"), 2)
    );
    assert_eq!(after.inspectors, "王检查");
    let last = app.last_audit().await;
    assert_eq!(
        (last.entity.as_str(), last.action.as_str()),
        ("inspection", "update")
    );
    assert!(last.before_json.unwrap().contains("supervision"));
    // The version just used is stale now.
    assert!(matches!(
        inspection::update(&app.db, &sup.ctx, plain, &header(1)).await,
        Err(DbError::Conflict(_))
    ));

    let with_hazard = inspection::create(
        &app.db,
        &sup.ctx,
        &input(
            f.site_a.id,
            "督查",
            "2023-03-01",
            &lib,
            &["fail", "pass", "pass"],
        ),
    )
    .await
    .unwrap();
    let e = inspection::update(&app.db, &sup.ctx, with_hazard, &header(1))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, DbError::Invalid(fe) if fe.get("inspected_on") == Some("此次检查已登记隐患，不能修改检查日期")),
        "{e:?}"
    );
    let mut same_day = header(1);
    same_day.inspected_on = "2023-03-01".into();
    let ok = inspection::update(&app.db, &sup.ctx, with_hazard, &same_day)
        .await
        .expect("kind may change");
    assert_eq!(ok.kind, "spot_check");
}

#[tokio::test]
async fn an_inspection_is_withdrawn_only_while_no_hazard_came_from_it() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let sup = person(&app, "sup", Role::BureauSupervisor, &f.bureau).await;
    let lib = library(&app, "仓储安全检查表（删除）").await;
    let with_hazard = inspection::create(
        &app.db,
        &sup.ctx,
        &input(
            f.site_a.id,
            "督查",
            "2023-03-01",
            &lib,
            &["fail", "pass", "pass"],
        ),
    )
    .await
    .unwrap();
    let e = inspection::delete(&app.db, &sup.ctx, with_hazard)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, DbError::Conflict(m) if m.contains("不能删除")),
        "{e:?}"
    );
    assert!(inspection::get(&app.db, &sup.ctx, with_hazard)
        .await
        .is_ok());

    let plain = inspection::create(
        &app.db,
        &sup.ctx,
        &input(f.site_a.id, "督查", "2023-03-02", &lib, &[]),
    )
    .await
    .unwrap();
    inspection::delete(&app.db, &sup.ctx, plain)
        .await
        .expect("withdrawn");
    let last = app.last_audit().await;
    assert_eq!(
        (last.entity.as_str(), last.action.as_str()),
        ("inspection", "delete")
    );
    assert!(matches!(
        inspection::get(&app.db, &sup.ctx, plain).await,
        Err(DbError::NotFound)
    ));
    assert!(matches!(
        inspection::delete(&app.db, &sup.ctx, plain).await,
        Err(DbError::NotFound)
    ));
    let ids: Vec<i64> = inspection::list(
        &app.db,
        &sup.ctx,
        &InspectionFilter::default(),
        PageReq::new(None, None),
    )
    .await
    .unwrap()
    .items
    .iter()
    .map(|i| i.id)
    .collect();
    assert_eq!(ids, vec![with_hazard]);
    // Soft: the row stays for the record.
    let (deleted,): (Option<chrono::DateTime<chrono::Utc>>,) = app
        .db
        .fetch_one(&Q::new("SELECT deleted_at FROM inspection WHERE id = $1").bind(plain))
        .await
        .unwrap();
    assert!(deleted.is_some());
}
