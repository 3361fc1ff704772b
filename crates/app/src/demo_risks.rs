//! Demo records of this module, loaded after `demo_records::load` (organisations, accounts,
//! checklists, inspections and hazards exist): the risk points of 城东直属库 assessed with each
//! method, their control measures, and one open hazard linked to a point (so the four-colour
//! view shows an elevated point).

use anjian_db::risk::{self, MeasureInput, PointInput, RiskInput};
use anjian_db::{DbError, Q};
use anjian_web::AppState;

use crate::demo_records::{act_as, org_id};

struct DemoRisk {
    description: &'static str,
    factors: &'static [&'static str],
    accidents: &'static [&'static str],
    consequence: &'static str,
    /// (method, l, e, c, s, reason)
    assessment: (
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
    ),
    measures: &'static [(&'static str, &'static str)],
}

struct DemoPoint {
    kind: &'static str,
    name: &'static str,
    location: &'static str,
    /// The demo officer is responsible (shows on their to-do when flagged).
    officer: bool,
    emergency: &'static str,
    marker: (&'static str, &'static str),
    risks: &'static [DemoRisk],
}

const POINTS: &[DemoPoint] = &[
    DemoPoint {
        kind: "place",
        name: "平房仓（1号仓）",
        location: "库区西侧1号仓",
        officer: false,
        emergency:
            "发生粮堆埋人时立即停止出粮设备，利用救援板和安全绳施救，拨打120；严禁盲目进入粮堆。",
        marker: ("200", "300"),
        risks: &[DemoRisk {
            description: "进仓平仓作业时粮堆表面结块塌陷造成人员埋压",
            factors: &["12", "21"],
            accidents: &["10", "19"],
            consequence: "人员窒息死亡",
            // D = 3×6×7 = 126 → 一般
            assessment: ("lec", "3", "6", "7", "", ""),
            measures: &[
                (
                    "management",
                    "进仓作业执行审批，作业时不少于2人，设专人监护",
                ),
                ("protective", "进仓人员系安全带、安全绳"),
                ("training", "作业前开展粮堆埋人风险告知和安全交底"),
            ],
        }],
    },
    DemoPoint {
        kind: "activity",
        name: "熏蒸作业",
        location: "各仓房",
        officer: false,
        emergency:
            "发生磷化氢中毒时迅速将中毒人员移至空气新鲜处，佩戴正压式空气呼吸器施救，立即拨打120。",
        marker: ("350", "320"),
        risks: &[DemoRisk {
            description: "熏蒸施药、散气期间人员误入或防护不当造成磷化氢中毒",
            factors: &["22", "12"],
            accidents: &["19"],
            consequence: "人员中毒死亡",
            assessment: (
                "direct",
                "",
                "",
                "",
                "",
                "熏蒸作业涉及剧毒药剂，按粮食仓储企业重大风险判定直接判定为重大风险",
            ),
            measures: &[
                ("management", "熏蒸方案报批，设置警戒区和警示标志，专人看守"),
                ("protective", "施药人员佩戴正压式空气呼吸器，检测磷化氢浓度"),
                ("emergency", "现场配备急救药品和空气呼吸器，与医院建立联动"),
            ],
        }],
    },
    DemoPoint {
        kind: "place",
        name: "有限空间（地下输送通廊）",
        location: "立筒仓下部通廊",
        officer: true,
        emergency: "发生缺氧窒息时严禁盲目施救，佩戴呼吸器并系安全绳进入，持续通风，拨打119和120。",
        marker: ("620", "450"),
        risks: &[DemoRisk {
            description: "进入地下通廊检修前未通风检测造成缺氧窒息",
            factors: &["31", "12"],
            accidents: &["19"],
            consequence: "人员窒息死亡",
            // R = 3×5 = 15 → 较大
            assessment: ("ls", "3", "", "", "5", ""),
            measures: &[
                ("engineering", "通廊安装强制通风设施和氧含量报警装置"),
                (
                    "management",
                    "执行“先通风、再检测、后作业”，作业审批，设监护人",
                ),
            ],
        }],
    },
    DemoPoint {
        kind: "equipment",
        name: "配电室",
        location: "办公区北侧",
        officer: false,
        emergency: "发生触电时立即切断电源，用绝缘物使触电者脱离电源，进行心肺复苏并拨打120。",
        marker: ("820", "200"),
        risks: &[DemoRisk {
            description: "配电柜检修时误触带电部位",
            factors: &["21"],
            accidents: &["05", "08"],
            consequence: "人员触电伤害",
            // D = 1×6×3 = 18 → 低
            assessment: ("lec", "1", "6", "3", "", ""),
            measures: &[
                ("management", "电工持证上岗，检修执行停电、验电、挂牌上锁"),
                ("protective", "配备绝缘手套、绝缘靴"),
            ],
        }],
    },
    DemoPoint {
        kind: "activity",
        name: "进出仓作业",
        location: "库区作业场地",
        officer: false,
        emergency: "发生机械伤害时立即停机断电，止血包扎，拨打120。",
        marker: ("500", "700"),
        risks: &[DemoRisk {
            description: "输送机、扦样机运行中清理或跨越造成机械伤害",
            factors: &["21", "12"],
            accidents: &["03", "02"],
            consequence: "人员肢体伤残",
            // D = 6×6×3 = 108 → 一般
            assessment: ("lec", "6", "6", "3", "", ""),
            measures: &[
                ("engineering", "输送设备加装防护罩和急停拉绳"),
                ("management", "设备运行中严禁清理、跨越，作业现场设警戒线"),
            ],
        }],
    },
];

