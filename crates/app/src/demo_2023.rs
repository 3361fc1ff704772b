//! The demo's first half of 2023, recorded so that the records say what the bureau's own 2023 H1
//! summary (the seed) says: 80 safety inspections covering 62 organisations, 106 general hazards
//! found and every one rectified and verified within the half-year, no major hazard, no illegal
//! operation. The 50 社会粮食企业 the bureau supervises are added as organisations with their
//! safety officers; every record goes through the repository functions as the person who would
//! enter it, so the closed loop, the timeline and the audit trail are the real ones.

use chrono::{Datelike, Days, NaiveDate};

use anjian_db::hazard::{self, AssignInput, HazardInput, SubmitInput, VerifyInput};
use anjian_db::inspection::{self, InspectionInput, ItemInput};
use anjian_db::org::{self, OrgInput};
use anjian_db::user::{self, UserInput};
use anjian_db::{Ctx, Db, DbError, Q};
use anjian_web::AppState;

use crate::demo_records::{act_as, checklist, org_id, upload, version};

/// The figures the seed states for 2023 H1, which this module reproduces.
pub const INSPECTIONS: usize = 80;
pub const INSPECTED_ORGS: usize = 62;
pub const HAZARDS: usize = 106;

/// Name stems of the supervised grain enterprises (fictional).
const FIRMS: &[&str] = &[
    "丰泽", "禾盛", "嘉穗", "瑞丰", "金谷", "恒源", "德康", "润禾", "裕丰", "华粮",
];
const TRADES: &[&str] = &["粮油贸易", "粮食购销", "米业", "面业", "饲料", "仓储"];

/// Checklists used in turn, with what inspectors write when an item fails: (item index,
/// description, location).
#[allow(clippy::type_complexity)]
const FINDINGS: &[(&str, &[(usize, &str, &str)])] = &[
    (
        "消防安全检查表",
        &[
            (1, "消防车通道堆放托盘、苫布，通道宽度不足4米", "库区主干道"),
            (3, "电动自行车在办公楼楼道内停放充电", "办公楼一层楼道"),
            (4, "部分灭火器压力不足，未按期检测", "仓房外墙灭火器箱"),
            (1, "安全出口疏散指示标志损坏，应急照明不亮", "机修车间"),
            (7, "值班室内违规使用电暖器", "门卫值班室"),
            (2, "汽油桶存放在工具间，未专库存放", "工具间"),
            (6, "防火检查记录缺少检查人员签名", "安全管理台账"),
        ],
    ),
    (
        "用电安全检查表",
        &[
            (5, "配电箱未上锁，箱门警示标识缺失", "配电室"),
            (1, "仓房内私拉临时电线，未穿管保护", "仓房内"),
            (2, "输送设备电缆绝缘层破损", "输送廊道"),
            (3, "移动式电动工具未接漏电保护器", "机修间"),
            (4, "照明灯具靠近粮堆，未采用防爆型", "平房仓"),
        ],
    ),
    (
        "进出仓作业安全检查表",
        &[
            (
                2,
                "出仓作业未设专人监护，作业人员未系安全带",
                "平房仓出粮口",
            ),
            (4, "皮带输送机防护罩缺失", "输送机尾部"),
            (
                6,
                "作业现场粉尘较大，作业人员未佩戴防尘口罩",
                "浅圆仓进粮作业点",
            ),
            (8, "挡粮门插板变形，存在坍塌风险", "平房仓挡粮门"),
        ],
    ),
    (
        "有限空间作业安全检查表",
        &[
            (2, "有限空间未设置警示标识", "地下通廊入口"),
            (3, "气体检测仪超期未校验", "安全管理室"),
            (5, "有限空间作业审批单缺少监护人签字", "作业审批记录"),
            (7, "应急救援器材（三脚架、呼吸器）配备不全", "筒仓作业点"),
        ],
    ),
    (
        "粮食熏蒸及散气作业安全检查表",
        &[
            (1, "磷化铝药剂领用登记不全", "药品库"),
            (2, "药品库双人双锁制度未落实", "药品库"),
            (5, "熏蒸作业警戒区未设置警示标志", "熏蒸仓房周边"),
            (7, "防毒面具滤毒罐过期", "熏蒸器材室"),
        ],
    ),
    (
        "防汛安全检查表",
        &[
            (1, "库区排水沟淤堵", "库区东侧排水沟"),
            (3, "防汛沙袋储备不足", "防汛物资库"),
            (5, "仓房屋面局部渗漏", "仓房屋面"),
        ],
    ),
    (
        "外包作业安全检查表",
        &[
            (1, "外包单位安全生产管理协议未签订", "合同档案"),
            (3, "外包作业人员未进行入场安全教育", "外包作业现场"),
            (5, "外包作业现场无本单位专人监管", "外包作业现场"),
        ],
    ),
];

