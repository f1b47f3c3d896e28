//! The guest's side of a debug session, on the guest's own thread: it runs
//! the guest under wasmtime's debug handler, single-steps and stops as the
//! current mode says, builds snapshots, and while stopped serves the front
//! end's commands until one resumes the guest. The same `stop` serves every
//! kind of stop: breakpoints and steps (debug events), pauses and live memory
//! (epoch ticks), and syscall entry and exit (the host's call observer).

use super::block_on::block_on;
use super::protocol::{Command, Edge, Event, Exit};
use super::snapshot::{CallBytes, Frame, Pc, ReadBytes, Snapshot, StopReason, Value, WrittenBytes};
use crate::abis::call::{CallSpec, Fatal};
use crate::calls::decode;
use crate::calls::record::SyscallRecord;
use crate::calls::ring::SharedRing;
use crate::execution::engine::Runtime;
use crate::execution::host::{CallObserver, Host};
use crate::execution::run::{self, ExitStatus};
use crate::module::program::Program;
use crate::sandbox::exit::{FailureKind, GuestFailure};
use crate::sandbox::guest_memory::MemRange;
use crate::sandbox::limits::Limits;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender, TryRecvError};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use wasmtime::{
    AsContextMut, Caller, DebugEvent, DebugHandler, ModulePC, Store, StoreContextMut,
    UpdateDeadline, Val,
};

/// Memory larger than this is not compared between stops.
const MAX_SHADOW: usize = 256 << 20;
/// How many recent step offsets a snapshot carries.
const TRAIL: usize = 64;
/// Bytes of copies kept of what syscalls read and wrote, oldest dropped
/// first.
const MAX_CALL_BYTES: usize = 32 << 20;
/// Most bytes kept of one range a call read (a large write's data is
/// kept in part).
const MAX_READ_KEPT: usize = 64 << 10;
/// Least time between two live memory copies.
const LIVE_INTERVAL: Duration = Duration::from_millis(20);

/// State shared by the front end and the guest's thread.
#[derive(Default)]
pub(crate) struct Shared {
    /// Stop at the next epoch tick.
    pub pause: AtomicBool,
    /// End the guest as soon as possible.
    pub kill: AtomicBool,
    /// The host call the guest is in, while it is in one.
    pub in_call: Mutex<Option<InCall>>,
    /// How many calls the guest has made (returned from, or ended in).
    pub made: AtomicU64,
    /// The bytes calls read and wrote, shared by every rewind of a session.
    pub bytes: SharedCallBytes,
    /// Whether the guest's thread is still compiling the module (it starts
    /// once that is done).
    pub compiling: AtomicBool,
}

/// The bytes calls read and wrote, by call number (the newest, within
/// [`MAX_CALL_BYTES`]), shared by a session and the replays that rewind it.
pub(crate) type SharedCallBytes = Arc<Mutex<CallBytesLog>>;

#[derive(Default)]
pub(crate) struct CallBytesLog {
    by_seq: BTreeMap<u64, CallBytes>,
    bytes: usize,
}

impl Shared {
    /// Shared state over an existing log of call bytes (a rewind's).
    pub fn with_bytes(bytes: SharedCallBytes) -> Shared {
        Shared {
            bytes,
            ..Shared::default()
        }
    }

    pub fn call_bytes(&self, seq: u64) -> Option<CallBytes> {
        lock(&self.bytes).by_seq.get(&seq).cloned()
    }

    /// Keeps what call `seq` read and wrote. A replayed call reads nothing
    /// the host logs: what the same call read when it ran live is kept.
    fn keep_bytes(&self, seq: u64, mut kept: CallBytes) {
        let mut log = lock(&self.bytes);
        if let Some(old) = log.by_seq.remove(&seq) {
            log.bytes -= kept_size(&old);
            if kept.read.is_empty() {
                kept.read = old.read;
            }
        }
        if kept.read.is_empty() && kept.written.is_empty() {
            return;
        }
        log.bytes += kept_size(&kept);
        log.by_seq.insert(seq, kept);
        while log.bytes > MAX_CALL_BYTES {
            let Some((_, old)) = log.by_seq.pop_first() else {
                break;
            };
            log.bytes -= kept_size(&old);
        }
    }
}

