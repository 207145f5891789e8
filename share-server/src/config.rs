//! Runtime configuration of the application router.
//!
//! Kept independent of the command line (clap lives in `main.rs`) so tests and other
//! embedders can build an [`AppConfig`] directly.

use std::path::PathBuf;

/// Default web directory, relative to the current working directory.
pub const DEFAULT_WEB_DIR: &str = "web";

/// Everything [`crate::app`] needs to build the router.
///
/// `#[non_exhaustive]` so that adding settings later (e.g. a share storage directory)
/// is not a breaking change for callers, who construct it via [`AppConfig::new`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AppConfig {
    /// Directory whose files are served as-is; `/` maps to its `index.html`.
    pub web_dir: PathBuf,
}

impl AppConfig {
    pub fn new(web_dir: impl Into<PathBuf>) -> Self {
        Self { web_dir: web_dir.into() }
    }
}

impl Default for AppConfig {
    fn default() -> Self {
        Self::new(DEFAULT_WEB_DIR)
    }
}
