//! A world of records in unit A built through the JSON API, each body swept (see `sweep`): every
//! operation of the OpenAPI document that takes a JSON body is sent at least once, in an order
//! that gets each record through its life (a hazard from registration to closing, a major one
//! through listing and lifting, an incident from 首报 to 终报).

use axum::http::Method;
use serde_json::{json, Value};

use anjian_db::hazard::today;

use super::sweep::{created_id, Actor, Sweep};

fn day(n: i64) -> String {
    (today() + chrono::Duration::days(n)).to_string()
}

/// Builds the world with `payload(n)` in the n-th filled field.
pub async fn build(payload: fn(usize) -> String) -> Sweep {
    let mut s = Sweep::new(payload).await;
    orgs_and_people(&mut s).await;
    inspections(&mut s).await;
    risks(&mut s).await;
    hazards(&mut s).await;
    ledgers(&mut s).await;
    ledger_settings(&mut s).await;
    duty_and_incidents(&mut s).await;
    reports(&mut s).await;
    s
}

async fn orgs_and_people(s: &mut Sweep) {
    use Actor::*;
    let (unit_a, site_a) = (s.f.unit_a.id, s.f.site_a.id);
    // Unit A itself carries payloads: its name is on nearly every page and export.
    let v = s.get(Admin, &format!("/api/v1/orgs/{unit_a}")).await;
    let (uscc, ver) = (v["uscc"].clone(), v["row_version"].clone());
    s.send(Admin, Method::PUT, "/api/v1/orgs/{id}", Some(unit_a), json!({"kind": "unit", "uscc": uscc, "contact_phone": "0591-87654321", "sort_order": 0, "row_version": ver}))
        .await;
    let ver = s.get(Admin, &format!("/api/v1/orgs/{site_a}")).await["row_version"].clone();
    s.send(Admin, Method::PUT, "/api/v1/orgs/{id}", Some(site_a), json!({"kind": "site", "uscc": null, "contact_phone": "", "sort_order": 0, "row_version": ver}))
        .await;
    let v = s
        .send(Admin, Method::POST, "/api/v1/orgs", None, json!({"kind": "site", "parent_id": unit_a, "uscc": null, "contact_phone": "", "sort_order": 1}))
        .await;
    s.ids.push(("/orgs/", created_id(&v)));
    s.send(
        Admin,
        Method::POST,
        "/api/v1/orgs/{id}/move",
        Some(created_id(&v)),
        json!({"parent_id": unit_a}),
    )
    .await;
    let v = s
        .send(Admin, Method::POST, "/api/v1/users", None, json!({"username": "sw_officer", "org_id": unit_a, "role": "unit_officer", "phone": "13800000000"}))
        .await;
    s.ids.push(("/users/", created_id(&v)));
}

