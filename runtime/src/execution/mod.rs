//! Execution: the engine (configuration, linkers per ABI, the compiled
//! module cache), the store's host data and the one dispatch point every
//! call passes (timed, decoded, recorded, injected into, replayed), what a
//! module needs to start (`start`: imports, entry points), and running a
//! guest to its end. Above it only the debugger.

pub mod engine;
pub mod host;
pub mod run;
pub mod start;
