//! Risk grading and control: points, risks with LEC/LS/direct assessments and their versions,
//! measures, re-grading after a rule change, coupling to hazards, statistics and the Excel
//! import — stories on the real database (SQLite, or PostgreSQL with ANJIAN_TEST_PG_URL).
//! Expected figures are worked out by hand in each test.

use anjian_db::org::Org;
pub use anjian_db::risk::{self, MeasureInput, PointInput, Risk, RiskInput, RiskPoint};
use anjian_db::Ctx;
use anjian_domain::role::Role;
use anjian_testkit::{Fixture, TestApp};

use crate::hazard::{person, Person};

mod assess;
mod coupling;
mod excel;
mod people;
mod register;
mod regrade;
mod report;
mod residual;

/// Records of unit B, one per kind of id this module's routes take, keyed by the path fragment
/// that identifies the route. routes_walk checks each answers 404 to unit A.
pub async fn foreign_ids(app: &TestApp, f: &Fixture) -> Vec<(&'static str, i64)> {
    let b = person(app, "rk_foreign_b", Role::UnitHead, &f.unit_b).await;
    let p = point(app, &b, &f.site_b, "乙库点配电室", "equipment").await;
    let r = lec(app, &b, p.id, "配电柜漏电", "1", "6", "7").await;
    let m = measure(app, &b, r.id, "management", "每月检测接地电阻").await;
    vec![
        ("/risk-points/", p.id),
        ("/risks/", r.id),
        ("/risk-measures/", m),
    ]
}

/// The cast: unit A's head and officer (manage risks), the bureau's supervisor (settings) and
/// leader (read only), unit B's head.
pub struct World {
    pub app: TestApp,
    pub f: Fixture,
    pub head: Person,
    pub officer: Person,
    pub supervisor: Person,
    pub leader: Person,
    pub head_b: Person,
}

pub async fn world() -> World {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let head = person(&app, "rk_head_a", Role::UnitHead, &f.unit_a).await;
    let officer = person(&app, "rk_officer_a", Role::UnitOfficer, &f.unit_a).await;
    let supervisor = person(&app, "rk_supervisor", Role::BureauSupervisor, &f.bureau).await;
    let leader = person(&app, "rk_leader", Role::BureauLeader, &f.bureau).await;
    let head_b = person(&app, "rk_head_b", Role::UnitHead, &f.unit_b).await;
    World {
        app,
        f,
        head,
        officer,
        supervisor,
        leader,
        head_b,
    }
}

pub fn point_input(org: &Org, name: &str, kind: &str) -> PointInput {
    PointInput {
        org_id: Some(org.id),
        kind: kind.into(),
        name: name.into(),
        location: "库区东侧".into(),
        responsible_name: "王保管".into(),
        emergency_measures: "立即停止作业，撤离人员，拨打报告电话".into(),
        report_phone: "0591-12345678".into(),
        ..Default::default()
    }
}

pub async fn point(app: &TestApp, who: &Person, org: &Org, name: &str, kind: &str) -> RiskPoint {
    risk::create_point(&app.db, &who.ctx, &point_input(org, name, kind))
        .await
        .expect("create point")
}

pub fn lec_input(point_id: i64, description: &str, l: &str, e: &str, c: &str) -> RiskInput {
    RiskInput {
        risk_point_id: Some(point_id),
        description: description.into(),
        factors: vec!["21".into(), "12".into()],
        accident_types: vec!["05".into(), "火灾".into()],
        consequence: "人员伤亡".into(),
        method: "lec".into(),
        l: l.into(),
        e: e.into(),
        c: c.into(),
        ..Default::default()
    }
}

pub async fn lec(
    app: &TestApp,
    who: &Person,
    point_id: i64,
    description: &str,
    l: &str,
    e: &str,
    c: &str,
) -> Risk {
    risk::create_risk(
        &app.db,
        &who.ctx,
        &lec_input(point_id, description, l, e, c),
    )
    .await
    .expect("create LEC risk")
}

pub async fn ls(
    app: &TestApp,
    who: &Person,
    point_id: i64,
    description: &str,
    l: &str,
    s: &str,
) -> Risk {
    let input = RiskInput {
        risk_point_id: Some(point_id),
        description: description.into(),
        factors: vec!["22".into()],
        accident_types: vec!["19".into()],
        method: "ls".into(),
        l: l.into(),
        s: s.into(),
        ..Default::default()
    };
    risk::create_risk(&app.db, &who.ctx, &input)
        .await
        .expect("create LS risk")
}

pub async fn direct(app: &TestApp, who: &Person, point_id: i64, description: &str) -> Risk {
    let input = RiskInput {
        risk_point_id: Some(point_id),
        description: description.into(),
        accident_types: vec!["19".into()],
        method: "direct".into(),
        reason: "符合粮食仓储重大事故隐患判定标准：熏蒸作业未按规定设置警戒区".into(),
        ..Default::default()
    };
    risk::create_risk(&app.db, &who.ctx, &input)
        .await
        .expect("create direct risk")
}

pub async fn measure(app: &TestApp, who: &Person, risk_id: i64, t: &str, content: &str) -> i64 {
    risk::create_measure(
        &app.db,
        &who.ctx,
        risk_id,
        &MeasureInput {
            measure_type: t.into(),
            content: content.into(),
            responsible_name: "李班长".into(),
            ..Default::default()
        },
    )
    .await
    .expect("create measure")
    .id
}

/// The point as the database holds it now (system scope).
pub async fn point_now(app: &TestApp, id: i64) -> RiskPoint {
    risk::get_point(&app.db, &Ctx::system("test"), id)
        .await
        .expect("point")
        .point
}

/// Audit actions recorded for an entity, oldest first.
pub async fn audits(app: &TestApp, entity: &str, id: i64) -> Vec<String> {
    let rows: Vec<(String,)> = app
        .db
        .fetch_all(
            &anjian_db::Q::new(
                "SELECT action FROM audit_log WHERE entity = $1 AND entity_id = $2 ORDER BY id",
            )
            .bind(entity)
            .bind(id.to_string()),
        )
        .await
        .unwrap();
    rows.into_iter().map(|(a,)| a).collect()
}
