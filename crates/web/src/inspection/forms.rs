//! The inspection forms as the browser sends them (all text, per-item fields named by the
//! checklist item's id) and their conversion into the data layer's inputs.

use anjian_db::hazard::HazardInput;
use anjian_db::inspection::{Inspection, InspectionInput, InspectionUpdate, ItemInput};
use anjian_db::FieldErrors;

use crate::extract::form_i64;

/// One checklist item's part of the step-2 form: `r_<id>` result, `n_<id>` note, `rp_<id>` the
/// risk point it checks, and the hazard block `hd_<id>` description, `hl_<id>` location,
/// `ht_<id>` deadline (used when failed).
#[derive(Debug, Clone, Default)]
pub struct ItemForm {
    pub id: i64,
    pub result: String,
    pub note: String,
    pub risk_point: String,
    pub description: String,
    pub location: String,
    pub deadline: String,
}

#[derive(Debug, Clone, Default)]
pub struct InspectionForm {
    pub org_id: String,
    pub checklist_id: String,
    pub task_id: String,
    pub kind: String,
    pub inspected_on: String,
    pub inspectors: String,
    pub campaign_id: String,
    pub summary: String,
    pub illegal_operation: bool,
    pub illegal_description: String,
    /// Photos stored by an earlier submission of this form that was refused: kept so that the
    /// inspector does not have to take them again.
    pub attachment_ids: Vec<i64>,
    /// In the order of the `item` fields (the checklist's order).
    pub items: Vec<ItemForm>,
}

fn opt_id(errs: &mut FieldErrors, field: &str, label: &str, v: &str) -> Option<i64> {
    if v.trim().is_empty() {
        None
    } else {
        form_i64(errs, field, label, v, None)
    }
}

impl InspectionForm {
    /// Reads the fields of an url-encoded or multipart form. Unknown fields are ignored.
    pub fn from_pairs(pairs: &[(String, String)]) -> InspectionForm {
        let mut f = InspectionForm::default();
        // Item fields may arrive before or after the `item` markers; collect them first.
        let mut order: Vec<i64> = Vec::new();
        let mut fields: Vec<(&str, i64, &str)> = Vec::new();
        for (k, v) in pairs {
            match k.as_str() {
                "org_id" => f.org_id = v.clone(),
                "checklist_id" => f.checklist_id = v.clone(),
                "task_id" => f.task_id = v.clone(),
                "kind" => f.kind = v.clone(),
                "inspected_on" => f.inspected_on = v.clone(),
                "inspectors" => f.inspectors = v.clone(),
                "campaign_id" => f.campaign_id = v.clone(),
                "summary" => f.summary = v.clone(),
                "illegal_operation" => f.illegal_operation = !v.is_empty(),
                "illegal_description" => f.illegal_description = v.clone(),
                "attachment_ids" => {
                    if let Ok(id) = v.trim().parse::<i64>() {
                        f.attachment_ids.push(id);
                    }
                }
                "item" => {
                    if let Ok(id) = v.trim().parse::<i64>() {
                        if !order.contains(&id) {
                            order.push(id);
                        }
                    }
                }
                other => {
                    if let Some((prefix, id)) = other.split_once('_') {
                        if let Ok(id) = id.parse::<i64>() {
                            fields.push((prefix, id, v.as_str()));
                        }
                    }
                }
            }
        }
        f.items = order
            .into_iter()
            .map(|id| {
                let mut it = ItemForm {
                    id,
                    ..Default::default()
                };
                for (prefix, fid, v) in fields.iter().filter(|(_, fid, _)| *fid == id) {
                    let _ = fid;
                    let v = v.to_string();
                    match *prefix {
                        "r" => it.result = v,
                        "n" => it.note = v,
                        "rp" => it.risk_point = v,
                        "hd" => it.description = v,
                        "hl" => it.location = v,
                        "ht" => it.deadline = v,
                        _ => {}
                    }
                }
                it
            })
            .collect();
        f
    }

