//! User accounts: one organisation and one role each. Passwords, sign-in and lockout live in
//! `password`.

mod password;

pub use password::{
    authenticate, change_own_password, generate_password, hash_password, on_memory_release,
    release_freed_memory, set_password_for_demo, verify_password, LoginError,
};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use anjian_domain::password::check_password;
use anjian_domain::role::{Permission, Role};

use crate::audit::{self, Change};
use crate::error::{DbError, FieldErrors, Result};
use crate::query::{Db, Tx, Q};
use crate::{Ctx, Page, PageReq};

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub org_id: i64,
    pub role: String,
    pub phone: String,
    #[serde(skip_serializing)]
    pub password_hash: String,
    pub must_change_password: bool,
    pub failed_logins: i64,
    pub locked_until: Option<DateTime<Utc>>,
    pub disabled: bool,
    pub last_login_at: Option<DateTime<Utc>>,
    /// The version of what administrators edit (profile, role and organisation, lock); sign-in
    /// bookkeeping and password changes leave it alone. Defaults to 0 for queries written before
    /// the column existed (the test kit's direct insert reads no version).
    #[sqlx(default)]
    pub row_version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl User {
    pub fn role(&self) -> Option<Role> {
        Role::from_code(&self.role)
    }
    pub fn role_label(&self) -> &'static str {
        self.role().map(Role::label).unwrap_or("未知角色")
    }
    pub fn is_locked(&self, now: DateTime<Utc>) -> bool {
        self.locked_until.is_some_and(|t| t > now)
    }
}

/// A user with the organisation facts every list shows.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub org_id: i64,
    pub org_name: String,
    pub org_path: String,
    pub role: String,
    pub phone: String,
    pub must_change_password: bool,
    pub locked_until: Option<DateTime<Utc>>,
    pub disabled: bool,
    pub last_login_at: Option<DateTime<Utc>>,
    pub row_version: i64,
}

impl UserRow {
    pub fn role_label(&self) -> &'static str {
        Role::from_code(&self.role)
            .map(Role::label)
            .unwrap_or("未知角色")
    }
}

pub(super) const COLS: &str =
    "id, username, name, org_id, role, phone, password_hash, must_change_password, failed_logins, \
                    locked_until, disabled, last_login_at, row_version, created_at, updated_at";
const ROW_SELECT: &str = "SELECT u.id, u.username, u.name, u.org_id, o.name AS org_name, o.path AS org_path, \
                          u.role, u.phone, u.must_change_password, u.locked_until, u.disabled, u.last_login_at, \
                          u.row_version FROM app_user u JOIN org o ON o.id = u.org_id";

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct UserInput {
    pub username: String,
    pub name: String,
    pub org_id: i64,
    pub role: String,
    #[serde(default)]
    pub phone: String,
}

struct ValidUser {
    username: String,
    name: String,
    role: Role,
    phone: String,
}

impl UserInput {
    fn parse(&self) -> Result<ValidUser> {
        let mut errs = FieldErrors::new();
        let username = self.username.trim().to_string();
        if username.is_empty() {
            errs.add("username", "用户名不能为空");
        } else if username.len() > 32
            || !username
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')
        {
            errs.add(
                "username",
                "用户名只能由字母、数字、下划线、点和横线组成，最多32位",
            );
        }
        let name = self.name.trim().to_string();
        if name.is_empty() {
            errs.add("name", "姓名不能为空");
        } else if name.chars().count() > 50 {
            errs.add("name", "姓名不能超过50个字");
        }
        let role = Role::from_code(self.role.trim());
        if role.is_none() {
            errs.add("role", "角色无效");
        }
        let phone = self.phone.trim().to_string();
        if phone.chars().count() > 30
            || !phone
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | ' '))
        {
            errs.add("phone", "手机号码只能包含数字、空格和 - +，最多30位");
        }
        errs.into_result()?;
        Ok(ValidUser {
            username,
            name,
            role: role.unwrap_or(Role::Inspector),
            phone,
        })
    }
}

