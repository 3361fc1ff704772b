//! JSON shapes of the hazard API: responses mirror the data layer's records (which carry no
//! schema), request bodies mirror its inputs. Every body is `#[serde(default)]` so that an
//! out-of-scope request is answered 404 before its body is judged.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use anjian_db::hazard::{
    self, Extension, Hazard, HazardAttachment, HazardDetail, HazardEvent, Listing, MajorPlan,
    Notice, NoticeItem, SupervisionItem, Todo,
};

/// A hazard (事故隐患).
#[derive(Debug, Serialize, ToSchema)]
pub struct HazardDto {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    /// 隐患部位
    pub location: String,
    pub description: String,
    pub category: String,
    /// `general` 一般隐患 / `major` 重大隐患
    pub grade: String,
    /// 重大隐患判定依据
    pub major_criterion: String,
    pub found_on: NaiveDate,
    pub found_by: String,
    pub reported_by: Option<i64>,
    pub inspection_id: Option<i64>,
    pub inspection_item_id: Option<i64>,
    pub campaign_id: Option<i64>,
    /// 关联风险点: the risk point it was found at (its organisation or one below it)
    pub risk_point_id: Option<i64>,
    /// `pending` 待整改, `rectifying` 整改中, `awaiting_verification` 待验收, `closed` 已销号
    pub status: String,
    /// 立即整改
    pub immediate: bool,
    /// 整改期限 in force
    pub deadline: NaiveDate,
    /// 整改期限 as registered (extensions never change it)
    pub original_deadline: NaiveDate,
    /// Past the deadline and still awaiting rectification (Asia/Shanghai today)
    pub overdue: bool,
    /// Due within 3 days
    pub due_soon: bool,
    pub owner: String,
    pub measures: String,
    /// 整改资金, 分
    pub funds_fen: Option<i64>,
    pub rectified_on: Option<NaiveDate>,
    pub rectified_by: Option<i64>,
    pub rectification_note: String,
    pub verified_on: Option<NaiveDate>,
    pub verified_by: Option<i64>,
    pub verification_note: String,
    pub closed_at: Option<DateTime<Utc>>,
    /// Day the daily job marked it overdue
    pub overdue_marked_on: Option<NaiveDate>,
    /// Send it back with every change (optimistic concurrency)
    pub row_version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Hazard> for HazardDto {
    fn from(h: Hazard) -> Self {
        let today = hazard::today();
        HazardDto {
            overdue: h.is_overdue(today),
            due_soon: h.is_due_soon(today),
            id: h.id,
            org_id: h.org_id,
            org_name: h.org_name,
            location: h.location,
            description: h.description,
            category: h.category,
            grade: h.grade,
            major_criterion: h.major_criterion,
            found_on: h.found_on,
            found_by: h.found_by,
            reported_by: h.reported_by,
            inspection_id: h.inspection_id,
            inspection_item_id: h.inspection_item_id,
            campaign_id: h.campaign_id,
            risk_point_id: h.risk_point_id,
            status: h.status,
            immediate: h.immediate,
            deadline: h.deadline,
            original_deadline: h.original_deadline,
            owner: h.owner,
            measures: h.measures,
            funds_fen: h.funds_fen,
            rectified_on: h.rectified_on,
            rectified_by: h.rectified_by,
            rectification_note: h.rectification_note,
            verified_on: h.verified_on,
            verified_by: h.verified_by,
            verification_note: h.verification_note,
            closed_at: h.closed_at,
            overdue_marked_on: h.overdue_marked_on,
            row_version: h.row_version,
            created_at: h.created_at,
            updated_at: h.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HazardPage {
    pub items: Vec<HazardDto>,
    /// Matching rows, counted up to 10000
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentRef {
    pub attachment_id: i64,
    /// `before`, `after`, `plan` or `lift`
    pub kind: String,
    /// Rectification round of after-evidence (1, 2 … after a rejection)
    pub round: i64,
    pub original_name: String,
    pub mime: String,
    pub has_thumb: bool,
}

impl From<HazardAttachment> for AttachmentRef {
    fn from(a: HazardAttachment) -> Self {
        AttachmentRef {
            attachment_id: a.attachment_id,
            kind: a.kind,
            round: a.round,
            original_name: a.original_name,
            mime: a.mime,
            has_thumb: a.has_thumb,
        }
    }
}

/// One entry of the timeline.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventDto {
    pub at: DateTime<Utc>,
    pub actor_user_id: Option<i64>,
    pub actor_name: String,
    /// e.g. `registered`, `assigned`, `submitted`, `verified`, `rejected`, `overdue`
    pub action: String,
    pub label: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub note: String,
}

impl From<HazardEvent> for EventDto {
    fn from(e: HazardEvent) -> Self {
        EventDto {
            label: e.label().to_string(),
            at: e.at,
            actor_user_id: e.actor_user_id,
            actor_name: e.actor_name,
            action: e.action,
            from_status: e.from_status,
            to_status: e.to_status,
            note: e.note,
        }
    }
}

/// A deadline extension request (延期申请).
#[derive(Debug, Serialize, ToSchema)]
pub struct ExtensionDto {
    pub id: i64,
    pub requested_by: i64,
    pub requested_by_name: String,
    pub requested_at: DateTime<Utc>,
    pub current_deadline: NaiveDate,
    pub requested_deadline: NaiveDate,
    pub reason: String,
    /// `pending`, `approved` or `rejected`
    pub status: String,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_note: String,
}

impl From<Extension> for ExtensionDto {
    fn from(e: Extension) -> Self {
        ExtensionDto {
            id: e.id,
            requested_by: e.requested_by,
            requested_by_name: e.requested_by_name,
            requested_at: e.requested_at,
            current_deadline: e.current_deadline,
            requested_deadline: e.requested_deadline,
            reason: e.reason,
            status: e.status,
            decided_by: e.decided_by,
            decided_at: e.decided_at,
            decision_note: e.decision_note,
        }
    }
}

/// The treatment plan of a major hazard (16号令 Art. 15) and its upward report (Art. 14).
#[derive(Debug, Serialize, ToSchema)]
pub struct MajorPlanDto {
    pub objectives: String,
    pub methods: String,
    pub funds_materials: String,
    pub organisation: String,
    pub time_limits: String,
    pub safety_emergency: String,
    /// All six parts are filled in
    pub complete: bool,
    pub current_state: String,
    pub harm_analysis: String,
    pub reported_at: Option<DateTime<Utc>>,
    pub reported_by: Option<i64>,
}

impl From<MajorPlan> for MajorPlanDto {
    fn from(m: MajorPlan) -> Self {
        MajorPlanDto {
            complete: m.complete(),
            objectives: m.objectives,
            methods: m.methods,
            funds_materials: m.funds_materials,
            organisation: m.organisation,
            time_limits: m.time_limits,
            safety_emergency: m.safety_emergency,
            current_state: m.current_state,
            harm_analysis: m.harm_analysis,
            reported_at: m.reported_at,
            reported_by: m.reported_by,
        }
    }
}

/// 挂牌督办.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListingDto {
    pub authority: String,
    pub listed_on: NaiveDate,
    pub deadline: NaiveDate,
    pub listed_by: Option<i64>,
    pub lifted_on: Option<NaiveDate>,
    pub lifted_by: Option<i64>,
    pub lift_note: String,
}

impl From<Listing> for ListingDto {
    fn from(l: Listing) -> Self {
        ListingDto {
            authority: l.authority,
            listed_on: l.listed_on,
            deadline: l.deadline,
            listed_by: l.listed_by,
            lifted_on: l.lifted_on,
            lifted_by: l.lifted_by,
            lift_note: l.lift_note,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HazardDetailDto {
    pub hazard: HazardDto,
    pub campaign_name: Option<String>,
    /// Name of the risk point `hazard.risk_point_id`
    pub risk_point_name: Option<String>,
    pub reported_by_name: Option<String>,
    pub rectified_by_name: Option<String>,
    pub verified_by_name: Option<String>,
    pub attachments: Vec<AttachmentRef>,
    pub events: Vec<EventDto>,
    pub extensions: Vec<ExtensionDto>,
    pub major: Option<MajorPlanDto>,
    pub listing: Option<ListingDto>,
}

impl From<HazardDetail> for HazardDetailDto {
    fn from(d: HazardDetail) -> Self {
        HazardDetailDto {
            hazard: d.hazard.into(),
            campaign_name: d.campaign_name,
            risk_point_name: d.risk_point_name,
            reported_by_name: d.reported_by_name,
            rectified_by_name: d.rectified_by_name,
            verified_by_name: d.verified_by_name,
            attachments: d.attachments.into_iter().map(Into::into).collect(),
            events: d.events.into_iter().map(Into::into).collect(),
            extensions: d.extensions.into_iter().map(Into::into).collect(),
            major: d.major.map(Into::into),
            listing: d.listing.map(Into::into),
        }
    }
}

/// The home page's to-do counts for the caller.
#[derive(Debug, Serialize, ToSchema)]
pub struct TodoDto {
    pub to_rectify: i64,
    pub to_verify: i64,
    pub overdue: i64,
    pub due_soon: i64,
    pub extensions_to_decide: i64,
}

impl From<Todo> for TodoDto {
    fn from(t: Todo) -> Self {
        TodoDto {
            to_rectify: t.to_rectify,
            to_verify: t.to_verify,
            overdue: t.overdue,
            due_soon: t.due_soon,
            extensions_to_decide: t.extensions_to_decide,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NoticeItemDto {
    pub seq: i64,
    pub hazard_id: i64,
    pub org_name: String,
    pub location: String,
    pub description: String,
    pub category: String,
    pub grade_label: String,
    pub found_on: NaiveDate,
    pub deadline: NaiveDate,
    pub status_label: String,
    pub overdue: bool,
}

impl From<NoticeItem> for NoticeItemDto {
    fn from(i: NoticeItem) -> Self {
        NoticeItemDto {
            seq: i.seq as i64,
            hazard_id: i.hazard_id,
            org_name: i.org_name,
            location: i.location,
            description: i.description,
            category: i.category,
            grade_label: i.grade_label.to_string(),
            found_on: i.found_on,
            deadline: i.deadline,
            status_label: i.status_label.to_string(),
            overdue: i.overdue,
        }
    }
}

/// 整改通知书: one unit's open hazards.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoticeDto {
    pub org_id: i64,
    pub org_name: String,
    pub principal: String,
    pub issuer_name: String,
    pub issued_on: NaiveDate,
    pub reference: String,
    pub items: Vec<NoticeItemDto>,
    pub overdue_count: i64,
    pub earliest_deadline: Option<NaiveDate>,
}

impl From<Notice> for NoticeDto {
    fn from(n: Notice) -> Self {
        NoticeDto {
            org_id: n.org_id,
            org_name: n.org_name,
            principal: n.principal,
            issuer_name: n.issuer_name,
            issued_on: n.issued_on,
            reference: n.reference,
            overdue_count: n.overdue_count as i64,
            earliest_deadline: n.earliest_deadline,
            items: n.items.into_iter().map(Into::into).collect(),
        }
    }
}

/// A major hazard as supervision sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SupervisionDto {
    pub hazard: HazardDto,
    pub plan_complete: bool,
    pub reported_at: Option<DateTime<Utc>>,
    pub listing: Option<ListingDto>,
}

impl From<SupervisionItem> for SupervisionDto {
    fn from(s: SupervisionItem) -> Self {
        SupervisionDto {
            hazard: s.hazard.into(),
            plan_complete: s.plan_complete,
            reported_at: s.reported_at,
            listing: s.listing.map(Into::into),
        }
    }
}

/// Registration or edit of a hazard. Dates as `YYYY-MM-DD` (other unambiguous spellings accepted).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct HazardBody {
    /// Required when editing: the version last read
    pub row_version: i64,
    pub org_id: Option<i64>,
    pub location: String,
    pub description: String,
    pub category: String,
    /// `general` or `major`
    pub grade: String,
    /// Required for major hazards
    pub major_criterion: String,
    pub found_on: String,
    pub found_by: String,
    /// Required unless `immediate`
    pub deadline: String,
    pub campaign_id: Option<i64>,
    /// 关联风险点: an active risk point of `org_id` or of an organisation below it
    /// (GET /api/v1/risk-points lists them); omitted or null for none. On PUT, omitting it
    /// removes the link, like every other field of the registration.
    pub risk_point_id: Option<i64>,
    /// Uploaded first through /api/v1/attachments
    pub before_attachment_ids: Vec<i64>,
    /// 立即整改 (general hazards only): needs `after_attachment_ids`
    pub immediate: bool,
    pub after_attachment_ids: Vec<i64>,
    pub rectification_note: String,
}

impl From<HazardBody> for hazard::HazardInput {
    fn from(b: HazardBody) -> Self {
        hazard::HazardInput {
            org_id: b.org_id,
            location: b.location,
            description: b.description,
            category: b.category,
            grade: b.grade,
            major_criterion: b.major_criterion,
            found_on: b.found_on,
            found_by: b.found_by,
            deadline: b.deadline,
            campaign_id: b.campaign_id,
            risk_point_id: b.risk_point_id,
            before_attachment_ids: b.before_attachment_ids,
            immediate: b.immediate,
            after_attachment_ids: b.after_attachment_ids,
            rectification_note: b.rectification_note,
        }
    }
}

/// 五落实: owner, measures, funds (元, e.g. "1200.50").
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct AssignBody {
    pub row_version: i64,
    pub owner: String,
    pub measures: String,
    pub funds: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct SubmitBody {
    pub row_version: i64,
    pub rectified_on: String,
    pub note: String,
    /// At least one after-photo or document, uploaded first
    pub after_attachment_ids: Vec<i64>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct VerifyBody {
    pub row_version: i64,
    /// Today when empty; not before the rectification date
    pub verified_on: String,
    pub note: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct RejectBody {
    pub row_version: i64,
    pub verified_on: String,
    /// Required
    pub reason: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ExtensionBody {
    pub row_version: i64,
    pub new_deadline: String,
    pub reason: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct DecisionBody {
    pub row_version: i64,
    /// `approve` or `reject`
    pub decision: String,
    pub note: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct PlanBody {
    pub row_version: i64,
    /// 治理的目标和任务
    pub objectives: String,
    /// 采取的方法和措施
    pub methods: String,
    /// 经费和物资的落实
    pub funds_materials: String,
    /// 负责治理的机构和人员
    pub organisation: String,
    /// 治理的时限和要求
    pub time_limits: String,
    /// 安全措施和应急预案
    pub safety_emergency: String,
    pub plan_attachment_ids: Vec<i64>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ReportBody {
    pub row_version: i64,
    /// 隐患的现状及其产生原因
    pub current_state: String,
    /// 隐患的危害程度和整改难易程度分析
    pub harm_analysis: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ListingBody {
    pub row_version: i64,
    pub authority: String,
    pub listed_on: String,
    pub deadline: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct LiftBody {
    pub row_version: i64,
    pub lifted_on: String,
    pub note: String,
    /// At least one document proving the hazard is eliminated
    pub lift_attachment_ids: Vec<i64>,
}
