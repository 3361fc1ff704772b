//! A hazard import workbook for the import benchmark. The columns follow the application's own
//! template when one is given (`--xlsx-template`, downloaded from the running server), matched by
//! keywords in the header text, so a renamed column still gets the right values; without a
//! template a default header is used.

use std::path::Path;

use anjian_db::{Db, Q};
use anyhow::{Context, Result};
use calamine::Reader;
use chrono::Duration;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::vocab::{self, pick};
use crate::world::World;

const DEFAULT_HEADER: &[&str] = &[
    "组织（编号或名称）",
    "隐患部位",
    "隐患描述",
    "隐患类别",
    "隐患等级（一般/重大）",
    "重大隐患判定依据",
    "发现日期",
    "发现人",
    "整改期限",
];

/// The header row of the first sheet of a template workbook.
pub fn template_header(path: &Path) -> Result<Vec<String>> {
    let mut wb = calamine::open_workbook_auto(path)
        .with_context(|| format!("reading the template {}", path.display()))?;
    let range = wb
        .worksheet_range_at(0)
        .context("the template has no worksheet")??;
    let header: Vec<String> = range
        .rows()
        .next()
        .context("the template has no header row")?
        .iter()
        .map(|c| c.to_string().trim().to_string())
        .collect();
    Ok(header)
}

#[derive(Clone, Copy)]
enum Col {
    Org,
    Location,
    Description,
    Category,
    Grade,
    Criterion,
    FoundOn,
    FoundBy,
    Deadline,
    Unknown,
}

fn classify(h: &str) -> Col {
    // Order matters: 判定 before 等级 (both mention 重大), 发现日期 before 发现人.
    if h.contains("组织") || h.contains("单位") || h.contains("库点") {
        Col::Org
    } else if h.contains("判定") || h.contains("依据") || h.contains("标准") {
        Col::Criterion
    } else if h.contains("等级") || h.contains("级别") {
        Col::Grade
    } else if h.contains("部位") || h.contains("位置") || h.contains("地点") {
        Col::Location
    } else if h.contains("描述") || h.contains("内容") {
        Col::Description
    } else if h.contains("类别") || h.contains("类型") {
        Col::Category
    } else if h.contains("发现") && (h.contains("日期") || h.contains("时间")) {
        Col::FoundOn
    } else if h.contains("发现人") || h.contains("检查人") {
        Col::FoundBy
    } else if h.contains("期限") {
        Col::Deadline
    } else {
        Col::Unknown
    }
}

pub async fn write(
    db: &Db,
    world: &World,
    out: &Path,
    rows: usize,
    template: Option<&Path>,
    seed: u64,
) -> Result<()> {
    let header: Vec<String> = match template {
        Some(t) => template_header(t)?,
        None => DEFAULT_HEADER.iter().map(|s| s.to_string()).collect(),
    };
    let names: Vec<(i64, String)> = db
        .fetch_all(&Q::new("SELECT id, name FROM org WHERE kind <> $1").bind("bureau"))
        .await?;
    let by_id: std::collections::HashMap<i64, String> = names.into_iter().collect();
    let cols: Vec<Col> = header.iter().map(|h| classify(h)).collect();
    let mut rng = StdRng::seed_from_u64(seed ^ 0x04);
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, h)?;
    }
    for r in 0..rows {
        let org = world.pick_org(&mut rng).id;
        let (category, problems) = pick(&mut rng, vocab::HAZARDS);
        let location = pick(&mut rng, vocab::LOCATIONS);
        let found = world.date_between(&mut rng, world.today - Duration::days(30), world.today);
        let deadline = world.today + Duration::days(rng.gen_range(7..=60));
        for (c, col) in cols.iter().enumerate() {
            let text = match col {
                Col::Org if header[c].contains("编号") => org.to_string(),
                Col::Org => by_id.get(&org).cloned().unwrap_or_else(|| org.to_string()),
                Col::Location => location.to_string(),
                Col::Description => format!("{location}{}（导入）", pick(&mut rng, problems)),
                Col::Category => category.to_string(),
                Col::Grade => "一般".to_string(),
                Col::Criterion => String::new(),
                Col::FoundOn => found.format("%Y-%m-%d").to_string(),
                Col::FoundBy => vocab::person(&mut rng),
                Col::Deadline => deadline.format("%Y-%m-%d").to_string(),
                Col::Unknown => String::new(),
            };
            if !text.is_empty() {
                ws.write_string(r as u32 + 1, c as u16, &text)?;
            }
        }
    }
    wb.save(out)
        .with_context(|| format!("writing {}", out.display()))?;
    println!("xlsx: {rows} rows, columns {}", header.join(" | "));
    Ok(())
}
