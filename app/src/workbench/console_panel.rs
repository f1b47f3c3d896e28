//! The Console panel: the guest's standard output and error (and log lines)
//! as they arrive, and a line to send to its standard input.

use super::state::{Stream, Workbench};
use egui::{Color32, RichText};

/// Draws the panel.
pub fn ui(wb: &mut Workbench, ui: &mut egui::Ui) {
    let input_height = 30.0;
    egui::ScrollArea::vertical()
        .id_salt("console")
        .stick_to_bottom(true)
        .auto_shrink(false)
        .max_height((ui.available_height() - input_height).max(40.0))
        .show(ui, |ui| {
            for (stream, text) in &wb.console.chunks {
                let colour = match stream {
                    Stream::Out => ui.visuals().text_color(),
                    Stream::Err => Color32::from_rgb(0xff, 0xa0, 0x60),
                    Stream::In => Color32::from_rgb(0x80, 0xc0, 0xff),
                };
                ui.label(
                    RichText::new(text.trim_end_matches('\n'))
                        .monospace()
                        .color(colour),
                );
            }
        });
    ui.horizontal(|ui| {
        let label = ui.label("stdin");
        let field = ui
            .add(
                egui::TextEdit::singleline(&mut wb.console.input)
                    .desired_width(ui.available_width() - 60.0),
            )
            .labelled_by(label.id);
        let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if ui.button("Send").clicked() || enter {
            wb.send_input();
        }
    });
}