async fn inspections(s: &mut Sweep) {
    use Actor::*;
    // Each record that an update rewrites has a twin left as created, so that what the create
    // stored is on some page too.
    let v = s
        .send(
            Supervisor,
            Method::POST,
            "/api/v1/checklists",
            None,
            json!({}),
        )
        .await;
    s.ids.push(("/checklists/", created_id(&v)));
    let v = s
        .send(
            Supervisor,
            Method::POST,
            "/api/v1/checklists",
            None,
            json!({}),
        )
        .await;
    let list = created_id(&v);
    s.ids.push(("/checklists/", list));
    let ver = s
        .version(Supervisor, &format!("/api/v1/checklists/{list}"))
        .await;
    s.send(
        Supervisor,
        Method::PUT,
        "/api/v1/checklists/{id}",
        Some(list),
        json!({"row_version": ver}),
    )
    .await;
    let v = s
        .send(
            Supervisor,
            Method::POST,
            "/api/v1/checklists/{id}/items",
            Some(list),
            json!({"major_criterion": false}),
        )
        .await;
    let item = created_id(&v);
    s.ids.push(("/checklist-items/", item));
    let ver = s
        .version(Supervisor, &format!("/api/v1/checklists/{list}"))
        .await;
    s.send(
        Supervisor,
        Method::PUT,
        "/api/v1/checklist-items/{id}",
        Some(item),
        json!({"row_version": ver, "major_criterion": false}),
    )
    .await;

    let campaign_body =
        json!({"kind": "campaign", "start_date": day(-30), "end_date": day(30), "all_units": true});
    let v = s
        .send(
            Supervisor,
            Method::POST,
            "/api/v1/campaigns",
            None,
            campaign_body.clone(),
        )
        .await;
    s.ids.push(("/campaigns/", created_id(&v)));
    let v = s
        .send(
            Supervisor,
            Method::POST,
            "/api/v1/campaigns",
            None,
            campaign_body,
        )
        .await;
    let campaign = created_id(&v);
    s.ids.push(("/campaigns/", campaign));
    let ver = s
        .version(Supervisor, &format!("/api/v1/campaigns/{campaign}"))
        .await;
    s.send(Supervisor, Method::PUT, "/api/v1/campaigns/{id}", Some(campaign), json!({"kind": "campaign", "start_date": day(-30), "end_date": day(30), "all_units": true, "row_version": ver}))
        .await;

    let task_body = |ver: Option<i64>| {
        json!({"start_date": day(-3), "due_date": day(20), "kind": "self_check", "all_units": true,
               "checklist_id": list, "campaign_id": campaign, "row_version": ver})
    };
    let v = s
        .send(
            Supervisor,
            Method::POST,
            "/api/v1/inspection-tasks",
            None,
            task_body(None),
        )
        .await;
    let task = created_id(&v);
    s.ids.push(("/inspection-tasks/", task));
    let ver = s
        .version(Supervisor, &format!("/api/v1/inspection-tasks/{task}"))
        .await;
    s.send(
        Supervisor,
        Method::PUT,
        "/api/v1/inspection-tasks/{id}",
        Some(task),
        task_body(Some(ver)),
    )
    .await;
    // A second task, cancelled (the body has no text, the operation is still swept).
    let v = s
        .send(
            Supervisor,
            Method::POST,
            "/api/v1/inspection-tasks",
            None,
            task_body(None),
        )
        .await;
    let other = created_id(&v);
    let ver = s
        .version(Supervisor, &format!("/api/v1/inspection-tasks/{other}"))
        .await;
    s.send(
        Supervisor,
        Method::POST,
        "/api/v1/inspection-tasks/{id}/cancel",
        Some(other),
        json!({"row_version": ver}),
    )
    .await;

    for immediate in [true, false] {
        inspection(s, list, item, campaign, immediate).await;
    }
    let inspection = s.id_last("/inspections/");
    let ver = s
        .version(Supervisor, &format!("/api/v1/inspections/{inspection}"))
        .await;
    s.send(
        Supervisor,
        Method::PUT,
        "/api/v1/inspections/{id}",
        Some(inspection),
        json!({"kind": "supervision", "inspected_on": day(-1), "campaign_id": campaign, "illegal_operation": true, "row_version": ver}),
    )
    .await;
}

/// An inspection with a failed item that registers a hazard: general and fixed on the spot
/// (`immediate`), or major.
async fn inspection(s: &mut Sweep, list: i64, item: i64, campaign: i64, immediate: bool) {
    let site_a = s.f.site_a.id;
    let photo = s.upload(Actor::Supervisor, site_a).await;
    let after: Vec<i64> = if immediate {
        vec![s.upload(Actor::Supervisor, site_a).await]
    } else {
        vec![]
    };
    let deadline = if immediate { String::new() } else { day(10) };
    // The other one registers a major hazard, whose criterion its page shows.
    let grade = if immediate { "general" } else { "major" };
    let v = s
        .send(
            Actor::Supervisor,
            Method::POST,
            "/api/v1/inspections",
            None,
            json!({"org_id": site_a, "kind": "supervision", "inspected_on": day(-1), "checklist_id": list,
                   "campaign_id": campaign, "illegal_operation": true, "attachment_ids": [photo],
                   "items": [{"checklist_item_id": item, "result": "fail",
                              "hazard": {"grade": grade, "deadline": deadline, "immediate": immediate,
                                         "after_attachment_ids": after}}]}),
        )
        .await;
    let id = created_id(&v);
    s.ids.push(("/inspections/", id));
    s.ids.push(("/attachments/", photo));
    // The hazard its failed item registered.
    let list = s
        .get(
            Actor::Supervisor,
            &format!("/api/v1/hazards?inspection_id={id}"),
        )
        .await;
    for h in list["items"].as_array().expect("hazards of the inspection") {
        s.ids.push(("/hazards/", h["id"].as_i64().unwrap()));
    }
}

