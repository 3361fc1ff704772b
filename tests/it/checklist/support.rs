//! Helpers shared by the planning tests (checklists, campaigns, inspection tasks): people with
//! their data-layer `Ctx`, a second root bureau, and rows written directly with SQL where another
//! module owns the writing (inspections, hazards).

use chrono::NaiveDate;

use anjian_db::ctx::UserCtx;
use anjian_db::org::{self, Org, OrgInput};
use anjian_db::user::User;
use anjian_db::{Ctx, Q};
use anjian_domain::role::Role;
use anjian_testkit::{uscc, Login, TestApp};

/// A user, their signed-in browser, their API token and the `Ctx` the data layer sees for them.
pub struct Person {
    pub user: User,
    pub ctx: Ctx,
    pub login: Login,
    pub token: String,
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
    let login = app.login_as(&user).await;
    let token = app.token_for(&user).await;
    Person {
        user,
        ctx,
        login,
        token,
    }
}

pub fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

/// Another root bureau (丙局) with one unit: nothing of it is visible to the fixture's users.
pub async fn other_bureau(app: &TestApp) -> (Org, Org) {
    let ctx = Ctx::system("test");
    let bureau = org::create(
        &app.db,
        &ctx,
        &OrgInput {
            kind: "bureau".into(),
            name: "丙局".into(),
            ..Default::default()
        },
    )
    .await
    .expect("second bureau");
    let unit = org::create(
        &app.db,
        &ctx,
        &OrgInput {
            kind: "unit".into(),
            parent_id: Some(bureau.id),
            name: "丙局下属单位".into(),
            uscc: Some(uscc(77)),
            ..Default::default()
        },
    )
    .await
    .expect("unit of the second bureau");
    (bureau, unit)
}

/// A checklist owned by `org_id` with one item, written directly; returns (checklist, item).
pub async fn insert_checklist(app: &TestApp, org_id: i64, name: &str) -> (i64, i64) {
    let now = anjian_db::now();
    let (id,): (i64,) = app
        .db
        .fetch_one(
            &Q::new(
                "INSERT INTO checklist (org_id, name, category, builtin, active, row_version, created_at, updated_at) \
                 VALUES ($1, $2, '自定义', $3, $4, 1, $5, $5) RETURNING id",
            )
            .bind(org_id)
            .bind(name)
            .bind(false)
            .bind(true)
            .bind(now),
        )
        .await
        .expect("checklist");
    let (item,): (i64,) = app
        .db
        .fetch_one(
            &Q::new(
                "INSERT INTO checklist_item (checklist_id, position, content, major_criterion, active) \
                 VALUES ($1, 1, $2, $3, $4) RETURNING id",
            )
            .bind(id)
            .bind(format!("{name}的检查项"))
            .bind(false)
            .bind(true),
        )
        .await
        .expect("item");
    (id, item)
}

/// A campaign owned by `org_id` covering all its units, written directly.
pub async fn insert_campaign(app: &TestApp, org_id: i64, name: &str) -> i64 {
    let now = anjian_db::now();
    let (id,): (i64,) = app
        .db
        .fetch_one(
            &Q::new(
                "INSERT INTO campaign (org_id, kind, name, start_date, end_date, all_units, active, row_version, \
                 created_at, updated_at) VALUES ($1, 'campaign', $2, $3, $4, $5, $6, 1, $7, $7) RETURNING id",
            )
            .bind(org_id)
            .bind(name)
            .bind(date("2023-01-01"))
            .bind(date("2023-12-31"))
            .bind(true)
            .bind(true)
            .bind(now),
        )
        .await
        .expect("campaign");
    id
}

/// A task issued by `org_id` and assigned to `units`, written directly.
pub async fn insert_task(app: &TestApp, org_id: i64, units: &[i64], due: &str) -> i64 {
    let now = anjian_db::now();
    let (id,): (i64,) = app
        .db
        .fetch_one(
            &Q::new(
                "INSERT INTO inspection_task (org_id, title, kind, start_date, due_date, row_version, created_at, updated_at) \
                 VALUES ($1, '直接写入的任务', 'self_check', $2, $3, 1, $4, $4) RETURNING id",
            )
            .bind(org_id)
            .bind(date("2023-05-01"))
            .bind(date(due))
            .bind(now),
        )
        .await
        .expect("task");
    for u in units {
        app.db
            .execute(
                &Q::new("INSERT INTO inspection_task_org (task_id, org_id) VALUES ($1, $2)")
                    .bind(id)
                    .bind(*u),
            )
            .await
            .expect("assignment");
    }
    id
}

