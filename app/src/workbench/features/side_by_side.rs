//! Drawing side by side: the chooser (which programs, two or three), and
//! the view: the controls, a table with one column per guest and rows
//! aligned by purpose (the purpose named at each row's start, each cell
//! the call decoded, its result once returned), under each column the
//! guest's console and how it ended, and the selected call's explain card
//! with the bytes it read and wrote.

use crate::model::side_by_side::{ALIGNED_CALLS, Cell, Guest, SideBySide};
use crate::workbench::panels::banner::exit_meaning;
use crate::workbench::panels::{console, explain_card};
use egui::{Color32, RichText};
use egui_extras::{Column, TableBuilder};
use std::path::PathBuf;
use wasmhole_runtime::ExitStatus;
use wasmhole_runtime::sandbox::guest_memory::MemRange;

/// The chooser's fields.
#[derive(Clone, Debug)]
pub struct Chooser {
    /// The programs' paths, as typed (the third may stay empty).
    pub paths: [String; 3],
    /// Why the last choice could not be opened.
    pub error: Option<String>,
}

impl Chooser {
    /// A chooser filled with `paths` (the hello samples, usually).
    pub fn new(paths: &[PathBuf]) -> Chooser {
        let mut fields: [String; 3] = Default::default();
        for (field, path) in fields.iter_mut().zip(paths) {
            *field = path.display().to_string();
        }
        Chooser {
            paths: fields,
            error: None,
        }
    }

    /// The programs chosen, or why they cannot be opened.
    pub fn chosen(&self) -> Result<Vec<PathBuf>, String> {
        let paths: Vec<PathBuf> = self
            .paths
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
            .collect();
        if paths.len() < 2 {
            return Err("choose at least two programs to compare".into());
        }
        if let Some(missing) = paths.iter().find(|p| !p.is_file()) {
            return Err(format!("{} is not a file", missing.display()));
        }
        Ok(paths)
    }
}

/// What the chooser asks for.
pub enum Choice {
    /// Nothing yet.
    Pending,
    /// Close it.
    Cancel,
    /// Open these programs side by side.
    Open(Vec<PathBuf>),
}

/// Draws the chooser window.
pub fn chooser(ctx: &egui::Context, chooser: &mut Chooser) -> Choice {
    let mut choice = Choice::Pending;
    egui::Window::new("Side by side")
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_TOP, egui::vec2(0.0, 100.0))
        .show(ctx, |ui| {
            ui.label(
                "The same program idea under two or three ABIs, stepped together \
                 syscall by syscall, with calls for the same purpose in one row.",
            );
            egui::Grid::new("side-by-side-paths")
                .num_columns(2)
                .show(ui, |ui| {
                    for (i, path) in chooser.paths.iter_mut().enumerate() {
                        let name = if i == 2 {
                            "Program 3 (optional)".to_string()
                        } else {
                            format!("Program {}", i + 1)
                        };
                        let label = ui.label(name);
                        ui.add(egui::TextEdit::singleline(path).desired_width(420.0))
                            .labelled_by(label.id);
                        ui.end_row();
                    }
                });
            if let Some(e) = &chooser.error {
                ui.label(RichText::new(e).color(Color32::from_rgb(0xe0, 0x60, 0x60)));
            }
            ui.horizontal(|ui| {
                if ui.button("Open side by side").clicked() {
                    match chooser.chosen() {
                        Ok(paths) => choice = Choice::Open(paths),
                        Err(e) => chooser.error = Some(e),
                    }
                }
                if ui.button("Cancel").clicked() {
                    choice = Choice::Cancel;
                }
            });
        });
    choice
}

/// What the view asks of the window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    /// Open the chooser.
    Choose,
    /// Close the comparison.
    Close,
    /// Close it and open this sample (a link on a call's card).
    Open(PathBuf),
}

const ERROR: Color32 = Color32::from_rgb(0xe0, 0x60, 0x60);
const PENDING: Color32 = Color32::from_rgb(0x80, 0xc0, 0xff);