async fn risks(s: &mut Sweep) {
    use Actor::*;
    let site_a = s.f.site_a.id;
    let point_body = json!({"org_id": site_a, "kind": "place", "report_phone": "0591-87654321"});
    let v = s
        .send(
            Supervisor,
            Method::POST,
            "/api/v1/risk-points",
            None,
            point_body.clone(),
        )
        .await;
    s.ids.push(("/risk-points/", created_id(&v)));
    let v = s
        .send(
            Supervisor,
            Method::POST,
            "/api/v1/risk-points",
            None,
            point_body,
        )
        .await;
    let point = created_id(&v);
    s.ids.push(("/risk-points/", point));
    let ver = s
        .version(Supervisor, &format!("/api/v1/risk-points/{point}"))
        .await;
    s.send(Supervisor, Method::PUT, "/api/v1/risk-points/{id}", Some(point), json!({"org_id": site_a, "kind": "place", "report_phone": "0591-87654321", "row_version": ver}))
        .await;
    let risk = |ver: Option<i64>| {
        json!({"risk_point_id": point, "method": "lec", "l": "3", "e": "6", "c": "7", "accident_standard": "",
               "accident_types": ["19"], "factors": ["21"], "assessed_on": day(-1), "control_tier": "",
               "residual_method": "", "residual_l": "", "residual_e": "", "residual_c": "", "residual_s": "",
               "s": "", "row_version": ver})
    };
    let v = s
        .send(Supervisor, Method::POST, "/api/v1/risks", None, risk(None))
        .await;
    s.ids.push(("/risks/", v["risk"]["id"].as_i64().unwrap()));
    let mut direct = risk(None);
    for (k, v) in [
        ("method", "direct"),
        ("l", ""),
        ("e", ""),
        ("c", ""),
        ("residual_method", "direct"),
    ] {
        direct[k] = json!(v);
    }
    let v = s
        .send(Supervisor, Method::POST, "/api/v1/risks", None, direct)
        .await;
    s.ids.push(("/risks/", v["risk"]["id"].as_i64().unwrap()));
    let v = s
        .send(Supervisor, Method::POST, "/api/v1/risks", None, risk(None))
        .await;
    let r = v["risk"]["id"].as_i64().unwrap();
    s.ids.push(("/risks/", r));
    let ver = s.version(Supervisor, &format!("/api/v1/risks/{r}")).await;
    s.send(
        Supervisor,
        Method::PUT,
        "/api/v1/risks/{id}",
        Some(r),
        risk(Some(ver)),
    )
    .await;
    let v = s
        .send(
            Supervisor,
            Method::POST,
            "/api/v1/risks/{id}/measures",
            Some(r),
            json!({"measure_type": "engineering", "tier": ""}),
        )
        .await;
    let m = created_id(&v);
    s.ids.push(("/risk-measures/", m));
    let ver = s.version(Supervisor, &format!("/api/v1/risks/{r}")).await;
    let _ = ver;
    let mv = s
        .get(Supervisor, &format!("/api/v1/risks/{r}"))
        .await
        .get("measures")
        .and_then(|ms| ms.as_array().cloned())
        .and_then(|ms| ms.into_iter().find(|x| x["id"] == m))
        .and_then(|x| x["row_version"].as_i64())
        .unwrap_or(1);
    s.send(
        Supervisor,
        Method::PUT,
        "/api/v1/risk-measures/{id}",
        Some(m),
        json!({"measure_type": "engineering", "tier": "", "row_version": mv}),
    )
    .await;
    let settings = s.get(Supervisor, "/api/v1/risk-settings").await;
    s.send(
        Supervisor,
        Method::PUT,
        "/api/v1/risk-settings",
        None,
        json!({"rules": settings["rules"], "row_version": settings["row_version"]}),
    )
    .await;
}

