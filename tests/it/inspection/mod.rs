//! Inspections (安全检查) on the real database: the repository stories (recording with items,
//! hazards from failed items, photos, list filters, header corrections, withdrawal), scope and
//! permissions, refusals that write nothing, and the pages and API.
//!
//! Split by concern: `repo` (repository stories), `refusals` (bad input), `access` (scope and
//! permissions), `pages` (browser flows), `api` (JSON). Shared helpers below; the statistics tests
//! use them too.

use anjian_db::checklist::{self, ChecklistInput, ChecklistItem};
use anjian_db::hazard::HazardInput;
use anjian_db::inspection::{self, InspectionInput, ItemInput};
use anjian_db::{Ctx, Q};
use anjian_domain::role::Role;
use anjian_testkit::{Fixture, TestApp};

mod access;
mod api;
mod pages;
mod refusals;
mod repo;
mod risk_points;

/// Records of unit B, one per kind of id this module's routes take, keyed by the path fragment
/// that identifies the route (e.g. "/hazards/"). routes_walk checks each answers 404 to unit A.
pub async fn foreign_ids(app: &TestApp, f: &Fixture) -> Vec<(&'static str, i64)> {
    let b = person(app, "insp_foreign_b", Role::UnitOfficer, &f.unit_b).await;
    let id = inspection::create(
        &app.db,
        &b.ctx,
        &InspectionInput {
            org_id: Some(f.site_b.id),
            kind: "self_check".into(),
            inspected_on: "2023-03-01".into(),
            inspectors: "乙库点安全员".into(),
            summary: "乙库点自查".into(),
            ..Default::default()
        },
    )
    .await
    .expect("unit B's inspection");
    vec![("/inspections/", id)]
}

/// A user and the `Ctx` the data layer sees for them (the hazard tests' helper, shared).
pub use crate::hazard::{person, Person};

/// A checklist of the built-in library with three items: an ordinary one, one that is a
/// 重大事故隐患判定标准, and another ordinary one.
pub struct Library {
    pub checklist_id: i64,
    pub items: Vec<ChecklistItem>,
}

pub async fn library(app: &TestApp, name: &str) -> Library {
    let ctx = Ctx::system("test");
    let c = checklist::create(
        &app.db,
        &ctx,
        &ChecklistInput {
            name: name.into(),
            category: "仓储安全".into(),
            ..Default::default()
        },
    )
    .await
    .expect("checklist");
    let mut items = Vec::new();
    for (content, major) in [
        ("灭火器配置齐全、在有效期内", false),
        ("有限空间作业执行审批、通风、检测和监护", true),
        ("电气线路敷设规范，无私拉乱接", false),
    ] {
        items.push(
            checklist::add_item(
                &app.db,
                &ctx,
                c.id,
                &checklist::ItemInput {
                    content: content.into(),
                    category: "现场管理".into(),
                    basis: "《粮油仓储管理办法》".into(),
                    major_criterion: major,
                    active: None,
                },
                None,
            )
            .await
            .expect("item"),
        );
    }
    Library {
        checklist_id: c.id,
        items,
    }
}

/// An inspection of `org_id` on `date` against the library, one result per item (`pass`, `fail`
/// or `na`); a failed item carries a hazard with a deadline ten days after the date.
pub fn input(
    org_id: i64,
    kind: &str,
    date: &str,
    lib: &Library,
    results: &[&str],
) -> InspectionInput {
    let deadline = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .expect("date")
        .checked_add_days(chrono::Days::new(10))
        .expect("deadline")
        .to_string();
    InspectionInput {
        org_id: Some(org_id),
        kind: kind.into(),
        inspected_on: date.into(),
        inspectors: "张检查、李安全".into(),
        checklist_id: if results.is_empty() {
            None
        } else {
            Some(lib.checklist_id)
        },
        items: lib
            .items
            .iter()
            .zip(results)
            .map(|(it, r)| ItemInput {
                checklist_item_id: Some(it.id),
                result: r.to_string(),
                note: String::new(),
                risk_point_id: None,
                hazard: (*r == "fail").then(|| HazardInput {
                    location: "3号仓房".into(),
                    deadline: deadline.clone(),
                    ..Default::default()
                }),
            })
            .collect(),
        ..Default::default()
    }
}

pub async fn count(app: &TestApp, table: &str) -> i64 {
    let (n,): (i64,) = app
        .db
        .fetch_one(&Q::new(&format!("SELECT COUNT(*) FROM {table}")))
        .await
        .expect("count");
    n
}

/// Row counts of everything recording an inspection writes.
pub async fn written(app: &TestApp) -> [i64; 5] {
    [
        count(app, "inspection").await,
        count(app, "inspection_item").await,
        count(app, "inspection_attachment").await,
        count(app, "hazard").await,
        count(app, "audit_log").await,
    ]
}

/// An attachment row as the upload route writes it (the bytes are not needed here).
pub async fn attachment(app: &TestApp, org_id: i64) -> i64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let sha = format!(
        "{:064x}",
        0x1000 + NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
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
