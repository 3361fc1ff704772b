//! The ledgers' settings the bureau edits (LedgerSettings): the use categories of 安全生产经费
//! (add, rename, reorder, deactivate; delete only while no entry uses one), the drill intervals
//! and the yearly training minimums. Stored in `ledger_funding_category` and `ledger_settings`
//! (migration 0013, seeded with the defaults of `anjian_domain::ledger`, which cite their
//! sources). Every change is audited in its transaction and checks the version the form read.
//!
//! The boards, the statistics, the forms and the import read the stored values through
//! `rules` and `funding_categories`, which need no permission of their own: the callers are
//! gated by LedgerView / LedgerRecord already.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use anjian_domain::ledger::{format_hours, parse_hours, DrillIntervals, TrainingMinimums};
use anjian_domain::role::Permission;

use crate::audit::{self, Change};
use crate::checklist::fields::{stale, text_field};
use crate::error::{DbError, FieldErrors, Result};
use crate::query::{Db, Tx, Q};
use crate::Ctx;

/// A use category of 安全生产经费. Entries store `code`; `label` is what people read.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct FundingCategory {
    pub id: i64,
    pub code: String,
    pub label: String,
    /// The regulation it comes from (财资〔2022〕136号 for the seeded ten), or the bureau's note.
    pub source: String,
    pub sort_order: i64,
    pub active: bool,
    pub row_version: i64,
    /// Live funding entries filed under it (filled by `settings` only).
    #[sqlx(default)]
    pub entries: i64,
}

/// The drill intervals and training minimums in force.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LedgerRules {
    pub drill: DrillIntervals,
    pub training: TrainingMinimums,
}

/// The settings page: the rules with their version and last change, and every category.
#[derive(Debug, Clone, Serialize)]
pub struct LedgerSettings {
    pub rules: LedgerRules,
    pub row_version: i64,
    pub updated_at: Option<DateTime<Utc>>,
    pub updated_by_name: String,
    pub categories: Vec<FundingCategory>,
}

const CATEGORY_COLS: &str =
    "c.id, c.code, c.label, c.source, c.sort_order, c.active, c.row_version";

type RulesRow = (
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    Option<DateTime<Utc>>,
    String,
);

async fn stored(db: &Db) -> Result<Option<RulesRow>> {
    db.fetch_optional(&Q::new(
        "SELECT drill_onsite_months, drill_plan_months, manager_initial_tenths, manager_yearly_tenths, \
         newcomer_tenths, staff_yearly_tenths, row_version, updated_at, updated_by_name \
         FROM ledger_settings WHERE id = 1",
    ))
    .await
}

fn decode(r: &RulesRow) -> LedgerRules {
    let months = |m: i64| u32::try_from(m).unwrap_or(0);
    LedgerRules {
        drill: DrillIntervals {
            onsite_months: months(r.0),
            plan_months: months(r.1),
        },
        training: TrainingMinimums {
            manager_initial_tenths: r.2,
            manager_yearly_tenths: r.3,
            newcomer_tenths: r.4,
            staff_yearly_tenths: r.5,
        },
    }
}

/// The intervals and minimums in force (the migration seeds the row; without it, the defaults).
pub async fn rules(db: &Db) -> Result<LedgerRules> {
    Ok(stored(db).await?.map(|r| decode(&r)).unwrap_or_default())
}

/// Every category in display order, active or not.
pub async fn funding_categories(db: &Db) -> Result<Vec<FundingCategory>> {
    db.fetch_all(&Q::new(&format!(
        "SELECT {CATEGORY_COLS} FROM ledger_funding_category c ORDER BY c.sort_order, c.id"
    )))
    .await
}

/// What a funding entry may be filed under, as (code, label): the active categories, plus
/// `keep` (the entry's current category) when it was deactivated since, so an old entry can
/// still be edited without being moved.
pub async fn funding_choices(db: &Db, keep: Option<&str>) -> Result<Vec<(String, String)>> {
    Ok(funding_categories(db)
        .await?
        .into_iter()
        .filter(|c| c.active || Some(c.code.as_str()) == keep)
        .map(|c| (c.code, c.label))
        .collect())
}

