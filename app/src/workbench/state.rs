//! The workbench's model, apart from drawing: the document, the debug
//! session and everything received from it (snapshot, memory window,
//! console output, exit), breakpoints, each file's remembered settings, and
//! the actions the toolbar and keys trigger. Tests drive it directly; the
//! panels read it.

use super::branches::Branches;
use super::breakpoints::{Breakpoints, SavedBreakpoint};
use super::browser::Browser;
use super::descriptor_log::DescriptorLog;
use super::dock::Tab;
use super::document::Document;
use super::export::ExportJob;
use super::lessons_panel::LessonsPanel;
use super::memory_view::{MemoryView, Touched};
use super::path_prompt::{self, DialogAnswer, PathPrompt, Purpose};
use super::predict::Predict;
use super::run_config::RunConfig;
use super::syscalls_view::SyscallsView;
use super::what_if::WhatIfPrompt;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use wasmhole_runtime::debug::{
    Command, Event, Exit, InCall, RING_CAPACITY, Session, Snapshot, StopReason,
};
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

/// How current what the panels show is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    /// There is nothing to show.
    Nothing,
    /// The guest is stopped: it is as shown.
    Current,
    /// The guest is running: this is how it was at its last stop.
    LastStop,
    /// The guest has ended: this is how it was at the end.
    AtExit,
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
    /// Whether the guest's standard input has ended (sent by the person,
    /// or text from the Run configuration that was all read out).
    pub input_ended: bool,
    /// Bytes of output before the first chunk that are no longer kept.
    pub left_out: u64,
    seen_out: usize,
    seen_err: usize,
}

/// How the Console marks the end of standard input the person sent.
pub const END_OF_INPUT: &str = "(end of input)\n";

/// How much console text the workbench keeps: the last mebibyte or so.
pub const CONSOLE_TAIL: usize = 1 << 20;

