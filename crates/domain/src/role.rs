//! Roles and the permission matrix. docs/permissions.md is the written form of `Role::permissions`;
//! a test renders this matrix and compares it with that document, so the two cannot drift.
//!
//! 三员分立 (等保 2.0, GB/T 22239-2019 §8.1.4.2): the system administrator runs accounts and the
//! organisation tree but cannot read the audit trail; the security administrator assigns roles and
//! manages sessions; the audit administrator can only read and export the audit trail.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    SystemAdmin,
    SecurityAdmin,
    AuditAdmin,
    BureauSupervisor,
    BureauLeader,
    UnitHead,
    UnitOfficer,
    Inspector,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// See organisations in scope.
    OrgView,
    /// Create, edit, move, deactivate organisations in scope.
    OrgManage,
    /// See user accounts in scope.
    UserView,
    /// Create accounts with a business role, edit profiles, reset passwords.
    UserManage,
    /// Change roles, grant administrator roles, lock and unlock accounts, manage API tokens.
    UserAssignRole,
    /// See and end login sessions.
    SessionManage,
    /// Browse the audit trail.
    AuditView,
    /// Export the audit trail to Excel.
    AuditExport,
    /// Download attachments of records in scope.
    AttachmentView,
    /// Upload attachments.
    AttachmentUpload,
}

use Permission as P;

impl Role {
    pub const ALL: [Role; 8] = [
        Role::SystemAdmin,
        Role::SecurityAdmin,
        Role::AuditAdmin,
        Role::BureauSupervisor,
        Role::BureauLeader,
        Role::UnitHead,
        Role::UnitOfficer,
        Role::Inspector,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::SystemAdmin => "system_admin",
            Role::SecurityAdmin => "security_admin",
            Role::AuditAdmin => "audit_admin",
            Role::BureauSupervisor => "bureau_supervisor",
            Role::BureauLeader => "bureau_leader",
            Role::UnitHead => "unit_head",
            Role::UnitOfficer => "unit_officer",
            Role::Inspector => "inspector",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::SystemAdmin => "系统管理员",
            Role::SecurityAdmin => "安全管理员",
            Role::AuditAdmin => "审计管理员",
            Role::BureauSupervisor => "局监管人员",
            Role::BureauLeader => "局领导",
            Role::UnitHead => "单位负责人",
            Role::UnitOfficer => "单位安全员",
            Role::Inspector => "检查员",
        }
    }

    /// The three administrator roles of 三员分立: only a security administrator may grant them.
    pub fn is_admin(self) -> bool {
        matches!(
            self,
            Role::SystemAdmin | Role::SecurityAdmin | Role::AuditAdmin
        )
    }

    pub fn permissions(self) -> &'static [Permission] {
        match self {
            Role::SystemAdmin => &[P::OrgView, P::OrgManage, P::UserView, P::UserManage],
            Role::SecurityAdmin => &[P::OrgView, P::UserView, P::UserAssignRole, P::SessionManage],
            Role::AuditAdmin => &[P::AuditView, P::AuditExport],
            Role::BureauSupervisor => &[
                P::OrgView,
                P::UserView,
                P::AttachmentView,
                P::AttachmentUpload,
            ],
            Role::BureauLeader => &[P::OrgView, P::UserView, P::AttachmentView],
            Role::UnitHead => &[
                P::OrgView,
                P::OrgManage,
                P::UserView,
                P::AttachmentView,
                P::AttachmentUpload,
            ],
            Role::UnitOfficer => &[
                P::OrgView,
                P::UserView,
                P::AttachmentView,
                P::AttachmentUpload,
            ],
            Role::Inspector => &[P::OrgView, P::AttachmentView, P::AttachmentUpload],
        }
    }

    pub fn can(self, p: Permission) -> bool {
        self.permissions().contains(&p)
    }
}

impl Permission {
    pub const ALL: [Permission; 10] = [
        P::OrgView,
        P::OrgManage,
        P::UserView,
        P::UserManage,
        P::UserAssignRole,
        P::SessionManage,
        P::AuditView,
        P::AuditExport,
        P::AttachmentView,
        P::AttachmentUpload,
    ];

    pub fn label(self) -> &'static str {
        match self {
            P::OrgView => "查看组织机构",
            P::OrgManage => "管理组织机构（新增、编辑、移动、停用）",
            P::UserView => "查看用户",
            P::UserManage => "管理用户（新增业务用户、编辑资料、重置密码）",
            P::UserAssignRole => "分配角色、授予管理员角色、锁定/解锁账号、管理API令牌",
            P::SessionManage => "查看和强制结束登录会话",
            P::AuditView => "查看审计日志",
            P::AuditExport => "导出审计日志",
            P::AttachmentView => "下载附件",
            P::AttachmentUpload => "上传附件",
        }
    }
}

/// The matrix as a Markdown table: the body of docs/permissions.md between its markers.
pub fn permission_matrix_markdown() -> String {
    let mut out = String::from("| 权限 |");
    for r in Role::ALL {
        out.push_str(&format!(" {} |", r.label()));
    }
    out.push_str("\n|---|");
    for _ in Role::ALL {
        out.push_str("---|");
    }
    out.push('\n');
    for p in Permission::ALL {
        out.push_str(&format!("| {} |", p.label()));
        for r in Role::ALL {
            out.push_str(if r.can(p) { " ✓ |" } else { "  |" });
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::from_code(r.code()), Some(r));
        }
        assert_eq!(Role::from_code("root"), None);
    }

    #[test]
    fn separation_of_three_administrators() {
        // The system administrator must not read or alter the audit trail.
        assert!(!Role::SystemAdmin.can(P::AuditView));
        assert!(!Role::SystemAdmin.can(P::UserAssignRole));
        // The audit administrator can only read and export the audit trail.
        assert_eq!(
            Role::AuditAdmin.permissions(),
            &[P::AuditView, P::AuditExport]
        );
        assert!(!Role::SecurityAdmin.can(P::AuditView));
        for r in Role::ALL {
            if r != Role::AuditAdmin {
                assert!(!r.can(P::AuditView), "{r:?} must not read the audit trail");
            }
        }
    }

    #[test]
    fn leader_is_read_only() {
        for p in Role::BureauLeader.permissions() {
            assert!(matches!(p, P::OrgView | P::UserView | P::AttachmentView));
        }
    }
}
