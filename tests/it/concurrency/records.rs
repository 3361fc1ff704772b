//! Stale edits of the registers: hazards (registration, verification, 挂牌督办), risk points,
//! risks and measures, ledger entries, duty rosters and incidents.

use axum::http::Method;
use serde_json::json;

use anjian_db::duty;
use anjian_db::hazard::{self, AssignInput, ListingInput, PlanInput, SubmitInput, VerifyInput};
use anjian_domain::ledger::LedgerKind;
use anjian_domain::role::Role;

use super::harness::{ApiEdit, PageEdit, Rows};
use super::{scene, signed_in};
use crate::hazard::{attachment, ds, register, row};

fn hazard_rows(id: i64) -> Vec<Rows> {
    vec![
        Rows::Where("hazard", "id", id),
        Rows::Where("hazard_attachment", "hazard_id", id),
        Rows::Where("hazard_event", "hazard_id", id),
        Rows::Where("hazard_listing", "hazard_id", id),
    ]
}

pub async fn hazard_page() {
    let s = scene().await;
    let officer = signed_in(&s.app, "cc_officer_b", Role::UnitOfficer, &s.f.unit_b).await;
    let officer_p = officer.person();
    let id = register(&s.app, &officer_p, s.f.site_b.id, "灭火器压力不足", -1, 5)
        .await
        .id;
    PageEdit {
        app: &s.app,
        who: &officer.login,
        page: format!("/hazards/{id}/edit"),
        action: format!("/hazards/{id}"),
        pick: None,
        gov: Rows::Where("hazard", "id", id),
        rival: None,
        watch: hazard_rows(id),
        edit: vec![("location", "2号仓房东门".into())],
        invalid: Some(("description", "")),
    }
    .run()
    .await;
}

pub async fn hazard_api() {
    let s = scene().await;
    let officer = signed_in(&s.app, "cc_officer_b", Role::UnitOfficer, &s.f.unit_b).await;
    let id = register(
        &s.app,
        &officer.person(),
        s.f.site_b.id,
        "灭火器压力不足",
        -1,
        5,
    )
    .await
    .id;
    let token = s.app.token_for(&officer.user).await;
    let i = crate::hazard::input(s.f.site_b.id, "灭火器压力不足", -1, 5);
    let body = json!({
        "org_id": i.org_id, "location": "2号仓房东门", "description": i.description,
        "category": i.category, "grade": i.grade, "found_on": i.found_on,
        "found_by": i.found_by, "deadline": i.deadline,
    });
    ApiEdit {
        app: &s.app,
        token: &token,
        method: Method::PUT,
        path: format!("/api/v1/hazards/{id}"),
        read: format!("/api/v1/hazards/{id}"),
        at: "/hazard/row_version",
        gov: Rows::Where("hazard", "id", id),
        watch: hazard_rows(id),
        body,
    }
    .run()
    .await;
}

/// Two verifiers with the same 待验收 hazard open (issue 8 §3): the second is refused.
pub async fn hazard_verify_page() {
    let s = scene().await;
    let officer = signed_in(&s.app, "cc_officer_b", Role::UnitOfficer, &s.f.unit_b).await;
    let head = signed_in(&s.app, "cc_head_b", Role::UnitHead, &s.f.unit_b).await;
    let h = register(
        &s.app,
        &officer.person(),
        s.f.site_b.id,
        "消防通道堆放杂物",
        -5,
        5,
    )
    .await;
    let h = hazard::assign(
        &s.app.db,
        &officer.ctx,
        h.id,
        &AssignInput {
            row_version: h.row_version,
            owner: "李保管".into(),
            measures: "清理杂物".into(),
            funds: "0".into(),
        },
    )
    .await
    .expect("五落实");
    let photo = attachment(&s.app, s.f.site_b.id).await;
    hazard::submit_rectification(
        &s.app.db,
        &officer.ctx,
        h.id,
        &SubmitInput {
            row_version: h.row_version,
            rectified_on: ds(-1),
            note: "已清理".into(),
            after_attachment_ids: vec![photo],
        },
    )
    .await
    .expect("submitted for verification");
    let id = h.id;
    PageEdit {
        app: &s.app,
        who: &head.login,
        page: format!("/hazards/{id}"),
        action: format!("/hazards/{id}/verify"),
        pick: None,
        gov: Rows::Where("hazard", "id", id),
        rival: None,
        watch: hazard_rows(id),
        edit: vec![("note", "现场复查，通道已畅通".into())],
        invalid: None,
    }
    .run()
    .await;
}

