//! Hot reload of handler modules: noticing that a module file changed
//! (modification time or size), compiling and linking the new version, and
//! swapping it in. A version that does not compile, link or offer an entry
//! point leaves the previous one serving, and the log says why.

use crate::config::RouteConfig;
use crate::handler::{Handler, Loaded};
use anyhow::Context;
use std::path::Path;
use std::time::{Duration, SystemTime};
use tokio::sync::watch;
use wasmhole_runtime::{Program, Runtime, run};

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
    let abi = run::choose_abi(&program, route.abi)?;
    run::entry_point(&program, abi, route.invoke.as_deref())?;
    runtime
        .prepare(&program, abi)
        .map_err(|e| anyhow::anyhow!("{e:#}"))
        .with_context(|| format!("cannot link {}", path.display()))?;
    Ok(Loaded {
        program,
        abi,
        stamp,
    })
}

/// What a reload check did for one handler.
#[derive(Debug, PartialEq, Eq)]
pub enum Reload {
    /// The file did not change.
    Unchanged,
    /// The new version serves from now on.
    Reloaded,
    /// The new version is broken; the previous one keeps serving.
    Broken(String),
}

/// Reloads the handler's module if its file changed since it was last read.
pub fn reload_if_changed(handler: &Handler, runtime: &Runtime) -> Reload {
    let path = &handler.route().module;
    let stamp = FileStamp::of(path);
    {
        let mut seen = handler.seen.write().unwrap_or_else(|e| e.into_inner());
        if *seen == stamp {
            return Reload::Unchanged;
        }
        *seen = stamp;
    }
    if stamp.is_none() {
        return Reload::Broken(format!("{} cannot be read", path.display()));
    }
    match compile(handler.route(), runtime) {
        Ok(loaded) => {
            handler.replace(loaded);
            Reload::Reloaded
        }
        Err(e) => Reload::Broken(format!("{e:#}")),
    }
}

/// Checks every handler once, logging what changed. When a module was
/// replaced, the runtime forgets the programs it prepared and prepares the
/// current ones again, so old versions do not pile up.
pub fn reload_changed(handlers: &[Handler], runtime: &Runtime) {
    let mut any = false;
    for handler in handlers {
        match reload_if_changed(handler, runtime) {
            Reload::Unchanged => {}
            Reload::Reloaded => {
                any = true;
                tracing::info!(
                    route = handler.prefix(),
                    module = %handler.route().module.display(),
                    "reloaded handler module"
                );
            }
            Reload::Broken(why) => tracing::warn!(
                route = handler.prefix(),
                "the changed handler module is broken; the previous version keeps serving: {why}"
            ),
        }
    }
    if any {
        runtime.clear_cache();
        for handler in handlers {
            let loaded = handler.loaded();
            if let Err(e) = runtime.prepare(&loaded.program, loaded.abi) {
                tracing::warn!(route = handler.prefix(), "cannot prepare handler: {e:#}");
            }
        }
    }
}

/// Checks the handlers every `interval` until `stop` turns true. The
/// compiling happens on a blocking thread.
pub async fn watch_modules(
    service: std::sync::Arc<crate::service::Gopherd>,
    interval: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await;
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            _ = tick.tick() => {
                let s = service.clone();
                let _ = tokio::task::spawn_blocking(move || s.reload_changed()).await;
            }
        }
    }
}
