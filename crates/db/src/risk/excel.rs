//! The register as a spreadsheet (安全风险分级管控清单): rows in the sheet's column order for the
//! export, and the import of such a sheet, all or nothing, with "第N行【列名】…" errors.

use std::collections::HashMap;

use serde::Serialize;

use anjian_domain::risk::{factor_name, MeasureType, PointKind};
use anjian_domain::role::Permission;

use super::common::{push_in, MEASURE_COLS};
use super::measure::{insert_measure, NewMeasure};
use super::point::{insert_point, NewPoint};
use super::record::{insert_risk, NewRisk};
use super::{Measure, PointInput, RiskFilter, RiskInput, RowError};
use crate::audit::{self, Change};
use crate::error::{DbError, Result};
use crate::query::{Db, Q};
use crate::Ctx;

/// Largest import, in data rows.
pub const MAX_ROWS: usize = 10_000;

/// The columns of the 安全风险分级管控清单, in order; `register_rows` yields cells in this order
/// and the import reads them by these names.
pub const COLUMNS: &[&str] = &[
    "序号",
    "单位/库点",
    "风险点名称",
    "风险点类型",
    "所在位置",
    "风险描述",
    "危险有害因素",
    "可能导致的事故类型",
    "后果",
    "评价方法",
    "L",
    "E",
    "C",
    "S",
    "风险值",
    "风险等级",
    "直接判定依据",
    "管控层级",
    "工程技术措施",
    "管理措施",
    "培训教育措施",
    "个体防护措施",
    "应急处置措施",
    "责任人",
    "评估日期",
];

/// One row of a sheet (import) or of the register (export), cells as text in `COLUMNS` order
/// (without 序号). Several factors, accident types or measures are separated by "、", "；" or
/// line breaks.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RiskImportRow {
    /// Row number in the sheet, as Excel shows it (export: the 序号).
    pub line: usize,
    pub org: String,
    pub point_name: String,
    pub point_kind: String,
    pub location: String,
    pub description: String,
    pub factors: String,
    pub accident_types: String,
    pub consequence: String,
    pub method: String,
    pub l: String,
    pub e: String,
    pub c: String,
    pub s: String,
    /// Ignored by the import (computed); written by the export.
    pub score: String,
    /// Ignored by the import (computed); written by the export.
    pub level: String,
    pub direct_reason: String,
    pub tier: String,
    pub engineering: String,
    pub management: String,
    pub training: String,
    pub protective: String,
    pub emergency: String,
    pub responsible: String,
    pub assessed_on: String,
}

impl RiskImportRow {
    /// The cells in `COLUMNS` order, 序号 first.
    pub fn cells(&self) -> Vec<String> {
        vec![
            self.line.to_string(),
            self.org.clone(),
            self.point_name.clone(),
            self.point_kind.clone(),
            self.location.clone(),
            self.description.clone(),
            self.factors.clone(),
            self.accident_types.clone(),
            self.consequence.clone(),
            self.method.clone(),
            self.l.clone(),
            self.e.clone(),
            self.c.clone(),
            self.s.clone(),
            self.score.clone(),
            self.level.clone(),
            self.direct_reason.clone(),
            self.tier.clone(),
            self.engineering.clone(),
            self.management.clone(),
            self.training.clone(),
            self.protective.clone(),
            self.emergency.clone(),
            self.responsible.clone(),
            self.assessed_on.clone(),
        ]
    }
}

/// The organisations of the caller's scope, loaded once per import or export.
struct ScopeOrgs {
    /// (id, parent_id, name, kind, active)
    all: Vec<(i64, Option<i64>, String, String, bool)>,
    by_id: HashMap<i64, usize>,
    by_name: HashMap<String, Vec<usize>>,
}

