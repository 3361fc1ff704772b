//! What a form, the API or an import row sends for a ledger entry, and its parsing into a
//! `NewEntry` with Chinese messages per field. The ledger's field list decides which fields are
//! read and which are required; fields a ledger does not use are cleared.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use anjian_domain::ledger::{self, Field, LedgerKind, Widget};
use anjian_domain::money::Fen;

use crate::checklist::fields::{date_field, text_field};
use crate::error::{FieldErrors, Result};

/// One action or improvement item as entered.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ItemInput {
    pub content: String,
    /// The user responsible (must be in the caller's scope); their to-do list shows the item.
    pub owner_user_id: Option<i64>,
    /// 完成期限, as typed.
    pub deadline: String,
    /// `open` / `done` (or 未完成 / 已完成); empty is open.
    pub status: String,
}

/// A ledger entry as typed. Amounts are strings in 元 (`"1193.00"`), never floats.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct LedgerInput {
    pub org_id: Option<i64>,
    /// The entry's date (投入/培训/活动/演练/会议/签订日期), as typed.
    pub entry_date: String,
    pub year: String,
    pub title: String,
    pub category: String,
    pub description: String,
    /// 元 with at most two decimals.
    pub amount: String,
    /// 学时 with at most one decimal.
    pub hours: String,
    pub participants: String,
    pub campaign_id: Option<i64>,
    pub drill_kind: String,
    pub drill_form: String,
    pub plan_type: String,
    pub plan: String,
    pub trainer: String,
    pub assessment: String,
    pub evaluation: String,
    pub attendees: String,
    pub topics: String,
    pub signatories: String,
    pub targets: String,
    /// Named attendees of a training: users of the entry's organisation.
    pub attendee_user_ids: Vec<i64>,
    /// Meeting decisions or drill improvement items.
    pub items: Vec<ItemInput>,
    /// Attachments already uploaded (invoices, sign-in sheets, photos, scans).
    pub attachment_ids: Vec<i64>,
}

/// A validated entry, ready to write.
#[derive(Debug, Clone, Default, Serialize)]
pub struct NewEntry {
    pub org_id: i64,
    pub entry_date: Option<NaiveDate>,
    pub year: Option<i64>,
    pub title: String,
    pub category: String,
    pub description: String,
    pub amount_fen: Option<i64>,
    pub hours_tenths: Option<i64>,
    pub participants: Option<i64>,
    pub campaign_id: Option<i64>,
    pub drill_kind: String,
    pub drill_form: String,
    pub plan_type: String,
    pub plan: String,
    pub trainer: String,
    pub assessment: String,
    pub evaluation: String,
    pub attendees: String,
    pub topics: String,
    pub signatories: String,
    pub targets: String,
    pub attendee_user_ids: Vec<i64>,
    pub items: Vec<NewItem>,
    pub attachment_ids: Vec<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NewItem {
    pub content: String,
    pub owner_user_id: Option<i64>,
    pub deadline: Option<NaiveDate>,
    pub done: bool,
}

impl LedgerInput {
    /// The typed value of a text-like field by its name.
    pub fn raw(&self, name: &str) -> &str {
        match name {
            "year" => &self.year,
            "title" => &self.title,
            "category" => &self.category,
            "description" => &self.description,
            "amount" => &self.amount,
            "hours" => &self.hours,
            "participants" => &self.participants,
            "drill_kind" => &self.drill_kind,
            "drill_form" => &self.drill_form,
            "plan_type" => &self.plan_type,
            "plan" => &self.plan,
            "trainer" => &self.trainer,
            "assessment" => &self.assessment,
            "evaluation" => &self.evaluation,
            "attendees" => &self.attendees,
            "topics" => &self.topics,
            "signatories" => &self.signatories,
            "targets" => &self.targets,
            _ => "",
        }
    }

    /// Sets a text-like field by name (forms and import rows fill the input this way).
    pub fn set(&mut self, name: &str, v: String) {
        let slot = match name {
            "entry_date" => &mut self.entry_date,
            "year" => &mut self.year,
            "title" => &mut self.title,
            "category" => &mut self.category,
            "description" => &mut self.description,
            "amount" => &mut self.amount,
            "hours" => &mut self.hours,
            "participants" => &mut self.participants,
            "drill_kind" => &mut self.drill_kind,
            "drill_form" => &mut self.drill_form,
            "plan_type" => &mut self.plan_type,
            "plan" => &mut self.plan,
            "trainer" => &mut self.trainer,
            "assessment" => &mut self.assessment,
            "evaluation" => &mut self.evaluation,
            "attendees" => &mut self.attendees,
            "topics" => &mut self.topics,
            "signatories" => &mut self.signatories,
            "targets" => &mut self.targets,
            _ => return,
        };
        *slot = v;
    }

