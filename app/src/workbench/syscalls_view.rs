//! The Syscalls panel: every record in a virtualized table, filtered by name
//! or error, the `strace -c` summary, and the selected call explained from
//! its description.

use egui::RichText;
use egui_extras::{Column, TableBuilder};
use wasmhole_runtime::guest_memory::MemRange;
use wasmhole_runtime::trace::{Brief, Ring};

/// Table state and its filtered index.
#[derive(Default)]
pub struct SyscallsView {
    /// Text a row's name or error must contain.
    pub filter: String,
    /// Show failed calls only.
    pub errors_only: bool,
    /// Show the summary instead of the table.
    pub show_summary: bool,
    /// The selected record's sequence number.
    pub selected: Option<u64>,
    /// With a filter, the rows shown: sequence numbers less `base`.
    index: Vec<u32>,
    base: u64,
    /// The filter the index was built with, and the last sequence indexed.
    indexed: Option<(String, bool, u64)>,
    /// A sample the learner asked to open from a call's card.
    pub open_sample: Option<std::path::PathBuf>,
    /// A call the learner asked "What if…" about.
    pub what_if: Option<u64>,
    /// A call's entry or exit the learner asked to go back to.
    pub go_back: Option<(u64, wasmhole_runtime::debug::Edge)>,
}

impl SyscallsView {
    fn filtered(&self) -> bool {
        self.errors_only || !self.filter.is_empty()
    }

    fn matches(&self, b: &Brief, filter: &str) -> bool {
        if self.errors_only && b.error.is_none() {
            return false;
        }
        filter.is_empty()
            || b.spec.name.contains(filter)
            || b.error
                .is_some_and(|e| e.to_ascii_lowercase().contains(filter))
    }

    /// Brings the index up to date with the ring (only new records are
    /// looked at unless the filter changed). Without a filter every record
    /// is a row and no index is kept.
    pub fn update_index(&mut self, ring: &Ring) {
        if !self.filtered() {
            self.index = Vec::new();
            self.indexed = None;
            return;
        }
        let last = ring.last_seq().unwrap_or(0);
        let first = ring.first_seq().unwrap_or(0);
        let from = match &self.indexed {
            Some((f, e, upto)) if *f == self.filter && *e == self.errors_only && *upto <= last => {
                if self
                    .index
                    .first()
                    .is_some_and(|s| self.base + (*s as u64) < first)
                {
                    let base = self.base;
                    self.index.retain(|s| base + *s as u64 >= first);
                }
                *upto
            }
            _ => {
                self.index.clear();
                self.base = first;
                first.saturating_sub(1)
            }
        };
        let filter = self.filter.to_ascii_lowercase();
        let base = self.base;
        let matching: Vec<u32> = ring
            .briefs_since(from)
            .filter(|(_, b)| self.matches(b, &filter))
            .map(|(seq, _)| (seq - base) as u32)
            .collect();
        self.index.extend(matching);
        self.indexed = Some((self.filter.clone(), self.errors_only, last));
    }

    /// Number of rows shown.
    pub fn rows(&self, ring: &Ring) -> usize {
        if self.filtered() {
            self.index.len()
        } else {
            ring.len()
        }
    }

    /// The sequence number of row `i`.
    pub fn row_seq(&self, ring: &Ring, i: usize) -> Option<u64> {
        if self.filtered() {
            self.index.get(i).map(|s| self.base + *s as u64)
        } else {
            ring.first_seq().map(|f| f + i as u64)
        }
    }

    /// Forgets everything (a new run).
    pub fn reset(&mut self) {
        self.index = Vec::new();
        self.indexed = None;
        self.selected = None;
    }

