//! Counts by unit, the notice card and the statistics of the report.

use anjian_domain::period::Period;
use anjian_domain::risk::{ControlTier, RiskLevel};
use anjian_domain::role::Permission;

use super::common::{point_db, MEASURE_COLS, RISK_COLS, RISK_FROM};
use super::{
    CardMeasure, CardRisk, MajorRisk, Measure, NoticeCard, Risk, RiskStatistics, UnitCounts,
};
use crate::error::{DbError, Result};
use crate::query::{Db, Q};
use crate::Ctx;

/// The path patterns bounding a query: the caller's scope and, optionally, an organisation's
/// subtree within it (NotFound when that organisation is out of scope).
async fn bounds(db: &Db, ctx: &Ctx, org_id: Option<i64>) -> Result<(String, String)> {
    let sub = match org_id {
        None => ctx.scope_like(),
        Some(id) => {
            let row: Option<(String,)> = db
                .fetch_optional(
                    &Q::new("SELECT path FROM org WHERE id = $1 AND path LIKE $2")
                        .bind(id)
                        .bind(ctx.scope_like()),
                )
                .await?;
            match row {
                Some((p,)) => format!("{p}%"),
                None => return Err(DbError::NotFound),
            }
        }
    };
    Ok((ctx.scope_like(), sub))
}

fn push_bounds(q: &mut Q, b: &(String, String)) {
    q.push(" AND o.path LIKE ").push_arg(b.0.clone());
    q.push(" AND o.path LIKE ").push_arg(b.1.clone());
}

/// Per unit within the bounds: points and risks per level, all in SQL. Sites roll up to the
/// unit above them; a caller below unit level sees its own organisation as the one row.
async fn by_unit(db: &Db, ctx: &Ctx, b: &(String, String)) -> Result<Vec<UnitCounts>> {
    let mut uq = Q::new("SELECT o.id, o.name FROM org o WHERE o.kind = 'unit'");
    push_bounds(&mut uq, b);
    uq.push(" ORDER BY o.sort_order, o.path");
    let mut units: Vec<(i64, String)> = db.fetch_all(&uq).await?;
    let rollup_to_self = units.is_empty();
    if rollup_to_self {
        if let Some(me) = ctx.org_id() {
            let row: Option<(i64, String)> = db
                .fetch_optional(&Q::new("SELECT id, name FROM org WHERE id = $1").bind(me))
                .await?;
            units.extend(row);
        }
    }
    let mut out: Vec<UnitCounts> = units
        .into_iter()
        .map(|(id, name)| UnitCounts {
            org_id: id,
            org_name: name,
            ..Default::default()
        })
        .collect();
    // Grouped per organisation first (cheap, indexed), then per unit by path prefix.
    let unit_join = if rollup_to_self {
        "JOIN org u ON u.id = $1"
    } else {
        "JOIN org u ON u.kind = 'unit' AND o.path LIKE u.path || '%'"
    };
    let mut pq = Q::new(&format!(
        "SELECT u.id, t.lv, CAST(SUM(t.n) AS BIGINT) FROM (SELECT p.org_id, COALESCE(p.level_rank, 0) AS lv, COUNT(*) AS n \
         FROM risk_point p JOIN org o ON o.id = p.org_id WHERE p.active = {t}",
        t = if rollup_to_self { "$2" } else { "$1" }
    ));
    if rollup_to_self {
        pq = pq.bind(ctx.org_id().unwrap_or(0));
    }
    pq = pq.bind(true);
    push_bounds(&mut pq, b);
    pq.push(&format!(
        " GROUP BY p.org_id, COALESCE(p.level_rank, 0)) t JOIN org o ON o.id = t.org_id {unit_join} GROUP BY u.id, t.lv"
    ));
    let points: Vec<(i64, i64, i64)> = db.fetch_all(&pq).await?;
    let mut rq = Q::new(&format!(
        "SELECT u.id, t.lv, CAST(SUM(t.n) AS BIGINT) FROM (SELECT r.org_id, r.level_rank AS lv, COUNT(*) AS n \
         FROM risk r JOIN risk_point p ON p.id = r.risk_point_id JOIN org o ON o.id = r.org_id \
         WHERE r.active = {t} AND p.active = {t}",
        t = if rollup_to_self { "$2" } else { "$1" }
    ));
    if rollup_to_self {
        rq = rq.bind(ctx.org_id().unwrap_or(0));
    }
    rq = rq.bind(true);
    push_bounds(&mut rq, b);
    rq.push(&format!(
        " GROUP BY r.org_id, r.level_rank) t JOIN org o ON o.id = t.org_id {unit_join} GROUP BY u.id, t.lv"
    ));
    let risks: Vec<(i64, i64, i64)> = db.fetch_all(&rq).await?;
    for u in out.iter_mut() {
        for (id, lv, n) in &points {
            if *id == u.org_id {
                match lv {
                    1..=4 => u.points[(*lv - 1) as usize] += n,
                    _ => u.points_unassessed += n,
                }
            }
        }
        for (id, lv, n) in &risks {
            if *id == u.org_id && (1..=4).contains(lv) {
                u.risks[(*lv - 1) as usize] += n;
            }
        }
    }
    Ok(out)
}

