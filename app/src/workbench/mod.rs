//! The desktop workbench (eframe/egui): the window over the model
//! (`crate::model`). It draws; the model decides. One run is shown at one
//! moment: the dock's panels (`panels/`, one file each) render it, the
//! features (`features/`: branches, what if, predict, side by side,
//! lessons, the calls reference) draw their windows and panels over it, and
//! every change goes back through the model's methods. Here: the menus, the
//! toolbar, keys, drag and drop, zoom and projector mode, the typed-path
//! and unsaved-edits windows, and what is remembered between runs.

pub mod dock;
pub mod features;
pub(crate) mod highlight;
pub mod panels;
mod path_prompt;
pub mod welcome;

pub use panels::banner::{Banner, Tone, banner as current_banner, exit_meaning};

use crate::model::paths::{self, Answer, Purpose};
use crate::model::run::{Origin, RunState};
use crate::model::workbench::{ConfigFrom, FileSettings, UnsavedChoice, Workbench};
use crate::model::{export, samples, side_by_side};
use dock::{Tab, Viewer};
use egui::{Key, KeyboardShortcut, Modifiers, RichText};
use egui_tiles::Tree;
use features::{call_reference, predict, side_by_side as side_by_side_view, what_if};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use wasmhole_runtime::debug::Command;

/// Zoom steps the View menu goes through.
const ZOOMS: [f32; 9] = [0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0, 2.5];
/// The most projector mode scales the interface by.
const PROJECTOR_ZOOM: f32 = 2.0;
/// The least room, in points, projector mode leaves the interface: it
/// scales by at most [`PROJECTOR_ZOOM`] and at least by 1.25, so that a
/// 1280x720 projector still shows the panels' essentials.
const PROJECTOR_ROOM: egui::Vec2 = egui::vec2(800.0, 500.0);

/// The zoom projector mode uses on a screen of `size` points at 100%:
/// twice the size where there is room, less on a small projector.
pub fn projector_zoom(size: egui::Vec2) -> f32 {
    let fit = (size.x / PROJECTOR_ROOM.x).min(size.y / PROJECTOR_ROOM.y);
    ((fit * 20.0).floor() / 20.0).clamp(1.25, PROJECTOR_ZOOM)
}

/// What is remembered between runs.
#[derive(Serialize, Deserialize)]
struct Saved {
    dock: Tree<Tab>,
    recent: Vec<PathBuf>,
    /// The gopherhole served in-process, reopened at start.
    #[serde(default)]
    gopherhole: Option<PathBuf>,
    /// Each file's run configuration and breakpoints.
    #[serde(default)]
    files: BTreeMap<PathBuf, FileSettings>,
    /// How much the interface is scaled.
    #[serde(default = "one")]
    zoom: f32,
    /// Whether the presentation layout is on show.
    #[serde(default)]
    presenting: bool,
    /// The arrangement not on show (the presentation one while the normal
    /// one is shown, and the other way round).
    #[serde(default)]
    other_dock: Option<Tree<Tab>>,
    /// The zoom to go back to when projector mode ends.
    #[serde(default = "one")]
    normal_zoom: f32,
    /// Whether projector mode is on.
    #[serde(default)]
    projector: bool,
}

fn one() -> f32 {
    1.0
}

/// The window: the model plus the panel arrangement and the view.
pub struct App {
    /// The model.
    pub wb: Workbench,
    /// How the panels are arranged.
    pub dock: Tree<Tab>,
    /// The other arrangement (presentation or normal), kept while not shown.
    pub other_dock: Tree<Tab>,
    /// Whether the presentation layout is the one shown.
    pub presenting: bool,
    /// How much the whole interface is scaled (1 = 100%).
    pub zoom: f32,
    /// The zoom before projector mode.
    pub normal_zoom: f32,
    /// The context's zoom at the start of the last frame.
    zoom_seen: f32,
    /// Whether projector mode is on (the presentation layout, scaled to
    /// the screen).
    pub projector: bool,
    /// The window's size in points at 100%, as of the last frame.
    screen: egui::Vec2,
    samples: Vec<samples::Sample>,
    /// Help → Calls reference.
    pub reference: call_reference::CallReference,
    /// Guests compared side by side, when that view is on show.
    pub side_by_side: Option<side_by_side::SideBySide>,
    /// The window choosing the programs to compare, when open.
    pub side_by_side_chooser: Option<side_by_side_view::Chooser>,
    /// Rendered lesson text, kept between frames.
    markdown: egui_commonmark::CommonMarkCache,
}