/// The memory one call's copies take: the bytes, and what holding them
/// costs (the map's entry, the vectors, the allocator's headers), so that
/// millions of small writes are bounded as surely as a few large ones.
fn kept_size(kept: &CallBytes) -> usize {
    const ENTRY: usize = 64;
    const ALLOCATION: usize = 16;
    let written: usize = kept
        .written
        .iter()
        .map(|w| {
            std::mem::size_of::<WrittenBytes>()
                + w.before.capacity()
                + w.after.capacity()
                + 2 * ALLOCATION
        })
        .sum();
    let read: usize = kept
        .read
        .iter()
        .map(|r| std::mem::size_of::<ReadBytes>() + r.bytes.capacity() + ALLOCATION)
        .sum();
    ENTRY + written + read
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The host call a running guest is in (it may be waiting in it, for
/// input for instance).
#[derive(Clone, Debug)]
pub struct InCall {
    /// The call.
    pub call: &'static CallSpec,
    /// The descriptor it was given, with what it refers to.
    pub fd: Option<(u32, Option<String>)>,
    /// When the call began.
    pub since: Instant,
}

/// What the guest is doing between stops.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Stop at the first instruction.
    Entry,
    /// Stop after this many more instructions.
    Step(u64),
    /// Stop at the next instruction at this call depth or shallower.
    Over(usize),
    /// Stop at the next instruction shallower than this depth.
    Out(usize),
    /// Stop at breakpoints only.
    Continue,
    /// Stop at the next syscall entry or exit.
    Syscall,
    /// Stop at this offset.
    RunTo(u32),
    /// A replay racing to the entry or exit of this call: no other stop.
    Rewind(u64, Edge),
    /// Stop at the exit of this call (by number), past breakpoints.
    CallExit(u64),
}

struct State {
    mode: Mode,
    breakpoints: BTreeSet<u32>,
    temporary: Option<u32>,
    single_step: bool,
    shadow: Option<Vec<u8>>,
    watch: Option<(u32, u32)>,
    last_live: Instant,
    steps: u64,
    trail: VecDeque<u32>,
}

/// What resuming from a stop needs.
enum After {
    Stay,
    Resume,
    Kill,
}

pub(crate) struct Controller {
    program: Program,
    module: wasmtime::Module,
    commands: Mutex<Receiver<Command>>,
    events: Sender<Event>,
    shared: Arc<Shared>,
    ring: SharedRing,
    state: Mutex<State>,
    limits: Limits,
}

/// Everything the guest's thread starts from.
pub(crate) struct Launch {
    /// The debug engine, which compiles the module on the guest's thread
    /// (a large module does not hold up the front end).
    pub runtime: &'static Runtime,
    pub program: Program,
    pub entry: String,
    /// The guest's process and how its calls are handled.
    pub host: Host,
    pub commands: Receiver<Command>,
    pub events: Sender<Event>,
    pub shared: Arc<Shared>,
    pub ring: SharedRing,
    /// Run to the entry or exit of this call instead of stopping at the
    /// first instruction (a rewind's replay).
    pub rewind_to: Option<(u64, Edge)>,
}

/// Starts the guest's thread.
pub(crate) fn spawn(launch: Launch) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name(format!("guest {}", launch.program.name()))
        .stack_size(8 << 20)
        .spawn(move || guest_main(launch))
        .map(drop)
}

