//! What the crash test's client was told: every acknowledged write with what was sent, and the
//! checker that compares them with what a restarted server shows. The checker has a self-test
//! (`controls`): planted faults it must report.

use std::sync::Arc;

use reqwest::{Client, Method};
use serde_json::{json, Value};

use crate::client;

/// One write the server acknowledged, with what was sent.
#[derive(Debug, Clone)]
pub enum Ack {
    Attachment {
        id: i64,
        name: String,
        bytes: Arc<Vec<u8>>,
    },
    Hazard(HazardAck),
    Ledger {
        id: i64,
        sent: Value,
    },
}

/// A hazard and how far its loop was acknowledged.
#[derive(Debug, Clone)]
pub struct HazardAck {
    pub id: i64,
    pub sent: Value,
    pub before: i64,
    /// (owner, measures, funds in 分)
    pub assigned: Option<(String, String, i64)>,
    /// (rectified_on, note, after-evidence attachment id)
    pub submitted: Option<(String, String, i64)>,
}

/// Planted faults for the checker's self-test.
pub fn controls(acks: &[Ack]) -> Vec<Ack> {
    let mut out = Vec::new();
    let max_hazard = acks
        .iter()
        .filter_map(|a| match a {
            Ack::Hazard(h) => Some(h.id),
            _ => None,
        })
        .max()
        .expect("some hazard acknowledged");
    let h = acks.iter().find_map(|a| match a {
        Ack::Hazard(h) => Some(h.clone()),
        _ => None,
    });
    let mut lost = h.expect("hazard");
    lost.id = max_hazard + 10_000;
    out.push(Ack::Hazard(lost));
    if let Some(Ack::Ledger { id, sent }) = acks.iter().find(|a| matches!(a, Ack::Ledger { .. })) {
        let mut sent = sent.clone();
        sent["title"] = json!("被改动的标题");
        out.push(Ack::Ledger { id: *id, sent });
    }
    if let Some(Ack::Attachment { id, name, bytes }) =
        acks.iter().find(|a| matches!(a, Ack::Attachment { .. }))
    {
        let mut b = bytes.to_vec();
        let last = b.len() - 1;
        b[last] ^= 0xFF;
        out.push(Ack::Attachment {
            id: *id,
            name: name.clone(),
            bytes: Arc::new(b),
        });
    }
    out
}

/// Every acknowledged write as the restarted server shows it; one line per discrepancy.
pub async fn check(c: &Client, base: &str, token: &str, acks: &[Ack]) -> Vec<String> {
    let mut problems = Vec::new();
    for a in acks {
        match a {
            Ack::Attachment { id, name, bytes } => {
                let meta = client::api(
                    c,
                    base,
                    token,
                    Method::GET,
                    &format!("/api/v1/attachments/{id}"),
                    None,
                )
                .await
                .expect("GET attachment");
                if meta.status != 200 {
                    problems.push(format!("attachment {id}: {}", meta.status));
                    continue;
                }
                let m = meta.json();
                if m["original_name"] != name.as_str() || m["size_bytes"] != bytes.len() {
                    problems.push(format!("attachment {id}: metadata {m}"));
                }
                let file = client::api(
                    c,
                    base,
                    token,
                    Method::GET,
                    &format!("/attachments/{id}"),
                    None,
                )
                .await
                .expect("download");
                if file.status != 200 || file.body != **bytes {
                    problems.push(format!(
                        "attachment {id}: {} with {} bytes, {} acknowledged",
                        file.status,
                        file.body.len(),
                        bytes.len()
                    ));
                }
            }
            Ack::Ledger { id, sent } => {
                let r = client::api(
                    c,
                    base,
                    token,
                    Method::GET,
                    &format!("/api/v1/ledgers/entries/{id}"),
                    None,
                )
                .await
                .expect("GET entry");
                if r.status != 200 {
                    problems.push(format!("ledger entry {id}: {}", r.status));
                    continue;
                }
                let e = r.json()["entry"].clone();
                let fen =
                    anjian_domain::money::Fen::parse_yuan(sent["amount"].as_str().unwrap_or(""))
                        .expect("amount")
                        .0;
                for (k, want) in [
                    ("kind", sent["kind"].clone()),
                    ("org_id", sent["org_id"].clone()),
                    ("entry_date", sent["entry_date"].clone()),
                    ("category", sent["category"].clone()),
                    ("title", sent["title"].clone()),
                    ("description", sent["description"].clone()),
                    ("amount_fen", json!(fen)),
                ] {
                    if e[k] != want {
                        problems.push(format!("ledger entry {id}: {k} is {}, sent {want}", e[k]));
                    }
                }
            }
            Ack::Hazard(h) => check_hazard(c, base, token, h, &mut problems).await,
        }
    }
    problems
}

async fn check_hazard(
    c: &Client,
    base: &str,
    token: &str,
    h: &HazardAck,
    problems: &mut Vec<String>,
) {
    let id = h.id;
    let r = client::api(
        c,
        base,
        token,
        Method::GET,
        &format!("/api/v1/hazards/{id}"),
        None,
    )
    .await
    .expect("GET hazard");
    if r.status != 200 {
        problems.push(format!("hazard {id}: {}", r.status));
        return;
    }
    let d = r.json();
    let hz = &d["hazard"];
    let mut want: Vec<(&str, Value)> = [
        "org_id",
        "location",
        "description",
        "category",
        "grade",
        "found_on",
        "found_by",
    ]
    .into_iter()
    .map(|k| (k, h.sent[k].clone()))
    .collect();
    want.push(("original_deadline", h.sent["deadline"].clone()));
    if let Some((owner, measures, fen)) = &h.assigned {
        want.push(("owner", json!(owner)));
        want.push(("measures", json!(measures)));
        want.push(("funds_fen", json!(fen)));
    }
    if let Some((on, note, _)) = &h.submitted {
        want.push(("status", json!("awaiting_verification")));
        want.push(("rectified_on", json!(on)));
        want.push(("rectification_note", json!(note)));
    }
    for (k, v) in want {
        if hz[k] != v {
            problems.push(format!("hazard {id}: {k} is {}, sent {v}", hz[k]));
        }
    }
    let linked = |att: i64, kind: &str| {
        d["attachments"].as_array().is_some_and(|a| {
            a.iter()
                .any(|x| x["attachment_id"] == att && x["kind"] == kind)
        })
    };
    if !linked(h.before, "before") {
        problems.push(format!("hazard {id}: before-photo {} not linked", h.before));
    }
    if let Some((_, _, after)) = &h.submitted {
        if !linked(*after, "after") {
            problems.push(format!("hazard {id}: evidence {after} not linked"));
        }
    }
    // The timeline holds each acknowledged step exactly once (and nothing twice).
    let events: Vec<&str> = d["events"]
        .as_array()
        .map(|e| e.iter().filter_map(|x| x["action"].as_str()).collect())
        .unwrap_or_default();
    for (action, acked) in [
        ("registered", true),
        ("assigned", h.assigned.is_some()),
        ("submitted", h.submitted.is_some()),
    ] {
        let n = events.iter().filter(|a| **a == action).count();
        if n > 1 || (acked && n != 1) {
            problems.push(format!("hazard {id}: {n} '{action}' events"));
        }
    }
}