/// Lifting a 挂牌督办 writes the listing row; the hazard's version guards it.
pub async fn hazard_listing_api() {
    let s = scene().await;
    let db = &s.app.db;
    let officer = signed_in(&s.app, "cc_officer_b", Role::UnitOfficer, &s.f.unit_b).await;
    let sup = signed_in(&s.app, "cc_supervisor", Role::BureauSupervisor, &s.f.bureau).await;
    let mut i = crate::hazard::input(s.f.site_b.id, "立筒仓仓壁裂缝", -3, 60);
    i.grade = "major".into();
    i.major_criterion = "粮食仓储重大事故隐患判定标准 第二条".into();
    let id = hazard::create(db, &officer.ctx, &i)
        .await
        .expect("major")
        .id;
    let listing = ListingInput {
        row_version: row(&s.app, id).await.row_version,
        authority: "市粮食和物资储备局".into(),
        listed_on: ds(0),
        deadline: ds(60),
    };
    hazard::list_hazard(db, &sup.ctx, id, &listing)
        .await
        .expect("listed");
    let plan = PlanInput {
        row_version: row(&s.app, id).await.row_version,
        objectives: "消除裂缝".into(),
        methods: "加固仓壁".into(),
        funds_materials: "专项资金20万元".into(),
        organisation: "工程科负责".into(),
        time_limits: "60日内完成".into(),
        safety_emergency: "应急预案".into(),
        plan_attachment_ids: vec![],
    };
    hazard::save_plan(db, &officer.ctx, id, &plan)
        .await
        .expect("plan");
    let assign = AssignInput {
        row_version: row(&s.app, id).await.row_version,
        owner: "工程科长".into(),
        measures: "按方案加固".into(),
        funds: "200000".into(),
    };
    hazard::assign(db, &officer.ctx, id, &assign)
        .await
        .expect("五落实");
    let photo = attachment(&s.app, s.f.site_b.id).await;
    let submit = SubmitInput {
        row_version: row(&s.app, id).await.row_version,
        rectified_on: ds(0),
        after_attachment_ids: vec![photo],
        ..Default::default()
    };
    hazard::submit_rectification(db, &officer.ctx, id, &submit)
        .await
        .expect("submitted");
    let verify = VerifyInput {
        row_version: row(&s.app, id).await.row_version,
        ..Default::default()
    };
    hazard::verify(db, &sup.ctx, id, &verify)
        .await
        .expect("closed");
    let doc = attachment(&s.app, s.f.site_b.id).await;
    let token = s.app.token_for(&sup.user).await;
    ApiEdit {
        app: &s.app,
        token: &token,
        method: Method::POST,
        path: format!("/api/v1/hazards/{id}/lift"),
        read: format!("/api/v1/hazards/{id}"),
        at: "/hazard/row_version",
        gov: Rows::Where("hazard", "id", id),
        watch: hazard_rows(id),
        body: json!({"lifted_on": ds(0), "note": "整改完成，解除督办", "lift_attachment_ids": [doc]}),
    }
    .run()
    .await;
}

pub async fn risk_point_page() {
    let s = scene().await;
    let head = signed_in(&s.app, "cc_head_b", Role::UnitHead, &s.f.unit_b).await;
    let p = crate::risk::point(
        &s.app,
        &head.person(),
        &s.f.site_b,
        "乙库点配电室",
        "equipment",
    )
    .await;
    PageEdit {
        app: &s.app,
        who: &head.login,
        page: format!("/risk-points/{}/edit", p.id),
        action: format!("/risk-points/{}", p.id),
        pick: None,
        gov: Rows::Where("risk_point", "id", p.id),
        rival: None,
        watch: vec![Rows::Where("risk_point", "id", p.id)],
        edit: vec![("location", "综合楼一层东侧".into())],
        invalid: Some(("name", "")),
    }
    .run()
    .await;
}

pub async fn risk_page() {
    let s = scene().await;
    let head = signed_in(&s.app, "cc_head_b", Role::UnitHead, &s.f.unit_b).await;
    let p = crate::risk::point(
        &s.app,
        &head.person(),
        &s.f.site_b,
        "乙库点配电室",
        "equipment",
    )
    .await;
    let r = crate::risk::lec(&s.app, &head.person(), p.id, "配电柜漏电", "1", "6", "7").await;
    PageEdit {
        app: &s.app,
        who: &head.login,
        page: format!("/risks/{}/edit", r.id),
        action: format!("/risks/{}", r.id),
        pick: None,
        gov: Rows::Where("risk", "id", r.id),
        rival: None,
        watch: vec![
            Rows::Where("risk", "id", r.id),
            Rows::Where("risk_version", "risk_id", r.id),
        ],
        edit: vec![("description", "配电柜漏电、线路老化".into())],
        invalid: Some(("description", "")),
    }
    .run()
    .await;
}

