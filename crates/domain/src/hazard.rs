//! Hidden hazards (事故隐患) and their closed loop, after 安监总局令第16号 (Art. 3, 14, 15) and
//! 安全生产法 Art. 41: found → 待整改 → 整改中 (五落实) → 待验收 → 已销号, with 立即整改 for what is fixed
//! during the inspection. The rules that make a fake closure (假闭环) impossible live here, as one
//! pure transition function: the database layer loads the facts, asks `apply`, and stores the
//! result, so no handler or import can take a shortcut.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::money::Fen;

pub type UserId = i64;

/// A hazard's due-soon window: the to-do list warns this many days before the deadline.
/// Product rule of the hazard issue (not a regulation), hence a constant rather than a setting.
pub const DUE_SOON_DAYS: i64 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HazardGrade {
    General,
    Major,
}

impl HazardGrade {
    pub const ALL: [HazardGrade; 2] = [HazardGrade::General, HazardGrade::Major];

    pub fn code(self) -> &'static str {
        match self {
            HazardGrade::General => "general",
            HazardGrade::Major => "major",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            HazardGrade::General => "一般隐患",
            HazardGrade::Major => "重大隐患",
        }
    }

    pub fn from_code(code: &str) -> Option<HazardGrade> {
        Self::ALL.into_iter().find(|g| g.code() == code)
    }

    /// Accepts the code or what people write in a sheet: 一般 / 一般隐患 / 重大 / 重大隐患.
    pub fn parse(s: &str) -> Option<HazardGrade> {
        match s.trim() {
            "general" | "一般" | "一般隐患" | "一般事故隐患" => {
                Some(HazardGrade::General)
            }
            "major" | "重大" | "重大隐患" | "重大事故隐患" => Some(HazardGrade::Major),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HazardStatus {
    /// 待整改: registered with a deadline, rectification not yet organised.
    Pending,
    /// 整改中: 五落实 in place (owner, measures, funds, deadline; plan for major hazards).
    Rectifying,
    /// 待验收: rectified with evidence, waiting for someone else to verify.
    AwaitingVerification,
    /// 已销号: verified and closed. Terminal.
    Closed,
}

impl HazardStatus {
    pub const ALL: [HazardStatus; 4] = [
        HazardStatus::Pending,
        HazardStatus::Rectifying,
        HazardStatus::AwaitingVerification,
        HazardStatus::Closed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            HazardStatus::Pending => "pending",
            HazardStatus::Rectifying => "rectifying",
            HazardStatus::AwaitingVerification => "awaiting_verification",
            HazardStatus::Closed => "closed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            HazardStatus::Pending => "待整改",
            HazardStatus::Rectifying => "整改中",
            HazardStatus::AwaitingVerification => "待验收",
            HazardStatus::Closed => "已销号",
        }
    }

    pub fn from_code(code: &str) -> Option<HazardStatus> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Accepts the code or the Chinese label (imports).
    pub fn parse(s: &str) -> Option<HazardStatus> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|st| st.code() == s || st.label() == s)
    }

    /// Still the rectifier's job: the deadline applies and the item can be overdue.
    pub fn awaits_rectification(self) -> bool {
        matches!(self, HazardStatus::Pending | HazardStatus::Rectifying)
    }

    pub fn is_open(self) -> bool {
        self != HazardStatus::Closed
    }
}

/// Overdue: still awaiting rectification after its deadline day (Asia/Shanghai `today`).
pub fn is_overdue(status: HazardStatus, deadline: Option<NaiveDate>, today: NaiveDate) -> bool {
    status.awaits_rectification() && deadline.is_some_and(|d| d < today)
}

/// Due within `DUE_SOON_DAYS` days (today included) and not yet overdue.
pub fn is_due_soon(status: HazardStatus, deadline: Option<NaiveDate>, today: NaiveDate) -> bool {
    status.awaits_rectification()
        && deadline.is_some_and(|d| d >= today && (d - today).num_days() <= DUE_SOON_DAYS)
}

/// An extension request waiting for a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingExtension {
    pub requested_by: UserId,
    pub new_deadline: NaiveDate,
}

/// The facts a transition depends on, loaded from the hazard row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HazardState {
    pub status: HazardStatus,
    pub grade: HazardGrade,
    pub found_on: NaiveDate,
    /// The deadline in force. Never empty once registered (立即整改 uses the found date).
    pub deadline: NaiveDate,
    /// The deadline first set at registration; extensions never touch it.
    pub original_deadline: NaiveDate,
    /// 五落实 in place (owner, measures, funds).
    pub has_rectification_plan: bool,
    /// For major hazards: the six-part treatment plan of 16号令 Art. 15 is complete.
    pub major_plan_complete: bool,
    pub immediate: bool,
    pub rectified_on: Option<NaiveDate>,
    pub rectified_by: Option<UserId>,
    pub verified_on: Option<NaiveDate>,
    pub verified_by: Option<UserId>,
    pub pending_extension: Option<PendingExtension>,
}

