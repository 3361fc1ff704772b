//! Risks and their assessment versions.

use chrono::NaiveDate;

use anjian_domain::accident::{Standard, CURRENT};
use anjian_domain::risk::{
    factor_name, Assessment, ControlTier, GradingRules, RiskLevel, FACTOR_CATEGORIES,
};
use anjian_domain::role::Permission;

use super::common::{
    actor_name, columns_of, date_or_today, parse_assessment, point_tx, refresh_point, risk_db,
    risk_tx, stale, text, MEASURE_COLS,
};
use super::{Measure, Risk, RiskDetail, RiskInput, RiskVersion};
use crate::audit::{self, Change};
use crate::error::{DbError, FieldErrors, Result};
use crate::query::{Db, Tx, Q};
use crate::Ctx;

/// A validated risk.
#[derive(Debug, Clone)]
pub(crate) struct NewRisk {
    pub description: String,
    pub factors: String,
    pub accident_standard: &'static str,
    pub accident_types: String,
    pub consequence: String,
    pub assessment: Assessment,
    pub level: RiskLevel,
    pub residual: Option<(Assessment, RiskLevel)>,
    pub tier: ControlTier,
    pub assessed_on: NaiveDate,
    pub version_reason: String,
}

/// GB/T 13861 codes from codes or names; errors name the unknown entry.
pub(crate) fn parse_factors(items: &[String]) -> std::result::Result<String, String> {
    let mut out: Vec<&'static str> = Vec::new();
    for raw in items {
        let t = raw.trim();
        if t.is_empty() {
            continue;
        }
        let code = FACTOR_CATEGORIES
            .iter()
            .find(|(c, n)| *c == t || *n == t || format!("{c} {n}") == t)
            .map(|(c, _)| *c);
        match code {
            Some(c) if factor_name(c).is_some() => {
                if !out.contains(&c) {
                    out.push(c)
                }
            }
            _ => return Err(format!("“{t}”不是GB/T 13861的危险和有害因素类别")),
        }
    }
    Ok(out.join(","))
}

pub(crate) fn parse_accidents(
    std: Standard,
    items: &[String],
) -> std::result::Result<String, String> {
    let mut out: Vec<&'static str> = Vec::new();
    for raw in items {
        let t = raw.trim();
        if t.is_empty() {
            continue;
        }
        match std.parse(t) {
            Some(c) => {
                if !out.contains(&c) {
                    out.push(c)
                }
            }
            None => return Err(format!("“{t}”不是{}的事故类别", std.code)),
        }
    }
    Ok(out.join(","))
}

impl RiskInput {
    /// Per-field validation; levels and the default tier come from `rules`.
    pub(crate) fn parse(&self, rules: &GradingRules) -> Result<NewRisk> {
        let mut errs = FieldErrors::new();
        let description = text(
            &mut errs,
            "description",
            "风险描述",
            &self.description,
            true,
            500,
        );
        let consequence = text(
            &mut errs,
            "consequence",
            "后果",
            &self.consequence,
            false,
            500,
        );
        let factors = parse_factors(&self.factors).unwrap_or_else(|m| {
            errs.add("factors", format!("危险有害因素{m}"));
            String::new()
        });
        let std = if self.accident_standard.trim().is_empty() {
            Some(CURRENT)
        } else {
            Standard::by_code(self.accident_standard.trim())
        };
        let accident_types = match std {
            None => {
                errs.add("accident_standard", "事故类别标准版本无效");
                String::new()
            }
            Some(s) => parse_accidents(s, &self.accident_types).unwrap_or_else(|m| {
                errs.add("accident_types", format!("事故类型{m}"));
                String::new()
            }),
        };
        let assessment = parse_assessment(
            &mut errs,
            "method",
            "",
            &self.method,
            &self.l,
            &self.e,
            &self.c,
            &self.s,
            &self.reason,
        );
        let residual = if self.residual_method.trim().is_empty() {
            None
        } else {
            parse_assessment(
                &mut errs,
                "residual_method",
                "residual_",
                &self.residual_method,
                &self.residual_l,
                &self.residual_e,
                &self.residual_c,
                &self.residual_s,
                &self.residual_reason,
            )
            .map(|a| {
                let l = rules.level(&a);
                (a, l)
            })
        };
        let level = assessment.as_ref().map(|a| rules.level(a));
        let tier = if self.control_tier.trim().is_empty() {
            level.map(|l| rules.default_tier(l))
        } else {
            let t = ControlTier::parse(&self.control_tier);
            if t.is_none() {
                errs.add(
                    "control_tier",
                    "管控层级无效，应为公司级、部门级、班组级或岗位级",
                );
            }
            t
        };
        let assessed_on = date_or_today(&mut errs, "assessed_on", "评估日期", &self.assessed_on);
        let version_reason = text(
            &mut errs,
            "version_reason",
            "评估原因",
            &self.version_reason,
            false,
            200,
        );
        errs.into_result()?;
        match (assessment, level, tier, assessed_on, std) {
            (Some(assessment), Some(level), Some(tier), Some(assessed_on), Some(std)) => {
                Ok(NewRisk {
                    description,
                    factors,
                    accident_standard: std.code,
                    accident_types,
                    consequence,
                    assessment,
                    level,
                    residual,
                    tier,
                    assessed_on,
                    version_reason,
                })
            }
            _ => Err(DbError::invalid("method", "提交的数据有误")),
        }
    }
}

