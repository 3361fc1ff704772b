//! `anjian-soak`: the mixed-workload load client of bench/soak.sh. N concurrent signed-in
//! sessions, each a closed loop (next request when the last one answered, plus an optional think
//! time), 80 % page reads and 20 % writes by default (work.rs), for a fixed duration. Records every
//! request's latency per route, every error, and the server's RSS every few seconds; prints a
//! JSON summary and exits non-zero on any error or on RSS growth after warm-up at or above the
//! limit.
//!
//!     anjian-soak --base http://127.0.0.1:8080 --accounts accounts.tsv --password P \
//!         --sessions 64 --duration 600 --warmup 120 --pid SERVER_PID --json out.json

mod http;
mod stats;
mod work;

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use chrono::Datelike;
use clap::Parser;
use rand::SeedableRng;
use reqwest::{Method, StatusCode};
use serde_json::json;

use http::Session;
use stats::Stats;
use work::{Account, Kind, Pool, Shared, Worker};

#[derive(Parser, Debug)]
#[command(name = "anjian-soak", about = "混合负载长时间压测客户端")]
struct Args {
    #[arg(long)]
    base: String,
    /// Tab-separated lines: username, API token, organisation id, `bureau` or `unit`.
    #[arg(long)]
    accounts: std::path::PathBuf,
    #[arg(long)]
    password: String,
    #[arg(long, default_value_t = 64)]
    sessions: usize,
    /// Seconds of load.
    #[arg(long, default_value_t = 600)]
    duration: u64,
    /// Seconds after which RSS must be stable (the baseline is the first sample from then on).
    #[arg(long, default_value_t = 120)]
    warmup: u64,
    /// The server's pid, for RSS samples from /proc/PID/status.
    #[arg(long)]
    pid: Option<u32>,
    #[arg(long, default_value_t = 10)]
    rss_every: u64,
    /// Largest RSS growth after warm-up that passes, in percent.
    #[arg(long, default_value_t = 10.0)]
    rss_limit: f64,
    #[arg(long, default_value_t = 20)]
    write_percent: u32,
    /// Pause between a session's requests, in milliseconds (0: a closed loop at full speed).
    #[arg(long, default_value_t = 0)]
    think_ms: u64,
    /// A request slower than this is an error.
    #[arg(long, default_value_t = 60)]
    timeout: u64,
    /// Appends "unix-ms<TAB>table<TAB>id" for every acknowledged creation.
    #[arg(long)]
    created_log: Option<std::path::PathBuf>,
    /// Writes the summary here (also printed).
    #[arg(long)]
    json: Option<std::path::PathBuf>,
    #[arg(long, default_value_t = 20_261_130)]
    seed: u64,
}

/// A small PNG, different for every `n` (so evidence files are distinct objects in the store).
pub fn photo(n: u64) -> Vec<u8> {
    let img = image::RgbImage::from_fn(16, 16, |x, y| {
        image::Rgb([
            (n & 0xff) as u8,
            ((n >> 8) & 0xff) as u8 ^ (x as u8 * 16),
            (y as u8) * 16,
        ])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("encoding a PNG in memory");
    out.into_inner()
}

fn read_accounts(path: &std::path::Path) -> Result<Vec<Account>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() != 4 {
            bail!(
                "{}:{}: expected 4 tab-separated fields",
                path.display(),
                i + 1
            );
        }
        out.push(Account {
            username: f[0].to_string(),
            token: f[1].to_string(),
            org_id: f[2].parse().context("organisation id")?,
            kind: match f[3] {
                "bureau" => Kind::Bureau,
                "unit" => Kind::Unit,
                k => bail!("unknown account kind {k:?}"),
            },
        });
    }
    if !out.iter().any(|a| a.kind == Kind::Bureau) || !out.iter().any(|a| a.kind == Kind::Unit) {
        bail!("the soak needs at least one bureau and one unit account");
    }
    Ok(out)
}

