//! Hazards (事故隐患): registration, the closed loop of rectification and verification, deadline
//! extensions, major-hazard treatment plans and supervised listings, the ledger and its to-do
//! items. Every transition goes through `anjian_domain::hazard::apply`.
//!
//! CONTRACT (used by the inspection module, which registers hazards for failed checklist items in
//! its own transaction): `HazardInput`, `HazardInput::parse`, `NewHazard`, `HazardSource` and
//! `insert_in_tx` keep these names and shapes.

mod extension;
mod import;
mod ledger;
mod major;
mod notice;
mod org_filter;
mod overdue;
mod paging;
mod record;
pub(crate) mod risk_point;
mod workflow;

pub use extension::{decide_extension, request_extension, DecisionInput, ExtensionInput};
pub use import::{col, import_rows, ImportRow, LedgerNames, RowError, MAX_ROWS};
pub(crate) use ledger::fts_phrase;
pub use ledger::{
    all, list, search, todo, HazardFilter, LedgerPage, Todo, TodoKind, COUNT_CAP,
    KEYWORD_COUNT_CAP, KEYWORD_INDEXED_CHARS, SHORT_KEYWORD_WINDOW,
};
pub use major::{
    lift_listing, list_for_supervision, list_hazard, report_upward, save_plan, LiftInput,
    ListingInput, PlanInput, ReportInput, SupervisionItem,
};
pub use notice::{notice, Notice, NoticeItem};
pub use org_filter::{
    org_children, org_choice, org_suggestions, resolve_org, OrgChoice, SUGGESTION_LIMIT,
};
pub use overdue::{mark_overdue, MarkReport};
pub use paging::{ledger_page, LedgerCursor};
pub use record::{
    Extension, Hazard, HazardAttachment, HazardDetail, HazardEvent, Listing, MajorPlan,
};
pub use workflow::{
    assign, record_immediate_in_tx, reject, submit_rectification, verify, AssignInput, RejectInput,
    SubmitInput, VerifyInput,
};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use anjian_domain::dates::parse_date;
use anjian_domain::hazard::{HazardGrade, HazardStatus};
use anjian_domain::role::Permission;

use crate::audit::{self, Change};
use crate::error::{DbError, FieldErrors, Result};
use crate::query::{Db, Tx, Q};
use crate::Ctx;

/// What a form, the API or an import row sends to register a hazard. Strings as typed; `parse`
/// turns them into a `NewHazard` or per-field Chinese errors.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct HazardInput {
    pub org_id: Option<i64>,
    pub location: String,
    pub description: String,
    pub category: String,
    /// `general` / `major` (or 一般 / 重大).
    pub grade: String,
    /// Required for major hazards: the criterion (判定标准条款) it meets.
    pub major_criterion: String,
    /// Date as typed (see `anjian_domain::dates::parse_date`).
    pub found_on: String,
    pub found_by: String,
    /// 整改期限, as typed. Required unless `immediate`.
    pub deadline: String,
    pub campaign_id: Option<i64>,
    /// 关联风险点: the risk point it was found at, of the hazard's organisation or below it.
    pub risk_point_id: Option<i64>,
    /// Attachments uploaded before the hazard was first saved (before-photos).
    pub before_attachment_ids: Vec<i64>,
    /// 立即整改: fixed on the spot; `create` records the rectification (dated the found date, by
    /// the caller) with `after_attachment_ids` as its evidence, in the same transaction.
    #[serde(default)]
    pub immediate: bool,
    #[serde(default)]
    pub after_attachment_ids: Vec<i64>,
    #[serde(default)]
    pub rectification_note: String,
}

/// A validated hazard ready to insert.
#[derive(Debug, Clone)]
pub struct NewHazard {
    pub org_id: i64,
    pub location: String,
    pub description: String,
    pub category: String,
    pub grade: anjian_domain::hazard::HazardGrade,
    pub major_criterion: String,
    pub found_on: chrono::NaiveDate,
    pub found_by: String,
    pub deadline: chrono::NaiveDate,
    pub campaign_id: Option<i64>,
    pub risk_point_id: Option<i64>,
    pub before_attachment_ids: Vec<i64>,
}

/// Trims and checks a free-text field; an error names the field.
pub(crate) fn text(
    errs: &mut FieldErrors,
    field: &str,
    label: &str,
    v: &str,
    required: bool,
    max: usize,
) -> String {
    let v = v.trim();
    if required && v.is_empty() {
        errs.add(field, format!("{label}不能为空"));
    } else if v.chars().count() > max {
        errs.add(field, format!("{label}不能超过{max}个字"));
    }
    v.to_string()
}

