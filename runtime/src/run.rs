//! Running a guest to completion on the fast path, and turning every way it
//! can end into an exit status or a message that names the guest, the call or
//! function, and the reason.

use crate::abi::Abi;
use crate::calls::{self, Fatal};
use crate::engine::{EPOCH_TICK, Runtime};
use crate::fdtable::DescriptorRow;
use crate::host::Host;
use crate::process::{Process, ProcessConfig};
use crate::program::Program;
use crate::trace::RecordSink;
use std::fmt;
use std::time::{Duration, Instant};
use wasmtime::{Store, Trap, Val, WasmBacktrace};

/// What stopped a guest other than a normal exit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FailureKind {
    /// The program could not be compiled, linked or set up.
    Setup,
    /// It imports something no loaded ABI provides.
    MissingImport,
    /// It exports no entry point for its ABI.
    NoEntry,
    /// A wasm trap (unreachable, out-of-bounds access, divide by zero…).
    Trap,
    /// The wall-clock deadline passed.
    Timeout,
    /// The fuel budget ran out.
    OutOfFuel,
    /// A host call killed it (policy refusal, bad resource…).
    Killed,
    /// It wrote more than its output limit to stdout and stderr.
    OutputLimit,
}

/// Why a guest did not exit normally, in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GuestFailure {
    /// The guest's name.
    pub guest: String,
    /// What kind of failure.
    pub kind: FailureKind,
    /// The full message.
    pub message: String,
    /// The function and wasm offset it happened at, when known.
    pub location: Option<(String, usize)>,
}

impl fmt::Display for GuestFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for GuestFailure {}

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// The guest exited (returned from its entry point or asked to exit).
    Exited(i32),
    /// The guest was stopped.
    Failed(GuestFailure),
}

impl ExitStatus {
    /// The status a command-line runner exits with: the guest's own, or 134
    /// for a failure (as if it had aborted), like other runtimes.
    pub fn code(&self) -> i32 {
        match self {
            ExitStatus::Exited(code) => *code,
            ExitStatus::Failed(_) => 134,
        }
    }
}

/// The result of a run.
pub struct RunReport {
    /// How it ended.
    pub status: ExitStatus,
    /// Wall-clock time from instantiation to the end.
    pub elapsed: Duration,
    /// Fuel consumed, when fuel was metered.
    pub fuel_consumed: Option<u64>,
    /// Descriptors still open when it ended.
    pub open_descriptors: Vec<DescriptorRow>,
}

/// What to run and how.
pub struct RunOptions {
    /// The ABI, or `None` to use the one the imports show.
    pub abi: Option<Abi>,
    /// The process recipe.
    pub config: ProcessConfig,
    /// Where syscall records go (empty: none are made).
    pub sinks: Vec<Box<dyn RecordSink>>,
}

