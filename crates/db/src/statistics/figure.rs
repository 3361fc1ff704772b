//! The figures of the statistics and the SQL that decides what each one counts. The counts in
//! `hazard_statistics` and the id lists of `record_ids` are built from the same pieces below, so
//! a figure and the records it links to cannot disagree.

use chrono::NaiveDate;

use anjian_domain::hazard::HazardGrade;
use anjian_domain::inspection::InspectionKind;

use crate::query::Q;

/// The period and subtree a statistic covers, resolved once.
#[derive(Debug, Clone)]
pub(crate) struct Span {
    pub first: NaiveDate,
    pub last: NaiveDate,
    /// `LIKE` pattern of the subtree: the root's materialised path and `%`.
    pub like: String,
    /// The subtree is every organisation there is (the root of a one-bureau tree): the org
    /// filter is then left out, which lets both databases read the period from the date index in
    /// table order instead of hopping from organisation to organisation (measured: 0.22 s
    /// against 0.6 s for a year of a million hazards on SQLite).
    pub everything: bool,
    /// Overdue means the deadline lies before this day: the day after the period, or today while
    /// the period is still running (`hazard::is_overdue` with `today = min(today, last + 1)`).
    pub cutoff: NaiveDate,
}

/// Which records a hazard figure counts, among the hazards found in the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HazardMeasure {
    Found,
    /// Closed, with the verification dated on or before the period's last day: a hazard closed
    /// after the period ends was not rectified *in* it. This keeps a past period's figures
    /// stable however late the report is written.
    Rectified,
    /// Found in the period and not rectified by its end (the complement of `Rectified`, so found
    /// = rectified + open and "剩余Z项正在整改" adds up). A hazard closed after the period ends
    /// is therefore still open for that period.
    Open,
    /// Still awaiting rectification (待整改 / 整改中, as of now) with its deadline before the
    /// cutoff — `anjian_domain::hazard::is_overdue`. Always a subset of `Open`.
    Overdue,
}

/// What a figure counts; parsed from the code that travels in links (`figure=hazards_open`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Figure {
    Inspections {
        kind: Option<InspectionKind>,
        campaign: Option<i64>,
    },
    IllegalOperations,
    InspectedOrgs,
    Hazards {
        measure: HazardMeasure,
        grade: Option<HazardGrade>,
        campaign: Option<i64>,
    },
    MajorListed,
}

/// The kind of record a figure's ids name, for links.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    Inspection,
    Org,
    Hazard,
}

fn measure_code(m: HazardMeasure) -> &'static str {
    match m {
        HazardMeasure::Found => "found",
        HazardMeasure::Rectified => "rectified",
        HazardMeasure::Open => "open",
        HazardMeasure::Overdue => "overdue",
    }
}

fn measure_label(m: HazardMeasure) -> &'static str {
    match m {
        HazardMeasure::Found => "排查发现",
        HazardMeasure::Rectified => "已整改",
        HazardMeasure::Open => "未整改",
        HazardMeasure::Overdue => "逾期未整改",
    }
}

fn measure_from(code: &str) -> Option<HazardMeasure> {
    [
        HazardMeasure::Found,
        HazardMeasure::Rectified,
        HazardMeasure::Open,
        HazardMeasure::Overdue,
    ]
    .into_iter()
    .find(|m| measure_code(*m) == code)
}

impl Figure {
    /// `inspections`, `inspections_by_kind.self_check`, `inspected_orgs`, `hazards_found`,
    /// `hazards_general_rectified`, `hazards_overdue`, `hazards_major_listed`,
    /// `illegal_operations_found`, `per_campaign.7.hazards_open` …: the field names of
    /// `HazardStats`.
    pub fn parse(code: &str) -> Option<Figure> {
        let code = code.trim();
        if let Some(rest) = code.strip_prefix("per_campaign.") {
            let (id, field) = rest.split_once('.')?;
            let id: i64 = id.parse().ok().filter(|i| *i > 0)?;
            return match field {
                "inspections" => Some(Figure::Inspections {
                    kind: None,
                    campaign: Some(id),
                }),
                f => {
                    let measure = measure_from(f.strip_prefix("hazards_")?)?;
                    (measure != HazardMeasure::Overdue).then_some(Figure::Hazards {
                        measure,
                        grade: None,
                        campaign: Some(id),
                    })
                }
            };
        }
        if let Some(kind) = code.strip_prefix("inspections_by_kind.") {
            return Some(Figure::Inspections {
                kind: Some(InspectionKind::from_code(kind)?),
                campaign: None,
            });
        }
        match code {
            "inspections" => {
                return Some(Figure::Inspections {
                    kind: None,
                    campaign: None,
                })
            }
            "illegal_operations_found" => return Some(Figure::IllegalOperations),
            "inspected_orgs" => return Some(Figure::InspectedOrgs),
            "hazards_major_listed" => return Some(Figure::MajorListed),
            _ => {}
        }
        let rest = code.strip_prefix("hazards_")?;
        let (grade, rest) = if let Some(r) = rest.strip_prefix("general_") {
            (Some(HazardGrade::General), r)
        } else if let Some(r) = rest.strip_prefix("major_") {
            (Some(HazardGrade::Major), r)
        } else {
            (None, rest)
        };
        let measure = measure_from(rest)?;
        // Overdue is only reported for all grades together (as in HazardStats).
        if grade.is_some() && !matches!(measure, HazardMeasure::Found | HazardMeasure::Rectified) {
            return None;
        }
        Some(Figure::Hazards {
            measure,
            grade,
            campaign: None,
        })
    }