/// How a guest stands, in a few words.
fn standing(g: &Guest, moves_next: bool) -> String {
    if let Some(f) = &g.failure {
        return format!("cannot load: {f}");
    }
    match (g.exit(), &g.pending) {
        (Some(status), _) => ended(status),
        (None, Some(p)) if moves_next => format!("at the entry of {}: makes it next", p.spec.name),
        (None, Some(p)) => format!(
            "at the entry of {}: waits for the others' calls",
            p.spec.name
        ),
        (None, None) if g.moving() => "running".into(),
        (None, None) => "stopped".into(),
    }
}

/// How a guest ended, with what its status means.
fn ended(status: &ExitStatus) -> String {
    match status {
        ExitStatus::Exited(code) => format!("exited with status {code} ({})", exit_meaning(*code)),
        ExitStatus::Failed(f) => format!("ended: {}", f.message),
    }
}

/// Draws the view; returns what it asks of the window.
pub fn ui(ui: &mut egui::Ui, sbs: &mut SideBySide) -> Option<Request> {
    let mut request = None;
    ui.horizontal_wrapped(|ui| {
        ui.heading("Side by side");
        let idle = !sbs.busy() && sbs.any_live();
        if ui
            .add_enabled(idle, egui::Button::new("Step all to next syscall"))
            .on_hover_text(
                "Each guest whose turn it is makes its next call: calls for the same \
                 purpose together, a call the others have no counterpart for alone",
            )
            .clicked()
        {
            sbs.step_all();
        }
        if ui
            .add_enabled(sbs.any_live(), egui::Button::new("Run all"))
            .on_hover_text("Run every guest to its end")
            .clicked()
        {
            sbs.run_all();
        }
        if ui
            .add_enabled(sbs.any_live(), egui::Button::new("End all"))
            .on_hover_text("End every guest where it is")
            .clicked()
        {
            sbs.end_all();
        }
        if ui
            .button("Restart all")
            .on_hover_text("Start every guest again, each on its way to its first call")
            .clicked()
        {
            sbs.restart_all();
        }
        if ui.button("Choose programs…").clicked() {
            request = Some(Request::Choose);
        }
        if ui.button("Close side by side").clicked() {
            request = Some(Request::Close);
        }
    });
    ui.separator();
    let width = sbs.guests.len();
    let card_height = if sbs.selected.is_some() { 240.0 } else { 0.0 };
    let console_height = 150.0;
    let table_height = (ui.available_height() - card_height - console_height - 20.0).max(120.0);
    ui.allocate_ui(egui::vec2(ui.available_width(), table_height), |ui| {
        table(ui, sbs, width);
    });
    ui.separator();
    consoles(ui, sbs, console_height);
    if let Some((column, cell)) = sbs.selected {
        ui.separator();
        egui::ScrollArea::vertical()
            .id_salt("side-by-side-card")
            .auto_shrink(false)
            .show(ui, |ui| {
                if let Some(path) = selected_card(ui, &sbs.guests[column], cell) {
                    request = Some(Request::Open(path));
                }
            });
    }
    request
}

