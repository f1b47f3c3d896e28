//! The wasmhole runtime core: everything between a guest module and its host,
//! shared by the workbench, the command line and gopherd.
//!
//! It is built in layers, each importing only the layers below it (a test
//! reads the sources and keeps it so; ARCHITECTURE.md states the rule):
//!
//! 1. [`module`]: a guest's program as loaded, compiled and disassembled;
//! 2. [`sandbox`]: one guest's process, descriptors, memory, limits,
//!    streams and how it ends;
//! 3. [`abis`]: each ABI's calls, described once in a declarative table,
//!    and the registry of every table;
//! 4. [`calls`]: records, decoding, explanations, injection, traces, the
//!    record ring;
//! 5. [`replay`]: recordings and replays;
//! 6. [`execution`]: the engine, the one dispatch point every call passes,
//!    running a guest to its end;
//! 7. [`debug`]: the debugger core;
//! 8. [`fuzzing`]: entry points for the fuzz targets, over all of it.
//!
//! Data flows one way: source → [`Program`] → [`Process`] + wasmtime store →
//! a run ([`Runtime::run`]) → [`SyscallRecord`]s and an [`ExitStatus`].

pub mod abis;
pub mod calls;
pub mod debug;
pub mod execution;
pub mod fuzzing;
pub mod module;
pub mod replay;
pub mod sandbox;

pub use calls::inject::InjectSpec;
pub use calls::record::SyscallRecord;
pub use execution::engine::{EngineOptions, Runtime};
pub use execution::run::{RunOptions, RunReport};
pub use module::abi::Abi;
pub use module::program::{Program, ProgramError};
pub use sandbox::exit::{ExitStatus, FailureKind, GuestFailure};
pub use sandbox::limits::{Limits, parse_bytes};
pub use sandbox::policy::{Access, NetAllow, Policy};
pub use sandbox::process::{DirGrant, Process, ProcessConfig};
pub use sandbox::stdio::{InputSpec, OutputSpec, SharedBuffer, Since};
