//! Risk points with their risks, assessment versions and control measures (issue 4), on the
//! units and sites: ~4 risks per point, graded by `anjian_domain::risk` under the default rules
//! (so level, score and default control tier are what the application would compute), and each
//! point's cached level, risk count and newest assessment date computed from its risks as
//! `risk::common::refresh_point` keeps them.

use std::sync::Arc;

use anjian_db::Db;
use anjian_domain::accident::CURRENT;
use anjian_domain::risk::{point_level, Assessment, GradingRules, RiskLevel, LEC_C, LEC_E, LEC_L};
use anyhow::Result;
use chrono::NaiveDate;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::sink::{fix_sequences, next_id, pipeline, Chunk, Rows, Val};
use crate::vocab::{self, pick};
use crate::world::{pick_user, start_date, World};

const POINT_COLS: &[&str] = &[
    "id",
    "org_id",
    "kind",
    "name",
    "location",
    "responsible_user_id",
    "responsible_name",
    "emergency_measures",
    "report_phone",
    "marker_x",
    "marker_y",
    "level_rank",
    "risk_count",
    "last_assessed_on",
    "active",
    "row_version",
    "created_at",
    "updated_at",
];

const RISK_COLS: &[&str] = &[
    "id",
    "risk_point_id",
    "org_id",
    "description",
    "factors",
    "accident_standard",
    "accident_types",
    "consequence",
    "method",
    "f_l",
    "f_e",
    "f_c",
    "f_s",
    "direct_reason",
    "score",
    "level_rank",
    "residual_method",
    "residual_l",
    "residual_e",
    "residual_c",
    "residual_s",
    "residual_reason",
    "residual_score",
    "residual_level_rank",
    "control_tier",
    "assessed_on",
    "assessor_user_id",
    "assessor_name",
    "active",
    "row_version",
    "created_at",
    "updated_at",
];

const VERSION_COLS: &[&str] = &[
    "id",
    "risk_id",
    "kind",
    "assessed_on",
    "assessor_user_id",
    "assessor_name",
    "method",
    "f_l",
    "f_e",
    "f_c",
    "f_s",
    "direct_reason",
    "score",
    "level_rank",
    "reason",
    "created_at",
];

const MEASURE_COLS: &[&str] = &[
    "id",
    "risk_id",
    "risk_point_id",
    "org_id",
    "measure_type",
    "content",
    "tier",
    "responsible_user_id",
    "responsible_name",
    "active",
    "row_version",
    "created_at",
    "updated_at",
];

/// Points per chunk handed to the writer (~4 risks, ~4.4 versions and ~8 measures each).
const CHUNK_POINTS: usize = 2_500;

/// (kind, name, emergency measures, risks as (description, factors, accident codes, consequence)).
type PointKind = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str, &'static str, &'static str)],
);