impl HazardState {
    /// A freshly registered hazard: 待整改 with its deadline.
    pub fn registered(grade: HazardGrade, found_on: NaiveDate, deadline: NaiveDate) -> HazardState {
        HazardState {
            status: HazardStatus::Pending,
            grade,
            found_on,
            deadline,
            original_deadline: deadline,
            has_rectification_plan: false,
            major_plan_complete: false,
            immediate: false,
            rectified_on: None,
            rectified_by: None,
            verified_on: None,
            verified_by: None,
            pending_extension: None,
        }
    }
}

/// 五落实 for a hazard: who, how, with what money (the deadline is already set).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RectificationPlan {
    pub owner: String,
    pub measures: String,
    pub funds: Fen,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Organise rectification (五落实): 待整改 → 整改中. Editing the plan later keeps the status.
    Assign(RectificationPlan),
    /// Rectification done: 整改中 → 待验收, with `evidence` new after-photos or documents.
    SubmitRectification {
        by: UserId,
        on: NaiveDate,
        evidence: u32,
    },
    /// 立即整改: fixed on the spot during the inspection; 待整改 → 待验收, general hazards only.
    RecordImmediate {
        by: UserId,
        on: NaiveDate,
        evidence: u32,
    },
    /// 复查验收 passed: 待验收 → 已销号.
    Verify { by: UserId, on: NaiveDate },
    /// 复查验收 failed: 待验收 → 整改中, with the reason.
    Reject {
        by: UserId,
        on: NaiveDate,
        reason: String,
    },
    /// 延期申请.
    RequestExtension {
        by: UserId,
        new_deadline: NaiveDate,
        reason: String,
    },
    /// Approve or reject the pending extension request.
    DecideExtension { by: UserId, approve: bool },
}

/// Why a transition is refused. Each carries the form field it concerns and a Chinese message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("当前状态为“{0}”，不能执行此操作")]
    WrongStatus(&'static str),
    #[error("整改责任人不能为空")]
    MissingOwner,
    #[error("整改措施不能为空")]
    MissingMeasures,
    #[error("重大事故隐患须先制定包含六项内容的治理方案")]
    MajorPlanIncomplete,
    #[error("提交验收须上传整改后的照片或证明材料")]
    NoEvidence,
    #[error("整改完成日期不能早于发现日期")]
    RectifiedBeforeFound,
    #[error("日期不能晚于今天")]
    InFuture,
    #[error("验收人不能是整改人")]
    VerifierIsRectifier,
    #[error("验收日期不能早于整改完成日期")]
    VerifiedBeforeRectified,
    #[error("退回须填写原因")]
    MissingReason,
    #[error("重大事故隐患不能立即整改销号，须按治理方案整改")]
    ImmediateForMajor,
    #[error("已有待审批的延期申请")]
    ExtensionPending,
    #[error("没有待审批的延期申请")]
    NoExtensionPending,
    #[error("延期后的期限须晚于当前整改期限")]
    ExtensionNotLater,
    #[error("延期后的期限不能早于今天")]
    ExtensionInPast,
    #[error("延期原因不能为空")]
    MissingExtensionReason,
    #[error("不能审批自己提出的延期申请")]
    OwnExtension,
}

impl TransitionError {
    /// The input field the error concerns, for per-field form messages.
    pub fn field(&self) -> &'static str {
        use TransitionError as E;
        match self {
            E::WrongStatus(_) | E::MajorPlanIncomplete | E::ImmediateForMajor => "status",
            E::MissingOwner => "owner",
            E::MissingMeasures => "measures",
            E::NoEvidence => "evidence",
            E::RectifiedBeforeFound => "rectified_on",
            E::InFuture => "date",
            E::VerifierIsRectifier => "verified_by",
            E::VerifiedBeforeRectified => "verified_on",
            E::MissingReason => "reason",
            E::ExtensionPending | E::NoExtensionPending | E::OwnExtension => "extension",
            E::ExtensionNotLater | E::ExtensionInPast => "new_deadline",
            E::MissingExtensionReason => "reason",
        }
    }
}

