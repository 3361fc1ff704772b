//! Risk points: create, edit, deactivate, markers and the organisation's site plan.

use anjian_domain::risk::PointKind;
use anjian_domain::role::Permission;

use super::common::{org_for_point, point_db, point_tx, responsible_user, stale, text};
use super::{PersonOption, PointDetail, PointInput, RiskPoint, RiskWithMeasures};
use crate::audit::{self, Change};
use crate::error::{DbError, FieldErrors, Result};
use crate::query::{Db, Tx, Q};
use crate::Ctx;

/// A validated point.
pub(crate) struct NewPoint {
    pub org_id: i64,
    pub kind: PointKind,
    pub name: String,
    pub location: String,
    pub responsible_user_id: Option<i64>,
    pub responsible_name: String,
    pub emergency_measures: String,
    pub report_phone: String,
    pub marker: Option<(i64, i64)>,
}

fn per_mille(errs: &mut FieldErrors, field: &str, label: &str, v: &str) -> Option<i64> {
    match v.trim().parse::<i64>() {
        Ok(n) if (0..=1000).contains(&n) => Some(n),
        _ => {
            errs.add(field, format!("{label}应为 0 至 1000 的整数（千分比）"));
            None
        }
    }
}

/// Both empty: no marker; both set: a marker; one of them: an error.
fn parse_marker(errs: &mut FieldErrors, x: &str, y: &str) -> Option<(i64, i64)> {
    match (x.trim().is_empty(), y.trim().is_empty()) {
        (true, true) => None,
        (false, false) => {
            let x = per_mille(errs, "marker_x", "标注横坐标", x);
            let y = per_mille(errs, "marker_y", "标注纵坐标", y);
            x.zip(y)
        }
        (true, false) => {
            errs.add("marker_x", "标注位置须同时填写横坐标和纵坐标");
            None
        }
        (false, true) => {
            errs.add("marker_y", "标注位置须同时填写横坐标和纵坐标");
            None
        }
    }
}

impl PointInput {
    pub(crate) fn parse(&self) -> Result<NewPoint> {
        let mut errs = FieldErrors::new();
        if self.org_id.is_none() {
            errs.add("org_id", "请选择风险点所属单位或库点");
        }
        let kind = PointKind::parse(&self.kind);
        if kind.is_none() {
            errs.add(
                "kind",
                if self.kind.trim().is_empty() {
                    "请选择风险点类型：场所/区域、设备设施或作业活动".to_string()
                } else {
                    format!(
                        "风险点类型“{}”无效，应为场所/区域、设备设施或作业活动",
                        self.kind.trim()
                    )
                },
            );
        }
        let name = text(&mut errs, "name", "风险点名称", &self.name, true, 100);
        let location = text(
            &mut errs,
            "location",
            "所在位置",
            &self.location,
            false,
            100,
        );
        let responsible_name = text(
            &mut errs,
            "responsible_name",
            "责任人",
            &self.responsible_name,
            false,
            50,
        );
        let emergency_measures = text(
            &mut errs,
            "emergency_measures",
            "应急处置措施",
            &self.emergency_measures,
            false,
            1000,
        );
        let report_phone = text(
            &mut errs,
            "report_phone",
            "报告电话",
            &self.report_phone,
            false,
            50,
        );
        if !report_phone.is_empty()
            && !report_phone
                .chars()
                .all(|c| c.is_ascii_digit() || " -、,，/()（）+".contains(c))
        {
            errs.add("report_phone", "报告电话只能包含数字、空格和“-”");
        }
        let marker = parse_marker(&mut errs, &self.marker_x, &self.marker_y);
        errs.into_result()?;
        match (self.org_id, kind) {
            (Some(org_id), Some(kind)) => Ok(NewPoint {
                org_id,
                kind,
                name,
                location,
                responsible_user_id: self.responsible_user_id,
                responsible_name,
                emergency_measures,
                report_phone,
                marker,
            }),
            _ => Err(DbError::invalid("name", "提交的数据有误")),
        }
    }
}

