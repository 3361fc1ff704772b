//! The pre-publication check: what in the records would make the summary untrue if published as
//! it stands. Each finding names how many records it concerns and where to see them. The closed
//! loop and the database's constraints already refuse most of these; the check still looks, for
//! data that came in another way (an old backup restored, a direct database edit).

use serde::Serialize;

use anjian_domain::period::Period;
use anjian_domain::role::Permission;

use crate::error::Result;
use crate::query::{Db, Q};
use crate::Ctx;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Finding {
    /// Stable code, e.g. `closed_without_evidence`.
    pub code: String,
    /// What is wrong and what the summary would then claim untruly.
    pub message: String,
    pub count: i64,
    /// Ids of the records concerned (at most 200), of the kind `record_kind` names.
    pub ids: Vec<i64>,
    /// `hazard`, `org`, `roster` or `incident`.
    pub record_kind: String,
}

const MAX_IDS: usize = 200;

async fn ids(db: &Db, q: &Q) -> Result<Vec<i64>> {
    let rows: Vec<(i64,)> = db.fetch_all(q).await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

fn finding(code: &str, message: String, all: Vec<i64>, kind: &str) -> Option<Finding> {
    if all.is_empty() {
        return None;
    }
    Some(Finding {
        code: code.into(),
        message,
        count: all.len() as i64,
        ids: all.into_iter().take(MAX_IDS).collect(),
        record_kind: kind.into(),
    })
}

/// The findings for the subtree at `path` (its materialised path) over `period`.
pub async fn check(db: &Db, ctx: &Ctx, period: &Period, path: &str) -> Result<Vec<Finding>> {
    ctx.require(Permission::HazardView)?;
    let like = format!("{path}%");
    let mut out = Vec::new();
    // Hazards counted as rectified in the period (closed, verified by its end) that carry no
    // after-rectification evidence: "已全部完成整改" would rest on nothing.
    let closed = |extra: &str| {
        Q::new(&format!(
            "SELECT h.id FROM hazard h JOIN org o ON o.id = h.org_id \
             WHERE o.path LIKE $1 AND h.found_on >= $2 AND h.found_on <= $3 \
             AND h.status = 'closed' AND h.verified_on <= $3 AND ({extra}) ORDER BY h.id"
        ))
        .bind(like.clone())
        .bind(period.first)
        .bind(period.last)
    };
    out.extend(finding(
        "closed_without_evidence",
        "已销号但没有整改后照片或材料的隐患：总结中的“已整改”缺少佐证".into(),
        ids(
            db,
            &closed(
                "NOT EXISTS (SELECT 1 FROM hazard_attachment a \
                 WHERE a.hazard_id = h.id AND a.kind = 'after')",
            ),
        )
        .await?,
        "hazard",
    ));
    out.extend(finding(
        "verified_by_rectifier",
        "由整改人本人复查验收销号的隐患：不满足“整改与验收分离”".into(),
        ids(db, &closed("h.verified_by = h.rectified_by")).await?,
        "hazard",
    ));
    out.extend(finding(
        "verified_before_rectified",
        "验收日期早于整改完成日期的隐患".into(),
        ids(db, &closed("h.verified_on < h.rectified_on")).await?,
        "hazard",
    ));
    // Active units with nothing at all in the period: the summary speaks for the whole system,
    // so a unit that recorded nothing is either idle or not using the system.
    let silent = ids(
        db,
        &Q::new(
            "SELECT u.id FROM org u WHERE u.kind = 'unit' AND u.active = $4 AND u.path LIKE $1 \
             AND NOT EXISTS (SELECT 1 FROM inspection i JOIN org o ON o.id = i.org_id \
                 WHERE o.path LIKE u.path || '%' AND i.inspected_on >= $2 AND i.inspected_on <= $3) \
             AND NOT EXISTS (SELECT 1 FROM hazard h JOIN org o ON o.id = h.org_id \
                 WHERE o.path LIKE u.path || '%' AND h.found_on >= $2 AND h.found_on <= $3) \
             ORDER BY u.id",
        )
        .bind(like.clone())
        .bind(period.first)
        .bind(period.last)
        .bind(true),
    )
    .await?;
    out.extend(finding(
        "units_without_records",
        "期间内没有任何检查或隐患记录的单位：请核实其是否开展了安全检查并在系统中登记".into(),
        silent,
        "org",
    ));
    // Published duty shifts of the period without a leader on duty: "严格执行领导带班" would not
    // hold for those days. The ids are the rosters'.
    let leaderless = ids(
        db,
        &Q::new(
            "SELECT DISTINCT r.id FROM duty_shift s JOIN duty_roster r ON r.id = s.roster_id \
             JOIN org o ON o.id = r.org_id \
             WHERE o.path LIKE $1 AND r.status = 'published' AND s.duty_date >= $2 \
             AND s.duty_date <= $3 AND TRIM(s.leader_name) = '' ORDER BY r.id",
        )
        .bind(like.clone())
        .bind(period.first)
        .bind(period.last),
    )
    .await?;
    out.extend(finding(
        "duty_without_leader",
        "已发布的值班表中有缺少带班领导的班次：总结中“严格执行领导带班”的表述与记录不符".into(),
        leaderless,
        "roster",
    ));
    // Events of the period whose reporting clock has run out (the initial report or the next
    // follow-up is late): the summary must not present the reporting as timely.
    if ctx.can(Permission::IncidentView) {
        let late: Vec<i64> = crate::incident::todo(db, ctx)
            .await?
            .into_iter()
            .filter(|(i, c)| {
                c.overdue()
                    && i.org_path.starts_with(path)
                    && period.contains(anjian_domain::time::today(i.occurred_at))
            })
            .map(|(i, _)| i.id)
            .collect();
        out.extend(finding(
            "reports_past_deadline",
            "事故/突发事件信息报告已超过报告时限：请补报后再发布总结".into(),
            late,
            "incident",
        ));
    }
    Ok(out)
}
