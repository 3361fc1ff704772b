//! Filing reports: the 首报 creates the event; 续报 and 终报 append to it through
//! `incident_flow::apply`, recomputing the grade and recording what changed, with the audit entry
//! in the same transaction.

use anjian_domain::incident_flow::{self, Figures, ReportKind, Status};
use anjian_domain::role::Permission;
use serde::Serialize;

use super::input::{IncidentInput, ReportInput};
use super::settings::rules_in_tx;
use super::{get_in_tx, reload, Incident};
use crate::audit::{self, Change};
use crate::checklist::fields::{stale, text_field};
use crate::error::{DbError, FieldErrors, Result};
use crate::query::{Db, Tx, Q};
use crate::Ctx;

#[derive(Serialize)]
struct Snapshot<'a> {
    #[serde(flatten)]
    incident: &'a Incident,
    report_id: i64,
}

#[allow(clippy::too_many_arguments)] // one column each
async fn insert_report(
    tx: &mut Tx,
    ctx: &Ctx,
    incident_id: i64,
    kind: ReportKind,
    reporter: &str,
    content: &str,
    changes: &str,
    supplementary: bool,
    f: &Figures,
    grade: Option<&str>,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<i64> {
    let (id,): (i64,) = tx
        .fetch_one(
            &Q::new(
                "INSERT INTO incident_report (incident_id, kind, reported_at, reported_by, reporter, content, changes, \
                 supplementary, deaths, missing, serious_injuries, minor_injuries, direct_loss_fen, grade) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
            )
            .bind(incident_id)
            .bind(kind.code())
            .bind(at)
            .bind(ctx.user_id())
            .bind(reporter)
            .bind(content)
            .bind(changes)
            .bind(supplementary)
            .bind(i64::from(f.deaths))
            .bind(i64::from(f.missing))
            .bind(i64::from(f.serious_injuries))
            .bind(i64::from(f.minor_injuries))
            .bind(f.direct_loss.0)
            .bind(grade.map(str::to_string)),
        )
        .await?;
    Ok(id)
}

/// Files the 首报: the event is created open, its grade computed, the 1-hour clock started from
/// the occurrence.
pub async fn create(db: &Db, ctx: &Ctx, input: &IncidentInput) -> Result<Incident> {
    ctx.require(Permission::IncidentReport)?;
    let now = crate::now();
    let v = input.parse(now)?;
    let mut tx = db.begin().await?;
    let org: Option<(i64,)> = tx
        .fetch_optional(
            &Q::new("SELECT id FROM org WHERE id = $1 AND active = $2 AND path LIKE $3")
                .bind(input.org_id)
                .bind(true)
                .bind(ctx.scope_like()),
        )
        .await?;
    if org.is_none() {
        return Err(DbError::invalid(
            "org_id",
            "事发单位不存在、已停用或不在您的管辖范围内",
        ));
    }
    let status = incident_flow::apply(Status::New, ReportKind::Initial)
        .map_err(|e| DbError::Conflict(e.to_string()))?;
    let rules = rules_in_tx(&mut tx).await?;
    let grade = v.figures.grade(v.kind).map(|g| g.code());
    let standard = if v.kind.is_accident() {
        anjian_domain::accident::CURRENT.code
    } else {
        ""
    };
    let (id,): (i64,) = tx
        .fetch_one(
            &Q::new(
                "INSERT INTO incident (org_id, event_kind, accident_standard, accident_type, traffic_or_fire, title, \
                 occurred_at, place, account, deaths, missing, serious_injuries, minor_injuries, direct_loss_fen, \
                 measures, reporter, contacts, grade, status, initial_due, first_reported_at, reported_by, \
                 row_version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, \
                 $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, 1, $21, $21) RETURNING id",
            )
            .bind(input.org_id)
            .bind(v.kind.code())
            .bind(standard)
            .bind(v.accident_type.clone())
            .bind(input.traffic_or_fire && v.kind.is_accident())
            .bind(v.title.clone())
            .bind(v.occurred_at)
            .bind(v.place.clone())
            .bind(v.account.clone())
            .bind(i64::from(v.figures.deaths))
            .bind(i64::from(v.figures.missing))
            .bind(i64::from(v.figures.serious_injuries))
            .bind(i64::from(v.figures.minor_injuries))
            .bind(v.figures.direct_loss.0)
            .bind(v.measures.clone())
            .bind(v.reporter.clone())
            .bind(v.contacts.clone())
            .bind(grade)
            .bind(status.code())
            .bind(rules.report.initial_due(v.occurred_at))
            .bind(now)
            .bind(ctx.user_id()),
        )
        .await?;
    let report_id = insert_report(
        &mut tx,
        ctx,
        id,
        ReportKind::Initial,
        &v.reporter,
        &v.account,
        "",
        false,
        &v.figures,
        grade,
        now,
    )
    .await?;
    let after = reload(&mut tx, id).await?;
    audit::record(
        &mut tx,
        ctx,
        Change::new("incident", id, "initial_report")
            .org(Some(after.org_id))
            .after(Snapshot {
                incident: &after,
                report_id,
            }),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Appends a 续报 or 终报. A 终报 needs cause, responsibility and corrective actions and closes
/// the event; a closed event takes no more reports (409). A stale `row_version` is 409 too.
pub async fn append(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    input: &ReportInput,
    row_version: i64,
) -> Result<Incident> {
    ctx.require(Permission::IncidentReport)?;
    let mut tx = db.begin().await?;
    let before = get_in_tx(&mut tx, ctx, id).await?;
    let kind = match ReportKind::from_code(input.kind.trim()) {
        Some(k @ (ReportKind::FollowUp | ReportKind::Final)) => k,
        _ => return Err(DbError::invalid("kind", "报告类型应为 续报 或 终报")),
    };
    let next = incident_flow::apply(before.status(), kind)
        .map_err(|e| DbError::Conflict(e.to_string()))?;
    let mut errs = FieldErrors::new();
    let prev = before.figures();
    let figures = input.figures.parse(&mut errs, &prev);
    let final_report = kind == ReportKind::Final;
    let content = text_field(
        &mut errs,
        "content",
        if final_report {
            "终报说明"
        } else {
            "续报内容"
        },
        &input.content,
        !final_report,
        4000,
    );
    let measures = text_field(
        &mut errs,
        "measures",
        "已采取的措施",
        &input.measures,
        false,
        4000,
    );
    let reporter = text_field(&mut errs, "reporter", "报告人", &input.reporter, true, 50);
    let cause = text_field(
        &mut errs,
        "cause",
        "事故原因",
        &input.cause,
        final_report,
        4000,
    );
    let responsibility = text_field(
        &mut errs,
        "responsibility",
        "责任认定",
        &input.responsibility,
        final_report,
        4000,
    );
    let corrective = text_field(
        &mut errs,
        "corrective_actions",
        "整改措施",
        &input.corrective_actions,
        final_report,
        4000,
    );
    errs.into_result()?;
    let now = crate::now();
    let rules = rules_in_tx(&mut tx).await?;
    let ev = before.kind();
    let grade = figures.grade(ev).map(|g| g.code());
    let mut changed = incident_flow::changes(&prev, &figures);
    if before.grade.as_deref() != grade {
        changed.push(format!(
            "事故等级 {}→{}",
            before.grade_label(),
            grade
                .and_then(anjian_domain::incident::AccidentGrade::from_code)
                .map(|g| g.label())
                .unwrap_or("—")
        ));
    }
    let supplementary = incident_flow::is_supplementary(
        &rules.report,
        ev,
        before.traffic_or_fire,
        before.occurred_at,
        now,
        &prev,
        &figures,
    );
    let measures = if measures.is_empty() {
        before.measures.clone()
    } else {
        measures
    };
    let n = tx
        .execute(
            &Q::new(
                "UPDATE incident SET deaths = $1, missing = $2, serious_injuries = $3, minor_injuries = $4, \
                 direct_loss_fen = $5, grade = $6, measures = $7, status = $8, cause = $9, responsibility = $10, \
                 corrective_actions = $11, closed_at = $12, closed_by = $13, row_version = row_version + 1, \
                 updated_at = $14 WHERE id = $15 AND row_version = $16",
            )
            .bind(i64::from(figures.deaths))
            .bind(i64::from(figures.missing))
            .bind(i64::from(figures.serious_injuries))
            .bind(i64::from(figures.minor_injuries))
            .bind(figures.direct_loss.0)
            .bind(grade)
            .bind(measures)
            .bind(next.code())
            .bind(cause)
            .bind(responsibility)
            .bind(corrective)
            .bind(final_report.then_some(now))
            .bind(if final_report { ctx.user_id() } else { None })
            .bind(now)
            .bind(id)
            .bind(row_version),
        )
        .await?;
    if n == 0 {
        return Err(stale());
    }
    let report_id = insert_report(
        &mut tx,
        ctx,
        id,
        kind,
        &reporter,
        &content,
        &changed.join("；"),
        supplementary,
        &figures,
        grade,
        now,
    )
    .await?;
    let after = reload(&mut tx, id).await?;
    audit::record(
        &mut tx,
        ctx,
        Change::new("incident", id, kind.code())
            .org(Some(after.org_id))
            .before(&before)
            .after(Snapshot {
                incident: &after,
                report_id,
            }),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}
