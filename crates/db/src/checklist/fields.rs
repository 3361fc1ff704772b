//! Field helpers shared by the planning modules (checklists, campaigns, inspection tasks): text
//! and date fields with Chinese messages naming the field, the stale-form conflict, and the unit
//! pickers with their scope check.

use anjian_domain::role::Permission;

use crate::error::Result;
use crate::query::{Db, Tx, Q};
use crate::Ctx;

/// Trims a text field and checks it is present (when required) and not too long, with the
/// Chinese message naming the field. Shared by the planning modules' inputs.
pub(crate) fn text_field(
    errs: &mut crate::FieldErrors,
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

/// The conflict every stale form gets.
pub(crate) fn stale() -> crate::DbError {
    crate::DbError::Conflict("记录已被他人修改，请刷新后重试".into())
}

/// A date field as typed, with the Chinese message naming the field ("开始日期格式不正确…").
pub(crate) fn date_field(
    errs: &mut crate::FieldErrors,
    field: &str,
    label: &str,
    v: &str,
) -> Option<chrono::NaiveDate> {
    match anjian_domain::dates::parse_business_date(v) {
        Ok(d) => Some(d),
        Err(e) => {
            errs.add(field, e.to_string().replacen("日期", label, 1));
            None
        }
    }
}

/// The ids the form or API chose (units of a campaign or task), deduplicated, checked to be
/// active units inside the caller's scope. An unknown or foreign id is a field error, never a
/// silent drop.
pub(crate) async fn units_in_scope(
    tx: &mut Tx,
    ctx: &Ctx,
    field: &str,
    ids: &[i64],
) -> Result<Vec<i64>> {
    let mut ids: Vec<i64> = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    for id in &ids {
        let found: Option<(i64,)> = tx
            .fetch_optional(
                &Q::new("SELECT id FROM org WHERE id = $1 AND kind = 'unit' AND active = $2 AND path LIKE $3")
                    .bind(*id)
                    .bind(true)
                    .bind(ctx.scope_like()),
            )
            .await?;
        if found.is_none() {
            return Err(crate::DbError::invalid(
                field,
                "所选单位不存在、已停用或不在您的管辖范围内",
            ));
        }
    }
    Ok(ids)
}

/// Every active unit in the caller's scope (the 全部单位 shortcut and the unit pickers).
pub async fn units_for_picker(db: &Db, ctx: &Ctx) -> Result<Vec<(i64, String)>> {
    ctx.require(Permission::InspectionView)?;
    db.fetch_all(
        &Q::new("SELECT id, name FROM org WHERE kind = 'unit' AND active = $1 AND path LIKE $2 ORDER BY sort_order, path")
            .bind(true)
            .bind(ctx.scope_like()),
    )
    .await
}

/// One page of a list: `count` gives the total, `q` the rows in `order`.
pub(crate) async fn paged<T: crate::query::Row>(
    db: &Db,
    count: &Q,
    mut q: Q,
    order: &str,
    page: crate::PageReq,
) -> Result<crate::Page<T>> {
    let (total,): (i64,) = db.fetch_one(count).await?;
    q.push(" ORDER BY ").push(order).push(" LIMIT ");
    q.push_arg(page.page_size).push(" OFFSET ");
    q.push_arg(page.offset());
    Ok(crate::Page {
        items: db.fetch_all(&q).await?,
        total,
        page: page.page,
        page_size: page.page_size,
    })
}

/// Sets `active` on a versioned row of `table` (a constant, never input), refusing a stale
/// version.
pub(crate) async fn set_active_row(
    tx: &mut Tx,
    table: &'static str,
    id: i64,
    active: bool,
    row_version: i64,
) -> Result<()> {
    let n = tx
        .execute(
            &Q::new(&format!(
                "UPDATE {table} SET active = $1, row_version = row_version + 1, updated_at = $2 \
                 WHERE id = $3 AND row_version = $4"
            ))
            .bind(active)
            .bind(crate::now())
            .bind(id)
            .bind(row_version),
        )
        .await?;
    if n == 0 {
        return Err(stale());
    }
    Ok(())
}

/// Replaces the unit rows of a campaign or task: `table` and `key` are constants, never input.
pub(crate) async fn replace_units(
    tx: &mut Tx,
    table: &'static str,
    key: &'static str,
    id: i64,
    ids: &[i64],
) -> Result<()> {
    tx.execute(&Q::new(&format!("DELETE FROM {table} WHERE {key} = $1")).bind(id))
        .await?;
    for o in ids {
        tx.execute(
            &Q::new(&format!(
                "INSERT INTO {table} ({key}, org_id) VALUES ($1, $2)"
            ))
            .bind(id)
            .bind(*o),
        )
        .await?;
    }
    Ok(())
}
