//! The organisation form as the browser sends it (all text) and its parsing into `OrgInput`.

use serde::Deserialize;

use anjian_db::org::{Org, OrgInput};
use anjian_db::FieldErrors;

use crate::extract::form_i64;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct OrgForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub parent_id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub uscc: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub principal: String,
    #[serde(default)]
    pub contact_person: String,
    #[serde(default)]
    pub contact_phone: String,
    #[serde(default)]
    pub sort_order: String,
    /// The version the edit form was rendered from (hidden); empty on the new-organisation form.
    #[serde(default)]
    pub row_version: String,
}

impl OrgForm {
    pub fn from_org(o: &Org) -> OrgForm {
        OrgForm {
            kind: o.kind.clone(),
            parent_id: o.parent_id.map(|p| p.to_string()).unwrap_or_default(),
            name: o.name.clone(),
            uscc: o.uscc.clone().unwrap_or_default(),
            address: o.address.clone(),
            principal: o.principal.clone(),
            contact_person: o.contact_person.clone(),
            contact_phone: o.contact_phone.clone(),
            sort_order: o.sort_order.to_string(),
            row_version: o.row_version.to_string(),
        }
    }

    /// The version an edit was made from; a missing or malformed one is a field error rather
    /// than "any version", so a form without it can never overwrite.
    pub fn row_version(&self) -> Result<i64, FieldErrors> {
        crate::checklist::forms::row_version(&self.row_version)
    }

    /// Number fields are checked here; everything else by `OrgInput::parse` in the data layer.
    pub fn to_input(&self) -> Result<OrgInput, FieldErrors> {
        let mut errs = FieldErrors::new();
        let parent_id = if self.parent_id.trim().is_empty() {
            None
        } else {
            form_i64(&mut errs, "parent_id", "上级组织", &self.parent_id, None)
        };
        let sort_order =
            form_i64(&mut errs, "sort_order", "排序号", &self.sort_order, Some(0)).unwrap_or(0);
        if !errs.is_empty() {
            return Err(errs);
        }
        Ok(OrgInput {
            kind: self.kind.clone(),
            parent_id,
            name: self.name.clone(),
            uscc: Some(self.uscc.clone()),
            address: self.address.clone(),
            principal: self.principal.clone(),
            contact_person: self.contact_person.clone(),
            contact_phone: self.contact_phone.clone(),
            sort_order,
        })
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    pub parent_id: String,
}
