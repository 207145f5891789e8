//! `share-server` binary: flags, socket, logging and signals around [`share_server::app`].

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use share_server::clock::SystemClock;
use share_server::config;
use share_server::{ApiState, AppConfig, sweeper};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::prelude::*;

#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    /// Address to listen on; port 0 picks a free port (the real one is printed).
    #[arg(long, env = "SHARE_SERVER_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,

    /// Directory with the static web build, served at `/`.
    #[arg(long, env = "SHARE_SERVER_WEB_DIR", default_value = config::DEFAULT_WEB_DIR)]
    web_dir: PathBuf,

    /// Directory for stored shares (SQLite metadata and ciphertext files); created if missing.
    #[arg(long, env = "SHARE_SERVER_DATA_DIR", default_value = config::DEFAULT_DATA_DIR)]
    data_dir: PathBuf,

    /// Largest accepted share upload in bytes (larger uploads get 413).
    #[arg(long, env = "SHARE_SERVER_MAX_UPLOAD_BYTES", default_value_t = config::DEFAULT_MAX_UPLOAD_BYTES)]
    max_upload_bytes: u64,

    /// Total bytes of shares kept on disk (uploads beyond it get 507).
    #[arg(long, env = "SHARE_SERVER_QUOTA_BYTES", default_value_t = config::DEFAULT_QUOTA_BYTES)]
    quota_bytes: u64,

    /// Seconds between sweeps deleting expired, deleted and used-up shares.
    #[arg(long, env = "SHARE_SERVER_SWEEP_INTERVAL_SECS", default_value_t = config::DEFAULT_SWEEP_INTERVAL.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..))]
    sweep_interval_secs: u64,

    /// Shares one client may create per minute (429 beyond it); 0 = no limit.
    #[arg(long, env = "SHARE_SERVER_CREATE_PER_MINUTE", default_value_t = config::DEFAULT_CREATE_PER_MINUTE)]
    create_per_minute: u32,

    /// Share downloads and metadata reads one client may make per minute; 0 = no limit.
    #[arg(long, env = "SHARE_SERVER_READS_PER_MINUTE", default_value_t = config::DEFAULT_READS_PER_MINUTE)]
    reads_per_minute: u32,

    /// Behind a reverse proxy: the header carrying the client's address, e.g.
    /// X-Forwarded-For (its last address is used) or X-Real-IP. Without it, the
    /// socket's peer address is the client. Only set it when a proxy overwrites it.
    #[arg(long, env = "SHARE_SERVER_CLIENT_IP_HEADER")]
    client_ip_header: Option<axum::http::HeaderName>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    init_logging()?;
    let cli = Cli::parse();

    if !cli.web_dir.join("index.html").is_file() {
        // Not fatal: /healthz still works and the build may appear later.
        tracing::warn!(web_dir = %cli.web_dir.display(), "web directory has no index.html");
    }

    let mut app_config = AppConfig::new(cli.web_dir.clone()).with_data_dir(cli.data_dir);
    app_config.max_upload_bytes = cli.max_upload_bytes;
    app_config.quota_bytes = cli.quota_bytes;
    app_config.sweep_interval = Duration::from_secs(cli.sweep_interval_secs);
    app_config.create_per_minute = cli.create_per_minute;
    app_config.reads_per_minute = cli.reads_per_minute;
    app_config.client_ip_header = cli.client_ip_header;
    // Opened before binding so that a bad data directory fails fast, not on first upload.
    let shares = ApiState::open(&app_config, Arc::new(SystemClock))
        .with_context(|| format!("opening share storage in {}", app_config.data_dir.display()))?;

    let listener =
        tokio::net::TcpListener::bind(cli.listen).await.with_context(|| format!("binding {}", cli.listen))?;
    let addr = listener.local_addr().context("reading bound address")?;

    // Machine-read contract: tests start us on port 0 and parse this single line,
    // so it goes to stdout (logs go to stderr) and is flushed immediately.
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "listening on http://{addr}").context("writing to stdout")?;
    stdout.flush().context("flushing stdout")?;
    drop(stdout);

    tracing::info!(%addr, web_dir = %cli.web_dir.display(), data_dir = %app_config.data_dir.display(), "server started");
    let sweeper = sweeper::spawn(
        Arc::clone(shares.storage()),
        Arc::clone(shares.clock()),
        Arc::clone(shares.metrics()),
        app_config.sweep_interval,
    );
    // With the peer address available to the rate limiter.
    let app = share_server::app(&app_config, shares).into_make_service_with_connect_info::<SocketAddr>();
    let served = axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await.context("serving HTTP");
    sweeper.abort();
    served?;
    tracing::info!("server stopped");
    Ok(())
}

/// Logs to stderr; `RUST_LOG` takes `target=level` lists like `info,tower_http=debug`.
fn init_logging() -> anyhow::Result<()> {
    let filter = match std::env::var("RUST_LOG") {
        Ok(spec) => spec.parse::<Targets>().context("parsing RUST_LOG")?,
        Err(_) => Targets::new().with_default(tracing::Level::INFO),
    };
    tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(filter)
        .init();
    Ok(())
}

/// Resolves on Ctrl-C (SIGINT) or, on Unix, SIGTERM (what container runtimes send).
/// In-flight requests are then allowed to finish before `serve` returns.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(%err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };

    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::error!(%err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();

    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutdown signal received");
}
