//! One run of a guest, and everything observed about it: its program and
//! the configuration it runs with, its debug session (or the recording or
//! trace its calls come from), the syscall records, every descriptor's
//! life, the console, what its guest sent of memory, its last stop and how
//! it ended. Main, each what-if branch, each guest side by side, a
//! replayed recording and an opened trace are each one `Run`; the panels
//! render one of them at one [`Moment`](super::moment::Moment). Nothing
//! here waits on the guest: [`Run::poll`] drains what its session sent.

use super::console::{Console, END_OF_INPUT, Input, Stream};
use super::descriptor_log::DescriptorLog;
use super::memory::MemoryCache;
use super::run_config::RunConfig;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use wasmhole_runtime::calls::record::CallOutcome;
use wasmhole_runtime::calls::ring::{Ring, SharedRing};
use wasmhole_runtime::calls::trace_file;
use wasmhole_runtime::debug::{
    CallBytes, Command, Edge, Event, Exit, InCall, RING_CAPACITY, Session, Snapshot,
};
use wasmhole_runtime::replay::{LoadedRecording, SharedTape};
use wasmhole_runtime::sandbox::stdio::Pipe;
use wasmhole_runtime::{
    Abi, ExitStatus, InjectSpec, InputSpec, OutputSpec, ProcessConfig, Program, SharedBuffer,
};

/// Where the guest is in its life.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunState {
    /// No guest (nothing loaded, it failed to start, a trace, or its guest
    /// was let go before it ended).
    Idle,
    /// Stopped: the snapshot is current.
    Stopped,
    /// Running.
    Running,
    /// Ended.
    Exited(ExitStatus),
}

impl PartialEq<RunState> for &RunState {
    fn eq(&self, other: &RunState) -> bool {
        **self == *other
    }
}

/// Where a run's calls come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The program run live (with its branch's changes).
    Live,
    /// A recording opened from this file: every call is answered from it.
    Recording(PathBuf),
    /// A JSON-lines trace: recorded calls, no guest behind them.
    Trace(PathBuf),
}

/// What a run's guest did since the last poll, for the status bar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum News {
    /// It stopped (why, in words).
    Stopped(String),
    /// It ended (how, in words).
    Ended(String),
}

/// The call an exit status came from: the last call made that returned
/// that number as an error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusSource {
    /// The call's number.
    pub seq: u64,
    /// Its name.
    pub call: &'static str,
    /// The error it returned (`ENOENT`).
    pub error: &'static str,
}

/// How many of the last calls are searched for the call an exit status
/// came from.
const STATUS_SEARCH: u64 = 10_000;

/// Why a run could not start: a short line for the status bar, and the
/// sentence the banner says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CannotStart {
    /// For the status bar.
    pub short: String,
    /// For the banner, naming the program.
    pub problem: String,
}

/// What is kept to go back in a run after its guest was let go: its
/// recording and how to replay it.
struct Replayable {
    program: Program,
    abi: Abi,
    config: ProcessConfig,
    tape: SharedTape,
}

/// One run of a guest.
pub struct Run {
    /// The program's name, as the run's panels and banner say it.
    pub name: String,
    /// The program (none for a trace).
    pub program: Option<Program>,
    /// The configuration it runs with (for a recording: the recording's).
    pub config: RunConfig,
    /// Where its calls come from.
    pub origin: Origin,
    /// Where its guest is.
    pub state: RunState,
    /// Its latest stop.
    pub snapshot: Option<Box<Snapshot>>,
    /// How it ended, with its leaks.
    pub exit: Option<Box<Exit>>,
    /// Its syscall records: every call made and, after going back, the
    /// calls it made later (not yet made at the moment shown).
    pub records: SharedRing,
    /// Every descriptor's life.
    pub descriptors: DescriptorLog,
    /// Its console.
    pub console: Console,
    /// What its guest sent of memory.
    pub memory: MemoryCache,
    /// The host call a running guest is in (it may be waiting for input).
    pub waiting: Option<InCall>,
    /// Where it is going back to, while a replay races there.
    pub going_back: Option<(u64, Edge)>,
    /// Why its guest is no longer kept, when it was let go.
    pub let_go: Option<String>,
    /// When it exited with a non-zero status that a call returned as an
    /// error, that call (found once, at the end).
    pub status_source: Option<StatusSource>,
    session: Option<Session>,
    replayable: Option<Replayable>,
    /// Calls made when there is no session to ask: a trace's, or those a
    /// guest let go had made.
    made_without_guest: u64,
    stdin: Pipe,
    stdout: SharedBuffer,
    stderr: SharedBuffer,
}

