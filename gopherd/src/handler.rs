//! Wasm handlers: a route's module and settings, the request passed to it
//! CGI-style, one run in a fresh sandbox on the fast path, and how that run
//! ended turned into output or a failure with a short reason.
//!
//! Every ABI gets the same arguments and environment; what differs is
//! standard input:
//! - WASI and Olin read the search query (no line ending) on stdin;
//! - Dagger, which has no environment, reads the request line
//!   (`selector [TAB query] CRLF`) on `fd://0`, followed by the same
//!   variables as `NAME=value` lines.

use crate::config::{ItemKind, RouteConfig};
use crate::gophermap::Site;
use crate::request::Request;
use anyhow::Context;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};
use wasmhole_runtime::calls::sink::RecordSink;
use wasmhole_runtime::execution::engine::TableTooLarge;
use wasmhole_runtime::execution::start;
use wasmhole_runtime::{
    Abi, ExitStatus, FailureKind, InputSpec, OutputSpec, ProcessConfig, Program, RunOptions,
    Runtime, SharedBuffer,
};

/// The module a handler runs now.
#[derive(Clone)]
pub struct Loaded {
    /// The program.
    pub program: Program,
    /// The ABI it runs under.
    pub abi: Abi,
    /// The module file's stamp when it was read.
    pub stamp: Option<FileStamp>,
}

/// A route answered by a wasm module.
pub struct Handler {
    route: RouteConfig,
    loaded: RwLock<Loaded>,
    /// The stamp of the last version tried, good or broken.
    pub(crate) seen: RwLock<Option<FileStamp>>,
}

/// One request as a handler sees it.
pub struct CgiRequest<'a> {
    /// The request.
    pub request: &'a Request,
    /// The selector after the route's prefix.
    pub path_info: &'a str,
    /// The client.
    pub remote: SocketAddr,
    /// The advertised name of this server.
    pub site: &'a Site,
    /// When the request arrived.
    pub time: SystemTime,
}

/// How a handler run failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HandlerFailure {
    /// One word for the access log: `exit`, `trap`, `timeout`, `fuel`,
    /// `output-limit`, `killed` or `setup`.
    pub outcome: &'static str,
    /// A short reason for the client's error item.
    pub reason: String,
    /// The full story for the server log.
    pub detail: String,
}

