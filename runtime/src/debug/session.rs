//! The front end's side of a debug session: start a guest on its own thread,
//! send it commands, receive events. Nothing here waits on the guest unless
//! asked to (`wait_event`).

use super::controller::InCall;
use super::controller::{self, Shared};
use super::snapshot::{Snapshot, Value, WrittenBytes};
use crate::abi::Abi;
use crate::engine::{EngineOptions, Runtime};
use crate::fdtable::DescriptorRow;
use crate::process::{Process, ProcessConfig};
use crate::program::Program;
use crate::run::{self, ExitStatus, FailureKind, GuestFailure};
use crate::stdio::{OutputSpec, SharedBuffer};
use crate::trace::{Ring, RingSink, SharedRing};
use std::collections::BTreeSet;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// How many syscall records a session keeps (see [`Ring`] for how they
/// are stored).
pub const RING_CAPACITY: usize = 16 << 20;

/// How much of each of the guest's output streams a session keeps: the
/// last mebibyte (at least), however much the guest writes.
pub const OUTPUT_TAIL: usize = 1 << 20;

/// What a front end can ask of a running or stopped guest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// Run this many instructions, then stop.
    Step(u64),
    /// Run the current instruction; a call runs to its return.
    StepOver,
    /// Run until the current function returns.
    StepOut,
    /// Run to the next syscall boundary: a call's entry, or the exit of the
    /// call stopped at.
    NextSyscall,
    /// Run until a breakpoint, a trap or the end.
    Continue,
    /// Run until the instruction at this offset.
    RunTo(u32),
    /// End the guest.
    Stop,
    /// Stop whenever the instruction at this offset is reached.
    AddBreakpoint(u32),
    /// Forget a breakpoint.
    RemoveBreakpoint(u32),
    /// Send back these bytes of memory (answered at once when stopped, at the
    /// next epoch tick when running).
    ReadMemory {
        /// First byte.
        start: u32,
        /// How many bytes.
        len: u32,
    },
    /// While running, send this window of memory 30–60 times a second.
    Watch(Option<(u32, u32)>),
}

/// How a guest ended.
#[derive(Clone, Debug)]
pub struct Exit {
    /// Its status.
    pub status: ExitStatus,
    /// Descriptors still open (each row says whether the guest opened it).
    pub descriptors: Vec<DescriptorRow>,
    /// Size of linear memory at the end, in bytes (memory can still be
    /// read with [`Command::ReadMemory`] until the session is dropped).
    pub memory_size: usize,
    /// The globals at the end, by index.
    pub globals: Vec<Value>,
}

/// What the guest's thread reports.
#[derive(Clone, Debug)]
pub enum Event {
    /// It stopped.
    Stopped(Box<Snapshot>),
    /// It is running.
    Running,
    /// Bytes asked for with [`Command::ReadMemory`].
    Memory {
        /// First byte.
        start: u32,
        /// The bytes (fewer if memory ends sooner).
        bytes: Vec<u8>,
    },
    /// A live copy of the watched window while running.
    Live {
        /// First byte.
        start: u32,
        /// The bytes.
        bytes: Vec<u8>,
        /// Memory size at the time.
        memory_size: usize,
    },
    /// It ended.
    Exited(Box<Exit>),
}

/// The engine debug sessions share (compiled programs are reused on restart).
fn debug_runtime() -> Result<&'static Runtime, String> {
    static RUNTIME: OnceLock<Result<Runtime, String>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            Runtime::new(EngineOptions {
                fuel: true,
                debug: true,
                cache_dir: crate::compile_cache::configured(),
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
}

impl Session {
    /// Starts a guest stopped at its first instruction. Standard output and
    /// error are captured (see [`Session::stdout`]) unless `config` already
    /// sends them to a buffer.
    pub fn start(
        program: Program,
        abi: Option<Abi>,
        mut config: ProcessConfig,
    ) -> Result<Session, GuestFailure> {
        let abi = run::choose_abi(&program, abi)?;
        let entry = run::entry_point(&program, abi, config.entry.as_deref())?;
        let failure = |e: String| GuestFailure {
            guest: program.name().to_string(),
            kind: FailureKind::Setup,
            message: format!("guest `{}`: {e}", program.name()),
            location: None,
        };
        let runtime = debug_runtime().map_err(failure)?;
        let pre =
            runtime
                .prepare(&program, abi)
                .map_err(|e| match e.downcast::<GuestFailure>() {
                    Ok(f) => f,
                    Err(e) => failure(format!("{e:#}")),
                })?;
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
        let mut process = Process::new(program.name(), abi, config.clone())
            .map_err(|e| failure(e.to_string()))?;
        let ring: SharedRing = Arc::new(Mutex::new(Ring::new(RING_CAPACITY)));
        process.recorder.add(Box::new(RingSink(ring.clone())));
        let (command_tx, command_rx) = mpsc::channel();
        let (event_tx, event_rx) = mpsc::channel();
        let shared = Arc::new(Shared::default());
        controller::spawn(controller::Launch {
            runtime,
            pre,
            program: program.clone(),
            entry,
            process,
            commands: command_rx,
            events: event_tx,
            shared: shared.clone(),
            ring: ring.clone(),
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

    /// Asks a running guest to stop at the next epoch tick.
    pub fn pause(&self) {
        self.shared.pause.store(true, Ordering::SeqCst);
    }

    /// The next event, if one has arrived.
    pub fn try_event(&self) -> Option<Event> {
        self.events.try_recv().ok()
    }

    /// Waits up to `timeout` for the next event.
    pub fn wait_event(&self, timeout: Duration) -> Option<Event> {
        self.events.recv_timeout(timeout).ok()
    }

    /// Ends this run and starts the same program again with the same
    /// configuration and breakpoints.
    pub fn restart(&mut self) -> Result<(), GuestFailure> {
        self.shared.kill.store(true, Ordering::SeqCst);
        let mut config = self.config.clone();
        self.stdout.take();
        self.stderr.take();
        config.stdout = OutputSpec::Buffer(self.stdout.clone());
        config.stderr = OutputSpec::Buffer(self.stderr.clone());
        let mut next = Session::start(self.program.clone(), Some(self.abi), config)?;
        for o in &self.breakpoints {
            next.send(Command::AddBreakpoint(*o));
        }
        next.breakpoints = self.breakpoints.clone();
        *self = next;
        Ok(())
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
        self.shared.written(seq)
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.shared.kill.store(true, Ordering::SeqCst);
        let _ = self.commands.send(Command::Stop);
    }
}
