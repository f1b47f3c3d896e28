//! The store data of a running guest (`Host`) and the one generic bridge
//! between wasmtime and the call tables: linking registers every described
//! call, and each invocation decodes, times, records itself and meets any
//! fault injection here, so no ABI implements any of that twice.

use crate::abis::call::{CallContext, CallSpec, Fatal, WasmTy};
use crate::calls::decode;
use crate::calls::inject::{Injected, Injector};
use crate::calls::record::{CallOutcome, SyscallRecord};
use crate::calls::sink::Recorder;
use crate::module::abi::Abi;
use crate::module::program::Program;
use crate::replay::{self, Mode};
use crate::sandbox::guest_memory::MemRange;
use crate::sandbox::guest_memory::{AccessLog, GuestMemory};
use crate::sandbox::memory_budget::TABLE_ELEMENT_BYTES;
use crate::sandbox::process::{Process, SetupError};
use std::mem::MaybeUninit;
use std::sync::Arc;
use std::time::Instant;
use wasmtime::{AsContextMut, Caller, Engine, FuncType, Instance, Linker, Memory, ValRaw, ValType};

/// Watches host calls from the guest's own thread (the debugger does, to
/// stop at a call's entry and exit). It may block; returning an error ends
/// the guest.
pub trait CallObserver: Send + Sync {
    /// Before `call` runs with `args`.
    fn entry(
        &self,
        caller: &mut Caller<'_, Host>,
        call: &'static CallSpec,
        args: &[u64],
    ) -> Result<(), Fatal>;

    /// After the call ran: its record, and the bytes its writes replaced.
    fn exit(
        &self,
        caller: &mut Caller<'_, Host>,
        record: &SyscallRecord,
        before: Vec<(MemRange, Vec<u8>)>,
    ) -> Result<(), Fatal>;

    /// Whether call `seq` of a replay needs its arguments decoded for
    /// [`CallObserver::exit`] (a debugger racing to a rewind's target does
    /// not).
    fn wants_record(&self, _seq: u64) -> bool {
        true
    }
}

/// Most parameters any described call has.
const MAX_PARAMS: usize = 12;

/// How a guest's calls are handled beyond running them: numbered and handed
/// to record sinks, injected into, recorded or answered from a recording.
#[derive(Default)]
pub struct CallHandling {
    /// Where records go (no sink: calls are not decoded).
    pub recorder: Recorder,
    /// Faults injected into its calls, and how often each was made.
    pub injector: Injector,
    /// Whether its calls are recorded, or answered from a recording.
    pub replay: Mode,
}

impl CallHandling {
    /// Handling for `process`, its configuration's injections checked
    /// against its ABI's calls.
    pub fn for_process(process: &Process) -> Result<CallHandling, SetupError> {
        Ok(CallHandling {
            injector: Injector::new(process.abi, &process.config.inject)
                .map_err(SetupError::Inject)?,
            ..CallHandling::default()
        })
    }
}

/// What a wasmtime store holds for one guest.
pub struct Host {
    /// The guest's process.
    pub process: Process,
    /// How its calls are handled.
    pub calls: CallHandling,
    /// The guest's memory 0, once instantiated (`None` if it has none).
    pub memory: Option<Memory>,
    /// The guest's instance, once instantiated.
    pub instance: Option<Instance>,
    /// A debugger watching calls, if any.
    pub observer: Option<Arc<dyn CallObserver>>,
}

impl Host {
    /// Store data for a process, its calls handled as `calls` says.
    pub fn new(process: Process, calls: CallHandling) -> Host {
        Host {
            process,
            calls,
            memory: None,
            instance: None,
            observer: None,
        }
    }

    /// Growth stops at the time limit: one `memory.grow` can take long.
    fn check_deadline(&self, what: &str) -> wasmtime::Result<()> {
        match self.process.deadline() {
            Some(deadline) if Instant::now() >= deadline => Err(wasmtime::Error::new(
                Fatal::time_limit("memory.grow", format!("growing its {what}")),
            )),
            _ => Ok(()),
        }
    }
}

/// Remembers a new instance of `program` and its memory 0 (reached through
/// the export [`crate::module::host_module::HostModule`] gave it), for host calls.
pub fn attach(mut store: impl AsContextMut<Data = Host>, instance: Instance, program: &Program) {
    let mut cx = store.as_context_mut();
    let memory = program
        .host_module()
        .memory_export()
        .and_then(|name| instance.get_memory(&mut cx, name));
    let host = cx.data_mut();
    host.memory = memory;
    host.instance = Some(instance);
}

