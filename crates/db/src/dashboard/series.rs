//! The hazard series the charts draw: hazards by month and state, and the rectification rate of
//! each organisation right below the dashboard's root. Both are counted with the statistics'
//! own SQL pieces (`statistics::figure`), so a bar and the records page it links to
//! (`/statistics/records?figure=…`) cannot disagree.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use anjian_domain::org::path_within;
use anjian_domain::period::Period;

use crate::error::Result;
use crate::query::{Db, Q};
use crate::statistics::figure::push_hazards;
use crate::statistics::{measures, span};
use crate::Ctx;

/// How many months the monthly chart shows.
pub const MONTHS: usize = 12;

/// One month of hazards found, by where they stood at the month's end (the statistics' measures:
/// rectified = verified and closed by then; open = the rest; overdue = still awaiting
/// rectification past the deadline, a part of open).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthBar {
    pub period: Period,
    pub found: i64,
    pub rectified: i64,
    pub open: i64,
    pub overdue: i64,
}

/// The hazards found in one organisation's subtree below the root (or at the root itself).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitRate {
    pub org_id: i64,
    pub org_name: String,
    /// The root's own records (本级), not those of an organisation below it.
    pub own: bool,
    pub found: i64,
    pub rectified: i64,
    pub open: i64,
    pub overdue: i64,
    /// For the root's own row: the hazards it counts (at most `OWN_IDS`), since the records
    /// page can only list whole subtrees.
    pub ids: Vec<i64>,
}

/// The root's own hazards are linked by id up to this many.
pub const OWN_IDS: i64 = 200;

impl UnitRate {
    /// rectified / found; None when nothing was found.
    pub fn rate(&self) -> Option<f64> {
        (self.found > 0).then(|| self.rectified as f64 / self.found as f64)
    }
}

/// The `MONTHS` months ending with the month of `end`, oldest first.
pub fn months_ending(end: NaiveDate) -> Vec<Period> {
    let mut out = Vec::with_capacity(MONTHS);
    let (mut y, mut m) = (end.year(), end.month());
    for _ in 0..MONTHS {
        if let Some(p) = Period::month(y, m) {
            out.push(p);
        }
        if m == 1 {
            y -= 1;
            m = 12;
        } else {
            m -= 1;
        }
    }
    out.reverse();
    out
}

/// Hazards by month for the `MONTHS` months ending with the month of `end`, in the subtree of
/// `org_id` (default: the caller's organisation; out of scope: NotFound).
pub async fn by_month(
    db: &Db,
    ctx: &Ctx,
    end: NaiveDate,
    org_id: Option<i64>,
) -> Result<Vec<MonthBar>> {
    let mut out = Vec::with_capacity(MONTHS);
    for p in months_ending(end) {
        let s = span(db, ctx, &p, org_id).await?;
        let (found, rectified, open, overdue): (i64, i64, i64, i64) =
            db.fetch_one(&measures("SELECT ", &s)).await?;
        out.push(MonthBar {
            period: p,
            found,
            rectified,
            open,
            overdue,
        });
    }
    Ok(out)
}

