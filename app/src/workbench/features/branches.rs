//! The Branches panel: every what-if branch of the run (choosing one shows
//! it in every panel), and Compare: two branches' console output side by
//! side, their call counts and the first call where they differ, whether
//! they ran under different configurations, and how each ended with what
//! its status means.

use crate::model::action::Action;
use crate::model::branches::{
    Branch, Branches, MAX_COMPARED, Reaching, compare_calls, config_differences,
};
use crate::model::document::Document;
use crate::model::run::{Run, RunState};
use crate::workbench::panels::banner::exit_meaning;
use egui::RichText;
use wasmhole_runtime::ExitStatus;

/// Most bytes of each branch's output the Compare view shows (its end).
const COMPARED_OUTPUT: usize = 16 << 10;

/// How a branch's run stands, in a few words.
fn standing(b: &Branch) -> String {
    let run = &b.run;
    match &run.state {
        RunState::Exited(status) => ended_text(status),
        RunState::Stopped => "stopped, not ended yet".into(),
        RunState::Running if b.reaching != Reaching::Done => "running to its change".into(),
        RunState::Running => "running, not ended yet".into(),
        RunState::Idle if run.let_go.is_some() => "not ended: its guest was let go".into(),
        RunState::Idle => "no guest".into(),
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
fn output_tail(run: &Run) -> String {
    let mut text = String::new();
    let (out, err) = run.output();
    for (buffer, label) in [(out, ""), (err, "standard error:\n")] {
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
pub fn ui(ui: &mut egui::Ui, runs: &mut Branches, doc: &Document) -> Vec<Action> {
    if doc.program.is_none() {
        ui.label("Open a program; then “What if…” on a call (in Syscalls, or at a call's entry) starts a branch.");
        return Vec::new();
    }
    let mut actions = Vec::new();
    egui::ScrollArea::vertical()
        .id_salt("branches")
        .show(ui, |ui| {
            for (i, b) in runs.list.iter().enumerate() {
                ui.horizontal(|ui| {
                    let selected = i == runs.selected;
                    if ui.selectable_label(selected, &b.name).clicked() {
                        actions.push(Action::SelectBranch(i));
                    }
                    ui.label(RichText::new(standing(b)).weak());
                });
                if let Some(note) = b.note.as_ref().or(b.run.let_go.as_ref()) {
                    ui.label(
                        RichText::new(note).color(egui::Color32::from_rgb(0xe0, 0xb0, 0x50)),
                    );
                }
            }
            if runs.list.len() < 2 {
                ui.label(
                    RichText::new("“What if…” on a call (in Syscalls, or at a call's entry) makes a branch in which that call has another outcome.")
                        .weak(),
                );
                return;
            }
            ui.separator();
            compare(ui, runs);
        });
    actions
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
fn compare(ui: &mut egui::Ui, runs: &mut Branches) {
    ui.strong("Compare");
    let names: Vec<String> = runs.list.iter().map(|b| b.name.clone()).collect();
    let (mut a, mut b) = runs.compare;
    ui.horizontal(|ui| {
        pick(ui, "compare-a", &names, &mut a);
        ui.label("with");
        pick(ui, "compare-b", &names, &mut b);
    });
    runs.compare = (a, b);
    let (Some(left), Some(right)) = (runs.list.get(a), runs.list.get(b)) else {
        return;
    };
    if a == b {
        ui.label("Choose two different branches.");
        return;
    }
    let ended = (left.run.ended().is_some(), right.run.ended().is_some());
    let compared = {
        let ra = left.run.ring();
        let rb = right.run.ring();
        compare_calls((a, b), (&ra, &rb), ended, runs.compared.as_ref())
    };
    let (counts, difference) = (compared.counts, compared.difference.clone());
    let differences = config_differences(&left.run.config, &right.run.config);
    if !differences.is_empty() {
        ui.label(
            RichText::new(format!(
                "They ran under different configurations: {}. A difference in their calls may come from that, not only from the changed call.",
                differences.join("; ")
            ))
            .color(egui::Color32::from_rgb(0xe0, 0xb0, 0x50)),
        );
    }
    match &difference {
        Some((seq, x, y)) => {
            ui.label(RichText::new(format!("They first differ at call #{seq}:")).strong());
            ui.label(RichText::new(format!("{}: {x}", left.name)).monospace());
            ui.label(RichText::new(format!("{}: {y}", right.name)).monospace());
        }
        None if counts.0.max(counts.1) > MAX_COMPARED => {
            ui.label(format!("Their first {MAX_COMPARED} calls are the same."));
        }
        None if ended.0 && ended.1 => {
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
        for (col, branch, count) in [
            (&mut first[0], left, counts.0),
            (&mut second[0], right, counts.1),
        ] {
            col.strong(&branch.name);
            col.label(format!("{count} calls"));
            col.label(standing(branch));
            egui::ScrollArea::vertical()
                .id_salt(format!("compare-output-{}", branch.name))
                .max_height(240.0)
                .stick_to_bottom(true)
                .show(col, |ui| {
                    ui.add(
                        egui::Label::new(RichText::new(output_tail(&branch.run)).monospace())
                            .wrap(),
                    );
                });
        }
    });
    runs.compared = Some(compared);
}