impl App {
    /// A window showing `file`, if given: a program, a JSON-lines trace, a
    /// `gopher://` address or a gopherd configuration to browse. With
    /// nothing given, it opens on the welcome page.
    pub fn new(file: Option<PathBuf>) -> App {
        let mut app = App {
            wb: Workbench::default(),
            dock: dock::default_layout(),
            other_dock: dock::presentation_layout(),
            presenting: false,
            zoom: 1.0,
            normal_zoom: 1.0,
            zoom_seen: 1.0,
            projector: false,
            screen: egui::vec2(1600.0, 1000.0),
            samples: samples::all(),
            reference: call_reference::CallReference::default(),
            side_by_side: None,
            side_by_side_chooser: None,
            markdown: egui_commonmark::CommonMarkCache::default(),
        };
        if let Some(path) = file {
            app.wb.open(&path);
        }
        app
    }

    /// Takes back what [`App::save_to`] kept: layouts, zoom, recent
    /// files, each file's settings, the gopherhole.
    pub fn restore(&mut self, storage: &dyn eframe::Storage) {
        if let Some(saved) = eframe::get_value::<Saved>(storage, "wasmhole") {
            self.dock = saved.dock;
            dock::add_missing_tabs(&mut self.dock);
            if let Some(mut other) = saved.other_dock {
                dock::add_missing_tabs(&mut other);
                self.other_dock = other;
            }
            self.presenting = saved.presenting;
            self.projector = saved.projector;
            self.zoom = saved.zoom.clamp(ZOOMS[0], ZOOMS[ZOOMS.len() - 1]);
            self.normal_zoom = saved.normal_zoom.clamp(ZOOMS[0], ZOOMS[ZOOMS.len() - 1]);
            self.wb.recent = saved.recent;
            self.wb.files = saved.files;
            if let Some(hole) = saved.gopherhole.filter(|p| p.exists())
                && let Ok(opened) = crate::gopher::Gopherhole::open(&hole)
            {
                self.wb.gopher.gopherhole = Some(opened);
            }
        }
    }