/// Inserts a checked risk under a checked point with its first version; refreshes the point.
pub(crate) async fn insert_risk(
    tx: &mut Tx,
    ctx: &Ctx,
    point_id: i64,
    org_id: i64,
    r: &NewRisk,
) -> Result<i64> {
    let now = crate::now();
    let (l, e, c, s, reason) = columns_of(&r.assessment);
    let (rm, rl, re, rc, rs, rr, rscore, rlevel) = residual_cols(r);
    let (id,): (i64,) = tx
        .fetch_one(
            &Q::new(
                "INSERT INTO risk (risk_point_id, org_id, description, factors, accident_standard, accident_types, \
                 consequence, method, f_l, f_e, f_c, f_s, direct_reason, score, level_rank, residual_method, \
                 residual_l, residual_e, residual_c, residual_s, residual_reason, residual_score, residual_level_rank, \
                 control_tier, assessed_on, assessor_user_id, assessor_name, active, row_version, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, \
                 $21, $22, $23, $24, $25, $26, $27, $28, 1, $29, $29) RETURNING id",
            )
            .bind(point_id)
            .bind(org_id)
            .bind(r.description.as_str())
            .bind(r.factors.as_str())
            .bind(r.accident_standard)
            .bind(r.accident_types.as_str())
            .bind(r.consequence.as_str())
            .bind(r.assessment.method_code())
            .bind(l)
            .bind(e)
            .bind(c)
            .bind(s)
            .bind(reason)
            .bind(r.assessment.score() as i64)
            .bind(r.level.rank())
            .bind(rm)
            .bind(rl)
            .bind(re)
            .bind(rc)
            .bind(rs)
            .bind(rr)
            .bind(rscore)
            .bind(rlevel)
            .bind(r.tier.code())
            .bind(r.assessed_on)
            .bind(ctx.user_id())
            .bind(actor_name(ctx))
            .bind(true)
            .bind(now),
        )
        .await?;
    let why = if r.version_reason.is_empty() {
        "初次评估"
    } else {
        r.version_reason.as_str()
    };
    insert_version(tx, ctx, id, r, why).await?;
    refresh_point(tx, point_id).await?;
    Ok(id)
}

#[allow(clippy::type_complexity)]
fn residual_cols(
    r: &NewRisk,
) -> (
    Option<&'static str>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    String,
    Option<i64>,
    Option<i64>,
) {
    match &r.residual {
        None => (None, None, None, None, None, String::new(), None, None),
        Some((a, lvl)) => {
            let (l, e, c, s, reason) = columns_of(a);
            (
                Some(a.method_code()),
                l,
                e,
                c,
                s,
                reason,
                Some(a.score() as i64),
                Some(lvl.rank()),
            )
        }
    }
}

