//! A database of the backend the environment asks for (a SQLite file, or a fresh schema in the
//! database of ANJIAN_TEST_PG_URL), `anjian` processes started on it, and its command line.
//! Everything is torn down by Drop guards, also when a test fails: servers are killed, the
//! schema dropped, the temporary directory removed.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anjian_db::{Db, Q};

const BIN: &str = env!("CARGO_BIN_EXE_anjian");

fn pg_url() -> Option<String> {
    std::env::var("ANJIAN_TEST_PG_URL")
        .ok()
        .filter(|s| !s.is_empty())
}

fn hex8() -> String {
    format!("{:016x}", rand::random::<u64>())
}

/// One database and data directory, shared by every process a test starts.
pub struct Store {
    pub dir: PathBuf,
    /// The URL handed to `anjian --database`.
    pub url: String,
    /// (server URL, schema) when on PostgreSQL.
    pg: Option<(String, String)>,
    logs: std::sync::atomic::AtomicUsize,
}

impl Store {
    pub async fn new() -> Store {
        let dir = std::env::temp_dir().join(format!("anjian-process-{}", hex8()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let (url, pg) = match pg_url() {
            Some(server) => {
                // The binary reaches its own schema through the URL, as the suite's CLI tests do.
                let schema = format!("p_{}", hex8());
                let admin = Db::connect(&server)
                    .await
                    .expect("connect to ANJIAN_TEST_PG_URL");
                admin
                    .execute(&Q::new(&format!("CREATE SCHEMA {schema}")))
                    .await
                    .expect("create schema");
                admin.close().await;
                let sep = if server.contains('?') { '&' } else { '?' };
                (
                    format!("{server}{sep}options=-c%20search_path%3D{schema}"),
                    Some((server, schema)),
                )
            }
            None => (
                format!("sqlite://{}", dir.join("anjian.db").display()),
                None,
            ),
        };
        Store {
            dir,
            url,
            pg,
            logs: Default::default(),
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.pg.is_some()
    }

    pub fn schema(&self) -> Option<&str> {
        self.pg.as_ref().map(|(_, s)| s.as_str())
    }

    /// A connection of the test's own, for checks the HTTP API does not expose.
    pub async fn connect(&self) -> Db {
        Db::connect(&self.url).await.expect("connect to test db")
    }

    /// A connection without the schema on its search path (PostgreSQL catalogue queries).
    pub async fn connect_server(&self) -> Db {
        let (server, _) = self.pg.as_ref().expect("postgres only");
        Db::connect(server).await.expect("connect to server")
    }

    fn command(&self) -> Command {
        let mut c = Command::new(BIN);
        c.arg("--database")
            .arg(&self.url)
            .arg("--data-dir")
            .arg(&self.dir)
            // No ./anjian.toml of whoever runs the tests may leak in.
            .current_dir(&self.dir)
            .env_remove("ANJIAN_CONFIG")
            .env_remove("ANJIAN_LISTEN")
            .env("ANJIAN_LOG", "warn");
        c
    }

    /// Runs `anjian ARGS` to completion; returns (success, stdout, stderr).
    pub fn cli(&self, args: &[&str], stdin: Option<&str>) -> (bool, String, String) {
        let mut c = self.command();
        c.args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = c.spawn().expect("spawn anjian");
        {
            let mut input = child.stdin.take().expect("stdin");
            if let Some(s) = stdin {
                input.write_all(s.as_bytes()).expect("write stdin");
            }
        }
        let out = child.wait_with_output().expect("anjian output");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// `anjian ARGS`, which must succeed; its standard output.
    pub fn cli_ok(&self, args: &[&str], stdin: Option<&str>) -> String {
        let (ok, out, err) = self.cli(args, stdin);
        assert!(ok, "anjian {args:?} failed:\n{out}\n{err}");
        out
    }

    /// Starts `anjian serve` on a free port without waiting for it (two instances start at the
    /// same moment in the two-instance test).
    pub fn spawn(&self, env: &[(&str, &str)]) -> Starting {
        self.spawn_args(&[], env)
    }

    /// `spawn` with more arguments after `serve --listen 127.0.0.1:0` (e.g. `--demo`).
    pub fn spawn_args(&self, args: &[&str], env: &[(&str, &str)]) -> Starting {
        let n = self.logs.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let log = self.dir.join(format!("serve-{n}.log"));
        let mut c = self.command();
        c.args(["serve", "--listen", "127.0.0.1:0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).expect("log file"));
        for (k, v) in env {
            c.env(k, v);
        }
        let mut child = c.spawn().expect("spawn anjian serve");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        // Keeps draining stdout for the life of the process, so it never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    // Nobody listens any more; keep reading to drain the pipe.
                }
            }
        });
        Starting {
            server: Server {
                child: Some(child),
                base: String::new(),
                stdout: Vec::new(),
                log,
            },
            lines: rx,
        }
    }

    pub fn start(&self, env: &[(&str, &str)]) -> Server {
        self.spawn(env).ready()
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        if let Some((server, schema)) = self.pg.take() {
            // Drop runs inside the test's runtime: use a thread with a runtime of its own.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                rt.block_on(async {
                    if let Ok(db) = Db::connect(&server).await {
                        let q = Q::new(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
                        if let Err(e) = db.execute(&q).await {
                            eprintln!("could not drop schema {schema}: {e}");
                        }
                        db.close().await;
                    }
                });
            })
            .join();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A server process that has not printed its address yet.
pub struct Starting {
    server: Server,
    lines: mpsc::Receiver<String>,
}

impl Starting {
    /// Waits for "anjian 已启动：http://ADDR/" and keeps the lines before it (first-start
    /// accounts). Panics with the log when the process dies or takes too long.
    pub fn ready(mut self) -> Server {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    if let Some(rest) = line.split("http://").nth(1) {
                        if line.starts_with("anjian ") {
                            let addr = rest.trim_end().trim_end_matches('/');
                            self.server.base = format!("http://{addr}");
                            return self.server;
                        }
                    }
                    self.server.stdout.push(line);
                }
                Err(_) => panic!(
                    "anjian serve did not start:\n{}",
                    std::fs::read_to_string(&self.server.log).unwrap_or_default()
                ),
            }
        }
    }
}

/// A running `anjian serve`. Dropping it kills the process.
pub struct Server {
    child: Option<Child>,
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// What it printed before it was ready.
    pub stdout: Vec<String>,
    log: PathBuf,
}

impl Server {
    /// SIGKILL, as a power cut or the OOM killer would: no graceful shutdown, no flushing.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// The process id (while it runs).
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// The password printed for `username` at first start (or by the demo).
    pub fn printed_password(&self, username: &str) -> Option<String> {
        self.stdout.iter().find_map(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            (w.len() >= 4 && w[0] == "账号" && w[1] == username && w[2] == "密码")
                .then(|| w[3].to_string())
        })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
        if std::thread::panicking() {
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(30).collect();
            eprintln!(
                "--- last lines of {} ---\n{}",
                self.log.display(),
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            );
        }
    }
}
