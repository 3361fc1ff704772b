//! Safety work ledger entries (issue 5) in the mix a province keeps: mostly training and
//! publicity, then funding, drills, meetings, and one responsibility letter per unit and year;
//! spread over 2023 to today on the units and sites. Trainings name a few of the unit's people;
//! meetings and drills carry an action item or two.

use std::sync::Arc;

use anjian_db::Db;
use anyhow::Result;
use chrono::Datelike;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::sink::{fix_sequences, next_id, pipeline, Chunk, Rows, Val};
use crate::vocab::{self, pick};
use crate::world::{pick_user, start_date, World};

const ENTRY_COLS: &[&str] = &[
    "id",
    "kind",
    "org_id",
    "entry_date",
    "year",
    "title",
    "category",
    "description",
    "amount_fen",
    "hours_tenths",
    "participants",
    "campaign_id",
    "drill_kind",
    "drill_form",
    "plan_type",
    "plan",
    "trainer",
    "assessment",
    "evaluation",
    "attendees",
    "topics",
    "signatories",
    "targets",
    "created_by",
    "row_version",
    "created_at",
    "updated_at",
];

const ITEM_COLS: &[&str] = &[
    "id",
    "entry_id",
    "position",
    "content",
    "owner_user_id",
    "deadline",
    "status",
    "created_at",
    "updated_at",
];

const ATTENDEE_COLS: &[&str] = &["entry_id", "user_id"];

/// Entries per chunk handed to the writer.
const CHUNK: usize = 10_000;

const TRAININGS: &[&str] = &[
    "熏蒸作业安全培训",
    "有限空间作业培训",
    "消防器材实操培训",
    "新员工三级安全教育",
    "安全生产法学习",
];
const TRAINING_KINDS: &[&str] = &["安全培训", "技能培训", "消防培训", "警示教育", "理论学习"];
const PUBLICITY: &[&str] = &[
    "安全生产月宣传咨询日",
    "消防宣传进社区",
    "安全知识竞赛",
    "警示教育展板",
];
const FORMS: &[&str] = &[
    "五进·进企业",
    "五进·进社区",
    "宣传咨询日",
    "展板横幅",
    "新媒体宣传",
];
const SCENARIOS: &[&str] = &["火灾", "防汛", "有限空间", "熏蒸中毒", "粉尘爆炸"];
const FUNDING: &[&str] = &[
    "更换消防器材",
    "购置劳保用品",
    "维修仓房电气线路",
    "安全培训费用",
    "安全生产责任保险",
];

pub async fn ledgers(db: &Db, world: Arc<World>, count: usize, seed: u64) -> Result<()> {
    let first_id = next_id(db, "ledger_entry").await?;
    let first_item = next_id(db, "ledger_item").await?;
    let written = pipeline(db, 200_000, move |tx| {
        let mut g = Gen {
            w: &world,
            rng: StdRng::seed_from_u64(seed ^ 0x05),
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
    fix_sequences(db, &["ledger_entry", "ledger_item"]).await?;
    println!("ledgers: {count} entries, {written} rows in all");
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
        let mut entries = Rows::new("ledger_entry", ENTRY_COLS);
        let mut items = Rows::new("ledger_item", ITEM_COLS);
        let mut attendees = Rows::new("ledger_attendee", ATTENDEE_COLS);
        for _ in 0..n {
            self.one(&mut entries, &mut items, &mut attendees);
        }
        vec![entries, items, attendees]
    }

    fn one(&mut self, entries: &mut Rows, items: &mut Rows, attendees: &mut Rows) {
        let w = self.w;
        let rng = &mut self.rng;
        let org = w.pick_org(rng).clone();
        let date = w.date_between(rng, start_date(), w.today);
        let kind = match rng.gen_range(0..100) {
            0..=29 => "training",
            30..=54 => "publicity",
            55..=74 => "funding",
            75..=86 => "drill",
            87..=97 => "meeting",
            _ => "letter",
        };
        let officers = w.officers(org.unit_id);
        let recorder = pick_user(rng, officers).id;
        let created = w.at(rng, date);
        let id = self.id;
        self.id += 1;
        let t = |s: &'static str| Val::from(s);
        let mut v: Vec<Val> = vec![id.into(), kind.into(), org.id.into(), date.into()];
        let (year, title, category) = match kind {
            "training" => (None, pick(rng, TRAININGS), pick(rng, TRAINING_KINDS)),
            "publicity" => (None, pick(rng, PUBLICITY), pick(rng, FORMS)),
            "funding" => (
                None,
                pick(rng, FUNDING),
                ["1", "2", "5", "6", "9"][rng.gen_range(0..5)],
            ),
            "drill" => (None, "应急演练", pick(rng, SCENARIOS)),
            "meeting" => (
                None,
                "安全生产工作会议",
                if rng.gen_bool(0.6) {
                    "quarterly"
                } else {
                    "special"
                },
            ),
            _ => (
                Some(i64::from(date.year())),
                "安全生产暨消防安全目标责任书",
                "",
            ),
        };
        v.extend([year.into(), t(title), t(category), t("")]);
        let amount = (kind == "funding").then(|| rng.gen_range(1_000..5_000_000i64));
        let hours = (kind == "training").then(|| rng.gen_range(1..=16i64) * 5);
        let people =
            matches!(kind, "training" | "publicity" | "drill").then(|| rng.gen_range(5..200i64));
        let campaign = if kind == "publicity" {
            w.campaign_on(date)
        } else {
            None
        };
        v.extend([amount.into(), hours.into(), people.into(), campaign.into()]);
        let drill = kind == "drill";
        v.extend([
            t(if drill {
                ["comprehensive", "single"][rng.gen_range(0..2)]
            } else {
                ""
            }),
            t(if drill {
                ["live", "tabletop"][rng.gen_range(0..2)]
            } else {
                ""
            }),
            t(if drill {
                ["comprehensive", "special", "onsite"][rng.gen_range(0..3)]
            } else {
                ""
            }),
            t(""),
            Val::from(if kind == "training" {
                vocab::person(rng)
            } else {
                String::new()
            }),
            t(""),
            t(if drill {
                "演练达到预期目的"
            } else {
                ""
            }),
            t(""),
            t(if kind == "meeting" {
                "分析安全生产形势"
            } else {
                ""
            }),
            t(if kind == "letter" {
                "局长与单位负责人"
            } else {
                ""
            }),
            t(""),
            recorder.into(),
            1i64.into(),
            created.into(),
            created.into(),
        ]);
        entries.push(v);
        if matches!(kind, "drill" | "meeting") {
            for pos in 1..=rng.gen_range(1..=2i64) {
                let owner = pick_user(rng, officers).id;
                let deadline = date.checked_add_days(chrono::Days::new(30));
                let status = if deadline.is_some_and(|d| d < w.today) && rng.gen_bool(0.9) {
                    "done"
                } else {
                    "open"
                };
                items.push(vec![
                    self.item_id.into(),
                    id.into(),
                    pos.into(),
                    t("落实会议部署的整改事项"),
                    owner.into(),
                    deadline.into(),
                    t(status),
                    created.into(),
                    created.into(),
                ]);
                self.item_id += 1;
            }
        }
        if kind == "training" {
            let mut seen = Vec::new();
            for _ in 0..rng.gen_range(0..=3) {
                let u = pick_user(rng, officers).id;
                if !seen.contains(&u) {
                    seen.push(u);
                    attendees.push(vec![id.into(), u.into()]);
                }
            }
        }
    }
}