    pub fn to_input(&self) -> Result<InspectionInput, FieldErrors> {
        let mut errs = FieldErrors::new();
        let org_id = opt_id(&mut errs, "org_id", "受检单位", &self.org_id);
        let checklist_id = opt_id(&mut errs, "checklist_id", "检查表", &self.checklist_id);
        let task_id = opt_id(&mut errs, "task_id", "检查任务", &self.task_id);
        let campaign_id = opt_id(&mut errs, "campaign_id", "专项行动", &self.campaign_id);
        let points: Vec<Option<i64>> = self
            .items
            .iter()
            .enumerate()
            .map(|(k, it)| {
                let field = format!("items[{k}].risk_point_id");
                let label = format!("第{}项风险点", k + 1);
                opt_id(&mut errs, &field, &label, &it.risk_point)
            })
            .collect();
        if !errs.is_empty() {
            return Err(errs);
        }
        Ok(InspectionInput {
            org_id,
            kind: self.kind.clone(),
            inspected_on: self.inspected_on.clone(),
            inspectors: self.inspectors.clone(),
            checklist_id,
            campaign_id,
            task_id,
            summary: self.summary.clone(),
            illegal_operation: self.illegal_operation,
            illegal_description: self.illegal_description.clone(),
            items: self
                .items
                .iter()
                .zip(points)
                .map(|(it, risk_point_id)| ItemInput {
                    checklist_item_id: Some(it.id),
                    result: it.result.clone(),
                    note: it.note.clone(),
                    risk_point_id,
                    // The block is always on the page; the data layer keeps it only for a
                    // failed item.
                    hazard: Some(HazardInput {
                        description: it.description.clone(),
                        location: it.location.clone(),
                        deadline: it.deadline.clone(),
                        ..Default::default()
                    }),
                })
                .collect(),
            attachment_ids: self.attachment_ids.clone(),
        })
    }
}

/// The header edit form.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct EditForm {
    pub row_version: String,
    pub kind: String,
    pub inspected_on: String,
    pub inspectors: String,
    pub campaign_id: String,
    pub task_id: String,
    pub summary: String,
    pub illegal_operation: String,
    pub illegal_description: String,
}

impl EditForm {
    pub fn from_inspection(i: &Inspection) -> EditForm {
        EditForm {
            row_version: i.row_version.to_string(),
            kind: i.kind.clone(),
            inspected_on: i.inspected_on.format("%Y-%m-%d").to_string(),
            inspectors: i.inspectors.clone(),
            campaign_id: i.campaign_id.map(|c| c.to_string()).unwrap_or_default(),
            task_id: i.task_id.map(|t| t.to_string()).unwrap_or_default(),
            summary: i.summary.clone(),
            illegal_operation: if i.illegal_operation {
                "1".into()
            } else {
                String::new()
            },
            illegal_description: i.illegal_description.clone(),
        }
    }

    pub fn to_input(&self) -> Result<InspectionUpdate, FieldErrors> {
        let mut errs = FieldErrors::new();
        let row_version = form_i64(&mut errs, "row_version", "版本号", &self.row_version, None);
        let campaign_id = opt_id(&mut errs, "campaign_id", "专项行动", &self.campaign_id);
        let task_id = opt_id(&mut errs, "task_id", "检查任务", &self.task_id);
        if !errs.is_empty() {
            return Err(errs);
        }
        Ok(InspectionUpdate {
            row_version: row_version.unwrap_or(0),
            kind: self.kind.clone(),
            inspected_on: self.inspected_on.clone(),
            inspectors: self.inspectors.clone(),
            campaign_id,
            task_id,
            summary: self.summary.clone(),
            illegal_operation: !self.illegal_operation.is_empty(),
            illegal_description: self.illegal_description.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn items_follow_the_item_markers_whatever_the_field_order() {
        let f = InspectionForm::from_pairs(&pairs(&[
            ("r_9", "fail"),
            ("item", "7"),
            ("item", "9"),
            ("r_7", "pass"),
            ("hd_9", "灭火器过期"),
            ("ht_9", "2023-03-10"),
            ("illegal_operation", "1"),
        ]));
        assert_eq!(f.items.len(), 2);
        assert_eq!((f.items[0].id, f.items[0].result.as_str()), (7, "pass"));
        assert_eq!(f.items[1].description, "灭火器过期");
        assert!(f.illegal_operation);
        let i = f.to_input().unwrap();
        assert_eq!(i.items[1].checklist_item_id, Some(9));
    }

    #[test]
    fn numbers_are_checked_with_the_field_named() {
        let f = InspectionForm {
            org_id: "甲".into(),
            ..Default::default()
        };
        assert_eq!(
            f.to_input().unwrap_err().get("org_id"),
            Some("受检单位必须是整数")
        );
    }
}
