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
    /// See inspections, checklists, campaigns and inspection tasks in scope.
    InspectionView,
    /// Record inspections (自查、督查、抽查、暗访、专项检查) of organisations in scope.
    InspectionRecord,
    /// Maintain the checklist library, campaigns and key periods, and assign inspection tasks.
    InspectionPlan,
    /// See hazards in scope and export the hazard ledger.
    HazardView,
    /// Register hazards (also by import) and report major hazards upward.
    HazardReport,
    /// Rectify hazards: 五落实, submit for verification, request deadline extensions.
    HazardRectify,
    /// Verify rectification (复查验收) and close or reject.
    HazardVerify,
    /// Approve or reject deadline extension requests.
    HazardDecideExtension,
    /// List major hazards for supervision (挂牌督办) and lift the listing.
    HazardSupervise,
    /// See risk points, risks, notice cards and the four-colour view in scope.
    RiskView,
    /// Identify and assess risks: risk points, risks, assessments, control measures, import.
    RiskManage,
    /// Change the grading rules (LEC/LS bands, level mapping, control tiers, inspection frequency).
    RiskSettings,
    /// See the safety work ledgers (funding, training, publicity, drills, meetings, letters).
    LedgerView,
    /// Record entries in the safety work ledgers of organisations in scope (also by import).
    LedgerRecord,
    /// Change ledger settings (funding categories, drill intervals, training minimums).
    LedgerSettings,
    /// See duty rosters, who is on duty, duty logs and zero reports in scope.
    DutyView,
    /// Draw up, publish and print duty rosters; approve shift swaps.
    DutyRoster,
    /// Keep the duty log: entries, handover notes, zero reports; request shift swaps.
    DutyRecord,
    /// See accident and emergency-event reports and the accident register in scope.
    IncidentView,
    /// File initial reports, follow-ups and final reports of accidents and emergency events.
    IncidentReport,
    /// Maintain the holiday calendar and the report time limits.
    DutySettings,
    /// Save drafts of the safety work summary and new versions of their narrative.
    ReportWrite,
    /// Edit the summary's wording templates (措辞模板) and restore their defaults.
    ReportSettings,
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
                P::InspectionView,
                P::InspectionRecord,
                P::InspectionPlan,
                P::HazardView,
                P::HazardReport,
                P::HazardVerify,
                P::HazardDecideExtension,
                P::HazardSupervise,
                P::RiskView,
                P::RiskManage,
                P::RiskSettings,
                P::LedgerView,
                P::LedgerRecord,
                P::LedgerSettings,
                P::DutyView,
                P::DutyRoster,
                P::DutyRecord,
                P::IncidentView,
                P::IncidentReport,
                P::DutySettings,
                P::ReportWrite,
                P::ReportSettings,
            ],
            Role::BureauLeader => &[
                P::OrgView,
                P::UserView,
                P::AttachmentView,
                P::InspectionView,
                P::HazardView,
                P::RiskView,
                P::LedgerView,
                P::DutyView,
                P::IncidentView,
            ],
            Role::UnitHead => &[
                P::OrgView,
                P::OrgManage,
                P::UserView,
                P::AttachmentView,
                P::AttachmentUpload,
                P::InspectionView,
                P::InspectionRecord,
                P::HazardView,
                P::HazardReport,
                P::HazardRectify,
                P::HazardVerify,
                P::HazardDecideExtension,
                P::RiskView,
                P::RiskManage,
                P::LedgerView,
                P::LedgerRecord,
                P::DutyView,
                P::DutyRoster,
                P::DutyRecord,
                P::IncidentView,
                P::IncidentReport,
                P::ReportWrite,
            ],
            Role::UnitOfficer => &[
                P::OrgView,
                P::UserView,
                P::AttachmentView,
                P::AttachmentUpload,
                P::InspectionView,
                P::InspectionRecord,
                P::HazardView,
                P::HazardReport,
                P::HazardRectify,
                P::RiskView,
                P::RiskManage,
                P::LedgerView,
                P::LedgerRecord,
                P::DutyView,
                P::DutyRoster,
                P::DutyRecord,
                P::IncidentView,
                P::IncidentReport,
                P::ReportWrite,
            ],
            Role::Inspector => &[
                P::OrgView,
                P::AttachmentView,
                P::AttachmentUpload,
                P::InspectionView,
                P::InspectionRecord,
                P::HazardView,
                P::HazardReport,
                P::HazardVerify,
                P::RiskView,
                P::DutyView,
                P::DutyRecord,
                P::IncidentView,
                P::IncidentReport,
            ],
        }
    }

    pub fn can(self, p: Permission) -> bool {
        self.permissions().contains(&p)
    }
}

impl Permission {
    pub const ALL: [Permission; 33] = [
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
        P::InspectionView,
        P::InspectionRecord,
        P::InspectionPlan,
        P::HazardView,
        P::HazardReport,
        P::HazardRectify,
        P::HazardVerify,
        P::HazardDecideExtension,
        P::HazardSupervise,
        P::RiskView,
        P::RiskManage,
        P::RiskSettings,
        P::LedgerView,
        P::LedgerRecord,
        P::LedgerSettings,
        P::DutyView,
        P::DutyRoster,
        P::DutyRecord,
        P::IncidentView,
        P::IncidentReport,
        P::DutySettings,
        P::ReportWrite,
        P::ReportSettings,
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
            P::InspectionView => "查看安全检查、检查表、专项行动和检查任务",
            P::InspectionRecord => "登记安全检查",
            P::InspectionPlan => "维护检查表库、专项行动和重要时段，下达检查任务",
            P::HazardView => "查看和导出事故隐患台账",
            P::HazardReport => "登记事故隐患（含导入），上报重大事故隐患",
            P::HazardRectify => "整改事故隐患（五落实、提交验收、申请延期）",
            P::HazardVerify => "复查验收事故隐患（销号或退回）",
            P::HazardDecideExtension => "审批整改延期申请",
            P::HazardSupervise => "重大事故隐患挂牌督办及解除",
            P::RiskView => "查看安全风险清单、告知卡和四色分布图",
            P::RiskManage => "辨识评估安全风险（风险点、风险、管控措施，含导入）",
            P::RiskSettings => "维护风险分级标准（LEC/LS分级、管控层级、检查频次）",
            P::LedgerView => "查看安全工作台账（经费、培训、宣传、演练、会议、责任书）",
            P::LedgerRecord => "登记安全工作台账（含导入）",
            P::LedgerSettings => "维护台账设置（经费类别、演练周期、培训学时）",
            P::DutyView => "查看值班表、今日值班、值班日志和零报告",
            P::DutyRoster => "编排、发布、打印值班表，审批换班",
            P::DutyRecord => "填写值班日志、交接班记录和零报告，申请换班",
            P::IncidentView => "查看事故/突发事件信息报告和事故台账",
            P::IncidentReport => "填报事故/突发事件首报、续报、终报",
            P::DutySettings => "维护节假日日历和信息报告时限",
            P::ReportWrite => "编写工作总结草稿（保存草稿和修改版本）",
            P::ReportSettings => "维护工作总结措辞模板",
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
            assert!(matches!(
                p,
                P::OrgView
                    | P::UserView
                    | P::AttachmentView
                    | P::InspectionView
                    | P::HazardView
                    | P::RiskView
                    | P::LedgerView
                    | P::DutyView
                    | P::IncidentView
            ));
        }
    }
}
