//! Statistics of inspections and hazards, with every figure worked out by hand from a small world
//! built through the repository functions: two units with sites, a third unit never inspected, a
//! bureau department, ten inspections of every kind around the quarter and half-year boundaries,
//! hazards general and major in every state, two campaigns. `figures` checks the numbers and the
//! records behind them for several periods and subtrees; `pages` the page, the records page and
//! the API.
//!
//! The world (2023; H1 = 01-01..06-30):
//!
//! | # | date       | org        | kind        | campaign | notes                                   |
//! |---|------------|------------|-------------|----------|-----------------------------------------|
//! | 1 | 2023-01-10 | 甲库点     | self_check  | C1       | all pass (officer A)                    |
//! | 2 | 2023-02-15 | 甲单位     | supervision | C1       | item 1 fails → H1                       |
//! | 3 | 2023-03-31 | 乙库点     | spot_check  | –        | items 1, 2 fail → H2, H3 (major)        |
//! | 4 | 2023-04-01 | 乙单位     | unannounced | –        | illegal operation; item 3 fails → H4    |
//! | 5 | 2023-06-30 | 测试局     | special     | C2       | the bureau itself: no unit              |
//! | 6 | 2023-06-30 | 局机关科室 | self_check  | –        | a bureau department: no unit            |
//! | 7 | 2023-07-01 | 甲库点     | supervision | –        | item 1 fails → H5 (Q3)                  |
//! | 8 | 2022-12-31 | 甲单位     | self_check  | –        | before 2023                             |
//! | 9 | 2023-05-20 | 甲库点     | special     | C2       | item 3 fails → H6 (officer A)           |
//! |10 | 2023-06-15 | 甲库点     | self_check  | –        | withdrawn (soft-deleted)                |
//!
//! Hazards besides: H7 registered directly at 乙库点 on 2023-06-01 in C1; H8 at 甲库点 on
//! 2023-03-01, deleted. States (set with SQL, see `world`): H1 closed (verified 02-28), H2 closed
//! after the half-year (verified 07-05), H3 rectifying past its deadline 05-31 and listed
//! 2023-04-05, H4 awaiting verification (deadline 04-10), H5 pending (deadline 07-10), H6 pending
//! (deadline 07-15), H7 closed (verified 06-20).

use chrono::NaiveDate;

use anjian_db::campaign::{self, CampaignInput};
use anjian_db::hazard::{self, HazardInput};
use anjian_db::inspection::{self, InspectionInput};
use anjian_db::org::{self, Org, OrgInput};
use anjian_db::{Ctx, Q};
use anjian_domain::role::Role;
use anjian_testkit::{Fixture, TestApp};

use crate::inspection::{input, library, person, Person};

mod figures;
mod pages;

pub struct World {
    pub app: TestApp,
    pub f: Fixture,
    pub dept: Org,
    pub unit_c: Org,
    pub sup: Person,
    pub officer_a: Person,
    pub c1: i64,
    pub c2: i64,
    /// Inspections #1..#10 at index 1..10 (index 0 unused).
    pub i: Vec<i64>,
    /// Hazards H1..H8 at index 1..8 (index 0 unused).
    pub h: Vec<i64>,
}

