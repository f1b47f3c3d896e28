//! The Console panel: the guest's standard output and error (and log lines)
//! as they arrive, a line to send to its standard input, and the end of
//! input (Ctrl+D, as in a terminal). It says when the guest is waiting
//! to read.

use super::state::{Console, Stream, Workbench};
use egui::{Color32, RichText};

/// Whether a running guest is waiting in a read of its standard input.
pub fn waiting_for_stdin(wb: &Workbench) -> bool {
    wb.waiting.as_ref().is_some_and(|w| {
        let reads = matches!(w.call.name, "fd_read" | "read" | "resource_read");
        let stdin =
            w.fd.as_ref()
                .is_some_and(|(_, label)| matches!(label.as_deref(), Some("stdin" | "fd://0")));
        reads && stdin
    })
}

/// A console's text, each stream in its colour, after a note of how much
/// earlier output was not kept.
pub(crate) fn output(ui: &mut egui::Ui, console: &Console) {
    if console.left_out > 0 {
        ui.label(
            RichText::new(format!(
                "[{} bytes of earlier output not kept]",
                console.left_out
            ))
            .monospace()
            .italics(),
        );
    }
    for (stream, text) in &console.chunks {
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
}

/// Draws the panel.
pub fn ui(wb: &mut Workbench, ui: &mut egui::Ui) {
    let input_height = 56.0;
    egui::ScrollArea::vertical()
        .id_salt("console")
        .stick_to_bottom(true)
        .auto_shrink(false)
        .max_height((ui.available_height() - input_height).max(40.0))
        .show(ui, |ui| {
            output(ui, &wb.console);
        });
    if waiting_for_stdin(wb) && !wb.console.input_ended {
        ui.label(
            RichText::new("The guest is waiting to read standard input: type a line and press Enter, or send the end of input.")
                .color(Color32::from_rgb(0x80, 0xc0, 0xff)),
        );
    }
    ui.horizontal(|ui| {
        let label = ui.label("stdin");
        if wb.console.input_ended {
            ui.label(RichText::new("standard input has ended").italics().weak());
            return;
        }
        let field = ui
            .add(
                egui::TextEdit::singleline(&mut wb.console.input)
                    .desired_width(ui.available_width() - 190.0),
            )
            .labelled_by(label.id);
        let ctrl_d = field.has_focus()
            && ui.input_mut(|i| {
                i.consume_shortcut(&egui::KeyboardShortcut::new(
                    egui::Modifiers::CTRL,
                    egui::Key::D,
                ))
            });
        let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if ui.button("Send").clicked() || enter {
            wb.send_input();
            field.request_focus();
        }
        if ui
            .button("End of input")
            .on_hover_text("Close standard input: the guest's next read gets end of file (Ctrl+D)")
            .clicked()
            || ctrl_d
        {
            wb.end_input();
        }
    });
}
