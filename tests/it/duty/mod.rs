//! Duty: the holiday calendar seed, roster generation and the coverage check across the 2023
//! 春节 week with its 调休 days and across a key period, swaps, today's duty, duty logs and zero
//! reports with the missed ones — each a story on the real database (SQLite, or PostgreSQL with
//! ANJIAN_TEST_PG_URL).

use chrono::NaiveDate;

use anjian_db::campaign::{self, CampaignInput};
use anjian_db::duty::{self, Roster, RosterInput, ShiftInput};
use anjian_db::DbError;
use anjian_domain::role::Role;
use anjian_testkit::{Fixture, TestApp};

use crate::hazard::{person, world, Person};

mod api;
mod pages;
mod regenerate;
mod shifts;
mod today;

/// Records of unit B, one per kind of id this module's routes take, keyed by the path fragment
/// that identifies the route. routes_walk checks each answers 404 to unit A.
pub async fn foreign_ids(app: &TestApp, f: &Fixture) -> Vec<(&'static str, i64)> {
    let b = person(app, "duty_foreign_b", Role::UnitOfficer, &f.unit_b).await;
    let r = roster(app, &b, f.unit_b.id, "2023-01-20", "2023-01-22").await;
    let shift = duty::shifts(&app.db, &b.ctx, r.id).await.expect("shifts")[0].clone();
    let swap = duty::request_swap(
        &app.db,
        &b.ctx,
        r.id,
        &duty::SwapInput {
            shift_id: shift.id,
            role: "leader".into(),
            to_name: "钱七".into(),
            reason: "出差".into(),
            ..Default::default()
        },
    )
    .await
    .expect("swap");
    vec![
        ("/duty/rosters/", r.id),
        ("/duty/shifts/", shift.id),
        ("/duty/swaps/", swap.id),
        // The holiday calendar is the whole province's: no entry is outside anyone's scope, so
        // the walk can only check that an unknown entry is 404.
        ("/duty/calendar/", i64::from(i32::MAX)),
    ]
}

pub fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

pub fn input(org_id: i64, first: &str, last: &str) -> RosterInput {
    RosterInput {
        org_id,
        name: "春节期间值班表".into(),
        start_date: first.into(),
        end_date: last.into(),
        leaders: "王局长 13900000001\n李副局长 13900000002".into(),
        officers: "张三 13800000001\n李四 13800000002\n王五 0591-87654321".into(),
        ..Default::default()
    }
}

pub async fn roster(app: &TestApp, p: &Person, org_id: i64, first: &str, last: &str) -> Roster {
    duty::create_roster(&app.db, &p.ctx, &input(org_id, first, last))
        .await
        .expect("roster")
}

async fn clear_leader(app: &TestApp, p: &Person, r: &Roster, day: &str) -> Result<Roster, DbError> {
    let shifts = duty::shifts(&app.db, &p.ctx, r.id).await.unwrap();
    let s = shifts.iter().find(|s| s.duty_date == d(day)).unwrap();
    let fresh = duty::get_roster(&app.db, &p.ctx, r.id).await.unwrap();
    duty::update_shift(
        &app.db,
        &p.ctx,
        r.id,
        &ShiftInput {
            shift_id: s.id,
            shift_name: s.shift_name.clone(),
            shift_start: s.shift_start.clone(),
            shift_hours: s.shift_hours.to_string(),
            leader_name: String::new(),
            leader_phone: String::new(),
            officers: s.officers.clone(),
        },
        fresh.row_version,
    )
    .await
}

