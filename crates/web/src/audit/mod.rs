//! The audit trail for audit administrators: browse, filter, export. Read-only: there is no route
//! that edits or deletes an entry. Shared here: the query parameters (page and API take the same
//! ones) and the Chinese names of entities and actions.

pub mod api;
pub mod routes;

use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::Deserialize;

use anjian_db::audit::AuditFilter;
use anjian_db::FieldErrors;
use anjian_domain::dates::parse_date;
use anjian_domain::time::shanghai;

/// Entities offered in the query form: (code, Chinese).
pub const ENTITIES: &[(&str, &str)] = &[
    ("org", "组织"),
    ("user", "用户"),
    ("session", "登录会话"),
    ("api_token", "API令牌"),
    ("attachment", "附件"),
    ("audit_log", "审计日志"),
];

/// Actions the system records: (code, Chinese).
pub const ACTIONS: &[(&str, &str)] = &[
    ("create", "新增"),
    ("update", "修改"),
    ("move", "移动"),
    ("deactivate", "停用"),
    ("activate", "启用"),
    ("login", "登录"),
    ("login_failed", "登录失败"),
    ("logout", "退出"),
    ("idle_timeout", "会话超时"),
    ("expired", "会话过期"),
    ("end_session", "强制下线"),
    ("lock", "锁定"),
    ("unlock", "解锁"),
    ("reset_password", "重置密码"),
    ("change_password", "修改密码"),
    ("assign_role", "分配角色"),
    ("export", "导出"),
    ("revoke", "撤销"),
];

fn label(table: &[(&'static str, &'static str)], code: &str) -> String {
    table
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, l)| l.to_string())
        .unwrap_or_else(|| code.to_string())
}

/// The Chinese name of an entity; unknown codes are shown as they are.
pub fn entity_label(code: &str) -> String {
    label(ENTITIES, code)
}

/// The Chinese name of an action; unknown codes are shown as they are.
pub fn action_label(code: &str) -> String {
    label(ACTIONS, code)
}

/// The query of the audit list, page and API alike: all text, checked by `to_filter`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AuditParams {
    /// Exact user name of whoever acted.
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub entity: String,
    #[serde(default)]
    pub action: String,
    /// Matches the entity's id or anything in the before/after snapshots.
    #[serde(default)]
    pub keyword: String,
    /// First day, Shanghai time (YYYY-MM-DD).
    #[serde(default)]
    pub from: String,
    /// Last day, inclusive, Shanghai time (YYYY-MM-DD).
    #[serde(default)]
    pub to: String,
}

/// Midnight at the start of `d` in Shanghai, as a UTC instant.
pub fn shanghai_midnight(d: NaiveDate) -> Option<DateTime<Utc>> {
    d.and_hms_opt(0, 0, 0)?
        .and_local_timezone(shanghai())
        .single()
        .map(|t| t.with_timezone(&Utc))
}

fn date_field(errs: &mut FieldErrors, field: &str, label: &str, v: &str) -> Option<NaiveDate> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    match parse_date(v) {
        Ok(d) => Some(d),
        Err(e) => {
            // "日期格式不正确：…" becomes "开始日期格式不正确：…".
            let msg = e.to_string();
            let msg = match msg.strip_prefix("日期") {
                Some(rest) => format!("{label}{rest}"),
                None => format!("{label}：{msg}"),
            };
            errs.add(field, msg);
            None
        }
    }
}

impl AuditParams {
    /// The data-layer filter. Dates are whole days in Asia/Shanghai: `from` starts at its
    /// midnight, `to` includes its whole day (the filter is `at < midnight after to`).
    pub fn to_filter(&self) -> Result<AuditFilter, FieldErrors> {
        let mut errs = FieldErrors::new();
        let entity = self.entity.trim();
        if !entity.is_empty() && !ENTITIES.iter().any(|(c, _)| *c == entity) {
            errs.add("entity", "对象类型无效");
        }
        let action = self.action.trim();
        if !action.is_empty() && !ACTIONS.iter().any(|(c, _)| *c == action) {
            errs.add("action", "动作无效");
        }
        let from = date_field(&mut errs, "from", "开始日期", &self.from);
        let to = date_field(&mut errs, "to", "结束日期", &self.to);
        if let (Some(f), Some(t)) = (from, to) {
            if t < f {
                errs.add("to", "结束日期不能早于开始日期");
            }
        }
        let from = from.and_then(shanghai_midnight);
        let to = to
            .and_then(|d| d.checked_add_days(Days::new(1)))
            .and_then(shanghai_midnight);
        if !errs.is_empty() {
            return Err(errs);
        }
        let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        Ok(AuditFilter {
            actor: opt(&self.actor),
            entity: opt(entity),
            action: opt(action),
            keyword: opt(&self.keyword),
            from,
            to,
        })
    }

    /// The query string of these parameters, for pager and export links.
    pub fn query_string(&self) -> String {
        crate::layout::query_string(&[
            ("actor", self.actor.clone()),
            ("entity", self.entity.clone()),
            ("action", self.action.clone()),
            ("keyword", self.keyword.clone()),
            ("from", self.from.clone()),
            ("to", self.to.clone()),
        ])
    }
}

/// A JSON snapshot pretty-printed for reading; text that is not JSON is shown as it is.
pub fn pretty_json(raw: &Option<String>) -> Option<String> {
    raw.as_deref().map(|s| {
        serde_json::from_str::<serde_json::Value>(s)
            .ok()
            .and_then(|v| serde_json::to_string_pretty(&v).ok())
            .unwrap_or_else(|| s.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_whole_shanghai_days() {
        let p = AuditParams {
            from: "2023-03-01".into(),
            to: "2023/3/1".into(),
            ..Default::default()
        };
        let f = p.to_filter().unwrap();
        assert_eq!(f.from.unwrap().to_rfc3339(), "2023-02-28T16:00:00+00:00");
        assert_eq!(f.to.unwrap().to_rfc3339(), "2023-03-01T16:00:00+00:00");
    }

    #[test]
    fn bad_input_names_the_field() {
        let p = AuditParams {
            from: "2023-02-30".into(),
            to: "x".into(),
            entity: "nope".into(),
            action: "drop".into(),
            ..Default::default()
        };
        let e = p.to_filter().unwrap_err();
        for f in ["from", "to", "entity", "action"] {
            assert!(e.get(f).is_some(), "{f}");
        }
        assert!(
            e.get("from").unwrap().starts_with("开始日期格式不正确"),
            "{:?}",
            e.get("from")
        );
        let p = AuditParams {
            from: "2023-03-02".into(),
            to: "2023-03-01".into(),
            ..Default::default()
        };
        assert_eq!(
            p.to_filter().unwrap_err().get("to"),
            Some("结束日期不能早于开始日期")
        );
    }

    #[test]
    fn labels() {
        assert_eq!(action_label("end_session"), "强制下线");
        assert_eq!(action_label("something_new"), "something_new");
        assert_eq!(entity_label("api_token"), "API令牌");
    }
}
