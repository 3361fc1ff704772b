//! Shared pieces of the risk module: the SELECTs of points and risks (with the elevated and
//! re-assessment states), scope checks, field parsing and the cached point level.

use chrono::{Days, NaiveDate};

use anjian_domain::dates::parse_business_date;
use anjian_domain::risk::{Assessment, REASSESS_HAZARDS, REASSESS_WINDOW_DAYS};

use super::{Measure, Risk, RiskPoint};
use crate::error::{DbError, FieldErrors, Result};
use crate::query::{Db, Tx, Q};
use crate::Ctx;

pub(crate) fn stale() -> DbError {
    DbError::Conflict("记录已被他人修改，请刷新后重试".into())
}

/// Today in Asia/Shanghai.
pub(crate) fn today() -> NaiveDate {
    crate::hazard::today()
}

/// First day of the re-assessment window ending today.
pub(crate) fn window_start(today: NaiveDate) -> NaiveDate {
    today
        .checked_sub_days(Days::new(REASSESS_WINDOW_DAYS as u64 - 1))
        .unwrap_or(today)
}

/// `WHERE`-able condition: the point `p` has an open hazard.
pub(crate) const ELEVATED: &str = "EXISTS (SELECT 1 FROM hazard h WHERE h.risk_point_id = p.id \
     AND h.status <> 'closed' AND h.deleted_at IS NULL)";

/// Appends the condition "the point `p` is due for re-assessment": `REASSESS_HAZARDS` or more
/// hazards found within the window ending today (`anjian_domain::risk::needs_reassessment`),
/// and no assessment of its risks dated after the newest of them. An assessment dated the day of
/// the latest hazard does not answer it; a hazard found after an assessment while the window
/// still holds three or more flags the point again.
pub(crate) fn push_flagged(q: &mut Q, today: NaiveDate) {
    q.push("((SELECT COUNT(*) FROM hazard h WHERE h.risk_point_id = p.id AND h.deleted_at IS NULL AND h.found_on >= ")
        .push_arg(window_start(today));
    q.push(" AND h.found_on <= ").push_arg(today);
    q.push(&format!(") >= {REASSESS_HAZARDS}"));
    q.push(" AND (p.last_assessed_on IS NULL OR p.last_assessed_on <= (SELECT MAX(h.found_on) FROM hazard h \
         WHERE h.risk_point_id = p.id AND h.deleted_at IS NULL AND h.found_on <= ");
    q.push_arg(today);
    q.push(")))");
}

/// `SELECT <point columns> FROM risk_point p JOIN org o …` (no WHERE yet).
pub(crate) fn point_select(today: NaiveDate) -> Q {
    let mut q = Q::new(
        "SELECT p.id, p.org_id, o.name AS org_name, o.path AS org_path, p.kind, p.name, p.location, \
         p.responsible_user_id, p.responsible_name, p.emergency_measures, p.report_phone, p.marker_x, \
         p.marker_y, p.level_rank, p.risk_count, p.last_assessed_on, p.active, p.row_version, \
         p.created_at, p.updated_at, CASE WHEN ",
    );
    q.push(ELEVATED);
    q.push(" THEN TRUE ELSE FALSE END AS elevated, CASE WHEN ");
    push_flagged(&mut q, today);
    q.push(" THEN TRUE ELSE FALSE END AS flagged FROM risk_point p JOIN org o ON o.id = p.org_id");
    q
}

pub(crate) const RISK_COLS: &str = "r.id, r.risk_point_id, r.org_id, o.name AS org_name, \
     p.name AS point_name, p.kind AS point_kind, p.location AS point_location, r.description, \
     r.factors, r.accident_standard, r.accident_types, r.consequence, r.method, r.f_l, r.f_e, r.f_c, \
     r.f_s, r.direct_reason, r.score, r.level_rank, r.residual_method, r.residual_l, r.residual_e, \
     r.residual_c, r.residual_s, r.residual_reason, r.residual_score, r.residual_level_rank, \
     r.control_tier, r.assessed_on, r.assessor_user_id, r.assessor_name, r.active, r.row_version, \
     r.created_at, r.updated_at";

pub(crate) const RISK_FROM: &str =
    " FROM risk r JOIN risk_point p ON p.id = r.risk_point_id JOIN org o ON o.id = r.org_id";

pub(crate) const MEASURE_COLS: &str =
    "m.id, m.risk_id, m.risk_point_id, m.org_id, m.measure_type, \
     m.content, m.tier, m.responsible_user_id, m.responsible_name, m.active, m.row_version, \
     m.created_at, m.updated_at";

fn scoped(mut q: Q, ctx: Option<&Ctx>, alias: &str, id: i64) -> Q {
    q.push(&format!(" WHERE {alias}.id = ")).push_arg(id);
    if let Some(ctx) = ctx {
        q.push(" AND o.path LIKE ").push_arg(ctx.scope_like());
    }
    q
}

