//! The module layer: a guest's program as loaded (`.wasm` or WAT, with
//! errors placed on the user's line), which ABI its imports ask for, the
//! copy the engine compiles (`host_module`), its disassembly and source
//! map, and compiled copies kept on disk between runs. It knows nothing of
//! running a guest.

pub mod abi;
pub mod compile_cache;
pub mod disasm;
pub mod host_module;
pub mod program;
pub mod source_map;
pub mod wat_legacy;
