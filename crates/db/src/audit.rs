//! The audit trail: one entry per change, written in the same transaction as the change, chained
//! by SHA-256 so that an edited, inserted or deleted row breaks the chain at a findable place.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use anjian_domain::role::Permission;

use crate::error::Result;
use crate::query::{Db, Tx, Q};
use crate::{Ctx, Page, PageReq};

/// The chain's anchor: the `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What changed. `before`/`after` are JSON snapshots of the entity (never secrets).
pub struct Change<'a> {
    pub entity: &'a str,
    pub entity_id: String,
    pub action: &'a str,
    pub org_id: Option<i64>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl<'a> Change<'a> {
    pub fn new(entity: &'a str, entity_id: impl ToString, action: &'a str) -> Change<'a> {
        Change {
            entity,
            entity_id: entity_id.to_string(),
            action,
            org_id: None,
            before: None,
            after: None,
        }
    }
    pub fn org(mut self, org_id: Option<i64>) -> Self {
        self.org_id = org_id;
        self
    }
    pub fn before(mut self, v: impl Serialize) -> Self {
        self.before = serde_json::to_value(v).ok();
        self
    }
    pub fn after(mut self, v: impl Serialize) -> Self {
        self.after = serde_json::to_value(v).ok();
        self
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_user_id: Option<i64>,
    pub actor_username: String,
    pub ip: String,
    pub org_id: Option<i64>,
    pub entity: String,
    pub entity_id: String,
    pub action: String,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub prev_hash: String,
    pub hash: String,
    /// Name of the organisation, for display only: not part of the hashed record.
    #[sqlx(default)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org_name: Option<String>,
}

impl AuditEntry {
    /// The hash over every field but `hash` itself. Fields are length-prefixed so that no two
    /// different entries serialise to the same bytes.
    pub fn compute_hash(&self) -> String {
        let mut h = Sha256::new();
        let fields: [String; 12] = [
            self.prev_hash.clone(),
            self.id.to_string(),
            self.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            self.actor_user_id
                .map(|v| v.to_string())
                .unwrap_or_default(),
            self.actor_username.clone(),
            self.ip.clone(),
            self.org_id.map(|v| v.to_string()).unwrap_or_default(),
            self.entity.clone(),
            self.entity_id.clone(),
            self.action.clone(),
            self.before_json.clone().unwrap_or_default(),
            self.after_json.clone().unwrap_or_default(),
        ];
        for f in fields {
            h.update((f.len() as u64).to_be_bytes());
            h.update(f.as_bytes());
        }
        hex::encode(h.finalize())
    }
}