/// Every memory and table of the guest is charged to its one budget, which
/// its host-side buffers share.
impl wasmtime::ResourceLimiter for Host {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.check_deadline("memory")?;
        let more = desired.saturating_sub(current) as u64;
        match self.process.memory.take(more) {
            Ok(()) => Ok(true),
            Err(over) => {
                self.process.limit_note = Some(format!(
                    "memory limit of {} bytes refused growth from {current} to {desired} bytes ({} bytes in use)",
                    over.limit, over.used
                ));
                Ok(false)
            }
        }
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.check_deadline("table")?;
        let more = (desired.saturating_sub(current) as u64).saturating_mul(TABLE_ELEMENT_BYTES);
        match self.process.memory.take(more) {
            Ok(()) => Ok(true),
            Err(over) => {
                self.process.limit_note = Some(format!(
                    "memory limit of {} bytes refused growing a table from {current} to {desired} elements ({} bytes in use)",
                    over.limit, over.used
                ));
                Ok(false)
            }
        }
    }
}

fn val_type(t: WasmTy) -> ValType {
    match t {
        WasmTy::I32 => ValType::I32,
        WasmTy::I64 => ValType::I64,
    }
}

/// The wasm function type of a described call.
pub fn func_type(engine: &Engine, call: &CallSpec) -> FuncType {
    FuncType::new(
        engine,
        call.params.iter().map(|p| val_type(p.ty)),
        call.ret.wasm_ty().map(val_type),
    )
}

/// Registers every call of `abi` (under each of its import module names and
/// aliases) on the linker.
pub fn link(linker: &mut Linker<Host>, abi: Abi) -> wasmtime::Result<()> {
    for call in crate::abis::calls_of(abi) {
        assert!(
            call.params.len() <= MAX_PARAMS,
            "{} has too many params",
            call.name
        );
        let ty = func_type(linker.engine(), call);
        for module in abi.import_modules() {
            for name in std::iter::once(&call.name).chain(call.aliases) {
                // SAFETY: `dispatch` reads exactly `call.params` from `raw`,
                // with the types `ty` declares, and writes the one result
                // `ty` declares.
                unsafe {
                    linker.func_new_unchecked(module, name, ty.clone(), move |caller, raw| {
                        dispatch(call, caller, raw)
                    })?;
                }
            }
        }
    }
    Ok(())
}

fn dispatch(
    call: &'static CallSpec,
    mut caller: Caller<'_, Host>,
    raw: &mut [MaybeUninit<ValRaw>],
) -> wasmtime::Result<()> {
    let mut argv = [0u64; MAX_PARAMS];
    for (i, p) in call.params.iter().enumerate() {
        // SAFETY: wasmtime initialises every parameter slot.
        let v = unsafe { raw[i].assume_init() };
        argv[i] = match p.ty {
            WasmTy::I32 => v.get_u32() as u64,
            WasmTy::I64 => v.get_u64(),
        };
    }
    let args = &argv[..call.params.len()];
    let result = match caller.data().observer.clone() {
        None => {
            let memory = caller.data().memory;
            let (bytes, host): (&mut [u8], &mut Host) = match memory {
                Some(m) => m.data_and_store_mut(&mut caller),
                None => (&mut [], caller.data_mut()),
            };
            invoke(
                call,
                args,
                bytes,
                memory.is_some(),
                &mut host.process,
                &mut host.calls,
            )
        }
        Some(observer) => observed_call(&*observer, call, args, &mut caller),
    };
    match result {
        Ok(v) => {
            match call.ret.wasm_ty() {
                Some(WasmTy::I32) => raw[0] = MaybeUninit::new(ValRaw::u32(v as u32)),
                Some(WasmTy::I64) => raw[0] = MaybeUninit::new(ValRaw::u64(v)),
                None => {}
            }
            Ok(())
        }
        Err(fatal) => Err(wasmtime::Error::new(fatal)),
    }
}

