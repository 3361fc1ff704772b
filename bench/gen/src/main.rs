//! `anjian-gen`: builds the province-scale benchmark dataset that every bench shares, directly in
//! the database (SQLite file or PostgreSQL), fast enough for millions of rows.
//!
//!     anjian-gen --database sqlite:///tmp/b/anjian.db [--orgs 2000 --inspections 200000
//!                --hazards 1000000 --risks 200000 --ledgers 1000000]
//!                [--stages orgs,checklists,campaigns,inspections,hazards,risks,ledgers]
//!
//! One stage per table family, each reading what it needs back from the database, so a later
//! table family is one more stage and any stage can be re-run on its own. The data is generated,
//! not entered: no audit_log rows are written for it (only the bench accounts are created through
//! the application and audited, so `anjian audit verify` holds). Deterministic for a given --seed
//! and --today (only instants on the --today day itself are capped by the clock so none lies in
//! the future). The big stages load with their tables' secondary indexes and full-text triggers
//! dropped and created again at the end (`bulk`).

mod base;
mod bulk;
mod hazards;
mod inspections;
mod ledgers;
mod risks;
mod sink;
mod vocab;
mod world;
mod xlsx;

use std::sync::Arc;
use std::time::Instant;

use anjian_db::{migrate, Db, Q};
use anyhow::{bail, Context, Result};
use chrono::NaiveDate;
use clap::Parser;

const STAGES: &[&str] = &[
    "orgs",
    "checklists",
    "campaigns",
    "inspections",
    "hazards",
    "risks",
    "ledgers",
];

/// The tables each big stage fills: loaded with their secondary indexes dropped (`bulk`).
const BULK_TABLES: &[(&str, &[&str])] = &[
    ("inspections", &["inspection", "inspection_item"]),
    (
        "hazards",
        &[
            "hazard",
            "hazard_event",
            "hazard_major",
            "hazard_listing",
            "hazard_extension",
        ],
    ),
    (
        "risks",
        &["risk_point", "risk", "risk_version", "risk_measure"],
    ),
    (
        "ledgers",
        &["ledger_entry", "ledger_item", "ledger_attendee"],
    ),
];