/// Checks organisation and responsible user (`kept`: the user an edit keeps, see
/// `responsible_user`), fills the responsible name from the account when the form left it empty.
pub(crate) async fn check_point(
    tx: &mut Tx,
    ctx: &Ctx,
    p: &mut NewPoint,
    kept: Option<i64>,
) -> Result<()> {
    org_for_point(tx, ctx, p.org_id).await?;
    let user = responsible_user(
        tx,
        "responsible_user_id",
        p.org_id,
        p.responsible_user_id,
        kept,
    )
    .await?;
    if let Some(name) = user {
        if p.responsible_name.is_empty() {
            p.responsible_name = name;
        }
    }
    Ok(())
}

/// At most this many people are offered; a unit with more accounts than that is not a case the
/// picker is for (the name can still be typed).
const CANDIDATES_MAX: i64 = 500;

/// The people who may be named responsible for a point or measure of `org_id` (RiskView):
/// enabled accounts of the organisation and of its ancestors up to the unit, nearest first.
/// NotFound when the organisation is out of scope.
pub async fn responsible_candidates(db: &Db, ctx: &Ctx, org_id: i64) -> Result<Vec<PersonOption>> {
    ctx.require(Permission::RiskView)?;
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
    let mut q = Q::new("");
    super::common::push_candidates(&mut q, &path);
    q.push(" ORDER BY LENGTH(o.path) DESC, u.name, u.id LIMIT ")
        .push_arg(CANDIDATES_MAX);
    db.fetch_all(&q).await
}

/// Inserts a checked point; returns its id.
pub(crate) async fn insert_point(tx: &mut Tx, p: &NewPoint) -> Result<i64> {
    let now = crate::now();
    let (id,): (i64,) = tx
        .fetch_one(
            &Q::new(
                "INSERT INTO risk_point (org_id, kind, name, location, responsible_user_id, responsible_name, \
                 emergency_measures, report_phone, marker_x, marker_y, risk_count, active, row_version, \
                 created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11, 1, $12, $12) \
                 RETURNING id",
            )
            .bind(p.org_id)
            .bind(p.kind.code())
            .bind(p.name.as_str())
            .bind(p.location.as_str())
            .bind(p.responsible_user_id)
            .bind(p.responsible_name.as_str())
            .bind(p.emergency_measures.as_str())
            .bind(p.report_phone.as_str())
            .bind(p.marker.map(|m| m.0))
            .bind(p.marker.map(|m| m.1))
            .bind(true)
            .bind(now),
        )
        .await?;
    Ok(id)
}

async fn audit_point(
    tx: &mut Tx,
    ctx: &Ctx,
    action: &str,
    before: Option<&RiskPoint>,
    after: &RiskPoint,
) -> Result<()> {
    let mut c = Change::new("risk_point", after.id, action)
        .org(Some(after.org_id))
        .after(after);
    if let Some(b) = before {
        c = c.before(b);
    }
    audit::record(tx, ctx, c).await
}

/// Creates a risk point on a unit or site in scope (RiskManage). Audited.
pub async fn create_point(db: &Db, ctx: &Ctx, input: &PointInput) -> Result<RiskPoint> {
    ctx.require(Permission::RiskManage)?;
    let mut p = input.parse()?;
    let mut tx = db.begin().await?;
    check_point(&mut tx, ctx, &mut p, None).await?;
    let id = insert_point(&mut tx, &p).await?;
    let after = point_tx(&mut tx, None, id).await?;
    audit_point(&mut tx, ctx, "create", None, &after).await?;
    tx.commit().await?;
    Ok(after)
}

