//! Login sessions and API tokens. Only SHA-256 hashes of the random values are stored, so a copy
//! of the database does not let anyone sign in.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use anjian_domain::role::{Permission, Role};

use crate::audit::{self, Change};
use crate::cache::{self, Cached, Snapshot, Topic};
use crate::ctx::UserCtx;
use crate::error::{DbError, Result};
use crate::query::{Db, Tx, Q};
use crate::user::User;
use crate::{Ctx, Page, PageReq};

/// Session and lockout policy. Defaults follow 等保 2.0 (GB/T 22239-2019 §8.1.4.1: login failure
/// handling, session timeout) as the platform issue specifies them; all are configurable.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Policy {
    pub idle_timeout_minutes: i64,
    pub absolute_lifetime_hours: i64,
    pub max_failed_logins: i64,
    pub lockout_minutes: i64,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            idle_timeout_minutes: 30,
            absolute_lifetime_hours: 12,
            max_failed_logins: 5,
            lockout_minutes: 15,
        }
    }
}

/// Seconds between `last_seen_at` writes: touching on every request would serialise all readers
/// behind SQLite's single writer for no gain in precision that matters to a 30-minute timeout.
const TOUCH_INTERVAL_SECS: i64 = 60;

pub fn random_token(prefix: &str) -> String {
    format!("{prefix}{}", hex::encode(rand::random::<[u8; 32]>()))
}

pub fn hash_token(raw: &str) -> String {
    hex::encode(Sha256::digest(raw.as_bytes()))
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Session {
    pub id: i64,
    pub user_id: i64,
    pub csrf_token: String,
    pub ip: String,
    pub user_agent: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub end_reason: Option<String>,
}

/// A session row joined with its user, for the admin page.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct SessionRow {
    pub id: i64,
    pub user_id: i64,
    pub username: String,
    pub name: String,
    pub org_name: String,
    pub ip: String,
    pub user_agent: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

/// What a valid session or token resolves to for one request.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub user: UserCtx,
    pub must_change_password: bool,
    /// Present for cookie sessions; API tokens carry no CSRF token because they send no cookie.
    pub session: Option<Session>,
    /// The cache generations read while resolving the session, for the request's `Ctx`.
    pub snapshot: Option<Arc<Snapshot>>,
}

#[derive(sqlx::FromRow)]
struct Principal {
    id: i64,
    username: String,
    name: String,
    role: String,
    org_id: i64,
    org_path: String,
    org_active: bool,
    disabled: bool,
    must_change_password: bool,
}

const PRINCIPAL: &str = "SELECT u.id, u.username, u.name, u.role, u.org_id, o.path AS org_path, \
                         o.active AS org_active, u.disabled, u.must_change_password \
                         FROM app_user u JOIN org o ON o.id = u.org_id WHERE u.id = $1";

impl Principal {
    /// The request's user, unless the account or its organisation is disabled.
    fn into_ctx(self) -> Option<(UserCtx, bool)> {
        let role = Role::from_code(&self.role)?;
        if self.disabled || !self.org_active {
            return None;
        }
        Some((
            UserCtx {
                id: self.id,
                username: self.username,
                name: self.name,
                role,
                org_id: self.org_id,
                scope_path: self.org_path,
            },
            self.must_change_password,
        ))
    }
}

#[derive(Clone, sqlx::FromRow)]
struct SessionWithUser {
    #[sqlx(flatten)]
    session: Session,
    username: String,
    name: String,
    role: String,
    org_id: i64,
    org_path: String,
    org_active: bool,
    disabled: bool,
    must_change_password: bool,
}

async fn principal(db: &Db, user_id: i64) -> Result<Option<(UserCtx, bool)>> {
    let p: Option<Principal> = db.fetch_optional(&Q::new(PRINCIPAL).bind(user_id)).await?;
    Ok(p.and_then(Principal::into_ctx))
}

