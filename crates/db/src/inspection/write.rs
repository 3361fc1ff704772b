//! Recording, correcting and withdrawing inspections. Each is one transaction with its audit
//! entry: an inspection with failed items and their hazards is stored whole or not at all.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use anjian_domain::hazard::HazardGrade;
use anjian_domain::inspection::ItemResult;
use anjian_domain::role::Permission;

use super::input::{hazard_errors, InspectionInput, InspectionUpdate, ValidInspection};
use super::{one, Inspection};
use crate::audit::{self, Change};
use crate::checklist::{self, ChecklistItem};
use crate::error::{DbError, FieldErrors, Result};
use crate::hazard::{self, HazardInput, HazardSource, NewHazard};
use crate::query::{Db, Tx, Q};
use crate::Ctx;

fn today() -> NaiveDate {
    anjian_domain::time::today(crate::now())
}

/// Renames a NotFound of a referenced record into a field error: the id came from the client.
fn as_field(e: DbError, field: &str, message: &str) -> DbError {
    match e {
        DbError::NotFound => DbError::invalid(field, message),
        e => e,
    }
}

/// What the audit trail keeps of a new inspection.
#[derive(Serialize)]
struct Snapshot<'a> {
    id: i64,
    org_id: i64,
    kind: &'static str,
    inspected_on: NaiveDate,
    inspectors: &'a str,
    checklist_id: Option<i64>,
    campaign_id: Option<i64>,
    task_id: Option<i64>,
    summary: &'a str,
    illegal_operation: bool,
    illegal_description: &'a str,
    /// (checklist item, result, risk point).
    items: Vec<(i64, &'static str, Option<i64>)>,
    attachment_ids: &'a [i64],
    hazard_ids: &'a [i64],
}

/// The hazard of a failed item, with what the inspection already says filled in: where and when
/// it was found, by whom, in which campaign, and — for an item that is a 重大事故隐患判定标准 —
/// the major grade with the item as the criterion it meets.
fn hazard_for_item(
    v: &ValidInspection,
    item: &ChecklistItem,
    point: Option<i64>,
    h: &HazardInput,
) -> HazardInput {
    let mut h = h.clone();
    h.org_id = Some(v.org_id);
    if h.risk_point_id.is_none() {
        // Found at the point the item checks: the hazard counts there (elevated state,
        // re-assessment flag) without anyone linking it by hand.
        h.risk_point_id = point;
    }
    h.found_on = v.header.inspected_on.format("%Y-%m-%d").to_string();
    if h.found_by.trim().is_empty() {
        h.found_by = v.header.inspectors.clone();
    }
    if h.campaign_id.is_none() {
        h.campaign_id = v.header.campaign_id;
    }
    if h.description.trim().is_empty() {
        // The item states the requirement; the hazard is its breach.
        h.description = format!("不符合检查要求：{}", item.content);
    }
    if h.category.trim().is_empty() {
        h.category = item.category.clone();
    }
    if item.major_criterion {
        h.grade = HazardGrade::Major.code().to_string();
        if h.major_criterion.trim().is_empty() {
            h.major_criterion = item.content.clone();
        }
    } else if h.grade.trim().is_empty() {
        h.grade = HazardGrade::General.code().to_string();
    }
    h
}

/// Task checks: visible, open, assigned to the inspected unit. An inspection without a campaign
/// takes the task's; one that names another campaign is refused.
async fn check_task(
    tx: &mut Tx,
    ctx: &Ctx,
    task_id: i64,
    org_id: i64,
    campaign: &mut Option<i64>,
) -> Result<()> {
    crate::inspection_task::check_in_tx(tx, ctx, task_id, org_id).await?;
    let (task_campaign,): (Option<i64>,) = tx
        .fetch_one(&Q::new("SELECT campaign_id FROM inspection_task WHERE id = $1").bind(task_id))
        .await?;
    match (task_campaign, *campaign) {
        (Some(t), None) => *campaign = Some(t),
        (Some(t), Some(c)) if t != c => {
            return Err(DbError::invalid(
                "campaign_id",
                "所选专项行动与检查任务所属的专项行动不一致",
            ))
        }
        _ => {}
    }
    Ok(())
}