impl CgiRequest<'_> {
    /// The CGI variables, in a fixed order.
    pub fn variables(&self, script_name: &str) -> Vec<(String, String)> {
        let time = self
            .time
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        [
            ("SELECTOR", self.request.selector.clone()),
            ("QUERY", self.request.query.clone().unwrap_or_default()),
            ("SCRIPT_NAME", script_name.to_string()),
            ("PATH_INFO", self.path_info.to_string()),
            ("REMOTE_ADDR", self.remote.ip().to_string()),
            ("REMOTE_PORT", self.remote.port().to_string()),
            ("SERVER_NAME", self.site.host.clone()),
            ("SERVER_PORT", self.site.port.to_string()),
            ("SERVER_SOFTWARE", crate::SERVER_SOFTWARE.to_string()),
            ("REQUEST_TIME", time.to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }
}

impl Handler {
    /// Reads, compiles and links the route's module.
    pub fn load(route: RouteConfig, runtime: &Runtime) -> anyhow::Result<Handler> {
        let loaded = compile(&route, runtime)?;
        Ok(Handler {
            seen: RwLock::new(loaded.stamp),
            loaded: RwLock::new(loaded),
            route,
        })
    }

    /// The route's configuration.
    pub fn route(&self) -> &RouteConfig {
        &self.route
    }

    /// The selector prefix it answers.
    pub fn prefix(&self) -> &str {
        &self.route.selector
    }

    /// What it answers with.
    pub fn kind(&self) -> ItemKind {
        self.route.kind
    }

    /// The module it runs now.
    pub fn loaded(&self) -> Loaded {
        self.loaded
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Replaces the module it runs.
    pub(crate) fn replace(&self, loaded: Loaded) {
        *self.loaded.write().unwrap_or_else(|e| e.into_inner()) = loaded;
    }

    /// The selector base relative menu selectors start from.
    pub fn menu_base(&self) -> String {
        let prefix = self.prefix().trim_end_matches('/');
        format!("{prefix}/")
    }

    /// The process recipe for one request, with fresh output buffers.
    pub fn process_config(
        &self,
        cgi: &CgiRequest<'_>,
        abi: Abi,
        program_name: &str,
        stdout: &SharedBuffer,
        stderr: &SharedBuffer,
    ) -> ProcessConfig {
        let variables = cgi.variables(self.prefix());
        let mut args = vec![program_name.to_string()];
        args.extend(self.route.args.iter().cloned());
        if let Some(q) = &cgi.request.query {
            args.extend(q.split_whitespace().map(str::to_string));
        }
        let stdin: Arc<[u8]> = match abi {
            Abi::Dagger => {
                let mut text = cgi.request.line();
                for (k, v) in &variables {
                    text.push_str(&format!("{k}={v}\n"));
                }
                Arc::from(text.into_bytes())
            }
            _ => Arc::from(cgi.request.query.clone().unwrap_or_default().into_bytes()),
        };
        self.process(args, variables, stdin, stdout, stderr)
    }

    /// The process of one request, whatever the face: `args` as given,
    /// the request's `variables` followed by the route's own environment
    /// (which never replaces one of them), `stdin`, output into the
    /// buffers, and the route's entry point, folders and limits.
    pub fn process(
        &self,
        args: Vec<String>,
        variables: Vec<(String, String)>,
        stdin: Arc<[u8]>,
        stdout: &SharedBuffer,
        stderr: &SharedBuffer,
    ) -> ProcessConfig {
        let mut env = variables;
        for (k, v) in &self.route.env {
            if !env.iter().any(|(name, _)| name == k) {
                env.push((k.clone(), v.clone()));
            }
        }
        ProcessConfig {
            entry: self.route.invoke.clone(),
            args,
            env,
            dirs: self.route.dirs.clone(),
            stdin: InputSpec::Bytes(stdin),
            stdout: OutputSpec::Buffer(stdout.clone()),
            stderr: OutputSpec::Buffer(stderr.clone()),
            limits: self.route.limits.clone(),
            ..ProcessConfig::default()
        }
    }

    /// Runs the handler for one request in a fresh instance: its standard
    /// output (unframed) or how it failed, with its stderr and run time.
    pub fn run(
        &self,
        runtime: &Runtime,
        cgi: &CgiRequest<'_>,
        sinks: Vec<Box<dyn RecordSink>>,
    ) -> Ran {
        self.run_with(runtime, sinks, |loaded, stdout, stderr| {
            self.process_config(cgi, loaded.abi, loaded.program.name(), stdout, stderr)
        })
    }

    /// Runs the handler in a fresh instance with the process `config`
    /// makes (from the module it runs now and fresh output buffers).
    pub fn run_with(
        &self,
        runtime: &Runtime,
        sinks: Vec<Box<dyn RecordSink>>,
        config: impl FnOnce(&Loaded, &SharedBuffer, &SharedBuffer) -> ProcessConfig,
    ) -> Ran {
        let loaded = self.loaded();
        let stdout = SharedBuffer::new();
        let stderr = SharedBuffer::new();
        let config = config(&loaded, &stdout, &stderr);
        let report = runtime.run(
            &loaded.program,
            RunOptions {
                abi: Some(loaded.abi),
                config,
                sinks,
            },
        );
        let errors = stderr.text();
        let note = last_line(&errors)
            .map(|l| format!("; its last stderr line: {l}"))
            .unwrap_or_default();
        let result = match report.status {
            ExitStatus::Exited(0) => Ok(stdout.take()),
            ExitStatus::Exited(code) => Err(HandlerFailure {
                outcome: "exit",
                reason: format!("handler failed (exit status {code})"),
                detail: format!(
                    "guest `{}` exited with status {code}{note}",
                    loaded.program.name()
                ),
            }),
            ExitStatus::Failed(f) => {
                let (outcome, reason) = match f.kind {
                    FailureKind::Timeout => ("timeout", "handler timed out"),
                    FailureKind::OutOfFuel => ("fuel", "handler ran out of fuel"),
                    FailureKind::Trap => ("trap", "handler crashed"),
                    FailureKind::OutputLimit => ("output-limit", "handler output too large"),
                    FailureKind::Killed => ("killed", "handler was stopped"),
                    _ => ("setup", "handler could not start"),
                };
                Err(HandlerFailure {
                    outcome,
                    reason: reason.into(),
                    detail: format!("{}{note}", f.message),
                })
            }
        };
        Ran {
            result,
            stderr: errors,
            elapsed: report.elapsed,
        }
    }
}

/// One run of a handler.
pub struct Ran {
    /// Its standard output, or how it failed.
    pub result: Result<Vec<u8>, HandlerFailure>,
    /// What it wrote to stderr.
    pub stderr: String,
    /// How long it ran.
    pub elapsed: std::time::Duration,
}

fn last_line(text: &str) -> Option<&str> {
    text.lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(|l| &l[..l.floor_char_boundary(200)])
}

/// What identifies one version of a file on disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileStamp {
    /// Last modification.
    pub modified: SystemTime,
    /// Size in bytes.
    pub len: u64,
}

impl FileStamp {
    /// The stamp of the file at `path`, if it can be read.
    pub fn of(path: &Path) -> Option<FileStamp> {
        let meta = std::fs::metadata(path).ok()?;
        Some(FileStamp {
            modified: meta.modified().ok()?,
            len: meta.len(),
        })
    }
}

/// Reads, compiles and links a route's module, checking it has the entry
/// point the route starts it at (its `invoke`, or the ABI's usual one).
pub fn compile(route: &RouteConfig, runtime: &Runtime) -> anyhow::Result<Loaded> {
    let path = &route.module;
    let stamp = FileStamp::of(path);
    let program = Program::from_file(path)?;
    let (abi, _entry) = start::startable(&program, route.abi, route.invoke.as_deref())?;
    runtime
        .prepare(&program, abi)
        .map_err(|e| match e.downcast_ref::<TableTooLarge>() {
            Some(TableTooLarge { elements, limit }) => anyhow::anyhow!(
                "its table starts with {elements} elements, more than `limits.max_table_elements` ({limit}) allows; raise that setting to serve it"
            ),
            None => anyhow::anyhow!("{e:#}"),
        })
        .with_context(|| format!("cannot link {}", path.display()))?;
    Ok(Loaded {
        program,
        abi,
        stamp,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::default_handler_limits;
    use std::path::PathBuf;

    fn handler_with(route_env: Vec<(String, String)>) -> Handler {
        let program = Program::from_wat("h.wat", "(module (func (export \"_start\")))").unwrap();
        Handler {
            route: RouteConfig {
                selector: "/cgi".into(),
                module: PathBuf::from("h.wat"),
                abi: None,
                invoke: None,
                kind: ItemKind::Text,
                args: vec!["--fancy".into()],
                env: route_env,
                dirs: Vec::new(),
                limits: default_handler_limits(),
            },
            loaded: RwLock::new(Loaded {
                program,
                abi: Abi::Wasi,
                stamp: None,
            }),
            seen: RwLock::new(None),
        }
    }

    fn stdin_text(c: &ProcessConfig) -> String {
        match &c.stdin {
            InputSpec::Bytes(b) => String::from_utf8(b.to_vec()).unwrap(),
            _ => panic!("stdin is not bytes"),
        }
    }

    #[test]
    fn requests_are_passed_cgi_style() {
        let h = handler_with(vec![
            ("GREETING".into(), "hi".into()),
            ("SELECTOR".into(), "spoofed".into()),
        ]);
        let request = Request {
            query: Some("wasm  gopher".into()),
            ..Request::new("/cgi/find/more")
        };
        let site = Site {
            host: "example.org".into(),
            port: 7070,
        };
        let cgi = CgiRequest {
            request: &request,
            path_info: "/find/more",
            remote: "127.0.0.1:5555".parse().unwrap(),
            site: &site,
            time: UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000),
        };
        let (out, err) = (SharedBuffer::new(), SharedBuffer::new());
        let c = h.process_config(&cgi, Abi::Wasi, "h.wat", &out, &err);
        assert_eq!(c.args, ["h.wat", "--fancy", "wasm", "gopher"]);
        let env = |k: &str| {
            let values: Vec<_> = c.env.iter().filter(|(n, _)| n == k).collect();
            assert_eq!(values.len(), 1, "{k} appears once");
            values[0].1.clone()
        };
        assert_eq!(env("SELECTOR"), "/cgi/find/more");
        assert_eq!(env("QUERY"), "wasm  gopher");
        assert_eq!(env("SCRIPT_NAME"), "/cgi");
        assert_eq!(env("PATH_INFO"), "/find/more");
        assert_eq!(env("REMOTE_ADDR"), "127.0.0.1");
        assert_eq!(env("SERVER_NAME"), "example.org");
        assert_eq!(env("SERVER_PORT"), "7070");
        assert_eq!(env("REQUEST_TIME"), "1700000000");
        assert_eq!(env("GREETING"), "hi");
        assert_eq!(stdin_text(&c), "wasm  gopher");

        let d = h.process_config(&cgi, Abi::Dagger, "h.wat", &out, &err);
        let text = stdin_text(&d);
        assert!(text.starts_with("/cgi/find/more\twasm  gopher\r\nSELECTOR=/cgi/find/more\n"));
        assert!(text.contains("\nREMOTE_ADDR=127.0.0.1\n"));
    }

    #[test]
    fn relative_menu_selectors_start_at_the_prefix() {
        assert_eq!(handler_with(Vec::new()).menu_base(), "/cgi/");
    }
}