pub(crate) async fn point_db(db: &Db, ctx: &Ctx, id: i64) -> Result<RiskPoint> {
    db.fetch_one(&scoped(point_select(today()), Some(ctx), "p", id))
        .await
}

/// The point within scope (None: unscoped, after the scope was checked).
pub(crate) async fn point_tx(tx: &mut Tx, ctx: Option<&Ctx>, id: i64) -> Result<RiskPoint> {
    tx.fetch_one(&scoped(point_select(today()), ctx, "p", id))
        .await
}

fn risk_q(ctx: Option<&Ctx>, id: i64) -> Q {
    scoped(
        Q::new(&format!("SELECT {RISK_COLS}{RISK_FROM}")),
        ctx,
        "r",
        id,
    )
}

pub(crate) async fn risk_db(db: &Db, ctx: &Ctx, id: i64) -> Result<Risk> {
    db.fetch_one(&risk_q(Some(ctx), id)).await
}

pub(crate) async fn risk_tx(tx: &mut Tx, ctx: Option<&Ctx>, id: i64) -> Result<Risk> {
    tx.fetch_one(&risk_q(ctx, id)).await
}

fn measure_q(ctx: Option<&Ctx>, id: i64) -> Q {
    scoped(
        Q::new(&format!(
            "SELECT {MEASURE_COLS} FROM risk_measure m JOIN org o ON o.id = m.org_id"
        )),
        ctx,
        "m",
        id,
    )
}

pub(crate) async fn measure_db(db: &Db, ctx: &Ctx, id: i64) -> Result<Measure> {
    db.fetch_one(&measure_q(Some(ctx), id)).await
}

pub(crate) async fn measure_tx(tx: &mut Tx, ctx: Option<&Ctx>, id: i64) -> Result<Measure> {
    tx.fetch_one(&measure_q(ctx, id)).await
}

/// Recomputes the point's cached level, risk count and newest assessment date from its risks.
/// Does not bump the point's row_version: a risk change is not an edit of the point's form.
pub(crate) async fn refresh_point(tx: &mut Tx, point_id: i64) -> Result<()> {
    tx.execute(
        &Q::new(
            "UPDATE risk_point SET \
             level_rank = (SELECT MIN(r.level_rank) FROM risk r WHERE r.risk_point_id = $1 AND r.active = TRUE), \
             risk_count = (SELECT COUNT(*) FROM risk r WHERE r.risk_point_id = $1 AND r.active = TRUE), \
             last_assessed_on = (SELECT MAX(v.assessed_on) FROM risk_version v JOIN risk r ON r.id = v.risk_id \
                WHERE r.risk_point_id = $1 AND v.kind = 'assessment') \
             WHERE id = $1",
        )
        .bind(point_id),
    )
    .await?;
    Ok(())
}

/// An organisation a risk point may belong to: in scope, active, a unit or a site.
pub(crate) async fn org_for_point(tx: &mut Tx, ctx: &Ctx, org_id: i64) -> Result<()> {
    let row: Option<(String, bool)> = tx
        .fetch_optional(
            &Q::new("SELECT kind, active FROM org WHERE id = $1 AND path LIKE $2")
                .bind(org_id)
                .bind(ctx.scope_like()),
        )
        .await?;
    match row {
        None => Err(DbError::invalid("org_id", "所属单位不存在")),
        Some((_, false)) => Err(DbError::invalid("org_id", "所属单位已停用")),
        Some((kind, true)) if kind == "bureau" => {
            Err(DbError::invalid("org_id", "风险点须建在单位或库点上"))
        }
        Some(_) => Ok(()),
    }
}

/// The paths of an organisation and its ancestors ("/1/5/12/" → "/1/", "/1/5/", "/1/5/12/").
pub(crate) fn self_and_ancestors(path: &str) -> Vec<String> {
    path.char_indices()
        .filter(|(i, c)| *c == '/' && *i > 0)
        .map(|(i, _)| path[..=i].to_string())
        .collect()
}

/// The people who may be named responsible at an organisation: enabled accounts of the
/// organisation itself and of its ancestors up to the unit (never the bureau: the bureau
/// supervises, the unit answers for its risks). Nearest organisation first.
pub(crate) fn push_candidates(q: &mut Q, org_path: &str) {
    q.push(
        "SELECT u.id, u.name, u.username, o.name AS org_name FROM app_user u JOIN org o ON o.id = u.org_id \
         WHERE u.disabled = ",
    )
    .push_arg(false);
    q.push(" AND o.kind <> 'bureau' AND o.path IN (");
    for (i, p) in self_and_ancestors(org_path).into_iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.push_arg(p);
    }
    q.push(")");
}