/// Starts a session after a successful password check; returns the raw cookie value.
pub async fn login(
    db: &Db,
    user: &User,
    ip: &str,
    user_agent: &str,
    policy: &Policy,
) -> Result<(String, Session)> {
    let raw = random_token("");
    let now = crate::now();
    let mut tx = db.begin().await?;
    tx.execute(
        &Q::new("UPDATE app_user SET failed_logins = 0, locked_until = NULL, last_login_at = $1 WHERE id = $2")
            .bind(now)
            .bind(user.id),
    )
    .await?;
    let session: Session = tx
        .fetch_one(
            &Q::new(
                "INSERT INTO user_session (token_hash, user_id, csrf_token, ip, user_agent, created_at, last_seen_at, \
                 expires_at) VALUES ($1, $2, $3, $4, $5, $6, $6, $7) RETURNING id, user_id, csrf_token, ip, \
                 user_agent, created_at, last_seen_at, expires_at, ended_at, end_reason",
            )
            .bind(hash_token(&raw))
            .bind(user.id)
            .bind(random_token(""))
            .bind(ip)
            .bind(user_agent.chars().take(300).collect::<String>())
            .bind(now)
            .bind(now + Duration::hours(policy.absolute_lifetime_hours)),
        )
        .await?;
    let ctx = Ctx::user(
        UserCtx {
            id: user.id,
            username: user.username.clone(),
            name: user.name.clone(),
            role: user.role().unwrap_or(Role::Inspector),
            org_id: user.org_id,
            scope_path: String::new(),
        },
        ip,
    );
    audit::record(
        &mut tx,
        &ctx,
        Change::new("session", session.id, "login").org(Some(user.org_id)),
    )
    .await?;
    tx.commit().await?;
    Ok((raw, session))
}

/// The session of a cookie with its user and the user's organisation: one round trip, or none
/// while the row is kept (`cache`).
const SESSION_WITH_USER: &str =
    "SELECT s.id, s.user_id, s.csrf_token, s.ip, s.user_agent, s.created_at, s.last_seen_at, \
     s.expires_at, s.ended_at, s.end_reason, u.username, u.name, u.role, u.org_id, \
     o.path AS org_path, o.active AS org_active, u.disabled, u.must_change_password \
     FROM user_session s JOIN app_user u ON u.id = s.user_id JOIN org o ON o.id = u.org_id \
     WHERE s.token_hash = $1";

/// What the session row depends on: ending or re-keying a session, changing a user's role,
/// organisation, name or flags (`auth`), moving or deactivating an organisation (`org`).
const SESSION_TOPICS: &[Topic] = &[Topic::Auth, Topic::Org];

/// Resolves a session cookie. Ends the session (and says so in the audit trail) when it has been
/// idle too long or passed its absolute lifetime.
///
/// The row is kept in the process (`cache`) while no session, user or organisation changes, but
/// a kept row only ever lets a request through, and only while its `last_seen_at` is younger than
/// the touch interval and the session's lifetime has not run out. Everything else — an apparent
/// idle timeout, a touch that is due — is decided on a row read now: another instance may have
/// touched the session since this one kept it.
pub async fn authenticate(
    db: &Db,
    raw: &str,
    ip: &str,
    policy: &Policy,
) -> Result<Option<Authenticated>> {
    let generations = cache::generations(db).await?;
    let q = Q::new(SESSION_WITH_USER).bind(hash_token(raw));
    let cached = Cached {
        q: &q,
        topics: SESSION_TOPICS,
    };
    let now = crate::now();
    let kept = cached
        .peek::<SessionWithUser>(db, generations)
        .and_then(|rows| rows.into_iter().next())
        .filter(|r| {
            let s = &r.session;
            s.ended_at.is_none()
                && now < s.expires_at
                && (now - s.last_seen_at).num_seconds() < TOUCH_INTERVAL_SECS
        });
    let from_cache = kept.is_some();
    let row = match kept {
        Some(r) => r,
        None => match db.fetch_optional::<SessionWithUser>(&q).await? {
            Some(r) => r,
            None => return Ok(None),
        },
    };
    let mut s = row.session.clone();
    if s.ended_at.is_some() {
        return Ok(None);
    }
    let expired = if now >= s.expires_at {
        Some("expired")
    } else if now - s.last_seen_at > Duration::minutes(policy.idle_timeout_minutes) {
        Some("idle_timeout")
    } else {
        None
    };
    if let Some(reason) = expired {
        let mut tx = db.begin().await?;
        end_one(&mut tx, s.id, reason).await?;
        let ctx = Ctx::anonymous(ip);
        audit::record(
            &mut tx,
            &ctx,
            Change::new("session", s.id, reason).after(serde_json::json!({"user_id": s.user_id})),
        )
        .await?;
        tx.commit().await?;
        return Ok(None);
    }
    let p = Principal {
        id: s.user_id,
        username: row.username.clone(),
        name: row.name.clone(),
        role: row.role.clone(),
        org_id: row.org_id,
        org_path: row.org_path.clone(),
        org_active: row.org_active,
        disabled: row.disabled,
        must_change_password: row.must_change_password,
    };
    let Some((user, must_change)) = p.into_ctx() else {
        return Ok(None);
    };
    if !from_cache {
        if (now - s.last_seen_at).num_seconds() >= TOUCH_INTERVAL_SECS {
            db.execute(
                &Q::new("UPDATE user_session SET last_seen_at = $1 WHERE id = $2")
                    .bind(now)
                    .bind(s.id),
            )
            .await?;
            s.last_seen_at = now;
        }
        // Kept as of the generations read above, before the row was.
        cached.keep(
            db,
            generations,
            vec![SessionWithUser {
                session: s.clone(),
                ..row
            }],
        );
    }
    Ok(Some(Authenticated {
        user,
        must_change_password: must_change,
        session: Some(s),
        snapshot: Some(Snapshot::new(generations)),
    }))
}