/// Hazards per inspection, in turn; 80 inspections × this cycle (13 per 10) = 104, plus two.
const PER_INSPECTION: [usize; 10] = [1, 2, 0, 1, 3, 1, 2, 1, 0, 2];

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2023, m, day).unwrap_or(NaiveDate::MIN)
}

fn plus(date: NaiveDate, days: u64, cap: NaiveDate) -> NaiveDate {
    date.checked_add_days(Days::new(days))
        .unwrap_or(cap)
        .min(cap)
}

/// The date of inspection `i` of 80: spread over 2023-01-04 .. 2023-06-21 (Mondays to Fridays),
/// so every hazard can be rectified and verified before the half-year ends.
fn inspection_date(i: usize) -> NaiveDate {
    let first = d(1, 4);
    let span = (d(6, 21) - first).num_days();
    let mut day = first + chrono::Duration::days(span * i as i64 / (INSPECTIONS as i64 - 1));
    while matches!(day.weekday(), chrono::Weekday::Sat | chrono::Weekday::Sun) {
        day = day.pred_opt().unwrap_or(day);
    }
    day
}

/// A fictional 统一社会信用代码 with a valid check character.
fn firm_uscc(n: usize) -> String {
    let first17 = format!("91350100MA{:07}", 5_200_000 + n * 6_151 % 1_000_000);
    let check = anjian_domain::uscc::check_character(&first17).unwrap_or('0');
    format!("{first17}{check}")
}

/// The 2023 campaign an inspection belongs to: fire checks to the fire campaigns, June to 安全生产月,
/// from its launch on 27 April the rest to the 重大事故隐患专项排查整治行动.
fn campaign_name(on: NaiveDate, fire: bool) -> Option<&'static str> {
    if fire {
        Some(if on <= d(3, 31) {
            "2023年冬春火灾防控"
        } else {
            "2023年管好“一扇门”配好“一根绳”消防安全专项行动"
        })
    } else if on >= d(6, 1) {
        Some("2023年安全生产月")
    } else if on >= d(4, 27) {
        Some("2023年重大事故隐患专项排查整治行动")
    } else {
        None
    }
}

/// Who records an inspection of an organisation, who rectifies its hazards, who verifies them.
struct Actors {
    inspector: Ctx,
    kind: &'static str,
    names: String,
    rectifier: Ctx,
    rectifier_name: String,
    verifier: Ctx,
}

