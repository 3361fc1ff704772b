//! Duty rosters (值班表): created for an organisation and a date range, filled by a generated
//! rotation and edited day by day, then published after the coverage check (every holiday or
//! key-period day has a leader on duty). A published roster can still be corrected (swaps, edits)
//! but never leave a required day without a leader.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use anjian_domain::role::Permission;

use super::rotation::{self, parse_people, people_text, Person};
use super::shift_def::{parse_shifts, shift_fields, shift_label, ShiftDef, ShiftSpec};
use crate::audit::{self, Change};
use crate::checklist::fields::{date_field, stale, text_field};
use crate::error::{DbError, FieldErrors, Result};
use crate::query::{Db, Tx, Q};
use crate::{Ctx, Page, PageReq};

/// Longest roster: a quarter is plenty for a wall roster and bounds generation.
const MAX_DAYS: i64 = 92;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Roster {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    #[serde(skip)]
    pub org_path: String,
    pub name: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub status: String,
    pub note: String,
    pub published_at: Option<DateTime<Utc>>,
    pub row_version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Roster {
    pub fn status_label(&self) -> &'static str {
        if self.status == "published" {
            "已发布"
        } else {
            "草稿"
        }
    }
    pub fn published(&self) -> bool {
        self.status == "published"
    }
}

const COLS: &str =
    "r.id, r.org_id, o.name AS org_name, o.path AS org_path, r.name, r.start_date, r.end_date, \
     r.status, r.note, r.published_at, r.row_version, r.created_at, r.updated_at";

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Shift {
    pub id: i64,
    pub roster_id: i64,
    pub duty_date: NaiveDate,
    /// 白班, 夜班…; empty for the default single shift.
    pub shift_name: String,
    pub shift_start: String,
    pub shift_hours: i64,
    pub leader_name: String,
    pub leader_phone: String,
    /// "姓名 电话" per line.
    pub officers: String,
}

impl Shift {
    pub fn officer_list(&self) -> Vec<Person> {
        parse_people(&self.officers).unwrap_or_default()
    }
    /// "白班 08:30 起 12 小时", or the times alone for an unnamed shift.
    pub fn label(&self) -> String {
        shift_label(&self.shift_name, &self.shift_start, self.shift_hours)
    }
    pub fn weekday(&self) -> &'static str {
        use chrono::Datelike;
        ["一", "二", "三", "四", "五", "六", "日"]
            [self.duty_date.weekday().num_days_from_monday() as usize]
    }
}

fn by_id(ctx: &Ctx, id: i64) -> Q {
    Q::new(&format!(
        "SELECT {COLS} FROM duty_roster r JOIN org o ON o.id = r.org_id WHERE r.id = $1 AND o.path LIKE $2"
    ))
    .bind(id)
    .bind(ctx.scope_like())
}

pub async fn get_roster(db: &Db, ctx: &Ctx, id: i64) -> Result<Roster> {
    ctx.require(Permission::DutyView)?;
    db.fetch_one(&by_id(ctx, id)).await
}

pub async fn shifts(db: &Db, ctx: &Ctx, roster_id: i64) -> Result<Vec<Shift>> {
    get_roster(db, ctx, roster_id).await?;
    db.fetch_all(&shifts_q(roster_id)).await
}

/// One shift by id, within the caller's scope (NotFound otherwise).
pub async fn get_shift(db: &Db, ctx: &Ctx, shift_id: i64) -> Result<Shift> {
    ctx.require(Permission::DutyView)?;
    db.fetch_one(
        &Q::new(
            "SELECT s.id, s.roster_id, s.duty_date, s.shift_name, s.shift_start, s.shift_hours, s.leader_name, \
             s.leader_phone, s.officers FROM duty_shift s JOIN duty_roster r ON r.id = s.roster_id \
             JOIN org o ON o.id = r.org_id WHERE s.id = $1 AND o.path LIKE $2",
        )
        .bind(shift_id)
        .bind(ctx.scope_like()),
    )
    .await
}