/// Records the demo's risks. Idempotence is not needed: the demo loads into an empty database.
pub async fn load(state: &AppState) -> Result<(), DbError> {
    let db = &state.db;
    let head = act_as(db, "unithead1").await?;
    let officer = act_as(db, "officer1").await?;
    let depot = org_id(db, "城东直属库").await?;
    let mut ids = Vec::new();
    for p in POINTS {
        let point = risk::create_point(
            db,
            &head,
            &PointInput {
                org_id: Some(depot),
                kind: p.kind.into(),
                name: p.name.into(),
                location: p.location.into(),
                responsible_user_id: if p.officer { officer.user_id() } else { None },
                responsible_name: if p.officer {
                    String::new()
                } else {
                    "孙主任".into()
                },
                emergency_measures: p.emergency.into(),
                report_phone: "0591-87654321".into(),
                marker_x: p.marker.0.into(),
                marker_y: p.marker.1.into(),
            },
        )
        .await?;
        for r in p.risks {
            let (method, l, e, c, s, reason) = r.assessment;
            let risk = risk::create_risk(
                db,
                &head,
                &RiskInput {
                    risk_point_id: Some(point.id),
                    description: r.description.into(),
                    factors: r.factors.iter().map(|x| x.to_string()).collect(),
                    accident_types: r.accidents.iter().map(|x| x.to_string()).collect(),
                    consequence: r.consequence.into(),
                    method: method.into(),
                    l: l.into(),
                    e: e.into(),
                    c: c.into(),
                    s: s.into(),
                    reason: reason.into(),
                    ..Default::default()
                },
            )
            .await?;
            for (t, content) in r.measures {
                risk::create_measure(
                    db,
                    &head,
                    risk.id,
                    &MeasureInput {
                        measure_type: (*t).into(),
                        content: (*content).into(),
                        responsible_name: "周安全员".into(),
                        ..Default::default()
                    },
                )
                .await?;
            }
        }
        ids.push((p.name, point.id));
    }
    // The depot's open electrical hazard (the e-bike charging) belongs to the 配电室 point.
    let open: Option<(i64,)> = db
        .fetch_optional(
            &Q::new(
                "SELECT id FROM hazard WHERE org_id = $1 AND status <> 'closed' AND deleted_at IS NULL \
                 ORDER BY id LIMIT 1",
            )
            .bind(depot),
        )
        .await?;
    if let (Some((hazard_id,)), Some((_, point_id))) =
        (open, ids.iter().find(|(n, _)| *n == "配电室"))
    {
        risk::link_hazard(db, &officer, hazard_id, Some(*point_id)).await?;
    }
    Ok(())
}
