//! Checklist and item forms as the browser sends them (all text) and their parsing.

use serde::Deserialize;

use anjian_db::checklist::{Checklist, ChecklistInput, ChecklistItem, ItemInput};
use anjian_db::FieldErrors;

use crate::extract::form_i64;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ChecklistForm {
    pub name: String,
    pub category: String,
    pub description: String,
    pub source: String,
    pub row_version: String,
}

impl ChecklistForm {
    pub fn from_checklist(c: &Checklist) -> ChecklistForm {
        ChecklistForm {
            name: c.name.clone(),
            category: c.category.clone(),
            description: c.description.clone(),
            source: c.source.clone(),
            row_version: c.row_version.to_string(),
        }
    }

    pub fn to_input(&self) -> ChecklistInput {
        ChecklistInput {
            name: self.name.clone(),
            category: self.category.clone(),
            description: self.description.clone(),
            source: self.source.clone(),
            active: None,
        }
    }
}

/// The version a form saw, from its hidden field.
pub fn row_version(v: &str) -> Result<i64, FieldErrors> {
    let mut errs = FieldErrors::new();
    match form_i64(&mut errs, "row_version", "版本号", v, None) {
        Some(n) if errs.is_empty() => Ok(n),
        _ => Err(errs),
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ItemForm {
    pub content: String,
    pub category: String,
    pub basis: String,
    /// A checkbox: present ("1") when ticked.
    pub major_criterion: String,
    pub row_version: String,
}

impl ItemForm {
    pub fn from_item(i: &ChecklistItem, row_version: i64) -> ItemForm {
        ItemForm {
            content: i.content.clone(),
            category: i.category.clone(),
            basis: i.basis.clone(),
            major_criterion: if i.major_criterion {
                "1".into()
            } else {
                String::new()
            },
            row_version: row_version.to_string(),
        }
    }

    pub fn major(&self) -> bool {
        !self.major_criterion.is_empty()
    }

    pub fn to_input(&self) -> ItemInput {
        ItemInput {
            content: self.content.clone(),
            category: self.category.clone(),
            basis: self.basis.clone(),
            major_criterion: self.major(),
            active: None,
        }
    }
}

/// Buttons (move, deactivate) post only the version.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct VersionForm {
    pub row_version: String,
}