fn guest_main(launch: Launch) {
    let Launch {
        runtime,
        program,
        entry,
        host,
        commands,
        events,
        shared,
        ring,
        rewind_to,
    } = launch;
    let compile_started = Instant::now();
    let prepared = runtime.prepare(&program, host.process.abi);
    // The run's time limit is the guest's, not the compiler's.
    host.process
        .deadline_handle()
        .postpone(compile_started.elapsed());
    shared.compiling.store(false, Ordering::SeqCst);
    let pre = match prepared {
        Ok(pre) => pre,
        Err(e) => {
            let failure = match e.downcast::<GuestFailure>() {
                Ok(f) => f,
                Err(e) => GuestFailure {
                    guest: program.name().to_string(),
                    kind: FailureKind::Setup,
                    message: format!("guest `{}`: {e:#}", program.name()),
                    location: None,
                },
            };
            let _ = events.send(Event::Exited(Box::new(Exit {
                status: ExitStatus::Failed(failure),
                descriptors: host.process.fds.rows(),
                memory_size: 0,
                globals: Vec::new(),
            })));
            // Nothing ran: memory reads answer with nothing until the end.
            while let Ok(command) = commands.recv() {
                match command {
                    Command::ReadMemory { start, .. } => {
                        let _ = events.send(Event::Memory {
                            start,
                            bytes: Vec::new(),
                        });
                    }
                    Command::Stop => break,
                    _ => {}
                }
            }
            return;
        }
    };
    let (mode, single_step) = match rewind_to {
        Some((seq, edge)) => (Mode::Rewind(seq, edge), false),
        None => (Mode::Entry, true),
    };
    let limits = host.process.config.limits.clone();
    let controller = Arc::new(Controller {
        module: pre.module().clone(),
        program: program.clone(),
        commands: Mutex::new(commands),
        events: events.clone(),
        shared,
        ring,
        state: Mutex::new(State {
            mode,
            breakpoints: BTreeSet::new(),
            temporary: None,
            single_step,
            shadow: None,
            watch: None,
            last_live: Instant::now(),
            steps: 0,
            trail: VecDeque::with_capacity(TRAIL),
        }),
        limits: limits.clone(),
    });
    let mut store = Store::new(runtime.engine(), host);
    store.limiter(|h| h as &mut dyn wasmtime::ResourceLimiter);
    if let Some(fuel) = limits.fuel {
        let _ = store.set_fuel(fuel);
    }
    store.data_mut().observer = Some(controller.clone());
    store.set_debug_handler(Handler(controller.clone()));
    let ticker = controller.clone();
    store.epoch_deadline_callback(move |cx| ticker.on_epoch(cx));
    store.set_epoch_deadline(1);
    runtime.ensure_ticker();
    if let Some(mut edit) = store.as_context_mut().edit_breakpoints() {
        let _ = edit.single_step(single_step);
    }
    let abi = store.data().process.abi;
    let result = block_on(async {
        let instance = pre.instantiate_async(&mut store).await?;
        crate::execution::host::attach(&mut store, instance, &program);
        if crate::execution::start::runs_initialize(&program, abi, &entry)
            && let Some(init) = instance.get_func(&mut store, "_initialize")
        {
            init.call_async(&mut store, &[], &mut []).await?;
        }
        let func = instance
            .get_func(&mut store, &entry)
            .ok_or_else(|| wasmtime::format_err!("entry point `{entry}` vanished"))?;
        let mut results = vec![Val::I32(0); func.ty(&store).results().len()];
        func.call_async(&mut store, &[], &mut results).await?;
        Ok::<i32, wasmtime::Error>(run::status_of_results(&results))
    });
    let status = match result {
        Ok(code) => ExitStatus::Exited(code),
        Err(e) => run::classify(
            &program,
            &limits,
            store.data().process.limit_note.clone(),
            e,
        ),
    };
    store.data_mut().calls.recorder.finish();
    // A guest the debugger ended (a rewind, a restart) did not end by
    // itself: its recording just stops there.
    if !controller.shared.kill.load(Ordering::SeqCst) {
        store.data_mut().calls.replay.finish(&status);
    }
    *lock(&controller.shared.in_call) = None;
    let memory = store.data().memory;
    let memory_size = memory.map_or(0, |m| m.data(&store).len());
    let globals = globals(&mut store.as_context_mut());
    let _ = events.send(Event::Exited(Box::new(Exit {
        status,
        descriptors: store.data().process.fds.rows(),
        memory_size,
        globals,
    })));
    // The ended guest's memory stays readable until the session goes.
    while let Ok(command) = lock(&controller.commands).recv() {
        match command {
            Command::ReadMemory { start, len } => {
                let bytes =
                    memory.map_or(Vec::new(), |m| clamp(m.data(&store), start, len).to_vec());
                let _ = events.send(Event::Memory { start, bytes });
            }
            Command::Stop => break,
            _ => {}
        }
    }
}

/// Receives wasmtime's debug events.
#[derive(Clone)]
struct Handler(Arc<Controller>);

impl DebugHandler for Handler {
    type Data = Host;

    fn handle(
        &self,
        mut store: StoreContextMut<'_, Host>,
        event: DebugEvent<'_>,
    ) -> impl std::future::Future<Output = ()> + Send {
        match event {
            DebugEvent::Breakpoint => self.0.on_instruction(&mut store),
            DebugEvent::Trap(trap) => {
                let message = run::trap_text(&trap, &self.0.limits);
                self.0.stop(&mut store, StopReason::Trap { message });
            }
            _ => {}
        }
        std::future::ready(())
    }
}

impl Controller {
    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    /// The engine's pc for a user's offset (they differ when memory 0 had
    /// to be exported for the host; see `host_module`).
    fn pc(&self, offset: u32) -> ModulePC {
        ModulePC::new(self.program.compiled_offset(offset))
    }

    /// The innermost frame's function index and offset.
    fn top(&self, store: &mut StoreContextMut<'_, Host>) -> Option<(u32, u32)> {
        let frame = store.debug_exit_frames().next()?;
        let (func, pc) = frame.wasm_function_index_and_pc(&mut *store).ok()??;
        Some((
            self.program.imported_func_count() + func.as_u32(),
            self.program.user_offset(pc.raw()),
        ))
    }

