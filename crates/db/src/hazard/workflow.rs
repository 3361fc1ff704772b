//! The closed loop: 五落实 (assign), submission with evidence, verification or rejection, and the
//! on-the-spot rectification (立即整改). Each step loads the row, asks `apply`, writes the new
//! state with the row version the caller saw, adds a timeline event and the audit entry, all in
//! one transaction.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use anjian_domain::hazard::{apply, Command, HazardState, RectificationPlan, TransitionError};
use anjian_domain::money::Fen;
use anjian_domain::role::Permission;

use super::record::{self, Hazard};
use super::{date_field, event, link_attachments, text, today};
use crate::error::{DbError, FieldErrors, Result};
use crate::query::{Arg, Db, Tx, Q};
use crate::Ctx;

/// A refused transition as a field error. `InFuture` names the date field of the command at hand.
pub(crate) fn refused(e: TransitionError, date: &str) -> DbError {
    let field = match e.field() {
        "date" => date,
        f => f,
    };
    DbError::invalid(field, e.to_string())
}

/// Writes the state `apply` returned plus `extra` columns, bumping the row version; a version
/// other than `row_version` is a conflict. Returns nothing: callers reload through commit_change.
pub(crate) async fn write_state(
    tx: &mut Tx,
    id: i64,
    row_version: i64,
    s: &HazardState,
    extra: Vec<(&str, Arg)>,
) -> Result<()> {
    let mut q = Q::new("UPDATE hazard SET status = ");
    q.push_arg(s.status.code());
    q.push(", immediate = ").push_arg(s.immediate);
    q.push(", deadline = ").push_arg(s.deadline);
    q.push(", rectified_on = ")
        .push_arg(Arg::Date(s.rectified_on));
    q.push(", rectified_by = ").push_arg(s.rectified_by);
    q.push(", verified_on = ")
        .push_arg(Arg::Date(s.verified_on));
    q.push(", verified_by = ").push_arg(s.verified_by);
    for (col, v) in extra {
        q.push(", ").push(col).push(" = ").push_arg(v);
    }
    q.push(", row_version = row_version + 1, updated_at = ")
        .push_arg(crate::now());
    q.push(" WHERE id = ").push_arg(id);
    q.push(" AND row_version = ").push_arg(row_version);
    if tx.execute(&q).await? == 0 {
        return Err(record::stale());
    }
    Ok(())
}

/// Opens the transaction of a step: permission, the row in scope (else NotFound), the version.
pub(crate) async fn begin_step(
    db: &Db,
    ctx: &Ctx,
    p: Permission,
    id: i64,
    row_version: i64,
) -> Result<(Tx, Hazard)> {
    ctx.require(p)?;
    let mut tx = db.begin().await?;
    let h = record::fetch_in_tx(&mut tx, ctx, id).await?;
    if h.row_version != row_version {
        return Err(record::stale());
    }
    Ok((tx, h))
}