async fn hazards(s: &mut Sweep) {
    use Actor::*;
    let site_a = s.f.site_a.id;
    let campaign = s.id("/campaigns/");
    let point = s.id("/risk-points/");
    // 立即整改: fixed on the spot, with its note.
    let (before, after) = (
        s.upload(Supervisor, site_a).await,
        s.upload(Supervisor, site_a).await,
    );
    let v = s
        .send(
            Supervisor,
            Method::POST,
            "/api/v1/hazards",
            None,
            json!({"org_id": site_a, "grade": "general", "found_on": day(-1), "deadline": "", "immediate": true,
                   "major_criterion": "", "before_attachment_ids": [before], "after_attachment_ids": [after], "row_version": 0}),
        )
        .await;
    s.ids.push(("/hazards/", created_id(&v)));
    let before = s.upload(Supervisor, site_a).await;
    let general = |ver: i64| {
        json!({"org_id": site_a, "grade": "general", "found_on": day(-2), "deadline": day(5), "immediate": false,
               "major_criterion": "", "campaign_id": campaign, "risk_point_id": point,
               "before_attachment_ids": [before], "after_attachment_ids": [], "row_version": ver})
    };
    let v = s
        .send(
            Supervisor,
            Method::POST,
            "/api/v1/hazards",
            None,
            general(0),
        )
        .await;
    let h = created_id(&v);
    s.ids.push(("/hazards/", h));
    let path = format!("/api/v1/hazards/{h}");
    let ver = s.version(Supervisor, &path).await;
    s.send(
        Supervisor,
        Method::PUT,
        "/api/v1/hazards/{id}",
        Some(h),
        general(ver),
    )
    .await;
    let ver = s.version(Head, &path).await;
    s.send(
        Head,
        Method::POST,
        "/api/v1/hazards/{id}/assign",
        Some(h),
        json!({"row_version": ver, "funds": "800"}),
    )
    .await;
    let ver = s.version(Head, &path).await;
    s.send(
        Head,
        Method::POST,
        "/api/v1/hazards/{id}/extensions",
        Some(h),
        json!({"row_version": ver, "new_deadline": day(15)}),
    )
    .await;
    let ver = s.version(Supervisor, &path).await;
    s.send(
        Supervisor,
        Method::POST,
        "/api/v1/hazards/{id}/extensions/decide",
        Some(h),
        json!({"row_version": ver, "decision": "approve"}),
    )
    .await;
    for round in 0..2 {
        let after = s.upload(Head, site_a).await;
        let ver = s.version(Head, &path).await;
        s.send(
            Head,
            Method::POST,
            "/api/v1/hazards/{id}/submit",
            Some(h),
            json!({"row_version": ver, "rectified_on": day(0), "after_attachment_ids": [after]}),
        )
        .await;
        let ver = s.version(Supervisor, &path).await;
        if round == 0 {
            s.send(
                Supervisor,
                Method::POST,
                "/api/v1/hazards/{id}/reject",
                Some(h),
                json!({"row_version": ver, "verified_on": day(0)}),
            )
            .await;
        } else {
            s.send(
                Supervisor,
                Method::POST,
                "/api/v1/hazards/{id}/verify",
                Some(h),
                json!({"row_version": ver, "verified_on": day(0)}),
            )
            .await;
        }
    }

    // A major hazard: reported, listed for supervision, planned, rectified, verified, lifted.
    let before = s.upload(Supervisor, site_a).await;
    let v = s
        .send(
            Supervisor,
            Method::POST,
            "/api/v1/hazards",
            None,
            json!({"org_id": site_a, "grade": "major", "found_on": day(-3), "deadline": day(30), "immediate": false,
                   "before_attachment_ids": [before], "row_version": 0}),
        )
        .await;
    let m = created_id(&v);
    s.ids.push(("/hazards/", m));
    let path = format!("/api/v1/hazards/{m}");
    let plan = s.upload(Head, site_a).await;
    let ver = s.version(Head, &path).await;
    s.send(
        Head,
        Method::POST,
        "/api/v1/hazards/{id}/plan",
        Some(m),
        json!({"row_version": ver, "plan_attachment_ids": [plan]}),
    )
    .await;
    let ver = s.version(Supervisor, &path).await;
    s.send(
        Supervisor,
        Method::POST,
        "/api/v1/hazards/{id}/report",
        Some(m),
        json!({"row_version": ver}),
    )
    .await;
    let ver = s.version(Supervisor, &path).await;
    s.send(
        Supervisor,
        Method::POST,
        "/api/v1/hazards/{id}/listing",
        Some(m),
        json!({"row_version": ver, "listed_on": day(-1), "deadline": day(40)}),
    )
    .await;
    let ver = s.version(Head, &path).await;
    s.send(
        Head,
        Method::POST,
        "/api/v1/hazards/{id}/assign",
        Some(m),
        json!({"row_version": ver, "funds": "12000"}),
    )
    .await;
    let after = s.upload(Head, site_a).await;
    let ver = s.version(Head, &path).await;
    s.send(
        Head,
        Method::POST,
        "/api/v1/hazards/{id}/submit",
        Some(m),
        json!({"row_version": ver, "rectified_on": day(0), "after_attachment_ids": [after]}),
    )
    .await;
    let ver = s.version(Supervisor, &path).await;
    s.send(
        Supervisor,
        Method::POST,
        "/api/v1/hazards/{id}/verify",
        Some(m),
        json!({"row_version": ver, "verified_on": day(0)}),
    )
    .await;
    let proof = s.upload(Supervisor, site_a).await;
    let ver = s.version(Supervisor, &path).await;
    s.send(
        Supervisor,
        Method::POST,
        "/api/v1/hazards/{id}/lift",
        Some(m),
        json!({"row_version": ver, "lifted_on": day(0), "lift_attachment_ids": [proof]}),
    )
    .await;
}

