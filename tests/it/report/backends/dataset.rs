//! The dataset of the backend comparison (the table in `super`): organisations, inspections,
//! hazards through the closed loop, and risks; `records` adds ledgers, duty and incidents.

use anjian_db::campaign::{self, CampaignInput};
use anjian_db::hazard::{self, HazardInput};
use anjian_db::inspection;
use anjian_db::org::{self, Org, OrgInput};
use anjian_db::risk::{self, PointInput, RiskInput};
use anjian_db::Ctx;
use anjian_domain::role::Role;
use anjian_testkit::{Fixture, TestApp};

use super::records;
use crate::hazard::{attachment, person, Person};
use crate::inspection::{input as inspection_input, library};

/// The ids and people of one built dataset (equal on both backends: same writes, same order).
pub struct Built {
    pub f: Fixture,
    pub unit_c: Org,
    pub sup: Person,
}

async fn campaign(app: &TestApp, by: &Person, name: &str) -> i64 {
    campaign::create(
        &app.db,
        &by.ctx,
        &CampaignInput {
            kind: "campaign".into(),
            name: name.into(),
            start_date: "2023-01-01".into(),
            end_date: "2023-12-31".into(),
            all_units: true,
            ..Default::default()
        },
    )
    .await
    .expect("campaign")
    .id
}

/// The hazard an inspection's failed item carried (the item at `position`, 1-based).
async fn hazard_of(app: &TestApp, by: &Person, inspection_id: i64, position: usize) -> i64 {
    let detail = inspection::get(&app.db, &by.ctx, inspection_id)
        .await
        .expect("inspection");
    detail
        .items
        .iter()
        .find(|i| i.position == position as i64)
        .and_then(|i| i.hazard_id)
        .expect("the failed item's hazard")
}

/// 五落实 then 整改完成 on `rectified` with an after-photo.
async fn rectify(app: &TestApp, by: &Person, org: i64, id: i64, rectified: &str) -> i64 {
    let h = hazard::get_row(&app.db, &by.ctx, id).await.expect("hazard");
    let h = hazard::assign(
        &app.db,
        &by.ctx,
        id,
        &hazard::AssignInput {
            row_version: h.row_version,
            owner: "王保管".into(),
            measures: "按要求整改".into(),
            funds: "1200.50".into(),
        },
    )
    .await
    .expect("assign");
    if rectified.is_empty() {
        return h.row_version;
    }
    let photo = attachment(app, org).await;
    hazard::submit_rectification(
        &app.db,
        &by.ctx,
        id,
        &hazard::SubmitInput {
            row_version: h.row_version,
            rectified_on: rectified.into(),
            note: "已整改".into(),
            after_attachment_ids: vec![photo],
        },
    )
    .await
    .expect("submit")
    .row_version
}

async fn verify(app: &TestApp, by: &Person, id: i64, on: &str) {
    let h = hazard::get_row(&app.db, &by.ctx, id).await.expect("hazard");
    hazard::verify(
        &app.db,
        &by.ctx,
        id,
        &hazard::VerifyInput {
            row_version: h.row_version,
            verified_on: on.into(),
            note: "复查合格".into(),
        },
    )
    .await
    .expect("verify");
}