async fn end_one(tx: &mut Tx, id: i64, reason: &str) -> Result<u64> {
    tx.execute(
        &Q::new("UPDATE user_session SET ended_at = $1, end_reason = $2 WHERE id = $3 AND ended_at IS NULL")
            .bind(crate::now())
            .bind(reason)
            .bind(id),
    )
    .await
}

pub(crate) async fn end_all_for_user(tx: &mut Tx, user_id: i64, reason: &str) -> Result<u64> {
    tx.execute(
        &Q::new("UPDATE user_session SET ended_at = $1, end_reason = $2 WHERE user_id = $3 AND ended_at IS NULL")
            .bind(crate::now())
            .bind(reason)
            .bind(user_id),
    )
    .await
}

/// The user signs out.
pub async fn logout(db: &Db, ctx: &Ctx, session_id: i64) -> Result<()> {
    let mut tx = db.begin().await?;
    end_one(&mut tx, session_id, "logout").await?;
    audit::record(&mut tx, ctx, Change::new("session", session_id, "logout")).await?;
    tx.commit().await
}

/// Active sessions of users in scope, for the security administrator.
pub async fn list_active(db: &Db, ctx: &Ctx, page: PageReq) -> Result<Page<SessionRow>> {
    ctx.require(Permission::SessionManage)?;
    let now = crate::now();
    let from =
        "FROM user_session s JOIN app_user u ON u.id = s.user_id JOIN org o ON o.id = u.org_id \
                WHERE s.ended_at IS NULL AND s.expires_at > $1 AND o.path LIKE $2";
    let (total,): (i64,) = db
        .fetch_one(
            &Q::new(&format!("SELECT COUNT(*) {from}"))
                .bind(now)
                .bind(ctx.scope_like()),
        )
        .await?;
    let items = db
        .fetch_all(
            &Q::new(&format!(
                "SELECT s.id, s.user_id, u.username, u.name, o.name AS org_name, s.ip, s.user_agent, s.created_at, \
                 s.last_seen_at {from} ORDER BY s.last_seen_at DESC LIMIT $3 OFFSET $4"
            ))
            .bind(now)
            .bind(ctx.scope_like())
            .bind(page.page_size)
            .bind(page.offset()),
        )
        .await?;
    Ok(Page {
        items,
        total,
        page: page.page,
        page_size: page.page_size,
    })
}

