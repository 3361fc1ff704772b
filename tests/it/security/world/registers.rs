//! The world's registers after the hazards: the six ledgers and their settings, duty rosters
//! (regenerated, edited, swapped), the holiday calendar, incidents from 首报 to 终报, and the
//! summary's drafts.

use axum::http::Method;
use serde_json::{json, Value};

use anjian_db::hazard::today;

use super::day;
use crate::security::sweep::{created_id, find_key, Actor, Sweep};

pub(super) async fn ledgers(s: &mut Sweep) {
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
            let item = find_key(&detail, "items")
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

pub(super) async fn duty_and_incidents(s: &mut Sweep) {
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
    find_key(&detail, "shifts")
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
        let from = find_key(&detail, "shifts")
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
pub(super) async fn ledger_settings(s: &mut Sweep) {
    use Actor::*;
    let current = s.get(Supervisor, "/api/v1/ledgers/settings").await;
    let rules = find_key(&current, "rules").unwrap_or_else(|| current.clone());
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

pub(super) async fn reports(s: &mut Sweep) {
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
