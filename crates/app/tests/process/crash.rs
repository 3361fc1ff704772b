//! Crash safety: concurrent writers (hazard registration, 五落实, rectification submission with
//! evidence, funding ledger entries, uploads) against a real `anjian serve`, killed with SIGKILL
//! while requests are in flight. Every write whose 2xx answer arrived must survive the restart
//! with the fields that were sent and the exact bytes uploaded; the audit chain must verify and
//! the database must pass its integrity checks. Two crashes: the second hits a database that
//! already recovered from the first. What was acknowledged is recorded in `acks`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::{Client, Method};
use serde_json::{json, Value};

use crate::acks::{check, controls, Ack, HazardAck};
use crate::client::{self, Resp};
use crate::harness::{Server, Store};
use crate::integrity;
use crate::world;

const WORKERS: usize = 8;
/// Acknowledged writes before the kill is armed; the kill then lands at a random moment.
const KILL_AFTER: usize = 300;

/// The writers' shared state.
struct Load {
    c: Client,
    base: String,
    token: String,
    unit_id: i64,
    cycle: usize,
    acked: AtomicUsize,
    in_flight: AtomicUsize,
    refused: std::sync::Mutex<Vec<String>>,
    /// One document every worker uploads again and again: storing content that is already in
    /// the store must never damage the copy an earlier upload was acknowledged with.
    shared: Arc<Vec<u8>>,
    /// The first acknowledged upload of `shared`, which the reader keeps downloading.
    shared_id: std::sync::OnceLock<i64>,
    /// Set once the server was killed.
    killed: std::sync::atomic::AtomicBool,
}

fn pdf(tag: &str, filler: usize) -> Vec<u8> {
    let mut b = format!("%PDF-1.4\n% anjian process test {tag}\n").into_bytes();
    b.extend((0..filler).map(|_| rand::random::<u8>()));
    b.extend_from_slice(b"\n%%EOF\n");
    b
}

impl Load {
    /// `None` once the server is gone (transport error) or when it answered other than 2xx
    /// (recorded: a healthy server refuses none of this load).
    async fn call(
        &self,
        what: &str,
        f: impl std::future::Future<Output = reqwest::Result<Resp>>,
    ) -> Option<Value> {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        let r = f.await;
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        match r {
            Ok(r) if r.ok() => {
                self.acked.fetch_add(1, Ordering::SeqCst);
                Some(r.json())
            }
            Ok(r) => {
                self.refused
                    .lock()
                    .unwrap()
                    .push(format!("{what}: {} {}", r.status, r.text()));
                None
            }
            Err(_) => None,
        }
    }

    async fn upload(&self, name: String, bytes: Arc<Vec<u8>>, acks: &mut Vec<Ack>) -> Option<i64> {
        let v = self
            .call(
                "upload",
                client::upload(&self.c, &self.base, &self.token, &name, &bytes),
            )
            .await?;
        let id = v["id"].as_i64()?;
        acks.push(Ack::Attachment { id, name, bytes });
        Some(id)
    }

    async fn post(&self, what: &str, path: &str, body: &Value) -> Option<Value> {
        self.call(
            what,
            client::api(
                &self.c,
                &self.base,
                &self.token,
                Method::POST,
                path,
                Some(body),
            ),
        )
        .await
    }