async fn ledgers(s: &mut Sweep) {
    use Actor::*;
    let unit_a = s.f.unit_a.id;
    let campaign = s.id("/campaigns/");
    let head = s.users[&Head].id;
    let d = day(-1);
    let bodies: Vec<Value> = vec![
        json!({"kind": "funding", "category": "1", "amount": "1200.50"}),
        json!({"kind": "training", "hours": "2.5", "participants": "20", "attendee_user_ids": [head]}),
        json!({"kind": "publicity", "participants": "100", "campaign_id": campaign}),
        json!({"kind": "drill", "drill_kind": "single", "drill_form": "live", "plan_type": "onsite", "participants": "30"}),
        json!({"kind": "meeting", "category": "专题会议", "attendee_user_ids": [head],
               "items": [{"deadline": day(10), "owner_user_id": head, "status": "open"}]}),
        json!({"kind": "letter", "year": today().format("%Y").to_string()}),
    ];
    for mut b in bodies {
        b["org_id"] = json!(unit_a);
        b["entry_date"] = json!(d);
        for k in [
            "amount",
            "hours",
            "participants",
            "year",
            "drill_kind",
            "drill_form",
            "plan_type",
        ] {
            if b.get(k).is_none() {
                b[k] = json!("");
            }
        }
        let v = s
            .send(
                Head,
                Method::POST,
                "/api/v1/ledgers/entries",
                None,
                b.clone(),
            )
            .await;
        let id = created_id(&v);
        s.ids.push(("/ledgers/entries/", id));
        if b["kind"] == "meeting" {
            let detail = s.get(Head, &format!("/api/v1/ledgers/entries/{id}")).await;
            let item = super::sweep::find_key(&detail, "items")
                .and_then(|i| i[0]["id"].as_i64())
                .unwrap_or_else(|| panic!("the meeting's action item: {detail}"));
            s.ids.push(("/ledgers/items/", item));
            let ver = s
                .version(Head, &format!("/api/v1/ledgers/entries/{id}"))
                .await;
            // A second meeting, as created, keeps the create's values on a page.
            s.send(
                Head,
                Method::POST,
                "/api/v1/ledgers/entries",
                None,
                b.clone(),
            )
            .await;
            b["row_version"] = json!(ver);
            s.send(
                Head,
                Method::PUT,
                "/api/v1/ledgers/entries/{id}",
                Some(id),
                b,
            )
            .await;
        }
    }
}

