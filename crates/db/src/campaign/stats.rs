//! What a campaign produced: inspections and hazards carrying it, found / rectified / open, in
//! total and per covered unit. Read-only over the inspection and hazard tables, limited to the
//! caller's scope.

use serde::Serialize;

use crate::error::Result;
use crate::query::{Db, Q};
use crate::Ctx;

#[derive(Debug, Clone, Default, Serialize, sqlx::FromRow)]
pub struct UnitStats {
    pub org_id: i64,
    pub name: String,
    pub inspections: i64,
    pub hazards: i64,
    /// Closed after verification (验收销号).
    pub rectified: i64,
}

impl UnitStats {
    pub fn open(&self) -> i64 {
        self.hazards - self.rectified
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct CampaignStats {
    pub inspections: i64,
    pub hazards: i64,
    pub major_hazards: i64,
    pub rectified: i64,
    pub open: i64,
    pub units: Vec<UnitStats>,
}

/// The figures of a campaign the caller can see (NotFound otherwise).
pub async fn stats(db: &Db, ctx: &Ctx, id: i64) -> Result<CampaignStats> {
    let c = super::get(db, ctx, id).await?;
    let scope = ctx.scope_like();
    let (inspections,): (i64,) = db
        .fetch_one(
            &Q::new(
                "SELECT COUNT(*) FROM inspection i JOIN org io ON io.id = i.org_id \
                 WHERE i.campaign_id = $1 AND i.deleted_at IS NULL AND io.path LIKE $2",
            )
            .bind(id)
            .bind(scope.clone()),
        )
        .await?;
    let (hazards, rectified, major_hazards): (i64, i64, i64) = db
        .fetch_one(
            &Q::new(
                "SELECT COUNT(*), COALESCE(SUM(CASE WHEN h.status = 'closed' THEN 1 ELSE 0 END), 0), \
                 COALESCE(SUM(CASE WHEN h.grade = 'major' THEN 1 ELSE 0 END), 0) \
                 FROM hazard h JOIN org ho ON ho.id = h.org_id \
                 WHERE h.campaign_id = $1 AND h.deleted_at IS NULL AND ho.path LIKE $2",
            )
            .bind(id)
            .bind(scope.clone()),
        )
        .await?;
    let mut q = Q::new(
        "SELECT u.id AS org_id, u.name, \
         (SELECT COUNT(*) FROM inspection i JOIN org io ON io.id = i.org_id WHERE i.campaign_id = $1 \
          AND i.deleted_at IS NULL AND io.path LIKE u.path || '%' AND io.path LIKE $2) AS inspections, \
         (SELECT COUNT(*) FROM hazard h JOIN org ho ON ho.id = h.org_id WHERE h.campaign_id = $1 \
          AND h.deleted_at IS NULL AND ho.path LIKE u.path || '%' AND ho.path LIKE $2) AS hazards, \
         (SELECT COUNT(*) FROM hazard h JOIN org ho ON ho.id = h.org_id WHERE h.campaign_id = $1 \
          AND h.deleted_at IS NULL AND h.status = 'closed' AND ho.path LIKE u.path || '%' AND ho.path LIKE $2) AS rectified \
         FROM org u WHERE u.kind = 'unit' AND u.active = $3 AND (u.path LIKE $2 OR $4 LIKE u.path || '%')",
    )
    .bind(id)
    .bind(scope)
    .bind(true)
    .bind(ctx.scope_path().to_string());
    if c.campaign.all_units {
        q.push(" AND u.path LIKE ")
            .push_arg(format!("{}%", c.owner_path));
    } else {
        q.push(" AND u.id IN (SELECT org_id FROM campaign_org WHERE campaign_id = $1)");
    }
    q.push(" ORDER BY u.sort_order, u.path");
    let units: Vec<UnitStats> = db.fetch_all(&q).await?;
    Ok(CampaignStats {
        inspections,
        hazards,
        major_hazards,
        rectified,
        open: hazards - rectified,
        units,
    })
}
