//! Deadline extensions (延期申请): the rectifier asks for a later deadline with a reason; a bureau
//! user or the unit head (HazardDecideExtension) other than the requester approves or rejects.
//! The original deadline is never touched; an approval moves the deadline in force.

use serde::{Deserialize, Serialize};

use anjian_domain::hazard::{apply, Command};
use anjian_domain::role::Permission;

use super::record::{self, Hazard};
use super::workflow::{begin_step, refused, write_state};
use super::{date_field, event, text, today};
use crate::error::{DbError, FieldErrors, Result};
use crate::query::{Db, Q};
use crate::Ctx;

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ExtensionInput {
    pub row_version: i64,
    /// 申请延期至 as typed.
    pub new_deadline: String,
    pub reason: String,
}

pub async fn request_extension(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    input: &ExtensionInput,
) -> Result<Hazard> {
    let (mut tx, before) =
        begin_step(db, ctx, Permission::HazardRectify, id, input.row_version).await?;
    let by = ctx.user_id().ok_or(DbError::Forbidden)?;
    let mut errs = FieldErrors::new();
    let new_deadline = date_field(&mut errs, "new_deadline", "延期至", &input.new_deadline);
    let reason = text(&mut errs, "reason", "延期原因", &input.reason, false, 500);
    errs.into_result()?;
    let new_deadline = new_deadline.unwrap_or_else(today);
    let state = record::state_of(&mut tx, &before).await?;
    let next = apply(
        &state,
        &Command::RequestExtension {
            by,
            new_deadline,
            reason: reason.clone(),
        },
        today(),
    )
    .map_err(|e| refused(e, "new_deadline"))?;
    tx.execute(
        &Q::new(
            "INSERT INTO hazard_extension (hazard_id, requested_by, requested_at, current_deadline, \
             requested_deadline, reason, status) VALUES ($1, $2, $3, $4, $5, $6, 'pending')",
        )
        .bind(id)
        .bind(by)
        .bind(crate::now())
        .bind(before.deadline)
        .bind(new_deadline)
        .bind(reason.as_str()),
    )
    .await?;
    write_state(&mut tx, id, input.row_version, &next, vec![]).await?;
    event(
        &mut tx,
        ctx,
        id,
        "extension_requested",
        None,
        None,
        &format!(
            "原期限：{}；申请延期至：{new_deadline}；原因：{reason}",
            before.deadline
        ),
    )
    .await?;
    record::commit_change(tx, ctx, id, "request_extension", &before).await
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct DecisionInput {
    pub row_version: i64,
    /// `approve` or `reject` (or true/false through `approved`).
    pub decision: String,
    pub note: String,
}

impl DecisionInput {
    fn approve(&self) -> Option<bool> {
        match self.decision.trim() {
            "approve" | "approved" | "批准" | "true" => Some(true),
            "reject" | "rejected" | "驳回" | "false" => Some(false),
            _ => None,
        }
    }
}

/// Approves (the deadline in force moves; the original stays) or rejects the pending request.
pub async fn decide_extension(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    input: &DecisionInput,
) -> Result<Hazard> {
    let (mut tx, before) = begin_step(
        db,
        ctx,
        Permission::HazardDecideExtension,
        id,
        input.row_version,
    )
    .await?;
    let by = ctx.user_id().ok_or(DbError::Forbidden)?;
    let mut errs = FieldErrors::new();
    let approve = input.approve();
    if approve.is_none() {
        errs.add("decision", "请选择批准或驳回");
    }
    let note = text(&mut errs, "note", "审批意见", &input.note, false, 500);
    errs.into_result()?;
    let approve = approve.unwrap_or(false);
    let state = record::state_of(&mut tx, &before).await?;
    let next = apply(&state, &Command::DecideExtension { by, approve }, today())
        .map_err(|e| refused(e, "date"))?;
    let n = tx
        .execute(
            &Q::new(
                "UPDATE hazard_extension SET status = $1, decided_by = $2, decided_at = $3, decision_note = $4 \
                 WHERE hazard_id = $5 AND status = 'pending'",
            )
            .bind(if approve { "approved" } else { "rejected" })
            .bind(by)
            .bind(crate::now())
            .bind(note.as_str())
            .bind(id),
        )
        .await?;
    if n != 1 {
        return Err(record::stale());
    }
    write_state(&mut tx, id, input.row_version, &next, vec![]).await?;
    let (action, text) = if approve {
        (
            "extension_approved",
            format!("整改期限由{}延至{}。{note}", before.deadline, next.deadline),
        )
    } else {
        (
            "extension_rejected",
            format!("整改期限仍为{}。{note}", before.deadline),
        )
    };
    event(&mut tx, ctx, id, action, None, None, text.trim()).await?;
    record::commit_change(tx, ctx, id, "decide_extension", &before).await
}
