//! The mixed workload of one session: mostly the pages people keep open (home, the hazard ledger
//! and a hazard, the risk register, the ledgers, duty, incidents, statistics, the summary's
//! figures), and a share of writes that follow the real workflow: a unit registers hazards,
//! assigns and rectifies them (with an evidence photo), the bureau verifies what units submitted;
//! both keep ledger entries and the duty log. Writes go through the JSON API with the account's
//! token; pages through the signed-in cookie session.

use std::collections::VecDeque;
use std::io::Write as _;
use std::sync::{Arc, Mutex};

use chrono::{Duration, NaiveDate, Utc};
use rand::rngs::StdRng;
use rand::Rng;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::http::Session;
use crate::stats::Stats;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    /// A bureau supervisor: the whole tree; verifies hazards.
    Bureau,
    /// A unit head: the unit and its sites; registers and rectifies hazards.
    Unit,
}

#[derive(Clone, Debug)]
pub struct Account {
    pub username: String,
    pub token: String,
    pub org_id: i64,
    pub kind: Kind,
}

/// Ids to open detail pages on, read once per account from the list APIs (its own scope).
#[derive(Clone, Default)]
pub struct Pool {
    pub hazards: Vec<i64>,
    pub risks: Vec<i64>,
    pub entries: Vec<i64>,
    pub units: Vec<i64>,
}

/// What all sessions share: hazards submitted by units and waiting for the bureau, and the log of
/// acknowledged creations (for the backup drill: what was acknowledged before the backup began
/// must be in it).
pub struct Shared {
    pub to_verify: Mutex<VecDeque<(i64, i64)>>,
    pub created: Mutex<Option<std::fs::File>>,
    pub png_counter: std::sync::atomic::AtomicU64,
}

impl Shared {
    fn created(&self, table: &str, id: i64) {
        let ms = Utc::now().timestamp_millis();
        if let Some(f) = self.created.lock().expect("log lock").as_mut() {
            // Written as acknowledged; a failed write of the log is a failed soak.
            writeln!(f, "{ms}\t{table}\t{id}").expect("writing the created-ids log");
        }
    }
}

/// A hazard this session registered, with the version it last saw.
struct Mine {
    id: i64,
    row_version: i64,
    status: String,
}

pub struct Worker {
    pub session: Session,
    pub account: Account,
    pub pool: Pool,
    pub shared: Arc<Shared>,
    pub stats: Arc<Stats>,
    pub rng: StdRng,
    pub write_percent: u32,
    pub report_period: String,
    mine: VecDeque<Mine>,
    reads: u64,
    writes: u64,
}

/// Today in Asia/Shanghai, the business day the server uses.
fn today() -> NaiveDate {
    (Utc::now() + Duration::hours(8)).date_naive()
}

/// The `id` of each item of a list answer (`{"items": [...]}`), also when the item nests its
/// record (`{"risk": {"id": …}}`).
pub fn ids_of(v: &Value) -> Vec<i64> {
    let items = v
        .get("items")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    items
        .iter()
        .filter_map(|it| {
            it.get("id").and_then(Value::as_i64).or_else(|| {
                it.as_object()?
                    .values()
                    .find_map(|x| x.get("id").and_then(Value::as_i64))
            })
        })
        .collect()
}

