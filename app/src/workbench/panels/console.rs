//! The Console panel: the run's standard output and error (and log lines)
//! as they arrive, up to the moment shown, a line to send to its standard
//! input and the end of input (Ctrl+D, as in a terminal). It says when the
//! guest is waiting to read, and where its input comes from when nobody
//! types it (the Run configuration's text, or a recording).

use crate::model::action::Action;
use crate::model::console::{Console, Input, Stream};
use crate::model::moment::Shown;
use crate::model::run::Run;
use crate::model::view::RunView;
use egui::{Color32, RichText};

/// Whether a running guest is waiting in a read of its standard input.
pub fn waiting_for_stdin(run: &Run) -> bool {
    run.waiting.as_ref().is_some_and(|w| {
        let reads = matches!(w.call.name, "fd_read" | "read" | "resource_read");
        let stdin =
            w.fd.as_ref()
                .is_some_and(|(_, label)| matches!(label.as_deref(), Some("stdin" | "fd://0")));
        reads && stdin
    })
}

/// A console's text, each stream in its colour, after a note of how much
/// earlier output was not kept.
pub fn output(ui: &mut egui::Ui, console: &Console) {
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
pub fn ui(ui: &mut egui::Ui, run: &Run, view: &mut RunView) -> Vec<Action> {
    let mut actions = Vec::new();
    let console = &run.console;
    let input_height = 56.0;
    if run.moment().shown == Shown::GoingBack {
        ui.label(
            RichText::new("Going back: the output shows what the guest had written by then.")
                .italics(),
        );
    }
    egui::ScrollArea::vertical()
        .id_salt("console")
        .stick_to_bottom(true)
        .auto_shrink(false)
        .max_height((ui.available_height() - input_height).max(40.0))
        .show(ui, |ui| output(ui, console));
    if waiting_for_stdin(run) && !console.input_ended {
        ui.label(
            RichText::new("The guest is waiting to read standard input: type a line and press Enter, or send the end of input.")
                .color(Color32::from_rgb(0x80, 0xc0, 0xff)),
        );
    }
    ui.horizontal(|ui| {
        let label = ui.label("stdin");
        if console.input_ended {
            let said = match console.input_from {
                Input::Recorded => {
                    "comes from the recording: what the guest read is answered from it"
                }
                Input::Configured => "was the Run configuration's text, then its end: it has ended",
                Input::Typed => "standard input has ended",
            };
            ui.label(RichText::new(said).italics().weak());
            return;
        }
        let field = ui
            .add(
                egui::TextEdit::singleline(&mut view.typing)
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
            actions.push(Action::SendInput);
            field.request_focus();
        }
        if ui
            .button("End of input")
            .on_hover_text("Close standard input: the guest's next read gets end of file (Ctrl+D)")
            .clicked()
            || ctrl_d
        {
            actions.push(Action::EndInput);
        }
    });
    actions
}