impl Console {
    /// Takes in what the guest wrote to `out` and `err` since the last pull.
    pub(crate) fn pull(&mut self, out: &SharedBuffer, err: &SharedBuffer) {
        for (buf, seen, stream) in [
            (out, &mut self.seen_out, Stream::Out),
            (err, &mut self.seen_err, Stream::Err),
        ] {
            let since = buf.since(*seen as u64);
            *seen += since.skipped as usize + since.bytes.len();
            self.left_out += since.skipped;
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
        let mut whole = 0;
        for (_, text) in &self.chunks {
            if text.len() > excess {
                break;
            }
            excess -= text.len();
            whole += 1;
        }
        for (_, text) in self.chunks.drain(..whole) {
            self.left_out += text.len() as u64;
        }
        if let Some((_, text)) = self.chunks.first_mut() {
            let mut cut = excess.min(text.len());
            while !text.is_char_boundary(cut) {
                cut += 1;
            }
            text.drain(..cut);
            self.left_out += cut as u64;
        }
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

/// What is remembered for one file between runs of the workbench.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FileSettings {
    /// Its run configuration.
    pub config: RunConfig,
    /// Its breakpoints.
    pub breakpoints: Vec<SavedBreakpoint>,
}

/// A file to open once the person has decided about unsaved edits.
#[derive(Clone, Debug)]
pub struct PendingOpen {
    /// The file.
    pub path: PathBuf,
    replay: Option<(RunConfig, String)>,
}

/// What to do with unsaved edits before opening another file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnsavedChoice {
    /// Save them, then open.
    Save,
    /// Drop them and open.
    Discard,
    /// Open nothing.
    Cancel,
}

/// How many files' settings are remembered.
const REMEMBERED_FILES: usize = 50;

/// The whole model.
pub struct Workbench {
    /// The program and its source.
    pub doc: Document,
    /// Run settings for the program on show.
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
    /// Breakpoints (kept across runs, and across compiles by line).
    pub breakpoints: Breakpoints,
    /// The frame shown in the Stack panel (and highlighted in Source and
    /// Disassembly).
    pub frame: usize,
    /// Every descriptor of the run, open or closed.
    pub descriptors: DescriptorLog,
    /// The descriptor life whose history is shown (an index into
    /// `descriptors.lives`).
    pub selected_life: Option<usize>,
    /// The host call a running guest is in (it may be waiting for input).
    pub waiting: Option<InCall>,
    /// Stepping on a timer, if on.
    pub animation: Option<Animation>,
    /// Steps a second for animated stepping.
    pub animation_rate: f32,
    /// One line for the status bar.
    pub status: String,
    /// Something that went wrong (a file that cannot be opened, a guest
    /// that cannot start, a compile error), shown in the banner until the
    /// next thing works.
    pub problem: Option<String>,
    /// Recently opened files, newest first.
    pub recent: Vec<PathBuf>,
    /// Each file's remembered run configuration and breakpoints.
    pub files: BTreeMap<PathBuf, FileSettings>,
    /// The recorded trace shown, when a trace file was opened rather than a
    /// program.
    pub trace: Option<PathBuf>,
    /// The Gopher browser.
    pub gopher: Browser,
    /// Where the current run configuration came from, when it was not
    /// typed (a replayed Gopher request); such a configuration is not
    /// remembered for the file.
    pub origin: Option<String>,
    /// A panel to bring to the front on the next frame.
    pub focus: Option<Tab>,
    /// Whether the welcome page is on show.
    pub welcome: bool,
    /// A trace export being written.
    pub export: Option<ExportJob>,
    /// Whether desktop file dialogs can be shown (if not, paths are typed).
    pub dialogs: bool,
    /// The typed-path window, when a path is being asked for.
    pub prompt: Option<PathPrompt>,
    /// A file waiting to be opened until the person says what to do with
    /// unsaved edits.
    pub pending_open: Option<PendingOpen>,
    /// The Lessons panel.
    pub lessons: LessonsPanel,
    /// Predict, then step.
    pub predict: Predict,
    /// What-if branches of the run ("main" and those made from it).
    pub branches: Branches,
    /// The recording file the program on show replays, when one was
    /// opened (Restart replays it again; a Compile runs the edit live).
    pub replaying: Option<PathBuf>,
    /// The What if… window, while open.
    pub what_if: Option<WhatIfPrompt>,
    pub(super) stdout: SharedBuffer,
    pub(super) stderr: SharedBuffer,
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
            breakpoints: Breakpoints::default(),
            frame: 0,
            descriptors: DescriptorLog::default(),
            selected_life: None,
            waiting: None,
            animation: None,
            animation_rate: 5.0,
            status: "Open a .wat or .wasm file, or pick one from Samples.".into(),
            problem: None,
            recent: Vec::new(),
            files: BTreeMap::new(),
            trace: None,
            gopher: Browser::default(),
            origin: None,
            focus: None,
            welcome: true,
            export: None,
            dialogs: path_prompt::dialogs_available(),
            prompt: None,
            pending_open: None,
            lessons: LessonsPanel::default(),
            predict: Predict::default(),
            branches: Branches::default(),
            replaying: None,
            what_if: None,
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
    /// the Gopher panel. Returns whether it could be opened (if not,
    /// `problem` says why).
    pub fn open(&mut self, path: &Path) -> bool {
        self.open_as(path, None)
    }