fn caller(ctx: &Ctx) -> Result<i64> {
    // Every step records a person; the system actor only marks overdue items.
    ctx.user_id().ok_or(DbError::Forbidden)
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct AssignInput {
    pub row_version: i64,
    /// 整改责任人.
    pub owner: String,
    /// 整改措施.
    pub measures: String,
    /// 整改资金 in 元 as typed.
    pub funds: String,
}

/// 五落实: owner, measures and funds (the deadline stays). 待整改 → 整改中, or an edit of the plan
/// while 整改中. A major hazard needs its complete treatment plan first.
pub async fn assign(db: &Db, ctx: &Ctx, id: i64, input: &AssignInput) -> Result<Hazard> {
    let (mut tx, before) =
        begin_step(db, ctx, Permission::HazardRectify, id, input.row_version).await?;
    let mut errs = FieldErrors::new();
    let owner = text(&mut errs, "owner", "整改责任人", &input.owner, true, 50);
    let measures = text(
        &mut errs,
        "measures",
        "整改措施",
        &input.measures,
        true,
        1000,
    );
    let funds = match Fen::parse_yuan(&input.funds) {
        Ok(f) => Some(f),
        Err(e) => {
            errs.add("funds", format!("整改资金：{e}"));
            None
        }
    };
    errs.into_result()?;
    let funds = funds.unwrap_or_default();
    let state = record::state_of(&mut tx, &before).await?;
    let plan = RectificationPlan {
        owner: owner.clone(),
        measures: measures.clone(),
        funds,
    };
    let next = apply(&state, &Command::Assign(plan), today()).map_err(|e| refused(e, "date"))?;
    write_state(
        &mut tx,
        id,
        input.row_version,
        &next,
        vec![
            ("owner", Arg::from(owner.clone())),
            ("measures", Arg::from(measures)),
            ("funds_fen", Arg::from(funds.0)),
        ],
    )
    .await?;
    let note = format!("责任人：{owner}；资金：{}元", funds.to_yuan_2dp());
    event(
        &mut tx,
        ctx,
        id,
        "assigned",
        Some(state.status),
        Some(next.status),
        &note,
    )
    .await?;
    record::commit_change(tx, ctx, id, "assign", &before).await
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct SubmitInput {
    pub row_version: i64,
    /// 整改完成日期 as typed.
    pub rectified_on: String,
    pub note: String,
    /// After-photos or documents, uploaded first.
    pub after_attachment_ids: Vec<i64>,
}

/// The next evidence round: each submission's after-photos stay apart from a rejected one's.
async fn next_round(tx: &mut Tx, id: i64) -> Result<i64> {
    let (r,): (Option<i64>,) = tx
        .fetch_one(
            &Q::new(
                "SELECT MAX(round) FROM hazard_attachment WHERE hazard_id = $1 AND kind = 'after'",
            )
            .bind(id),
        )
        .await?;
    Ok(r.unwrap_or(0) + 1)
}

/// 整改完成, submitted for verification with its evidence: 整改中 → 待验收.
pub async fn submit_rectification(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    input: &SubmitInput,
) -> Result<Hazard> {
    let (mut tx, before) =
        begin_step(db, ctx, Permission::HazardRectify, id, input.row_version).await?;
    let by = caller(ctx)?;
    let mut errs = FieldErrors::new();
    let on = date_field(
        &mut errs,
        "rectified_on",
        "整改完成日期",
        &input.rectified_on,
    );
    let note = text(&mut errs, "note", "整改说明", &input.note, false, 500);
    errs.into_result()?;
    let on = on.unwrap_or_else(today);
    let round = next_round(&mut tx, id).await?;
    let evidence = link_attachments(
        &mut tx,
        ctx,
        id,
        &input.after_attachment_ids,
        "after",
        round,
        "after_attachment_ids",
    )
    .await?;
    let state = record::state_of(&mut tx, &before).await?;
    let next = apply(
        &state,
        &Command::SubmitRectification { by, on, evidence },
        today(),
    )
    .map_err(|e| refused(e, "rectified_on"))?;
    write_state(
        &mut tx,
        id,
        input.row_version,
        &next,
        vec![("rectification_note", Arg::from(note.clone()))],
    )
    .await?;
    let mut note = format!("整改完成日期：{on}；证明材料{evidence}份。{note}");
    // A deadline no longer matters once the work is submitted: a request still waiting for a
    // decision lapses here, so nobody can move the deadline of a hazard under verification or
    // already closed (the transition function would let a late decision through).
    let lapsed = tx
        .execute(
            &Q::new(
                "UPDATE hazard_extension SET status = 'rejected', decided_at = $1, \
                 decision_note = '已提交验收，延期申请自动失效' WHERE hazard_id = $2 AND status = 'pending'",
            )
            .bind(crate::now())
            .bind(id),
        )
        .await?;
    if lapsed > 0 {
        note.push_str("（待审批的延期申请随之失效）");
    }
    event(
        &mut tx,
        ctx,
        id,
        "submitted",
        Some(state.status),
        Some(next.status),
        note.trim(),
    )
    .await?;
    record::commit_change(tx, ctx, id, "submit", &before).await
}

/// 立即整改 inside the caller's transaction (registration and inspections): the caller fixed the
/// hazard on the spot on `on`; `after_ids` are the evidence. 待整改 → 待验收.
pub async fn record_immediate_in_tx(
    tx: &mut Tx,
    ctx: &Ctx,
    id: i64,
    after_ids: &[i64],
    on: NaiveDate,
    note: &str,
) -> Result<()> {
    ctx.require(Permission::HazardReport)?;
    let by = caller(ctx)?;
    let before = record::fetch_in_tx(tx, ctx, id).await?;
    let round = next_round(tx, id).await?;
    let evidence = link_attachments(
        tx,
        ctx,
        id,
        after_ids,
        "after",
        round,
        "after_attachment_ids",
    )
    .await?;
    let state = record::state_of(tx, &before).await?;
    let next = apply(
        &state,
        &Command::RecordImmediate { by, on, evidence },
        today(),
    )
    .map_err(|e| refused(e, "found_on"))?;
    write_state(
        tx,
        id,
        before.row_version,
        &next,
        vec![("rectification_note", Arg::from(note.to_string()))],
    )
    .await?;
    let text = format!("现场立即整改；证明材料{evidence}份。{note}");
    event(
        tx,
        ctx,
        id,
        "immediate",
        Some(state.status),
        Some(next.status),
        text.trim(),
    )
    .await?;
    let after = record::fetch_unscoped(tx, id).await?;
    crate::audit::record(
        tx,
        ctx,
        crate::audit::Change::new("hazard", id, "immediate")
            .org(Some(after.org_id))
            .before(&before)
            .after(&after),
    )
    .await
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct VerifyInput {
    pub row_version: i64,
    /// 验收日期 as typed; today when empty.
    pub verified_on: String,
    pub note: String,
}

fn date_or_today(errs: &mut FieldErrors, field: &str, label: &str, v: &str) -> NaiveDate {
    if v.trim().is_empty() {
        today()
    } else {
        date_field(errs, field, label, v).unwrap_or_else(today)
    }
}

/// 复查验收 passed by someone other than the rectifier: 待验收 → 已销号.
pub async fn verify(db: &Db, ctx: &Ctx, id: i64, input: &VerifyInput) -> Result<Hazard> {
    let (mut tx, before) =
        begin_step(db, ctx, Permission::HazardVerify, id, input.row_version).await?;
    let by = caller(ctx)?;
    let mut errs = FieldErrors::new();
    let on = date_or_today(&mut errs, "verified_on", "验收日期", &input.verified_on);
    let note = text(&mut errs, "note", "验收意见", &input.note, false, 500);
    errs.into_result()?;
    let state = record::state_of(&mut tx, &before).await?;
    let next = apply(&state, &Command::Verify { by, on }, today())
        .map_err(|e| refused(e, "verified_on"))?;
    write_state(
        &mut tx,
        id,
        input.row_version,
        &next,
        vec![
            ("verification_note", Arg::from(note.clone())),
            ("closed_at", Arg::from(crate::now())),
        ],
    )
    .await?;
    let text = format!("验收日期：{on}。{note}");
    event(
        &mut tx,
        ctx,
        id,
        "verified",
        Some(state.status),
        Some(next.status),
        text.trim(),
    )
    .await?;
    record::commit_change(tx, ctx, id, "verify", &before).await
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct RejectInput {
    pub row_version: i64,
    /// 验收日期 as typed; today when empty.
    pub verified_on: String,
    /// 退回原因 (required).
    pub reason: String,
}

/// 复查验收 failed: back to 整改中 (or 待整改 for a rejected 立即整改) with the reason.
pub async fn reject(db: &Db, ctx: &Ctx, id: i64, input: &RejectInput) -> Result<Hazard> {
    let (mut tx, before) =
        begin_step(db, ctx, Permission::HazardVerify, id, input.row_version).await?;
    let by = caller(ctx)?;
    let mut errs = FieldErrors::new();
    let on = date_or_today(&mut errs, "verified_on", "验收日期", &input.verified_on);
    let reason = text(&mut errs, "reason", "退回原因", &input.reason, false, 500);
    errs.into_result()?;
    let state = record::state_of(&mut tx, &before).await?;
    let next = apply(
        &state,
        &Command::Reject {
            by,
            on,
            reason: reason.clone(),
        },
        today(),
    )
    .map_err(|e| refused(e, "verified_on"))?;
    write_state(
        &mut tx,
        id,
        input.row_version,
        &next,
        vec![("verification_note", Arg::from(reason.clone()))],
    )
    .await?;
    event(
        &mut tx,
        ctx,
        id,
        "rejected",
        Some(state.status),
        Some(next.status),
        &format!("退回原因：{reason}"),
    )
    .await?;
    record::commit_change(tx, ctx, id, "reject", &before).await
}
