//! Inspection tasks (检查任务): the bureau assigns a task to units with a due date and follows
//! which units submitted.
//!
//! CONTRACT (used by the inspection module): `check_in_tx` and `open_for_org` keep these names
//! and shapes.
//!
//! Visibility: users whose scope contains the issuing org see the task; users at, below or above
//! an assigned unit see it too (a unit sees the tasks assigned to it).

use serde::Serialize;

use anjian_domain::role::Permission;

mod board;
mod manage;

pub use board::{board, Board, BoardRow, UnitStatus};
pub use manage::{cancel, create, update, TaskInput};

use crate::error::{DbError, Result};
use crate::query::{Db, Tx, Q};
use crate::Ctx;

/// A task as the inspection form offers it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct TaskChoice {
    pub id: i64,
    pub title: String,
    pub kind: String,
    pub campaign_id: Option<i64>,
    pub checklist_id: Option<i64>,
    pub due_date: chrono::NaiveDate,
}

/// `FROM inspection_task t JOIN org o … WHERE <visible>`.
pub(crate) fn visible(ctx: &Ctx, head: &str) -> Q {
    let mut q = Q::new(head);
    visible_into(&mut q, ctx);
    q
}

/// Appends the visibility clause to a statement whose head may already carry arguments.
fn visible_into(q: &mut Q, ctx: &Ctx) {
    q.push(" FROM inspection_task t JOIN org o ON o.id = t.org_id WHERE (o.path LIKE ")
        .push_arg(ctx.scope_like());
    q.push(" OR EXISTS (SELECT 1 FROM inspection_task_org a JOIN org u ON u.id = a.org_id WHERE a.task_id = t.id AND (u.path LIKE ")
        .push_arg(ctx.scope_like());
    q.push(" OR ")
        .push_arg(ctx.scope_path().to_string())
        .push(" LIKE u.path || '%')))");
}

/// `AND <task t is assigned to the unit at or above the org at path>`.
fn push_assigned_to(q: &mut Q, org_path: &str) {
    q.push(" AND EXISTS (SELECT 1 FROM inspection_task_org a JOIN org u ON u.id = a.org_id WHERE a.task_id = t.id AND ")
        .push_arg(org_path.to_string());
    q.push(" LIKE u.path || '%')");
}

/// Open (not cancelled) tasks assigned to `org_id`'s unit that the caller can see, the nearest
/// due date first. NotFound when the org is outside the caller's scope.
pub async fn open_for_org(db: &Db, ctx: &Ctx, org_id: i64) -> Result<Vec<TaskChoice>> {
    ctx.require(Permission::InspectionView)?;
    let (path,): (String,) = db
        .fetch_one(
            &Q::new("SELECT path FROM org WHERE id = $1 AND path LIKE $2")
                .bind(org_id)
                .bind(ctx.scope_like()),
        )
        .await?;
    let mut q = visible(
        ctx,
        "SELECT t.id, t.title, t.kind, t.campaign_id, t.checklist_id, t.due_date",
    );
    push_assigned_to(&mut q, &path);
    q.push(" AND t.cancelled_at IS NULL ORDER BY t.due_date, t.id");
    db.fetch_all(&q).await
}

/// Checks that the task exists, is not cancelled, is visible to the caller and is assigned to the
/// unit of `org_id` (the org itself or its ancestor unit); otherwise a field error on `task_id`.
pub async fn check_in_tx(tx: &mut Tx, ctx: &Ctx, task_id: i64, org_id: i64) -> Result<()> {
    ctx.require(Permission::InspectionView)?;
    let path: Option<(String,)> = tx
        .fetch_optional(
            &Q::new("SELECT path FROM org WHERE id = $1 AND path LIKE $2")
                .bind(org_id)
                .bind(ctx.scope_like()),
        )
        .await?;
    let found = match path {
        Some((path,)) => {
            let mut q = visible(ctx, "SELECT t.id");
            q.push(" AND t.id = ").push_arg(task_id);
            push_assigned_to(&mut q, &path);
            q.push(" AND t.cancelled_at IS NULL");
            tx.fetch_optional::<(i64,)>(&q).await?.is_some()
        }
        None => false,
    };
    if found {
        Ok(())
    } else {
        Err(DbError::invalid(
            "task_id",
            "检查任务不存在、已取消，或未下达给所选单位",
        ))
    }
}