async fn duty_and_incidents(s: &mut Sweep) {
    use Actor::*;
    let (unit_a, site_a) = (s.f.unit_a.id, s.f.site_a.id);
    // Rosters read "name phone" lines: names of at most 30 characters, without spaces.
    let op = "POST /api/v1/duty/rosters";
    let leader = s.compact_payload("RosterBody.leaders", op, 30);
    let officer = s.compact_payload("RosterBody.officers", op, 30);
    let v = s
        .send(
            Supervisor,
            Method::POST,
            "/api/v1/duty/rosters",
            None,
            json!({"org_id": unit_a, "start_date": day(0), "end_date": day(6), "shift_start": "08:30", "shift_hours": 24,
                   "officers_per_day": 1, "leaders": [format!("{leader} 13800000001")], "officers": [format!("{officer} 13800000002")]}),
        )
        .await;
    let roster = created_id(&v);
    s.ids.push(("/duty/rosters/", roster));
    // Its twin, the week after, keeps the people as created (the first is regenerated below).
    let twin = s
        .app
        .api(
            Method::POST,
            "/api/v1/duty/rosters",
            Some(s.token(Supervisor)),
            Some(json!({"org_id": unit_a, "name": "第二周值班表", "note": "", "start_date": day(7), "end_date": day(13), "shift_start": "08:30", "shift_hours": 24,
                        "officers_per_day": 1, "leaders": [format!("{leader} 13800000001")], "officers": [format!("{officer} 13800000002")]})),
        )
        .await;
    assert!(twin.status.is_success(), "the twin roster: {}", twin.text());
    s.ids.push(("/duty/rosters/", created_id(&twin.json())));
    roster_edits(s, roster).await;
    let ver = s
        .version(Supervisor, &format!("/api/v1/duty/rosters/{roster}"))
        .await;
    s.send(
        Supervisor,
        Method::POST,
        "/api/v1/duty/rosters/{id}/publish",
        Some(roster),
        json!({"row_version": ver}),
    )
    .await;
    swaps(s, roster).await;
    calendar(s).await;
    s.send(
        Supervisor,
        Method::POST,
        "/api/v1/duty/logs",
        None,
        json!({"org_id": unit_a, "kind": "entry", "logged_at": ""}),
    )
    .await;
    s.send(
        Supervisor,
        Method::POST,
        "/api/v1/duty/zero-reports",
        None,
        json!({"org_id": unit_a, "report_date": day(0)}),
    )
    .await;

    let at = (chrono::Utc::now() - chrono::Duration::hours(2)).to_rfc3339();
    let figures = json!({"deaths": 0, "serious_injuries": 1, "minor_injuries": 0, "missing": 0, "direct_loss_yuan": "12000.50"});
    let body = json!({"org_id": site_a, "event_kind": "accident", "occurred_at": at, "accident_type": "19",
                      "traffic_or_fire": false, "figures": figures});
    let v = s
        .send(
            Supervisor,
            Method::POST,
            "/api/v1/incidents",
            None,
            body.clone(),
        )
        .await;
    s.ids.push(("/incidents/", created_id(&v)));
    let v = s
        .send(Supervisor, Method::POST, "/api/v1/incidents", None, body)
        .await;
    let incident = created_id(&v);
    s.ids.push(("/incidents/", incident));
    let path = format!("/api/v1/incidents/{incident}");
    for kind in ["follow_up", "final"] {
        let ver = s.version(Supervisor, &path).await;
        s.send(
            Supervisor,
            Method::POST,
            "/api/v1/incidents/{id}/reports",
            Some(incident),
            json!({"kind": kind, "row_version": ver, "figures": figures}),
        )
        .await;
    }
    let rules = s.get(Supervisor, "/api/v1/incident-rules").await;
    s.send(
        Supervisor,
        Method::PUT,
        "/api/v1/incident-rules",
        None,
        rules,
    )
    .await;
}

