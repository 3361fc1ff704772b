//! Hazards with their timeline, in the status mix of a ledger that has run for a few years:
//! ~85 % closed (rectified and verified by two different people, so the database's closure CHECK
//! holds), ~10 % being rectified, a few pending or awaiting verification, ~2 % overdue, ~0.5 %
//! major with a treatment plan (and some of those listed for supervision), a few extensions.

use std::collections::HashMap;
use std::sync::Arc;

use anjian_db::{Db, Q};
use anyhow::Result;
use chrono::{Duration, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::sink::{fix_sequences, next_id, pipeline, Chunk, Rows};
use crate::vocab::{self, pick};
use crate::world::{pick_user, start_date, World};

mod follow_up;

const HAZARD_COLS: &[&str] = &[
    "id",
    "org_id",
    "location",
    "description",
    "category",
    "grade",
    "major_criterion",
    "found_on",
    "found_by",
    "reported_by",
    "inspection_id",
    "inspection_item_id",
    "campaign_id",
    "status",
    "immediate",
    "deadline",
    "original_deadline",
    "owner",
    "measures",
    "funds_fen",
    "rectified_on",
    "rectified_by",
    "rectification_note",
    "verified_on",
    "verified_by",
    "verification_note",
    "closed_at",
    "overdue_marked_on",
    "row_version",
    "created_at",
    "updated_at",
];

const EVENT_COLS: &[&str] = &[
    "id",
    "hazard_id",
    "at",
    "actor_user_id",
    "actor_name",
    "action",
    "from_status",
    "to_status",
    "note",
];

const MAJOR_COLS: &[&str] = &[
    "hazard_id",
    "objectives",
    "methods",
    "funds_materials",
    "organisation",
    "time_limits",
    "safety_emergency",
    "current_state",
    "harm_analysis",
    "reported_at",
    "reported_by",
    "updated_at",
];

const LISTING_COLS: &[&str] = &[
    "id",
    "hazard_id",
    "authority",
    "listed_on",
    "deadline",
    "listed_by",
    "lifted_on",
    "lifted_by",
    "lift_note",
    "row_version",
];

const EXTENSION_COLS: &[&str] = &[
    "id",
    "hazard_id",
    "requested_by",
    "requested_at",
    "current_deadline",
    "requested_deadline",
    "reason",
    "status",
    "decided_by",
    "decided_at",
    "decision_note",
];

const CHUNK: usize = 2_000;

/// Inspections by organisation, and the first failed item of each, so that a hazard found in an
/// inspection points at an inspection of its own organisation, on that inspection's date.
struct Sources {
    by_org: HashMap<i64, Vec<(i64, NaiveDate)>>,
    failed_item: HashMap<i64, i64>,
}

async fn load_sources(db: &Db) -> Result<Sources> {
    let rows: Vec<(i64, i64, NaiveDate)> = db
        .fetch_all(&Q::new(
            "SELECT id, org_id, inspected_on FROM inspection WHERE deleted_at IS NULL ORDER BY id",
        ))
        .await?;
    let mut by_org: HashMap<i64, Vec<(i64, NaiveDate)>> = HashMap::new();
    for (id, org, d) in rows {
        by_org.entry(org).or_default().push((id, d));
    }
    let items: Vec<(i64, i64)> = db
        .fetch_all(&Q::new(
            "SELECT MIN(id), inspection_id FROM inspection_item WHERE result = $1 GROUP BY inspection_id",
        ).bind("fail"))
        .await?;
    Ok(Sources {
        by_org,
        failed_item: items.into_iter().map(|(i, ins)| (ins, i)).collect(),
    })
}

pub async fn hazards(db: &Db, world: Arc<World>, count: usize, seed: u64) -> Result<()> {
    let sources = load_sources(db).await?;
    let ids = Ids {
        hazard: next_id(db, "hazard").await?,
        event: next_id(db, "hazard_event").await?,
        listing: next_id(db, "hazard_listing").await?,
        extension: next_id(db, "hazard_extension").await?,
    };
    let written = pipeline(db, 250_000, move |tx| {
        let mut g = Gen {
            w: &world,
            src: &sources,
            rng: StdRng::seed_from_u64(seed ^ 0x03),
            ids,
        };
        let mut left = count;
        while left > 0 {
            let n = left.min(CHUNK);
            if tx.blocking_send(g.chunk(n)).is_err() {
                return;
            }
            left -= n;
        }
    })
    .await?;
    fix_sequences(
        db,
        &[
            "hazard",
            "hazard_event",
            "hazard_listing",
            "hazard_extension",
        ],
    )
    .await?;
    println!("hazards: {count} hazards, {written} rows in all");
    Ok(())
}

#[derive(Clone, Copy)]
struct Ids {
    hazard: i64,
    event: i64,
    listing: i64,
    extension: i64,
}

struct Gen<'a> {
    w: &'a World,
    src: &'a Sources,
    rng: StdRng,
    ids: Ids,
}

