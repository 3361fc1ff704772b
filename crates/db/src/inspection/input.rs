//! What a form or API request sends to record or edit an inspection, and its parsing into
//! validated values with per-field Chinese messages. Parsing here is pure; the checks that need
//! the database (checklist items, campaign, task, attachments) run in `write`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use anjian_domain::dates::parse_business_date;
use anjian_domain::inspection::{InspectionKind, ItemResult};

use crate::error::{DbError, FieldErrors, Result};
use crate::hazard::HazardInput;

/// Largest number of items one inspection may carry: the longest checklist in the library has
/// well under a hundred; this only bounds what a client can make us insert.
pub const MAX_ITEMS: usize = 500;
/// Photos per inspection, same reasoning.
pub const MAX_ATTACHMENTS: usize = 50;

/// A new inspection as typed. `items` carries one result per checklist item; a failed item
/// carries the hazard the inspector registers on the spot.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct InspectionInput {
    pub org_id: Option<i64>,
    /// Code (`self_check`…) or label (自查…).
    pub kind: String,
    /// Date as typed (see `anjian_domain::dates::parse_date`).
    pub inspected_on: String,
    pub inspectors: String,
    pub checklist_id: Option<i64>,
    pub campaign_id: Option<i64>,
    pub task_id: Option<i64>,
    pub summary: String,
    /// 发现非法、违法生产经营行为.
    pub illegal_operation: bool,
    pub illegal_description: String,
    pub items: Vec<ItemInput>,
    pub attachment_ids: Vec<i64>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ItemInput {
    pub checklist_item_id: Option<i64>,
    /// `pass` / `fail` / `na` or 合格 / 不合格 / 不适用.
    pub result: String,
    pub note: String,
    /// The risk point the item checks: a point of the inspected organisation or below it (the
    /// rule of a hazard's point). A failed item's hazard is linked to it unless the hazard names
    /// its own.
    pub risk_point_id: Option<i64>,
    /// Required when the item failed: the hazard registered for it. Empty fields are filled from
    /// the item (description, category) and the inspection (date, inspectors, campaign).
    pub hazard: Option<HazardInput>,
}

/// Header fields shared by a new inspection and an edit.
#[derive(Debug, Clone)]
pub struct ValidHeader {
    pub kind: InspectionKind,
    pub inspected_on: NaiveDate,
    pub inspectors: String,
    pub campaign_id: Option<i64>,
    pub task_id: Option<i64>,
    pub summary: String,
    pub illegal_operation: bool,
    pub illegal_description: String,
}

#[derive(Debug, Clone)]
pub struct ValidItem {
    pub checklist_item_id: i64,
    pub result: ItemResult,
    pub note: String,
    pub risk_point_id: Option<i64>,
    pub hazard: Option<HazardInput>,
}

#[derive(Debug, Clone)]
pub struct ValidInspection {
    pub org_id: i64,
    pub checklist_id: Option<i64>,
    pub header: ValidHeader,
    pub items: Vec<ValidItem>,
    pub attachment_ids: Vec<i64>,
}

/// An edit of the header. Items are evidence and never change once recorded; the organisation
/// and checklist are what the items were recorded against, so they stay too.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct InspectionUpdate {
    /// The version the form or client saw; a stale one is refused.
    pub row_version: i64,
    pub kind: String,
    pub inspected_on: String,
    pub inspectors: String,
    pub campaign_id: Option<i64>,
    pub task_id: Option<i64>,
    pub summary: String,
    pub illegal_operation: bool,
    pub illegal_description: String,
}

fn text(
    errs: &mut FieldErrors,
    field: &str,
    label: &str,
    v: &str,
    required: bool,
    max: usize,
) -> String {
    let v = v.trim();
    if required && v.is_empty() {
        errs.add(field, format!("请填写{label}"));
    } else if v.chars().count() > max {
        errs.add(field, format!("{label}不能超过{max}个字"));
    }
    v.to_string()
}

/// Prefixes the field errors of one item's hazard so the form can show them at the item; any
/// other error is passed on.
pub(crate) fn hazard_errors(errs: &mut FieldErrors, i: usize, e: DbError) -> Result<()> {
    match e {
        DbError::Invalid(fe) => {
            for (field, msg) in fe.0 {
                errs.add(
                    &format!("items[{i}].hazard.{field}"),
                    format!("第{}项隐患：{msg}", i + 1),
                );
            }
            Ok(())
        }
        e => Err(e),
    }
}

/// Item results as people write them: the code or the label on the paper form.
pub fn parse_result(s: &str) -> Option<ItemResult> {
    let s = s.trim();
    ItemResult::from_code(s).or_else(|| ItemResult::ALL.into_iter().find(|r| r.label() == s))
}