/// Who may give which role: business roles by the system administrator, any role (and every
/// administrator role) only by the security administrator.
fn require_role_grant(ctx: &Ctx, role: Role) -> Result<()> {
    if ctx.can(Permission::UserAssignRole) || (!role.is_admin() && ctx.can(Permission::UserManage))
    {
        Ok(())
    } else {
        Err(DbError::Forbidden)
    }
}

async fn org_in_scope(tx: &mut Tx, ctx: &Ctx, org_id: i64) -> Result<()> {
    let found: Option<(i64, bool)> = tx
        .fetch_optional(
            &Q::new("SELECT id, active FROM org WHERE id = $1 AND path LIKE $2")
                .bind(org_id)
                .bind(ctx.scope_like()),
        )
        .await?;
    match found {
        None => Err(DbError::invalid("org_id", "所属组织不存在")),
        Some((_, false)) => Err(DbError::invalid("org_id", "所属组织已停用")),
        Some(_) => Ok(()),
    }
}

pub struct Created {
    pub user: User,
    /// The initial password when it was generated here: shown once, never stored in clear.
    pub generated_password: Option<String>,
}

/// Creates an account. Without a password one is generated; either way the user must change it
/// at first login unless `must_change` is false (demo accounts only).
pub async fn create(
    db: &Db,
    ctx: &Ctx,
    input: &UserInput,
    password: Option<&str>,
    must_change: bool,
) -> Result<Created> {
    let v = input.parse()?;
    require_role_grant(ctx, v.role)?;
    let generated = match password {
        Some(p) => {
            check_password(p, &v.username)
                .map_err(|e| DbError::invalid("password", e.to_string()))?;
            None
        }
        None => Some(generate_password()),
    };
    let hash = hash_password(password.or(generated.as_deref()).unwrap_or_default()).await?;
    let mut tx = db.begin().await?;
    org_in_scope(&mut tx, ctx, input.org_id).await?;
    let taken: Option<(i64,)> = tx
        .fetch_optional(&Q::new("SELECT id FROM app_user WHERE username = $1").bind(&v.username))
        .await?;
    if taken.is_some() {
        return Err(DbError::invalid("username", "用户名已存在"));
    }
    let now = crate::now();
    let (id,): (i64,) = tx
        .fetch_one(
            &Q::new(
                "INSERT INTO app_user (username, name, org_id, role, phone, password_hash, must_change_password, \
                 failed_logins, disabled, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9, $9) RETURNING id",
            )
            .bind(&v.username)
            .bind(v.name)
            .bind(input.org_id)
            .bind(v.role.code())
            .bind(v.phone)
            .bind(hash)
            .bind(must_change)
            .bind(false)
            .bind(now),
        )
        .await
        .map_err(|e| match e {
            DbError::Sqlx(e) => DbError::unique_or(e, "用户名已存在"),
            e => e,
        })?;
    let user: User = tx
        .fetch_one(&Q::new(&format!("SELECT {COLS} FROM app_user WHERE id = $1")).bind(id))
        .await?;
    audit::record(
        &mut tx,
        ctx,
        Change::new("user", id, "create")
            .org(Some(user.org_id))
            .after(&user),
    )
    .await?;
    tx.commit().await?;
    Ok(Created {
        user,
        generated_password: generated,
    })
}

#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub keyword: Option<String>,
    pub role: Option<Role>,
    pub org_id: Option<i64>,
}

fn filtered(ctx: &Ctx, f: &UserFilter, head: &str) -> Q {
    let mut q = Q::new(head);
    q.push(" WHERE o.path LIKE ").push_arg(ctx.scope_like());
    q.push_keyword(f.keyword.as_deref(), &["u.username", "u.name"]);
    if let Some(r) = f.role {
        q.push(" AND u.role = ").push_arg(r.code());
    }
    if let Some(o) = f.org_id {
        q.push(" AND u.org_id = ").push_arg(o);
    }
    q
}