fn table(ui: &mut egui::Ui, sbs: &mut SideBySide, width: usize) {
    let row_h = ui.text_style_height(&egui::TextStyle::Monospace) + 6.0;
    let mut builder = TableBuilder::new(ui)
        .striped(true)
        .id_salt("side-by-side-table")
        .column(Column::exact(PURPOSE_WIDTH));
    for _ in 0..width {
        builder = builder.column(Column::remainder().clip(true));
    }
    let mut clicked = None;
    builder
        .header(40.0, |mut header| {
            header.col(|ui| {
                ui.strong("purpose");
            });
            for (i, g) in sbs.guests.iter().enumerate() {
                let moves_next = sbs.moves_next(i);
                header.col(|ui| {
                    ui.vertical(|ui| {
                        let abi = g.abi.map(|a| a.name()).unwrap_or("?");
                        ui.strong(format!("{} · {abi}", g.name))
                            .on_hover_text(g.path.display().to_string());
                        let colour = if g.failure.is_some() {
                            ERROR
                        } else {
                            ui.visuals().weak_text_color()
                        };
                        ui.label(RichText::new(standing(g, moves_next)).small().color(colour));
                    });
                });
            }
        })
        .body(|body| {
            body.rows(row_h, sbs.rows().len(), |mut row| {
                let index = row.index();
                let purpose = sbs.rows()[index].purpose;
                row.col(|ui| {
                    let text = match purpose {
                        Some(p) => RichText::new(p.title()),
                        None => RichText::new("(no counterpart)").italics(),
                    };
                    ui.label(text);
                });
                for column in 0..width {
                    let cell = sbs.cell(index, column);
                    row.col(|ui| {
                        let Some(cell) = cell else { return };
                        let g = &sbs.guests[column];
                        // The result first, so a long call's is never cut off.
                        let (shown, result, text, colour) = match cell {
                            Cell::Made(seq) => match g.record(seq) {
                                Some(r) => (
                                    r.call_head(),
                                    format!("= {}", r.result_text()),
                                    r.call_text(),
                                    r.is_error().then_some(ERROR),
                                ),
                                None => {
                                    let gone = format!("#{seq} (no longer kept)");
                                    (gone.clone(), String::new(), gone, None)
                                }
                            },
                            Cell::Pending => match &g.pending {
                                Some(p) => {
                                    let text = p.text();
                                    let shown = text.trim_end_matches(" = ?").to_string();
                                    (shown, "= ?".to_string(), text, Some(PENDING))
                                }
                                None => return,
                            },
                        };
                        let selected = sbs.selected == Some((column, cell));
                        let response = call_cell(ui, &shown, &result, colour, selected, &text);
                        let response = if cell == Cell::Pending {
                            response.on_hover_text(format!("about to be called: {text}"))
                        } else {
                            response.on_hover_text(&text)
                        };
                        if response.clicked() {
                            clicked = Some((column, cell));
                        }
                    });
                }
            });
        });
    if let Some(c) = clicked {
        sbs.selected = Some(c);
    }
}

/// One cell of the table: the call, cut to fit, and its result at the
/// cell's right edge, so a long call never hides what it returned. It is
/// one widget, named with the whole call as strace shows it.
fn call_cell(
    ui: &mut egui::Ui,
    call: &str,
    result: &str,
    colour: Option<Color32>,
    selected: bool,
    whole: &str,
) -> egui::Response {
    let height = ui.text_style_height(&egui::TextStyle::Monospace) + 4.0;
    let (rect, response) = ui.allocate_exact_size(
        egui::vec2(ui.available_width(), height),
        egui::Sense::click(),
    );
    response.widget_info(|| egui::WidgetInfo::selected(egui::Role::Button, true, selected, whole));
    let visuals = ui.style().interact_selectable(&response, selected);
    if selected || response.hovered() {
        ui.painter().rect_filled(rect, 2.0, visuals.weak_bg_fill);
    }
    let font = egui::TextStyle::Monospace.resolve(ui.style());
    let colour = colour.unwrap_or(visuals.text_color());
    let result = ui
        .painter()
        .layout_no_wrap(result.to_string(), font.clone(), colour);
    let result_at = egui::pos2(
        rect.right() - result.size().x - 2.0,
        rect.center().y - result.size().y / 2.0,
    );
    let room = (result_at.x - rect.left() - 10.0).max(0.0);
    let mut job = egui::text::LayoutJob::simple_singleline(call.to_string(), font, colour);
    job.wrap = egui::text::TextWrapping::truncate_at_width(room);
    let call = ui.painter().layout_job(job);
    ui.painter().galley(
        egui::pos2(rect.left() + 2.0, rect.center().y - call.size().y / 2.0),
        call,
        colour,
    );
    ui.painter().galley(result_at, result, colour);
    response
}

/// Each guest's console under its own column of the table: the same
/// purpose column's width first, then the guests' columns.
fn consoles(ui: &mut egui::Ui, sbs: &mut SideBySide, height: f32) {
    let mut end = None;
    let guests = &sbs.guests;
    let count = guests.len().max(1);
    let spacing = ui.spacing().item_spacing.x;
    let width =
        ((ui.available_width() - PURPOSE_WIDTH - spacing) / count as f32 - spacing).max(80.0);
    ui.horizontal_top(|ui| {
        ui.allocate_ui(egui::vec2(PURPOSE_WIDTH, height), |ui| {
            ui.set_width(PURPOSE_WIDTH);
            ui.label(RichText::new("consoles").weak());
        });
        for (i, g) in guests.iter().enumerate() {
            ui.allocate_ui(egui::vec2(width, height), |ui| {
                ui.set_width(width);
                ui.vertical(|ui| console_column(ui, i, g, height, &mut end));
            });
        }
    });
    if let Some(g) = end {
        sbs.end(g);
    }
}

