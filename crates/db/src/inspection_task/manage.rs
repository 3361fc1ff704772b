//! Issuing, editing and cancelling inspection tasks. The task belongs to the caller's
//! organisation; "全部单位" resolves to the active units in scope when the task is saved.

use serde::{Deserialize, Serialize};

use anjian_domain::inspection::InspectionKind;
use anjian_domain::role::Permission;

use super::{rows, InspectionTask, TaskRow, COLS};
use crate::audit::{self, Change};
use crate::checklist::fields::{date_field, replace_units, units_in_scope};
use crate::checklist::{stale, text_field};
use crate::error::{DbError, FieldErrors, Result};
use crate::query::{Db, Tx, Q};
use crate::Ctx;

/// What a form or API request sends for a task. Dates as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct TaskInput {
    pub title: String,
    pub description: String,
    /// InspectionKind code or label; empty means 自查 (self_check).
    pub kind: String,
    pub campaign_id: Option<i64>,
    pub checklist_id: Option<i64>,
    pub start_date: String,
    pub due_date: String,
    /// Assign to every active unit in the caller's scope.
    pub all_units: bool,
    pub org_ids: Vec<i64>,
}

struct Valid {
    title: String,
    description: String,
    kind: InspectionKind,
    start_date: chrono::NaiveDate,
    due_date: chrono::NaiveDate,
}

impl TaskInput {
    fn parse(&self) -> Result<Valid> {
        let mut errs = FieldErrors::new();
        let title = text_field(&mut errs, "title", "任务名称", &self.title, true, 100);
        let description = text_field(
            &mut errs,
            "description",
            "任务要求",
            &self.description,
            false,
            2000,
        );
        let kind = if self.kind.trim().is_empty() {
            Some(InspectionKind::SelfCheck)
        } else {
            InspectionKind::parse(&self.kind)
        };
        if kind.is_none() {
            errs.add(
                "kind",
                "检查类型无效，应为 自查、督查、抽查、暗访 或 专项检查",
            );
        }
        let start = date_field(&mut errs, "start_date", "开始日期", &self.start_date);
        let due = date_field(&mut errs, "due_date", "截止日期", &self.due_date);
        if let (Some(s), Some(d)) = (start, due) {
            if d < s {
                errs.add("due_date", "截止日期不能早于开始日期");
            }
        }
        if !self.all_units && self.org_ids.is_empty() {
            errs.add("org_ids", "请选择下达单位，或选择“全部单位”");
        }
        errs.into_result()?;
        match (kind, start, due) {
            (Some(kind), Some(start_date), Some(due_date)) => Ok(Valid {
                title,
                description,
                kind,
                start_date,
                due_date,
            }),
            _ => Err(DbError::invalid("kind", "检查类型无效")),
        }
    }
}

/// The references a task may carry: a campaign and a checklist the caller can see (the checklist
/// still active), and the units it is assigned to.
async fn check_refs(tx: &mut Tx, ctx: &Ctx, input: &TaskInput) -> Result<Vec<i64>> {
    if let Some(c) = input.campaign_id {
        let mut q = crate::campaign::visible(ctx, "SELECT c.id");
        q.push(" AND c.id = ").push_arg(c);
        if tx.fetch_optional::<(i64,)>(&q).await?.is_none() {
            return Err(DbError::invalid("campaign_id", "专项行动不存在或无权使用"));
        }
    }
    if let Some(c) = input.checklist_id {
        let mut q = crate::checklist::visible(ctx, "SELECT c.id");
        q.push(" AND c.id = ").push_arg(c);
        q.push(" AND c.active = ").push_arg(true);
        if tx.fetch_optional::<(i64,)>(&q).await?.is_none() {
            return Err(DbError::invalid(
                "checklist_id",
                "检查表不存在、已停用或无权使用",
            ));
        }
    }
    if input.all_units {
        let rows: Vec<(i64,)> = tx
            .fetch_all(
                &Q::new("SELECT id FROM org WHERE kind = 'unit' AND active = $1 AND path LIKE $2 ORDER BY id")
                    .bind(true)
                    .bind(ctx.scope_like()),
            )
            .await?;
        if rows.is_empty() {
            return Err(DbError::invalid(
                "org_ids",
                "您的管辖范围内没有可下达的单位",
            ));
        }
        Ok(rows.into_iter().map(|(i,)| i).collect())
    } else {
        units_in_scope(tx, ctx, "org_ids", &input.org_ids).await
    }
}

/// Loads a task for a change: NotFound when the caller cannot see it, Forbidden when they see it
/// (it is assigned to their unit) but did not issue it, Conflict when it was cancelled.
async fn load_managed(tx: &mut Tx, ctx: &Ctx, id: i64) -> Result<TaskRow> {
    ctx.require(Permission::InspectionPlan)?;
    let mut q = rows(ctx);
    q.push(" AND t.id = ").push_arg(id);
    let row: TaskRow = tx.fetch_one(&q).await?;
    if !row.can_manage(ctx) {
        return Err(DbError::Forbidden);
    }
    if row.cancelled() {
        return Err(DbError::Conflict("该任务已取消，不能再修改".into()));
    }
    Ok(row)
}

