//! The handler service: handlers deployed to a running gopherd through its
//! admin API, each owned by an account and served under `/~ACCOUNT/`.
//! [`Deployments`] is its one entry: it checks tokens, validates and swaps
//! in versions (a request in flight finishes on the version it started
//! with), keeps the last few, rolls back, deletes, routes selectors to the
//! live versions, keeps each invocation's log, and writes every action to
//! the audit log. What must outlive a restart goes through a [`Store`].

pub mod accounts;
pub mod lattice;
pub mod logs;
pub mod store;

use crate::config::{AdminConfig, ItemKind, RouteConfig, default_handler_limits, parse_duration};
use crate::handler::Handler;
use accounts::Account;
use logs::{Invocation, InvocationLogs};
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex, RwLock};
use store::{Change, Deployed, FolderStore, Settings, Store, Version};
use wasmhole_runtime::{Abi, Limits, Runtime};

/// Who is asking, once their token is checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// The account's name.
    pub name: String,
    /// Whether it may act on every namespace.
    pub admin: bool,
}

/// Why an admin request was refused; each maps to an HTTP status.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// No token, or one that is not an account's (401).
    #[error("{0}")]
    Unauthenticated(String),
    /// The token's account may not do this (403).
    #[error("{0}")]
    Forbidden(String),
    /// No such handler or version (404).
    #[error("{0}")]
    NotFound(String),
    /// The request or the module is not acceptable (422).
    #[error("{0}")]
    Invalid(String),
    /// It clashes with what is there (409).
    #[error("{0}")]
    Conflict(String),
    /// The server could not do it (500).
    #[error("{0}")]
    Failed(String),
    /// Where the service keeps its state cannot be reached or written
    /// now (503); nothing was changed.
    #[error("{0}; nothing was changed")]
    Unavailable(String),
}

/// A store's failure, as a refusal.
fn unreachable_store(e: anyhow::Error) -> Refusal {
    Refusal::Unavailable(format!("{e:#}"))
}

/// A deploy: the module and how it runs.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct DeployRequest {
    /// The selector it answers, relative to the namespace (`/hello` is
    /// served as `/~ACCOUNT/hello`); the namespace itself if empty.
    pub route: String,
    /// The file name it came from (`.wat` is compiled as text).
    pub file: String,
    /// The module's bytes, base64.
    pub module: String,
    /// How it runs.
    #[serde(flatten)]
    pub settings: Settings,
}

/// What the API says of a handler.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandlerView {
    /// `namespace/name`.
    pub id: String,
    /// The selector it answers.
    pub route: String,
    /// The live version.
    pub live: Version,
    /// Versions kept.
    pub versions: usize,
    /// How it runs.
    pub settings: Settings,
}

/// A live deployed handler.
struct Live {
    id: String,
    route: String,
    version: String,
    handler: Arc<Handler>,
}

/// The handler service.
pub struct Deployments {
    config: AdminConfig,
    store: Box<dyn Store>,
    live: RwLock<Vec<Live>>,
    /// The revision of the last change applied to each handler (a change
    /// older than it is not applied).
    revisions: Mutex<std::collections::HashMap<String, u64>>,
    logs: InvocationLogs,
    /// Changes happen one at a time.
    changing: Mutex<()>,
}

impl Deployments {
    /// Opens the service's state and brings every handler's live version
    /// up; one that no longer loads is logged and left out.
    pub fn open(config: &AdminConfig, runtime: &Runtime) -> anyhow::Result<Deployments> {
        Deployments::with_store(config, store_of(config)?, runtime)
    }

    /// The service over `store`.
    pub fn with_store(
        config: &AdminConfig,
        store: Box<dyn Store>,
        runtime: &Runtime,
    ) -> anyhow::Result<Deployments> {
        let mut live = Vec::new();
        for deployed in store.handlers()? {
            match load(store.as_ref(), &deployed, &deployed.live, runtime) {
                Ok(handler) => live.push(Live {
                    id: deployed.id(),
                    route: deployed.route.clone(),
                    version: deployed.live.clone(),
                    handler: Arc::new(handler),
                }),
                Err(e) => tracing::warn!("deployed handler {} is not served: {e:#}", deployed.id()),
            }
        }
        Ok(Deployments {
            config: config.clone(),
            store,
            live: RwLock::new(live),
            revisions: Mutex::new(Default::default()),
            logs: InvocationLogs::new(config.max_logged_invocations),
            changing: Mutex::new(()),
        })
    }