impl Default for Run {
    fn default() -> Self {
        Run::idle("")
    }
}

impl Run {
    /// A run with no guest (nothing open, or a program that cannot start).
    pub fn idle(name: &str) -> Run {
        Run {
            name: name.to_string(),
            program: None,
            config: RunConfig::default(),
            origin: Origin::Live,
            state: RunState::Idle,
            snapshot: None,
            exit: None,
            records: Arc::new(Mutex::new(Ring::new(1))),
            descriptors: DescriptorLog::default(),
            console: Console::default(),
            memory: MemoryCache::default(),
            waiting: None,
            going_back: None,
            let_go: None,
            status_source: None,
            session: None,
            replayable: None,
            made_without_guest: 0,
            stdin: Pipe::new(),
            stdout: SharedBuffer::new(),
            stderr: SharedBuffer::new(),
        }
    }

    /// Starts `program` under the debugger with `config`, the calls changed
    /// by `changes` (a what-if branch's) and `breakpoints` set, stopped at
    /// its first instruction once its session says so. Relative HOST
    /// folders in `config` start at `base`. An error says, in the
    /// learner's words, why it cannot start.
    pub fn start(
        name: &str,
        program: Program,
        config: &RunConfig,
        base: Option<&Path>,
        changes: &[InjectSpec],
        breakpoints: &[u32],
    ) -> Result<Run, CannotStart> {
        let mut run = Run::idle(name);
        run.config = config.clone();
        run.program = Some(program.clone());
        let input = if config.stdin.is_empty() {
            Input::Typed
        } else {
            run.stdin.push(config.stdin.as_bytes());
            run.stdin.close();
            Input::Configured
        };
        run.console = Console::new(input);
        let resolved = match base {
            Some(base) => config.resolved_in(base),
            None => config.clone(),
        };
        let process = resolved.abi().and_then(|abi| {
            resolved
                .process_config(
                    program.name(),
                    InputSpec::Pipe(run.stdin.clone()),
                    OutputSpec::Buffer(run.stdout.clone()),
                    OutputSpec::Buffer(run.stderr.clone()),
                )
                .map(|mut c| {
                    c.inject.extend(changes.iter().cloned());
                    (abi, c)
                })
        });
        let (abi, process) = process.map_err(|e| CannotStart {
            short: format!("run configuration: {e}"),
            problem: format!("{name} cannot start: the Run configuration is wrong: {e}"),
        })?;
        let session = Session::start(program, abi, process).map_err(|f| CannotStart {
            problem: format!("{name} cannot start: {}", f.message),
            short: f.message,
        })?;
        run.begin(session, breakpoints);
        Ok(run)
    }

    /// Replays the recording opened from `path` (loaded as `loaded`) under
    /// the debugger, stopped at its first instruction, every call answered
    /// from it. Its configuration is the recording's.
    pub fn replay(
        name: &str,
        path: &Path,
        loaded: LoadedRecording,
        breakpoints: &[u32],
    ) -> Result<Run, String> {
        let mut run = Run::idle(name);
        run.origin = Origin::Recording(path.to_path_buf());
        run.program = Some(loaded.program.clone());
        run.config = RunConfig::from_process(loaded.abi, &loaded.config);
        // A replay reads no input: what the guest read is in the recording.
        run.stdin.close();
        run.console = Console::new(Input::Recorded);
        let mut config = loaded.config;
        config.stdout = OutputSpec::Buffer(run.stdout.clone());
        config.stderr = OutputSpec::Buffer(run.stderr.clone());
        let session = Session::replay(loaded.program, loaded.abi, config, loaded.tape)
            .map_err(|f| format!("{name} cannot be replayed: {}", f.message))?;
        run.begin(session, breakpoints);
        Ok(run)
    }