/// The settings page and API (LedgerSettings).
pub async fn settings(db: &Db, ctx: &Ctx) -> Result<LedgerSettings> {
    ctx.require(Permission::LedgerSettings)?;
    let row = stored(db).await?;
    let mut categories = funding_categories(db).await?;
    let used: Vec<(String, i64)> = db
        .fetch_all(&Q::new(
            "SELECT category, COUNT(*) FROM ledger_entry WHERE kind = 'funding' AND deleted_at IS NULL \
             GROUP BY category",
        ))
        .await?;
    for c in &mut categories {
        c.entries = used
            .iter()
            .find(|(code, _)| *code == c.code)
            .map_or(0, |u| u.1);
    }
    Ok(LedgerSettings {
        rules: row.as_ref().map(decode).unwrap_or_default(),
        row_version: row.as_ref().map_or(0, |r| r.6),
        updated_at: row.as_ref().and_then(|r| r.7),
        updated_by_name: row.map(|r| r.8).unwrap_or_default(),
        categories,
    })
}

// ---------------------------------------------------------------- rules

/// The rules as typed: months as whole numbers, 学时 with at most one decimal.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct RulesInput {
    pub drill_onsite_months: String,
    pub drill_plan_months: String,
    pub manager_initial_hours: String,
    pub manager_yearly_hours: String,
    pub newcomer_hours: String,
    pub staff_yearly_hours: String,
}

/// The fields of the rules with their labels, in the page's order.
pub const RULE_FIELDS: [(&str, &str); 6] = [
    ("drill_onsite_months", "现场处置方案演练间隔"),
    ("drill_plan_months", "综合或专项应急预案演练间隔"),
    (
        "manager_initial_hours",
        "主要负责人和安全管理人员初次培训学时",
    ),
    (
        "manager_yearly_hours",
        "主要负责人和安全管理人员每年再培训学时",
    ),
    ("newcomer_hours", "新上岗从业人员岗前培训学时"),
    ("staff_yearly_hours", "从业人员每年再培训学时"),
];

/// Longest drill interval accepted, in months: the rule asks for at most a year; three years
/// leaves room for a bureau's own reading without letting a typo switch the board off.
pub const MAX_MONTHS: i64 = 36;
/// Most 学时 a minimum may ask (tenths): the 高危 initial training (48) with room to spare.
pub const MAX_HOURS_TENTHS: i64 = 2000;

impl RulesInput {
    pub fn from_rules(r: &LedgerRules) -> RulesInput {
        RulesInput {
            drill_onsite_months: r.drill.onsite_months.to_string(),
            drill_plan_months: r.drill.plan_months.to_string(),
            manager_initial_hours: format_hours(r.training.manager_initial_tenths),
            manager_yearly_hours: format_hours(r.training.manager_yearly_tenths),
            newcomer_hours: format_hours(r.training.newcomer_tenths),
            staff_yearly_hours: format_hours(r.training.staff_yearly_tenths),
        }
    }

    pub fn raw(&self, name: &str) -> &str {
        match name {
            "drill_onsite_months" => &self.drill_onsite_months,
            "drill_plan_months" => &self.drill_plan_months,
            "manager_initial_hours" => &self.manager_initial_hours,
            "manager_yearly_hours" => &self.manager_yearly_hours,
            "newcomer_hours" => &self.newcomer_hours,
            _ => &self.staff_yearly_hours,
        }
    }

    /// Per-field checks with Chinese messages naming the setting.
    pub fn parse(&self) -> Result<LedgerRules> {
        let mut errs = FieldErrors::new();
        let label = |name: &str| {
            RULE_FIELDS
                .iter()
                .find(|(n, _)| *n == name)
                .map_or("", |f| f.1)
        };
        let mut months = |name: &str| -> u32 {
            match self.raw(name).trim().parse::<i64>() {
                Ok(m) if (1..=MAX_MONTHS).contains(&m) => m as u32,
                _ => {
                    errs.add(
                        name,
                        format!("{}应为1至{MAX_MONTHS}之间的整数（月）", label(name)),
                    );
                    0
                }
            }
        };
        let drill = DrillIntervals {
            onsite_months: months("drill_onsite_months"),
            plan_months: months("drill_plan_months"),
        };
        let mut hours = |name: &str| -> i64 {
            let v = self.raw(name).trim();
            match parse_hours(v) {
                Ok(h) if h <= MAX_HOURS_TENTHS => h,
                Ok(_) => {
                    errs.add(
                        name,
                        format!("{}不能超过{}学时", label(name), MAX_HOURS_TENTHS / 10),
                    );
                    0
                }
                Err(_) if v.is_empty() => {
                    errs.add(name, format!("{}不能为空", label(name)));
                    0
                }
                Err(_) => {
                    errs.add(
                        name,
                        format!(
                            "{}应为大于0的数字，最多一位小数，如 12 或 12.5",
                            label(name)
                        ),
                    );
                    0
                }
            }
        };
        let training = TrainingMinimums {
            manager_initial_tenths: hours("manager_initial_hours"),
            manager_yearly_tenths: hours("manager_yearly_hours"),
            newcomer_tenths: hours("newcomer_hours"),
            staff_yearly_tenths: hours("staff_yearly_hours"),
        };
        errs.into_result()?;
        Ok(LedgerRules { drill, training })
    }
}

