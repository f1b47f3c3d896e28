//! Recording a run call by call, and replaying it. A [`Recording`] keeps,
//! for every call of every ABI (it is fed from `host::invoke` and the
//! debugger's observed calls, the one place all calls pass), the call's
//! arguments, outcome, the bytes it wrote into guest memory and to the
//! console, and its descriptor changes: to a JSON-lines file (`run
//! --record`) or a packed in-memory [`Tape`] (every debug session). A
//! [`Replayer`] re-executes the guest answering each call from a tape,
//! touching nothing outside, and stops at the first difference
//! ([`Divergence`]). A debug session rewinds by replaying its own tape up
//! to the call asked for.

mod format;
mod load;
mod recording;
mod replayer;
mod tape;

pub use format::{
    ConsoleOutput, Ending, Entry, FORMAT_VERSION, FdChange, Header, Line, Opened, Outcome,
    RecordedLimits, Stream, Written,
};
pub use load::{LoadedRecording, is_recording, load};
pub use recording::{Recording, sha256_hex};
pub use replayer::{Divergence, DivergenceSlot, RECORDING_ENDS, Replayed, Replayer, replay_call};
pub use tape::{
    JsonLinesTape, MAX_TAPE_BYTES, MemorySink, SharedFileTape, SharedTape, Tape, TapeSink,
};

use crate::abis::call::{CallSpec, Fatal};
use crate::sandbox::exit::ExitStatus;
use crate::sandbox::guest_memory::MemRange;
use crate::sandbox::process::Process;

/// Whether a process runs live, is recorded, or is a replay.
#[derive(Default)]
pub enum Mode {
    /// Calls run and nothing is kept.
    #[default]
    Live,
    /// Calls run and each is recorded.
    Record(Recording),
    /// Calls are answered from a recording.
    Replay(Replayer),
}

impl Mode {
    /// Whether calls are being recorded.
    pub fn is_recording(&self) -> bool {
        matches!(self, Mode::Record(_))
    }

    /// Whether calls are answered from a recording.
    pub fn is_replaying(&self) -> bool {
        matches!(self, Mode::Replay(_))
    }

    /// In a replay, how many calls have been answered.
    pub fn replay_position(&self) -> Option<u64> {
        match self {
            Mode::Replay(r) => Some(r.position()),
            _ => None,
        }
    }

    /// Records a call of `process` that ran (when it is being recorded).
    pub fn after_call(
        &mut self,
        process: &Process,
        call: &'static CallSpec,
        args: &[u64],
        result: &Result<u64, Fatal>,
        writes: &[MemRange],
        memory: &[u8],
    ) {
        if let Mode::Record(r) = self {
            r.call(&process.fds, call, args, result, writes, memory);
        }
    }

    /// Tells the recording, or the replay, how the guest ended.
    pub fn finish(&mut self, status: &ExitStatus) {
        match self {
            Mode::Record(r) => r.finish(status),
            Mode::Replay(r) => r.finish(status),
            Mode::Live => {}
        }
    }
}