/// Photos must be live, in the caller's scope and belong to the inspected organisation or a node
/// below it, so that whoever can open the inspection can also open its photos.
async fn check_attachments(tx: &mut Tx, ctx: &Ctx, org_path: &str, ids: &[i64]) -> Result<()> {
    for id in ids {
        let ok: Option<(i64,)> = tx
            .fetch_optional(
                &Q::new(
                    "SELECT a.id FROM attachment a JOIN org o ON o.id = a.org_id \
                     WHERE a.id = $1 AND a.deleted_at IS NULL AND o.path LIKE $2 AND o.path LIKE $3",
                )
                .bind(*id)
                .bind(ctx.scope_like())
                .bind(format!("{org_path}%")),
            )
            .await?;
        if ok.is_none() {
            return Err(DbError::invalid(
                "attachment_ids",
                format!("照片{id}不存在，或不属于受检单位"),
            ));
        }
    }
    Ok(())
}

/// Registers the hazard of a failed item; one fixed on the spot (立即整改, general hazards only,
/// with after-photos) goes straight on to 待验收 as the hazard module's own registration does.
async fn register(
    tx: &mut Tx,
    ctx: &Ctx,
    nh: &NewHazard,
    src: HazardSource,
    input: Option<&HazardInput>,
) -> Result<i64> {
    let hid = hazard::insert_in_tx(tx, ctx, nh, src).await?;
    if let Some(h) = input.filter(|h| h.immediate) {
        hazard::record_immediate_in_tx(
            tx,
            ctx,
            hid,
            &h.after_attachment_ids,
            nh.found_on,
            h.rectification_note.trim(),
        )
        .await?;
    }
    Ok(hid)
}

