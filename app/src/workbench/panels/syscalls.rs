//! The Syscalls panel: the run's calls at the moment shown, in a virtualized
//! table (only the rows in view are decoded), filtered by name or error;
//! the `strace -c` summary; and the selected call explained from its
//! description, with What if… and going back to its entry or exit. Calls
//! made after the moment (known from the run's recording after going back)
//! are greyed and marked "not yet made"; the call the guest is stopped at
//! the entry of has no result yet.

use crate::model::action::Action;
use crate::model::moment::CallState;
use crate::model::run::Run;
use crate::model::view::RunView;
use egui::{Color32, RichText};
use egui_extras::{Column, TableBuilder};
use wasmhole_runtime::debug::Edge;
use wasmhole_runtime::sandbox::guest_memory::MemRange;

const ERROR: Color32 = Color32::from_rgb(0xe0, 0x60, 0x60);

/// The result column of a call at the moment shown.
fn result_cell(state: CallState, result: String) -> (String, &'static str) {
    match state {
        CallState::Made => (result, ""),
        CallState::AtEntry => (
            "?".into(),
            "The guest is stopped at this call's entry: it has not run yet",
        ),
        CallState::NotYetMade => (
            "not yet made".into(),
            "The run makes this call later: it is known from its recording, and has not happened at the moment shown",
        ),
    }
}