fn shifts_q(roster_id: i64) -> Q {
    Q::new(
        "SELECT id, roster_id, duty_date, shift_name, shift_start, shift_hours, leader_name, leader_phone, officers \
         FROM duty_shift WHERE roster_id = $1 ORDER BY duty_date, shift_start",
    )
    .bind(roster_id)
}

#[derive(Debug, Clone, Default)]
pub struct RosterFilter {
    pub org_id: Option<i64>,
    /// Rosters that include this day.
    pub on: Option<NaiveDate>,
}

pub async fn list_rosters(
    db: &Db,
    ctx: &Ctx,
    f: &RosterFilter,
    page: PageReq,
) -> Result<Page<Roster>> {
    ctx.require(Permission::DutyView)?;
    let build = |head: &str| {
        let mut q = Q::new(head);
        q.push(" FROM duty_roster r JOIN org o ON o.id = r.org_id WHERE o.path LIKE ")
            .push_arg(ctx.scope_like());
        if let Some(o) = f.org_id {
            q.push(" AND r.org_id = ").push_arg(o);
        }
        if let Some(d) = f.on {
            q.push(" AND r.start_date <= ").push_arg(d);
            q.push(" AND r.end_date >= ").push_arg(d);
        }
        q
    };
    crate::checklist::fields::paged(
        db,
        &build("SELECT COUNT(*)"),
        build(&format!("SELECT {COLS}")),
        "r.start_date DESC, r.id DESC",
        page,
    )
    .await
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct RosterInput {
    pub org_id: i64,
    pub name: String,
    pub start_date: String,
    pub end_date: String,
    pub note: String,
    /// The shifts of each day; none: one 24-hour shift from 08:30.
    pub shifts: Vec<ShiftDef>,
    /// Leaders on duty, one "姓名 电话" per line, in rotation order.
    pub leaders: String,
    /// Duty officers, one "姓名 电话" per line.
    pub officers: String,
    /// Officers per day (default 1).
    pub officers_per_day: String,
}

fn people_field(errs: &mut FieldErrors, field: &str, label: &str, v: &str) -> Vec<Person> {
    match parse_people(v) {
        Ok(p) => p,
        Err(m) => {
            errs.add(field, format!("{label}{m}"));
            Vec::new()
        }
    }
}

fn per_day_field(errs: &mut FieldErrors, v: &str) -> usize {
    match v.trim() {
        "" => 1,
        s => match s.parse::<usize>() {
            Ok(n) if (1..=10).contains(&n) => n,
            _ => {
                errs.add("officers_per_day", "每日值班人数应为 1 至 10 的整数");
                1
            }
        },
    }
}

/// The input that would regenerate the roster as it stands: the shifts of its first day, and
/// the leaders and officers in order of first appearance with the most officers a shift has.
/// The regenerate form starts from it, so a keeper changes the lists instead of retyping them.
pub fn regenerate_input(shifts: &[Shift]) -> RosterInput {
    let first_day = shifts.first().map(|s| s.duty_date);
    let defs = shifts
        .iter()
        .filter(|s| Some(s.duty_date) == first_day)
        .map(|s| ShiftDef {
            name: s.shift_name.clone(),
            start: s.shift_start.clone(),
            hours: s.shift_hours.to_string(),
        })
        .collect();
    let leaders: Vec<Vec<Person>> = shifts
        .iter()
        .map(|s| {
            vec![Person {
                name: s.leader_name.clone(),
                phone: s.leader_phone.clone(),
            }]
        })
        .collect();
    let officers: Vec<Vec<Person>> = shifts.iter().map(|s| s.officer_list()).collect();
    let per_day = officers.iter().map(Vec::len).max().unwrap_or(0).max(1);
    RosterInput {
        shifts: defs,
        leaders: people_text(&rotation::distinct_people(
            leaders.iter().map(Vec::as_slice),
        )),
        officers: people_text(&rotation::distinct_people(
            officers.iter().map(Vec::as_slice),
        )),
        officers_per_day: per_day.to_string(),
        ..Default::default()
    }
}

/// Creates a draft roster and fills it with a rotation of the given people.
pub async fn create_roster(db: &Db, ctx: &Ctx, input: &RosterInput) -> Result<Roster> {
    ctx.require(Permission::DutyRoster)?;
    let mut errs = FieldErrors::new();
    let name = text_field(&mut errs, "name", "值班表名称", &input.name, true, 100);
    let note = text_field(&mut errs, "note", "说明", &input.note, false, 1000);
    let first = date_field(&mut errs, "start_date", "开始日期", &input.start_date);
    let last = date_field(&mut errs, "end_date", "结束日期", &input.end_date);
    if let (Some(f), Some(l)) = (first, last) {
        if l < f {
            errs.add("end_date", "结束日期不能早于开始日期");
        } else if (l - f).num_days() >= MAX_DAYS {
            errs.add("end_date", format!("值班表最长{MAX_DAYS}天"));
        }
    }
    let specs = parse_shifts(&mut errs, &input.shifts);
    let leaders = people_field(&mut errs, "leaders", "带班领导", &input.leaders);
    let officers = people_field(&mut errs, "officers", "值班人员", &input.officers);
    let per_day = per_day_field(&mut errs, &input.officers_per_day);
    if input.org_id <= 0 {
        errs.add("org_id", "请选择值班单位");
    }
    errs.into_result()?;
    let (Some(first), Some(last)) = (first, last) else {
        return Err(DbError::invalid("start_date", "日期无效"));
    };
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
            "值班单位不存在或不在您的管辖范围内",
        ));
    }
    let now = crate::now();
    let (id,): (i64,) = tx
        .fetch_one(
            &Q::new(
                "INSERT INTO duty_roster (org_id, name, start_date, end_date, status, note, created_by, row_version, \
                 created_at, updated_at) VALUES ($1, $2, $3, $4, 'draft', $5, $6, 1, $7, $7) RETURNING id",
            )
            .bind(input.org_id)
            .bind(name)
            .bind(first)
            .bind(last)
            .bind(note)
            .bind(ctx.user_id())
            .bind(now),
        )
        .await?;
    let plan = rotation::rotate(first, last, specs.len(), &leaders, &officers, per_day);
    write_plan(&mut tx, id, &plan, &specs).await?;
    commit(tx, ctx, id, "create", None).await
}