    /// Number of wasm frames on the stack.
    fn depth(&self, store: &mut StoreContextMut<'_, Host>) -> usize {
        let exits: Vec<_> = store.debug_exit_frames().collect();
        let mut n = 0;
        for exit in exits {
            let mut frame = Some(exit);
            while let Some(f) = frame {
                n += 1;
                frame = f.parent(&mut *store).ok().flatten();
            }
        }
        n
    }

    /// Called before every instruction while single-stepping or at breakpoints.
    /// This is the stepping hot path: one lock, no allocation.
    fn on_instruction(&self, store: &mut StoreContextMut<'_, Host>) {
        let Some((_, pc)) = self.top(store) else {
            return;
        };
        let (decided, at_breakpoint) = {
            let mut st = self.state();
            if st.single_step {
                st.steps += 1;
                if st.trail.len() == TRAIL {
                    st.trail.pop_front();
                }
                st.trail.push_back(pc);
            }
            let at_breakpoint = !st.breakpoints.is_empty() && st.breakpoints.contains(&pc);
            let decided = match st.mode {
                Mode::Entry => Some(Some(StopReason::Entry)),
                Mode::Step(n) if n <= 1 => Some(Some(StopReason::Step)),
                Mode::Step(n) => {
                    st.mode = Mode::Step(n - 1);
                    Some(None)
                }
                Mode::RunTo(target) if target == pc => {
                    Some(Some(StopReason::Reached { offset: pc }))
                }
                Mode::RunTo(_) | Mode::Continue | Mode::Syscall => Some(None),
                // Racing to a rewind's target or a changed call's exit:
                // breakpoints wait.
                Mode::Rewind(..) | Mode::CallExit(_) => return,
                // Needs the call depth, which needs the store, not the lock.
                Mode::Over(_) | Mode::Out(_) => None,
            };
            (decided, at_breakpoint)
        };
        let reason = match decided {
            Some(reason) => reason,
            None => match self.state().mode {
                Mode::Over(depth) => (self.depth(store) <= depth).then_some(StopReason::Step),
                Mode::Out(depth) => (self.depth(store) < depth).then_some(StopReason::Step),
                _ => None,
            },
        };
        let reason = match reason {
            Some(StopReason::Step) | None if at_breakpoint => {
                Some(StopReason::Breakpoint { offset: pc })
            }
            r => r,
        };
        if let Some(reason) = reason {
            self.stop(store, reason);
        }
    }

    /// Called on every epoch tick: pause requests, commands that arrive
    /// while running, live memory, the time limit.
    fn on_epoch(&self, mut cx: StoreContextMut<'_, Host>) -> wasmtime::Result<UpdateDeadline> {
        if self.shared.kill.load(Ordering::SeqCst) {
            return Err(wasmtime::Error::new(killed()));
        }
        loop {
            let command = lock(&self.commands).try_recv();
            match command {
                Ok(command) => {
                    if let After::Kill = self.apply_while_running(&mut cx, command) {
                        return Err(wasmtime::Error::new(killed()));
                    }
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    return Err(wasmtime::Error::new(killed()));
                }
            }
        }
        if self.shared.pause.swap(false, Ordering::SeqCst) {
            self.stop(&mut cx, StopReason::Paused);
            if self.shared.kill.load(Ordering::SeqCst) {
                return Err(wasmtime::Error::new(killed()));
            }
        }
        self.publish_live(&mut cx);
        if cx
            .data()
            .process
            .deadline()
            .is_some_and(|d| Instant::now() >= d)
        {
            return Ok(UpdateDeadline::Interrupt);
        }
        Ok(UpdateDeadline::Continue(1))
    }

    fn publish_live(&self, cx: &mut StoreContextMut<'_, Host>) {
        let (watch, due) = {
            let st = self.state();
            (st.watch, st.last_live.elapsed() >= LIVE_INTERVAL)
        };
        let (Some((start, len)), true) = (watch, due) else {
            return;
        };
        let Some(memory) = cx.data().memory else {
            return;
        };
        let data = memory.data(&*cx);
        let bytes = clamp(data, start, len).to_vec();
        let _ = self.events.send(Event::Live {
            start,
            bytes,
            memory_size: data.len(),
        });
        self.state().last_live = Instant::now();
    }

