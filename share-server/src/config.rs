//! Runtime configuration of the application router.
//!
//! Kept independent of the command line (clap lives in `main.rs`) so tests and other
//! embedders can build an [`AppConfig`] directly.

use std::path::PathBuf;
use std::time::Duration;

/// Default web directory, relative to the current working directory.
pub const DEFAULT_WEB_DIR: &str = "web";
/// Default share data directory, relative to the current working directory.
pub const DEFAULT_DATA_DIR: &str = "share-data";
/// Default upload limit: 512 MiB of ciphertext.
pub const DEFAULT_MAX_UPLOAD_BYTES: u64 = 512 * 1024 * 1024;
/// Default total storage quota: 10 GiB.
pub const DEFAULT_QUOTA_BYTES: u64 = 10 * 1024 * 1024 * 1024;
/// Default sweeper interval; the issue asks for "at least every minute".
pub const DEFAULT_SWEEP_INTERVAL: Duration = Duration::from_secs(60);
/// Default per-client limit on creating shares, per minute.
pub const DEFAULT_CREATE_PER_MINUTE: u32 = 60;
/// Default per-client limit on reading shares (ciphertext or metadata), per minute.
pub const DEFAULT_READS_PER_MINUTE: u32 = 1200;
/// Longest lifetime of a share, whatever the client asks for: 30 days.
pub const MAX_EXPIRY_SECS: u64 = 30 * 24 * 60 * 60;

/// Everything [`crate::app`] needs to build the router.
///
/// `#[non_exhaustive]` so that adding settings later is not a breaking change for
/// callers, who construct it via [`AppConfig::new`] and then adjust public fields.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AppConfig {
    /// Directory whose files are served as-is; `/` maps to its `index.html`.
    pub web_dir: PathBuf,
    /// Where shares are stored (SQLite database and blob files).
    pub data_dir: PathBuf,
    /// Largest accepted upload, in bytes; larger ones get 413.
    pub max_upload_bytes: u64,
    /// Total ciphertext bytes the server keeps; uploads beyond it get 507.
    pub quota_bytes: u64,
    /// How often expired, revoked and used-up shares are deleted.
    pub sweep_interval: Duration,
    /// Shares one client may create per minute; 0 = no limit.
    pub create_per_minute: u32,
    /// Share reads one client may make per minute; 0 = no limit.
    pub reads_per_minute: u32,
    /// Header carrying the client's address when behind a reverse proxy
    /// (`X-Forwarded-For`: its last address is used); `None`: the socket's peer.
    pub client_ip_header: Option<axum::http::HeaderName>,
}

impl AppConfig {
    /// Defaults for everything but the web directory.
    pub fn new(web_dir: impl Into<PathBuf>) -> Self {
        Self {
            web_dir: web_dir.into(),
            data_dir: PathBuf::from(DEFAULT_DATA_DIR),
            max_upload_bytes: DEFAULT_MAX_UPLOAD_BYTES,
            quota_bytes: DEFAULT_QUOTA_BYTES,
            sweep_interval: DEFAULT_SWEEP_INTERVAL,
            create_per_minute: DEFAULT_CREATE_PER_MINUTE,
            reads_per_minute: DEFAULT_READS_PER_MINUTE,
            client_ip_header: None,
        }
    }

    /// Same configuration with another data directory.
    pub fn with_data_dir(mut self, data_dir: impl Into<PathBuf>) -> Self {
        self.data_dir = data_dir.into();
        self
    }
}

impl Default for AppConfig {
    fn default() -> Self {
        Self::new(DEFAULT_WEB_DIR)
    }
}
