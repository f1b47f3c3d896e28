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
        // No wrapping: one text row per line keeps the line numbers true.
        let _ = wrap;
        let mut job = highlight::layout(buf.as_str(), font.clone(), current_line, error);
        job.wrap.max_width = f32::INFINITY;
        ui.fonts_mut(|f| f.layout_job(job))
    };
    let label = ui.label(RichText::new("WAT source").small().weak());
    let lines = text.lines().count().max(1) + usize::from(text.ends_with('\n'));
    let row_h = ui.fonts_mut(|f| f.row_height(&font));
    let mut scroll = egui::ScrollArea::both().id_salt("source");
    // When the guest moves to a line out of sight, bring it into view a
    // third of the way down.
    let seen_id = egui::Id::unique("source-line-shown");
    let view_id = egui::Id::unique("source-view");
    // (The view is known from the frame before; on the very first frame
    // it is not, and the line waits a frame.)
    let view = ui.memory(|m| m.data.get_temp::<(f32, f32)>(view_id));
    if let (Some(line), Some((top, height))) = (current_line, view)
        && ui.memory(|m| m.data.get_temp::<u32>(seen_id)) != Some(line)
    {
        ui.memory_mut(|m| m.data.insert_temp(seen_id, line));
        let y = (line as f32 - 1.0) * row_h;
        if y < top || y + row_h > top + height {
            scroll = scroll.vertical_scroll_offset((y - height / 3.0).max(0.0));
        }
    }
    let shown = scroll.show(ui, |ui| {
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
    let view = (shown.state.clamped_offset().y, shown.inner_rect.height());
    ui.memory_mut(|m| m.data.insert_temp(view_id, view));
}
