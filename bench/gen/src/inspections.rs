//! Inspections with their per-item results (a snapshot of 3–5 checklist items each), spread over
//! 2023 to today on the units and sites, with the kinds in a plausible mix.

use std::sync::Arc;

use anjian_db::Db;
use anyhow::{bail, Result};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::sink::{fix_sequences, next_id, pipeline, Chunk, Rows, Val};
use crate::vocab::{self, pick};
use crate::world::{pick_user, start_date, World};

const INSPECTION_COLS: &[&str] = &[
    "id",
    "org_id",
    "kind",
    "inspected_on",
    "inspectors",
    "checklist_id",
    "campaign_id",
    "task_id",
    "summary",
    "illegal_operation",
    "illegal_description",
    "recorded_by",
    "row_version",
    "created_at",
    "updated_at",
];

const ITEM_COLS: &[&str] = &[
    "id",
    "inspection_id",
    "position",
    "checklist_item_id",
    "content",
    "category",
    "basis",
    "major_criterion",
    "result",
    "note",
];

/// Inspections per chunk handed to the writer (with ~4 items each).
const CHUNK: usize = 5_000;

pub async fn inspections(db: &Db, world: Arc<World>, count: usize, seed: u64) -> Result<()> {
    if world.checklists.is_empty() {
        bail!("no checklist with items: run the checklists stage first");
    }
    let first_id = next_id(db, "inspection").await?;
    let first_item = next_id(db, "inspection_item").await?;
    let written = pipeline(db, 200_000, move |tx| {
        let mut g = Gen {
            w: &world,
            rng: StdRng::seed_from_u64(seed ^ 0x02),
            id: first_id,
            item_id: first_item,
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
    fix_sequences(db, &["inspection", "inspection_item"]).await?;
    println!("inspections: {count} inspections, {} rows in all", written);
    Ok(())
}

struct Gen<'a> {
    w: &'a World,
    rng: StdRng,
    id: i64,
    item_id: i64,
}

impl Gen<'_> {
    fn chunk(&mut self, n: usize) -> Chunk {
        let mut ins = Rows::new("inspection", INSPECTION_COLS);
        let mut items = Rows::new("inspection_item", ITEM_COLS);
        for _ in 0..n {
            self.one(&mut ins, &mut items);
        }
        vec![ins, items]
    }

    fn one(&mut self, ins: &mut Rows, items: &mut Rows) {
        let w = self.w;
        let rng = &mut self.rng;
        let org = w.pick_org(rng).clone();
        let date = w.date_between(rng, start_date(), w.today);
        let kind = match rng.gen_range(0..100) {
            0..=59 => "self_check",
            60..=74 => "supervision",
            75..=84 => "spot_check",
            85..=92 => "unannounced",
            _ => "special",
        };
        let campaign = w
            .campaign_on(date)
            .filter(|_| kind == "special" || rng.gen_bool(0.5));
        let (checklist_id, list) = &w.checklists[rng.gen_range(0..w.checklists.len())];
        let recorder = if kind == "self_check" {
            pick_user(rng, w.officers(org.unit_id))
        } else {
            pick_user(rng, &w.inspectors)
        };
        let illegal = rng.gen_bool(0.01);
        let created = w.at(rng, date);
        let id = self.id;
        self.id += 1;
        ins.push(vec![
            id.into(),
            org.id.into(),
            kind.into(),
            date.into(),
            format!("{}、{}", vocab::person(rng), vocab::person(rng)).into(),
            (*checklist_id).into(),
            campaign.into(),
            Val::Null,
            pick(rng, vocab::SUMMARIES).into(),
            illegal.into(),
            if illegal {
                pick(rng, vocab::ILLEGAL)
            } else {
                ""
            }
            .into(),
            recorder.id.into(),
            1i64.into(),
            created.into(),
            created.into(),
        ]);
        let k = rng.gen_range(3..=5).min(list.len());
        let skip = rng.gen_range(0..=list.len() - k);
        for (pos, item) in list.iter().skip(skip).take(k).enumerate() {
            let result = match rng.gen_range(0..100) {
                0..=84 => "pass",
                85..=94 => "fail",
                _ => "na",
            };
            items.push(vec![
                self.item_id.into(),
                id.into(),
                (pos as i64 + 1).into(),
                item.id.into(),
                item.content.clone().into(),
                item.category.clone().into(),
                item.basis.clone().into(),
                item.major_criterion.into(),
                result.into(),
                if result == "fail" {
                    "现场发现问题，已登记隐患"
                } else {
                    ""
                }
                .into(),
            ]);
            self.item_id += 1;
        }
    }
}
