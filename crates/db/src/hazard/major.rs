//! Major hazards (重大事故隐患): the six-part treatment plan of 16号令 Art. 15, the upward report of
//! Art. 14 (current state and causes, harm and difficulty, with the plan), and 挂牌督办: listing by
//! an authority with a deadline, lifted only after the hazard is closed and with evidence.

use chrono::DateTime;
use chrono::Utc;
use serde::{Deserialize, Serialize};

use anjian_domain::hazard::{HazardStatus, MAJOR_PLAN_PARTS};
use anjian_domain::role::Permission;

use super::record::{self, Hazard, Listing, MajorPlan, COLS, LISTING_SELECT, MAJOR_SELECT};
use super::{date_field, event, link_attachments, text, today};
use crate::audit::{self, Change};
use crate::error::{DbError, FieldErrors, Result};
use crate::query::{Db, Tx, Q};
use crate::Ctx;

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct PlanInput {
    pub row_version: i64,
    pub objectives: String,
    pub methods: String,
    pub funds_materials: String,
    pub organisation: String,
    pub time_limits: String,
    pub safety_emergency: String,
    /// The plan document(s), uploaded first.
    pub plan_attachment_ids: Vec<i64>,
}

impl PlanInput {
    fn parts(&self) -> [&str; 6] {
        [
            &self.objectives,
            &self.methods,
            &self.funds_materials,
            &self.organisation,
            &self.time_limits,
            &self.safety_emergency,
        ]
    }
}

/// Bumps the hazard's version for a change stored beside the row (plan, report, listing): the
/// hazard page's forms all carry that one version.
async fn touch(tx: &mut Tx, id: i64, row_version: i64) -> Result<()> {
    let n = tx
        .execute(
            &Q::new(
                "UPDATE hazard SET row_version = row_version + 1, updated_at = $1 \
                 WHERE id = $2 AND row_version = $3",
            )
            .bind(crate::now())
            .bind(id)
            .bind(row_version),
        )
        .await?;
    if n == 0 {
        return Err(record::stale());
    }
    Ok(())
}

/// Opens a step on a major hazard: either permission in `any`, row in scope, version, grade.
async fn begin_major(
    db: &Db,
    ctx: &Ctx,
    any: &[Permission],
    id: i64,
    row_version: i64,
) -> Result<(Tx, Hazard)> {
    if !any.iter().any(|p| ctx.can(*p)) {
        return Err(DbError::Forbidden);
    }
    let mut tx = db.begin().await?;
    let h = record::fetch_in_tx(&mut tx, ctx, id).await?;
    if h.row_version != row_version {
        return Err(record::stale());
    }
    if !h.is_major() {
        return Err(DbError::invalid("grade", "只有重大事故隐患适用此操作"));
    }
    Ok((tx, h))
}

async fn plan_of(tx: &mut Tx, id: i64) -> Result<Option<MajorPlan>> {
    tx.fetch_optional(&Q::new(&format!("{MAJOR_SELECT} WHERE m.hazard_id = $1")).bind(id))
        .await
}