/// The one transition function. `today` is the Asia/Shanghai date of the request.
pub fn apply(
    s: &HazardState,
    cmd: &Command,
    today: NaiveDate,
) -> Result<HazardState, TransitionError> {
    use HazardStatus as St;
    use TransitionError as E;
    let wrong = || E::WrongStatus(s.status.label());
    let mut n = s.clone();
    match cmd {
        Command::Assign(plan) => {
            if !s.status.awaits_rectification() {
                return Err(wrong());
            }
            if plan.owner.trim().is_empty() {
                return Err(E::MissingOwner);
            }
            if plan.measures.trim().is_empty() {
                return Err(E::MissingMeasures);
            }
            if s.grade == HazardGrade::Major && !s.major_plan_complete {
                return Err(E::MajorPlanIncomplete);
            }
            n.has_rectification_plan = true;
            n.status = St::Rectifying;
        }
        Command::SubmitRectification { by, on, evidence } => {
            if s.status != St::Rectifying || !s.has_rectification_plan {
                return Err(wrong());
            }
            check_rectified(s, *on, *evidence, today)?;
            n.rectified_on = Some(*on);
            n.rectified_by = Some(*by);
            // Rectified within the deadline in force: a still-pending extension request has no
            // object any more, and deciding it later must not move a finished hazard's deadline.
            n.pending_extension = None;
            n.status = St::AwaitingVerification;
        }
        Command::RecordImmediate { by, on, evidence } => {
            if s.status != St::Pending {
                return Err(wrong());
            }
            if s.grade == HazardGrade::Major {
                return Err(E::ImmediateForMajor);
            }
            check_rectified(s, *on, *evidence, today)?;
            n.immediate = true;
            n.rectified_on = Some(*on);
            n.rectified_by = Some(*by);
            n.pending_extension = None;
            n.status = St::AwaitingVerification;
        }
        Command::Verify { by, on } => {
            check_verification(s, *by, *on, today)?;
            n.verified_on = Some(*on);
            n.verified_by = Some(*by);
            n.status = St::Closed;
        }
        Command::Reject { by, on, reason } => {
            check_verification(s, *by, *on, today)?;
            if reason.trim().is_empty() {
                return Err(E::MissingReason);
            }
            // Back to the rectifier; the next submission needs its own date and evidence.
            n.rectified_on = None;
            n.rectified_by = None;
            n.status = if s.has_rectification_plan {
                St::Rectifying
            } else {
                // A rejected 立即整改 still needs its 五落实 before it can be resubmitted.
                St::Pending
            };
            n.immediate = false;
        }
        Command::RequestExtension {
            by,
            new_deadline,
            reason,
        } => {
            if !s.status.awaits_rectification() {
                return Err(wrong());
            }
            if s.pending_extension.is_some() {
                return Err(E::ExtensionPending);
            }
            if reason.trim().is_empty() {
                return Err(E::MissingExtensionReason);
            }
            if *new_deadline <= s.deadline {
                return Err(E::ExtensionNotLater);
            }
            if *new_deadline < today {
                return Err(E::ExtensionInPast);
            }
            n.pending_extension = Some(PendingExtension {
                requested_by: *by,
                new_deadline: *new_deadline,
            });
        }
        Command::DecideExtension { by, approve } => {
            if !s.status.awaits_rectification() {
                return Err(wrong());
            }
            let Some(p) = &s.pending_extension else {
                return Err(E::NoExtensionPending);
            };
            if p.requested_by == *by {
                return Err(E::OwnExtension);
            }
            if *approve {
                n.deadline = p.new_deadline;
            }
            n.pending_extension = None;
        }
    }
    Ok(n)
}

fn check_rectified(
    s: &HazardState,
    on: NaiveDate,
    evidence: u32,
    today: NaiveDate,
) -> Result<(), TransitionError> {
    if evidence == 0 {
        return Err(TransitionError::NoEvidence);
    }
    if on < s.found_on {
        return Err(TransitionError::RectifiedBeforeFound);
    }
    if on > today {
        return Err(TransitionError::InFuture);
    }
    Ok(())
}

fn check_verification(
    s: &HazardState,
    by: UserId,
    on: NaiveDate,
    today: NaiveDate,
) -> Result<(), TransitionError> {
    if s.status != HazardStatus::AwaitingVerification {
        return Err(TransitionError::WrongStatus(s.status.label()));
    }
    if s.rectified_by == Some(by) {
        return Err(TransitionError::VerifierIsRectifier);
    }
    match s.rectified_on {
        Some(r) if on < r => return Err(TransitionError::VerifiedBeforeRectified),
        Some(_) => {}
        // Unreachable through `apply`: 待验收 is only entered with a rectification date.
        None => return Err(TransitionError::WrongStatus(s.status.label())),
    }
    if on > today {
        return Err(TransitionError::InFuture);
    }
    Ok(())
}

