//! The Descriptors panel: the run's descriptor table at the moment shown
//! (opened before it and not yet closed), each with its kind, what it
//! refers to, its offset and its rights by name; the descriptors already
//! closed; and the history of the one selected (open, reads and writes,
//! close) up to the moment, kept after it closes. At exit, a descriptor the
//! guest opened and never closed is flagged as a leak.

use super::STALE;
use crate::model::action::Action;
use crate::model::moment::Shown;
use crate::model::run::Run;
use crate::model::view::RunView;
use egui::{Color32, RichText};
use wasmhole_runtime::abis::wasi;

const LEAK: Color32 = Color32::from_rgb(0xff, 0x90, 0x50);

/// Draws the panel.
pub fn ui(ui: &mut egui::Ui, run: &Run, view: &mut RunView) -> Vec<Action> {
    let moment = run.moment();
    let shown = moment.shown;
    let at = run.descriptors_at(&moment);
    let replayed = run.is_replay();
    if at.open.is_empty() && at.closed.is_empty() {
        ui.label(match shown {
            Shown::GoingBack => "Going back: the descriptors are shown once the guest is there.",
            _ => "No guest: there are no descriptors to show.",
        });
        return Vec::new();
    }
    match shown {
        Shown::LastStop => {
            ui.label(
                RichText::new("The guest is running: the table is as it was at its last stop.")
                    .color(STALE),
            );
        }
        Shown::LetGo => {
            ui.label(
                RichText::new(format!(
                    "Its guest was let go: these are the descriptors when it was. {}",
                    run.let_go.as_deref().unwrap_or_default()
                ))
                .color(STALE),
            );
        }
        Shown::AtExit => {
            let leaks = at
                .open
                .iter()
                .filter(|(_, life, _)| life.opened_by_guest)
                .count();
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
        Shown::AtExit => "Open at exit".to_string(),
        Shown::LastStop => "Open at the last stop".to_string(),
        _ if moment.made < run.calls_known() => {
            format!(
                "Open after call #{} (later calls not yet made)",
                moment.made
            )
        }
        _ => "Open".to_string(),
    };
    ui.strong(heading);
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
            for (i, life, row) in &at.open {
                let leaked = shown == Shown::AtExit && life.opened_by_guest;
                // A replay reaches no file: an offset is known only live.
                let offset_unknown = replayed && matches!(row, Some(r) if r.kind == "file");
                let (kind, offset) = match row {
                    Some(_) if offset_unknown => (row.as_ref().map_or("?", |r| r.kind), "?".into()),
                    Some(r) => (r.kind, r.offset.map_or("-".into(), |o| o.to_string())),
                    None => ("?", "?".to_string()),
                };
                let mut line = format!(
                    "{:>4}  {:<10} {:<28} {:>8}",
                    life.number, kind, life.name, offset
                );
                if leaked {
                    line.push_str("  left open: a leak");
                }
                let mut text = RichText::new(line).monospace();
                if leaked {
                    text = text.color(LEAK);
                }
                let response = ui.selectable_label(view.life == Some(*i), text);
                let response = if offset_unknown {
                    response.on_hover_text(
                        "A replay answers every call from the recording and opens no file: the offset is not known",
                    )
                } else {
                    response
                };
                if response.clicked() {
                    view.life = Some(*i);
                }
                // Its rights by name (WASI's; the stream ABIs give none),
                // and its flags.
                if let Some(r) = row {
                    let rights = match r.rights {
                        0 => "none (only WASI gives descriptors rights)".to_string(),
                        n => wasi::rights_text(n).replace('|', " "),
                    };
                    let flags = match r.flags {
                        0 => String::new(),
                        n => format!(" · flags: {}", wasi::fdflags_text(n)),
                    };
                    ui.add(
                        egui::Label::new(
                            RichText::new(format!("      rights: {rights}{flags}"))
                                .small()
                                .weak(),
                        )
                        .wrap(),
                    );
                }
            }
        });
    if !at.closed.is_empty() {
        ui.strong("Closed");
        egui::ScrollArea::vertical()
            .id_salt("fd-closed")
            .max_height(ui.available_height() * 0.3)
            .show(ui, |ui| {
                ui.style_mut().interaction.selectable_labels = false;
                for (i, life) in &at.closed {
                    let opened = life.opened.map_or("at start".into(), |s| format!("#{s}"));
                    let closed = life.closed.map_or(String::new(), |s| format!("#{s}"));
                    let text = RichText::new(format!(
                        "{:>4}  {:<28} opened {opened}, closed {closed}",
                        life.number, life.name
                    ))
                    .monospace();
                    if ui.selectable_label(view.life == Some(*i), text).clicked() {
                        view.life = Some(*i);
                    }
                }
            });
    }
    let listed = |i: usize| {
        at.open.iter().any(|(j, _, _)| *j == i) || at.closed.iter().any(|(j, _)| *j == i)
    };
    let Some(index) = view.life.filter(|i| listed(*i)) else {
        ui.label(RichText::new("Select a descriptor to see its history.").weak());
        return Vec::new();
    };
    let Some(life) = run.descriptors.lives.get(index) else {
        return Vec::new();
    };
    ui.separator();
    ui.strong(format!(
        "History of descriptor {} ({})",
        life.number, life.name
    ));
    let ring = run.ring();
    let (total, seqs) =
        run.descriptors
            .history(index, &ring, moment.descriptors_made(), &mut view.history);
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
    Vec::new()
}
