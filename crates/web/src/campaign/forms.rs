//! The campaign form as the browser sends it. Units are repeated `org_ids` fields (checkboxes),
//! so the body is read as pairs rather than into a struct.

use anjian_db::campaign::{Campaign, CampaignInput};
use anjian_db::FieldErrors;

#[derive(Debug, Clone, Default)]
pub struct CampaignForm {
    pub kind: String,
    pub name: String,
    pub start_date: String,
    pub end_date: String,
    pub description: String,
    /// "1" all units, "0" the chosen ones.
    pub all_units: String,
    pub org_ids: Vec<String>,
    pub row_version: String,
}

impl CampaignForm {
    pub fn from_pairs(pairs: &[(String, String)]) -> CampaignForm {
        let mut f = CampaignForm::default();
        for (k, v) in pairs {
            match k.as_str() {
                "kind" => f.kind = v.clone(),
                "name" => f.name = v.clone(),
                "start_date" => f.start_date = v.clone(),
                "end_date" => f.end_date = v.clone(),
                "description" => f.description = v.clone(),
                "all_units" => f.all_units = v.clone(),
                "org_ids" => f.org_ids.push(v.clone()),
                "row_version" => f.row_version = v.clone(),
                _ => {}
            }
        }
        f
    }

    pub fn new_default() -> CampaignForm {
        CampaignForm {
            kind: "campaign".into(),
            all_units: "1".into(),
            ..Default::default()
        }
    }

    pub fn from_campaign(c: &Campaign, units: &[(i64, String)]) -> CampaignForm {
        CampaignForm {
            kind: c.kind.clone(),
            name: c.name.clone(),
            start_date: c.start_date.to_string(),
            end_date: c.end_date.to_string(),
            description: c.description.clone(),
            all_units: if c.all_units { "1" } else { "0" }.into(),
            org_ids: units.iter().map(|(id, _)| id.to_string()).collect(),
            row_version: c.row_version.to_string(),
        }
    }

    pub fn all(&self) -> bool {
        self.all_units != "0"
    }

    pub fn has_unit(&self, id: &i64) -> bool {
        let id = id.to_string();
        self.org_ids.contains(&id)
    }

    pub fn to_input(&self) -> Result<CampaignInput, FieldErrors> {
        let ids = unit_ids(&self.org_ids)?;
        Ok(CampaignInput {
            kind: self.kind.clone(),
            name: self.name.clone(),
            start_date: self.start_date.clone(),
            end_date: self.end_date.clone(),
            description: self.description.clone(),
            all_units: self.all(),
            org_ids: ids,
            active: None,
        })
    }
}

/// The chosen unit ids; a value that is not a number is a field error (a tampered form).
pub fn unit_ids(raw: &[String]) -> Result<Vec<i64>, FieldErrors> {
    raw.iter()
        .filter(|s| !s.trim().is_empty())
        .map(|s| {
            s.trim()
                .parse::<i64>()
                .map_err(|_| FieldErrors::single("org_ids", "所选单位无效"))
        })
        .collect()
}
