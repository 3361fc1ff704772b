//! Creating, editing and deactivating campaigns and key periods. A campaign is owned by the
//! caller's organisation and covers all units below it or the chosen ones.

use serde::{Deserialize, Serialize};

use anjian_domain::role::Permission;

use super::{parse_kind, row_head, visible, Campaign, CampaignRow, COLS};
use crate::audit::{self, Change};
use crate::checklist::fields::{date_field, replace_units, set_active_row, units_in_scope};
use crate::checklist::{stale, text_field};
use crate::error::{DbError, FieldErrors, Result};
use crate::query::{Db, Tx, Q};
use crate::Ctx;

/// What a form or API request sends for a campaign. Dates as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct CampaignInput {
    /// `campaign` or `key_period` (or 专项行动 / 重要时段).
    pub kind: String,
    pub name: String,
    pub start_date: String,
    pub end_date: String,
    pub description: String,
    pub all_units: bool,
    /// The units covered when `all_units` is false.
    pub org_ids: Vec<i64>,
    /// Editing only: false deactivates, true reactivates, None leaves it.
    pub active: Option<bool>,
}

pub(super) struct Valid {
    pub kind: &'static str,
    pub name: String,
    pub start_date: chrono::NaiveDate,
    pub end_date: chrono::NaiveDate,
    pub description: String,
}

impl CampaignInput {
    pub(super) fn parse(&self) -> Result<Valid> {
        let mut errs = FieldErrors::new();
        let kind = parse_kind(&self.kind);
        if kind.is_none() {
            errs.add("kind", "类型无效，应为 专项行动 或 重要时段");
        }
        let name = text_field(&mut errs, "name", "名称", &self.name, true, 100);
        let start = date_field(&mut errs, "start_date", "开始日期", &self.start_date);
        let end = date_field(&mut errs, "end_date", "结束日期", &self.end_date);
        if let (Some(s), Some(e)) = (start, end) {
            if e < s {
                errs.add("end_date", "结束日期不能早于开始日期");
            }
        }
        let description = text_field(
            &mut errs,
            "description",
            "说明",
            &self.description,
            false,
            2000,
        );
        if !self.all_units && self.org_ids.is_empty() {
            errs.add("org_ids", "请选择适用单位，或选择“全部单位”");
        }
        errs.into_result()?;
        match (kind, start, end) {
            (Some(kind), Some(start_date), Some(end_date)) => Ok(Valid {
                kind,
                name,
                start_date,
                end_date,
                description,
            }),
            _ => Err(DbError::invalid("kind", "类型无效")),
        }
    }
}

/// Loads a campaign for a change: NotFound when the caller cannot see it, Forbidden when they see
/// it (it covers their unit) but do not own it.
async fn load_managed(tx: &mut Tx, ctx: &Ctx, id: i64) -> Result<CampaignRow> {
    ctx.require(Permission::InspectionPlan)?;
    let mut q = visible(ctx, &row_head());
    q.push(" AND c.id = ").push_arg(id);
    let row: CampaignRow = tx.fetch_one(&q).await?;
    if !row.can_manage(ctx) {
        return Err(DbError::Forbidden);
    }
    Ok(row)
}

async fn reload(tx: &mut Tx, id: i64) -> Result<Campaign> {
    tx.fetch_one(&Q::new(&format!("SELECT {COLS} FROM campaign c WHERE c.id = $1")).bind(id))
        .await
}

/// The snapshot the audit trail keeps: the campaign and its chosen units.
#[derive(Serialize)]
struct Snapshot<'a> {
    #[serde(flatten)]
    campaign: &'a Campaign,
    org_ids: Vec<i64>,
}

async fn unit_ids(tx: &mut Tx, id: i64) -> Result<Vec<i64>> {
    let rows: Vec<(i64,)> = tx
        .fetch_all(
            &Q::new("SELECT org_id FROM campaign_org WHERE campaign_id = $1 ORDER BY org_id")
                .bind(id),
        )
        .await?;
    Ok(rows.into_iter().map(|(i,)| i).collect())
}

async fn set_units(tx: &mut Tx, id: i64, ids: &[i64]) -> Result<()> {
    replace_units(tx, "campaign_org", "campaign_id", id, ids).await
}

