//! How a guest ends: a call ending it ([`Fatal`]: exiting, killed, out of
//! time), what stopped it other than a normal exit ([`FailureKind`],
//! [`GuestFailure`]), and its [`ExitStatus`].

use std::fmt;

/// A call ending the guest instead of returning to it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Fatal {
    /// The guest asked to exit with this status.
    #[error("exited with status {0}")]
    Exit(i32),
    /// The host killed the guest for the stated reason.
    #[error("{reason}")]
    Kill {
        /// The call that killed it.
        call: &'static str,
        /// Why.
        reason: String,
        /// Whether it was killed for writing more than its output limit.
        output_limit: bool,
    },
    /// The run's time limit passed while the call was waiting (sleeping,
    /// or on host I/O).
    #[error("the time limit passed while {waiting}")]
    TimeLimit {
        /// The call that was waiting.
        call: &'static str,
        /// What it was waiting for, e.g. `sleeping for 10000 ms`.
        waiting: String,
    },
}

impl Fatal {
    /// A kill during `call` for `reason`.
    pub fn kill(call: &'static str, reason: impl Into<String>) -> Fatal {
        Fatal::Kill {
            call,
            reason: reason.into(),
            output_limit: false,
        }
    }

    /// Names `call` as the one that ended the guest, where the layer that
    /// failed (host I/O) could not know it.
    pub fn in_call(self, call: &'static str) -> Fatal {
        match self {
            Fatal::TimeLimit { call: "", waiting } => Fatal::TimeLimit { call, waiting },
            Fatal::Kill {
                call: "",
                reason,
                output_limit,
            } => Fatal::Kill {
                call,
                reason,
                output_limit,
            },
            other => other,
        }
    }

    /// The time limit passed while `call` was `waiting`.
    pub fn time_limit(call: &'static str, waiting: impl Into<String>) -> Fatal {
        Fatal::TimeLimit {
            call,
            waiting: waiting.into(),
        }
    }
}

/// What stopped a guest other than a normal exit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FailureKind {
    /// The program could not be compiled, linked or set up.
    Setup,
    /// It imports something no loaded ABI provides.
    MissingImport,
    /// It exports no entry point for its ABI.
    NoEntry,
    /// A wasm trap (unreachable, out-of-bounds access, divide by zero…).
    Trap,
    /// The wall-clock deadline passed.
    Timeout,
    /// The fuel budget ran out.
    OutOfFuel,
    /// A host call killed it (policy refusal, bad resource…).
    Killed,
    /// It wrote more than its output limit to stdout and stderr.
    OutputLimit,
}

/// Why a guest did not exit normally, in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GuestFailure {
    /// The guest's name.
    pub guest: String,
    /// What kind of failure.
    pub kind: FailureKind,
    /// The full message.
    pub message: String,
    /// The function and wasm offset it happened at, when known.
    pub location: Option<(String, usize)>,
}

impl fmt::Display for GuestFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for GuestFailure {}

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// The guest exited (returned from its entry point or asked to exit).
    Exited(i32),
    /// The guest was stopped.
    Failed(GuestFailure),
}

impl ExitStatus {
    /// The status a command-line runner exits with, as wasmtime's: the
    /// guest's own; 1 for a guest that could not start (set up, linked, or
    /// given an entry point); 134 for one stopped on its way (as if it had
    /// aborted: a trap, a limit, a kill).
    pub fn code(&self) -> i32 {
        match self {
            ExitStatus::Exited(code) => *code,
            ExitStatus::Failed(f) => match f.kind {
                FailureKind::Setup | FailureKind::MissingImport | FailureKind::NoEntry => 1,
                _ => 134,
            },
        }
    }
}
