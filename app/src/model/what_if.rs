//! What if…: for one call of the run (at its entry stop, or any row of the
//! Syscalls panel), the outcomes it could have had instead: each of its own
//! errors, a short read or write of K bytes for calls with buffers, and
//! other bytes for reads. Choosing one starts a branch (see `branches`);
//! the window drawing the choices is the window's.

use wasmhole_runtime::abis::{CallSpec, Purpose};
use wasmhole_runtime::calls::inject::transfers_bytes;

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
