//! The hazard row and its detail (attachments, timeline, extensions, major plan, listing), how
//! they are loaded within the caller's scope, and the state the transition function works on.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use anjian_domain::hazard::{
    is_due_soon, is_overdue, HazardGrade, HazardState, HazardStatus, PendingExtension,
    MAJOR_PLAN_PARTS,
};
use anjian_domain::money::Fen;

use crate::audit::{self, Change};
use crate::error::{DbError, Result};
use crate::query::{Db, Tx, Q};
use crate::Ctx;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Hazard {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub org_path: String,
    pub location: String,
    pub description: String,
    pub category: String,
    pub grade: String,
    pub major_criterion: String,
    pub found_on: NaiveDate,
    pub found_by: String,
    pub reported_by: Option<i64>,
    pub inspection_id: Option<i64>,
    pub inspection_item_id: Option<i64>,
    pub campaign_id: Option<i64>,
    /// 关联风险点 (the point's organisation is the hazard's or below it).
    pub risk_point_id: Option<i64>,
    pub status: String,
    pub immediate: bool,
    pub deadline: NaiveDate,
    pub original_deadline: NaiveDate,
    pub owner: String,
    pub measures: String,
    pub funds_fen: Option<i64>,
    pub rectified_on: Option<NaiveDate>,
    pub rectified_by: Option<i64>,
    pub rectification_note: String,
    pub verified_on: Option<NaiveDate>,
    pub verified_by: Option<i64>,
    pub verification_note: String,
    pub closed_at: Option<DateTime<Utc>>,
    pub overdue_marked_on: Option<NaiveDate>,
    pub row_version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Hazard {
    pub fn status(&self) -> HazardStatus {
        // CHECK constraint: only the four codes can be stored.
        HazardStatus::from_code(&self.status).unwrap_or(HazardStatus::Pending)
    }
    pub fn grade(&self) -> HazardGrade {
        HazardGrade::from_code(&self.grade).unwrap_or(HazardGrade::General)
    }
    pub fn status_label(&self) -> &'static str {
        self.status().label()
    }
    pub fn grade_label(&self) -> &'static str {
        self.grade().label()
    }
    pub fn is_major(&self) -> bool {
        self.grade() == HazardGrade::Major
    }
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        is_overdue(self.status(), Some(self.deadline), today)
    }
    pub fn is_due_soon(&self, today: NaiveDate) -> bool {
        is_due_soon(self.status(), Some(self.deadline), today)
    }
    pub fn extended(&self) -> bool {
        self.deadline != self.original_deadline
    }
    /// Funds in 元 with two decimals, empty before 五落实.
    pub fn funds_yuan(&self) -> String {
        self.funds_fen
            .map(|f| Fen(f).to_yuan_2dp())
            .unwrap_or_default()
    }
}

pub(crate) const COLS: &str =
    "h.id, h.org_id, o.name AS org_name, o.path AS org_path, h.location, \
     h.description, h.category, h.grade, h.major_criterion, h.found_on, h.found_by, h.reported_by, \
     h.inspection_id, h.inspection_item_id, h.campaign_id, h.risk_point_id, h.status, h.immediate, h.deadline, \
     h.original_deadline, h.owner, h.measures, h.funds_fen, h.rectified_on, h.rectified_by, \
     h.rectification_note, h.verified_on, h.verified_by, h.verification_note, h.closed_at, \
     h.overdue_marked_on, h.row_version, h.created_at, h.updated_at";

fn by_id(scoped: Option<&Ctx>, id: i64) -> Q {
    let mut q = Q::new(&format!(
        "SELECT {COLS} FROM hazard h JOIN org o ON o.id = h.org_id WHERE h.id = $1 AND h.deleted_at IS NULL"
    ))
    .bind(id);
    if let Some(ctx) = scoped {
        q.push(" AND o.path LIKE ").push_arg(ctx.scope_like());
    }
    q
}

pub(crate) async fn fetch(db: &Db, ctx: &Ctx, id: i64) -> Result<Hazard> {
    db.fetch_one(&by_id(Some(ctx), id)).await
}

/// The row within the caller's scope, inside a write transaction.
pub(crate) async fn fetch_in_tx(tx: &mut Tx, ctx: &Ctx, id: i64) -> Result<Hazard> {
    tx.fetch_one(&by_id(Some(ctx), id)).await
}

/// The row without a scope check: only after the caller's scope was checked (or for the system).
pub(crate) async fn fetch_unscoped(tx: &mut Tx, id: i64) -> Result<Hazard> {
    tx.fetch_one(&by_id(None, id)).await
}

pub(crate) fn stale() -> DbError {
    DbError::Conflict("记录已被他人修改，请刷新后重试".into())
}

