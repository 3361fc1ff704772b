//! Demo inspections and hazards, recorded the way users record them: through the repository
//! functions, each acting as the demo account that would do it (so the audit trail, the timeline
//! and the verifier-is-not-the-rectifier rule hold), with real photos in the attachment store.
//! Dates are relative to today so the to-do lists show something due, overdue and waiting.

use chrono::{Days, NaiveDate};

use anjian_db::ctx::UserCtx;
use anjian_db::hazard::{self, AssignInput, HazardInput, SubmitInput, VerifyInput};
use anjian_db::inspection::{self, InspectionInput, ItemInput};
use anjian_db::user::UserRow;
use anjian_db::{Ctx, Db, DbError, Q};
use anjian_domain::role::Role;
use anjian_web::attachment::sniff;
use anjian_web::AppState;

/// Acts as a demo account: the same context a signed-in request of that user gets.
pub(crate) async fn act_as(db: &Db, username: &str) -> Result<Ctx, DbError> {
    let u: UserRow = anjian_db::user::find(db, &Ctx::system("demo"), username).await?;
    let role =
        Role::from_code(&u.role).ok_or_else(|| DbError::Other(format!("未知角色 {}", u.role)))?;
    Ok(Ctx::user(
        UserCtx {
            id: u.id,
            username: u.username,
            name: u.name,
            role,
            org_id: u.org_id,
            scope_path: u.org_path,
        },
        "demo",
    ))
}

pub(crate) async fn org_id(db: &Db, name: &str) -> Result<i64, DbError> {
    Ok(anjian_db::org::find(db, &Ctx::system("demo"), name)
        .await?
        .id)
}

pub(crate) async fn checklist(db: &Db, name_part: &str) -> Result<(i64, Vec<i64>), DbError> {
    let (id,): (i64,) = db
        .fetch_one(
            &Q::new(
                "SELECT id FROM checklist WHERE builtin = $1 AND name LIKE $2 ORDER BY id LIMIT 1",
            )
            .bind(true)
            .bind(format!("%{name_part}%")),
        )
        .await?;
    let items: Vec<(i64,)> = db
        .fetch_all(
            &Q::new("SELECT id FROM checklist_item WHERE checklist_id = $1 AND active = $2 ORDER BY position")
                .bind(id)
                .bind(true),
        )
        .await?;
    Ok((id, items.into_iter().map(|(i,)| i).collect()))
}

/// A small photo-like PNG (a coloured gradient), so thumbnails and downloads work in the demo.
fn photo(seed: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(160, 120, |x, y| {
        image::Rgb([
            (x as u8).wrapping_add(seed),
            (y as u8).wrapping_mul(2),
            180u8.wrapping_sub(seed),
        ])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    // Encoding an in-memory RGB image cannot fail short of allocation failure.
    let _ = img.write_to(&mut out, image::ImageFormat::Png);
    out.into_inner()
}

pub(crate) async fn upload(
    state: &AppState,
    ctx: &Ctx,
    org: i64,
    name: &str,
    seed: u8,
) -> Result<i64, DbError> {
    let bytes = photo(seed);
    let kind =
        sniff::sniff(&bytes, name).ok_or_else(|| DbError::Other("演示照片格式不正确".into()))?;
    anjian_web::attachment::save(state, ctx, org, name.to_string(), bytes, kind)
        .await
        .map(|a| a.id)
        .map_err(|e| DbError::Other(format!("演示照片保存失败：{e:?}")))
}

fn day(today: NaiveDate, back: u64) -> String {
    today
        .checked_sub_days(Days::new(back))
        .unwrap_or(today)
        .to_string()
}

fn ahead(today: NaiveDate, days: u64) -> String {
    today
        .checked_add_days(Days::new(days))
        .unwrap_or(today)
        .to_string()
}

/// A failed item's hazard as the inspector enters it on the spot.
fn failed(description: &str, location: &str, deadline: String) -> Option<HazardInput> {
    Some(HazardInput {
        description: description.into(),
        location: location.into(),
        deadline,
        ..Default::default()
    })
}

/// Results for a checklist: every item 合格 except the given (index, hazard) pairs.
fn results(items: &[i64], fails: Vec<(usize, Option<HazardInput>)>) -> Vec<ItemInput> {
    items
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let fail = fails.iter().find(|(k, _)| *k == i);
            ItemInput {
                checklist_item_id: Some(*id),
                result: if fail.is_some() { "fail" } else { "pass" }.into(),
                note: String::new(),
                risk_point_id: None,
                hazard: fail.and_then(|(_, h)| h.clone()),
            }
        })
        .collect()
}

async fn hazard_of(db: &Db, inspection_id: i64) -> Result<Vec<(i64, i64)>, DbError> {
    db.fetch_all(
        &Q::new("SELECT id, row_version FROM hazard WHERE inspection_id = $1 ORDER BY id")
            .bind(inspection_id),
    )
    .await
}