    /// Makes an account in the state folder of `config`; its token, shown
    /// this once.
    pub fn add_account(config: &AdminConfig, name: &str, admin: bool) -> anyhow::Result<String> {
        if !accounts::valid_name(name) {
            anyhow::bail!(
                "`{name}` cannot name an account: use 1 to 32 lower-case letters, digits, - and _"
            );
        }
        let store = store_of(config)?;
        let token = accounts::new_token(name)?;
        store.add_account(&Account {
            name: name.to_string(),
            admin,
            token_sha256: accounts::hash(&token),
            created: now(),
        })?;
        store.audit(&serde_json::json!({
            "time": now(), "by": "(command line)", "action": "account-add",
            "account": name, "admin": admin,
        }))?;
        Ok(token)
    }

    /// Who a bearer token belongs to.
    pub fn authenticate(&self, token: Option<&str>) -> Result<Caller, Refusal> {
        let token = token.ok_or_else(|| {
            Refusal::Unauthenticated(
                "no token: send `Authorization: Bearer TOKEN` (`gopherd accounts add` makes one)"
                    .into(),
            )
        })?;
        let refused = || Refusal::Unauthenticated("this token is not one of this server's".into());
        let name = accounts::name_in(token).ok_or_else(refused)?;
        let accounts = self.store.accounts().map_err(unreachable_store)?;
        let account = accounts
            .iter()
            .find(|a| a.name == name && accounts::matches(a, token))
            .ok_or_else(refused)?;
        Ok(Caller {
            name: account.name.clone(),
            admin: account.admin,
        })
    }

    /// The live handler answering `selector`, with the rest of the
    /// selector, its id and version.
    pub fn route(&self, selector: &str) -> Option<(Arc<Handler>, String, String, String)> {
        if !selector.starts_with("/~") {
            return None;
        }
        let live = self.live.read().unwrap_or_else(|e| e.into_inner());
        live.iter()
            .filter_map(|l| {
                let rest = selector.strip_prefix(l.route.as_str())?;
                (rest.is_empty() || rest.starts_with('/')).then_some((l, rest))
            })
            .max_by_key(|(l, _)| l.route.len())
            .map(|(l, rest)| {
                (
                    l.handler.clone(),
                    rest.to_string(),
                    l.id.clone(),
                    l.version.clone(),
                )
            })
    }

    /// Keeps one invocation's log, here at once and, on a lattice, shared
    /// with every server.
    pub fn record(&self, mut invocation: Invocation) {
        invocation.server = self.config.instance.clone();
        self.store.share(&invocation);
        self.logs.record(invocation);
    }

    /// What other servers change and answer, when the store is shared:
    /// feed them to [`Deployments::apply`] and [`Deployments::keep`].
    pub fn feeds(
        &self,
    ) -> (
        Option<std::sync::mpsc::Receiver<Change>>,
        Option<std::sync::mpsc::Receiver<Invocation>>,
    ) {
        (self.store.changes(), self.store.invocations())
    }

    /// Brings a change made through any server into service here: a new
    /// live version is loaded and swapped in, a deleted handler stops.
    pub fn apply(&self, change: Change, runtime: &Runtime) {
        match change {
            Change::Put(deployed, revision) => {
                let id = deployed.id();
                let current = self
                    .live
                    .read()
                    .unwrap_or_else(|e| e.into_inner())
                    .iter()
                    .any(|l| l.id == id && l.version == deployed.live && l.route == deployed.route);
                if current {
                    // Already served (this server made the change): only
                    // its revision is new.
                    self.newest(&id, revision);
                    return;
                }
                match load(self.store.as_ref(), &deployed, &deployed.live, runtime) {
                    Ok(handler) => {
                        if self.swap_in(&deployed, handler, revision) {
                            tracing::info!(
                                "deployed handler {id} version {} is live",
                                short(&deployed.live)
                            );
                        }
                    }
                    Err(e) => tracing::warn!("deployed handler {id} cannot be served: {e:#}"),
                }
            }
            Change::Removed(id, revision) => {
                if self.take_out(&id, revision) {
                    tracing::info!("deployed handler {id} was deleted");
                }
            }
        }
    }