pub async fn list(db: &Db, ctx: &Ctx, f: &UserFilter, page: PageReq) -> Result<Page<UserRow>> {
    ctx.require(Permission::UserView)?;
    let (total,): (i64,) = db
        .fetch_one(&filtered(
            ctx,
            f,
            "SELECT COUNT(*) FROM app_user u JOIN org o ON o.id = u.org_id",
        ))
        .await?;
    let mut q = filtered(ctx, f, ROW_SELECT);
    q.push(" ORDER BY o.path, u.username LIMIT ")
        .push_arg(page.page_size);
    q.push(" OFFSET ").push_arg(page.offset());
    Ok(Page {
        items: db.fetch_all(&q).await?,
        total,
        page: page.page,
        page_size: page.page_size,
    })
}

pub async fn get(db: &Db, ctx: &Ctx, id: i64) -> Result<UserRow> {
    ctx.require(Permission::UserView)?;
    db.fetch_one(
        &Q::new(&format!("{ROW_SELECT} WHERE u.id = $1 AND o.path LIKE $2"))
            .bind(id)
            .bind(ctx.scope_like()),
    )
    .await
}

async fn get_for_update(tx: &mut Tx, ctx: &Ctx, id: i64) -> Result<User> {
    tx.fetch_one(
        &Q::new(&format!(
            "SELECT {COLS} FROM app_user WHERE id = $1 AND org_id IN (SELECT id FROM org WHERE path LIKE $2)"
        ))
        .bind(id)
        .bind(ctx.scope_like()),
    )
    .await
}

