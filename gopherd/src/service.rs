//! The server without its sockets: one parsed request in, one framed
//! response out. It owns the wasm runtime, the handlers, the static root and
//! the router, so the workbench can browse a gopherhole in-process through
//! [`Gopherd::respond_blocking`] while the network server uses
//! [`Gopherd::respond`].

use crate::config::{About, Config, HttpRoute, TextFraming};
use crate::deploy::Deployments;
use crate::deploy::logs::{CallCount, Invocation};
use crate::framing::{self, Body};
use crate::gophermap::Site;
use crate::handler::{CgiRequest, Handler};
use crate::reload;
use crate::request::{Plus, Request};
use crate::router::{Router, Target};
use crate::static_files::{ItemInfo, StaticError, StaticRoot};
use crate::throttle;
use crate::traces::TraceDir;
use crate::workers::Workers;
use crate::{ItemKind, caps, gopher_plus, gophermap};
use anyhow::Context;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio::sync::Semaphore;
use wasmhole_runtime::calls::sink::RecordSink;
use wasmhole_runtime::calls::summary::{Summary, SummarySink};
use wasmhole_runtime::{Abi, EngineOptions, ProcessConfig, Runtime, SharedBuffer};

/// The route name the access log uses for the static gopherhole.
pub const STATIC_ROUTE: &str = "static";

/// What became of a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Served.
    Ok,
    /// Nothing at that selector.
    NotFound,
    /// The selector is not allowed (`..`, outside the root).
    Refused,
    /// The request line could not be parsed.
    BadRequest,
    /// The request line was too long.
    TooLong,
    /// The client did not send its request line in time.
    ReadTimeout,
    /// Too many connections at once.
    Busy,
    /// Too many connections from this client at once.
    ClientBusy,
    /// A handler failed; the word says how (`timeout`, `trap`…).
    HandlerFailed(&'static str),
    /// Something on the server went wrong (a file could not be read).
    Error,
}

impl Outcome {
    /// The word the access log shows.
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::NotFound => "not-found",
            Outcome::Refused => "refused",
            Outcome::BadRequest => "bad-request",
            Outcome::TooLong => "too-long",
            Outcome::ReadTimeout => "read-timeout",
            Outcome::Busy => "busy",
            Outcome::ClientBusy => "client-busy",
            Outcome::HandlerFailed(how) => how,
            Outcome::Error => "error",
        }
    }
}

/// A response ready for the wire.
#[derive(Debug)]
pub struct Response {
    /// What to send.
    pub body: Body,
    /// `static`, or the prefix of the handler route that answered.
    pub route: String,
    /// What became of the request.
    pub outcome: Outcome,
    /// The syscall trace written for it, if any.
    pub trace: Option<PathBuf>,
}

impl Response {
    /// An error item response.
    pub fn error_for(route: &str, outcome: Outcome, reason: &str) -> Response {
        Response {
            body: Body::Bytes(framing::error(reason)),
            route: route.to_string(),
            outcome,
            trace: None,
        }
    }
}

/// What a request to a wasm handler runs (see [`Gopherd::handler_recipe`]).
#[derive(Clone, Debug)]
pub struct HandlerRecipe {
    /// The route's selector prefix.
    pub route: String,
    /// The module file.
    pub module: PathBuf,
    /// The ABI it runs under.
    pub abi: Abi,
    /// The process: arguments, environment, standard input, directories
    /// and limits as the handler gets them.
    pub config: ProcessConfig,
}

/// A gopherhole: static files and wasm handlers behind one router.
pub struct Gopherd {
    site: Site,
    router: Router,
    handlers: Vec<Handler>,
    root: Option<StaticRoot>,
    runtime: Runtime,
    handler_slots: Arc<Semaphore>,
    /// The threads requests are worked on.
    workers: Workers,
    static_slots: Arc<Semaphore>,
    file_timeout: Duration,
    traces: Option<TraceDir>,
    text_framing: TextFraming,
    about: About,
    deployments: Option<Deployments>,
    /// The HTTP face's handler routes, and the router over their paths.
    http_routes: Vec<(HttpRoute, Handler)>,
    http_router: Router,
}

