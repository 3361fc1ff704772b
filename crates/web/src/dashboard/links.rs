//! Where each figure and bar of the dashboard leads: the list of the records it counts, with the
//! same targets the summary report uses (`report::pages::figure_link`): the statistics' record
//! lists for inspection and hazard figures, the ledgers and the accident register filtered to the
//! period, the risk register filtered by level.

use anjian_db::dashboard::UnitRate;
use anjian_domain::period::Period;
use anjian_domain::risk::RiskLevel;

use crate::layout::query_string;
use crate::report::pages::figure_link;

/// The links of one dashboard: its period and the root of its subtree.
pub struct Links {
    pub period: Period,
    pub org_id: i64,
}

impl Links {
    fn base(&self, period: &Period, org_id: i64) -> String {
        query_string(&[("period", period.code()), ("org_id", org_id.to_string())])
    }

    /// The records of a statistics figure (`hazards_open`, …) in `period`.
    pub fn figure(&self, period: &Period, figure: &str) -> String {
        format!(
            "/statistics/records?{}&figure={figure}",
            self.base(period, self.org_id)
        )
    }

    /// A key figure of the period: its records, or for the rate the statistics page that shows
    /// what it is made of. None for a figure without a list.
    pub fn key(&self, key: &str) -> Option<String> {
        if key == "rectification_rate" {
            return Some(format!(
                "/statistics?{}",
                self.base(&self.period, self.org_id)
            ));
        }
        figure_link(
            key,
            &self.base(&self.period, self.org_id),
            &self.period,
            &self.org_id.to_string(),
        )
    }

    /// A unit's bar: the hazards found in its subtree in the period; the root's own row lists
    /// its hazards by id (the records page can only list whole subtrees).
    pub fn unit(&self, u: &UnitRate, period: &Period) -> String {
        if u.own {
            let ids: Vec<String> = u.ids.iter().map(i64::to_string).collect();
            return format!("/hazards?{}", query_string(&[("ids", ids.join(","))]));
        }
        format!(
            "/statistics/records?{}&figure=hazards_found",
            self.base(period, u.org_id)
        )
    }

    pub fn risk_points(&self, level: RiskLevel) -> String {
        format!(
            "/risk-points?{}",
            query_string(&[
                ("level", level.code().to_string()),
                ("org_id", self.org_id.to_string())
            ])
        )
    }

    pub fn risks(&self, level: RiskLevel) -> String {
        format!(
            "/risks?{}",
            query_string(&[
                ("level", level.code().to_string()),
                ("org_id", self.org_id.to_string())
            ])
        )
    }

    /// Every overdue hazard of the subtree, as of today.
    pub fn overdue(&self) -> String {
        format!("/hazards?overdue=1&org_id={}", self.org_id)
    }

    /// A unit's drill ledger.
    pub fn drills_of(&self, org_id: i64) -> String {
        format!("/ledgers/drills?org_id={org_id}")
    }
}
