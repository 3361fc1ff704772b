//! Demo records of this module, loaded after `demo_records::load` (organisations, accounts,
//! checklists, inspections and hazards exist): a few months of each ledger for the demo units,
//! recorded through the repository as the accounts that would record them. Dates are relative to
//! today so the current half-year's statistics, the boards and the to-do list show something.

use chrono::{Datelike, Days, NaiveDate};

use anjian_db::ledger::{self, ItemInput, LedgerInput};
use anjian_db::{Ctx, DbError};
use anjian_domain::ledger::LedgerKind;
use anjian_web::AppState;

use crate::demo_records::{act_as, org_id};

/// `days` before today, but not before the first of January: the entries stay in this year.
fn ago(today: NaiveDate, days: u64) -> String {
    let days = days.min(u64::from(today.ordinal0()));
    today
        .checked_sub_days(Days::new(days))
        .unwrap_or(today)
        .to_string()
}

fn entry(org: i64, date: String, fields: &[(&str, &str)]) -> LedgerInput {
    let mut i = LedgerInput {
        org_id: Some(org),
        entry_date: date,
        ..Default::default()
    };
    for (k, v) in fields {
        i.set(k, v.to_string());
    }
    i
}

async fn put(
    state: &AppState,
    ctx: &Ctx,
    kind: LedgerKind,
    i: LedgerInput,
) -> Result<i64, DbError> {
    Ok(ledger::create(&state.db, ctx, kind, &i).await?.id)
}

/// Records the demo's ledgers. Idempotence is not needed: the demo loads into an empty database.
pub async fn load(state: &AppState) -> Result<(), DbError> {
    let db = &state.db;
    let today = ledger::today();
    let officer = act_as(db, "officer1").await?;
    let supervisor = act_as(db, "supervisor").await?;
    let bureau = org_id(db, "某市粮食和物资储备局").await?;
    let unit = org_id(db, "市储备粮管理有限公司").await?;
    let depot = org_id(db, "城东直属库").await?;
    let north = org_id(db, "北郊储备库").await?;
    let centre = org_id(db, "市粮食收储中心").await?;
    let relief = org_id(db, "市救灾物资储备中心").await?;
    let me = officer.user_id();
    let head = act_as(db, "unithead1").await?.user_id();
    let inspector = act_as(db, "inspector1").await?.user_id();

    // Funding: 45,000.00 + 38,300.00 + 21,000.00 + 15,000.00 = 119,300.00 元 = 11.93 万元.
    for (org, days, cat, amount, title) in [
        (depot, 100, "1", "45000.00", "更换3号仓配电箱及线路"),
        (north, 80, "5", "38300.00", "购置防毒面具、安全带等劳保用品"),
        (unit, 60, "6", "21000.00", "安全生产月宣传及培训费用"),
        (centre, 40, "2", "15000.00", "补充灭火器、应急照明"),
    ] {
        let i = entry(
            org,
            ago(today, days),
            &[("category", cat), ("amount", amount), ("title", title)],
        );
        let who = if org == centre { &supervisor } else { &officer };
        put(state, who, LedgerKind::Funding, i).await?;
    }
    let training = |org, days, title: &str, kind: &str, hours: &str, n: &str| {
        entry(
            org,
            ago(today, days),
            &[
                ("title", title),
                ("category", kind),
                ("hours", hours),
                ("participants", n),
                ("trainer", "安全科"),
            ],
        )
    };
    let mut t = training(unit, 90, "熏蒸作业安全专题培训", "安全培训", "4", "32");
    t.attendee_user_ids = [me, head, inspector].into_iter().flatten().collect();
    put(state, &officer, LedgerKind::Training, t).await?;
    let mut t = training(depot, 45, "消防器材使用实操培训", "消防培训", "2.5", "18");
    t.attendee_user_ids = [me, inspector].into_iter().flatten().collect();
    put(state, &officer, LedgerKind::Training, t).await?;
    let t = training(
        bureau,
        30,
        "安全生产法律法规理论学习",
        "理论学习",
        "3",
        "26",
    );
    put(state, &supervisor, LedgerKind::Training, t).await?;

    for (org, days, title, form, n) in [
        (unit, 70, "安全生产月宣传咨询日", "宣传咨询日", "150"),
        (depot, 65, "安全宣传进社区", "五进·进社区", "80"),
        (centre, 20, "消防安全知识竞赛", "知识竞赛", "40"),
    ] {
        let i = entry(
            org,
            ago(today, days),
            &[("title", title), ("category", form), ("participants", n)],
        );
        let who = if org == centre { &supervisor } else { &officer };
        put(state, who, LedgerKind::Publicity, i).await?;
    }

    let mut d = entry(
        depot,
        ago(today, 50),
        &[
            ("title", "仓房火灾现场处置演练"),
            ("category", "火灾"),
            ("drill_kind", "single"),
            ("drill_form", "live"),
            ("plan_type", "onsite"),
            ("plan", "仓房火灾现场处置方案"),
            ("participants", "24"),
            ("evaluation", "响应迅速，个别人员对灭火器操作不熟练。"),
        ],
    );
    d.items = vec![ItemInput {
        content: "组织灭火器操作复训".into(),
        owner_user_id: me,
        deadline: today.to_string(),
        status: String::new(),
    }];
    put(state, &officer, LedgerKind::Drill, d).await?;
    let d = entry(
        relief,
        ago(today, 300),
        &[
            ("title", "防汛应急桌面推演"),
            ("category", "防汛"),
            ("drill_kind", "comprehensive"),
            ("drill_form", "tabletop"),
            ("plan_type", "special"),
            ("participants", "15"),
        ],
    );
    put(state, &supervisor, LedgerKind::Drill, d).await?;

    let mut m = entry(
        bureau,
        ago(today, 35),
        &[
            ("title", "本季度安全生产工作会议"),
            ("category", "quarterly"),
            ("attendees", "局领导班子成员、各科室及局属单位负责人"),
            ("topics", "分析安全生产形势，部署重大事故隐患排查整治"),
        ],
    );
    m.items = vec![ItemInput {
        content: "报送上半年安全生产工作总结".into(),
        owner_user_id: me,
        deadline: ago(today, 3),
        status: String::new(),
    }];
    put(state, &supervisor, LedgerKind::Meeting, m).await?;
    let m = entry(
        unit,
        ago(today, 20),
        &[
            ("title", "季度安全生产工作会议"),
            ("category", "quarterly"),
            ("topics", "通报隐患整改情况"),
        ],
    );
    put(state, &officer, LedgerKind::Meeting, m).await?;

    let year = today.year().to_string();
    for org in [unit, centre, relief] {
        let l = entry(
            org,
            ago(today, 200),
            &[
                ("year", year.as_str()),
                ("title", "安全生产暨消防安全目标责任书"),
                ("signatories", "局长与单位主要负责人"),
                ("targets", "杜绝较大以上生产安全事故；隐患整改率100%"),
            ],
        );
        put(state, &supervisor, LedgerKind::Letter, l).await?;
    }
    Ok(())
}