#[tokio::test]
async fn the_calendar_table_is_seeded_with_the_domain_entries() {
    let w = world().await;
    let rows = duty::calendar_entries(&w.app.db, &w.officer.ctx, None)
        .await
        .unwrap();
    let mut expected: Vec<_> = anjian_domain::calendar::ENTRIES
        .iter()
        .map(|e| {
            let kind = match e.kind {
                anjian_domain::calendar::DayKind::Holiday => "holiday",
                anjian_domain::calendar::DayKind::Workday => "workday",
            };
            (
                e.first_date(),
                e.last_date(),
                kind.to_string(),
                e.name.to_string(),
            )
        })
        .collect();
    expected.sort();
    let mut got: Vec<_> = rows
        .iter()
        .map(|r| (r.first_date, r.last_date, r.kind.clone(), r.name.clone()))
        .collect();
    got.sort();
    assert_eq!(got, expected);
    let h = duty::holidays_between(&w.app.db, d("2023-01-20"), d("2023-01-30"))
        .await
        .unwrap();
    assert_eq!(
        h.into_iter().collect::<Vec<_>>(),
        (21..=27)
            .map(|n| d(&format!("2023-01-{n}")))
            .collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn a_spring_festival_roster_is_generated_and_published_only_with_every_holiday_led() {
    let w = world().await;
    let before = w.app.audit_count().await;
    let r = roster(
        &w.app,
        &w.officer,
        w.f.unit_a.id,
        "2023-01-20",
        "2023-01-30",
    )
    .await;
    assert_eq!(w.app.audit_count().await, before + 1);
    assert_eq!(r.status, "draft");
    let shifts = duty::shifts(&w.app.db, &w.officer.ctx, r.id).await.unwrap();
    assert_eq!(shifts.len(), 11);
    assert!(shifts
        .iter()
        .all(|s| s.shift_start == "08:30" && s.shift_hours == 24));
    // Leaders alternate; officers go round the list one a day.
    assert_eq!(shifts[0].leader_name, "王局长");
    assert_eq!(shifts[1].leader_name, "李副局长");
    assert_eq!(shifts[2].leader_name, "王局长");
    assert_eq!(shifts[0].officers, "张三 13800000001");
    assert_eq!(shifts[2].officers, "王五 0591-87654321");
    assert_eq!(shifts[3].officers, "张三 13800000001");
    let required = duty::required_days(&w.app.db, &r).await.unwrap();
    assert_eq!(
        required.len(),
        7,
        "21–27 January off; 28 and 29 are worked (调休)"
    );
    assert!(!required.contains(&d("2023-01-28")));
    // 24 January (a holiday) and 28 January (an adjusted working day) without a leader.
    clear_leader(&w.app, &w.officer, &r, "2023-01-24")
        .await
        .unwrap();
    clear_leader(&w.app, &w.officer, &r, "2023-01-28")
        .await
        .unwrap();
    let fresh = duty::get_roster(&w.app.db, &w.officer.ctx, r.id)
        .await
        .unwrap();
    let Err(DbError::Conflict(m)) =
        duty::publish(&w.app.db, &w.officer.ctx, r.id, fresh.row_version).await
    else {
        panic!("a holiday without a leader blocks publishing");
    };
    assert_eq!(
        m,
        "以下节假日或重要时段日期没有带班领导，不能发布：2023-01-24"
    );
    // The roster keeper fills the day; publishing now succeeds.
    let shifts = duty::shifts(&w.app.db, &w.officer.ctx, r.id).await.unwrap();
    let s24 = shifts
        .iter()
        .find(|s| s.duty_date == d("2023-01-24"))
        .unwrap();
    duty::update_shift(
        &w.app.db,
        &w.officer.ctx,
        r.id,
        &ShiftInput {
            shift_id: s24.id,
            leader_name: "赵副局长".into(),
            leader_phone: "13900000003".into(),
            officers: s24.officers.clone(),
            ..Default::default()
        },
        fresh.row_version,
    )
    .await
    .unwrap();
    let fresh = duty::get_roster(&w.app.db, &w.officer.ctx, r.id)
        .await
        .unwrap();
    let published = duty::publish(&w.app.db, &w.officer.ctx, r.id, fresh.row_version)
        .await
        .unwrap();
    assert_eq!(published.status, "published");
    // A published roster cannot lose a holiday's leader.
    let Err(DbError::Conflict(m)) = clear_leader(&w.app, &w.officer, &r, "2023-01-22").await else {
        panic!("editing a published roster keeps the coverage");
    };
    assert!(m.contains("2023-01-22"));
    let s22 = duty::shifts(&w.app.db, &w.officer.ctx, r.id).await.unwrap();
    assert!(!s22
        .iter()
        .find(|s| s.duty_date == d("2023-01-22"))
        .unwrap()
        .leader_name
        .is_empty());
    // Unit B sees nothing of it.
    assert!(matches!(
        duty::get_roster(&w.app.db, &w.officer_b.ctx, r.id).await,
        Err(DbError::NotFound)
    ));
}

#[tokio::test]
async fn key_periods_need_a_leader_too() {
    let w = world().await;
    campaign::create(
        &w.app.db,
        &w.supervisor.ctx,
        &CampaignInput {
            kind: "key_period".into(),
            name: "2023年全国两会".into(),
            start_date: "2023-03-04".into(),
            end_date: "2023-03-05".into(),
            all_units: true,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let mut i = input(w.f.unit_a.id, "2023-03-01", "2023-03-07");
    i.leaders.clear();
    let r = duty::create_roster(&w.app.db, &w.officer.ctx, &i)
        .await
        .unwrap();
    let Err(DbError::Conflict(m)) =
        duty::publish(&w.app.db, &w.officer.ctx, r.id, r.row_version).await
    else {
        panic!("key-period days without a leader block publishing");
    };
    assert_eq!(
        m,
        "以下节假日或重要时段日期没有带班领导，不能发布：2023-03-04、2023-03-05"
    );
    // An ordinary week without leaders may be published.
    let plain = duty::create_roster(&w.app.db, &w.officer.ctx, &{
        let mut i = input(w.f.unit_a.id, "2023-03-13", "2023-03-19");
        i.leaders.clear();
        i
    })
    .await
    .unwrap();
    duty::publish(&w.app.db, &w.officer.ctx, plain.id, plain.row_version)
        .await
        .unwrap();
}

#[tokio::test]
async fn roster_input_errors_are_chinese_and_name_the_field() {
    let w = world().await;
    let mut i = input(w.f.unit_a.id, "2023-01-30", "2023-01-20");
    i.leaders = "王局长 13900000001\n李副局长 电话abc".into();
    i.shifts = vec![duty::ShiftDef {
        start: "25:00".into(),
        ..Default::default()
    }];
    i.officers_per_day = "-1".into();
    let Err(DbError::Invalid(e)) = duty::create_roster(&w.app.db, &w.officer.ctx, &i).await else {
        panic!("invalid roster refused");
    };
    assert_eq!(e.get("end_date"), Some("结束日期不能早于开始日期"));
    assert_eq!(
        e.get("leaders"),
        Some("带班领导第2行：电话“电话abc”格式不正确")
    );
    assert_eq!(
        e.get("shift_start"),
        Some("交班时间格式应为 时:分，如 08:30")
    );
    assert_eq!(
        e.get("officers_per_day"),
        Some("每日值班人数应为 1 至 10 的整数")
    );
    let Err(DbError::Invalid(e)) = duty::create_roster(
        &w.app.db,
        &w.officer.ctx,
        &input(w.f.unit_a.id, "2023-02-30", "2023-03-01"),
    )
    .await
    else {
        panic!("impossible date refused");
    };
    assert!(
        e.get("start_date")
            .unwrap()
            .starts_with("开始日期格式不正确"),
        "{e:?}"
    );
    let Err(DbError::Invalid(e)) = duty::create_roster(
        &w.app.db,
        &w.officer.ctx,
        &input(w.f.unit_a.id, "2023-01-01", "2023-12-31"),
    )
    .await
    else {
        panic!("a year-long roster refused");
    };
    assert_eq!(e.get("end_date"), Some("值班表最长92天"));
    let Err(DbError::Invalid(e)) = duty::create_roster(
        &w.app.db,
        &w.officer_b.ctx,
        &input(w.f.unit_a.id, "2023-01-01", "2023-01-02"),
    )
    .await
    else {
        panic!("a foreign unit refused");
    };
    assert!(e.get("org_id").is_some());
    let leader = person(&w.app, "duty_leader", Role::BureauLeader, &w.f.bureau).await;
    assert!(matches!(
        duty::create_roster(
            &w.app.db,
            &leader.ctx,
            &input(w.f.unit_a.id, "2023-01-01", "2023-01-02")
        )
        .await,
        Err(DbError::Forbidden)
    ));
}

#[tokio::test]
async fn swaps_are_requested_and_decided() {
    let w = world().await;
    let r = roster(
        &w.app,
        &w.officer,
        w.f.unit_a.id,
        "2023-01-20",
        "2023-01-22",
    )
    .await;
    let shifts = duty::shifts(&w.app.db, &w.officer.ctx, r.id).await.unwrap();
    let s = &shifts[0];
    let req = duty::SwapInput {
        shift_id: s.id,
        role: "officer".into(),
        from_name: "张三".into(),
        to_name: "钱七".into(),
        to_phone: "13800000009".into(),
        reason: "家中有事".into(),
    };
    // The inspector may ask but not decide.
    let sw = duty::request_swap(&w.app.db, &w.inspector.ctx, r.id, &req)
        .await
        .unwrap();
    assert_eq!(sw.status, "requested");
    let fresh = duty::get_roster(&w.app.db, &w.officer.ctx, r.id)
        .await
        .unwrap();
    assert!(matches!(
        duty::decide_swap(
            &w.app.db,
            &w.inspector.ctx,
            r.id,
            sw.id,
            true,
            fresh.row_version
        )
        .await,
        Err(DbError::Forbidden)
    ));
    duty::decide_swap(
        &w.app.db,
        &w.officer.ctx,
        r.id,
        sw.id,
        true,
        fresh.row_version,
    )
    .await
    .unwrap();
    let after = duty::shifts(&w.app.db, &w.officer.ctx, r.id).await.unwrap();
    assert_eq!(after[0].officers, "钱七 13800000009");
    let fresh = duty::get_roster(&w.app.db, &w.officer.ctx, r.id)
        .await
        .unwrap();
    assert!(matches!(
        duty::decide_swap(
            &w.app.db,
            &w.officer.ctx,
            r.id,
            sw.id,
            false,
            fresh.row_version
        )
        .await,
        Err(DbError::Conflict(_))
    ));
    // Someone not on the shift cannot be swapped out.
    let mut bad = req.clone();
    bad.from_name = "不存在".into();
    let Err(DbError::Invalid(e)) = duty::request_swap(&w.app.db, &w.officer.ctx, r.id, &bad).await
    else {
        panic!("unknown officer refused");
    };
    assert_eq!(e.get("from_name"), Some("该班次没有这名值班人员"));
    // A declined leader swap changes nothing.
    let lead = duty::SwapInput {
        role: "leader".into(),
        ..req
    };
    let sw = duty::request_swap(&w.app.db, &w.officer.ctx, r.id, &lead)
        .await
        .unwrap();
    let fresh = duty::get_roster(&w.app.db, &w.officer.ctx, r.id)
        .await
        .unwrap();
    duty::decide_swap(
        &w.app.db,
        &w.officer.ctx,
        r.id,
        sw.id,
        false,
        fresh.row_version,
    )
    .await
    .unwrap();
    assert_eq!(
        duty::shifts(&w.app.db, &w.officer.ctx, r.id).await.unwrap()[0].leader_name,
        "王局长"
    );
    assert!(matches!(
        duty::request_swap(&w.app.db, &w.officer_b.ctx, r.id, &lead).await,
        Err(DbError::NotFound)
    ));
}

#[tokio::test]
async fn today_on_duty_shows_the_published_roster_of_the_callers_unit() {
    let w = world().await;
    let today = anjian_domain::time::today(anjian_db::now());
    let first = (today - chrono::Days::new(1)).to_string();
    let last = (today + chrono::Days::new(1)).to_string();
    let r = roster(&w.app, &w.officer, w.f.unit_a.id, &first, &last).await;
    assert!(
        duty::on_duty_today(&w.app.db, &w.officer.ctx)
            .await
            .unwrap()
            .is_empty(),
        "drafts are not shown"
    );
    duty::publish(&w.app.db, &w.officer.ctx, r.id, r.row_version)
        .await
        .unwrap();
    let site_user = person(&w.app, "site_a_user", Role::Inspector, &w.f.site_a).await;
    for p in [&w.officer, &site_user] {
        let mut now = duty::on_duty_today(&w.app.db, &p.ctx).await.unwrap();
        // Before 08:30 today's shift is listed too, as upcoming; one shift is on duty now.
        now.retain(|o| o.current());
        assert_eq!(now.len(), 1);
        assert_eq!(now[0].org_id, w.f.unit_a.id);
        assert!(!now[0].leader_phone.is_empty());
        assert_eq!(now[0].officers.len(), 1);
    }
    assert!(duty::on_duty_today(&w.app.db, &w.officer_b.ctx)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn zero_reports_during_key_periods_and_the_missed_ones() {
    let w = world().await;
    let today = anjian_domain::time::today(anjian_db::now());
    let day = |n: u64| today - chrono::Days::new(n);
    campaign::create(
        &w.app.db,
        &w.supervisor.ctx,
        &CampaignInput {
            kind: "key_period".into(),
            name: "重要时段".into(),
            start_date: day(3).to_string(),
            end_date: day(1).to_string(),
            all_units: true,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    for n in [3, 2] {
        duty::zero_report(
            &w.app.db,
            &w.officer.ctx,
            w.f.unit_a.id,
            &day(n).to_string(),
            "无",
        )
        .await
        .unwrap();
    }
    let dup = duty::zero_report(
        &w.app.db,
        &w.officer.ctx,
        w.f.unit_a.id,
        &day(2).to_string(),
        "",
    )
    .await;
    assert!(matches!(dup, Err(DbError::Conflict(m)) if m == "该单位当日已报送零报告"));
    let Err(DbError::Invalid(e)) = duty::zero_report(
        &w.app.db,
        &w.officer.ctx,
        w.f.unit_a.id,
        &(today + chrono::Days::new(1)).to_string(),
        "",
    )
    .await
    else {
        panic!("a future day refused");
    };
    assert_eq!(e.get("report_date"), Some("报告日期不能晚于今天"));
    // Only units that keep a duty roster owe zero reports: unit B has none yet.
    let publish = |p: &Person, org_id: i64| {
        let (db, ctx) = (&w.app.db, p.ctx.clone());
        async move {
            let r = duty::create_roster(db, &ctx, &input(org_id, "2023-01-20", "2023-01-22"))
                .await
                .unwrap();
            duty::publish(db, &ctx, r.id, r.row_version).await.unwrap();
        }
    };
    publish(&w.officer, w.f.unit_a.id).await;
    let before = duty::missing_zero_reports(&w.app.db, &w.supervisor.ctx, day(10), today)
        .await
        .unwrap();
    assert!(before.iter().any(|m| m.org_id == w.f.unit_a.id));
    assert!(before.iter().all(|m| m.org_id != w.f.unit_b.id));
    publish(&w.officer_b, w.f.unit_b.id).await;
    let bureau = duty::missing_zero_reports(&w.app.db, &w.supervisor.ctx, day(10), today)
        .await
        .unwrap();
    let a: Vec<_> = bureau
        .iter()
        .filter(|m| m.org_id == w.f.unit_a.id)
        .map(|m| m.date)
        .collect();
    let b: Vec<_> = bureau
        .iter()
        .filter(|m| m.org_id == w.f.unit_b.id)
        .map(|m| m.date)
        .collect();
    assert_eq!(a, vec![day(1)]);
    assert_eq!(b, vec![day(3), day(2), day(1)]);
    let own = duty::missing_zero_reports(&w.app.db, &w.officer.ctx, day(10), today)
        .await
        .unwrap();
    assert!(own.iter().all(|m| m.org_id == w.f.unit_a.id));
    // The statistics carry the duty figures of the period.
    let period = anjian_domain::period::Period::custom(day(10), today).unwrap();
    let s = anjian_db::incident::statistics(&w.app.db, &w.supervisor.ctx, &period, None)
        .await
        .unwrap();
    assert_eq!(s.duty.zero_reports_missed, 4);
    assert!(s.duty.zero_reports_due >= 6);
    // Log entries and handover notes.
    let l = duty::add_log(
        &w.app.db,
        &w.officer.ctx,
        &duty::LogInput {
            org_id: w.f.unit_a.id,
            kind: "handover".into(),
            event: "交接：3号仓温度偏高，继续观察".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(l.kind_label(), "交接班");
    let logs = duty::logs(&w.app.db, &w.supervisor.ctx, day(1), today)
        .await
        .unwrap();
    assert_eq!(logs.len(), 1);
    assert!(duty::logs(&w.app.db, &w.officer_b.ctx, day(1), today)
        .await
        .unwrap()
        .is_empty());
    let Err(DbError::Invalid(e)) = duty::add_log(
        &w.app.db,
        &w.officer.ctx,
        &duty::LogInput {
            org_id: w.f.unit_a.id,
            logged_at: "2099-12-31 08:00".into(),
            ..Default::default()
        },
    )
    .await
    else {
        panic!("empty event and future time refused");
    };
    assert_eq!(e.get("event"), Some("事件不能为空"));
    assert_eq!(e.get("logged_at"), Some("记录时间不能晚于当前时间"));
}
