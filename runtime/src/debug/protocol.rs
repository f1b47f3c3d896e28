//! What a front end and the guest's thread say to each other: the
//! commands a front end sends ([`Command`]), the events the guest's thread
//! sends back ([`Event`]), how a guest ended ([`Exit`]), and which side of a
//! call a rewind stops at ([`Edge`]).

use super::snapshot::{Snapshot, Value};
use crate::sandbox::exit::ExitStatus;
use crate::sandbox::fdtable::DescriptorRow;

/// What a front end can ask of a running or stopped guest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// Run this many instructions, then stop.
    Step(u64),
    /// Run the current instruction; a call runs to its return.
    StepOver,
    /// Run until the current function returns.
    StepOut,
    /// Run to the next syscall boundary: a call's entry, or the exit of the
    /// call stopped at.
    NextSyscall,
    /// Run until a breakpoint, a trap or the end.
    Continue,
    /// Run until the instruction at this offset.
    RunTo(u32),
    /// Run at full speed, past breakpoints, to the exit of call number
    /// `seq` of the run, and stop there (a guest that never makes that
    /// many calls runs to its end).
    ToCallExit(u64),
    /// End the guest.
    Stop,
    /// Stop whenever the instruction at this offset is reached.
    AddBreakpoint(u32),
    /// Forget a breakpoint.
    RemoveBreakpoint(u32),
    /// Send back these bytes of memory (answered at once when stopped, at the
    /// next epoch tick when running).
    ReadMemory {
        /// First byte.
        start: u32,
        /// How many bytes.
        len: u32,
    },
    /// While running, send this window of memory 30–60 times a second.
    Watch(Option<(u32, u32)>),
}

/// Which side of a call a rewind stops at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edge {
    /// Its entry: the guest has made the call, the host has not run it.
    Entry,
    /// Its exit: the call has run and is about to return to the guest.
    Exit,
}

/// How a guest ended.
#[derive(Clone, Debug)]
pub struct Exit {
    /// Its status.
    pub status: ExitStatus,
    /// Descriptors still open (each row says whether the guest opened it).
    pub descriptors: Vec<DescriptorRow>,
    /// Size of linear memory at the end, in bytes (memory can still be
    /// read with [`Command::ReadMemory`] until the session is dropped).
    pub memory_size: usize,
    /// The globals at the end, by index.
    pub globals: Vec<Value>,
}

/// What the guest's thread reports.
#[derive(Clone, Debug)]
pub enum Event {
    /// It stopped.
    Stopped(Box<Snapshot>),
    /// It is running.
    Running,
    /// Bytes asked for with [`Command::ReadMemory`].
    Memory {
        /// First byte.
        start: u32,
        /// The bytes (fewer if memory ends sooner).
        bytes: Vec<u8>,
    },
    /// A live copy of the watched window while running.
    Live {
        /// First byte.
        start: u32,
        /// The bytes.
        bytes: Vec<u8>,
        /// Memory size at the time.
        memory_size: usize,
    },
    /// It ended.
    Exited(Box<Exit>),
}