/// An HTTP route that matched a path.
pub struct HttpMatch<'a> {
    /// The route as configured.
    pub route: &'a HttpRoute,
    /// Its handler.
    pub handler: &'a Handler,
    /// The rest of the path after the route (percent-encoded, as sent).
    pub path_info: String,
}

/// Who answers a request.
enum Answerer {
    /// A handler of the configuration.
    Configured { index: usize, path_info: String },
    /// A deployed handler.
    Deployed {
        handler: Arc<Handler>,
        path_info: String,
        id: String,
        version: String,
    },
    /// The generated caps.txt.
    Caps,
    /// The static hole.
    Static,
}

/// Static requests (opening files, listing folders) worked on at once: as
/// many as requests answered at once, at most 64. A hung mount can hold
/// each of these threads; the rest of the server goes on.
pub fn static_slots(limits: &crate::config::ServerLimits) -> usize {
    limits.max_connections.min(64)
}

/// Threads requests may be worked on at once: one per handler slot and
/// one per static slot (each possibly held by a hung mount).
pub fn work_threads(limits: &crate::config::ServerLimits) -> usize {
    limits.max_handlers as usize + static_slots(limits)
}

/// Threads for the async runtime's other blocking work (reading files
/// being sent, reloads, start-up): one per response being sent and a few
/// more, so that pool never grows past what the limits can use.
pub fn blocking_threads(limits: &crate::config::ServerLimits) -> usize {
    limits.max_connections + 4
}

impl Gopherd {
    /// Sets up the gopherhole `config` describes, advertising `site` in
    /// menus: opens the static root and compiles every handler module.
    pub fn new(config: &Config, site: Site) -> anyhow::Result<Gopherd> {
        let root = match &config.root {
            Some(path) => Some(
                StaticRoot::open(path, config.text_framing)
                    .with_context(|| format!("cannot open the root folder {}", path.display()))?,
            ),
            None => None,
        };
        let max_memory = config
            .routes
            .iter()
            .filter_map(|r| r.limits.max_memory)
            .max();
        let runtime = Runtime::new(EngineOptions {
            fuel: config.routes.iter().any(|r| r.limits.fuel.is_some()),
            pooling: Some(config.limits.max_handlers),
            pool_max_memory: max_memory,
            pool_max_table_elements: Some(config.limits.max_table_elements),
            cache_dir: wasmhole_runtime::module::compile_cache::configured(),
            ..EngineOptions::default()
        })
        .map_err(|e| anyhow::anyhow!("cannot set up the wasm engine: {e:#}"))?;
        let mut handlers = Vec::new();
        for route in &config.routes {
            let selector = route.selector.clone();
            handlers.push(
                Handler::load(route.clone(), &runtime)
                    .with_context(|| format!("in the handler for {selector}"))?,
            );
        }
        let mut http_routes = Vec::new();
        for route in config.http.iter().flat_map(|h| &h.routes) {
            let path = route.route.selector.clone();
            let handler = Handler::load(route.route.clone(), &runtime)
                .with_context(|| format!("in the HTTP route for {path}"))?;
            http_routes.push((route.clone(), handler));
        }
        let deployments = match &config.admin {
            Some(admin) => Some(
                Deployments::open(admin, &runtime).context("cannot open the handler service")?,
            ),
            None => None,
        };
        let traces = match &config.trace_dir {
            Some(dir) => Some(TraceDir::open(
                dir,
                config.root.as_deref(),
                config.max_traces,
            )?),
            None => None,
        };
        Ok(Gopherd {
            site,
            router: Router::new(handlers.iter().map(|h| h.prefix())),
            handlers,
            root,
            runtime,
            handler_slots: Arc::new(Semaphore::new(config.limits.max_handlers as usize)),
            workers: Workers::new("gopherd-worker", work_threads(&config.limits)),
            static_slots: Arc::new(Semaphore::new(static_slots(&config.limits))),
            file_timeout: config.limits.file_timeout,
            traces,
            text_framing: config.text_framing,
            about: config.about.clone(),
            deployments,
            http_router: Router::with_exact(
                http_routes
                    .iter()
                    .map(|(r, _)| (r.route.selector.as_str(), r.exact)),
            ),
            http_routes,
        })
    }

