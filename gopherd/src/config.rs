//! The server's configuration: the TOML file format, its defaults, and the
//! checks and path resolution (against the file's own folder) that turn a
//! file into a [`Config`] the server can start from.

use anyhow::{Context, bail};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;
use wasmhole_runtime::{Abi, DirGrant, Limits};

/// Where gopherd listens when nothing says otherwise.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:7070";
/// The host name advertised in menus when nothing says otherwise.
pub const DEFAULT_HOST: &str = "localhost";

/// What a route answers with, which decides how its output is framed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemKind {
    /// A menu (type 1, and searches, type 7): gophermap lines, completed.
    Menu,
    /// Text (type 0): framed as the server's [`TextFraming`] says.
    Text,
    /// Binary (type 9 and friends): sent as is.
    Binary,
}

impl ItemKind {
    /// Parses `menu`/`search`/`1`/`7`, `text`/`0` or `binary`/`9`.
    pub fn parse(text: &str) -> Option<ItemKind> {
        match text {
            "menu" | "search" | "1" | "7" => Some(ItemKind::Menu),
            "text" | "0" => Some(ItemKind::Text),
            "binary" | "9" => Some(ItemKind::Binary),
            _ => None,
        }
    }
}

/// How text items go out on the wire.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TextFraming {
    /// Exactly as the file (or the handler's output) is, ended by closing
    /// the connection: what Gophernicus sends and what curl and lynx show
    /// correctly.
    #[default]
    AsIs,
    /// As RFC 1436 describes: CRLF line ends, lines starting with `.`
    /// doubled, and a final `.` line.
    Rfc1436,
}

impl TextFraming {
    /// Parses `as-is` or `rfc1436`.
    pub fn parse(text: &str) -> Option<TextFraming> {
        match text {
            "as-is" => Some(TextFraming::AsIs),
            "rfc1436" => Some(TextFraming::Rfc1436),
            _ => None,
        }
    }
}

/// Where the access log goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccessLogTarget {
    /// Standard output.
    Stdout,
    /// Appended to a file.
    File(PathBuf),
    /// Nowhere.
    Off,
}

/// Limits that protect the server as a whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerLimits {
    /// Longest request line accepted (selector, tab and query), in bytes.
    pub max_selector_length: usize,
    /// How long a client may take to send its request line.
    pub read_timeout: Duration,
    /// How long sending a response may stall (the client taking nothing),
    /// and the head start before `min_send_rate` applies.
    pub write_timeout: Duration,
    /// The slowest a response may go out on average, in bytes per second
    /// (0: no minimum): a response of N bytes may take `write_timeout` +
    /// N / `min_send_rate`.
    pub min_send_rate: u64,
    /// Requests answered at once; more are answered "busy". A connection
    /// takes one only once its request line is complete.
    pub max_connections: usize,
    /// Connections still sending their request line (or lingering after
    /// their answer) at once; beyond it the longest-waiting connection of
    /// the client holding the most is dropped.
    pub max_pending: usize,
    /// Connections one client (an IPv4 address, an IPv6 /64) may have
    /// pending, and requests it may have answered at once; 0 for no bound.
    pub max_per_client: usize,
    /// How long opening a static file or listing a folder may take (a hung
    /// mount); the request is answered with an error after it.
    pub file_timeout: Duration,
    /// Wasm handlers running at once (and instance slots kept ready).
    pub max_handlers: u32,
    /// Most elements a handler's table may start with (each instance slot
    /// keeps room for this many).
    pub max_table_elements: usize,
    /// How long a shutdown waits for requests in flight.
    pub shutdown_timeout: Duration,
}

impl Default for ServerLimits {
    fn default() -> Self {
        ServerLimits {
            max_selector_length: 1024,
            read_timeout: Duration::from_secs(10),
            write_timeout: Duration::from_secs(30),
            min_send_rate: 4096,
            max_connections: 256,
            max_pending: 1024,
            max_per_client: 16,
            file_timeout: Duration::from_secs(5),
            max_handlers: 32,
            max_table_elements: wasmhole_runtime::execution::engine::DEFAULT_POOL_TABLE_ELEMENTS,
            shutdown_timeout: Duration::from_secs(30),
        }
    }
}