/// Inserts a campaign owned by `org_id` inside the caller's transaction (also used by the
/// default set) and audits it.
pub(super) async fn insert_in_tx(
    tx: &mut Tx,
    ctx: &Ctx,
    org_id: i64,
    v: &Valid,
    all_units: bool,
    units: &[i64],
) -> Result<Campaign> {
    let now = crate::now();
    let (id,): (i64,) = tx
        .fetch_one(
            &Q::new(
                "INSERT INTO campaign (org_id, kind, name, start_date, end_date, description, all_units, active, \
                 row_version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9) RETURNING id",
            )
            .bind(org_id)
            .bind(v.kind)
            .bind(v.name.clone())
            .bind(v.start_date)
            .bind(v.end_date)
            .bind(v.description.clone())
            .bind(all_units)
            .bind(true)
            .bind(now),
        )
        .await?;
    set_units(tx, id, units).await?;
    let after = reload(tx, id).await?;
    audit::record(
        tx,
        ctx,
        Change::new("campaign", id, "create")
            .org(Some(org_id))
            .after(Snapshot {
                campaign: &after,
                org_ids: units.to_vec(),
            }),
    )
    .await?;
    Ok(after)
}

/// The organisation a new campaign belongs to: the caller's own.
fn owner(ctx: &Ctx) -> Result<i64> {
    ctx.org_id()
        .ok_or_else(|| DbError::Other("命令行请使用默认专项行动初始化".into()))
}

pub async fn create(db: &Db, ctx: &Ctx, input: &CampaignInput) -> Result<Campaign> {
    ctx.require(Permission::InspectionPlan)?;
    let v = input.parse()?;
    let org_id = owner(ctx)?;
    let mut tx = db.begin().await?;
    let units = if input.all_units {
        Vec::new()
    } else {
        units_in_scope(&mut tx, ctx, "org_ids", &input.org_ids).await?
    };
    let c = insert_in_tx(&mut tx, ctx, org_id, &v, input.all_units, &units).await?;
    tx.commit().await?;
    Ok(c)
}

/// Edits a campaign the caller owns, refusing a stale `row_version`.
pub async fn update(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    input: &CampaignInput,
    row_version: i64,
) -> Result<Campaign> {
    let mut tx = db.begin().await?;
    let before = load_managed(&mut tx, ctx, id).await?;
    let v = input.parse()?;
    let units = if input.all_units {
        Vec::new()
    } else {
        units_in_scope(&mut tx, ctx, "org_ids", &input.org_ids).await?
    };
    let before_units = unit_ids(&mut tx, id).await?;
    let n = tx
        .execute(
            &Q::new(
                "UPDATE campaign SET kind = $1, name = $2, start_date = $3, end_date = $4, description = $5, \
                 all_units = $6, active = $10, row_version = row_version + 1, updated_at = $7 \
                 WHERE id = $8 AND row_version = $9",
            )
            .bind(v.kind)
            .bind(v.name)
            .bind(v.start_date)
            .bind(v.end_date)
            .bind(v.description)
            .bind(input.all_units)
            .bind(crate::now())
            .bind(id)
            .bind(row_version)
            .bind(input.active.unwrap_or(before.campaign.active)),
        )
        .await?;
    if n == 0 {
        return Err(stale());
    }
    set_units(&mut tx, id, &units).await?;
    commit(tx, ctx, id, "update", &before.campaign, before_units).await
}

/// Deactivates (or reactivates) a campaign: it is no longer offered on forms; records that carry
/// it keep it.
pub async fn set_active(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    active: bool,
    row_version: i64,
) -> Result<Campaign> {
    let mut tx = db.begin().await?;
    let before = load_managed(&mut tx, ctx, id).await?;
    let before_units = unit_ids(&mut tx, id).await?;
    set_active_row(&mut tx, "campaign", id, active, row_version).await?;
    let action = if active { "activate" } else { "deactivate" };
    commit(tx, ctx, id, action, &before.campaign, before_units).await
}

async fn commit(
    mut tx: Tx,
    ctx: &Ctx,
    id: i64,
    action: &str,
    before: &Campaign,
    before_units: Vec<i64>,
) -> Result<Campaign> {
    let after = reload(&mut tx, id).await?;
    let after_units = unit_ids(&mut tx, id).await?;
    audit::record(
        &mut tx,
        ctx,
        Change::new("campaign", id, action)
            .org(Some(after.org_id))
            .before(Snapshot {
                campaign: before,
                org_ids: before_units,
            })
            .after(Snapshot {
                campaign: &after,
                org_ids: after_units,
            }),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}