/// The six required parts of a major-hazard treatment plan (16号令 Art. 15), in order.
pub const MAJOR_PLAN_PARTS: [(&str, &str); 6] = [
    ("objectives", "治理的目标和任务"),
    ("methods", "采取的方法和措施"),
    ("funds_materials", "经费和物资的落实"),
    ("organisation", "负责治理的机构和人员"),
    ("time_limits", "治理的时限和要求"),
    ("safety_emergency", "安全措施和应急预案"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn plan() -> Command {
        Command::Assign(RectificationPlan {
            owner: "张三".into(),
            measures: "清理通道".into(),
            funds: Fen(0),
        })
    }

    #[test]
    fn the_happy_path_closes() {
        let today = d("2023-03-10");
        let s = HazardState::registered(HazardGrade::General, d("2023-03-01"), d("2023-03-15"));
        let s = apply(&s, &plan(), today).unwrap();
        assert_eq!(s.status, HazardStatus::Rectifying);
        let s = apply(
            &s,
            &Command::SubmitRectification {
                by: 1,
                on: d("2023-03-05"),
                evidence: 1,
            },
            today,
        )
        .unwrap();
        assert_eq!(s.status, HazardStatus::AwaitingVerification);
        assert_eq!(
            apply(&s, &Command::Verify { by: 1, on: today }, today),
            Err(TransitionError::VerifierIsRectifier)
        );
        assert_eq!(
            apply(
                &s,
                &Command::Verify {
                    by: 2,
                    on: d("2023-03-04")
                },
                today
            ),
            Err(TransitionError::VerifiedBeforeRectified)
        );
        let s = apply(&s, &Command::Verify { by: 2, on: today }, today).unwrap();
        assert_eq!(s.status, HazardStatus::Closed);
    }

    #[test]
    fn major_hazards_need_their_plan_and_cannot_be_fixed_on_the_spot() {
        let today = d("2023-03-10");
        let s = HazardState::registered(HazardGrade::Major, d("2023-03-01"), d("2023-06-01"));
        assert_eq!(
            apply(&s, &plan(), today),
            Err(TransitionError::MajorPlanIncomplete)
        );
        assert_eq!(
            apply(
                &s,
                &Command::RecordImmediate {
                    by: 1,
                    on: today,
                    evidence: 1
                },
                today
            ),
            Err(TransitionError::ImmediateForMajor)
        );
        let mut s2 = s.clone();
        s2.major_plan_complete = true;
        assert!(apply(&s2, &plan(), today).is_ok());
    }

    #[test]
    fn submitting_cancels_a_pending_extension_and_a_finished_hazard_cannot_be_extended() {
        let today = d("2023-03-10");
        let s = HazardState::registered(HazardGrade::General, d("2023-03-01"), d("2023-03-15"));
        let s = apply(&s, &plan(), today).unwrap();
        let s = apply(
            &s,
            &Command::RequestExtension {
                by: 1,
                new_deadline: d("2023-04-15"),
                reason: "材料".into(),
            },
            today,
        )
        .unwrap();
        let s = apply(
            &s,
            &Command::SubmitRectification {
                by: 1,
                on: today,
                evidence: 1,
            },
            today,
        )
        .unwrap();
        assert_eq!(s.pending_extension, None);
        assert_eq!(
            apply(
                &s,
                &Command::DecideExtension {
                    by: 2,
                    approve: true
                },
                today
            ),
            Err(TransitionError::WrongStatus("待验收"))
        );
        assert_eq!(s.deadline, d("2023-03-15"));
    }

    #[test]
    fn overdue_and_due_soon_are_by_calendar_day() {
        let st = HazardStatus::Rectifying;
        let dl = Some(d("2023-03-15"));
        assert!(!is_overdue(st, dl, d("2023-03-15")));
        assert!(is_overdue(st, dl, d("2023-03-16")));
        assert!(!is_overdue(
            HazardStatus::AwaitingVerification,
            dl,
            d("2023-04-01")
        ));
        assert!(is_due_soon(st, dl, d("2023-03-12")));
        assert!(is_due_soon(st, dl, d("2023-03-15")));
        assert!(!is_due_soon(st, dl, d("2023-03-11")));
        assert!(!is_due_soon(st, dl, d("2023-03-16")));
    }

    #[test]
    fn grade_and_status_parse_labels() {
        assert_eq!(HazardGrade::parse("一般"), Some(HazardGrade::General));
        assert_eq!(HazardGrade::parse("重大隐患"), Some(HazardGrade::Major));
        assert_eq!(HazardGrade::parse("较大"), None);
        for s in HazardStatus::ALL {
            assert_eq!(HazardStatus::parse(s.label()), Some(s));
            assert_eq!(HazardStatus::from_code(s.code()), Some(s));
        }
    }
}