    fn open_as(&mut self, path: &Path, replay: Option<(RunConfig, String)>) -> bool {
        let text = path.to_string_lossy();
        if text.starts_with("gopher://") {
            self.welcome = false;
            self.gopher.address = text.into_owned();
            self.gopher.go_to_address();
            self.focus = Some(Tab::Gopher);
            return true;
        }
        if path.extension().is_some_and(|e| e == "toml") || path.is_dir() {
            let opened = self.gopher.open_gopherhole(path);
            if opened {
                self.welcome = false;
                self.focus = Some(Tab::Gopher);
            } else {
                self.problem.clone_from(&self.gopher.message);
            }
            return opened;
        }
        if self.doc.is_unsaved() {
            // Opening replaces the text: ask first.
            self.pending_open = Some(PendingOpen {
                path: path.to_path_buf(),
                replay,
            });
            return false;
        }
        if wasmhole_runtime::replay::is_recording(path) {
            let opened = self.open_recording(path);
            if opened {
                self.remember(path);
            }
            return opened;
        }
        if is_trace_file(path) {
            let opened = self.open_trace(path);
            if opened {
                self.remember(path);
            }
            return opened;
        }
        match Document::open(path) {
            Ok(doc) => {
                self.remember(path);
                self.load_as(doc, replay);
                true
            }
            Err(e) => {
                self.status.clone_from(&e);
                self.problem = Some(e);
                false
            }
        }
    }

    /// Goes on with the open that waited for a decision about unsaved
    /// edits. Returns whether the file was opened.
    pub fn resolve_unsaved(&mut self, choice: UnsavedChoice) -> bool {
        let Some(pending) = self.pending_open.take() else {
            return false;
        };
        match choice {
            UnsavedChoice::Cancel => return false,
            UnsavedChoice::Save => {
                if self.doc.path.is_none() {
                    self.pending_open = Some(pending);
                    self.choose_path(Purpose::SaveAs);
                    return false;
                }
                if let Err(e) = self.doc.save(None) {
                    self.status.clone_from(&e);
                    self.problem = Some(e);
                    return false;
                }
            }
            UnsavedChoice::Discard => {}
        }
        // The edits are saved or given up: the text may go.
        self.doc.saved_text.clone_from(&self.doc.text);
        self.open_as(&pending.path, pending.replay)
    }

    /// Asks for a path: the desktop's dialog if there is one (the path, or
    /// `None` if the person cancelled), else the typed-path window
    /// (`None` now; its answer goes to [`Workbench::path_chosen`]).
    pub fn choose_path(&mut self, purpose: Purpose) -> Option<PathBuf> {
        let name = self.suggested_name(purpose);
        let note = if self.dialogs {
            match path_prompt::run_dialog(|| path_prompt::dialog(purpose, &name)) {
                DialogAnswer::Chosen(path) => return Some(path),
                DialogAnswer::Cancelled => return None,
                DialogAnswer::Unavailable => "No file dialog answered here: type the path instead.",
            }
        } else {
            "No file dialog is available here (no desktop portal or dialog program): type the path."
        };
        self.prompt = Some(PathPrompt::new(purpose, name, Some(note.to_string())));
        None
    }