/// Loads the facts `apply` needs: the row, the pending extension and whether the major plan has
/// all six parts.
pub(crate) async fn state_of(tx: &mut Tx, h: &Hazard) -> Result<HazardState> {
    let pending: Option<(i64, NaiveDate)> = tx
        .fetch_optional(
            &Q::new(
                "SELECT requested_by, requested_deadline FROM hazard_extension \
                 WHERE hazard_id = $1 AND status = 'pending'",
            )
            .bind(h.id),
        )
        .await?;
    let plan: Option<MajorPlan> = tx
        .fetch_optional(&Q::new(&format!("{MAJOR_SELECT} WHERE m.hazard_id = $1")).bind(h.id))
        .await?;
    Ok(HazardState {
        status: h.status(),
        grade: h.grade(),
        found_on: h.found_on,
        deadline: h.deadline,
        original_deadline: h.original_deadline,
        has_rectification_plan: !h.owner.trim().is_empty() && !h.measures.trim().is_empty(),
        major_plan_complete: plan.as_ref().is_some_and(MajorPlan::complete),
        immediate: h.immediate,
        rectified_on: h.rectified_on,
        rectified_by: h.rectified_by,
        verified_on: h.verified_on,
        verified_by: h.verified_by,
        pending_extension: pending.map(|(by, d)| PendingExtension {
            requested_by: by,
            new_deadline: d,
        }),
    })
}

