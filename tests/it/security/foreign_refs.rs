//! Ids inside request bodies are scoped like ids in paths: every create of the API, replayed by
//! a unit A user with one reference swapped for a unit B record (its organisation, campaign,
//! checklist, task, risk point, attachments, people), is refused and stores nothing. The same
//! body unchanged is accepted first, so the refusal is about the reference.

use axum::http::Method;
use serde_json::{json, Value};

use anjian_web::auth::Access;
use anjian_web::route_table;

use super::sweep::resolve;
use super::walk::Callers;
use super::{world, xss_payload};
use crate::routes_walk::{foreign, role_for};

/// References a body may carry, and unit B's record for each.
fn foreign_value(
    b: &crate::routes_walk::Foreign,
    f: &anjian_testkit::Fixture,
    name: &str,
) -> Value {
    let one = |frag: &str| json!(b.id_for(frag));
    match name {
        "org_id" | "parent_id" => json!(f.site_b.id),
        "org_ids" => json!([f.unit_b.id]),
        "campaign_id" => one("/campaigns/"),
        "checklist_id" => one("/checklists/"),
        "checklist_item_id" => one("/checklist-items/"),
        "task_id" => one("/inspection-tasks/"),
        "risk_point_id" => one("/risk-points/"),
        n if n.ends_with("attachment_ids") => json!([b.id_for("/attachments/")]),
        "responsible_user_id" | "owner_user_id" => json!(b.user.id),
        "attendee_user_ids" => json!([b.user.id]),
        other => panic!("a body references {other}: teach this test unit B's record for it"),
    }
}

/// Top-level id properties of the operation's body schema.
fn id_properties(doc: &Value, op: &str) -> Vec<String> {
    let (method, path) = op.split_once(' ').unwrap();
    let schema = &doc["paths"][path][method.to_ascii_lowercase()]["requestBody"]["content"]
        ["application/json"]["schema"];
    let (_, s) = resolve(doc, schema);
    s["properties"]
        .as_object()
        .map(|p| {
            p.keys()
                .filter(|k| k.ends_with("_id") || k.ends_with("_ids"))
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

/// Every `…attachment_ids` list of the body (nested ones too) replaced by new uploads.
async fn fresh_attachments(s: &super::sweep::Sweep, token: &str, v: &mut Value) {
    let mut lists = Vec::new();
    collect_lists(v, &mut lists);
    let mut ids = Vec::new();
    for n in lists.iter().map(|l| l.len()) {
        let mut one = Vec::new();
        for _ in 0..n {
            let res = super::sweep::upload_pdf(&s.app, token, s.f.site_a.id, "证明.pdf").await;
            one.push(res.json()["id"].clone());
        }
        ids.push(one);
    }
    replace_lists(v, &mut ids.into_iter());
}

fn collect_lists(v: &Value, out: &mut Vec<Vec<Value>>) {
    if let Value::Object(o) = v {
        for (k, x) in o {
            match x {
                Value::Array(a) if k.ends_with("attachment_ids") => out.push(a.clone()),
                _ => collect_lists(x, out),
            }
        }
    } else if let Value::Array(a) = v {
        a.iter().for_each(|x| collect_lists(x, out));
    }
}

fn replace_lists(v: &mut Value, ids: &mut impl Iterator<Item = Vec<Value>>) {
    if let Value::Object(o) = v {
        for (k, x) in o.iter_mut() {
            if k.ends_with("attachment_ids") && x.is_array() {
                *x = Value::Array(ids.next().unwrap_or_default());
            } else {
                replace_lists(x, ids);
            }
        }
    } else if let Value::Array(a) = v {
        a.iter_mut().for_each(|x| replace_lists(x, ids));
    }
}

#[tokio::test]
async fn references_to_another_units_records_in_bodies_are_refused() {
    let s = world::build(xss_payload).await;
    let b = foreign(&s.app, &s.f).await;
    let mut callers = Callers::default();
    let mut refused = 0;
    let mut done = std::collections::BTreeSet::new();
    for (op, body) in s
        .sent
        .iter()
        .filter(|(op, _)| op.starts_with("POST ") && !op.contains("{id}"))
    {
        if !done.insert(op.clone()) {
            continue;
        }
        let path = op.trim_start_matches("POST ");
        let entry = route_table()
            .entries
            .into_iter()
            .find(|e| e.method == Method::POST && e.path == path)
            .unwrap();
        // Accounts are opened by administrators (the route itself is open to all signed in).
        let role = match entry.access {
            Access::Perm(_) => role_for(entry.access),
            _ => anjian_domain::role::Role::SystemAdmin,
        };
        let (_, token) = callers.get(&s, role, s.f.unit_a.id).await;
        // As sent by the world, from unit A: accepted (a unit user may create it at all). Names
        // are made new (some must be unique), a zero report moves to yesterday (one a day), and
        // attachments are fresh uploads of the caller's (each serves one record).
        let text = body.to_string().replace("ZQ", "ZR");
        let mut base: Value = serde_json::from_str(&text).unwrap();
        if base.get("username").is_some() {
            base["username"] = json!("fr_base");
        }
        if base.get("report_date").is_some() {
            base["report_date"] =
                json!((anjian_db::hazard::today() - chrono::Duration::days(1)).to_string());
        }
        fresh_attachments(&s, &token, &mut base).await;
        let res = s
            .app
            .api(Method::POST, path, Some(&token), Some(base.clone()))
            .await;
        if !res.status.is_success() {
            eprintln!(
                "foreign refs: {op} not open to {role:?} at unit A ({}), skipped",
                res.status
            );
            continue;
        }
        for prop in id_properties(&s.doc, op) {
            if body
                .get(&prop)
                .is_none_or(|v| v.is_null() || v == &json!([]))
            {
                continue;
            }
            let mut bad = base.clone();
            fresh_attachments(&s, &token, &mut bad).await;
            bad[&prop] = foreign_value(&b, &s.f, &prop);
            if prop == "org_ids" && bad.get("all_units").is_some() {
                bad["all_units"] = json!(false);
            }
            if bad.get("username").is_some() {
                bad["username"] = json!(format!("fr_{prop}"));
            }
            let res = s.app.api(Method::POST, path, Some(&token), Some(bad)).await;
            assert!(
                res.status.is_client_error(),
                "{op} with unit B's {prop} as {role:?} at unit A: {} {}",
                res.status,
                res.text()
            );
            refused += 1;
        }
    }
    eprintln!("foreign refs: {refused} references to unit B refused");
    assert!(refused >= 15, "{refused}");
}