/// The draft roster regenerated with a named shift, then one shift edited by hand.
async fn roster_edits(s: &mut Sweep, roster: i64) {
    use Actor::*;
    let path = format!("/api/v1/duty/rosters/{roster}");
    let op = "POST /api/v1/duty/rosters/{id}/generate";
    let leader = s.compact_payload("DutyGenerateBody.leaders", op, 30);
    let officer = s.compact_payload("DutyGenerateBody.officers", op, 30);
    let ver = s.version(Supervisor, &path).await;
    s.send(
        Supervisor,
        Method::POST,
        "/api/v1/duty/rosters/{id}/generate",
        Some(roster),
        json!({"row_version": ver, "shifts": [{"start": "08:30", "hours": 24}], "officers_per_day": 1,
               "leaders": [format!("{leader} 13800000003")], "officers": [format!("{officer} 13800000004")]}),
    )
    .await;
    let shift = first_shift(s, &path).await;
    let officer = s.compact_payload("DutyShiftBody.officers", "PUT /api/v1/duty/shifts/{id}", 30);
    let ver = s.version(Supervisor, &path).await;
    s.send(
        Supervisor,
        Method::PUT,
        "/api/v1/duty/shifts/{id}",
        Some(shift),
        json!({"row_version": ver, "shift_start": "08:30", "shift_hours": 24, "leader_phone": "13800000005",
               "officers": [format!("{officer} 13800000006")]}),
    )
    .await;
}

/// The id of the roster's first shift, from its detail.
async fn first_shift(s: &Sweep, path: &str) -> i64 {
    let detail = s.get(Actor::Supervisor, path).await;
    super::sweep::find_key(&detail, "shifts")
        .and_then(|v| v[0]["id"].as_i64())
        .unwrap_or_else(|| panic!("no shift in {detail}"))
}

/// Two swaps of the published roster's first shift: one approved (its officer is then the
/// one swapped in, who is the next swap's "from"), one refused.
async fn swaps(s: &mut Sweep, roster: i64) {
    use Actor::*;
    let path = format!("/api/v1/duty/rosters/{roster}");
    let shift = first_shift(s, &path).await;
    for decision in ["approve", "reject"] {
        let detail = s.get(Supervisor, &path).await;
        let from = super::sweep::find_key(&detail, "shifts")
            .and_then(|v| v[0]["officers"][0]["name"].as_str().map(str::to_string))
            .unwrap_or_else(|| panic!("no officer on the first shift: {detail}"));
        // The one swapped in joins the "name phone" lines: a name without spaces.
        let to = s.compact_payload(
            "DutySwapBody.to_name",
            "POST /api/v1/duty/rosters/{id}/swaps",
            30,
        );
        let v = s
            .send(
                Head,
                Method::POST,
                "/api/v1/duty/rosters/{id}/swaps",
                Some(roster),
                json!({"shift_id": shift, "role": "officer", "from_name": from, "to_name": to, "to_phone": "13800000007"}),
            )
            .await;
        let swap = created_id(&v);
        s.ids.push(("/duty/swaps/", swap));
        let ver = s.version(Supervisor, &path).await;
        let template = format!("/api/v1/duty/swaps/{{id}}/{decision}");
        s.send(
            Supervisor,
            Method::POST,
            &template,
            Some(swap),
            json!({"row_version": ver}),
        )
        .await;
    }
}