    /// Stops: reports a snapshot, then serves commands until one resumes.
    fn stop(&self, store: &mut StoreContextMut<'_, Host>, reason: StopReason) {
        let stopped_at = Instant::now();
        let temporary = {
            let mut st = self.state();
            st.temporary.take().filter(|t| !st.breakpoints.contains(t))
        };
        if let Some(t) = temporary
            && let Some(mut edit) = store.as_context_mut().edit_breakpoints()
        {
            let _ = edit.remove_breakpoint(&self.module, self.pc(t));
        }
        let snapshot = self.snapshot(store, reason);
        let _ = self.events.send(Event::Stopped(Box::new(snapshot)));
        loop {
            let command = lock(&self.commands).recv();
            let after = match command {
                Ok(command) => self.apply(store, command),
                Err(_) => After::Kill,
            };
            match after {
                After::Stay => continue,
                After::Resume => break,
                After::Kill => {
                    self.arrange_kill(store);
                    break;
                }
            }
        }
        // Time spent stopped is the person's, not the guest's.
        store
            .data_mut()
            .process
            .postpone_deadline(stopped_at.elapsed());
        let _ = self.events.send(Event::Running);
    }

    /// Ends the guest at its next epoch check; no more debug events.
    fn arrange_kill(&self, store: &mut StoreContextMut<'_, Host>) {
        self.shared.kill.store(true, Ordering::SeqCst);
        if let Some(mut edit) = store.as_context_mut().edit_breakpoints() {
            let _ = edit.single_step(false);
        }
        self.state().mode = Mode::Continue;
        store.set_epoch_deadline(0);
    }

    fn set_single_step(&self, store: &mut StoreContextMut<'_, Host>, on: bool) {
        if let Some(mut edit) = store.as_context_mut().edit_breakpoints() {
            let _ = edit.single_step(on);
        }
        self.state().single_step = on;
    }

    /// Where the call at the top frame's pc returns to, if the instruction
    /// there is a call.
    fn call_return_point(&self, store: &mut StoreContextMut<'_, Host>) -> Option<u32> {
        let (_, pc) = self.top(store)?;
        self.after_call(pc)
    }

    /// Where the top frame returns to in its caller, if it has a wasm
    /// caller (a suspended frame's pc is its return address).
    fn caller_return_point(&self, store: &mut StoreContextMut<'_, Host>) -> Option<u32> {
        let top = store.debug_exit_frames().next()?;
        let parent = top.parent(&mut *store).ok()??;
        let (_, pc) = parent.wasm_function_index_and_pc(&mut *store).ok()??;
        Some(self.program.user_offset(pc.raw()))
    }

    /// The instruction after the call instruction at `pc`.
    fn after_call(&self, pc: u32) -> Option<u32> {
        let d = self.program.disassembly();
        let text = &d.lines()[d.line_of_offset(pc as usize)?].text;
        let op = text.split_whitespace().next()?;
        if !matches!(op, "call" | "call_indirect" | "call_ref") {
            return None;
        }
        let next = d.next_offset(pc as usize)? as u32;
        let body = self.program.func_at(pc)?;
        (next < body.end).then_some(next)
    }

    fn resume(&self, store: &mut StoreContextMut<'_, Host>, mode: Mode) -> After {
        // Stepping over a call and stepping out run at full speed to a
        // temporary breakpoint where the call returns (checked against the
        // call depth there, for recursion); other steps go instruction by
        // instruction.
        let (single, target) = match mode {
            Mode::Step(_) => (true, None),
            Mode::Over(_) => match self.call_return_point(store) {
                Some(back) => (false, Some(back)),
                None => (true, None),
            },
            Mode::Out(_) => (false, self.caller_return_point(store)),
            Mode::RunTo(target) => (false, Some(target)),
            Mode::Entry | Mode::Continue | Mode::Syscall | Mode::Rewind(..) | Mode::CallExit(_) => {
                (false, None)
            }
        };
        self.set_single_step(store, single);
        let temporary = target.filter(|t| !self.state().breakpoints.contains(t));
        if let Some(target) = temporary {
            if let Some(mut edit) = store.as_context_mut().edit_breakpoints() {
                let _ = edit.add_breakpoint(&self.module, self.pc(target));
            }
            self.state().temporary = Some(target);
        }
        self.state().mode = mode;
        After::Resume
    }

    /// Serves one command while stopped.
    fn apply(&self, store: &mut StoreContextMut<'_, Host>, command: Command) -> After {
        match command {
            Command::Step(n) => self.resume(store, Mode::Step(n.max(1))),
            Command::StepOver => {
                let depth = self.depth(store);
                self.resume(store, Mode::Over(depth))
            }
            Command::StepOut => {
                let depth = self.depth(store);
                self.resume(store, Mode::Out(depth))
            }
            Command::NextSyscall => self.resume(store, Mode::Syscall),
            Command::Continue => self.resume(store, Mode::Continue),
            Command::RunTo(offset) => self.resume(store, Mode::RunTo(offset)),
            Command::ToCallExit(seq) => self.resume(store, Mode::CallExit(seq)),
            Command::Stop => After::Kill,
            other => self.apply_while_running(store, other),
        }
    }