/// A date field as typed: required, parsed, with the label in the message.
pub(crate) fn date_field(
    errs: &mut FieldErrors,
    field: &str,
    label: &str,
    v: &str,
) -> Option<NaiveDate> {
    match parse_date(v) {
        Ok(d) => Some(d),
        Err(e) => {
            errs.add(field, format!("{label}：{e}"));
            None
        }
    }
}

/// Today in Asia/Shanghai: the day every deadline and "not in the future" is reckoned against.
pub fn today() -> NaiveDate {
    anjian_domain::time::today(crate::now())
}

impl HazardInput {
    /// Per-field validation with Chinese messages. An immediate registration needs no deadline:
    /// it is the found date (see `HazardState::deadline`).
    pub fn parse(&self) -> Result<NewHazard> {
        let mut errs = FieldErrors::new();
        if self.org_id.is_none() {
            errs.add("org_id", "请选择隐患所在单位或库点");
        }
        let location = text(
            &mut errs,
            "location",
            "隐患部位",
            &self.location,
            false,
            100,
        );
        let description = text(
            &mut errs,
            "description",
            "隐患描述",
            &self.description,
            true,
            500,
        );
        let category = text(&mut errs, "category", "隐患类别", &self.category, false, 50);
        let grade = HazardGrade::parse(&self.grade);
        if grade.is_none() {
            errs.add("grade", "请选择隐患等级：一般隐患或重大隐患");
        }
        let major_criterion = text(
            &mut errs,
            "major_criterion",
            "重大隐患判定依据",
            &self.major_criterion,
            grade == Some(HazardGrade::Major),
            200,
        );
        let found_by = text(&mut errs, "found_by", "发现人", &self.found_by, false, 50);
        let found_on = date_field(&mut errs, "found_on", "发现日期", &self.found_on);
        if found_on.is_some_and(|d| d > today()) {
            errs.add("found_on", "发现日期不能晚于今天");
        }
        let deadline = if self.immediate && self.deadline.trim().is_empty() {
            found_on
        } else {
            let d = date_field(&mut errs, "deadline", "整改期限", &self.deadline);
            if let (Some(d), Some(f)) = (d, found_on) {
                if d < f {
                    errs.add("deadline", "整改期限不能早于发现日期");
                }
            }
            d
        };
        if self.immediate {
            if grade == Some(HazardGrade::Major) {
                errs.add("grade", "重大事故隐患不能立即整改销号，须按治理方案整改");
            }
            if self.after_attachment_ids.is_empty() {
                errs.add(
                    "after_attachment_ids",
                    "立即整改须上传整改后的照片或证明材料",
                );
            }
        }
        text(
            &mut errs,
            "rectification_note",
            "整改说明",
            &self.rectification_note,
            false,
            500,
        );
        errs.into_result()?;
        match (self.org_id, grade, found_on, deadline) {
            (Some(org_id), Some(grade), Some(found_on), Some(deadline)) => Ok(NewHazard {
                org_id,
                location,
                description,
                category,
                grade,
                major_criterion: if grade == HazardGrade::Major {
                    major_criterion
                } else {
                    String::new()
                },
                found_on,
                found_by,
                deadline,
                campaign_id: self.campaign_id,
                risk_point_id: self.risk_point_id,
                before_attachment_ids: dedup(&self.before_attachment_ids),
            }),
            // Every None above added a field error, so this is unreachable; stay total anyway.
            _ => Err(DbError::invalid("description", "提交的数据有误")),
        }
    }
}

/// Ids in first-seen order without repeats (a form may post the same photo twice).
pub(crate) fn dedup(ids: &[i64]) -> Vec<i64> {
    let mut out: Vec<i64> = Vec::with_capacity(ids.len());
    for id in ids {
        if !out.contains(id) {
            out.push(*id);
        }
    }
    out
}

/// Where a hazard came from: an inspection and the failed item, or neither (registered directly).
#[derive(Debug, Clone, Copy, Default)]
pub struct HazardSource {
    pub inspection_id: Option<i64>,
    pub inspection_item_id: Option<i64>,
}

/// The org a hazard may be registered on: in scope, active, a unit or a site (never the bureau).
async fn org_for_hazard(tx: &mut Tx, ctx: &Ctx, org_id: i64) -> Result<()> {
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
            Err(DbError::invalid("org_id", "隐患须登记在单位或库点上"))
        }
        Some(_) => Ok(()),
    }
}

