//! The `gopherd` command: flags, logging, signals, and the server.

use clap::Parser;
use gopherd::config::{self, AccessLogTarget, Config};
use gopherd::server::Server;
use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;
use tracing_appender::non_blocking::WorkerGuard;

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
    /// The HTTP face's address (replacing `http.listen`; with no `[http]`
    /// in the configuration, the gopherhole as web pages), or `off`.
    #[arg(long, value_name = "ADDR:PORT|off")]
    http: Option<String>,
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
    #[command(subcommand)]
    command: Option<Command>,
}

/// What to do instead of serving.
#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Make accounts of the handler service (in the state folder of the
    /// configuration's [admin] table).
    Accounts {
        #[command(subcommand)]
        action: AccountAction,
    },
    /// Deploy and manage handlers on a running gopherd through its admin API.
    Handlers {
        /// The admin API (default: $GOPHERD_SERVER, else the configuration's
        /// admin.listen, else http://127.0.0.1:7071).
        #[arg(long, value_name = "URL")]
        server: Option<String>,
        /// The account's token (default: $GOPHERD_TOKEN).
        #[arg(long, value_name = "TOKEN")]
        token: Option<String>,
        #[command(subcommand)]
        command: Box<gopherd::admin::client::Command>,
    },
}

#[derive(Debug, clap::Subcommand)]
enum AccountAction {
    /// Make an account; its token is printed once (only its hash is kept).
    Add {
        /// The account's name, which is its namespace: /~NAME/.
        name: String,
        /// Let it act on every namespace.
        #[arg(long)]
        admin: bool,
    },
}

/// Runs a subcommand; whether it succeeded.
fn run_command(cli: &Cli, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Accounts {
            action: AccountAction::Add { name, admin },
        } => {
            let config = match &cli.config {
                Some(path) => Config::from_file(path)?,
                None => anyhow::bail!(
                    "give --config FILE: its [admin] table says where accounts are kept"
                ),
            };
            let Some(admin_config) = &config.admin else {
                anyhow::bail!("the configuration has no [admin] table, so no handler service");
            };
            let token = gopherd::deploy::Deployments::add_account(admin_config, &name, admin)?;
            println!(
                "account {name}{} made; its token (shown only now):",
                if admin { " (admin)" } else { "" }
            );
            println!("{token}");
            Ok(())
        }
        Command::Handlers {
            server,
            token,
            command,
        } => {
            let server = match server.or_else(|| std::env::var("GOPHERD_SERVER").ok()) {
                Some(server) => server,
                None => match &cli.config {
                    Some(path) => match Config::from_file(path)?.admin {
                        Some(admin) => format!("http://{}", admin.listen),
                        None => "http://127.0.0.1:7071".into(),
                    },
                    None => "http://127.0.0.1:7071".into(),
                },
            };
            let connection = gopherd::admin::client::Connection {
                server,
                token: token.or_else(|| std::env::var("GOPHERD_TOKEN").ok()),
            };
            gopherd::admin::client::run(&connection, *command)
        }
    }
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
        match self.http.as_deref() {
            None => {}
            Some("off") => config.http = None,
            Some(addr) => {
                let listen = anyhow::Context::context(config::parse_listen(addr), "in --http")?;
                match &mut config.http {
                    Some(http) => http.listen = listen,
                    None => config.http = Some(config::HttpConfig::browsing(listen)),
                }
            }
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

/// The server log's writer guard: dropping it writes out what is queued
/// (waiting a bounded time, so a stuck standard error cannot hold the exit).
static LOG_GUARD: Mutex<Option<WorkerGuard>> = Mutex::new(None);

/// Ends the process now, without waiting for threads that may be stuck (a
/// handler opening a FIFO, a hung mount, a log nobody reads).
fn exit(code: i32) -> ! {
    drop(LOG_GUARD.lock().unwrap_or_else(|e| e.into_inner()).take());
    std::process::exit(code)
}

/// Completes at the first SIGINT or SIGTERM; a second one ends the
/// process at once.
fn shutdown_signals() -> anyhow::Result<tokio::sync::oneshot::Receiver<()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    let (first, first_rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        tokio::select! {
            _ = int.recv() => tracing::info!("SIGINT received"),
            _ = term.recv() => tracing::info!("SIGTERM received"),
        }
        let _ = first.send(());
        tokio::select! {
            _ = int.recv() => {}
            _ = term.recv() => {}
        }
        tracing::warn!("second signal: exiting now, without waiting for requests in flight");
        exit(1);
    });
    Ok(first_rx)
}

/// Runs the command; returns whether it ended cleanly.
async fn run(cli: Cli, config: Config) -> anyhow::Result<bool> {
    if cli.check {
        let open_files = gopherd::open_files::fit(&config)?;
        let site = gopherd::Site {
            host: config.host.clone(),
            port: config.port.unwrap_or(config.listen[0].port()),
        };
        let service =
            tokio::task::spawn_blocking(move || gopherd::Gopherd::new(&config, site)).await??;
        let http = match service.http_route_count() {
            0 => String::new(),
            n => format!(" and {n} HTTP route(s)"),
        };
        println!(
            "configuration is valid: {} handler route(s){http} compiled\n{open_files}",
            service.handlers().len()
        );
        return Ok(true);
    }
    let signals = shutdown_signals()?;
    let server = Server::bind(config).await?;
    server
        .serve(async {
            let _ = signals.await;
        })
        .await
}

fn main() -> ExitCode {
    let mut cli = Cli::parse();
    if let Some(command) = cli.command.take() {
        return match run_command(&cli, command) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("gopherd: {e:#}");
                ExitCode::FAILURE
            }
        };
    }
    wasmhole_runtime::module::compile_cache::configure(match (&cli.cache_dir, cli.no_cache) {
        (_, true) => None,
        (Some(dir), false) => Some(dir.clone()),
        (None, false) => wasmhole_runtime::module::compile_cache::default_dir(),
    });
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Lossy and off the request path: a standard error nobody reads never
    // holds the server.
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(true)
        .thread_name("gopherd-log")
        .finish(std::io::stderr());
    *LOG_GUARD.lock().unwrap_or_else(|e| e.into_inner()) = Some(guard);
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let config = match cli.config() {
        Ok(config) => config,
        Err(e) => {
            drop(LOG_GUARD.lock().unwrap_or_else(|e| e.into_inner()).take());
            eprintln!("gopherd: {e:#}");
            exit(1)
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .max_blocking_threads(gopherd::service::blocking_threads(&config.limits))
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("gopherd: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let code = match runtime.block_on(run(cli, config)) {
        Ok(true) => 0,
        Ok(false) => 1,
        Err(e) => {
            drop(LOG_GUARD.lock().unwrap_or_else(|e| e.into_inner()).take());
            eprintln!("gopherd: {e:#}");
            1
        }
    };
    exit(code)
}