    /// Serves a command that does not resume (the rest are ignored while running).
    fn apply_while_running(
        &self,
        store: &mut StoreContextMut<'_, Host>,
        command: Command,
    ) -> After {
        match command {
            Command::AddBreakpoint(offset) => {
                let added = self.state().breakpoints.insert(offset);
                if added && let Some(mut edit) = store.as_context_mut().edit_breakpoints() {
                    let _ = edit.add_breakpoint(&self.module, self.pc(offset));
                }
            }
            Command::RemoveBreakpoint(offset) => {
                let removed = self.state().breakpoints.remove(&offset);
                if removed && let Some(mut edit) = store.as_context_mut().edit_breakpoints() {
                    let _ = edit.remove_breakpoint(&self.module, self.pc(offset));
                }
            }
            Command::ReadMemory { start, len } => {
                let bytes = match store.data().memory {
                    Some(m) => clamp(m.data(&*store), start, len).to_vec(),
                    None => Vec::new(),
                };
                let _ = self.events.send(Event::Memory { start, bytes });
            }
            Command::Watch(window) => self.state().watch = window,
            Command::Stop => return After::Kill,
            Command::Step(_)
            | Command::StepOver
            | Command::StepOut
            | Command::NextSyscall
            | Command::Continue
            | Command::RunTo(_)
            | Command::ToCallExit(_) => {}
        }
        After::Stay
    }

    /// The call stack, innermost first. Every frame but a live innermost one
    /// is suspended in a call, and is shown at that call rather than at the
    /// instruction it will return to.
    fn frames(&self, store: &mut StoreContextMut<'_, Host>, innermost_live: bool) -> Vec<Frame> {
        let exits: Vec<_> = store.debug_exit_frames().collect();
        let mut frames: Vec<Frame> = Vec::new();
        for exit in exits {
            let mut handle = Some(exit);
            while let Some(h) = handle {
                if let Ok(Some((func, pc))) = h.wasm_function_index_and_pc(&mut *store) {
                    let func = self.program.imported_func_count() + func.as_u32();
                    let locals = (0..h.num_locals(&mut *store).unwrap_or(0))
                        .filter_map(|i| h.local(&mut *store, i).ok())
                        .map(|v| Value::of(&v))
                        .collect();
                    let stack = (0..h.num_stacks(&mut *store).unwrap_or(0))
                        .filter_map(|i| h.stack(&mut *store, i).ok())
                        .map(|v| Value::of(&v))
                        .collect();
                    let live = innermost_live && frames.is_empty();
                    let pc = self.program.user_offset(pc.raw());
                    let offset = if live { pc } else { self.call_before(pc) };
                    frames.push(Frame {
                        pc: Pc::at(&self.program, func, offset),
                        locals,
                        stack,
                    });
                }
                handle = h.parent(&mut *store).ok().flatten();
            }
        }
        frames
    }

    /// The offset of the instruction just before `return_to` (the call a
    /// suspended frame is in).
    fn call_before(&self, return_to: u32) -> u32 {
        let d = self.program.disassembly();
        return_to
            .checked_sub(1)
            .and_then(|o| d.line_of_offset(o as usize))
            .and_then(|l| d.offset_of_line(l))
            .map_or(return_to, |o| o as u32)
    }

    fn snapshot(&self, store: &mut StoreContextMut<'_, Host>, reason: StopReason) -> Snapshot {
        let in_host_call = matches!(
            reason,
            StopReason::SyscallEntry { .. } | StopReason::SyscallExit { .. }
        );
        let frames = self.frames(store, !in_host_call);
        let globals = globals(store);
        let (memory_size, changed) = match store.data().memory {
            Some(m) => {
                let data = m.data(&*store);
                let changed = self.changes_since_last_stop(data);
                (data.len(), changed)
            }
            None => (0, Some(Vec::new())),
        };
        let descriptors = store.data().process.fds.rows();
        let last_seq = match store.data().calls.replay.replay_position() {
            Some(replayed) => replayed,
            None => lock(&self.ring).last_seq().unwrap_or(0),
        };
        let st = self.state();
        Snapshot {
            reason,
            frames,
            globals,
            memory_size,
            changed,
            descriptors,
            last_seq,
            steps: st.steps,
            trail: st.trail.iter().copied().collect(),
        }
    }