impl ScopeOrgs {
    async fn load(db: &Db, ctx: &Ctx) -> Result<ScopeOrgs> {
        let all: Vec<(i64, Option<i64>, String, String, bool)> = db
            .fetch_all(
                &Q::new("SELECT id, parent_id, name, kind, active FROM org WHERE path LIKE $1 ORDER BY path")
                    .bind(ctx.scope_like()),
            )
            .await?;
        let mut by_id = HashMap::new();
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, o) in all.iter().enumerate() {
            by_id.insert(o.0, i);
            by_name.entry(o.2.clone()).or_default().push(i);
        }
        Ok(ScopeOrgs {
            all,
            by_id,
            by_name,
        })
    }

    fn parent_name(&self, i: usize) -> Option<&str> {
        let p = self.all[i].1?;
        self.by_id.get(&p).map(|&j| self.all[j].2.as_str())
    }

    /// Name, or "上级名称/名称" when the name repeats in scope (so the import finds it again).
    fn label(&self, id: i64) -> String {
        let Some(&i) = self.by_id.get(&id) else {
            return id.to_string();
        };
        let name = &self.all[i].2;
        if self.by_name.get(name).is_some_and(|v| v.len() > 1) {
            if let Some(p) = self.parent_name(i) {
                return format!("{p}/{name}");
            }
        }
        name.clone()
    }

    fn resolve(&self, text: &str) -> std::result::Result<i64, String> {
        let t = text.trim();
        if t.is_empty() {
            return Err("不能为空，请填写单位或库点的名称或编号".into());
        }
        let found: Vec<usize> = if let Ok(id) = t.parse::<i64>() {
            self.by_id.get(&id).map(|&i| vec![i]).unwrap_or_default()
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
            return Err(format!("“{name}”是局机关，风险点须建在单位或库点上"));
        }
        if !active {
            return Err(format!("“{name}”已停用"));
        }
        Ok(*id)
    }
}

/// Several values in one cell: "、", "；", ";", "，", "," or line breaks.
fn split_cell(s: &str) -> Vec<String> {
    s.split(['、', '；', ';', '，', ',', '\n', '\r'])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(String::from)
        .collect()
}

/// Factors in one cell. A GB/T 13861 name may itself hold a separator (心理、生理性危险和有害因素),
/// and the export writes names, so such a name is read as its code before the cell is split.
fn split_factors(s: &str) -> Vec<String> {
    let mut s = s.to_string();
    for (code, name) in anjian_domain::risk::FACTOR_CATEGORIES {
        if name.contains(['、', '；', ';', '，', ',']) {
            s = s.replace(name, code);
        }
    }
    split_cell(&s)
}

/// Measures in one cell: one a line (or separated by "；").
fn split_measures(s: &str) -> Vec<String> {
    s.split(['；', ';', '\n', '\r'])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(String::from)
        .collect()
}

fn column_of(field: &str) -> &'static str {
    match field {
        "description" => COLUMNS[5],
        "factors" => COLUMNS[6],
        "accident_types" | "accident_standard" => COLUMNS[7],
        "consequence" => COLUMNS[8],
        "method" => COLUMNS[9],
        "l" => COLUMNS[10],
        "e" => COLUMNS[11],
        "c" => COLUMNS[12],
        "s" => COLUMNS[13],
        "reason" => COLUMNS[16],
        "control_tier" => COLUMNS[17],
        "assessed_on" => COLUMNS[24],
        "org_id" => COLUMNS[1],
        "name" => COLUMNS[2],
        "kind" => COLUMNS[3],
        "location" => COLUMNS[4],
        "responsible_name" => COLUMNS[23],
        _ => "数据",
    }
}

/// "风险描述不能为空" under 【风险描述】 reads "不能为空".
fn strip_label(column: &str, message: &str) -> String {
    let m = message.strip_prefix(column).unwrap_or(message);
    m.trim_start_matches(['：', ':']).to_string()
}