#[allow(clippy::too_many_arguments)]
fn header(
    errs: &mut FieldErrors,
    kind: &str,
    inspected_on: &str,
    inspectors: &str,
    campaign_id: Option<i64>,
    task_id: Option<i64>,
    summary: &str,
    illegal_operation: bool,
    illegal_description: &str,
    today: NaiveDate,
) -> Option<ValidHeader> {
    let kind = InspectionKind::parse(kind);
    if kind.is_none() {
        errs.add(
            "kind",
            "检查类型无效，应为 自查、督查、抽查、暗访 或 专项检查",
        );
    }
    let date = match parse_business_date(inspected_on) {
        Ok(d) if d > today => {
            errs.add("inspected_on", "检查日期不能晚于今天");
            None
        }
        Ok(d) => Some(d),
        Err(e) => {
            errs.add("inspected_on", format!("检查日期：{e}"));
            None
        }
    };
    let inspectors = text(errs, "inspectors", "检查人员", inspectors, true, 200);
    let summary = text(errs, "summary", "检查情况", summary, false, 4000);
    let illegal_description = if illegal_operation {
        text(
            errs,
            "illegal_description",
            "非法违法行为情况说明",
            illegal_description,
            true,
            2000,
        )
    } else {
        // Nothing was found, so nothing is described: a leftover text would read as a finding.
        String::new()
    };
    for (field, v) in [("campaign_id", campaign_id), ("task_id", task_id)] {
        if v.is_some_and(|v| v <= 0) {
            errs.add(field, "编号无效");
        }
    }
    Some(ValidHeader {
        kind: kind?,
        inspected_on: date?,
        inspectors,
        campaign_id,
        task_id,
        summary,
        illegal_operation,
        illegal_description,
    })
}

impl InspectionInput {
    /// Per-field validation. `today` is the Asia/Shanghai date of the request (no inspection is
    /// recorded ahead of time).
    pub fn parse(&self, today: NaiveDate) -> Result<ValidInspection> {
        let mut errs = FieldErrors::new();
        let org_id = match self.org_id {
            Some(id) if id > 0 => Some(id),
            _ => {
                errs.add("org_id", "请选择受检单位");
                None
            }
        };
        if self.checklist_id.is_some_and(|c| c <= 0) {
            errs.add("checklist_id", "检查表编号无效");
        }
        let header = header(
            &mut errs,
            &self.kind,
            &self.inspected_on,
            &self.inspectors,
            self.campaign_id,
            self.task_id,
            &self.summary,
            self.illegal_operation,
            &self.illegal_description,
            today,
        );
        let items = self.parse_items(&mut errs);
        self.check_hazards(&mut errs, today);
        let mut attachment_ids = self.attachment_ids.clone();
        attachment_ids.sort_unstable();
        attachment_ids.dedup();
        if attachment_ids.len() > MAX_ATTACHMENTS {
            errs.add("attachment_ids", format!("照片不能超过{MAX_ATTACHMENTS}张"));
        }
        errs.into_result()?;
        match (org_id, header) {
            (Some(org_id), Some(header)) => Ok(ValidInspection {
                org_id,
                checklist_id: self.checklist_id,
                header,
                items,
                attachment_ids,
            }),
            // Unreachable in practice: a missing value always added an error above.
            _ => Err(DbError::invalid("org_id", "请选择受检单位")),
        }
    }

    /// Checks the hazard fields of failed items as far as they do not depend on the checklist
    /// item (deadline, location, lengths), so that one refusal lists every problem of the form.
    /// The final parse, with the item's content and grade filled in, runs again when writing.
    fn check_hazards(&self, errs: &mut FieldErrors, today: NaiveDate) {
        let Some(date) = parse_business_date(&self.inspected_on)
            .ok()
            .filter(|d| *d <= today)
        else {
            return;
        };
        for (i, it) in self.items.iter().enumerate() {
            let Some(h) = it
                .hazard
                .as_ref()
                .filter(|_| parse_result(&it.result) == Some(ItemResult::Fail))
            else {
                continue;
            };
            let mut h = h.clone();
            // Stand-ins for what the item and the inspection fill in later.
            h.org_id = Some(self.org_id.unwrap_or(1));
            h.found_on = date.format("%Y-%m-%d").to_string();
            for (v, stand_in) in [
                (&mut h.description, "—"),
                (&mut h.grade, "general"),
                (&mut h.major_criterion, "—"),
            ] {
                if v.trim().is_empty() {
                    *v = stand_in.to_string();
                }
            }
            if let Err(e) = h.parse() {
                // Only field errors come out of a pure parse.
                let _ = hazard_errors(errs, i, e);
            }
        }
    }