    /// Keeps what is remembered between runs in `storage`.
    pub fn save_to(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, "wasmhole", &self.saved());
    }

    fn saved(&mut self) -> Saved {
        self.wb.remember_settings();
        Saved {
            dock: self.dock.clone(),
            recent: self.wb.recent.clone(),
            gopherhole: self.wb.gopher.gopherhole.as_ref().map(|h| h.source.clone()),
            files: self.wb.files.clone(),
            zoom: self.zoom,
            presenting: self.presenting,
            projector: self.projector,
            other_dock: Some(self.other_dock.clone()),
            normal_zoom: self.normal_zoom,
        }
    }

    /// Opens a program, trace or gopherhole in the workbench (leaving the
    /// side-by-side view).
    pub fn open(&mut self, path: &std::path::Path) -> bool {
        self.side_by_side = None;
        self.wb.open(path)
    }

    /// Opens `programs` (two or three) side by side, each with the run
    /// configuration remembered for its file, each on its way to its first
    /// call.
    pub fn open_side_by_side(&mut self, programs: &[PathBuf]) {
        self.wb.remember_settings();
        let with_configs = programs
            .iter()
            .map(|p| {
                let config = self
                    .wb
                    .files
                    .get(p)
                    .map(|f| f.config.clone())
                    .unwrap_or_default();
                (p.clone(), config)
            })
            .collect();
        self.side_by_side = Some(side_by_side::SideBySide::open(with_configs));
        self.wb.status = format!(
            "side by side: {}",
            programs
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        self.side_by_side_chooser = None;
        self.wb.welcome = false;
    }

    /// Opens the chooser, filled with the programs compared now (or the
    /// hello samples).
    pub fn choose_side_by_side(&mut self) {
        let paths: Vec<PathBuf> = match &self.side_by_side {
            Some(s) => s.guests.iter().map(|g| g.path.clone()).collect(),
            None => side_by_side::hello_samples().unwrap_or_default(),
        };
        self.side_by_side_chooser = Some(side_by_side_view::Chooser::new(&paths));
    }

    /// The menu item opening the side-by-side chooser.
    fn side_by_side_item(&mut self, ui: &mut egui::Ui) {
        if ui
            .button("Side by side…")
            .on_hover_text(
                "Two or three programs stepped together, their calls lined up by purpose",
            )
            .clicked()
        {
            ui.close();
            self.choose_side_by_side();
        }
    }

    fn show_tab(&mut self, tab: Tab) {
        self.side_by_side = None;
        self.wb.welcome = false;
        self.dock
            .make_active(|_, t| matches!(t, egui_tiles::Tile::Pane(p) if *p == tab));
    }

    /// Shows the presentation layout (or the normal one again).
    pub fn set_presenting(&mut self, on: bool) {
        if on != self.presenting {
            std::mem::swap(&mut self.dock, &mut self.other_dock);
            self.presenting = on;
        }
    }

    /// Projector mode: the presentation layout scaled up to fit the screen
    /// (twice the size where there is room), or back to the layout and zoom
    /// from before.
    pub fn toggle_projector(&mut self) {
        if self.projector {
            self.projector = false;
            self.set_presenting(false);
            self.zoom = self.normal_zoom;
        } else {
            self.normal_zoom = self.zoom;
            self.projector = true;
            self.set_presenting(true);
            self.zoom = projector_zoom(self.screen);
        }
    }

    fn zoom_step(&mut self, up: bool) {
        self.projector = false;
        let next = if up {
            ZOOMS.iter().find(|z| **z > self.zoom + 0.01)
        } else {
            ZOOMS.iter().rev().find(|z| **z < self.zoom - 0.01)
        };
        if let Some(z) = next {
            self.zoom = *z;
        }
    }

    /// Draws one frame (the window, and tests, call this).
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        // egui's own zoom keys (Ctrl+Plus, Ctrl+Minus, Ctrl+0) change the
        // context's zoom, seen here a frame later: follow them. Otherwise
        // the context follows the menu's zoom.
        let current = ctx.zoom_factor();
        self.screen = ctx.content_rect().size() * current;
        if (current - self.zoom_seen).abs() > 0.001 && (current - self.zoom).abs() > 0.001 {
            // The person chose a size with egui's keys.
            self.projector = false;
            self.zoom = current;
        } else if self.projector {
            // Fitted to the screen, which may have changed.
            self.zoom = projector_zoom(self.screen);
        }
        if (current - self.zoom).abs() > 0.001 {
            ctx.set_zoom_factor(self.zoom);
        }
        self.zoom_seen = current;
        self.wb.poll();
        if let Some(s) = &mut self.side_by_side {
            s.poll();
        }
        self.keys(&ctx);
        self.dropped_files(&ctx);
        egui::Panel::top("menu").show(ui, |ui| {
            egui::MenuBar::new().ui(ui, |ui| self.menus(ui));
        });
        // Side by side has its own controls in place of the one guest's.
        let single = self.side_by_side.is_none();
        if single {
            egui::Panel::top("toolbar").show(ui, |ui| self.toolbar(ui));
        }
        if single && panels::banner::banner(&self.wb).is_some() {
            egui::Panel::top("banner")
                .frame(egui::Frame::new())
                .show(ui, |ui| {
                    for action in panels::banner::ui(ui, &self.wb) {
                        self.wb.apply(action);
                    }
                });
        }
        egui::Panel::bottom("status").show(ui, |ui| {
            // One line, whatever it says: the banner is where the learner
            // reads; the whole line shows on hover.
            ui.add(egui::Label::new(&self.wb.status).truncate());
        });
        if let Some(tab) = self.wb.focus.take() {
            self.show_tab(tab);
        }
        egui::CentralPanel::default().show(ui, |ui| {
            if let Some(sbs) = &mut self.side_by_side {
                match side_by_side_view::ui(ui, sbs) {
                    Some(side_by_side_view::Request::Choose) => self.choose_side_by_side(),
                    Some(side_by_side_view::Request::Close) => self.side_by_side = None,
                    Some(side_by_side_view::Request::Open(path)) => {
                        self.side_by_side = None;
                        self.open(&path);
                    }
                    None => {}
                }
            } else if self.wb.welcome {
                let lessons = self.wb.lessons.catalog().ok();
                let sections = welcome::sections(
                    lessons.as_deref(),
                    &self.samples,
                    samples::demo_gopherhole(),
                );
                match welcome::ui(ui, &sections) {
                    Some(welcome::Action::OpenDialog) => self.choose(Purpose::Open),
                    Some(welcome::Action::Open(path)) => {
                        self.open(&path);
                    }
                    Some(welcome::Action::Lesson(id)) => {
                        self.wb.welcome = false;
                        self.wb.open_lesson(&id);
                        self.wb.focus = Some(Tab::Lessons);
                    }
                    Some(welcome::Action::SideBySide(paths)) => self.open_side_by_side(&paths),
                    Some(welcome::Action::Dismiss) => self.wb.welcome = false,
                    None => {}
                }
            } else {
                self.dock.ui(
                    &mut Viewer {
                        wb: &mut self.wb,
                        markdown: &mut self.markdown,
                    },
                    ui,
                );
            }
        });
        predict::window(&ctx, &mut self.wb);
        what_if::window(&ctx, &mut self.wb);
        features::publish::window(&ctx, &mut self.wb);
        if let Some(path) = self.reference.window(&ctx) {
            self.open(&path);
        }
        self.prompt(&ctx);
        self.unsaved_question(&ctx);
        if let Some(chooser) = &mut self.side_by_side_chooser {
            match side_by_side_view::chooser(&ctx, chooser) {
                side_by_side_view::Choice::Pending => {}
                side_by_side_view::Choice::Cancel => self.side_by_side_chooser = None,
                side_by_side_view::Choice::Open(paths) => self.open_side_by_side(&paths),
            }
        }
        if (self.zoom - ctx.zoom_factor()).abs() > 0.001 {
            ctx.set_zoom_factor(self.zoom);
        }
        if self.wb.busy() || self.side_by_side.as_ref().is_some_and(|s| s.busy()) {
            ctx.request_repaint_after(Duration::from_millis(16));
        }
    }

    /// Asks for a path for `purpose` and acts on it.
    fn choose(&mut self, purpose: Purpose) {
        if purpose == Purpose::Open {
            self.side_by_side = None;
        }
        if let Some(path) = self.wb.choose_path(purpose)
            && let Err(e) = self.wb.path_chosen(purpose, path)
        {
            self.wb.problem = Some(e);
        }
    }

    /// The typed-path window, when one is open.
    fn prompt(&mut self, ctx: &egui::Context) {
        let Some(prompt) = &mut self.wb.prompt else {
            return;
        };
        let purpose = prompt.purpose;
        match path_prompt::window(prompt, ctx) {
            Answer::Pending => {}
            Answer::Cancel => self.wb.prompt = None,
            Answer::Chosen(path) => {
                self.wb.prompt = None;
                if let Err(e) = self.wb.path_chosen(purpose, path.clone()) {
                    let mut again =
                        paths::PathPrompt::new(purpose, path.display().to_string(), None);
                    again.error = Some(e);
                    self.wb.prompt = Some(again);
                }
            }
        }
    }

    /// Asks what to do with unsaved edits before another file replaces them.
    fn unsaved_question(&mut self, ctx: &egui::Context) {
        let Some(pending) = &self.wb.pending_open else {
            return;
        };
        if self.wb.prompt.is_some() {
            return;
        }
        let next = pending
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut choice = None;
        egui::Window::new("Unsaved edits")
            .collapsible(false)
            .resizable(false)
            .anchor(egui::Align2::CENTER_TOP, egui::vec2(0.0, 120.0))
            .show(ctx, |ui| {
                ui.label(format!(
                    "{} has edits that are not saved. Opening {next} replaces them.",
                    self.wb.doc.name
                ));
                ui.horizontal(|ui| {
                    if ui.button("Save them").clicked() {
                        choice = Some(UnsavedChoice::Save);
                    }
                    if ui.button("Discard them").clicked() {
                        choice = Some(UnsavedChoice::Discard);
                    }
                    if ui.button("Cancel").clicked() {
                        choice = Some(UnsavedChoice::Cancel);
                    }
                });
            });
        if let Some(c) = choice {
            self.wb.resolve_unsaved(c);
        }
    }

    fn keys(&mut self, ctx: &egui::Context) {
        let pressed = |m: Modifiers, k: Key| {
            ctx.input_mut(|i| i.consume_shortcut(&KeyboardShortcut::new(m, k)))
        };
        // egui matches a shortcut without Shift whether or not Shift is
        // held: the Shift variants are taken first.
        if pressed(Modifiers::SHIFT, Key::F11) {
            self.wb.resume(Command::StepOut);
        }
        if pressed(Modifiers::SHIFT, Key::F8) {
            self.wb.step_back();
        }
        if pressed(Modifiers::NONE, Key::F5) {
            self.wb.resume(Command::Continue);
        }
        if pressed(Modifiers::NONE, Key::F11) {
            self.wb.resume(Command::Step(1));
        }
        if pressed(Modifiers::NONE, Key::F10) {
            self.wb.resume(Command::StepOver);
        }
        if pressed(Modifiers::NONE, Key::F8) {
            self.wb.resume(Command::NextSyscall);
        }
        if pressed(Modifiers::COMMAND, Key::Enter) {
            self.wb.compile();
        }
        if pressed(Modifiers::COMMAND, Key::S) {
            self.wb.save();
        }
        if pressed(Modifiers::COMMAND, Key::O) {
            self.choose(Purpose::Open);
        }
        if pressed(Modifiers::COMMAND | Modifiers::SHIFT, Key::P) {
            self.toggle_projector();
        }
        // Ctrl+Plus, Ctrl+Minus and Ctrl+0 are egui's own; `ui` reads the
        // zoom back each frame.
    }

    fn dropped_files(&mut self, ctx: &egui::Context) {
        let dropped = ctx.input(|i| i.raw.dropped_files.clone());
        if let Some(path) = dropped.first().map(|f| f.path().to_path_buf()) {
            self.open(&path);
        }
    }

    fn menus(&mut self, ui: &mut egui::Ui) {
        ui.menu_button("File", |ui| {
            scrolled(ui, |ui| {
            if ui.button("Open… (Ctrl+O)").clicked() {
                ui.close();
                self.choose(Purpose::Open);
            }
            if ui.button("Open a typed path…").clicked() {
                ui.close();
                self.wb.prompt = Some(paths::PathPrompt::new(Purpose::Open, "", None));
            }
            self.side_by_side_item(ui);
            ui.menu_button("Recent", |ui| {
            scrolled(ui, |ui| {
                if self.wb.recent.is_empty() {
                    ui.label("nothing yet");
                }
                for path in self.wb.recent.clone() {
                    if ui.button(path.display().to_string()).clicked() {
                        ui.close();
                        self.open(&path);
                    }
                }
            });
        });
            ui.separator();
            let has_text = self.wb.doc.text.is_some();
            if ui
                .add_enabled(has_text, egui::Button::new("Save (Ctrl+S)"))
                .clicked()
            {
                ui.close();
                self.wb.save();
            }
            if ui
                .add_enabled(has_text, egui::Button::new("Save as…"))
                .clicked()
            {
                ui.close();
                self.choose(Purpose::SaveAs);
            }
            ui.separator();
            let recorded = self.wb.run().recorded_calls() > 0;
            if ui
                .add_enabled(recorded, egui::Button::new("Save recording…"))
                .on_hover_text("Write this run's recording (every call's outcome and the bytes it wrote), which File > Open or `wasmhole replay` replays")
                .clicked()
            {
                ui.close();
                self.choose(Purpose::SaveRecording);
            }
            let publishable = self.wb.doc.text.is_some() || self.wb.doc.program.is_some();
            if ui
                .add_enabled(publishable, egui::Button::new("Publish handler…"))
                .on_hover_text("Deploy this program as a handler on a running gopherd (its handler service)")
                .clicked()
            {
                ui.close();
                self.wb.publish = Some(crate::model::publish::Publish::for_document(&self.wb.doc));
            }
            ui.menu_button("Export trace", |ui| {
                for format in export::Format::ALL {
                    if ui.button(format.label()).clicked() {
                        ui.close();
                        self.choose(Purpose::Export(format));
                    }
                }
            });
            });
        });
        ui.menu_button("Samples", |ui| {
            scrolled(ui, |ui| {
                if self.samples.is_empty() {
                    ui.label("no samples folder found");
                }
                for sample in self.samples.clone() {
                    if ui
                        .button(&sample.label)
                        .on_hover_text(&sample.description)
                        .clicked()
                    {
                        ui.close();
                        self.open(&sample.path);
                    }
                }
                if let Some(hello) = side_by_side::hello_samples() {
                    ui.separator();
                    if ui
                    .button("hello in WASI, Dagger and Olin, side by side")
                    .on_hover_text(
                        "The three hello samples stepped together, their calls lined up by purpose",
                    )
                    .clicked()
                {
                    ui.close();
                    self.open_side_by_side(&hello);
                }
                }
                if let Some(hole) = samples::demo_gopherhole() {
                    ui.separator();
                    if ui
                        .button("gopherhole/gopherd.toml")
                        .on_hover_text("Browse the demo gopherhole in-process, in the Gopher panel")
                        .clicked()
                    {
                        ui.close();
                        self.open(&hole);
                    }
                }
            });
        });
        ui.menu_button("View", |ui| {
            scrolled(ui, |ui| {
            for tab in Tab::ALL {
                if ui.button(tab.title()).clicked() {
                    ui.close();
                    self.show_tab(tab);
                }
            }
            ui.separator();
            self.side_by_side_item(ui);
            ui.separator();
            ui.label(RichText::new(format!("Zoom {:.0}%", self.zoom * 100.0)).strong());
            if ui.button("Zoom in (Ctrl +)").clicked() {
                self.zoom_step(true);
            }
            if ui.button("Zoom out (Ctrl -)").clicked() {
                self.zoom_step(false);
            }
            if ui.button("Actual size (Ctrl 0)").clicked() {
                self.projector = false;
                self.zoom = 1.0;
            }
            ui.separator();
            let projector = self.projector;
            if ui
                .add(egui::Button::new("Projector mode (Ctrl+Shift+P)").selected(projector))
                .on_hover_text("The presentation layout, scaled up to fit the screen (twice the size where there is room)")
                .clicked()
            {
                ui.close();
                self.toggle_projector();
            }
            let mut presenting = self.presenting;
            if ui
                .checkbox(&mut presenting, "Presentation layout")
                .on_hover_text("Source, Memory and Syscalls large; the other panels behind them")
                .changed()
            {
                self.set_presenting(presenting);
            }
            if ui.button("Reset layout").clicked() {
                ui.close();
                if self.presenting {
                    self.dock = dock::presentation_layout();
                } else {
                    self.dock = dock::default_layout();
                }
            }
            ui.separator();
            if ui.button("Welcome page").clicked() {
                ui.close();
                self.side_by_side = None;
                self.wb.welcome = true;
            }
            ui.separator();
            ui.checkbox(&mut self.wb.predict.enabled, "Predict, then step")
                .on_hover_text(
                    "At each syscall entry, say what the call will do before it does it",
                );
            });
        });
        ui.menu_button("Help", |ui| {
            scrolled(ui, |ui| {
                if ui.button("Lessons").clicked() {
                    ui.close();
                    self.show_tab(Tab::Lessons);
                }
                if ui
                    .button("Calls reference")
                    .on_hover_text("What every call of every ABI does, its parameters and errors")
                    .clicked()
                {
                    ui.close();
                    self.reference.open = true;
                }
            });
        });
    }

    fn toolbar(&mut self, ui: &mut egui::Ui) {
        let stopped = *self.wb.state() == RunState::Stopped;
        let running = *self.wb.state() == RunState::Running;
        let has_program = self.wb.doc.program.is_some();
        // Wraps onto a second row when zoomed in rather than losing buttons.
        ui.horizontal_wrapped(|ui| {
            let button = |ui: &mut egui::Ui, enabled: bool, label: &str, tip: &str| {
                ui.add_enabled(enabled, egui::Button::new(label))
                    .on_hover_text(tip)
                    .clicked()
            };
            if button(
                ui,
                stopped,
                "Continue",
                "Run until a breakpoint, a trap or the end (F5)",
            ) {
                self.wb.resume(Command::Continue);
            }
            if button(ui, running, "Pause", "Stop the running guest") {
                self.wb.pause();
            }
            if button(ui, stopped, "Step into", "Run one instruction (F11)") {
                self.wb.resume(Command::Step(1));
            }
            if button(
                ui,
                stopped,
                "Step over",
                "Run one instruction; a call runs to its return (F10)",
            ) {
                self.wb.resume(Command::StepOver);
            }
            if button(
                ui,
                stopped,
                "Step out",
                "Run until this function returns (Shift+F11)",
            ) {
                self.wb.resume(Command::StepOut);
            }
            if button(
                ui,
                stopped,
                "Next syscall",
                "Run to the next syscall entry or exit (F8)",
            ) {
                self.wb.resume(Command::NextSyscall);
            }
            if button(
                ui,
                self.wb.step_back_target().is_some(),
                "Step back",
                "Go back to the syscall stop before this one (from the end: the last call), replaying the recorded run (Shift+F8)",
            ) {
                self.wb.step_back();
            }
            if button(
                ui,
                has_program,
                "Restart",
                "Run the program again from the start",
            ) {
                self.wb.start();
            }
            if button(ui, stopped || running, "Stop", "End the guest") {
                self.wb.stop();
            }
            ui.separator();
            let animating = self.wb.animation.is_some();
            if ui
                .add_enabled(
                    stopped || animating,
                    egui::Button::new(if animating {
                        "Stop animation"
                    } else {
                        "Animate"
                    })
                    .selected(animating),
                )
                .on_hover_text("Step again and again at the chosen speed")
                .clicked()
            {
                self.wb.toggle_animation();
            }
            // On a projector the room goes to the panels: the speed is set
            // before (it is kept).
            if !self.projector {
                let label = ui.label("speed");
                ui.add(
                    egui::Slider::new(&mut self.wb.animation_rate, 0.5..=60.0)
                        .suffix(" steps/s")
                        .logarithmic(true),
                )
                .labelled_by(label.id);
            }
            if let Some(a) = &mut self.wb.animation {
                a.rate = self.wb.animation_rate;
            }
            ui.separator();
            let run = self.wb.run();
            let state = match &run.state {
                RunState::Idle if matches!(run.origin, Origin::Trace(_)) => {
                    "recorded trace".to_string()
                }
                RunState::Idle if run.let_go.is_some() => "guest let go".to_string(),
                RunState::Idle => "no guest".to_string(),
                RunState::Stopped => "stopped".to_string(),
                RunState::Running => "running".to_string(),
                RunState::Exited(s) => format!("ended ({})", s.code()),
            };
            let mut title = match self.wb.doc.name.as_str() {
                "" => state,
                name => format!("{name} · {state}"),
            };
            if let ConfigFrom::Given(origin) = &self.wb.config_from {
                title = format!("{title} · {origin}");
            }
            ui.label(RichText::new(title).strong());
        });
    }
}

