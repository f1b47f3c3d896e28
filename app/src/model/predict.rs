//! Predict, then step: at each syscall entry the learner says what the call
//! will return (a number or an error name) and, for calls whose writes into
//! guest memory follow from their arguments, which bytes they will write;
//! the workbench then steps to the call's exit and scores the prediction
//! against what the host did. Nothing of the answer is shown before the
//! guess, and nothing is asked that depends on what the host holds (how
//! many bytes a read gets).

use std::collections::BTreeSet;
use wasmhole_runtime::ExitStatus;
use wasmhole_runtime::abis::{CallSpec, Kind, Ret};
use wasmhole_runtime::calls::decode::hex_bytes;
use wasmhole_runtime::calls::record::{CallOutcome, SyscallRecord};
use wasmhole_runtime::debug::WrittenBytes;
use wasmhole_runtime::sandbox::guest_memory::MemRange;

/// A prediction sent off, waiting for the call's exit.
#[derive(Clone, Debug)]
struct Sent {
    call: &'static str,
    result: String,
    bytes: Option<BTreeSet<u32>>,
}

/// How a prediction went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scored {
    /// The call.
    pub call: String,
    /// Whether the result was right.
    pub result_right: bool,
    /// Whether the bytes were right (`None`: the call writes no memory).
    pub bytes_right: Option<bool>,
    /// What happened, in lines.
    pub lines: Vec<String>,
}

/// The mode's state.
#[derive(Default)]
pub struct Predict {
    /// Whether the mode is on.
    pub enabled: bool,
    /// The predicted result, as typed.
    pub result: String,
    /// The predicted bytes, as typed (`0x8+4, 0x40..0x46`).
    pub bytes: String,
    sent: Option<Sent>,
    /// The last prediction scored.
    pub last: Option<Scored>,
    /// Predictions entirely right.
    pub right: u32,
    /// Predictions scored.
    pub total: u32,
    /// Why the typed prediction cannot be read.
    pub problem: Option<String>,
}

/// Whether a call writes guest memory through one of its parameters.
pub fn writes_memory(spec: &CallSpec) -> bool {
    spec.params.iter().any(|p| {
        matches!(
            p.kind,
            Kind::BytesOut { .. }
                | Kind::IovsOut { .. }
                | Kind::OutCStrings
                | Kind::OutU32
                | Kind::OutU64
                | Kind::OutFd
                | Kind::OutStruct(_)
                | Kind::StructsOut { .. }
        )
    })
}

/// Whether the bytes a call writes follow from its arguments alone: it
/// writes only fixed-size values at pointers it is given. A read's buffer,
/// a list of names or directory entries is filled with as much as the host
/// has, which no one can predict from the call.
pub fn bytes_predictable(spec: &CallSpec) -> bool {
    writes_memory(spec)
        && spec.params.iter().all(|p| {
            !matches!(
                p.kind,
                Kind::BytesOut { .. }
                    | Kind::IovsOut { .. }
                    | Kind::OutCStrings
                    | Kind::StructsOut { .. }
            )
        })
}

/// Reads `0x8+4, 64..70, 100` as a set of byte addresses: `A+N` is N bytes
/// from A, `A..B` the bytes from A up to B, a lone address one byte.
pub fn parse_bytes(text: &str) -> Result<BTreeSet<u32>, String> {
    let number = |t: &str| -> Result<u32, String> {
        let t = t.trim();
        let parsed = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
            Some(hex) => u32::from_str_radix(hex, 16),
            None => t.parse(),
        };
        parsed.map_err(|_| format!("`{t}` is not an address"))
    };
    let mut set = BTreeSet::new();
    for part in text
        .split([',', ' '])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let (start, end) = if let Some((a, n)) = part.split_once('+') {
            let a = number(a)?;
            (a, a.saturating_add(number(n)?))
        } else if let Some((a, b)) = part.split_once("..") {
            (number(a)?, number(b)?)
        } else {
            let a = number(part)?;
            (a, a.saturating_add(1))
        };
        if end.saturating_sub(start) > 1 << 20 {
            return Err(format!("`{part}` is more than a MiB of bytes"));
        }
        set.extend(start..end);
    }
    Ok(set)
}

/// Ranges of consecutive addresses, as `0x8+4`.
fn ranges_text(set: &BTreeSet<u32>) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut iter = set.iter().copied().peekable();
    while let Some(start) = iter.next() {
        let mut end = start;
        while iter.peek() == Some(&(end + 1)) {
            end = iter.next().unwrap_or(end);
        }
        out.push(format!("{start:#x}+{}", end - start + 1));
    }
    if out.is_empty() {
        "nothing".into()
    } else {
        out.join(", ")
    }
}

fn written_set(writes: &[MemRange]) -> BTreeSet<u32> {
    writes
        .iter()
        .flat_map(|r| r.start..r.start.saturating_add(r.len))
        .collect()
}

