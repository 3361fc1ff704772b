//! Accident and emergency-event reports: 首报/续报/终报 with the grade stored and recomputed, the
//! clocks, closing, scope, read-only roles, Chinese field errors, statistics and settings — each
//! a story on the real database (SQLite, or PostgreSQL with ANJIAN_TEST_PG_URL).

use chrono::{Duration, Utc};

use anjian_db::incident::{
    self, FiguresInput, Incident, IncidentInput, IncidentRules, ReportInput,
};
use anjian_db::{DbError, Q};
use anjian_domain::role::Role;
use anjian_testkit::{Fixture, TestApp};

use crate::hazard::{person, world, Person};

mod pages;

/// Records of unit B, one per kind of id this module's routes take, keyed by the path fragment
/// that identifies the route. routes_walk checks each answers 404 to unit A.
pub async fn foreign_ids(app: &TestApp, f: &Fixture) -> Vec<(&'static str, i64)> {
    let b = person(app, "inc_foreign_b", Role::UnitOfficer, &f.unit_b).await;
    let i = file(&b, app, f.site_b.id, "accident", "0", "0", 2).await;
    vec![("/incidents/", i.id)]
}

/// Shanghai local time `hours_ago` hours before now, as a form would send it.
pub fn local(hours_ago: i64) -> String {
    anjian_domain::time::to_shanghai(Utc::now() - Duration::hours(hours_ago))
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

pub fn input(
    org_id: i64,
    kind: &str,
    deaths: &str,
    serious: &str,
    hours_ago: i64,
) -> IncidentInput {
    IncidentInput {
        org_id,
        event_kind: kind.into(),
        accident_type: if kind == "accident" {
            "03".into()
        } else {
            String::new()
        },
        traffic_or_fire: false,
        title: "出粮作业机械伤害".into(),
        occurred_at: local(hours_ago),
        place: "3号仓".into(),
        account: "清仓作业时输送机卷入手套".into(),
        figures: FiguresInput {
            deaths: deaths.into(),
            missing: "0".into(),
            serious_injuries: serious.into(),
            minor_injuries: "1".into(),
            direct_loss_yuan: "12000.50".into(),
        },
        measures: "停机断电，送医".into(),
        reporter: "张三".into(),
        contacts: "13800000000".into(),
    }
}

pub async fn file(
    p: &Person,
    app: &TestApp,
    org_id: i64,
    kind: &str,
    deaths: &str,
    serious: &str,
    hours_ago: i64,
) -> Incident {
    incident::create(
        &app.db,
        &p.ctx,
        &input(org_id, kind, deaths, serious, hours_ago),
    )
    .await
    .expect("initial report")
}

fn follow_up(deaths: &str) -> ReportInput {
    ReportInput {
        kind: "follow_up".into(),
        content: "伤者转院".into(),
        figures: FiguresInput {
            deaths: deaths.into(),
            ..Default::default()
        },
        reporter: "李四".into(),
        ..Default::default()
    }
}

fn final_report() -> ReportInput {
    ReportInput {
        kind: "final".into(),
        reporter: "李四".into(),
        cause: "未执行停机挂牌".into(),
        responsibility: "当班班长负直接责任".into(),
        corrective_actions: "加装急停拉绳，全员培训".into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn the_initial_report_stores_the_grade_and_starts_the_clock() {
    let w = world().await;
    let before = w.app.audit_count().await;
    let i = file(&w.officer, &w.app, w.f.site_a.id, "accident", "0", "10", 2).await;
    assert_eq!(
        i.grade.as_deref(),
        Some("large"),
        "10 serious injuries: 较大"
    );
    assert_eq!(i.grade_reason(), "重伤10人，达到较大事故标准");
    assert_eq!(i.direct_loss_fen, 1_200_050);
    assert_eq!(i.accident_standard, "GB/T 6441-1986");
    assert_eq!(i.status, "open");
    assert_eq!(i.initial_due, i.occurred_at + Duration::minutes(60));
    let c = i.clock(&IncidentRules::default(), anjian_db::now());
    // Filed two hours after the occurrence: an hour late (give or take the test's own minute).
    assert!((59..=61).contains(&c.initial_late_minutes), "{c:?}");
    assert!(!c.overdue());
    let r = incident::reports(&w.app.db, &w.officer.ctx, i.id)
        .await
        .unwrap();
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].kind, "initial");
    assert_eq!(w.app.audit_count().await, before + 1);
    assert_eq!(w.app.last_audit().await.action, "initial_report");
    // A non-accident event has no grade.
    let flood = file(&w.officer, &w.app, w.f.site_a.id, "flood", "0", "0", 1).await;
    assert_eq!(flood.grade, None);
    assert_eq!(flood.accident_type, "");
}

#[tokio::test]
async fn a_follow_up_recomputes_the_grade_and_flags_the_supplementary_report() {
    let w = world().await;
    let i = file(&w.officer, &w.app, w.f.site_a.id, "accident", "0", "1", 2).await;
    assert_eq!(i.grade.as_deref(), Some("general"));
    let after = incident::append(
        &w.app.db,
        &w.officer.ctx,
        i.id,
        &follow_up("3"),
        i.row_version,
    )
    .await
    .unwrap();
    assert_eq!(after.grade.as_deref(), Some("large"));
    assert_eq!(after.deaths, 3);
    assert_eq!(
        after.serious_injuries, 1,
        "blank figures keep the previous value"
    );
    let r = incident::reports(&w.app.db, &w.officer.ctx, i.id)
        .await
        .unwrap();
    assert_eq!(r.len(), 2);
    assert!(r[1].supplementary, "casualties changed within 30 days");
    assert_eq!(r[1].changes, "死亡 0→3人；事故等级 一般事故→较大事故");
    assert_eq!(r[1].grade.as_deref(), Some("large"));
    // A stale form is refused.
    let stale = incident::append(
        &w.app.db,
        &w.officer.ctx,
        i.id,
        &follow_up("4"),
        i.row_version,
    )
    .await;
    assert!(matches!(stale, Err(DbError::Conflict(_))));
    // Outside the 30-day window a change is recorded but is not a 补报.
    let old = file(
        &w.officer,
        &w.app,
        w.f.site_a.id,
        "accident",
        "0",
        "0",
        24 * 40,
    )
    .await;
    incident::append(
        &w.app.db,
        &w.officer.ctx,
        old.id,
        &follow_up("1"),
        old.row_version,
    )
    .await
    .unwrap();
    let r = incident::reports(&w.app.db, &w.officer.ctx, old.id)
        .await
        .unwrap();
    assert!(!r[1].supplementary);
    // A follow-up of a flood never is (no casualty rule for non-accidents).
    let flood = file(&w.officer, &w.app, w.f.site_a.id, "flood", "0", "0", 1).await;
    let f2 = incident::append(
        &w.app.db,
        &w.officer.ctx,
        flood.id,
        &follow_up("1"),
        flood.row_version,
    )
    .await
    .unwrap();
    assert_eq!(f2.grade, None);
}

#[tokio::test]
async fn the_final_report_closes_the_event_and_nothing_more_is_appended() {
    let w = world().await;
    let i = file(&w.officer, &w.app, w.f.site_a.id, "accident", "0", "0", 1).await;
    let mut empty = final_report();
    empty.cause.clear();
    empty.responsibility.clear();
    empty.corrective_actions.clear();
    let Err(DbError::Invalid(e)) =
        incident::append(&w.app.db, &w.officer.ctx, i.id, &empty, i.row_version).await
    else {
        panic!("a final report without cause is refused");
    };
    assert_eq!(e.get("cause"), Some("事故原因不能为空"));
    assert_eq!(e.get("responsibility"), Some("责任认定不能为空"));
    assert_eq!(e.get("corrective_actions"), Some("整改措施不能为空"));
    let closed = incident::append(
        &w.app.db,
        &w.officer.ctx,
        i.id,
        &final_report(),
        i.row_version,
    )
    .await
    .unwrap();
    assert_eq!(closed.status, "closed");
    assert!(closed.closed_at.is_some());
    assert_eq!(closed.cause, "未执行停机挂牌");
    let c = closed.clock(&IncidentRules::default(), anjian_db::now());
    assert_eq!(c.next_due, None, "no follow-up clock once closed");
    let again = incident::append(
        &w.app.db,
        &w.officer.ctx,
        i.id,
        &follow_up("1"),
        closed.row_version,
    )
    .await;
    let Err(DbError::Conflict(m)) = again else {
        panic!("closed events take no more reports: {again:?}");
    };
    assert_eq!(m, "该事件已终报结案，不能再追加报告");
    let r = incident::reports(&w.app.db, &w.officer.ctx, i.id)
        .await
        .unwrap();
    assert_eq!(
        r.iter().map(|r| r.kind.as_str()).collect::<Vec<_>>(),
        ["initial", "final"]
    );
}

#[tokio::test]
async fn the_follow_up_clock_runs_from_the_last_report_and_shows_overdue() {
    let w = world().await;
    let i = file(&w.officer, &w.app, w.f.site_a.id, "accident", "0", "0", 40).await;
    // Move the report back: the last report was 30 hours ago, so the 24-hour 续报 is 6 hours late.
    w.app
        .db
        .execute(
            &Q::new("UPDATE incident_report SET reported_at = $1 WHERE incident_id = $2")
                .bind(anjian_db::now() - Duration::hours(30))
                .bind(i.id),
        )
        .await
        .unwrap();
    let todo = incident::todo(&w.app.db, &w.supervisor.ctx).await.unwrap();
    let (_, c) = todo
        .iter()
        .find(|(x, _)| x.id == i.id)
        .expect("the bureau sees it");
    assert!(c.overdue());
    assert!((-361..=-359).contains(&c.minutes_left.unwrap()), "{c:?}");
    // A 重大 accident is followed up twice a day.
    let big = file(&w.officer, &w.app, w.f.site_a.id, "accident", "10", "0", 1).await;
    let c = big.clock(&IncidentRules::default(), anjian_db::now());
    assert!(
        (11 * 60 - 1..=12 * 60).contains(&c.minutes_left.unwrap()),
        "{c:?}"
    );
}

#[tokio::test]
async fn scope_reads_and_settings() {
    let w = world().await;
    let i = file(&w.officer, &w.app, w.f.site_a.id, "accident", "0", "0", 1).await;
    assert!(matches!(
        incident::get(&w.app.db, &w.officer_b.ctx, i.id).await,
        Err(DbError::NotFound)
    ));
    assert!(matches!(
        incident::append(
            &w.app.db,
            &w.officer_b.ctx,
            i.id,
            &follow_up("1"),
            i.row_version
        )
        .await,
        Err(DbError::NotFound)
    ));
    // Unit B cannot file for unit A's site.
    let Err(DbError::Invalid(e)) = incident::create(
        &w.app.db,
        &w.officer_b.ctx,
        &input(w.f.site_a.id, "accident", "0", "0", 1),
    )
    .await
    else {
        panic!("foreign organisation refused");
    };
    assert!(e.get("org_id").is_some());
    let b_todo = incident::todo(&w.app.db, &w.officer_b.ctx).await.unwrap();
    assert!(b_todo.is_empty());
    // The leader reads but may not report.
    let leader = person(&w.app, "leader", Role::BureauLeader, &w.f.bureau).await;
    assert_eq!(
        incident::get(&w.app.db, &leader.ctx, i.id)
            .await
            .unwrap()
            .id,
        i.id
    );
    assert!(matches!(
        incident::append(&w.app.db, &leader.ctx, i.id, &follow_up("1"), i.row_version).await,
        Err(DbError::Forbidden)
    ));
    // Settings: the supervisor shortens the initial limit; a unit officer may not.
    let mut r = IncidentRules::default();
    r.report.initial_minutes = 30;
    assert!(matches!(
        incident::save_rules(&w.app.db, &w.officer.ctx, &r, 0).await,
        Err(DbError::Forbidden)
    ));
    incident::save_rules(&w.app.db, &w.supervisor.ctx, &r, 0)
        .await
        .unwrap();
    let j = file(&w.officer, &w.app, w.f.site_a.id, "fire", "0", "0", 0).await;
    assert_eq!(j.initial_due, j.occurred_at + Duration::minutes(30));
    r.report.initial_minutes = 0;
    let Err(DbError::Invalid(e)) = incident::save_rules(&w.app.db, &w.supervisor.ctx, &r, 1).await
    else {
        panic!("0 minutes refused");
    };
    assert_eq!(
        e.get("initial_minutes"),
        Some("首报时限应为 1 至 1440 分钟")
    );
}

#[tokio::test]
async fn statistics_count_accidents_by_grade_type_and_kind_in_the_period() {
    let w = world().await;
    let a = file(&w.officer, &w.app, w.f.site_a.id, "accident", "3", "0", 1).await;
    file(&w.officer, &w.app, w.f.site_a.id, "flood", "0", "0", 1).await;
    file(&w.officer_b, &w.app, w.f.site_b.id, "accident", "1", "0", 1).await;
    let today = anjian_domain::time::today(anjian_db::now());
    let period =
        anjian_domain::period::Period::custom(today - chrono::Days::new(3), today).unwrap();
    let s = incident::statistics(&w.app.db, &w.officer.ctx, &period, None)
        .await
        .unwrap();
    assert_eq!(s.accidents, 1, "unit B's accident is outside unit A");
    assert_eq!(s.accident_ids, vec![a.id]);
    assert_eq!(s.deaths, 3);
    assert_eq!(s.minor_injuries, 1);
    assert_eq!(s.direct_loss_fen, 1_200_050);
    assert_eq!(s.casualty_accidents, 1);
    assert_eq!(
        s.by_grade
            .iter()
            .find(|g| g.grade == "large")
            .unwrap()
            .count,
        1
    );
    assert_eq!(s.by_type[0].code, "03");
    assert_eq!(s.by_type[0].name, "机械伤害");
    assert_eq!(
        s.events_by_kind
            .iter()
            .find(|k| k.kind == "flood")
            .unwrap()
            .count,
        1
    );
    let all = incident::statistics(&w.app.db, &w.supervisor.ctx, &period, None)
        .await
        .unwrap();
    assert_eq!(all.accidents, 2);
    assert_eq!(all.deaths, 4);
    // An earlier period is empty: the register exists and has nothing ("无人员伤亡事故").
    let h1 = anjian_domain::period::Period::half_year(2023, 1).unwrap();
    let none = incident::statistics(&w.app.db, &w.supervisor.ctx, &h1, None)
        .await
        .unwrap();
    assert_eq!((none.accidents, none.casualty_accidents), (0, 0));
    // Another unit's subtree is NotFound for unit A.
    assert!(matches!(
        incident::statistics(&w.app.db, &w.officer.ctx, &period, Some(w.f.unit_b.id)).await,
        Err(DbError::NotFound)
    ));
}
