//! Two `anjian serve` processes on one PostgreSQL database, as behind a load balancer: a session
//! made on one is valid (and ended) on the other; the daily overdue job runs once per day
//! whether both start at the same moment or both tick; and verification of the same hazard sent
//! to both at once succeeds once and is refused once in Chinese, never transitioning twice.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use reqwest::{Client, Method};
use serde_json::{json, Value};

use anjian_db::{Db, Q};

use crate::client::{self, has_chinese, Browser, Resp};
use crate::harness::Store;
use crate::integrity;
use crate::world::{self, Account, World, PASSWORD};

/// Both instances run their daily jobs every second instead of every ten minutes.
const TICK: [(&str, &str); 1] = [("ANJIAN_JOB_INTERVAL_SECS", "1")];
const OVERDUE_PER_DAY: usize = 4;

fn today() -> NaiveDate {
    anjian_domain::time::today(anjian_db::now())
}

async fn post(c: &Client, base: &str, who: &Account, path: &str, body: Value) -> Value {
    let r = client::api(c, base, &who.token, Method::POST, path, Some(&body))
        .await
        .expect("request");
    assert!(r.ok(), "{path}: {} {}", r.status, r.text());
    r.json()
}

/// Hazards whose deadline passed long ago, registered on `base`.
async fn overdue_hazards(c: &Client, base: &str, w: &World, tag: &str) -> Vec<i64> {
    let mut ids = Vec::new();
    for i in 0..OVERDUE_PER_DAY {
        let v = post(
            c,
            base,
            &w.officer,
            "/api/v1/hazards",
            json!({"org_id": w.unit_id, "description": format!("消防通道堵塞 {tag}{i}"),
                   "grade": "general", "found_on": "2024-01-10", "deadline": "2024-01-20"}),
        )
        .await;
        ids.push(v["hazard"]["id"].as_i64().expect("id"));
    }
    ids
}

async fn count(db: &Db, sql: &str, id: i64, what: &str) -> i64 {
    let q = Q::new(sql).bind(id).bind(what);
    db.fetch_one::<(i64,)>(&q).await.expect("count").0
}

async fn events(db: &Db, id: i64, action: &str) -> i64 {
    count(
        db,
        "SELECT COUNT(*) FROM hazard_event WHERE hazard_id = $1 AND action = $2",
        id,
        action,
    )
    .await
}

async fn audits(db: &Db, id: i64, action: &str) -> i64 {
    count(
        db,
        "SELECT COUNT(*) FROM audit_log WHERE entity = 'hazard' AND entity_id = CAST($1 AS TEXT) \
         AND action = $2",
        id,
        action,
    )
    .await
}

async fn marked(db: &Db, ids: &[i64]) -> usize {
    let mut n = 0;
    for id in ids {
        let q = Q::new("SELECT overdue_marked_on FROM hazard WHERE id = $1").bind(*id);
        let (on,): (Option<NaiveDate>,) = db.fetch_one(&q).await.expect("hazard");
        n += usize::from(on == Some(today()));
    }
    n
}

/// The next day as far as the job is concerned: its claim for today is gone.
async fn new_day(db: &Db) {
    let q =
        Q::new("DELETE FROM job_run WHERE job = 'hazard_overdue' AND run_date = $1").bind(today());
    db.execute(&q).await.expect("delete claim");
}

