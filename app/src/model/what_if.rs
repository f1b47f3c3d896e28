//! What if…: for one call of the run (at its entry stop, or any row of the
//! Syscalls panel), the outcomes it could have had instead: each of its own
//! errors, a short read or write of K bytes for calls with buffers, and
//! other bytes for reads. Choosing one starts a branch (see `branches`);
//! the window drawing the choices is the window's.

use super::branches::WhatIf;
use super::run::RunState;
use super::workbench::Workbench;
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
    /// A window over call `seq`, shown as `shown`.
    pub fn new(seq: u64, call: &'static CallSpec, shown: String) -> WhatIfPrompt {
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
pub fn unescape(text: &str) -> Vec<u8> {
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
        let record = self.run().ring().get(seq);
        if let Some(r) = record {
            self.what_if = Some(WhatIfPrompt::new(seq, r.spec, r.call_text()));
        }
    }

    /// Opens the What if… window for the call the guest is stopped at the
    /// entry of. Returns whether it is stopped at one.
    pub fn ask_what_if_here(&mut self) -> bool {
        let run = self.run();
        let Some(snapshot) = &run.snapshot else {
            return false;
        };
        let StopReason::SyscallEntry { abi, name, args } = &snapshot.reason else {
            return false;
        };
        if run.state != RunState::Stopped {
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