/// Whether a typed result matches what the call returned.
fn result_matches(typed: &str, record: &SyscallRecord) -> Result<bool, String> {
    let typed = typed.trim();
    let CallOutcome::Returned(res) = &record.outcome else {
        return Ok(typed.is_empty() || typed.eq_ignore_ascii_case("nothing"));
    };
    let parsed = match typed.strip_prefix("0x") {
        Some(hex) => i64::from_str_radix(hex, 16).ok(),
        None => typed.parse::<i64>().ok(),
    };
    if let Some(n) = parsed {
        return Ok(n == res.raw || n == res.raw as i32 as i64);
    }
    if typed.is_empty() {
        return Err("say what it returns: a number or an error name".into());
    }
    let name = typed.to_ascii_uppercase();
    let name = name.as_str();
    Ok(match res.error {
        Some(e) => e == name || e.strip_prefix('E') == Some(name),
        None => matches!(name, "SUCCESS" | "ESUCCESS" | "OK") && res.raw == 0,
    })
}

impl Predict {
    /// Takes the typed prediction for `spec`, the call at whose entry the
    /// guest is: refused (with `problem` set) when what is typed cannot be
    /// read or nothing is said of what the call returns.
    pub fn send(&mut self, spec: &'static CallSpec) -> bool {
        if self.result.trim().is_empty() && !matches!(spec.ret, Ret::Never) {
            self.problem = Some("say what it returns first: a number or an error name".into());
            return false;
        }
        let bytes = if bytes_predictable(spec) {
            match parse_bytes(&self.bytes) {
                Ok(b) => Some(b),
                Err(e) => {
                    self.problem = Some(e);
                    return false;
                }
            }
        } else {
            None
        };
        self.problem = None;
        self.sent = Some(Sent {
            call: spec.name,
            result: self.result.clone(),
            bytes,
        });
        self.last = None;
        true
    }

    /// Whether a prediction waits for its call's exit.
    pub fn waiting(&self) -> bool {
        self.sent.is_some()
    }

    /// Scores the prediction sent against the call as it returned.
    pub fn score(&mut self, record: &SyscallRecord, written: &[WrittenBytes]) {
        let Some(sent) = self.sent.take() else {
            return;
        };
        let result_right = result_matches(&sent.result, record).unwrap_or(false);
        let mut lines = vec![format!(
            "{} returned {}; you said {}: {}",
            record.name,
            record.result_text(),
            if sent.result.trim().is_empty() {
                "nothing"
            } else {
                sent.result.trim()
            },
            if result_right { "right" } else { "not quite" }
        )];
        let bytes_right = sent.bytes.as_ref().map(|predicted| {
            let actual = written_set(&record.writes);
            let right = *predicted == actual;
            lines.push(format!(
                "It wrote {}; you said {}: {}",
                ranges_text(&actual),
                ranges_text(predicted),
                if right { "right" } else { "not quite" }
            ));
            right
        });
        for w in written {
            lines.push(format!(
                "{:#x}: {} -> {}",
                w.start,
                hex_bytes(&w.before, 16),
                hex_bytes(&w.after, 16)
            ));
        }
        self.total += 1;
        if result_right && bytes_right != Some(false) {
            self.right += 1;
        }
        self.last = Some(Scored {
            call: record.name.to_string(),
            result_right,
            bytes_right,
            lines,
        });
    }

    /// The guest ended before the predicted call returned.
    pub fn ended(&mut self, status: &ExitStatus) {
        let Some(sent) = self.sent.take() else {
            return;
        };
        self.last = Some(Scored {
            call: sent.call.to_string(),
            result_right: false,
            bytes_right: None,
            lines: vec![format!(
                "{} did not return: the guest ended ({}).",
                sent.call,
                status.code()
            )],
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_predictions_read_as_sets_of_addresses() {
        let set = parse_bytes("0x8+4, 16..18 0x20").unwrap();
        assert_eq!(
            set.into_iter().collect::<Vec<_>>(),
            vec![8, 9, 10, 11, 16, 17, 32]
        );
        assert!(parse_bytes("").unwrap().is_empty());
        assert!(parse_bytes("here").is_err());
        assert!(parse_bytes("0+0x7fffffff").is_err());
        assert_eq!(
            ranges_text(&parse_bytes("8+4 64..66").unwrap()),
            "0x8+4, 0x40+2"
        );
    }

    #[test]
    fn only_bytes_that_follow_from_the_arguments_are_asked_for() {
        let call = |name| wasmhole_runtime::abis::find(wasmhole_runtime::Abi::Wasi, name).unwrap();
        // nwritten: four bytes at the pointer given.
        assert!(bytes_predictable(call("fd_write")));
        // How much a read gets is the host's to say.
        assert!(writes_memory(call("fd_read")) && !bytes_predictable(call("fd_read")));
        assert!(!bytes_predictable(call("random_get")));
        // A call that writes nothing asks for nothing.
        assert!(!bytes_predictable(call("fd_close")));
    }
}