/// Checks every function import against the ABI's call table; a missing one
/// is named along with the ABI that would provide it.
pub fn check_imports(program: &Program, abi: Abi) -> Result<(), GuestFailure> {
    for import in program.imports() {
        // An imported memory becomes the guest's own (see `host_module`).
        let provided = import.kind == "memory"
            || (import.kind == "func"
                && abi.import_modules().contains(&import.module.as_str())
                && calls::find(abi, &import.name).is_some());
        if provided {
            continue;
        }
        let other = Abi::ALL.into_iter().find(|a| {
            a.import_modules().contains(&import.module.as_str())
                && calls::find(*a, &import.name).is_some()
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
        return Err(GuestFailure {
            guest: program.name().to_string(),
            kind: FailureKind::MissingImport,
            message: format!(
                "guest `{}` imports `{}::{}`, which the {abi} ABI does not provide{hint}",
                program.name(),
                import.module,
                import.name
            ),
            location: None,
        });
    }
    Ok(())
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
    let guest = program.name();
    let failure = |message: String| GuestFailure {
        guest: guest.to_string(),
        kind: FailureKind::NoEntry,
        message,
        location: None,
    };
    let callable = callable_exports(program);
    let callable_text = if callable.is_empty() {
        "it exports no function that takes no parameters".to_string()
    } else {
        format!("it can be started at {}", callable.join(", "))
    };
    if let Some(name) = invoke {
        return match program.export_sig(name) {
            None if program.exports_func(name) => Ok(name.to_string()),
            None => Err(failure(format!(
                "guest `{guest}` exports no function `{name}` to invoke ({callable_text})"
            ))),
            Some(sig) if !sig.params.is_empty() => Err(failure(format!(
                "guest `{guest}`: `{name}` takes parameters {sig} and cannot be started; \
                 an entry point takes none ({callable_text})"
            ))),
            Some(_) => Ok(name.to_string()),
        };
    }
    let candidates = default_entries(abi);
    candidates
        .iter()
        .find(|name| callable.iter().any(|c| c == *name))
        .map(|name| name.to_string())
        .ok_or_else(|| {
            failure(format!(
                "guest `{guest}` exports no entry point for {abi} (looked for {}; {callable_text}; \
                 name one to invoke)",
                candidates.join(", ")
            ))
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

/// The exit status an entry point's results mean: its i32, or 0.
pub fn status_of_results(results: &[Val]) -> i32 {
    match results.first() {
        Some(Val::I32(code)) => *code,
        _ => 0,
    }
}

fn setup_failure(program: &Program, e: impl fmt::Display) -> GuestFailure {
    GuestFailure {
        guest: program.name().to_string(),
        kind: FailureKind::Setup,
        message: format!("guest `{}`: {e}", program.name()),
        location: None,
    }
}

impl Runtime {
    /// Runs a program to completion on the calling thread.
    pub fn run(&self, program: &Program, options: RunOptions) -> RunReport {
        self.run_inner(program, options, false, &mut |_, _, _| {}).0
    }

    /// Runs a program to completion, letting `setup` prepare its process
    /// first (given the ABI and entry point chosen): to record it, or to
    /// make it a replay (see [`crate::replay`]).
    pub fn run_with(
        &self,
        program: &Program,
        options: RunOptions,
        setup: &mut dyn FnMut(&mut Process, Abi, &str),
    ) -> RunReport {
        self.run_inner(program, options, false, setup).0
    }

    /// Runs a program to completion on the calling thread, and keeps a copy
    /// of its linear memory as it was when it ended (`None` if it never
    /// started or has no memory): what an exercise check reads.
    pub fn run_keeping_memory(
        &self,
        program: &Program,
        options: RunOptions,
    ) -> (RunReport, Option<Vec<u8>>) {
        self.run_inner(program, options, true, &mut |_, _, _| {})
    }

    fn run_inner(
        &self,
        program: &Program,
        options: RunOptions,
        keep_memory: bool,
        setup: &mut dyn FnMut(&mut Process, Abi, &str),
    ) -> (RunReport, Option<Vec<u8>>) {
        let t0 = Instant::now();
        let failed = |failure: GuestFailure| {
            let report = RunReport {
                status: ExitStatus::Failed(failure),
                elapsed: t0.elapsed(),
                fuel_consumed: None,
                open_descriptors: Vec::new(),
            };
            (report, None)
        };
        let abi = match choose_abi(program, options.abi) {
            Ok(abi) => abi,
            Err(f) => return failed(f),
        };
        let entry = match entry_point(program, abi, options.config.entry.as_deref()) {
            Ok(e) => e,
            Err(f) => return failed(f),
        };
        let pre = match self.prepare(program, abi) {
            Ok(pre) => pre,
            Err(e) => match e.downcast::<GuestFailure>() {
                Ok(f) => return failed(f),
                Err(e) => return failed(setup_failure(program, format!("{e:#}"))),
            },
        };
        let mut process = match Process::new(program.name(), abi, options.config) {
            Ok(p) => p,
            Err(e) => return failed(setup_failure(program, e)),
        };
        for sink in options.sinks {
            process.recorder.add(sink);
        }
        setup(&mut process, abi, &entry);
        let limits = process.config.limits.clone();
        let mut store = Store::new(self.engine(), Host::new(process));
        store.limiter(|h| h as &mut dyn wasmtime::ResourceLimiter);
        if let Some(fuel) = limits.fuel {
            if let Err(e) = store.set_fuel(fuel) {
                return failed(setup_failure(program, e));
            }
        } else if self.options().fuel {
            let _ = store.set_fuel(u64::MAX);
        }
        if limits.timeout.is_some() && self.options().without_time_limits {
            return failed(setup_failure(
                program,
                "a time limit needs a runtime made with time limits",
            ));
        }
        match limits.timeout {
            Some(timeout) => {
                self.ensure_ticker();
                let ticks = timeout.as_nanos().div_ceil(EPOCH_TICK.as_nanos()) as u64;
                store.set_epoch_deadline(ticks.max(1));
                store.epoch_deadline_trap();
            }
            None if self.options().without_time_limits => {}
            None => store.set_epoch_deadline(u64::MAX),
        }
        let result = pre.instantiate(&mut store).and_then(|instance| {
            crate::host::attach(&mut store, instance, program);
            if runs_initialize(program, abi, &entry)
                && let Some(init) = instance.get_func(&mut store, "_initialize")
            {
                init.call(&mut store, &[], &mut [])?;
            }
            let func = instance
                .get_func(&mut store, &entry)
                .ok_or_else(|| wasmtime::format_err!("entry point `{entry}` vanished"))?;
            let n_results = func.ty(&store).results().len();
            let mut results = vec![Val::I32(0); n_results];
            func.call(&mut store, &[], &mut results)?;
            Ok(status_of_results(&results))
        });
        let status = match result {
            Ok(code) => ExitStatus::Exited(code),
            Err(e) => classify(program, &limits, store.data().process.limit_note.clone(), e),
        };
        let fuel_consumed = limits
            .fuel
            .and_then(|budget| store.get_fuel().ok().map(|left| budget - left));
        let memory = match store.data().memory {
            Some(m) if keep_memory => Some(m.data(&store).to_vec()),
            _ => None,
        };
        let host = store.data_mut();
        host.process.recorder.finish();
        crate::replay::finish(&mut host.process, &status);
        let report = RunReport {
            status,
            elapsed: t0.elapsed(),
            fuel_consumed,
            open_descriptors: host.process.fds.rows(),
        };
        (report, memory)
    }
}

/// The time limit as messages name it (`1s`, `500ms`).
pub fn time_limit_text(limits: &crate::process::Limits) -> String {
    limits
        .timeout
        .map(|t| format!("{t:?}"))
        .unwrap_or_else(|| "?".into())
}

/// A trap in words, naming the limit when a limit caused it.
pub fn trap_text(trap: &Trap, limits: &crate::process::Limits) -> String {
    match trap {
        Trap::Interrupt => format!("time limit of {} exceeded", time_limit_text(limits)),
        Trap::OutOfFuel => format!("out of fuel (budget {} units)", limits.fuel.unwrap_or(0)),
        other => other.to_string(),
    }
}

/// Turns a wasmtime error into an exit status with a message.
pub fn classify(
    program: &Program,
    limits: &crate::process::Limits,
    limit_note: Option<String>,
    e: wasmtime::Error,
) -> ExitStatus {
    if let Some(Fatal::Exit(code)) = e.downcast_ref::<Fatal>() {
        return ExitStatus::Exited(*code);
    }
    let guest = program.name().to_string();
    let location = e.downcast_ref::<WasmBacktrace>().and_then(|bt| {
        bt.frames().iter().find_map(|f| {
            let offset = program.user_offset(f.module_offset()? as u32) as usize;
            Some((program.func_label(f.func_index()), offset))
        })
    });
    let at = match &location {
        Some((func, offset)) => format!(" in {func} at wasm offset {offset:#x}"),
        None => String::new(),
    };
    let (kind, mut message) = if let Some(Fatal::Kill {
        call,
        reason,
        output_limit,
    }) = e.downcast_ref::<Fatal>()
    {
        (
            if *output_limit {
                FailureKind::OutputLimit
            } else {
                FailureKind::Killed
            },
            format!("guest `{guest}` was killed in call `{call}`{at}: {reason}"),
        )
    } else if let Some(Fatal::TimeLimit { call, waiting }) = e.downcast_ref::<Fatal>() {
        (
            FailureKind::Timeout,
            format!(
                "guest `{guest}` exceeded its time limit of {} in call `{call}`{at}: it was {waiting}",
                time_limit_text(limits)
            ),
        )
    } else if let Some(trap) = e.downcast_ref::<Trap>() {
        match trap {
            Trap::Interrupt => (
                FailureKind::Timeout,
                format!(
                    "guest `{guest}` exceeded its time limit of {}{at}",
                    time_limit_text(limits)
                ),
            ),
            Trap::OutOfFuel => (
                FailureKind::OutOfFuel,
                format!(
                    "guest `{guest}` ran out of fuel (budget {} units){at}",
                    limits.fuel.unwrap_or(0)
                ),
            ),
            other => (
                FailureKind::Trap,
                format!("guest `{guest}` trapped{at}: {other}"),
            ),
        }
    } else {
        (
            FailureKind::Setup,
            format!("guest `{guest}` failed{at}: {e:#}"),
        )
    };
    if let Some(note) = limit_note {
        message.push_str(&format!(" (note: {note})"));
    }
    ExitStatus::Failed(GuestFailure {
        guest,
        kind,
        message,
        location,
    })
}
