//! The grading rules (one row for the bureau, JSON) and re-grading every risk when they change.

use chrono::{DateTime, Utc};

use anjian_domain::risk::GradingRules;
use anjian_domain::role::Permission;

use super::common::{actor_name, stale, today};
use super::{RegradeReport, RuleSettings};
use crate::audit::{self, Change};
use crate::error::{DbError, FieldErrors, Result};
use crate::query::{Db, Q};
use crate::Ctx;

type Row = (String, String, String, i64, DateTime<Utc>);

async fn stored(db: &Db) -> Result<Option<Row>> {
    db.fetch_optional(&Q::new(
        "SELECT rules, reason, updated_by_name, row_version, updated_at FROM risk_settings WHERE id = 1",
    ))
    .await
}

fn decode(json: &str) -> GradingRules {
    // Only `update_rules` writes the row, from validated rules; a row this binary cannot read
    // (written by a newer one) falls back to the defaults rather than stopping every risk form.
    serde_json::from_str(json).unwrap_or_else(|e| {
        tracing::warn!("risk_settings.rules unreadable, defaults apply: {e}");
        GradingRules::default()
    })
}

/// The rules in force: the stored row, or `GradingRules::default()` when none was saved. No
/// permission needed: every risk form grades with them.
pub async fn rules(db: &Db) -> Result<GradingRules> {
    Ok(stored(db).await?.map(|r| decode(&r.0)).unwrap_or_default())
}

/// The settings page: rules with who changed them last and why (RiskView).
pub async fn settings(db: &Db, ctx: &Ctx) -> Result<RuleSettings> {
    ctx.require(Permission::RiskView)?;
    Ok(match stored(db).await? {
        Some((json, reason, by, v, at)) => RuleSettings {
            rules: decode(&json),
            stored: true,
            row_version: v,
            updated_at: Some(at),
            updated_by_name: by,
            reason,
        },
        None => RuleSettings {
            rules: GradingRules::default(),
            stored: false,
            row_version: 0,
            updated_at: None,
            updated_by_name: String::new(),
            reason: String::new(),
        },
    })
}

/// Appends the level (rank) the rules give a stored (method, score): the SQL twin of
/// `GradingRules::level_of`, so every risk is re-graded by one statement.
fn push_level_case(q: &mut Q, method: &str, score: &str, r: &GradingRules) {
    let b = r.lec_bounds;
    let lv = r.lec_levels;
    q.push(&format!("(CASE WHEN {method} = 'lec' THEN (CASE"));
    for (i, bound) in [b[3], b[2], b[1], b[0]].into_iter().enumerate() {
        q.push(&format!(" WHEN {score} > ")).push_arg(bound as i64);
        q.push(" THEN ").push_arg(lv[i].rank());
    }
    q.push(" ELSE ").push_arg(lv[4].rank());
    q.push(&format!(" END) WHEN {method} = 'ls' THEN (CASE"));
    for (i, min) in r.ls_min.into_iter().enumerate() {
        q.push(&format!(" WHEN {score} >= ")).push_arg(min as i64);
        q.push(&format!(" THEN {}", i + 1));
    }
    q.push(" ELSE 4 END) ELSE 1 END)");
}

