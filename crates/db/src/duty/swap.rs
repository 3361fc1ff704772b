//! Shift swaps (换班): someone on the roster asks to hand a shift to another person; a roster
//! keeper approves (the shift is changed) or declines. Both steps are audited.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use anjian_domain::role::Permission;

use super::roster::{bump, commit, load_in_tx, Roster};
use super::rotation::{parse_people, people_text, valid_phone, Person};
use crate::audit::{self, Change};
use crate::checklist::fields::text_field;
use crate::error::{DbError, FieldErrors, Result};
use crate::query::{Db, Q};
use crate::Ctx;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Swap {
    pub id: i64,
    pub shift_id: i64,
    pub roster_id: i64,
    pub duty_date: NaiveDate,
    pub role: String,
    pub from_name: String,
    pub to_name: String,
    pub to_phone: String,
    pub reason: String,
    pub status: String,
    pub requested_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

impl Swap {
    pub fn role_label(&self) -> &'static str {
        if self.role == "leader" {
            "带班领导"
        } else {
            "值班人员"
        }
    }
    pub fn status_label(&self) -> &'static str {
        match self.status.as_str() {
            "requested" => "待审批",
            "approved" => "已批准",
            _ => "已驳回",
        }
    }
}

/// Swaps of a roster, newest first.
pub async fn swaps(db: &Db, ctx: &Ctx, roster_id: i64) -> Result<Vec<Swap>> {
    super::get_roster(db, ctx, roster_id).await?;
    db.fetch_all(
        &Q::new(
            "SELECT w.id, w.shift_id, w.roster_id, s.duty_date, w.role, w.from_name, w.to_name, w.to_phone, w.reason, \
             w.status, w.requested_at, w.decided_at FROM duty_swap w JOIN duty_shift s ON s.id = w.shift_id \
             WHERE w.roster_id = $1 ORDER BY w.id DESC",
        )
        .bind(roster_id),
    )
    .await
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct SwapInput {
    pub shift_id: i64,
    /// `leader` or `officer`.
    pub role: String,
    /// The officer handing over (officers only; the leader is the shift's).
    pub from_name: String,
    pub to_name: String,
    pub to_phone: String,
    pub reason: String,
}

pub async fn request_swap(db: &Db, ctx: &Ctx, roster_id: i64, input: &SwapInput) -> Result<Swap> {
    ctx.require(Permission::DutyRecord)?;
    let mut tx = db.begin().await?;
    let (roster, shifts) = load_in_tx(&mut tx, ctx, roster_id).await?;
    let Some(shift) = shifts.iter().find(|s| s.id == input.shift_id) else {
        return Err(DbError::invalid("shift_id", "请选择要调换的班次"));
    };
    let mut errs = FieldErrors::new();
    let from = match input.role.as_str() {
        "leader" => shift.leader_name.clone(),
        "officer" => {
            let name = input.from_name.trim().to_string();
            if !shift.officer_list().iter().any(|p| p.name == name) {
                errs.add("from_name", "该班次没有这名值班人员");
            }
            name
        }
        _ => {
            errs.add("role", "请选择调换带班领导或值班人员");
            String::new()
        }
    };
    let to = text_field(&mut errs, "to_name", "接班人", &input.to_name, true, 30);
    // A shift's officers are kept as "姓名 电话" lines: a name holding a separator would be read
    // back as a name and a bad phone, and the whole list would no longer parse.
    if input.role == "officer"
        && to.contains(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | '、'))
    {
        errs.add("to_name", "接班人姓名不能包含空格、逗号或顿号");
    }
    let phone = input.to_phone.trim().to_string();
    if !phone.is_empty() && !valid_phone(&phone) {
        errs.add("to_phone", "接班人电话格式不正确");
    }
    let reason = text_field(&mut errs, "reason", "换班原因", &input.reason, true, 200);
    errs.into_result()?;
    let (id,): (i64,) = tx
        .fetch_one(
            &Q::new(
                "INSERT INTO duty_swap (shift_id, roster_id, role, from_name, to_name, to_phone, reason, status, \
                 requested_by, requested_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'requested', $8, $9) RETURNING id",
            )
            .bind(shift.id)
            .bind(roster_id)
            .bind(input.role.clone())
            .bind(from)
            .bind(to)
            .bind(phone)
            .bind(reason)
            .bind(ctx.user_id())
            .bind(crate::now()),
        )
        .await?;
    let swap = fetch(&mut tx, id).await?;
    audit::record(
        &mut tx,
        ctx,
        Change::new("duty_swap", id, "request")
            .org(Some(roster.org_id))
            .after(&swap),
    )
    .await?;
    tx.commit().await?;
    Ok(swap)
}

