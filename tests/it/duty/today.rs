//! Today's duty with several shifts a day: at a given instant (Asia/Shanghai) the shifts whose
//! span contains it are current — yesterday's 夜班 until it hands over at 08:30 — and today's
//! later shifts are upcoming; ended shifts drop out. The home page and `GET /api/v1/duty/today`
//! list every one with its label, leader and officers.

use axum::http::{Method, StatusCode};
use chrono::{DateTime, Utc};

use anjian_db::duty::{self, OnDuty, Roster, RosterInput, Shift, ShiftDef, ShiftState};
use anjian_domain::role::Role;

use super::{d, input};
use crate::hazard::{person, world, Person, World};

fn two_shifts() -> Vec<ShiftDef> {
    vec![
        ShiftDef {
            name: "白班".into(),
            start: "08:30".into(),
            hours: "12".into(),
        },
        ShiftDef {
            name: "夜班".into(),
            start: "20:30".into(),
            hours: "12".into(),
        },
    ]
}

/// A published two-shift roster of unit A with its shifts.
async fn published(w: &World, p: &Person, first: &str, last: &str) -> (Roster, Vec<Shift>) {
    let r = duty::create_roster(
        &w.app.db,
        &p.ctx,
        &RosterInput {
            shifts: two_shifts(),
            ..input(w.f.unit_a.id, first, last)
        },
    )
    .await
    .expect("roster");
    let r = duty::publish(&w.app.db, &p.ctx, r.id, r.row_version)
        .await
        .expect("publish");
    let shifts = duty::shifts(&w.app.db, &p.ctx, r.id).await.unwrap();
    (r, shifts)
}

/// Shanghai wall-clock time.
fn at(day: &str, hm: &str) -> DateTime<Utc> {
    duty::shift_start_instant(d(day), hm).unwrap()
}

/// (date, shift name, state) of what is shown.
fn shown(rows: &[OnDuty]) -> Vec<(String, &str, ShiftState)> {
    rows.iter()
        .map(|o| (o.duty_date.to_string(), o.shift_name.as_str(), o.state))
        .collect()
}

#[tokio::test]
async fn the_night_shift_from_yesterday_is_on_duty_until_the_day_shift_takes_over() {
    let w = world().await;
    let (db, ctx) = (&w.app.db, &w.officer.ctx);
    let draft = duty::create_roster(
        db,
        ctx,
        &RosterInput {
            shifts: two_shifts(),
            ..input(w.f.unit_a.id, "2023-03-06", "2023-03-08")
        },
    )
    .await
    .unwrap();
    assert!(
        duty::on_duty_at(db, ctx, at("2023-03-07", "07:00"))
            .await
            .unwrap()
            .is_empty(),
        "drafts are not shown"
    );
    let r = duty::publish(db, ctx, draft.id, draft.row_version)
        .await
        .unwrap();
    let shifts = duty::shifts(db, ctx, r.id).await.unwrap();
    use ShiftState::{Current, Upcoming};

    // 07:00: yesterday's 夜班 (20:30 + 12 h) is on duty; both of today's shifts are ahead.
    let seven = duty::on_duty_at(db, ctx, at("2023-03-07", "07:00"))
        .await
        .unwrap();
    assert_eq!(
        shown(&seven),
        [
            ("2023-03-06".into(), "夜班", Current),
            ("2023-03-07".into(), "白班", Upcoming),
            ("2023-03-07".into(), "夜班", Upcoming),
        ]
    );
    // Each entry carries its own shift's label, leader and officers.
    for o in &seven {
        let s = shifts.iter().find(|s| s.id == o.shift_id).unwrap();
        assert_eq!((o.duty_date, &o.shift_name), (s.duty_date, &s.shift_name));
        assert_eq!(o.label(), s.label());
        assert_eq!(
            (&o.leader_name, &o.leader_phone),
            (&s.leader_name, &s.leader_phone)
        );
        assert_eq!(o.officers, s.officer_list());
        assert_eq!(o.org_id, w.f.unit_a.id);
        assert_eq!(o.roster_id, r.id);
    }
    assert_eq!(seven[0].label(), "夜班 20:30 起 12 小时");
    assert_eq!(seven[0].span_label(), "03-06 20:30 至 03-07 08:30");
    assert_ne!(
        seven[0].leader_name, seven[1].leader_name,
        "the leaders rotate shift by shift, so a mix-up shows"
    );

    // The handover instant belongs to the day shift; the night shift has ended.
    let handover = duty::on_duty_at(db, ctx, at("2023-03-07", "08:30"))
        .await
        .unwrap();
    assert_eq!(
        shown(&handover),
        [
            ("2023-03-07".into(), "白班", Current),
            ("2023-03-07".into(), "夜班", Upcoming),
        ]
    );
    // 22:00: the day shift is over, today's night shift is on.
    let late = duty::on_duty_at(db, ctx, at("2023-03-07", "22:00"))
        .await
        .unwrap();
    assert_eq!(shown(&late), [("2023-03-07".into(), "夜班", Current)]);
    // After the roster's last day its night shift still runs into the next morning.
    let after = duty::on_duty_at(db, ctx, at("2023-03-09", "07:00"))
        .await
        .unwrap();
    assert_eq!(shown(&after), [("2023-03-08".into(), "夜班", Current)]);
    assert!(duty::on_duty_at(db, ctx, at("2023-03-09", "09:00"))
        .await
        .unwrap()
        .is_empty());

    // A site user sees its unit's roster; another unit sees none of it.
    let site_user = person(&w.app, "site_a_today", Role::Inspector, &w.f.site_a).await;
    let site = duty::on_duty_at(db, &site_user.ctx, at("2023-03-07", "07:00"))
        .await
        .unwrap();
    assert_eq!(shown(&site), shown(&seven));
    assert!(
        duty::on_duty_at(db, &w.officer_b.ctx, at("2023-03-07", "07:00"))
            .await
            .unwrap()
            .is_empty()
    );
}