/// Adds the supervised enterprises and one safety officer for each unit that has none, and
/// returns the organisations inspected in the half-year (the units, their sites and the
/// enterprises: 62 units in all) with the officer of each.
async fn organisations(db: &Db) -> Result<Vec<(i64, String)>, DbError> {
    let sys = Ctx::system("demo");
    let (bureau,): (i64,) = db
        .fetch_one(&Q::new(
            "SELECT id FROM org WHERE kind = 'bureau' ORDER BY id LIMIT 1",
        ))
        .await?;
    let existing: Vec<(i64, String, i64)> = db
        .fetch_all(&Q::new(
            "SELECT id, kind, COALESCE(parent_id, 0) FROM org WHERE kind <> 'bureau' ORDER BY id",
        ))
        .await
        .map(|rows: Vec<(i64, String, i64)>| rows)?;
    let mut officer_of_unit: Vec<(i64, String)> = Vec::new();
    let mut n = 0;
    for (id, kind, _) in existing.iter().filter(|(_, k, _)| k == "unit") {
        let _ = kind;
        let (has,): (i64,) = db
            .fetch_one(
                &Q::new(
                    "SELECT COUNT(*) FROM app_user WHERE org_id = $1 AND role = 'unit_officer'",
                )
                .bind(*id),
            )
            .await?;
        if has == 0 {
            n += 1;
            let username = format!("officer{}", n + 1);
            create_officer(db, &sys, *id, &username, &format!("安全员{}", n + 1)).await?;
            officer_of_unit.push((*id, username));
        } else {
            let (u,): (String,) = db
                .fetch_one(
                    &Q::new(
                        "SELECT username FROM app_user WHERE org_id = $1 AND role = 'unit_officer' \
                         ORDER BY id LIMIT 1",
                    )
                    .bind(*id),
                )
                .await?;
            officer_of_unit.push((*id, u));
        }
    }
    let mut out = Vec::new();
    for (id, kind, parent) in &existing {
        let unit = if kind == "unit" { *id } else { *parent };
        if let Some((_, u)) = officer_of_unit.iter().find(|(o, _)| *o == unit) {
            out.push((*id, u.clone()));
        }
    }
    // 检查覆盖企业 counts units (a site counts as its unit), so the enterprises make up the rest.
    let firms = INSPECTED_ORGS.saturating_sub(officer_of_unit.len());
    for i in 0..firms {
        let name = format!(
            "某市{}{}有限公司",
            FIRMS[i % FIRMS.len()],
            TRADES[i / FIRMS.len() % TRADES.len()]
        );
        let o = org::create(
            db,
            &sys,
            &OrgInput {
                kind: "unit".into(),
                parent_id: Some(bureau),
                name,
                uscc: Some(firm_uscc(i)),
                address: format!("某市工业园区粮食物流大道{}号", 100 + i),
                principal: format!("企业负责人{}", i + 1),
                contact_person: format!("企业安全员{}", i + 1),
                contact_phone: format!("0591-8760{:04}", 1000 + i),
                sort_order: 100 + i as i64,
            },
        )
        .await?;
        let username = format!("qy{:02}", i + 1);
        create_officer(db, &sys, o.id, &username, &format!("企业安全员{}", i + 1)).await?;
        out.push((o.id, username));
    }
    Ok(out)
}

async fn create_officer(
    db: &Db,
    sys: &Ctx,
    org_id: i64,
    username: &str,
    name: &str,
) -> Result<(), DbError> {
    // A random password nobody is told: the account exists for the records it signs; an
    // administrator resets it when someone needs to log in.
    user::create(
        db,
        sys,
        &UserInput {
            username: username.into(),
            name: name.into(),
            org_id,
            role: "unit_officer".into(),
            phone: String::new(),
        },
        None,
        true,
    )
    .await?;
    Ok(())
}