/// Waits until the job marked `ids`, lets both instances tick a little longer, then proves the
/// day was claimed once, by one run that marked all of them, each with one event and one
/// audit entry.
async fn assert_marked_once(db: &Db, ids: &[i64]) {
    let t = Instant::now();
    while marked(db, ids).await < ids.len() {
        assert!(
            t.elapsed() < Duration::from_secs(20),
            "overdue job did not run"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Each instance ticks at least once more meanwhile.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let q = Q::new(
        "SELECT COUNT(*), MAX(detail), COUNT(finished_at) FROM job_run \
         WHERE job = 'hazard_overdue' AND run_date = $1",
    )
    .bind(today());
    let (runs, detail, finished): (i64, Option<String>, i64) =
        db.fetch_one(&q).await.expect("job_run");
    assert_eq!((runs, finished), (1, 1), "one finished claim for today");
    assert_eq!(
        detail.as_deref(),
        Some(format!("marked {}", ids.len()).as_str())
    );
    for id in ids {
        assert_eq!(
            events(db, *id, "overdue").await,
            1,
            "hazard {id}: overdue events"
        );
        assert_eq!(
            audits(db, *id, "mark_overdue").await,
            1,
            "hazard {id}: audit entries"
        );
    }
}

/// A hazard registered, assigned and submitted with evidence on `base`: 待验收.
async fn awaiting_verification(c: &Client, base: &str, w: &World, k: usize) -> (i64, i64) {
    let v = post(
        c,
        base,
        &w.officer,
        "/api/v1/hazards",
        json!({"org_id": w.unit_id, "description": format!("灭火器过期 {k}"), "grade": "general",
               "found_on": "2024-01-10", "deadline": "2030-01-20"}),
    )
    .await;
    let id = v["hazard"]["id"].as_i64().expect("id");
    let v = post(
        c,
        base,
        &w.officer,
        &format!("/api/v1/hazards/{id}/assign"),
        json!({"row_version": v["hazard"]["row_version"], "owner": "王", "measures": "更换", "funds": "80"}),
    )
    .await;
    let photo = format!(
        "%PDF-1.4\n% evidence {k} {}\n%%EOF\n",
        rand::random::<u64>()
    );
    let up = client::upload(c, base, &w.officer.token, "更换记录.pdf", photo.as_bytes())
        .await
        .expect("upload");
    assert_eq!(up.status, 201, "{}", up.text());
    let v = post(
        c,
        base,
        &w.officer,
        &format!("/api/v1/hazards/{id}/submit"),
        json!({"row_version": v["hazard"]["row_version"], "rectified_on": "2024-01-15",
               "after_attachment_ids": [up.json()["id"]]}),
    )
    .await;
    assert_eq!(v["hazard"]["status"], "awaiting_verification");
    (id, v["hazard"]["row_version"].as_i64().expect("version"))
}

async fn sessions_are_shared(c: &Client, a: &str, b: &str, who: &Account) {
    let mut on_a = Browser::login(c, a, who.username, PASSWORD).await;
    let page = on_a.get(c, b, "/").await;
    assert_eq!(page.status, 200, "a session made on A is valid on B");
    assert!(page.text().contains(who.name), "B knows who it is");
    let anonymous = Browser::default().get(c, b, "/").await;
    assert_eq!(anonymous.status, 303);
    assert!(anonymous
        .location()
        .is_some_and(|l| l.starts_with("/login")));
    // Signing out on B ends the session for A too, although A keeps the session row it has just
    // read (anjian_db::cache): B's commit reaches A with PostgreSQL's notification, within
    // milliseconds, and in any case within the cache's trust of one second.
    let kept = on_a.clone();
    assert_eq!(kept.clone().get(c, a, "/").await.status, 200);
    let csrf = client::csrf_of(&page.text()).expect("layout token");
    let out = on_a
        .post_form(c, b, "/logout", &[("csrf_token", &csrf)])
        .await;
    assert_eq!(out.status, 303);
    let mut refused = false;
    for _ in 0..40 {
        if kept.clone().get(c, a, "/").await.status == 303 {
            refused = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        refused,
        "the ended session is refused on A within two seconds"
    );
}

/// Both instances verify the same hazard at the same moment; returns (winner on A, loser status).
async fn race(c: &Client, bases: [&str; 2], who: [&Account; 2], id: i64, ver: i64) -> (bool, u16) {
    let path = format!("/api/v1/hazards/{id}/verify");
    let send = |i: usize| {
        let body = json!({"row_version": ver, "note": format!("验收合格（实例{}）", i + 1)});
        let path = path.clone();
        async move { client::api(c, bases[i], &who[i].token, Method::POST, &path, Some(&body)).await }
    };
    let (ra, rb) = tokio::join!(send(0), send(1));
    let (ra, rb): (Resp, Resp) = (ra.expect("A answers"), rb.expect("B answers"));
    assert!(
        ra.ok() != rb.ok(),
        "hazard {id}: exactly one verification succeeds: A {} {}, B {} {}",
        ra.status,
        ra.text(),
        rb.status,
        rb.text()
    );
    let (won, lost) = if ra.ok() { (&ra, &rb) } else { (&rb, &ra) };
    assert_eq!(won.json()["hazard"]["status"], "closed");
    assert!(
        matches!(lost.status, 409 | 422),
        "hazard {id}: the refusal is a clear 4xx: {} {}",
        lost.status,
        lost.text()
    );
    let msg = lost.json()["message"].as_str().unwrap_or("").to_string();
    assert!(has_chinese(&msg), "hazard {id}: refusal in Chinese: {msg}");
    (ra.ok(), lost.status)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_sessions_jobs_and_refuse_double_verification() {
    let store = Store::new().await;
    if !store.is_postgres() {
        eprintln!("two-instance test: PostgreSQL only (set ANJIAN_TEST_PG_URL); skipped on SQLite");
        return;
    }
    let t0 = Instant::now();
    let c = client::client();
    let db = store.connect().await;

    // Setup on one instance. Its start already claimed today, so the hazards registered
    // afterwards stay unmarked until the next day.
    let mut first = store.start(&TICK);
    let w = world::setup(&store, &first, &c).await;
    let head = world::account(
        &store,
        &c,
        &first.base,
        ("head", "孙主任", w.unit_id, "unit_head"),
    )
    .await;
    let supervisor = world::account(
        &store,
        &c,
        &first.base,
        ("supervisor", "陈监管", w.bureau_id, "bureau_supervisor"),
    )
    .await;
    let day1 = overdue_hazards(&c, &first.base, &w, "甲").await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(
        marked(&db, &day1).await,
        0,
        "today was claimed before they existed"
    );
    first.kill();

    // Day 1: both instances start at the same moment and race for the day at start.
    new_day(&db).await;
    let (sa, sb) = (store.spawn(&TICK), store.spawn(&TICK));
    let (a, b) = (sa.ready(), sb.ready());
    assert_marked_once(&db, &day1).await;

    // Days 2 and 3: both running, ticking every second, a new day begins under them.
    for (day, base) in [("乙", &a.base), ("丙", &b.base)] {
        let ids = overdue_hazards(&c, base, &w, day).await;
        new_day(&db).await;
        assert_marked_once(&db, &ids).await;
    }
    let jobs = t0.elapsed();

    sessions_are_shared(&c, &a.base, &b.base, &supervisor).await;

    let mut a_won = 0;
    let mut refusals = Vec::new();
    for k in 0..6 {
        let (id, ver) = awaiting_verification(&c, &a.base, &w, k).await;
        let who = if k % 2 == 0 {
            [&supervisor, &head]
        } else {
            [&head, &supervisor]
        };
        let (on_a, refused) = race(&c, [&a.base, &b.base], who, id, ver).await;
        a_won += usize::from(on_a);
        refusals.push(refused);
        assert_eq!(
            events(&db, id, "verified").await,
            1,
            "hazard {id}: one transition"
        );
        assert_eq!(
            audits(&db, id, "verify").await,
            1,
            "hazard {id}: one audit entry"
        );
        let q = Q::new("SELECT status, verified_by FROM hazard WHERE id = $1").bind(id);
        let (status, by): (String, Option<i64>) = db.fetch_one(&q).await.expect("hazard");
        let winner = if on_a { who[0] } else { who[1] };
        assert_eq!((status.as_str(), by), ("closed", Some(winner.id)));
    }
    drop((a, b));
    db.close().await;

    let out = store.cli_ok(&["audit", "verify"], None);
    assert!(out.contains("哈希链无断裂"), "{out}");
    let checked = integrity::assert_sound(&store).await;
    eprintln!(
        "two instances: setup and jobs (3 days × {OVERDUE_PER_DAY} hazards) {jobs:?}; verification races won \
         on A {a_won}/6, refusals {refusals:?}; integrity checked {} tables, {} indexes, {} foreign keys; \
         total {:?}",
        checked.tables,
        checked.indexes,
        checked.foreign_keys,
        t0.elapsed()
    );
}
