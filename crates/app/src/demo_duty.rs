//! Demo records of this module, loaded after `demo_records::load` (organisations, accounts,
//! checklists, inspections and hazards exist): duty rosters (the 2023 春节 week and the weeks
//! around today, published), duty log entries and zero reports, and one non-accident event (a
//! 2023 汛情) with its 首报, 续报 and 终报. There is no accident in 2023 H1: the seed reports
//! "无人员伤亡事故", so the register stays empty for that half-year.

use chrono::{Days, Duration};

use anjian_db::duty::{self, LogInput, RosterInput};
use anjian_db::incident::{self, FiguresInput, IncidentInput, ReportInput};
use anjian_db::{DbError, Q};
use anjian_web::AppState;

use crate::demo_records::{act_as, org_id};

const LEADERS: &str = "刘局长 13905910001\n孙志强 13905910002\n郑副局长 13905910003";
const OFFICERS: &str =
    "周安全员 13805910011\n吴检查 13805910012\n林值班 13805910013\n黄值班 13805910014";

/// Records the demo's duty rosters, duty logs and incident reports. Idempotence is not needed: the demo loads into an empty database.
pub async fn load(state: &AppState) -> Result<(), DbError> {
    let db = &state.db;
    let officer = act_as(db, "officer1").await?;
    let supervisor = act_as(db, "supervisor").await?;
    let unit = org_id(db, "市储备粮管理有限公司").await?;
    let bureau = org_id(db, "某市粮食和物资储备局").await?;
    let today = anjian_domain::time::today(anjian_db::now());

    // The 2023 春节 roster (21–27 January off, 28–29 worked): every holiday has a leader.
    let spring = duty::create_roster(
        db,
        &officer,
        &RosterInput {
            org_id: unit,
            name: "2023年春节期间值班表".into(),
            start_date: "2023-01-20".into(),
            end_date: "2023-01-29".into(),
            leaders: LEADERS.into(),
            officers: OFFICERS.into(),
            officers_per_day: "2".into(),
            note: "严格执行领导带班、24小时值班和事故信息报告制度。".into(),
            ..Default::default()
        },
    )
    .await?;
    duty::publish(db, &officer, spring.id, spring.row_version).await?;

    // The weeks around today, for the home page's "today on duty".
    for (org, ctx, name) in [
        (unit, &officer, "本单位近期值班表"),
        (bureau, &supervisor, "局机关近期值班表"),
    ] {
        let r = duty::create_roster(
            db,
            ctx,
            &RosterInput {
                org_id: org,
                name: name.into(),
                start_date: (today - Days::new(3)).to_string(),
                end_date: (today + Days::new(11)).to_string(),
                leaders: LEADERS.into(),
                officers: OFFICERS.into(),
                ..Default::default()
            },
        )
        .await?;
        duty::publish(db, ctx, r.id, r.row_version).await?;
    }

    // Duty log: a few entries and a handover note of the last days.
    for (days, kind, event, handling, notified) in [
        (
            2,
            "entry",
            "22:00 巡查库区，3号仓温度正常，门窗关闭",
            "无异常",
            "",
        ),
        (
            1,
            "entry",
            "接市应急局通知：明日有强降雨",
            "已通知各库点检查排水沟、仓顶防水",
            "带班领导刘局长",
        ),
        (1, "handover", "交接：强降雨预警期间每2小时巡查一次", "", ""),
    ] {
        let at = anjian_domain::time::to_shanghai(anjian_db::now() - Duration::days(days))
            .format("%Y-%m-%d 20:30")
            .to_string();
        duty::add_log(
            db,
            &officer,
            &LogInput {
                org_id: unit,
                kind: kind.into(),
                logged_at: at,
                event: event.into(),
                handling: handling.into(),
                notified: notified.into(),
            },
        )
        .await?;
    }
    // Zero reports of the 2023 春节 week from the unit.
    for day in 21..=27 {
        duty::zero_report(
            db,
            &officer,
            unit,
            &format!("2023-01-{day}"),
            "当日无安全生产事故和突发事件",
        )
        .await?;
    }

    // A 2023 汛情 (not an accident) reported, followed up and closed.
    let flood = incident::create(
        db,
        &officer,
        &IncidentInput {
            org_id: unit,
            event_kind: "flood".into(),
            title: "城东直属库强降雨致库区积水".into(),
            occurred_at: "2023-06-18 05:40".into(),
            place: "城东直属库库区道路及1号仓周边".into(),
            account: "凌晨持续强降雨，库区道路积水约15厘米，1号仓挡鼠板外侧进水，仓内粮情正常。"
                .into(),
            figures: FiguresInput::default(),
            measures: "启动防汛应急预案，架设水泵排水，沙袋封堵仓门，人员24小时值守。".into(),
            reporter: "周安全员".into(),
            contacts: "13805910011；带班领导刘局长 13905910001".into(),
            ..Default::default()
        },
    )
    .await?;
    let follow = incident::append(
        db,
        &officer,
        flood.id,
        &ReportInput {
            kind: "follow_up".into(),
            content: "积水已排除，1号仓检查无进水，粮温、水分正常。".into(),
            reporter: "周安全员".into(),
            ..Default::default()
        },
        flood.row_version,
    )
    .await?;
    incident::append(
        db,
        &officer,
        flood.id,
        &ReportInput {
            kind: "final".into(),
            content: "汛情处置完毕，无人员伤亡和粮食损失。".into(),
            reporter: "周安全员".into(),
            cause: "短时强降雨超过库区排水能力，排水沟部分淤堵。".into(),
            responsibility: "自然灾害引起；库区排水沟日常清淤不到位，由保管科负责整改。".into(),
            corrective_actions: "清淤排水沟并加装一台固定排水泵；汛期前检查纳入月度安全检查表。"
                .into(),
            ..Default::default()
        },
        follow.row_version,
    )
    .await?;
    // The reports were made in June 2023, on time: give them the times they were made.
    let t0 = incident::parse_instant("2023-06-18 06:10").unwrap_or_else(anjian_db::now);
    db.execute(
        &Q::new("UPDATE incident SET first_reported_at = $1, closed_at = $2, created_at = $1, updated_at = $2 WHERE id = $3")
            .bind(t0)
            .bind(t0 + Duration::hours(30))
            .bind(flood.id),
    )
    .await?;
    for (kind, hours) in [("initial", 0), ("follow_up", 6), ("final", 30)] {
        db.execute(
            &Q::new(
                "UPDATE incident_report SET reported_at = $1 WHERE incident_id = $2 AND kind = $3",
            )
            .bind(t0 + Duration::hours(hours))
            .bind(flood.id)
            .bind(kind),
        )
        .await?;
    }
    Ok(())
}
