//! The workbench's model, apart from drawing: the document, the debug
//! session and everything received from it (snapshot, memory window,
//! console output, exit), breakpoints, and the actions the toolbar and keys
//! trigger. Tests drive it directly; the panels read it.

use super::browser::Browser;
use super::dock::Tab;
use super::document::Document;
use super::memory_view::{MemoryView, Touched};
use super::run_config::RunConfig;
use super::syscalls_view::{SyscallsView, record};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use wasmhole_runtime::debug::{Command, Event, Exit, RING_CAPACITY, Session, Snapshot};
use wasmhole_runtime::stdio::Pipe;
use wasmhole_runtime::trace::{Ring, SharedRing};
use wasmhole_runtime::trace_file;
use wasmhole_runtime::{ExitStatus, InputSpec, OutputSpec, SharedBuffer};

/// Where the guest is in its life.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunState {
    /// No guest (nothing loaded, or it failed to start).
    Idle,
    /// Stopped: the snapshot is current.
    Stopped,
    /// Running.
    Running,
    /// Ended.
    Exited(ExitStatus),
}

/// Which standard stream a piece of console text came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    /// Standard output.
    Out,
    /// Standard error (and log lines).
    Err,
    /// A line the person sent to standard input.
    In,
}

/// The guest's console, in arrival order.
#[derive(Default)]
pub struct Console {
    /// Text pieces and where each came from.
    pub chunks: Vec<(Stream, String)>,
    /// The stdin line being typed.
    pub input: String,
    seen_out: usize,
    seen_err: usize,
}

/// How much console text the workbench keeps: the last mebibyte or so.
pub const CONSOLE_TAIL: usize = 1 << 20;

impl Console {
    fn pull(&mut self, out: &SharedBuffer, err: &SharedBuffer) {
        for (buf, seen, stream) in [
            (out, &mut self.seen_out, Stream::Out),
            (err, &mut self.seen_err, Stream::Err),
        ] {
            let since = buf.since(*seen as u64);
            *seen += since.skipped as usize + since.bytes.len();
            if since.skipped > 0 {
                self.chunks
                    .push((stream, format!("[{} bytes not kept]\n", since.skipped)));
            }
            if !since.bytes.is_empty() {
                self.chunks
                    .push((stream, String::from_utf8_lossy(&since.bytes).into_owned()));
            }
        }
        self.keep_tail();
    }

    /// Drops the oldest pieces once the text passes twice [`CONSOLE_TAIL`].
    fn keep_tail(&mut self) {
        let total: usize = self.chunks.iter().map(|(_, t)| t.len()).sum();
        if total <= 2 * CONSOLE_TAIL {
            return;
        }
        let mut excess = total - CONSOLE_TAIL;
        let mut first_kept = 0;
        for (_, text) in &self.chunks {
            if text.len() > excess {
                break;
            }
            excess -= text.len();
            first_kept += 1;
        }
        self.chunks.drain(..first_kept);
    }
}

/// Stepping on a timer, for watching a guest move.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Animation {
    /// Steps a second.
    pub rate: f32,
    /// When the last step was sent.
    pub last: Instant,
}

/// The whole model.
pub struct Workbench {
    /// The program and its source.
    pub doc: Document,
    /// Run settings.
    pub config: RunConfig,
    /// The debug session, while there is a guest.
    pub session: Option<Session>,
    /// Where the guest is.
    pub state: RunState,
    /// The latest stop.
    pub snapshot: Option<Box<Snapshot>>,
    /// How the guest ended, with its leaks.
    pub exit: Option<Box<Exit>>,
    /// Syscall records of the current run.
    pub records: SharedRing,
    /// Memory panel.
    pub memory: MemoryView,
    /// Syscalls panel.
    pub syscalls: SyscallsView,
    /// Console panel.
    pub console: Console,
    /// The guest's standard input.
    pub stdin: Pipe,
    /// Breakpoints, by offset (kept across runs and recompiles).
    pub breakpoints: BTreeSet<u32>,
    /// The frame shown in the Stack panel.
    pub frame: usize,
    /// The descriptor whose history is shown.
    pub selected_fd: Option<u32>,
    /// Stepping on a timer, if on.
    pub animation: Option<Animation>,
    /// Steps a second for animated stepping.
    pub animation_rate: f32,
    /// One line for the status bar.
    pub status: String,
    /// Recently opened files, newest first.
    pub recent: Vec<PathBuf>,
    /// The recorded trace shown, when a trace file was opened rather than a
    /// program.
    pub trace: Option<PathBuf>,
    /// The Gopher browser.
    pub gopher: Browser,
    /// Where the current run configuration came from, when it was not
    /// typed (a replayed Gopher request).
    pub origin: Option<String>,
    /// A panel to bring to the front on the next frame.
    pub focus: Option<Tab>,
    stdout: SharedBuffer,
    stderr: SharedBuffer,
}

