//! What the stages know about the database they add to: organisations, accounts, checklists and
//! campaigns, read back from the database so each stage can run on its own (`--stages hazards`
//! on a database that already has the organisations), plus the date helpers all stages share.

use std::collections::HashMap;

use anjian_db::{Db, Q};
use anyhow::{bail, Result};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use rand::distributions::WeightedIndex;
use rand::prelude::Distribution;
use rand::Rng;

#[derive(Debug, Clone)]
pub struct OrgRef {
    pub id: i64,
    pub kind: String,
    /// The unit the node belongs to (itself for a unit, its parent for a site, None for the bureau).
    pub unit_id: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct UserRef {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct ItemRef {
    pub id: i64,
    pub content: String,
    pub category: String,
    pub basis: String,
    pub major_criterion: bool,
}

pub struct World {
    pub bureau_id: i64,
    pub orgs: Vec<OrgRef>,
    /// Which org a hazard or inspection falls on: sites most, units some, the bureau never.
    pub org_pick: WeightedIndex<f64>,
    pub unit_heads: HashMap<i64, Vec<UserRef>>,
    pub unit_officers: HashMap<i64, Vec<UserRef>>,
    pub supervisors: Vec<UserRef>,
    pub inspectors: Vec<UserRef>,
    pub checklists: Vec<(i64, Vec<ItemRef>)>,
    pub campaigns: Vec<(i64, NaiveDate, NaiveDate)>,
    pub today: NaiveDate,
    pub now: DateTime<Utc>,
}

pub const START: (i32, u32, u32) = (2023, 1, 1);

pub fn start_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(START.0, START.1, START.2).expect("valid date")
}

impl World {
    pub async fn load(db: &Db, today: NaiveDate, seed: u64) -> Result<World> {
        let rows: Vec<(i64, Option<i64>, String)> = db
            .fetch_all(&Q::new("SELECT id, parent_id, kind FROM org ORDER BY id"))
            .await?;
        let Some(bureau_id) = rows.iter().find(|r| r.1.is_none()).map(|r| r.0) else {
            bail!("no root organisation: run the orgs stage first");
        };
        let orgs: Vec<OrgRef> = rows
            .iter()
            .map(|(id, parent, kind)| OrgRef {
                id: *id,
                kind: kind.clone(),
                unit_id: match kind.as_str() {
                    "unit" => Some(*id),
                    "site" => *parent,
                    _ => None,
                },
            })
            .collect();
        // Skewed activity: a few busy sites, many quiet ones. Weights come from the seed, so
        // the same database gets the same distribution.
        let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(seed ^ 0x0716);
        let weights: Vec<f64> = orgs
            .iter()
            .map(|o| match o.kind.as_str() {
                "site" => 0.2 + rng.gen::<f64>().powi(2) * 3.0,
                "unit" => 0.5 + rng.gen::<f64>(),
                _ => 0.0,
            })
            .collect();
        let org_pick = WeightedIndex::new(&weights)
            .map_err(|e| anyhow::anyhow!("no unit or site to put records on: {e}"))?;

        let users: Vec<(i64, i64, String, String)> = db
            .fetch_all(
                &Q::new(
                    "SELECT id, org_id, role, name FROM app_user WHERE disabled = $1 ORDER BY id",
                )
                .bind(false),
            )
            .await?;
        let mut w = World {
            bureau_id,
            orgs,
            org_pick,
            unit_heads: HashMap::new(),
            unit_officers: HashMap::new(),
            supervisors: Vec::new(),
            inspectors: Vec::new(),
            checklists: Vec::new(),
            campaigns: Vec::new(),
            today,
            now: now_for(today),
        };
        for (id, org_id, role, name) in users {
            let u = UserRef { id, name };
            match role.as_str() {
                "unit_head" => w.unit_heads.entry(org_id).or_default().push(u),
                "unit_officer" => w.unit_officers.entry(org_id).or_default().push(u),
                "bureau_supervisor" => w.supervisors.push(u),
                "inspector" => w.inspectors.push(u),
                _ => {}
            }
        }
        if w.supervisors.len() < 2 || w.inspectors.is_empty() {
            bail!("the bureau needs at least two supervisors and an inspector: run the orgs stage");
        }

        let items: Vec<(i64, i64, String, String, String, bool)> = db
            .fetch_all(&Q::new(
                "SELECT i.id, i.checklist_id, i.content, i.category, i.basis, i.major_criterion \
                 FROM checklist_item i JOIN checklist c ON c.id = i.checklist_id \
                 WHERE c.active = $1 AND i.active = $1 ORDER BY i.checklist_id, i.position, i.id",
            ).bind(true))
            .await?;
        for (id, checklist_id, content, category, basis, major_criterion) in items {
            let item = ItemRef {
                id,
                content,
                category,
                basis,
                major_criterion,
            };
            match w.checklists.last_mut() {
                Some((c, list)) if *c == checklist_id => list.push(item),
                _ => w.checklists.push((checklist_id, vec![item])),
            }
        }
        w.campaigns = db
            .fetch_all(&Q::new(
                "SELECT id, start_date, end_date FROM campaign ORDER BY start_date",
            ))
            .await?;
        Ok(w)
    }

