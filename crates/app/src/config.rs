//! Settings: built-in defaults, then an optional TOML file, then environment variables
//! (ANJIAN_DATABASE_URL, ANJIAN_DATA_DIR, ANJIAN_LISTEN), then command-line flags.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use anjian_db::session::Policy;

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct FileConfig {
    pub database_url: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub listen: Option<String>,
    /// Largest upload in MB (default 20).
    pub upload_limit_mb: Option<usize>,
    /// Mark cookies `Secure` (set when served over HTTPS).
    pub secure_cookies: Option<bool>,
    /// Trust X-Forwarded-For (set when behind nginx).
    pub trust_proxy: Option<bool>,
    /// `text` (default) or `json`.
    pub log_format: Option<String>,
    pub security: Option<Policy>,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub data_dir: PathBuf,
    pub listen: String,
    pub upload_limit: usize,
    pub secure_cookies: bool,
    pub trust_proxy: bool,
    pub log_format: String,
    pub policy: Policy,
}

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

impl Config {
    /// `file` is read when given, else `./anjian.toml` when it exists.
    pub fn load(
        file: Option<&Path>,
        database_url: Option<String>,
        data_dir: Option<PathBuf>,
        listen: Option<String>,
    ) -> anyhow::Result<Config> {
        let fc = match file {
            Some(f) => read(f)?,
            None if Path::new("anjian.toml").exists() => read(Path::new("anjian.toml"))?,
            None => FileConfig::default(),
        };
        let data_dir = data_dir
            .or(fc.data_dir)
            .unwrap_or_else(|| PathBuf::from("data"));
        let database_url = database_url
            .or(fc.database_url)
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("anjian.db").display()));
        Ok(Config {
            database_url,
            listen: listen
                .or(fc.listen)
                .unwrap_or_else(|| DEFAULT_LISTEN.to_string()),
            upload_limit: fc.upload_limit_mb.unwrap_or(20) * 1024 * 1024,
            secure_cookies: fc.secure_cookies.unwrap_or(false),
            trust_proxy: fc.trust_proxy.unwrap_or(false),
            log_format: fc.log_format.unwrap_or_else(|| "text".into()),
            policy: fc.security.unwrap_or_default(),
            data_dir,
        })
    }

    pub fn web(&self) -> anjian_web::WebConfig {
        anjian_web::WebConfig {
            policy: self.policy.clone(),
            upload_limit: self.upload_limit,
            secure_cookies: self.secure_cookies,
            trust_proxy: self.trust_proxy,
            data_dir: self.data_dir.clone(),
        }
    }

    /// The SQLite file behind the URL, for backup and restore.
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        self.database_url
            .strip_prefix("sqlite://")
            .or_else(|| self.database_url.strip_prefix("sqlite:"))
            .map(PathBuf::from)
    }
}

fn read(path: &Path) -> anyhow::Result<FileConfig> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("无法读取配置文件 {}：{e}", path.display()))?;
    toml::from_str(&text).map_err(|e| anyhow::anyhow!("配置文件 {} 格式错误：{e}", path.display()))
}
