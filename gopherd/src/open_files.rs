//! The open-files budget: how many descriptors the configured limits can
//! hold at once (connections, files being sent, static requests, every
//! handler's own files), checked against the process's open-files limit at
//! start, raising it when the hard limit allows and refusing to start with
//! the numbers when it does not. Within the budget, accepting a connection
//! never fails for want of a descriptor: the accept loops hold one of
//! [`sockets`] slots for every connection until its socket is closed, not
//! merely until it is dropped from the books.

use crate::config::{Config, ServerLimits};
use anyhow::bail;

/// Descriptors the server keeps for itself: standard streams, the event
/// loop, log files, listeners, the runtime's own.
pub const RESERVE: u64 = 32;

/// Connection sockets open at once with `listeners` accept loops: every
/// waiting and every answered connection, plus, per accept loop, one it
/// is about to accept or one dropped to make room whose socket is still
/// being closed. Admission never keeps more than `max_pending +
/// max_connections` connections, so an accept loop that finds every slot
/// held waits only for a socket being closed.
pub fn sockets(limits: &ServerLimits, listeners: usize) -> usize {
    limits.max_pending + limits.max_connections + listeners.max(1)
}

/// What the limits need, part by part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Budget {
    /// Connections that may wait for their request line (one socket each),
    /// and one per listener being accepted or closed to make room.
    pub pending: u64,
    /// Requests answered at once (a socket and a file each).
    pub answering: u64,
    /// Static requests worked on at once (a folder and a file each).
    pub static_work: u64,
    /// Handlers at once.
    pub handlers: u64,
    /// Descriptors one handler may hold: its route's files, its granted
    /// folders, its trace file and one being opened.
    pub per_handler: u64,
    /// Listening sockets.
    pub listeners: u64,
    /// The HTTP face's connections (its own `max_connections`), when on.
    pub web: u64,
}

impl Budget {
    /// The budget of `config`.
    pub fn of(config: &Config) -> Budget {
        let limits = &config.limits;
        let http_routes = config.http.iter().flat_map(|h| &h.routes).map(|r| &r.route);
        let per_handler = config
            .routes
            .iter()
            .chain(http_routes.clone())
            .map(|r| {
                r.limits.max_open_files.unwrap_or(1024) as u64
                    + r.dirs.len() as u64
                    + config.trace_dir.is_some() as u64
                    + 1
            })
            .max()
            .unwrap_or(0);
        Budget {
            pending: (sockets(limits, config.listen.len()) - limits.max_connections) as u64,
            answering: limits.max_connections as u64,
            static_work: crate::service::static_slots(limits) as u64,
            handlers: if config.routes.is_empty() && http_routes.clone().next().is_none() {
                0
            } else {
                limits.max_handlers as u64
            },
            per_handler,
            listeners: config.listen.len() as u64 + config.http.is_some() as u64,
            web: if config.http.is_some() {
                limits.max_connections as u64
            } else {
                0
            },
        }
    }

    /// Descriptors needed in all.
    pub fn total(&self) -> u64 {
        RESERVE
            + self.listeners
            + self.pending
            + self.web
            + 2 * self.answering
            + 2 * self.static_work
            + self.handlers * self.per_handler
    }

    /// The parts, for a person.
    pub fn explain(&self) -> String {
        format!(
            "{} pending connections (those being accepted or closed included), {} HTTP connections, {} answered requests (2 each), {} static requests (2 each), {} handlers ({} each) and {} for the server itself",
            self.pending,
            self.web,
            self.answering,
            self.static_work,
            self.handlers,
            self.per_handler,
            RESERVE + self.listeners
        )
    }
}

/// What the open-files limit in force means for a configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fit {
    /// The soft limit already covers what the limits need.
    Enough { soft: u64, need: u64 },
    /// The soft limit is too low but the hard limit allows raising it.
    Raise { soft: u64, need: u64 },
}

impl std::fmt::Display for Fit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Fit::Enough { soft, need } => {
                write!(
                    f,
                    "open files: these limits need {need}; the limit is {soft}"
                )
            }
            Fit::Raise { soft, need } => write!(
                f,
                "open files: these limits need {need}; the limit is {soft}, raised to {need} at start"
            ),
        }
    }
}

