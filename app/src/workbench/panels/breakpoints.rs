//! The Breakpoints panel: every breakpoint with its line, function,
//! offset and instruction; remove one, or all.

use crate::model::action::Action;
use crate::model::breakpoints::Breakpoints;
use crate::model::document::Document;
use crate::model::moment::Shown;
use crate::model::run::Run;
use egui::RichText;

/// Draws the panel.
pub fn ui(ui: &mut egui::Ui, doc: &Document, run: &Run, breakpoints: &Breakpoints) -> Vec<Action> {
    let Some(program) = doc.program.clone() else {
        ui.label("No program: breakpoints belong to a program.");
        return Vec::new();
    };
    if breakpoints.is_empty() {
        ui.label(
            "No breakpoints. Click a line number in Source, or the gutter in Disassembly, to set one.",
        );
        return Vec::new();
    }
    let here = match run.moment().shown {
        Shown::Current => run.snapshot.as_ref().and_then(|s| s.pc()).map(|p| p.offset),
        _ => None,
    };
    let mut remove = Vec::new();
    if ui.button("Remove all").clicked() {
        remove.extend(breakpoints.iter().map(|b| b.offset));
    }
    egui::Grid::new("breakpoints")
        .striped(true)
        .num_columns(5)
        .show(ui, |ui| {
            for h in ["", "line", "function", "offset", "instruction"] {
                ui.strong(h);
            }
            ui.end_row();
            for b in breakpoints.iter() {
                if ui
                    .small_button("remove")
                    .on_hover_text(format!("remove the breakpoint at {:#x}", b.offset))
                    .clicked()
                {
                    remove.push(b.offset);
                }
                ui.label(b.line.map(|l| l.to_string()).unwrap_or_else(|| "-".into()));
                let func = program
                    .func_at(b.offset)
                    .map(|f| program.func_label(f.index))
                    .unwrap_or_else(|| "?".into());
                ui.label(RichText::new(func).monospace());
                ui.label(RichText::new(format!("{:#x}", b.offset)).monospace());
                let d = program.disassembly();
                let instr = d
                    .line_of_offset(b.offset as usize)
                    .and_then(|l| d.lines().get(l))
                    .map(|l| l.text.trim().to_string())
                    .unwrap_or_default();
                let mut text = RichText::new(instr).monospace();
                if here == Some(b.offset) {
                    text = text.strong();
                }
                ui.label(text);
                ui.end_row();
            }
        });
    remove.into_iter().map(Action::RemoveBreakpoint).collect()
}