    /// How text items are framed on the Gopher side.
    pub fn text_framing(&self) -> TextFraming {
        self.text_framing
    }

    /// The name and port menus advertise.
    pub fn site(&self) -> &Site {
        &self.site
    }

    /// The handlers, in configuration order.
    pub fn handlers(&self) -> &[Handler] {
        &self.handlers
    }

    /// Reloads every handler module whose file changed.
    pub fn reload_changed(&self) {
        reload::reload_changed(&self.handlers, &self.runtime);
    }

    /// Answers a request on the calling thread (which may block: it reads
    /// files and runs wasm). At most `max_handlers` handlers can run at
    /// once across threads; beyond that a handler answers "could not start".
    pub fn respond_blocking(&self, request: &Request, remote: SocketAddr) -> Response {
        self.answer(request, self.answerer(request), remote)
    }

    /// The HTTP route answering `path` (the longest that matches), with
    /// its handler and the rest of the path after the route.
    pub fn http_route(&self, path: &str) -> Option<HttpMatch<'_>> {
        match self.http_router.route(path) {
            Target::Handler { index, path_info } => {
                let (route, handler) = &self.http_routes[index];
                Some(HttpMatch {
                    route,
                    handler,
                    path_info,
                })
            }
            Target::Static => None,
        }
    }

    /// On a lattice: follows the handlers other servers deploy, roll back
    /// and delete, and the invocations they answer, on threads of their
    /// own for as long as this service lives.
    pub fn follow_lattice(self: &Arc<Self>) {
        let Some(deployments) = self.deployments() else {
            return;
        };
        let (changes, invocations) = deployments.feeds();
        if let Some(changes) = changes {
            self.feed("lattice-changes", changes, |service, d, change| {
                d.apply(change, service.runtime())
            });
        }
        if let Some(invocations) = invocations {
            self.feed("lattice-logs", invocations, |_, d, invocation| {
                d.keep(invocation)
            });
        }
    }

    /// Hands every item of `items` to `take`, on a thread named `name`,
    /// until the feed or this service ends.
    fn feed<T: Send + 'static>(
        self: &Arc<Self>,
        name: &str,
        items: std::sync::mpsc::Receiver<T>,
        take: impl Fn(&Gopherd, &Deployments, T) + Send + 'static,
    ) {
        let service = Arc::downgrade(self);
        let _ = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || {
                for item in items {
                    let Some(service) = service.upgrade() else {
                        return;
                    };
                    if let Some(d) = service.deployments() {
                        take(&service, d, item);
                    }
                }
            });
    }

    /// How many handler routes the HTTP face has.
    pub fn http_route_count(&self) -> usize {
        self.http_routes.len()
    }

    /// Runs `job` (a handler run for the HTTP face) on a worker thread,
    /// within the handler slots every handler shares.
    pub async fn run_handler_job<T: Send + 'static>(
        self: &Arc<Self>,
        job: impl FnOnce(&Gopherd) -> T + Send + 'static,
    ) -> Option<T> {
        let permit = self.handler_slots.clone().acquire_owned().await.ok()?;
        let this = self.clone();
        self.workers
            .run(move || {
                let out = job(&this);
                drop(permit);
                out
            })
            .await
            .ok()
    }

    /// The handler service, when it is on.
    pub fn deployments(&self) -> Option<&Deployments> {
        self.deployments.as_ref()
    }

    /// The runtime handlers run on.
    pub fn runtime(&self) -> &Runtime {
        &self.runtime
    }

    /// Who answers `request`: a deployed handler (under `/~ACCOUNT/`), a
    /// configured one, the generated caps.txt or the static hole.
    fn answerer(&self, request: &Request) -> Answerer {
        if let Some((handler, path_info, id, version)) = self
            .deployments
            .as_ref()
            .and_then(|d| d.route(&request.selector))
        {
            return Answerer::Deployed {
                handler,
                path_info,
                id,
                version,
            };
        }
        match self.router.route(&request.selector) {
            Target::Handler { index, path_info } => Answerer::Configured { index, path_info },
            Target::Static
                if caps::is_caps_selector(&request.selector)
                    && !self.root.as_ref().is_some_and(|r| r.has_file("caps.txt")) =>
            {
                Answerer::Caps
            }
            Target::Static => Answerer::Static,
        }
    }

    /// The handler an answerer runs, if it runs one.
    fn handler_of<'a>(&'a self, answerer: &'a Answerer) -> Option<&'a Handler> {
        match answerer {
            Answerer::Configured { index, .. } => Some(&self.handlers[*index]),
            Answerer::Deployed { handler, .. } => Some(handler),
            Answerer::Static | Answerer::Caps => None,
        }
    }

    /// What answering `request` with a wasm handler would run: the route,
    /// the module file, its ABI and the process recipe (arguments,
    /// environment, standard input, directories, limits) exactly as a run
    /// would get them, so the request can be replayed elsewhere, for
    /// example under the workbench's debugger. `None` when the static
    /// gopherhole answers the selector. The recipe's output buffers are
    /// fresh and unused.
    pub fn handler_recipe(&self, request: &Request, remote: SocketAddr) -> Option<HandlerRecipe> {
        let target = self.answerer(request);
        let handler = self.handler_of(&target)?;
        let path_info = match &target {
            Answerer::Configured { path_info, .. } | Answerer::Deployed { path_info, .. } => {
                path_info.clone()
            }
            Answerer::Caps | Answerer::Static => return None,
        };
        let loaded = handler.loaded();
        let cgi = CgiRequest {
            request,
            path_info: &path_info,
            remote,
            site: &self.site,
            time: SystemTime::now(),
        };
        let config = handler.process_config(
            &cgi,
            loaded.abi,
            loaded.program.name(),
            &SharedBuffer::new(),
            &SharedBuffer::new(),
        );
        Some(HandlerRecipe {
            route: handler.prefix().to_string(),
            module: handler.route().module.clone(),
            abi: loaded.abi,
            config,
        })
    }

    /// Answers a request from async code: the work happens on a blocking
    /// thread. At most `max_handlers` handlers run at once (the handler's
    /// own time limit bounds each); static requests are bounded in number
    /// and in time (`file_timeout`), so a hung mount cannot hold the
    /// connection or pile up threads.
    pub async fn respond(self: &Arc<Self>, request: Request, remote: SocketAddr) -> Response {
        let target = self.answerer(&request);
        let (slots, time_limit, route) = match self.handler_of(&target) {
            Some(handler) => (&self.handler_slots, None, handler.prefix().to_string()),
            None => (
                &self.static_slots,
                Some(self.file_timeout),
                STATIC_ROUTE.to_string(),
            ),
        };
        let permit = match time_limit {
            None => slots.clone().acquire_owned().await.ok(),
            Some(limit) => tokio::time::timeout(limit, slots.clone().acquire_owned())
                .await
                .ok()
                .and_then(Result::ok),
        };
        let Some(permit) = permit else {
            return Response::error_for(&route, Outcome::Busy, "server busy, try again later");
        };
        let this = self.clone();
        let selector = request.selector.clone();
        let work = self.workers.run(move || {
            let response = this.answer(&request, target, remote);
            drop(permit);
            response
        });
        let finished = match time_limit {
            None => work.await,
            Some(limit) => match tokio::time::timeout(limit, work).await {
                Ok(finished) => finished,
                Err(_) => {
                    throttle::warn(format_args!(
                        "{}: the file system did not answer within {limit:?}",
                        throttle::shorten(&selector)
                    ));
                    return Response::error_for(
                        &route,
                        Outcome::Error,
                        "the file system did not answer in time",
                    );
                }
            },
        };
        finished.unwrap_or_else(|e| {
            tracing::error!(route, "request task failed: {e}");
            Response::error_for(&route, Outcome::Error, "internal server error")
        })
    }

    fn answer(&self, request: &Request, target: Answerer, remote: SocketAddr) -> Response {
        if let Some(url) = request.selector.strip_prefix("URL:") {
            return Response {
                body: Body::Bytes(url_page(url).into_bytes()),
                route: "url".into(),
                outcome: Outcome::Ok,
                trace: None,
            };
        }
        let Some(plus) = &request.plus else {
            return self.answer_plainly(request, &target, remote);
        };
        // What the item is, without answering it (a handler is not run
        // for its attributes).
        let info = match (&target, self.handler_of(&target)) {
            (_, Some(handler)) => Ok(ItemInfo {
                kind: match handler.kind() {
                    ItemKind::Menu => b'1',
                    ItemKind::Text => b'0',
                    ItemKind::Binary => b'9',
                },
                size: None,
                modified: None,
            }),
            (Answerer::Caps, _) => Ok(ItemInfo {
                kind: b'0',
                size: Some(caps::caps_txt(&self.about).len() as u64),
                modified: None,
            }),
            _ => match &self.root {
                Some(root) => root.item(request.selector_bytes()),
                None => Err(StaticError::NotFound),
            },
        };
        let Ok(info) = info else {
            // Errors are answered as to a plain client.
            return self.answer_plainly(request, &target, remote);
        };
        match plus {
            Plus::Menu if info.kind == b'1' => {
                let mut response = self.answer_plainly(request, &target, remote);
                if let (Outcome::Ok, Body::Bytes(menu)) = (&response.outcome, &response.body) {
                    response.body = Body::Bytes(gopher_plus::menu(menu));
                }
                response
            }
            Plus::Menu | Plus::Attributes => {
                let route = self
                    .handler_of(&target)
                    .map_or(STATIC_ROUTE, Handler::prefix);
                Response {
                    body: Body::Bytes(gopher_plus::attributes(&gopher_plus::Item {
                        line: &self.item_line(request, info.kind),
                        admin: self.about.admin.as_deref().unwrap_or("unknown"),
                        modified: info.modified.unwrap_or_else(SystemTime::now),
                        view: (gopher_plus::mime_type(info.kind), info.size),
                    })),
                    route: route.to_string(),
                    outcome: Outcome::Ok,
                    trace: None,
                }
            }
            Plus::Item => {
                let mut response = self.answer_plainly(request, &target, remote);
                if response.outcome == Outcome::Ok {
                    let body = std::mem::replace(&mut response.body, Body::Bytes(Vec::new()));
                    response.body = Body::Enveloped(gopher_plus::ITEM_HEADER, Box::new(body));
                }
                response
            }
        }
    }

    /// The menu line that lists the item `request` names.
    fn item_line(&self, request: &Request, kind: u8) -> Vec<u8> {
        let selector = request.selector_bytes();
        let name = selector
            .split(|&b| b == b'/')
            .rfind(|p| !p.is_empty())
            .map(crate::request::escape_bytes)
            .unwrap_or_else(|| self.site.host.clone());
        let mut line = Vec::with_capacity(64 + selector.len());
        gophermap::menu_line(
            &mut line,
            kind,
            name.as_bytes(),
            selector,
            self.site.host.as_bytes(),
            self.site.port.to_string().as_bytes(),
        );
        line.truncate(line.len() - 2);
        line
    }

    fn answer_plainly(&self, request: &Request, target: &Answerer, remote: SocketAddr) -> Response {
        match target {
            Answerer::Caps => Response {
                body: Body::Bytes(caps::caps_txt(&self.about)),
                route: STATIC_ROUTE.into(),
                outcome: Outcome::Ok,
                trace: None,
            },
            Answerer::Configured { index, path_info } => {
                self.run_handler(&self.handlers[*index], request, path_info, remote, None)
            }
            Answerer::Deployed {
                handler,
                path_info,
                id,
                version,
            } => self.run_handler(handler, request, path_info, remote, Some((id, version))),
            Answerer::Static => self.serve_static(request),
        }
    }

    fn serve_static(&self, request: &Request) -> Response {
        let selector = &request.selector;
        let Some(root) = &self.root else {
            return Response::error_for(STATIC_ROUTE, Outcome::NotFound, "not found");
        };
        match root.serve(request.selector_bytes(), &self.site) {
            Ok(body) => Response {
                body,
                route: STATIC_ROUTE.into(),
                outcome: Outcome::Ok,
                trace: None,
            },
            Err(StaticError::NotFound) => Response::error_for(
                STATIC_ROUTE,
                Outcome::NotFound,
                &format!("{}: not found", throttle::shorten(selector)),
            ),
            Err(StaticError::Refused(why)) => {
                Response::error_for(STATIC_ROUTE, Outcome::Refused, &format!("refused: {why}"))
            }
            Err(e) => {
                throttle::warn(format_args!(
                    "cannot serve {} from {}: {e}",
                    throttle::shorten(selector),
                    root.path().display()
                ));
                Response::error_for(STATIC_ROUTE, Outcome::Error, "cannot read this file")
            }
        }
    }

    /// Runs a handler for one request; a deployed one (`deployed`: its id
    /// and version) has the run written to its invocation log.
    fn run_handler(
        &self,
        handler: &Handler,
        request: &Request,
        path_info: &str,
        remote: SocketAddr,
        deployed: Option<(&String, &String)>,
    ) -> Response {
        let route = handler.prefix();
        let created = self.traces.as_ref().and_then(|t| t.create(route));
        let (trace, mut sinks) = match created {
            Some((path, sink)) => (Some(path), vec![sink]),
            None => (None, Vec::new()),
        };
        let summary = deployed.map(|_| {
            let summary = Arc::new(std::sync::Mutex::new(Summary::default()));
            sinks.push(Box::new(SummarySink(summary.clone())) as Box<dyn RecordSink>);
            summary
        });
        let cgi = CgiRequest {
            request,
            path_info,
            remote,
            site: &self.site,
            time: SystemTime::now(),
        };
        let ran = handler.run(&self.runtime, &cgi, sinks);
        if let (Some((id, version)), Some(summary), Some(deployments)) =
            (deployed, summary, &self.deployments)
        {
            let (outcome, status) = match &ran.result {
                Ok(_) => ("ok".to_string(), "exited 0: success".to_string()),
                Err(f) => (f.outcome.to_string(), f.detail.clone()),
            };
            let calls = summary
                .lock()
                .map(|s| {
                    s.calls
                        .iter()
                        .map(|(name, t)| CallCount {
                            name: std::borrow::Cow::Borrowed(*name),
                            calls: t.calls,
                            errors: t.errors,
                            ns: t.total_ns,
                        })
                        .collect()
                })
                .unwrap_or_default();
            deployments.record(Invocation {
                time: humantime::format_rfc3339_millis(cgi.time).to_string(),
                handler: id.clone(),
                version: version[..version.len().min(12)].to_string(),
                selector: request.selector.clone(),
                client: remote.ip().to_string(),
                ms: ran.elapsed.as_secs_f64() * 1000.0,
                outcome,
                status,
                stderr: Invocation::bounded_stderr(&ran.stderr),
                calls,
                server: String::new(),
            });
        }
        match ran.result {
            Ok(output) => Response {
                body: Body::Bytes(framing::for_kind(
                    handler.kind(),
                    output,
                    &self.site,
                    &handler.menu_base(),
                    self.text_framing,
                )),
                route: route.to_string(),
                outcome: Outcome::Ok,
                trace,
            },
            Err(failure) => {
                throttle::warn(format_args!(
                    "handler for {route} failed ({}) on {}: {}",
                    failure.outcome,
                    throttle::shorten(&request.selector),
                    failure.detail
                ));
                Response {
                    trace,
                    ..Response::error_for(
                        route,
                        Outcome::HandlerFailed(failure.outcome),
                        &failure.reason,
                    )
                }
            }
        }
    }
}

