//! The workbench's model, apart from drawing: the document, its runs (main
//! and what-if branches, each a [`Run`] with its own [`RunView`]), the
//! configuration the next run starts with, breakpoints, each file's
//! remembered settings, and the actions the toolbar, keys and panels
//! trigger. Tests drive it directly; the window renders it.

mod branching;
mod lessons;
mod predicting;
mod rewind;
mod what_if;

use super::branches::Branches;
use super::breakpoints::{Breakpoints, SavedBreakpoint, Toggled};
use super::browser::Browser;
use super::document::Document;
use super::export::ExportJob;
use super::lessons::Lessons;
use super::moment::Shown;
use super::panel::Panel;
use super::paths::{self, DialogAnswer, PathPrompt, Purpose};
use super::predict::Predict;
use super::run::{News, Origin, Run, RunState};
use super::run_config::RunConfig;
use super::view::RunView;
use super::what_if::WhatIfPrompt;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use wasmhole_runtime::debug::{Command, StopReason};

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

/// Whose run configuration the workbench holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ConfigFrom {
    /// The file's own, remembered for it.
    #[default]
    File,
    /// Given for one purpose and not remembered (`gopher request for
    /// /guestbook`).
    Given(String),
    /// A lesson exercise's configuration file: the learner's edits are
    /// written to it, and its relative folders start beside it.
    Exercise(PathBuf),
}

/// A file to open once the person has decided about unsaved edits.
#[derive(Clone, Debug)]
pub struct PendingOpen {
    /// The file.
    pub path: PathBuf,
    given: Option<(RunConfig, ConfigFrom)>,
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
    /// The configuration the next run starts with (the Run configuration
    /// panel's).
    pub config: RunConfig,
    /// Whose configuration that is.
    pub config_from: ConfigFrom,
    /// The runs of the program on show: "main" and its what-if branches.
    pub branches: Branches,
    /// Breakpoints (kept across runs, and across compiles by line).
    pub breakpoints: Breakpoints,
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
    /// The Gopher browser.
    pub gopher: Browser,
    /// A panel to bring to the front on the next frame.
    pub focus: Option<Panel>,
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
    /// Lessons and the exercise being worked on.
    pub lessons: Lessons,
    /// Predict, then step.
    pub predict: Predict,
    /// The What if… window, while open.
    pub what_if: Option<WhatIfPrompt>,
    /// The Publish handler window, while open.
    pub publish: Option<crate::model::publish::Publish>,
}

impl Default for Workbench {
    fn default() -> Self {
        Workbench {
            doc: Document::default(),
            config: RunConfig::default(),
            config_from: ConfigFrom::File,
            branches: Branches::default(),
            breakpoints: Breakpoints::default(),
            animation: None,
            animation_rate: 5.0,
            status: "Open a .wat or .wasm file, or pick one from Samples.".into(),
            problem: None,
            recent: Vec::new(),
            files: BTreeMap::new(),
            gopher: Browser::default(),
            focus: None,
            welcome: true,
            export: None,
            dialogs: paths::dialogs_available(),
            prompt: None,
            pending_open: None,
            lessons: Lessons::default(),
            predict: Predict::default(),
            what_if: None,
            publish: None,
        }
    }
}

impl Workbench {
    /// The run on show.
    pub fn run(&self) -> &Run {
        &self.branches.current().run
    }

    /// The run on show, to change.
    pub fn run_mut(&mut self) -> &mut Run {
        &mut self.branches.current_mut().run
    }

    /// How the learner looks at the run on show.
    pub fn view(&self) -> &RunView {
        &self.branches.current().view
    }

    /// The view of the run on show, to change.
    pub fn view_mut(&mut self) -> &mut RunView {
        &mut self.branches.current_mut().view
    }

    /// The run on show and its view, to change the view while reading the
    /// run.
    pub fn run_and_view(&mut self) -> (&Run, &mut RunView) {
        let b = self.branches.current_mut();
        (&b.run, &mut b.view)
    }

    /// Where the guest on show is.
    pub fn state(&self) -> &RunState {
        &self.run().state
    }

