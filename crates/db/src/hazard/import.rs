//! The hazard ledger as a spreadsheet. Import: rows of a sheet registered all or nothing, in one
//! transaction, by the registration form's rules (`HazardInput::parse`, the checks and writes of
//! `insert_in_tx`, batched), one Chinese message per problem ("第5行【整改期限】不是有效日期…").
//! Export support: the names a ledger row shows for the ids it carries, with organisation labels
//! chosen so that an exported ledger imports back (the ledger in pages is `paging`).

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use anjian_domain::dates::{parse_business_date, DateError};
use anjian_domain::hazard::{HazardGrade, HazardStatus};
use anjian_domain::inspection::InspectionKind;
use anjian_domain::role::Permission;

use super::{HazardInput, NewHazard};
use crate::audit::{self, Change};
use crate::error::{DbError, Result};
use crate::hazard::Hazard;
use crate::query::{Db, Tx, Q};
use crate::Ctx;

/// Column names as the template and the ledger print them; every error names one of these.
pub mod col {
    pub const ORG: &str = "单位/库点";
    pub const LOCATION: &str = "隐患部位";
    pub const DESCRIPTION: &str = "隐患描述";
    pub const CATEGORY: &str = "隐患类别";
    pub const GRADE: &str = "隐患等级";
    pub const CRITERION: &str = "重大隐患判定依据";
    pub const FOUND_ON: &str = "发现日期";
    pub const FOUND_BY: &str = "发现人";
    pub const DEADLINE: &str = "整改期限";
    pub const CAMPAIGN: &str = "专项行动";
}

/// Largest import, in data rows: a year of a large unit's self-inspections fits.
pub const MAX_ROWS: usize = 10_000;

/// One data row of a sheet, cells as text (dates as typed, or an Excel serial).
#[derive(Debug, Clone, Default)]
pub struct ImportRow {
    /// Row number in the sheet, as Excel shows it.
    pub line: usize,
    /// Exact name, id, or "上级名称/名称" of a unit or site in the caller's scope.
    pub org: String,
    pub location: String,
    pub description: String,
    pub category: String,
    pub grade: String,
    pub major_criterion: String,
    pub found_on: String,
    pub found_by: String,
    pub deadline: String,
    /// Name or id of an active campaign covering the organisation; optional.
    pub campaign: String,
}

/// One problem of one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub line: usize,
    pub column: &'static str,
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "第{}行【{}】{}", self.line, self.column, self.message)
    }
}

/// A date error in the words of an import message: always "不是有效日期…" so a person scanning
/// the list sees at once which cells to fix.
fn date_message(e: &DateError) -> String {
    match e {
        DateError::Empty => "不能为空".into(),
        DateError::Format(s) => {
            format!("不是有效日期：“{s}”，应写作2023-03-01、2023/3/1、2023.3.1或2023年3月1日")
        }
        DateError::NoSuchDate(s) => format!("不是有效日期：“{s}”这一天不存在"),
        DateError::SerialOutOfRange(s) => format!("不是有效日期：Excel日期序号{s}超出范围"),
        DateError::YearOnly(s) => format!("不是有效日期：“{s}”只有年份，应写完整日期"),
        DateError::Implausible(s, a, b) => {
            format!("不是有效日期：“{s}”超出合理范围（{a}年至{b}年）")
        }
    }
}

fn column_of(field: &str) -> &'static str {
    match field {
        "org_id" => col::ORG,
        "location" => col::LOCATION,
        "description" => col::DESCRIPTION,
        "category" => col::CATEGORY,
        "grade" => col::GRADE,
        "major_criterion" => col::CRITERION,
        "found_on" => col::FOUND_ON,
        "found_by" => col::FOUND_BY,
        "deadline" => col::DEADLINE,
        "campaign_id" => col::CAMPAIGN,
        _ => "数据",
    }
}

/// A form message as an import message: the column already names the field, so "隐患描述不能为空"
/// reads "【隐患描述】不能为空".
fn strip_label(column: &str, message: &str) -> String {
    let m = message.strip_prefix(column).unwrap_or(message);
    m.trim_start_matches(['：', ':']).to_string()
}

/// The organisations of the caller's scope, loaded once per import or export.
struct ScopeOrgs {
    /// (id, parent_id, name, kind, active)
    all: Vec<OrgRow>,
    by_id: HashMap<i64, usize>,
    by_name: HashMap<String, Vec<usize>>,
}

