//! The welcome page shown when nothing is open: what the workbench is for,
//! and where to start. Each kind of starting point is a `Section` (the
//! lessons, the samples, the demo gopherhole); a new kind is one more
//! section built in `sections`.

use crate::lessons::Catalog;
use crate::model::samples::Sample;
use egui::RichText;
use std::path::PathBuf;

/// What a welcome entry does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Choose a file to open.
    OpenDialog,
    /// Open this program, trace or gopherhole.
    Open(PathBuf),
    /// Show this lesson in the Lessons panel.
    Lesson(String),
    /// Open these programs side by side.
    SideBySide(Vec<PathBuf>),
    /// Close the page and show the panels.
    Dismiss,
}

/// One thing to start from.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Its button.
    pub label: String,
    /// What it is, in a line.
    pub description: String,
    /// What the button does.
    pub action: Action,
}

/// A group of starting points.
#[derive(Clone, Debug)]
pub struct Section {
    /// Its heading.
    pub title: String,
    /// A sentence on what the group is.
    pub blurb: String,
    /// Its entries.
    pub entries: Vec<Entry>,
}

/// What the page says the workbench is for.
pub const PURPOSE: &str = "wasmhole shows how a WebAssembly guest talks to its host. \
Open a program and it stops before its first instruction: step through it \
line by line, and watch every system call it makes, decoded: its arguments, \
its result, and the bytes it read and wrote in the guest's memory. The \
panels show the guest's memory, its descriptors, its call stack and its \
console. Guests can speak WASI preview 1, Dagger, Olin or h.";

/// The starting points: the lessons, the samples by ABI, then the demo
/// gopherhole.
pub fn sections(
    lessons: Option<&Catalog>,
    samples: &[Sample],
    gopherhole: Option<PathBuf>,
) -> Vec<Section> {
    let mut out = Vec::new();
    if let Some(catalog) = lessons.filter(|c| !c.lessons.is_empty()) {
        out.push(Section {
            title: "Lessons".into(),
            blurb: "Step by step, in order: each step opens a program, runs it to the call \
                    it explains and points at the panel to look at; each lesson ends with \
                    an exercise wasmhole checks. Your progress is remembered."
                .into(),
            entries: catalog
                .lessons
                .iter()
                .map(|l| Entry {
                    label: format!("{}. {}", l.number, l.title),
                    description: format!(
                        "{} steps, {} exercise{}",
                        l.steps.len(),
                        l.exercises.len(),
                        if l.exercises.len() == 1 { "" } else { "s" }
                    ),
                    action: Action::Lesson(l.id.clone()),
                })
                .collect(),
        });
    }
    let hello: Vec<PathBuf> = super::side_by_side::HELLO_SAMPLES
        .iter()
        .filter_map(|label| samples.iter().find(|s| s.label == *label))
        .map(|s| s.path.clone())
        .collect();
    if hello.len() == super::side_by_side::HELLO_SAMPLES.len() {
        out.push(Section {
            title: "Side by side".into(),
            blurb: "The same program idea under WASI, Dagger and Olin, stepped together \
                    syscall by syscall, with the calls for the same purpose in one row."
                .into(),
            entries: vec![Entry {
                label: "hello in WASI, Dagger and Olin".into(),
                description: "three hello samples: one write each, and what each ABI \
                              needs around it"
                    .into(),
                action: Action::SideBySide(hello),
            }],
        });
    }
    // Grouped by folder: `wasi/hello.wat` is in `wasi`, `c/wasi/hello.wasm`
    // in `c/wasi`.
    let folder_of = |s: &Sample| -> String {
        s.label
            .rsplit_once('/')
            .map_or(String::new(), |(f, _)| f.to_string())
    };
    let mut folders: Vec<String> = Vec::new();
    for s in samples {
        let folder = folder_of(s);
        if !folders.contains(&folder) {
            folders.push(folder);
        }
    }
    // The standard interface first, then the smaller ABIs, then C.
    let order = [
        "wasi", "dagger", "olin", "h", "c/wasi", "c/dagger", "c/olin",
    ];
    let rank = |f: &str| order.iter().position(|x| *x == f);
    folders.sort_by_key(|f| (rank(f).unwrap_or(usize::MAX), f.clone()));
    for folder in folders {
        let entries: Vec<Entry> = samples
            .iter()
            .filter(|s| folder_of(s) == folder)
            .map(|s| Entry {
                label: s.label.clone(),
                description: s.description.clone(),
                action: Action::Open(s.path.clone()),
            })
            .collect();
        let (title, blurb) = match folder.strip_prefix("c/") {
            Some(abi) => (
                format!("C programs for {}", abi_title(abi)),
                "Built with clang for wasm32: what a compiler's output says to its host."
                    .to_string(),
            ),
            None => (
                format!("Samples: {}", abi_title(&folder)),
                abi_blurb(&folder).to_string(),
            ),
        };
        out.push(Section {
            title,
            blurb,
            entries,
        });
    }
    if let Some(hole) = gopherhole {
        out.push(Section {
            title: "A gopherhole served by wasm".into(),
            blurb: "Browse the demo gopherhole in-process: its pages are written by wasm \
                    handlers in each ABI, and any request can be replayed under the debugger."
                .into(),
            entries: vec![Entry {
                label: "Browse the demo gopherhole".into(),
                description: hole.display().to_string(),
                action: Action::Open(hole),
            }],
        });
    }
    out
}

