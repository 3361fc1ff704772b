//! The risk module through HTTP: pages, forms, API, notice card (print and DOCX), Excel.
//! Records are set up through the data layer (its own tests cover it); what is checked here is
//! what a browser or an API client sees.

use std::io::{Cursor, Read};

use axum::body::Body;
use axum::http::{header, Request};

use anjian_db::risk::{self, MeasureInput, PointInput, Risk, RiskInput, RiskPoint};
use anjian_domain::role::Role;
use anjian_testkit::{Fixture, Login, Resp, TestApp};

use crate::hazard::{person, Person};

mod api;
mod card;
mod excel;
mod pages;
mod people;
mod residual;
mod settings;

/// Unit A's officer (manages risks), unit A's inspector (views), the bureau's supervisor
/// (settings), the bureau's leader (views), unit B's officer, and a system admin (no risk rights).
pub struct World {
    pub app: TestApp,
    pub f: Fixture,
    pub officer: Person,
    pub inspector: Person,
    pub supervisor: Person,
    pub leader: Person,
    pub officer_b: Person,
    pub admin: Person,
}

pub async fn world() -> World {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let officer = person(&app, "rw_officer", Role::UnitOfficer, &f.unit_a).await;
    let inspector = person(&app, "rw_inspector", Role::Inspector, &f.unit_a).await;
    let supervisor = person(&app, "rw_supervisor", Role::BureauSupervisor, &f.bureau).await;
    let leader = person(&app, "rw_leader", Role::BureauLeader, &f.bureau).await;
    let officer_b = person(&app, "rw_officer_b", Role::UnitOfficer, &f.unit_b).await;
    let admin = person(&app, "rw_admin", Role::SystemAdmin, &f.bureau).await;
    World {
        app,
        f,
        officer,
        inspector,
        supervisor,
        leader,
        officer_b,
        admin,
    }
}

pub async fn login(app: &TestApp, p: &Person) -> Login {
    app.login_as(&p.user).await
}

/// A point of `org_id` made by `who` through the data layer.
pub async fn point(app: &TestApp, who: &Person, org_id: i64, name: &str) -> RiskPoint {
    risk::create_point(
        &app.db,
        &who.ctx,
        &PointInput {
            org_id: Some(org_id),
            kind: "place".into(),
            name: name.into(),
            location: "东库区".into(),
            responsible_name: "张三".into(),
            emergency_measures: "立即撤离，通风，拨打120".into(),
            report_phone: "0591-12345678".into(),
            ..Default::default()
        },
    )
    .await
    .expect("point")
}

/// An LEC risk under a point.
pub async fn lec_risk(
    app: &TestApp,
    who: &Person,
    point_id: i64,
    desc: &str,
    (l, e, c): (&str, &str, &str),
) -> Risk {
    risk::create_risk(
        &app.db,
        &who.ctx,
        &RiskInput {
            risk_point_id: Some(point_id),
            description: desc.into(),
            factors: vec!["22".into()],
            accident_types: vec!["19".into()],
            consequence: "中毒窒息".into(),
            method: "lec".into(),
            l: l.into(),
            e: e.into(),
            c: c.into(),
            ..Default::default()
        },
    )
    .await
    .expect("risk")
}

pub async fn measure(app: &TestApp, who: &Person, risk_id: i64, kind: &str, content: &str) {
    risk::create_measure(
        &app.db,
        &who.ctx,
        risk_id,
        &MeasureInput {
            measure_type: kind.into(),
            content: content.into(),
            responsible_name: "李四".into(),
            ..Default::default()
        },
    )
    .await
    .expect("measure");
}

/// A multipart form with text fields and one file, CSRF in the query as the pages send it.
pub async fn post_file(
    app: &TestApp,
    path: &str,
    who: &Login,
    field: &str,
    name: &str,
    bytes: &[u8],
) -> Resp {
    let boundary = "----riskwebboundary";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let sep = if path.contains('?') { '&' } else { '?' };
    app.send(
        Request::post(format!("{path}{sep}csrf_token={}", who.csrf))
            .header(header::COOKIE, format!("anjian_session={}", who.cookie))
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

/// One part of a zip container (xlsx or docx) as text.
pub fn zip_part(bytes: &[u8], name: &str) -> String {
    let mut z = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).expect("zip");
    let mut f = z.by_name(name).expect("part");
    let mut s = String::new();
    f.read_to_string(&mut s).expect("utf-8");
    s
}

/// Page text with askama's escapes undone, for looking for messages.
pub fn unescape(html: &str) -> String {
    html.replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The id in a redirect such as "/risks/12?notice=created".
pub fn id_in(location: &str, prefix: &str) -> i64 {
    location
        .trim_start_matches(prefix)
        .split(['?', '/'])
        .next()
        .unwrap()
        .parse()
        .unwrap()
}
