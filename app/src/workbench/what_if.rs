//! The What if… window: for one call of the run (at its entry stop, or any
//! row of the Syscalls panel), the outcomes it could have had instead: each
//! of its own errors with its meaning, a short read or write of K bytes for
//! calls with buffers, and other bytes for reads. Choosing one starts a
//! branch (see `branches`).

use super::branches::WhatIf;
use super::state::{RunState, Workbench};
use egui::RichText;
use wasmhole_runtime::calls::{self, CallSpec, Purpose};
use wasmhole_runtime::debug::StopReason;
use wasmhole_runtime::inject::transfers_bytes;

/// The window's state: the call asked about and the values typed.
pub struct WhatIfPrompt {
    /// The call's number in the run.
    pub seq: u64,
    /// Its description.
    pub call: &'static CallSpec,
    /// The call as made, for the title.
    pub shown: String,
    /// K for a short read or write.
    pub short: u32,
    /// Other bytes for a read (text, with `\n` for a newline).
    pub bytes: String,
    /// Why the last choice was refused.
    pub error: Option<String>,
}

/// Whether `call` reads into the guest's buffers.
pub fn is_read(call: &CallSpec) -> bool {
    call.purpose == Some(Purpose::Read) && transfers_bytes(call)
}

impl WhatIfPrompt {
    fn new(seq: u64, call: &'static CallSpec, shown: String) -> WhatIfPrompt {
        WhatIfPrompt {
            seq,
            call,
            shown,
            short: 1,
            bytes: String::new(),
            error: None,
        }
    }
}

/// Typed text with `\n`, `\t` and `\\` turned into the bytes they name.
fn unescape(text: &str) -> Vec<u8> {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('0') => out.push('\0'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out.into_bytes()
}

impl Workbench {
    /// Opens the What if… window for call `seq` as recorded in the
    /// Syscalls panel.
    pub fn ask_what_if(&mut self, seq: u64) {
        let record = {
            let ring = self.records.lock().unwrap_or_else(|e| e.into_inner());
            ring.get(seq)
        };
        if let Some(r) = record {
            self.what_if = Some(WhatIfPrompt::new(seq, r.spec, r.call_text()));
        }
    }

    /// Opens the What if… window for the call the guest is stopped at the
    /// entry of. Returns whether it is stopped at one.
    pub fn ask_what_if_here(&mut self) -> bool {
        let Some(snapshot) = &self.snapshot else {
            return false;
        };
        let StopReason::SyscallEntry { abi, name, args } = &snapshot.reason else {
            return false;
        };
        if self.state != RunState::Stopped {
            return false;
        }
        let Some(call) = calls::find(*abi, name) else {
            return false;
        };
        let args: Vec<String> = args
            .iter()
            .map(|a| format!("{}={}", a.name, a.shown))
            .collect();
        let shown = format!("{name}({})", args.join(", "));
        self.what_if = Some(WhatIfPrompt::new(snapshot.last_seq + 1, call, shown));
        true
    }

    /// Makes the choice in the open window: starts the branch, or keeps
    /// the window open with the reason it cannot.
    pub fn choose_what_if(&mut self, choice: WhatIf) {
        let Some(prompt) = &self.what_if else { return };
        let (seq, call) = (prompt.seq, prompt.call);
        match self.what_if(seq, call, choice) {
            Ok(()) => self.what_if = None,
            Err(e) => {
                if let Some(p) = &mut self.what_if {
                    p.error = Some(e);
                }
            }
        }
    }
}

/// Draws the window, if open.
pub fn window(ctx: &egui::Context, wb: &mut Workbench) {
    let Some(prompt) = &mut wb.what_if else {
        return;
    };
    let call = prompt.call;
    let mut choice = None;
    let mut close = false;
    egui::Window::new(format!("What if call #{} …", prompt.seq))
        .collapsible(false)
        .default_width(560.0)
        .anchor(egui::Align2::CENTER_TOP, egui::vec2(0.0, 60.0))
        .show(ctx, |ui| {
            ui.label(RichText::new(format!("#{} {}", prompt.seq, prompt.shown)).monospace());
            ui.label(
                "The program runs again from the start, with the same configuration and breakpoints, \
                 and this call has the outcome you choose. It stops as the call returns.",
            );
            if transfers_bytes(call) {
                ui.separator();
                let what = if is_read(call) { "read" } else { "write" };
                ui.horizontal(|ui| {
                    if ui.button(format!("Short {what}")).clicked() {
                        choice = Some(WhatIf::Short(prompt.short));
                    }
                    let label = ui.label("at most");
                    ui.add(egui::DragValue::new(&mut prompt.short).range(0..=1 << 20))
                        .labelled_by(label.id);
                    ui.label("bytes");
                });
            }
            if is_read(call) {
                ui.horizontal(|ui| {
                    if ui.button("Other bytes").clicked() {
                        choice = Some(WhatIf::Bytes(unescape(&prompt.bytes)));
                    }
                    let label = ui.label("the read gets");
                    ui.add(
                        egui::TextEdit::singleline(&mut prompt.bytes)
                            .hint_text("text, \\n for a newline"),
                    )
                    .labelled_by(label.id);
                });
            }
            ui.separator();
            let names = call.error_names();
            if call.errors.is_empty() {
                ui.label(RichText::new("This call returns no error.").weak());
            } else {
                ui.strong("Fail with one of its errors");
                egui::ScrollArea::vertical()
                    .max_height(420.0)
                    .show(ui, |ui| {
                        egui::Grid::new("what-if-errors")
                            .num_columns(2)
                            .striped(true)
                            .show(ui, |ui| {
                                for e in call.errors {
                                    if ui.button(e.name).clicked() {
                                        choice = Some(WhatIf::Error(e.name));
                                    }
                                    let meaning = names
                                        .and_then(|n| {
                                            n.values
                                                .iter()
                                                .find(|(_, name, _)| *name == e.name)
                                                .map(|(_, _, m)| *m)
                                        })
                                        .unwrap_or("");
                                    let text = if meaning.is_empty() {
                                        e.when.to_string()
                                    } else {
                                        format!("{meaning}: {}", e.when)
                                    };
                                    ui.add(egui::Label::new(&text).truncate())
                                        .on_hover_text(&text);
                                    ui.end_row();
                                }
                            });
                    });
            }
            if let Some(e) = &prompt.error {
                ui.colored_label(egui::Color32::from_rgb(0xe0, 0x60, 0x60), e);
            }
            ui.separator();
            if ui.button("Cancel").clicked() {
                close = true;
            }
        });
    if close {
        wb.what_if = None;
    } else if let Some(choice) = choice {
        wb.choose_what_if(choice);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_bytes_name_newlines_and_tabs() {
        assert_eq!(unescape(r"a\nb\tc\\d"), b"a\nb\tc\\d");
        assert_eq!(unescape("plain"), b"plain");
        assert_eq!(unescape(r"end\"), b"end\\");
    }
}