    /// Byte ranges that differ from the copy taken at the previous stop.
    fn changes_since_last_stop(&self, data: &[u8]) -> Option<Vec<MemRange>> {
        if data.len() > MAX_SHADOW {
            self.state().shadow = None;
            return None;
        }
        let mut st = self.state();
        let mut ranges: Vec<MemRange> = Vec::new();
        if let Some(old) = &st.shadow {
            // Bytes written into memory grown since the last stop (fresh
            // pages are zero) changed too.
            if data.len() > old.len() {
                mark_nonzero(&data[old.len()..], old.len(), &mut ranges);
            }
            let n = old.len().min(data.len());
            let mut i = 0;
            while i < n {
                let block = (i + 64).min(n);
                if old[i..block] != data[i..block] {
                    for j in i..block {
                        if old[j] != data[j] {
                            match ranges.last_mut() {
                                Some(r) if (r.start + r.len) as usize == j => r.len += 1,
                                _ => ranges.push(MemRange {
                                    start: j as u32,
                                    len: 1,
                                }),
                            }
                        }
                    }
                }
                i = block;
            }
        }
        match &mut st.shadow {
            Some(s) if s.len() == data.len() => s.copy_from_slice(data),
            shadow => *shadow = Some(data.to_vec()),
        }
        ranges.sort_by_key(|r| r.start);
        Some(ranges)
    }
}

/// Adds the non-zero bytes of `bytes` (which start at address `base`) to
/// `ranges`, as runs.
fn mark_nonzero(bytes: &[u8], base: usize, ranges: &mut Vec<MemRange>) {
    let mut i = 0;
    while i < bytes.len() {
        // Fresh memory is mostly zero: skip it a word at a time.
        if i + 8 <= bytes.len() && bytes[i..i + 8] == [0; 8] {
            i += 8;
            continue;
        }
        if bytes[i] != 0 {
            let addr = (base + i) as u32;
            match ranges.last_mut() {
                Some(r) if r.start + r.len == addr => r.len += 1,
                _ => ranges.push(MemRange {
                    start: addr,
                    len: 1,
                }),
            }
        }
        i += 1;
    }
}

fn clamp(data: &[u8], start: u32, len: u32) -> &[u8] {
    let s = (start as usize).min(data.len());
    let e = s.saturating_add(len as usize).min(data.len());
    &data[s..e]
}

/// The instance's globals, by index.
fn globals(store: &mut StoreContextMut<'_, Host>) -> Vec<Value> {
    let mut globals = Vec::new();
    if let Some(instance) = store.data().instance {
        let mut i = 0;
        while let Some(g) = instance.debug_global(&mut *store, i) {
            globals.push(Value::of(&g.get(&mut *store)));
            i += 1;
        }
    }
    globals
}

fn killed() -> Fatal {
    Fatal::kill("debugger", "stopped from the debugger")
}

/// The bytes `len` bytes from `start` held before a call: memory as the
/// call left it, with what the call overwrote put back (the earliest copy
/// of a byte is its value before the call).
fn before_call(before: &[(MemRange, Vec<u8>)], memory: &[u8], start: u32, len: u32) -> Vec<u8> {
    let mut bytes = clamp(memory, start, len).to_vec();
    let (start, end) = (start as usize, start as usize + bytes.len());
    for (range, old) in before.iter().rev() {
        for (k, b) in old.iter().enumerate() {
            let addr = range.start as usize + k;
            if addr >= start && addr < end {
                bytes[addr - start] = *b;
            }
        }
    }
    bytes
}

/// The bytes each written range held before and after a call.
fn written_bytes(
    record: &SyscallRecord,
    before: &[(MemRange, Vec<u8>)],
    memory: &[u8],
) -> Vec<WrittenBytes> {
    record
        .writes
        .iter()
        .map(|w| WrittenBytes {
            start: w.start,
            before: before_call(before, memory, w.start, w.len),
            after: clamp(memory, w.start, w.len).to_vec(),
        })
        .collect()
}

/// The bytes each range a call read held when it read them (what they were
/// before the call). At most [`MAX_READ_KEPT`] bytes of a range are kept.
fn read_bytes(
    record: &SyscallRecord,
    before: &[(MemRange, Vec<u8>)],
    memory: &[u8],
) -> Vec<ReadBytes> {
    record
        .reads
        .iter()
        .map(|r| ReadBytes {
            start: r.start,
            bytes: before_call(
                before,
                memory,
                r.start,
                (r.len as usize).min(MAX_READ_KEPT) as u32,
            ),
        })
        .collect()
}

