//! The Disassembly panel: the module as text with byte offsets in the
//! gutter, the selected frame's instruction highlighted (muted while the
//! guest runs: that is where it last stopped), and a click in the gutter to
//! set or clear a breakpoint.

use super::STALE;
use crate::model::action::Action;
use crate::model::breakpoints::Breakpoints;
use crate::model::document::Document;
use crate::model::moment::Shown;
use crate::model::run::{Origin, Run};
use crate::model::view::RunView;
use egui::{Color32, RichText};

/// Draws the panel.
pub fn ui(
    ui: &mut egui::Ui,
    doc: &Document,
    run: &Run,
    view: &RunView,
    breakpoints: &Breakpoints,
) -> Vec<Action> {
    let Some(program) = doc.program.clone() else {
        ui.label(if matches!(run.origin, Origin::Trace(_)) {
            "A recorded trace has no module to disassemble."
        } else {
            "Nothing compiled yet."
        });
        return Vec::new();
    };
    if doc.error.is_some() {
        ui.label(
            RichText::new("This is the last program that compiled: the text has an error.")
                .color(STALE),
        );
    }
    let shown = run.moment().shown;
    let stale = match shown {
        Shown::Current => false,
        Shown::LastStop => {
            ui.label(
                RichText::new("Running: the highlight is where the guest last stopped.")
                    .color(STALE),
            );
            true
        }
        _ => true,
    };
    let pc = match shown {
        Shown::Current | Shown::LastStop => run
            .snapshot
            .as_ref()
            .and_then(|s| s.frames.get(view.frame))
            .map(|f| f.pc.offset),
        _ => None,
    };
    let d = program.disassembly();
    let pc_line = pc.and_then(|o| d.line_of_offset(o as usize));
    let row_h = ui.text_style_height(&egui::TextStyle::Monospace) + 2.0;
    let mut scroll = egui::ScrollArea::both()
        .id_salt("disassembly")
        .auto_shrink(false);
    if let Some(line) = pc_line
        && ui.memory(|m| m.data.get_temp::<usize>(egui::Id::unique("disas-pc")) != Some(line))
    {
        ui.memory_mut(|m| m.data.insert_temp(egui::Id::unique("disas-pc"), line));
        scroll = scroll.vertical_scroll_offset((line as f32 - 8.0).max(0.0) * row_h);
    }
    let mut toggle = None;
    scroll.show_rows(ui, row_h, d.lines().len(), |ui, rows| {
        for i in rows {
            let line = &d.lines()[i];
            ui.horizontal(|ui| {
                let code = line
                    .offset
                    .map(|o| o as u32)
                    .filter(|o| program.func_at(*o).is_some());
                match code {
                    Some(offset) => {
                        if breakpoint_toggle(ui, offset, breakpoints.contains(offset)) {
                            toggle = Some(offset);
                        }
                    }
                    None => {
                        ui.add_space(16.0);
                    }
                }
                let offset = line
                    .offset
                    .map(|o| format!("{o:06x}"))
                    .unwrap_or_else(|| " ".repeat(6));
                ui.label(RichText::new(offset).monospace().weak());
                let mut text = RichText::new(&line.text).monospace();
                if Some(i) == pc_line {
                    text = if stale {
                        text.background_color(Color32::from_rgb(0x40, 0x40, 0x40))
                    } else {
                        text.background_color(Color32::from_rgb(0x3a, 0x5a, 0x2a))
                            .strong()
                    };
                }
                ui.label(text);
            });
        }
    });
    toggle.map(Action::ToggleBreakpoint).into_iter().collect()
}

/// The gutter's breakpoint mark: a red dot when set, a faint ring when not.
/// Its accessible name says what clicking it does.
fn breakpoint_toggle(ui: &mut egui::Ui, offset: u32, set: bool) -> bool {
    let size = egui::vec2(16.0, ui.text_style_height(&egui::TextStyle::Monospace));
    let (rect, response) = ui.allocate_exact_size(size, egui::Sense::click());
    let name = if set {
        format!("clear breakpoint at {offset:#x}")
    } else {
        format!("set breakpoint at {offset:#x}")
    };
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &name));
    let centre = rect.center();
    if set {
        ui.painter()
            .circle_filled(centre, 5.0, Color32::from_rgb(0xe0, 0x40, 0x40));
    } else if response.hovered() {
        ui.painter()
            .circle_filled(centre, 5.0, Color32::from_rgb(0x80, 0x30, 0x30));
    } else {
        ui.painter()
            .circle_stroke(centre, 4.0, egui::Stroke::new(1.0, Color32::DARK_GRAY));
    }
    response.on_hover_text(name).clicked()
}
