//! The Descriptors panel: the table as it is (or was at the last stop, or
//! at exit), the descriptors already closed, and the history of the one
//! selected (open, reads and writes, close), kept after it closes. At exit,
//! a descriptor the guest opened and never closed is flagged as a leak.

use super::descriptor_log::Life;
use super::stack_panel::STALE;
use super::state::{Shown, Workbench};
use egui::{Color32, RichText};
use wasmhole_runtime::fdtable::DescriptorRow;

const LEAK: Color32 = Color32::from_rgb(0xff, 0x90, 0x50);

/// Draws the panel.
pub fn ui(wb: &mut Workbench, ui: &mut egui::Ui) {
    let shown = wb.shown();
    let rows: Vec<DescriptorRow> = match (shown, &wb.exit, &wb.snapshot) {
        (Shown::AtExit, Some(exit), _) => exit.descriptors.clone(),
        (Shown::Current | Shown::LastStop, _, Some(s)) => s.descriptors.clone(),
        _ => Vec::new(),
    };
    match shown {
        Shown::Nothing if wb.descriptors.lives.is_empty() => {
            ui.label("No guest: there are no descriptors to show.");
            return;
        }
        Shown::LastStop => {
            ui.label(
                RichText::new("The guest is running: the table is as it was at its last stop.")
                    .color(STALE),
            );
        }
        Shown::AtExit => {
            let leaks = rows.iter().filter(|d| d.opened_by_guest).count();
            if leaks == 0 {
                ui.label("The guest ended with every descriptor it opened closed.");
            } else {
                ui.label(
                    RichText::new(format!(
                        "{leaks} descriptor(s) the guest opened were left open at exit:"
                    ))
                    .color(LEAK),
                );
            }
        }
        _ => {}
    }
    let heading = match shown {
        Shown::AtExit => "Open at exit",
        Shown::LastStop => "Open at the last stop",
        _ => "Open",
    };
    ui.strong(heading);
    let mut select = None;
    egui::ScrollArea::vertical()
        .id_salt("fd-table")
        .max_height(ui.available_height() * 0.45)
        .show(ui, |ui| {
            ui.style_mut().interaction.selectable_labels = false;
            ui.label(
                RichText::new(format!(
                    "{:>4}  {:<10} {:<28} {:>8}",
                    "fd", "kind", "name", "offset"
                ))
                .monospace()
                .weak(),
            );
            for d in &rows {
                let leaked = shown == Shown::AtExit && d.opened_by_guest;
                let offset = d.offset.map_or("-".into(), |o| o.to_string());
                let mut line = format!(
                    "{:>4}  {:<10} {:<28} {:>8}",
                    d.number, d.kind, d.name, offset
                );
                if leaked {
                    line.push_str("  left open: a leak");
                }
                let mut text = RichText::new(line).monospace();
                if leaked {
                    text = text.color(LEAK);
                }
                let life = open_life(&wb.descriptors.lives, d.number);
                let selected = life.is_some() && life == wb.selected_life;
                let response = ui
                    .selectable_label(selected, text)
                    .on_hover_text(format!("rights: {}\nflags: {}", d.rights, d.flags));
                if response.clicked() {
                    select = life;
                }
            }
        });
    let closed: Vec<(usize, &Life)> = wb
        .descriptors
        .lives
        .iter()
        .enumerate()
        .filter(|(_, l)| !l.is_open())
        .collect();
    if !closed.is_empty() {
        ui.strong("Closed");
        egui::ScrollArea::vertical()
            .id_salt("fd-closed")
            .max_height(ui.available_height() * 0.3)
            .show(ui, |ui| {
                ui.style_mut().interaction.selectable_labels = false;
                for (i, life) in closed {
                    let opened = life.opened.map_or("at start".into(), |s| format!("#{s}"));
                    let closed = life.closed.map_or(String::new(), |s| format!("#{s}"));
                    let text = RichText::new(format!(
                        "{:>4}  {:<28} opened {opened}, closed {closed}",
                        life.number, life.name
                    ))
                    .monospace();
                    if ui
                        .selectable_label(wb.selected_life == Some(i), text)
                        .clicked()
                    {
                        select = Some(i);
                    }
                }
            });
    }
    if let Some(i) = select {
        wb.selected_life = Some(i);
    }
    let Some(life) = wb
        .selected_life
        .and_then(|i| wb.descriptors.lives.get(i))
        .cloned()
    else {
        ui.label(RichText::new("Select a descriptor to see its history.").weak());
        return;
    };
    ui.separator();
    ui.strong(format!(
        "History of descriptor {} ({})",
        life.number, life.name
    ));
    let index = wb.selected_life.unwrap_or(0);
    let ring = wb.records.clone();
    let ring = ring.lock().unwrap_or_else(|e| e.into_inner());
    let (total, seqs) = wb.descriptors.history(index, &ring);
    if life.opened.is_none() {
        ui.label(RichText::new("open from the start").weak());
    }
    if total > seqs.len() {
        ui.label(RichText::new(format!("… {} earlier calls", total - seqs.len())).weak());
    }
    // Only the rows in view are decoded.
    let row_h = ui.text_style_height(&egui::TextStyle::Monospace) + 2.0;
    egui::ScrollArea::both()
        .id_salt("fd-history")
        .stick_to_bottom(true)
        .auto_shrink(false)
        .show_rows(ui, row_h, seqs.len(), |ui, rows| {
            for seq in &seqs[rows] {
                let line = match ring.get(*seq) {
                    Some(r) => format!("#{} {}", r.seq, r.call_text()),
                    None => format!("#{seq} (no longer kept)"),
                };
                ui.label(RichText::new(line).monospace());
            }
        });
}

/// The open life with this number, newest first.
fn open_life(lives: &[Life], number: u32) -> Option<usize> {
    lives
        .iter()
        .rposition(|l| l.number == number && l.is_open())
}