/// Limits a handler gets when its route names none.
pub fn default_handler_limits() -> Limits {
    Limits {
        max_memory: Some(64 << 20),
        fuel: None,
        timeout: Some(Duration::from_secs(5)),
        max_output: Some(1 << 20),
        max_open_files: Some(16),
    }
}

/// One route: a selector prefix answered by a wasm handler.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteConfig {
    /// The selector prefix, starting with `/`, without a trailing `/`.
    pub selector: String,
    /// The module file (`.wasm` or `.wat`).
    pub module: PathBuf,
    /// The ABI, or `None` to detect it from the module's imports.
    pub abi: Option<Abi>,
    /// The exported function to start at, or `None` for the ABI's usual
    /// entry points.
    pub invoke: Option<String>,
    /// What the route answers with.
    pub kind: ItemKind,
    /// Arguments after the program name.
    pub args: Vec<String>,
    /// Extra environment variables.
    pub env: Vec<(String, String)>,
    /// Directories granted to the handler.
    pub dirs: Vec<DirGrant>,
    /// Limits of one run.
    pub limits: Limits,
}

/// Everything gopherd needs to start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Addresses to listen on.
    pub listen: Vec<SocketAddr>,
    /// The host name advertised in menus.
    pub host: String,
    /// The port advertised in menus; `None` means the first listener's.
    pub port: Option<u16>,
    /// The static gopherhole folder.
    pub root: Option<PathBuf>,
    /// Where the access log goes.
    pub access_log: AccessLogTarget,
    /// A folder receiving one JSON-lines syscall trace per handler request;
    /// never inside the root.
    pub trace_dir: Option<PathBuf>,
    /// The most trace files kept in `trace_dir`; the oldest go first.
    pub max_traces: usize,
    /// How text items go out.
    pub text_framing: TextFraming,
    /// How often handler modules are checked for changes; `None` never.
    pub reload_interval: Option<Duration>,
    /// Server-wide limits.
    pub limits: ServerLimits,
    /// Handler routes.
    pub routes: Vec<RouteConfig>,
    /// What the server says about itself (caps.txt, Gopher+ attributes).
    pub about: About,
    /// The handler service (deployments through the admin API), if on.
    pub admin: Option<AdminConfig>,
    /// The HTTP face, if on.
    pub http: Option<HttpConfig>,
}

/// The HTTP face: its address, whether the gopherhole is browsable there,
/// and its handler routes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpConfig {
    /// Where it listens.
    pub listen: SocketAddr,
    /// Whether the gopherhole is served as web pages.
    pub browse: bool,
    /// The largest request body read, in bytes.
    pub max_body: u64,
    /// Handler routes, in order.
    pub routes: Vec<HttpRoute>,
}

impl HttpConfig {
    /// The gopherhole as web pages on `listen`, with no handler routes.
    pub fn browsing(listen: SocketAddr) -> HttpConfig {
        HttpConfig {
            listen,
            browse: true,
            max_body: 1 << 20,
            routes: Vec::new(),
        }
    }
}

/// The CGI convention an HTTP route's handler speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Convention {
    /// WAGI: CGI 1.1 variables; the guest writes headers, a blank line,
    /// then the body.
    Wagi,
    /// Olin's cwa-cgi: a few variables; the guest writes a whole HTTP
    /// response.
    Cwagi,
}

/// One HTTP handler route.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpRoute {
    /// Its convention.
    pub convention: Convention,
    /// Whether only the path itself matches (WAGI's routes without `/...`).
    pub exact: bool,
    /// WAGI's `argv` template (`${SCRIPT_NAME}`, `${ARGS}`); without one,
    /// the program's name then the query's search words, as CGI gives.
    pub argv: Option<String>,
    /// The module and how it runs; `selector` is the path.
    pub route: RouteConfig,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileHttp {
    listen: String,
    browse: Option<bool>,
    max_body: Option<ByteSize>,
    wagi_modules: Option<PathBuf>,
    #[serde(default, rename = "route")]
    routes: Vec<FileRoute>,
}

/// A WAGI `modules.toml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WagiModules {
    #[serde(default)]
    module: Vec<WagiModule>,
}

