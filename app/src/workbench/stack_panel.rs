//! The Stack panel: the call stack, the selected frame's locals and operand
//! stack, and the instance's globals.

use super::state::Workbench;
use egui::RichText;

/// Draws the panel.
pub fn ui(wb: &mut Workbench, ui: &mut egui::Ui) {
    let Some(snapshot) = &wb.snapshot else {
        ui.label("The guest is not stopped.");
        return;
    };
    let program = wb.doc.program.clone();
    ui.strong("Call stack");
    for (i, f) in snapshot.frames.iter().enumerate() {
        let instr = program.as_ref().map(|p| f.pc.instruction(p)).unwrap_or("");
        let text = RichText::new(format!("#{i} {}  {instr}", f.pc)).monospace();
        if ui.selectable_label(wb.frame == i, text).clicked() {
            wb.frame = i;
        }
    }
    if snapshot.frames.is_empty() {
        ui.label("(no wasm frames)");
    }
    let Some(frame) = snapshot.frames.get(wb.frame) else {
        return;
    };
    ui.separator();
    ui.columns(2, |cols| {
        cols[0].strong("Locals");
        egui::Grid::new("locals")
            .striped(true)
            .show(&mut cols[0], |ui| {
                for (i, v) in frame.locals.iter().enumerate() {
                    ui.label(RichText::new(format!("local {i}")).monospace());
                    ui.label(RichText::new(v.to_string()).monospace());
                    ui.end_row();
                }
            });
        cols[1].strong("Operand stack (top last)");
        egui::Grid::new("operands")
            .striped(true)
            .show(&mut cols[1], |ui| {
                for (i, v) in frame.stack.iter().enumerate() {
                    ui.label(RichText::new(format!("[{i}]")).monospace());
                    ui.label(RichText::new(v.to_string()).monospace());
                    ui.end_row();
                }
            });
    });
    ui.separator();
    ui.strong("Globals");
    egui::Grid::new("globals").striped(true).show(ui, |ui| {
        for (i, v) in snapshot.globals.iter().enumerate() {
            ui.label(RichText::new(format!("global {i}")).monospace());
            ui.label(RichText::new(v.to_string()).monospace());
            ui.end_row();
        }
    });
}