/// Runs one call over `memory` (`has_memory`: the guest has one) for
/// `process`: directly, or decoded, timed and recorded when `calls` has
/// record sinks, recorded, or answered from a recording. Every call a guest
/// makes without a debugger comes through here.
pub fn invoke(
    call: &'static CallSpec,
    args: &[u64],
    memory: &mut [u8],
    has_memory: bool,
    process: &mut Process,
    calls: &mut CallHandling,
) -> Result<u64, Fatal> {
    if calls.replay.is_replaying() {
        let replayed = replay::replay_call(
            call,
            args,
            memory,
            has_memory,
            &mut calls.replay,
            process,
            false,
        );
        return replayed.result.map_err(|f| f.in_call(call.name));
    }
    let injected = calls.injector.next(call);
    let result =
        if calls.recorder.active() && !calls.recorder.detailed() && !calls.replay.is_recording() {
            // Only counted: name, outcome and time.
            let seq = calls.recorder.next_seq();
            let start_ns = process.elapsed_ns();
            let t0 = Instant::now();
            let was_injected = injected.is_some();
            let result = {
                let mut cx = CallContext {
                    mem: GuestMemory::new(memory, has_memory),
                    process: &mut *process,
                };
                perform(call, &mut cx, args, injected)
            };
            let record = SyscallRecord {
                seq,
                abi: call.abi,
                name: call.name,
                args: Vec::new(),
                outcome: call_outcome(call, &result),
                reads: Vec::new(),
                writes: Vec::new(),
                start_ns,
                duration_ns: t0.elapsed().as_nanos() as u64,
                injected: was_injected,
                spec: call,
            };
            calls.recorder.emit(&record);
            result
        } else if calls.recorder.active() {
            let (result, record, _) = record_call(
                call,
                args,
                memory,
                has_memory,
                process,
                &mut calls.recorder,
                false,
                injected,
            );
            calls.recorder.emit(&record);
            calls
                .replay
                .after_call(process, call, args, &result, &record.writes, memory);
            result
        } else if calls.replay.is_recording() {
            let mut log = AccessLog::default();
            let result = {
                let mut cx = CallContext {
                    mem: GuestMemory::logged(memory, has_memory, &mut log),
                    process: &mut *process,
                };
                perform(call, &mut cx, args, injected)
            };
            calls
                .replay
                .after_call(process, call, args, &result, &log.writes, memory);
            result
        } else {
            let mut cx = CallContext {
                mem: GuestMemory::new(memory, has_memory),
                process,
            };
            perform(call, &mut cx, args, injected)
        };
    result.map_err(|f| f.in_call(call.name))
}

/// Runs the call's implementation, or what an injection puts in its place:
/// an error or value returned without running, or the call cut short.
fn perform(
    call: &'static CallSpec,
    cx: &mut CallContext<'_>,
    args: &[u64],
    injected: Option<Injected>,
) -> Result<u64, Fatal> {
    match injected {
        None => (call.imp)(cx, args),
        Some(Injected::Short(max)) => {
            cx.mem.limit_iovecs(max);
            (call.imp)(cx, &Injected::cut_lengths(call, args, max))
        }
        Some(Injected::Bytes(bytes)) => crate::calls::inject::read_instead(call, cx, args, &bytes),
        Some(other) => Ok(other.result(call).unwrap_or_default()),
    }
}

/// A call under a debugger: it may stop before and after.
fn observed_call(
    observer: &dyn CallObserver,
    call: &'static CallSpec,
    args: &[u64],
    caller: &mut Caller<'_, Host>,
) -> Result<u64, Fatal> {
    observer.entry(caller, call, args)?;
    if caller.data().calls.replay.is_replaying() {
        return replayed_call(observer, call, args, caller);
    }
    let injected = caller.data_mut().calls.injector.next(call);
    let memory = caller.data().memory;
    let (bytes, host): (&mut [u8], &mut Host) = match memory {
        Some(m) => m.data_and_store_mut(&mut *caller),
        None => (&mut [], caller.data_mut()),
    };
    let (result, record, log) = record_call(
        call,
        args,
        bytes,
        memory.is_some(),
        &mut host.process,
        &mut host.calls.recorder,
        true,
        injected,
    );
    host.calls.recorder.emit(&record);
    host.calls
        .replay
        .after_call(&host.process, call, args, &result, &record.writes, bytes);
    observer.exit(caller, &record, log.before)?;
    result.map_err(|f| f.in_call(call.name))
}

/// A call under a debugger answered from a recording: decoded only when
/// the debugger wants its record (not while racing to a rewind's target).
fn replayed_call(
    observer: &dyn CallObserver,
    call: &'static CallSpec,
    args: &[u64],
    caller: &mut Caller<'_, Host>,
) -> Result<u64, Fatal> {
    let memory = caller.data().memory;
    let has_memory = memory.is_some();
    let (bytes, host): (&mut [u8], &mut Host) = match memory {
        Some(m) => m.data_and_store_mut(&mut *caller),
        None => (&mut [], caller.data_mut()),
    };
    let seq = host.calls.replay.replay_position().unwrap_or(0) + 1;
    let listed = host.calls.recorder.active();
    let at_entry = (listed || observer.wants_record(seq)).then(|| {
        decode::decode_at_entry(
            call,
            args,
            memory_view(bytes, has_memory),
            &host.process.fds,
        )
    });
    let replayed = replay::replay_call(
        call,
        args,
        bytes,
        has_memory,
        &mut host.calls.replay,
        &mut host.process,
        true,
    );
    let returned = replayed.result.as_ref().ok().copied();
    let record = SyscallRecord {
        seq,
        abi: call.abi,
        name: call.name,
        args: at_entry.map_or_else(Vec::new, |at_entry| {
            at_entry.finish(
                call,
                args,
                returned,
                memory_view(bytes, has_memory),
                &host.process.fds,
                &replayed.writes,
            )
        }),
        outcome: call_outcome(call, &replayed.result),
        reads: Vec::new(),
        writes: replayed.writes,
        start_ns: host.process.elapsed_ns(),
        duration_ns: 0,
        injected: false,
        spec: call,
    };
    if listed {
        host.calls.recorder.emit(&record);
    }
    observer.exit(caller, &record, replayed.before)?;
    replayed.result.map_err(|f| f.in_call(call.name))
}