pub async fn risk_measure_page() {
    let s = scene().await;
    let head = signed_in(&s.app, "cc_head_b", Role::UnitHead, &s.f.unit_b).await;
    let p = crate::risk::point(
        &s.app,
        &head.person(),
        &s.f.site_b,
        "乙库点配电室",
        "equipment",
    )
    .await;
    let r = crate::risk::lec(&s.app, &head.person(), p.id, "配电柜漏电", "1", "6", "7").await;
    let m = crate::risk::measure(
        &s.app,
        &head.person(),
        r.id,
        "management",
        "每月检测接地电阻",
    )
    .await;
    PageEdit {
        app: &s.app,
        who: &head.login,
        page: format!("/risk-measures/{m}/edit"),
        action: format!("/risk-measures/{m}"),
        pick: None,
        gov: Rows::Where("risk_measure", "id", m),
        rival: None,
        watch: vec![Rows::Where("risk_measure", "id", m)],
        edit: vec![("content", "每周检测接地电阻".into())],
        invalid: Some(("content", "")),
    }
    .run()
    .await;
}

pub async fn ledger_page() {
    let s = scene().await;
    let officer = signed_in(&s.app, "cc_officer_b", Role::UnitOfficer, &s.f.unit_b).await;
    let mut input = crate::ledger::publicity(s.f.unit_b.id, "2023-06-16");
    input.title = "安全生产月咨询日".into();
    let e = crate::ledger::record(&s.app, &officer.ctx, LedgerKind::Publicity, &input).await;
    PageEdit {
        app: &s.app,
        who: &officer.login,
        page: format!("/ledgers/entries/{}/edit", e.id),
        action: format!("/ledgers/entries/{}", e.id),
        pick: None,
        gov: Rows::Where("ledger_entry", "id", e.id),
        rival: None,
        watch: vec![
            Rows::Where("ledger_entry", "id", e.id),
            Rows::Where("ledger_item", "entry_id", e.id),
            Rows::Where("ledger_attendee", "entry_id", e.id),
        ],
        edit: vec![("title", "安全生产月咨询日（广场）".into())],
        invalid: Some(("entry_date", "六月十六日")),
    }
    .run()
    .await;
}

async fn roster(s: &super::Scene) -> (super::Signed, duty::Roster) {
    let officer = signed_in(&s.app, "cc_officer_b", Role::UnitOfficer, &s.f.unit_b).await;
    let r = crate::duty::roster(
        &s.app,
        &officer.person(),
        s.f.unit_b.id,
        "2023-01-20",
        "2023-01-22",
    )
    .await;
    (officer, r)
}

fn roster_rows(id: i64) -> Vec<Rows> {
    vec![
        Rows::Where("duty_roster", "id", id),
        Rows::Where("duty_shift", "roster_id", id),
    ]
}

/// Shifts have no version of their own: a shift edit is an edit of its roster.
pub async fn roster_shift_page() {
    let s = scene().await;
    let (officer, r) = roster(&s).await;
    let shifts = duty::shifts(&s.app.db, &officer.ctx, r.id)
        .await
        .expect("shifts");
    let shift = shifts.first().expect("a generated shift").id;
    PageEdit {
        app: &s.app,
        who: &officer.login,
        page: format!("/duty/rosters/{}/shift?shift_id={shift}", r.id),
        action: format!("/duty/rosters/{}/shift", r.id),
        pick: None,
        gov: Rows::Where("duty_roster", "id", r.id),
        rival: None,
        watch: roster_rows(r.id),
        edit: vec![("leader_name", "赵局长".into())],
        invalid: Some(("shift_hours", "99")),
    }
    .run()
    .await;
}

/// Regenerating replaces every shift of a draft: a stale regeneration would throw away shift
/// edits saved since the page was opened.
pub async fn roster_generate_page() {
    let s = scene().await;
    let (officer, r) = roster(&s).await;
    PageEdit {
        app: &s.app,
        who: &officer.login,
        page: format!("/duty/rosters/{}", r.id),
        action: format!("/duty/rosters/{}/generate", r.id),
        pick: None,
        gov: Rows::Where("duty_roster", "id", r.id),
        rival: None,
        watch: roster_rows(r.id),
        edit: vec![
            ("leaders", "孙局长 13900000009".into()),
            ("officers", "周六 13800000006\n吴七 13800000007".into()),
        ],
        invalid: Some(("shift_hours", "99")),
    }
    .run()
    .await;
}

pub async fn incident_page() {
    let s = scene().await;
    let officer = signed_in(&s.app, "cc_officer_b", Role::UnitOfficer, &s.f.unit_b).await;
    let i = crate::incident::file(
        &officer.person(),
        &s.app,
        s.f.site_b.id,
        "accident",
        "0",
        "1",
        2,
    )
    .await;
    PageEdit {
        app: &s.app,
        who: &officer.login,
        page: format!("/incidents/{}", i.id),
        action: format!("/incidents/{}/reports", i.id),
        pick: None,
        gov: Rows::Where("incident", "id", i.id),
        rival: None,
        watch: vec![
            Rows::Where("incident", "id", i.id),
            Rows::Where("incident_report", "incident_id", i.id),
        ],
        edit: vec![
            ("content", "伤者已转院治疗".into()),
            ("reporter", "李四".into()),
        ],
        invalid: Some(("deaths", "两人")),
    }
    .run()
    .await;
}
