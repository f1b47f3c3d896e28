//! Hot reload of handler modules: noticing that a module file changed
//! (modification time or size), compiling and linking the new version, and
//! swapping it in. A version that does not compile, link or offer an entry
//! point leaves the previous one serving, and the log says why.

use crate::handler::{FileStamp, Handler, compile};
use wasmhole_runtime::Runtime;

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
