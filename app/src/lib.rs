//! The `wasmhole` application: the desktop workbench and the headless
//! subcommands (`run`, `debug`), over the runtime core.

pub mod cli;
pub mod workbench;
