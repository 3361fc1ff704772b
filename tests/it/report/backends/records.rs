//! Ledgers of all six kinds, duty and incidents of the backend comparison's dataset.

use anjian_db::duty::{self, RosterInput};
use anjian_db::incident::{self, FiguresInput, IncidentInput};
use anjian_db::ledger::{self, LedgerInput};
use anjian_db::org::Org;
use anjian_domain::ledger::LedgerKind;
use anjian_testkit::{Fixture, TestApp};

use crate::hazard::Person;

/// Writes them through the data layer: the bureau's supervisor, and the officers of units A, B
/// and C.
pub async fn write(
    app: &TestApp,
    f: &Fixture,
    unit_c: &Org,
    site_c: &Org,
    sup: &Person,
    [off_a, off_b, off_c]: [&Person; 3],
) {
    let db = &app.db;
    // Ledgers of all six kinds. Funding: H1 10000.01 + 5049.99 = 15050.00 元 = 1.505 万元
    // (1.51 rounded half up on the 分 integer; a float would say 1.50); the year adds 0.01 and
    // 123.45.
    let entry = |org: i64, date: &str, fields: &[(&str, &str)]| {
        let mut i = LedgerInput {
            org_id: Some(org),
            entry_date: date.into(),
            ..Default::default()
        };
        for (k, v) in fields {
            i.set(k, v.to_string());
        }
        i
    };
    let entries: Vec<(&Person, LedgerKind, LedgerInput)> = vec![
        (
            off_a,
            LedgerKind::Funding,
            entry(
                f.site_a.id,
                "2023-01-01",
                &[
                    ("category", "1"),
                    ("amount", "10000.01"),
                    ("title", "更换配电线路"),
                ],
            ),
        ),
        (
            off_b,
            LedgerKind::Funding,
            entry(
                f.unit_b.id,
                "2023-06-30",
                &[
                    ("category", "2"),
                    ("amount", "5049.99"),
                    ("title", "补充灭火器"),
                ],
            ),
        ),
        (
            off_c,
            LedgerKind::Funding,
            entry(
                unit_c.id,
                "2023-07-01",
                &[("category", "5"), ("amount", "0.01"), ("title", "劳保用品")],
            ),
        ),
        (
            off_c,
            LedgerKind::Funding,
            entry(
                site_c.id,
                "2023-12-31",
                &[
                    ("category", "8"),
                    ("amount", "123.45"),
                    ("title", "检测检验"),
                ],
            ),
        ),
        (
            off_a,
            LedgerKind::Publicity,
            entry(
                f.site_a.id,
                "2023-01-01",
                &[
                    ("title", "安全宣传进企业"),
                    ("category", "五进·进企业"),
                    ("participants", "40"),
                ],
            ),
        ),
        (
            off_b,
            LedgerKind::Publicity,
            entry(
                f.unit_b.id,
                "2023-06-30",
                &[
                    ("title", "安全生产月咨询日"),
                    ("category", "宣传咨询日"),
                    ("participants", "55"),
                ],
            ),
        ),
        (
            off_c,
            LedgerKind::Publicity,
            entry(
                unit_c.id,
                "2023-07-01",
                &[
                    ("title", "知识竞赛"),
                    ("category", "知识竞赛"),
                    ("participants", "30"),
                ],
            ),
        ),
        (
            off_a,
            LedgerKind::Training,
            entry(
                f.unit_a.id,
                "2023-03-31",
                &[
                    ("title", "消防培训"),
                    ("category", "消防培训"),
                    ("hours", "2"),
                    ("participants", "12"),
                    ("trainer", "单位安全管理人员"),
                ],
            ),
        ),
        (
            off_c,
            LedgerKind::Training,
            entry(
                unit_c.id,
                "2023-10-01",
                &[
                    ("title", "安全培训"),
                    ("category", "安全培训"),
                    ("hours", "1.5"),
                    ("participants", "9"),
                    ("trainer", "单位安全管理人员"),
                ],
            ),
        ),
    ];
    for (who, kind, i) in entries {
        ledger::create(db, &who.ctx, kind, &i)
            .await
            .expect("ledger entry");
    }
    for (who, org, date, scenario, kind, form, plan) in [
        (
            &off_b,
            f.site_b.id,
            "2023-04-01",
            "火灾",
            "single",
            "live",
            "onsite",
        ),
        (
            &off_a,
            f.unit_a.id,
            "2023-06-30",
            "防汛",
            "comprehensive",
            "tabletop",
            "special",
        ),
        (
            &off_c,
            unit_c.id,
            "2023-09-30",
            "有限空间",
            "single",
            "live",
            "onsite",
        ),
    ] {
        let i = entry(
            org,
            date,
            &[
                ("title", &format!("{scenario}应急演练")),
                ("category", scenario),
                ("drill_kind", kind),
                ("drill_form", form),
                ("plan_type", plan),
                ("plan", &format!("{scenario}应急预案")),
                ("participants", "20"),
                ("evaluation", "演练组织有序，达到预期目的。"),
            ],
        );
        ledger::create(db, &who.ctx, LedgerKind::Drill, &i)
            .await
            .expect("drill");
    }
    for date in ["2023-03-31", "2023-06-30"] {
        let i = entry(
            f.bureau.id,
            date,
            &[
                ("title", "季度安全生产工作会议"),
                ("category", "quarterly"),
                ("attendees", "局领导班子成员、各单位负责人"),
                ("topics", "分析安全生产形势"),
            ],
        );
        ledger::create(db, &sup.ctx, LedgerKind::Meeting, &i)
            .await
            .expect("meeting");
    }
    for (org, date) in [(f.unit_a.id, "2023-02-01"), (f.unit_b.id, "2023-06-30")] {
        let i = entry(
            org,
            date,
            &[
                ("year", "2023"),
                ("title", "2023年度安全生产目标责任书"),
                ("signatories", "局主要负责人与单位主要负责人"),
                ("targets", "杜绝较大以上生产安全事故"),
            ],
        );
        ledger::create(db, &sup.ctx, LedgerKind::Letter, &i)
            .await
            .expect("letter");
    }

    // Duty: the bureau's Spring Festival roster (2023-01-21..27) with leaders, published; unit
    // A's zero reports on two of its days, unit B's on none.
    let r = duty::create_roster(
        db,
        &sup.ctx,
        &RosterInput {
            org_id: f.bureau.id,
            name: "2023年春节值班表".into(),
            start_date: "2023-01-21".into(),
            end_date: "2023-01-27".into(),
            leaders: "王局长 13900000001\n李副局长 13900000002".into(),
            officers: "张三 13800000001\n李四 13800000002".into(),
            ..Default::default()
        },
    )
    .await
    .expect("roster");
    duty::publish(db, &sup.ctx, r.id, r.row_version)
        .await
        .expect("publish");
    for day in ["2023-01-21", "2023-01-27"] {
        duty::zero_report(db, &off_a.ctx, f.unit_a.id, day, "无事故")
            .await
            .expect("zero report");
    }

    // Incidents at instants whose UTC date differs from Shanghai's or lies on an edge: an
    // accident at 23:59 on the half-year's last day (H1), a fire at 00:30 on 07-01 (H2, still
    // 06-30 in UTC), a flood at 07:59 on 04-01 (Q2, 03-31 in UTC). An equipment failure at
    // H2's first instant and another event at H1's last microsecond.
    let event = |org: i64, kind: &str, at: &str, figures: FiguresInput| IncidentInput {
        org_id: org,
        event_kind: kind.into(),
        accident_type: if kind == "accident" {
            "03".into()
        } else {
            String::new()
        },
        traffic_or_fire: false,
        title: "事件".into(),
        occurred_at: at.into(),
        place: "3号仓".into(),
        account: "经过".into(),
        figures,
        measures: "已处置".into(),
        reporter: "张三".into(),
        contacts: "13800000001".into(),
    };
    let zero = || FiguresInput {
        deaths: "0".into(),
        missing: "0".into(),
        serious_injuries: "0".into(),
        minor_injuries: "0".into(),
        direct_loss_yuan: "0".into(),
    };
    for (who, i) in [
        (
            &off_a,
            event(
                f.site_a.id,
                "accident",
                "2023-06-30 23:59",
                FiguresInput {
                    serious_injuries: "1".into(),
                    minor_injuries: "2".into(),
                    direct_loss_yuan: "12000.50".into(),
                    ..zero()
                },
            ),
        ),
        (
            &off_b,
            event(f.site_b.id, "fire", "2023-07-01 00:30", zero()),
        ),
        (
            &off_c,
            event(site_c.id, "flood", "2023-04-01 07:59", zero()),
        ),
        // The half-year's last and the next one's first instant, with their offset.
        (
            &off_b,
            event(
                f.unit_b.id,
                "equipment_failure",
                "2023-07-01T00:00:00+08:00",
                zero(),
            ),
        ),
        (
            &off_a,
            event(
                f.unit_a.id,
                "other",
                "2023-06-30T23:59:59.999999+08:00",
                zero(),
            ),
        ),
    ] {
        incident::create(db, &who.ctx, &i).await.expect("incident");
    }
}