fn abi_title(folder: &str) -> &str {
    match folder {
        "wasi" => "WASI preview 1",
        "dagger" => "Dagger",
        "olin" => "Olin (CommonWA)",
        "h" => "h",
        other => other,
    }
}

fn abi_blurb(folder: &str) -> &'static str {
    match folder {
        "wasi" => "The standard system interface: descriptors, capabilities instead of paths.",
        "dagger" => "The smallest stream ABI: everything is a URL opened as a stream.",
        "olin" => "CommonWA: resources by URL, plus the runtime's name, time and randomness.",
        "h" => "One call, h.h(byte): the least a guest needs to say something.",
        _ => "",
    }
}

/// Draws the page; returns what the person chose.
pub fn ui(ui: &mut egui::Ui, sections: &[Section]) -> Option<Action> {
    let mut chosen = None;
    egui::ScrollArea::vertical()
        .id_salt("welcome")
        .auto_shrink(false)
        .show(ui, |ui| {
            ui.set_max_width(1100.0);
            ui.add_space(12.0);
            ui.heading(RichText::new("Welcome to wasmhole").size(28.0));
            ui.add_space(6.0);
            ui.add(egui::Label::new(RichText::new(PURPOSE).size(15.0)).wrap());
            ui.add_space(10.0);
            ui.horizontal_wrapped(|ui| {
                if ui.button("Open a file…").clicked() {
                    chosen = Some(Action::OpenDialog);
                }
                if ui
                    .button("Go to the panels")
                    .on_hover_text("Close this page (View > Welcome page brings it back)")
                    .clicked()
                {
                    chosen = Some(Action::Dismiss);
                }
                ui.label(
                    RichText::new("or drop a .wat, .wasm or .jsonl file on the window").weak(),
                );
            });
            for section in sections {
                ui.add_space(14.0);
                ui.heading(&section.title);
                if !section.blurb.is_empty() {
                    ui.label(RichText::new(&section.blurb).weak());
                }
                egui::Grid::new(("welcome", &section.title))
                    .num_columns(2)
                    .spacing([12.0, 4.0])
                    .show(ui, |ui| {
                        for e in &section.entries {
                            if ui.button(&e.label).clicked() {
                                chosen = Some(e.action.clone());
                            }
                            ui.label(&e.description);
                            ui.end_row();
                        }
                    });
            }
        });
    chosen
}
