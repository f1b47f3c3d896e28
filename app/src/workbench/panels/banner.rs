//! The banner across the top of the window: why the guest stopped (a
//! breakpoint, a syscall's entry or exit, a trap and its message), that it
//! is running or waiting for input, how it ended and what its exit status
//! means, or what went wrong opening or starting something. It is where the
//! learner looks; the status bar only repeats it.

use super::console::waiting_for_stdin;
use crate::model::action::Action;
use crate::model::branches::Reaching;
use crate::model::run::{Origin, RunState};
use crate::model::workbench::Workbench;
use egui::{Color32, RichText};
use wasmhole_runtime::calls::decode::hex_bytes;
use wasmhole_runtime::debug::{Pc, StopReason};
use wasmhole_runtime::{ExitStatus, FailureKind, Program};

/// How the banner is coloured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    /// Stopped or running as asked.
    Neutral,
    /// Ended well.
    Good,
    /// Needs the person (waiting for input, a non-zero exit).
    Warn,
    /// Something failed (a trap, a load error).
    Bad,
}

/// What the banner says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Banner {
    /// Its colour.
    pub tone: Tone,
    /// The one line that matters.
    pub headline: String,
    /// More, in words.
    pub detail: Option<String>,
}

impl Banner {
    fn new(tone: Tone, headline: impl Into<String>, detail: Option<String>) -> Banner {
        Banner {
            tone,
            headline: headline.into(),
            detail,
        }
    }
}

/// `in add (func 1), line 7: i32.add`.
fn place(pc: &Pc, program: Option<&Program>) -> String {
    let func = match &pc.func_name {
        Some(n) => format!("{n} (func {})", pc.func),
        None => format!("func {}", pc.func),
    };
    let line = pc
        .source_line
        .map(|l| format!(", line {l}"))
        .unwrap_or_default();
    let instr = program.map(|p| pc.instruction(p)).unwrap_or("");
    if instr.is_empty() {
        format!("in {func} at {:#x}{line}", pc.offset)
    } else {
        format!("in {func} at {:#x}{line}: {instr}", pc.offset)
    }
}

/// What an exit status means, by the conventions C programs and shells
/// follow.
pub fn exit_meaning(code: i32) -> String {
    match code {
        0 => "success".into(),
        1 => "failure: by convention any status but 0 means something went wrong; 1 is the general one".into(),
        2 => "failure: by convention 2 means the program was used wrongly (bad arguments)".into(),
        126 => "by a shell's convention, a command that could not run".into(),
        127 => "by a shell's convention, a command that was not found".into(),
        134 => "134 = 128 + 6 (SIGABRT): the program aborted, as C's abort() does; runtimes such as wasmtime also exit with 134 when a guest traps".into(),
        c if (129..=159).contains(&c) => {
            let signal = c - 128;
            let name = match signal {
                2 => " (SIGINT, interrupted)",
                6 => " (SIGABRT, aborted)",
                9 => " (SIGKILL, killed)",
                11 => " (SIGSEGV, bad memory access)",
                15 => " (SIGTERM, asked to stop)",
                _ => "",
            };
            format!("{c} = 128 + {signal}{name}: by a shell's convention, ended by that signal")
        }
        c => format!("failure: the program's own code {c} (any status but 0 means something went wrong)"),
    }
}

/// The banner for the workbench as it is now: the run's, with what a
/// what-if branch must say about itself and whether it is a replay.
pub fn banner(wb: &Workbench) -> Option<Banner> {
    let mut b = branch_banner(wb)?;
    if wb.problem.is_none()
        && let Some(note) = wb.replay_note()
    {
        // What the stop or the end says first, then that it is a replay.
        b.detail = Some(match b.detail.take() {
            Some(detail) => format!("{}. {note}", sentence(&detail)),
            None => note,
        });
    }
    Some(b)
}

