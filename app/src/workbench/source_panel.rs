//! The Source panel: the WAT editor with colours, the compile button, the
//! compile error in words, and the line the guest is on.

use super::highlight::{self, ErrorAt};
use super::state::Workbench;
use egui::RichText;

/// Draws the panel.
pub fn ui(wb: &mut Workbench, ui: &mut egui::Ui) {
    let current_line = wb
        .snapshot
        .as_ref()
        .and_then(|s| s.pc())
        .and_then(|pc| pc.source_line);
    ui.horizontal(|ui| {
        let can_compile = wb.doc.text.is_some();
        if ui
            .add_enabled(can_compile, egui::Button::new("Compile"))
            .on_hover_text("Compile the text and run it from the start (Ctrl+Enter)")
            .clicked()
        {
            wb.compile();
        }
        if wb.doc.is_dirty() {
            ui.label(RichText::new("edited").italics());
        }
        if let Some(line) = current_line {
            ui.label(format!("the guest is on line {line}"));
        }
    });
    if let Some(e) = &wb.doc.error {
        ui.label(
            RichText::new(format!(
                "line {}, column {}: {}",
                e.line, e.column, e.message
            ))
            .color(egui::Color32::from_rgb(0xff, 0x70, 0x70)),
        );
    }
    let error = wb.doc.error.as_ref().map(|e| ErrorAt {
        line: e.line,
        column: e.column,
    });
    let Some(text) = &mut wb.doc.text else {
        ui.label(format!(
            "{} is a binary module: see the Disassembly panel.",
            wb.doc.name
        ));
        return;
    };
    let font = egui::TextStyle::Monospace.resolve(ui.style());
    let mut layouter = |ui: &egui::Ui, buf: &dyn egui::TextBuffer, wrap: f32| {
        let mut job = highlight::layout(buf.as_str(), font.clone(), current_line, error);
        job.wrap.max_width = wrap;
        ui.fonts_mut(|f| f.layout_job(job))
    };
    let label = ui.label(RichText::new("WAT source").small().weak());
    let lines = text.lines().count().max(1) + usize::from(text.ends_with('\n'));
    egui::ScrollArea::both().id_salt("source").show(ui, |ui| {
        ui.horizontal_top(|ui| {
            // Line numbers, in the editor's font so they line up with its rows.
            let numbers: String = (1..=lines).map(|n| format!("{n:>4}\n")).collect();
            let gutter = RichText::new(numbers.trim_end()).monospace().weak();
            ui.vertical(|ui| {
                // The editor's text starts below its frame's top margin.
                ui.add_space(2.0);
                ui.add(egui::Label::new(gutter).selectable(false));
            });
            ui.add(
                egui::TextEdit::multiline(text)
                    .id_salt("wat-editor")
                    .code_editor()
                    .desired_width(f32::INFINITY)
                    .desired_rows(30)
                    .layouter(&mut layouter),
            )
            .labelled_by(label.id);
        });
    });
}
