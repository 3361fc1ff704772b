//! `anjian serve`: the demo or first-start accounts, the listener, the daily jobs, shutdown.

use std::io::Write;
use std::process::ExitCode;

use anjian_db::org;
use anjian_db::user::{self, UserInput};
use anjian_db::{Ctx, Db};
use anjian_domain::role::Role;

use crate::cli::err;
use crate::config::Config;
use crate::{demo, open_db};

pub(crate) fn print_accounts(accounts: &[(&demo::DemoAccount, String)]) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "演示账号（密码随机生成，仅本次显示）：");
    for (a, p) in accounts {
        let label = Role::from_code(a.role).map(Role::label).unwrap_or("");
        let _ = writeln!(out, "  账号 {:<12}  密码 {p}  角色 {label}", a.username);
    }
    let _ = out.flush();
}

/// Creates the first administrator on a new, non-demo database: a random password printed
/// once, to be changed at first login.
async fn first_start(db: &Db) -> anyhow::Result<()> {
    if org::count_all(db).await.map_err(err)? > 0 || user::count_all(db).await.map_err(err)? > 0 {
        return Ok(());
    }
    let ctx = Ctx::system("first-start");
    let root = org::create(
        db,
        &ctx,
        &org::OrgInput {
            kind: "bureau".into(),
            name: "粮食和物资储备局（请修改名称）".into(),
            ..Default::default()
        },
    )
    .await
    .map_err(err)?;
    let input = UserInput {
        username: "admin".into(),
        name: "系统管理员".into(),
        org_id: root.id,
        role: "system_admin".into(),
        phone: String::new(),
    };
    let created = user::create(db, &ctx, &input, None, true)
        .await
        .map_err(err)?;
    let sec = UserInput {
        username: "security".into(),
        name: "安全管理员".into(),
        org_id: root.id,
        role: "security_admin".into(),
        phone: String::new(),
    };
    let created_sec = user::create(db, &ctx, &sec, None, true)
        .await
        .map_err(err)?;
    let aud = UserInput {
        username: "auditor".into(),
        name: "审计管理员".into(),
        org_id: root.id,
        role: "audit_admin".into(),
        phone: String::new(),
    };
    let created_aud = user::create(db, &ctx, &aud, None, true)
        .await
        .map_err(err)?;
    // This year's recurring campaigns and key periods (安全生产月, 春节, …) as editable records.
    let year = chrono::Datelike::year(&anjian_domain::time::today(anjian_db::now()));
    anjian_db::campaign::seed_defaults(db, &ctx, root.id, year)
        .await
        .map_err(err)?;
    println!("首次启动：已创建三员管理账号（密码随机生成，仅本次显示，首次登录后须修改）：");
    for c in [&created, &created_sec, &created_aud] {
        println!(
            "  账号 {:<12}  密码 {}  角色 {}",
            c.user.username,
            c.generated_password.clone().unwrap_or_default(),
            c.user.role_label()
        );
    }
    Ok(())
}

pub(crate) async fn serve(cfg: Config, with_demo: bool) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    if with_demo {
        let accounts = seed_demo(&cfg).await?;
        print_accounts(&accounts);
        serve_from_fresh_image();
    }
    let db = open_db(&cfg.database_url).await?;
    let state =
        anjian_web::AppState::new(db.clone(), &cfg.web()).map_err(|e| anyhow::anyhow!(e))?;
    if !with_demo {
        first_start(&db).await?;
    }
    // Said before the address, where whoever starts the server reads what it prints.
    for w in db.server_warnings().await.map_err(err)? {
        println!("警告：{w}");
        tracing::warn!(warning = %w, "database server setting");
    }
    let app = anjian_web::app(state);
    let scheduler = tokio::spawn(daily_jobs(db.clone()));
    let listener = tokio::net::TcpListener::bind(&cfg.listen)
        .await
        .map_err(|e| anyhow::anyhow!("无法监听 {}：{e}", cfg.listen))?;
    let addr = listener.local_addr()?;
    println!("anjian 已启动：http://{addr}/");
    println!("请用浏览器打开上述地址，使用上面的账号登录。按 Ctrl+C 停止。");
    let _ = std::io::stdout().flush();
    tracing::info!(%addr, database = %redact(&cfg.database_url), startup_ms = started.elapsed().as_millis() as u64, "listening");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    tracing::info!("shutting down");
    scheduler.abort();
    db.close().await;
    Ok(ExitCode::SUCCESS)
}

/// Loads the demo (or renews its passwords) through connections of its own, closed before the
/// server opens the ones it serves with. Seeding a year of records fills those connections' page
/// caches and statement caches and the heaps of their threads; kept, that was ~10 MiB of the idle
/// server's memory (docs/benchmarks.md), paid for a one-off load.
async fn seed_demo(cfg: &Config) -> anyhow::Result<Vec<(&'static demo::DemoAccount, String)>> {
    let db = open_db(&cfg.database_url).await?;
    let state =
        anjian_web::AppState::new(db.clone(), &cfg.web()).map_err(|e| anyhow::anyhow!(e))?;
    let accounts = if org::count_all(&db).await.map_err(err)? == 0 {
        let accounts = demo::load(&db).await.map_err(err)?;
        demo::load_records(&state).await.map_err(err)?;
        accounts
    } else {
        demo::refresh_passwords(&db).await.map_err(err)?
    };
    drop(state);
    db.close().await;
    anjian_db::user::release_freed_memory();
    Ok(accounts)
}

/// Goes on as `serve` without `--demo` in a fresh image of this program, once the demo is loaded
/// and its accounts printed. Seeding ran code the server never runs again (password hashing for
/// every account, a year of records, the document builders) and grew heaps it never uses again;
/// those pages stayed resident: idle RSS 34–35 MiB after `serve --demo` against 26–27 MiB for
/// `serve` on the same data (docs/benchmarks.md). `exec` keeps the process id, the environment,
/// the working directory and stdout/stderr, so terminals and scripts see one process; the demo
/// data is there, so the new image neither seeds nor creates first-start accounts. Returns only
/// when the exec failed; serving then goes on in this process.
fn serve_from_fresh_image() {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let Ok(exe) = std::env::current_exe() else {
            return;
        };
        let _ = std::io::stdout().flush();
        let args = std::env::args_os().skip(1).filter(|a| a != "--demo");
        let e = std::process::Command::new(exe).args(args).exec();
        tracing::warn!(error = %e, "could not restart after loading the demo; serving from this process");
    }
}

/// Runs the daily jobs (overdue marking, …) at start and then every ten minutes. Each job claims
/// its day in the database first, so it runs once a day however often this ticks and however
/// many instances share the database; ticking often means a restart or a missed midnight never
/// leaves a day unmarked. `ANJIAN_JOB_INTERVAL_SECS` sets another interval (the process tests
/// tick every second to make two instances race for the same day).
async fn daily_jobs(db: anjian_db::Db) {
    let secs = std::env::var("ANJIAN_JOB_INTERVAL_SECS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .filter(|s| *s > 0)
        .unwrap_or(600);
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(secs));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = anjian_db::job::run_daily(&db).await {
            tracing::warn!(error = %e, "daily jobs failed; retrying at the next tick");
        }
    }
}

/// Hides a password in a database URL before it reaches the log.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
