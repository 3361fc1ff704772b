//! What the ledger pages share: the list query and its organisation filter, the form as typed
//! (read from any ledger's field list), the fields as the form template draws them, and storing
//! posted files.

use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;

use anjian_db::ledger::{ItemInput, LedgerFilter, LedgerInput};
use anjian_db::FieldErrors;
use anjian_domain::dates::parse_date;
use anjian_domain::ledger::{self, LedgerKind, Widget};

use crate::attachment::{save, sniff};
use crate::auth::Auth;
use crate::error::{AppError, PageResult};
use crate::hazard::forms::FormData;
use crate::layout::query_string;
use crate::org_filter::{self, OptionsQuery, OrgOptions, Source};
use crate::AppState;

/// The ledgers' organisation filter: a text field with suggestions from `/ledgers/org-options`
/// (the lists and the overview used to load the whole tree into a `<select>` on every page).
pub const ORG_FIELD: Source = Source {
    perm: anjian_domain::role::Permission::LedgerView,
    label: "单位",
    url: "/ledgers/org-options",
};

/// Suggestions for the organisation filter, as JSON for `app.js`.
pub async fn org_options(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<OptionsQuery>,
) -> PageResult<Json<OrgOptions>> {
    Ok(org_filter::options(&state, &auth.ctx(), ORG_FIELD.perm, &q).await?)
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ListQuery {
    pub org_id: String,
    /// The organisation filter as typed or picked (a name); the form sends it, links send
    /// `org_id`. See `crate::org_filter::settle`.
    pub org: Option<String>,
    pub from: String,
    pub to: String,
    pub category: String,
    pub keyword: String,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
    pub notice: Option<String>,
}

impl ListQuery {
    /// Lenient: a value that does not parse is no filter (the form offers only valid ones).
    pub fn filter(&self) -> LedgerFilter {
        LedgerFilter {
            org_id: self.org_id.trim().parse().ok(),
            from: parse_date(&self.from).ok(),
            to: parse_date(&self.to).ok(),
            category: Some(self.category.clone()),
            keyword: Some(self.keyword.clone()),
        }
    }

    pub fn query_string(&self) -> String {
        query_string(&[
            ("org_id", self.org_id.clone()),
            ("from", self.from.clone()),
            ("to", self.to.clone()),
            ("category", self.category.clone()),
            ("keyword", self.keyword.clone()),
        ])
    }
}

/// One field as the form template draws it.
pub struct FormField {
    pub name: &'static str,
    pub label: &'static str,
    pub required: bool,
    /// `text`, `area`, `money`, `hours`, `count`, `year`, `select`, `suggest`, `campaign`.
    pub widget: &'static str,
    pub value: String,
    pub options: Vec<(String, String)>,
    pub error: Option<String>,
}

/// An item row of the form (meeting decision, drill improvement).
#[derive(Default, Clone)]
pub struct ItemRow {
    pub content: String,
    pub owner: String,
    pub deadline: String,
    pub status: String,
}

/// Blank item rows offered below the filled ones, so items can be added without JavaScript.
const BLANK_ITEMS: usize = 3;

/// Every value of a repeated field, in order, empty ones kept (item rows line up by position).
fn all(d: &FormData, key: &str) -> Vec<String> {
    d.pairs
        .iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .collect()
}

/// The posted form as a data-layer input; malformed ids are field errors.
pub fn input_from(d: &FormData, kind: LedgerKind, errs: &mut FieldErrors) -> LedgerInput {
    let mut i = LedgerInput {
        org_id: d.opt_i64("org_id", "单位", errs),
        entry_date: d.get("entry_date"),
        campaign_id: d.opt_i64("campaign_id", "专项行动", errs),
        attachment_ids: d.ids("attachment_ids", errs),
        ..Default::default()
    };
    for f in kind.fields() {
        i.set(f.name, d.get(f.name));
    }
    i.attendee_user_ids = d.ids("attendee", errs);
    let contents = all(d, "item_content");
    let owners = all(d, "item_owner");
    let deadlines = all(d, "item_deadline");
    let statuses = all(d, "item_status");
    for (n, content) in contents.into_iter().enumerate() {
        let owner = owners
            .get(n)
            .map(|s| s.trim().to_string())
            .unwrap_or_default();
        let owner_user_id = if owner.is_empty() {
            None
        } else {
            match owner.parse::<i64>() {
                Ok(v) => Some(v),
                Err(_) => {
                    errs.add(&format!("items[{n}]"), "负责人无效");
                    None
                }
            }
        };
        i.items.push(ItemInput {
            content,
            owner_user_id,
            deadline: deadlines.get(n).cloned().unwrap_or_default(),
            status: statuses.get(n).cloned().unwrap_or_default(),
        });
    }
    i
}

/// The item rows of an input, plus blank ones.
pub fn item_rows(i: &LedgerInput) -> Vec<ItemRow> {
    let mut rows: Vec<ItemRow> = i
        .items
        .iter()
        .map(|it| ItemRow {
            content: it.content.clone(),
            owner: it.owner_user_id.map(|v| v.to_string()).unwrap_or_default(),
            deadline: it.deadline.clone(),
            status: if it.status.is_empty() {
                "open".into()
            } else {
                it.status.clone()
            },
        })
        .collect();
    rows.extend((0..BLANK_ITEMS).map(|_| ItemRow {
        status: "open".into(),
        ..Default::default()
    }));
    rows
}

/// The ledger's fields with their typed values and errors, for the form template.
pub fn form_fields(
    kind: LedgerKind,
    input: &LedgerInput,
    errors: &FieldErrors,
    campaigns: &[(i64, String)],
    funding: &[(String, String)],
) -> Vec<FormField> {
    kind.fields()
        .iter()
        .map(|f| {
            let (widget, options): (&'static str, Vec<(String, String)>) = match f.widget {
                Widget::Text(_) => ("text", Vec::new()),
                Widget::Area(_) => ("area", Vec::new()),
                Widget::Money => ("money", Vec::new()),
                Widget::Hours => ("hours", Vec::new()),
                Widget::Count => ("count", Vec::new()),
                Widget::Year => ("year", Vec::new()),
                // A funding entry's use category comes from the bureau's settings.
                Widget::Select(_) if kind == LedgerKind::Funding && f.name == "category" => {
                    ("select", funding.to_vec())
                }
                Widget::Select(l) => ("select", own(l)),
                Widget::Suggest(l) => ("suggest", own(l)),
                Widget::Campaign => (
                    "campaign",
                    campaigns
                        .iter()
                        .map(|(id, n)| (id.to_string(), n.clone()))
                        .collect(),
                ),
            };
            let value = match f.widget {
                Widget::Campaign => input.campaign_id.map(|c| c.to_string()).unwrap_or_default(),
                _ => input.raw(f.name).to_string(),
            };
            FormField {
                name: f.name,
                label: f.label,
                required: f.required,
                widget,
                value,
                options,
                error: errors.get(f.name).map(str::to_string),
            }
        })
        .collect()
}

fn own(l: &[(&str, &str)]) -> Vec<(String, String)> {
    l.iter()
        .map(|(c, n)| (c.to_string(), n.to_string()))
        .collect()
}

/// Errors of the item rows, in order, for the top of the item block.
pub fn item_errors(errors: &FieldErrors) -> Vec<String> {
    errors
        .0
        .iter()
        .filter(|(f, _)| f.starts_with("items["))
        .map(|(_, m)| m.clone())
        .collect()
}

/// Stores the files posted in `field` through the attachment module, for `org_id`.
pub async fn store_files(
    state: &AppState,
    auth: &Auth,
    d: &FormData,
    field: &str,
    org_id: i64,
) -> Result<Vec<i64>, AppError> {
    let ctx = auth.ctx();
    let mut ids = Vec::new();
    for f in d.files_of(field) {
        if f.bytes.is_empty() {
            return Err(AppError::Invalid(FieldErrors::single(
                field,
                format!("文件“{}”为空", f.name),
            )));
        }
        if f.bytes.len() > state.upload_limit {
            return Err(AppError::PayloadTooLarge);
        }
        let kind = sniff::sniff(&f.bytes, &f.name).ok_or_else(|| {
            AppError::Invalid(FieldErrors::single(
                field,
                format!(
                    "不支持的文件类型：“{}”，仅支持图片（JPG、PNG、GIF、WEBP）、PDF 和 Office 文档",
                    f.name
                ),
            ))
        })?;
        anjian_db::attachment::check_target(&state.db, &ctx, org_id).await?;
        let a = save(state, &ctx, org_id, f.name.clone(), f.bytes.clone(), kind).await?;
        ids.push(a.id);
    }
    Ok(ids)
}

/// The ledgers as (segment, label) for the overview's links.
pub fn ledgers() -> Vec<(&'static str, &'static str)> {
    LedgerKind::ALL
        .iter()
        .map(|k| (k.segment(), k.label()))
        .collect()
}

/// The "type" filter's options of a ledger, as (stored value, label).
pub fn category_options(kind: LedgerKind) -> Vec<(String, String)> {
    own(kind.category_options().list())
}

/// Whether the ledger's form shows item rows / attendee checkboxes.
pub fn shows_items(kind: LedgerKind) -> bool {
    ledger::has_items(kind)
}