/// An administrator ends someone's session (forced logout).
pub async fn end_by_admin(db: &Db, ctx: &Ctx, session_id: i64) -> Result<()> {
    ctx.require(Permission::SessionManage)?;
    let mut tx = db.begin().await?;
    let found: Option<(i64, i64)> = tx
        .fetch_optional(
            &Q::new(
                "SELECT s.id, u.org_id FROM user_session s JOIN app_user u ON u.id = s.user_id JOIN org o \
                 ON o.id = u.org_id WHERE s.id = $1 AND s.ended_at IS NULL AND o.path LIKE $2",
            )
            .bind(session_id)
            .bind(ctx.scope_like()),
        )
        .await?;
    let (_, org_id) = found.ok_or(DbError::NotFound)?;
    end_one(&mut tx, session_id, "ended_by_admin").await?;
    audit::record(
        &mut tx,
        ctx,
        Change::new("session", session_id, "end_session").org(Some(org_id)),
    )
    .await?;
    tx.commit().await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ApiToken {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Creates an API token for a user in scope; returns the raw token (shown once).
pub async fn create_token(db: &Db, ctx: &Ctx, username: &str, name: &str) -> Result<String> {
    ctx.require(Permission::UserAssignRole)?;
    let target = crate::user::find(db, ctx, username)
        .await
        .map_err(|e| match e {
            DbError::Forbidden => DbError::NotFound,
            e => e,
        })?;
    let raw = random_token("ajt_");
    let mut tx = db.begin().await?;
    let (id,): (i64,) = tx
        .fetch_one(
            &Q::new(
                "INSERT INTO api_token (user_id, name, token_hash, prefix, created_at) VALUES ($1, $2, $3, $4, $5) \
                 RETURNING id",
            )
            .bind(target.id)
            .bind(name.trim())
            .bind(hash_token(&raw))
            .bind(raw.chars().take(12).collect::<String>())
            .bind(crate::now()),
        )
        .await?;
    audit::record(
        &mut tx,
        ctx,
        Change::new("api_token", id, "create")
            .org(Some(target.org_id))
            .after(serde_json::json!({"user": target.username, "name": name.trim()})),
    )
    .await?;
    tx.commit().await?;
    Ok(raw)
}

/// Revokes tokens: one by id, or all of a user's when `token_id` is None.
pub async fn revoke_tokens(
    db: &Db,
    ctx: &Ctx,
    username: &str,
    token_id: Option<i64>,
) -> Result<u64> {
    ctx.require(Permission::UserAssignRole)?;
    let target = crate::user::find(db, ctx, username)
        .await
        .map_err(|e| match e {
            DbError::Forbidden => DbError::NotFound,
            e => e,
        })?;
    let mut tx = db.begin().await?;
    let mut q =
        Q::new("UPDATE api_token SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
            .bind(crate::now())
            .bind(target.id);
    if let Some(t) = token_id {
        q.push(" AND id = ").push_arg(t);
    }
    let n = tx.execute(&q).await?;
    if n == 0 && token_id.is_some() {
        return Err(DbError::NotFound);
    }
    audit::record(
        &mut tx,
        ctx,
        Change::new(
            "api_token",
            token_id.map(|t| t.to_string()).unwrap_or_default(),
            "revoke",
        )
        .org(Some(target.org_id))
        .after(serde_json::json!({"user": target.username, "revoked": n})),
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}

pub async fn list_tokens(db: &Db, ctx: &Ctx, username: &str) -> Result<Vec<ApiToken>> {
    ctx.require(Permission::UserAssignRole)?;
    let target = crate::user::find(db, ctx, username).await?;
    db.fetch_all(
        &Q::new(
            "SELECT id, user_id, name, prefix, created_at, last_used_at, revoked_at FROM api_token \
             WHERE user_id = $1 ORDER BY id",
        )
        .bind(target.id),
    )
    .await
}

/// Resolves a Bearer token to its user (with the user's own permissions and scope).
pub async fn authenticate_token(db: &Db, raw: &str) -> Result<Option<Authenticated>> {
    let t: Option<(i64, i64, Option<DateTime<Utc>>)> = db
        .fetch_optional(
            &Q::new("SELECT id, user_id, last_used_at FROM api_token WHERE token_hash = $1 AND revoked_at IS NULL")
                .bind(hash_token(raw)),
        )
        .await?;
    let Some((id, user_id, last_used)) = t else {
        return Ok(None);
    };
    let Some((user, _)) = principal(db, user_id).await? else {
        return Ok(None);
    };
    let now = crate::now();
    if last_used.is_none_or(|t| (now - t).num_seconds() >= TOUCH_INTERVAL_SECS) {
        db.execute(
            &Q::new("UPDATE api_token SET last_used_at = $1 WHERE id = $2")
                .bind(now)
                .bind(id),
        )
        .await?;
    }
    // A token never has to change a password: it has none.
    Ok(Some(Authenticated {
        user,
        must_change_password: false,
        session: None,
        snapshot: None,
    }))
}