/// The width of the table's first column, which names each row's purpose.
const PURPOSE_WIDTH: f32 = 190.0;

fn console_column(ui: &mut egui::Ui, i: usize, g: &Guest, height: f32, end: &mut Option<usize>) {
    ui.horizontal(|ui| {
        ui.label(RichText::new(format!("{} · console", g.name)).strong());
        // A guest on its way to a call that does not come (an endless
        // loop) holds the others' next step: it can be ended.
        if g.moving()
            && ui
                .small_button("End it")
                .on_hover_text(format!("End {} where it is", g.name))
                .clicked()
        {
            *end = Some(i);
        }
    });
    egui::ScrollArea::vertical()
        .id_salt(("side-by-side-console", g.path.display().to_string()))
        .stick_to_bottom(true)
        .max_height(height - 50.0)
        .auto_shrink([false, true])
        .show(ui, |ui| {
            if g.run.console.chunks.is_empty() {
                ui.label(RichText::new("(no output yet)").weak());
            }
            console::output(ui, &g.run.console);
        });
    match (&g.failure, g.exit()) {
        (Some(f), _) => {
            ui.label(RichText::new(format!("cannot load: {f}")).color(ERROR));
        }
        (None, Some(status)) => {
            let text = RichText::new(ended(status));
            ui.label(if status.code() == 0 {
                text
            } else {
                text.color(ERROR)
            });
        }
        (None, None) => {
            ui.label(RichText::new("not ended yet").weak());
        }
    }
    if g.moving() && g.pending.is_none() {
        ui.label(
            RichText::new("running: no call yet since the last step (the others wait for it)")
                .weak(),
        );
    }
    if g.not_aligned > 0 {
        ui.label(
            RichText::new(format!(
                "{} calls after the first {} are not lined up",
                g.not_aligned, ALIGNED_CALLS
            ))
            .weak(),
        );
    }
}

fn hex(bytes: &[u8]) -> String {
    const SHOWN: usize = 64;
    let mut text: Vec<String> = bytes
        .iter()
        .take(SHOWN)
        .map(|b| format!("{b:02x}"))
        .collect();
    if bytes.len() > SHOWN {
        text.push(format!("… ({} bytes)", bytes.len()));
    }
    text.join(" ")
}

/// Draws the selected call; returns a sample the learner asked to open.
fn selected_card(ui: &mut egui::Ui, g: &Guest, cell: Cell) -> Option<PathBuf> {
    match cell {
        Cell::Pending => {
            let Some(p) = &g.pending else {
                ui.label("The guest has moved on from this call.");
                return None;
            };
            ui.label(
                RichText::new(format!("{} · about to be called", p.text()))
                    .monospace()
                    .strong(),
            );
            explain_card::ui(ui, p.spec)
        }
        Cell::Made(seq) => {
            let Some(r) = g.record(seq) else {
                ui.label(format!("Call #{seq} is no longer kept."));
                return None;
            };
            ui.label(
                RichText::new(format!("{} · #{} {}", g.name, r.seq, r.call_text()))
                    .monospace()
                    .strong(),
            );
            ui.label(format!(
                "read {}",
                MemRange::list(&r.reads, "nothing from memory")
            ));
            match g.call_bytes(seq).map(|b| b.written) {
                Some(written) if !written.is_empty() => {
                    for w in written {
                        ui.label(
                            RichText::new(format!(
                                "wrote at {:#x}: {} → {}",
                                w.start,
                                hex(&w.before),
                                hex(&w.after)
                            ))
                            .monospace(),
                        );
                    }
                }
                _ if r.writes.is_empty() => {
                    ui.label("wrote nothing to memory");
                }
                _ => {
                    let writes: Vec<String> = r
                        .writes
                        .iter()
                        .map(|m| format!("{:#x}+{}", m.start, m.len))
                        .collect();
                    ui.label(format!(
                        "wrote {} (the bytes are no longer kept)",
                        writes.join(", ")
                    ));
                }
            }
            explain_card::ui(ui, r.spec)
        }
    }
}
