//! The `gopherd` command: flags, logging, signals, and the server.

use clap::Parser;
use gopherd::config::{self, AccessLogTarget, Config};
use gopherd::server::Server;
use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

/// A Gopher server whose selectors are static files or WebAssembly handlers.
#[derive(Parser, Debug)]
#[command(name = "gopherd", version, about)]
struct Cli {
    /// The configuration file (TOML).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Serve this folder (instead of, or over, the configuration's root).
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    /// Listen on this address; repeat for more (e.g. 127.0.0.1:7070, [::1]:7070).
    /// Replaces the configuration's addresses.
    #[arg(long, value_name = "ADDR:PORT", value_parser = config::parse_listen)]
    listen: Vec<SocketAddr>,
    /// The host name advertised in menus.
    #[arg(long, value_name = "NAME")]
    host: Option<String>,
    /// The port advertised in menus (default: the first listen address's).
    #[arg(long, value_name = "PORT")]
    port: Option<u16>,
    /// Where the access log goes: a file, `-` for standard output, or `off`.
    #[arg(long, value_name = "FILE")]
    access_log: Option<String>,
    /// Write one JSON-lines syscall trace per handler request into this folder.
    #[arg(long, value_name = "DIR")]
    trace_dir: Option<PathBuf>,
    /// Load the configuration and compile every handler, then exit.
    #[arg(long)]
    check: bool,
    /// Keep compiled handler modules in this folder (default: the user's
    /// cache folder, shared with wasmhole).
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
    /// Compile handler modules at every start, keeping nothing on disk.
    #[arg(long)]
    no_cache: bool,
}

impl Cli {
    fn config(&self) -> anyhow::Result<Config> {
        let mut config = match &self.config {
            Some(path) => Config::from_file(path)?,
            None if self.root.is_some() => Config::default(),
            None => anyhow::bail!("nothing to serve: give --root DIR or --config FILE"),
        };
        if let Some(root) = &self.root {
            config.root = Some(root.clone());
        }
        if !self.listen.is_empty() {
            config.listen = self.listen.clone();
        }
        if let Some(host) = &self.host {
            config.host = host.clone();
        }
        if self.port.is_some() {
            config.port = self.port;
        }
        if let Some(target) = &self.access_log {
            config.access_log = match target.as_str() {
                "-" => AccessLogTarget::Stdout,
                "off" => AccessLogTarget::Off,
                path => AccessLogTarget::File(path.into()),
            };
        }
        if let Some(dir) = &self.trace_dir {
            config.trace_dir = Some(dir.clone());
        }
        Ok(config)
    }
}

async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = match signal(SignalKind::terminate()) {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!("cannot watch for SIGTERM: {e}");
            let _ = tokio::signal::ctrl_c().await;
            return;
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => tracing::info!("SIGINT received"),
        _ = term.recv() => tracing::info!("SIGTERM received"),
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = cli.config()?;
    if cli.check {
        let site = gopherd::Site {
            host: config.host.clone(),
            port: config.port.unwrap_or(config.listen[0].port()),
        };
        let service =
            tokio::task::spawn_blocking(move || gopherd::Gopherd::new(&config, site)).await??;
        println!(
            "configuration is valid: {} handler route(s) compiled",
            service.handlers().len()
        );
        return Ok(());
    }
    let server = Server::bind(config).await?;
    server.serve(shutdown_signal()).await
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    wasmhole_runtime::compile_cache::configure(match (&cli.cache_dir, cli.no_cache) {
        (_, true) => None,
        (Some(dir), false) => Some(dir.clone()),
        (None, false) => wasmhole_runtime::compile_cache::default_dir(),
    });
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("gopherd: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gopherd: {e:#}");
            ExitCode::FAILURE
        }
    }
}