/// Stores new rules from the version `row_version` the form showed; a stale version changes
/// nothing and is the 409 conflict. Audited with the values before and after.
pub async fn update_rules(
    db: &Db,
    ctx: &Ctx,
    input: &RulesInput,
    row_version: i64,
) -> Result<LedgerRules> {
    ctx.require(Permission::LedgerSettings)?;
    let r = input.parse()?;
    let before = rules(db).await?;
    let mut tx = db.begin().await?;
    let n = tx
        .execute(
            &Q::new(
                "UPDATE ledger_settings SET drill_onsite_months = $1, drill_plan_months = $2, \
                 manager_initial_tenths = $3, manager_yearly_tenths = $4, newcomer_tenths = $5, \
                 staff_yearly_tenths = $6, row_version = row_version + 1, updated_at = $7, \
                 updated_by = $8, updated_by_name = $9 WHERE id = 1 AND row_version = $10",
            )
            .bind(i64::from(r.drill.onsite_months))
            .bind(i64::from(r.drill.plan_months))
            .bind(r.training.manager_initial_tenths)
            .bind(r.training.manager_yearly_tenths)
            .bind(r.training.newcomer_tenths)
            .bind(r.training.staff_yearly_tenths)
            .bind(crate::now())
            .bind(ctx.user_id())
            .bind(actor_name(ctx))
            .bind(row_version),
        )
        .await?;
    if n == 0 {
        return Err(stale());
    }
    audit::record(
        &mut tx,
        ctx,
        Change::new("ledger_settings", 1, "update")
            .before(before)
            .after(r),
    )
    .await?;
    tx.commit().await?;
    Ok(r)
}

fn actor_name(ctx: &Ctx) -> String {
    match ctx.user_ctx() {
        Some(u) if !u.name.trim().is_empty() => u.name.clone(),
        _ => ctx.username(),
    }
}

// ---------------------------------------------------------------- categories

/// A category as typed. `sort_order` empty: after the last one.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct CategoryInput {
    pub label: String,
    pub source: String,
    pub sort_order: String,
    pub active: bool,
}

impl Default for CategoryInput {
    fn default() -> Self {
        CategoryInput {
            label: String::new(),
            source: String::new(),
            sort_order: String::new(),
            active: true,
        }
    }
}

struct ParsedCategory {
    label: String,
    source: String,
    sort_order: Option<i64>,
}

impl CategoryInput {
    fn parse(&self) -> Result<ParsedCategory> {
        let mut errs = FieldErrors::new();
        let label = text_field(&mut errs, "label", "类别名称", &self.label, true, 100);
        let source = text_field(&mut errs, "source", "依据", &self.source, false, 200);
        let v = self.sort_order.trim();
        let sort_order = if v.is_empty() {
            None
        } else {
            match v.parse::<i64>() {
                Ok(n) if (1..=999).contains(&n) => Some(n),
                _ => {
                    errs.add("sort_order", "排序应为1至999之间的整数");
                    None
                }
            }
        };
        errs.into_result()?;
        Ok(ParsedCategory {
            label,
            source,
            sort_order,
        })
    }
}

/// One category (LedgerSettings); NotFound when there is none with this id.
pub async fn category(db: &Db, ctx: &Ctx, id: i64) -> Result<FundingCategory> {
    ctx.require(Permission::LedgerSettings)?;
    db.fetch_one(
        &Q::new(&format!(
            "SELECT {CATEGORY_COLS} FROM ledger_funding_category c WHERE c.id = $1"
        ))
        .bind(id),
    )
    .await
}

async fn category_in_tx(tx: &mut Tx, id: i64) -> Result<FundingCategory> {
    tx.fetch_one(
        &Q::new(&format!(
            "SELECT {CATEGORY_COLS} FROM ledger_funding_category c WHERE c.id = $1"
        ))
        .bind(id),
    )
    .await
}

/// Labels are how import sheets name a category, so two may not share one.
async fn check_label_free(tx: &mut Tx, label: &str, except: i64) -> Result<()> {
    let taken: Option<(i64,)> = tx
        .fetch_optional(
            &Q::new("SELECT id FROM ledger_funding_category WHERE label = $1 AND id <> $2")
                .bind(label)
                .bind(except),
        )
        .await?;
    match taken {
        Some(_) => Err(DbError::invalid("label", "已有同名的经费使用类别")),
        None => Ok(()),
    }
}