async fn write_plan(
    tx: &mut Tx,
    roster_id: i64,
    plan: &[rotation::DayPlan],
    specs: &[ShiftSpec],
) -> Result<()> {
    tx.execute(&Q::new("DELETE FROM duty_shift WHERE roster_id = $1").bind(roster_id))
        .await?;
    for d in plan {
        let (ln, lp) = d
            .leader
            .as_ref()
            .map(|p| (p.name.clone(), p.phone.clone()))
            .unwrap_or_default();
        let spec = &specs[d.shift];
        tx.execute(
            &Q::new(
                "INSERT INTO duty_shift (roster_id, duty_date, shift_name, shift_start, shift_hours, leader_name, \
                 leader_phone, officers) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(roster_id)
            .bind(d.date)
            .bind(spec.name.clone())
            .bind(spec.start.clone())
            .bind(spec.hours)
            .bind(ln)
            .bind(lp)
            .bind(people_text(&d.officers)),
        )
        .await?;
    }
    Ok(())
}

#[derive(Serialize)]
struct Snapshot<'a> {
    #[serde(flatten)]
    roster: &'a Roster,
    shifts: Vec<Shift>,
}

pub(super) async fn load_in_tx(tx: &mut Tx, ctx: &Ctx, id: i64) -> Result<(Roster, Vec<Shift>)> {
    let r: Roster = tx.fetch_one(&by_id(ctx, id)).await?;
    let s = tx.fetch_all(&shifts_q(id)).await?;
    Ok((r, s))
}

