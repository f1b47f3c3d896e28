//! What a module needs to start: every import provided by the ABI it runs
//! under (each missing one named, with the ABI the imports ask for), the ABI
//! chosen, and its entry point (`--invoke`, else the ABI's usual ones; a
//! WASI reactor's `_initialize` first).

use crate::module::abi::Abi;
use crate::module::program::Program;
use crate::sandbox::exit::{FailureKind, GuestFailure};

/// Checks every function import against the ABI's call table; every
/// missing one is named along with the ABI that would provide it.
pub fn check_imports(program: &Program, abi: Abi) -> Result<(), GuestFailure> {
    let missing = missing_imports(program, abi);
    if missing.is_empty() {
        return Ok(());
    }
    Err(cannot_start(program, FailureKind::MissingImport, missing))
}

/// Why each import the ABI does not provide is missing, as phrases that
/// follow the guest's name ("imports `m::f`, which …").
fn missing_imports(program: &Program, abi: Abi) -> Vec<String> {
    let mut missing = Vec::new();
    for import in program.imports() {
        // An imported memory becomes the guest's own (see `host_module`).
        let provided = import.kind == "memory"
            || (import.kind == "func"
                && abi.import_modules().contains(&import.module.as_str())
                && crate::abis::find(abi, &import.name).is_some());
        if provided {
            continue;
        }
        let other = Abi::ALL.into_iter().find(|a| {
            a.import_modules().contains(&import.module.as_str())
                && crate::abis::find(*a, &import.name).is_some()
        });
        let hint = match other {
            Some(a) if import.kind == "func" => {
                format!("; the {a} ABI provides it (run with --abi {})", a.name())
            }
            _ if import.kind != "func" => format!(
                "; wasmhole provides functions and a memory, and this is a {}",
                import.kind
            ),
            _ => String::new(),
        };
        missing.push(format!(
            "imports `{}::{}`, which the {abi} ABI does not provide{hint}",
            import.module, import.name
        ));
    }
    missing
}

/// One failure naming every reason a guest cannot start: "guest `g`
/// REASON", or "guest `g` cannot start, for N reasons: it R1; and it R2".
fn cannot_start(program: &Program, kind: FailureKind, reasons: Vec<String>) -> GuestFailure {
    let guest = program.name();
    let message = match reasons.as_slice() {
        [one] => format!("guest `{guest}` {one}"),
        many => format!(
            "guest `{guest}` cannot start, for {} reasons: it {}",
            many.len(),
            many.join("; and it ")
        ),
    };
    GuestFailure {
        guest: guest.to_string(),
        kind,
        message,
        location: None,
    }
}

/// Everything a guest needs to start, checked at once: the ABI it runs
/// under (`asked`, else detected), every import provided, and its entry
/// point (`invoke`, else the ABI's usual one). A guest that cannot start
/// hears every reason in one failure.
pub fn startable(
    program: &Program,
    asked: Option<Abi>,
    invoke: Option<&str>,
) -> Result<(Abi, String), GuestFailure> {
    let abi = choose_abi(program, asked)?;
    let mut reasons = missing_imports(program, abi);
    let kind = if reasons.is_empty() {
        FailureKind::NoEntry
    } else {
        FailureKind::MissingImport
    };
    match entry_reason(program, abi, invoke) {
        Ok(entry) if reasons.is_empty() => Ok((abi, entry)),
        Ok(_) => Err(cannot_start(program, kind, reasons)),
        Err(reason) => {
            reasons.push(reason);
            Err(cannot_start(program, kind, reasons))
        }
    }
}

/// The ABI to run a program under: the one asked for, else the detected one.
pub fn choose_abi(program: &Program, asked: Option<Abi>) -> Result<Abi, GuestFailure> {
    asked.or(program.detected_abi()).ok_or_else(|| {
        let modules: Vec<_> = program
            .imports()
            .iter()
            .map(|i| i.module.as_str())
            .collect();
        GuestFailure {
            guest: program.name().to_string(),
            kind: FailureKind::MissingImport,
            message: format!(
                "guest `{}` speaks no known ABI (it imports from {}); choose one with --abi",
                program.name(),
                modules.join(", ")
            ),
            location: None,
        }
    })
}

/// The exported functions a guest of `abi` is started at when none is named,
/// in the order they are looked for: what its real guests export.
pub fn default_entries(abi: Abi) -> &'static [&'static str] {
    match abi {
        Abi::Wasi => &["_start"],
        // libcwa (Olin's Rust library) exports `cwa_main`, and a `main`.
        Abi::Olin => &["_start", "cwa_main", "main"],
        Abi::Dagger => &["main", "_start"],
        Abi::H => &["h", "_start"],
    }
}

/// The exported function a guest starts at: `invoke` when one is named
/// (`--invoke`, a route's `invoke`), else the first of the ABI's
/// [`default_entries`] it exports. An entry point takes no parameters; if
/// it returns an i32, that is the exit status.
pub fn entry_point(
    program: &Program,
    abi: Abi,
    invoke: Option<&str>,
) -> Result<String, GuestFailure> {
    entry_reason(program, abi, invoke)
        .map_err(|reason| cannot_start(program, FailureKind::NoEntry, vec![reason]))
}

/// The entry point, or why there is none as a phrase following the guest's
/// name.
fn entry_reason(program: &Program, abi: Abi, invoke: Option<&str>) -> Result<String, String> {
    let callable = callable_exports(program);
    let callable_text = if callable.is_empty() {
        "it exports no function that takes no parameters".to_string()
    } else {
        format!("it can be started at {}", callable.join(", "))
    };
    if let Some(name) = invoke {
        return match program.export_sig(name) {
            None if program.exports_func(name) => Ok(name.to_string()),
            None => Err(format!(
                "exports no function `{name}` to invoke ({callable_text})"
            )),
            Some(sig) if !sig.params.is_empty() => Err(format!(
                "cannot be started at `{name}`: `{name}` takes parameters {sig}, \
                 and an entry point takes none ({callable_text})"
            )),
            Some(_) => Ok(name.to_string()),
        };
    }
    let candidates = default_entries(abi);
    candidates
        .iter()
        .find(|name| callable.iter().any(|c| c == *name))
        .map(|name| name.to_string())
        .ok_or_else(|| {
            format!(
                "exports no entry point for {abi} (looked for {}; {callable_text}; \
                 name one to invoke)",
                candidates.join(", ")
            )
        })
}

/// Exported functions that take no parameters, which could be started.
pub fn callable_exports(program: &Program) -> Vec<String> {
    program
        .exports()
        .iter()
        .filter(|e| e.kind == "func")
        .filter(|e| {
            program
                .func_sig(e.index)
                .is_none_or(|s| s.params.is_empty())
        })
        .map(|e| e.name.clone())
        .collect()
}

/// Whether a WASI reactor's `_initialize` runs before `entry`, as wasmtime
/// runs it.
pub fn runs_initialize(program: &Program, abi: Abi, entry: &str) -> bool {
    abi == Abi::Wasi && entry != "_initialize" && program.exports_func("_initialize")
}