/// An inspection row as the inspection module would write it (that module is tested on its own).
pub async fn insert_inspection(
    app: &TestApp,
    org_id: i64,
    on: &str,
    campaign_id: Option<i64>,
    task_id: Option<i64>,
) -> i64 {
    let now = anjian_db::now();
    let (id,): (i64,) = app
        .db
        .fetch_one(
            &Q::new(
                "INSERT INTO inspection (org_id, kind, inspected_on, inspectors, campaign_id, task_id, row_version, \
                 created_at, updated_at) VALUES ($1, 'self_check', $2, '张三', $3, $4, 1, $5, $5) RETURNING id",
            )
            .bind(org_id)
            .bind(date(on))
            .bind(campaign_id)
            .bind(task_id)
            .bind(now),
        )
        .await
        .expect("inspection");
    id
}

/// Marks an inspection deleted (soft delete, as the inspection module does).
pub async fn delete_inspection(app: &TestApp, id: i64) {
    app.db
        .execute(
            &Q::new("UPDATE inspection SET deleted_at = $1 WHERE id = $2")
                .bind(anjian_db::now())
                .bind(id),
        )
        .await
        .expect("soft delete");
}

/// A hazard row carrying a campaign: `closed` ones with the verification the CHECK requires.
pub async fn insert_hazard(
    app: &TestApp,
    org_id: i64,
    campaign_id: i64,
    major: bool,
    closed: bool,
    rectifier: i64,
    verifier: i64,
) -> i64 {
    let now = anjian_db::now();
    let found = date("2023-05-10");
    let (status, rectified, verified): (&str, Option<NaiveDate>, Option<NaiveDate>) = if closed {
        ("closed", Some(date("2023-05-12")), Some(date("2023-05-13")))
    } else {
        ("pending", None, None)
    };
    let mut q = Q::new(
        "INSERT INTO hazard (org_id, description, grade, major_criterion, found_on, campaign_id, status, deadline, \
         original_deadline, rectified_on, rectified_by, verified_on, verified_by, closed_at, row_version, created_at, \
         updated_at) VALUES ($1, '测试隐患', $2, $3, $4, $5, $6, $7, $7, ",
    )
    .bind(org_id)
    .bind(if major { "major" } else { "general" })
    .bind(if major { "第三条第（一）项" } else { "" })
    .bind(found)
    .bind(campaign_id)
    .bind(status)
    .bind(date("2023-06-10"));
    q.push_arg(anjian_db::Arg::Date(rectified)).push(", ");
    q.push_arg(if closed { Some(rectifier) } else { None })
        .push(", ");
    q.push_arg(anjian_db::Arg::Date(verified)).push(", ");
    q.push_arg(if closed { Some(verifier) } else { None })
        .push(", ");
    q.push_arg(if closed { Some(now) } else { None })
        .push(", 1, ");
    q.push_arg(now).push(", ");
    q.push_arg(now).push(") RETURNING id");
    let (id,): (i64,) = app.db.fetch_one(&q).await.expect("hazard");
    id
}

/// Audit entries for an entity and id, oldest first: (action, org_id).
pub async fn audits(app: &TestApp, entity: &str, id: i64) -> Vec<(String, Option<i64>)> {
    app.db
        .fetch_all(
            &Q::new(
                "SELECT action, org_id FROM audit_log WHERE entity = $1 AND entity_id = $2 ORDER BY id",
            )
            .bind(entity)
            .bind(id.to_string()),
        )
        .await
        .expect("audit rows")
}

/// Field errors of an API 422 body.
pub fn field(body: &serde_json::Value, name: &str) -> String {
    body["fields"][name].as_str().unwrap_or("").to_string()
}