pub(super) async fn commit(
    mut tx: Tx,
    ctx: &Ctx,
    id: i64,
    action: &str,
    before: Option<(Roster, Vec<Shift>)>,
) -> Result<Roster> {
    let (after, shifts) = load_in_tx(&mut tx, ctx, id).await?;
    let mut change = Change::new("duty_roster", id, action).org(Some(after.org_id));
    if let Some((r, s)) = &before {
        change = change.before(Snapshot {
            roster: r,
            shifts: s.clone(),
        });
    }
    change = change.after(Snapshot {
        roster: &after,
        shifts,
    });
    audit::record(&mut tx, ctx, change).await?;
    tx.commit().await?;
    Ok(after)
}

/// Regenerates the rotation of a draft roster from new lists of people.
pub async fn generate(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    input: &RosterInput,
    row_version: i64,
) -> Result<Roster> {
    ctx.require(Permission::DutyRoster)?;
    let mut tx = db.begin().await?;
    let before = load_in_tx(&mut tx, ctx, id).await?;
    if before.0.published() {
        return Err(DbError::Conflict(
            "值班表已发布，不能重新生成；请逐日调整或办理换班".into(),
        ));
    }
    // Swaps name the shifts a regeneration would replace: once there is one, the roster is
    // adjusted day by day (the swap record is evidence and is never dropped).
    let (swaps,): (i64,) = tx
        .fetch_one(&Q::new("SELECT COUNT(*) FROM duty_swap WHERE roster_id = $1").bind(id))
        .await?;
    if swaps > 0 {
        return Err(DbError::Conflict(
            "该值班表已有换班记录，不能重新生成；请逐日调整".into(),
        ));
    }
    let mut errs = FieldErrors::new();
    let specs = parse_shifts(&mut errs, &input.shifts);
    let leaders = people_field(&mut errs, "leaders", "带班领导", &input.leaders);
    let officers = people_field(&mut errs, "officers", "值班人员", &input.officers);
    let per_day = per_day_field(&mut errs, &input.officers_per_day);
    errs.into_result()?;
    bump(&mut tx, id, row_version).await?;
    let plan = rotation::rotate(
        before.0.start_date,
        before.0.end_date,
        specs.len(),
        &leaders,
        &officers,
        per_day,
    );
    write_plan(&mut tx, id, &plan, &specs).await?;
    commit(tx, ctx, id, "generate", Some(before)).await
}

pub(super) async fn bump(tx: &mut Tx, id: i64, row_version: i64) -> Result<()> {
    let n = tx
        .execute(
            &Q::new(
                "UPDATE duty_roster SET row_version = row_version + 1, updated_at = $1 WHERE id = $2 AND row_version = $3",
            )
            .bind(crate::now())
            .bind(id)
            .bind(row_version),
        )
        .await?;
    if n == 0 {
        return Err(stale());
    }
    Ok(())
}

/// One day's shift as edited.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ShiftInput {
    pub shift_id: i64,
    pub shift_name: String,
    pub shift_start: String,
    pub shift_hours: String,
    pub leader_name: String,
    pub leader_phone: String,
    pub officers: String,
}