/// One `[[module]]` of a WAGI `modules.toml`, with every field WAGI reads
/// from a file (modules fetched from a bindle server are not served).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WagiModule {
    route: String,
    module: PathBuf,
    entrypoint: Option<String>,
    #[serde(default)]
    volumes: BTreeMap<String, String>,
    #[serde(default)]
    environment: BTreeMap<String, String>,
    #[serde(default)]
    allowed_hosts: Vec<String>,
    http_max_concurrency: Option<u32>,
    argv: Option<String>,
}

/// The handler service: where its admin API listens, where it keeps
/// accounts, handler versions and logs, and its quotas.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdminConfig {
    /// The admin API's address; loopback unless `allow_remote`.
    pub listen: SocketAddr,
    /// The folder of accounts, handler versions and the audit log.
    pub state_dir: PathBuf,
    /// Versions kept per handler (the live one included).
    pub max_versions: usize,
    /// Handlers one account may have.
    pub max_handlers_per_account: usize,
    /// The largest module one may deploy, in bytes.
    pub max_module_size: u64,
    /// Invocations whose logs are kept per account.
    pub max_logged_invocations: usize,
    /// The NATS server (with JetStream) whose lattice keeps the service's
    /// state for every gopherd naming it (`nats://HOST:PORT`); `None`
    /// keeps it in `state_dir` alone. With a lattice, `state_dir` holds
    /// this server's copies of module bytes.
    pub lattice: Option<String>,
    /// This server's name in invocation logs (default: host name and
    /// process id).
    pub instance: String,
}

impl AdminConfig {
    /// The defaults, keeping state in `state_dir`.
    pub fn new(state_dir: PathBuf) -> AdminConfig {
        AdminConfig {
            listen: "127.0.0.1:7071".parse().expect("a valid address"),
            state_dir,
            max_versions: 5,
            max_handlers_per_account: 50,
            max_module_size: 16 << 20,
            max_logged_invocations: 1000,
            lattice: None,
            instance: default_instance(),
        }
    }
}

/// `HOST/PID`: which server answered, in a lattice's shared logs.
fn default_instance() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "gopherd".into());
    format!("{host}/{}", std::process::id())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileAdmin {
    listen: Option<String>,
    state_dir: PathBuf,
    allow_remote: Option<bool>,
    max_versions: Option<usize>,
    max_handlers_per_account: Option<usize>,
    max_module_size: Option<ByteSize>,
    max_logged_invocations: Option<usize>,
    lattice: Option<String>,
    instance: Option<String>,
}

