//! Inspections (安全检查): who inspected which organisation when, of what kind, against which
//! checklist with a result per item, the photos, and whether illegal or unlicensed operation
//! (非法、违法生产经营行为) was found. A failed item registers a hazard in the same transaction.
//!
//! Items are evidence: once recorded they never change. The header can be corrected (with
//! row_version), and an inspection can be withdrawn (soft delete) only while no hazard came
//! from it.

mod input;
mod write;

pub use input::{
    parse_result, InspectionInput, InspectionUpdate, ItemInput, ValidHeader, ValidInspection,
    ValidItem,
};
pub use write::{create, delete, update};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use anjian_domain::inspection::{InspectionKind, ItemResult};
use anjian_domain::role::Permission;

use crate::attachment::Attachment;
use crate::error::Result;
use crate::inspection_task::TaskChoice;
use crate::query::{Db, Q};
use crate::{Ctx, Page, PageReq};

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Inspection {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub kind: String,
    pub inspected_on: NaiveDate,
    pub inspectors: String,
    pub checklist_id: Option<i64>,
    pub checklist_name: Option<String>,
    pub campaign_id: Option<i64>,
    pub campaign_name: Option<String>,
    pub task_id: Option<i64>,
    pub task_title: Option<String>,
    pub summary: String,
    pub illegal_operation: bool,
    pub illegal_description: String,
    pub recorded_by: Option<i64>,
    pub recorded_by_name: Option<String>,
    /// Path of the recorder's organisation: who may correct the record (see `editable_by`).
    #[serde(skip)]
    pub recorder_path: Option<String>,
    pub row_version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub failed_items: i64,
    pub hazard_count: i64,
}