    /// Keeps an invocation some server answered (from the shared log;
    /// this server's own are kept already).
    pub fn keep(&self, invocation: Invocation) {
        if invocation.server != self.config.instance {
            self.logs.record(invocation);
        }
    }

    /// Deploys a new version of handler `name` (in the caller's namespace,
    /// or `namespace/name` for an admin); the live version keeps serving
    /// if this one is refused.
    pub fn deploy(
        &self,
        caller: &Caller,
        name: &str,
        request: DeployRequest,
        runtime: &Runtime,
    ) -> Result<HandlerView, Refusal> {
        use base64::Engine;
        let (namespace, name) = self.owned(caller, name)?;
        let id = format!("{namespace}/{name}");
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(request.module.as_bytes())
            .map_err(|e| Refusal::Invalid(format!("the module is not base64: {e}")))?;
        if bytes.len() as u64 > self.config.max_module_size {
            return Err(Refusal::Invalid(format!(
                "the module is {} bytes, more than this server's {} (`admin.max_module_size`)",
                bytes.len(),
                self.config.max_module_size
            )));
        }
        let route = namespaced_route(&namespace, &request.route)?;
        let format = if bytes.starts_with(b"\0asm") {
            "wasm"
        } else {
            "wat"
        };
        let file = module_file_name(&request.file, &name, format);
        let _changing = self.changing.lock().unwrap_or_else(|e| e.into_inner());
        let mut handlers = self.stored()?;
        if let Some(other) = handlers.iter().find(|h| h.route == route && h.id() != id) {
            return Err(Refusal::Conflict(format!(
                "{} already answers {route}",
                other.id()
            )));
        }
        let existing = handlers.iter().position(|h| h.id() == id);
        if existing.is_none()
            && handlers.iter().filter(|h| h.namespace == namespace).count()
                >= self.config.max_handlers_per_account
        {
            return Err(Refusal::Invalid(format!(
                "{namespace} has {} handlers, this server's most (`admin.max_handlers_per_account`)",
                self.config.max_handlers_per_account
            )));
        }
        let hash = self
            .store
            .put_module(&bytes, &file)
            .map_err(unreachable_store)?;
        let version = Version {
            hash: hash.clone(),
            format: format.into(),
            file,
            size: bytes.len() as u64,
            deployed: now(),
            by: caller.name.clone(),
        };
        let mut deployed = match existing {
            Some(i) => handlers.swap_remove(i),
            None => Deployed {
                namespace: namespace.clone(),
                name: name.clone(),
                route: route.clone(),
                settings: Settings::default(),
                versions: Vec::new(),
                live: String::new(),
            },
        };
        deployed.route = route;
        deployed.settings = request.settings;
        deployed.versions.retain(|v| v.hash != hash);
        deployed.versions.push(version);
        let excess = deployed
            .versions
            .len()
            .saturating_sub(self.config.max_versions);
        deployed.versions.drain(..excess);
        deployed.live = hash.clone();
        let handler = load(self.store.as_ref(), &deployed, &hash, runtime)
            .map_err(|e| Refusal::Invalid(format!("{e:#}")))?;
        let revision = self
            .store
            .put_handler(&deployed)
            .map_err(unreachable_store)?;
        self.swap_in(&deployed, handler, revision);
        self.audit(caller, "deploy", &id, &hash);
        Ok(view(&deployed))
    }

    /// The handlers the caller may see (every one, for an admin).
    pub fn list(&self, caller: &Caller) -> Result<Vec<HandlerView>, Refusal> {
        Ok(self
            .stored()?
            .iter()
            .filter(|h| caller.admin || h.namespace == caller.name)
            .map(view)
            .collect())
    }

    /// A handler's versions, oldest first.
    pub fn versions(&self, caller: &Caller, name: &str) -> Result<Vec<Version>, Refusal> {
        Ok(self.find(caller, name)?.versions)
    }