/// Appends an entry inside the caller's transaction.
pub async fn record(tx: &mut Tx, ctx: &Ctx, change: Change<'_>) -> Result<()> {
    // The request writes: its cached reads from now on must see the write (`cache`).
    if let Some(s) = ctx.snapshot() {
        s.spend();
    }
    if let Tx::Postgres(..) = tx {
        // Serialise appenders so each reads the true last hash; SQLite's writer is already single.
        tx.execute(&Q::new("SELECT pg_advisory_xact_lock(7243002)"))
            .await?;
    }
    let last: Option<(i64, String)> = tx
        .fetch_optional(&Q::new(
            "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1",
        ))
        .await?;
    let (prev_id, prev_hash) = last.unwrap_or((0, GENESIS.to_string()));
    let mut e = AuditEntry {
        id: prev_id + 1,
        at: crate::now(),
        actor_user_id: ctx.user_id(),
        actor_username: ctx.username(),
        ip: ctx.ip.clone(),
        org_id: change.org_id.or(ctx.org_id()),
        entity: change.entity.to_string(),
        entity_id: change.entity_id,
        action: change.action.to_string(),
        before_json: change.before.map(|v| v.to_string()),
        after_json: change.after.map(|v| v.to_string()),
        prev_hash,
        hash: String::new(),
        org_name: None,
    };
    e.hash = e.compute_hash();
    tx.execute(
        &Q::new(
            "INSERT INTO audit_log (id, at, actor_user_id, actor_username, ip, org_id, entity, entity_id, \
             action, before_json, after_json, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(e.id)
        .bind(e.at)
        .bind(e.actor_user_id)
        .bind(e.actor_username)
        .bind(e.ip)
        .bind(e.org_id)
        .bind(e.entity)
        .bind(e.entity_id)
        .bind(e.action)
        .bind(e.before_json)
        .bind(e.after_json)
        .bind(e.prev_hash)
        .bind(e.hash),
    )
    .await?;
    Ok(())
}

/// Convenience for a change that is only an audit entry (login, logout, export).
pub async fn record_alone(db: &Db, ctx: &Ctx, change: Change<'_>) -> Result<()> {
    let mut tx = db.begin().await?;
    record(&mut tx, ctx, change).await?;
    tx.commit().await
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Broken {
    pub id: i64,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    pub checked: i64,
    pub first_broken: Option<Broken>,
}

/// Walks the whole chain in id order and reports the first broken link.
pub async fn verify(db: &Db) -> Result<VerifyReport> {
    let mut checked = 0;
    let mut expected_prev = GENESIS.to_string();
    let mut expected_id = 1;
    let mut after = 0i64;
    loop {
        let batch: Vec<AuditEntry> = db
            .fetch_all(
                &Q::new(&format!("{SELECT} WHERE id > $1 ORDER BY id LIMIT 1000")).bind(after),
            )
            .await?;
        if batch.is_empty() {
            return Ok(VerifyReport {
                checked,
                first_broken: None,
            });
        }
        for e in batch {
            let reason = if e.id != expected_id {
                Some(format!(
                    "序号不连续：应为 {expected_id}，实为 {}（有记录被删除或插入）",
                    e.id
                ))
            } else if e.prev_hash != expected_prev {
                Some("前一条记录的哈希不匹配（前一条记录被篡改或删除）".to_string())
            } else if e.compute_hash() != e.hash {
                Some("记录内容与哈希不符（该记录被篡改）".to_string())
            } else {
                None
            };
            if let Some(reason) = reason {
                return Ok(VerifyReport {
                    checked,
                    first_broken: Some(Broken { id: e.id, reason }),
                });
            }
            checked += 1;
            expected_prev = e.hash.clone();
            expected_id = e.id + 1;
            after = e.id;
        }
    }
}

const SELECT: &str =
    "SELECT id, at, actor_user_id, actor_username, ip, org_id, entity, entity_id, action, \
                      before_json, after_json, prev_hash, hash FROM audit_log";
/// The same with the organisation's current name, for pages and exports.
const SELECT_NAMED: &str = "SELECT id, at, actor_user_id, actor_username, ip, org_id, entity, entity_id, action, \
                      before_json, after_json, prev_hash, hash, \
                      (SELECT o.name FROM org o WHERE o.id = audit_log.org_id) AS org_name FROM audit_log";

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub entity: Option<String>,
    pub action: Option<String>,
    pub keyword: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// Entries about organisations in the caller's subtree; entries tied to no organisation (a failed
/// login with an unknown user name) only for callers whose scope is a whole tree.
fn scoped(ctx: &Ctx, head: &str) -> Q {
    let mut q = Q::new(head);
    q.push(" WHERE (org_id IN (SELECT id FROM org WHERE path LIKE ")
        .push_arg(ctx.scope_like());
    q.push(") OR (org_id IS NULL AND ")
        .push_arg(ctx.scope_path().matches('/').count() <= 2);
    q.push("))");
    q
}

fn filtered(ctx: &Ctx, f: &AuditFilter, head: &str) -> Q {
    let mut q = scoped(ctx, head);
    if let Some(a) = f.actor.as_deref().filter(|s| !s.is_empty()) {
        q.push(" AND actor_username = ").push_arg(a);
    }
    if let Some(e) = f.entity.as_deref().filter(|s| !s.is_empty()) {
        q.push(" AND entity = ").push_arg(e);
    }
    if let Some(a) = f.action.as_deref().filter(|s| !s.is_empty()) {
        q.push(" AND action = ").push_arg(a);
    }
    q.push_keyword(
        f.keyword.as_deref(),
        &["entity_id", "before_json", "after_json"],
    );
    if let Some(t) = f.from {
        q.push(" AND at >= ").push_arg(t);
    }
    if let Some(t) = f.to {
        q.push(" AND at < ").push_arg(t);
    }
    q
}

/// Audit administrators only, within their organisation scope.
pub async fn list(db: &Db, ctx: &Ctx, f: &AuditFilter, page: PageReq) -> Result<Page<AuditEntry>> {
    ctx.require(Permission::AuditView)?;
    let (total,): (i64,) = db
        .fetch_one(&filtered(ctx, f, "SELECT COUNT(*) FROM audit_log"))
        .await?;
    let mut q = filtered(ctx, f, SELECT_NAMED);
    q.push(" ORDER BY id DESC LIMIT ").push_arg(page.page_size);
    q.push(" OFFSET ").push_arg(page.offset());
    let items = db.fetch_all(&q).await?;
    Ok(Page {
        items,
        total,
        page: page.page,
        page_size: page.page_size,
    })
}

/// Everything matching the filter, newest first, capped; for the Excel export.
pub async fn export(db: &Db, ctx: &Ctx, f: &AuditFilter, cap: i64) -> Result<Vec<AuditEntry>> {
    ctx.require(Permission::AuditExport)?;
    let mut q = filtered(ctx, f, SELECT_NAMED);
    q.push(" ORDER BY id DESC LIMIT ").push_arg(cap);
    db.fetch_all(&q).await
}

/// One entry in scope, else NotFound.
pub async fn get(db: &Db, ctx: &Ctx, id: i64) -> Result<AuditEntry> {
    ctx.require(Permission::AuditView)?;
    let mut q = scoped(ctx, SELECT_NAMED);
    q.push(" AND id = ").push_arg(id);
    db.fetch_one(&q).await
}