/// Validates and stores new rules (RiskSettings), re-grades every risk from its stored
/// (method, score) in the same transaction — the residual assessment from its own (method,
/// score) too — writes a version row "分级标准调整：<reason>" for each risk whose level or
/// residual level changed, and an audit entry. A reason is required (field `reason`);
/// invalid rules are `DbError::Invalid` with the rule's field names. `row_version` is the
/// settings' version the form showed (0 when none was stored yet); when the settings were saved
/// since, nothing changes and the caller gets the stale conflict.
pub async fn update_rules(
    db: &Db,
    ctx: &Ctx,
    rules: &GradingRules,
    reason: &str,
    row_version: i64,
) -> Result<RegradeReport> {
    ctx.require(Permission::RiskSettings)?;
    let mut errs = FieldErrors::new();
    if let Err(list) = rules.validate() {
        for (f, m) in list {
            errs.add(f, m);
        }
    }
    let reason = crate::hazard::text(&mut errs, "reason", "调整原因", reason, true, 200);
    errs.into_result()?;
    let json = serde_json::to_string(rules).map_err(|e| DbError::Other(e.to_string()))?;
    let now = crate::now();
    let mut tx = db.begin().await?;
    let before: Option<(String, i64)> = tx
        .fetch_optional(&Q::new(
            "SELECT rules, row_version FROM risk_settings WHERE id = 1",
        ))
        .await?;
    let old = before.as_ref().map(|b| decode(&b.0)).unwrap_or_default();
    match &before {
        Some(_) => {
            let n = tx
                .execute(
                    &Q::new(
                        "UPDATE risk_settings SET rules = $1, reason = $2, updated_by = $3, updated_by_name = $4, \
                         row_version = row_version + 1, updated_at = $5 WHERE id = 1 AND row_version = $6",
                    )
                    .bind(json.as_str())
                    .bind(reason.as_str())
                    .bind(ctx.user_id())
                    .bind(actor_name(ctx))
                    .bind(now)
                    .bind(row_version),
                )
                .await?;
            if n == 0 {
                return Err(stale());
            }
        }
        // A version of a row that is not there (it is never deleted): never a blind save.
        None if row_version != 0 => return Err(stale()),
        // Two first saves at once: on PostgreSQL the second insert waits for the first and then
        // meets the primary key, which is the same stale conflict, not a database error.
        None => {
            tx.execute(
                &Q::new(
                    "INSERT INTO risk_settings (id, rules, reason, updated_by, updated_by_name, row_version, updated_at) \
                     VALUES (1, $1, $2, $3, $4, 1, $5)",
                )
                .bind(json.as_str())
                .bind(reason.as_str())
                .bind(ctx.user_id())
                .bind(actor_name(ctx))
                .bind(now),
            )
            .await
            .map_err(|e| match e {
                DbError::Sqlx(e) => DbError::unique_or(e, "记录已被他人修改，请刷新后重试"),
                e => e,
            })?;
        }
    }
    // Counts by new level of the risks that move.
    let mut cq = Q::new("SELECT nl, COUNT(*) FROM (SELECT ");
    push_level_case(&mut cq, "r.method", "r.score", rules);
    cq.push(" AS nl, r.level_rank AS ol FROM risk r) t WHERE nl <> ol GROUP BY nl");
    let counts: Vec<(i64, i64)> = tx.fetch_all(&cq).await?;
    let mut report = RegradeReport::default();
    for (rank, n) in counts {
        if (1..=4).contains(&rank) {
            report.changed_to[(rank - 1) as usize] = n;
            report.changed_total += n;
        }
    }
    // Residual assessments are graded by the same rules; their moves are counted and versioned
    // like the inherent level's, so the reason is on record for them too.
    let mut rq = Q::new("SELECT COUNT(*) FROM (SELECT ");
    push_level_case(&mut rq, "r.residual_method", "r.residual_score", rules);
    rq.push(
        " AS rnl, r.residual_level_rank AS rol FROM risk r WHERE r.residual_method IS NOT NULL) t \
         WHERE rnl <> rol",
    );
    let (residual_moved,): (i64,) = tx.fetch_one(&rq).await?;
    report.residual_changed_total = residual_moved;
    if report.changed_total > 0 {
        // The cached level of every point whose highest level moves: the best new rank of its
        // active risks, graded from (method, score) like the risks themselves, in one grouped
        // pass over `risk` before they are rewritten; only the points that change are written.
        // (Finding the points through this change's version rows read every 'regrade' version
        // ever written and rewrote each touched point: 1.9–2.5 s of a 6 s re-grade on
        // PostgreSQL at 200,000 risks, now 0.5 s; bench/risks.sh.)
        let mut pq =
            Q::new("UPDATE risk_point SET level_rank = t.lv FROM (SELECT r.risk_point_id, MIN(");
        push_level_case(&mut pq, "r.method", "r.score", rules);
        pq.push(
            ") AS lv FROM risk r WHERE r.active = TRUE GROUP BY r.risk_point_id) t \
             WHERE t.risk_point_id = risk_point.id AND COALESCE(risk_point.level_rank, 0) <> t.lv",
        );
        tx.execute(&pq).await?;
    }
    if report.changed_total > 0 || residual_moved > 0 {
        // One version per moved risk (inherent or residual level), written before the levels
        // change (the SELECT compares old and new), then one UPDATE for all of them.
        let mut vq = Q::new(
            "INSERT INTO risk_version (risk_id, kind, assessed_on, assessor_user_id, assessor_name, method, \
             f_l, f_e, f_c, f_s, direct_reason, score, level_rank, reason, created_at, residual_method, \
             residual_l, residual_e, residual_c, residual_s, residual_reason, residual_score, \
             residual_level_rank) SELECT id, 'regrade', ",
        );
        vq.push_arg(today()).push(", ");
        vq.push_arg(ctx.user_id()).push(", ");
        vq.push_arg(actor_name(ctx)).push(", ");
        vq.push("method, f_l, f_e, f_c, f_s, direct_reason, score, nl, ");
        vq.push_arg(format!("分级标准调整：{reason}")).push(", ");
        vq.push_arg(now);
        vq.push(
            ", residual_method, residual_l, residual_e, residual_c, residual_s, residual_reason, \
             residual_score, rnl FROM (SELECT r.id, r.method, r.f_l, r.f_e, r.f_c, r.f_s, r.direct_reason, \
             r.score, r.level_rank AS ol, r.residual_method, r.residual_l, r.residual_e, r.residual_c, \
             r.residual_s, r.residual_reason, r.residual_score, r.residual_level_rank AS rol, ",
        );
        push_level_case(&mut vq, "r.method", "r.score", rules);
        vq.push(" AS nl, CASE WHEN r.residual_method IS NULL THEN NULL ELSE ");
        push_level_case(&mut vq, "r.residual_method", "r.residual_score", rules);
        vq.push(" END AS rnl FROM risk r) t WHERE nl <> ol OR (residual_method IS NOT NULL AND rnl <> rol)");
        tx.execute(&vq).await?;
    }
    let mut uq = Q::new("UPDATE risk SET level_rank = ");
    push_level_case(&mut uq, "method", "score", rules);
    uq.push(", residual_level_rank = CASE WHEN residual_method IS NULL THEN NULL ELSE ");
    push_level_case(&mut uq, "residual_method", "residual_score", rules);
    uq.push(" END WHERE level_rank <> ");
    push_level_case(&mut uq, "method", "score", rules);
    uq.push(" OR (residual_method IS NOT NULL AND residual_level_rank <> ");
    push_level_case(&mut uq, "residual_method", "residual_score", rules);
    uq.push(")");
    tx.execute(&uq).await?;
    audit::record(
        &mut tx,
        ctx,
        Change::new("risk_settings", 1, "update")
            .before(&old)
            .after(serde_json::json!({ "rules": rules, "reason": reason, "regraded": report })),
    )
    .await?;
    tx.commit().await?;
    Ok(report)
}
