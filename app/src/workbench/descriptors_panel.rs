//! The Descriptors panel: the table as of the last stop, each descriptor's
//! history (open, reads and writes, close) from the syscall records, and the
//! descriptors a guest left open when it ended.

use super::state::Workbench;
use egui::{Color32, RichText};
use wasmhole_runtime::calls::Kind;

/// Draws the panel.
pub fn ui(wb: &mut Workbench, ui: &mut egui::Ui) {
    let (rows, ended) = match (&wb.exit, &wb.snapshot) {
        (Some(exit), _) => (exit.descriptors.clone(), true),
        (None, Some(s)) => (s.descriptors.clone(), false),
        (None, None) => (Vec::new(), false),
    };
    if ended {
        let leaks: Vec<_> = rows.iter().filter(|d| d.kind != "stdio").collect();
        if leaks.is_empty() {
            ui.label("The guest ended with every descriptor it opened closed.");
        } else {
            ui.label(
                RichText::new(format!("{} descriptor(s) left open at exit:", leaks.len()))
                    .color(Color32::from_rgb(0xff, 0x90, 0x50)),
            );
        }
    }
    egui::Grid::new("descriptors")
        .striped(true)
        .num_columns(5)
        .show(ui, |ui| {
            for h in ["fd", "kind", "name", "offset", "rights"] {
                ui.strong(h);
            }
            ui.end_row();
            for d in &rows {
                let leaked = ended && d.kind != "stdio";
                let mut fd = RichText::new(d.number.to_string()).monospace();
                if leaked {
                    fd = fd.color(Color32::from_rgb(0xff, 0x90, 0x50));
                }
                if ui
                    .selectable_label(wb.selected_fd == Some(d.number), fd)
                    .clicked()
                {
                    wb.selected_fd = Some(d.number);
                }
                ui.label(d.kind);
                ui.label(RichText::new(&d.name).monospace());
                ui.label(
                    d.offset
                        .map(|o| o.to_string())
                        .unwrap_or_else(|| "-".into()),
                );
                ui.label(RichText::new(&d.rights).small());
                ui.end_row();
            }
        });
    if let Some(fd) = wb.selected_fd {
        ui.separator();
        ui.strong(format!("History of descriptor {fd}"));
        let ring = wb.records.lock().unwrap_or_else(|e| e.into_inner());
        let history: Vec<String> = ring
            .records()
            .iter()
            .filter(|r| {
                r.spec.params.iter().zip(&r.args).any(|(p, a)| {
                    let is_fd = matches!(p.kind, Kind::Fd);
                    let opened = matches!(p.kind, Kind::OutFd)
                        && a.shown.starts_with(&format!("[{fd}<"));
                    (is_fd && a.raw == fd as u64) || opened
                }) || (r.spec.ret_is_descriptor() && matches!(&r.outcome, wasmhole_runtime::record::CallOutcome::Returned(c) if c.raw == fd as i64))
            })
            .rev()
            .take(200)
            .map(|r| format!("#{} {}", r.seq, r.call_text()))
            .collect();
        drop(ring);
        egui::ScrollArea::vertical()
            .id_salt("fd-history")
            .show(ui, |ui| {
                for line in history.iter().rev() {
                    ui.label(RichText::new(line).monospace());
                }
            });
    }
}
