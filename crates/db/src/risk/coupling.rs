//! Coupling to hazards: the hazard form's picker, linking a hazard to a point, the elevated and
//! re-assessment states and the risk to-do.

use chrono::NaiveDate;
use serde::Serialize;

use anjian_domain::role::Permission;

use super::common::{point_select, push_flagged, today};
use super::{PointOption, RiskPoint, RiskTodo};
use crate::audit::{self, Change};
use crate::error::{DbError, Result};
use crate::query::{Db, Q};
use crate::Ctx;

/// A hazard at a point, as the point's page lists it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PointHazard {
    pub id: i64,
    pub description: String,
    pub found_on: NaiveDate,
    pub status: String,
    pub grade: String,
}

impl PointHazard {
    pub fn status_label(&self) -> &'static str {
        anjian_domain::hazard::HazardStatus::from_code(&self.status)
            .map(|s| s.label())
            .unwrap_or("")
    }
    pub fn is_open(&self) -> bool {
        self.status != "closed"
    }
}

/// Active points of exactly this organisation for the hazard form's picker (HazardReport or
/// RiskView). NotFound when the organisation is out of scope.
pub async fn points_for_hazard_form(db: &Db, ctx: &Ctx, org_id: i64) -> Result<Vec<PointOption>> {
    if !ctx.can(Permission::HazardReport) {
        ctx.require(Permission::RiskView)?;
    }
    let org: Option<(i64,)> = db
        .fetch_optional(
            &Q::new("SELECT id FROM org WHERE id = $1 AND path LIKE $2")
                .bind(org_id)
                .bind(ctx.scope_like()),
        )
        .await?;
    if org.is_none() {
        return Err(DbError::NotFound);
    }
    db.fetch_all(
        &Q::new(
            "SELECT p.id, p.name, o.name AS org_name, p.kind, p.location, p.level_rank FROM risk_point p \
             JOIN org o ON o.id = p.org_id WHERE p.org_id = $1 AND p.active = $2 ORDER BY p.name, p.id",
        )
        .bind(org_id)
        .bind(true),
    )
    .await
}

/// At most this many points are offered on an inspection item; a subtree with more is not
/// what the picker is for (the API still takes any valid id).
const INSPECTION_POINTS_MAX: i64 = 500;

/// Active points of an organisation and of those below it, for the items of an inspection of
/// it (InspectionRecord or RiskView): the points `hazard::risk_point::check` accepts for a
/// hazard of that organisation. NotFound when the organisation is out of scope.
pub async fn points_for_inspection(db: &Db, ctx: &Ctx, org_id: i64) -> Result<Vec<PointOption>> {
    if !ctx.can(Permission::InspectionRecord) {
        ctx.require(Permission::RiskView)?;
    }
    let org: Option<(String,)> = db
        .fetch_optional(
            &Q::new("SELECT path FROM org WHERE id = $1 AND path LIKE $2")
                .bind(org_id)
                .bind(ctx.scope_like()),
        )
        .await?;
    let Some((path,)) = org else {
        return Err(DbError::NotFound);
    };
    db.fetch_all(
        &Q::new(
            "SELECT p.id, p.name, o.name AS org_name, p.kind, p.location, p.level_rank FROM risk_point p \
             JOIN org o ON o.id = p.org_id WHERE o.path LIKE $1 AND p.active = $2 \
             ORDER BY o.path, p.name, p.id LIMIT $3",
        )
        .bind(format!("{path}%"))
        .bind(true)
        .bind(INSPECTION_POINTS_MAX),
    )
    .await
}

/// The risk point whose control measures a checklist was made from (`measures_to_checklist`),
/// if any: its items check that point. No permission of its own: it only says which point a
/// checklist the caller already opened belongs to.
pub async fn point_of_checklist(db: &Db, checklist_id: i64) -> Result<Option<i64>> {
    let row: Option<(i64,)> = db
        .fetch_optional(
            &Q::new("SELECT risk_point_id FROM risk_point_checklist WHERE checklist_id = $1")
                .bind(checklist_id),
        )
        .await?;
    Ok(row.map(|r| r.0))
}