/// Edits one shift of a roster. On a published roster the coverage check runs again, so an edit
/// cannot leave a holiday or key-period day without a leader.
pub async fn update_shift(
    db: &Db,
    ctx: &Ctx,
    roster_id: i64,
    input: &ShiftInput,
    row_version: i64,
) -> Result<Roster> {
    ctx.require(Permission::DutyRoster)?;
    let mut tx = db.begin().await?;
    let before = load_in_tx(&mut tx, ctx, roster_id).await?;
    if !before.1.iter().any(|s| s.id == input.shift_id) {
        return Err(DbError::invalid("shift_id", "班次不存在"));
    }
    let mut errs = FieldErrors::new();
    let (start, hours) = shift_fields(&mut errs, &input.shift_start, &input.shift_hours);
    let shift_name = text_field(
        &mut errs,
        "shift_name",
        "班次名称",
        &input.shift_name,
        false,
        10,
    );
    let leader = text_field(
        &mut errs,
        "leader_name",
        "带班领导",
        &input.leader_name,
        false,
        30,
    );
    let phone = input.leader_phone.trim().to_string();
    if !phone.is_empty() && !rotation::valid_phone(&phone) {
        errs.add("leader_phone", "带班领导电话格式不正确");
    }
    let officers = people_field(&mut errs, "officers", "值班人员", &input.officers);
    errs.into_result()?;
    bump(&mut tx, roster_id, row_version).await?;
    tx.execute(
        &Q::new(
            "UPDATE duty_shift SET shift_start = $1, shift_hours = $2, leader_name = $3, leader_phone = $4, officers = $5, \
             shift_name = $8 WHERE id = $6 AND roster_id = $7",
        )
        .bind(start)
        .bind(hours)
        .bind(leader)
        .bind(phone)
        .bind(people_text(&officers))
        .bind(input.shift_id)
        .bind(roster_id)
        .bind(shift_name),
    )
    .await
    .map_err(|e| match e {
        DbError::Sqlx(e) => DbError::unique_or(e, "同一天已有该时间开始的班次"),
        e => e,
    })?;
    if before.0.published() {
        coverage(db, &mut tx, &before.0).await?;
    }
    commit(tx, ctx, roster_id, "update_shift", Some(before)).await
}

/// Days of the roster that need a leader on duty: holidays of the calendar and key periods
/// covering the roster's organisation.
pub async fn required_days(db: &Db, r: &Roster) -> Result<BTreeSet<NaiveDate>> {
    let mut days = super::holidays_between(db, r.start_date, r.end_date).await?;
    days.extend(super::key_period_days(db, &r.org_path, r.start_date, r.end_date).await?);
    Ok(days)
}

/// The coverage check: refuses when a required day has no shift with a leader, naming the days.
async fn coverage(db: &Db, tx: &mut Tx, r: &Roster) -> Result<()> {
    let required = required_days(db, r).await?;
    let shifts: Vec<Shift> = tx.fetch_all(&shifts_q(r.id)).await?;
    let led: BTreeSet<NaiveDate> = shifts
        .iter()
        .filter(|s| !s.leader_name.trim().is_empty())
        .map(|s| s.duty_date)
        .collect();
    let missing = rotation::days_without_leader(&required, &led);
    if missing.is_empty() {
        return Ok(());
    }
    let days: Vec<String> = missing
        .iter()
        .map(|d| d.format("%Y-%m-%d").to_string())
        .collect();
    Err(DbError::Conflict(format!(
        "以下节假日或重要时段日期没有带班领导，不能发布：{}",
        days.join("、")
    )))
}

/// Publishes a draft roster after the coverage check.
pub async fn publish(db: &Db, ctx: &Ctx, id: i64, row_version: i64) -> Result<Roster> {
    ctx.require(Permission::DutyRoster)?;
    let mut tx = db.begin().await?;
    let before = load_in_tx(&mut tx, ctx, id).await?;
    if before.0.published() {
        return Err(DbError::Conflict("值班表已发布".into()));
    }
    coverage(db, &mut tx, &before.0).await?;
    let n = tx
        .execute(
            &Q::new(
                "UPDATE duty_roster SET status = 'published', published_at = $1, published_by = $2, \
                 row_version = row_version + 1, updated_at = $1 WHERE id = $3 AND row_version = $4",
            )
            .bind(crate::now())
            .bind(ctx.user_id())
            .bind(id)
            .bind(row_version),
        )
        .await?;
    if n == 0 {
        return Err(stale());
    }
    commit(tx, ctx, id, "publish", Some(before)).await
}
