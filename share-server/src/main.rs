//! `share-server` binary: flags, socket, logging and signals around [`share_server::app`].

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use share_server::AppConfig;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::prelude::*;

#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    /// Address to listen on; port 0 picks a free port (the real one is printed).
    #[arg(long, env = "SHARE_SERVER_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,

    /// Directory with the static web build, served at `/`.
    #[arg(long, env = "SHARE_SERVER_WEB_DIR", default_value = share_server::config::DEFAULT_WEB_DIR)]
    web_dir: PathBuf,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    init_logging()?;
    let cli = Cli::parse();

    if !cli.web_dir.join("index.html").is_file() {
        // Not fatal: /healthz still works and the build may appear later.
        tracing::warn!(web_dir = %cli.web_dir.display(), "web directory has no index.html");
    }

    let listener =
        tokio::net::TcpListener::bind(cli.listen).await.with_context(|| format!("binding {}", cli.listen))?;
    let addr = listener.local_addr().context("reading bound address")?;

    // Machine-read contract: tests start us on port 0 and parse this single line,
    // so it goes to stdout (logs go to stderr) and is flushed immediately.
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "listening on http://{addr}").context("writing to stdout")?;
    stdout.flush().context("flushing stdout")?;
    drop(stdout);

    tracing::info!(%addr, web_dir = %cli.web_dir.display(), "server started");
    axum::serve(listener, share_server::app(AppConfig::new(cli.web_dir)))
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("serving HTTP")?;
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