/// Records an inspection with its items, photos and the hazards of its failed items. Returns the
/// new id.
pub async fn create(db: &Db, ctx: &Ctx, input: &InspectionInput) -> Result<i64> {
    ctx.require(Permission::InspectionRecord)?;
    let mut v = input.parse(today())?;
    let mut tx = db.begin().await?;
    let org: Option<(String,)> = tx
        .fetch_optional(
            &Q::new("SELECT path FROM org WHERE id = $1 AND path LIKE $2 AND active = $3")
                .bind(v.org_id)
                .bind(ctx.scope_like())
                .bind(true),
        )
        .await?;
    let Some((org_path,)) = org else {
        return Err(DbError::invalid("org_id", "受检单位不存在或已停用"));
    };
    if let Some(t) = v.header.task_id {
        check_task(&mut tx, ctx, t, v.org_id, &mut v.header.campaign_id).await?;
    }
    if let Some(c) = v.header.campaign_id {
        crate::campaign::check_in_tx(&mut tx, ctx, c, v.org_id).await?;
    }
    check_attachments(&mut tx, ctx, &org_path, &v.attachment_ids).await?;

    // Match the results to the checklist's items, in the checklist's order, and prepare every
    // hazard before writing anything, so all field errors come back together.
    let library: Vec<ChecklistItem> = match v.checklist_id {
        Some(c) => checklist::items_in_tx(&mut tx, ctx, c)
            .await
            .map_err(|e| as_field(e, "checklist_id", "检查表不存在或已停用"))?,
        None => Vec::new(),
    };
    let mut errs = FieldErrors::new();
    let by_id: HashMap<i64, usize> = v
        .items
        .iter()
        .enumerate()
        .map(|(i, it)| (it.checklist_item_id, i))
        .collect();
    for (i, it) in v.items.iter().enumerate() {
        if !library.iter().any(|c| c.id == it.checklist_item_id) {
            errs.add(
                &format!("items[{i}].checklist_item_id"),
                format!("第{}项不属于所选检查表", i + 1),
            );
        }
        // The same rule as a hazard's point, so the hazard made from this item cannot fail it.
        if let Some(p) = it.risk_point_id {
            match hazard::risk_point::check(&mut tx, ctx, v.org_id, p, None).await {
                Ok(()) => {}
                Err(DbError::Invalid(fe)) => {
                    for (_, msg) in fe.0 {
                        errs.add(
                            &format!("items[{i}].risk_point_id"),
                            format!("第{}项{msg}", i + 1),
                        );
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }
    let mut planned: Vec<(usize, &ChecklistItem, Option<NewHazard>)> = Vec::new();
    for (k, c) in library.iter().enumerate() {
        let Some(&i) = by_id.get(&c.id) else {
            errs.add(
                "items",
                format!("检查表第{}项“{}”未填写检查结果", k + 1, c.content),
            );
            continue;
        };
        let new_hazard = match &v.items[i].hazard {
            Some(h) => match hazard_for_item(&v, c, v.items[i].risk_point_id, h).parse() {
                Ok(n) => Some(n),
                Err(e) => {
                    hazard_errors(&mut errs, i, e)?;
                    None
                }
            },
            None => None,
        };
        planned.push((i, c, new_hazard));
    }
    errs.into_result()?;

    let now = crate::now();
    let h = &v.header;
    let (id,): (i64,) = tx
        .fetch_one(
            &Q::new(
                "INSERT INTO inspection (org_id, kind, inspected_on, inspectors, checklist_id, campaign_id, task_id, \
                 summary, illegal_operation, illegal_description, recorded_by, row_version, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12, $12) RETURNING id",
            )
            .bind(v.org_id)
            .bind(h.kind.code())
            .bind(h.inspected_on)
            .bind(&h.inspectors)
            .bind(v.checklist_id)
            .bind(h.campaign_id)
            .bind(h.task_id)
            .bind(&h.summary)
            .bind(h.illegal_operation)
            .bind(&h.illegal_description)
            .bind(ctx.user_id())
            .bind(now),
        )
        .await?;
    let mut hazard_ids = Vec::new();
    let mut item_codes = Vec::new();
    for (pos, (i, c, new_hazard)) in planned.iter().enumerate() {
        let it = &v.items[*i];
        let (item_id,): (i64,) = tx
            .fetch_one(
                &Q::new(
                    "INSERT INTO inspection_item (inspection_id, position, checklist_item_id, content, category, basis, \
                     major_criterion, result, note, risk_point_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                     RETURNING id",
                )
                .bind(id)
                .bind(pos as i64 + 1)
                .bind(c.id)
                .bind(&c.content)
                .bind(&c.category)
                .bind(&c.basis)
                .bind(c.major_criterion)
                .bind(it.result.code())
                .bind(&it.note)
                .bind(it.risk_point_id),
            )
            .await?;
        item_codes.push((c.id, it.result.code(), it.risk_point_id));
        if let (ItemResult::Fail, Some(nh)) = (it.result, new_hazard) {
            let src = HazardSource {
                inspection_id: Some(id),
                inspection_item_id: Some(item_id),
            };
            let hid = register(&mut tx, ctx, nh, src, it.hazard.as_ref())
                .await
                .map_err(|e| {
                    let mut errs = FieldErrors::new();
                    match hazard_errors(&mut errs, *i, e) {
                        Ok(()) => DbError::Invalid(errs),
                        Err(e) => e,
                    }
                })?;
            hazard_ids.push(hid);
        }
    }
    for a in &v.attachment_ids {
        tx.execute(
            &Q::new(
                "INSERT INTO inspection_attachment (inspection_id, attachment_id) VALUES ($1, $2)",
            )
            .bind(id)
            .bind(*a),
        )
        .await?;
    }
    let snap = Snapshot {
        id,
        org_id: v.org_id,
        kind: h.kind.code(),
        inspected_on: h.inspected_on,
        inspectors: &h.inspectors,
        checklist_id: v.checklist_id,
        campaign_id: h.campaign_id,
        task_id: h.task_id,
        summary: &h.summary,
        illegal_operation: h.illegal_operation,
        illegal_description: &h.illegal_description,
        items: item_codes,
        attachment_ids: &v.attachment_ids,
        hazard_ids: &hazard_ids,
    };
    audit::record(
        &mut tx,
        ctx,
        Change::new("inspection", id, "create")
            .org(Some(v.org_id))
            .after(&snap),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Loads the record for a change: in scope (else NotFound) and correctable by the caller.
async fn load_for_change(tx: &mut Tx, ctx: &Ctx, id: i64) -> Result<Inspection> {
    let before: Inspection = tx.fetch_one(&one(ctx, id)).await?;
    if !before.editable_by(ctx) {
        return Err(DbError::Forbidden);
    }
    Ok(before)
}

/// Corrects the header of an inspection. The date and campaign are copied into the hazards the
/// inspection registered, so they are frozen once there are any.
pub async fn update(db: &Db, ctx: &Ctx, id: i64, input: &InspectionUpdate) -> Result<Inspection> {
    ctx.require(Permission::InspectionRecord)?;
    let mut tx = db.begin().await?;
    let before = load_for_change(&mut tx, ctx, id).await?;
    let mut h = input.parse(today())?;
    if before.hazard_count > 0 {
        let mut errs = FieldErrors::new();
        if h.inspected_on != before.inspected_on {
            errs.add("inspected_on", "此次检查已登记隐患，不能修改检查日期");
        }
        if h.campaign_id != before.campaign_id {
            errs.add("campaign_id", "此次检查已登记隐患，不能修改专项行动");
        }
        errs.into_result()?;
    }
    if h.task_id.is_some() && h.task_id != before.task_id {
        if let Some(t) = h.task_id {
            check_task(&mut tx, ctx, t, before.org_id, &mut h.campaign_id).await?;
        }
    }
    if h.campaign_id.is_some() && h.campaign_id != before.campaign_id {
        if let Some(c) = h.campaign_id {
            crate::campaign::check_in_tx(&mut tx, ctx, c, before.org_id).await?;
        }
    }
    let n = tx
        .execute(
            &Q::new(
                "UPDATE inspection SET kind = $1, inspected_on = $2, inspectors = $3, campaign_id = $4, task_id = $5, \
                 summary = $6, illegal_operation = $7, illegal_description = $8, updated_at = $9, \
                 row_version = row_version + 1 WHERE id = $10 AND row_version = $11 AND deleted_at IS NULL",
            )
            .bind(h.kind.code())
            .bind(h.inspected_on)
            .bind(&h.inspectors)
            .bind(h.campaign_id)
            .bind(h.task_id)
            .bind(&h.summary)
            .bind(h.illegal_operation)
            .bind(&h.illegal_description)
            .bind(crate::now())
            .bind(id)
            .bind(input.row_version),
        )
        .await?;
    if n == 0 {
        return Err(DbError::Conflict("记录已被他人修改，请刷新后重试".into()));
    }
    let after: Inspection = tx.fetch_one(&one(ctx, id)).await?;
    audit::record(
        &mut tx,
        ctx,
        Change::new("inspection", id, "update")
            .org(Some(after.org_id))
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Withdraws an inspection recorded in error. Refused once a hazard came from it: the hazard's
/// evidence would point at nothing.
pub async fn delete(db: &Db, ctx: &Ctx, id: i64) -> Result<()> {
    ctx.require(Permission::InspectionRecord)?;
    let mut tx = db.begin().await?;
    let before = load_for_change(&mut tx, ctx, id).await?;
    if before.hazard_count > 0 {
        return Err(DbError::Conflict(format!(
            "此次检查已登记{}项隐患，不能删除",
            before.hazard_count
        )));
    }
    let now = crate::now();
    tx.execute(
        &Q::new(
            "UPDATE inspection SET deleted_at = $1, updated_at = $1, row_version = row_version + 1 \
             WHERE id = $2 AND deleted_at IS NULL",
        )
        .bind(now)
        .bind(id),
    )
    .await?;
    audit::record(
        &mut tx,
        ctx,
        Change::new("inspection", id, "delete")
            .org(Some(before.org_id))
            .before(&before),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
