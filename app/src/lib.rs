//! The `wasmhole` application: the desktop workbench (with its Gopher
//! browser and lessons) and the headless subcommands (`run`, `debug`,
//! `lessons`), over the runtime core.

pub mod cli;
pub mod gopher;
pub mod lessons;
pub mod model;
pub mod workbench;