struct Out {
    hazards: Rows,
    events: Rows,
    majors: Rows,
    listings: Rows,
    extensions: Rows,
}

#[derive(Clone, Copy, PartialEq)]
enum Fate {
    Closed,
    Rectifying,
    Pending,
    Awaiting,
    OverduePending,
    OverdueRectifying,
}

impl Gen<'_> {
    fn chunk(&mut self, n: usize) -> Chunk {
        let mut o = Out {
            hazards: Rows::new("hazard", HAZARD_COLS),
            events: Rows::new("hazard_event", EVENT_COLS),
            majors: Rows::new("hazard_major", MAJOR_COLS),
            listings: Rows::new("hazard_listing", LISTING_COLS),
            extensions: Rows::new("hazard_extension", EXTENSION_COLS),
        };
        for _ in 0..n {
            self.one(&mut o);
        }
        vec![o.hazards, o.events, o.majors, o.listings, o.extensions]
    }

    fn one(&mut self, o: &mut Out) {
        let w = self.w;
        let today = w.today;
        let rng = &mut self.rng;
        let fate = match rng.gen_range(0..1000) {
            0..=849 => Fate::Closed,
            850..=949 => Fate::Rectifying,
            950..=964 => Fate::Pending,
            965..=979 => Fate::Awaiting,
            980..=987 => Fate::OverduePending,
            _ => Fate::OverdueRectifying,
        };
        let org = w.pick_org(rng).clone();
        let major = rng.gen_bool(0.005);
        let (category, problems) = pick(rng, vocab::HAZARDS);
        let location = pick(rng, vocab::LOCATIONS);
        let description = format!("{location}{}", pick(rng, problems));
        let days = |n: i64| Duration::days(n);

        // Where it came from: closed hazards were mostly found in an inspection of their org.
        let source = if fate == Fate::Closed && rng.gen_bool(0.6) {
            self.src
                .by_org
                .get(&org.id)
                .filter(|v| !v.is_empty())
                .map(|v| v[rng.gen_range(0..v.len())])
        } else {
            None
        };
        let found_on = match (fate, source) {
            (_, Some((_, d))) => d,
            (Fate::Closed, None) => w.date_between(rng, start_date(), today - days(10)),
            (Fate::Rectifying, _) => w.date_between(rng, today - days(100), today - days(1)),
            (Fate::Pending, _) => w.date_between(rng, today - days(20), today),
            (Fate::Awaiting, _) => w.date_between(rng, today - days(60), today - days(1)),
            _ => w.date_between(rng, today - days(400), today - days(40)),
        };
        let immediate = fate == Fate::Closed && !major && rng.gen_bool(0.15);
        let span = if major {
            rng.gen_range(90..=180)
        } else {
            pick(rng, &[7, 15, 30, 30, 60, 90])
        };
        let mut original_deadline = found_on + days(span);
        match fate {
            Fate::Closed if immediate => original_deadline = found_on,
            Fate::Rectifying | Fate::Pending | Fate::Awaiting => {
                // Still open and not overdue: the deadline is today or later.
                if original_deadline < today {
                    original_deadline = today + days(rng.gen_range(0..=60));
                }
            }
            Fate::OverduePending | Fate::OverdueRectifying => {
                original_deadline = found_on + days(rng.gen_range(7..=30));
            }
            Fate::Closed => {}
        }
        let overdue = matches!(fate, Fate::OverduePending | Fate::OverdueRectifying);
        // An extension on an overdue hazard would have moved its deadline past today.
        let extended = !immediate && !overdue && rng.gen_bool(0.03);
        let deadline = if extended {
            original_deadline + days(30)
        } else {
            original_deadline
        };

        let officers = w.officers(org.unit_id);
        let rectifier = pick_user(rng, officers).clone();
        // The verifier is never the rectifier: the unit's head, or a bureau supervisor.
        let verifier = if rng.gen_bool(0.7) {
            pick_user(rng, w.heads(org.unit_id)).clone()
        } else {
            pick_user(rng, &w.supervisors).clone()
        };
        let verifier = if verifier.id == rectifier.id {
            w.supervisors
                .iter()
                .find(|u| u.id != rectifier.id)
                .expect("two supervisors")
                .clone()
        } else {
            verifier
        };
        let reporter = if source.is_some() && rng.gen_bool(0.5) {
            pick_user(rng, &w.inspectors).clone()
        } else {
            pick_user(rng, officers).clone()
        };

        let assigned = !matches!(fate, Fate::Pending | Fate::OverduePending) && !immediate;
        let rectified_on = match fate {
            Fate::Closed if immediate => Some(found_on),
            Fate::Closed | Fate::Awaiting => {
                let last = deadline.min(today);
                Some(w.date_between(rng, (found_on + days(1)).min(last), last))
            }
            _ => None,
        };
        let verified_on = match (fate, rectified_on) {
            (Fate::Closed, Some(r)) => Some(w.date_between(rng, r, r + days(7))),
            _ => None,
        };
        let status = match fate {
            Fate::Closed => "closed",
            Fate::Rectifying | Fate::OverdueRectifying => "rectifying",
            Fate::Pending | Fate::OverduePending => "pending",
            Fate::Awaiting => "awaiting_verification",
        };
        let created = w.at(rng, found_on);
        let assigned_at = assigned.then(|| {
            let last = rectified_on.unwrap_or(today).min(found_on + days(3));
            let d = w.date_between(rng, found_on, last);
            w.at(rng, d).max(created)
        });
        let rectified_at = rectified_on.map(|d| w.at(rng, d).max(assigned_at.unwrap_or(created)));
        let verified_at = verified_on.map(|d| w.at(rng, d).max(rectified_at.unwrap_or(created)));
        let updated = verified_at
            .or(rectified_at)
            .or(assigned_at)
            .unwrap_or(created);
        let id = self.ids.hazard;
        self.ids.hazard += 1;
        let campaign = w.campaign_on(found_on).filter(|_| rng.gen_bool(0.4));
        let item = source.and_then(|(ins, _)| self.src.failed_item.get(&ins).copied());
        let overdue_marked = overdue.then(|| deadline + days(1));
        let funds = assigned.then(|| rng.gen_range(0..500_000i64) * 10);
        let owner = if assigned {
            vocab::person(rng)
        } else {
            String::new()
        };
        let measures = if assigned {
            pick(rng, vocab::MEASURES)
        } else {
            ""
        };
        let criterion = if major {
            pick(rng, vocab::MAJOR_CRITERIA)
        } else {
            ""
        };
        let found_by = vocab::person(rng);
        let rectify_note = if rectified_on.is_some() {
            pick(rng, vocab::RECTIFY_NOTES)
        } else {
            ""
        };
        let verify_note = if verified_on.is_some() {
            pick(rng, vocab::VERIFY_NOTES)
        } else {
            ""
        };
        o.hazards.push(vec![
            id.into(),
            org.id.into(),
            location.into(),
            description.into(),
            category.into(),
            if major { "major" } else { "general" }.into(),
            criterion.into(),
            found_on.into(),
            found_by.into(),
            reporter.id.into(),
            source.map(|s| s.0).into(),
            item.into(),
            campaign.into(),
            status.into(),
            immediate.into(),
            deadline.into(),
            original_deadline.into(),
            owner.into(),
            measures.into(),
            funds.into(),
            rectified_on.into(),
            rectified_on.map(|_| rectifier.id).into(),
            rectify_note.into(),
            verified_on.into(),
            verified_on.map(|_| verifier.id).into(),
            verify_note.into(),
            verified_at.into(),
            overdue_marked.into(),
            (1 + [assigned_at, rectified_at, verified_at]
                .iter()
                .flatten()
                .count() as i64)
                .into(),
            created.into(),
            updated.into(),
        ]);

        let (r, v) = (Some(&rectifier), Some(&verifier));
        self.event(
            o,
            id,
            created,
            Some(&reporter),
            "registered",
            None,
            Some("pending"),
            "",
        );
        if let Some(t) = assigned_at {
            self.event(
                o,
                id,
                t,
                r,
                "assigned",
                Some("pending"),
                Some("rectifying"),
                "",
            );
        }
        if let Some(t) = rectified_at {
            if immediate {
                self.event(
                    o,
                    id,
                    t,
                    r,
                    "immediate",
                    Some("pending"),
                    Some("awaiting_verification"),
                    rectify_note,
                );
            } else {
                self.event(
                    o,
                    id,
                    t,
                    r,
                    "submitted",
                    Some("rectifying"),
                    Some("awaiting_verification"),
                    rectify_note,
                );
            }
        }
        if let Some(t) = verified_at {
            self.event(
                o,
                id,
                t,
                v,
                "verified",
                Some("awaiting_verification"),
                Some("closed"),
                verify_note,
            );
        }
        if let Some(d) = overdue_marked {
            let t = self.w.at(&mut self.rng, d);
            self.event(
                o,
                id,
                t,
                None,
                "overdue",
                None,
                Some(status),
                "整改期限已过，仍未整改完成",
            );
        }
        if extended {
            self.extension(
                o,
                id,
                &rectifier,
                &verifier,
                created,
                original_deadline,
                deadline,
            );
        }
        if major {
            self.major(
                o,
                id,
                fate,
                found_on,
                deadline,
                verified_on,
                created,
                &reporter,
            );
        }
    }
}
