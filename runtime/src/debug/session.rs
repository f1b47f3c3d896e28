//! The front end's side of a debug session: start a guest on its own thread,
//! send it commands, receive events. Nothing here waits on the guest unless
//! asked to (`wait_event`).

use super::controller::InCall;
use super::controller::{self, Shared, SharedCallBytes};
use super::protocol::{Command, Edge, Event};
use super::snapshot::{CallBytes, WrittenBytes};
use crate::calls::ring::{Ring, RingSink, SharedRing};
use crate::execution::engine::{EngineOptions, Runtime};
use crate::execution::host::{CallHandling, Host};
use crate::execution::run::{FailureKind, GuestFailure};
use crate::module::abi::Abi;
use crate::module::program::Program;
use crate::replay::{
    Divergence, DivergenceSlot, Header, MemorySink, Mode, Recording, Replayer, SharedTape, Tape,
};
use crate::sandbox::process::ProcessConfig;
use crate::sandbox::stdio::{OutputSpec, SharedBuffer};
use std::collections::BTreeSet;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::Duration;

/// How many syscall records a session keeps (see [`Ring`] for how they
/// are stored).
pub const RING_CAPACITY: usize = 16 << 20;

/// Most bytes of packed calls a session's recording holds: a million
/// ordinary calls take a few tens of mebibytes; a flood of output stops
/// the recording (rewinding then reaches only as far as it went).
pub const RECORDING_LIMIT: usize = 64 << 20;

/// How much of each of the guest's output streams a session keeps: the
/// last mebibyte (at least), however much the guest writes.
pub const OUTPUT_TAIL: usize = 1 << 20;

/// The most code the debugger instruments for stepping, in bytes (about
/// 125 bytes of the host's memory each).
pub const MAX_CODE: usize = 16_000_000;