    /// Makes an earlier version live again: `version` (a hash or its
    /// start), or the one before the live one.
    pub fn rollback(
        &self,
        caller: &Caller,
        name: &str,
        version: Option<&str>,
        runtime: &Runtime,
    ) -> Result<HandlerView, Refusal> {
        let _changing = self.changing.lock().unwrap_or_else(|e| e.into_inner());
        let mut deployed = self.find(caller, name)?;
        let target = match version {
            Some(v) => {
                let matching: Vec<&Version> = deployed
                    .versions
                    .iter()
                    .filter(|k| k.hash.starts_with(v))
                    .collect();
                match matching.as_slice() {
                    [one] => one.hash.clone(),
                    [] => {
                        return Err(Refusal::NotFound(format!(
                            "{} has no version {v} (see `versions`)",
                            deployed.id()
                        )));
                    }
                    _ => {
                        return Err(Refusal::Invalid(format!(
                            "{v} starts more than one version's hash; give more of it"
                        )));
                    }
                }
            }
            None => {
                let live = deployed
                    .versions
                    .iter()
                    .position(|v| v.hash == deployed.live)
                    .unwrap_or(0);
                match live.checked_sub(1) {
                    Some(i) => deployed.versions[i].hash.clone(),
                    None => {
                        return Err(Refusal::NotFound(format!(
                            "{} has no version before the live one",
                            deployed.id()
                        )));
                    }
                }
            }
        };
        let handler = load(self.store.as_ref(), &deployed, &target, runtime)
            .map_err(|e| Refusal::Failed(format!("{e:#}")))?;
        deployed.live = target.clone();
        let revision = self
            .store
            .put_handler(&deployed)
            .map_err(unreachable_store)?;
        self.swap_in(&deployed, handler, revision);
        self.audit(caller, "rollback", &deployed.id(), &target);
        Ok(view(&deployed))
    }

    /// Removes a handler: its route answers no more.
    pub fn delete(&self, caller: &Caller, name: &str) -> Result<(), Refusal> {
        let _changing = self.changing.lock().unwrap_or_else(|e| e.into_inner());
        let deployed = self.find(caller, name)?;
        let id = deployed.id();
        let revision = self.store.remove_handler(&id).map_err(unreachable_store)?;
        self.take_out(&id, revision);
        self.audit(caller, "delete", &id, &deployed.live);
        Ok(())
    }

    /// The kept invocation logs of a handler, oldest first.
    pub fn logs(&self, caller: &Caller, name: &str) -> Result<Vec<Invocation>, Refusal> {
        let id = self.find(caller, name)?.id();
        Ok(self.logs.of(&id))
    }

    /// Invocations of a handler as they happen.
    pub fn follow(
        &self,
        caller: &Caller,
        name: &str,
    ) -> Result<(String, tokio::sync::broadcast::Receiver<Invocation>), Refusal> {
        let id = self.find(caller, name)?.id();
        Ok((id, self.logs.follow()))
    }

    /// `namespace/name` for a handler the caller names.
    pub fn qualified(&self, caller: &Caller, name: &str) -> String {
        match name.split_once('/') {
            Some(_) => name.to_string(),
            None => format!("{}/{name}", caller.name),
        }
    }

    fn stored(&self) -> Result<Vec<Deployed>, Refusal> {
        self.store.handlers().map_err(unreachable_store)
    }

    /// The namespace and name `name` means for the caller, if theirs.
    fn owned(&self, caller: &Caller, name: &str) -> Result<(String, String), Refusal> {
        let (namespace, name) = match name.split_once('/') {
            Some((ns, n)) => (ns.to_string(), n.to_string()),
            None => (caller.name.clone(), name.to_string()),
        };
        if !accounts::valid_name(&name) || !accounts::valid_name(&namespace) {
            return Err(Refusal::Invalid(format!(
                "`{name}` cannot name a handler: use 1 to 32 lower-case letters, digits, - and _"
            )));
        }
        if namespace != caller.name && !caller.admin {
            return Err(Refusal::Forbidden(format!(
                "{} may act only on its own handlers, not on {namespace}'s",
                caller.name
            )));
        }
        Ok((namespace, name))
    }

    fn find(&self, caller: &Caller, name: &str) -> Result<Deployed, Refusal> {
        let (namespace, name) = self.owned(caller, name)?;
        let id = format!("{namespace}/{name}");
        self.stored()?
            .into_iter()
            .find(|h| h.id() == id)
            .ok_or_else(|| Refusal::NotFound(format!("there is no handler {id}")))
    }

