//! The risk point a hazard was found at (issue 4 §5, "两张皮" no more): checked inside the
//! registration's or edit's own transaction, so a point stopped or moved meanwhile cannot slip
//! in. The risk side reads `hazard.risk_point_id` to raise the point's attention while the
//! hazard is open (`anjian_db::risk`).

use anjian_domain::org::path_within;

use crate::error::{DbError, Result};
use crate::query::{Tx, Q};
use crate::Ctx;

const FIELD: &str = "risk_point_id";

/// Checks that `point_id` may be referenced by a hazard of `org_id`: the point is in the caller's
/// scope, belongs to that organisation or to one below it (a unit's hazard may name a point of
/// one of its sites; a site's hazard never a point of its unit or of another site), and is
/// active. `kept` is the point the hazard references already: an edit may keep it even if it
/// was stopped since, so editing other fields never forces an unlink.
///
/// An id out of scope reads exactly like one that does not exist ("风险点不存在"), so the
/// message reveals nothing about other units.
pub(crate) async fn check(
    tx: &mut Tx,
    ctx: &Ctx,
    org_id: i64,
    point_id: i64,
    kept: Option<i64>,
) -> Result<()> {
    let point: Option<(String, bool)> = tx
        .fetch_optional(
            &Q::new(
                "SELECT o.path, p.active FROM risk_point p JOIN org o ON o.id = p.org_id \
                 WHERE p.id = $1 AND o.path LIKE $2",
            )
            .bind(point_id)
            .bind(ctx.scope_like()),
        )
        .await?;
    let Some((point_path, active)) = point else {
        return Err(DbError::invalid(FIELD, "风险点不存在"));
    };
    // The organisation itself was checked (in scope, active, not the bureau) by the caller.
    let (org_path,): (String,) = tx
        .fetch_one(&Q::new("SELECT path FROM org WHERE id = $1").bind(org_id))
        .await?;
    if !path_within(&point_path, &org_path) {
        return Err(DbError::invalid(
            FIELD,
            "风险点不属于隐患所在单位/库点，请选择本单位/库点的风险点",
        ));
    }
    if !active && kept != Some(point_id) {
        return Err(DbError::invalid(FIELD, "风险点已停用"));
    }
    Ok(())
}
