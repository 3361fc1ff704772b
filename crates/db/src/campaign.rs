//! Campaigns (专项行动) and key periods (重要时段): named, dated, with the units they cover.
//!
//! CONTRACT (used by the inspection and hazard modules): `Campaign`, `usable_for_org` and
//! `check_in_tx` keep these names and shapes.
//!
//! A campaign is owned by the organisation that created it (the bureau). Users whose scope
//! contains the owner see it; users below the owner see it when it covers their unit (all units,
//! or their unit is among the chosen ones).

use serde::Serialize;

use anjian_domain::role::Permission;

mod defaults;
mod manage;
mod stats;

pub use defaults::{default_set, seed_defaults, DefaultCampaign};
pub use manage::{create, set_active, update, CampaignInput};
pub use stats::{stats, CampaignStats, UnitStats};

use crate::cache::{self, Cached, Topic};
use crate::error::{DbError, Result};
use crate::query::{Db, Tx, Q};
use crate::Ctx;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Campaign {
    pub id: i64,
    pub org_id: i64,
    /// `campaign` 专项行动 or `key_period` 重要时段.
    pub kind: String,
    pub name: String,
    pub start_date: chrono::NaiveDate,
    pub end_date: chrono::NaiveDate,
    pub description: String,
    pub all_units: bool,
    pub active: bool,
    pub row_version: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

pub(crate) const COLS: &str = "c.id, c.org_id, c.kind, c.name, c.start_date, c.end_date, \
     c.description, c.all_units, c.active, c.row_version, c.created_at, c.updated_at";

/// `FROM campaign c JOIN org o … WHERE <visible>`: the caller's view of campaigns.
pub(crate) fn visible(ctx: &Ctx, head: &str) -> Q {
    let mut q = Q::new(head);
    q.push(" FROM campaign c JOIN org o ON o.id = c.org_id WHERE (o.path LIKE ")
        .push_arg(ctx.scope_like());
    let sp = ctx.scope_path().to_string();
    q.push(" OR (").push_arg(sp.clone());
    q.push(" LIKE o.path || '%' AND (c.all_units = ")
        .push_arg(true);
    // A chosen unit covers the caller when the caller sits at or below it, or above it.
    q.push(" OR EXISTS (SELECT 1 FROM campaign_org co JOIN org u ON u.id = co.org_id WHERE co.campaign_id = c.id AND (")
        .push_arg(sp);
    q.push(" LIKE u.path || '%' OR u.path LIKE ")
        .push_arg(ctx.scope_like());
    q.push(")))))");
    q
}

/// `AND <campaign c covers the org at path>`: the org is below the owner and inside the chosen
/// units (or all units are covered).
pub(crate) fn push_covers(q: &mut Q, org_path: &str) {
    q.push(" AND ").push_arg(org_path.to_string());
    q.push(" LIKE o.path || '%' AND (c.all_units = ")
        .push_arg(true);
    q.push(" OR EXISTS (SELECT 1 FROM campaign_org co JOIN org u ON u.id = co.org_id WHERE co.campaign_id = c.id AND ")
        .push_arg(org_path.to_string());
    q.push(" LIKE u.path || '%'))");
}

/// Active campaigns the caller can see that cover `org_id`, the latest first. For choosing a
/// campaign on an inspection or hazard form. NotFound when the org is outside the caller's scope.
///
/// Read on every hazard page (its campaign filter), so both statements are kept while no
/// campaign, covered unit or organisation changes (`cache`).
pub async fn usable_for_org(db: &Db, ctx: &Ctx, org_id: i64) -> Result<Vec<Campaign>> {
    ctx.require(Permission::InspectionView)?;
    let generations = cache::current(db, ctx).await?;
    let pq = Q::new("SELECT path FROM org WHERE id = $1 AND path LIKE $2")
        .bind(org_id)
        .bind(ctx.scope_like());
    let (path,): (String,) = Cached {
        q: &pq,
        topics: &[Topic::Org],
    }
    .fetch_one(db, generations)
    .await?;
    let mut q = visible(ctx, &format!("SELECT {COLS}"));
    push_covers(&mut q, &path);
    q.push(" AND c.active = ").push_arg(true);
    q.push(" ORDER BY c.start_date DESC, c.id DESC");
    Cached {
        q: &q,
        topics: &[Topic::Campaign, Topic::Org],
    }
    .fetch_all(db, generations)
    .await
}

/// Checks that the campaign exists, is visible to the caller and covers `org_id`; otherwise a
/// field error on `campaign_id`. A deactivated campaign still passes: records that already carry
/// it must stay editable.
pub async fn check_in_tx(tx: &mut Tx, ctx: &Ctx, campaign_id: i64, org_id: i64) -> Result<()> {
    ctx.require(Permission::InspectionView)?;
    let path: Option<(String,)> = tx
        .fetch_optional(
            &Q::new("SELECT path FROM org WHERE id = $1 AND path LIKE $2")
                .bind(org_id)
                .bind(ctx.scope_like()),
        )
        .await?;
    let found = match path {
        Some((path,)) => {
            let mut q = visible(ctx, "SELECT c.id");
            q.push(" AND c.id = ").push_arg(campaign_id);
            push_covers(&mut q, &path);
            tx.fetch_optional::<(i64,)>(&q).await?.is_some()
        }
        None => false,
    };
    if found {
        Ok(())
    } else {
        Err(DbError::invalid(
            "campaign_id",
            "专项行动不存在，或不适用于所选单位",
        ))
    }
}

// ---------------------------------------------------------------- pages

/// `campaign` 专项行动 / `key_period` 重要时段, with their labels.
pub const KINDS: [(&str, &str); 2] = [("campaign", "专项行动"), ("key_period", "重要时段")];

pub fn kind_label(code: &str) -> &'static str {
    KINDS
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, l)| *l)
        .unwrap_or("")
}