    /// One worker: the hazard loop and a ledger entry, over and over, until the server dies.
    async fn worker(self: Arc<Self>, w: usize) -> Vec<Ack> {
        let mut acks = Vec::new();
        for i in 0.. {
            let tag = format!("c{}w{w}i{i}", self.cycle);
            let Some(before) = self
                .upload(
                    format!("隐患照片-{tag}.pdf"),
                    Arc::new(pdf(&tag, 3000 + 97 * i)),
                    &mut acks,
                )
                .await
            else {
                break;
            };
            let sent = json!({
                "org_id": self.unit_id, "location": format!("{w}号仓第{i}廒间"),
                "description": format!("配电箱未接地 {tag}"), "category": "电气",
                "grade": "general", "found_on": "2024-01-15", "found_by": format!("检查员{w}"),
                "deadline": "2030-06-30", "before_attachment_ids": [before]
            });
            let Some(v) = self.post("register", "/api/v1/hazards", &sent).await else {
                break;
            };
            let mut h = HazardAck {
                id: v["hazard"]["id"].as_i64().expect("hazard id"),
                sent,
                before,
                assigned: None,
                submitted: None,
            };
            let ver = v["hazard"]["row_version"].as_i64().expect("version");
            let (owner, measures) = (format!("责任人{tag}"), format!("重新接地并检测 {tag}"));
            let funds = format!("{}.{:02}", 100 + i, w);
            let body =
                json!({"row_version": ver, "owner": owner, "measures": measures, "funds": funds});
            let assigned = self
                .post("assign", &format!("/api/v1/hazards/{}/assign", h.id), &body)
                .await;
            let Some(v) = assigned else {
                acks.push(Ack::Hazard(h));
                break;
            };
            h.assigned = Some((owner, measures, (100 + i as i64) * 100 + w as i64));
            let ver = v["hazard"]["row_version"].as_i64().expect("version");
            // Every third piece of evidence is the shared document, stored once already.
            let (name, bytes) = if i % 3 == 1 {
                (format!("整改报告-{tag}.pdf"), self.shared.clone())
            } else {
                (
                    format!("整改照片-{tag}.pdf"),
                    Arc::new(pdf(&tag, 2000 + 31 * w)),
                )
            };
            let shared = Arc::ptr_eq(&bytes, &self.shared);
            let Some(after) = self.upload(name, bytes, &mut acks).await else {
                acks.push(Ack::Hazard(h));
                break;
            };
            if shared {
                let _ = self.shared_id.set(after);
            }
            let note = format!("已整改 {tag}");
            let body = json!({"row_version": ver, "rectified_on": "2024-02-01", "note": note,
                              "after_attachment_ids": [after]});
            let submitted = self
                .post("submit", &format!("/api/v1/hazards/{}/submit", h.id), &body)
                .await;
            if submitted.is_some() {
                h.submitted = Some(("2024-02-01".into(), note, after));
            }
            acks.push(Ack::Hazard(h));
            if submitted.is_none() {
                break;
            }
            let sent = json!({
                "kind": "funding", "org_id": self.unit_id,
                "entry_date": format!("2024-03-{:02}", 1 + i % 28), "category": "1",
                "amount": format!("{}.{:02}", 1000 + i, w), "title": format!("防护用品 {tag}"),
                "description": format!("采购说明 {tag}")
            });
            let Some(v) = self.post("ledger", "/api/v1/ledgers/entries", &sent).await else {
                break;
            };
            acks.push(Ack::Ledger {
                id: v["id"].as_i64().expect("entry id"),
                sent,
            });
        }
        acks
    }
}