/// The end of every change: reload the row, audit before and after in the same transaction,
/// commit.
pub(crate) async fn commit_change(
    mut tx: Tx,
    ctx: &Ctx,
    id: i64,
    action: &str,
    before: &Hazard,
) -> Result<Hazard> {
    let after = fetch_unscoped(&mut tx, id).await?;
    audit::record(
        &mut tx,
        ctx,
        Change::new("hazard", id, action)
            .org(Some(after.org_id))
            .before(before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct HazardAttachment {
    pub attachment_id: i64,
    pub kind: String,
    pub round: i64,
    pub original_name: String,
    pub mime: String,
    pub has_thumb: bool,
}

impl HazardAttachment {
    pub fn is_image(&self) -> bool {
        self.mime.starts_with("image/")
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct HazardEvent {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_user_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub note: String,
}

impl HazardEvent {
    /// The timeline's wording of each action.
    pub fn label(&self) -> &'static str {
        match self.action.as_str() {
            "registered" => "登记隐患",
            "edited" => "修改登记信息",
            "assigned" => "落实整改（五落实）",
            "submitted" => "提交验收",
            "immediate" => "立即整改",
            "verified" => "验收通过，销号",
            "rejected" => "验收不通过，退回整改",
            "extension_requested" => "申请延期",
            "extension_approved" => "批准延期",
            "extension_rejected" => "驳回延期申请",
            "plan_saved" => "保存治理方案",
            "reported" => "上报重大隐患",
            "listed" => "挂牌督办",
            "lifted" => "解除挂牌督办",
            "overdue" => "逾期未整改",
            _ => "其他",
        }
    }
    pub fn to_label(&self) -> &'static str {
        self.to_status
            .as_deref()
            .and_then(HazardStatus::from_code)
            .map(HazardStatus::label)
            .unwrap_or("")
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Extension {
    pub id: i64,
    pub hazard_id: i64,
    pub requested_by: i64,
    pub requested_by_name: String,
    pub requested_at: DateTime<Utc>,
    pub current_deadline: NaiveDate,
    pub requested_deadline: NaiveDate,
    pub reason: String,
    pub status: String,
    pub decided_by: Option<i64>,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_note: String,
}

impl Extension {
    pub fn status_label(&self) -> &'static str {
        match self.status.as_str() {
            "pending" => "待审批",
            "approved" => "已批准",
            _ => "已驳回",
        }
    }
}

pub(crate) const EXTENSION_SELECT: &str = "SELECT e.id, e.hazard_id, e.requested_by, \
     ru.name AS requested_by_name, e.requested_at, e.current_deadline, e.requested_deadline, e.reason, \
     e.status, e.decided_by, du.name AS decided_by_name, e.decided_at, e.decision_note \
     FROM hazard_extension e JOIN app_user ru ON ru.id = e.requested_by \
     LEFT JOIN app_user du ON du.id = e.decided_by";

#[derive(Debug, Clone, Default, Serialize, sqlx::FromRow)]
pub struct MajorPlan {
    pub hazard_id: i64,
    pub objectives: String,
    pub methods: String,
    pub funds_materials: String,
    pub organisation: String,
    pub time_limits: String,
    pub safety_emergency: String,
    pub current_state: String,
    pub harm_analysis: String,
    pub reported_at: Option<DateTime<Utc>>,
    pub reported_by: Option<i64>,
    pub reported_by_name: Option<String>,
}

impl MajorPlan {
    /// The six parts in the order of `MAJOR_PLAN_PARTS`.
    pub fn parts(&self) -> [&str; 6] {
        [
            &self.objectives,
            &self.methods,
            &self.funds_materials,
            &self.organisation,
            &self.time_limits,
            &self.safety_emergency,
        ]
    }
    /// (field, label, text) for each of the six parts.
    pub fn labelled_parts(&self) -> Vec<(&'static str, &'static str, String)> {
        MAJOR_PLAN_PARTS
            .iter()
            .zip(self.parts())
            .map(|((f, l), v)| (*f, *l, v.to_string()))
            .collect()
    }
    pub fn complete(&self) -> bool {
        self.parts().iter().all(|p| !p.trim().is_empty())
    }
    pub fn reported(&self) -> bool {
        self.reported_at.is_some()
    }
}

pub(crate) const MAJOR_SELECT: &str = "SELECT m.hazard_id, m.objectives, m.methods, m.funds_materials, \
     m.organisation, m.time_limits, m.safety_emergency, m.current_state, m.harm_analysis, m.reported_at, \
     m.reported_by, u.name AS reported_by_name FROM hazard_major m LEFT JOIN app_user u ON u.id = m.reported_by";

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Listing {
    pub id: i64,
    pub hazard_id: i64,
    pub authority: String,
    pub listed_on: NaiveDate,
    pub deadline: NaiveDate,
    pub listed_by: Option<i64>,
    pub lifted_on: Option<NaiveDate>,
    pub lifted_by: Option<i64>,
    pub lift_note: String,
    pub row_version: i64,
}

impl Listing {
    pub fn lifted(&self) -> bool {
        self.lifted_on.is_some()
    }
}

pub(crate) const LISTING_SELECT: &str =
    "SELECT id, hazard_id, authority, listed_on, deadline, listed_by, \
     lifted_on, lifted_by, lift_note, row_version FROM hazard_listing";

/// Everything the hazard page shows.
#[derive(Debug, Clone, Serialize)]
pub struct HazardDetail {
    pub hazard: Hazard,
    pub campaign_name: Option<String>,
    /// Name of the referenced risk point.
    pub risk_point_name: Option<String>,
    pub reported_by_name: Option<String>,
    pub rectified_by_name: Option<String>,
    pub verified_by_name: Option<String>,
    pub attachments: Vec<HazardAttachment>,
    pub events: Vec<HazardEvent>,
    pub extensions: Vec<Extension>,
    pub major: Option<MajorPlan>,
    pub listing: Option<Listing>,
}

impl HazardDetail {
    pub fn attachments_of(&self, kind: &str) -> Vec<&HazardAttachment> {
        self.attachments.iter().filter(|a| a.kind == kind).collect()
    }
    pub fn pending_extension(&self) -> Option<&Extension> {
        self.extensions.iter().find(|e| e.status == "pending")
    }
    pub fn major_plan_complete(&self) -> bool {
        self.major.as_ref().is_some_and(MajorPlan::complete)
    }
}

async fn user_name(db: &Db, id: Option<i64>) -> Result<Option<String>> {
    match id {
        None => Ok(None),
        Some(id) => {
            let r: Option<(String,)> = db
                .fetch_optional(&Q::new("SELECT name FROM app_user WHERE id = $1").bind(id))
                .await?;
            Ok(r.map(|(n,)| n))
        }
    }
}

pub(crate) async fn detail(db: &Db, ctx: &Ctx, id: i64) -> Result<HazardDetail> {
    let hazard = fetch(db, ctx, id).await?;
    let attachments = db
        .fetch_all(
            &Q::new(
                "SELECT ha.attachment_id, ha.kind, ha.round, a.original_name, a.mime, a.has_thumb \
                 FROM hazard_attachment ha JOIN attachment a ON a.id = ha.attachment_id \
                 WHERE ha.hazard_id = $1 AND a.deleted_at IS NULL ORDER BY ha.round, ha.attachment_id",
            )
            .bind(id),
        )
        .await?;
    let events = db
        .fetch_all(
            &Q::new(
                "SELECT id, at, actor_user_id, actor_name, action, from_status, to_status, note \
                 FROM hazard_event WHERE hazard_id = $1 ORDER BY at, id",
            )
            .bind(id),
        )
        .await?;
    let extensions = db
        .fetch_all(
            &Q::new(&format!(
                "{EXTENSION_SELECT} WHERE e.hazard_id = $1 ORDER BY e.id"
            ))
            .bind(id),
        )
        .await?;
    let major = db
        .fetch_optional(&Q::new(&format!("{MAJOR_SELECT} WHERE m.hazard_id = $1")).bind(id))
        .await?;
    let listing = db
        .fetch_optional(&Q::new(&format!("{LISTING_SELECT} WHERE hazard_id = $1")).bind(id))
        .await?;
    let campaign_name = match hazard.campaign_id {
        Some(c) => db
            .fetch_optional::<(String,)>(&Q::new("SELECT name FROM campaign WHERE id = $1").bind(c))
            .await?
            .map(|(n,)| n),
        None => None,
    };
    // Looked up here rather than joined into every hazard SELECT: the ledger's queries are tuned
    // for province scale and only this page shows the name.
    let risk_point_name = match hazard.risk_point_id {
        Some(p) => db
            .fetch_optional::<(String,)>(
                &Q::new("SELECT name FROM risk_point WHERE id = $1").bind(p),
            )
            .await?
            .map(|(n,)| n),
        None => None,
    };
    Ok(HazardDetail {
        campaign_name,
        risk_point_name,
        reported_by_name: user_name(db, hazard.reported_by).await?,
        rectified_by_name: user_name(db, hazard.rectified_by).await?,
        verified_by_name: user_name(db, hazard.verified_by).await?,
        hazard,
        attachments,
        events,
        extensions,
        major,
        listing,
    })
}
