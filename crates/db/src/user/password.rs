//! Passwords (argon2id), sign-in with lockout, and password changes.

use chrono::{DateTime, Duration, Utc};

use anjian_domain::password::check_password;

use super::{reload, User, COLS};
use crate::audit::{self, Change};
use crate::error::{DbError, FieldErrors, Result};
use crate::query::{Db, Q};
use crate::session::Policy;
use crate::Ctx;

static MEMORY_RELEASE_HOOK: std::sync::OnceLock<fn()> = std::sync::OnceLock::new();

/// Lets the binary say how its global allocator gives memory back (see `release_freed_memory`).
pub fn on_memory_release(hook: fn()) {
    let _ = MEMORY_RELEASE_HOOK.set(hook);
}

/// Hands memory the allocator keeps for reuse back to the system (after hashing, after the demo
/// load). argon2id allocates its 19 MiB working memory per call. Allocators keep freed memory for reuse
/// (glibc in the arena of the blocking thread that hashed), so without this every thread that
/// ever hashed holds ~19 MiB for good: the idle server would sit at 50–150 MiB instead of ~12.
pub fn release_freed_memory() {
    if let Some(hook) = MEMORY_RELEASE_HOOK.get() {
        hook();
    }
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn malloc_trim(pad: usize) -> i32;
        }
        // SAFETY: malloc_trim only returns free pages of glibc's own heaps to the kernel; it
        // takes no pointers and is safe to call from any thread at any time.
        unsafe {
            malloc_trim(0);
        }
    }
}

pub async fn hash_password(password: &str) -> Result<String> {
    let pw = password.to_string();
    tokio::task::spawn_blocking(move || {
        use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
        let salt = SaltString::generate(&mut OsRng);
        let hashed = argon2::Argon2::default()
            .hash_password(pw.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| DbError::Other(format!("密码哈希失败：{e}")));
        release_freed_memory();
        hashed
    })
    .await
    .map_err(|e| DbError::Other(format!("密码哈希失败：{e}")))?
}

pub async fn verify_password(password: &str, hash: &str) -> bool {
    let (pw, hash) = (password.to_string(), hash.to_string());
    tokio::task::spawn_blocking(move || {
        use argon2::password_hash::{PasswordHash, PasswordVerifier};
        let ok = match PasswordHash::new(&hash) {
            Ok(parsed) => argon2::Argon2::default()
                .verify_password(pw.as_bytes(), &parsed)
                .is_ok(),
            Err(_) => false,
        };
        release_freed_memory();
        ok
    })
    .await
    .unwrap_or(false)
}

/// A random password that meets the policy: 16 characters from all four classes, without
/// look-alikes (0/O, 1/l/I) because it is read off a screen and typed.
pub fn generate_password() -> String {
    use rand::seq::SliceRandom;
    use rand::Rng;
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const LOWER: &[u8] = b"abcdefghijkmnpqrstuvwxyz";
    const DIGIT: &[u8] = b"23456789";
    const OTHER: &[u8] = b"#%+=@";
    let mut rng = rand::rngs::OsRng;
    let classes = [UPPER, LOWER, DIGIT, OTHER];
    let mut chars: Vec<u8> = classes
        .iter()
        .map(|c| c[rng.gen_range(0..c.len())])
        .collect();
    let all: Vec<u8> = [UPPER, LOWER, DIGIT].concat();
    while chars.len() < 16 {
        chars.push(all[rng.gen_range(0..all.len())]);
    }
    chars.shuffle(&mut rng);
    String::from_utf8(chars).unwrap_or_default()
}

