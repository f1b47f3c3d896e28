//! The Branches panel: every what-if branch of the run (choosing one shows
//! it in every panel), and Compare: two branches' console output side by
//! side, their call counts and the first call where they differ, and how
//! each ended with what its status means.

use super::banner::exit_meaning;
use super::branches::{BranchView, MAX_COMPARED, Reaching, compare_calls};
use super::state::{RunState, Workbench};
use egui::RichText;
use wasmhole_runtime::ExitStatus;

/// Most bytes of each branch's output the Compare view shows (its end).
const COMPARED_OUTPUT: usize = 16 << 10;

/// How a branch's run stands, in a few words.
fn standing(view: &BranchView) -> String {
    match (&view.ended, &view.state) {
        (Some(status), _) => ended_text(status),
        (None, RunState::Stopped) if view.alive => "stopped, not ended yet".into(),
        (None, _) if view.alive => "running, not ended yet".into(),
        (None, _) => "not ended: its guest was let go".into(),
    }
}

fn ended_text(status: &ExitStatus) -> String {
    match status {
        ExitStatus::Exited(code) => format!("exited with status {code}: {}", exit_meaning(*code)),
        ExitStatus::Failed(f) => {
            format!("failed: {}", f.message.lines().next().unwrap_or(&f.message))
        }
    }
}

/// The end of a branch's output, standard output then standard error.
fn output_tail(view: &BranchView) -> String {
    let mut text = String::new();
    for (buffer, label) in [(&view.output.0, ""), (&view.output.1, "standard error:\n")] {
        let since = buffer.since(0);
        if since.bytes.is_empty() {
            continue;
        }
        let bytes = &since.bytes[since.bytes.len().saturating_sub(COMPARED_OUTPUT)..];
        let cut = since.skipped > 0 || bytes.len() < since.bytes.len();
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(label);
        if cut {
            text.push('…');
        }
        text.push_str(&String::from_utf8_lossy(bytes));
    }
    if text.is_empty() {
        "(no output)".into()
    } else {
        text
    }
}

/// Draws the panel.
pub fn ui(wb: &mut Workbench, ui: &mut egui::Ui) {
    if wb.doc.program.is_none() {
        ui.label("Open a program; then “What if…” on a call (in Syscalls, or at a call's entry) starts a branch.");
        return;
    }
    let mut show = None;
    egui::ScrollArea::vertical()
        .id_salt("branches")
        .show(ui, |ui| {
            for (i, b) in wb.branches.list.iter().enumerate() {
                let view = wb.branch_view(i);
                ui.horizontal(|ui| {
                    let selected = i == wb.branches.selected;
                    if ui.selectable_label(selected, &b.name).clicked() {
                        show = Some(i);
                    }
                    let state = if selected {
                        match &wb.state {
                            RunState::Exited(s) => ended_text(s),
                            RunState::Stopped => "stopped".into(),
                            RunState::Running if b.reaching != Reaching::Done => {
                                "running to its change".into()
                            }
                            RunState::Running => "running".into(),
                            RunState::Idle => "no guest".into(),
                        }
                    } else {
                        view.as_ref().map(standing).unwrap_or_default()
                    };
                    ui.label(RichText::new(state).weak());
                });
                if let Some(note) = b.note.as_ref().or(b.closed.as_ref()) {
                    ui.label(
                        RichText::new(note).color(egui::Color32::from_rgb(0xe0, 0xb0, 0x50)),
                    );
                }
            }
            if wb.branches.list.len() < 2 {
                ui.label(
                    RichText::new("“What if…” on a call (in Syscalls, or at a call's entry) makes a branch in which that call has another outcome.")
                        .weak(),
                );
                return;
            }
            ui.separator();
            compare(wb, ui);
        });
    if let Some(i) = show {
        wb.select_branch(i);
    }
}

fn pick(ui: &mut egui::Ui, id: &str, names: &[String], value: &mut usize) {
    egui::ComboBox::from_id_salt(id)
        .selected_text(names.get(*value).cloned().unwrap_or_default())
        .show_ui(ui, |ui| {
            for (i, n) in names.iter().enumerate() {
                ui.selectable_value(value, i, n);
            }
        });
}

/// The Compare view of two branches.
fn compare(wb: &mut Workbench, ui: &mut egui::Ui) {
    ui.strong("Compare");
    let names: Vec<String> = wb.branches.list.iter().map(|b| b.name.clone()).collect();
    let (mut a, mut b) = wb.branches.compare;
    ui.horizontal(|ui| {
        pick(ui, "compare-a", &names, &mut a);
        ui.label("with");
        pick(ui, "compare-b", &names, &mut b);
    });
    wb.branches.compare = (a, b);
    let (Some(left), Some(right)) = (wb.branch_view(a), wb.branch_view(b)) else {
        return;
    };
    if a == b {
        ui.label("Choose two different branches.");
        return;
    }
    let compared = {
        let ra = left.records.lock().unwrap_or_else(|e| e.into_inner());
        let rb = right.records.lock().unwrap_or_else(|e| e.into_inner());
        let ended = (left.ended.is_some(), right.ended.is_some());
        compare_calls((a, b), (&ra, &rb), ended, wb.branches.compared.as_ref())
    };
    let (counts, difference) = (compared.counts, compared.difference.clone());
    wb.branches.compared = Some(compared);
    match &difference {
        Some((seq, x, y)) => {
            ui.label(RichText::new(format!("They first differ at call #{seq}:")).strong());
            ui.label(RichText::new(format!("{}: {x}", left.name)).monospace());
            ui.label(RichText::new(format!("{}: {y}", right.name)).monospace());
        }
        None if counts.0.max(counts.1) > MAX_COMPARED => {
            ui.label(format!("Their first {MAX_COMPARED} calls are the same."));
        }
        None if left.ended.is_some() && right.ended.is_some() => {
            ui.label("They made the same calls with the same results.");
        }
        None => {
            ui.label(format!(
                "The same calls so far ({} and {} made).",
                counts.0, counts.1
            ));
        }
    }
    ui.columns(2, |cols| {
        let (first, second) = cols.split_at_mut(1);
        for (col, view, count) in [
            (&mut first[0], &left, counts.0),
            (&mut second[0], &right, counts.1),
        ] {
            col.strong(&view.name);
            col.label(format!("{count} calls"));
            col.label(standing(view));
            egui::ScrollArea::vertical()
                .id_salt(format!("compare-output-{}", view.name))
                .max_height(240.0)
                .stick_to_bottom(true)
                .show(col, |ui| {
                    ui.add(egui::Label::new(RichText::new(output_tail(view)).monospace()).wrap());
                });
        }
    });
}