/// Detail-page ids in the account's own scope, from the first pages of the list APIs.
async fn pool_for(s: &Session, st: &Stats) -> Result<Pool> {
    let mut p = Pool::default();
    let get = |path: String| async move {
        let a = s
            .api(st, "setup", Method::GET, &path, None, StatusCode::OK)
            .await
            .with_context(|| format!("GET {path}"))?;
        a.json()
    };
    for page in 1..=3 {
        p.hazards.extend(work::ids_of(
            &get(format!("/api/v1/hazards?page={page}&page_size=100")).await?,
        ));
    }
    p.risks = work::ids_of(&get("/api/v1/risks?page_size=100".into()).await?);
    for kind in ["funding", "training", "drill"] {
        p.entries.extend(work::ids_of(
            &get(format!("/api/v1/ledgers/entries?kind={kind}&page_size=50")).await?,
        ));
    }
    let orgs = get("/api/v1/orgs?page_size=100".into()).await?;
    p.units = orgs["items"]
        .as_array()
        .map(|v| {
            v.iter()
                .filter(|o| o["kind"] == "unit")
                .filter_map(|o| o["id"].as_i64())
                .collect()
        })
        .unwrap_or_default();
    Ok(p)
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let accounts = read_accounts(&args.accounts)?;
    let client = http::client(Duration::from_secs(args.timeout), args.sessions)?;
    let setup_stats = Stats::default();

    // Pools once per account (through its token), then one signed-in session per worker:
    // a quarter of the sessions are the bureau, the rest spread over the unit accounts.
    let mut pools = Vec::new();
    for a in &accounts {
        let s = Session::new(client.clone(), &args.base, &a.token);
        let pool = pool_for(&s, &setup_stats).await.map_err(|e| {
            anyhow::anyhow!(
                "reading ids for {}: {e}: {}",
                a.username,
                setup_stats.summary(1.0)["error_messages"]
            )
        })?;
        pools.push(pool);
    }
    let bureau: Vec<usize> = (0..accounts.len())
        .filter(|i| accounts[*i].kind == Kind::Bureau)
        .collect();
    let units: Vec<usize> = (0..accounts.len())
        .filter(|i| accounts[*i].kind == Kind::Unit)
        .collect();
    let now = chrono::Utc::now() + chrono::Duration::hours(8);
    let report_period = format!("{}", now.year() - 1);
    let shared = Arc::new(Shared {
        to_verify: Default::default(),
        created: std::sync::Mutex::new(match &args.created_log {
            Some(p) => Some(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(p)
                    .with_context(|| format!("opening {}", p.display()))?,
            ),
            None => None,
        }),
        png_counter: Default::default(),
    });
    let stats = Arc::new(Stats::default());
    let mut workers = Vec::new();
    // Sign-ins one after another: each hashes a password (argon2id, 19 MiB), which is not the
    // load being measured.
    for i in 0..args.sessions {
        let idx = if i % 4 == 0 {
            bureau[(i / 4) % bureau.len()]
        } else {
            units[(i - i / 4 - 1) % units.len()]
        };
        let a = accounts[idx].clone();
        let mut s = Session::new(client.clone(), &args.base, &a.token);
        s.login(&a.username, &args.password).await?;
        workers.push(Worker::new(
            s,
            a,
            pools[idx].clone(),
            shared.clone(),
            stats.clone(),
            rand::rngs::StdRng::seed_from_u64(args.seed ^ (i as u64) << 8),
            args.write_percent,
            report_period.clone(),
        ));
    }
    eprintln!(
        "soak: {} sessions ({} bureau, {} unit) for {} s",
        workers.len(),
        workers
            .iter()
            .filter(|w| w.account.kind == Kind::Bureau)
            .count(),
        workers
            .iter()
            .filter(|w| w.account.kind == Kind::Unit)
            .count(),
        args.duration
    );

    let start = Instant::now();
    let until = start + Duration::from_secs(args.duration);
    let rss = args.pid.map(|pid| {
        tokio::spawn(stats::sample_rss(
            pid,
            start,
            Duration::from_secs(args.rss_every),
            until,
        ))
    });
    let progress = {
        let stats = stats.clone();
        tokio::spawn(async move {
            let mut last = 0;
            while Instant::now() + Duration::from_secs(30) <= until {
                tokio::time::sleep(Duration::from_secs(30)).await;
                let n = stats.requests();
                eprintln!(
                    "soak: {:>4.0} s, {} requests ({:.0}/s), {} errors",
                    start.elapsed().as_secs_f64(),
                    n,
                    (n - last) as f64 / 30.0,
                    stats.errors()
                );
                last = n;
            }
        })
    };
    let think = Duration::from_millis(args.think_ms);
    let mut handles = Vec::new();
    for mut w in workers {
        handles.push(tokio::spawn(async move {
            while Instant::now() < until {
                w.step().await;
                if !think.is_zero() {
                    tokio::time::sleep(think).await;
                }
            }
        }));
    }
    for h in handles {
        h.await?;
    }
    let seconds = start.elapsed().as_secs_f64();
    progress.abort();
    let samples = match rss {
        Some(h) => h.await?,
        None => Vec::new(),
    };

    let mut summary = stats.summary(seconds);
    let growth = stats::rss_growth(&samples, args.warmup as f64);
    summary["sessions"] = json!(args.sessions);
    summary["rss_kib"] = json!(samples);
    summary["rss_warmup_s"] = json!(args.warmup);
    summary["rss"] = match growth {
        Some((base, max, last, g)) => json!({"baseline_kib": base, "max_kib": max,
            "end_kib": last, "growth": g, "limit": args.rss_limit / 100.0}),
        None => json!(null),
    };
    summary["left_to_verify"] = json!(shared.to_verify.lock().expect("queue lock").len());
    let text = serde_json::to_string_pretty(&summary)?;
    if let Some(p) = &args.json {
        std::fs::write(p, &text).with_context(|| format!("writing {}", p.display()))?;
    }
    println!("{text}");

    let errors = stats.errors();
    let mut failed = Vec::new();
    if errors > 0 {
        failed.push(format!("{errors} requests failed"));
    }
    match growth {
        Some((_, _, _, g)) if g * 100.0 >= args.rss_limit => failed.push(format!(
            "RSS grew {:.1} % after warm-up (limit {} %)",
            g * 100.0,
            args.rss_limit
        )),
        None if args.pid.is_some() => eprintln!(
            "soak: too few RSS samples after the {} s warm-up to judge growth",
            args.warmup
        ),
        _ => {}
    }
    if !failed.is_empty() {
        bail!("soak failed: {}", failed.join("; "));
    }
    Ok(())
}