/// Whether the process may open what `config`'s limits need under the
/// open-files limit in force, without changing it: an error with the
/// numbers and the settings to change when even the hard limit is short.
pub fn fit(config: &Config) -> anyhow::Result<Fit> {
    use rustix::process::{Resource, getrlimit};
    let budget = Budget::of(config);
    let need = budget.total();
    let limit = getrlimit(Resource::Nofile);
    let soft = limit.current.unwrap_or(u64::MAX);
    if soft >= need {
        return Ok(Fit::Enough { soft, need });
    }
    let hard = limit.maximum.unwrap_or(u64::MAX);
    if hard < need {
        bail!(
            "the open-files limit is {soft} (hard limit {hard}), but these limits need {need}: {}. \
             Lower `limits.max_pending`, `limits.max_connections`, `limits.max_handlers` or the routes' \
             `open_files`, or raise the hard limit (ulimit -Hn, or LimitNOFILE= for a service)",
            budget.explain()
        );
    }
    Ok(Fit::Raise { soft, need })
}

/// Makes sure the process may open what `config`'s limits need, raising
/// its soft open-files limit if needed; returns the limit in force.
pub fn ensure(config: &Config) -> anyhow::Result<u64> {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let (soft, need) = match fit(config)? {
        Fit::Enough { soft, .. } => return Ok(soft),
        Fit::Raise { soft, need } => (soft, need),
    };
    let mut limit = getrlimit(Resource::Nofile);
    limit.current = Some(need);
    setrlimit(Resource::Nofile, limit).map_err(|e| {
        anyhow::anyhow!("cannot raise the open-files limit from {soft} to {need}: {e}")
    })?;
    tracing::info!(
        "raised the open-files limit from {soft} to {need}, what these limits need ({})",
        Budget::of(config).explain()
    );
    Ok(need)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ItemKind;
    use crate::config::{RouteConfig, default_handler_limits};
    use wasmhole_runtime::DirGrant;

    #[test]
    fn every_handler_counts_its_files_folders_and_trace() {
        let mut config = Config::default();
        config.limits.max_pending = 100;
        config.limits.max_connections = 10;
        config.limits.max_handlers = 4;
        let base = Budget::of(&config);
        assert_eq!(base.handlers, 0, "no routes, no handlers");
        assert_eq!(base.total(), RESERVE + 1 + 101 + 20 + 20);
        config.listen = vec!["0.0.0.0:70".parse().unwrap(), "[::]:70".parse().unwrap()];
        let two = Budget::of(&config);
        assert_eq!(
            (two.listeners, two.pending),
            (2, 102),
            "each accept loop may hold one socket more"
        );
        assert_eq!(two.total(), base.total() + 2);
        config.listen.truncate(1);
        config.routes.push(RouteConfig {
            selector: "/g".into(),
            module: "g.wat".into(),
            abi: None,
            invoke: None,
            kind: ItemKind::Menu,
            args: Vec::new(),
            env: Vec::new(),
            dirs: vec![DirGrant::parse("a::/a")],
            limits: default_handler_limits(),
        });
        config.trace_dir = Some("/tmp/traces".into());
        let budget = Budget::of(&config);
        assert_eq!(budget.per_handler, 16 + 1 + 1 + 1);
        assert_eq!(budget.total(), base.total() + 4 * 19);
        assert!(budget.explain().contains("4 handlers (19 each)"));
        // The HTTP face: a listener, its connections, and its routes'
        // handlers counted like the others.
        config.routes.clear();
        config.http = Some(crate::config::HttpConfig::browsing(
            "127.0.0.1:0".parse().unwrap(),
        ));
        let web = Budget::of(&config);
        assert_eq!((web.listeners, web.web, web.handlers), (2, 10, 0));
        let mut wide = default_handler_limits();
        wide.max_open_files = Some(40);
        let http = config.http.as_mut().unwrap();
        http.routes.push(crate::config::HttpRoute {
            convention: crate::config::Convention::Wagi,
            exact: false,
            argv: None,
            route: RouteConfig {
                selector: "/w".into(),
                module: "w.wasm".into(),
                abi: None,
                invoke: None,
                kind: ItemKind::Binary,
                args: Vec::new(),
                env: Vec::new(),
                dirs: Vec::new(),
                limits: wide,
            },
        });
        let web = Budget::of(&config);
        assert_eq!((web.handlers, web.per_handler), (4, 40 + 1 + 1));
        assert!(web.explain().contains("10 HTTP connections"));
    }
}
