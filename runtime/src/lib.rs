//! The wasmhole runtime core: everything between a guest module and its host,
//! shared by the workbench, the command line and gopherd.
//!
//! Data flows one way: source → [`Program`] → [`Process`] + wasmtime store →
//! a run ([`Runtime::run`]) → [`SyscallRecord`]s and an [`ExitStatus`].
//! Every host call of every ABI is described once in a declarative table
//! ([`calls`]); linking, tracing and explanations all read it.

pub mod abi;
pub mod blocking;
pub mod calls;
pub mod compile_cache;
pub mod dagger;
pub mod debug;
pub mod decode;
pub mod disasm;
pub mod engine;
pub mod explain;
pub mod fdtable;
pub mod fuzzing;
pub mod guest_memory;
pub mod h;
pub mod host;
pub mod host_module;
pub mod inject;
pub mod memory_budget;
pub mod olin;
pub mod policy;
pub mod process;
pub mod program;
pub mod record;
pub mod replay;
pub mod ring;
pub mod run;
pub mod source_map;
pub mod stdio;
pub mod streams;
pub mod trace;
pub mod trace_file;
pub mod wasi;
pub mod wat_legacy;

pub use abi::Abi;
pub use engine::{EngineOptions, Runtime};
pub use inject::InjectSpec;
pub use policy::{Access, NetAllow, Policy};
pub use process::{DirGrant, Limits, ProcessConfig, parse_bytes};
pub use program::{Program, ProgramError};
pub use record::SyscallRecord;
pub use run::{ExitStatus, FailureKind, GuestFailure, RunOptions, RunReport};
pub use stdio::{InputSpec, OutputSpec, SharedBuffer, Since};