    /// Per-field checks of the ledger `kind`, with Chinese messages naming the field. The
    /// organisation, campaign, attendees and owners are checked against the database later.
    /// `funding` is the list a funding entry's use category must come from, as (code, label):
    /// the bureau's settings (`settings::funding_choices`), not the defaults in the code.
    pub fn parse(&self, kind: LedgerKind, funding: &[(String, String)]) -> Result<NewEntry> {
        let mut errs = FieldErrors::new();
        let mut out = NewEntry::default();
        match self.org_id {
            Some(id) => out.org_id = id,
            None => errs.add("org_id", "请选择单位"),
        }
        out.entry_date = date_field(&mut errs, "entry_date", kind.date_label(), &self.entry_date);
        if out.entry_date.is_some_and(|d| d > super::today()) {
            errs.add("entry_date", format!("{}不能晚于今天", kind.date_label()));
        }
        for field in kind.fields() {
            let stored =
                (kind == LedgerKind::Funding && field.name == "category").then_some(funding);
            parse_field(&mut errs, &mut out, self, field, stored);
        }
        if ledger::has_attendees(kind) {
            let mut ids = self.attendee_user_ids.clone();
            ids.sort_unstable();
            ids.dedup();
            out.attendee_user_ids = ids;
        }
        if ledger::has_items(kind) {
            for (i, it) in self.items.iter().enumerate() {
                let blank = it.content.trim().is_empty() && it.deadline.trim().is_empty();
                if blank && it.owner_user_id.is_none() {
                    continue;
                }
                let key = format!("items[{i}]");
                let label = format!("第{}项{}", i + 1, ledger::items_label(kind));
                let content = text_field(
                    &mut errs,
                    &key,
                    &format!("{label}内容"),
                    &it.content,
                    true,
                    500,
                );
                let deadline = if it.deadline.trim().is_empty() {
                    None
                } else {
                    date_field(&mut errs, &key, &format!("{label}期限"), &it.deadline)
                };
                let done = match it.status.trim() {
                    "" | "open" | "未完成" => false,
                    "done" | "已完成" => true,
                    _ => {
                        errs.add(&key, format!("{label}状态应为未完成或已完成"));
                        false
                    }
                };
                out.items.push(NewItem {
                    content,
                    owner_user_id: it.owner_user_id,
                    deadline,
                    done,
                });
            }
        }
        let mut att = self.attachment_ids.clone();
        att.sort_unstable();
        att.dedup();
        out.attachment_ids = att;
        errs.into_result()?;
        Ok(out)
    }
}

fn parse_field(
    errs: &mut FieldErrors,
    out: &mut NewEntry,
    input: &LedgerInput,
    field: &Field,
    stored: Option<&[(String, String)]>,
) {
    let name = field.name;
    let label = field.label;
    let v = input.raw(name).trim();
    if field.required && v.is_empty() && field.widget != Widget::Campaign {
        errs.add(name, format!("{}不能为空", short(label)));
        return;
    }
    match field.widget {
        Widget::Text(_) | Widget::Area(_) | Widget::Suggest(_) => {
            let max = match field.widget {
                Widget::Text(m) | Widget::Area(m) => m,
                _ => 50,
            };
            let t = text_field(errs, name, short(label), v, field.required, max);
            set_text(out, name, t);
        }
        Widget::Select(list) => {
            if v.is_empty() {
                return;
            }
            let list: Vec<(&str, &str)> = match stored {
                Some(s) => s.iter().map(|(c, l)| (c.as_str(), l.as_str())).collect(),
                None => list.to_vec(),
            };
            match list.iter().find(|(c, l)| *c == v || *l == v) {
                Some((c, _)) => set_text(out, name, c.to_string()),
                None => {
                    let names: Vec<&str> = list.iter().map(|(_, l)| *l).collect();
                    errs.add(name, format!("{}应为：{}", short(label), names.join("、")));
                }
            }
        }
        Widget::Money => {
            if v.is_empty() {
                return;
            }
            match Fen::parse_yuan(v) {
                Ok(f) => out.amount_fen = Some(f.0),
                Err(e) => errs.add(name, e.to_string()),
            }
        }
        Widget::Hours => {
            if v.is_empty() {
                return;
            }
            match ledger::parse_hours(v) {
                Ok(h) => out.hours_tenths = Some(h),
                Err(e) => errs.add(name, e.to_string()),
            }
        }
        Widget::Count => {
            if v.is_empty() {
                return;
            }
            match v.parse::<i64>() {
                Ok(n) if (0..=1_000_000).contains(&n) => out.participants = Some(n),
                _ => errs.add(name, format!("{}应为0至1000000之间的整数", short(label))),
            }
        }
        Widget::Year => match v.parse::<i64>() {
            Ok(y) if (1990..=2099).contains(&y) => out.year = Some(y),
            _ => errs.add(name, format!("{}应为1990至2099之间的年份", short(label))),
        },
        Widget::Campaign => out.campaign_id = input.campaign_id,
    }
}

/// The label without its unit suffix, for messages ("金额（元）" → "金额").
fn short(label: &str) -> &str {
    label.split('（').next().unwrap_or(label)
}

fn set_text(out: &mut NewEntry, name: &str, v: String) {
    let slot = match name {
        "title" => &mut out.title,
        "category" => &mut out.category,
        "description" => &mut out.description,
        "drill_kind" => &mut out.drill_kind,
        "drill_form" => &mut out.drill_form,
        "plan_type" => &mut out.plan_type,
        "plan" => &mut out.plan,
        "trainer" => &mut out.trainer,
        "assessment" => &mut out.assessment,
        "evaluation" => &mut out.evaluation,
        "attendees" => &mut out.attendees,
        "topics" => &mut out.topics,
        "signatories" => &mut out.signatories,
        "targets" => &mut out.targets,
        _ => return,
    };
    *slot = v;
}
