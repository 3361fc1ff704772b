//! Period statistics with hand-computed totals, edits with optimistic concurrency, soft delete
//! and audit, and the owners' to-do items.

use anjian_db::ledger::{self, ItemInput};
use anjian_db::DbError;
use anjian_domain::ledger::LedgerKind;
use anjian_domain::period::Period;

use super::*;

#[tokio::test]
async fn funding_sums_in_fen_and_shows_wan_yuan_half_up() {
    let c = cast().await;
    let (a, b) = (c.f.unit_a.id, c.f.site_b.id);
    // Unit A in 2023H1: 50,000.00 元 (cat 1) + 69,299.99 元 + 0.01 元 (cat 5) = 119,300.00 元
    // = 11,930,000 分 = 11.93 万元, the seed's figure.
    record(
        &c.app,
        &c.officer.ctx,
        LedgerKind::Funding,
        &funding(a, "2023-01-10", "50,000.00", "1"),
    )
    .await;
    record(
        &c.app,
        &c.officer.ctx,
        LedgerKind::Funding,
        &funding(c.f.site_a.id, "2023-06-30", "69299.99", "5"),
    )
    .await;
    record(
        &c.app,
        &c.officer.ctx,
        LedgerKind::Funding,
        &funding(
            a,
            "2023-03-01",
            "0.01",
            "配备和更新现场作业人员安全防护用品",
        ),
    )
    .await;
    // Outside the period, deleted, or another unit's: not in unit A's H1 total.
    record(
        &c.app,
        &c.officer.ctx,
        LedgerKind::Funding,
        &funding(a, "2023-07-01", "999.00", "1"),
    )
    .await;
    let gone = record(
        &c.app,
        &c.officer.ctx,
        LedgerKind::Funding,
        &funding(a, "2023-02-01", "777.00", "1"),
    )
    .await;
    ledger::delete(&c.app.db, &c.officer.ctx, gone.id, gone.row_version)
        .await
        .unwrap();
    // Unit B: 1,234,567 分 = 12,345.67 元 (cat 9).
    record(
        &c.app,
        &c.officer_b.ctx,
        LedgerKind::Funding,
        &funding(b, "2023-05-05", "12345.67", "9"),
    )
    .await;

    let h1 = Period::parse("2023H1").unwrap();
    let s = ledger::statistics(&c.app.db, &c.officer.ctx, &h1, None)
        .await
        .unwrap();
    assert_eq!(s.funding_fen, 11_930_000);
    assert_eq!(s.funding_wan_yuan(), "11.93");
    let by = |code: &str| {
        s.funding_by_category
            .iter()
            .find(|x| x.code == code)
            .unwrap()
            .fen
    };
    assert_eq!(s.funding_by_category.len(), 10);
    assert_eq!(by("1"), 5_000_000);
    assert_eq!(by("5"), 6_930_000);
    assert_eq!(by("9"), 0);

    // The bureau sees both units: 11,930,000 + 1,234,567 = 13,164,567 分 = 13.164567 万元 → 13.16.
    let s = ledger::statistics(&c.app.db, &c.supervisor.ctx, &h1, None)
        .await
        .unwrap();
    assert_eq!(s.funding_fen, 13_164_567);
    assert_eq!(s.funding_wan_yuan(), "13.16");
    assert_eq!(s.by_unit.len(), 2);
    let ua = s.by_unit.iter().find(|u| u.org_id == a).unwrap();
    assert_eq!(
        ua.funding_fen, 11_930_000,
        "the site's entry counts for its unit"
    );
    let ub = s
        .by_unit
        .iter()
        .find(|u| u.org_id == c.f.unit_b.id)
        .unwrap();
    assert_eq!(ub.funding_wan_yuan(), "1.23");
    // Only unit B's subtree, asked by the bureau.
    let s = ledger::statistics(&c.app.db, &c.supervisor.ctx, &h1, Some(c.f.unit_b.id))
        .await
        .unwrap();
    assert_eq!(s.funding_fen, 1_234_567);
    // Unit A may not ask about unit B.
    let e = ledger::statistics(&c.app.db, &c.officer.ctx, &h1, Some(c.f.unit_b.id)).await;
    assert!(matches!(e, Err(DbError::NotFound)));
}

#[tokio::test]
async fn counts_of_the_summary_by_ledger() {
    let c = cast().await;
    let a = c.f.unit_a.id;
    let ctx = &c.officer.ctx;
    for d in ["2023-02-01", "2023-06-16"] {
        record(&c.app, ctx, LedgerKind::Publicity, &publicity(a, d)).await;
    }
    // 2 + 1.5 + 4 学时 = 7.5 = 75 tenths; 20 participants each.
    for (d, h) in [
        ("2023-01-05", "2"),
        ("2023-03-05", "1.5"),
        ("2023-06-05", "4"),
    ] {
        record(
            &c.app,
            ctx,
            LedgerKind::Training,
            &training(a, d, h, vec![]),
        )
        .await;
    }
    record(
        &c.app,
        ctx,
        LedgerKind::Drill,
        &drill(a, "2023-05-20", "onsite"),
    )
    .await;
    record(
        &c.app,
        ctx,
        LedgerKind::Meeting,
        &meeting(a, "2023-03-28", "quarterly"),
    )
    .await;
    record(
        &c.app,
        ctx,
        LedgerKind::Meeting,
        &meeting(a, "2023-04-10", "special"),
    )
    .await;
    record(
        &c.app,
        ctx,
        LedgerKind::Letter,
        &letter(a, "2023-02-20", "2023"),
    )
    .await;
    // Second half: not counted.
    record(
        &c.app,
        ctx,
        LedgerKind::Drill,
        &drill(a, "2023-07-20", "onsite"),
    )
    .await;

    let s = ledger::statistics(&c.app.db, ctx, &Period::parse("2023H1").unwrap(), None)
        .await
        .unwrap();
    assert_eq!(s.publicity_events, 2);
    assert_eq!(s.trainings, 3);
    assert_eq!(s.training_hours_tenths, 75);
    assert_eq!(s.training_participants, 60);
    assert_eq!(s.drills, 1);
    assert_eq!(s.safety_meetings, 2);
    assert_eq!(s.quarterly_meetings, 1);
    assert_eq!(s.responsibility_letters_signed, 1);
    assert_eq!(s.funding_fen, 0);
    assert_eq!(s.funding_wan_yuan(), "0.00");
    let s = ledger::statistics(&c.app.db, ctx, &Period::parse("2023").unwrap(), None)
        .await
        .unwrap();
    assert_eq!(s.drills, 2);
}