/// How a call ended, as its record says it.
fn call_outcome(call: &'static CallSpec, result: &Result<u64, Fatal>) -> CallOutcome {
    match result {
        Ok(v) => decode::decode_result(call, *v),
        Err(Fatal::Exit(status)) => CallOutcome::Exited { status: *status },
        Err(Fatal::Kill { reason, .. }) => CallOutcome::Killed {
            reason: reason.clone(),
        },
        Err(f @ Fatal::TimeLimit { .. }) => CallOutcome::Killed {
            reason: f.to_string(),
        },
    }
}

/// Memory as decoders see it: `None` when the guest has none.
fn memory_view(bytes: &[u8], has_memory: bool) -> Option<&[u8]> {
    has_memory.then_some(bytes)
}

/// Runs a call with its memory accesses logged and returns its record: its
/// inputs decoded before it runs, its outputs after.
#[allow(clippy::too_many_arguments)]
fn record_call(
    call: &'static CallSpec,
    args: &[u64],
    bytes: &mut [u8],
    has_memory: bool,
    process: &mut Process,
    recorder: &mut Recorder,
    keep_before: bool,
    injected: Option<Injected>,
) -> (Result<u64, Fatal>, SyscallRecord, AccessLog) {
    let seq = recorder.next_seq();
    let at_entry =
        decode::decode_at_entry(call, args, memory_view(bytes, has_memory), &process.fds);
    let start_ns = process.elapsed_ns();
    let mut log = AccessLog {
        keep_before,
        ..AccessLog::default()
    };
    let t0 = Instant::now();
    let was_injected = injected.is_some();
    let result = {
        let mut cx = CallContext {
            mem: GuestMemory::logged(bytes, has_memory, &mut log),
            process,
        };
        perform(call, &mut cx, args, injected)
    };
    let duration_ns = t0.elapsed().as_nanos() as u64;
    let returned = result.as_ref().ok().copied();
    let outcome = call_outcome(call, &result);
    let record = SyscallRecord {
        seq,
        abi: call.abi,
        name: call.name,
        args: at_entry.finish(
            call,
            args,
            returned,
            memory_view(bytes, has_memory),
            &process.fds,
            &log.writes,
        ),
        outcome,
        reads: std::mem::take(&mut log.reads),
        writes: std::mem::take(&mut log.writes),
        start_ns,
        duration_ns,
        injected: was_injected,
        spec: call,
    };
    (result, record, log)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::limits::Limits;
    use crate::sandbox::process::ProcessConfig;
    use std::time::Duration;
    use wasmtime::ResourceLimiter;

    fn host_with_timeout(timeout: Duration) -> Host {
        let config = ProcessConfig {
            limits: Limits {
                timeout: Some(timeout),
                ..Limits::default()
            },
            ..ProcessConfig::default()
        };
        let process = crate::abis::process("grower.wasm", Abi::Wasi, config).unwrap();
        let calls = CallHandling::for_process(&process).unwrap();
        Host::new(process, calls)
    }

    #[test]
    fn growth_past_the_deadline_ends_the_guest_as_a_time_limit() {
        let mut host = host_with_timeout(Duration::ZERO);
        let err = host.memory_growing(65536, 131072, None).unwrap_err();
        let fatal = err.downcast_ref::<Fatal>().expect("a fatal host error");
        assert!(
            matches!(fatal, Fatal::TimeLimit { call: "memory.grow", waiting } if waiting == "growing its memory"),
            "{fatal:?}"
        );
        let err = host.table_growing(10, 20, None).unwrap_err();
        assert!(matches!(
            err.downcast_ref::<Fatal>(),
            Some(Fatal::TimeLimit { waiting, .. }) if waiting == "growing its table"
        ));
    }

    #[test]
    fn growth_within_the_deadline_is_charged_to_the_budget() {
        let mut host = host_with_timeout(Duration::from_secs(3600));
        assert!(host.memory_growing(65536, 131072, None).unwrap());
        assert!(host.table_growing(10, 20, None).unwrap());
    }
}