/// A calendar day created, a second one created and edited.
async fn calendar(s: &mut Sweep) {
    use Actor::*;
    let body = |n: i64| json!({"first_date": day(n), "last_date": day(n), "kind": "holiday"});
    s.send(
        Supervisor,
        Method::POST,
        "/api/v1/duty/calendar",
        None,
        body(3),
    )
    .await;
    let v = s
        .send(
            Supervisor,
            Method::POST,
            "/api/v1/duty/calendar",
            None,
            body(4),
        )
        .await;
    let id = created_id(&v);
    let list = s.get(Supervisor, "/api/v1/duty/calendar").await;
    let ver = version_of(&list, id);
    let mut b = body(4);
    b["row_version"] = json!(ver);
    s.send(
        Supervisor,
        Method::PUT,
        "/api/v1/duty/calendar/{id}",
        Some(id),
        b,
    )
    .await;
}

/// The `row_version` of the object with `id` anywhere in `v`.
fn version_of(v: &Value, id: i64) -> i64 {
    let mut queue = std::collections::VecDeque::from([v]);
    while let Some(x) = queue.pop_front() {
        match x {
            Value::Object(o) => {
                if o.get("id").and_then(Value::as_i64) == Some(id) {
                    if let Some(ver) = o.get("row_version").and_then(Value::as_i64) {
                        return ver;
                    }
                }
                queue.extend(o.values());
            }
            Value::Array(a) => queue.extend(a.iter()),
            _ => {}
        }
    }
    panic!("no row_version of {id} in {v}")
}

/// The bureau's ledger settings saved back, and two funding categories (one renamed).
async fn ledger_settings(s: &mut Sweep) {
    use Actor::*;
    let current = s.get(Supervisor, "/api/v1/ledgers/settings").await;
    let rules = super::sweep::find_key(&current, "rules").unwrap_or_else(|| current.clone());
    let mut body = json!({"row_version": rules["row_version"].clone()});
    for k in [
        "drill_onsite_months",
        "drill_plan_months",
        "manager_initial_hours",
        "manager_yearly_hours",
        "newcomer_hours",
        "staff_yearly_hours",
    ] {
        let v = &rules[k];
        assert!(!v.is_null(), "ledger settings without {k}: {current}");
        // The hours go back as the text the API reads ("32", "12.5").
        body[k] = if k.ends_with("hours") {
            json!(v.to_string().trim_matches('"'))
        } else {
            v.clone()
        };
    }
    s.send(
        Supervisor,
        Method::PUT,
        "/api/v1/ledgers/settings",
        None,
        body,
    )
    .await;
    s.send(
        Supervisor,
        Method::POST,
        "/api/v1/ledgers/settings/categories",
        None,
        json!({}),
    )
    .await;
    let v = s
        .send(
            Supervisor,
            Method::POST,
            "/api/v1/ledgers/settings/categories",
            None,
            json!({}),
        )
        .await;
    let id = created_id(&v);
    let list = s.get(Supervisor, "/api/v1/ledgers/settings").await;
    let ver = version_of(&list, id);
    s.send(
        Supervisor,
        Method::PUT,
        "/api/v1/ledgers/settings/categories/{id}",
        Some(id),
        json!({"row_version": ver, "sort_order": 20, "active": true}),
    )
    .await;
}

async fn reports(s: &mut Sweep) {
    use Actor::*;
    let year = today().format("%Y").to_string();
    let v = s
        .send(
            Supervisor,
            Method::POST,
            "/api/v1/reports/drafts",
            None,
            json!({"period": year, "org_id": s.f.unit_a.id}),
        )
        .await;
    let draft = created_id(&v);
    s.ids.push(("/reports/drafts/", draft));
    let ver = s
        .version(Supervisor, &format!("/api/v1/reports/drafts/{draft}"))
        .await;
    s.send(
        Supervisor,
        Method::POST,
        "/api/v1/reports/drafts/{id}/versions",
        Some(draft),
        json!({"row_version": ver, "sections": [{"level": 1}, {"level": 2}]}),
    )
    .await;
}