/// `text` as a sentence: its first letter capitalised, no final stop.
fn sentence(text: &str) -> String {
    let text = text.trim_end_matches('.');
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn branch_banner(wb: &Workbench) -> Option<Banner> {
    let branch = wb.branches.current();
    let Some(change) = &branch.change else {
        return run_banner(wb);
    };
    if wb.problem.is_some() {
        return run_banner(wb);
    }
    let parent = branch
        .parent
        .and_then(|p| wb.branches.list.get(p))
        .map_or("main", |p| p.name.as_str());
    let mut lines = vec![format!(
        "What-if branch “{}” of {parent}: call #{} {} was changed to {}.",
        branch.name, change.seq, change.call, change.what
    )];
    lines.extend(branch.note.clone());
    lines.extend(branch.run.let_go.clone());
    let waiting = *wb.state() == RunState::Running && waiting_for_stdin(wb.run());
    if branch.reaching != Reaching::Done && !waiting {
        return Some(Banner::new(
            Tone::Neutral,
            format!("Running to call #{} to change it", change.seq),
            Some(lines.join(" ")),
        ));
    }
    let mut b = run_banner(wb).unwrap_or_else(|| Banner::new(Tone::Neutral, "", None));
    if b.headline.is_empty() {
        b.headline = branch.name.clone();
    }
    if branch.note.is_some() && b.tone == Tone::Neutral {
        b.tone = Tone::Warn;
    }
    lines.extend(b.detail.take().map(|d| format!("{}.", sentence(&d))));
    b.detail = Some(lines.join(" "));
    Some(b)
}

fn run_banner(wb: &Workbench) -> Option<Banner> {
    if let Some(problem) = &wb.problem {
        return Some(Banner::new(Tone::Bad, problem.clone(), None));
    }
    let run = wb.run();
    let program = wb.doc.program.as_ref();
    let here = || {
        run.snapshot
            .as_ref()
            .and_then(|s| s.pc())
            .map(|pc| place(pc, program))
            .unwrap_or_else(|| "in host code".into())
    };
    if let Some((seq, edge)) = run.going_back {
        let side = match edge {
            wasmhole_runtime::debug::Edge::Entry => "entry",
            wasmhole_runtime::debug::Edge::Exit => "exit",
        };
        return Some(Banner::new(
            Tone::Neutral,
            format!("Going back to the {side} of call #{seq}"),
            Some("The run is replayed from its start, at full speed, to that moment; the panels show it once it is there.".into()),
        ));
    }
    match &run.state {
        RunState::Idle if matches!(run.origin, Origin::Trace(_)) => Some(Banner::new(
            Tone::Neutral,
            "A recorded trace: there is no guest to step",
            Some("Its calls are in the Syscalls panel; select one to see what it does.".into()),
        )),
        RunState::Idle => run
            .let_go
            .as_ref()
            .map(|why| Banner::new(Tone::Warn, "This run's guest was let go", Some(why.clone()))),
        RunState::Running => {
            if run.compiling() {
                let (name, code) = match &wb.doc.program {
                    Some(p) => (p.name().to_string(), p.code_size()),
                    None => (run.name.clone(), 0),
                };
                return Some(Banner::new(
                    Tone::Neutral,
                    format!(
                        "Compiling {name} for stepping ({:.1} MB of code)…",
                        code as f64 / 1e6
                    ),
                    Some("The debugger instruments every instruction first; the guest then stops at its first instruction. The panels show the module meanwhile.".into()),
                ));
            }
            if waiting_for_stdin(run) && !run.console.input_ended {
                let call = run.waiting.as_ref().map_or("a read", |w| w.call.name);
                return Some(Banner::new(
                    Tone::Warn,
                    format!("Running: waiting in {call} for standard input"),
                    Some("Type a line in the Console and press Enter, or send the end of input (Ctrl+D).".into()),
                ));
            }
            if let Some(w) = &run.waiting
                && w.since.elapsed().as_millis() >= 500
            {
                let fd = match &w.fd {
                    Some((n, Some(label))) => format!(" on {n} ({label})"),
                    Some((n, None)) => format!(" on {n}"),
                    None => String::new(),
                };
                return Some(Banner::new(
                    Tone::Neutral,
                    format!(
                        "Running: in {}{fd} for {:.1} s",
                        w.call.name,
                        w.since.elapsed().as_secs_f32()
                    ),
                    Some(
                        "The host is carrying out the call; Pause stops the guest when it returns."
                            .into(),
                    ),
                ));
            }
            let detail = if wb.animation.is_some() {
                "Animating: one step at a time at the chosen speed."
            } else {
                "Panels show the guest as it was at its last stop; Memory is live. Pause (or a breakpoint) stops it."
            };
            Some(Banner::new(Tone::Neutral, "Running", Some(detail.into())))
        }
        RunState::Stopped => {
            let snapshot = run.snapshot.as_ref()?;
            Some(match &snapshot.reason {
                StopReason::Entry => Banner::new(
                    Tone::Neutral,
                    format!("Stopped at the start, {}", here()),
                    Some("Step (F11), run to the next syscall (F8), or Continue (F5).".into()),
                ),
                StopReason::Step => {
                    Banner::new(Tone::Neutral, format!("Stepped: now {}", here()), None)
                }
                StopReason::Breakpoint { .. } => Banner::new(
                    Tone::Neutral,
                    format!("Stopped at a breakpoint {}", here()),
                    None,
                ),
                StopReason::Reached { .. } => {
                    Banner::new(Tone::Neutral, format!("Reached {}", here()), None)
                }
                StopReason::Paused => {
                    Banner::new(Tone::Neutral, format!("Paused {}", here()), None)
                }
                StopReason::SyscallEntry { name, args, .. } => {
                    let args: Vec<String> = args
                        .iter()
                        .map(|a| format!("{}={}", a.name, a.shown))
                        .collect();
                    Banner::new(
                        Tone::Neutral,
                        format!("About to call {name}({})", args.join(", ")),
                        Some(format!(
                            "The guest is calling its host {}. Next syscall (F8) carries the call out and stops as it returns.",
                            here()
                        )),
                    )
                }
                StopReason::SyscallExit { record, written } => {
                    let wrote: Vec<String> = written
                        .iter()
                        .map(|w| {
                            format!(
                                "wrote {} bytes at {:#x}: {} -> {}",
                                w.after.len(),
                                w.start,
                                hex_bytes(&w.before, 12),
                                hex_bytes(&w.after, 12)
                            )
                        })
                        .collect();
                    let detail = if wrote.is_empty() {
                        "It wrote nothing into the guest's memory.".to_string()
                    } else {
                        wrote.join("; ")
                    };
                    Banner::new(
                        if record.is_error() {
                            Tone::Warn
                        } else {
                            Tone::Neutral
                        },
                        format!("{} returned {}", record.name, record.result_text()),
                        Some(detail),
                    )
                }
                StopReason::Trap { message } => Banner::new(
                    Tone::Bad,
                    format!("Trapped: {message}"),
                    Some(format!(
                        "The guest broke a rule of WebAssembly {}. Its state is shown as it was; Continue ends it.",
                        here()
                    )),
                ),
            })
        }
        RunState::Exited(ExitStatus::Exited(code)) => {
            let headline = match &run.status_source {
                Some(source) => format!(
                    "Exited with status {code} = {}, which {} returned at call #{}",
                    source.error, source.call, source.seq
                ),
                None => format!("Exited with status {code}"),
            };
            Some(Banner::new(
                if *code == 0 { Tone::Good } else { Tone::Warn },
                headline,
                Some(exit_meaning(*code)),
            ))
        }
        RunState::Exited(ExitStatus::Failed(f)) => {
            let why = match f.kind {
                FailureKind::Trap => "it trapped",
                FailureKind::Timeout => "it ran past the time limit in the Run configuration",
                FailureKind::OutOfFuel => {
                    "it ran out of fuel (the instruction budget in the Run configuration)"
                }
                FailureKind::OutputLimit => {
                    "it wrote more than the output limit in the Run configuration"
                }
                FailureKind::Killed => "the host stopped it",
                FailureKind::Setup | FailureKind::MissingImport | FailureKind::NoEntry => {
                    "it could not start"
                }
            };
            let headline = f.message.lines().next().unwrap_or(&f.message).to_string();
            let code = ExitStatus::Failed(f.clone()).code();
            Some(Banner::new(
                Tone::Bad,
                headline,
                Some(format!(
                    "The guest did not exit by itself: {why}. A command-line run reports exit status {code} ({}).",
                    exit_meaning(code)
                )),
            ))
        }
    }
}

/// Draws the banner, if there is one to show.
pub fn ui(ui: &mut egui::Ui, wb: &Workbench) -> Vec<Action> {
    let mut actions = Vec::new();
    let Some(b) = banner(wb) else {
        return actions;
    };
    let (fill, text) = match b.tone {
        Tone::Neutral => (
            Color32::from_rgb(0x23, 0x33, 0x4a),
            Color32::from_rgb(0xdd, 0xe6, 0xf0),
        ),
        Tone::Good => (
            Color32::from_rgb(0x21, 0x42, 0x2a),
            Color32::from_rgb(0xd8, 0xf0, 0xd8),
        ),
        Tone::Warn => (
            Color32::from_rgb(0x4a, 0x3c, 0x16),
            Color32::from_rgb(0xf4, 0xe4, 0xb8),
        ),
        Tone::Bad => (
            Color32::from_rgb(0x55, 0x20, 0x20),
            Color32::from_rgb(0xff, 0xdc, 0xdc),
        ),
    };
    egui::Frame::new()
        .fill(fill)
        .inner_margin(egui::Margin::symmetric(10, 6))
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            // The headline wraps in the room the buttons leave it: they
            // never cover it.
            let what_if = wb.problem.is_none()
                && wb.run().origin == Origin::Live
                && matches!(
                    wb.run().snapshot.as_ref().map(|s| &s.reason),
                    Some(StopReason::SyscallEntry { .. })
                )
                && *wb.state() == RunState::Stopped;
            let button_room = if wb.problem.is_some() || what_if {
                110.0
            } else {
                0.0
            };
            ui.horizontal_top(|ui| {
                let text_width = (ui.available_width() - button_room).max(120.0);
                ui.allocate_ui(egui::vec2(text_width, 0.0), |ui| {
                    ui.set_width(text_width);
                    ui.add(
                        egui::Label::new(
                            RichText::new(&b.headline).strong().size(16.0).color(text),
                        )
                        .wrap(),
                    );
                });
                if wb.problem.is_some() {
                    if ui.small_button("Dismiss").clicked() {
                        actions.push(Action::DismissProblem);
                    }
                } else if what_if
                    && ui
                        .button("What if…")
                        .on_hover_text("Run again with this call's outcome changed")
                        .clicked()
                {
                    actions.push(Action::WhatIfHere);
                }
            });
            if let Some(detail) = &b.detail {
                ui.add(egui::Label::new(RichText::new(detail).color(text)).wrap());
            }
        });
    actions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_statuses_are_explained() {
        assert_eq!(exit_meaning(0), "success");
        assert!(exit_meaning(134).starts_with("134 = 128 + 6 (SIGABRT)"));
        assert!(exit_meaning(137).contains("SIGKILL"));
        assert!(exit_meaning(3).contains("program's own code 3"));
    }
}
