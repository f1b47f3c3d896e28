//! The desktop workbench (eframe/egui): one window over a debug session,
//! with dockable panels for the source, disassembly, syscalls, memory,
//! descriptors, stack, console and run configuration, and a Gopher browser.
//! The model lives in `state` (the browser's in `browser`); each panel has
//! its own file; nothing here waits on the guest or the network.

pub mod browser;
mod config_panel;
mod console_panel;
mod descriptors_panel;
mod disassembly_panel;
pub mod dock;
pub mod document;
pub mod export;
mod gopher_panel;
mod highlight;
pub mod memory_view;
pub mod run_config;
pub mod samples;
mod source_panel;
mod stack_panel;
pub mod state;
pub mod syscalls_view;

use dock::{Tab, Viewer};
use egui::{Key, KeyboardShortcut, Modifiers, RichText};
use egui_tiles::Tree;
use serde::{Deserialize, Serialize};
use state::{RunState, Workbench};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use wasmhole_runtime::debug::Command;

/// What is remembered between runs.
#[derive(Serialize, Deserialize)]
struct Saved {
    dock: Tree<Tab>,
    recent: Vec<PathBuf>,
    config: run_config::RunConfig,
    /// The gopherhole served in-process, reopened at start.
    #[serde(default)]
    gopherhole: Option<PathBuf>,
}

/// The window: the model plus the panel arrangement.
pub struct App {
    /// The model.
    pub wb: Workbench,
    /// How the panels are arranged.
    pub dock: Tree<Tab>,
    samples: Vec<samples::Sample>,
}

impl App {
    /// A window showing `file`, if given: a program, a JSON-lines trace, a
    /// `gopher://` address or a gopherd configuration to browse.
    pub fn new(file: Option<PathBuf>) -> App {
        let mut app = App {
            wb: Workbench::default(),
            dock: dock::default_layout(),
            samples: samples::all(),
        };
        if let Some(path) = file {
            app.wb.open(&path);
        }
        app
    }

    fn restore(&mut self, storage: &dyn eframe::Storage) {
        if let Some(saved) = eframe::get_value::<Saved>(storage, "wasmhole") {
            self.dock = saved.dock;
            dock::add_missing_tabs(&mut self.dock);
            self.wb.recent = saved.recent;
            self.wb.config = saved.config;
            if let Some(hole) = saved.gopherhole.filter(|p| p.exists())
                && let Ok(opened) = crate::gopher::Gopherhole::open(&hole)
            {
                self.wb.gopher.gopherhole = Some(opened);
            }
        }
    }

    fn show_tab(&mut self, tab: Tab) {
        self.dock
            .make_active(|_, t| matches!(t, egui_tiles::Tile::Pane(p) if *p == tab));
    }

