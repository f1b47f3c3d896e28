//! The debugger core: a `Session` runs a guest on its own thread under a
//! debug engine (wasmtime's guest-debug API) and talks to a front end through
//! commands and events, so the front end never blocks on the guest. Every
//! stop yields a `Snapshot`: where the guest is, its frames, globals, what
//! changed in memory, its descriptors, and the syscalls it made (kept in the
//! session's record ring).

mod block_on;
mod controller;
mod location;
mod protocol;
mod session;
mod snapshot;

pub use controller::InCall;
pub use location::{Location, LocationError, parse_address};
pub use protocol::{Command, Edge, Event, Exit};
pub use session::{MAX_CODE, OUTPUT_TAIL, RECORDING_LIMIT, RING_CAPACITY, Session};
pub use snapshot::{
    CallBytes, Frame, Pc, PendingCall, ReadBytes, Snapshot, StopReason, Value, WrittenBytes,
};