    pub fn pick_org<R: Rng>(&self, rng: &mut R) -> &OrgRef {
        &self.orgs[self.org_pick.sample(rng)]
    }

    /// A campaign running on `d`, if any.
    pub fn campaign_on(&self, d: NaiveDate) -> Option<i64> {
        self.campaigns
            .iter()
            .find(|(_, s, e)| *s <= d && d <= *e)
            .map(|c| c.0)
    }

    /// The unit's officers (rectifiers) and heads; the bureau's inspectors and supervisors when
    /// the record is on the bureau itself or the unit has no accounts.
    pub fn officers(&self, unit: Option<i64>) -> &[UserRef] {
        unit.and_then(|u| self.unit_officers.get(&u))
            .filter(|v| !v.is_empty())
            .map_or(&self.inspectors[..], Vec::as_slice)
    }

    pub fn heads(&self, unit: Option<i64>) -> &[UserRef] {
        unit.and_then(|u| self.unit_heads.get(&u))
            .filter(|v| !v.is_empty())
            .map_or(&self.supervisors[..], Vec::as_slice)
    }

    /// An instant during office hours (08:30–17:30 Asia/Shanghai) of `d`, never after `now`.
    pub fn at<R: Rng>(&self, rng: &mut R, d: NaiveDate) -> DateTime<Utc> {
        let midnight_shanghai_in_utc =
            Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight")) - Duration::hours(8);
        let t = midnight_shanghai_in_utc
            + Duration::seconds(8 * 3600 + 1800 + rng.gen_range(0..9 * 3600))
            + Duration::microseconds(rng.gen_range(1..1_000_000));
        // Drawn either way, so the clock (which moves `now` on the last day) never shifts the
        // random sequence: only instants of the last day depend on when the generator ran.
        let back = Duration::seconds(rng.gen_range(60..3600));
        if t > self.now {
            self.now - back
        } else {
            t
        }
    }

    /// A uniformly random date in `[from, to]` (to is clamped to today).
    pub fn date_between<R: Rng>(&self, rng: &mut R, from: NaiveDate, to: NaiveDate) -> NaiveDate {
        let to = to.min(self.today);
        let from = from.min(to);
        from + Duration::days(rng.gen_range(0..=(to - from).num_days()))
    }
}

/// "Now" for a given business day: its 18:00 Asia/Shanghai, or the real clock when that is
/// earlier (today's records never lie in the future).
pub fn now_for(today: NaiveDate) -> DateTime<Utc> {
    let end_of_day = Utc.from_utc_datetime(&today.and_hms_opt(10, 0, 0).expect("10:00"));
    end_of_day.min(anjian_db::now())
}

/// An id sampled from a slice of users.
pub fn pick_user<'a, R: Rng>(rng: &mut R, users: &'a [UserRef]) -> &'a UserRef {
    &users[rng.gen_range(0..users.len())]
}