    /// Replaces the run on show with `run` (nothing of the old one stays on
    /// show).
    fn show_run(&mut self, run: Run) {
        self.animation = None;
        let b = self.branches.current_mut();
        b.view = b.view.fresh();
        b.run = run;
    }

    /// Opens what a person named (on the command line, in a dialog, by
    /// dropping it): a program is started, stopped at its first
    /// instruction; a recording is replayed; a JSON-lines trace (`.jsonl`)
    /// is shown as recorded; a `gopher://` address or a gopherd
    /// configuration (`.toml`) opens in the Gopher panel. Returns whether
    /// it could be opened (if not, `problem` says why).
    pub fn open(&mut self, path: &Path) -> bool {
        self.open_as(path, None)
    }

    fn open_as(&mut self, path: &Path, given: Option<(RunConfig, ConfigFrom)>) -> bool {
        let text = path.to_string_lossy();
        if text.starts_with("gopher://") {
            self.welcome = false;
            self.gopher.address = text.into_owned();
            self.gopher.go_to_address();
            self.focus = Some(Panel::Gopher);
            return true;
        }
        if path.extension().is_some_and(|e| e == "toml") || path.is_dir() {
            let opened = self.gopher.open_gopherhole(path);
            if opened {
                self.welcome = false;
                self.focus = Some(Panel::Gopher);
            } else {
                self.problem.clone_from(&self.gopher.message);
            }
            return opened;
        }
        if self.doc.is_unsaved() {
            // Opening replaces the text: ask first.
            self.pending_open = Some(PendingOpen {
                path: path.to_path_buf(),
                given,
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
                self.load_as(doc, given);
                true
            }
            Err(e) => {
                self.status.clone_from(&e);
                self.problem = Some(e);
                false
            }
        }
    }

    /// Opens `path` (as [`Workbench::open`] does) with `config` as its Run
    /// configuration, `from` saying whose it is.
    pub fn open_given(&mut self, path: &Path, config: RunConfig, from: ConfigFrom) -> bool {
        self.open_as(path, Some((config, from)))
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
                if let Err(e) = self.save_text() {
                    self.status.clone_from(&e);
                    self.problem = Some(e);
                    return false;
                }
            }
            UnsavedChoice::Discard => {}
        }
        // The edits are saved or given up: the text may go.
        self.doc.saved_text.clone_from(&self.doc.text);
        self.open_as(&pending.path, pending.given)
    }

    /// Asks for a path: the desktop's dialog if there is one (the path, or
    /// `None` if the person cancelled), else the typed-path window
    /// (`None` now; its answer goes to [`Workbench::path_chosen`]).
    pub fn choose_path(&mut self, purpose: Purpose) -> Option<PathBuf> {
        let name = self.suggested_name(purpose);
        let note = if self.dialogs {
            match paths::run_dialog(|| paths::dialog(purpose, &name)) {
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
                    self.focus = Some(Panel::Gopher);
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

    /// Saves the text to its file (or asks where, if it has none). A
    /// sample or lesson file from the repository is never written over:
    /// the learner's edits go to their own copy, which the document then
    /// is.
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
        match self.save_text() {
            Ok(message) => self.status = message,
            Err(e) => {
                self.status.clone_from(&e);
                self.problem = Some(e);
            }
        }
    }

    /// Writes the text to its file, or to the learner's copy of a
    /// repository file; says where.
    fn save_text(&mut self) -> Result<String, String> {
        let copy = self
            .doc
            .path
            .as_deref()
            .and_then(|p| self.lessons.workspace.copy_of_repository_file(p));
        match copy {
            Some(copy) => {
                if let Some(folder) = copy.parent() {
                    std::fs::create_dir_all(folder)
                        .map_err(|e| format!("cannot make {}: {e}", folder.display()))?;
                }
                let settings = self
                    .doc
                    .path
                    .as_ref()
                    .and_then(|p| self.files.get(p))
                    .cloned();
                let saved = self.doc.save(Some(&copy))?;
                if let Some(settings) = settings {
                    self.files.entry(saved.clone()).or_insert(settings);
                }
                self.remember(&saved);
                Ok(format!(
                    "saved your copy {} (the repository's file is left as it was)",
                    saved.display()
                ))
            }
            None => self
                .doc
                .save(None)
                .map(|path| format!("saved {}", path.display())),
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
        if self.open_given(&recipe.module, config, ConfigFrom::Given(origin)) {
            self.focus = Some(Panel::Source);
        }
    }

    /// Shows a recorded JSON-lines trace (from `wasmhole run --trace-format
    /// jsonl` or gopherd's `trace_dir`) in the Syscalls panel, with no guest
    /// behind it. Returns whether it could be read.
    pub fn open_trace(&mut self, path: &Path) -> bool {
        let (run, count) = match Run::trace(path) {
            Ok(t) => t,
            Err(message) => {
                self.status.clone_from(&message);
                self.problem = Some(message);
                return false;
            }
        };
        self.remember_settings();
        self.forget_branches();
        self.doc = Document {
            name: run.name.clone(),
            path: Some(path.to_path_buf()),
            ..Document::default()
        };
        self.breakpoints.clear();
        self.config = RunConfig::default();
        self.config_from = ConfigFrom::File;
        let kept = run.ring().len() as u64;
        self.show_run(run);
        self.problem = None;
        self.welcome = false;
        self.focus = Some(Panel::Syscalls);
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

    fn load_as(&mut self, doc: Document, given: Option<(RunConfig, ConfigFrom)>) {
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
        (self.config, self.config_from) = given.unwrap_or((remembered.config, ConfigFrom::File));
        self.doc = doc;
        self.forget_branches();
        self.show_run(Run::idle(&self.doc.name));
        self.start();
    }

    /// Keeps the current file's run configuration and breakpoints for the
    /// next time it is opened (not a configuration given for one request,
    /// nor a recording's or a trace's).
    pub fn remember_settings(&mut self) {
        let Some(path) = self.doc.path.clone() else {
            return;
        };
        if self.run().origin != Origin::Live {
            return;
        }
        let entry = self.files.entry(path).or_default();
        if self.config_from == ConfigFrom::File {
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
    /// the breakpoints moved along with their lines. If it does not, the
    /// old run goes (it belongs to text that is no longer there) and the
    /// error is said where it is.
    pub fn compile(&mut self) {
        let before = self.doc.compiled_text.clone();
        self.forget_branches();
        self.show_run(Run::idle(&self.doc.name));
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
        } else if let Some(message) = self.compile_error() {
            self.status = self.compile_status();
            self.problem = Some(message);
        }
    }

    /// The compile error as compilers print it, for the status bar.
    fn compile_status(&self) -> String {
        match &self.doc.error {
            Some(e) => format!("{}:{}:{}: {}", self.doc.name, e.line, e.column, e.message),
            None => String::new(),
        }
    }

    /// The text's compile error, in words, if the last compile failed.
    pub fn compile_error(&self) -> Option<String> {
        let e = self.doc.error.as_ref()?;
        Some(format!(
            "{} does not compile: line {}, column {}: {}",
            self.doc.name, e.line, e.column, e.message
        ))
    }

    /// Opens a recording (from `run --record`, the debugger's `record
    /// save` or Save recording…): its module is shown and replayed under
    /// the debugger, stopped at its first instruction, every call answered
    /// from the recording, with the recording's configuration. Returns
    /// whether it could be opened (if not, `problem` says why).
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
        self.breakpoints = Breakpoints::default();
        self.doc = doc;
        self.forget_branches();
        self.replay_recording(path, loaded);
        true
    }

    fn replay_recording(&mut self, path: &Path, loaded: wasmhole_runtime::replay::LoadedRecording) {
        let calls = loaded.tape.len();
        let changed = loaded.changed_module.clone();
        let offsets: Vec<u32> = self.breakpoints.iter().map(|b| b.offset).collect();
        match Run::replay(&self.doc.name, path, loaded, &offsets) {
            Ok(run) => {
                self.config = run.config.clone();
                self.config_from = ConfigFrom::Given(format!("recording {}", path.display()));
                self.show_run(run);
                self.problem = None;
                self.status = changed.unwrap_or_else(|| {
                    format!("replaying {} ({calls} calls recorded)", path.display())
                });
            }
            Err(e) => {
                self.show_run(Run::idle(&self.doc.name));
                self.status.clone_from(&e);
                self.problem = Some(e);
            }
        }
    }

    /// Writes this run's recording to `path`.
    pub fn save_recording_to(&mut self, path: &Path) -> Result<(), String> {
        let module = self.doc.path.clone();
        let calls = self.run().save_recording(path, module.as_deref())?;
        let noun = if calls == 1 { "call" } else { "calls" };
        self.status = format!(
            "saved the recording of {calls} {noun} to {}",
            path.display()
        );
        Ok(())
    }

    /// Starts (or starts again) the current program under the debugger: a
    /// replayed recording is replayed again; a text that does not compile
    /// is not run (the last version that did is not what the learner sees).
    pub fn start(&mut self) {
        if let Origin::Recording(path) = self.run().origin.clone() {
            match wasmhole_runtime::replay::load(&path, None) {
                Ok(loaded) => self.replay_recording(&path, loaded),
                Err(e) => {
                    self.show_run(Run::idle(&self.doc.name));
                    self.problem = Some(format!("Cannot replay {}: {e}", path.display()));
                }
            }
            return;
        }
        if let Some(error) = self.compile_error() {
            self.show_run(Run::idle(&self.doc.name));
            self.status = self.compile_status();
            self.problem = Some(format!(
                "{error}. Nothing runs until it compiles: fix the text and Compile (Ctrl+Enter)."
            ));
            return;
        }
        let Some(program) = self.doc.program.clone() else {
            return;
        };
        self.remember_settings();
        self.write_exercise_config();
        let base = match &self.config_from {
            ConfigFrom::Exercise(file) => file.parent().map(Path::to_path_buf),
            _ => None,
        };
        let offsets: Vec<u32> = self.breakpoints.iter().map(|b| b.offset).collect();
        let changes = self.branches.changes();
        match Run::start(
            &self.doc.name,
            program,
            &self.config,
            base.as_deref(),
            &changes,
            &offsets,
        ) {
            Ok(run) => {
                let abi = run
                    .session()
                    .map(|s| s.abi().to_string())
                    .unwrap_or_default();
                self.show_run(run);
                self.problem = None;
                self.status = format!("{} loaded ({abi})", self.doc.name);
            }
            Err(e) => {
                self.show_run(Run::idle(&self.doc.name));
                self.status = e.short;
                self.problem = Some(e.problem);
            }
        }
    }

    /// When the configuration is a lesson exercise's file, writes the
    /// learner's settings to it (only the settings given).
    pub fn write_exercise_config(&mut self) {
        let ConfigFrom::Exercise(file) = &self.config_from else {
            return;
        };
        if let Err(e) = std::fs::write(file, self.config.to_toml()) {
            self.problem = Some(format!("cannot save {}: {e}", file.display()));
        }
    }

    /// Sends a command that resumes the guest.
    pub fn resume(&mut self, command: Command) {
        if self.run_mut().resume(command) {
            self.status = "running".into();
        }
    }

    /// Pauses a running guest (and stops animated stepping).
    pub fn pause(&mut self) {
        self.animation = None;
        self.run().pause();
    }

    /// Ends the guest.
    pub fn stop(&mut self) {
        self.animation = None;
        self.run_mut().stop();
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
            self.send_breakpoint(Toggled::Removed, &[offset]);
        }
    }

    fn send_breakpoint(&mut self, toggled: Toggled, before: &[u32]) {
        let commands: Vec<Command> = match toggled {
            Toggled::Added(o) => vec![Command::AddBreakpoint(o)],
            Toggled::Removed => before
                .iter()
                .filter(|o| !self.breakpoints.contains(**o))
                .map(|o| Command::RemoveBreakpoint(*o))
                .collect(),
        };
        let run = self.run_mut();
        for c in commands {
            run.send(c);
        }
        self.remember_settings();
    }

    /// Sends the line being typed to the guest's standard input.
    pub fn send_input(&mut self) {
        let (run, view) = {
            let b = self.branches.current_mut();
            (&mut b.run, &mut b.view)
        };
        if run.console.input_ended {
            return;
        }
        let line = std::mem::take(&mut view.typing) + "\n";
        run.send_input(&line);
    }

    /// Ends the guest's standard input (as Ctrl+D does in a terminal): a
    /// read waiting for more returns 0 bytes, end of file.
    pub fn end_input(&mut self) {
        let b = self.branches.current_mut();
        let rest = std::mem::take(&mut b.view.typing);
        b.run.end_input(&rest);
    }

    /// Selects a call: its card shows in Syscalls, its bytes in Memory
    /// (scrolled to the first byte it wrote, or read).
    pub fn select_syscall(&mut self, seq: u64) {
        let first = {
            let ring = self.run().ring();
            ring.get(seq)
                .and_then(|r| r.writes.first().or(r.reads.first()).map(|m| m.start))
        };
        let size = self.run().memory.size;
        let view = self.view_mut();
        view.call = Some(seq);
        if let Some(addr) = first {
            view.memory.go_to(addr, size);
        }
    }

    /// Shows `addr` in the Memory panel (following a pointer from the
    /// Stack panel, for instance).
    pub fn show_memory(&mut self, addr: u32) {
        let size = self.run().memory.size;
        let view = self.view_mut();
        view.memory.goto = format!("{addr:#x}");
        view.memory.go_to(addr, size);
        self.focus = Some(Panel::Memory);
    }

    /// How current the panels' guest state is.
    pub fn shown(&self) -> Shown {
        self.run().moment().shown
    }

    /// When the guest is stopped at a syscall's entry, that call as the
    /// Syscalls panel lists it (see [`Run::call_at_entry`]).
    pub fn call_at_entry(&self) -> Option<String> {
        self.run().call_at_entry()
    }

    /// The frame the Stack panel shows, when the guest is stopped or
    /// running (then as it was at the last stop).
    pub fn selected_frame(&self) -> Option<&wasmhole_runtime::debug::Frame> {
        match self.shown() {
            Shown::Current | Shown::LastStop => {
                self.run().snapshot.as_ref()?.frames.get(self.view().frame)
            }
            _ => None,
        }
    }

    /// Handles everything every run's session sent since the last frame,
    /// and asks for the memory the Memory panel shows. Never waits.
    pub fn poll(&mut self) {
        let b = self.branches.current_mut();
        let news = b.run.poll();
        for n in news {
            match n {
                News::Stopped(text) => {
                    b.view.frame = 0;
                    let trapped = matches!(
                        b.run.snapshot.as_ref().map(|s| &s.reason),
                        Some(StopReason::Trap { .. })
                    );
                    if trapped {
                        self.animation = None;
                    }
                    self.status = text;
                }
                News::Ended(text) => {
                    self.animation = None;
                    self.status = text;
                }
            }
        }
        let b = self.branches.current_mut();
        let size = b.run.memory.size;
        b.view.memory.clamp(size);
        let wanted = b.view.memory.wanted();
        b.run.request_memory(wanted);
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
        self.animate();
        self.drive_lesson();
        self.drive_predict();
        self.drive_branches();
    }

    fn animate(&mut self) {
        let Some(a) = self.animation else { return };
        let period = Duration::from_secs_f32(1.0 / a.rate.max(0.1));
        if *self.state() == RunState::Stopped && a.last.elapsed() >= period {
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
        self.export = Some(ExportJob::start(self.run().records.clone(), path, format));
    }

    /// Whether something is under way that the window must keep drawing
    /// for: a running guest, memory asked for, a fetch, an export, a
    /// branch's guest on its way.
    pub fn busy(&self) -> bool {
        *self.state() == RunState::Running
            || self.animation.is_some()
            || self.run().memory.awaiting()
            || self.gopher.loading().is_some()
            || self.export.is_some()
            || self
                .branches
                .list
                .iter()
                .any(|b| b.run.state == RunState::Running)
    }

    /// Waits (for tests and scripts) until the guest stops or ends.
    pub fn settle(&mut self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            self.poll();
            if matches!(
                self.state(),
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