/// The engine debug sessions share (compiled programs are reused on
/// restart): one counting fuel, for runs with a fuel budget, and one
/// without, which compiles a fifth faster.
fn debug_runtime(fuel: bool) -> Result<&'static Runtime, String> {
    static WITH_FUEL: OnceLock<Result<Runtime, String>> = OnceLock::new();
    static WITHOUT: OnceLock<Result<Runtime, String>> = OnceLock::new();
    (if fuel { &WITH_FUEL } else { &WITHOUT })
        .get_or_init(|| {
            Runtime::new(EngineOptions {
                fuel,
                debug: true,
                cache_dir: crate::module::compile_cache::configured(),
                ..EngineOptions::default()
            })
            .map_err(|e| format!("cannot start the debug engine: {e}"))
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// A guest under the debugger.
pub struct Session {
    program: Program,
    abi: Abi,
    config: ProcessConfig,
    commands: Sender<Command>,
    events: Receiver<Event>,
    shared: Arc<Shared>,
    ring: SharedRing,
    stdout: SharedBuffer,
    stderr: SharedBuffer,
    breakpoints: BTreeSet<u32>,
    tape: SharedTape,
    replaying: bool,
    /// A recording opened from a file: Restart replays it again.
    opened_recording: bool,
    divergence: DivergenceSlot,
}

/// A replay of an earlier run's recording, to start a session from.
struct Rewind {
    tape: SharedTape,
    len: u64,
    /// Where to run to at full speed (`None`: stop at the first
    /// instruction, as a live session does).
    target: Option<(u64, Edge)>,
    ring: SharedRing,
    /// What calls read and wrote, kept from the run rewound.
    bytes: SharedCallBytes,
}

impl Session {
    /// Starts a guest stopped at its first instruction. Standard output and
    /// error are captured (see [`Session::stdout`]) unless `config` already
    /// sends them to a buffer.
    pub fn start(
        program: Program,
        abi: Option<Abi>,
        config: ProcessConfig,
    ) -> Result<Session, GuestFailure> {
        Session::launch(program, abi, config, None)
    }

    /// Starts the guest live (recording it), or as a replay running to a
    /// rewind's target.
    fn launch(
        program: Program,
        abi: Option<Abi>,
        mut config: ProcessConfig,
        rewind: Option<Rewind>,
    ) -> Result<Session, GuestFailure> {
        let (abi, entry) =
            crate::execution::start::startable(&program, abi, config.entry.as_deref())?;
        let failure = |e: String| GuestFailure {
            guest: program.name().to_string(),
            kind: FailureKind::Setup,
            message: format!("guest `{}`: {e}", program.name()),
            location: None,
        };
        let code = program.code_size();
        if code > MAX_CODE {
            return Err(failure(format!(
                "it has {:.1} MB of code, more than the {} MB the debugger steps through: \
                 it instruments every instruction, which for a module this large takes \
                 gigabytes of memory. `wasmhole run` runs it without stepping.",
                code as f64 / 1e6,
                MAX_CODE / 1_000_000
            )));
        }
        let runtime = debug_runtime(config.limits.fuel.is_some()).map_err(failure)?;
        let stdout = match &config.stdout {
            OutputSpec::Buffer(b) => b.clone(),
            _ => SharedBuffer::new(),
        };
        let stderr = match &config.stderr {
            OutputSpec::Buffer(b) => b.clone(),
            _ => SharedBuffer::new(),
        };
        stdout.keep_tail(OUTPUT_TAIL);
        stderr.keep_tail(OUTPUT_TAIL);
        config.stdout = OutputSpec::Buffer(stdout.clone());
        config.stderr = OutputSpec::Buffer(stderr.clone());
        let divergence = DivergenceSlot::default();
        let (host, tape, ring) = match &rewind {
            None => {
                let mut process = crate::abis::process(program.name(), abi, config.clone())
                    .map_err(|e| failure(e.to_string()))?;
                let mut calls =
                    CallHandling::for_process(&process).map_err(|e| failure(e.to_string()))?;
                let ring: SharedRing = Arc::new(Mutex::new(Ring::new(RING_CAPACITY)));
                calls.recorder.add(Box::new(RingSink(ring.clone())));
                let tape: SharedTape = Arc::new(RwLock::new(Tape::new(RECORDING_LIMIT)));
                let header = Header::describe(&program, abi, &entry, &config);
                calls.replay = Mode::Record(Recording::start(
                    &mut process,
                    header,
                    Box::new(MemorySink(tape.clone())),
                ));
                (Host::new(process, calls), tape, ring)
            }
            Some(rewind) => {
                // Nothing outside is reached: no directory, no input, no
                // injected fault; every call is answered from the tape.
                let replay_config = ProcessConfig {
                    dirs: Vec::new(),
                    stdin: crate::sandbox::stdio::InputSpec::Empty,
                    inject: Vec::new(),
                    ..config.clone()
                };
                let mut process = crate::abis::process(program.name(), abi, replay_config)
                    .map_err(|e| failure(e.to_string()))?;
                let mut calls = CallHandling {
                    replay: Mode::Replay(Replayer::start(
                        &mut process,
                        rewind.tape.clone(),
                        rewind.len,
                        divergence.clone(),
                    )),
                    ..CallHandling::default()
                };
                if rewind.target.is_none() {
                    // A replay from the start lists its calls afresh (a
                    // rewind's ring already holds them).
                    calls.recorder.add(Box::new(RingSink(rewind.ring.clone())));
                }
                (
                    Host::new(process, calls),
                    rewind.tape.clone(),
                    rewind.ring.clone(),
                )
            }
        };
        let (command_tx, command_rx) = mpsc::channel();
        let (event_tx, event_rx) = mpsc::channel();
        let shared = Arc::new(match &rewind {
            Some(r) => Shared::with_bytes(r.bytes.clone()),
            None => Shared::default(),
        });
        shared.compiling.store(true, Ordering::SeqCst);
        controller::spawn(controller::Launch {
            runtime,
            program: program.clone(),
            entry,
            host,
            commands: command_rx,
            events: event_tx,
            shared: shared.clone(),
            ring: ring.clone(),
            rewind_to: rewind.as_ref().and_then(|r| r.target),
        })
        .map_err(|e| failure(format!("cannot start the guest thread: {e}")))?;
        Ok(Session {
            program,
            abi,
            config,
            commands: command_tx,
            events: event_rx,
            shared,
            ring,
            stdout,
            stderr,
            breakpoints: BTreeSet::new(),
            tape,
            replaying: rewind.is_some(),
            opened_recording: false,
            divergence,
        })
    }

    /// Sends a command. Breakpoints are remembered for [`Session::restart`].
    pub fn send(&mut self, command: Command) {
        match &command {
            Command::AddBreakpoint(o) => {
                self.breakpoints.insert(*o);
            }
            Command::RemoveBreakpoint(o) => {
                self.breakpoints.remove(o);
            }
            Command::Stop => self.shared.kill.store(true, Ordering::SeqCst),
            _ => {}
        }
        let _ = self.commands.send(command);
    }

    /// Whether the guest's thread is still compiling the module for the
    /// debugger (the guest starts, and stops at its entry, once it is done).
    pub fn compiling(&self) -> bool {
        self.shared.compiling.load(Ordering::SeqCst)
    }

    /// Asks a running guest to stop at the next epoch tick.
    pub fn pause(&self) {
        self.shared.pause.store(true, Ordering::SeqCst);
    }

    /// The next event, if one has arrived.
    pub fn try_event(&self) -> Option<Event> {
        self.events.try_recv().ok()
    }

    /// Every event that has arrived, oldest first; never waits.
    pub fn take_events(&self) -> Vec<Event> {
        self.events.try_iter().collect()
    }

    /// Waits up to `timeout` for the next event.
    pub fn wait_event(&self, timeout: Duration) -> Option<Event> {
        self.events.recv_timeout(timeout).ok()
    }

    /// Ends this run and starts the same program again with the same
    /// configuration and breakpoints.
    pub fn restart(&mut self) -> Result<(), GuestFailure> {
        if self.opened_recording {
            return self.run_again(Some(self.replay_from_start()));
        }
        self.run_again(None)
    }

    /// Starts a replay of a recording opened from a file (see
    /// [`crate::replay::load`]), stopped at its first instruction, every
    /// call answered from the recording as in [`Session::rewind`]; each
    /// replayed call is listed in the session's ring as it is made.
    /// Restart replays it again; it never runs live.
    pub fn replay(
        program: Program,
        abi: Abi,
        config: ProcessConfig,
        tape: Tape,
    ) -> Result<Session, GuestFailure> {
        let rewind = Rewind {
            len: tape.len(),
            tape: Arc::new(RwLock::new(tape)),
            target: None,
            ring: Arc::new(Mutex::new(Ring::new(RING_CAPACITY))),
            bytes: SharedCallBytes::default(),
        };
        let mut session = Session::launch(program, Some(abi), config, Some(rewind))?;
        session.opened_recording = true;
        Ok(session)
    }

    /// Whether this session replays a recording opened from a file.
    pub fn is_opened_recording(&self) -> bool {
        self.opened_recording
    }

    /// A replay of this session's recording from its start, into a fresh
    /// ring.
    fn replay_from_start(&self) -> Rewind {
        Rewind {
            tape: self.tape.clone(),
            len: self.recorded_calls(),
            target: None,
            ring: Arc::new(Mutex::new(Ring::new(RING_CAPACITY))),
            bytes: SharedCallBytes::default(),
        }
    }

    /// Ends this run and starts the program again, live or as a rewind's
    /// replay, with the same configuration and breakpoints and an empty
    /// console.
    fn run_again(&mut self, rewind: Option<Rewind>) -> Result<(), GuestFailure> {
        self.shared.kill.store(true, Ordering::SeqCst);
        let mut config = self.config.clone();
        self.stdout.take();
        self.stderr.take();
        config.stdout = OutputSpec::Buffer(self.stdout.clone());
        config.stderr = OutputSpec::Buffer(self.stderr.clone());
        let mut next = Session::launch(self.program.clone(), Some(self.abi), config, rewind)?;
        for o in &self.breakpoints {
            next.send(Command::AddBreakpoint(*o));
        }
        next.breakpoints = self.breakpoints.clone();
        next.opened_recording = self.opened_recording;
        *self = next;
        Ok(())
    }

    /// Goes back to the entry or exit of call `seq` (1-based): the guest
    /// starts again as a replay of this session's recording (no file,
    /// clock, random source, input or network is touched; the console
    /// shows what was written up to there) and runs at full speed, with no
    /// other stop, to that point, where it stops with
    /// [`Event::Stopped`] (a syscall entry or exit) and memory, stack,
    /// locals, globals, descriptors and console exactly as they were.
    /// Going on from there replays; at the end of the recording the guest
    /// ends saying so ([`crate::replay::RECORDING_ENDS`]), and
    /// [`Session::restart`] runs it live again. Breakpoints are kept.
    pub fn rewind(&mut self, seq: u64, edge: Edge) -> Result<(), String> {
        let len = reachable(&self.tape, seq)?;
        let rewind = Rewind {
            tape: self.tape.clone(),
            len,
            target: Some((seq, edge)),
            ring: self.ring.clone(),
            bytes: self.shared.bytes.clone(),
        };
        self.run_again(Some(rewind)).map_err(|e| e.to_string())
    }

    /// Starts a replay of `tape` (a session's recording, kept after the
    /// session itself was let go) racing to the entry or exit of call
    /// `seq`, as [`Session::rewind`] does; its calls are those already in
    /// `ring`.
    pub fn rewound(
        program: Program,
        abi: Abi,
        config: ProcessConfig,
        tape: SharedTape,
        ring: SharedRing,
        seq: u64,
        edge: Edge,
    ) -> Result<Session, String> {
        let len = reachable(&tape, seq)?;
        let rewind = Rewind {
            tape,
            len,
            target: Some((seq, edge)),
            ring,
            bytes: SharedCallBytes::default(),
        };
        Session::launch(program, Some(abi), config, Some(rewind)).map_err(|e| e.to_string())
    }

    /// The configuration the guest runs with.
    pub fn config(&self) -> &ProcessConfig {
        &self.config
    }

    /// How many calls the guest has made so far (returned from, or ended
    /// in): in a replay racing back, how far it has got.
    pub fn calls_made(&self) -> u64 {
        self.shared.made.load(Ordering::SeqCst)
    }

    /// What call `seq` read and wrote, as it ran, if still kept (a rewind
    /// keeps what the run it rewinds kept).
    pub fn call_bytes(&self, seq: u64) -> Option<CallBytes> {
        self.shared.call_bytes(seq)
    }

    /// How many calls this session's recording holds (a rewound session
    /// shares its recording).
    pub fn recorded_calls(&self) -> u64 {
        self.tape.read().map_or(0, |t| t.len())
    }

    /// Whether the guest is a replay of the recording (after
    /// [`Session::rewind`]) rather than running live.
    pub fn is_replay(&self) -> bool {
        self.replaying
    }

    /// Where a replay left the recording, if it did (a guest that behaves
    /// differently given the same answers, a nondeterministic one).
    pub fn divergence(&self) -> Option<Divergence> {
        self.divergence.lock().ok().and_then(|d| d.clone())
    }

    /// The session's recording.
    pub fn recording(&self) -> &SharedTape {
        &self.tape
    }

    /// The program being debugged.
    pub fn program(&self) -> &Program {
        &self.program
    }

    /// The ABI it runs under.
    pub fn abi(&self) -> Abi {
        self.abi
    }

    /// Breakpoints set, by offset.
    pub fn breakpoints(&self) -> &BTreeSet<u32> {
        &self.breakpoints
    }

    /// Every syscall record so far (up to [`RING_CAPACITY`]).
    pub fn ring(&self) -> &SharedRing {
        &self.ring
    }

    /// The guest's standard output so far (its last [`OUTPUT_TAIL`] bytes).
    pub fn stdout(&self) -> &SharedBuffer {
        &self.stdout
    }

    /// The guest's standard error so far (its last [`OUTPUT_TAIL`] bytes).
    pub fn stderr(&self) -> &SharedBuffer {
        &self.stderr
    }

    /// The host call the guest is in right now, if any (a guest waiting
    /// for input is in its read).
    pub fn in_call(&self) -> Option<InCall> {
        self.shared
            .in_call
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The bytes syscall `seq` wrote, before and after, if still kept.
    pub fn written(&self, seq: u64) -> Option<Vec<WrittenBytes>> {
        self.shared.call_bytes(seq).map(|b| b.written)
    }
}

/// The calls a recording holds, if call `seq` is among them; else why it
/// cannot be gone back to.
fn reachable(tape: &SharedTape, seq: u64) -> Result<u64, String> {
    let (len, full) = {
        let tape = tape.read().unwrap_or_else(|e| e.into_inner());
        (tape.len(), tape.is_full())
    };
    if seq == 0 || seq > len {
        let kept = if full {
            format!(
                " (the recording stopped there, at its limit of {} MiB)",
                RECORDING_LIMIT >> 20
            )
        } else {
            String::new()
        };
        return Err(match len {
            0 => "no call has been recorded yet".to_string(),
            _ => format!("call {seq} is not in the recording: it has calls 1 to {len}{kept}"),
        });
    }
    Ok(len)
}

impl Drop for Session {
    fn drop(&mut self) {
        self.shared.kill.store(true, Ordering::SeqCst);
        let _ = self.commands.send(Command::Stop);
    }
}
