//! Control measures of a risk.

use anjian_domain::risk::{ControlTier, MeasureType};
use anjian_domain::role::Permission;

use super::common::{measure_db, measure_tx, responsible_user, risk_tx, stale, text};
use super::{Measure, MeasureInput};
use crate::audit::{self, Change};
use crate::error::{DbError, FieldErrors, Result};
use crate::query::{Db, Tx, Q};
use crate::Ctx;

pub(crate) struct NewMeasure {
    pub measure_type: MeasureType,
    pub content: String,
    /// None: the risk's tier.
    pub tier: Option<ControlTier>,
    pub responsible_user_id: Option<i64>,
    pub responsible_name: String,
}

impl MeasureInput {
    pub(crate) fn parse(&self) -> Result<NewMeasure> {
        let mut errs = FieldErrors::new();
        let t = MeasureType::parse(&self.measure_type);
        if t.is_none() {
            errs.add(
                "measure_type",
                "请选择措施类型：工程技术、管理措施、培训教育、个体防护或应急处置",
            );
        }
        let content = text(&mut errs, "content", "措施内容", &self.content, true, 500);
        let tier = if self.tier.trim().is_empty() {
            None
        } else {
            let t = ControlTier::parse(&self.tier);
            if t.is_none() {
                errs.add("tier", "管控层级无效，应为公司级、部门级、班组级或岗位级");
            }
            t
        };
        let responsible_name = text(
            &mut errs,
            "responsible_name",
            "责任人",
            &self.responsible_name,
            false,
            50,
        );
        errs.into_result()?;
        let measure_type = t.ok_or_else(|| DbError::invalid("measure_type", "措施类型无效"))?;
        Ok(NewMeasure {
            measure_type,
            content,
            tier,
            responsible_user_id: self.responsible_user_id,
            responsible_name,
        })
    }
}

/// Inserts a checked measure under a risk (caller checked the risk's scope).
pub(crate) async fn insert_measure(
    tx: &mut Tx,
    _ctx: &Ctx,
    risk_id: i64,
    point_id: i64,
    org_id: i64,
    risk_tier: &str,
    m: &mut NewMeasure,
) -> Result<i64> {
    let user = responsible_user(
        tx,
        "responsible_user_id",
        org_id,
        m.responsible_user_id,
        None,
    )
    .await?;
    if let Some(name) = user {
        if m.responsible_name.is_empty() {
            m.responsible_name = name;
        }
    }
    let now = crate::now();
    let (id,): (i64,) = tx
        .fetch_one(
            &Q::new(
                "INSERT INTO risk_measure (risk_id, risk_point_id, org_id, measure_type, content, tier, \
                 responsible_user_id, responsible_name, active, row_version, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $10) RETURNING id",
            )
            .bind(risk_id)
            .bind(point_id)
            .bind(org_id)
            .bind(m.measure_type.code())
            .bind(m.content.as_str())
            .bind(m.tier.map(|t| t.code()).unwrap_or(risk_tier))
            .bind(m.responsible_user_id)
            .bind(m.responsible_name.as_str())
            .bind(true)
            .bind(now),
        )
        .await?;
    Ok(id)
}

async fn audit_measure(
    tx: &mut Tx,
    ctx: &Ctx,
    action: &str,
    before: Option<&Measure>,
    after: &Measure,
) -> Result<()> {
    let mut c = Change::new("risk_measure", after.id, action)
        .org(Some(after.org_id))
        .after(after);
    if let Some(b) = before {
        c = c.before(b);
    }
    audit::record(tx, ctx, c).await
}

/// Adds a control measure to a risk in scope. Audited.
pub async fn create_measure(
    db: &Db,
    ctx: &Ctx,
    risk_id: i64,
    input: &MeasureInput,
) -> Result<Measure> {
    ctx.require(Permission::RiskManage)?;
    let mut tx = db.begin().await?;
    let risk = risk_tx(&mut tx, Some(ctx), risk_id).await?;
    let mut m = input.parse()?;
    let id = insert_measure(
        &mut tx,
        ctx,
        risk.id,
        risk.risk_point_id,
        risk.org_id,
        &risk.control_tier,
        &mut m,
    )
    .await?;
    let after = measure_tx(&mut tx, None, id).await?;
    audit_measure(&mut tx, ctx, "create", None, &after).await?;
    tx.commit().await?;
    Ok(after)
}

/// Edits a measure; `row_version` must match. Audited.
pub async fn update_measure(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    row_version: i64,
    input: &MeasureInput,
) -> Result<Measure> {
    ctx.require(Permission::RiskManage)?;
    let mut tx = db.begin().await?;
    let before = measure_tx(&mut tx, Some(ctx), id).await?;
    let mut m = input.parse()?;
    if before.row_version != row_version {
        return Err(stale());
    }
    let user = responsible_user(
        &mut tx,
        "responsible_user_id",
        before.org_id,
        m.responsible_user_id,
        before.responsible_user_id,
    )
    .await?;
    if let Some(name) = user {
        if m.responsible_name.is_empty() {
            m.responsible_name = name;
        }
    }
    let n = tx
        .execute(
            &Q::new(
                "UPDATE risk_measure SET measure_type = $1, content = $2, tier = $3, responsible_user_id = $4, \
                 responsible_name = $5, row_version = row_version + 1, updated_at = $6 \
                 WHERE id = $7 AND row_version = $8",
            )
            .bind(m.measure_type.code())
            .bind(m.content.as_str())
            .bind(m.tier.map(|t| t.code()).unwrap_or(before.tier.as_str()))
            .bind(m.responsible_user_id)
            .bind(m.responsible_name.as_str())
            .bind(crate::now())
            .bind(id)
            .bind(row_version),
        )
        .await?;
    if n == 0 {
        return Err(stale());
    }
    let after = measure_tx(&mut tx, None, id).await?;
    audit_measure(&mut tx, ctx, "update", Some(&before), &after).await?;
    tx.commit().await?;
    Ok(after)
}

/// Deactivates (or re-activates) a measure. Audited.
pub async fn set_measure_active(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    row_version: i64,
    active: bool,
) -> Result<Measure> {
    ctx.require(Permission::RiskManage)?;
    let mut tx = db.begin().await?;
    let before = measure_tx(&mut tx, Some(ctx), id).await?;
    let n = tx
        .execute(
            &Q::new(
                "UPDATE risk_measure SET active = $1, row_version = row_version + 1, updated_at = $2 \
                 WHERE id = $3 AND row_version = $4",
            )
            .bind(active)
            .bind(crate::now())
            .bind(id)
            .bind(row_version),
        )
        .await?;
    if n == 0 {
        return Err(stale());
    }
    let after = measure_tx(&mut tx, None, id).await?;
    let action = if active { "activate" } else { "deactivate" };
    audit_measure(&mut tx, ctx, action, Some(&before), &after).await?;
    tx.commit().await?;
    Ok(after)
}

/// One measure (RiskView).
pub async fn get_measure(db: &Db, ctx: &Ctx, id: i64) -> Result<Measure> {
    ctx.require(Permission::RiskView)?;
    measure_db(db, ctx, id).await
}
