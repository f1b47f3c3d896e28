//! The typed-path window, for when no desktop file dialog answers: a path
//! field, the purpose's button, and where relative paths start.

use crate::model::paths::{Answer, PathPrompt, resolve};

/// Draws the typed-path window.
pub fn window(prompt: &mut PathPrompt, ctx: &egui::Context) -> Answer {
    let mut answer = Answer::Pending;
    let mut open = true;
    egui::Window::new(prompt.purpose.title())
        .collapsible(false)
        .resizable(false)
        .open(&mut open)
        .anchor(egui::Align2::CENTER_TOP, egui::vec2(0.0, 120.0))
        .show(ctx, |ui| {
            if let Some(note) = &prompt.note {
                ui.label(note);
            }
            ui.horizontal(|ui| {
                let label = ui.label("Path");
                let field = ui
                    .add(
                        egui::TextEdit::singleline(&mut prompt.text)
                            .hint_text(prompt.purpose.hint())
                            .desired_width(420.0),
                    )
                    .labelled_by(label.id);
                if !field.has_focus() && ui.memory(|m| m.focused().is_none()) {
                    field.request_focus();
                }
                let enter = (field.has_focus() || field.lost_focus())
                    && ui.input(|i| i.key_pressed(egui::Key::Enter));
                if ui.button(prompt.purpose.action()).clicked() || enter {
                    match resolve(&prompt.text) {
                        Some(p) => answer = Answer::Chosen(p),
                        None => prompt.error = Some("type a path first".into()),
                    }
                }
                if ui.button("Cancel").clicked() {
                    answer = Answer::Cancel;
                }
            });
            if let Some(e) = &prompt.error {
                ui.colored_label(ui.visuals().error_fg_color, e);
            }
            if let Ok(cwd) = std::env::current_dir() {
                ui.label(
                    egui::RichText::new(format!("relative to {}", cwd.display()))
                        .small()
                        .weak(),
                );
            }
        });
    if !open {
        answer = Answer::Cancel;
    }
    answer
}
