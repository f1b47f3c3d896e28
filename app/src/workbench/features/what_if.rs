//! The What if… window: the outcomes one call could have had instead, each
//! error with its meaning, a short read or write, other bytes for a read;
//! choosing one starts a branch.

use crate::model::branches::WhatIf;
use crate::model::what_if::{is_read, unescape};
use crate::model::workbench::Workbench;
use egui::RichText;
use wasmhole_runtime::calls::inject::transfers_bytes;

/// Draws the window, if open.
pub fn window(ctx: &egui::Context, wb: &mut Workbench) {
    let Some(prompt) = &mut wb.what_if else {
        return;
    };
    let call = prompt.call;
    let mut choice = None;
    let mut close = false;
    egui::Window::new(format!("What if call #{} …", prompt.seq))
        .collapsible(false)
        .default_width(560.0)
        .anchor(egui::Align2::CENTER_TOP, egui::vec2(0.0, 60.0))
        .show(ctx, |ui| {
            ui.label(RichText::new(format!("#{} {}", prompt.seq, prompt.shown)).monospace());
            ui.label(
                "The program runs again from the start, with the same configuration and breakpoints, \
                 and this call has the outcome you choose. It stops as the call returns.",
            );
            if transfers_bytes(call) {
                ui.separator();
                let what = if is_read(call) { "read" } else { "write" };
                ui.horizontal(|ui| {
                    if ui.button(format!("Short {what}")).clicked() {
                        choice = Some(WhatIf::Short(prompt.short));
                    }
                    let label = ui.label("at most");
                    ui.add(egui::DragValue::new(&mut prompt.short).range(0..=1 << 20))
                        .labelled_by(label.id);
                    ui.label("bytes");
                });
            }
            if is_read(call) {
                ui.horizontal(|ui| {
                    if ui.button("Other bytes").clicked() {
                        choice = Some(WhatIf::Bytes(unescape(&prompt.bytes)));
                    }
                    let label = ui.label("the read gets");
                    ui.add(
                        egui::TextEdit::singleline(&mut prompt.bytes)
                            .hint_text("text, \\n for a newline"),
                    )
                    .labelled_by(label.id);
                });
            }
            ui.separator();
            let names = call.error_names();
            if call.errors.is_empty() {
                ui.label(RichText::new("This call returns no error.").weak());
            } else {
                ui.strong("Fail with one of its errors");
                egui::ScrollArea::vertical()
                    .max_height(420.0)
                    .show(ui, |ui| {
                        egui::Grid::new("what-if-errors")
                            .num_columns(2)
                            .striped(true)
                            .show(ui, |ui| {
                                for e in call.errors {
                                    if ui.button(e.name).clicked() {
                                        choice = Some(WhatIf::Error(e.name));
                                    }
                                    let meaning = names
                                        .and_then(|n| {
                                            n.values
                                                .iter()
                                                .find(|(_, name, _)| *name == e.name)
                                                .map(|(_, _, m)| *m)
                                        })
                                        .unwrap_or("");
                                    let text = if meaning.is_empty() {
                                        e.when.to_string()
                                    } else {
                                        format!("{meaning}: {}", e.when)
                                    };
                                    ui.add(egui::Label::new(&text).truncate())
                                        .on_hover_text(&text);
                                    ui.end_row();
                                }
                            });
                    });
            }
            if let Some(e) = &prompt.error {
                ui.colored_label(egui::Color32::from_rgb(0xe0, 0x60, 0x60), e);
            }
            ui.separator();
            if ui.button("Cancel").clicked() {
                close = true;
            }
        });
    if close {
        wb.what_if = None;
    } else if let Some(choice) = choice {
        wb.choose_what_if(choice);
    }
}
