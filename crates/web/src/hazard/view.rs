//! Presentation helpers shared by the hazard pages: rows with their badges, option lists.

use chrono::NaiveDate;

use anjian_db::hazard::Hazard;
use anjian_domain::hazard::{HazardGrade, HazardStatus};

/// Common hazard categories offered in the form's datalist (free text is still accepted).
pub const CATEGORIES: [&str; 10] = [
    "消防安全",
    "用电安全",
    "进出仓作业",
    "有限空间作业",
    "熏蒸作业",
    "外包作业",
    "防汛",
    "特种设备",
    "安全管理",
    "其他",
];

/// A hazard as one line of the ledger, with what its badges need.
pub struct Row {
    pub h: Hazard,
    pub overdue: bool,
    pub due_soon: bool,
}

impl Row {
    pub fn new(h: Hazard, today: NaiveDate) -> Row {
        Row {
            overdue: h.is_overdue(today),
            due_soon: h.is_due_soon(today),
            h,
        }
    }
    pub fn status_class(&self) -> &'static str {
        status_class(self.h.status())
    }
}

/// The tag colour of a status: open work in amber, waiting for someone else neutral, done green.
pub fn status_class(s: HazardStatus) -> &'static str {
    match s {
        HazardStatus::Pending => "tag warning",
        HazardStatus::Rectifying => "tag warning",
        HazardStatus::AwaitingVerification => "tag",
        HazardStatus::Closed => "tag ok",
    }
}

pub fn statuses() -> Vec<(&'static str, &'static str)> {
    HazardStatus::ALL
        .iter()
        .map(|s| (s.code(), s.label()))
        .collect()
}

pub fn grades() -> Vec<(&'static str, &'static str)> {
    HazardGrade::ALL
        .iter()
        .map(|g| (g.code(), g.label()))
        .collect()
}

/// An organisation option of a picker, indented by depth.
pub struct OrgOption {
    pub id: i64,
    pub label: String,
}

pub fn org_options(orgs: &[anjian_db::org::Org], include_bureau: bool) -> Vec<OrgOption> {
    orgs.iter()
        .filter(|o| include_bureau || o.kind != "bureau")
        .map(|o| OrgOption {
            id: o.id,
            label: format!("{}{}", "　".repeat(o.depth()), o.name),
        })
        .collect()
}

pub fn date(d: &Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}