pub(crate) async fn version(db: &Db, id: i64) -> Result<i64, DbError> {
    let (v,): (i64,) = db
        .fetch_one(&Q::new("SELECT row_version FROM hazard WHERE id = $1").bind(id))
        .await?;
    Ok(v)
}

/// Records the demo's inspections and hazards. Expects the organisations and accounts of
/// `demo::load` and the built-in checklist library.
pub async fn load(state: &AppState) -> Result<(), DbError> {
    let db = &state.db;
    let today = hazard::today();
    let inspector = act_as(db, "inspector1").await?;
    let officer = act_as(db, "officer1").await?;
    let supervisor = act_as(db, "supervisor").await?;
    let depot = org_id(db, "城东直属库").await?;
    let north = org_id(db, "北郊储备库").await?;
    let centre = org_id(db, "市粮食收储中心").await?;
    let (fire, fire_items) = checklist(db, "消防").await?;
    let (power, power_items) = checklist(db, "用电").await?;

    // 1. The unit's fire self-check three weeks ago: two hazards.
    let first = inspection::create(
        db,
        &inspector,
        &InspectionInput {
            org_id: Some(depot),
            kind: "self_check".into(),
            inspected_on: day(today, 21),
            inspectors: "吴检查、周安全员".into(),
            checklist_id: Some(fire),
            summary: "对城东直属库仓储区、办公区开展消防安全自查。".into(),
            items: results(
                &fire_items,
                vec![
                    (
                        1,
                        failed(
                            "3号仓东侧消防通道堆放托盘和苫布，通道宽度不足",
                            "3号仓东侧通道",
                            day(today, 7),
                        ),
                    ),
                    (
                        3,
                        failed(
                            "门卫室旁电动自行车集中充电，未设置独立充电区域",
                            "门卫室北侧",
                            ahead(today, 2),
                        ),
                    ),
                ],
            ),
            ..Default::default()
        },
    )
    .await?;
    let hz = hazard_of(db, first).await?;
    if let [(channel, _), (ebike, _)] = hz[..] {
        // The channel hazard: rectified with a photo and verified by the bureau — closed.
        hazard::assign(
            db,
            &officer,
            channel,
            &AssignInput {
                row_version: version(db, channel).await?,
                owner: "周安全员".into(),
                measures: "清理通道堆放物，施划禁止占用标线".into(),
                funds: "800.00".into(),
            },
        )
        .await?;
        let after = upload(state, &officer, depot, "通道清理后.png", 40).await?;
        hazard::submit_rectification(
            db,
            &officer,
            channel,
            &SubmitInput {
                row_version: version(db, channel).await?,
                rectified_on: day(today, 12),
                note: "已清理完毕并施划标线".into(),
                after_attachment_ids: vec![after],
            },
        )
        .await?;
        hazard::verify(
            db,
            &supervisor,
            channel,
            &VerifyInput {
                row_version: version(db, channel).await?,
                verified_on: day(today, 10),
                note: "现场复查，通道畅通".into(),
            },
        )
        .await?;
        // The e-bike hazard: organised, due in two days.
        hazard::assign(
            db,
            &officer,
            ebike,
            &AssignInput {
                row_version: version(db, ebike).await?,
                owner: "孙主任".into(),
                measures: "在院内东北角建设集中充电棚，配置灭火器".into(),
                funds: "12000.00".into(),
            },
        )
        .await?;
    }

    // 2. A supervision visit to the 收储中心 two weeks ago: an electrical hazard, overdue.
    let before = upload(state, &supervisor, centre, "配电箱.png", 90).await?;
    inspection::create(
        db,
        &supervisor,
        &InspectionInput {
            org_id: Some(centre),
            kind: "supervision".into(),
            inspected_on: day(today, 14),
            inspectors: "陈监管".into(),
            checklist_id: Some(power),
            summary: "局安全生产科对市粮食收储中心开展用电安全督查。".into(),
            items: results(
                &power_items,
                vec![(
                    0,
                    failed(
                        "配电箱箱门缺失，线路裸露，未张贴警示标识",
                        "办公楼一层配电间",
                        day(today, 3),
                    ),
                )],
            ),
            attachment_ids: vec![before],
            ..Default::default()
        },
    )
    .await?;

    // 3. A hazard registered directly at 北郊储备库, waiting for 五落实.
    hazard::create(
        db,
        &inspector,
        &HazardInput {
            org_id: Some(north),
            location: "2号平房仓挡粮门".into(),
            description: "挡粮门插板变形，出粮时存在坍塌风险".into(),
            category: "进出仓作业".into(),
            grade: "general".into(),
            found_on: day(today, 2),
            found_by: "吴检查".into(),
            deadline: ahead(today, 12),
            ..Default::default()
        },
    )
    .await?;
    Ok(())
}