impl Load {
    /// Downloads the acknowledged copy of the shared document while workers store the same
    /// content again: it must read whole every time, not a file being rewritten.
    async fn reader(self: Arc<Self>) {
        loop {
            let Some(id) = self.shared_id.get().copied() else {
                if self.killed.load(Ordering::SeqCst) {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            };
            let path = format!("/attachments/{id}");
            let r = client::api(&self.c, &self.base, &self.token, Method::GET, &path, None).await;
            match r {
                Ok(r) if r.status == 200 && r.body == *self.shared => {}
                Ok(r) => self.refused.lock().unwrap().push(format!(
                    "download of acknowledged attachment {id}: {} with {} bytes, {} stored",
                    r.status,
                    r.body.len(),
                    self.shared.len()
                )),
                Err(_) => return,
            }
        }
    }
}

/// What one load-and-kill cycle left behind.
struct Cycle {
    acks: Vec<Ack>,
    /// 2xx answers received.
    acked: usize,
    in_flight: usize,
    load_time: Duration,
}

/// Runs the writers against `server` until KILL_AFTER writes were acknowledged, then kills it
/// with SIGKILL at a random moment shortly after, while requests are in flight.
async fn load_and_kill(c: &Client, server: &mut Server, w: &world::World, cycle: usize) -> Cycle {
    let load = Arc::new(Load {
        c: c.clone(),
        base: server.base.clone(),
        token: w.officer.token.clone(),
        unit_id: w.unit_id,
        cycle,
        acked: AtomicUsize::new(0),
        in_flight: AtomicUsize::new(0),
        refused: Default::default(),
        shared: Arc::new(pdf("shared", 400_000)),
        shared_id: Default::default(),
        killed: Default::default(),
    });
    let reader = tokio::spawn(load.clone().reader());
    let workers: Vec<_> = (0..WORKERS)
        .map(|n| tokio::spawn(load.clone().worker(n)))
        .collect();
    let started = Instant::now();
    while load.acked.load(Ordering::SeqCst) < KILL_AFTER {
        assert!(started.elapsed() < Duration::from_secs(30), "load too slow");
        let refused = load.refused.lock().unwrap().clone();
        assert!(
            refused.is_empty(),
            "the server refused part of a valid load: {refused:?}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tokio::time::sleep(Duration::from_millis(rand::random::<u64>() % 300)).await;
    let in_flight = load.in_flight.load(Ordering::SeqCst);
    server.kill();
    load.killed.store(true, Ordering::SeqCst);
    let mut acks = Vec::new();
    for h in workers {
        acks.extend(h.await.expect("worker"));
    }
    reader.await.expect("reader");
    let refused = load.refused.lock().unwrap().clone();
    assert!(
        refused.is_empty(),
        "the server refused part of a valid load: {refused:?}"
    );
    assert!(
        in_flight > 0,
        "the kill must land while requests are in flight"
    );
    Cycle {
        acks,
        acked: load.acked.load(Ordering::SeqCst),
        in_flight,
        load_time: started.elapsed(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_sigkill() {
    let t0 = Instant::now();
    let store = Store::new().await;
    let mut server = store.start(&[]);
    let c = client::client();
    let w = world::setup(&store, &server, &c).await;
    let setup = t0.elapsed();

    // Twice: the second crash hits a database that already recovered from the first.
    let mut acks = Vec::new();
    let mut report = Vec::new();
    for cycle in 0..2 {
        let run = load_and_kill(&c, &mut server, &w, cycle).await;
        acks.extend(run.acks);
        // The crashed state, before anything touches it again.
        let checked = integrity::assert_sound(&store).await;
        let out = store.cli_ok(&["audit", "verify"], None);
        assert!(out.contains("哈希链无断裂"), "{out}");
        server = store.start(&[]);
        let problems = check(&c, &server.base, &w.officer.token, &acks).await;
        assert!(
            problems.is_empty(),
            "acknowledged writes lost or changed after crash {}:\n{}",
            cycle + 1,
            problems.join("\n")
        );
        report.push(format!(
            "crash {}: {} writes acknowledged in {:?}, {} in flight at SIGKILL; integrity: {} tables, \
             {} indexes, {} foreign keys",
            cycle + 1,
            run.acked,
            run.load_time,
            run.in_flight,
            checked.tables,
            checked.indexes,
            checked.foreign_keys
        ));
    }

    // The checker itself must see a loss and a change: feed it one unknown id, one altered
    // ledger field and one altered byte, and it has to report exactly those three.
    let control = controls(&acks);
    let found = check(&c, &server.base, &w.officer.token, &control).await;
    assert_eq!(
        found.len(),
        3,
        "the checker missed a planted fault: {found:?}"
    );
    drop(server);
    let out = store.cli_ok(&["audit", "verify"], None);
    assert!(out.contains("哈希链无断裂"), "{out}");

    let count = |f: fn(&Ack) -> bool| acks.iter().filter(|a| f(a)).count();
    eprintln!(
        "crash test ({}): {} uploads, {} hazards, {} ledger entries acknowledged in all; {}; \
         setup {setup:?}, total {:?}",
        if store.is_postgres() {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        count(|a| matches!(a, Ack::Attachment { .. })),
        count(|a| matches!(a, Ack::Hazard(_))),
        count(|a| matches!(a, Ack::Ledger { .. })),
        report.join("; "),
        t0.elapsed()
    );
}
