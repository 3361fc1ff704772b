//! `Ctx`: who is asking, from where, and which part of the organisation tree they may see.
//! Built once per request by the web layer (or once per command by the CLI) and required by
//! every repository call.

use std::sync::Arc;

use anjian_domain::role::{Permission, Role};

use crate::cache::Snapshot;
use crate::error::{DbError, Result};

#[derive(Debug, Clone)]
pub struct UserCtx {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub role: Role,
    pub org_id: i64,
    /// Materialised path of the user's organisation: the visible scope is every node below it.
    pub scope_path: String,
}

#[derive(Debug, Clone)]
pub enum Actor {
    User(UserCtx),
    /// The command line, run by whoever holds the server's shell: full scope, all permissions,
    /// still audited under this name.
    System(&'static str),
    /// Nobody yet: a login attempt. May only write its own audit entries.
    Anonymous,
}

#[derive(Debug, Clone)]
pub struct Ctx {
    pub actor: Actor,
    pub ip: String,
    /// The cache generations read when the request signed in (`cache`), if any.
    snapshot: Option<Arc<Snapshot>>,
}

impl Ctx {
    pub fn user(u: UserCtx, ip: impl Into<String>) -> Ctx {
        Ctx {
            actor: Actor::User(u),
            ip: ip.into(),
            snapshot: None,
        }
    }

    /// The request's caller with the cache generations read when it signed in: cached
    /// statements of the request use them instead of reading them again (`cache::current`).
    pub fn with_snapshot(mut self, snapshot: Option<Arc<Snapshot>>) -> Ctx {
        self.snapshot = snapshot;
        self
    }

    pub(crate) fn snapshot(&self) -> Option<&Snapshot> {
        self.snapshot.as_deref()
    }

    pub fn system(name: &'static str) -> Ctx {
        Ctx {
            actor: Actor::System(name),
            ip: String::new(),
            snapshot: None,
        }
    }

    pub fn anonymous(ip: impl Into<String>) -> Ctx {
        Ctx {
            actor: Actor::Anonymous,
            ip: ip.into(),
            snapshot: None,
        }
    }

    pub fn user_ctx(&self) -> Option<&UserCtx> {
        match &self.actor {
            Actor::User(u) => Some(u),
            _ => None,
        }
    }

    pub fn user_id(&self) -> Option<i64> {
        self.user_ctx().map(|u| u.id)
    }

    pub fn username(&self) -> String {
        match &self.actor {
            Actor::User(u) => u.username.clone(),
            Actor::System(s) => format!("system:{s}"),
            Actor::Anonymous => "anonymous".to_string(),
        }
    }

    pub fn org_id(&self) -> Option<i64> {
        self.user_ctx().map(|u| u.org_id)
    }

    /// The path prefix that bounds what this caller sees. An anonymous caller sees nothing: the
    /// prefix matches no path.
    pub fn scope_path(&self) -> &str {
        match &self.actor {
            Actor::User(u) => &u.scope_path,
            Actor::System(_) => "/",
            Actor::Anonymous => "-",
        }
    }

    pub fn scope_like(&self) -> String {
        format!("{}%", self.scope_path())
    }

    pub fn can(&self, p: Permission) -> bool {
        match &self.actor {
            Actor::User(u) => u.role.can(p),
            Actor::System(_) => true,
            Actor::Anonymous => false,
        }
    }

    /// The one way in to a guarded repository call.
    pub fn require(&self, p: Permission) -> Result<()> {
        if self.can(p) {
            Ok(())
        } else {
            Err(DbError::Forbidden)
        }
    }

    pub fn in_scope(&self, path: &str) -> bool {
        anjian_domain::org::path_within(path, self.scope_path())
    }
}