/// What the server says about itself, each part optional.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct About {
    /// Who runs it, e.g. `Ann <ann@example.org>`.
    pub admin: Option<String>,
    /// What the hole is.
    pub description: Option<String>,
    /// Where it is, in words.
    pub location: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: vec![DEFAULT_LISTEN.parse().expect("a valid default address")],
            host: DEFAULT_HOST.into(),
            port: None,
            root: None,
            access_log: AccessLogTarget::Stdout,
            trace_dir: None,
            max_traces: 1000,
            text_framing: TextFraming::AsIs,
            reload_interval: Some(Duration::from_secs(1)),
            limits: ServerLimits::default(),
            routes: Vec::new(),
            about: About::default(),
            admin: None,
            http: None,
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<Vec<String>>,
    host: Option<String>,
    port: Option<u16>,
    root: Option<PathBuf>,
    access_log: Option<String>,
    trace_dir: Option<PathBuf>,
    max_traces: Option<usize>,
    text_framing: Option<String>,
    reload_interval: Option<String>,
    #[serde(default)]
    limits: FileLimits,
    #[serde(default, rename = "route")]
    routes: Vec<FileRoute>,
    #[serde(default)]
    about: About,
    admin: Option<FileAdmin>,
    http: Option<FileHttp>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileLimits {
    max_selector_length: Option<usize>,
    read_timeout: Option<String>,
    write_timeout: Option<String>,
    min_send_rate: Option<ByteSize>,
    max_connections: Option<usize>,
    max_pending: Option<usize>,
    max_per_client: Option<usize>,
    file_timeout: Option<String>,
    max_handlers: Option<u32>,
    max_table_elements: Option<usize>,
    shutdown_timeout: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRoute {
    #[serde(alias = "path")]
    selector: String,
    /// For HTTP routes: `wagi` or `cwagi`.
    convention: Option<String>,
    module: PathBuf,
    abi: Option<String>,
    invoke: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    args: Vec<String>,
    #[serde(default)]
    env: BTreeMap<String, String>,
    #[serde(default)]
    dirs: Vec<String>,
    timeout: Option<String>,
    memory: Option<ByteSize>,
    fuel: Option<u64>,
    max_output: Option<ByteSize>,
    open_files: Option<u32>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ByteSize {
    Number(u64),
    Text(String),
}

impl ByteSize {
    fn bytes(&self, what: &str) -> anyhow::Result<u64> {
        match self {
            ByteSize::Number(n) => Ok(*n),
            ByteSize::Text(t) => wasmhole_runtime::parse_bytes(t)
                .map_err(anyhow::Error::msg)
                .with_context(|| format!("in `{what}`")),
        }
    }
}

/// Parses a duration such as `500ms`, `2s` or `1m`.
pub fn parse_duration(text: &str) -> anyhow::Result<Duration> {
    humantime::parse_duration(text).with_context(|| format!("`{text}` is not a duration"))
}

fn duration(field: &str, value: Option<&String>, default: Duration) -> anyhow::Result<Duration> {
    match value {
        Some(v) => parse_duration(v).with_context(|| format!("in `{field}`")),
        None => Ok(default),
    }
}

/// Parses a listen address: `IP:PORT`, with IPv6 addresses in brackets.
pub fn parse_listen(text: &str) -> anyhow::Result<SocketAddr> {
    text.parse().with_context(|| {
        format!("`{text}` is not a listen address (write 127.0.0.1:7070 or [::1]:7070)")
    })
}

/// Turns a route's selector into the canonical prefix form: a leading `/`,
/// no trailing `/` (except the root itself).
pub fn normalize_prefix(selector: &str) -> anyhow::Result<String> {
    if selector.chars().any(|c| c.is_control()) {
        bail!("route selector {selector:?} contains a control character");
    }
    let trimmed = selector.trim_end_matches('/');
    let prefix = if trimmed.starts_with('/') {
        trimmed.to_string()
    } else {
        format!("/{trimmed}")
    };
    if prefix.split('/').any(|c| c == "..") {
        bail!("route selector {selector:?} contains `..`");
    }
    Ok(prefix)
}

impl Config {
    /// A configuration serving `root` with the defaults.
    pub fn for_root(root: impl Into<PathBuf>) -> Config {
        Config {
            root: Some(root.into()),
            ..Config::default()
        }
    }

    /// Reads a TOML file; relative paths in it are taken from its folder.
    pub fn from_file(path: &Path) -> anyhow::Result<Config> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read config {}", path.display()))?;
        let base = path.parent().unwrap_or(Path::new("."));
        Config::from_toml(&text, base).with_context(|| format!("in config {}", path.display()))
    }

    /// Parses TOML text; relative paths are resolved against `base`.
    pub fn from_toml(text: &str, base: &Path) -> anyhow::Result<Config> {
        let file: FileConfig = toml::from_str(text)?;
        let defaults = Config::default();
        let resolve = |p: &Path| -> PathBuf {
            if p.is_absolute() {
                p.to_path_buf()
            } else {
                base.join(p)
            }
        };
        let listen = match &file.listen {
            Some(list) if !list.is_empty() => list
                .iter()
                .map(|l| parse_listen(l))
                .collect::<anyhow::Result<Vec<_>>>()?,
            _ => defaults.listen.clone(),
        };
        let access_log = match file.access_log.as_deref() {
            None | Some("-") => AccessLogTarget::Stdout,
            Some("off") => AccessLogTarget::Off,
            Some(path) => AccessLogTarget::File(resolve(Path::new(path))),
        };
        let reload_interval = match file.reload_interval.as_deref() {
            None => defaults.reload_interval,
            Some("off") => None,
            Some(text) => Some(parse_duration(text).context("in `reload_interval`")?),
        };
        let d = ServerLimits::default();
        let l = &file.limits;
        let limits = ServerLimits {
            max_selector_length: l.max_selector_length.unwrap_or(d.max_selector_length),
            read_timeout: duration(
                "limits.read_timeout",
                l.read_timeout.as_ref(),
                d.read_timeout,
            )?,
            write_timeout: duration(
                "limits.write_timeout",
                l.write_timeout.as_ref(),
                d.write_timeout,
            )?,
            min_send_rate: match &l.min_send_rate {
                Some(rate) => rate.bytes("limits.min_send_rate")?,
                None => d.min_send_rate,
            },
            max_connections: l.max_connections.unwrap_or(d.max_connections),
            max_pending: l.max_pending.unwrap_or(d.max_pending),
            max_per_client: l.max_per_client.unwrap_or(d.max_per_client),
            file_timeout: duration(
                "limits.file_timeout",
                l.file_timeout.as_ref(),
                d.file_timeout,
            )?,
            max_handlers: l.max_handlers.unwrap_or(d.max_handlers),
            max_table_elements: l.max_table_elements.unwrap_or(d.max_table_elements),
            shutdown_timeout: duration(
                "limits.shutdown_timeout",
                l.shutdown_timeout.as_ref(),
                d.shutdown_timeout,
            )?,
        };
        if limits.max_selector_length == 0 {
            bail!("`limits.max_selector_length` must be at least 1");
        }
        if limits.max_connections == 0 || limits.max_handlers == 0 || limits.max_pending == 0 {
            bail!(
                "`limits.max_connections`, `limits.max_pending` and `limits.max_handlers` must be at least 1"
            );
        }
        let text_framing = match file.text_framing.as_deref() {
            None => defaults.text_framing,
            Some(text) => TextFraming::parse(text).with_context(|| {
                format!("`text_framing = \"{text}\"`: use \"as-is\" or \"rfc1436\"")
            })?,
        };
        let mut routes = Vec::new();
        for r in &file.routes {
            if r.convention.is_some() {
                bail!(
                    "the route for selector {:?} has a `convention`, which only [[http.route]] routes take",
                    r.selector
                );
            }
            let route = route_config(r, &resolve)
                .with_context(|| format!("in the route for selector {:?}", r.selector))?;
            if routes
                .iter()
                .any(|o: &RouteConfig| o.selector == route.selector)
            {
                bail!("two routes have the selector {:?}", route.selector);
            }
            routes.push(route);
        }
        Ok(Config {
            listen,
            host: file.host.unwrap_or(defaults.host),
            port: file.port,
            root: file.root.as_deref().map(resolve),
            access_log,
            trace_dir: file.trace_dir.as_deref().map(resolve),
            max_traces: file.max_traces.unwrap_or(defaults.max_traces),
            text_framing,
            reload_interval,
            limits,
            routes,
            about: file.about,
            admin: match &file.admin {
                Some(a) => Some(admin_config(a, &resolve)?),
                None => None,
            },
            http: match &file.http {
                Some(h) => Some(http_config(h, &resolve).context("in [http]")?),
                None => None,
            },
        })
    }
}

fn http_config(h: &FileHttp, resolve: &dyn Fn(&Path) -> PathBuf) -> anyhow::Result<HttpConfig> {
    let mut routes = Vec::new();
    for r in &h.routes {
        let convention = match r.convention.as_deref() {
            None | Some("wagi") => Convention::Wagi,
            Some("cwagi") => Convention::Cwagi,
            Some(other) => bail!("unknown convention `{other}` (use wagi or cwagi)"),
        };
        let route = route_config(r, resolve)
            .with_context(|| format!("in the route for path {:?}", r.selector))?;
        routes.push(HttpRoute {
            convention,
            exact: false,
            argv: None,
            route,
        });
    }
    if let Some(path) = &h.wagi_modules {
        let path = resolve(path);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let modules: WagiModules = toml::from_str(&text).with_context(|| {
            format!(
                "in {} (a WAGI modules.toml: [[module]] with route, module, entrypoint, volumes, environment, allowed_hosts, http_max_concurrency, argv)",
                path.display()
            )
        })?;
        let base = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        for m in modules.module {
            let (prefix, exact) = match m.route.strip_suffix("/...") {
                Some(p) => (p.to_string(), false),
                None => (m.route.clone(), true),
            };
            let module = if m.module.is_absolute() {
                m.module.clone()
            } else {
                base.join(&m.module)
            };
            let dirs = m
                .volumes
                .iter()
                .map(|(guest, host)| DirGrant {
                    host: if Path::new(host).is_absolute() {
                        PathBuf::from(host)
                    } else {
                        base.join(host)
                    },
                    guest: guest.clone(),
                })
                .collect::<Vec<_>>();
            let mut limits = default_handler_limits();
            limits.max_open_files = Some(16 + dirs.len() as u32);
            if !m.allowed_hosts.is_empty() {
                // WASI preview 1 has no outbound HTTP: nothing to allow.
                tracing::info!(
                    "{}: allowed_hosts {:?} has no effect: WASI handlers have no outbound HTTP here",
                    m.route,
                    m.allowed_hosts
                );
            }
            if let Some(n) = m.http_max_concurrency {
                tracing::info!(
                    "{}: http_max_concurrency {n}: every handler shares limits.max_handlers here",
                    m.route
                );
            }
            routes.push(HttpRoute {
                convention: Convention::Wagi,
                exact,
                argv: m.argv.clone(),
                route: RouteConfig {
                    selector: normalize_prefix(if prefix.is_empty() { "/" } else { &prefix })?,
                    module,
                    abi: Some(Abi::Wasi),
                    invoke: m.entrypoint.clone(),
                    kind: ItemKind::Binary,
                    args: Vec::new(),
                    env: m.environment.clone().into_iter().collect(),
                    dirs,
                    limits,
                },
            });
        }
    }
    Ok(HttpConfig {
        listen: parse_listen(&h.listen).context("in `http.listen`")?,
        browse: h.browse.unwrap_or(true),
        max_body: match &h.max_body {
            Some(b) => b.bytes("http.max_body")?,
            None => 1 << 20,
        },
        routes,
    })
}

fn admin_config(a: &FileAdmin, resolve: &dyn Fn(&Path) -> PathBuf) -> anyhow::Result<AdminConfig> {
    let mut admin = AdminConfig::new(resolve(&a.state_dir));
    if let Some(listen) = &a.listen {
        admin.listen = parse_listen(listen).context("in `admin.listen`")?;
    }
    if !admin.listen.ip().is_loopback() && a.allow_remote != Some(true) {
        bail!(
            "`admin.listen` is {}, off this machine: the admin API answers only on loopback unless `admin.allow_remote = true`",
            admin.listen
        );
    }
    if let Some(n) = a.max_versions {
        if n == 0 {
            bail!("`admin.max_versions` must be at least 1");
        }
        admin.max_versions = n;
    }
    if let Some(n) = a.max_handlers_per_account {
        admin.max_handlers_per_account = n;
    }
    if let Some(size) = &a.max_module_size {
        admin.max_module_size = size.bytes("admin.max_module_size")?;
    }
    if let Some(n) = a.max_logged_invocations {
        admin.max_logged_invocations = n;
    }
    if let Some(url) = &a.lattice {
        if !url.starts_with("nats://") {
            bail!("`admin.lattice` is `{url}`: write the NATS server as nats://HOST:PORT");
        }
        admin.lattice = Some(url.clone());
    }
    if let Some(name) = &a.instance {
        admin.instance = name.clone();
    }
    Ok(admin)
}

fn route_config(r: &FileRoute, resolve: &dyn Fn(&Path) -> PathBuf) -> anyhow::Result<RouteConfig> {
    let selector = normalize_prefix(&r.selector)?;
    let abi =
        match r.abi.as_deref() {
            None | Some("auto") => None,
            Some(name) => Some(Abi::parse(name).with_context(|| {
                format!("unknown ABI `{name}` (use wasi, dagger, olin or auto)")
            })?),
        };
    let kind = match r.kind.as_deref() {
        None => ItemKind::Text,
        Some(k) => ItemKind::parse(k)
            .with_context(|| format!("unknown type `{k}` (use menu, text or binary)"))?,
    };
    let d = default_handler_limits();
    let limits = Limits {
        max_memory: match &r.memory {
            Some(m) => Some(m.bytes("memory")?),
            None => d.max_memory,
        },
        fuel: r.fuel,
        timeout: Some(duration(
            "timeout",
            r.timeout.as_ref(),
            d.timeout.unwrap_or_default(),
        )?),
        max_output: match &r.max_output {
            Some(m) => Some(m.bytes("max_output")?),
            None => d.max_output,
        },
        max_open_files: Some(r.open_files.unwrap_or(d.max_open_files.unwrap_or(16))),
    };
    let dirs = r
        .dirs
        .iter()
        .map(|spec| {
            let g = DirGrant::parse(spec);
            DirGrant {
                host: resolve(&g.host),
                guest: g.guest,
            }
        })
        .collect();
    let open_files = limits.max_open_files.unwrap_or(0) as usize;
    if open_files < r.dirs.len() {
        bail!(
            "`open_files` ({open_files}) must be at least the number of `dirs` ({}): a WASI handler holds each granted folder open",
            r.dirs.len()
        );
    }
    Ok(RouteConfig {
        selector,
        module: resolve(&r.module),
        abi,
        invoke: r.invoke.clone(),
        kind,
        args: r.args.clone(),
        env: r.env.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        dirs,
        limits,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_file_parses_with_paths_from_its_folder() {
        let text = r#"
            listen = ["127.0.0.1:7070", "[::1]:7070"]
            host = "gopher.example"
            port = 70
            root = "static"
            access_log = "logs/access.log"
            reload_interval = "250ms"
            [limits]
            max_selector_length = 200
            read_timeout = "2s"
            max_connections = 10
            [[route]]
            selector = "/guestbook/"
            module = "handlers/guestbook.wat"
            abi = "wasi"
            type = "menu"
            args = ["--verbose"]
            env = { GREETING = "hello" }
            dirs = ["data::/data"]
            timeout = "1s"
            memory = "16M"
            fuel = 1000000
            max_output = 4096
            open_files = 4
        "#;
        let c = Config::from_toml(text, Path::new("/srv/hole")).unwrap();
        assert_eq!(c.listen.len(), 2);
        assert!(c.listen[1].is_ipv6());
        assert_eq!(c.host, "gopher.example");
        assert_eq!(c.port, Some(70));
        assert_eq!(c.root.as_deref(), Some(Path::new("/srv/hole/static")));
        assert_eq!(
            c.access_log,
            AccessLogTarget::File("/srv/hole/logs/access.log".into())
        );
        assert_eq!(c.reload_interval, Some(Duration::from_millis(250)));
        assert_eq!(c.limits.max_selector_length, 200);
        assert_eq!(c.limits.read_timeout, Duration::from_secs(2));
        assert_eq!(c.limits.max_connections, 10);
        assert_eq!(c.limits.max_handlers, ServerLimits::default().max_handlers);
        let r = &c.routes[0];
        assert_eq!(r.selector, "/guestbook");
        assert_eq!(r.module, Path::new("/srv/hole/handlers/guestbook.wat"));
        assert_eq!(r.abi, Some(Abi::Wasi));
        assert_eq!(r.kind, ItemKind::Menu);
        assert_eq!(r.env, vec![("GREETING".into(), "hello".into())]);
        assert_eq!(r.dirs[0].host, Path::new("/srv/hole/data"));
        assert_eq!(r.dirs[0].guest, "/data");
        assert_eq!(r.limits.timeout, Some(Duration::from_secs(1)));
        assert_eq!(r.limits.max_memory, Some(16 << 20));
        assert_eq!(r.limits.fuel, Some(1_000_000));
        assert_eq!(r.limits.max_output, Some(4096));
        assert_eq!(r.limits.max_open_files, Some(4));
        let too_few = "[[route]]\nselector = \"/g\"\nmodule = \"g.wat\"\ndirs = [\"a::/a\", \"b::/b\"]\nopen_files = 1\n";
        let err = format!(
            "{:#}",
            Config::from_toml(too_few, Path::new("/")).unwrap_err()
        );
        assert!(
            err.contains("`open_files` (1) must be at least the number of `dirs` (2)"),
            "{err}"
        );
    }

    #[test]
    fn an_empty_file_means_the_defaults() {
        let c = Config::from_toml("", Path::new(".")).unwrap();
        assert_eq!(c, Config::default());
    }

    #[test]
    fn mistakes_are_named() {
        let err =
            |text: &str| format!("{:#}", Config::from_toml(text, Path::new(".")).unwrap_err());
        assert!(err("lsiten = []").contains("lsiten"));
        assert!(err(r#"listen = ["localhost"]"#).contains("not a listen address"));
        assert!(
            err("[[route]]\nselector = \"/a\"\nmodule = \"a.wat\"\nabi = \"cobol\"")
                .contains("unknown ABI `cobol`")
        );
        assert!(
            err("[[route]]\nselector = \"/a\"\nmodule = \"a.wat\"\ntype = \"movie\"")
                .contains("unknown type `movie`")
        );
        assert!(
            err("[[route]]\nselector = \"/a\"\nmodule = \"a.wat\"\ntimeout = \"soon\"")
                .contains("not a duration")
        );
        assert!(
            err("[[route]]\nselector = \"/a\"\nmodule = \"a.wat\"\nmemory = \"lots\"")
                .contains("not a byte count")
        );
        assert!(
            err("[[route]]\nselector = \"/a\"\nmodule = \"a.wat\"\n[[route]]\nselector = \"a/\"\nmodule = \"b.wat\"")
                .contains("two routes")
        );
        assert!(err("[limits]\nmax_connections = 0").contains("at least 1"));
    }

    #[test]
    fn bad_byte_counts_name_their_field() {
        let text = "[[route]]\nselector = \"/a\"\nmodule = \"a.wat\"\nmax_output = \"3X\"";
        let e = format!("{:#}", Config::from_toml(text, Path::new(".")).unwrap_err());
        assert!(e.contains("max_output"), "{e}");
        assert!(e.contains("`3X` is not a byte count"), "{e}");
    }

    #[test]
    fn the_http_face_takes_routes_with_a_convention() {
        let text = "[http]\nlisten = \"127.0.0.1:8080\"\nmax_body = \"2K\"\n\
                    [[http.route]]\npath = \"/env\"\nmodule = \"env.wasm\"\n\
                    [[http.route]]\npath = \"/cw/\"\nconvention = \"cwagi\"\nmodule = \"cw.wasm\"\n";
        let c = Config::from_toml(text, Path::new("/hole")).unwrap();
        let http = c.http.unwrap();
        assert_eq!(http.listen, "127.0.0.1:8080".parse().unwrap());
        assert_eq!((http.browse, http.max_body), (true, 2048));
        assert_eq!(http.routes[0].convention, Convention::Wagi);
        assert_eq!(http.routes[1].convention, Convention::Cwagi);
        assert_eq!(http.routes[1].route.selector, "/cw");
        assert_eq!(http.routes[1].route.module, Path::new("/hole/cw.wasm"));
        let e = |t: &str| format!("{:#}", Config::from_toml(t, Path::new(".")).unwrap_err());
        assert!(
            e("[http]\nlisten = \"127.0.0.1:1\"\n[[http.route]]\npath = \"/a\"\nmodule = \"a.wasm\"\nconvention = \"fastcgi\"")
                .contains("unknown convention `fastcgi`")
        );
        assert!(
            e("[[route]]\nselector = \"/a\"\nmodule = \"a.wat\"\nconvention = \"wagi\"")
                .contains("only [[http.route]] routes take")
        );
        assert!(e("[http]\nlisten = \"somewhere\"").contains("http.listen"));
    }

    #[test]
    fn the_lattice_is_named_as_a_nats_address() {
        let text = "[admin]\nstate_dir = \"state\"\nlattice = \"nats://10.0.0.5:4222\"\ninstance = \"g1\"\n";
        let admin = Config::from_toml(text, Path::new("/srv"))
            .unwrap()
            .admin
            .unwrap();
        assert_eq!(admin.lattice.as_deref(), Some("nats://10.0.0.5:4222"));
        assert_eq!(admin.instance, "g1");
        assert_eq!(admin.state_dir, Path::new("/srv/state"));
        let plain = Config::from_toml("[admin]\nstate_dir = \"s\"\n", Path::new("."))
            .unwrap()
            .admin
            .unwrap();
        assert_eq!(plain.lattice, None, "a folder by default");
        assert!(
            plain
                .instance
                .ends_with(&format!("/{}", std::process::id()))
        );
        let e = format!(
            "{:#}",
            Config::from_toml(
                "[admin]\nstate_dir = \"s\"\nlattice = \"10.0.0.5:4222\"\n",
                Path::new(".")
            )
            .unwrap_err()
        );
        assert!(e.contains("nats://HOST:PORT"), "{e}");
    }
}
