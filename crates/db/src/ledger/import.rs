//! Template import of a ledger: rows of text cells in the template's column order become entries,
//! all or nothing. Every row is checked first and every error is reported as
//! "第N行【列名】…"; only a clean sheet is written, in one transaction with one audit entry.

use std::collections::HashMap;

use anjian_domain::ledger::LedgerKind;
use anjian_domain::role::Permission;

use super::input::{LedgerInput, NewEntry};
use super::write::{check_in_tx, insert_in_tx};
use crate::audit::{self, Change};
use crate::error::{DbError, Result};
use crate::query::{Db, Q};
use crate::Ctx;

/// Largest import, in rows.
pub const MAX_ROWS: usize = 5000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: usize,
    pub column: String,
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "第{}行【{}】{}", self.line, self.column, self.message)
    }
}

/// The template's columns for a ledger: (input field, header, required). The organisation and
/// the date come first; then the ledger's own fields.
pub fn columns(kind: LedgerKind) -> Vec<(&'static str, &'static str, bool)> {
    let mut c = vec![
        ("org", "单位", true),
        ("entry_date", kind.date_label(), true),
    ];
    c.extend(kind.fields().iter().map(|f| (f.name, f.label, f.required)));
    c
}

/// Organisations in scope by name; a name used twice is ambiguous (None).
async fn org_names(db: &Db, ctx: &Ctx) -> Result<HashMap<String, Option<i64>>> {
    let rows: Vec<(i64, String)> = db
        .fetch_all(
            &Q::new("SELECT id, name FROM org WHERE path LIKE $1 AND active = $2")
                .bind(ctx.scope_like())
                .bind(true),
        )
        .await?;
    let mut m: HashMap<String, Option<i64>> = HashMap::new();
    for (id, name) in rows {
        m.entry(name).and_modify(|v| *v = None).or_insert(Some(id));
    }
    Ok(m)
}

async fn campaign_names(db: &Db) -> Result<HashMap<String, i64>> {
    let rows: Vec<(i64, String)> = db
        .fetch_all(&Q::new("SELECT id, name FROM campaign ORDER BY id"))
        .await?;
    Ok(rows.into_iter().map(|(i, n)| (n, i)).collect())
}

fn label_of(kind: LedgerKind, field: &str) -> String {
    let field = field.split('[').next().unwrap_or(field);
    match field {
        "org_id" => "单位".into(),
        "entry_date" => kind.date_label().into(),
        "campaign_id" => "专项行动".into(),
        _ => kind
            .field(field)
            .map(|f| f.label.to_string())
            .unwrap_or_else(|| field.to_string()),
    }
}

/// Checks every row and, when all are clean, writes them. `commit: false` is the preview: the
/// same checks and inserts inside a transaction that is rolled back. Ok(Err(errors)) when any
/// row is refused; then nothing is written.
pub async fn import_rows(
    db: &Db,
    ctx: &Ctx,
    kind: LedgerKind,
    rows: &[(usize, Vec<String>)],
    commit: bool,
) -> Result<std::result::Result<Vec<i64>, Vec<RowError>>> {
    ctx.require(Permission::LedgerRecord)?;
    if rows.len() > MAX_ROWS {
        return Err(DbError::invalid(
            "file",
            format!("一次最多导入{MAX_ROWS}行，请分批导入"),
        ));
    }
    if rows.is_empty() {
        return Err(DbError::invalid("file", "文件中没有数据行"));
    }
    let cols = columns(kind);
    let orgs = org_names(db, ctx).await?;
    let campaigns = campaign_names(db).await?;
    let funding = super::settings::funding_choices(db, None).await?;
    let mut errors = Vec::new();
    let mut parsed: Vec<(usize, NewEntry)> = Vec::with_capacity(rows.len());
    for (line, cells) in rows {
        let cell = |i: usize| {
            cells
                .get(i)
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        };
        let mut input = LedgerInput::default();
        let mut row_errs = Vec::new();
        for (i, (name, label, _)) in cols.iter().enumerate() {
            let v = cell(i);
            match *name {
                "org" => {
                    match orgs.get(&v) {
                        Some(Some(id)) => input.org_id = Some(*id),
                        Some(None) => row_errs
                            .push(("单位".to_string(), format!("“{v}”有重名，请联系管理员"))),
                        None if v.is_empty() => {}
                        None => row_errs
                            .push(("单位".to_string(), format!("“{v}”不存在或不在管辖范围内"))),
                    }
                }
                "campaign_id" if !v.is_empty() => match campaigns.get(&v) {
                    Some(id) => input.campaign_id = Some(*id),
                    None => row_errs.push((label.to_string(), format!("“{v}”不存在"))),
                },
                _ => input.set(name, v),
            }
        }
        match input.parse(kind, &funding) {
            Ok(e) if row_errs.is_empty() => parsed.push((*line, e)),
            Ok(_) => {}
            Err(DbError::Invalid(fe)) => {
                for (field, msg) in fe.0 {
                    // The organisation error is already reported by name.
                    if field == "org_id" && row_errs.iter().any(|(c, _)| c == "单位") {
                        continue;
                    }
                    row_errs.push((label_of(kind, &field), msg));
                }
            }
            Err(e) => return Err(e),
        }
        for (column, message) in row_errs {
            errors.push(RowError {
                line: *line,
                column,
                message,
            });
        }
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let mut tx = db.begin().await?;
    let mut ids = Vec::with_capacity(parsed.len());
    for (line, e) in &parsed {
        match check_in_tx(&mut tx, ctx, e).await {
            Ok(()) => {}
            Err(DbError::Invalid(fe)) => {
                for (field, msg) in fe.0 {
                    errors.push(RowError {
                        line: *line,
                        column: label_of(kind, &field),
                        message: msg,
                    });
                }
                continue;
            }
            Err(e) => return Err(e),
        }
        ids.push(insert_in_tx(&mut tx, ctx, kind, e).await?);
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    audit::record(
        &mut tx,
        ctx,
        Change::new("ledger_entry", "", "import")
            .after(serde_json::json!({ "kind": kind.code(), "rows": ids.len(), "ids": ids })),
    )
    .await?;
    if commit {
        tx.commit().await?;
    }
    Ok(Ok(ids))
}