type OrgRow = (i64, Option<i64>, String, String, bool);

fn scope_orgs_query(ctx: &Ctx) -> Q {
    Q::new("SELECT id, parent_id, name, kind, active FROM org WHERE path LIKE $1 ORDER BY path")
        .bind(ctx.scope_like())
}

impl ScopeOrgs {
    async fn load(db: &Db, ctx: &Ctx) -> Result<ScopeOrgs> {
        Ok(ScopeOrgs::new(db.fetch_all(&scope_orgs_query(ctx)).await?))
    }

    /// The same, read inside the import's write transaction.
    async fn load_in_tx(tx: &mut Tx, ctx: &Ctx) -> Result<ScopeOrgs> {
        Ok(ScopeOrgs::new(tx.fetch_all(&scope_orgs_query(ctx)).await?))
    }

    fn new(all: Vec<OrgRow>) -> ScopeOrgs {
        let mut by_id = HashMap::new();
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, o) in all.iter().enumerate() {
            by_id.insert(o.0, i);
            by_name.entry(o.2.clone()).or_default().push(i);
        }
        ScopeOrgs {
            all,
            by_id,
            by_name,
        }
    }

    fn parent_name(&self, i: usize) -> Option<&str> {
        let p = self.all[i].1?;
        self.by_id.get(&p).map(|&j| self.all[j].2.as_str())
    }

    /// A name, an id, or "上级名称/名称" (what the export writes when a name repeats in scope).
    fn resolve(&self, text: &str) -> std::result::Result<i64, String> {
        let t = text.trim();
        if t.is_empty() {
            return Err("不能为空，请填写单位或库点的名称或编号".into());
        }
        let found: Vec<usize> = if let Ok(id) = t.parse::<i64>() {
            match self.by_id.get(&id) {
                Some(&i) => vec![i],
                None => return Err(format!("编号{id}不存在或不在您的管辖范围内")),
            }
        } else if let Some(v) = self.by_name.get(t) {
            v.clone()
        } else if let Some((parent, name)) = t.rsplit_once(['/', '／']) {
            self.by_name
                .get(name.trim())
                .map(|v| {
                    v.iter()
                        .copied()
                        .filter(|&i| self.parent_name(i) == Some(parent.trim()))
                        .collect()
                })
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        let i = match found[..] {
            [i] => i,
            [] => {
                return Err(format!(
                    "“{t}”不存在或不在您的管辖范围内（须与组织机构中的名称完全一致）"
                ))
            }
            _ => {
                return Err(format!(
                    "有{}个单位或库点名为“{t}”，请改填编号或“上级名称/{t}”",
                    found.len()
                ))
            }
        };
        let (id, _, name, kind, active) = &self.all[i];
        if kind == "bureau" {
            return Err(format!("“{name}”是局机关，隐患须登记在单位或库点上"));
        }
        if !active {
            return Err(format!("“{name}”已停用"));
        }
        Ok(*id)
    }

    /// How the ledger names an organisation: its name, or "上级名称/名称" when the name alone
    /// would be ambiguous in this scope (so the import finds it again).
    fn label(&self, i: usize) -> String {
        let name = &self.all[i].2;
        if self.by_name.get(name).is_some_and(|v| v.len() > 1) {
            if let Some(p) = self.parent_name(i) {
                return format!("{p}/{name}");
            }
        }
        name.clone()
    }
}

/// Active campaigns covering each organisation, fetched once per organisation of the file.
struct Campaigns(HashMap<i64, Vec<(i64, String)>>);

impl Campaigns {
    async fn resolve(
        &mut self,
        db: &Db,
        ctx: &Ctx,
        org_id: i64,
        text: &str,
    ) -> Result<std::result::Result<Option<i64>, String>> {
        let t = text.trim();
        if t.is_empty() {
            return Ok(Ok(None));
        }
        if let std::collections::hash_map::Entry::Vacant(slot) = self.0.entry(org_id) {
            let list = match crate::campaign::usable_for_org(db, ctx, org_id).await {
                Ok(v) => v.into_iter().map(|c| (c.id, c.name)).collect(),
                Err(DbError::Forbidden) | Err(DbError::NotFound) => Vec::new(),
                Err(e) => return Err(e),
            };
            slot.insert(list);
        }
        let list = &self.0[&org_id];
        let id = t.parse::<i64>().ok();
        let hits: Vec<i64> = list
            .iter()
            .filter(|(cid, name)| Some(*cid) == id || name == t)
            .map(|(cid, _)| *cid)
            .collect();
        Ok(match hits[..] {
            [c] => Ok(Some(c)),
            [] => Err(format!("“{t}”不存在、已结束停用或不适用于该单位")),
            _ => Err(format!("有{}个专项行动名为“{t}”，请改填编号", hits.len())),
        })
    }
}