    /// The calls of a JSON-lines trace (from `wasmhole run --trace-format
    /// jsonl` or gopherd's `trace_dir`), with no guest behind them, and how
    /// many calls it holds (more than are kept when it is very long).
    pub fn trace(path: &Path) -> Result<(Run, u64), String> {
        let file = std::fs::File::open(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let mut ring = Ring::new(RING_CAPACITY);
        let mut gap = None;
        let count = trace_file::read(std::io::BufReader::new(file), |r| {
            if gap.is_none()
                && let Some(last) = ring.last_seq()
                && r.seq != last + 1
            {
                gap = Some((last, r.seq));
            }
            ring.push(r)
        })
        .map_err(|e| format!("{}: {e}", path.display()))?;
        if let Some((last, next)) = gap {
            return Err(format!(
                "{}: call #{next} follows call #{last}: a trace's calls are numbered one after another",
                path.display()
            ));
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut run = Run::idle(&name);
        run.origin = Origin::Trace(path.to_path_buf());
        run.made_without_guest = ring.last_seq().unwrap_or(0);
        run.records = Arc::new(Mutex::new(ring));
        run.console.input_ended = true;
        Ok((run, count as u64))
    }

    fn begin(&mut self, mut session: Session, breakpoints: &[u32]) {
        for b in breakpoints {
            session.send(Command::AddBreakpoint(*b));
        }
        self.records = session.ring().clone();
        self.state = RunState::Running;
        self.session = Some(session);
    }

    /// The session, while the guest is kept.
    pub fn session(&self) -> Option<&Session> {
        self.session.as_ref()
    }

    /// Whether its session is still compiling the module (the guest starts
    /// when that is done).
    pub fn compiling(&self) -> bool {
        self.state == RunState::Running && self.session.as_ref().is_some_and(Session::compiling)
    }

    /// Whether its guest is alive (stopped or running).
    pub fn alive(&self) -> bool {
        self.session.is_some() && matches!(self.state, RunState::Stopped | RunState::Running)
    }

    /// Whether its guest (alive or ended) is still kept.
    pub fn kept(&self) -> bool {
        self.session.is_some()
    }

    /// Whether its calls come from a recording (an opened one, or its own
    /// after going back) rather than the guest running live.
    pub fn is_replay(&self) -> bool {
        matches!(self.origin, Origin::Recording(_))
            || self.session.as_ref().is_some_and(Session::is_replay)
    }

    /// How it ended, if it has.
    pub fn ended(&self) -> Option<&ExitStatus> {
        match &self.state {
            RunState::Exited(s) => Some(s),
            _ => None,
        }
    }

    /// How many calls the guest has made (returned from, or ended in):
    /// at a stop, those before it; while running, as far as it has got.
    pub fn calls_made(&self) -> u64 {
        if let (RunState::Stopped, Some(s)) = (&self.state, &self.snapshot) {
            return s.last_seq;
        }
        match &self.session {
            Some(s) => s.calls_made(),
            None => self.made_without_guest,
        }
    }

    /// Its records, locked.
    pub fn ring(&self) -> std::sync::MutexGuard<'_, Ring> {
        self.records.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// What call `seq` read and wrote, as it ran, if still kept.
    pub fn call_bytes(&self, seq: u64) -> Option<CallBytes> {
        self.session.as_ref()?.call_bytes(seq)
    }

    /// How many calls its recording holds (0 when nothing is kept to go
    /// back in).
    pub fn recorded_calls(&self) -> u64 {
        match (&self.session, &self.replayable) {
            (Some(s), _) => s.recorded_calls(),
            (None, Some(r)) => r.tape.read().map_or(0, |t| t.len()),
            _ => 0,
        }
    }

    /// The call exit status `code` most likely came from: a program that
    /// exits with the error number a call returned (`exit(errno)`, or Go's
    /// and Rust's runtimes passing an error on) exits with the number of
    /// the last call that returned it as an error, among the last calls
    /// made.
    pub fn find_status_source(&self, code: i32) -> Option<StatusSource> {
        let made = self.calls_made();
        let ring = self.ring();
        let first = made.saturating_sub(STATUS_SEARCH).max(1);
        (first..=made).rev().find_map(|seq| {
            let r = ring.get(seq)?;
            match &r.outcome {
                CallOutcome::Returned(res) if res.raw == code as i64 => {
                    res.error.map(|error| StatusSource {
                        seq,
                        call: r.name,
                        error,
                    })
                }
                _ => None,
            }
        })
    }

    /// Handles everything its session sent since the last poll and brings
    /// its descriptors and console up to date. Never waits.
    pub fn poll(&mut self) -> Vec<News> {
        let events = self.session.as_ref().map(Session::take_events);
        let news = events
            .into_iter()
            .flatten()
            .filter_map(|e| self.handle(e))
            .collect();
        self.waiting = match (&self.state, &self.session) {
            (RunState::Running, Some(s)) => s.in_call(),
            _ => None,
        };
        {
            let ring = self.records.lock().unwrap_or_else(|e| e.into_inner());
            self.descriptors.update(&ring);
        }
        self.console.pull(&self.stdout, &self.stderr);
        news
    }

    fn handle(&mut self, event: Event) -> Option<News> {
        match event {
            Event::Stopped(snapshot) => {
                self.state = RunState::Stopped;
                self.going_back = None;
                self.memory.size = snapshot.memory_size;
                self.memory.changed = snapshot.changed.clone().unwrap_or_default();
                self.memory.forget();
                self.descriptors.seed(&snapshot.descriptors);
                let news = News::Stopped(format!("stopped: {}", snapshot.reason));
                self.snapshot = Some(snapshot);
                Some(news)
            }
            Event::Running => {
                self.state = RunState::Running;
                None
            }
            Event::Live {
                start,
                bytes,
                memory_size,
            } => {
                self.memory.size = memory_size;
                self.memory.store(start, bytes);
                None
            }
            Event::Memory { start, bytes } => {
                self.memory.store(start, bytes);
                None
            }
            Event::Exited(exit) => {
                let news = News::Ended(match &exit.status {
                    ExitStatus::Exited(code) => format!("exited with status {code}"),
                    ExitStatus::Failed(f) => f.message.clone(),
                });
                self.going_back = None;
                self.descriptors.seed(&exit.descriptors);
                self.memory.size = exit.memory_size;
                self.memory.changed.clear();
                self.memory.forget();
                self.state = RunState::Exited(exit.status.clone());
                self.status_source = match exit.status {
                    ExitStatus::Exited(code) if code != 0 => self.find_status_source(code),
                    _ => None,
                };
                self.exit = Some(exit);
                Some(news)
            }
        }
    }

    /// Asks its session for the memory window `wanted`: once at a stop or
    /// at the end, sent live while the guest runs.
    pub fn request_memory(&mut self, wanted: (u32, u32)) {
        let Some(s) = &mut self.session else { return };
        match self.state {
            RunState::Stopped | RunState::Exited(_)
                if !self.memory.covers(wanted) && self.memory.requested != Some(wanted) =>
            {
                s.send(Command::ReadMemory {
                    start: wanted.0,
                    len: wanted.1,
                });
                self.memory.requested = Some(wanted);
            }
            RunState::Running if self.memory.watching != Some(wanted) => {
                s.send(Command::Watch(Some(wanted)));
                self.memory.watching = Some(wanted);
            }
            _ => {}
        }
    }

    /// Sends a command that resumes the stopped guest; false if it is not
    /// stopped.
    pub fn resume(&mut self, command: Command) -> bool {
        if self.state != RunState::Stopped {
            return false;
        }
        let Some(s) = &mut self.session else {
            return false;
        };
        s.send(command);
        self.state = RunState::Running;
        true
    }

    /// Asks a running guest to stop.
    pub fn pause(&self) {
        if let (Some(s), RunState::Running) = (&self.session, &self.state) {
            s.pause();
        }
    }

    /// Ends the guest.
    pub fn stop(&mut self) {
        self.stdin.close();
        if let Some(s) = &mut self.session {
            s.send(Command::Stop);
        }
    }

    /// Sends a breakpoint command (kept by the session across rewinds).
    pub fn send(&mut self, command: Command) {
        if let Some(s) = &mut self.session {
            s.send(command);
        }
    }

    /// Sends a line (or any text) to the guest's standard input, shown in
    /// the console.
    pub fn send_input(&mut self, text: &str) {
        if self.console.input_ended {
            return;
        }
        self.stdin.push(text.as_bytes());
        self.console.chunks.push((Stream::In, text.to_string()));
    }

    /// Ends the guest's standard input (as Ctrl+D does in a terminal), the
    /// text still typed sent first.
    pub fn end_input(&mut self, rest: &str) {
        if self.console.input_ended {
            return;
        }
        if !rest.is_empty() {
            self.send_input(rest);
        }
        self.stdin.close();
        self.console.input_ended = true;
        self.console.chunks.push((Stream::In, END_OF_INPUT.into()));
    }

    /// Closes standard input from the start (a guest nobody types to).
    pub fn close_input(&mut self) {
        self.stdin.close();
        self.console.input_ended = true;
    }

    /// Goes back to the entry or exit of call `seq`: the guest starts again
    /// as a replay of this run's recording and races there with no other
    /// stop (even when the guest was let go, while its recording is kept).
    /// Until it is there, nothing of the later moment stays on show.
    pub fn rewind(&mut self, seq: u64, edge: Edge) -> Result<(), String> {
        match (&mut self.session, &self.replayable) {
            (Some(session), _) => session.rewind(seq, edge)?,
            (None, Some(r)) => {
                let mut config = r.config.clone();
                config.stdout = OutputSpec::Buffer(self.stdout.clone());
                config.stderr = OutputSpec::Buffer(self.stderr.clone());
                self.stdout.take();
                self.stderr.take();
                let session = Session::rewound(
                    r.program.clone(),
                    r.abi,
                    config,
                    r.tape.clone(),
                    self.records.clone(),
                    seq,
                    edge,
                )?;
                self.session = Some(session);
                self.let_go = None;
            }
            (None, None) => return Err("there is no recording of this run to go back in".into()),
        }
        if let Some(s) = &self.session {
            self.records = s.ring().clone();
        }
        self.snapshot = None;
        self.exit = None;
        self.console = Console::new(Input::Recorded);
        self.memory = MemoryCache::default();
        self.waiting = None;
        self.going_back = Some((seq, edge));
        self.state = RunState::Running;
        Ok(())
    }

    /// Lets go of the guest (to keep few alive), keeping its calls, output,
    /// exit and recording; `why` says so in the panels.
    pub fn let_go(&mut self, why: String) {
        let Some(session) = self.session.take() else {
            return;
        };
        self.made_without_guest = session.calls_made();
        self.replayable = Some(Replayable {
            program: session.program().clone(),
            abi: session.abi(),
            config: session.config().clone(),
            tape: session.recording().clone(),
        });
        if !matches!(self.state, RunState::Exited(_)) {
            self.state = RunState::Idle;
            self.snapshot = None;
        }
        self.memory.forget();
        self.waiting = None;
        self.let_go = Some(why);
    }

    /// Writes its recording to `path`, naming the module's file `module`
    /// when it came from one; returns how many calls it holds.
    pub fn save_recording(&self, path: &Path, module: Option<&Path>) -> Result<u64, String> {
        let tape = match (&self.session, &self.replayable) {
            (Some(s), _) => s.recording().clone(),
            (None, Some(r)) => r.tape.clone(),
            _ => return Err("there is no run to save".into()),
        };
        if let Some(module) = module
            && let Ok(mut tape) = tape.write()
            && tape.header().module_path.is_empty()
        {
            tape.set_module_path(module);
        }
        let calls = tape.read().map_or(0, |t| t.len());
        std::fs::File::create(path)
            .map(std::io::BufWriter::new)
            .and_then(|out| tape.read().unwrap_or_else(|e| e.into_inner()).write_to(out))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok(calls)
    }

    /// Its standard output and error.
    pub fn output(&self) -> (&SharedBuffer, &SharedBuffer) {
        (&self.stdout, &self.stderr)
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        self.stdin.close();
    }
}