#[tokio::test]
async fn a_stale_edit_is_a_conflict_and_every_change_is_audited() {
    let c = cast().await;
    let a = c.f.unit_a.id;
    let e = record(
        &c.app,
        &c.officer.ctx,
        LedgerKind::Funding,
        &funding(a, "2023-01-10", "100.00", "1"),
    )
    .await;
    let audit = c.app.last_audit().await;
    assert_eq!(
        (audit.entity.as_str(), audit.action.as_str()),
        ("ledger_entry", "create")
    );

    let mut i = e.to_input();
    i.amount = "150.50".into();
    let e2 = ledger::update(&c.app.db, &c.head.ctx, e.id, e.row_version, &i)
        .await
        .unwrap();
    assert_eq!(e2.amount_fen, Some(15_050));
    assert_eq!(e2.row_version, e.row_version + 1);
    assert_eq!(c.app.last_audit().await.action, "update");

    // The officer's form still carries the first version.
    i.amount = "200.00".into();
    match ledger::update(&c.app.db, &c.officer.ctx, e.id, e.row_version, &i).await {
        Err(DbError::Conflict(m)) => assert_eq!(m, "记录已被他人修改，请刷新后重试"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    let before = c.app.audit_count().await;
    assert!(matches!(
        ledger::delete(&c.app.db, &c.officer.ctx, e.id, e.row_version).await,
        Err(DbError::Conflict(_))
    ));
    assert_eq!(
        c.app.audit_count().await,
        before,
        "a refused change writes nothing"
    );
    ledger::delete(&c.app.db, &c.officer.ctx, e.id, e2.row_version)
        .await
        .unwrap();
    let audit = c.app.last_audit().await;
    assert_eq!(audit.action, "delete");
    assert!(audit.before_json.unwrap().contains("15050"));
    assert!(matches!(
        ledger::get(&c.app.db, &c.officer.ctx, e.id).await,
        Err(DbError::NotFound)
    ));
}

#[tokio::test]
async fn open_items_are_on_their_owners_to_do_list_until_done() {
    let c = cast().await;
    let mut m = meeting(c.f.unit_a.id, "2023-03-28", "quarterly");
    m.items = vec![
        ItemInput {
            content: "更换3号仓灭火器".into(),
            owner_user_id: Some(c.head.user.id),
            deadline: "2023-04-30".into(),
            status: String::new(),
        },
        ItemInput {
            content: "已办结事项".into(),
            owner_user_id: Some(c.head.user.id),
            deadline: String::new(),
            status: "done".into(),
        },
        ItemInput {
            content: "安全员负责".into(),
            owner_user_id: Some(c.officer.user.id),
            ..Default::default()
        },
        // A blank row from the form is ignored.
        ItemInput::default(),
    ];
    let e = record(&c.app, &c.officer.ctx, LedgerKind::Meeting, &m).await;
    let todo = ledger::todo(&c.app.db, &c.head.ctx).await.unwrap();
    assert_eq!(todo.len(), 1);
    assert_eq!(todo[0].content, "更换3号仓灭火器");
    assert_eq!(todo[0].entry_id, e.id);
    assert_eq!(
        todo[0].deadline.map(|d| d.to_string()).as_deref(),
        Some("2023-04-30")
    );
    // An owner outside the caller's scope is refused, naming the row.
    let mut bad = meeting(c.f.unit_a.id, "2023-03-28", "special");
    bad.items = vec![ItemInput {
        content: "越权".into(),
        owner_user_id: Some(c.officer_b.user.id),
        ..Default::default()
    }];
    match ledger::create(&c.app.db, &c.officer.ctx, LedgerKind::Meeting, &bad).await {
        Err(DbError::Invalid(f)) => assert_eq!(
            f.get("items[0]"),
            Some("第1项的负责人不存在或不在管辖范围内")
        ),
        other => panic!("{other:?}"),
    }
    // The owner closes it; an inspector of the unit (no LedgerRecord, not the owner) may not.
    let d = ledger::get(&c.app.db, &c.head.ctx, e.id).await.unwrap();
    let officers_item = d
        .items
        .iter()
        .find(|i| i.content == "安全员负责")
        .unwrap()
        .id;
    assert!(matches!(
        ledger::item_done(&c.app.db, &c.inspector.ctx, officers_item).await,
        Err(DbError::Forbidden)
    ));
    ledger::item_done(&c.app.db, &c.head.ctx, todo[0].item_id)
        .await
        .unwrap();
    assert!(ledger::todo(&c.app.db, &c.head.ctx)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(c.app.last_audit().await.entity, "ledger_item");
}