impl Default for Workbench {
    fn default() -> Self {
        Workbench {
            doc: Document::default(),
            config: RunConfig::default(),
            session: None,
            state: RunState::Idle,
            snapshot: None,
            exit: None,
            records: Arc::new(Mutex::new(Ring::new(1))),
            memory: MemoryView::default(),
            syscalls: SyscallsView::default(),
            console: Console::default(),
            stdin: Pipe::new(),
            breakpoints: BTreeSet::new(),
            frame: 0,
            selected_fd: None,
            animation: None,
            animation_rate: 5.0,
            status: "Open a .wat or .wasm file, or pick one from Samples.".into(),
            recent: Vec::new(),
            trace: None,
            gopher: Browser::default(),
            origin: None,
            focus: None,
            stdout: SharedBuffer::new(),
            stderr: SharedBuffer::new(),
        }
    }
}

impl Workbench {
    /// Opens what a person named (on the command line, in a dialog, by
    /// dropping it): a program is started, stopped at its first
    /// instruction; a JSON-lines trace (`.jsonl`) is shown as recorded; a
    /// `gopher://` address or a gopherd configuration (`.toml`) opens in
    /// the Gopher panel.
    pub fn open(&mut self, path: &Path) {
        let text = path.to_string_lossy();
        if text.starts_with("gopher://") {
            self.gopher.address = text.into_owned();
            self.gopher.go_to_address();
            self.focus = Some(Tab::Gopher);
            return;
        }
        if path.extension().is_some_and(|e| e == "toml") {
            self.gopher.open_gopherhole(path);
            self.focus = Some(Tab::Gopher);
            return;
        }
        if is_trace_file(path) {
            if self.open_trace(path) {
                self.remember(path);
            }
            return;
        }
        match Document::open(path) {
            Ok(doc) => {
                self.remember(path);
                self.load(doc);
            }
            Err(e) => self.status = e,
        }
    }

    fn remember(&mut self, path: &Path) {
        self.recent.retain(|p| p != path);
        self.recent.insert(0, path.to_path_buf());
        self.recent.truncate(10);
    }

    /// Replays a Gopher request under the debugger: opens the handler's
    /// module with the run configuration set to what gopherd gives it for
    /// this request (arguments, environment, standard input, directories,
    /// limits), stopped at its first instruction.
    pub fn debug_request(&mut self, recipe: &gopherd::HandlerRecipe) {
        self.config = RunConfig::from_process(recipe.abi, &recipe.config);
        self.open(&recipe.module);
        if self.doc.program.is_some() {
            self.origin = Some(format!("gopher request for {}", recipe.route));
            self.focus = Some(Tab::Source);
        }
    }