pub async fn build(app: &TestApp) -> Built {
    let db = &app.db;
    let f = app.fixture().await;
    let sys = Ctx::system("test");
    let mk = |kind: &str, parent: i64, name: &str, code: Option<String>| OrgInput {
        kind: kind.into(),
        parent_id: Some(parent),
        name: name.into(),
        uscc: code,
        ..Default::default()
    };
    let dept = org::create(db, &sys, &mk("site", f.bureau.id, "局机关科室", None))
        .await
        .unwrap();
    let unit_c = org::create(
        db,
        &sys,
        &mk("unit", f.bureau.id, "丙单位", Some(anjian_testkit::uscc(3))),
    )
    .await
    .unwrap();
    let site_c = org::create(db, &sys, &mk("site", unit_c.id, "丙库点", None))
        .await
        .unwrap();
    let sup = person(app, "be_sup", Role::BureauSupervisor, &f.bureau).await;
    let off_a = person(app, "be_off_a", Role::UnitOfficer, &f.unit_a).await;
    let off_b = person(app, "be_off_b", Role::UnitOfficer, &f.unit_b).await;
    let off_c = person(app, "be_off_c", Role::UnitOfficer, &unit_c).await;
    // The default key periods of 2023 (春节, 全国两会…): key_periods, duty figures, zero reports.
    campaign::seed_defaults(db, &sup.ctx, f.bureau.id, 2023)
        .await
        .expect("key periods");
    let c1 = campaign(app, &sup, "重大事故隐患专项排查整治行动").await;
    let c2 = campaign(app, &sup, "今冬明春火灾防控专项行动").await;
    let lib = library(app, "两库比对检查表").await;

    // Inspections (see the table above).
    let rec = |who: &Person, mut i: anjian_db::inspection::InspectionInput, c: Option<i64>| {
        i.campaign_id = c;
        let ctx = who.ctx.clone();
        async move { inspection::create(db, &ctx, &i).await.expect("inspection") }
    };
    let pass3 = ["pass", "pass", "pass"];
    rec(
        &off_a,
        inspection_input(f.site_a.id, "self_check", "2023-01-01", &lib, &pass3),
        Some(c1),
    )
    .await;
    let i2 = rec(
        &sup,
        inspection_input(
            f.unit_a.id,
            "supervision",
            "2023-03-31",
            &lib,
            &["fail", "pass", "na"],
        ),
        Some(c1),
    )
    .await;
    let i3 = rec(
        &sup,
        inspection_input(
            f.site_b.id,
            "spot_check",
            "2023-04-01",
            &lib,
            &["fail", "fail", "pass"],
        ),
        None,
    )
    .await;
    let mut four = inspection_input(
        f.unit_b.id,
        "unannounced",
        "2023-06-30",
        &lib,
        &["pass", "na", "fail"],
    );
    four.illegal_operation = true;
    four.illegal_description = "租赁库点无证储存危险化学品".into();
    let i4 = rec(&sup, four, None).await;
    let i5 = rec(
        &sup,
        inspection_input(
            site_c.id,
            "special",
            "2023-07-01",
            &lib,
            &["fail", "pass", "pass"],
        ),
        Some(c2),
    )
    .await;
    rec(
        &sup,
        inspection_input(dept.id, "self_check", "2023-05-15", &lib, &[]),
        None,
    )
    .await;
    rec(
        &sup,
        inspection_input(unit_c.id, "supervision", "2023-12-31", &lib, &pass3),
        Some(c2),
    )
    .await;
    rec(
        &off_a,
        inspection_input(f.site_a.id, "self_check", "2022-12-31", &lib, &[]),
        None,
    )
    .await;
    let withdrawn = rec(
        &off_a,
        inspection_input(f.site_a.id, "self_check", "2023-06-15", &lib, &[]),
        None,
    )
    .await;
    inspection::delete(db, &off_a.ctx, withdrawn)
        .await
        .expect("withdrawn");

    // Hazards through the closed loop.
    let ha = hazard_of(app, &sup, i2, 1).await;
    let hb1 = hazard_of(app, &sup, i3, 1).await;
    let _hb2 = hazard_of(app, &sup, i3, 2).await;
    let hb3 = hazard_of(app, &sup, i4, 3).await;
    let hc = hazard_of(app, &sup, i5, 1).await;
    rectify(app, &off_a, f.unit_a.id, ha, "2023-04-05").await;
    verify(app, &sup, ha, "2023-04-08").await;
    rectify(app, &off_b, f.site_b.id, hb1, "2023-06-30").await;
    verify(app, &sup, hb1, "2023-07-01").await;
    let v = rectify(app, &off_b, f.unit_b.id, hb3, "").await;
    let h = hazard::request_extension(
        db,
        &off_b.ctx,
        hb3,
        &hazard::ExtensionInput {
            row_version: v,
            // An extension is granted into the future only (today at the earliest).
            new_deadline: crate::hazard::ds(30),
            reason: "需停仓后施工".into(),
        },
    )
    .await
    .expect("extension requested");
    hazard::decide_extension(
        db,
        &sup.ctx,
        hb3,
        &hazard::DecisionInput {
            row_version: h.row_version,
            decision: "approve".into(),
            note: "同意".into(),
        },
    )
    .await
    .expect("extension approved");
    rectify(app, &off_c, site_c.id, hc, "2023-07-05").await;

    let direct = |who: &Person, input: HazardInput| {
        let ctx = who.ctx.clone();
        async move { hazard::create(db, &ctx, &input).await.expect("hazard").id }
    };
    let base = |org: i64, found: &str, deadline: &str| HazardInput {
        org_id: Some(org),
        location: "1号仓房".into(),
        description: "直接登记的隐患".into(),
        category: "用电安全".into(),
        grade: "general".into(),
        found_on: found.into(),
        found_by: "张检查".into(),
        deadline: deadline.into(),
        ..Default::default()
    };
    let hv = direct(
        &off_a,
        HazardInput {
            campaign_id: Some(c1),
            ..base(f.site_a.id, "2023-01-01", "2023-01-10")
        },
    )
    .await;
    rectify(app, &off_a, f.site_a.id, hv, "2023-01-02").await;
    verify(app, &sup, hv, "2023-01-03").await;
    let hm = direct(
        &sup,
        HazardInput {
            grade: "major".into(),
            major_criterion: "有限空间作业未执行审批".into(),
            ..base(f.site_b.id, "2023-02-01", "2023-06-30")
        },
    )
    .await;
    let row = hazard::get_row(db, &sup.ctx, hm).await.unwrap();
    hazard::list_hazard(
        db,
        &sup.ctx,
        hm,
        &hazard::ListingInput {
            row_version: row.row_version,
            authority: "市应急管理局".into(),
            listed_on: "2023-02-10".into(),
            deadline: "2023-08-31".into(),
        },
    )
    .await
    .expect("listed");
    let photo = attachment(app, site_c.id).await;
    let hi = direct(
        &off_c,
        HazardInput {
            immediate: true,
            after_attachment_ids: vec![photo],
            rectification_note: "当场整改".into(),
            ..base(site_c.id, "2023-12-31", "")
        },
    )
    .await;
    verify(app, &sup, hi, "2023-12-31").await;
    direct(&off_a, base(f.site_a.id, "2022-12-31", "2023-01-05")).await;

    // Risks of every level.
    let point = |org: i64, name: &str, responsible: &str| PointInput {
        org_id: Some(org),
        kind: "activity".into(),
        name: name.into(),
        responsible_name: responsible.into(),
        ..Default::default()
    };
    let mut points = Vec::new();
    for (who, p) in [
        (&off_a, point(f.site_a.id, "配电室", "王电工")),
        (&off_b, point(f.site_b.id, "熏蒸作业", "")),
        (&off_c, point(site_c.id, "粮仓进出仓作业", "赵主任")),
        (&off_a, point(f.site_a.id, "有限空间作业", "李班长")),
    ] {
        points.push(
            risk::create_point(db, &who.ctx, &p)
                .await
                .expect("point")
                .id,
        );
    }
    let ls = |point: i64, l: &str, s: &str, on: &str| RiskInput {
        risk_point_id: Some(point),
        description: "风险描述".into(),
        factors: vec!["22".into()],
        accident_types: vec!["19".into()],
        method: "ls".into(),
        l: l.into(),
        s: s.into(),
        assessed_on: on.into(),
        ..Default::default()
    };
    for (who, r) in [
        (&off_a, ls(points[0], "4", "4", "2023-01-01")),
        (&off_a, ls(points[0], "1", "2", "2023-12-31")),
        (&off_b, ls(points[1], "5", "5", "2023-06-30")),
        (&off_c, ls(points[2], "3", "3", "2023-07-01")),
        (
            &off_a,
            RiskInput {
                method: "direct".into(),
                reason: "有限空间作业属高危作业".into(),
                l: String::new(),
                s: String::new(),
                ..ls(points[3], "", "", "2023-03-31")
            },
        ),
    ] {
        risk::create_risk(db, &who.ctx, &r).await.expect("risk");
    }

    records::write(app, &f, &unit_c, &site_c, &sup, [&off_a, &off_b, &off_c]).await;
    Built { f, unit_c, sup }
}
