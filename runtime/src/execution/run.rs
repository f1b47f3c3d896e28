//! Running a guest to completion on the fast path, and turning every way it
//! can end into an exit status or a message that names the guest, the call or
//! function, and the reason.

use crate::abis::call::Fatal;
use crate::calls::sink::RecordSink;
use crate::execution::engine::{EPOCH_TICK, Runtime};
use crate::execution::host::{CallHandling, Host};
use crate::execution::start::{runs_initialize, startable};
use crate::module::abi::Abi;
use crate::module::program::Program;
use crate::replay::Mode;
use crate::sandbox::fdtable::DescriptorRow;
use crate::sandbox::process::{Process, ProcessConfig};
use std::fmt;

pub use crate::sandbox::exit::{ExitStatus, FailureKind, GuestFailure};
use std::time::{Duration, Instant};
use wasmtime::{Store, Trap, Val, WasmBacktrace};

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
        self.run_inner(program, options, false, &mut |_, _, _| Mode::Live)
            .0
    }

    /// Runs a program to completion, letting `setup` prepare its process
    /// first (given the ABI and entry point chosen) and say whether its
    /// calls are recorded or answered from a recording (see
    /// [`crate::replay`]).
    pub fn run_with(
        &self,
        program: &Program,
        options: RunOptions,
        setup: &mut dyn FnMut(&mut Process, Abi, &str) -> Mode,
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
        self.run_inner(program, options, true, &mut |_, _, _| Mode::Live)
    }

    fn run_inner(
        &self,
        program: &Program,
        options: RunOptions,
        keep_memory: bool,
        setup: &mut dyn FnMut(&mut Process, Abi, &str) -> Mode,
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
        let (abi, entry) = match startable(program, options.abi, options.config.entry.as_deref()) {
            Ok(start) => start,
            Err(f) => return failed(f),
        };
        let pre = match self.prepare(program, abi) {
            Ok(pre) => pre,
            Err(e) => match e.downcast::<GuestFailure>() {
                Ok(f) => return failed(f),
                Err(e) => return failed(setup_failure(program, format!("{e:#}"))),
            },
        };
        let made = crate::abis::process(program.name(), abi, options.config)
            .and_then(|p| CallHandling::for_process(&p).map(|c| (p, c)));
        let (mut process, mut calls) = match made {
            Ok(made) => made,
            Err(e) => return failed(setup_failure(program, e)),
        };
        for sink in options.sinks {
            calls.recorder.add(sink);
        }
        calls.replay = setup(&mut process, abi, &entry);
        let limits = process.config.limits.clone();
        let mut store = Store::new(self.engine(), Host::new(process, calls));
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
            crate::execution::host::attach(&mut store, instance, program);
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
        host.calls.recorder.finish();
        host.calls.replay.finish(&status);
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
pub fn time_limit_text(limits: &crate::sandbox::limits::Limits) -> String {
    limits
        .timeout
        .map(|t| format!("{t:?}"))
        .unwrap_or_else(|| "?".into())
}

/// A trap in words, naming the limit when a limit caused it.
pub fn trap_text(trap: &Trap, limits: &crate::sandbox::limits::Limits) -> String {
    match trap {
        Trap::Interrupt => format!("time limit of {} exceeded", time_limit_text(limits)),
        Trap::OutOfFuel => format!("out of fuel (budget {} units)", limits.fuel.unwrap_or(0)),
        other => other.to_string(),
    }
}

/// Turns a wasmtime error into an exit status with a message.
pub fn classify(
    program: &Program,
    limits: &crate::sandbox::limits::Limits,
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