const POINTS: &[PointKind] = &[
    (
        "place",
        "平房仓",
        "发生粮堆埋人时立即停止出粮设备，利用救援板和安全绳施救，拨打120。",
        &[
            (
                "进仓平仓作业时粮堆表面结块塌陷造成人员埋压",
                "12,21",
                "10,19",
                "人员窒息死亡",
            ),
            (
                "仓内电气线路老化引发火灾",
                "21,43",
                "08",
                "粮食损失，人员伤亡",
            ),
            ("登高作业未系安全带造成坠落", "12", "09", "人员伤残"),
        ],
    ),
    (
        "place",
        "浅圆仓",
        "筒仓内发生人员被困时立即停止进出粮，通风检测后由救援人员佩戴防护用品施救。",
        &[
            (
                "进入筒仓未检测气体造成中毒窒息",
                "22,12",
                "19",
                "人员中毒死亡",
            ),
            ("仓顶作业平台护栏缺失造成坠落", "21", "09", "人员伤残"),
            ("粉尘积聚遇明火爆炸", "22,31", "18", "群死群伤"),
        ],
    ),
    (
        "activity",
        "熏蒸作业",
        "发生磷化氢中毒时迅速将中毒人员移至空气新鲜处，佩戴正压式空气呼吸器施救，立即拨打120。",
        &[
            (
                "熏蒸施药、散气期间人员误入造成磷化氢中毒",
                "22,12",
                "19",
                "人员中毒死亡",
            ),
            ("药品储存不当自燃", "22,43", "08", "火灾"),
        ],
    ),
    (
        "activity",
        "有限空间作业",
        "严禁盲目施救；立即报告并呼叫专业救援，救援人员佩戴隔绝式呼吸器。",
        &[
            (
                "未执行先通风、再检测、后作业造成窒息",
                "12,33",
                "19",
                "人员窒息死亡",
            ),
            ("监护人员离岗", "12,42", "19", "救援延误"),
        ],
    ),
    (
        "equipment",
        "输送机",
        "立即按下急停按钮切断电源，对伤者进行止血包扎并送医。",
        &[
            ("传动部位防护罩缺失造成卷入", "21", "03", "人员伤残"),
            ("检修时未挂牌上锁误启动", "12,43", "03", "人员伤残"),
        ],
    ),
    (
        "place",
        "配电室",
        "发生触电时立即切断电源，用绝缘物使触电者脱离电源并实施心肺复苏。",
        &[
            ("带电作业未穿戴绝缘用品触电", "12,21", "05", "人员死亡"),
            ("电缆沟进水短路起火", "21,32", "08", "停电、火灾"),
        ],
    ),
    (
        "place",
        "油罐区",
        "发生泄漏时切断罐区电源，设置警戒，用沙土围堵，禁止一切火源。",
        &[
            ("油品泄漏遇静电火花燃爆", "22,21", "08,18", "群死群伤"),
            ("防雷接地失效", "21,44", "08", "火灾"),
        ],
    ),
    (
        "equipment",
        "叉车",
        "发生碰撞时立即停车熄火，救护伤员并保护现场。",
        &[
            ("无证驾驶或超速行驶撞人", "12", "02", "人员伤亡"),
            ("货叉举升货物下方站人", "12,21", "01", "人员伤残"),
        ],
    ),
    (
        "equipment",
        "烘干塔",
        "发生火情时立即停机、关闭热风，使用消防设施灭火并报警。",
        &[
            ("热风炉温度失控引燃粮食", "21", "08", "火灾"),
            ("塔体检修高处作业坠落", "12", "09", "人员伤残"),
        ],
    ),
];

const MEASURES: &[(&str, &str)] = &[
    (
        "management",
        "作业执行审批制度，作业时不少于2人并设专人监护",
    ),
    ("engineering", "加装防护罩和急停装置并定期检查"),
    ("training", "作业前开展风险告知和安全交底"),
    ("protective", "配备并正确佩戴个人防护用品"),
    ("emergency", "制定专项应急预案并每年演练"),
];

/// LEC values in tenths, drawn from the lower half of each table as most assessments are.
const LEC_L_PICK: &[u32] = &[10, 30, 30, 60, 100];
const LEC_E_PICK: &[u32] = &[30, 60, 60, 100];
const LEC_C_PICK: &[u32] = &[10, 30, 70, 70, 150, 400];

pub async fn risks(db: &Db, world: Arc<World>, count: usize, seed: u64) -> Result<()> {
    let ids = Ids {
        point: next_id(db, "risk_point").await?,
        risk: next_id(db, "risk").await?,
        version: next_id(db, "risk_version").await?,
        measure: next_id(db, "risk_measure").await?,
    };
    debug_assert!(LEC_L_PICK.iter().all(|v| LEC_L.iter().any(|(x, _)| x == v)));
    debug_assert!(LEC_E_PICK.iter().all(|v| LEC_E.iter().any(|(x, _)| x == v)));
    debug_assert!(LEC_C_PICK.iter().all(|v| LEC_C.iter().any(|(x, _)| x == v)));
    let written = pipeline(db, 200_000, move |tx| {
        let mut g = Gen {
            w: &world,
            rng: StdRng::seed_from_u64(seed ^ 0x04),
            rules: GradingRules::default(),
            ids,
        };
        let mut left = count;
        while left > 0 {
            let (chunk, n) = g.chunk(left);
            if tx.blocking_send(chunk).is_err() {
                return;
            }
            left -= n;
        }
    })
    .await?;
    fix_sequences(db, &["risk_point", "risk", "risk_version", "risk_measure"]).await?;
    println!("risks: {count} risks, {written} rows in all");
    Ok(())
}