/// One assessment version by the caller.
async fn insert_version(
    tx: &mut Tx,
    ctx: &Ctx,
    risk_id: i64,
    r: &NewRisk,
    why: &str,
) -> Result<()> {
    let (l, e, c, s, reason) = columns_of(&r.assessment);
    let (rm, rl, re, rc, rs, rr, rscore, rlevel) = residual_cols(r);
    tx.execute(
        &Q::new(
            "INSERT INTO risk_version (risk_id, kind, assessed_on, assessor_user_id, assessor_name, method, \
             f_l, f_e, f_c, f_s, direct_reason, score, level_rank, reason, created_at, residual_method, \
             residual_l, residual_e, residual_c, residual_s, residual_reason, residual_score, residual_level_rank) \
             VALUES ($1, 'assessment', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
             $18, $19, $20, $21, $22)",
        )
        .bind(risk_id)
        .bind(r.assessed_on)
        .bind(ctx.user_id())
        .bind(actor_name(ctx))
        .bind(r.assessment.method_code())
        .bind(l)
        .bind(e)
        .bind(c)
        .bind(s)
        .bind(reason)
        .bind(r.assessment.score() as i64)
        .bind(r.level.rank())
        .bind(why)
        .bind(crate::now())
        .bind(rm)
        .bind(rl)
        .bind(re)
        .bind(rc)
        .bind(rs)
        .bind(rr)
        .bind(rscore)
        .bind(rlevel),
    )
    .await?;
    Ok(())
}

async fn audit_risk(
    tx: &mut Tx,
    ctx: &Ctx,
    action: &str,
    before: Option<&Risk>,
    after: &Risk,
) -> Result<()> {
    let mut c = Change::new("risk", after.id, action)
        .org(Some(after.org_id))
        .after(after);
    if let Some(b) = before {
        c = c.before(b);
    }
    audit::record(tx, ctx, c).await
}

/// Creates a risk under a point with its first assessment (a version row "初次评估" unless a
/// reason is given). The control tier defaults from the rules by level. Audited.
pub async fn create_risk(db: &Db, ctx: &Ctx, input: &RiskInput) -> Result<Risk> {
    ctx.require(Permission::RiskManage)?;
    let Some(point_id) = input.risk_point_id else {
        return Err(DbError::invalid("risk_point_id", "请选择风险点"));
    };
    let rules = super::settings::rules(db).await?;
    let mut tx = db.begin().await?;
    let point = point_tx(&mut tx, Some(ctx), point_id).await?;
    let r = input.parse(&rules)?;
    if !point.active {
        return Err(DbError::invalid("risk_point_id", "风险点已停用"));
    }
    let id = insert_risk(&mut tx, ctx, point_id, point.org_id, &r).await?;
    let after = risk_tx(&mut tx, None, id).await?;
    audit_risk(&mut tx, ctx, "create", None, &after).await?;
    tx.commit().await?;
    Ok(after)
}

/// Edits a risk. When the assessment (method, raw factors) or its date changes, a new version
/// row is written (a re-assessment, by the caller, reason `version_reason` or "重新评估").
/// `row_version` must match. Audited.
pub async fn update_risk(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    row_version: i64,
    input: &RiskInput,
) -> Result<Risk> {
    ctx.require(Permission::RiskManage)?;
    let rules = super::settings::rules(db).await?;
    let mut tx = db.begin().await?;
    let before = risk_tx(&mut tx, Some(ctx), id).await?;
    let r = input.parse(&rules)?;
    if before.row_version != row_version {
        return Err(stale());
    }
    // The residual assessment is part of what a version keeps: changing only it is a
    // re-assessment too, so its history is never overwritten silently.
    let reassessed = before.assessment().as_ref() != Some(&r.assessment)
        || before.residual() != r.residual.as_ref().map(|(a, _)| a.clone())
        || before.assessed_on != r.assessed_on;
    let (l, e, c, s, reason) = columns_of(&r.assessment);
    let (rm, rl, re, rc, rs, rr, rscore, rlevel) = residual_cols(&r);
    let mut q = Q::new(
        "UPDATE risk SET description = $1, factors = $2, accident_standard = $3, accident_types = $4, \
         consequence = $5, method = $6, f_l = $7, f_e = $8, f_c = $9, f_s = $10, direct_reason = $11, \
         score = $12, level_rank = $13, residual_method = $14, residual_l = $15, residual_e = $16, \
         residual_c = $17, residual_s = $18, residual_reason = $19, residual_score = $20, \
         residual_level_rank = $21, control_tier = $22, row_version = row_version + 1, updated_at = $23",
    )
    .bind(r.description.as_str())
    .bind(r.factors.as_str())
    .bind(r.accident_standard)
    .bind(r.accident_types.as_str())
    .bind(r.consequence.as_str())
    .bind(r.assessment.method_code())
    .bind(l)
    .bind(e)
    .bind(c)
    .bind(s)
    .bind(reason)
    .bind(r.assessment.score() as i64)
    .bind(r.level.rank())
    .bind(rm)
    .bind(rl)
    .bind(re)
    .bind(rc)
    .bind(rs)
    .bind(rr)
    .bind(rscore)
    .bind(rlevel)
    .bind(r.tier.code())
    .bind(crate::now());
    if reassessed {
        q.push(", assessed_on = ").push_arg(r.assessed_on);
        q.push(", assessor_user_id = ").push_arg(ctx.user_id());
        q.push(", assessor_name = ").push_arg(actor_name(ctx));
    }
    q.push(" WHERE id = ").push_arg(id);
    q.push(" AND row_version = ").push_arg(row_version);
    if tx.execute(&q).await? == 0 {
        return Err(stale());
    }
    if reassessed {
        let why = if r.version_reason.is_empty() {
            "重新评估"
        } else {
            r.version_reason.as_str()
        };
        insert_version(&mut tx, ctx, id, &r, why).await?;
    }
    refresh_point(&mut tx, before.risk_point_id).await?;
    let after = risk_tx(&mut tx, None, id).await?;
    let action = if reassessed { "reassess" } else { "update" };
    audit_risk(&mut tx, ctx, action, Some(&before), &after).await?;
    tx.commit().await?;
    Ok(after)
}

