//! The command line, scriptable by the bureau's IT staff. Output meant for people is Chinese;
//! `--json` output and `token create` are for scripts.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use anjian_db::org;
use anjian_db::user::{self, UserFilter, UserInput};
use anjian_db::{audit, backup, session, Ctx, Db, PageReq};
use anjian_domain::role::Role;

use crate::config::Config;
use crate::serve::{print_accounts, serve};
use crate::{demo, open_db};

#[derive(Parser, Debug)]
#[command(
    name = "anjian",
    version,
    about = "安全生产监管平台（粮食和物资储备系统）"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug, Clone)]
pub struct Global {
    /// 数据库地址：sqlite://路径 或 postgres://…（默认 DATA_DIR/anjian.db）
    #[arg(long = "database", env = "ANJIAN_DATABASE_URL", global = true)]
    pub database: Option<String>,
    /// 数据目录（SQLite 数据库与附件），默认 ./data
    #[arg(long = "data-dir", env = "ANJIAN_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// TOML 配置文件（默认读取当前目录下的 anjian.toml，若存在）
    #[arg(long = "config", env = "ANJIAN_CONFIG", global = true)]
    pub config: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// 启动 Web 服务
    Serve {
        /// 载入演示数据并打印演示账号
        #[arg(long)]
        demo: bool,
        /// 监听地址，默认 127.0.0.1:8080
        #[arg(long, env = "ANJIAN_LISTEN")]
        listen: Option<String>,
    },
    /// 向数据库载入演示数据
    Demo,
    /// 执行数据库迁移
    Migrate,
    /// 组织机构
    Org {
        #[command(subcommand)]
        cmd: OrgCmd,
    },
    /// 用户
    User {
        #[command(subcommand)]
        cmd: UserCmd,
    },
    /// API 令牌
    Token {
        #[command(subcommand)]
        cmd: TokenCmd,
    },
    /// 备份 SQLite 数据库（服务运行时亦可）
    Backup { file: PathBuf },
    /// 从备份恢复 SQLite 数据库（须先停止服务）
    Restore { file: PathBuf },
    /// 审计日志
    Audit {
        #[command(subcommand)]
        cmd: AuditCmd,
    },
    /// 由系统记录生成安全生产工作总结
    Report {
        /// 期间：2023、2023H1、2023Q2、2023-05 或 2023-01-01..2023-03-31
        #[arg(long)]
        period: String,
        /// 组织编号（含下级）；不填为全系统
        #[arg(long)]
        org: Option<i64>,
        /// 输出格式：json（统计数字）、md、html、docx
        #[arg(long, default_value = "json")]
        format: String,
        /// 输出文件；不填则写到标准输出
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum OrgCmd {
    /// 列出组织机构
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum UserCmd {
    /// 列出用户
    List {
        #[arg(long)]
        json: bool,
    },
    /// 新增用户；未给出 --password-stdin 时生成随机初始密码并打印
    Add {
        #[arg(long)]
        username: String,
        #[arg(long)]
        name: String,
        /// 组织编号或准确名称
        #[arg(long)]
        org: String,
        /// system_admin security_admin audit_admin bureau_supervisor bureau_leader unit_head unit_officer inspector
        #[arg(long)]
        role: String,
        #[arg(long)]
        phone: Option<String>,
        /// 从标准输入读取初始密码（一行）
        #[arg(long)]
        password_stdin: bool,
    },
    /// 重置密码（生成随机密码，下次登录须修改）
    ResetPassword { username: String },
    /// 锁定账号
    Lock { username: String },
    /// 解锁账号
    Unlock { username: String },
}

#[derive(Subcommand, Debug)]
pub enum TokenCmd {
    /// 为用户创建 API 令牌，只在标准输出打印令牌本身
    Create {
        #[arg(long)]
        username: String,
        #[arg(long, default_value = "")]
        name: String,
    },
    /// 撤销用户的 API 令牌（不给 --id 时撤销其全部令牌）
    Revoke {
        #[arg(long)]
        username: String,
        #[arg(long)]
        id: Option<i64>,
    },
}

#[derive(Subcommand, Debug)]
pub enum AuditCmd {
    /// 校验审计日志哈希链，报告第一处断裂
    Verify,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let listen = match &cli.command {
        Command::Serve { listen, .. } => listen.clone(),
        _ => None,
    };
    let cfg = match Config::load(
        cli.global.config.as_deref(),
        cli.global.database.clone(),
        cli.global.data_dir.clone(),
        listen,
    ) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("错误：{e}");
            return ExitCode::from(2);
        }
    };
    init_logging(&cfg);
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("错误：无法启动运行时：{e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli.command, cfg)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误：{e}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(cfg: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("ANJIAN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=info"));
    // Colour only for a person at a terminal, never in files or journald.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr);
    let _ = if cfg.log_format == "json" {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

pub(crate) fn err<E: std::fmt::Display>(e: E) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

pub async fn run(cmd: Command, cfg: Config) -> anyhow::Result<ExitCode> {
    let ctx = Ctx::system("cli");
    match cmd {
        Command::Serve { demo, .. } => serve(cfg, demo).await,
        Command::Restore { file } => {
            let target = cfg.sqlite_path().ok_or_else(|| {
                anyhow::anyhow!(
                    "restore 仅适用于 SQLite；PostgreSQL 请使用 pg_restore，见 docs/deployment.md"
                )
            })?;
            let v = backup::restore(&file, &target).await.map_err(err)?;
            println!(
                "已从 {} 恢复数据库（结构版本 {v}）到 {}",
                file.display(),
                target.display()
            );
            // Bring an older backup up to this binary's schema right away.
            let db = open_db(&cfg.database_url).await?;
            db.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo => {
            let db = open_db(&cfg.database_url).await?;
            if org::count_all(&db).await.map_err(err)? > 0 {
                anyhow::bail!("数据库中已有数据，不再载入演示数据");
            }
            // The demo's photos go to the attachment store, so it needs the web state.
            let state = anjian_web::AppState::new(db.clone(), &cfg.web())
                .map_err(|e| anyhow::anyhow!(e))?;
            let accounts = demo::load(&db).await.map_err(err)?;
            demo::load_records(&state).await.map_err(err)?;
            print_accounts(&accounts);
            db.close().await;
            Ok(ExitCode::SUCCESS)
        }
        cmd => {
            let db = open_db(&cfg.database_url).await?;
            let code = run_with_db(cmd, &db, &ctx).await;
            db.close().await;
            code
        }
    }
}

async fn run_with_db(cmd: Command, db: &Db, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Serve { .. } | Command::Restore { .. } | Command::Demo => {
            unreachable!("handled by run")
        }
        Command::Migrate => {
            println!(
                "数据库结构已是最新（版本 {}）",
                anjian_db::migrate::latest_version()
            );
        }
        Command::Org {
            cmd: OrgCmd::List { json },
        } => {
            let orgs = org::all_in_scope(db, ctx, true).await.map_err(err)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&orgs)?);
            } else {
                for o in orgs {
                    println!(
                        "{:>5}  {}{}  [{}]{}{}",
                        o.id,
                        "  ".repeat(o.depth()),
                        o.name,
                        o.kind_label(),
                        o.uscc
                            .as_deref()
                            .map(|u| format!("  {u}"))
                            .unwrap_or_default(),
                        if o.active { "" } else { "  （已停用）" }
                    );
                }
            }
        }
        Command::User { cmd } => return user_cmd(cmd, db, ctx).await,
        Command::Token {
            cmd: TokenCmd::Create { username, name },
        } => {
            let token = session::create_token(db, ctx, &username, &name)
                .await
                .map_err(|e| match e {
                    anjian_db::DbError::NotFound => anyhow::anyhow!("用户 {username} 不存在"),
                    e => err(e),
                })?;
            println!("{token}");
        }
        Command::Token {
            cmd: TokenCmd::Revoke { username, id },
        } => {
            let n = session::revoke_tokens(db, ctx, &username, id)
                .await
                .map_err(|e| match e {
                    anjian_db::DbError::NotFound => anyhow::anyhow!("用户或令牌不存在"),
                    e => err(e),
                })?;
            println!("已撤销 {n} 个令牌");
        }
        Command::Backup { file } => {
            backup::backup(db, &file).await.map_err(err)?;
            println!("已备份到 {}", file.display());
        }
        Command::Report {
            period,
            org,
            format,
            output,
        } => return report(db, ctx, &period, org, &format, output).await,
        Command::Audit {
            cmd: AuditCmd::Verify,
        } => {
            let r = audit::verify(db).await.map_err(err)?;
            match r.first_broken {
                None => println!("审计日志完整：已校验 {} 条记录，哈希链无断裂", r.checked),
                Some(b) => {
                    println!(
                        "审计日志被篡改：第 {} 条记录处断裂：{}（此前 {} 条完好）",
                        b.id, b.reason, r.checked
                    );
                    return Ok(ExitCode::from(3));
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn user_cmd(cmd: UserCmd, db: &Db, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let not_found = |u: &str| anyhow::anyhow!("用户 {u} 不存在");
    match cmd {
        UserCmd::List { json } => {
            let page = user::list(
                db,
                ctx,
                &UserFilter::default(),
                PageReq {
                    page: 1,
                    page_size: 1_000_000,
                },
            )
            .await
            .map_err(err)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&page.items)?);
            } else {
                for u in page.items {
                    println!(
                        "{:>5}  {:<16} {:<10} {:<8} {}{}",
                        u.id,
                        u.username,
                        u.name,
                        u.role_label(),
                        u.org_name,
                        if u.disabled { "  （已锁定）" } else { "" }
                    );
                }
            }
        }
        UserCmd::Add {
            username,
            name,
            org: org_ref,
            role,
            phone,
            password_stdin,
        } => {
            if Role::from_code(&role).is_none() {
                let all: Vec<&str> = Role::ALL.iter().map(|r| r.code()).collect();
                anyhow::bail!("角色 {role} 无效，应为：{}", all.join(" "));
            }
            let o = org::find(db, ctx, &org_ref).await.map_err(|e| match e {
                anjian_db::DbError::NotFound => anyhow::anyhow!("组织 {org_ref} 不存在"),
                e => err(e),
            })?;
            let password = if password_stdin {
                let mut line = String::new();
                std::io::stdin().lock().read_line(&mut line)?;
                Some(line.trim_end_matches(['\r', '\n']).to_string())
            } else {
                None
            };
            let input = UserInput {
                username,
                name,
                org_id: o.id,
                role,
                phone: phone.unwrap_or_default(),
            };
            let created = user::create(db, ctx, &input, password.as_deref(), true)
                .await
                .map_err(field_errors)?;
            println!(
                "已创建用户 {}（{}，{}）",
                created.user.username,
                created.user.role_label(),
                o.name
            );
            if let Some(p) = created.generated_password {
                println!("初始密码：{p}");
                println!("首次登录后须修改密码。");
            }
        }
        UserCmd::ResetPassword { username } => {
            let u = user::find(db, ctx, &username)
                .await
                .map_err(|_| not_found(&username))?;
            let p = user::reset_password(db, ctx, u.id).await.map_err(err)?;
            println!("用户 {username} 的新密码：{p}");
            println!("下次登录后须修改密码。");
        }
        UserCmd::Lock { username } => {
            let u = user::find(db, ctx, &username)
                .await
                .map_err(|_| not_found(&username))?;
            user::set_locked(db, ctx, u.id, true).await.map_err(err)?;
            println!("已锁定用户 {username}，其会话已全部结束");
        }
        UserCmd::Unlock { username } => {
            let u = user::find(db, ctx, &username)
                .await
                .map_err(|_| not_found(&username))?;
            user::set_locked(db, ctx, u.id, false).await.map_err(err)?;
            println!("已解锁用户 {username}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn field_errors(e: anjian_db::DbError) -> anyhow::Error {
    match e {
        anjian_db::DbError::Invalid(f) => {
            let lines: Vec<String> = f.0.iter().map(|(k, m)| format!("{k}：{m}")).collect();
            anyhow::anyhow!("{}", lines.join("；"))
        }
        e => err(e),
    }
}

/// `anjian report`: the figures as JSON, or the summary as Markdown, HTML or DOCX.
async fn report(
    db: &Db,
    ctx: &Ctx,
    period: &str,
    org: Option<i64>,
    format: &str,
    output: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let period = anjian_domain::period::Period::parse(period)
        .map_err(|e| anyhow::anyhow!("--period：{e}"))?;
    let figures = anjian_db::report::figures(db, ctx, &period, org)
        .await
        .map_err(|e| match e {
            anjian_db::DbError::NotFound => {
                anyhow::anyhow!("--org：组织 {} 不存在", org.unwrap_or(0))
            }
            e => err(e),
        })?;
    // The wording in force (the bureau's templates); a failing one falls back to its default.
    let (text, warnings) = anjian_db::report::templates::summary(db, ctx, &figures)
        .await
        .map_err(err)?;
    for w in warnings {
        eprintln!("{w}");
    }
    let bytes: Vec<u8> = match format {
        "json" => {
            let mut v = serde_json::to_vec_pretty(&figures)?;
            v.push(b'\n');
            v
        }
        "md" => anjian_web::report::export::markdown(&text).into_bytes(),
        "html" => anjian_web::report::export::html(&text).into_bytes(),
        "docx" => anjian_web::report::export::docx(&text).map_err(err)?,
        other => anyhow::bail!("--format：不支持的格式 {other}，可选 json、md、html、docx"),
    };
    match output {
        Some(path) => {
            std::fs::write(&path, &bytes)
                .map_err(|e| anyhow::anyhow!("无法写入 {}：{e}", path.display()))?;
            eprintln!("已写入 {}", path.display());
        }
        None => std::io::stdout().write_all(&bytes)?,
    }
    Ok(ExitCode::SUCCESS)
}
