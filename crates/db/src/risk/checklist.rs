//! A point's control measures as a checklist (检查表) of its organisation.

use serde::Serialize;

use anjian_domain::risk::{ControlTier, MeasureType, RiskLevel};
use anjian_domain::role::Permission;

use super::common::point_tx;
use crate::audit::{self, Change};
use crate::error::{DbError, Result};
use crate::query::{Db, Q};
use crate::Ctx;

#[derive(Debug, Clone, Serialize)]
pub struct ChecklistMade {
    pub checklist_id: i64,
    /// Items written (one per active measure).
    pub items: i64,
    /// Inspection interval of the checklist in days: the rules' interval of the point's level.
    pub check_days: u32,
    /// True when the point's checklist existed and its items were replaced.
    pub replaced: bool,
}

/// Turns a point's active measures into a checklist owned by the point's organisation, one item
/// per measure, with the inspection interval of its risk's level from the rules. Made again,
/// the same checklist gets the current measures (old items deactivated: inspections keep their
/// snapshots). RiskManage. Audited.
pub async fn measures_to_checklist(
    db: &Db,
    ctx: &Ctx,
    risk_point_id: i64,
) -> Result<ChecklistMade> {
    ctx.require(Permission::RiskManage)?;
    let rules = super::settings::rules(db).await?;
    let mut tx = db.begin().await?;
    let point = point_tx(&mut tx, Some(ctx), risk_point_id).await?;
    let Some(level) = point.level() else {
        return Err(DbError::invalid(
            "risk_point_id",
            "该风险点尚无已评估的风险，无法生成检查表",
        ));
    };
    // (content, measure type, tier, risk description, risk level rank)
    let measures: Vec<(String, String, String, String, i64)> = tx
        .fetch_all(
            &Q::new(
                "SELECT m.content, m.measure_type, m.tier, r.description, r.level_rank FROM risk_measure m \
                 JOIN risk r ON r.id = m.risk_id WHERE m.risk_point_id = $1 AND m.active = $2 AND r.active = $2 \
                 ORDER BY r.level_rank, r.id, m.measure_type, m.id",
            )
            .bind(risk_point_id)
            .bind(true),
        )
        .await?;
    if measures.is_empty() {
        return Err(DbError::invalid(
            "risk_point_id",
            "该风险点尚无管控措施，无法生成检查表",
        ));
    }
    let check_days = rules.check_days_of(level);
    let now = crate::now();
    let description = format!(
        "由风险点“{}”的管控措施生成。检查频次：每{}天（{}，按风险分级标准中的检查频次设置）。",
        point.name,
        check_days,
        level.label()
    );
    let existing: Option<(i64,)> = tx
        .fetch_optional(
            &Q::new("SELECT checklist_id FROM risk_point_checklist WHERE risk_point_id = $1")
                .bind(risk_point_id),
        )
        .await?;
    let replaced = existing.is_some();
    let checklist_id = match existing {
        Some((id,)) => {
            tx.execute(
                &Q::new(
                    "UPDATE checklist SET description = $1, active = $2, row_version = row_version + 1, \
                     updated_at = $3 WHERE id = $4",
                )
                .bind(description.as_str())
                .bind(true)
                .bind(now)
                .bind(id),
            )
            .await?;
            tx.execute(
                &Q::new("UPDATE checklist_item SET active = $1 WHERE checklist_id = $2")
                    .bind(false)
                    .bind(id),
            )
            .await?;
            id
        }
        None => {
            let base = format!("{}·{}·风险管控检查表", point.org_name, point.name);
            let taken: Option<(i64,)> = tx
                .fetch_optional(
                    &Q::new("SELECT id FROM checklist WHERE name = $1").bind(base.as_str()),
                )
                .await?;
            let name = if taken.is_some() {
                format!("{base}（风险点{}）", point.id)
            } else {
                base
            };
            let (id,): (i64,) = tx
                .fetch_one(
                    &Q::new(
                        "INSERT INTO checklist (org_id, name, category, description, source, builtin, active, \
                         row_version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8) RETURNING id",
                    )
                    .bind(point.org_id)
                    .bind(name)
                    .bind("风险管控")
                    .bind(description.as_str())
                    .bind("安全风险分级管控清单")
                    .bind(false)
                    .bind(true)
                    .bind(now),
                )
                .await
                .map_err(|e| match e {
                    DbError::Sqlx(s) => DbError::unique_or(s, "检查表名称已存在"),
                    other => other,
                })?;
            tx.execute(
                &Q::new(
                    "INSERT INTO risk_point_checklist (risk_point_id, checklist_id) VALUES ($1, $2)",
                )
                .bind(risk_point_id)
                .bind(id),
            )
            .await?;
            id
        }
    };
    let (max,): (Option<i64>,) = tx
        .fetch_one(
            &Q::new("SELECT MAX(position) FROM checklist_item WHERE checklist_id = $1")
                .bind(checklist_id),
        )
        .await?;
    let mut pos = max.unwrap_or(0);
    for (content, mtype, tier, desc, rank) in &measures {
        pos += 1;
        let lvl = RiskLevel::from_rank(*rank).unwrap_or(RiskLevel::Major);
        let basis = format!(
            "风险“{desc}”（{}，{}管控，每{}天检查）",
            lvl.label(),
            ControlTier::from_code(tier)
                .map(|t| t.label())
                .unwrap_or(""),
            rules.check_days_of(lvl)
        );
        tx.execute(
            &Q::new(
                "INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(checklist_id)
            .bind(pos)
            .bind(content.as_str())
            .bind(MeasureType::from_code(mtype).map(|t| t.label()).unwrap_or(""))
            .bind(basis)
            .bind(false)
            .bind(true),
        )
        .await?;
    }
    let made = ChecklistMade {
        checklist_id,
        items: measures.len() as i64,
        check_days,
        replaced,
    };
    audit::record(
        &mut tx,
        ctx,
        Change::new("checklist", checklist_id, "from_risk_measures")
            .org(Some(point.org_id))
            .after(serde_json::json!({ "risk_point_id": risk_point_id, "made": made })),
    )
    .await?;
    tx.commit().await?;
    Ok(made)
}