/// Deactivates (or re-activates) a risk. Audited.
pub async fn set_risk_active(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    row_version: i64,
    active: bool,
) -> Result<Risk> {
    ctx.require(Permission::RiskManage)?;
    let mut tx = db.begin().await?;
    let before = risk_tx(&mut tx, Some(ctx), id).await?;
    let n = tx
        .execute(
            &Q::new(
                "UPDATE risk SET active = $1, row_version = row_version + 1, updated_at = $2 \
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
    refresh_point(&mut tx, before.risk_point_id).await?;
    let after = risk_tx(&mut tx, None, id).await?;
    let action = if active { "activate" } else { "deactivate" };
    audit_risk(&mut tx, ctx, action, Some(&before), &after).await?;
    tx.commit().await?;
    Ok(after)
}

pub(crate) const VERSION_COLS: &str = "v.id, v.risk_id, v.kind, v.assessed_on, v.assessor_user_id, \
     v.assessor_name, v.method, v.f_l, v.f_e, v.f_c, v.f_s, v.direct_reason, v.score, v.level_rank, \
     v.reason, v.created_at, v.residual_method, v.residual_l, v.residual_e, v.residual_c, v.residual_s, \
     v.residual_reason, v.residual_score, v.residual_level_rank";

async fn versions_unchecked(db: &Db, risk_id: i64) -> Result<Vec<RiskVersion>> {
    db.fetch_all(
        &Q::new(&format!(
            "SELECT {VERSION_COLS} FROM risk_version v WHERE v.risk_id = $1 ORDER BY v.id DESC"
        ))
        .bind(risk_id),
    )
    .await
}

/// A risk with its point, versions and measures (RiskView).
pub async fn get_risk(db: &Db, ctx: &Ctx, id: i64) -> Result<RiskDetail> {
    ctx.require(Permission::RiskView)?;
    let risk = risk_db(db, ctx, id).await?;
    let point = super::common::point_db(db, ctx, risk.risk_point_id).await?;
    let versions = versions_unchecked(db, id).await?;
    let measures: Vec<Measure> = db
        .fetch_all(
            &Q::new(&format!(
                "SELECT {MEASURE_COLS} FROM risk_measure m WHERE m.risk_id = $1 \
                 ORDER BY m.active DESC, m.measure_type, m.id"
            ))
            .bind(id),
        )
        .await?;
    Ok(RiskDetail {
        risk,
        point,
        versions,
        measures,
    })
}

/// The versions of a risk, newest first (RiskView).
pub async fn versions(db: &Db, ctx: &Ctx, risk_id: i64) -> Result<Vec<RiskVersion>> {
    ctx.require(Permission::RiskView)?;
    risk_db(db, ctx, risk_id).await?;
    versions_unchecked(db, risk_id).await
}