    /// Whether a change of handler `id` at `revision` is not older than
    /// the last one applied (and if so, it becomes the last).
    fn newest(&self, id: &str, revision: u64) -> bool {
        let mut revisions = self.revisions.lock().unwrap_or_else(|e| e.into_inner());
        let last = revisions.entry(id.to_string()).or_insert(0);
        if *last > revision {
            return false;
        }
        *last = revision;
        true
    }

    /// Makes `handler` the live version of `deployed`, unless a newer
    /// change to it was applied already; whether it did.
    fn swap_in(&self, deployed: &Deployed, handler: Handler, revision: u64) -> bool {
        let id = deployed.id();
        let mut live = self.live.write().unwrap_or_else(|e| e.into_inner());
        if !self.newest(&id, revision) {
            return false;
        }
        live.retain(|l| l.id != id);
        live.push(Live {
            id,
            route: deployed.route.clone(),
            version: deployed.live.clone(),
            handler: Arc::new(handler),
        });
        true
    }

    /// Stops serving handler `id`, unless a newer change to it was applied
    /// already; whether it was served.
    fn take_out(&self, id: &str, revision: u64) -> bool {
        let mut live = self.live.write().unwrap_or_else(|e| e.into_inner());
        if !self.newest(id, revision) {
            return false;
        }
        let before = live.len();
        live.retain(|l| l.id != id);
        live.len() != before
    }

    /// Writes a refused request to the audit log.
    pub fn audit_refusal(&self, caller: &Caller, action: &str, name: &str, refusal: &Refusal) {
        let line = serde_json::json!({
            "time": now(), "by": caller.name, "action": action,
            "handler": name, "refused": refusal.to_string(),
        });
        if let Err(e) = self.store.audit(&line) {
            tracing::error!("cannot write the audit log: {e}; the refusal was {line}");
        }
    }

    fn audit(&self, caller: &Caller, action: &str, id: &str, version: &str) {
        let line = serde_json::json!({
            "time": now(), "by": caller.name, "action": action,
            "handler": id, "version": version,
        });
        if let Err(e) = self.store.audit(&line) {
            tracing::error!("cannot write the audit log: {e}; the action was {line}");
        }
    }
}

/// The store `config` names: the lattice, or the state folder.
fn store_of(config: &AdminConfig) -> anyhow::Result<Box<dyn Store>> {
    Ok(match &config.lattice {
        Some(url) => Box::new(lattice::NatsStore::connect(
            url,
            &config.state_dir,
            config.max_logged_invocations.max(1000),
        )?),
        None => Box::new(FolderStore::open(&config.state_dir)?),
    })
}

/// A version's hash as logs show it.
fn short(hash: &str) -> &str {
    &hash[..hash.len().min(12)]
}

/// `/~NAMESPACE` followed by `route` (which may already start with it).
fn namespaced_route(namespace: &str, route: &str) -> Result<String, Refusal> {
    let home = format!("/~{namespace}");
    let route = route.trim_end_matches('/');
    let full = if route.is_empty() {
        home.clone()
    } else if route == home || route.starts_with(&format!("{home}/")) {
        route.to_string()
    } else if route.starts_with("/~") {
        return Err(Refusal::Forbidden(format!(
            "{route} is outside {home}, this account's namespace"
        )));
    } else if route.starts_with('/') {
        format!("{home}{route}")
    } else {
        format!("{home}/{route}")
    };
    crate::config::normalize_prefix(&full).map_err(|e| Refusal::Invalid(format!("{e:#}")))
}

/// Compiles version `hash` of a deployed handler.
fn load(
    store: &dyn Store,
    deployed: &Deployed,
    hash: &str,
    runtime: &Runtime,
) -> anyhow::Result<Handler> {
    let version = deployed
        .versions
        .iter()
        .find(|v| v.hash == hash)
        .ok_or_else(|| anyhow::anyhow!("version {hash} is not kept"))?;
    let module = store.module_file(hash, &version.file)?;
    Handler::load(route_config(deployed, module)?, runtime)
}

/// The name a deployed module is kept (and run) under: the file name it
/// was deployed from, if it is a plain one with the extension its format
/// has, else the handler's name with that extension.
fn module_file_name(file: &str, handler: &str, format: &str) -> String {
    let base = file.rsplit(['/', '\\']).next().unwrap_or("");
    let plain = !base.is_empty()
        && !base.starts_with('.')
        && base
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if plain && base.ends_with(&format!(".{format}")) {
        base.to_string()
    } else {
        format!("{handler}.{format}")
    }
}