#[derive(Parser, Debug)]
#[command(name = "anjian-gen", about = "生成压测数据集（组织、检查、隐患…）")]
struct Args {
    /// sqlite://path/file.db or postgres://…
    #[arg(long, env = "ANJIAN_DATABASE_URL")]
    database: String,
    /// Organisations in all: one bureau, 3 % units, the rest sites.
    #[arg(long, default_value_t = 2000)]
    orgs: usize,
    #[arg(long, default_value_t = 200_000)]
    inspections: usize,
    #[arg(long, default_value_t = 1_000_000)]
    hazards: usize,
    /// Risks (with ~1 risk point per 4 risks, their assessment versions and control measures).
    #[arg(long, default_value_t = 200_000)]
    risks: usize,
    /// Safety work ledger entries (all six ledgers together).
    #[arg(long, default_value_t = 1_000_000)]
    ledgers: usize,
    /// Comma-separated stages to run, in this order: orgs,checklists,campaigns,inspections,hazards,
    /// risks,ledgers (default: all of them, the shared province-scale dataset).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "orgs,checklists,campaigns,inspections,hazards,risks,ledgers"
    )]
    stages: Vec<String>,
    #[arg(long, default_value_t = 20_261_129)]
    seed: u64,
    /// The business day the data ends on (default: today in Asia/Shanghai). Open and overdue
    /// hazards are relative to it.
    #[arg(long)]
    today: Option<NaiveDate>,
    /// The account the bench scripts sign in with (a bureau supervisor at the root).
    #[arg(long, default_value = "bench")]
    username: String,
    #[arg(long, default_value = "Ya-Ce-2026!")]
    password: String,
    /// Also this many unit heads `<username>_u1…` (one per unit, same password) for benches that
    /// act as units (rectification needs a unit account; the soak uses them).
    #[arg(long, default_value_t = 8)]
    unit_accounts: usize,
    /// Keep every index and trigger in place during the load (row-by-row maintenance, several
    /// times slower) instead of creating them once at the end.
    #[arg(long)]
    keep_indexes: bool,
    /// Also run ANALYZE on SQLite (PostgreSQL is always vacuumed and analysed, as autovacuum
    /// would do).
    #[arg(long)]
    sqlite_analyze: bool,
    /// PostgreSQL: keep the per-row foreign-key triggers during the load (3× slower) instead of
    /// one anti-join check per foreign key afterwards.
    #[arg(long)]
    pg_row_fk: bool,
    /// Instead of generating, write a hazard import workbook of --xlsx-rows rows to this file
    /// (organisations by name from the database) and exit.
    #[arg(long)]
    xlsx: Option<std::path::PathBuf>,
    #[arg(long, default_value_t = 10_000)]
    xlsx_rows: usize,
    /// The application's import template (its header row gives the columns to fill).
    #[arg(long)]
    xlsx_template: Option<std::path::PathBuf>,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    for s in &args.stages {
        if !STAGES.contains(&s.as_str()) {
            bail!("unknown stage {s:?}; stages are {}", STAGES.join(","));
        }
    }
    let today = args
        .today
        .unwrap_or_else(|| anjian_domain::time::today(anjian_db::now()));
    let started = Instant::now();
    let db = Db::connect(&args.database)
        .await
        .with_context(|| format!("connecting to {}", args.database))?;
    if let Some(path) = &args.xlsx {
        let world = world::World::load(&db, today, args.seed).await?;
        return xlsx::write(
            &db,
            &world,
            path,
            args.xlsx_rows,
            args.xlsx_template.as_deref(),
            args.seed,
        )
        .await;
    }
    let applied = migrate::migrate(&db).await?;
    if !applied.is_empty() {
        println!("migrations: {}", applied.join(", "));
    }
    // Indexes a previous run dropped and did not live to create again come back first.
    let restored = bulk::restore(&db).await?;
    if restored > 0 {
        println!("restored {restored} indexes/triggers left deferred by an interrupted run");
    }
    let mut sqlite_restore = None;
    if let Db::Sqlite { write, .. } = &db {
        // Bulk-load settings for the one writer connection of this process only (the database
        // file keeps WAL mode; a crash mid-generation means generating again), put back as they
        // were when the load is done.
        let mut old = Vec::new();
        for p in [
            "synchronous",
            "cache_size",
            "temp_store",
            "mmap_size",
            "threads",
        ] {
            let (v,): (i64,) = sqlx::query_as(&format!("PRAGMA {p}"))
                .fetch_one(write)
                .await?;
            old.push(format!("PRAGMA {p} = {v}"));
        }
        sqlite_restore = Some(old.join("; "));
        // The index builds at the end each scan a whole table: a 1 GiB cache and a memory map
        // keep the 1 GB of hazards in memory between them (with 256 MiB and read() each hazard
        // index took 12–15 s), and the sorter may use a second thread.
        sqlx::raw_sql(
            "PRAGMA synchronous = OFF; PRAGMA cache_size = -1048576; PRAGMA temp_store = MEMORY; \
             PRAGMA mmap_size = 8589934592; PRAGMA threads = 2",
        )
        .execute(write)
        .await?;
    }
    if let Db::Postgres(p) = &db {
        let (superuser,): (bool,) =
            sqlx::query_as("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                .fetch_one(p)
                .await?;
        sink::PG_DEFER_FK.store(
            superuser && !args.pg_row_fk,
            std::sync::atomic::Ordering::Relaxed,
        );
    }
    let now = world::now_for(today);
    let run = |s: &str| args.stages.iter().any(|x| x == s);
    let mut timings = Vec::new();

    let t = Instant::now();
    if run("orgs") {
        base::orgs(&db, args.orgs, args.seed, today).await?;
        timings.push(("orgs", t.elapsed()));
    }
    let world = world::World::load(&db, today, args.seed).await?;
    if run("checklists") {
        let t = Instant::now();
        base::checklists(&db, now).await?;
        timings.push(("checklists", t.elapsed()));
    }
    if run("campaigns") {
        let t = Instant::now();
        base::campaigns(&db, world.bureau_id, now).await?;
        timings.push(("campaigns", t.elapsed()));
    }
    // Later stages see the checklists and campaigns just written.
    let world = Arc::new(world::World::load(&db, today, args.seed).await?);
    let bulk_tables: Vec<&str> = BULK_TABLES
        .iter()
        .filter(|(stage, _)| run(stage))
        .flat_map(|(_, tables)| tables.iter().copied())
        .collect();
    if !args.keep_indexes && !bulk_tables.is_empty() {
        let t = Instant::now();
        let n = bulk::defer(&db, &bulk_tables).await?;
        println!(
            "deferred {n} indexes/triggers of {}",
            bulk_tables.join(", ")
        );
        timings.push(("drop indexes", t.elapsed()));
    }
    if run("inspections") {
        let t = Instant::now();
        inspections::inspections(&db, world.clone(), args.inspections, args.seed).await?;
        timings.push(("inspections", t.elapsed()));
    }
    if run("hazards") {
        let t = Instant::now();
        hazards::hazards(&db, world.clone(), args.hazards, args.seed).await?;
        timings.push(("hazards", t.elapsed()));
    }
    if run("risks") {
        let t = Instant::now();
        risks::risks(&db, world.clone(), args.risks, args.seed).await?;
        timings.push(("risks", t.elapsed()));
    }
    if run("ledgers") {
        let t = Instant::now();
        ledgers::ledgers(&db, world.clone(), args.ledgers, args.seed).await?;
        timings.push(("ledgers", t.elapsed()));
    }
    let t = Instant::now();
    if bulk::restore(&db).await? > 0 {
        timings.push(("create indexes, rebuild search", t.elapsed()));
    }
    if let (Some(sql), Db::Sqlite { write, .. }) = (&sqlite_restore, &db) {
        sqlx::raw_sql(sql).execute(write).await?;
    }
    base::bench_account(&db, &world, &args.username, &args.password).await?;
    base::unit_accounts(
        &db,
        &world,
        &args.username,
        &args.password,
        args.unit_accounts,
    )
    .await?;
    if sink::PG_DEFER_FK.load(std::sync::atomic::Ordering::Relaxed) {
        let t = Instant::now();
        sink::check_references(&db).await?;
        timings.push(("reference check", t.elapsed()));
    }

    let t = Instant::now();
    finish(&db, args.sqlite_analyze).await?;
    timings.push(("vacuum/analyze/checkpoint", t.elapsed()));
    for (stage, d) in &timings {
        println!("time {stage}: {:.1} s", d.as_secs_f64());
    }
    println!("time total: {:.1} s", started.elapsed().as_secs_f64());
    println!("database size: {}", size(&db).await?);
    db.close().await;
    Ok(())
}

/// Statistics for the planner, and on SQLite the WAL folded back into the database file so its
/// size is the dataset's size.
async fn finish(db: &Db, sqlite_analyze: bool) -> Result<()> {
    match db {
        Db::Sqlite { write, .. } => {
            if sqlite_analyze {
                sqlx::query("ANALYZE").execute(write).await?;
            }
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(write)
                .await?;
        }
        Db::Postgres(p) => {
            // VACUUM as well: autovacuum would set the visibility map soon after a load like
            // this, and without it the counts cannot use index-only scans (measured: the overdue
            // count 220 ms unvacuumed, 1.5 ms vacuumed).
            sqlx::query("VACUUM ANALYZE").execute(p).await?;
        }
    }
    Ok(())
}

async fn size(db: &Db) -> Result<String> {
    Ok(match db {
        Db::Sqlite { path, .. } => {
            let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
            format!("{:.0} MiB ({})", bytes as f64 / 1048576.0, path.display())
        }
        Db::Postgres(_) => {
            let (s,): (String,) = db
                .fetch_one(&Q::new(
                    "SELECT pg_size_pretty(pg_database_size(current_database()))",
                ))
                .await?;
            s
        }
    })
}