/// Per unit in scope (sites roll up to their unit): active points and risks per level.
pub async fn counts_by_unit(db: &Db, ctx: &Ctx) -> Result<Vec<UnitCounts>> {
    ctx.require(Permission::RiskView)?;
    let b = bounds(db, ctx, None).await?;
    by_unit(db, ctx, &b).await
}

/// Everything the 岗位安全风险告知卡 of a point shows (RiskView).
pub async fn notice_card(db: &Db, ctx: &Ctx, point_id: i64) -> Result<NoticeCard> {
    ctx.require(Permission::RiskView)?;
    let p = point_db(db, ctx, point_id).await?;
    let risks: Vec<Risk> = db
        .fetch_all(
            &Q::new(&format!(
                "SELECT {RISK_COLS}{RISK_FROM} WHERE r.risk_point_id = $1 AND r.active = $2 \
                 ORDER BY r.level_rank, r.id"
            ))
            .bind(point_id)
            .bind(true),
        )
        .await?;
    let measures: Vec<Measure> = db
        .fetch_all(
            &Q::new(&format!(
                "SELECT {MEASURE_COLS} FROM risk_measure m JOIN risk r ON r.id = m.risk_id \
                 WHERE m.risk_point_id = $1 AND m.active = $2 AND r.active = $2 ORDER BY m.measure_type, m.id"
            ))
            .bind(point_id)
            .bind(true),
        )
        .await?;
    // Accident types in each standard's own order, once each.
    let mut accident_types: Vec<String> = Vec::new();
    for std in anjian_domain::accident::STANDARDS {
        for (code, name) in std.types {
            let used = risks
                .iter()
                .any(|r| r.accident_standard == std.code && r.accident_type_codes().contains(code));
            if used && !accident_types.iter().any(|n| n == name) {
                accident_types.push((*name).to_string());
            }
        }
    }
    // Measures grouped by type in `MeasureType::ALL` order, duplicates (the same text under
    // several risks) shown once.
    let mut card_measures: Vec<CardMeasure> = Vec::new();
    for t in anjian_domain::risk::MeasureType::ALL {
        for m in measures.iter().filter(|m| m.measure_type == t.code()) {
            if !card_measures.iter().any(|c| c.content == m.content) {
                card_measures.push(CardMeasure {
                    type_label: t.label().to_string(),
                    content: m.content.clone(),
                });
            }
        }
    }
    Ok(NoticeCard {
        point_id,
        org_name: p.org_name.clone(),
        point_name: p.name.clone(),
        kind_label: p.kind_label().to_string(),
        location: p.location.clone(),
        level_rank: p.level_rank,
        level_label: p.level_label().to_string(),
        colour: p.colour().to_string(),
        css: p.css().to_string(),
        risks: risks
            .iter()
            .map(|r| CardRisk {
                description: r.description.clone(),
                level_label: r.level_label().to_string(),
                residual_level_label: r
                    .residual_level()
                    .map(|l| l.label().to_string())
                    .unwrap_or_default(),
                consequence: r.consequence.clone(),
                factor_names: r.factor_names().into_iter().map(String::from).collect(),
            })
            .collect(),
        accident_types,
        measures: card_measures,
        emergency_measures: p.emergency_measures.clone(),
        report_phone: p.report_phone.clone(),
        responsible_name: p.responsible_name.clone(),
    })
}

