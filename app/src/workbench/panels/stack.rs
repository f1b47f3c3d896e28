//! The Stack panel: the call stack (selecting a frame moves the Source and
//! Disassembly highlight to it), the selected frame's locals and operand
//! stack, and the instance's globals, each by its name from the name
//! section, in decimal and hex, with pointers that open in Memory.

use super::STALE;
use crate::model::action::Action;
use crate::model::document::Document;
use crate::model::moment::Shown;
use crate::model::run::Run;
use crate::model::view::RunView;
use egui::RichText;
use wasmhole_runtime::Program;
use wasmhole_runtime::debug::Value;

/// The address a value would point at, if it is an integer inside memory.
pub fn as_pointer(v: &Value, memory_size: usize) -> Option<u32> {
    let addr = match *v {
        Value::I32(i) => i as u32 as u64,
        Value::I64(i) if i >= 0 => i as u64,
        _ => return None,
    };
    (addr < memory_size as u64).then_some(addr as u32)
}

/// Draws the panel.
pub fn ui(ui: &mut egui::Ui, doc: &Document, run: &Run, view: &mut RunView) -> Vec<Action> {
    let shown = run.moment().shown;
    match shown {
        Shown::Nothing | Shown::GoingBack | Shown::LetGo => {
            ui.label(match shown {
                Shown::GoingBack => "Going back: the stack is shown once the guest is there.",
                Shown::LetGo => "Its guest was let go: there is no stack to show.",
                _ if run.compiling() => {
                    "Not made yet: the guest starts once its module is compiled."
                }
                _ => "No guest is stopped: there is no stack to show.",
            });
            return Vec::new();
        }
        Shown::LastStop => {
            ui.label(
                RichText::new("The guest is running: this is the stack at its last stop.")
                    .color(STALE),
            );
        }
        Shown::AtExit => {
            ui.label(
                RichText::new("The guest has ended: it has no call stack. Its globals at exit:")
                    .color(STALE),
            );
        }
        Shown::Current => {}
    }
    let program = doc.program.as_ref();
    let memory_size = run.memory.size;
    let mut follow = None;
    if shown != Shown::AtExit
        && let Some(snapshot) = &run.snapshot
    {
        ui.strong("Call stack");
        for (i, f) in snapshot.frames.iter().enumerate() {
            let instr = program.map(|p| f.pc.instruction(p)).unwrap_or("");
            let text = RichText::new(format!("#{i} {}  {instr}", f.pc)).monospace();
            if ui
                .selectable_label(view.frame == i, text)
                .on_hover_text(
                    "Show this frame's locals, and where it is in Source and Disassembly",
                )
                .clicked()
            {
                view.frame = i;
            }
        }
        if snapshot.frames.is_empty() {
            ui.label("(no wasm frames)");
        }
        if let Some(frame) = snapshot.frames.get(view.frame) {
            ui.separator();
            ui.strong(format!(
                "Locals of {}",
                program
                    .map(|p| p.func_label(frame.pc.func))
                    .unwrap_or_else(|| format!("func {}", frame.pc.func))
            ));
            let name = |i: usize| {
                program
                    .and_then(|p| p.local_name(frame.pc.func, i as u32))
                    .map(|n| format!("${n}"))
                    .unwrap_or_else(|| format!("local {i}"))
            };
            values_grid(ui, "locals", &frame.locals, name, memory_size, &mut follow);
            ui.strong("Operand stack (top last)");
            // Only the innermost frame is at the syscall's call instruction.
            let pending = (view.frame == 0).then(|| snapshot.pending_call()).flatten();
            let operand = |i: usize| match pending.as_ref().and_then(|p| p.operand_role(i)) {
                Some(role) => format!("[{i}] {role}"),
                None => format!("[{i}]"),
            };
            values_grid(
                ui,
                "operands",
                &frame.stack,
                operand,
                memory_size,
                &mut follow,
            );
            if let Some(pending) = &pending {
                ui.label(RichText::new(pending.explanation()).weak());
            }
        }
        ui.separator();
    }
    let globals: &[Value] = match (shown, &run.exit, &run.snapshot) {
        (Shown::AtExit, Some(exit), _) => &exit.globals,
        (_, _, Some(s)) => &s.globals,
        _ => &[],
    };
    ui.strong("Globals");
    let name = |i: usize| global_name(program, i);
    values_grid(ui, "globals", globals, name, memory_size, &mut follow);
    follow.map(Action::ShowMemory).into_iter().collect()
}

fn global_name(program: Option<&Program>, i: usize) -> String {
    program
        .and_then(|p| p.global_name(i as u32))
        .map(|n| format!("${n}"))
        .unwrap_or_else(|| format!("global {i}"))
}

/// Name, type, decimal, hex, and a button to show a pointer in Memory.
fn values_grid(
    ui: &mut egui::Ui,
    id: &str,
    values: &[Value],
    name: impl Fn(usize) -> String,
    memory_size: usize,
    follow: &mut Option<u32>,
) {
    if values.is_empty() {
        ui.label(RichText::new("(none)").weak());
        return;
    }
    egui::Grid::new(id)
        .striped(true)
        .num_columns(5)
        .show(ui, |ui| {
            for (i, v) in values.iter().enumerate() {
                let (ty, dec, hex) = v.columns();
                ui.label(RichText::new(name(i)).monospace().strong());
                ui.label(RichText::new(ty).monospace().weak());
                ui.label(RichText::new(dec).monospace());
                ui.label(RichText::new(hex).monospace());
                match as_pointer(v, memory_size) {
                    Some(addr) => {
                        if ui
                            .small_button(format!("show {addr:#x} in Memory"))
                            .on_hover_text("Read this value as an address in linear memory")
                            .clicked()
                        {
                            *follow = Some(addr);
                        }
                    }
                    None => {
                        ui.label("");
                    }
                }
                ui.end_row();
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_show_in_decimal_and_hex() {
        assert_eq!(
            Value::I32(-67043328).columns(),
            ("i32", "-67043328".into(), "0xfc010000".into())
        );
        assert_eq!(
            Value::I64(255).columns(),
            ("i64", "255".into(), "0xff".into())
        );
        assert_eq!(Value::I32(40).shown(), "i32 40 (0x28)");
        assert_eq!(as_pointer(&Value::I32(16), 65536), Some(16));
        assert_eq!(as_pointer(&Value::I32(-1), 65536), None);
        assert_eq!(as_pointer(&Value::F32(1.0), 65536), None);
    }
}