    /// The code `parse` reads back.
    pub fn code(&self) -> String {
        match *self {
            Figure::Inspections {
                kind: None,
                campaign: None,
            } => "inspections".into(),
            Figure::Inspections { kind: Some(k), .. } => {
                format!("inspections_by_kind.{}", k.code())
            }
            Figure::Inspections {
                kind: None,
                campaign: Some(c),
            } => format!("per_campaign.{c}.inspections"),
            Figure::IllegalOperations => "illegal_operations_found".into(),
            Figure::InspectedOrgs => "inspected_orgs".into(),
            Figure::MajorListed => "hazards_major_listed".into(),
            Figure::Hazards {
                measure,
                grade,
                campaign,
            } => {
                let m = measure_code(measure);
                match (grade, campaign) {
                    (_, Some(c)) => format!("per_campaign.{c}.hazards_{m}"),
                    (Some(g), None) => format!("hazards_{}_{m}", g.code()),
                    (None, None) => format!("hazards_{m}"),
                }
            }
        }
    }

    /// What the figure is, in Chinese, for the records page.
    pub fn label(&self) -> String {
        match *self {
            Figure::Inspections { kind, campaign } => {
                let k = kind.map_or("", InspectionKind::label);
                let c = if campaign.is_some() {
                    "专项行动中的"
                } else {
                    ""
                };
                format!(
                    "{c}安全检查{}",
                    if k.is_empty() {
                        String::new()
                    } else {
                        format!("（{k}）")
                    }
                )
            }
            Figure::IllegalOperations => "发现非法、违法生产经营行为的检查".into(),
            Figure::InspectedOrgs => "检查覆盖单位".into(),
            Figure::MajorListed => "挂牌督办的重大隐患".into(),
            Figure::Hazards {
                measure,
                grade,
                campaign,
            } => {
                let g = grade.map_or("隐患", HazardGrade::label);
                let c = if campaign.is_some() {
                    "专项行动中"
                } else {
                    ""
                };
                format!("{c}{}的{g}", measure_label(measure))
            }
        }
    }

    pub fn records(&self) -> RecordKind {
        match self {
            Figure::Inspections { .. } | Figure::IllegalOperations => RecordKind::Inspection,
            Figure::InspectedOrgs => RecordKind::Org,
            Figure::Hazards { .. } | Figure::MajorListed => RecordKind::Hazard,
        }
    }
}

/// ` AND <alias>.org_id IN <the subtree>`: the subtree's ids once (SQLite builds a temporary
/// index of them, PostgreSQL a hash) rather than a LIKE against the org path for every row.
fn push_in_subtree(q: &mut Q, s: &Span, alias: &str) {
    if s.everything {
        return;
    }
    q.push(&format!(
        " AND {alias}.org_id IN (SELECT id FROM org WHERE path LIKE "
    ))
    .push_arg(s.like.clone());
    q.push(")");
}

/// ` FROM inspection i WHERE <live, in the period, in the subtree>`.
pub(crate) fn push_inspections(q: &mut Q, s: &Span) {
    q.push(" FROM inspection i WHERE i.deleted_at IS NULL AND i.inspected_on >= ")
        .push_arg(s.first);
    q.push(" AND i.inspected_on <= ").push_arg(s.last);
    push_in_subtree(q, s, "i");
}

/// The condition of illegal-operation findings among `push_inspections` rows.
pub(crate) fn push_illegal(q: &mut Q) {
    q.push("i.illegal_operation = ").push_arg(true);
}

/// ` FROM … ` yielding `u.id`: the units (局属单位/企事业单位) inspected in the period. An
/// inspection of a site counts for the unit above it, found through the materialised path; one of
/// the bureau or of a bureau department counts for none. The LIKE runs once per distinct inspected
/// organisation, not per inspection.
pub(crate) fn push_inspected_units(q: &mut Q, s: &Span) {
    q.push(" FROM (SELECT DISTINCT i.org_id");
    push_inspections(q, s);
    q.push(") x JOIN org o ON o.id = x.org_id JOIN org u ON u.kind = 'unit' AND o.path LIKE u.path || '%'");
}