/// Records the half-year. Expects `demo::load` (organisations, accounts, 2023 campaigns) and
/// the built-in checklist library.
pub async fn load(state: &AppState) -> Result<(), DbError> {
    let db = &state.db;
    let orgs = organisations(db).await?;
    let supervisor = act_as(db, "supervisor").await?;
    let inspector = act_as(db, "inspector1").await?;
    let unithead = act_as(db, "unithead1").await?;
    let own_unit = org_id(db, "市储备粮管理有限公司").await?;
    let mut lists = Vec::new();
    for (name, findings) in FINDINGS {
        let (id, items) = checklist(db, name).await?;
        let mut major = Vec::new();
        for item in &items {
            let (m,): (bool,) = db
                .fetch_one(
                    &Q::new("SELECT major_criterion FROM checklist_item WHERE id = $1").bind(*item),
                )
                .await?;
            major.push(m);
        }
        lists.push(((id, items, major), *findings));
    }
    let mut counts: Vec<usize> = (0..INSPECTIONS)
        .map(|i| PER_INSPECTION[i % PER_INSPECTION.len()])
        .collect();
    let short = HAZARDS - counts.iter().sum::<usize>();
    for c in counts.iter_mut().skip(5).step_by(10).take(short) {
        *c += 1;
    }
    let end = d(6, 30);
    let mut photo_seed: u8 = 0;
    for (i, hazards_here) in counts.iter().copied().enumerate() {
        // The first inspections visit each organisation once; the rest revisit the first ones
        // (the bureau's follow-up 督查).
        let (org, officer) = &orgs[i % orgs.len()];
        let in_own_unit = {
            let (path,): (String,) = db
                .fetch_one(&Q::new("SELECT path FROM org WHERE id = $1").bind(*org))
                .await?;
            let (own,): (String,) = db
                .fetch_one(&Q::new("SELECT path FROM org WHERE id = $1").bind(own_unit))
                .await?;
            path.starts_with(&own)
        };
        let rectifier = act_as(db, officer).await?;
        let rectifier_name = rectifier
            .user_ctx()
            .map(|u| u.name.clone())
            .unwrap_or_default();
        let kinds = ["supervision", "spot_check", "special", "unannounced"];
        let a = if in_own_unit && i % 2 == 0 {
            // The unit's own self-checks: its head verifies what its officer rectifies.
            Actors {
                inspector: inspector.clone(),
                kind: "self_check",
                names: "吴检查、周安全员".into(),
                rectifier,
                rectifier_name,
                verifier: unithead.clone(),
            }
        } else {
            Actors {
                inspector: supervisor.clone(),
                kind: kinds[i % kinds.len()],
                names: "陈监管、局安全生产科".into(),
                rectifier,
                rectifier_name,
                verifier: supervisor.clone(),
            }
        };
        let on = inspection_date(i);
        let fire = FINDINGS[i % FINDINGS.len()].0 == "消防安全检查表";
        let campaign_id = match campaign_name(on, fire) {
            Some(name) => {
                let (id,): (i64,) = db
                    .fetch_one(&Q::new("SELECT id FROM campaign WHERE name = $1").bind(name))
                    .await?;
                Some(id)
            }
            None => None,
        };
        let ((list_id, items, major), findings) = &lists[i % lists.len()];
        let mut fails: Vec<(usize, HazardInput)> = Vec::new();
        for k in 0..hazards_here {
            let (item, description, location) = findings[(i + k * 3) % findings.len()];
            // A major-hazard criterion item would make the hazard major; none was found in 2023.
            if fails.iter().any(|(x, _)| *x == item) || item >= items.len() || major[item] {
                continue;
            }
            fails.push((
                item,
                HazardInput {
                    description: description.into(),
                    location: location.into(),
                    deadline: plus(on, 15, end).to_string(),
                    grade: "general".into(),
                    ..Default::default()
                },
            ));
        }
        // Two findings of one inspection may name the same item; use the next free item.
        while fails.len() < hazards_here {
            let free = (0..items.len()).find(|x| !major[*x] && !fails.iter().any(|(y, _)| y == x));
            let Some(item) = free else { break };
            let (_, description, location) = findings[fails.len() % findings.len()];
            fails.push((
                item,
                HazardInput {
                    description: format!("{description}（另一处）"),
                    location: location.into(),
                    deadline: plus(on, 15, end).to_string(),
                    grade: "general".into(),
                    ..Default::default()
                },
            ));
        }
        let id = inspection::create(
            db,
            &a.inspector,
            &InspectionInput {
                org_id: Some(*org),
                kind: a.kind.into(),
                inspected_on: on.to_string(),
                inspectors: a.names.clone(),
                checklist_id: Some(*list_id),
                campaign_id,
                summary: format!("{}对照检查表逐项检查。", on.format("%-m月%-d日")),
                items: items
                    .iter()
                    .enumerate()
                    .map(|(x, item_id)| {
                        let fail = fails.iter().find(|(y, _)| *y == x);
                        ItemInput {
                            checklist_item_id: Some(*item_id),
                            result: if fail.is_some() { "fail" } else { "pass" }.into(),
                            note: String::new(),
                            risk_point_id: None,
                            hazard: fail.map(|(_, h)| h.clone()),
                        }
                    })
                    .collect(),
                ..Default::default()
            },
        )
        .await?;
        let found: Vec<(i64,)> = db
            .fetch_all(
                &Q::new("SELECT id FROM hazard WHERE inspection_id = $1 ORDER BY id").bind(id),
            )
            .await?;
        for (k, (hz,)) in found.into_iter().enumerate() {
            let rectified = plus(on, 3 + (i as u64 + k as u64) % 8, d(6, 28));
            let verified = plus(rectified, 1 + (k as u64 % 2), end);
            hazard::assign(
                db,
                &a.rectifier,
                hz,
                &AssignInput {
                    row_version: version(db, hz).await?,
                    owner: a.rectifier_name.clone(),
                    measures: "立即组织整改，落实整改责任人、措施、资金、时限和应急预案".into(),
                    funds: format!("{}.00", 200 + (i * 37 + k * 91) % 1800),
                },
            )
            .await?;
            photo_seed = photo_seed.wrapping_add(7);
            let after = upload(
                state,
                &a.rectifier,
                *org,
                &format!("整改后照片{}.png", hz),
                photo_seed,
            )
            .await?;
            hazard::submit_rectification(
                db,
                &a.rectifier,
                hz,
                &SubmitInput {
                    row_version: version(db, hz).await?,
                    rectified_on: rectified.to_string(),
                    note: "已按要求整改完毕，附整改后照片".into(),
                    after_attachment_ids: vec![after],
                },
            )
            .await?;
            hazard::verify(
                db,
                &a.verifier,
                hz,
                &VerifyInput {
                    row_version: version(db, hz).await?,
                    verified_on: verified.to_string(),
                    note: "现场复查，整改到位，同意销号".into(),
                },
            )
            .await?;
        }
    }
    load_ledgers(db).await
}

