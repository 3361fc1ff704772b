//! Hazards (事故隐患): the closed loop and its refusals, extensions, major hazards, the daily
//! overdue job, the ledger and to-do counts, and scope — each as a story on the real database
//! (SQLite, or PostgreSQL with ANJIAN_TEST_PG_URL). Expected figures are worked out by hand in
//! each test from the dates it sets up.

use chrono::{Days, NaiveDate};

use anjian_db::ctx::UserCtx;
use anjian_db::hazard::{self, Hazard, HazardInput};
use anjian_db::org::Org;
use anjian_db::user::User;
use anjian_db::{Ctx, Q};
use anjian_domain::role::Role;
use anjian_testkit::{Fixture, TestApp};

mod access;
mod api;
mod closed_loop;
mod coupling;
mod extension;
mod kept;
mod ledger;
mod major;
mod overdue;
mod pages;
mod registration;
mod search;

/// Records of unit B, one per kind of id this module's routes take, keyed by the path fragment
/// that identifies the route (e.g. "/hazards/"). routes_walk checks each answers 404 to unit A.
pub async fn foreign_ids(app: &TestApp, f: &Fixture) -> Vec<(&'static str, i64)> {
    let b = person(app, "hz_foreign_b", Role::UnitOfficer, &f.unit_b).await;
    let h = register(app, &b, f.site_b.id, "乙库点配电箱门未关闭", 0, 5).await;
    vec![("/hazards/", h.id)]
}

/// A user and the `Ctx` the data layer sees for them.
pub struct Person {
    pub user: User,
    pub ctx: Ctx,
}

pub async fn person(app: &TestApp, name: &str, role: Role, org: &Org) -> Person {
    let user = app.user(name, role, org.id).await;
    let ctx = Ctx::user(
        UserCtx {
            id: user.id,
            username: user.username.clone(),
            name: user.name.clone(),
            role,
            org_id: org.id,
            scope_path: org.path.clone(),
        },
        "127.0.0.1",
    );
    Person { user, ctx }
}

/// The cast of most stories: unit A's officer (rectifies), head (rectifies, verifies, decides),
/// inspector (verifies), the bureau's supervisor, and unit B's officer.
pub struct World {
    pub app: TestApp,
    pub f: Fixture,
    pub officer: Person,
    pub head: Person,
    pub inspector: Person,
    pub supervisor: Person,
    pub officer_b: Person,
}

pub async fn world() -> World {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let officer = person(&app, "officer_a", Role::UnitOfficer, &f.unit_a).await;
    let head = person(&app, "head_a", Role::UnitHead, &f.unit_a).await;
    let inspector = person(&app, "inspector_a", Role::Inspector, &f.unit_a).await;
    let supervisor = person(&app, "supervisor", Role::BureauSupervisor, &f.bureau).await;
    let officer_b = person(&app, "officer_b", Role::UnitOfficer, &f.unit_b).await;
    World {
        app,
        f,
        officer,
        head,
        inspector,
        supervisor,
        officer_b,
    }
}

/// Today in Shanghai moved by `n` days (negative: the past).
pub fn day(n: i64) -> NaiveDate {
    let t = hazard::today();
    if n >= 0 {
        t.checked_add_days(Days::new(n as u64)).unwrap()
    } else {
        t.checked_sub_days(Days::new((-n) as u64)).unwrap()
    }
}

pub fn ds(n: i64) -> String {
    day(n).to_string()
}

/// An uploaded file's metadata row, as the attachment module writes it.
pub async fn attachment(app: &TestApp, org_id: i64) -> i64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let sha = format!(
        "{:064x}",
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let (id,): (i64,) = app
        .db
        .fetch_one(
            &Q::new(
                "INSERT INTO attachment (org_id, sha256, size_bytes, mime, original_name, has_thumb, created_at) \
                 VALUES ($1, $2, 3, 'image/jpeg', 'photo.jpg', $3, $4) RETURNING id",
            )
            .bind(org_id)
            .bind(sha)
            .bind(false)
            .bind(anjian_db::now()),
        )
        .await
        .expect("attachment");
    id
}

/// A general hazard found `found` days from today with its deadline `deadline` days from today.
pub fn input(org_id: i64, description: &str, found: i64, deadline: i64) -> HazardInput {
    HazardInput {
        org_id: Some(org_id),
        location: "1号仓房".into(),
        description: description.into(),
        category: "用电安全".into(),
        grade: "general".into(),
        found_on: ds(found),
        found_by: "张检查".into(),
        deadline: ds(deadline),
        ..Default::default()
    }
}

pub async fn register(
    app: &TestApp,
    who: &Person,
    org_id: i64,
    description: &str,
    found: i64,
    deadline: i64,
) -> Hazard {
    hazard::create(
        &app.db,
        &who.ctx,
        &input(org_id, description, found, deadline),
    )
    .await
    .expect("register hazard")
}

/// The row as the database holds it now (system scope).
pub async fn row(app: &TestApp, id: i64) -> Hazard {
    hazard::get_row(&app.db, &Ctx::system("test"), id)
        .await
        .expect("hazard row")
}

/// Timeline actions of a hazard, oldest first.
pub async fn events(app: &TestApp, id: i64) -> Vec<String> {
    let rows: Vec<(String,)> = app
        .db
        .fetch_all(
            &Q::new("SELECT action FROM hazard_event WHERE hazard_id = $1 ORDER BY id").bind(id),
        )
        .await
        .unwrap();
    rows.into_iter().map(|(a,)| a).collect()
}

/// Audit actions recorded for the hazard (entity `hazard`), oldest first.
pub async fn audits(app: &TestApp, id: i64) -> Vec<String> {
    let rows: Vec<(String,)> = app
        .db
        .fetch_all(
            &Q::new("SELECT action FROM audit_log WHERE entity = 'hazard' AND entity_id = $1 ORDER BY id")
                .bind(id.to_string()),
        )
        .await
        .unwrap();
    rows.into_iter().map(|(a,)| a).collect()
}

/// Registered, assigned (五落实) and submitted with one after-photo by `rectifier`, rectified
/// yesterday: 待验收.
pub async fn awaiting(w: &World, rectifier: &Person) -> Hazard {
    let h = register(&w.app, &w.officer, w.f.site_a.id, "消防通道堆放杂物", -5, 5).await;
    let h = hazard::assign(
        &w.app.db,
        &rectifier.ctx,
        h.id,
        &hazard::AssignInput {
            row_version: h.row_version,
            owner: "李保管".into(),
            measures: "清理杂物".into(),
            funds: "0".into(),
        },
    )
    .await
    .expect("assign");
    let photo = attachment(&w.app, w.f.site_a.id).await;
    hazard::submit_rectification(
        &w.app.db,
        &rectifier.ctx,
        h.id,
        &hazard::SubmitInput {
            row_version: h.row_version,
            rectified_on: ds(-1),
            note: "已清理".into(),
            after_attachment_ids: vec![photo],
        },
    )
    .await
    .expect("submit")
}

/// The field a refusal names.
pub fn field_of(e: &anjian_db::DbError) -> String {
    match e {
        anjian_db::DbError::Invalid(f) => f.0.first().map(|(k, _)| k.clone()).unwrap_or_default(),
        other => panic!("expected a field error, got {other:?}"),
    }
}
