//! `SyscallRecord`: what one host call did, decoded for people: its
//! arguments, its result and error name, the memory it touched, its timing.

use crate::abis::call::CallSpec;
use crate::module::abi::Abi;
use crate::sandbox::guest_memory::MemRange;
use serde::Serialize;
use std::fmt::Write as _;

/// One decoded argument.
#[derive(Clone, Debug, Serialize)]
pub struct ArgValue {
    /// Parameter name.
    pub name: &'static str,
    /// The raw value the guest passed.
    pub raw: u64,
    /// The value as a person reads it: strings, flags by name, descriptors
    /// with what they are, out-values after the call.
    pub shown: String,
}

/// The decoded result of a call that returned.
#[derive(Clone, Debug, Serialize)]
pub struct CallResult {
    /// The raw value returned (sign-extended).
    pub raw: i64,
    /// The error's name when the value is an error (`EBADF`, `NOT_FOUND`, …).
    pub error: Option<&'static str>,
    /// What the error means, in words.
    pub meaning: Option<&'static str>,
}

/// How the call ended.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum CallOutcome {
    /// It returned to the guest.
    Returned(CallResult),
    /// It returned nothing (a `void` call).
    Done,
    /// The guest exited during the call.
    Exited {
        /// The exit status.
        status: i32,
    },
    /// The host killed the guest during the call.
    Killed {
        /// Why.
        reason: String,
    },
}

impl CallOutcome {
    /// How a call ended, as a trace line ends: `0`, `8 EBADF (Bad file
    /// descriptor)`, `? <exited with status 1>` …
    pub fn text(&self) -> String {
        match self {
            CallOutcome::Returned(r) => match (r.error, r.meaning) {
                (Some(e), Some(m)) => format!("{} {e} ({m})", r.raw),
                (Some(e), None) => format!("{} {e}", r.raw),
                _ => r.raw.to_string(),
            },
            CallOutcome::Done => "()".into(),
            CallOutcome::Exited { status } => format!("? <exited with status {status}>"),
            CallOutcome::Killed { reason } => format!("? <killed: {reason}>"),
        }
    }
}

/// Everything about one host call.
#[derive(Clone, Debug, Serialize)]
pub struct SyscallRecord {
    /// 1-based sequence number within the process.
    pub seq: u64,
    /// The ABI of the call.
    pub abi: Abi,
    /// The call's name.
    pub name: &'static str,
    /// Decoded arguments.
    pub args: Vec<ArgValue>,
    /// How it ended.
    pub outcome: CallOutcome,
    /// Guest memory the host read.
    pub reads: Vec<MemRange>,
    /// Guest memory the host wrote.
    pub writes: Vec<MemRange>,
    /// Start time, in nanoseconds since the process started.
    pub start_ns: u64,
    /// How long the call took, in nanoseconds.
    pub duration_ns: u64,
    /// Whether its outcome was injected (`--inject`) instead of the call
    /// running as usual.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub injected: bool,
    /// The call's description.
    #[serde(skip)]
    pub spec: &'static CallSpec,
}

impl SyscallRecord {
    /// Whether the call returned an error.
    pub fn is_error(&self) -> bool {
        match &self.outcome {
            CallOutcome::Returned(r) => r.error.is_some(),
            CallOutcome::Killed { .. } => true,
            _ => false,
        }
    }

    /// The error's name, if the call failed.
    pub fn error_name(&self) -> Option<&str> {
        match &self.outcome {
            CallOutcome::Returned(r) => r.error,
            CallOutcome::Killed { .. } => Some("KILLED"),
            _ => None,
        }
    }

    /// The result part of a trace line: `0`, `8 EBADF (Bad file descriptor)`,
    /// `?` …, marked ` (INJECTED)` as strace marks it when injected.
    pub fn result_text(&self) -> String {
        let text = self.outcome.text();
        if self.injected {
            format!("{text} (INJECTED)")
        } else {
            text
        }
    }

    /// The call without its result: `fd_write(fd=1<stdout>, iovs=[…], …)`.
    pub fn call_head(&self) -> String {
        let mut line = format!("{}(", self.name);
        for (i, a) in self.args.iter().enumerate() {
            if i > 0 {
                line.push_str(", ");
            }
            let _ = write!(line, "{}={}", a.name, a.shown);
        }
        line.push(')');
        line
    }

    /// The call as strace shows it, without timing:
    /// `fd_write(fd=1<stdout>, iovs=[…], …) = 0`.
    pub fn call_text(&self) -> String {
        format!("{} = {}", self.call_head(), self.result_text())
    }

    /// One strace-like line: `fd_write(fd=1<stdout>, iovs=[…], …) = 0 <0.000004>`.
    pub fn trace_line(&self) -> String {
        format!(
            "{} <{}.{:06}>",
            self.call_text(),
            self.duration_ns / 1_000_000_000,
            (self.duration_ns / 1000) % 1_000_000
        )
    }
}
