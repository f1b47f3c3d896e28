//! The `wasmhole` application: the desktop workbench (with its Gopher
//! browser) and the headless subcommands (`run`, `debug`), over the runtime
//! core.

pub mod cli;
pub mod gopher;
pub mod workbench;