    fn parse_items(&self, errs: &mut FieldErrors) -> Vec<ValidItem> {
        if self.checklist_id.is_none() && !self.items.is_empty() {
            errs.add("items", "未选择检查表时不能填写检查项");
            return Vec::new();
        }
        if self.items.len() > MAX_ITEMS {
            errs.add("items", format!("检查项不能超过{MAX_ITEMS}项"));
            return Vec::new();
        }
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::with_capacity(self.items.len());
        for (i, it) in self.items.iter().enumerate() {
            let n = i + 1;
            let f = |name: &str| format!("items[{i}].{name}");
            let id = match it.checklist_item_id {
                Some(id) if id > 0 => {
                    if !seen.insert(id) {
                        errs.add(
                            &f("checklist_item_id"),
                            format!("第{n}项与前面的检查项重复"),
                        );
                    }
                    Some(id)
                }
                _ => {
                    errs.add(&f("checklist_item_id"), format!("第{n}项缺少检查项编号"));
                    None
                }
            };
            let result = if it.result.trim().is_empty() {
                errs.add(&f("result"), format!("第{n}项未选择检查结果"));
                None
            } else {
                let r = parse_result(&it.result);
                if r.is_none() {
                    errs.add(
                        &f("result"),
                        format!("第{n}项检查结果无效，应为 合格、不合格 或 不适用"),
                    );
                }
                r
            };
            let note = it.note.trim().to_string();
            if note.chars().count() > 500 {
                errs.add(&f("note"), format!("第{n}项备注不能超过500个字"));
            }
            if result == Some(ItemResult::Fail) && it.hazard.is_none() {
                errs.add(&f("hazard"), format!("第{n}项不合格，须填写隐患信息"));
            }
            if let (Some(checklist_item_id), Some(result)) = (id, result) {
                out.push(ValidItem {
                    checklist_item_id,
                    result,
                    note,
                    risk_point_id: it.risk_point_id,
                    // Only a failed item registers a hazard; a form that always posts the hazard
                    // block for every item must not create hazards for passed ones.
                    hazard: if result == ItemResult::Fail {
                        it.hazard.clone()
                    } else {
                        None
                    },
                });
            }
        }
        out
    }
}

impl InspectionUpdate {
    pub fn parse(&self, today: NaiveDate) -> Result<ValidHeader> {
        let mut errs = FieldErrors::new();
        let h = header(
            &mut errs,
            &self.kind,
            &self.inspected_on,
            &self.inspectors,
            self.campaign_id,
            self.task_id,
            &self.summary,
            self.illegal_operation,
            &self.illegal_description,
            today,
        );
        errs.into_result()?;
        h.ok_or_else(|| DbError::invalid("kind", "检查类型无效"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn base() -> InspectionInput {
        InspectionInput {
            org_id: Some(3),
            kind: "自查".into(),
            inspected_on: "2023-03-01".into(),
            inspectors: "张三".into(),
            checklist_id: Some(1),
            items: vec![
                ItemInput {
                    checklist_item_id: Some(10),
                    result: "合格".into(),
                    ..Default::default()
                },
                ItemInput {
                    checklist_item_id: Some(11),
                    result: "na".into(),
                    ..Default::default()
                },
            ],
            ..Default::default()
        }
    }

    fn errors(i: &InspectionInput) -> FieldErrors {
        match i.parse(d("2023-06-01")) {
            Err(DbError::Invalid(e)) => e,
            other => panic!("expected field errors, got {other:?}"),
        }
    }

    #[test]
    fn a_valid_input_parses() {
        let v = base().parse(d("2023-06-01")).unwrap();
        assert_eq!(v.header.kind, InspectionKind::SelfCheck);
        assert_eq!(v.items[0].result, ItemResult::Pass);
        assert_eq!(v.items[1].result, ItemResult::NotApplicable);
    }

    #[test]
    fn item_errors_name_the_item() {
        let mut i = base();
        i.items.push(ItemInput {
            checklist_item_id: Some(12),
            result: "好".into(),
            ..Default::default()
        });
        assert_eq!(
            errors(&i).get("items[2].result"),
            Some("第3项检查结果无效，应为 合格、不合格 或 不适用")
        );
        let mut i = base();
        i.items[1].result = "不合格".into();
        assert_eq!(
            errors(&i).get("items[1].hazard"),
            Some("第2项不合格，须填写隐患信息")
        );
        let mut i = base();
        i.items[1].checklist_item_id = Some(10);
        assert!(errors(&i).get("items[1].checklist_item_id").is_some());
    }

    #[test]
    fn illegal_operation_needs_a_description_and_dates_are_not_in_the_future() {
        let mut i = base();
        i.illegal_operation = true;
        assert_eq!(
            errors(&i).get("illegal_description"),
            Some("请填写非法违法行为情况说明")
        );
        let mut i = base();
        i.inspected_on = "2023-06-02".into();
        assert_eq!(errors(&i).get("inspected_on"), Some("检查日期不能晚于今天"));
        let mut i = base();
        i.illegal_description = "残留".into();
        assert_eq!(
            i.parse(d("2023-06-01")).unwrap().header.illegal_description,
            ""
        );
    }

    #[test]
    fn passed_items_never_carry_a_hazard() {
        let mut i = base();
        i.items[0].hazard = Some(HazardInput::default());
        assert!(i.parse(d("2023-06-01")).unwrap().items[0].hazard.is_none());
    }
}