/// The route configuration a deployed handler runs with: no folders, the
/// default limits unless its settings say otherwise.
fn route_config(deployed: &Deployed, module: std::path::PathBuf) -> anyhow::Result<RouteConfig> {
    let s = &deployed.settings;
    let d = default_handler_limits();
    let bytes = |text: &Option<String>, default: Option<u64>| -> anyhow::Result<Option<u64>> {
        match text {
            Some(t) => Ok(Some(
                wasmhole_runtime::parse_bytes(t).map_err(anyhow::Error::msg)?,
            )),
            None => Ok(default),
        }
    };
    Ok(RouteConfig {
        selector: deployed.route.clone(),
        module,
        abi: match s.abi.as_deref() {
            None | Some("auto") => None,
            Some(name) => Some(Abi::parse(name).ok_or_else(|| {
                anyhow::anyhow!("unknown ABI `{name}` (use wasi, dagger, olin or auto)")
            })?),
        },
        invoke: s.invoke.clone(),
        kind: if s.kind.is_empty() {
            ItemKind::Text
        } else {
            ItemKind::parse(&s.kind).ok_or_else(|| {
                anyhow::anyhow!("unknown type `{}` (use menu, text or binary)", s.kind)
            })?
        },
        args: Vec::new(),
        env: Vec::new(),
        dirs: Vec::new(),
        limits: Limits {
            max_memory: bytes(&s.memory, d.max_memory)?,
            fuel: s.fuel,
            timeout: match &s.timeout {
                Some(t) => Some(parse_duration(t)?),
                None => d.timeout,
            },
            max_output: bytes(&s.max_output, d.max_output)?,
            max_open_files: d.max_open_files,
        },
    })
}

fn view(deployed: &Deployed) -> HandlerView {
    HandlerView {
        id: deployed.id(),
        route: deployed.route.clone(),
        live: deployed.live_version().cloned().unwrap_or_else(|| Version {
            hash: deployed.live.clone(),
            format: String::new(),
            file: String::new(),
            size: 0,
            deployed: String::new(),
            by: String::new(),
        }),
        versions: deployed.versions.len(),
        settings: deployed.settings.clone(),
    }
}

fn now() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmhole_runtime::EngineOptions;

    fn module(text: &str) -> String {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(format!(
            r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "{text}")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const {}))
    (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"#,
            text.len()
        ))
    }

    fn live_version(d: &Deployments) -> Option<String> {
        d.route("/~ann/hello").map(|(_, _, _, version)| version)
    }

    #[test]
    fn changes_apply_in_revision_order_whoever_sees_them_first() {
        let dir = tempfile::tempdir().unwrap();
        let config = AdminConfig::new(dir.path().to_path_buf());
        let runtime = Runtime::new(EngineOptions::default()).unwrap();
        let d = Deployments::open(&config, &runtime).unwrap();
        let ann = Caller {
            name: "ann".into(),
            admin: false,
        };
        let deploy = |text: &str| {
            d.deploy(
                &ann,
                "hello",
                DeployRequest {
                    route: "/hello".into(),
                    file: "hello.wat".into(),
                    module: module(text),
                    settings: Settings::default(),
                },
                &runtime,
            )
            .unwrap();
            d.stored().unwrap().remove(0)
        };
        let one = deploy("one");
        let two = deploy("two");
        // Another server's changes, as a lattice would deliver them.
        d.apply(Change::Put(Box::new(two.clone()), 7), &runtime);
        assert_eq!(live_version(&d).as_deref(), Some(two.live.as_str()));
        let mut back = two.clone();
        back.live = one.live.clone();
        d.apply(Change::Put(Box::new(back.clone()), 5), &runtime);
        assert_eq!(
            live_version(&d).as_deref(),
            Some(two.live.as_str()),
            "an older change does not undo a newer one"
        );
        d.apply(Change::Removed(two.id(), 6), &runtime);
        assert!(live_version(&d).is_some(), "nor does an older delete");
        d.apply(Change::Put(Box::new(back), 8), &runtime);
        assert_eq!(live_version(&d).as_deref(), Some(one.live.as_str()));
        d.apply(Change::Removed(two.id(), 9), &runtime);
        assert_eq!(live_version(&d), None);
    }
}
