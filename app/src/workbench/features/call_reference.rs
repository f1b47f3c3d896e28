//! Help → Calls reference: every call of every ABI, searchable by name or
//! by words of its explanation, with the selected call's explain-card.

use crate::workbench::panels::explain_card;
use egui::RichText;
use std::path::PathBuf;
use wasmhole_runtime::abis::CallSpec;
use wasmhole_runtime::calls::explain;

/// The reference window's state.
#[derive(Default)]
pub struct CallReference {
    /// Whether it is shown.
    pub open: bool,
    /// What to look for.
    pub query: String,
    /// The call whose card is shown.
    pub selected: Option<&'static CallSpec>,
}

impl CallReference {
    /// Draws the window; returns a sample the learner asked to open.
    pub fn window(&mut self, ctx: &egui::Context) -> Option<PathBuf> {
        if !self.open {
            return None;
        }
        let mut open = self.open;
        let mut sample = None;
        egui::Window::new("Calls reference")
            .open(&mut open)
            .default_size([640.0, 520.0])
            .show(ctx, |ui| sample = self.body(ui));
        self.open = open;
        sample
    }

    fn body(&mut self, ui: &mut egui::Ui) -> Option<PathBuf> {
        ui.horizontal(|ui| {
            let label = ui.label("Search calls");
            ui.add(egui::TextEdit::singleline(&mut self.query).desired_width(240.0))
                .labelled_by(label.id);
        });
        let hits = explain::search(&self.query);
        ui.label(RichText::new(format!("{} calls", hits.len())).weak());
        let mut sample = None;
        ui.columns(2, |cols| {
            egui::ScrollArea::vertical()
                .id_salt("reference-list")
                .show(&mut cols[0], |ui| {
                    for spec in &hits {
                        let chosen = self.selected.is_some_and(|s| std::ptr::eq(s, *spec));
                        let text = format!("{} · {}", spec.name, spec.abi);
                        if ui.selectable_label(chosen, text).clicked() {
                            self.selected = Some(spec);
                        }
                    }
                });
            egui::ScrollArea::vertical()
                .id_salt("reference-card")
                .show(&mut cols[1], |ui| {
                    match self.selected.or(hits.first().copied()) {
                        Some(spec) => sample = explain_card::ui(ui, spec),
                        None => {
                            ui.label("No call matches.");
                        }
                    }
                });
        });
        sample
    }
}