    /// Draws one frame (the window, and tests, call this).
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        self.wb.poll();
        self.keys(ui.ctx());
        self.dropped_files(ui.ctx());
        egui::Panel::top("menu").show(ui, |ui| {
            egui::MenuBar::new().ui(ui, |ui| self.menus(ui));
        });
        egui::Panel::top("toolbar").show(ui, |ui| self.toolbar(ui));
        egui::Panel::bottom("status").show(ui, |ui| {
            ui.label(&self.wb.status);
        });
        if let Some(tab) = self.wb.focus.take() {
            self.show_tab(tab);
        }
        egui::CentralPanel::default().show(ui, |ui| {
            self.dock.ui(&mut Viewer { wb: &mut self.wb }, ui);
        });
        if matches!(self.wb.state, RunState::Running)
            || self.wb.animation.is_some()
            || self.wb.gopher.loading().is_some()
        {
            ui.ctx().request_repaint_after(Duration::from_millis(16));
        }
    }

    fn keys(&mut self, ctx: &egui::Context) {
        let pressed = |m: Modifiers, k: Key| {
            ctx.input_mut(|i| i.consume_shortcut(&KeyboardShortcut::new(m, k)))
        };
        if pressed(Modifiers::SHIFT, Key::F11) {
            self.wb.resume(Command::StepOut);
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
    }

    fn dropped_files(&mut self, ctx: &egui::Context) {
        let dropped = ctx.input(|i| i.raw.dropped_files.clone());
        if let Some(path) = dropped.first().map(|f| f.path().to_path_buf()) {
            self.wb.open(&path);
        }
    }

    fn menus(&mut self, ui: &mut egui::Ui) {
        ui.menu_button("File", |ui| {
            if ui.button("Open…").clicked() {
                ui.close();
                if let Some(path) = rfd::FileDialog::new()
                    .add_filter("WebAssembly", &["wat", "wasm"])
                    .add_filter("Syscall trace (JSON lines)", &["jsonl"])
                    .pick_file()
                {
                    self.wb.open(&path);
                }
            }
            ui.menu_button("Recent", |ui| {
                if self.wb.recent.is_empty() {
                    ui.label("nothing yet");
                }
                for path in self.wb.recent.clone() {
                    if ui.button(path.display().to_string()).clicked() {
                        ui.close();
                        self.wb.open(&path);
                    }
                }
            });
            ui.menu_button("Export trace", |ui| {
                for format in export::Format::ALL {
                    if ui.button(format.label()).clicked() {
                        ui.close();
                        self.export(format);
                    }
                }
            });
        });
        ui.menu_button("Samples", |ui| {
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
                    self.wb.open(&sample.path);
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
                    self.wb.open(&hole);
                }
            }
        });
        ui.menu_button("View", |ui| {
            for tab in Tab::ALL {
                if ui.button(tab.title()).clicked() {
                    ui.close();
                    self.show_tab(tab);
                }
            }
            if ui.button("Reset layout").clicked() {
                ui.close();
                self.dock = dock::default_layout();
            }
        });
    }

    fn export(&mut self, format: export::Format) {
        let Some(path) = rfd::FileDialog::new()
            .set_file_name(format!("{}.trace.{}", self.wb.doc.name, format.extension()))
            .save_file()
        else {
            return;
        };
        let text = {
            let ring = self.wb.records.lock().unwrap_or_else(|e| e.into_inner());
            export::render(ring.records().iter(), format)
        };
        self.wb.status = match std::fs::write(&path, text) {
            Ok(()) => format!("trace written to {}", path.display()),
            Err(e) => format!("cannot write {}: {e}", path.display()),
        };
    }

    fn toolbar(&mut self, ui: &mut egui::Ui) {
        let stopped = self.wb.state == RunState::Stopped;
        let running = self.wb.state == RunState::Running;
        let has_program = self.wb.doc.program.is_some();
        ui.horizontal(|ui| {
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
            let label = ui.label("speed");
            ui.add(
                egui::Slider::new(&mut self.wb.animation_rate, 0.5..=60.0)
                    .suffix(" steps/s")
                    .logarithmic(true),
            )
            .labelled_by(label.id);
            if let Some(a) = &mut self.wb.animation {
                a.rate = self.wb.animation_rate;
            }
            ui.separator();
            let state = match &self.wb.state {
                RunState::Idle if self.wb.trace.is_some() => "recorded trace".to_string(),
                RunState::Idle => "no guest".to_string(),
                RunState::Stopped => "stopped".to_string(),
                RunState::Running => "running".to_string(),
                RunState::Exited(s) => format!("ended ({})", s.code()),
            };
            let mut title = match self.wb.doc.name.as_str() {
                "" => state,
                name => format!("{name} · {state}"),
            };
            if let Some(origin) = &self.wb.origin {
                title = format!("{title} · {origin}");
            }
            ui.label(RichText::new(title).strong());
        });
    }
}

struct Window(App);

impl eframe::App for Window {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.0.ui(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(
            storage,
            "wasmhole",
            &Saved {
                dock: self.0.dock.clone(),
                recent: self.0.wb.recent.clone(),
                config: self.0.wb.config.clone(),
                gopherhole: self
                    .0
                    .wb
                    .gopher
                    .gopherhole
                    .as_ref()
                    .map(|h| h.source.clone()),
            },
        );
    }
}

/// Opens the workbench window, showing `file` if given.
pub fn run(file: Option<PathBuf>) -> ExitCode {
    // Compiled programs are kept in the user's cache folder, shared with
    // `wasmhole run`, `wasmhole debug` and gopherd.
    wasmhole_runtime::compile_cache::configure(wasmhole_runtime::compile_cache::default_dir());
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