    fn suggested_name(&self, purpose: Purpose) -> String {
        match purpose {
            Purpose::Export(format) => {
                format!("{}.trace.{}", self.doc.name, format.extension())
            }
            Purpose::SaveAs => self
                .doc
                .path
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| self.doc.name.clone()),
            Purpose::SaveDownload => self
                .gopher
                .page
                .as_ref()
                .and_then(|p| p.url.selector.rsplit('/').next().map(str::to_string))
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| "download".into()),
            Purpose::SaveRecording => format!("{}.recording.jsonl", self.doc.name),
            Purpose::Open | Purpose::Gopherhole | Purpose::GopherFolder => String::new(),
        }
    }

    /// Does what a path was asked for. An error says why it could not.
    pub fn path_chosen(&mut self, purpose: Purpose, path: PathBuf) -> Result<(), String> {
        match purpose {
            Purpose::Open => {
                if self.open(&path) || self.pending_open.is_some() {
                    Ok(())
                } else {
                    Err(self
                        .problem
                        .clone()
                        .unwrap_or_else(|| "cannot open it".into()))
                }
            }
            Purpose::SaveAs => {
                let saved = self.doc.save(Some(&path))?;
                self.remember(&saved);
                self.status = format!("saved {}", saved.display());
                if self.pending_open.is_some() {
                    self.resolve_unsaved(UnsavedChoice::Discard);
                }
                Ok(())
            }
            Purpose::Export(format) => {
                self.export_to(path, format);
                Ok(())
            }
            Purpose::SaveRecording => self.save_recording_to(&path),
            Purpose::Gopherhole | Purpose::GopherFolder => {
                if self.gopher.open_gopherhole(&path) {
                    self.welcome = false;
                    self.focus = Some(Tab::Gopher);
                    Ok(())
                } else {
                    Err(self.gopher.message.clone().unwrap_or_default())
                }
            }
            Purpose::SaveDownload => {
                let Some(super::browser::Content::Binary(bytes)) =
                    self.gopher.page.as_ref().map(|p| &p.content)
                else {
                    return Err("there is no item to save".into());
                };
                std::fs::write(&path, bytes)
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                self.status = format!("saved {}", path.display());
                Ok(())
            }
        }
    }

    /// Saves the text to its file (or asks where, if it has none).
    pub fn save(&mut self) {
        if self.doc.text.is_none() {
            self.status = "nothing to save: a binary module has no text".into();
            return;
        }
        if self.doc.path.is_none() {
            if let Some(path) = self.choose_path(Purpose::SaveAs)
                && let Err(e) = self.path_chosen(Purpose::SaveAs, path)
            {
                self.problem = Some(e);
            }
            return;
        }
        match self.doc.save(None) {
            Ok(path) => self.status = format!("saved {}", path.display()),
            Err(e) => {
                self.status.clone_from(&e);
                self.problem = Some(e);
            }
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
    /// limits), stopped at its first instruction. That configuration is
    /// for this request only: it is not remembered for the file.
    pub fn debug_request(&mut self, recipe: &gopherd::HandlerRecipe) {
        let config = RunConfig::from_process(recipe.abi, &recipe.config);
        let origin = format!("gopher request for {}", recipe.route);
        if self.open_as(&recipe.module, Some((config, origin))) {
            self.focus = Some(Tab::Source);
        }
    }

    /// Shows a recorded JSON-lines trace (from `wasmhole run --trace-format
    /// jsonl` or gopherd's `trace_dir`) in the Syscalls panel, with no guest
    /// behind it. Returns whether it could be read.
    pub fn open_trace(&mut self, path: &Path) -> bool {
        let fail = |wb: &mut Workbench, message: String| {
            wb.status.clone_from(&message);
            wb.problem = Some(message);
            false
        };
        let file = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) => return fail(self, format!("cannot read {}: {e}", path.display())),
        };
        let mut ring = Ring::new(RING_CAPACITY);
        let mut gap = None;
        let read = trace_file::read(std::io::BufReader::new(file), |r| {
            if gap.is_none()
                && let Some(last) = ring.last_seq()
                && r.seq != last + 1
            {
                gap = Some((last, r.seq));
            }
            ring.push(r)
        });
        let count = match read {
            Ok(n) => n,
            Err(e) => return fail(self, format!("{}: {e}", path.display())),
        };
        if let Some((last, next)) = gap {
            return fail(
                self,
                format!(
                    "{}: call #{next} follows call #{last}: a trace's calls are numbered one after another",
                    path.display()
                ),
            );
        }
        self.remember_settings();
        self.end_session();
        self.forget_branches();
        self.start_fresh();
        self.doc = Document {
            name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            path: Some(path.to_path_buf()),
            ..Document::default()
        };
        self.breakpoints.clear();
        self.config = RunConfig::default();
        self.origin = None;
        let kept = ring.len();
        self.records = Arc::new(Mutex::new(ring));
        self.trace = Some(path.to_path_buf());
        self.problem = None;
        self.welcome = false;
        self.focus = Some(Tab::Syscalls);
        let calls = if count == 1 { "call" } else { "calls" };
        self.status = if kept < count {
            format!("recorded trace: {count} {calls}, the last {kept} shown (no guest to step)")
        } else {
            format!("recorded trace: {count} {calls} (no guest to step)")
        };
        true
    }

    /// Shows a document and starts it if it compiled, with the run
    /// configuration and breakpoints remembered for its file (defaults
    /// for a file not seen before).
    pub fn load(&mut self, doc: Document) {
        self.load_as(doc, None);
    }

    fn load_as(&mut self, doc: Document, replay: Option<(RunConfig, String)>) {
        self.remember_settings();
        self.welcome = false;
        let remembered = doc
            .path
            .as_ref()
            .and_then(|p| self.files.get(p))
            .cloned()
            .unwrap_or_default();
        self.breakpoints = match &doc.program {
            Some(p) => Breakpoints::restore(p, &remembered.breakpoints),
            None => Breakpoints::default(),
        };
        (self.config, self.origin) = match replay {
            Some((config, origin)) => (config, Some(origin)),
            None => (remembered.config, None),
        };
        self.doc = doc;
        self.replaying = None;
        self.end_session();
        self.forget_branches();
        self.start();
    }

    /// Keeps the current file's run configuration and breakpoints for the
    /// next time it is opened (not a replayed request's configuration).
    pub fn remember_settings(&mut self) {
        let Some(path) = self.doc.path.clone() else {
            return;
        };
        if self.trace.is_some() {
            return;
        }
        let entry = self.files.entry(path).or_default();
        if self.origin.is_none() {
            entry.config = self.config.clone();
        }
        entry.breakpoints = self.breakpoints.saved();
        if self.files.len() > REMEMBERED_FILES {
            let keep: Vec<PathBuf> = self.recent.clone();
            let current = self.doc.path.clone();
            self.files
                .retain(|p, _| keep.contains(p) || Some(p) == current.as_ref());
        }
    }

    /// Compiles the edited text and, if it compiles, restarts on it with
    /// the breakpoints moved along with their lines.
    pub fn compile(&mut self) {
        self.replaying = None;
        let before = self.doc.compiled_text.clone();
        self.end_session();
        self.forget_branches();
        if self.doc.compile() {
            if let (Some(old), Some(new), Some(program)) =
                (before, self.doc.text.clone(), self.doc.program.clone())
            {
                let lost = self.breakpoints.follow_edit(&old, &new, &program);
                self.start();
                if !lost.is_empty() {
                    self.status = lost.join("; ");
                }
            } else {
                self.start();
            }
        } else {
            // The old run belongs to text that is no longer there.
            self.end_session();
            self.start_fresh();
            self.trace = None;
            if let Some(e) = &self.doc.error {
                let message = format!(
                    "{} does not compile: line {}, column {}: {}",
                    self.doc.name, e.line, e.column, e.message
                );
                self.status = format!("{}:{}:{}: {}", self.doc.name, e.line, e.column, e.message);
                self.problem = Some(message);
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
        self.selected_life = None;
        self.descriptors = DescriptorLog::default();
        self.waiting = None;
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

    /// Opens a recording (from `run --record`, the debugger's `record
    /// save` or Save recording…): its module is shown and replayed under
    /// the debugger, stopped at its first instruction, every call answered
    /// from the recording. Returns whether it could be opened (if not,
    /// `problem` says why).
    pub fn open_recording(&mut self, path: &Path) -> bool {
        let opened = wasmhole_runtime::replay::load(path, None).and_then(|loaded| {
            let doc = Document::open(&loaded.module)?;
            Ok((loaded, doc))
        });
        let (loaded, doc) = match opened {
            Ok(o) => o,
            Err(e) => {
                self.problem = Some(format!("Cannot replay {}: {e}", path.display()));
                self.status = format!("cannot replay {}: {e}", path.display());
                return false;
            }
        };
        self.remember_settings();
        self.welcome = false;
        self.origin = None;
        self.breakpoints = Breakpoints::default();
        self.doc = doc;
        self.forget_branches();
        self.replaying = Some(path.to_path_buf());
        self.start_replay_of(path, loaded);
        true
    }

    /// Replays the opened recording again from its start.
    fn start_replay(&mut self, recording: &Path) {
        match wasmhole_runtime::replay::load(recording, None) {
            Ok(loaded) => self.start_replay_of(recording, loaded),
            Err(e) => {
                self.end_session();
                self.start_fresh();
                self.problem = Some(format!("Cannot replay {}: {e}", recording.display()));
            }
        }
    }

    fn start_replay_of(
        &mut self,
        recording: &Path,
        loaded: wasmhole_runtime::replay::LoadedRecording,
    ) {
        self.end_session();
        self.start_fresh();
        self.trace = None;
        self.problem = None;
        // A replay reads no input: what the guest read is in the recording.
        self.stdin = Pipe::new();
        self.stdin.close();
        self.console.input_ended = true;
        self.stdout = SharedBuffer::new();
        self.stderr = SharedBuffer::new();
        let mut config = loaded.config;
        config.stdout = OutputSpec::Buffer(self.stdout.clone());
        config.stderr = OutputSpec::Buffer(self.stderr.clone());
        let calls = loaded.tape.len();
        match Session::replay(loaded.program, loaded.abi, config, loaded.tape) {
            Ok(mut session) => {
                for b in self.breakpoints.iter() {
                    session.send(Command::AddBreakpoint(b.offset));
                }
                self.records = session.ring().clone();
                self.status = loaded.changed_module.unwrap_or_else(|| {
                    format!("replaying {} ({calls} calls recorded)", recording.display())
                });
                self.session = Some(session);
                self.state = RunState::Running;
            }
            Err(f) => {
                self.status.clone_from(&f.message);
                self.problem = Some(format!(
                    "{} cannot be replayed: {}",
                    self.doc.name, f.message
                ));
            }
        }
    }

    /// Writes this run's recording to `path`.
    pub fn save_recording_to(&mut self, path: &Path) -> Result<(), String> {
        let session = self.session.as_ref().ok_or("there is no run to save")?;
        let tape = session.recording().clone();
        let calls = session.recorded_calls();
        std::fs::File::create(path)
            .map(std::io::BufWriter::new)
            .and_then(|out| tape.read().unwrap_or_else(|e| e.into_inner()).write_to(out))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        self.status = format!("saved the recording of {calls} calls to {}", path.display());
        Ok(())
    }

    /// Starts (or starts again) the current program under the debugger.
    pub fn start(&mut self) {
        if let Some(recording) = self.replaying.clone() {
            self.start_replay(&recording);
            return;
        }
        self.end_session();
        self.start_fresh();
        self.trace = None;
        self.problem = None;
        let Some(program) = self.doc.program.clone() else {
            if let Some(e) = &self.doc.error {
                self.status = format!("{}:{}:{}: {}", self.doc.name, e.line, e.column, e.message);
                self.problem = Some(format!(
                    "{} does not compile: line {}, column {}: {}",
                    self.doc.name, e.line, e.column, e.message
                ));
            }
            return;
        };
        self.remember_settings();
        self.stdin = Pipe::new();
        if !self.config.stdin.is_empty() {
            self.stdin.push(self.config.stdin.as_bytes());
            self.stdin.close();
            self.console.input_ended = true;
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
                .map(|mut c| {
                    c.inject.extend(self.branches.changes());
                    (abi, c)
                })
        });
        let (abi, config) = match config {
            Ok(c) => c,
            Err(e) => {
                self.status = format!("run configuration: {e}");
                self.problem = Some(format!(
                    "{} cannot start: the Run configuration is wrong: {e}",
                    self.doc.name
                ));
                return;
            }
        };
        match Session::start(program, abi, config) {
            Ok(mut session) => {
                for b in self.breakpoints.iter() {
                    session.send(Command::AddBreakpoint(b.offset));
                }
                self.records = session.ring().clone();
                self.status = format!("{} loaded ({})", self.doc.name, session.abi());
                self.session = Some(session);
                self.state = RunState::Running;
            }
            Err(f) => {
                self.status.clone_from(&f.message);
                self.problem = Some(format!("{} cannot start: {}", self.doc.name, f.message));
            }
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
            self.status = "running".into();
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
        let Some(program) = self.doc.program.clone() else {
            return;
        };
        let toggled = self.breakpoints.toggle_offset(&program, offset);
        self.send_breakpoint(toggled, &[offset]);
    }

    /// Adds or removes a breakpoint on a WAT line (on its first
    /// instruction, or the first line after it that has one).
    pub fn toggle_line_breakpoint(&mut self, line: u32) {
        let Some(program) = self.doc.program.clone() else {
            return;
        };
        if self.doc.is_dirty() {
            self.status = "compile first: the breakpoint would be placed in the old text".into();
            return;
        }
        let before: Vec<u32> = self.breakpoints.iter().map(|b| b.offset).collect();
        match self.breakpoints.toggle_line(&program, line) {
            Ok(toggled) => self.send_breakpoint(toggled, &before),
            Err(e) => self.status = e,
        }
    }

    /// Removes the breakpoint at `offset`.
    pub fn remove_breakpoint(&mut self, offset: u32) {
        if self.breakpoints.remove(offset) {
            self.send_breakpoint(super::breakpoints::Toggled::Removed, &[offset]);
        }
    }

    fn send_breakpoint(&mut self, toggled: super::breakpoints::Toggled, before: &[u32]) {
        let commands: Vec<Command> = match toggled {
            super::breakpoints::Toggled::Added(o) => vec![Command::AddBreakpoint(o)],
            super::breakpoints::Toggled::Removed => before
                .iter()
                .filter(|o| !self.breakpoints.contains(**o))
                .map(|o| Command::RemoveBreakpoint(*o))
                .collect(),
        };
        if let Some(s) = &mut self.session {
            for c in commands {
                s.send(c);
            }
        }
        self.remember_settings();
    }

    /// Sends a line to the guest's standard input.
    pub fn send_input(&mut self) {
        if self.console.input_ended {
            return;
        }
        let line = std::mem::take(&mut self.console.input) + "\n";
        self.stdin.push(line.as_bytes());
        self.console.chunks.push((Stream::In, line));
    }

    /// Ends the guest's standard input (as Ctrl+D does in a terminal): a
    /// read waiting for more returns 0 bytes, end of file.
    pub fn end_input(&mut self) {
        if self.console.input_ended {
            return;
        }
        if !self.console.input.is_empty() {
            let rest = std::mem::take(&mut self.console.input);
            self.stdin.push(rest.as_bytes());
            self.console.chunks.push((Stream::In, rest));
        }
        self.stdin.close();
        self.console.input_ended = true;
        self.console.chunks.push((Stream::In, END_OF_INPUT.into()));
    }

    /// Selects a syscall: its bytes are highlighted in the Memory panel and
    /// the view scrolls to the first byte it wrote (or read).
    pub fn select_syscall(&mut self, seq: u64) {
        self.syscalls.selected = Some(seq);
        let ring = self.records.lock().unwrap_or_else(|e| e.into_inner());
        let Some(r) = ring.get(seq) else { return };
        drop(ring);
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
        if let Some(addr) = first {
            self.memory.go_to(addr);
        }
    }

    /// Shows `addr` in the Memory panel (following a pointer from the
    /// Stack panel, for instance).
    pub fn show_memory(&mut self, addr: u32) {
        self.memory.goto = format!("{addr:#x}");
        self.memory.go_to(addr);
        self.focus = Some(Tab::Memory);
    }

    /// How current the panels' guest state is.
    pub fn shown(&self) -> Shown {
        match (&self.state, &self.snapshot, &self.exit) {
            (RunState::Exited(_), _, Some(_)) => Shown::AtExit,
            (RunState::Stopped, Some(_), _) => Shown::Current,
            (RunState::Running, Some(_), _) => Shown::LastStop,
            _ => Shown::Nothing,
        }
    }

    /// When the guest is stopped at a syscall's entry, that call as the
    /// Syscalls panel shows it after its last row: numbered as its record
    /// will be, with no result yet (`= ? <not yet run>`, as strace shows an
    /// unfinished call).
    pub fn call_at_entry(&self) -> Option<String> {
        if self.shown() != Shown::Current {
            return None;
        }
        let snapshot = self.snapshot.as_ref()?;
        let StopReason::SyscallEntry { name, args, .. } = &snapshot.reason else {
            return None;
        };
        let args: Vec<String> = args
            .iter()
            .map(|a| format!("{}={}", a.name, a.shown))
            .collect();
        Some(format!(
            "{}  {name}({}) = ? <not yet run: stopped at its entry>",
            snapshot.last_seq + 1,
            args.join(", ")
        ))
    }

    /// The frame the Stack panel shows, when the guest is stopped or
    /// running (then as it was at the last stop).
    pub fn selected_frame(&self) -> Option<&wasmhole_runtime::debug::Frame> {
        self.snapshot.as_ref()?.frames.get(self.frame)
    }

    /// Handles everything the session sent since the last frame, and asks
    /// for the memory the panel needs. Never waits.
    pub fn poll(&mut self) {
        let events = self.session.as_ref().map(Session::take_events);
        for event in events.into_iter().flatten() {
            self.handle(event);
        }
        self.waiting = match (&self.state, &self.session) {
            (RunState::Running, Some(s)) => s.in_call(),
            _ => None,
        };
        {
            let ring = self.records.lock().unwrap_or_else(|e| e.into_inner());
            self.descriptors.update(&ring);
        }
        self.console.pull(&self.stdout, &self.stderr);
        self.gopher.poll();
        if let Some(job) = &mut self.export
            && let Some(done) = job.poll()
        {
            match done {
                Ok(message) => self.status = message,
                Err(message) => {
                    self.status.clone_from(&message);
                    self.problem = Some(message);
                }
            }
            self.export = None;
        }
        self.request_memory();
        self.animate();
        self.drive_lesson();
        self.drive_predict();
        self.drive_branches();
    }

    pub(super) fn handle(&mut self, event: Event) {
        match event {
            Event::Stopped(snapshot) => {
                self.state = RunState::Stopped;
                self.memory.size = snapshot.memory_size;
                self.memory.changed = snapshot.changed.clone().unwrap_or_default();
                self.memory.window = None;
                self.memory.requested = None;
                self.memory.watching = None;
                self.frame = 0;
                self.descriptors.seed(&snapshot.descriptors);
                self.status = format!("stopped: {}", snapshot.reason);
                if matches!(snapshot.reason, StopReason::Trap { .. }) {
                    self.animation = None;
                }
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
                self.descriptors.seed(&exit.descriptors);
                self.memory.size = exit.memory_size;
                self.memory.changed.clear();
                self.memory.window = None;
                self.memory.requested = None;
                self.memory.watching = None;
                self.state = RunState::Exited(exit.status.clone());
                self.exit = Some(exit);
                self.animation = None;
            }
        }
    }

    fn request_memory(&mut self) {
        let Some(s) = &mut self.session else { return };
        let wanted = self.memory.wanted();
        match self.state {
            RunState::Stopped | RunState::Exited(_)
                if !self.memory.covered() && self.memory.requested != Some(wanted) =>
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

    /// Starts writing the trace to `path` in the background (the status
    /// bar says when it is done, or why it failed).
    pub fn export_to(&mut self, path: PathBuf, format: super::export::Format) {
        self.export = Some(ExportJob::start(self.records.clone(), path, format));
    }

    /// Whether something is under way that the window must keep drawing
    /// for: a running guest, memory asked for, a fetch, an export.
    pub fn busy(&self) -> bool {
        self.state == RunState::Running
            || self.animation.is_some()
            || self.memory.awaiting()
            || self.gopher.loading().is_some()
            || self.export.is_some()
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