impl Inspection {
    pub fn kind_label(&self) -> &'static str {
        InspectionKind::from_code(&self.kind).map_or("", InspectionKind::label)
    }

    /// Whether the caller may correct or withdraw this record: they record inspections and the
    /// recorder's organisation lies in their scope. An inspected unit sees the bureau's 督查 of
    /// it but cannot rewrite it.
    pub fn editable_by(&self, ctx: &Ctx) -> bool {
        ctx.can(Permission::InspectionRecord)
            && self
                .recorder_path
                .as_deref()
                .is_none_or(|p| ctx.in_scope(p))
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct InspectionItem {
    pub id: i64,
    pub inspection_id: i64,
    pub position: i64,
    pub checklist_item_id: Option<i64>,
    pub content: String,
    pub category: String,
    pub basis: String,
    pub major_criterion: bool,
    pub result: String,
    pub note: String,
    /// The hazard registered for this item when it failed.
    pub hazard_id: Option<i64>,
    /// The risk point the item checked (issue 4 §5), with its name.
    pub risk_point_id: Option<i64>,
    pub risk_point_name: Option<String>,
}

impl InspectionItem {
    pub fn result_label(&self) -> &'static str {
        ItemResult::from_code(&self.result).map_or("", ItemResult::label)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct InspectionDetail {
    pub inspection: Inspection,
    pub items: Vec<InspectionItem>,
    pub attachments: Vec<Attachment>,
    /// Every live hazard that came from this inspection.
    pub hazard_ids: Vec<i64>,
}

/// Columns of `Inspection`; the FROM clause is `FROM_SCOPED`.
pub(crate) const SELECT: &str = "SELECT i.id, i.org_id, o.name AS org_name, i.kind, i.inspected_on, i.inspectors, \
     i.checklist_id, c.name AS checklist_name, i.campaign_id, cp.name AS campaign_name, i.task_id, \
     t.title AS task_title, i.summary, i.illegal_operation, i.illegal_description, i.recorded_by, \
     u.name AS recorded_by_name, ro.path AS recorder_path, i.row_version, i.created_at, i.updated_at, \
     (SELECT COUNT(*) FROM inspection_item ii WHERE ii.inspection_id = i.id AND ii.result = 'fail') AS failed_items, \
     (SELECT COUNT(*) FROM hazard h WHERE h.inspection_id = i.id AND h.deleted_at IS NULL) AS hazard_count";

/// Live inspections of organisations in the caller's scope (`$n` bound by `scoped`).
fn scoped(ctx: &Ctx, head: &str) -> Q {
    let mut q = Q::new(head);
    q.push(
        " FROM inspection i JOIN org o ON o.id = i.org_id \
         LEFT JOIN checklist c ON c.id = i.checklist_id \
         LEFT JOIN campaign cp ON cp.id = i.campaign_id \
         LEFT JOIN inspection_task t ON t.id = i.task_id \
         LEFT JOIN app_user u ON u.id = i.recorded_by \
         LEFT JOIN org ro ON ro.id = u.org_id \
         WHERE i.deleted_at IS NULL AND o.path LIKE ",
    )
    .push_arg(ctx.scope_like());
    q
}

/// One inspection in scope as a query, for `get` and for the writers' transaction.
pub(crate) fn one(ctx: &Ctx, id: i64) -> Q {
    let mut q = scoped(ctx, SELECT);
    q.push(" AND i.id = ").push_arg(id);
    q
}

/// An inspection with its items, photos and hazards; NotFound when absent, withdrawn or outside
/// the caller's scope.
pub async fn get(db: &Db, ctx: &Ctx, id: i64) -> Result<InspectionDetail> {
    ctx.require(Permission::InspectionView)?;
    let inspection: Inspection = db.fetch_one(&one(ctx, id)).await?;
    let items = db
        .fetch_all(
            &Q::new(
                "SELECT ii.id, ii.inspection_id, ii.position, ii.checklist_item_id, ii.content, ii.category, \
                 ii.basis, ii.major_criterion, ii.result, ii.note, \
                 (SELECT MIN(h.id) FROM hazard h WHERE h.inspection_id = ii.inspection_id \
                  AND h.inspection_item_id = ii.id AND h.deleted_at IS NULL) AS hazard_id, \
                 ii.risk_point_id, p.name AS risk_point_name \
                 FROM inspection_item ii LEFT JOIN risk_point p ON p.id = ii.risk_point_id \
                 WHERE ii.inspection_id = $1 ORDER BY ii.position, ii.id",
            )
            .bind(id),
        )
        .await?;
    let attachments = db
        .fetch_all(
            &Q::new(
                "SELECT a.id, a.org_id, a.sha256, a.size_bytes, a.mime, a.original_name, a.has_thumb, \
                 a.uploaded_by, a.created_at FROM inspection_attachment ia \
                 JOIN attachment a ON a.id = ia.attachment_id \
                 WHERE ia.inspection_id = $1 AND a.deleted_at IS NULL ORDER BY a.id",
            )
            .bind(id),
        )
        .await?;
    let hazards: Vec<(i64,)> = db
        .fetch_all(
            &Q::new(
                "SELECT id FROM hazard WHERE inspection_id = $1 AND deleted_at IS NULL ORDER BY id",
            )
            .bind(id),
        )
        .await?;
    Ok(InspectionDetail {
        inspection,
        items,
        attachments,
        hazard_ids: hazards.into_iter().map(|(h,)| h).collect(),
    })
}

#[derive(Debug, Clone, Default)]
pub struct InspectionFilter {
    /// Only this organisation and those below it.
    pub under: Option<i64>,
    pub kind: Option<InspectionKind>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub campaign_id: Option<i64>,
    pub task_id: Option<i64>,
    /// Matches the organisation's name, the inspectors, the summary and the illegal-operation
    /// description.
    pub keyword: Option<String>,
    /// Only inspections that found illegal or unlicensed operation.
    pub illegal_only: bool,
}

fn filtered(ctx: &Ctx, f: &InspectionFilter, head: &str) -> Q {
    let mut q = scoped(ctx, head);
    if let Some(u) = f.under {
        q.push(" AND o.path LIKE (SELECT path FROM org WHERE id = ")
            .push_arg(u);
        q.push(") || '%'");
    }
    if let Some(k) = f.kind {
        q.push(" AND i.kind = ").push_arg(k.code());
    }
    if let Some(d) = f.from {
        q.push(" AND i.inspected_on >= ").push_arg(d);
    }
    if let Some(d) = f.to {
        q.push(" AND i.inspected_on <= ").push_arg(d);
    }
    if let Some(c) = f.campaign_id {
        q.push(" AND i.campaign_id = ").push_arg(c);
    }
    if let Some(t) = f.task_id {
        q.push(" AND i.task_id = ").push_arg(t);
    }
    if f.illegal_only {
        q.push(" AND i.illegal_operation = ").push_arg(true);
    }
    q.push_keyword(
        f.keyword.as_deref(),
        &[
            "o.name",
            "i.inspectors",
            "i.summary",
            "i.illegal_description",
        ],
    );
    q
}

/// Inspections in scope, the latest first.
pub async fn list(
    db: &Db,
    ctx: &Ctx,
    f: &InspectionFilter,
    page: PageReq,
) -> Result<Page<Inspection>> {
    ctx.require(Permission::InspectionView)?;
    let (total,): (i64,) = db.fetch_one(&filtered(ctx, f, "SELECT COUNT(*)")).await?;
    let mut q = filtered(ctx, f, SELECT);
    q.push(" ORDER BY i.inspected_on DESC, i.id DESC LIMIT ")
        .push_arg(page.page_size);
    q.push(" OFFSET ").push_arg(page.offset());
    Ok(Page {
        items: db.fetch_all(&q).await?,
        total,
        page: page.page,
        page_size: page.page_size,
    })
}

/// The task an inspection form was opened for (`/inspections/new?task_id=`), when the caller can
/// see it and it is not cancelled: its kind, campaign and checklist are the form's defaults.
pub async fn task_defaults(db: &Db, ctx: &Ctx, task_id: i64) -> Result<Option<TaskChoice>> {
    ctx.require(Permission::InspectionView)?;
    let mut q = crate::inspection_task::visible(
        ctx,
        "SELECT t.id, t.title, t.kind, t.campaign_id, t.checklist_id, t.due_date",
    );
    q.push(" AND t.id = ").push_arg(task_id);
    q.push(" AND t.cancelled_at IS NULL");
    db.fetch_optional(&q).await
}
