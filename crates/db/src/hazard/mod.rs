//! Hazards (事故隐患): registration, the closed loop of rectification and verification, deadline
//! extensions, major-hazard treatment plans and supervised listings, the ledger and its to-do
//! items. Every transition goes through `anjian_domain::hazard::apply`.
//!
//! CONTRACT (used by the inspection module, which registers hazards for failed checklist items in
//! its own transaction): `HazardInput`, `HazardInput::parse`, `NewHazard`, `HazardSource` and
//! `insert_in_tx` keep these names and shapes. The bodies below are placeholders to be replaced.

use serde::{Deserialize, Serialize};

use crate::error::{DbError, Result};
use crate::query::Tx;
use crate::Ctx;

/// What a form, the API or an import row sends to register a hazard. Strings as typed; `parse`
/// turns them into a `NewHazard` or per-field Chinese errors.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct HazardInput {
    pub org_id: Option<i64>,
    pub location: String,
    pub description: String,
    pub category: String,
    /// `general` / `major` (or 一般 / 重大).
    pub grade: String,
    /// Required for major hazards: the criterion (判定标准条款) it meets.
    pub major_criterion: String,
    /// Date as typed (see `anjian_domain::dates::parse_date`).
    pub found_on: String,
    pub found_by: String,
    /// 整改期限, as typed. Required unless `immediate`.
    pub deadline: String,
    pub campaign_id: Option<i64>,
    /// Attachments uploaded before the hazard was first saved (before-photos).
    pub before_attachment_ids: Vec<i64>,
}

/// A validated hazard ready to insert.
#[derive(Debug, Clone)]
pub struct NewHazard {
    pub org_id: i64,
    pub location: String,
    pub description: String,
    pub category: String,
    pub grade: anjian_domain::hazard::HazardGrade,
    pub major_criterion: String,
    pub found_on: chrono::NaiveDate,
    pub found_by: String,
    pub deadline: chrono::NaiveDate,
    pub campaign_id: Option<i64>,
    pub before_attachment_ids: Vec<i64>,
}

impl HazardInput {
    /// Per-field validation with Chinese messages (placeholder).
    pub fn parse(&self) -> Result<NewHazard> {
        Err(DbError::Other("事故隐患登记尚未实现".into()))
    }
}

/// Where a hazard came from: an inspection and the failed item, or neither (registered directly).
#[derive(Debug, Clone, Copy, Default)]
pub struct HazardSource {
    pub inspection_id: Option<i64>,
    pub inspection_item_id: Option<i64>,
}

/// Inserts a hazard inside the caller's transaction: checks permission (HazardReport) and that
/// the organisation, campaign and attachments are in scope, writes the row (status 待整改), the
/// first timeline event and the audit entry. Returns the new id.
pub async fn insert_in_tx(
    _tx: &mut Tx,
    _ctx: &Ctx,
    _h: &NewHazard,
    _src: HazardSource,
) -> Result<i64> {
    Err(DbError::Other("事故隐患登记尚未实现".into()))
}