/// Edits a point; `row_version` must match (else `DbError::Conflict`). Audited. The point may
/// move to another organisation in scope; its risks and measures move with it.
pub async fn update_point(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    row_version: i64,
    input: &PointInput,
) -> Result<RiskPoint> {
    ctx.require(Permission::RiskManage)?;
    let mut tx = db.begin().await?;
    let before = point_tx(&mut tx, Some(ctx), id).await?;
    let mut p = input.parse()?;
    if before.row_version != row_version {
        return Err(stale());
    }
    // A point that moves is checked afresh: its old person may not belong to the new place.
    let kept = before
        .responsible_user_id
        .filter(|_| p.org_id == before.org_id);
    check_point(&mut tx, ctx, &mut p, kept).await?;
    let n = tx
        .execute(
            &Q::new(
                "UPDATE risk_point SET org_id = $1, kind = $2, name = $3, location = $4, responsible_user_id = $5, \
                 responsible_name = $6, emergency_measures = $7, report_phone = $8, marker_x = $9, marker_y = $10, \
                 row_version = row_version + 1, updated_at = $11 WHERE id = $12 AND row_version = $13",
            )
            .bind(p.org_id)
            .bind(p.kind.code())
            .bind(p.name.as_str())
            .bind(p.location.as_str())
            .bind(p.responsible_user_id)
            .bind(p.responsible_name.as_str())
            .bind(p.emergency_measures.as_str())
            .bind(p.report_phone.as_str())
            .bind(p.marker.map(|m| m.0))
            .bind(p.marker.map(|m| m.1))
            .bind(crate::now())
            .bind(id)
            .bind(row_version),
        )
        .await?;
    if n == 0 {
        return Err(stale());
    }
    if p.org_id != before.org_id {
        for table in ["risk", "risk_measure"] {
            tx.execute(
                &Q::new(&format!(
                    "UPDATE {table} SET org_id = $1 WHERE risk_point_id = $2"
                ))
                .bind(p.org_id)
                .bind(id),
            )
            .await?;
        }
    }
    let after = point_tx(&mut tx, None, id).await?;
    audit_point(&mut tx, ctx, "update", Some(&before), &after).await?;
    tx.commit().await?;
    Ok(after)
}

