//! The hazard ledger's organisation filter: the shared text field with suggestions of
//! `org::filter`, asked with the hazard ledger's permission.

use anjian_domain::role::Permission;

pub use crate::org::filter::{OrgChoice, SUGGESTION_LIMIT};

use crate::error::Result;
use crate::org::filter;
use crate::query::Db;
use crate::Ctx;

const PERM: Permission = Permission::HazardView;

/// See `org::filter::suggestions`.
pub async fn org_suggestions(db: &Db, ctx: &Ctx, text: &str) -> Result<Vec<OrgChoice>> {
    filter::suggestions(db, ctx, PERM, text).await
}

/// See `org::filter::children`.
pub async fn org_children(db: &Db, ctx: &Ctx, parent: Option<i64>) -> Result<Vec<OrgChoice>> {
    filter::children(db, ctx, PERM, parent).await
}

/// See `org::filter::choice`.
pub async fn org_choice(db: &Db, ctx: &Ctx, id: i64) -> Result<OrgChoice> {
    filter::choice(db, ctx, PERM, id).await
}

/// See `org::filter::resolve`.
pub async fn resolve_org(db: &Db, ctx: &Ctx, field: &str, text: &str) -> Result<OrgChoice> {
    filter::resolve(db, ctx, PERM, field, text).await
}