// ---------------------------------------------------------------- pages

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct InspectionTask {
    pub id: i64,
    pub org_id: i64,
    pub title: String,
    pub description: String,
    pub kind: String,
    pub campaign_id: Option<i64>,
    pub checklist_id: Option<i64>,
    pub start_date: chrono::NaiveDate,
    pub due_date: chrono::NaiveDate,
    pub created_by: Option<i64>,
    pub cancelled_at: Option<chrono::DateTime<chrono::Utc>>,
    pub row_version: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

pub(crate) const COLS: &str = "t.id, t.org_id, t.title, t.description, t.kind, t.campaign_id, \
     t.checklist_id, t.start_date, t.due_date, t.created_by, t.cancelled_at, t.row_version, t.created_at, t.updated_at";

/// A task as the pages show it: issuer, campaign and checklist names, and the submission counts
/// over the assigned units the caller can see (for a unit user: their own unit only).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct TaskRow {
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub task: InspectionTask,
    pub owner_name: String,
    #[serde(skip)]
    pub owner_path: String,
    pub campaign_name: Option<String>,
    pub checklist_name: Option<String>,
    pub assigned: i64,
    pub submitted: i64,
}

impl TaskRow {
    /// InspectionPlan and the issuing org inside the caller's scope.
    pub fn can_manage(&self, ctx: &Ctx) -> bool {
        ctx.can(Permission::InspectionPlan) && ctx.in_scope(&self.owner_path)
    }
    pub fn kind_label(&self) -> &'static str {
        anjian_domain::inspection::InspectionKind::from_code(&self.task.kind)
            .map(|k| k.label())
            .unwrap_or("")
    }
    pub fn cancelled(&self) -> bool {
        self.task.cancelled_at.is_some()
    }
    /// Past the due date (Shanghai) with units still missing.
    pub fn overdue(&self, today: chrono::NaiveDate) -> bool {
        !self.cancelled() && today > self.task.due_date && self.submitted < self.assigned
    }
}

/// `a` is an assignment row joined to its unit `u`: visible when the unit is in the caller's
/// scope or the caller sits below it.
const ASSIGNMENT_VISIBLE: &str = "(u.path LIKE $1 OR $2 LIKE u.path || '%')";

pub(crate) fn row_head() -> String {
    let vis = ASSIGNMENT_VISIBLE;
    format!(
        "SELECT {COLS}, o.name AS owner_name, o.path AS owner_path, \
         (SELECT cp.name FROM campaign cp WHERE cp.id = t.campaign_id) AS campaign_name, \
         (SELECT cl.name FROM checklist cl WHERE cl.id = t.checklist_id) AS checklist_name, \
         (SELECT COUNT(*) FROM inspection_task_org a JOIN org u ON u.id = a.org_id WHERE a.task_id = t.id AND {vis}) AS assigned, \
         (SELECT COUNT(*) FROM inspection_task_org a JOIN org u ON u.id = a.org_id WHERE a.task_id = t.id AND {vis} \
          AND EXISTS (SELECT 1 FROM inspection i JOIN org io ON io.id = i.org_id WHERE i.task_id = t.id \
          AND i.deleted_at IS NULL AND io.path LIKE u.path || '%')) AS submitted"
    )
}

/// The row query head with its two scope arguments bound, then `FROM … WHERE <visible>`.
pub(crate) fn rows(ctx: &Ctx) -> Q {
    let mut q = Q::new(&row_head())
        .bind(ctx.scope_like())
        .bind(ctx.scope_path().to_string());
    visible_into(&mut q, ctx);
    q
}

#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    /// `open`, `cancelled`, or anything else for all.
    pub status: String,
    pub keyword: Option<String>,
    pub campaign_id: Option<i64>,
}

fn push_filter(q: &mut Q, f: &TaskFilter) {
    match f.status.as_str() {
        "open" => {
            q.push(" AND t.cancelled_at IS NULL");
        }
        "cancelled" => {
            q.push(" AND t.cancelled_at IS NOT NULL");
        }
        _ => {}
    }
    q.push_keyword(f.keyword.as_deref(), &["t.title", "t.description"]);
    if let Some(c) = f.campaign_id {
        q.push(" AND t.campaign_id = ").push_arg(c);
    }
}

/// Tasks the caller can see, the latest due date first.
pub async fn list(
    db: &Db,
    ctx: &Ctx,
    f: &TaskFilter,
    page: crate::PageReq,
) -> Result<crate::Page<TaskRow>> {
    ctx.require(Permission::InspectionView)?;
    let mut count = visible(ctx, "SELECT COUNT(*)");
    push_filter(&mut count, f);
    let mut q = rows(ctx);
    push_filter(&mut q, f);
    crate::checklist::fields::paged(db, &count, q, "t.due_date DESC, t.id DESC", page).await
}

/// One task the caller can see; NotFound otherwise.
pub async fn get(db: &Db, ctx: &Ctx, id: i64) -> Result<TaskRow> {
    ctx.require(Permission::InspectionView)?;
    let mut q = rows(ctx);
    q.push(" AND t.id = ").push_arg(id);
    db.fetch_one(&q).await
}