/// The signed-in user changes their own password.
pub async fn change_own_password(
    db: &Db,
    ctx: &Ctx,
    old: &str,
    new: &str,
    confirm: &str,
) -> Result<()> {
    let uid = ctx.user_id().ok_or(DbError::Forbidden)?;
    let mut tx = db.begin().await?;
    let user = reload(&mut tx, uid).await?;
    let mut errs = FieldErrors::new();
    if !verify_password(old, &user.password_hash).await {
        errs.add("old_password", "原密码不正确");
    }
    if let Err(e) = check_password(new, &user.username) {
        errs.add("new_password", e.to_string());
    } else if new == old {
        errs.add("new_password", "新密码不能与原密码相同");
    }
    if new != confirm {
        errs.add("confirm_password", "两次输入的新密码不一致");
    }
    errs.into_result()?;
    let hash = hash_password(new).await?;
    tx.execute(
        &Q::new("UPDATE app_user SET password_hash = $1, must_change_password = $2, updated_at = $3 WHERE id = $4")
            .bind(hash)
            .bind(false)
            .bind(crate::now())
            .bind(uid),
    )
    .await?;
    audit::record(
        &mut tx,
        ctx,
        Change::new("user", uid, "change_password").org(Some(user.org_id)),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginError {
    /// Wrong user name or password: the two are not told apart.
    Invalid,
    Locked(DateTime<Utc>),
    Disabled,
}

impl LoginError {
    pub fn message(&self) -> String {
        match self {
            LoginError::Invalid => "用户名或密码错误".to_string(),
            LoginError::Locked(until) => format!(
                "登录失败次数过多，账号已锁定至 {}，请稍后再试或联系安全管理员",
                anjian_domain::time::format_instant(*until)
            ),
            LoginError::Disabled => "账号已被停用，请联系安全管理员".to_string(),
        }
    }
}

/// Checks a password with lockout: after `policy.max_failed_logins` failures the account is locked
/// for `policy.lockout_minutes`. Every attempt is audited.
pub async fn authenticate(
    db: &Db,
    ip: &str,
    username: &str,
    password: &str,
    policy: &Policy,
) -> Result<std::result::Result<User, LoginError>> {
    let anon = Ctx::anonymous(ip);
    let username = username.trim();
    let user: Option<User> = db
        .fetch_optional(
            &Q::new(&format!("SELECT {COLS} FROM app_user WHERE username = $1")).bind(username),
        )
        .await?;
    let now = crate::now();
    let Some(user) = user else {
        // Spend the same time as a real check so user names cannot be probed by timing.
        let _ = verify_password(password, DUMMY_HASH).await;
        audit::record_alone(
            db,
            &anon,
            Change::new("session", "", "login_failed").after(serde_json::json!({
                "username": username, "reason": "unknown_user"
            })),
        )
        .await?;
        return Ok(Err(LoginError::Invalid));
    };
    let org_active: Option<(bool,)> = db
        .fetch_optional(&Q::new("SELECT active FROM org WHERE id = $1").bind(user.org_id))
        .await?;
    let refusal = if user.disabled || org_active.is_some_and(|(a,)| !a) {
        Some(LoginError::Disabled)
    } else {
        user.locked_until
            .filter(|t| *t > now)
            .map(LoginError::Locked)
    };
    if let Some(r) = refusal {
        let _ = verify_password(password, DUMMY_HASH).await;
        audit::record_alone(
            db,
            &anon,
            Change::new("session", "", "login_failed")
                .org(Some(user.org_id))
                .after(serde_json::json!({"username": username, "reason": format!("{r:?}")})),
        )
        .await?;
        return Ok(Err(r));
    }
    if verify_password(password, &user.password_hash).await {
        return Ok(Ok(user));
    }
    let mut tx = db.begin().await?;
    // Re-read under the write lock so concurrent failures all count.
    let (failed,): (i64,) = tx
        .fetch_one(&Q::new("SELECT failed_logins FROM app_user WHERE id = $1").bind(user.id))
        .await?;
    let failed = failed + 1;
    let (failed, locked_until) = if failed >= policy.max_failed_logins {
        (0, Some(now + Duration::minutes(policy.lockout_minutes)))
    } else {
        (failed, None)
    };
    tx.execute(
        &Q::new("UPDATE app_user SET failed_logins = $1, locked_until = $2 WHERE id = $3")
            .bind(failed)
            .bind(locked_until)
            .bind(user.id),
    )
    .await?;
    audit::record(&mut tx, &anon, Change::new("session", "", "login_failed").org(Some(user.org_id)).after(
        serde_json::json!({"username": username, "reason": "bad_password", "locked_until": locked_until}),
    ))
    .await?;
    tx.commit().await?;
    Ok(Err(match locked_until {
        Some(t) => LoginError::Locked(t),
        None => LoginError::Invalid,
    }))
}

/// A valid argon2id hash of a random string, verified against when there is no real hash.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$DUWdW7gVdrVKUULWGcqLiSEqahU6y8w6nDUGsVzVYTg";

/// Sets a known password without forcing a change: only the demo loader (system actor) may.
pub async fn set_password_for_demo(db: &Db, ctx: &Ctx, id: i64, password: &str) -> Result<()> {
    if !matches!(ctx.actor, crate::Actor::System(_)) {
        return Err(DbError::Forbidden);
    }
    let hash = hash_password(password).await?;
    let mut tx = db.begin().await?;
    let before = reload(&mut tx, id).await?;
    tx.execute(
        &Q::new(
            "UPDATE app_user SET password_hash = $1, must_change_password = $2, failed_logins = 0, \
             locked_until = NULL, updated_at = $3 WHERE id = $4",
        )
        .bind(hash)
        .bind(false)
        .bind(crate::now())
        .bind(id),
    )
    .await?;
    audit::record(
        &mut tx,
        ctx,
        Change::new("user", id, "reset_password").org(Some(before.org_id)),
    )
    .await?;
    tx.commit().await
}
