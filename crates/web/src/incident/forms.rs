//! The report forms as the browser sends them: every field as text, so a tampered or mistyped
//! value becomes a Chinese field error in the data layer rather than a rejected body.

use serde::{Deserialize, Serialize};

use anjian_db::incident::{FiguresInput, IncidentInput, ReportInput};
use anjian_db::FieldErrors;

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct IncidentForm {
    pub org_id: String,
    pub event_kind: String,
    pub accident_type: String,
    pub traffic_or_fire: String,
    pub title: String,
    pub occurred_at: String,
    pub place: String,
    pub account: String,
    pub deaths: String,
    pub missing: String,
    pub serious_injuries: String,
    pub minor_injuries: String,
    pub direct_loss_yuan: String,
    pub measures: String,
    pub reporter: String,
    pub contacts: String,
}

impl IncidentForm {
    pub fn to_input(&self) -> Result<IncidentInput, FieldErrors> {
        let org_id = match self.org_id.trim() {
            "" => 0,
            s => s
                .parse::<i64>()
                .map_err(|_| FieldErrors::single("org_id", "事发单位无效"))?,
        };
        Ok(IncidentInput {
            org_id,
            event_kind: self.event_kind.clone(),
            accident_type: self.accident_type.clone(),
            traffic_or_fire: !self.traffic_or_fire.is_empty(),
            title: self.title.clone(),
            occurred_at: self.occurred_at.clone(),
            place: self.place.clone(),
            account: self.account.clone(),
            figures: FiguresInput {
                deaths: self.deaths.clone(),
                missing: self.missing.clone(),
                serious_injuries: self.serious_injuries.clone(),
                minor_injuries: self.minor_injuries.clone(),
                direct_loss_yuan: self.direct_loss_yuan.clone(),
            },
            measures: self.measures.clone(),
            reporter: self.reporter.clone(),
            contacts: self.contacts.clone(),
        })
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ReportForm {
    pub kind: String,
    pub content: String,
    pub deaths: String,
    pub missing: String,
    pub serious_injuries: String,
    pub minor_injuries: String,
    pub direct_loss_yuan: String,
    pub measures: String,
    pub reporter: String,
    pub cause: String,
    pub responsibility: String,
    pub corrective_actions: String,
    pub row_version: String,
}

impl ReportForm {
    pub fn to_input(&self) -> ReportInput {
        ReportInput {
            kind: self.kind.clone(),
            content: self.content.clone(),
            figures: FiguresInput {
                deaths: self.deaths.clone(),
                missing: self.missing.clone(),
                serious_injuries: self.serious_injuries.clone(),
                minor_injuries: self.minor_injuries.clone(),
                direct_loss_yuan: self.direct_loss_yuan.clone(),
            },
            measures: self.measures.clone(),
            reporter: self.reporter.clone(),
            cause: self.cause.clone(),
            responsibility: self.responsibility.clone(),
            corrective_actions: self.corrective_actions.clone(),
        }
    }
}
