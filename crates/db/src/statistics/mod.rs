//! Statistics of inspections and hazards for a period and an organisation subtree: the figures of
//! the summary report ("共计开展安全检查80次，检查覆盖企业62家，排查一般安全隐患问题106项，已全部完成
//! 整改，无挂牌督办重大隐患"). Everything is counted in the database with GROUP BY over the date
//! indexes; nothing is loaded row by row. Every figure can be traced to its records with
//! `record_ids`, which uses the same conditions (see `figure`).

pub(crate) mod figure;

pub use figure::{Figure, HazardMeasure, RecordKind};

use std::collections::{BTreeMap, BTreeSet};

use chrono::Days;
use serde::Serialize;

use anjian_domain::hazard::HazardGrade;
use anjian_domain::inspection::InspectionKind;
use anjian_domain::period::Period;
use anjian_domain::role::Permission;

use crate::error::{DbError, Result};
use crate::query::{Db, Q};
use crate::Ctx;
use figure::{
    ids_query, push_hazards, push_illegal, push_inspected_units, push_inspections, push_listed,
    push_measure, Span,
};

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct HazardStats {
    /// 安全检查次数.
    pub inspections: i64,
    /// Per kind code (`self_check`, …), every kind present, zero included.
    pub inspections_by_kind: BTreeMap<String, i64>,
    /// 检查覆盖企业: distinct units with at least one inspection (of the unit or one of its sites).
    pub inspected_orgs: i64,
    pub hazards_found: i64,
    pub hazards_general_found: i64,
    pub hazards_major_found: i64,
    pub hazards_general_rectified: i64,
    pub hazards_major_rectified: i64,
    /// Closed with verification on or before the period's last day (see `HazardMeasure`).
    pub hazards_rectified: i64,
    /// Not rectified by the period's end: `hazards_found - hazards_rectified`.
    pub hazards_open: i64,
    pub hazards_overdue: i64,
    /// rectified / found; None when nothing was found.
    pub rectification_rate: Option<f64>,
    /// 挂牌督办: hazards found in the period and listed in the period.
    pub hazards_major_listed: i64,
    /// Inspections that found illegal or unlicensed operation (非法、违法生产经营行为).
    pub illegal_operations_found: i64,
    /// Per campaign (专项行动/重要时段) carried by the inspections or hazards, by campaign id.
    pub per_campaign: Vec<CampaignStats>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CampaignStats {
    pub campaign_id: i64,
    pub name: String,
    pub inspections: i64,
    pub hazards_found: i64,
    pub hazards_rectified: i64,
    pub hazards_open: i64,
}

/// Resolves the subtree: `org_id` (in scope, else NotFound) or the caller's own organisation;
/// the command line without an organisation covers the whole tree.
pub(crate) async fn span(db: &Db, ctx: &Ctx, period: &Period, org_id: Option<i64>) -> Result<Span> {
    let path = match org_id.or(ctx.org_id()) {
        Some(id) => {
            let (path,): (String,) = db
                .fetch_one(
                    &Q::new("SELECT path FROM org WHERE id = $1 AND path LIKE $2")
                        .bind(id)
                        .bind(ctx.scope_like()),
                )
                .await?;
            path
        }
        // Only the command line has no organisation (anonymous callers fail `require` first).
        None => "/".to_string(),
    };
    let today = anjian_domain::time::today(crate::now());
    let after_period = period
        .last
        .checked_add_days(Days::new(1))
        .unwrap_or(period.last);
    let like = format!("{path}%");
    let (inside, all): (i64, i64) = db
        .fetch_one(
            &Q::new("SELECT COUNT(CASE WHEN path LIKE $1 THEN 1 END), COUNT(*) FROM org")
                .bind(like.clone()),
        )
        .await?;
    Ok(Span {
        first: period.first,
        last: period.last,
        everything: inside == all,
        like,
        cutoff: today.min(after_period),
    })
}

/// The statistics of the subtree of `org_id` (default: the caller's organisation) for `period`.
pub async fn hazard_statistics(
    db: &Db,
    ctx: &Ctx,
    period: &Period,
    org_id: Option<i64>,
) -> Result<HazardStats> {
    ctx.require(Permission::HazardView)?;
    let s = span(db, ctx, period, org_id).await?;
    stats_for(db, &s).await
}

fn campaign(all: &mut BTreeMap<i64, CampaignStats>, id: i64) -> &mut CampaignStats {
    all.entry(id).or_insert_with(|| CampaignStats {
        campaign_id: id,
        ..Default::default()
    })
}

type InspectionGroup = (String, Option<i64>, i64, i64);
type HazardGroup = (String, Option<i64>, i64, i64, i64, i64);

async fn stats_for(db: &Db, s: &Span) -> Result<HazardStats> {
    let mut out = HazardStats::default();
    for k in InspectionKind::ALL {
        out.inspections_by_kind.insert(k.code().to_string(), 0);
    }
    let mut campaigns: BTreeMap<i64, CampaignStats> = BTreeMap::new();
    // Inspections: one scan of the period, grouped by kind and campaign.
    let mut q = Q::new("SELECT i.kind, i.campaign_id, COUNT(*), COUNT(CASE WHEN ");
    push_illegal(&mut q);
    q.push(" THEN 1 END)");
    push_inspections(&mut q, s);
    q.push(" GROUP BY i.kind, i.campaign_id");
    let rows: Vec<InspectionGroup> = db.fetch_all(&q).await?;
    for (kind, camp, n, illegal) in rows {
        out.inspections += n;
        out.illegal_operations_found += illegal;
        *out.inspections_by_kind.entry(kind).or_insert(0) += n;
        if let Some(c) = camp {
            campaign(&mut campaigns, c).inspections += n;
        }
    }

    let mut q = Q::new("SELECT COUNT(DISTINCT u.id)");
    push_inspected_units(&mut q, s);
    let (units,): (i64,) = db.fetch_one(&q).await?;
    out.inspected_orgs = units;

    // Hazards: one scan of the period, grouped by grade and campaign, each measure a COUNT of
    // its condition.
    let mut q = measures("SELECT h.grade, h.campaign_id, ", s);
    q.push(" GROUP BY h.grade, h.campaign_id");
    let rows: Vec<HazardGroup> = db.fetch_all(&q).await?;
    for (grade, camp, found, rectified, open, overdue) in rows {
        out.hazards_found += found;
        out.hazards_rectified += rectified;
        out.hazards_open += open;
        out.hazards_overdue += overdue;
        match HazardGrade::from_code(&grade) {
            Some(HazardGrade::Major) => {
                out.hazards_major_found += found;
                out.hazards_major_rectified += rectified;
            }
            _ => {
                out.hazards_general_found += found;
                out.hazards_general_rectified += rectified;
            }
        }
        if let Some(c) = camp {
            let cs = campaign(&mut campaigns, c);
            cs.hazards_found += found;
            cs.hazards_rectified += rectified;
            cs.hazards_open += open;
        }
    }
    out.rectification_rate =
        (out.hazards_found > 0).then(|| out.hazards_rectified as f64 / out.hazards_found as f64);

    let mut q = Q::new("SELECT COUNT(*)");
    push_listed(&mut q, s);
    let (listed,): (i64,) = db.fetch_one(&q).await?;
    out.hazards_major_listed = listed;

    if !campaigns.is_empty() {
        let ids: BTreeSet<i64> = campaigns.keys().copied().collect();
        let mut q = Q::new("SELECT id, name FROM campaign WHERE id IN (");
        for (n, id) in ids.iter().enumerate() {
            if n > 0 {
                q.push(", ");
            }
            q.push_arg(*id);
        }
        q.push(")");
        let names: Vec<(i64, String)> = db.fetch_all(&q).await?;
        for (id, name) in names {
            if let Some(c) = campaigns.get_mut(&id) {
                c.name = name;
            }
        }
    }
    out.per_campaign = campaigns.into_values().collect();
    Ok(out)
}

/// The ids of the records a figure counts (see `Figure::parse` for the codes), ascending:
/// inspection ids, unit (org) ids or hazard ids as `Figure::records` says.
pub async fn record_ids(
    db: &Db,
    ctx: &Ctx,
    period: &Period,
    org_id: Option<i64>,
    figure: &str,
) -> Result<Vec<i64>> {
    ctx.require(Permission::HazardView)?;
    let f = Figure::parse(figure)
        .ok_or_else(|| DbError::invalid("figure", format!("未知的统计项：{}", figure.trim())))?;
    let s = span(db, ctx, period, org_id).await?;
    let rows: Vec<(i64,)> = db.fetch_all(&ids_query(&f, &s)).await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// `SELECT <head>COUNT(*), COUNT(<rectified>), COUNT(<open>), COUNT(<overdue>) FROM hazard …` of
/// the span's hazards: the measures every hazard figure and chart counts, in one scan.
pub(crate) fn measures(head: &str, s: &Span) -> Q {
    let mut q = Q::new(head);
    q.push("COUNT(*)");
    for m in [
        HazardMeasure::Rectified,
        HazardMeasure::Open,
        HazardMeasure::Overdue,
    ] {
        q.push(", COUNT(CASE WHEN ");
        push_measure(&mut q, s, m);
        q.push(" THEN 1 END)");
    }
    push_hazards(&mut q, s);
    q
}
