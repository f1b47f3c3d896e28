//! The Predict, then step window: at a syscall entry, the learner's guess
//! of what the call returns (and, where they follow from its arguments,
//! which bytes it writes), then the score once it has run.

use crate::model::predict::bytes_predictable;
use crate::model::run::RunState;
use crate::model::workbench::Workbench;
use egui::{Color32, RichText};
use wasmhole_runtime::abis::Ret;
use wasmhole_runtime::debug::{Command, StopReason};

/// The Predict window, while the mode is on.
pub fn window(ctx: &egui::Context, wb: &mut Workbench) {
    if !wb.predict.enabled {
        return;
    }
    let mut open = true;
    egui::Window::new("Predict, then step")
        .open(&mut open)
        .default_width(380.0)
        .anchor(egui::Align2::RIGHT_TOP, [-12.0, 60.0])
        .show(ctx, |ui| body(ui, wb));
    if !open {
        wb.predict.enabled = false;
    }
}

fn body(ui: &mut egui::Ui, wb: &mut Workbench) {
    ui.label(format!(
        "Score: {} of {} predictions right",
        wb.predict.right, wb.predict.total
    ));
    if let Some(last) = &wb.predict.last {
        let ok = last.result_right && last.bytes_right != Some(false);
        let colour = if ok {
            Color32::from_rgb(0x50, 0xc0, 0x60)
        } else {
            Color32::from_rgb(0xe0, 0x90, 0x40)
        };
        for line in &last.lines {
            ui.label(RichText::new(line).color(colour));
        }
        ui.separator();
    }
    let run = wb.run();
    let stopped = run.state == RunState::Stopped;
    let entry = match (&run.state, run.snapshot.as_ref().map(|s| &s.reason)) {
        (RunState::Stopped, Some(StopReason::SyscallEntry { abi, name, args })) => {
            wasmhole_runtime::abis::find(*abi, name).map(|spec| (spec, args.clone()))
        }
        _ => None,
    };
    let Some((spec, args)) = entry else {
        ui.label("Run to a syscall's entry to predict what it will do.");
        if ui
            .add_enabled(stopped, egui::Button::new("Run to the next syscall"))
            .clicked()
        {
            // From a call's exit, the next stop is the next call's entry.
            wb.resume(Command::NextSyscall);
        }
        return;
    };
    let call: Vec<String> = args
        .iter()
        .map(|a| format!("{}={}", a.name, a.shown))
        .collect();
    ui.label(
        RichText::new(format!("{}({})", spec.name, call.join(", ")))
            .monospace()
            .strong(),
    );
    if matches!(spec.ret, Ret::Never) {
        ui.label(format!("{} never returns: it ends the guest.", spec.name));
    } else {
        let label = ui.label("It will return (a number or an error name):");
        ui.add(egui::TextEdit::singleline(&mut wb.predict.result).desired_width(160.0))
            .labelled_by(label.id);
    }
    if bytes_predictable(spec) {
        let label = ui.label("It will write these bytes (like 0x8+4, 0x40..0x46):");
        ui.add(egui::TextEdit::singleline(&mut wb.predict.bytes).desired_width(240.0))
            .labelled_by(label.id);
        ui.label(
            RichText::new(
                "Which of its parameters are out-parameters, and how many bytes does each take?",
            )
            .weak(),
        );
    } else if crate::model::predict::writes_memory(spec) {
        ui.label(
            RichText::new(format!(
                "What {} writes into memory depends on what the host has for it, so it is not asked: it is shown once the call has run.",
                spec.name
            ))
            .weak(),
        );
    }
    if let Some(problem) = &wb.predict.problem {
        ui.label(RichText::new(problem).color(Color32::from_rgb(0xe0, 0x60, 0x60)));
    }
    if ui.button("Step and score").clicked() {
        wb.step_and_score();
    }
}