    /// Draws the panel; returns true when the selection changed.
    /// `in_progress` is the call the guest is stopped at the entry of (not
    /// in the ring until it returns), shown after the last row as strace
    /// shows an unfinished call.
    pub fn ui(&mut self, ui: &mut egui::Ui, ring: &Ring, in_progress: Option<&str>) -> bool {
        self.update_index(ring);
        let mut changed = false;
        ui.horizontal(|ui| {
            let label = ui.label("Filter");
            ui.add(egui::TextEdit::singleline(&mut self.filter).desired_width(120.0))
                .labelled_by(label.id);
            ui.checkbox(&mut self.errors_only, "errors only");
            ui.toggle_value(&mut self.show_summary, "Summary");
            ui.label(format!("{} of {} calls", self.rows(ring), ring.len()));
            if ring.dropped() > 0 {
                ui.label(RichText::new(format!("({} older dropped)", ring.dropped())).weak());
            }
        });
        if self.show_summary {
            egui::ScrollArea::both().id_salt("summary").show(ui, |ui| {
                ui.label(RichText::new(ring.summary().table()).monospace());
            });
            return false;
        }
        let explain_height = if self.selected.is_some() { 220.0 } else { 0.0 };
        let row_h = ui.text_style_height(&egui::TextStyle::Monospace) + 4.0;
        let pending_height = if in_progress.is_some() {
            row_h + 4.0
        } else {
            0.0
        };
        let table_height = (ui.available_height() - explain_height - pending_height).max(80.0);
        ui.allocate_ui(egui::vec2(ui.available_width(), table_height), |ui| {
            // A click anywhere on a row selects it, so its text is not selectable.
            ui.style_mut().interaction.selectable_labels = false;
            TableBuilder::new(ui)
                .striped(true)
                .sense(egui::Sense::click())
                .column(Column::exact(56.0))
                .column(Column::exact(52.0))
                .column(Column::remainder().clip(true))
                .column(Column::exact(150.0))
                .column(Column::exact(70.0))
                .header(20.0, |mut h| {
                    for t in ["#", "ABI", "call", "result", "µs"] {
                        h.col(|ui| {
                            ui.strong(t);
                        });
                    }
                })
                .body(|body| {
                    body.rows(row_h, self.rows(ring), |mut row| {
                        let Some(seq) = self.row_seq(ring, row.index()) else {
                            return;
                        };
                        let Some(r) = ring.get(seq) else { return };
                        row.set_selected(self.selected == Some(seq));
                        row.col(|ui| {
                            ui.label(RichText::new(seq.to_string()).monospace());
                        });
                        row.col(|ui| {
                            ui.label(r.abi.name());
                        });
                        row.col(|ui| {
                            let args: Vec<String> = r
                                .args
                                .iter()
                                .map(|a| format!("{}={}", a.name, a.shown))
                                .collect();
                            ui.label(
                                RichText::new(format!("{}({})", r.name, args.join(", ")))
                                    .monospace(),
                            );
                        });
                        row.col(|ui| {
                            let text = RichText::new(r.result_text()).monospace();
                            ui.label(if r.is_error() {
                                text.color(egui::Color32::from_rgb(0xe0, 0x60, 0x60))
                            } else {
                                text
                            });
                        });
                        row.col(|ui| {
                            ui.label(format!("{:.1}", r.duration_ns as f64 / 1000.0));
                        });
                        if row.response().clicked() {
                            self.selected = Some(seq);
                            changed = true;
                        }
                    });
                });
        });
        if let Some(text) = in_progress {
            ui.label(RichText::new(text).monospace().italics())
                .on_hover_text("The guest is stopped at this call's entry: it has not run yet, so it has no result and no row of its own until it returns");
        }
        if let Some(r) = self.selected.and_then(|s| ring.get(s)) {
            ui.separator();
            egui::ScrollArea::vertical()
                .id_salt("explain")
                .show(ui, |ui| {
                    ui.horizontal(|ui| {
                        if ui
                            .button("What if…")
                            .on_hover_text("Run again with this call's outcome changed")
                            .clicked()
                        {
                            self.what_if = Some(r.seq);
                        }
                        use wasmhole_runtime::debug::Edge;
                        for (label, edge) in [
                            ("Go back to its entry", Edge::Entry),
                            ("Go back to its exit", Edge::Exit),
                        ] {
                            if ui
                                .button(label)
                                .on_hover_text("Replay the recorded run to this point")
                                .clicked()
                            {
                                self.go_back = Some((r.seq, edge));
                            }
                        }
                        ui.label(
                            RichText::new(format!("#{} {}", r.seq, r.call_text()))
                                .monospace()
                                .strong(),
                        );
                    });
                    if let Some(path) = super::explain_card::ui(ui, r.spec) {
                        self.open_sample = Some(path);
                    }
                    ui.label(format!(
                        "read {} · wrote {}",
                        MemRange::list(&r.reads, "nothing"),
                        MemRange::list(&r.writes, "nothing")
                    ));
                });
        }
        changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_grows_with_new_records_and_follows_the_filter() {
        let program = wasmhole_runtime::Program::from_wat(
            "t.wat",
            r#"(module
                 (import "wasi_snapshot_preview1" "fd_close" (func $close (param i32) (result i32)))
                 (memory (export "memory") 1)
                 (func (export "_start")
                   (drop (call $close (i32.const 1)))
                   (drop (call $close (i32.const 9)))))"#,
        )
        .unwrap();
        let ring = std::sync::Arc::new(std::sync::Mutex::new(Ring::new(100)));
        let rt = wasmhole_runtime::Runtime::new(Default::default()).unwrap();
        rt.run(
            &program,
            wasmhole_runtime::RunOptions {
                abi: None,
                config: Default::default(),
                sinks: vec![Box::new(wasmhole_runtime::trace::RingSink(ring.clone()))],
            },
        );
        let ring = ring.lock().unwrap();
        let mut v = SyscallsView::default();
        v.update_index(&ring);
        assert_eq!(v.rows(&ring), 2);
        v.filter = "ebadf".into();
        v.update_index(&ring);
        assert_eq!(v.rows(&ring), 1);
        let seq = v.row_seq(&ring, 0).unwrap();
        assert_eq!(ring.get(seq).unwrap().error_name(), Some("EBADF"));
        v.filter.clear();
        v.errors_only = true;
        v.update_index(&ring);
        assert_eq!(v.rows(&ring), 1);
        assert_eq!(v.row_seq(&ring, 0), Some(seq));
    }
}