impl CallObserver for Controller {
    fn entry(
        &self,
        caller: &mut Caller<'_, Host>,
        call: &'static CallSpec,
        args: &[u64],
    ) -> Result<(), Fatal> {
        if self.shared.kill.load(Ordering::SeqCst) {
            return Err(killed());
        }
        let fd = call
            .params
            .iter()
            .zip(args)
            .find(|(p, _)| matches!(p.kind, crate::abis::call::Kind::Fd))
            .map(|(_, a)| {
                let n = *a as u32;
                let label = caller.data().process.fds.label(n).map(str::to_string);
                (n, label)
            });
        *lock(&self.shared.in_call) = Some(InCall {
            call,
            fd,
            since: Instant::now(),
        });
        let stop_here = match self.state().mode {
            Mode::Syscall => true,
            Mode::Rewind(seq, Edge::Entry) => {
                caller.data().calls.replay.replay_position() == seq.checked_sub(1)
            }
            _ => false,
        };
        if !stop_here {
            return Ok(());
        }
        let mut cx = caller.as_context_mut();
        let decoded = {
            let host = cx.data();
            let bytes = host.memory.map(|m| m.data(&cx));
            decode::decode_at_entry(call, args, bytes, &host.process.fds).args(call, args)
        };
        self.stop(
            &mut cx,
            StopReason::SyscallEntry {
                abi: call.abi,
                name: call.name,
                args: decoded,
            },
        );
        if self.shared.kill.load(Ordering::SeqCst) {
            return Err(killed());
        }
        Ok(())
    }

    fn exit(
        &self,
        caller: &mut Caller<'_, Host>,
        record: &SyscallRecord,
        before: Vec<(MemRange, Vec<u8>)>,
    ) -> Result<(), Fatal> {
        *lock(&self.shared.in_call) = None;
        self.shared.made.store(record.seq, Ordering::SeqCst);
        if !self.wants_record(record.seq) {
            // Racing to a rewind's target: nothing to show yet.
            if self.shared.kill.load(Ordering::SeqCst) {
                return Err(killed());
            }
            return Ok(());
        }
        let mut cx = caller.as_context_mut();
        let (written, read) = {
            let memory = cx.data().memory.map(|m| m.data(&cx)).unwrap_or(&[]);
            (
                written_bytes(record, &before, memory),
                read_bytes(record, &before, memory),
            )
        };
        self.shared.keep_bytes(
            record.seq,
            CallBytes {
                read,
                written: written.clone(),
            },
        );
        let stop_here = match self.state().mode {
            Mode::Syscall => true,
            Mode::Rewind(seq, Edge::Exit) => record.seq == seq,
            Mode::CallExit(seq) => record.seq >= seq,
            _ => false,
        };
        if stop_here {
            self.stop(
                &mut cx,
                StopReason::SyscallExit {
                    record: Box::new(record.clone()),
                    written,
                },
            );
        }
        if self.shared.kill.load(Ordering::SeqCst) {
            return Err(killed());
        }
        Ok(())
    }

    fn wants_record(&self, seq: u64) -> bool {
        match self.state().mode {
            Mode::Rewind(target, _) => seq >= target,
            _ => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn four_bytes(start: u32) -> CallBytes {
        CallBytes {
            read: Vec::new(),
            written: vec![WrittenBytes {
                start,
                before: vec![0; 4],
                after: vec![1; 4],
            }],
        }
    }

    #[test]
    fn millions_of_small_writes_are_bounded_by_what_they_really_cost() {
        let shared = Shared::default();
        let calls = 400_000u64;
        for seq in 1..=calls {
            shared.keep_bytes(seq, four_bytes(seq as u32));
        }
        let log = lock(&shared.bytes);
        let kept = log.by_seq.len();
        assert!(kept < calls as usize, "old copies were dropped");
        // Each kept call holds a map entry and three allocations: well over
        // 100 bytes, whatever its 8 bytes of payload.
        assert!(kept * 100 <= MAX_CALL_BYTES, "{kept} calls kept");
        assert_eq!(log.by_seq.last_key_value().map(|(s, _)| *s), Some(calls));
        drop(log);
        assert_eq!(shared.call_bytes(calls), Some(four_bytes(calls as u32)));
        assert_eq!(shared.call_bytes(1), None, "the oldest went first");
    }

    #[test]
    fn a_call_that_touched_nothing_keeps_nothing() {
        let shared = Shared::default();
        shared.keep_bytes(1, CallBytes::default());
        assert!(lock(&shared.bytes).by_seq.is_empty());
        assert_eq!(lock(&shared.bytes).bytes, 0);
    }

    #[test]
    fn a_replayed_call_keeps_what_it_read_when_it_ran_live() {
        let shared = Shared::default();
        let live = CallBytes {
            read: vec![ReadBytes {
                start: 0,
                bytes: vec![0x80, 0, 0, 0],
            }],
            ..four_bytes(8)
        };
        shared.keep_bytes(1, live.clone());
        // The replay logs no reads: the live run's stay.
        shared.keep_bytes(1, four_bytes(8));
        assert_eq!(shared.call_bytes(1), Some(live));
    }
}
