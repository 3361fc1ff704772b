//! The default campaigns and key periods of a year, created on first start and by the demo.
//! Names carry the year ("2023年春节"), which is also how a second run recognises what exists.

use chrono::NaiveDate;

use anjian_domain::role::Permission;

use super::manage::{insert_in_tx, Valid};
use crate::error::Result;
use crate::query::{Db, Q};
use crate::Ctx;

/// Key periods (重要时段) by year: (year, name, start (m, d, of the year given), end). EDITABLE DATA:
/// holiday ranges follow the 国务院办公厅 holiday notices for 2023–2026; 2027's notice was not yet
/// published when this table was written, so its ranges (and every 两会 range, which follows the
/// sessions' announced schedule) are approximate — correct them here or on the campaign page.
/// A start in the previous year is written as month 0 (元旦 2023 began on 2022-12-31).
#[allow(clippy::type_complexity)]
const KEY_PERIODS: &[(i32, &str, (u32, u32), (u32, u32))] = &[
    (2023, "元旦", (0, 31), (1, 2)),
    (2023, "春节", (1, 21), (1, 27)),
    (2023, "全国两会", (3, 4), (3, 13)),
    (2023, "五一", (4, 29), (5, 3)),
    (2023, "国庆", (9, 29), (10, 6)),
    (2024, "元旦", (0, 30), (1, 1)),
    (2024, "春节", (2, 10), (2, 17)),
    (2024, "全国两会", (3, 4), (3, 11)),
    (2024, "五一", (5, 1), (5, 5)),
    (2024, "国庆", (10, 1), (10, 7)),
    (2025, "元旦", (1, 1), (1, 1)),
    (2025, "春节", (1, 28), (2, 4)),
    (2025, "全国两会", (3, 4), (3, 11)),
    (2025, "五一", (5, 1), (5, 5)),
    (2025, "国庆", (10, 1), (10, 8)),
    (2026, "元旦", (1, 1), (1, 3)),
    (2026, "春节", (2, 15), (2, 23)),
    (2026, "全国两会", (3, 4), (3, 12)),
    (2026, "五一", (5, 1), (5, 5)),
    (2026, "国庆", (10, 1), (10, 7)),
    (2027, "元旦", (1, 1), (1, 3)),
    (2027, "春节", (2, 5), (2, 11)),
    (2027, "全国两会", (3, 4), (3, 12)),
    (2027, "五一", (5, 1), (5, 5)),
    (2027, "国庆", (10, 1), (10, 7)),
];

/// One default campaign or key period for a year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefaultCampaign {
    pub kind: &'static str,
    pub name: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub description: String,
}

fn ymd(year: i32, (m, d): (u32, u32)) -> Option<NaiveDate> {
    if m == 0 {
        NaiveDate::from_ymd_opt(year - 1, 12, d)
    } else {
        NaiveDate::from_ymd_opt(year, m, d)
    }
}

/// The default set for a year: the recurring campaigns, the key periods the table knows for
/// that year, and the 2023 local event named in the bureau's half-year summary.
pub fn default_set(year: i32) -> Vec<DefaultCampaign> {
    let mut out = Vec::new();
    let mut add =
        |kind, name: &str, start: Option<NaiveDate>, end: Option<NaiveDate>, desc: &str| {
            if let (Some(s), Some(e)) = (start, end) {
                out.push(DefaultCampaign {
                    kind,
                    name: format!("{year}年{name}"),
                    start_date: s,
                    end_date: e,
                    description: desc.to_string(),
                });
            }
        };
    let whole = (ymd(year, (1, 1)), ymd(year, (12, 31)));
    // The national 2023 action was announced on 2023-04-27 and ran to the end of the year
    // (domain-rules §3.3); other years default to the whole year.
    let (major_start, major_desc) = if year == 2023 {
        (
            ymd(2023, (4, 27)),
            "国务院安委会《全国重大事故隐患专项排查整治2023行动总体方案》，2023年4月27日部署，至年底，分动员部署、企业自查自改和部门帮扶、部门精准执法、总结提高四个阶段。",
        )
    } else {
        (
            whole.0,
            "重大事故隐患专项排查整治，起止日期请按当年部署调整。",
        )
    };
    add(
        "campaign",
        "重大事故隐患专项排查整治行动",
        major_start,
        whole.1,
        major_desc,
    );
    add(
        "campaign",
        "安全生产月",
        ymd(year, (6, 1)),
        ymd(year, (6, 30)),
        "“安全生产月”活动：安全宣传“五进”、警示教育、应急演练。",
    );
    add(
        "campaign",
        "冬春火灾防控",
        ymd(year, (1, 1)),
        ymd(year, (3, 31)),
        "冬春火灾防控通常自上年11月持续至当年3月；此处记为当年1月至3月，11月、12月的检查可另建或修改日期。",
    );
    add(
        "campaign",
        "管好“一扇门”配好“一根绳”消防安全专项行动",
        whole.0,
        whole.1,
        "重点排查违规使用易燃可燃材料装修装饰、消防通道不畅通、违规存放易燃易爆危险品、电动自行车违规停放充电等突出风险。",
    );
    for (y, name, s, e) in KEY_PERIODS.iter().filter(|(y, ..)| *y == year) {
        add(
            "key_period",
            name,
            ymd(*y, *s),
            ymd(*y, *e),
            "重要时段：严格执行领导带班、24小时值班和事故信息报告制度，开展安全隐患排查。",
        );
    }
    if year == 2023 {
        add(
            "key_period",
            "数字中国建设峰会",
            ymd(2023, (4, 27)),
            ymd(2023, (4, 28)),
            "第六届数字中国建设峰会（福州）期间的安全防范。",
        );
    }
    out
}

/// Creates the default set for `year`, owned by `org_id` and covering all its units, skipping
/// every entry whose name already exists for that org. Returns how many were created.
pub async fn seed_defaults(db: &Db, ctx: &Ctx, org_id: i64, year: i32) -> Result<usize> {
    ctx.require(Permission::InspectionPlan)?;
    let mut tx = db.begin().await?;
    let _: (i64,) = tx
        .fetch_one(
            &Q::new("SELECT id FROM org WHERE id = $1 AND path LIKE $2")
                .bind(org_id)
                .bind(ctx.scope_like()),
        )
        .await?;
    let mut created = 0;
    for d in default_set(year) {
        let exists: Option<(i64,)> = tx
            .fetch_optional(
                &Q::new("SELECT id FROM campaign WHERE org_id = $1 AND name = $2")
                    .bind(org_id)
                    .bind(d.name.clone()),
            )
            .await?;
        if exists.is_some() {
            continue;
        }
        let v = Valid {
            kind: d.kind,
            name: d.name,
            start_date: d.start_date,
            end_date: d.end_date,
            description: d.description,
        };
        insert_in_tx(&mut tx, ctx, org_id, &v, true, &[]).await?;
        created += 1;
    }
    tx.commit().await?;
    Ok(created)
}
