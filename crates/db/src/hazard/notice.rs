//! The data of a unit's rectification notice (整改通知书): its open hazards from the ledger
//! (`ledger::all`), shaped so the printable page and a DOCX export can both render it.

use chrono::NaiveDate;
use serde::Serialize;

use anjian_domain::role::Permission;

use super::ledger::{all, HazardFilter};
use super::today;
use crate::error::Result;
use crate::query::{Db, Q};
use crate::Ctx;

/// One line of a rectification notice.
#[derive(Debug, Clone, Serialize)]
pub struct NoticeItem {
    pub seq: usize,
    pub hazard_id: i64,
    pub org_name: String,
    pub location: String,
    pub description: String,
    pub category: String,
    pub grade_label: &'static str,
    pub found_on: NaiveDate,
    pub deadline: NaiveDate,
    pub status_label: &'static str,
    pub overdue: bool,
}

/// 整改通知书 for one unit (or site): its open hazards with their deadlines. Plain data, so the
/// printable page and a DOCX writer render the same facts.
#[derive(Debug, Clone, Serialize)]
pub struct Notice {
    pub org_id: i64,
    pub org_name: String,
    pub principal: String,
    /// Who issues it: the caller's organisation.
    pub issuer_name: String,
    pub issued_on: NaiveDate,
    /// e.g. 整改〔2024〕0315-5: the date and the unit, stable for a given day.
    pub reference: String,
    pub items: Vec<NoticeItem>,
    pub overdue_count: usize,
    /// The earliest deadline among the items, for the notice's closing sentence.
    pub earliest_deadline: Option<NaiveDate>,
}

/// The notice data. NotFound when the organisation is outside the caller's scope.
pub async fn notice(db: &Db, ctx: &Ctx, org_id: i64) -> Result<Notice> {
    ctx.require(Permission::HazardView)?;
    let (org_name, principal): (String, String) = db
        .fetch_one(
            &Q::new("SELECT name, principal FROM org WHERE id = $1 AND path LIKE $2")
                .bind(org_id)
                .bind(ctx.scope_like()),
        )
        .await?;
    let issuer_name = match ctx.org_id() {
        Some(o) => db
            .fetch_optional::<(String,)>(&Q::new("SELECT name FROM org WHERE id = $1").bind(o))
            .await?
            .map(|(n,)| n)
            .unwrap_or_default(),
        None => String::new(),
    };
    let today = today();
    let f = HazardFilter {
        org_id: Some(org_id),
        open: true,
        ..Default::default()
    };
    let mut hazards = all(db, ctx, &f, 1000).await?;
    // A notice reads by urgency: earliest deadline first.
    hazards.sort_by_key(|h| (h.deadline, h.id));
    let items: Vec<NoticeItem> = hazards
        .iter()
        .enumerate()
        .map(|(i, h)| NoticeItem {
            seq: i + 1,
            hazard_id: h.id,
            org_name: h.org_name.clone(),
            location: h.location.clone(),
            description: h.description.clone(),
            category: h.category.clone(),
            grade_label: h.grade_label(),
            found_on: h.found_on,
            deadline: h.deadline,
            status_label: h.status_label(),
            overdue: h.is_overdue(today),
        })
        .collect();
    Ok(Notice {
        org_id,
        org_name,
        principal,
        issuer_name,
        issued_on: today,
        reference: format!(
            "整改〔{}〕{}-{org_id}",
            today.format("%Y"),
            today.format("%m%d")
        ),
        overdue_count: items.iter().filter(|i| i.overdue).count(),
        earliest_deadline: items.iter().map(|i| i.deadline).min(),
        items,
    })
}