/// Adds an active category after the others (or at `sort_order`); its code is its id.
pub async fn add_category(db: &Db, ctx: &Ctx, input: &CategoryInput) -> Result<FundingCategory> {
    ctx.require(Permission::LedgerSettings)?;
    let p = input.parse()?;
    let mut tx = db.begin().await?;
    check_label_free(&mut tx, &p.label, 0).await?;
    let (id, next_sort): (i64, i64) = tx
        .fetch_one(&Q::new(
            "SELECT COALESCE(MAX(id), 0) + 1, COALESCE(MAX(sort_order), 0) + 1 FROM ledger_funding_category",
        ))
        .await?;
    tx.execute(
        &Q::new(
            "INSERT INTO ledger_funding_category (id, code, label, source, sort_order, active, row_version, \
             updated_at, updated_by, updated_by_name) VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $9)",
        )
        .bind(id)
        .bind(id.to_string())
        .bind(p.label.as_str())
        .bind(p.source.as_str())
        .bind(p.sort_order.unwrap_or(next_sort))
        .bind(input.active)
        .bind(crate::now())
        .bind(ctx.user_id())
        .bind(actor_name(ctx)),
    )
    .await
    // Two adds at once on PostgreSQL compute the same next id; the second is asked to retry.
    .map_err(|e| match e {
        DbError::Sqlx(e) => DbError::unique_or(e, "记录已被他人修改，请刷新后重试"),
        e => e,
    })?;
    let c = category_in_tx(&mut tx, id).await?;
    audit::record(
        &mut tx,
        ctx,
        Change::new("ledger_funding_category", id, "create").after(&c),
    )
    .await?;
    tx.commit().await?;
    Ok(c)
}

/// Renames, reorders, (de)activates a category from the version the form showed. The code
/// stays, so entries filed under it follow the new label.
pub async fn update_category(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    row_version: i64,
    input: &CategoryInput,
) -> Result<FundingCategory> {
    ctx.require(Permission::LedgerSettings)?;
    let mut tx = db.begin().await?;
    let before = category_in_tx(&mut tx, id).await?;
    let p = input.parse()?;
    check_label_free(&mut tx, &p.label, id).await?;
    let n = tx
        .execute(
            &Q::new(
                "UPDATE ledger_funding_category SET label = $1, source = $2, sort_order = $3, active = $4, \
                 row_version = row_version + 1, updated_at = $5, updated_by = $6, updated_by_name = $7 \
                 WHERE id = $8 AND row_version = $9",
            )
            .bind(p.label.as_str())
            .bind(p.source.as_str())
            .bind(p.sort_order.unwrap_or(before.sort_order))
            .bind(input.active)
            .bind(crate::now())
            .bind(ctx.user_id())
            .bind(actor_name(ctx))
            .bind(id)
            .bind(row_version),
        )
        .await?;
    if n == 0 {
        return Err(stale());
    }
    let after = category_in_tx(&mut tx, id).await?;
    audit::record(
        &mut tx,
        ctx,
        Change::new("ledger_funding_category", id, "update")
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Deletes a category no entry (live or deleted) was ever filed under; a used one is refused
/// with 409 and the advice to deactivate it, so no entry is left with a code nobody can read.
pub async fn delete_category(db: &Db, ctx: &Ctx, id: i64, row_version: i64) -> Result<()> {
    ctx.require(Permission::LedgerSettings)?;
    let mut tx = db.begin().await?;
    let before = category_in_tx(&mut tx, id).await?;
    let used: Option<(i64,)> = tx
        .fetch_optional(
            &Q::new("SELECT id FROM ledger_entry WHERE kind = 'funding' AND category = $1 LIMIT 1")
                .bind(before.code.as_str()),
        )
        .await?;
    if used.is_some() {
        return Err(DbError::Conflict(format!(
            "“{}”已有经费记录使用，不能删除；如不再使用，请停用该类别",
            before.label
        )));
    }
    let n = tx
        .execute(
            &Q::new("DELETE FROM ledger_funding_category WHERE id = $1 AND row_version = $2")
                .bind(id)
                .bind(row_version),
        )
        .await?;
    if n == 0 {
        return Err(stale());
    }
    audit::record(
        &mut tx,
        ctx,
        Change::new("ledger_funding_category", id, "delete").before(&before),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