/// The hazards found in `period` per organisation right below the root `root` (whose path is
/// `root_path`): each one's subtree, plus the root's own records as one more row when it has
/// any. Worst rate first; organisations without hazards last, by their order in the tree.
pub async fn by_unit(
    db: &Db,
    ctx: &Ctx,
    period: &Period,
    root: i64,
    root_name: &str,
) -> Result<Vec<UnitRate>> {
    let s = span(db, ctx, period, Some(root)).await?;
    let mut q = measures("SELECT h.org_id, ", &s);
    q.push(" GROUP BY h.org_id");
    type Row = (i64, i64, i64, i64, i64);
    let per_org: Vec<Row> = db.fetch_all(&q).await?;

    let children: Vec<(i64, String, String, bool)> = db
        .fetch_all(
            &Q::new(
                "SELECT id, name, path, active FROM org WHERE parent_id = $1 \
                 ORDER BY sort_order, path",
            )
            .bind(root),
        )
        .await?;
    let paths: HashMap<i64, String> = db
        .fetch_all::<(i64, String)>(
            &Q::new("SELECT id, path FROM org WHERE path LIKE $1").bind(s.like.clone()),
        )
        .await?
        .into_iter()
        .collect();
    let mut rows: Vec<UnitRate> = children
        .iter()
        .map(|(id, name, ..)| UnitRate {
            org_id: *id,
            org_name: name.clone(),
            own: false,
            found: 0,
            rectified: 0,
            open: 0,
            overdue: 0,
            ids: Vec::new(),
        })
        .collect();
    let mut own = UnitRate {
        org_id: root,
        org_name: format!("{root_name}（本级）"),
        own: true,
        found: 0,
        rectified: 0,
        open: 0,
        overdue: 0,
        ids: Vec::new(),
    };
    for (org, found, rectified, open, overdue) in per_org {
        let slot = paths
            .get(&org)
            .and_then(|p| children.iter().position(|(_, _, cp, _)| path_within(p, cp)))
            .map(|i| &mut rows[i]);
        let r = match slot {
            Some(r) => r,
            None => &mut own,
        };
        r.found += found;
        r.rectified += rectified;
        r.open += open;
        r.overdue += overdue;
    }
    // Inactive organisations stay only while they have records in the period.
    rows.retain(|r| {
        r.found > 0
            || children
                .iter()
                .any(|(id, _, _, active)| *id == r.org_id && *active)
    });
    if own.found > 0 {
        let mut q = Q::new("SELECT h.id");
        push_hazards(&mut q, &s);
        q.push(" AND h.org_id = ").push_arg(root);
        q.push(" ORDER BY h.id LIMIT ").push_arg(OWN_IDS);
        let ids: Vec<(i64,)> = db.fetch_all(&q).await?;
        own.ids = ids.into_iter().map(|(id,)| id).collect();
        rows.push(own);
    }
    sort_worst_first(&mut rows);
    Ok(rows)
}

/// Lowest rate first, then most open; those without hazards keep their order at the end.
pub fn sort_worst_first(rows: &mut [UnitRate]) {
    rows.sort_by(|a, b| match (a.rate(), b.rate()) {
        (Some(x), Some(y)) => x
            .partial_cmp(&y)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(b.open.cmp(&a.open))
            .then(b.found.cmp(&a.found)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64, found: i64, rectified: i64) -> UnitRate {
        UnitRate {
            org_id: id,
            org_name: id.to_string(),
            own: false,
            found,
            rectified,
            open: found - rectified,
            overdue: 0,
            ids: Vec::new(),
        }
    }

    #[test]
    fn twelve_months_end_with_the_given_month() {
        let m = months_ending(NaiveDate::from_ymd_opt(2026, 2, 14).unwrap());
        assert_eq!(m.len(), 12);
        assert_eq!(m[0].code(), "2025-03");
        assert_eq!(m[11].code(), "2026-02");
        let m = months_ending(NaiveDate::from_ymd_opt(2026, 12, 31).unwrap());
        assert_eq!(
            (m[0].code(), m[11].code()),
            ("2026-01".into(), "2026-12".into())
        );
    }

    #[test]
    fn worst_rate_first_then_most_open_and_empty_ones_last() {
        let mut rows = vec![
            row(1, 0, 0),
            row(2, 10, 10),
            row(3, 4, 2),
            row(4, 2, 1),
            row(5, 0, 0),
            row(6, 3, 0),
        ];
        sort_worst_first(&mut rows);
        let ids: Vec<i64> = rows.iter().map(|r| r.org_id).collect();
        assert_eq!(ids, [6, 3, 4, 2, 1, 5]);
        assert_eq!(rows[0].rate(), Some(0.0));
        assert_eq!(rows[4].rate(), None);
    }
}
