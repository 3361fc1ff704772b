//! The task form as the browser sends it. Units are repeated `org_ids` fields (checkboxes), so
//! the body is read as pairs.

use anjian_db::inspection_task::{InspectionTask, TaskInput};
use anjian_db::FieldErrors;

use crate::campaign::forms::unit_ids;

#[derive(Debug, Clone, Default)]
pub struct TaskForm {
    pub title: String,
    pub description: String,
    pub kind: String,
    pub campaign_id: String,
    pub checklist_id: String,
    pub start_date: String,
    pub due_date: String,
    /// "1" all units in scope, "0" the chosen ones.
    pub all_units: String,
    pub org_ids: Vec<String>,
    pub row_version: String,
}

impl TaskForm {
    pub fn from_pairs(pairs: &[(String, String)]) -> TaskForm {
        let mut f = TaskForm::default();
        for (k, v) in pairs {
            match k.as_str() {
                "title" => f.title = v.clone(),
                "description" => f.description = v.clone(),
                "kind" => f.kind = v.clone(),
                "campaign_id" => f.campaign_id = v.clone(),
                "checklist_id" => f.checklist_id = v.clone(),
                "start_date" => f.start_date = v.clone(),
                "due_date" => f.due_date = v.clone(),
                "all_units" => f.all_units = v.clone(),
                "org_ids" => f.org_ids.push(v.clone()),
                "row_version" => f.row_version = v.clone(),
                _ => {}
            }
        }
        f
    }

    pub fn from_task(t: &InspectionTask, units: &[i64]) -> TaskForm {
        TaskForm {
            title: t.title.clone(),
            description: t.description.clone(),
            kind: t.kind.clone(),
            campaign_id: t.campaign_id.map(|v| v.to_string()).unwrap_or_default(),
            checklist_id: t.checklist_id.map(|v| v.to_string()).unwrap_or_default(),
            start_date: t.start_date.to_string(),
            due_date: t.due_date.to_string(),
            all_units: "0".into(),
            org_ids: units.iter().map(|i| i.to_string()).collect(),
            row_version: t.row_version.to_string(),
        }
    }

    pub fn all(&self) -> bool {
        self.all_units != "0"
    }

    pub fn has_unit(&self, id: &i64) -> bool {
        let id = id.to_string();
        self.org_ids.contains(&id)
    }

    pub fn is_campaign(&self, id: &i64) -> bool {
        self.campaign_id == id.to_string()
    }

    pub fn is_checklist(&self, id: &i64) -> bool {
        self.checklist_id == id.to_string()
    }

    pub fn to_input(&self) -> Result<TaskInput, FieldErrors> {
        let mut errs = FieldErrors::new();
        let mut opt = |field: &str, label: &str, v: &str| -> Option<i64> {
            let v = v.trim();
            if v.is_empty() {
                return None;
            }
            match v.parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    errs.add(field, format!("{label}无效"));
                    None
                }
            }
        };
        let campaign_id = opt("campaign_id", "专项行动", &self.campaign_id);
        let checklist_id = opt("checklist_id", "检查表", &self.checklist_id);
        let org_ids = match unit_ids(&self.org_ids) {
            Ok(ids) => ids,
            Err(e) => {
                errs.0.extend(e.0);
                Vec::new()
            }
        };
        if !errs.is_empty() {
            return Err(errs);
        }
        Ok(TaskInput {
            title: self.title.clone(),
            description: self.description.clone(),
            kind: self.kind.clone(),
            campaign_id,
            checklist_id,
            start_date: self.start_date.clone(),
            due_date: self.due_date.clone(),
            all_units: self.all(),
            org_ids,
        })
    }
}