/// Links a hazard to a risk point (or unlinks with None). Both must be in scope (else
/// NotFound), the point active and in the hazard's organisation subtree (the point's
/// organisation is the hazard's, above it or below it). Needs HazardReport or RiskManage.
/// Audited on the hazard.
pub async fn link_hazard(
    db: &Db,
    ctx: &Ctx,
    hazard_id: i64,
    risk_point_id: Option<i64>,
) -> Result<()> {
    if !ctx.can(Permission::HazardReport) {
        ctx.require(Permission::RiskManage)?;
    }
    let mut tx = db.begin().await?;
    let hazard: Option<(i64, Option<i64>)> = tx
        .fetch_optional(
            &Q::new(
                "SELECT h.org_id, h.risk_point_id FROM hazard h JOIN org o ON o.id = h.org_id \
                 WHERE h.id = $1 AND h.deleted_at IS NULL AND o.path LIKE $2",
            )
            .bind(hazard_id)
            .bind(ctx.scope_like()),
        )
        .await?;
    let Some((org_id, before)) = hazard else {
        return Err(DbError::NotFound);
    };
    // The same rule as registering or editing the hazard, so the two ends cannot disagree.
    if let Some(p) = risk_point_id {
        crate::hazard::risk_point::check(&mut tx, ctx, org_id, p, before).await?;
    }
    tx.execute(
        &Q::new("UPDATE hazard SET risk_point_id = $1 WHERE id = $2")
            .bind(risk_point_id)
            .bind(hazard_id),
    )
    .await?;
    audit::record(
        &mut tx,
        ctx,
        Change::new("hazard", hazard_id, "link_risk_point")
            .org(Some(org_id))
            .before(serde_json::json!({ "risk_point_id": before }))
            .after(serde_json::json!({ "risk_point_id": risk_point_id })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn hazards_unchecked(
    db: &Db,
    point_id: i64,
    limit: i64,
) -> Result<Vec<PointHazard>> {
    db.fetch_all(
        &Q::new(
            "SELECT h.id, h.description, h.found_on, h.status, h.grade FROM hazard h \
             WHERE h.risk_point_id = $1 AND h.deleted_at IS NULL ORDER BY h.found_on DESC, h.id DESC LIMIT $2",
        )
        .bind(point_id)
        .bind(limit),
    )
    .await
}

/// Hazards referencing a point, newest first, up to `limit` (RiskView).
pub async fn hazards_of_point(
    db: &Db,
    ctx: &Ctx,
    point_id: i64,
    limit: i64,
) -> Result<Vec<PointHazard>> {
    ctx.require(Permission::RiskView)?;
    super::common::point_db(db, ctx, point_id).await?;
    hazards_unchecked(db, point_id, limit).await
}

/// Points flagged for re-assessment whose responsible user is the caller, and for RiskManage
/// users the count of flagged points in scope (RiskView; empty without it).
pub async fn todo(db: &Db, ctx: &Ctx) -> Result<RiskTodo> {
    if !ctx.can(Permission::RiskView) {
        return Ok(RiskTodo::default());
    }
    let today = today();
    let mut out = RiskTodo::default();
    if let Some(me) = ctx.user_id() {
        let mut q = point_select(today);
        q.push(" WHERE p.responsible_user_id = ").push_arg(me);
        q.push(" AND p.active = ").push_arg(true);
        q.push(" AND o.path LIKE ").push_arg(ctx.scope_like());
        q.push(" AND ");
        push_flagged(&mut q, today);
        q.push(" ORDER BY p.level_rank, p.name LIMIT 100");
        let mine: Vec<RiskPoint> = db.fetch_all(&q).await?;
        out.mine = mine;
    }
    if ctx.can(Permission::RiskManage) {
        // Driven from the (few) hazards that reference a point, not from every point.
        let mut q = Q::new(
            "SELECT COUNT(*) FROM risk_point p JOIN org o ON o.id = p.org_id WHERE p.active = ",
        );
        q.push_arg(true);
        q.push(" AND o.path LIKE ").push_arg(ctx.scope_like());
        q.push(" AND p.id IN (SELECT h.risk_point_id FROM hazard h WHERE h.risk_point_id IS NOT NULL AND h.found_on >= ")
            .push_arg(super::common::window_start(today));
        q.push(") AND ");
        push_flagged(&mut q, today);
        let (n,): (i64,) = db.fetch_one(&q).await?;
        out.flagged_in_scope = n;
    }
    Ok(out)
}