/// The register as sheet rows (active risks matching the filter, up to `limit`), in the order of
/// the register, with names instead of codes so the sheet imports back.
pub async fn register_rows(
    db: &Db,
    ctx: &Ctx,
    f: &RiskFilter,
    limit: i64,
) -> Result<Vec<RiskImportRow>> {
    ctx.require(Permission::RiskView)?;
    let orgs = ScopeOrgs::load(db, ctx).await?;
    let risks = super::register::all(db, ctx, f, limit).await?;
    let mut measures: HashMap<i64, Vec<Measure>> = HashMap::new();
    for chunk in risks.chunks(500) {
        let ids: Vec<i64> = chunk.iter().map(|r| r.id).collect();
        let mut q = Q::new(&format!(
            "SELECT {MEASURE_COLS} FROM risk_measure m WHERE m.active = "
        ));
        q.push_arg(true).push(" AND m.risk_id");
        push_in(&mut q, &ids);
        q.push(" ORDER BY m.id");
        for m in db.fetch_all::<Measure>(&q).await? {
            measures.entry(m.risk_id).or_default().push(m);
        }
    }
    let mut out = Vec::with_capacity(risks.len());
    for (i, r) in risks.iter().enumerate() {
        let ms = measures.get(&r.id).map(Vec::as_slice).unwrap_or(&[]);
        let of = |t: MeasureType| {
            ms.iter()
                .filter(|m| m.measure_type == t.code())
                .map(|m| m.content.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        };
        let mut responsible: Vec<&str> = Vec::new();
        for m in ms {
            if !m.responsible_name.is_empty() && !responsible.contains(&m.responsible_name.as_str())
            {
                responsible.push(&m.responsible_name);
            }
        }
        out.push(RiskImportRow {
            line: i + 1,
            org: orgs.label(r.org_id),
            point_name: r.point_name.clone(),
            point_kind: PointKind::from_code(&r.point_kind)
                .map(|k| k.label().to_string())
                .unwrap_or_default(),
            location: r.point_location.clone(),
            description: r.description.clone(),
            factors: r.factor_names().join("、"),
            accident_types: r.accident_type_names().join("、"),
            consequence: r.consequence.clone(),
            method: match r.method.as_str() {
                "lec" => "LEC".into(),
                "ls" => "LS".into(),
                _ => "直接判定".into(),
            },
            l: r.factor_text('l'),
            e: r.factor_text('e'),
            c: r.factor_text('c'),
            s: r.factor_text('s'),
            score: r.score_text(),
            level: r.level_label().to_string(),
            direct_reason: r.direct_reason.clone(),
            tier: r.tier_label().to_string(),
            engineering: of(MeasureType::Engineering),
            management: of(MeasureType::Management),
            training: of(MeasureType::Training),
            protective: of(MeasureType::Protective),
            emergency: of(MeasureType::Emergency),
            responsible: responsible.join("、"),
            assessed_on: r.assessed_on.to_string(),
        });
    }
    Ok(out)
}

/// A checked row, ready to write.
struct Checked {
    org_id: i64,
    point_name: String,
    /// Set when the point does not exist yet (first row naming it).
    new_point: Option<NewPoint>,
    risk: NewRisk,
    measures: Vec<NewMeasure>,
}

/// Imports rows all or nothing (RiskManage): every row checked first (all errors reported);
/// a point is found by (organisation, name) or created; each row is one risk with its first
/// assessment and measures. Writes in one transaction that commits only with `commit` (the
/// preview runs the same statements and rolls back). Returns the new risk ids or the errors.
pub async fn import_rows(
    db: &Db,
    ctx: &Ctx,
    rows: &[RiskImportRow],
    commit: bool,
) -> Result<std::result::Result<Vec<i64>, Vec<RowError>>> {
    ctx.require(Permission::RiskManage)?;
    if rows.len() > MAX_ROWS {
        return Err(DbError::invalid(
            "file",
            format!("一次最多导入{MAX_ROWS}行，请分批导入"),
        ));
    }
    let rules = super::settings::rules(db).await?;
    let orgs = ScopeOrgs::load(db, ctx).await?;
    // Existing active points of the scope, by (organisation, name).
    let existing: Vec<(i64, i64, String)> = db
        .fetch_all(
            &Q::new(
                "SELECT p.id, p.org_id, p.name FROM risk_point p JOIN org o ON o.id = p.org_id \
                 WHERE p.active = $1 AND o.path LIKE $2",
            )
            .bind(true)
            .bind(ctx.scope_like()),
        )
        .await?;
    let points: HashMap<(i64, String), i64> = existing
        .into_iter()
        .map(|(id, org, name)| ((org, name), id))
        .collect();
    let mut seen_new: Vec<(i64, String)> = Vec::new();
    let mut errors: Vec<RowError> = Vec::new();
    let mut checked: Vec<Checked> = Vec::new();
    for row in rows {
        let start = errors.len();
        let mut err = |column: &'static str, message: String| {
            errors.push(RowError {
                line: row.line,
                column,
                message,
            })
        };
        let org_id = orgs.resolve(&row.org).map_err(|m| err(COLUMNS[1], m)).ok();
        let point_name = row.point_name.trim().to_string();
        if point_name.is_empty() {
            err(COLUMNS[2], "不能为空".into());
        }
        let mut new_point = None;
        if let Some(org_id) = org_id.filter(|_| !point_name.is_empty()) {
            let key = (org_id, point_name.clone());
            if !points.contains_key(&key) && !seen_new.contains(&key) {
                let input = PointInput {
                    org_id: Some(org_id),
                    kind: row.point_kind.clone(),
                    name: point_name.clone(),
                    location: row.location.clone(),
                    responsible_name: row.responsible.clone(),
                    ..Default::default()
                };
                match input.parse() {
                    Ok(p) => new_point = Some(p),
                    Err(DbError::Invalid(f)) => {
                        for (field, m) in f.0 {
                            let c = column_of(&field);
                            err(c, strip_label(c, &m));
                        }
                    }
                    Err(e) => return Err(e),
                }
                seen_new.push(key);
            }
        }
        // Factor and accident cells are checked here so the message names the entry.
        let factors = split_factors(&row.factors);
        for f in &factors {
            if factor_name(f).is_none()
                && !anjian_domain::risk::FACTOR_CATEGORIES
                    .iter()
                    .any(|(_, n)| n == f)
            {
                err(
                    COLUMNS[6],
                    format!("“{f}”不是GB/T 13861的危险和有害因素类别"),
                );
            }
        }
        let accidents = split_cell(&row.accident_types);
        let std = anjian_domain::accident::CURRENT;
        for a in &accidents {
            if std.parse(a).is_none() {
                err(COLUMNS[7], format!("“{a}”不是{}的事故类别", std.code));
            }
        }
        let input = RiskInput {
            description: row.description.clone(),
            factors: if errors.len() == start {
                factors
            } else {
                Vec::new()
            },
            accident_types: accidents,
            consequence: row.consequence.clone(),
            method: row.method.clone(),
            l: row.l.clone(),
            e: row.e.clone(),
            c: row.c.clone(),
            s: row.s.clone(),
            reason: row.direct_reason.clone(),
            control_tier: row.tier.clone(),
            assessed_on: row.assessed_on.clone(),
            ..Default::default()
        };
        let flagged: Vec<&'static str> = errors[start..].iter().map(|e| e.column).collect();
        let risk = match input.parse(&rules) {
            Ok(r) => Some(r),
            Err(DbError::Invalid(f)) => {
                for (field, m) in f.0 {
                    let c = column_of(&field);
                    if !flagged.contains(&c) {
                        errors.push(RowError {
                            line: row.line,
                            column: c,
                            message: strip_label(c, &m),
                        });
                    }
                }
                None
            }
            Err(e) => return Err(e),
        };
        let mut measures = Vec::new();
        for (t, cell) in [
            (MeasureType::Engineering, &row.engineering),
            (MeasureType::Management, &row.management),
            (MeasureType::Training, &row.training),
            (MeasureType::Protective, &row.protective),
            (MeasureType::Emergency, &row.emergency),
        ] {
            for content in split_measures(cell) {
                if content.chars().count() > 500 {
                    errors.push(RowError {
                        line: row.line,
                        column: COLUMNS[18 + t as usize],
                        message: "每条措施不能超过500个字".into(),
                    });
                    continue;
                }
                measures.push(NewMeasure {
                    measure_type: t,
                    content,
                    tier: None,
                    responsible_user_id: None,
                    responsible_name: row.responsible.trim().chars().take(50).collect(),
                });
            }
        }
        if errors.len() == start {
            if let (Some(org_id), Some(risk)) = (org_id, risk) {
                checked.push(Checked {
                    org_id,
                    point_name,
                    new_point,
                    risk,
                    measures,
                });
            }
        }
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let mut tx = db.begin().await?;
    let mut made: HashMap<(i64, String), i64> = HashMap::new();
    let mut new_points = Vec::new();
    let mut ids = Vec::with_capacity(checked.len());
    for mut c in checked {
        let key = (c.org_id, c.point_name.clone());
        let point_id = match points.get(&key).or_else(|| made.get(&key)) {
            Some(id) => *id,
            None => {
                let Some(p) = c.new_point.as_ref() else {
                    return Err(DbError::Other("import: point missing".into()));
                };
                let id = insert_point(&mut tx, p).await?;
                made.insert(key, id);
                new_points.push(id);
                id
            }
        };
        let id = insert_risk(&mut tx, ctx, point_id, c.org_id, &c.risk).await?;
        for m in c.measures.iter_mut() {
            insert_measure(&mut tx, ctx, id, point_id, c.org_id, c.risk.tier.code(), m).await?;
        }
        ids.push(id);
    }
    audit::record(
        &mut tx,
        ctx,
        Change::new("risk", "", "import").after(serde_json::json!({
            "rows": ids.len(), "risk_ids": ids, "new_point_ids": new_points
        })),
    )
    .await?;
    if commit {
        tx.commit().await?;
    }
    // Without commit, dropping the transaction rolls everything back.
    Ok(Ok(ids))
}