/// The half-year's ledgers as the seed counts them: 11.93 万元 of safety funding, 16 publicity
/// events, 15 trainings, 11 drills, a quarterly safety meeting each quarter, and the 2023
/// responsibility letters with the five units. Each unit's officer records its unit's entries; the
/// bureau's supervisor records the bureau's meetings and the letters it signs.
async fn load_ledgers(db: &Db) -> Result<(), DbError> {
    use anjian_db::ledger::{self, LedgerInput};
    use anjian_domain::ledger::LedgerKind;

    let supervisor = act_as(db, "supervisor").await?;
    let bureau = org_id(db, "某市粮食和物资储备局").await?;
    let mut units = Vec::new();
    for (name, officer) in [
        ("市储备粮管理有限公司", "officer1"),
        ("市粮食收储中心", "officer2"),
        ("市救灾物资储备中心", "officer3"),
        ("市军粮供应站", "officer4"),
        ("市粮油质量监测站", "officer5"),
    ] {
        units.push((org_id(db, name).await?, act_as(db, officer).await?));
    }
    let input = |org: i64, date: NaiveDate, fields: &[(&str, &str)]| {
        let mut i = LedgerInput {
            org_id: Some(org),
            entry_date: date.to_string(),
            ..Default::default()
        };
        for (k, v) in fields {
            i.set(k, v.to_string());
        }
        i
    };
    // Funding: 26,800 + 9,600 + 18,500 + 12,000 + 21,400 + 8,000 + 6,500 + 16,500
    // = 119,300.00 元 = 11,930,000 分 = 11.93 万元 (categories of 财资〔2022〕136号).
    for (u, date, cat, amount, title) in [
        (0, d(1, 12), "1", "26800.00", "更换老旧仓房配电线路"),
        (0, d(3, 8), "5", "9600.00", "购置防毒面具、安全带等劳保用品"),
        (
            1,
            d(2, 20),
            "2",
            "18500.00",
            "补充灭火器、应急照明和疏散指示",
        ),
        (
            1,
            d(5, 16),
            "3",
            "12000.00",
            "安全风险分级管控和隐患排查整改",
        ),
        (
            2,
            d(4, 11),
            "2",
            "21400.00",
            "防汛沙袋、抽水泵等应急物资补充",
        ),
        (3, d(3, 27), "4", "8000.00", "委托开展安全生产标准化评估"),
        (4, d(5, 30), "8", "6500.00", "电气设备和压力容器检测检验"),
        (0, d(6, 9), "6", "16500.00", "安全生产月宣传及培训"),
    ] {
        let (org, who) = &units[u];
        let i = input(
            *org,
            date,
            &[("category", cat), ("amount", amount), ("title", title)],
        );
        ledger::create(db, who, LedgerKind::Funding, &i).await?;
    }
    // 16 publicity events, most of them in 安全生产月 (June) and the 安全宣传“五进”.
    let forms = [
        "五进·进企业",
        "五进·进社区",
        "宣传咨询日",
        "知识竞赛",
        "五进·进学校",
        "警示教育",
    ];
    for k in 0..16u32 {
        let (org, who) = &units[k as usize % units.len()];
        let date = if k < 6 {
            d(1 + k % 5, 10 + k)
        } else {
            d(6, 1 + (k - 6) * 2)
        };
        let title = format!("安全生产宣传活动（{}）", forms[k as usize % forms.len()]);
        let n = (40 + k * 7).to_string();
        let i = input(
            *org,
            date,
            &[
                ("title", &title),
                ("category", forms[k as usize % forms.len()]),
                ("participants", &n),
            ],
        );
        ledger::create(db, who, LedgerKind::Publicity, &i).await?;
    }
    // 15 trainings.
    let kinds = ["安全培训", "消防培训", "技能培训", "警示教育", "理论学习"];
    for k in 0..15u32 {
        let (org, who) = &units[k as usize % units.len()];
        let kind = kinds[k as usize % kinds.len()];
        let title = format!("{kind}（第{}期）", k / 5 + 1);
        let n = (12 + k * 3).to_string();
        let i = input(
            *org,
            d(1 + k % 6, 5 + k),
            &[
                ("title", &title),
                ("category", kind),
                ("hours", "2"),
                ("participants", &n),
                ("trainer", "单位安全管理人员"),
            ],
        );
        ledger::create(db, who, LedgerKind::Training, &i).await?;
    }
    // 11 drills: fire and flood among them (part 四), and the on-site plans of the depots.
    let scenarios = ["火灾", "防汛", "有限空间", "熏蒸中毒", "火灾", "防汛"];
    for k in 0..11u32 {
        let (org, who) = &units[k as usize % units.len()];
        let scenario = scenarios[k as usize % scenarios.len()];
        let title = format!("{scenario}应急演练");
        let n = (15 + k * 2).to_string();
        let (kind, form, plan) = if k % 3 == 0 {
            ("comprehensive", "tabletop", "special")
        } else {
            ("single", "live", "onsite")
        };
        let i = input(
            *org,
            d(2 + k % 5, 8 + k),
            &[
                ("title", &title),
                ("category", scenario),
                ("drill_kind", kind),
                ("drill_form", form),
                ("plan_type", plan),
                ("plan", &format!("{scenario}应急预案")),
                ("participants", &n),
                ("evaluation", "演练组织有序，达到预期目的。"),
            ],
        );
        ledger::create(db, who, LedgerKind::Drill, &i).await?;
    }
    // 每季度召开安全生产工作会议.
    for (date, topics) in [
        (d(3, 15), "分析一季度安全生产形势，部署春季安全生产检查"),
        (d(6, 20), "分析二季度安全生产形势，部署安全生产月和防汛工作"),
    ] {
        let i = input(
            bureau,
            date,
            &[
                ("title", "季度安全生产工作会议"),
                ("category", "quarterly"),
                ("attendees", "局领导班子成员、各科室及局属单位负责人"),
                ("topics", topics),
            ],
        );
        ledger::create(db, &supervisor, LedgerKind::Meeting, &i).await?;
    }
    // 与局属单位签订安全生产暨消防安全目标责任书.
    for (k, (org, _)) in units.iter().enumerate() {
        let i = input(
            *org,
            d(2, 1 + k as u32),
            &[
                ("year", "2023"),
                ("title", "2023年度安全生产暨消防安全目标责任书"),
                ("signatories", "局主要负责人与单位主要负责人"),
                (
                    "targets",
                    "杜绝较大以上生产安全事故；隐患整改率100%；安全生产“一票否决”",
                ),
            ],
        );
        ledger::create(db, &supervisor, LedgerKind::Letter, &i).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_adds_up_to_the_seed() {
        let mut counts: Vec<usize> = (0..INSPECTIONS)
            .map(|i| PER_INSPECTION[i % PER_INSPECTION.len()])
            .collect();
        let short = HAZARDS - counts.iter().sum::<usize>();
        for c in counts.iter_mut().skip(5).step_by(10).take(short) {
            *c += 1;
        }
        assert_eq!(counts.iter().sum::<usize>(), HAZARDS);
        // Every inspection date is a weekday in the half-year, early enough to close its hazards.
        for i in 0..INSPECTIONS {
            let on = inspection_date(i);
            assert!(on >= d(1, 3) && on <= d(6, 21), "{on}");
            assert!(!matches!(
                on.weekday(),
                chrono::Weekday::Sat | chrono::Weekday::Sun
            ));
        }
        // Whether each finding names an existing, non-major item of the library is checked
        // against the real library by tests/it/demo.rs (the figures would not add up otherwise).
        // Enough distinct enterprise names for the units the demo's own five leave to cover.
        assert!(FIRMS.len() * TRADES.len() + 5 >= INSPECTED_ORGS);
    }
}