/// One swap by id, within the caller's scope (NotFound otherwise).
pub async fn get_swap(db: &Db, ctx: &Ctx, id: i64) -> Result<Swap> {
    ctx.require(Permission::DutyView)?;
    db.fetch_one(
        &Q::new(
            "SELECT w.id, w.shift_id, w.roster_id, s.duty_date, w.role, w.from_name, w.to_name, w.to_phone, w.reason, \
             w.status, w.requested_at, w.decided_at FROM duty_swap w JOIN duty_shift s ON s.id = w.shift_id \
             JOIN duty_roster r ON r.id = w.roster_id JOIN org o ON o.id = r.org_id WHERE w.id = $1 AND o.path LIKE $2",
        )
        .bind(id)
        .bind(ctx.scope_like()),
    )
    .await
}

async fn fetch(tx: &mut crate::Tx, id: i64) -> Result<Swap> {
    tx.fetch_one(
        &Q::new(
            "SELECT w.id, w.shift_id, w.roster_id, s.duty_date, w.role, w.from_name, w.to_name, w.to_phone, w.reason, \
             w.status, w.requested_at, w.decided_at FROM duty_swap w JOIN duty_shift s ON s.id = w.shift_id \
             WHERE w.id = $1",
        )
        .bind(id),
    )
    .await
}

/// Approves (the shift takes the new person) or declines a pending swap of the roster.
pub async fn decide_swap(
    db: &Db,
    ctx: &Ctx,
    roster_id: i64,
    swap_id: i64,
    approve: bool,
    row_version: i64,
) -> Result<Roster> {
    ctx.require(Permission::DutyRoster)?;
    let mut tx = db.begin().await?;
    let before = load_in_tx(&mut tx, ctx, roster_id).await?;
    let swap = fetch(&mut tx, swap_id).await?;
    if swap.roster_id != roster_id {
        return Err(DbError::invalid("swap_id", "换班申请不存在"));
    }
    if swap.status != "requested" {
        return Err(DbError::Conflict("该换班申请已处理".into()));
    }
    bump(&mut tx, roster_id, row_version).await?;
    let now = crate::now();
    tx.execute(
        &Q::new("UPDATE duty_swap SET status = $1, decided_by = $2, decided_at = $3 WHERE id = $4")
            .bind(if approve { "approved" } else { "declined" })
            .bind(ctx.user_id())
            .bind(now)
            .bind(swap_id),
    )
    .await?;
    if approve {
        let shift = before
            .1
            .iter()
            .find(|s| s.id == swap.shift_id)
            .ok_or(DbError::NotFound)?;
        if swap.role == "leader" {
            tx.execute(
                &Q::new("UPDATE duty_shift SET leader_name = $1, leader_phone = $2 WHERE id = $3")
                    .bind(swap.to_name.clone())
                    .bind(swap.to_phone.clone())
                    .bind(shift.id),
            )
            .await?;
        } else {
            let people: Vec<Person> = parse_people(&shift.officers)
                .unwrap_or_default()
                .into_iter()
                .map(|p| {
                    if p.name == swap.from_name {
                        Person {
                            name: swap.to_name.clone(),
                            phone: swap.to_phone.clone(),
                        }
                    } else {
                        p
                    }
                })
                .collect();
            tx.execute(
                &Q::new("UPDATE duty_shift SET officers = $1 WHERE id = $2")
                    .bind(people_text(&people))
                    .bind(shift.id),
            )
            .await?;
        }
    }
    let action = if approve {
        "approve_swap"
    } else {
        "decline_swap"
    };
    commit(tx, ctx, roster_id, action, Some(before)).await
}