    /// Shows a recorded JSON-lines trace (from `wasmhole run --trace-format
    /// jsonl` or gopherd's `trace_dir`) in the Syscalls panel, with no guest
    /// behind it. Returns whether it could be read.
    pub fn open_trace(&mut self, path: &Path) -> bool {
        let file = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) => {
                self.status = format!("cannot read {}: {e}", path.display());
                return false;
            }
        };
        let mut ring = Ring::new(RING_CAPACITY);
        let read = trace_file::read(std::io::BufReader::new(file), |r| ring.push(r));
        let count = match read {
            Ok(n) => n,
            Err(e) => {
                self.status = format!("{}: {e}", path.display());
                return false;
            }
        };
        self.end_session();
        self.start_fresh();
        self.doc = Document {
            name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            path: Some(path.to_path_buf()),
            ..Document::default()
        };
        let kept = ring.records().len();
        self.records = Arc::new(Mutex::new(ring));
        self.trace = Some(path.to_path_buf());
        let calls = if count == 1 { "call" } else { "calls" };
        self.status = if kept < count {
            format!("recorded trace: {count} {calls}, the last {kept} shown (no guest to step)")
        } else {
            format!("recorded trace: {count} {calls} (no guest to step)")
        };
        true
    }

    /// Shows a document and starts it if it compiled.
    pub fn load(&mut self, doc: Document) {
        self.origin = None;
        self.breakpoints.clear();
        self.doc = doc;
        self.start();
    }

    /// Compiles the edited text and, if it compiles, restarts on it.
    pub fn compile(&mut self) {
        if self.doc.compile() {
            self.breakpoints.clear();
            self.start();
        } else {
            self.end_session();
            self.state = RunState::Idle;
            if let Some(e) = &self.doc.error {
                self.status = format!("{}:{}:{}: {}", self.doc.name, e.line, e.column, e.message);
            }
        }
    }

    fn end_session(&mut self) {
        self.stdin.close();
        self.session = None;
    }

    /// Clears everything a previous run (or trace) left on show.
    fn start_fresh(&mut self) {
        self.snapshot = None;
        self.exit = None;
        self.frame = 0;
        self.selected_fd = None;
        self.animation = None;
        self.syscalls.reset();
        self.memory = MemoryView {
            rows: self.memory.rows,
            ..MemoryView::default()
        };
        self.console = Console::default();
        self.state = RunState::Idle;
        self.records = Arc::new(Mutex::new(Ring::new(1)));
    }

    /// Starts (or starts again) the current program under the debugger.
    pub fn start(&mut self) {
        self.end_session();
        self.start_fresh();
        self.trace = None;
        let Some(program) = self.doc.program.clone() else {
            if let Some(e) = &self.doc.error {
                self.status = format!("{}:{}:{}: {}", self.doc.name, e.line, e.column, e.message);
            }
            return;
        };
        self.stdin = Pipe::new();
        if !self.config.stdin.is_empty() {
            self.stdin.push(self.config.stdin.as_bytes());
            self.stdin.close();
        }
        self.stdout = SharedBuffer::new();
        self.stderr = SharedBuffer::new();
        let config = self.config.abi().and_then(|abi| {
            self.config
                .process_config(
                    program.name(),
                    InputSpec::Pipe(self.stdin.clone()),
                    OutputSpec::Buffer(self.stdout.clone()),
                    OutputSpec::Buffer(self.stderr.clone()),
                )
                .map(|c| (abi, c))
        });
        let (abi, config) = match config {
            Ok(c) => c,
            Err(e) => {
                self.status = format!("run configuration: {e}");
                return;
            }
        };
        match Session::start(program, abi, config) {
            Ok(mut session) => {
                for b in &self.breakpoints {
                    session.send(Command::AddBreakpoint(*b));
                }
                self.records = session.ring().clone();
                self.status = format!("{} loaded ({})", self.doc.name, session.abi());
                self.session = Some(session);
                self.state = RunState::Running;
            }
            Err(f) => self.status = f.message,
        }
    }

    /// Sends a command that resumes the guest.
    pub fn resume(&mut self, command: Command) {
        if self.state != RunState::Stopped {
            return;
        }
        if let Some(s) = &mut self.session {
            s.send(command);
            self.state = RunState::Running;
        }
    }

    /// Pauses a running guest (and stops animated stepping).
    pub fn pause(&mut self) {
        self.animation = None;
        if let (Some(s), RunState::Running) = (&self.session, &self.state) {
            s.pause();
        }
    }

    /// Ends the guest.
    pub fn stop(&mut self) {
        self.animation = None;
        self.stdin.close();
        if let Some(s) = &mut self.session {
            s.send(Command::Stop);
        }
    }

    /// Adds or removes a breakpoint at an instruction offset.
    pub fn toggle_breakpoint(&mut self, offset: u32) {
        let command = if self.breakpoints.remove(&offset) {
            Command::RemoveBreakpoint(offset)
        } else {
            self.breakpoints.insert(offset);
            Command::AddBreakpoint(offset)
        };
        if let Some(s) = &mut self.session {
            s.send(command);
        }
    }

    /// Sends a line to the guest's standard input.
    pub fn send_input(&mut self) {
        let line = std::mem::take(&mut self.console.input) + "\n";
        self.stdin.push(line.as_bytes());
        self.console.chunks.push((Stream::In, line));
    }

    /// Selects a syscall: its bytes are highlighted in the Memory panel and
    /// the view scrolls to the first byte it wrote (or read).
    pub fn select_syscall(&mut self, seq: u64) {
        self.syscalls.selected = Some(seq);
        let ring = self.records.lock().unwrap_or_else(|e| e.into_inner());
        let Some(r) = record(&ring, seq) else { return };
        let writes = self
            .session
            .as_ref()
            .and_then(|s| s.written(seq))
            .unwrap_or_default();
        let first = r.writes.first().or(r.reads.first()).map(|m| m.start);
        self.memory.touched = Some(Touched {
            label: format!("#{} {}", r.seq, r.name),
            reads: r.reads.clone(),
            writes,
            write_ranges: r.writes.clone(),
        });
        drop(ring);
        if let Some(addr) = first {
            self.memory.go_to(addr);
        }
    }

    /// Handles everything the session sent since the last frame, and asks
    /// for the memory the panel needs. Never waits.
    pub fn poll(&mut self) {
        let mut events = Vec::new();
        if let Some(s) = &self.session {
            while let Some(e) = s.try_event() {
                events.push(e);
            }
        }
        for event in events {
            match event {
                Event::Stopped(snapshot) => {
                    self.state = RunState::Stopped;
                    self.memory.size = snapshot.memory_size;
                    self.memory.changed = snapshot.changed.clone().unwrap_or_default();
                    self.memory.window = None;
                    self.memory.requested = None;
                    self.frame = 0;
                    self.status = format!("stopped: {}", snapshot.reason);
                    self.snapshot = Some(snapshot);
                }
                Event::Running => self.state = RunState::Running,
                Event::Live {
                    start,
                    bytes,
                    memory_size,
                } => {
                    self.memory.size = memory_size;
                    self.memory.store(start, bytes);
                }
                Event::Memory { start, bytes } => self.memory.store(start, bytes),
                Event::Exited(exit) => {
                    self.status = match &exit.status {
                        ExitStatus::Exited(code) => format!("exited with status {code}"),
                        ExitStatus::Failed(f) => f.message.clone(),
                    };
                    self.state = RunState::Exited(exit.status.clone());
                    self.exit = Some(exit);
                    self.animation = None;
                }
            }
        }
        self.console.pull(&self.stdout, &self.stderr);
        self.gopher.poll();
        self.request_memory();
        self.animate();
    }

    fn request_memory(&mut self) {
        let Some(s) = &mut self.session else { return };
        let wanted = self.memory.wanted();
        match self.state {
            RunState::Stopped
                if !self.memory.covered() && self.memory.requested != Some(wanted) =>
            {
                s.send(Command::ReadMemory {
                    start: wanted.0,
                    len: wanted.1,
                });
                self.memory.requested = Some(wanted);
            }
            RunState::Running if self.memory.requested != Some(wanted) => {
                s.send(Command::Watch(Some(wanted)));
                self.memory.requested = Some(wanted);
            }
            _ => {}
        }
    }

    fn animate(&mut self) {
        let Some(a) = self.animation else { return };
        let period = Duration::from_secs_f32(1.0 / a.rate.max(0.1));
        if self.state == RunState::Stopped && a.last.elapsed() >= period {
            self.resume(Command::Step(1));
            self.animation = Some(Animation {
                last: Instant::now(),
                ..a
            });
        }
    }

    /// Starts or stops stepping on a timer.
    pub fn toggle_animation(&mut self) {
        self.animation = match self.animation {
            Some(_) => None,
            None => Some(Animation {
                rate: self.animation_rate,
                last: Instant::now() - Duration::from_secs(1),
            }),
        };
    }

    /// Waits (for tests and scripts) until the guest stops or ends.
    pub fn settle(&mut self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            self.poll();
            if matches!(
                self.state,
                RunState::Stopped | RunState::Exited(_) | RunState::Idle
            ) {
                return true;
            }
            if Instant::now() > deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

/// Whether a path names a JSON-lines trace rather than a program.
pub fn is_trace_file(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "jsonl")
}