async fn campaign(app: &TestApp, by: &Person, name: &str, start: &str, end: &str) -> i64 {
    campaign::create(
        &app.db,
        &by.ctx,
        &CampaignInput {
            kind: "campaign".into(),
            name: name.into(),
            start_date: start.into(),
            end_date: end.into(),
            all_units: true,
            ..Default::default()
        },
    )
    .await
    .expect("campaign")
    .id
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

pub async fn world() -> World {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let sys = Ctx::system("test");
    let dept = org::create(
        &app.db,
        &sys,
        &OrgInput {
            kind: "site".into(),
            parent_id: Some(f.bureau.id),
            name: "局机关科室".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let unit_c = org::create(
        &app.db,
        &sys,
        &OrgInput {
            kind: "unit".into(),
            parent_id: Some(f.bureau.id),
            name: "丙单位".into(),
            uscc: Some(anjian_testkit::uscc(3)),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let sup = person(&app, "stat_sup", Role::BureauSupervisor, &f.bureau).await;
    let officer_a = person(&app, "stat_officer_a", Role::UnitOfficer, &f.unit_a).await;
    let lib = library(&app, "统计用仓储安全检查表").await;
    let c1 = campaign(
        &app,
        &sup,
        "重大事故隐患专项排查整治行动",
        "2023-01-01",
        "2023-12-31",
    )
    .await;
    let c2 = campaign(&app, &sup, "安全生产月", "2023-06-01", "2023-06-30").await;

    let rec = |who: &Person, i: InspectionInput| {
        let (app, ctx) = (&app, who.ctx.clone());
        async move {
            inspection::create(&app.db, &ctx, &i)
                .await
                .expect("inspection")
        }
    };
    let with = |mut i: InspectionInput, c: Option<i64>| {
        i.campaign_id = c;
        i
    };
    let mut ids = vec![0];
    ids.push(
        rec(
            &officer_a,
            with(
                input(
                    f.site_a.id,
                    "self_check",
                    "2023-01-10",
                    &lib,
                    &["pass", "pass", "pass"],
                ),
                Some(c1),
            ),
        )
        .await,
    );
    ids.push(
        rec(
            &sup,
            with(
                input(
                    f.unit_a.id,
                    "supervision",
                    "2023-02-15",
                    &lib,
                    &["fail", "pass", "na"],
                ),
                Some(c1),
            ),
        )
        .await,
    );
    ids.push(
        rec(
            &sup,
            input(
                f.site_b.id,
                "spot_check",
                "2023-03-31",
                &lib,
                &["fail", "fail", "pass"],
            ),
        )
        .await,
    );
    let mut four = input(
        f.unit_b.id,
        "unannounced",
        "2023-04-01",
        &lib,
        &["pass", "na", "fail"],
    );
    four.illegal_operation = true;
    four.illegal_description = "租赁库点无证储存危险化学品".into();
    ids.push(rec(&sup, four).await);
    ids.push(
        rec(
            &sup,
            with(
                input(f.bureau.id, "special", "2023-06-30", &lib, &[]),
                Some(c2),
            ),
        )
        .await,
    );
    ids.push(rec(&sup, input(dept.id, "self_check", "2023-06-30", &lib, &[])).await);
    ids.push(
        rec(
            &sup,
            input(
                f.site_a.id,
                "supervision",
                "2023-07-01",
                &lib,
                &["fail", "pass", "pass"],
            ),
        )
        .await,
    );
    ids.push(
        rec(
            &officer_a,
            input(f.unit_a.id, "self_check", "2022-12-31", &lib, &[]),
        )
        .await,
    );
    ids.push(
        rec(
            &officer_a,
            with(
                input(
                    f.site_a.id,
                    "special",
                    "2023-05-20",
                    &lib,
                    &["pass", "pass", "fail"],
                ),
                Some(c2),
            ),
        )
        .await,
    );
    ids.push(
        rec(
            &officer_a,
            input(f.site_a.id, "self_check", "2023-06-15", &lib, &[]),
        )
        .await,
    );
    inspection::delete(&app.db, &officer_a.ctx, ids[10])
        .await
        .expect("withdrawn");

    let hazard_of = |inspection: i64, position: i64| {
        let app = &app;
        async move {
            let (id,): (i64,) = app
                .db
                .fetch_one(
                    &Q::new(
                        "SELECT h.id FROM hazard h JOIN inspection_item ii ON ii.id = h.inspection_item_id \
                         WHERE h.inspection_id = $1 AND ii.position = $2",
                    )
                    .bind(inspection)
                    .bind(position),
                )
                .await
                .expect("hazard of item");
            id
        }
    };
    let mut h = vec![0];
    h.push(hazard_of(ids[2], 1).await);
    h.push(hazard_of(ids[3], 1).await);
    h.push(hazard_of(ids[3], 2).await);
    h.push(hazard_of(ids[4], 3).await);
    h.push(hazard_of(ids[7], 1).await);
    h.push(hazard_of(ids[9], 3).await);
    let direct = |org: i64, found: &str, deadline: &str, c: Option<i64>| {
        let (app, ctx) = (&app, sup.ctx.clone());
        let input = HazardInput {
            org_id: Some(org),
            description: "直接登记的隐患".into(),
            grade: "general".into(),
            found_on: found.into(),
            deadline: deadline.into(),
            campaign_id: c,
            ..Default::default()
        };
        async move {
            hazard::create(&app.db, &ctx, &input)
                .await
                .expect("hazard")
                .id
        }
    };
    h.push(direct(f.site_b.id, "2023-06-01", "2023-06-15", Some(c1)).await);
    h.push(direct(f.site_a.id, "2023-03-01", "2023-03-15", None).await);

    // The closed loop's own tests drive these states through the workflow; here only the
    // resulting rows matter, with 2023 dates, so they are set directly.
    let (a, b) = (officer_a.user.id, sup.user.id);
    let set = |sql: &'static str, args: Vec<anjian_db::Arg>| {
        let app = &app;
        async move {
            let mut q = Q::new(sql);
            for a in args {
                q = q.bind(a);
            }
            app.db.execute(&q).await.expect("state");
        }
    };
    let close =
        "UPDATE hazard SET status = 'closed', owner = '王', measures = '更换', rectified_on = $1, \
                 rectified_by = $2, verified_on = $3, verified_by = $4 WHERE id = $5";
    use anjian_db::Arg;
    set(
        close,
        vec![
            d("2023-02-25").into(),
            a.into(),
            d("2023-02-28").into(),
            b.into(),
            h[1].into(),
        ],
    )
    .await;
    set(
        close,
        vec![
            d("2023-07-01").into(),
            a.into(),
            d("2023-07-05").into(),
            b.into(),
            h[2].into(),
        ],
    )
    .await;
    set(
        close,
        vec![
            d("2023-06-10").into(),
            a.into(),
            d("2023-06-20").into(),
            b.into(),
            h[7].into(),
        ],
    )
    .await;
    set(
        "UPDATE hazard SET status = 'rectifying', owner = '王', measures = '治理', deadline = $1, original_deadline = $1 WHERE id = $2",
        vec![d("2023-05-31").into(), h[3].into()],
    )
    .await;
    set(
        "INSERT INTO hazard_listing (hazard_id, authority, listed_on, deadline, listed_by) VALUES ($1, '市应急管理局', $2, $3, $4)",
        vec![h[3].into(), d("2023-04-05").into(), d("2023-06-30").into(), Arg::from(b)],
    )
    .await;
    set(
        "UPDATE hazard SET status = 'awaiting_verification', rectified_on = $1, rectified_by = $2, deadline = $3, \
         original_deadline = $3 WHERE id = $4",
        vec![d("2023-04-09").into(), a.into(), d("2023-04-10").into(), h[4].into()],
    )
    .await;
    set(
        "UPDATE hazard SET deadline = $1, original_deadline = $1 WHERE id = $2",
        vec![d("2023-07-10").into(), h[5].into()],
    )
    .await;
    set(
        "UPDATE hazard SET deadline = $1, original_deadline = $1 WHERE id = $2",
        vec![d("2023-07-15").into(), h[6].into()],
    )
    .await;
    set(
        "UPDATE hazard SET deleted_at = $1 WHERE id = $2",
        vec![anjian_db::now().into(), h[8].into()],
    )
    .await;

    World {
        app,
        f,
        dept,
        unit_c,
        sup,
        officer_a,
        c1,
        c2,
        i: ids,
        h,
    }
}