/// A code or its Chinese label.
pub fn parse_kind(s: &str) -> Option<&'static str> {
    let s = s.trim();
    KINDS
        .iter()
        .find(|(c, l)| *c == s || *l == s)
        .map(|(c, _)| *c)
}

/// A campaign as the pages show it, with its owner and how many units it names.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CampaignRow {
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub campaign: Campaign,
    pub owner_name: String,
    #[serde(skip)]
    pub owner_path: String,
    /// Number of chosen units (0 when all units are covered).
    pub unit_count: i64,
}

impl CampaignRow {
    /// InspectionPlan and the owner inside the caller's scope.
    pub fn can_manage(&self, ctx: &Ctx) -> bool {
        ctx.can(Permission::InspectionPlan) && ctx.in_scope(&self.owner_path)
    }
    pub fn kind_label(&self) -> &'static str {
        kind_label(&self.campaign.kind)
    }
}

pub(crate) fn row_head() -> String {
    format!(
        "SELECT {COLS}, o.name AS owner_name, o.path AS owner_path, \
         (SELECT COUNT(*) FROM campaign_org x WHERE x.campaign_id = c.id) AS unit_count"
    )
}

#[derive(Debug, Clone, Default)]
pub struct CampaignFilter {
    pub kind: Option<&'static str>,
    /// Campaigns whose dates overlap this year.
    pub year: Option<i32>,
    pub keyword: Option<String>,
    pub include_inactive: bool,
}

fn filtered(ctx: &Ctx, f: &CampaignFilter, head: &str) -> Q {
    let mut q = visible(ctx, head);
    if let Some(k) = f.kind {
        q.push(" AND c.kind = ").push_arg(k);
    }
    if let Some(y) = f.year {
        if let (Some(first), Some(last)) = (
            chrono::NaiveDate::from_ymd_opt(y, 1, 1),
            chrono::NaiveDate::from_ymd_opt(y, 12, 31),
        ) {
            q.push(" AND c.start_date <= ").push_arg(last);
            q.push(" AND c.end_date >= ").push_arg(first);
        }
    }
    q.push_keyword(f.keyword.as_deref(), &["c.name", "c.description"]);
    if !f.include_inactive {
        q.push(" AND c.active = ").push_arg(true);
    }
    q
}

/// Campaigns and key periods the caller can see, the latest first.
pub async fn list(
    db: &Db,
    ctx: &Ctx,
    f: &CampaignFilter,
    page: crate::PageReq,
) -> Result<crate::Page<CampaignRow>> {
    ctx.require(Permission::InspectionView)?;
    crate::checklist::fields::paged(
        db,
        &filtered(ctx, f, "SELECT COUNT(*)"),
        filtered(ctx, f, &row_head()),
        "c.start_date DESC, c.id DESC",
        page,
    )
    .await
}

/// One campaign the caller can see; NotFound otherwise.
pub async fn get(db: &Db, ctx: &Ctx, id: i64) -> Result<CampaignRow> {
    ctx.require(Permission::InspectionView)?;
    let mut q = visible(ctx, &row_head());
    q.push(" AND c.id = ").push_arg(id);
    db.fetch_one(&q).await
}

/// The chosen units of a visible campaign (empty when it covers all units), limited to the ones
/// the caller may see.
pub async fn units(db: &Db, ctx: &Ctx, id: i64) -> Result<Vec<(i64, String)>> {
    get(db, ctx, id).await?;
    db.fetch_all(
        &Q::new(
            "SELECT u.id, u.name FROM campaign_org x JOIN org u ON u.id = x.org_id \
             WHERE x.campaign_id = $1 AND (u.path LIKE $2 OR $3 LIKE u.path || '%') ORDER BY u.sort_order, u.path",
        )
        .bind(id)
        .bind(ctx.scope_like())
        .bind(ctx.scope_path().to_string()),
    )
    .await
}
