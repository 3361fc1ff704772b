//! The page chrome every signed-in page shares: header, left menu by module, breadcrumb,
//! notices and pagination.

use anjian_domain::role::Permission;

use crate::auth::Auth;

pub struct MenuItem {
    pub href: &'static str,
    pub label: &'static str,
    pub active: bool,
}

pub struct Crumb {
    pub href: String,
    pub label: String,
}

/// Everything the base template needs besides the page body.
pub struct Chrome {
    pub title: String,
    pub user_name: String,
    pub role_label: &'static str,
    pub csrf: String,
    pub menu: Vec<MenuItem>,
    pub crumbs: Vec<Crumb>,
    pub notice: Option<String>,
}

/// The left menu, by module, showing only what the role may open.
const MENU: &[(&str, &str, Option<Permission>)] = &[
    ("/", "首页", None),
    ("/dashboard", "驾驶舱", Some(Permission::HazardView)),
    ("/hazards", "隐患排查治理", Some(Permission::HazardView)),
    ("/inspections", "安全检查", Some(Permission::InspectionView)),
    (
        "/inspection-tasks",
        "检查任务",
        Some(Permission::InspectionView),
    ),
    ("/risks", "风险分级管控", Some(Permission::RiskView)),
    ("/ledgers", "安全工作台账", Some(Permission::LedgerView)),
    (
        "/ledgers/settings",
        "台账设置",
        Some(Permission::LedgerSettings),
    ),
    ("/duty", "值班值守", Some(Permission::DutyView)),
    ("/incidents", "事故信息报告", Some(Permission::IncidentView)),
    ("/statistics", "统计分析", Some(Permission::HazardView)),
    ("/reports", "工作总结", Some(Permission::HazardView)),
    ("/campaigns", "专项行动", Some(Permission::InspectionView)),
    ("/checklists", "检查表库", Some(Permission::InspectionView)),
    ("/orgs", "组织机构", Some(Permission::OrgView)),
    ("/users", "用户管理", Some(Permission::UserView)),
    ("/sessions", "在线会话", Some(Permission::SessionManage)),
    ("/audit", "审计日志", Some(Permission::AuditView)),
];

impl Chrome {
    pub fn new(auth: &Auth, active: &str, title: impl Into<String>) -> Chrome {
        let role = auth.inner.user.role;
        let menu = MENU
            .iter()
            .filter(|(_, _, p)| p.is_none_or(|p| role.can(p)))
            .map(|(href, label, _)| MenuItem {
                href,
                label,
                active: *href == active,
            })
            .collect();
        let title = title.into();
        Chrome {
            title: title.clone(),
            user_name: auth.inner.user.name.clone(),
            role_label: role.label(),
            csrf: auth.csrf().to_string(),
            menu,
            crumbs: vec![Crumb {
                href: "/".into(),
                label: "首页".into(),
            }],
            notice: None,
        }
    }

    pub fn crumb(mut self, href: impl Into<String>, label: impl Into<String>) -> Chrome {
        self.crumbs.push(Crumb {
            href: href.into(),
            label: label.into(),
        });
        self
    }

    /// Sets the notice from a `?notice=` code after a redirect (stateless flash message).
    pub fn notice(mut self, code: Option<&str>) -> Chrome {
        self.notice = code.and_then(notice_text).map(str::to_string);
        self
    }
}

fn notice_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "created" => "已新增",
        "saved" => "已保存",
        "moved" => "已移动",
        "deactivated" => "已停用",
        "activated" => "已启用",
        "locked" => "账号已锁定",
        "unlocked" => "账号已解锁",
        "ended" => "会话已结束",
        "password" => "密码已修改",
        "uploaded" => "附件已上传",
        "detached" => "附件已删除",
        "imported" => "导入完成",
        "submitted" => "已提交",
        "verified" => "已验收销号",
        "returned" => "已退回整改",
        "requested" => "申请已提交",
        "approved" => "已批准",
        "declined" => "已驳回",
        "reported" => "已上报",
        "listed" => "已挂牌督办",
        "lifted" => "已解除挂牌督办",
        "cancelled" => "已取消",
        "deleted" => "已删除",
        _ => return None,
    })
}

/// Pagination links that keep the list's query.
pub struct Pager {
    pub page: i64,
    pub pages: i64,
    pub total: i64,
    /// The count stopped at `total` ("1000+"): the number of pages is not known.
    pub capped: bool,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// `query` is the list's current query string without `page`.
    pub fn new<T>(p: &anjian_db::Page<T>, base: &str, query: &str) -> Pager {
        let pages = p.pages();
        let link = |n: i64| {
            let sep = if query.is_empty() { "" } else { "&" };
            format!("{base}?{query}{sep}page={n}")
        };
        Pager {
            page: p.page,
            pages,
            total: p.total,
            capped: false,
            prev: (p.page > 1).then(|| link(p.page - 1)),
            next: (p.page < pages).then(|| link(p.page + 1)),
        }
    }

    /// For a list whose count stopped at `p.total` (shown as "1000+"): the next link follows
    /// whether the query found a row after this page (`more`), not the count.
    pub fn capped<T>(p: &anjian_db::Page<T>, base: &str, query: &str, more: bool) -> Pager {
        let mut pager = Pager::new(p, base, query);
        let sep = if query.is_empty() { "" } else { "&" };
        pager.capped = true;
        pager.pages = p.page;
        pager.next = more.then(|| format!("{base}?{query}{sep}page={}", p.page + 1));
        pager
    }
}

/// Builds a query string from non-empty pairs (for pager links and export links).
pub fn query_string(pairs: &[(&str, String)]) -> String {
    let kept: Vec<(&str, &str)> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (*k, v.as_str()))
        .collect();
    serde_urlencoded::to_string(kept).unwrap_or_default()
}

/// Shanghai time for display.
pub fn instant(t: &chrono::DateTime<chrono::Utc>) -> String {
    anjian_domain::time::format_instant(*t)
}

pub fn opt_instant(t: &Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.as_ref().map(instant).unwrap_or_default()
}