/// ` FROM hazard h WHERE <live, found in the period, in the subtree>`.
pub(crate) fn push_hazards(q: &mut Q, s: &Span) {
    q.push(" FROM hazard h WHERE ");
    push_hazard_conditions(q, s);
}

fn push_hazard_conditions(q: &mut Q, s: &Span) {
    q.push("h.deleted_at IS NULL AND h.found_on >= ")
        .push_arg(s.first);
    q.push(" AND h.found_on <= ").push_arg(s.last);
    push_in_subtree(q, s, "h");
}

/// The condition of a measure among `push_hazards` rows (`Found` is every row).
pub(crate) fn push_measure(q: &mut Q, s: &Span, m: HazardMeasure) {
    match m {
        HazardMeasure::Found => {
            q.push("1 = 1");
        }
        HazardMeasure::Rectified => {
            q.push("(h.status = 'closed' AND h.verified_on <= ")
                .push_arg(s.last);
            q.push(")");
        }
        HazardMeasure::Open => {
            // verified_on is never NULL on a closed row (CHECK constraint), so this is exactly
            // NOT Rectified.
            q.push("(h.status <> 'closed' OR h.verified_on > ")
                .push_arg(s.last);
            q.push(")");
        }
        HazardMeasure::Overdue => {
            q.push("(h.status IN ('pending', 'rectifying') AND h.deadline < ")
                .push_arg(s.cutoff);
            q.push(")");
        }
    }
}

/// ` FROM …` of the hazards found and listed for supervision (挂牌督办) in the period. Driven by
/// the listings, a handful, rather than by the period's hazards (`CROSS JOIN` fixes that order
/// in SQLite; PostgreSQL plans it alike from its statistics).
pub(crate) fn push_listed(q: &mut Q, s: &Span) {
    q.push(
        " FROM hazard_listing l CROSS JOIN hazard h WHERE h.id = l.hazard_id AND l.listed_on >= ",
    )
    .push_arg(s.first);
    q.push(" AND l.listed_on <= ").push_arg(s.last);
    q.push(" AND ");
    push_hazard_conditions(q, s);
}

/// The query returning the ids a figure counts, ascending.
pub(crate) fn ids_query(f: &Figure, s: &Span) -> Q {
    let mut q = Q::default();
    match *f {
        Figure::Inspections { kind, campaign } => {
            q.push("SELECT i.id");
            push_inspections(&mut q, s);
            if let Some(k) = kind {
                q.push(" AND i.kind = ").push_arg(k.code());
            }
            if let Some(c) = campaign {
                q.push(" AND i.campaign_id = ").push_arg(c);
            }
            q.push(" ORDER BY i.id");
        }
        Figure::IllegalOperations => {
            q.push("SELECT i.id");
            push_inspections(&mut q, s);
            q.push(" AND ");
            push_illegal(&mut q);
            q.push(" ORDER BY i.id");
        }
        Figure::InspectedOrgs => {
            q.push("SELECT DISTINCT u.id");
            push_inspected_units(&mut q, s);
            q.push(" ORDER BY u.id");
        }
        Figure::Hazards {
            measure,
            grade,
            campaign,
        } => {
            q.push("SELECT h.id");
            push_hazards(&mut q, s);
            q.push(" AND ");
            push_measure(&mut q, s, measure);
            if let Some(g) = grade {
                q.push(" AND h.grade = ").push_arg(g.code());
            }
            if let Some(c) = campaign {
                q.push(" AND h.campaign_id = ").push_arg(c);
            }
            q.push(" ORDER BY h.id");
        }
        Figure::MajorListed => {
            q.push("SELECT h.id");
            push_listed(&mut q, s);
            q.push(" ORDER BY h.id");
        }
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for code in [
            "inspections",
            "inspections_by_kind.self_check",
            "inspections_by_kind.unannounced",
            "inspected_orgs",
            "illegal_operations_found",
            "hazards_found",
            "hazards_general_found",
            "hazards_major_found",
            "hazards_rectified",
            "hazards_general_rectified",
            "hazards_major_rectified",
            "hazards_open",
            "hazards_overdue",
            "hazards_major_listed",
            "per_campaign.7.inspections",
            "per_campaign.7.hazards_found",
            "per_campaign.7.hazards_rectified",
            "per_campaign.7.hazards_open",
        ] {
            let f = Figure::parse(code).unwrap_or_else(|| panic!("{code}"));
            assert_eq!(f.code(), code);
        }
        for bad in [
            "",
            "hazards",
            "hazards_general_open",
            "inspections_by_kind.patrol",
            "per_campaign.x.inspections",
            "per_campaign.0.inspections",
            "per_campaign.7.hazards_overdue",
            "rectification_rate",
        ] {
            assert_eq!(Figure::parse(bad), None, "{bad}");
        }
    }
}