/// The HTML page a `URL:` selector gets: a link (and a redirect) to a web
/// address outside Gopherspace.
fn url_page(url: &str) -> String {
    let escaped = framing::escape_html(url);
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"refresh\" content=\"2; url={escaped}\">\
         <title>Leaving Gopherspace</title></head>\n\
         <body><p>This link leads to <a href=\"{escaped}\">{escaped}</a>.</p></body></html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ItemKind;
    use crate::config::{RouteConfig, default_handler_limits};
    use std::path::Path;

    fn sample(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../samples/gopherhole/handlers")
            .join(name)
    }

    #[test]
    fn answers_in_process_without_sockets() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("notes")).unwrap();
        std::fs::write(dir.path().join("notes/a.txt"), "a\n").unwrap();
        std::fs::write(dir.path().join("gophermap"), "Hello\n1Time\t/time\n*\n").unwrap();
        let config = Config {
            root: Some(dir.path().to_path_buf()),
            routes: vec![RouteConfig {
                selector: "/time".into(),
                module: sample("olin/time.wat"),
                abi: None,
                invoke: None,
                kind: ItemKind::Text,
                args: Vec::new(),
                env: Vec::new(),
                dirs: Vec::new(),
                limits: default_handler_limits(),
            }],
            ..Config::default()
        };
        let site = Site {
            host: "here".into(),
            port: 70,
        };
        let hole = Gopherd::new(&config, site).unwrap();
        let remote: SocketAddr = "127.0.0.1:1".parse().unwrap();
        let root = hole.respond_blocking(&Request::new("/"), remote);
        assert_eq!(root.route, STATIC_ROUTE);
        assert_eq!(
            String::from_utf8(root.body.into_bytes().unwrap()).unwrap(),
            "iHello\t\there\t70\r\n\
             1Time\t/time\there\t70\r\n\
             1notes\t/notes\there\t70\r\n.\r\n"
        );
        let time = hole.respond_blocking(&Request::new("/time"), remote);
        assert_eq!(
            (time.route.as_str(), &time.outcome),
            ("/time", &Outcome::Ok)
        );
        let text = String::from_utf8(time.body.into_bytes().unwrap()).unwrap();
        assert!(text.starts_with("The server's clock says it is "), "{text}");
        let missing = hole.respond_blocking(&Request::new("/nope"), remote);
        assert_eq!(missing.outcome, Outcome::NotFound);
    }

    #[test]
    fn a_handler_recipe_is_what_the_handler_would_run() {
        let config = Config {
            routes: vec![RouteConfig {
                selector: "/find".into(),
                module: sample("wasi/search.wat"),
                abi: None,
                invoke: None,
                kind: ItemKind::Menu,
                args: vec!["--corpus".into()],
                env: vec![("LANG".into(), "C".into())],
                dirs: Vec::new(),
                limits: default_handler_limits(),
            }],
            ..Config::default()
        };
        let site = Site {
            host: "here".into(),
            port: 7070,
        };
        let hole = Gopherd::new(&config, site).unwrap();
        let remote: SocketAddr = "127.0.0.1:4242".parse().unwrap();
        let request = Request::parse(b"/find/deep\tsandbox rules").unwrap();
        let recipe = hole.handler_recipe(&request, remote).unwrap();
        assert_eq!(recipe.route, "/find");
        assert_eq!(recipe.abi, Abi::Wasi);
        assert!(recipe.module.ends_with("wasi/search.wat"));
        let c = &recipe.config;
        assert_eq!(c.args, ["search.wat", "--corpus", "sandbox", "rules"]);
        let env = |k: &str| c.env.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(env("QUERY"), Some("sandbox rules"));
        assert_eq!(env("PATH_INFO"), Some("/deep"));
        assert_eq!(env("REMOTE_ADDR"), Some("127.0.0.1"));
        assert_eq!(env("SERVER_PORT"), Some("7070"));
        assert_eq!(env("LANG"), Some("C"));
        match &c.stdin {
            wasmhole_runtime::InputSpec::Bytes(b) => assert_eq!(&b[..], b"sandbox rules"),
            other => panic!("stdin is {other:?}"),
        }
        assert_eq!(c.limits, default_handler_limits());
        assert!(
            hole.handler_recipe(&Request::new("/about.txt"), remote)
                .is_none()
        );
    }

    #[test]
    fn url_pages_escape_the_address() {
        let page = url_page("https://example.org/?a=1&b=\"<x>\"");
        assert!(page.contains("href=\"https://example.org/?a=1&amp;b=&quot;&lt;x&gt;&quot;\""));
    }
}