/// Deactivates (or re-activates) a point; its risks stay as they are but leave the register,
/// counts and cards while the point is inactive. Audited.
pub async fn set_point_active(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    row_version: i64,
    active: bool,
) -> Result<RiskPoint> {
    ctx.require(Permission::RiskManage)?;
    let mut tx = db.begin().await?;
    let before = point_tx(&mut tx, Some(ctx), id).await?;
    let n = tx
        .execute(
            &Q::new(
                "UPDATE risk_point SET active = $1, row_version = row_version + 1, updated_at = $2 \
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
    let after = point_tx(&mut tx, None, id).await?;
    let action = if active { "activate" } else { "deactivate" };
    audit_point(&mut tx, ctx, action, Some(&before), &after).await?;
    tx.commit().await?;
    Ok(after)
}

/// Places (or, with both empty, removes) the point's marker on the site plan; x and y are per
/// mille as typed ("0".."1000"). Audited.
pub async fn set_marker(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    row_version: i64,
    x: &str,
    y: &str,
) -> Result<RiskPoint> {
    ctx.require(Permission::RiskManage)?;
    let mut errs = FieldErrors::new();
    let marker = parse_marker(&mut errs, x, y);
    errs.into_result()?;
    let mut tx = db.begin().await?;
    let before = point_tx(&mut tx, Some(ctx), id).await?;
    let n = tx
        .execute(
            &Q::new(
                "UPDATE risk_point SET marker_x = $1, marker_y = $2, row_version = row_version + 1, \
                 updated_at = $3 WHERE id = $4 AND row_version = $5",
            )
            .bind(marker.map(|m| m.0))
            .bind(marker.map(|m| m.1))
            .bind(crate::now())
            .bind(id)
            .bind(row_version),
        )
        .await?;
    if n == 0 {
        return Err(stale());
    }
    let after = point_tx(&mut tx, None, id).await?;
    audit_point(&mut tx, ctx, "marker", Some(&before), &after).await?;
    tx.commit().await?;
    Ok(after)
}

/// A point with its risks, measures and hazards (RiskView). NotFound when out of scope.
pub async fn get_point(db: &Db, ctx: &Ctx, id: i64) -> Result<PointDetail> {
    ctx.require(Permission::RiskView)?;
    let point = point_db(db, ctx, id).await?;
    let risks: Vec<super::Risk> = db
        .fetch_all(
            &Q::new(&format!(
                "SELECT {}{} WHERE r.risk_point_id = $1 ORDER BY r.active DESC, r.level_rank, r.id",
                super::common::RISK_COLS,
                super::common::RISK_FROM
            ))
            .bind(id),
        )
        .await?;
    let measures: Vec<super::Measure> = db
        .fetch_all(
            &Q::new(&format!(
                "SELECT {} FROM risk_measure m WHERE m.risk_point_id = $1 ORDER BY m.active DESC, m.measure_type, m.id",
                super::common::MEASURE_COLS
            ))
            .bind(id),
        )
        .await?;
    let risks = risks
        .into_iter()
        .map(|r| {
            let ms = measures
                .iter()
                .filter(|m| m.risk_id == r.id)
                .cloned()
                .collect();
            RiskWithMeasures {
                risk: r,
                measures: ms,
            }
        })
        .collect();
    let hazards = super::coupling::hazards_unchecked(db, id, 50).await?;
    let site_plan_attachment_id = plan_of(db, point.org_id).await?;
    Ok(PointDetail {
        point,
        risks,
        hazards,
        site_plan_attachment_id,
    })
}

pub(crate) async fn plan_of(db: &Db, org_id: i64) -> Result<Option<i64>> {
    let row: Option<(i64,)> = db
        .fetch_optional(
            &Q::new(
                "SELECT s.attachment_id FROM risk_site_plan s JOIN attachment a ON a.id = s.attachment_id \
                 WHERE s.org_id = $1 AND a.deleted_at IS NULL",
            )
            .bind(org_id),
        )
        .await?;
    Ok(row.map(|r| r.0))
}

async fn org_in_scope(tx: &mut Tx, ctx: &Ctx, org_id: i64) -> Result<()> {
    let row: Option<(i64,)> = tx
        .fetch_optional(
            &Q::new("SELECT id FROM org WHERE id = $1 AND path LIKE $2")
                .bind(org_id)
                .bind(ctx.scope_like()),
        )
        .await?;
    row.map(|_| ()).ok_or(DbError::NotFound)
}

/// Sets (or with None removes) the organisation's site plan: an attachment saved through
/// `web::attachment::save` on an organisation in scope. Audited.
pub async fn set_site_plan(
    db: &Db,
    ctx: &Ctx,
    org_id: i64,
    attachment_id: Option<i64>,
) -> Result<()> {
    ctx.require(Permission::RiskManage)?;
    let mut tx = db.begin().await?;
    org_in_scope(&mut tx, ctx, org_id).await?;
    let before: Option<(i64,)> = tx
        .fetch_optional(
            &Q::new("SELECT attachment_id FROM risk_site_plan WHERE org_id = $1").bind(org_id),
        )
        .await?;
    if let Some(a) = attachment_id {
        let ok: Option<(String,)> = tx
            .fetch_optional(
                &Q::new(
                    "SELECT a.mime FROM attachment a JOIN org o ON o.id = a.org_id \
                     WHERE a.id = $1 AND a.deleted_at IS NULL AND o.path LIKE $2",
                )
                .bind(a)
                .bind(ctx.scope_like()),
            )
            .await?;
        match ok {
            None => return Err(DbError::invalid("attachment_id", "平面图附件不存在")),
            Some((mime,)) if !mime.starts_with("image/") => {
                return Err(DbError::invalid(
                    "attachment_id",
                    "平面图须为图片（JPG或PNG）",
                ))
            }
            Some(_) => {}
        }
        tx.execute(&Q::new("DELETE FROM risk_site_plan WHERE org_id = $1").bind(org_id))
            .await?;
        tx.execute(
            &Q::new(
                "INSERT INTO risk_site_plan (org_id, attachment_id, updated_at) VALUES ($1, $2, $3)",
            )
            .bind(org_id)
            .bind(a)
            .bind(crate::now()),
        )
        .await?;
    } else {
        tx.execute(&Q::new("DELETE FROM risk_site_plan WHERE org_id = $1").bind(org_id))
            .await?;
    }
    audit::record(
        &mut tx,
        ctx,
        Change::new("risk_site_plan", org_id, "update")
            .org(Some(org_id))
            .before(serde_json::json!({ "attachment_id": before.map(|b| b.0) }))
            .after(serde_json::json!({ "attachment_id": attachment_id })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The organisation's site plan attachment id (RiskView; NotFound when out of scope).
pub async fn site_plan(db: &Db, ctx: &Ctx, org_id: i64) -> Result<Option<i64>> {
    ctx.require(Permission::RiskView)?;
    let row: Option<(i64,)> = db
        .fetch_optional(
            &Q::new("SELECT id FROM org WHERE id = $1 AND path LIKE $2")
                .bind(org_id)
                .bind(ctx.scope_like()),
        )
        .await?;
    if row.is_none() {
        return Err(DbError::NotFound);
    }
    plan_of(db, org_id).await
}
