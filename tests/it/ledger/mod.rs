//! Safety work ledgers: conformance stories on the real database (SQLite, or PostgreSQL with
//! ANJIAN_TEST_PG_URL) with totals worked out by hand in each test, permissions and scope,
//! Chinese field errors, the boards, and the template import's error classes.

use anjian_db::ledger::{self, Entry, ItemInput, LedgerInput};
use anjian_db::Ctx;
use anjian_domain::ledger::LedgerKind;
use anjian_domain::role::Role;
use anjian_testkit::{Fixture, TestApp};

use crate::hazard::{person, Person};

mod access;
mod aggregate_cache;
mod boards;
mod export;
mod import;
mod input;
mod org_filter;
mod pages;
mod rollup;
mod search;
mod settings;
mod stories;

/// Records of unit B, one per kind of id this module's routes take, keyed by the path fragment
/// that identifies the route. routes_walk checks each answers 404 to unit A.
pub async fn foreign_ids(app: &TestApp, f: &Fixture) -> Vec<(&'static str, i64)> {
    let b = person(app, "lg_foreign_b", Role::UnitOfficer, &f.unit_b).await;
    let mut i = input(f.unit_b.id, "2023-03-01");
    i.title = "乙单位季度会议".into();
    i.category = "quarterly".into();
    i.topics = "安全形势".into();
    i.items = vec![ItemInput {
        content: "整改消防通道".into(),
        owner_user_id: Some(b.user.id),
        ..Default::default()
    }];
    let e = record(app, &b.ctx, LedgerKind::Meeting, &i).await;
    let d = ledger::get(&app.db, &b.ctx, e.id).await.unwrap();
    vec![
        ("/ledgers/entries/", e.id),
        ("/ledgers/items/", d.items[0].id),
        // Funding categories are the bureau's settings, not records of an organisation: there
        // is no category outside anyone's scope, so the walk sends one that does not exist.
        ("/ledgers/settings/categories/", 999_999_999),
    ]
}

/// An input for `org_id` on `date`, to be filled per ledger.
pub fn input(org_id: i64, date: &str) -> LedgerInput {
    LedgerInput {
        org_id: Some(org_id),
        entry_date: date.into(),
        ..Default::default()
    }
}

pub async fn record(app: &TestApp, ctx: &Ctx, kind: LedgerKind, i: &LedgerInput) -> Entry {
    ledger::create(&app.db, ctx, kind, i)
        .await
        .unwrap_or_else(|e| panic!("{kind:?} recorded: {e:?}"))
}

pub fn funding(org_id: i64, date: &str, yuan: &str, category: &str) -> LedgerInput {
    let mut i = input(org_id, date);
    i.amount = yuan.into();
    i.category = category.into();
    i.title = format!("经费{yuan}元");
    i
}

pub fn training(org_id: i64, date: &str, hours: &str, attendees: Vec<i64>) -> LedgerInput {
    let mut i = input(org_id, date);
    i.title = "安全培训".into();
    i.category = "安全培训".into();
    i.hours = hours.into();
    i.participants = "20".into();
    i.attendee_user_ids = attendees;
    i
}

pub fn drill(org_id: i64, date: &str, plan_type: &str) -> LedgerInput {
    let mut i = input(org_id, date);
    i.title = "仓房火灾应急演练".into();
    i.category = "火灾".into();
    i.drill_kind = "single".into();
    i.drill_form = "live".into();
    i.plan_type = plan_type.into();
    i.participants = "30".into();
    i
}

pub fn meeting(org_id: i64, date: &str, category: &str) -> LedgerInput {
    let mut i = input(org_id, date);
    i.title = "安全生产工作会议".into();
    i.category = category.into();
    i.topics = "分析安全生产形势".into();
    i
}

pub fn publicity(org_id: i64, date: &str) -> LedgerInput {
    let mut i = input(org_id, date);
    i.title = "安全生产月宣传".into();
    i.category = "五进·进社区".into();
    i.participants = "120".into();
    i
}

pub fn letter(org_id: i64, date: &str, year: &str) -> LedgerInput {
    let mut i = input(org_id, date);
    i.year = year.into();
    i.title = "安全生产暨消防安全目标责任书".into();
    i.signatories = "局长与单位负责人".into();
    i
}

/// Unit A's officer and head, an inspector of unit A, the bureau's supervisor and leader, and
/// unit B's officer.
pub struct Cast {
    pub app: TestApp,
    pub f: Fixture,
    pub officer: Person,
    pub head: Person,
    pub inspector: Person,
    pub supervisor: Person,
    pub leader: Person,
    pub officer_b: Person,
}

pub async fn cast() -> Cast {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let officer = person(&app, "lg_officer_a", Role::UnitOfficer, &f.unit_a).await;
    let head = person(&app, "lg_head_a", Role::UnitHead, &f.unit_a).await;
    let inspector = person(&app, "lg_inspector_a", Role::Inspector, &f.site_a).await;
    let supervisor = person(&app, "lg_supervisor", Role::BureauSupervisor, &f.bureau).await;
    let leader = person(&app, "lg_leader", Role::BureauLeader, &f.bureau).await;
    let officer_b = person(&app, "lg_officer_b", Role::UnitOfficer, &f.unit_b).await;
    Cast {
        app,
        f,
        officer,
        head,
        inspector,
        supervisor,
        leader,
        officer_b,
    }
}