#[derive(Clone, Copy)]
struct Ids {
    point: i64,
    risk: i64,
    version: i64,
    measure: i64,
}

struct Gen<'a> {
    w: &'a World,
    rng: StdRng,
    rules: GradingRules,
    ids: Ids,
}

struct Out {
    points: Rows,
    risks: Rows,
    versions: Rows,
    measures: Rows,
}

impl Gen<'_> {
    /// Up to CHUNK_POINTS points with at most `left` risks in all; returns the chunk and its
    /// number of risks.
    fn chunk(&mut self, mut left: usize) -> (Chunk, usize) {
        let mut o = Out {
            points: Rows::new("risk_point", POINT_COLS),
            risks: Rows::new("risk", RISK_COLS),
            versions: Rows::new("risk_version", VERSION_COLS),
            measures: Rows::new("risk_measure", MEASURE_COLS),
        };
        let mut n = 0;
        for _ in 0..CHUNK_POINTS {
            if left == 0 {
                break;
            }
            let k = self.rng.gen_range(1..=7usize).min(left);
            self.point(&mut o, k);
            left -= k;
            n += k;
        }
        (vec![o.points, o.risks, o.versions, o.measures], n)
    }

    fn assessment(&mut self) -> Assessment {
        let rng = &mut self.rng;
        match rng.gen_range(0..100) {
            0..=69 => Assessment::Lec {
                l: pick(rng, LEC_L_PICK),
                e: pick(rng, LEC_E_PICK),
                c: pick(rng, LEC_C_PICK),
            },
            70..=96 => Assessment::Ls {
                l: rng.gen_range(1..=5),
                s: rng.gen_range(1..=5),
            },
            _ => Assessment::Direct {
                reason: "符合重大事故隐患判定标准".into(),
            },
        }
    }

    fn point(&mut self, o: &mut Out, risks: usize) {
        let w = self.w;
        let org = w.pick_org(&mut self.rng).clone();
        let (kind, name, emergency, templates) = pick(&mut self.rng, POINTS);
        let heads = w.heads(org.unit_id);
        let officers = w.officers(org.unit_id);
        let responsible = pick_user(&mut self.rng, heads).clone();
        let point_id = self.ids.point;
        self.ids.point += 1;
        let created_on = w.date_between(&mut self.rng, start_date(), w.today);
        let created = w.at(&mut self.rng, created_on);
        let mut levels = Vec::with_capacity(risks);
        let mut newest: Option<NaiveDate> = None;
        for i in 0..risks {
            let (description, factors, accidents, consequence) = templates[i % templates.len()];
            let risk_id = self.ids.risk;
            self.ids.risk += 1;
            let assessor = pick_user(&mut self.rng, officers).clone();
            // One in ten was assessed once before and re-assessed later: two versions.
            let reassessed = self.rng.gen_bool(0.1);
            let first_on = w.date_between(&mut self.rng, created_on, w.today);
            let assessed_on = if reassessed {
                w.date_between(&mut self.rng, first_on, w.today)
            } else {
                first_on
            };
            if reassessed {
                let old = self.assessment();
                let at = w.at(&mut self.rng, first_on).max(created);
                self.version(o, risk_id, first_on, &assessor, &old, at);
            }
            let a = self.assessment();
            let level = self.rules.level(&a);
            let tier = self.rules.default_tier(level).code();
            let at = w.at(&mut self.rng, assessed_on).max(created);
            self.version(o, risk_id, assessed_on, &assessor, &a, at);
            levels.push(level);
            newest = newest.max(Some(assessed_on));
            let (m, fl, fe, fc, fs, reason) = factors_of(&a);
            // A residual assessment on a third of the risks: the LEC after the measures.
            let residual = (self.rng.gen_bool(0.33) && level != RiskLevel::Low).then(|| {
                let r = Assessment::Lec {
                    l: 10,
                    e: pick(&mut self.rng, LEC_E_PICK),
                    c: 10,
                };
                let lv = self.rules.level(&r);
                (r, lv)
            });
            let (rm, rl, re, rc, rs, rscore, rlevel) = match &residual {
                Some((r, lv)) => {
                    let (m, l, e, c, s, _) = factors_of(r);
                    (
                        Val::from(m),
                        l,
                        e,
                        c,
                        s,
                        Val::from(r.score() as i64),
                        Val::from(lv.rank()),
                    )
                }
                None => (
                    Val::Null,
                    Val::Null,
                    Val::Null,
                    Val::Null,
                    Val::Null,
                    Val::Null,
                    Val::Null,
                ),
            };
            o.risks.push(vec![
                risk_id.into(),
                point_id.into(),
                org.id.into(),
                description.into(),
                factors.into(),
                CURRENT.code.into(),
                accidents.into(),
                consequence.into(),
                m.into(),
                fl,
                fe,
                fc,
                fs,
                reason.into(),
                (a.score() as i64).into(),
                level.rank().into(),
                rm,
                rl,
                re,
                rc,
                rs,
                "".into(),
                rscore,
                rlevel,
                tier.into(),
                assessed_on.into(),
                assessor.id.into(),
                assessor.name.clone().into(),
                true.into(),
                1i64.into(),
                at.into(),
                at.into(),
            ]);
            for _ in 0..self.rng.gen_range(1..=3) {
                let (mtype, content) = pick(&mut self.rng, MEASURES);
                let who = pick_user(&mut self.rng, officers).clone();
                o.measures.push(vec![
                    self.ids.measure.into(),
                    risk_id.into(),
                    point_id.into(),
                    org.id.into(),
                    mtype.into(),
                    content.into(),
                    tier.into(),
                    who.id.into(),
                    who.name.into(),
                    true.into(),
                    1i64.into(),
                    at.into(),
                    at.into(),
                ]);
                self.ids.measure += 1;
            }
        }
        let level = point_level(levels).map(|l| l.rank());
        // Two thirds of the points are placed on their site plan.
        let (mx, my) = if self.rng.gen_bool(0.66) {
            (
                Val::from(self.rng.gen_range(0..=1000i64)),
                Val::from(self.rng.gen_range(0..=1000i64)),
            )
        } else {
            (Val::Null, Val::Null)
        };
        let location = format!("{}{}", pick(&mut self.rng, vocab::LOCATIONS), name);
        let label = format!("{name}（{}号）", point_id % 97 + 1);
        o.points.push(vec![
            point_id.into(),
            org.id.into(),
            kind.into(),
            label.into(),
            location.into(),
            responsible.id.into(),
            responsible.name.into(),
            emergency.into(),
            "0591-87654321".into(),
            mx,
            my,
            level.into(),
            (risks as i64).into(),
            newest.into(),
            true.into(),
            1i64.into(),
            created.into(),
            created.into(),
        ]);
    }

    fn version(
        &mut self,
        o: &mut Out,
        risk_id: i64,
        on: NaiveDate,
        by: &crate::world::UserRef,
        a: &Assessment,
        at: chrono::DateTime<chrono::Utc>,
    ) {
        let (m, fl, fe, fc, fs, reason) = factors_of(a);
        o.versions.push(vec![
            self.ids.version.into(),
            risk_id.into(),
            "assessment".into(),
            on.into(),
            by.id.into(),
            by.name.clone().into(),
            m.into(),
            fl,
            fe,
            fc,
            fs,
            reason.into(),
            (a.score() as i64).into(),
            self.rules.level(a).rank().into(),
            "".into(),
            at.into(),
        ]);
        self.ids.version += 1;
    }
}

/// (method, L, E, C, S, direct reason) as the risk and version columns store them.
fn factors_of(a: &Assessment) -> (&'static str, Val, Val, Val, Val, String) {
    let v = |x: u32| Val::from(i64::from(x));
    match a {
        Assessment::Lec { l, e, c } => ("lec", v(*l), v(*e), v(*c), Val::Null, String::new()),
        Assessment::Ls { l, s } => ("ls", v(*l), Val::Null, Val::Null, v(*s), String::new()),
        Assessment::Direct { reason } => (
            "direct",
            Val::Null,
            Val::Null,
            Val::Null,
            Val::Null,
            reason.clone(),
        ),
    }
}