/// Checks one row; the form's own rules come from `HazardInput::parse`.
async fn check_row(
    db: &Db,
    ctx: &Ctx,
    orgs: &ScopeOrgs,
    campaigns: &mut Campaigns,
    row: &ImportRow,
    errors: &mut Vec<RowError>,
) -> Result<Option<NewHazard>> {
    let start = errors.len();
    let mut err = |column: &'static str, message: String| {
        errors.push(RowError {
            line: row.line,
            column,
            message,
        })
    };
    let org_id = orgs.resolve(&row.org).map_err(|m| err(col::ORG, m)).ok();
    let grade = match HazardGrade::parse(&row.grade) {
        Some(g) => g.code().to_string(),
        None if row.grade.trim().is_empty() => {
            err(col::GRADE, "不能为空，应填写“一般”或“重大”".into());
            String::new()
        }
        None => {
            err(
                col::GRADE,
                format!("“{}”无效，应填写“一般”或“重大”", row.grade.trim()),
            );
            String::new()
        }
    };
    let mut date = |column: &'static str, v: &str| match parse_business_date(v) {
        Ok(d) => d.to_string(),
        Err(e) => {
            err(column, date_message(&e));
            String::new()
        }
    };
    let found_on = date(col::FOUND_ON, &row.found_on);
    let deadline = date(col::DEADLINE, &row.deadline);
    let campaign_id = match org_id {
        Some(o) => match campaigns.resolve(db, ctx, o, &row.campaign).await? {
            Ok(c) => c,
            Err(m) => {
                err(col::CAMPAIGN, m);
                None
            }
        },
        None => None,
    };
    let input = HazardInput {
        org_id,
        location: row.location.clone(),
        description: row.description.clone(),
        category: row.category.clone(),
        grade,
        major_criterion: row.major_criterion.clone(),
        found_on,
        found_by: row.found_by.clone(),
        deadline,
        campaign_id,
        ..Default::default()
    };
    match input.parse() {
        Ok(h) if errors.len() == start => Ok(Some(h)),
        Ok(_) => Ok(None),
        Err(DbError::Invalid(f)) => {
            // A column refused above already says what is wrong with it.
            let flagged: Vec<&'static str> = errors[start..].iter().map(|e| e.column).collect();
            for (field, message) in f.0 {
                let column = column_of(&field);
                if !flagged.contains(&column) {
                    errors.push(RowError {
                        line: row.line,
                        column,
                        message: strip_label(column, &message),
                    });
                }
            }
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// Checks every row (all problems of the file reported at once) against `orgs`, with the
/// registration form's rules; the hazards to write when all pass.
async fn check_all(
    db: &Db,
    ctx: &Ctx,
    orgs: &ScopeOrgs,
    rows: &[ImportRow],
) -> Result<std::result::Result<Vec<NewHazard>, Vec<RowError>>> {
    let mut campaigns = Campaigns(HashMap::new());
    let mut errors = Vec::new();
    let mut checked = Vec::with_capacity(rows.len());
    for row in rows {
        if let Some(h) = check_row(db, ctx, orgs, &mut campaigns, row, &mut errors).await? {
            checked.push(h);
        }
    }
    Ok(if errors.is_empty() {
        Ok(checked)
    } else {
        Err(errors)
    })
}

/// Imports rows all or nothing, by the registration form's rules. Returns the new ids (in file
/// order), or every row error.
///
/// `commit = false` (the page's preview, the API's `dry_run`) only checks: nothing is written and
/// the ids are empty. The preview used to run the whole import and roll it back, which cost as
/// much as the import itself (docs/benchmarks.md).
///
/// `commit = true` trusts nothing a preview found: it opens the write transaction first, then
/// checks every row again — the organisations of the caller's scope read in that transaction,
/// each campaign a row names checked in it with `campaign::check_in_tx` — and writes the hazards,
/// their timeline and the audit entry in the same transaction. So a preview followed by a change
/// (an organisation stopped or moved out of scope, a campaign ended) makes the confirmation fail
/// with the row's message, and nothing is written.
pub async fn import_rows(
    db: &Db,
    ctx: &Ctx,
    rows: &[ImportRow],
    commit: bool,
) -> Result<std::result::Result<Vec<i64>, Vec<RowError>>> {
    ctx.require(Permission::HazardReport)?;
    if rows.len() > MAX_ROWS {
        return Err(DbError::invalid(
            "file",
            format!("一次最多导入{MAX_ROWS}行，请分批导入"),
        ));
    }
    if !commit {
        // Loaded once: a 10,000-row file must not cost 10,000 organisation lookups.
        let orgs = ScopeOrgs::load(db, ctx).await?;
        return Ok(check_all(db, ctx, &orgs, rows).await?.map(|_| Vec::new()));
    }
    let mut tx = db.begin().await?;
    let orgs = ScopeOrgs::load_in_tx(&mut tx, ctx).await?;
    // Campaign names are resolved through `usable_for_org` (active, covering the organisation);
    // the pairs found are then confirmed inside this transaction.
    let hazards = match check_all(db, ctx, &orgs, rows).await? {
        Ok(h) => h,
        Err(errors) => return Ok(Err(errors)),
    };
    let mut pairs: Vec<(i64, i64)> = hazards
        .iter()
        .filter_map(|h| h.campaign_id.map(|c| (c, h.org_id)))
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    for (campaign_id, org_id) in pairs {
        crate::campaign::check_in_tx(&mut tx, ctx, campaign_id, org_id).await?;
    }
    let ids = insert_batch(&mut tx, ctx, &hazards).await?;
    // One entry for the import: the ids it created (each hazard's timeline says "registered").
    audit::record(
        &mut tx,
        ctx,
        Change::new("hazard", "", "import")
            .after(serde_json::json!({ "rows": ids.len(), "ids": ids })),
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(ids))
}

/// Rows per INSERT. Small on purpose: for every argument sqlx asks SQLite the name of the `?NNN`
/// placeholder, a linear search, so a statement's cost grows with the square of its arguments
/// (500 rows: 150 µs a row; 50 rows: 25 µs a row, measured).
const BATCH: usize = 50;

/// Writes checked hazards as `insert_in_tx` does — the same columns and values (status 待整改,
/// reported by the caller, deadline = original deadline, version 1) and the same "registered"
/// timeline entry — but a few hundred rows per statement: 10,000 rows one at a time cost
/// 70,000 round trips. The checks `insert_in_tx` makes per row (organisation in scope, active,
/// not the bureau; campaign covering it) were made for the whole file in `check_row`.
/// A sheet names no risk point (the official ledger layout has no such column), so
/// `risk_point_id` stays NULL; editing the registration or the risk side (`risk::link_hazard`)
/// can set it afterwards.
async fn insert_batch(tx: &mut crate::Tx, ctx: &Ctx, rows: &[NewHazard]) -> Result<Vec<i64>> {
    let now = crate::now();
    let actor = match ctx.user_ctx() {
        Some(u) if !u.name.trim().is_empty() => u.name.clone(),
        _ => ctx.username(),
    };
    let mut ids = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(BATCH) {
        let mut q = Q::new(
            "INSERT INTO hazard (org_id, location, description, category, grade, major_criterion, \
             found_on, found_by, reported_by, campaign_id, status, immediate, deadline, \
             original_deadline, row_version, created_at, updated_at) VALUES ",
        );
        for (i, h) in chunk.iter().enumerate() {
            q.push(if i == 0 { "(" } else { ", (" });
            q.push_arg(h.org_id)
                .push(", ")
                .push_arg(h.location.as_str());
            q.push(", ").push_arg(h.description.as_str()).push(", ");
            q.push_arg(h.category.as_str())
                .push(", ")
                .push_arg(h.grade.code());
            q.push(", ").push_arg(h.major_criterion.as_str()).push(", ");
            q.push_arg(h.found_on)
                .push(", ")
                .push_arg(h.found_by.as_str());
            q.push(", ")
                .push_arg(ctx.user_id())
                .push(", ")
                .push_arg(h.campaign_id);
            q.push(", ")
                .push_arg(HazardStatus::Pending.code())
                .push(", ");
            q.push_arg(false).push(", ").push_arg(h.deadline).push(", ");
            q.push_arg(h.deadline)
                .push(", 1, ")
                .push_arg(now)
                .push(", ");
            q.push_arg(now).push(")");
        }
        q.push(" RETURNING id");
        let got: Vec<(i64,)> = tx.fetch_all(&q).await?;
        let mut new: Vec<i64> = got.into_iter().map(|(id,)| id).collect();
        // Ids follow the insertion order; RETURNING need not.
        new.sort_unstable();
        let mut ev = Q::new(
            "INSERT INTO hazard_event (hazard_id, at, actor_user_id, actor_name, action, \
             from_status, to_status, note) VALUES ",
        );
        for (i, id) in new.iter().enumerate() {
            ev.push(if i == 0 { "(" } else { ", (" });
            ev.push_arg(*id).push(", ").push_arg(now).push(", ");
            ev.push_arg(ctx.user_id())
                .push(", ")
                .push_arg(actor.as_str());
            ev.push(", 'registered', NULL, ")
                .push_arg(HazardStatus::Pending.code());
            ev.push(", '')");
        }
        tx.execute(&ev).await?;
        ids.extend(new);
    }
    Ok(ids)
}

/// What a ledger row shows for the ids it carries.
#[derive(Debug, Clone, Default)]
pub struct LedgerNames {
    /// Organisation labels for the whole scope (see `ScopeOrgs::label`).
    pub orgs: HashMap<i64, String>,
    pub users: HashMap<i64, String>,
    pub campaigns: HashMap<i64, String>,
    /// "督查 2024-03-01": the inspection a hazard was found in.
    pub inspections: HashMap<i64, String>,
}

impl LedgerNames {
    /// Organisation labels of the caller's scope; the per-page names come with `add_page`.
    pub async fn load(db: &Db, ctx: &Ctx) -> Result<LedgerNames> {
        ctx.require(Permission::HazardView)?;
        let orgs = ScopeOrgs::load(db, ctx).await?;
        let labels = (0..orgs.all.len())
            .map(|i| (orgs.all[i].0, orgs.label(i)))
            .collect();
        Ok(LedgerNames {
            orgs: labels,
            ..Default::default()
        })
    }

    /// Names of the verifiers, campaigns and inspections of a page of rows the caller loaded
    /// through the ledger (so only ids of in-scope hazards are asked for).
    pub async fn add_page(&mut self, db: &Db, rows: &[Hazard]) -> Result<()> {
        fn missing(
            ids: impl Iterator<Item = Option<i64>>,
            known: &HashMap<i64, String>,
        ) -> Vec<i64> {
            let mut v: Vec<i64> = ids.flatten().filter(|i| !known.contains_key(i)).collect();
            v.sort_unstable();
            v.dedup();
            v
        }
        fn in_list(head: &str, ids: &[i64]) -> Q {
            let mut q = Q::new(head);
            q.push(" IN (");
            for (i, id) in ids.iter().enumerate() {
                if i > 0 {
                    q.push(", ");
                }
                q.push_arg(*id);
            }
            q.push(")");
            q
        }
        let users = missing(rows.iter().map(|h| h.verified_by), &self.users);
        if !users.is_empty() {
            let found: Vec<(i64, String)> = db
                .fetch_all(&in_list("SELECT id, name FROM app_user WHERE id", &users))
                .await?;
            self.users.extend(found);
        }
        let campaigns = missing(rows.iter().map(|h| h.campaign_id), &self.campaigns);
        if !campaigns.is_empty() {
            let found: Vec<(i64, String)> = db
                .fetch_all(&in_list(
                    "SELECT id, name FROM campaign WHERE id",
                    &campaigns,
                ))
                .await?;
            self.campaigns.extend(found);
        }
        let inspections = missing(rows.iter().map(|h| h.inspection_id), &self.inspections);
        if !inspections.is_empty() {
            let found: Vec<(i64, String, NaiveDate)> = db
                .fetch_all(&in_list(
                    "SELECT id, kind, inspected_on FROM inspection WHERE id",
                    &inspections,
                ))
                .await?;
            self.inspections
                .extend(found.into_iter().map(|(id, kind, on)| {
                    let label = InspectionKind::from_code(&kind)
                        .map(|k| k.label())
                        .unwrap_or("检查");
                    (id, format!("{label} {on}"))
                }));
        }
        Ok(())
    }
}