/// Saves the treatment plan (parts may be filled over several visits; 五落实 of a major hazard
/// waits until all six are there).
pub async fn save_plan(db: &Db, ctx: &Ctx, id: i64, input: &PlanInput) -> Result<MajorPlan> {
    let (mut tx, h) = begin_major(
        db,
        ctx,
        &[Permission::HazardReport, Permission::HazardRectify],
        id,
        input.row_version,
    )
    .await?;
    if h.status() == HazardStatus::Closed {
        return Err(DbError::invalid("status", "隐患已销号，治理方案不能再修改"));
    }
    let mut errs = FieldErrors::new();
    let mut v: Vec<String> = Vec::with_capacity(6);
    for ((field, label), raw) in MAJOR_PLAN_PARTS.iter().zip(input.parts()) {
        v.push(text(&mut errs, field, label, raw, false, 2000));
    }
    errs.into_result()?;
    let before = plan_of(&mut tx, id).await?;
    let now = crate::now();
    let q = if before.is_some() {
        "UPDATE hazard_major SET objectives = $2, methods = $3, funds_materials = $4, organisation = $5, \
         time_limits = $6, safety_emergency = $7, updated_at = $8 WHERE hazard_id = $1"
    } else {
        "INSERT INTO hazard_major (hazard_id, objectives, methods, funds_materials, organisation, time_limits, \
         safety_emergency, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    };
    let mut stmt = Q::new(q).bind(id);
    for part in v {
        stmt = stmt.bind(part);
    }
    tx.execute(&stmt.bind(now)).await?;
    link_attachments(
        &mut tx,
        ctx,
        id,
        &input.plan_attachment_ids,
        "plan",
        0,
        "plan_attachment_ids",
    )
    .await?;
    touch(&mut tx, id, input.row_version).await?;
    let after = plan_of(&mut tx, id).await?.unwrap_or_default();
    let note = if after.complete() {
        "治理方案六项内容已齐全"
    } else {
        "治理方案尚不完整"
    };
    event(&mut tx, ctx, id, "plan_saved", None, None, note).await?;
    let mut change = Change::new("hazard_major", id, "save_plan")
        .org(Some(h.org_id))
        .after(&after);
    if let Some(b) = &before {
        change = change.before(b);
    }
    audit::record(&mut tx, ctx, change).await?;
    tx.commit().await?;
    Ok(after)
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ReportInput {
    pub row_version: i64,
    /// 隐患的现状及其产生原因.
    pub current_state: String,
    /// 隐患的危害程度和整改难易程度分析.
    pub harm_analysis: String,
}

/// Reports the major hazard upward (to the bureau) with its complete plan. Once.
pub async fn report_upward(db: &Db, ctx: &Ctx, id: i64, input: &ReportInput) -> Result<MajorPlan> {
    let (mut tx, h) =
        begin_major(db, ctx, &[Permission::HazardReport], id, input.row_version).await?;
    let by = ctx.user_id().ok_or(DbError::Forbidden)?;
    let mut errs = FieldErrors::new();
    let current_state = text(
        &mut errs,
        "current_state",
        "隐患现状及产生原因",
        &input.current_state,
        true,
        2000,
    );
    let harm = text(
        &mut errs,
        "harm_analysis",
        "危害程度和整改难易程度分析",
        &input.harm_analysis,
        true,
        2000,
    );
    errs.into_result()?;
    let before = plan_of(&mut tx, id).await?;
    match &before {
        Some(p) if p.reported() => {
            return Err(DbError::invalid("status", "该重大隐患已上报"));
        }
        Some(p) if p.complete() => {}
        _ => {
            return Err(DbError::invalid(
                "plan",
                "上报前须先制定包含六项内容的治理方案",
            ));
        }
    }
    tx.execute(
        &Q::new(
            "UPDATE hazard_major SET current_state = $1, harm_analysis = $2, reported_at = $3, reported_by = $4, \
             updated_at = $3 WHERE hazard_id = $5",
        )
        .bind(current_state)
        .bind(harm)
        .bind(crate::now())
        .bind(by)
        .bind(id),
    )
    .await?;
    touch(&mut tx, id, input.row_version).await?;
    let after = plan_of(&mut tx, id).await?.unwrap_or_default();
    event(
        &mut tx,
        ctx,
        id,
        "reported",
        None,
        None,
        "向主管部门报告重大事故隐患",
    )
    .await?;
    audit::record(
        &mut tx,
        ctx,
        Change::new("hazard_major", id, "report")
            .org(Some(h.org_id))
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// A major hazard with what supervision needs to see at a glance.
#[derive(Debug, Clone, Serialize)]
pub struct SupervisionItem {
    pub hazard: Hazard,
    pub plan_complete: bool,
    pub reported_at: Option<DateTime<Utc>>,
    pub listing: Option<Listing>,
}

/// Major hazards in scope (open ones and those still listed first), for 挂牌督办.
pub async fn list_for_supervision(db: &Db, ctx: &Ctx) -> Result<Vec<SupervisionItem>> {
    ctx.require(Permission::HazardSupervise)?;
    let rows: Vec<Hazard> = db
        .fetch_all(
            &Q::new(&format!(
                "SELECT {COLS} FROM hazard h JOIN org o ON o.id = h.org_id \
                 WHERE h.grade = 'major' AND h.deleted_at IS NULL AND o.path LIKE $1 \
                 ORDER BY h.found_on DESC, h.id DESC LIMIT 500"
            ))
            .bind(ctx.scope_like()),
        )
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for h in rows {
        let plan: Option<MajorPlan> = db
            .fetch_optional(&Q::new(&format!("{MAJOR_SELECT} WHERE m.hazard_id = $1")).bind(h.id))
            .await?;
        let listing: Option<Listing> = db
            .fetch_optional(&Q::new(&format!("{LISTING_SELECT} WHERE hazard_id = $1")).bind(h.id))
            .await?;
        out.push(SupervisionItem {
            plan_complete: plan.as_ref().is_some_and(MajorPlan::complete),
            reported_at: plan.and_then(|p| p.reported_at),
            listing,
            hazard: h,
        });
    }
    // Still-listed and open hazards first: those are the ones to chase.
    out.sort_by_key(|i| {
        let listed_open = i.listing.as_ref().is_some_and(|l| !l.lifted());
        (!listed_open, !i.hazard.status().is_open())
    });
    Ok(out)
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ListingInput {
    pub row_version: i64,
    /// 挂牌督办单位.
    pub authority: String,
    pub listed_on: String,
    /// 督办期限.
    pub deadline: String,
}

/// 挂牌督办: lists an open major hazard, once.
pub async fn list_hazard(db: &Db, ctx: &Ctx, id: i64, input: &ListingInput) -> Result<Listing> {
    let (mut tx, h) = begin_major(
        db,
        ctx,
        &[Permission::HazardSupervise],
        id,
        input.row_version,
    )
    .await?;
    let by = ctx.user_id().ok_or(DbError::Forbidden)?;
    let mut errs = FieldErrors::new();
    let authority = text(
        &mut errs,
        "authority",
        "挂牌督办单位",
        &input.authority,
        true,
        100,
    );
    let listed_on = date_field(&mut errs, "listed_on", "挂牌日期", &input.listed_on);
    let deadline = date_field(&mut errs, "deadline", "督办期限", &input.deadline);
    if listed_on.is_some_and(|d| d > today()) {
        errs.add("listed_on", "挂牌日期不能晚于今天");
    }
    if let (Some(l), Some(d)) = (listed_on, deadline) {
        if d < l {
            errs.add("deadline", "督办期限不能早于挂牌日期");
        }
    }
    errs.into_result()?;
    let (Some(listed_on), Some(deadline)) = (listed_on, deadline) else {
        return Err(DbError::invalid("listed_on", "挂牌日期不能为空"));
    };
    if !h.status().is_open() {
        return Err(DbError::invalid("status", "隐患已销号，不能挂牌督办"));
    }
    let existing: Option<(i64,)> = tx
        .fetch_optional(&Q::new("SELECT id FROM hazard_listing WHERE hazard_id = $1").bind(id))
        .await?;
    if existing.is_some() {
        return Err(DbError::invalid("status", "该隐患已挂牌督办"));
    }
    tx.execute(
        &Q::new(
            "INSERT INTO hazard_listing (hazard_id, authority, listed_on, deadline, listed_by) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(authority.as_str())
        .bind(listed_on)
        .bind(deadline)
        .bind(by),
    )
    .await
    .map_err(|e| match e {
        DbError::Sqlx(e) => DbError::unique_or(e, "该隐患已挂牌督办"),
        e => e,
    })?;
    touch(&mut tx, id, input.row_version).await?;
    let listing: Listing = tx
        .fetch_one(&Q::new(&format!("{LISTING_SELECT} WHERE hazard_id = $1")).bind(id))
        .await?;
    event(
        &mut tx,
        ctx,
        id,
        "listed",
        None,
        None,
        &format!("督办单位：{authority}；督办期限：{deadline}"),
    )
    .await?;
    audit::record(
        &mut tx,
        ctx,
        Change::new("hazard_listing", listing.id, "list")
            .org(Some(h.org_id))
            .after(&listing),
    )
    .await?;
    tx.commit().await?;
    Ok(listing)
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct LiftInput {
    pub row_version: i64,
    pub lifted_on: String,
    pub note: String,
    /// Evidence for lifting (at least one), uploaded first.
    pub lift_attachment_ids: Vec<i64>,
}

/// Lifts the listing of a closed hazard, with the evidence for lifting.
pub async fn lift_listing(db: &Db, ctx: &Ctx, id: i64, input: &LiftInput) -> Result<Listing> {
    let (mut tx, h) = begin_major(
        db,
        ctx,
        &[Permission::HazardSupervise],
        id,
        input.row_version,
    )
    .await?;
    let by = ctx.user_id().ok_or(DbError::Forbidden)?;
    let before: Listing = tx
        .fetch_optional(&Q::new(&format!("{LISTING_SELECT} WHERE hazard_id = $1")).bind(id))
        .await?
        .ok_or_else(|| DbError::invalid("status", "该隐患未挂牌督办"))?;
    let mut errs = FieldErrors::new();
    let lifted_on = date_field(&mut errs, "lifted_on", "解除日期", &input.lifted_on);
    let note = text(&mut errs, "note", "解除说明", &input.note, false, 500);
    if let Some(d) = lifted_on {
        if d > today() {
            errs.add("lifted_on", "解除日期不能晚于今天");
        } else if d < before.listed_on {
            errs.add("lifted_on", "解除日期不能早于挂牌日期");
        }
    }
    errs.into_result()?;
    let lifted_on = lifted_on.unwrap_or_else(today);
    if before.lifted() {
        return Err(DbError::invalid("status", "挂牌督办已解除"));
    }
    if h.status() != HazardStatus::Closed {
        return Err(DbError::invalid("status", "隐患验收销号后才能解除挂牌督办"));
    }
    let n = link_attachments(
        &mut tx,
        ctx,
        id,
        &input.lift_attachment_ids,
        "lift",
        0,
        "lift_attachment_ids",
    )
    .await?;
    if n == 0 {
        return Err(DbError::invalid(
            "lift_attachment_ids",
            "解除挂牌督办须上传证明材料",
        ));
    }
    tx.execute(
        &Q::new(
            "UPDATE hazard_listing SET lifted_on = $1, lifted_by = $2, lift_note = $3, \
             row_version = row_version + 1 WHERE id = $4 AND lifted_on IS NULL",
        )
        .bind(lifted_on)
        .bind(by)
        .bind(note.as_str())
        .bind(before.id),
    )
    .await?;
    touch(&mut tx, id, input.row_version).await?;
    let after: Listing = tx
        .fetch_one(&Q::new(&format!("{LISTING_SELECT} WHERE hazard_id = $1")).bind(id))
        .await?;
    event(
        &mut tx,
        ctx,
        id,
        "lifted",
        None,
        None,
        format!("解除日期：{lifted_on}。{note}").trim(),
    )
    .await?;
    audit::record(
        &mut tx,
        ctx,
        Change::new("hazard_listing", after.id, "lift")
            .org(Some(h.org_id))
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}
