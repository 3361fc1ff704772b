//! A world of records in unit A built through the JSON API, each body swept (see `sweep`): every
//! operation of the OpenAPI document that takes a JSON body is sent at least once, in an order
//! that gets each record through its life (a hazard from registration to closing, a major one
//! through listing and lifting, an incident from 首报 to 终报).

use axum::http::Method;
use serde_json::json;

use anjian_db::hazard::today;

use super::sweep::{created_id, Actor, Sweep};

mod registers;

use registers::{duty_and_incidents, ledger_settings, ledgers, reports};

pub(super) fn day(n: i64) -> String {
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