impl Worker {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        session: Session,
        account: Account,
        pool: Pool,
        shared: Arc<Shared>,
        stats: Arc<Stats>,
        rng: StdRng,
        write_percent: u32,
        report_period: String,
    ) -> Worker {
        Worker {
            session,
            account,
            pool,
            shared,
            stats,
            rng,
            write_percent,
            report_period,
            mine: VecDeque::new(),
            reads: 0,
            writes: 0,
        }
    }

    /// One step of the session: a write when the session's writes are below write_percent of
    /// its requests so far, else a read. Counted in requests, so a step of two writes (evidence
    /// upload, then submission) counts twice and the share is exact, not drawn.
    pub async fn step(&mut self) {
        let total = self.reads + self.writes;
        let before = self.session.sent();
        if self.writes * 100 < u64::from(self.write_percent) * total {
            match self.account.kind {
                Kind::Unit => self.unit_write().await,
                Kind::Bureau => self.bureau_write().await,
            }
            self.writes += self.session.sent() - before;
        } else {
            self.read().await;
            self.reads += self.session.sent() - before;
        }
    }

    async fn read(&mut self) {
        fn pick(rng: &mut StdRng, ids: &[i64]) -> Option<i64> {
            (!ids.is_empty()).then(|| ids[rng.gen_range(0..ids.len())])
        }
        // Disjoint borrows: the session and stats are read while the generator moves on.
        let Worker {
            session: s,
            stats,
            rng,
            pool,
            report_period,
            ..
        } = self;
        let st = &**stats;
        let r = rng.gen_range(0..100);
        match r {
            0..=16 => {
                s.page(st, "GET / (home)", "/").await;
            }
            17..=30 => {
                let path = match rng.gen_range(0..5) {
                    0 => "/hazards?status=rectifying".to_string(),
                    1 => "/hazards?overdue=1".to_string(),
                    2 => match pick(rng, &pool.units) {
                        Some(u) => format!("/hazards?org_id={u}"),
                        None => "/hazards".to_string(),
                    },
                    _ => format!("/hazards?page={}", rng.gen_range(1..=20)),
                };
                s.page(st, "GET /hazards (ledger)", &path).await;
            }
            31..=42 => {
                if let Some(id) = pick(rng, &pool.hazards) {
                    s.page(st, "GET /hazards/{id}", &format!("/hazards/{id}"))
                        .await;
                }
            }
            43..=50 => {
                let path = match rng.gen_range(0..3) {
                    0 => "/risks?level=major".to_string(),
                    _ => format!("/risks?page={}", rng.gen_range(1..=10)),
                };
                s.page(st, "GET /risks (register)", &path).await;
            }
            51..=54 => {
                if let Some(id) = pick(rng, &pool.risks) {
                    s.page(st, "GET /risks/{id}", &format!("/risks/{id}")).await;
                }
            }
            55..=59 => {
                s.page(st, "GET /ledgers (overview)", "/ledgers").await;
            }
            60..=67 => {
                let kind = [
                    "funding",
                    "training",
                    "publicity",
                    "drills",
                    "meetings",
                    "letters",
                ][rng.gen_range(0..6)];
                let path = match kind {
                    "drills" | "meetings" | "letters" => format!("/ledgers/boards/{kind}"),
                    k => format!("/ledgers/{k}"),
                };
                s.page(st, "GET /ledgers/… (lists, boards)", &path).await;
            }
            68..=71 => {
                if let Some(id) = pick(rng, &pool.entries) {
                    s.page(
                        st,
                        "GET /ledgers/entries/{id}",
                        &format!("/ledgers/entries/{id}"),
                    )
                    .await;
                }
            }
            72..=77 => {
                s.page(st, "GET /duty", "/duty").await;
            }
            78..=83 => {
                s.page(st, "GET /duty/logs", "/duty/logs").await;
            }
            84..=89 => {
                s.page(st, "GET /incidents", "/incidents").await;
            }
            90..=95 => {
                s.page(st, "GET /statistics", "/statistics").await;
            }
            _ => {
                let path = format!("/api/v1/reports/figures?period={report_period}");
                s.api(
                    st,
                    "GET /api/v1/reports/figures",
                    Method::GET,
                    &path,
                    None,
                    StatusCode::OK,
                )
                .await;
            }
        }
    }

    async fn unit_write(&mut self) {
        match self.rng.gen_range(0..100) {
            0..=44 if !self.mine.is_empty() => self.advance().await,
            0..=69 => self.register().await,
            70..=84 => self.ledger_entry().await,
            _ => self.duty_log().await,
        }
    }

    async fn bureau_write(&mut self) {
        match self.rng.gen_range(0..100) {
            0..=49 => {
                let next = self
                    .shared
                    .to_verify
                    .lock()
                    .expect("queue lock")
                    .pop_front();
                match next {
                    Some((id, v)) => self.verify(id, v).await,
                    None => self.ledger_entry().await,
                }
            }
            50..=74 => self.ledger_entry().await,
            _ => self.duty_log().await,
        }
    }

    async fn register(&mut self) {
        let t = today();
        let body = json!({
            "org_id": self.account.org_id,
            "location": "压测库区3号仓",
            "description": format!("压测登记：仓内照明线路老化（会话 {}）", self.account.username),
            "category": "用电安全",
            "grade": "general",
            "found_on": t.to_string(),
            "found_by": "压测检查组",
            "deadline": (t + Duration::days(30)).to_string(),
        });
        let a = self
            .session
            .api(
                &self.stats,
                "POST /api/v1/hazards (register)",
                Method::POST,
                "/api/v1/hazards",
                Some(&body),
                StatusCode::CREATED,
            )
            .await;
        if let Some(h) = a.and_then(|a| a.json().ok()).map(|v| v["hazard"].clone()) {
            if let (Some(id), Some(v)) = (h["id"].as_i64(), h["row_version"].as_i64()) {
                self.shared.created("hazard", id);
                self.remember_detail(id);
                self.mine.push_back(Mine {
                    id,
                    row_version: v,
                    status: h["status"].as_str().unwrap_or("").to_string(),
                });
            }
        }
    }

    fn remember_detail(&mut self, id: i64) {
        if self.pool.hazards.len() < 400 {
            self.pool.hazards.push(id);
        } else {
            let i = self.rng.gen_range(0..self.pool.hazards.len());
            self.pool.hazards[i] = id;
        }
    }

    /// The oldest own hazard one step on: 五落实 (assign), then evidence + submission; a
    /// submitted hazard goes to the bureau's verification queue.
    async fn advance(&mut self) {
        let Some(mut h) = self.mine.pop_front() else {
            return;
        };
        let t = today().to_string();
        let answer = if h.status == "pending" {
            let body = json!({"owner": "压测整改责任人", "measures": "更换老化线路，加装漏电保护",
                              "funds": "1200.50", "row_version": h.row_version});
            self.session
                .api(
                    &self.stats,
                    "POST /api/v1/hazards/{id}/assign",
                    Method::POST,
                    &format!("/api/v1/hazards/{}/assign", h.id),
                    Some(&body),
                    StatusCode::OK,
                )
                .await
        } else {
            let n = self
                .shared
                .png_counter
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let png = crate::photo(n);
            let up = self
                .session
                .upload(
                    &self.stats,
                    "POST /api/v1/attachments (evidence)",
                    self.account.org_id,
                    "整改后.png",
                    &png,
                )
                .await;
            let Some(att) = up
                .and_then(|a| a.json().ok())
                .and_then(|v| v["id"].as_i64())
            else {
                self.mine.push_front(h);
                return;
            };
            self.shared.created("attachment", att);
            let body = json!({"after_attachment_ids": [att], "note": "已整改完毕",
                              "rectified_on": t, "row_version": h.row_version});
            self.session
                .api(
                    &self.stats,
                    "POST /api/v1/hazards/{id}/submit",
                    Method::POST,
                    &format!("/api/v1/hazards/{}/submit", h.id),
                    Some(&body),
                    StatusCode::OK,
                )
                .await
        };
        let Some(v) = answer
            .and_then(|a| a.json().ok())
            .map(|v| v["hazard"].clone())
        else {
            return;
        };
        h.row_version = v["row_version"].as_i64().unwrap_or(h.row_version);
        h.status = v["status"].as_str().unwrap_or("").to_string();
        if h.status == "awaiting_verification" {
            self.shared
                .to_verify
                .lock()
                .expect("queue lock")
                .push_back((h.id, h.row_version));
        } else {
            self.mine.push_back(h);
        }
    }

    async fn verify(&mut self, id: i64, row_version: i64) {
        let body = json!({"note": "复查合格", "row_version": row_version});
        self.session
            .api(
                &self.stats,
                "POST /api/v1/hazards/{id}/verify",
                Method::POST,
                &format!("/api/v1/hazards/{id}/verify"),
                Some(&body),
                StatusCode::OK,
            )
            .await;
    }

    async fn ledger_entry(&mut self) {
        let body = json!({
            "kind": "funding",
            "org_id": self.account.org_id,
            "entry_date": today().to_string(),
            "category": "1",
            "amount": format!("{}.{:02}", self.rng.gen_range(100..20000), self.rng.gen_range(0..100)),
            "title": "压测：购置消防器材",
        });
        let a = self
            .session
            .api(
                &self.stats,
                "POST /api/v1/ledgers/entries",
                Method::POST,
                "/api/v1/ledgers/entries",
                Some(&body),
                StatusCode::CREATED,
            )
            .await;
        if let Some(id) = a.and_then(|a| a.json().ok()).and_then(|v| v["id"].as_i64()) {
            self.shared.created("ledger_entry", id);
            if self.pool.entries.len() < 400 {
                self.pool.entries.push(id);
            }
        }
    }

    async fn duty_log(&mut self) {
        let body = json!({
            "org_id": self.account.org_id,
            "event": "压测值班记录：巡查库区一次，未发现异常",
            "handling": "无",
        });
        let a = self
            .session
            .api(
                &self.stats,
                "POST /api/v1/duty/logs",
                Method::POST,
                "/api/v1/duty/logs",
                Some(&body),
                StatusCode::CREATED,
            )
            .await;
        if let Some(id) = a.and_then(|a| a.json().ok()).and_then(|v| v["id"].as_i64()) {
            self.shared.created("duty_log", id);
        }
    }
}
