//! The sweep covers the API as it is, not as it was when the sweep was written: every operation
//! that takes a request body is sent, and every text property of every body is either filled
//! with a payload or declared below as constrained (an enum, date, number or code, which the
//! API refuses as free text). A new body or field fails here until the sweep learns it.

use std::collections::BTreeSet;

use super::sweep::text_properties;
use super::{world, xss_payload};

/// Text properties the sweep gives valid values instead of payloads, each with why.
const CONSTRAINED: &[(&str, &str)] = &[
    ("OrgBody.contact_phone", "digits, spaces and - + ( ) only"),
    ("OrgBody.uscc", "统一社会信用代码 with its check character"),
    ("UserBody.username", "letters, digits, _ . -"),
    ("UserBody.phone", "digits, spaces, - +"),
    ("CampaignBody.start_date", "date"),
    ("CampaignBody.end_date", "date"),
    ("TaskBody.start_date", "date"),
    ("TaskBody.due_date", "date"),
    ("TaskBody.kind", "inspection kind code"),
    ("InspectionBody.inspected_on", "date"),
    ("InspectionBody.kind", "inspection kind code"),
    ("InspectionUpdateBody.inspected_on", "date"),
    ("InspectionUpdateBody.kind", "inspection kind code"),
    ("InspectionItemBody.result", "pass, fail or na"),
    ("ItemHazardBody.grade", "general or major"),
    ("ItemHazardBody.deadline", "date"),
    ("HazardBody.grade", "general or major"),
    ("HazardBody.found_on", "date"),
    ("HazardBody.deadline", "date"),
    ("AssignBody.funds", "money"),
    ("ExtensionBody.new_deadline", "date"),
    ("DecisionBody.decision", "approve or reject"),
    ("SubmitBody.rectified_on", "date"),
    ("RejectBody.verified_on", "date"),
    ("VerifyBody.verified_on", "date"),
    ("ListingBody.listed_on", "date"),
    ("ListingBody.deadline", "date"),
    ("LiftBody.lifted_on", "date"),
    ("PointBody.kind", "place, equipment or activity"),
    ("PointBody.report_phone", "telephone number"),
    ("RiskBody.method", "lec, ls or direct"),
    ("RiskBody.l", "a value of the L table"),
    ("RiskBody.e", "a value of the E table"),
    ("RiskBody.c", "a value of the C table"),
    ("RiskBody.s", "1..5"),
    ("RiskBody.accident_standard", "edition code"),
    ("RiskBody.accident_types", "GB/T 6441 codes"),
    ("RiskBody.factors", "GB/T 13861 codes"),
    ("RiskBody.assessed_on", "date"),
    ("RiskBody.control_tier", "tier code"),
    ("RiskBody.residual_method", "lec, ls or direct"),
    ("RiskBody.residual_l", "a value of the L table"),
    ("RiskBody.residual_e", "a value of the E table"),
    ("RiskBody.residual_c", "a value of the C table"),
    ("RiskBody.residual_s", "1..5"),
    ("MeasureBody.measure_type", "measure type code"),
    ("MeasureBody.tier", "tier code"),
    ("RulesDto.lec_bounds", "numbers"),
    ("RulesDto.lec_levels", "level codes"),
    ("RulesDto.tiers", "tier codes"),
    ("LedgerBody.kind", "ledger code"),
    ("LedgerBody.entry_date", "date"),
    ("LedgerBody.amount", "money"),
    ("LedgerBody.hours", "hours"),
    ("LedgerBody.participants", "a count"),
    ("LedgerBody.year", "a year"),
    ("LedgerBody.drill_kind", "code"),
    ("LedgerBody.drill_form", "code"),
    ("LedgerBody.plan_type", "code"),
    ("LedgerItemBody.deadline", "date"),
    ("LedgerItemBody.status", "open or done"),
    ("RosterBody.start_date", "date"),
    ("RosterBody.end_date", "date"),
    ("RosterBody.shift_start", "HH:MM"),
    ("LogBody.kind", "entry or handover"),
    ("LogBody.logged_at", "time"),
    ("ZeroBody.report_date", "date"),
    ("IncidentBody.event_kind", "code"),
    ("IncidentBody.occurred_at", "time"),
    ("IncidentBody.accident_type", "GB/T 6441 code"),
    ("FiguresBody.direct_loss_yuan", "money"),
    ("IncidentReportBody.kind", "follow_up or final"),
    ("ReportDraftCreateBody.period", "period code"),
    ("DutyCalendarBody.first_date", "date"),
    ("DutyCalendarBody.last_date", "date"),
    ("DutyCalendarBody.kind", "holiday or workday"),
    ("DutyCalendarUpdateBody.first_date", "date"),
    ("DutyCalendarUpdateBody.last_date", "date"),
    ("DutyCalendarUpdateBody.kind", "holiday or workday"),
    ("DutyShiftDef.start", "HH:MM"),
    ("DutyShiftBody.shift_start", "HH:MM"),
    ("DutyShiftBody.leader_phone", "telephone number"),
    ("DutySwapBody.role", "leader or officer"),
    (
        "DutySwapBody.from_name",
        "the person on the shift (already a payload, from the roster)",
    ),
    ("DutySwapBody.to_phone", "telephone number"),
    ("LedgerRulesBody.manager_initial_hours", "hours"),
    ("LedgerRulesBody.manager_yearly_hours", "hours"),
    ("LedgerRulesBody.newcomer_hours", "hours"),
    ("LedgerRulesBody.staff_yearly_hours", "hours"),
];

/// Bodies that are not JSON are swept by their own tests: uploads by `attachment_names` (and the
/// world's uploads, named with payloads), spreadsheet imports by `imports`.
const NOT_JSON: &[&str] = &[
    "POST /api/v1/attachments",
    "POST /api/v1/hazards/import",
    "POST /api/v1/risks/import",
];

#[tokio::test]
async fn the_sweep_sends_every_body_and_fills_every_text_property() {
    let s = world::build(xss_payload).await;
    let mut unswept = Vec::new();
    for (path, ops) in s.doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let Some(content) = op["requestBody"]["content"].as_object() else {
                continue;
            };
            let name = format!("{} {path}", method.to_uppercase());
            if content.contains_key("application/json") {
                if !s.swept.contains(&(method.to_uppercase(), path.clone())) {
                    unswept.push(name);
                }
            } else if !NOT_JSON.contains(&name.as_str()) {
                unswept.push(name);
            }
        }
    }
    assert!(
        unswept.is_empty(),
        "operations with a body the sweep does not send: {unswept:?}"
    );

    let filled: BTreeSet<&str> = s.filled.iter().map(|f| f.label.as_str()).collect();
    let constrained: BTreeSet<&str> = CONSTRAINED.iter().map(|(l, _)| *l).collect();
    let props = text_properties(&s.doc);
    let missing: Vec<&String> = props
        .keys()
        .filter(|p| !filled.contains(p.as_str()) && !constrained.contains(p.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "text properties the sweep never fills (fill them, or list them in CONSTRAINED with why): {missing:?}"
    );
    let both: Vec<&&str> = constrained.intersection(&filled).collect();
    assert!(
        both.is_empty(),
        "listed as constrained but filled after all: {both:?}"
    );
    let stale: Vec<&&str> = constrained
        .iter()
        .filter(|c| !props.contains_key(**c))
        .collect();
    assert!(
        stale.is_empty(),
        "CONSTRAINED names properties that no longer exist: {stale:?}"
    );
    assert!(filled.len() > 100, "the sweep fills the API's text fields");
}