#[derive(Serialize)]
struct Snapshot {
    #[serde(flatten)]
    task: InspectionTask,
    org_ids: Vec<i64>,
}

async fn snapshot(tx: &mut Tx, id: i64) -> Result<Snapshot> {
    let task = tx
        .fetch_one(
            &Q::new(&format!(
                "SELECT {COLS} FROM inspection_task t WHERE t.id = $1"
            ))
            .bind(id),
        )
        .await?;
    let rows: Vec<(i64,)> = tx
        .fetch_all(
            &Q::new("SELECT org_id FROM inspection_task_org WHERE task_id = $1 ORDER BY org_id")
                .bind(id),
        )
        .await?;
    Ok(Snapshot {
        task,
        org_ids: rows.into_iter().map(|(i,)| i).collect(),
    })
}

async fn set_units(tx: &mut Tx, id: i64, ids: &[i64]) -> Result<()> {
    replace_units(tx, "inspection_task_org", "task_id", id, ids).await
}

/// Issues a task from the caller's organisation to the chosen units.
pub async fn create(db: &Db, ctx: &Ctx, input: &TaskInput) -> Result<InspectionTask> {
    ctx.require(Permission::InspectionPlan)?;
    let v = input.parse()?;
    let org_id = ctx
        .org_id()
        .ok_or_else(|| DbError::Other("检查任务须由登录用户下达".into()))?;
    let mut tx = db.begin().await?;
    let units = check_refs(&mut tx, ctx, input).await?;
    let now = crate::now();
    let (id,): (i64,) = tx
        .fetch_one(
            &Q::new(
                "INSERT INTO inspection_task (org_id, title, description, kind, campaign_id, checklist_id, start_date, \
                 due_date, created_by, row_version, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $10) RETURNING id",
            )
            .bind(org_id)
            .bind(v.title)
            .bind(v.description)
            .bind(v.kind.code())
            .bind(input.campaign_id)
            .bind(input.checklist_id)
            .bind(v.start_date)
            .bind(v.due_date)
            .bind(ctx.user_id())
            .bind(now),
        )
        .await?;
    set_units(&mut tx, id, &units).await?;
    let after = snapshot(&mut tx, id).await?;
    audit::record(
        &mut tx,
        ctx,
        Change::new("inspection_task", id, "create")
            .org(Some(org_id))
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after.task)
}

/// Edits a task the caller's organisation issued, refusing a stale `row_version`.
pub async fn update(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    input: &TaskInput,
    row_version: i64,
) -> Result<InspectionTask> {
    let mut tx = db.begin().await?;
    load_managed(&mut tx, ctx, id).await?;
    let v = input.parse()?;
    let units = check_refs(&mut tx, ctx, input).await?;
    let before = snapshot(&mut tx, id).await?;
    let n = tx
        .execute(
            &Q::new(
                "UPDATE inspection_task SET title = $1, description = $2, kind = $3, campaign_id = $4, checklist_id = $5, \
                 start_date = $6, due_date = $7, row_version = row_version + 1, updated_at = $8 \
                 WHERE id = $9 AND row_version = $10",
            )
            .bind(v.title)
            .bind(v.description)
            .bind(v.kind.code())
            .bind(input.campaign_id)
            .bind(input.checklist_id)
            .bind(v.start_date)
            .bind(v.due_date)
            .bind(crate::now())
            .bind(id)
            .bind(row_version),
        )
        .await?;
    if n == 0 {
        return Err(stale());
    }
    set_units(&mut tx, id, &units).await?;
    finish(tx, ctx, id, "update", before).await
}

/// Cancels a task: it leaves the units' to-do lists and no longer accepts inspections.
pub async fn cancel(db: &Db, ctx: &Ctx, id: i64, row_version: i64) -> Result<InspectionTask> {
    let mut tx = db.begin().await?;
    load_managed(&mut tx, ctx, id).await?;
    let before = snapshot(&mut tx, id).await?;
    let now = crate::now();
    let n = tx
        .execute(
            &Q::new(
                "UPDATE inspection_task SET cancelled_at = $1, row_version = row_version + 1, updated_at = $1 \
                 WHERE id = $2 AND row_version = $3",
            )
            .bind(now)
            .bind(id)
            .bind(row_version),
        )
        .await?;
    if n == 0 {
        return Err(stale());
    }
    finish(tx, ctx, id, "cancel", before).await
}

async fn finish(
    mut tx: Tx,
    ctx: &Ctx,
    id: i64,
    action: &str,
    before: Snapshot,
) -> Result<InspectionTask> {
    let after = snapshot(&mut tx, id).await?;
    audit::record(
        &mut tx,
        ctx,
        Change::new("inspection_task", id, action)
            .org(Some(after.task.org_id))
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after.task)
}