/// The risk statistics of the report for the caller's scope, or an organisation's subtree:
/// current points and risks by level and unit, major risks and their tier, and the assessments
/// dated within the period. Computed in SQL.
pub async fn statistics(
    db: &Db,
    ctx: &Ctx,
    period: &Period,
    org_id: Option<i64>,
) -> Result<RiskStatistics> {
    ctx.require(Permission::RiskView)?;
    let b = bounds(db, ctx, org_id).await?;
    let mut out = RiskStatistics {
        period_first: Some(period.first),
        period_last: Some(period.last),
        ..Default::default()
    };
    let mut pq = Q::new(
        "SELECT COALESCE(p.level_rank, 0), COUNT(*) FROM risk_point p JOIN org o ON o.id = p.org_id \
         WHERE p.active = $1",
    )
    .bind(true);
    push_bounds(&mut pq, &b);
    pq.push(" GROUP BY COALESCE(p.level_rank, 0)");
    for (lv, n) in db.fetch_all::<(i64, i64)>(&pq).await? {
        match lv {
            1..=4 => out.points_by_level[(lv - 1) as usize] = n,
            _ => out.points_unassessed += n,
        }
    }
    let mut rq = Q::new(
        "SELECT r.level_rank, COUNT(*) FROM risk r JOIN risk_point p ON p.id = r.risk_point_id \
         JOIN org o ON o.id = r.org_id WHERE r.active = $1 AND p.active = $1",
    )
    .bind(true);
    push_bounds(&mut rq, &b);
    rq.push(" GROUP BY r.level_rank");
    for (lv, n) in db.fetch_all::<(i64, i64)>(&rq).await? {
        if (1..=4).contains(&lv) {
            out.risks_by_level[(lv - 1) as usize] = n;
        }
    }
    out.by_unit = by_unit(db, ctx, &b).await?;
    let mut mq = Q::new(
        "SELECT r.id AS risk_id, r.risk_point_id, r.org_id, o.name AS org_name, p.name AS point_name, \
         r.description, r.control_tier FROM risk r JOIN risk_point p ON p.id = r.risk_point_id \
         JOIN org o ON o.id = r.org_id WHERE r.active = $1 AND p.active = $1 AND r.level_rank = $2",
    )
    .bind(true)
    .bind(RiskLevel::Major.rank());
    push_bounds(&mut mq, &b);
    mq.push(" ORDER BY o.path, p.name, r.id LIMIT 2000");
    out.major_risks = db.fetch_all::<MajorRisk>(&mq).await?;
    let mut tq = Q::new(
        "SELECT r.control_tier, COUNT(*) FROM risk r JOIN risk_point p ON p.id = r.risk_point_id \
         JOIN org o ON o.id = r.org_id WHERE r.active = $1 AND p.active = $1 AND r.level_rank = $2",
    )
    .bind(true)
    .bind(RiskLevel::Major.rank());
    push_bounds(&mut tq, &b);
    tq.push(" GROUP BY r.control_tier");
    let tiers: Vec<(String, i64)> = db.fetch_all(&tq).await?;
    out.major_by_tier = ControlTier::ALL
        .into_iter()
        .map(|t| {
            let n = tiers
                .iter()
                .find(|(c, _)| c == t.code())
                .map(|x| x.1)
                .unwrap_or(0);
            (t.code().to_string(), n)
        })
        .collect();
    // A risk's first assessment is its lowest version id of kind 'assessment'.
    let mut vq = Q::new(
        "SELECT COALESCE(SUM(CASE WHEN v.id = (SELECT MIN(v2.id) FROM risk_version v2 \
         WHERE v2.risk_id = v.risk_id AND v2.kind = 'assessment') THEN 1 ELSE 0 END), 0), COUNT(*) \
         FROM risk_version v JOIN risk r ON r.id = v.risk_id JOIN org o ON o.id = r.org_id \
         WHERE v.kind = 'assessment' AND v.assessed_on >= $1 AND v.assessed_on <= $2",
    )
    .bind(period.first)
    .bind(period.last);
    push_bounds(&mut vq, &b);
    let (first, all): (i64, i64) = db.fetch_one(&vq).await?;
    out.first_assessments = first;
    out.reassessments = all - first;
    let mut gq = Q::new(
        "SELECT COUNT(DISTINCT v.risk_id) FROM risk_version v JOIN risk r ON r.id = v.risk_id \
         JOIN org o ON o.id = r.org_id WHERE v.kind = 'regrade' AND v.assessed_on >= $1 AND v.assessed_on <= $2",
    )
    .bind(period.first)
    .bind(period.last);
    push_bounds(&mut gq, &b);
    let (g,): (i64,) = db.fetch_one(&gq).await?;
    out.regraded = g;
    Ok(out)
}