/// A menu's items in a scroll area as tall as the window allows, so that
/// every item can be reached however large the interface is scaled.
fn scrolled(ui: &mut egui::Ui, add: impl FnOnce(&mut egui::Ui)) {
    let top = ui.cursor().top();
    let room = (ui.ctx().content_rect().bottom() - top - 16.0).max(120.0);
    egui::ScrollArea::vertical()
        .max_height(room)
        .min_scrolled_height(room)
        .show(ui, add);
}

struct Window(App);

impl eframe::App for Window {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.0.ui(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        self.0.save_to(storage);
    }
}

/// Opens the workbench window, showing `file` if given, or the programs
/// in `side_by_side` (two or three) side by side.
pub fn run(file: Option<PathBuf>, side_by_side: Vec<PathBuf>) -> ExitCode {
    // Compiled programs are kept in the user's cache folder, shared with
    // `wasmhole run`, `wasmhole debug` and gopherd.
    wasmhole_runtime::module::compile_cache::configure(
        wasmhole_runtime::module::compile_cache::default_dir(),
    );
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("wasmhole")
            .with_inner_size([1500.0, 920.0])
            .with_drag_and_drop(true),
        ..eframe::NativeOptions::default()
    };
    let result = eframe::run_native(
        "wasmhole",
        options,
        Box::new(move |cc| {
            let mut app = App::new(None);
            if let Some(storage) = cc.storage {
                app.restore(storage);
            }
            if let Some(path) = &file {
                app.wb.open(path);
            }
            if !side_by_side.is_empty() {
                app.open_side_by_side(&side_by_side);
            }
            Ok(Box::new(Window(app)))
        }),
    );
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot open the workbench window: {e}");
            ExitCode::from(1)
        }
    }
}