/// A responsible user for something of organisation `org_id` (whose scope the caller checked):
/// one of `push_candidates`, else a field error on `field` (422). `kept` is the user linked
/// already: an edit may keep a link made under the earlier, wider rule (any user in the
/// caller's scope) so that editing other fields never forces a change of person.
pub(crate) async fn responsible_user(
    tx: &mut Tx,
    field: &str,
    org_id: i64,
    user_id: Option<i64>,
    kept: Option<i64>,
) -> Result<Option<String>> {
    let Some(id) = user_id else { return Ok(None) };
    if kept == Some(id) {
        let (name,): (String,) = tx
            .fetch_one(&Q::new("SELECT name FROM app_user WHERE id = $1").bind(id))
            .await?;
        return Ok(Some(name));
    }
    let (path,): (String,) = tx
        .fetch_one(&Q::new("SELECT path FROM org WHERE id = $1").bind(org_id))
        .await?;
    let mut q = Q::new("SELECT c.name FROM (");
    push_candidates(&mut q, &path);
    q.push(") c WHERE c.id = ").push_arg(id);
    let row: Option<(String,)> = tx.fetch_optional(&q).await?;
    match row {
        Some((name,)) => Ok(Some(name)),
        None => Err(DbError::invalid(
            field,
            "责任人须为风险点所属单位/库点（或其上级单位）的在用账号",
        )),
    }
}

/// The actor's display name (name, else username).
pub(crate) fn actor_name(ctx: &Ctx) -> String {
    match ctx.user_ctx() {
        Some(u) if !u.name.trim().is_empty() => u.name.clone(),
        _ => ctx.username(),
    }
}

/// Trims and checks a free-text field.
pub(crate) fn text(
    errs: &mut FieldErrors,
    field: &str,
    label: &str,
    v: &str,
    required: bool,
    max: usize,
) -> String {
    crate::hazard::text(errs, field, label, v, required, max)
}

/// A business date as typed; empty means today. Not in the future.
pub(crate) fn date_or_today(
    errs: &mut FieldErrors,
    field: &str,
    label: &str,
    v: &str,
) -> Option<NaiveDate> {
    if v.trim().is_empty() {
        return Some(today());
    }
    match parse_business_date(v) {
        Ok(d) if d > today() => {
            errs.add(field, format!("{label}不能晚于今天"));
            None
        }
        Ok(d) => Some(d),
        Err(e) => {
            errs.add(field, format!("{label}：{e}"));
            None
        }
    }
}

/// Accepts a method code or what people write (LEC, LS, 直接判定, 作业条件危险性评价法 …).
pub(crate) fn parse_method(s: &str) -> Option<&'static str> {
    let t = s.trim();
    let up = t.to_ascii_uppercase();
    if up == "LEC" || t.contains("作业条件危险性") || up.contains("(LEC)") || t.contains("（LEC）")
    {
        Some("lec")
    } else if up == "LS" || t.contains("风险矩阵") || up.contains("(LS)") || t.contains("（LS）")
    {
        Some("ls")
    } else if t == "direct" || t.contains("直接判定") {
        Some("direct")
    } else {
        None
    }
}

/// Parses an assessment of `method` from typed factors; errors go to `prefix` + field
/// (`l`, `residual_l` …). An empty method is reported on `method_field`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn parse_assessment(
    errs: &mut FieldErrors,
    method_field: &str,
    prefix: &str,
    method: &str,
    l: &str,
    e: &str,
    c: &str,
    s: &str,
    reason: &str,
) -> Option<Assessment> {
    let m = match parse_method(method) {
        Some(m) => m,
        None if method.trim().is_empty() => {
            errs.add(method_field, "请选择评价方法：LEC、LS或直接判定");
            return None;
        }
        None => {
            errs.add(
                method_field,
                format!("评价方法“{}”无效，应为LEC、LS或直接判定", method.trim()),
            );
            return None;
        }
    };
    let r = match m {
        "lec" => Assessment::lec(l, e, c),
        "ls" => Assessment::ls(l, s),
        _ => Assessment::direct(reason),
    };
    match r {
        Ok(a) => Some(a),
        Err(err) => {
            errs.add(&format!("{prefix}{}", err.field()), err.message());
            None
        }
    }
}

/// The stored factor columns of an assessment: (l, e, c, s, reason).
pub(crate) fn columns_of(
    a: &Assessment,
) -> (Option<i64>, Option<i64>, Option<i64>, Option<i64>, String) {
    match a {
        Assessment::Lec { l, e, c } => (
            Some(*l as i64),
            Some(*e as i64),
            Some(*c as i64),
            None,
            String::new(),
        ),
        Assessment::Ls { l, s } => (Some(*l as i64), None, None, Some(*s as i64), String::new()),
        Assessment::Direct { reason } => (None, None, None, None, reason.clone()),
    }
}

/// Appends ` IN ($a, $b, …)` for ids (callers ensure non-empty).
pub(crate) fn push_in(q: &mut Q, ids: &[i64]) {
    q.push(" IN (");
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.push_arg(*id);
    }
    q.push(")");
}