/// Draws the panel.
pub fn ui(ui: &mut egui::Ui, run: &Run, view: &mut RunView) -> Vec<Action> {
    let mut actions = Vec::new();
    let moment = run.moment();
    let at_entry = run.call_at_entry();
    // At a call's entry only its inputs are known: its row shows the call
    // as the guest is making it, not the outputs its record (from the
    // run's recording) holds.
    let entry_call = at_entry
        .as_deref()
        .and_then(|t| t.split_once("  "))
        .map(|(_, call)| {
            call.trim_end_matches(" = ? <not yet run: stopped at its entry>")
                .to_string()
        });
    let replayed = run.is_replay();
    let recorded_calls = run.recorded_calls();
    let ring = run.ring();
    view.calls.update_index(&ring);
    let known = ring.last_seq().unwrap_or(0);
    let made = moment.made.min(known);
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("Filter");
        ui.add(egui::TextEdit::singleline(&mut view.calls.filter).desired_width(120.0))
            .labelled_by(label.id);
        ui.checkbox(&mut view.calls.errors_only, "errors only");
        ui.toggle_value(&mut view.calls.show_summary, "Summary");
        let listed = view.calls.rows(&ring);
        let calls = |n: u64| if n == 1 { "call" } else { "calls" };
        let mut count = if listed == ring.len() {
            format!("{made} {} made", calls(made))
        } else {
            format!("{listed} listed of {known} calls")
        };
        if known > made {
            count.push_str(&format!(", {} more recorded, not yet made", known - made));
        } else if matches!(run.origin, crate::model::run::Origin::Recording(_)) {
            count.push_str(&format!(" of {recorded_calls} in the recording"));
        }
        ui.label(count);
        if ring.dropped() > 0 {
            ui.label(RichText::new(format!("({} older dropped)", ring.dropped())).weak());
        }
    });
    if view.calls.show_summary {
        egui::ScrollArea::both().id_salt("summary").show(ui, |ui| {
            if known > made {
                ui.label(
                    RichText::new("The summary counts every call of the run, including those not yet made at the moment shown.")
                        .weak(),
                );
            }
            ui.label(RichText::new(ring.summary().table()).monospace());
        });
        return actions;
    }
    // The call at whose entry the guest is stopped, when its record is not
    // in the ring (a live run): listed after the last row.
    let in_progress = at_entry.filter(|_| moment.entry.is_some_and(|seq| seq > known));
    let explain_height = if view.call.is_some() {
        (ui.available_height() * 0.45).clamp(90.0, 240.0)
    } else {
        0.0
    };
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
        let weak = ui.visuals().weak_text_color();
        // A narrow panel (a projector's) keeps the call and its result:
        // the ABI and the time go first.
        let width = ui.available_width();
        let (show_abi, show_time) = (width > 620.0, width > 720.0);
        let mut table = TableBuilder::new(ui)
            .striped(true)
            .sense(egui::Sense::click())
            .column(Column::auto().at_least(28.0));
        if show_abi {
            table = table.column(Column::exact(52.0));
        }
        table = table
            .column(Column::remainder().at_least(120.0).clip(true))
            .column(Column::exact((width * 0.2).clamp(70.0, 200.0)));
        if show_time {
            table = table.column(Column::exact(70.0));
        }
        let mut titles = vec!["#"];
        if show_abi {
            titles.push("ABI");
        }
        titles.extend(["call", "result"]);
        if show_time {
            titles.push("µs");
        }
        table
            .header(20.0, |mut h| {
                for t in titles {
                    h.col(|ui| {
                        ui.strong(t);
                    });
                }
            })
            .body(|body| {
                body.rows(row_h, view.calls.rows(&ring), |mut row| {
                    let Some(seq) = view.calls.row_seq(&ring, row.index()) else {
                        return;
                    };
                    let Some(r) = ring.get(seq) else { return };
                    let state = moment.call(seq);
                    let greyed = |t: RichText| match state {
                        CallState::Made => t,
                        CallState::AtEntry => t.italics(),
                        CallState::NotYetMade => t.color(weak).italics(),
                    };
                    row.set_selected(view.call == Some(seq));
                    row.col(|ui| {
                        ui.label(greyed(RichText::new(seq.to_string()).monospace()));
                    });
                    if show_abi {
                        row.col(|ui| {
                            ui.label(greyed(RichText::new(r.abi.name())));
                        });
                    }
                    row.col(|ui| {
                        let call = match (state, &entry_call) {
                            (CallState::AtEntry, Some(call)) => call.clone(),
                            _ => r.call_head(),
                        };
                        ui.label(greyed(RichText::new(call).monospace()));
                    });
                    row.col(|ui| {
                        let (text, why) = result_cell(state, r.result_text());
                        let mut text = greyed(RichText::new(text).monospace());
                        if state == CallState::Made && r.is_error() {
                            text = text.color(ERROR);
                        }
                        let label = ui.add(egui::Label::new(text).truncate());
                        if !why.is_empty() {
                            label.on_hover_text(why);
                        }
                    });
                    if show_time {
                        row.col(|ui| {
                            if state == CallState::Made && !(replayed && r.duration_ns == 0) {
                                ui.label(format!("{:.1}", r.duration_ns as f64 / 1000.0));
                            } else if state == CallState::Made {
                                ui.label(RichText::new("replayed").weak()).on_hover_text(
                                    "A replayed call is answered from the recording: it takes no time of its own",
                                );
                            }
                        });
                    }
                    if row.response().clicked() {
                        actions.push(Action::SelectCall(seq));
                    }
                });
            });
    });
    if let Some(text) = in_progress {
        ui.label(RichText::new(text).monospace().italics())
            .on_hover_text("The guest is stopped at this call's entry: it has not run yet, so it has no result and no row of its own until it returns");
    }
    let Some(r) = view.call.and_then(|s| ring.get(s)) else {
        return actions;
    };
    let state = moment.call(r.seq);
    let recorded = recorded_calls >= r.seq;
    let run_is_live = run.origin == crate::model::run::Origin::Live;
    let heading = match (state, &entry_call) {
        (CallState::AtEntry, Some(call)) => format!("#{} {call} = ?", r.seq),
        _ => format!("#{} {}", r.seq, r.call_text()),
    };
    drop(ring);
    ui.separator();
    egui::ScrollArea::vertical()
        .id_salt("explain")
        .show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                if state == CallState::Made
                    && run_is_live
                    && ui
                        .button("What if…")
                        .on_hover_text("Run again with this call's outcome changed")
                        .clicked()
                {
                    actions.push(Action::WhatIf(r.seq));
                }
                let (entry, exit) = match state {
                    CallState::NotYetMade => ("Go forward to its entry", "Go forward to its exit"),
                    _ => ("Go back to its entry", "Go back to its exit"),
                };
                for (label, edge) in [(entry, Edge::Entry), (exit, Edge::Exit)] {
                    if ui
                        .add_enabled(recorded, egui::Button::new(label))
                        .on_hover_text("Replay the recorded run to this point")
                        .on_disabled_hover_text("This call is not in the run's recording")
                        .clicked()
                    {
                        actions.push(Action::GoBack(r.seq, edge));
                    }
                }
                ui.label(RichText::new(heading).monospace().strong());
            });
            match state {
                CallState::NotYetMade => {
                    ui.label(
                        RichText::new(format!(
                            "Not yet made at the moment shown: the run makes call #{} later (it is in the run's recording).",
                            r.seq
                        ))
                        .italics(),
                    );
                }
                CallState::AtEntry => {
                    ui.label(
                        RichText::new("The guest is stopped at this call's entry: it has not run yet.")
                            .italics(),
                    );
                }
                CallState::Made => {}
            }
            if let Some(path) = super::explain_card::ui(ui, r.spec) {
                actions.push(Action::Open(path));
            }
            ui.label(format!(
                "read {} · wrote {}",
                MemRange::list(&r.reads, "nothing"),
                MemRange::list(&r.writes, "nothing")
            ));
        });
    actions
}