/// Links attachments to a hazard after checking each exists, is in the caller's scope and is not
/// yet linked to any hazard (a photo proves one thing). Errors name `field`.
pub(crate) async fn link_attachments(
    tx: &mut Tx,
    ctx: &Ctx,
    hazard_id: i64,
    ids: &[i64],
    kind: &str,
    round: i64,
    field: &str,
) -> Result<u32> {
    let now = crate::now();
    let mut n = 0u32;
    for id in dedup(ids) {
        let found: Option<(i64,)> = tx
            .fetch_optional(
                &Q::new(
                    "SELECT a.id FROM attachment a JOIN org o ON o.id = a.org_id \
                     WHERE a.id = $1 AND a.deleted_at IS NULL AND o.path LIKE $2",
                )
                .bind(id)
                .bind(ctx.scope_like()),
            )
            .await?;
        if found.is_none() {
            return Err(DbError::invalid(field, format!("附件{id}不存在")));
        }
        let linked: Option<(i64,)> = tx
            .fetch_optional(
                &Q::new("SELECT hazard_id FROM hazard_attachment WHERE attachment_id = $1")
                    .bind(id),
            )
            .await?;
        match linked {
            // Re-sent by an edit form: already proves this hazard, nothing to do.
            Some((h,)) if h == hazard_id => continue,
            Some(_) => {
                return Err(DbError::invalid(
                    field,
                    format!("附件{id}已用于其他隐患记录"),
                ))
            }
            None => {}
        }
        tx.execute(
            &Q::new(
                "INSERT INTO hazard_attachment (hazard_id, attachment_id, kind, round, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(hazard_id)
            .bind(id)
            .bind(kind)
            .bind(round)
            .bind(now),
        )
        .await?;
        n += 1;
    }
    Ok(n)
}

/// Appends one timeline entry.
pub(crate) async fn event(
    tx: &mut Tx,
    ctx: &Ctx,
    hazard_id: i64,
    action: &str,
    from: Option<HazardStatus>,
    to: Option<HazardStatus>,
    note: &str,
) -> Result<()> {
    let actor_name = match ctx.user_ctx() {
        Some(u) if !u.name.trim().is_empty() => u.name.clone(),
        _ => ctx.username(),
    };
    tx.execute(
        &Q::new(
            "INSERT INTO hazard_event (hazard_id, at, actor_user_id, actor_name, action, from_status, \
             to_status, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(hazard_id)
        .bind(crate::now())
        .bind(ctx.user_id())
        .bind(actor_name)
        .bind(action)
        .bind(from.map(|s| s.code()))
        .bind(to.map(|s| s.code()))
        .bind(note),
    )
    .await?;
    Ok(())
}

/// Inserts a hazard inside the caller's transaction: checks permission (HazardReport) and that
/// the organisation, campaign, risk point and attachments are in scope, writes the row (status
/// 待整改), the first timeline event and the audit entry. Returns the new id.
pub async fn insert_in_tx(tx: &mut Tx, ctx: &Ctx, h: &NewHazard, src: HazardSource) -> Result<i64> {
    ctx.require(Permission::HazardReport)?;
    org_for_hazard(tx, ctx, h.org_id).await?;
    if let Some(c) = h.campaign_id {
        crate::campaign::check_in_tx(tx, ctx, c, h.org_id).await?;
    }
    if let Some(p) = h.risk_point_id {
        risk_point::check(tx, ctx, h.org_id, p, None).await?;
    }
    let now = crate::now();
    let (id,): (i64,) = tx
        .fetch_one(
            &Q::new(
                "INSERT INTO hazard (org_id, location, description, category, grade, major_criterion, found_on, \
                 found_by, reported_by, inspection_id, inspection_item_id, campaign_id, status, immediate, \
                 deadline, original_deadline, row_version, created_at, updated_at, risk_point_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, 1, $16, $16, $17) \
                 RETURNING id",
            )
            .bind(h.org_id)
            .bind(h.location.as_str())
            .bind(h.description.as_str())
            .bind(h.category.as_str())
            .bind(h.grade.code())
            .bind(h.major_criterion.as_str())
            .bind(h.found_on)
            .bind(h.found_by.as_str())
            .bind(ctx.user_id())
            .bind(src.inspection_id)
            .bind(src.inspection_item_id)
            .bind(h.campaign_id)
            .bind(HazardStatus::Pending.code())
            .bind(false)
            .bind(h.deadline)
            .bind(now)
            .bind(h.risk_point_id),
        )
        .await?;
    link_attachments(
        tx,
        ctx,
        id,
        &h.before_attachment_ids,
        "before",
        0,
        "before_attachment_ids",
    )
    .await?;
    event(
        tx,
        ctx,
        id,
        "registered",
        None,
        Some(HazardStatus::Pending),
        "",
    )
    .await?;
    let row = record::fetch_unscoped(tx, id).await?;
    audit::record(
        tx,
        ctx,
        Change::new("hazard", id, "create")
            .org(Some(h.org_id))
            .after(&row),
    )
    .await?;
    Ok(id)
}

/// Registers a hazard; with `immediate`, also records its on-the-spot rectification (立即整改) by
/// the caller, so it arrives at 待验收 with its evidence in one transaction.
pub async fn create(db: &Db, ctx: &Ctx, input: &HazardInput) -> Result<Hazard> {
    ctx.require(Permission::HazardReport)?;
    let h = input.parse()?;
    let mut tx = db.begin().await?;
    let id = insert_in_tx(&mut tx, ctx, &h, HazardSource::default()).await?;
    if input.immediate {
        record_immediate_in_tx(
            &mut tx,
            ctx,
            id,
            &input.after_attachment_ids,
            h.found_on,
            input.rectification_note.trim(),
        )
        .await?;
    }
    let out = record::fetch_unscoped(&mut tx, id).await?;
    tx.commit().await?;
    Ok(out)
}

/// One hazard with everything its page shows. NotFound when absent or out of scope.
pub async fn get(db: &Db, ctx: &Ctx, id: i64) -> Result<HazardDetail> {
    ctx.require(Permission::HazardView)?;
    record::detail(db, ctx, id).await
}

/// Just the row (no timeline): for handlers that only need the status and version.
pub async fn get_row(db: &Db, ctx: &Ctx, id: i64) -> Result<Hazard> {
    ctx.require(Permission::HazardView)?;
    record::fetch(db, ctx, id).await
}

/// Edits the registration fields while the hazard is still 待整改. Before-photos may be added;
/// the risk point may change, by the registration's checks against the (possibly new)
/// organisation, except that the point already referenced may be kept once stopped.
/// The deadline edited here is the registered one, so the original deadline moves with it (no
/// extension has been granted yet: extensions need 整改中 or 待整改 with a decision, and a
/// decided extension leaves a trace in `hazard_extension`, which blocks editing the deadline).
pub async fn update(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    row_version: i64,
    input: &HazardInput,
) -> Result<Hazard> {
    ctx.require(Permission::HazardReport)?;
    let mut tx = db.begin().await?;
    let before = record::fetch_in_tx(&mut tx, ctx, id).await?;
    let h = input.parse()?;
    if before.status() != HazardStatus::Pending {
        return Err(DbError::invalid(
            "status",
            format!(
                "当前状态为“{}”，只有待整改的隐患可以修改登记信息",
                before.status().label()
            ),
        ));
    }
    if before.row_version != row_version {
        return Err(record::stale());
    }
    org_for_hazard(&mut tx, ctx, h.org_id).await?;
    if let Some(c) = h.campaign_id {
        if before.campaign_id != Some(c) || before.org_id != h.org_id {
            crate::campaign::check_in_tx(&mut tx, ctx, c, h.org_id).await?;
        }
    }
    if let Some(p) = h.risk_point_id {
        risk_point::check(&mut tx, ctx, h.org_id, p, before.risk_point_id).await?;
    }
    let (ext,): (i64,) = tx
        .fetch_one(&Q::new("SELECT COUNT(*) FROM hazard_extension WHERE hazard_id = $1").bind(id))
        .await?;
    let (deadline, original) = if ext > 0 {
        if h.deadline != before.deadline {
            return Err(DbError::invalid(
                "deadline",
                "已有延期申请记录，整改期限只能通过延期申请调整",
            ));
        }
        (before.deadline, before.original_deadline)
    } else {
        (h.deadline, h.deadline)
    };
    let n = tx
        .execute(
            &Q::new(
                "UPDATE hazard SET org_id = $1, location = $2, description = $3, category = $4, grade = $5, \
                 major_criterion = $6, found_on = $7, found_by = $8, deadline = $9, original_deadline = $10, \
                 campaign_id = $11, risk_point_id = $12, row_version = row_version + 1, updated_at = $13 \
                 WHERE id = $14 AND row_version = $15",
            )
            .bind(h.org_id)
            .bind(h.location.as_str())
            .bind(h.description.as_str())
            .bind(h.category.as_str())
            .bind(h.grade.code())
            .bind(h.major_criterion.as_str())
            .bind(h.found_on)
            .bind(h.found_by.as_str())
            .bind(deadline)
            .bind(original)
            .bind(h.campaign_id)
            .bind(h.risk_point_id)
            .bind(crate::now())
            .bind(id)
            .bind(row_version),
        )
        .await?;
    if n == 0 {
        return Err(record::stale());
    }
    link_attachments(
        &mut tx,
        ctx,
        id,
        &h.before_attachment_ids,
        "before",
        0,
        "before_attachment_ids",
    )
    .await?;
    event(&mut tx, ctx, id, "edited", None, None, "").await?;
    record::commit_change(tx, ctx, id, "update", &before).await
}