/// The end of every change to an existing account: reload it, audit before and after in the same
/// transaction, commit.
async fn commit_change(
    mut tx: Tx,
    ctx: &Ctx,
    id: i64,
    action: &str,
    before: &User,
) -> Result<User> {
    let after = reload(&mut tx, id).await?;
    audit::record(
        &mut tx,
        ctx,
        Change::new("user", id, action)
            .org(Some(after.org_id))
            .before(before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub(super) async fn reload(tx: &mut Tx, id: i64) -> Result<User> {
    tx.fetch_one(&Q::new(&format!("SELECT {COLS} FROM app_user WHERE id = $1")).bind(id))
        .await
}

/// Finds an account by user name for the command line (system context) or by id.
pub async fn find(db: &Db, ctx: &Ctx, username: &str) -> Result<UserRow> {
    ctx.require(Permission::UserView)?;
    db.fetch_one(
        &Q::new(&format!(
            "{ROW_SELECT} WHERE u.username = $1 AND o.path LIKE $2"
        ))
        .bind(username.trim())
        .bind(ctx.scope_like()),
    )
    .await
}

/// The conflict every stale account form gets (the wording of the other modules).
fn stale() -> DbError {
    DbError::Conflict("记录已被他人修改，请刷新后重试".into())
}

/// Writes an administrator's change of the account `id` only if it is still at `row_version`
/// (the version the form read), moving it to the next version; otherwise the stale conflict.
async fn write_versioned(tx: &mut Tx, mut q: Q, id: i64, row_version: i64) -> Result<()> {
    q.push(", row_version = row_version + 1 WHERE id = ")
        .push_arg(id);
    q.push(" AND row_version = ").push_arg(row_version);
    if tx.execute(&q).await? == 0 {
        return Err(stale());
    }
    Ok(())
}

/// Edits name and phone; `row_version` is the version the form read.
pub async fn update_profile(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    row_version: i64,
    name: &str,
    phone: &str,
) -> Result<User> {
    ctx.require(Permission::UserManage)?;
    let mut tx = db.begin().await?;
    let before = get_for_update(&mut tx, ctx, id).await?;
    let probe = UserInput {
        username: before.username.clone(),
        name: name.to_string(),
        org_id: before.org_id,
        role: before.role.clone(),
        phone: phone.to_string(),
    };
    let v = probe.parse()?;
    let q = Q::new("UPDATE app_user SET name = $1, phone = $2, updated_at = $3")
        .bind(v.name)
        .bind(v.phone)
        .bind(crate::now());
    write_versioned(&mut tx, q, id, row_version).await?;
    commit_change(tx, ctx, id, "update", &before).await
}

/// Changes role and organisation: a permission change, so the security administrator's. Ends the
/// user's sessions so the new rights apply at once. `row_version` is the version the form read.
pub async fn assign(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    row_version: i64,
    role: &str,
    org_id: i64,
) -> Result<User> {
    ctx.require(Permission::UserAssignRole)?;
    let role = Role::from_code(role).ok_or_else(|| DbError::invalid("role", "角色无效"))?;
    if ctx.user_id() == Some(id) {
        return Err(DbError::invalid("role", "不能修改自己的角色"));
    }
    let mut tx = db.begin().await?;
    let before = get_for_update(&mut tx, ctx, id).await?;
    org_in_scope(&mut tx, ctx, org_id).await?;
    let q = Q::new("UPDATE app_user SET role = $1, org_id = $2, updated_at = $3")
        .bind(role.code())
        .bind(org_id)
        .bind(crate::now());
    write_versioned(&mut tx, q, id, row_version).await?;
    crate::session::end_all_for_user(&mut tx, id, "permission_change").await?;
    commit_change(tx, ctx, id, "assign_role", &before).await
}

/// Sets a new random password that must be changed at next login, and ends the user's sessions.
pub async fn reset_password(db: &Db, ctx: &Ctx, id: i64) -> Result<String> {
    ctx.require(Permission::UserManage)?;
    let password = generate_password();
    let hash = hash_password(&password).await?;
    let mut tx = db.begin().await?;
    let before = get_for_update(&mut tx, ctx, id).await?;
    if before.role().is_some_and(Role::is_admin)
        && !ctx.can(Permission::UserAssignRole)
        && ctx.user_id() != Some(id)
    {
        // A system administrator resetting another administrator could take over that account.
        if !matches!(ctx.actor, crate::Actor::System(_)) {
            return Err(DbError::Forbidden);
        }
    }
    tx.execute(
        &Q::new(
            "UPDATE app_user SET password_hash = $1, must_change_password = $2, failed_logins = 0, \
             locked_until = NULL, updated_at = $3 WHERE id = $4",
        )
        .bind(hash)
        .bind(true)
        .bind(crate::now())
        .bind(id),
    )
    .await?;
    crate::session::end_all_for_user(&mut tx, id, "password_reset").await?;
    audit::record(
        &mut tx,
        ctx,
        Change::new("user", id, "reset_password").org(Some(before.org_id)),
    )
    .await?;
    tx.commit().await?;
    Ok(password)
}

/// Locks (disables) or unlocks an account. Unlocking also clears a failed-login lockout. A state
/// action: it takes no version (locking twice locks), but moves the version on, so a profile or
/// role form opened before it is refused rather than saved over an account it did not show.
pub async fn set_locked(db: &Db, ctx: &Ctx, id: i64, locked: bool) -> Result<User> {
    ctx.require(Permission::UserAssignRole)?;
    if ctx.user_id() == Some(id) {
        return Err(DbError::Conflict("不能锁定或解锁自己的账号".into()));
    }
    let mut tx = db.begin().await?;
    let before = get_for_update(&mut tx, ctx, id).await?;
    tx.execute(
        &Q::new(
            "UPDATE app_user SET disabled = $1, failed_logins = 0, locked_until = NULL, row_version = row_version + 1, \
             updated_at = $2 WHERE id = $3",
        )
        .bind(locked)
        .bind(crate::now())
        .bind(id),
    )
    .await?;
    if locked {
        crate::session::end_all_for_user(&mut tx, id, "locked").await?;
    }
    let action = if locked { "lock" } else { "unlock" };
    commit_change(tx, ctx, id, action, &before).await
}

/// Users counted without scope: the first start uses it.
pub async fn count_all(db: &Db) -> Result<i64> {
    let (n,): (i64,) = db
        .fetch_one(&Q::new("SELECT COUNT(*) FROM app_user"))
        .await?;
    Ok(n)
}