/// `on_duty_today` at the moment, read until two readings agree (a handover could fall between).
async fn settled<T, F, Fut>(w: &World, p: &Person, mut read: F) -> (Vec<OnDuty>, T)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    loop {
        let before = duty::on_duty_today(&w.app.db, &p.ctx).await.unwrap();
        let got = read().await;
        let after = duty::on_duty_today(&w.app.db, &p.ctx).await.unwrap();
        if shown(&before) == shown(&after) {
            return (after, got);
        }
    }
}

#[tokio::test]
async fn the_home_page_and_the_api_list_every_shift_of_today_with_its_label() {
    let w = world().await;
    let app = &w.app;
    let today = anjian_domain::time::today(anjian_db::now());
    let first = (today - chrono::Days::new(1)).to_string();
    let last = (today + chrono::Days::new(1)).to_string();
    let (r, shifts) = published(&w, &w.officer, &first, &last).await;
    let login = app.login_as(&w.officer.user).await;

    let (now, page) = settled(&w, &w.officer, || app.get("/", &login)).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    // Two 12-hour shifts a day from yesterday to tomorrow: exactly one is on duty at any time,
    // and whatever else is shown is today's and still ahead.
    assert_eq!(now.iter().filter(|o| o.current()).count(), 1, "{now:?}");
    assert!(now
        .iter()
        .filter(|o| !o.current())
        .all(|o| o.duty_date == today && o.starts_at > anjian_db::now()));
    assert!(html.contains("今日值班"));
    for o in &now {
        let s = shifts.iter().find(|s| s.id == o.shift_id).unwrap();
        for fact in [
            format!(
                "<a href=\"/duty/rosters/{}\">{} · {}</a>",
                r.id,
                o.org_name,
                s.label()
            ),
            o.span_label(),
            format!(
                "带班领导 {} <a href=\"tel:{}\">",
                s.leader_name, s.leader_phone
            ),
        ] {
            assert!(html.contains(&fact), "home page lacks {fact}");
        }
        for p in s.officer_list() {
            assert!(html.contains(&p.name), "home page lacks officer {}", p.name);
        }
    }
    assert_eq!(html.matches("tag ok\">值班中").count(), 1);
    assert_eq!(
        html.matches("tag\">未开始").count(),
        now.len() - 1,
        "today's later shifts are marked as upcoming"
    );

    // The API lists the same shifts with their labels and states.
    let token = app.token_for(&w.officer.user).await;
    let (now, resp) = settled(&w, &w.officer, || {
        app.api(Method::GET, "/api/v1/duty/today", Some(&token), None)
    })
    .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    let j = resp.json();
    let rows = j.as_array().unwrap();
    assert_eq!(rows.len(), now.len());
    for (row, o) in rows.iter().zip(&now) {
        assert_eq!(row["shift_id"], o.shift_id);
        assert_eq!(row["shift_name"], o.shift_name.as_str());
        assert_eq!(row["label"], o.label().as_str());
        assert_eq!(row["status"], o.state.code());
        assert_eq!(row["leader_name"], o.leader_name.as_str());
        assert_eq!(row["officers"].as_array().unwrap().len(), o.officers.len());
        assert!(row["label"].as_str().unwrap().ends_with("起 12 小时"));
    }
    assert_eq!(rows.iter().filter(|r| r["status"] == "current").count(), 1);
}
