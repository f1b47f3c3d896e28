//! The `wasmhole` binary's and the workbench's integration tests, in one
//! binary (so wasmtime is linked once): a module per feature (`*_cli` drive
//! the binary, `*_ui` the window through egui_kittest), each run as
//! `cargo test -p wasmhole --test all FEATURE::`. `common` is the UI tests'
//! harness.

mod common;
#[path = "../../benches/common/generated.rs"]
mod generated;

mod compile_cache;
mod debug_cli;
mod docs;
mod gopher_ui;
mod hostile_cli;
mod hostile_ui;
mod inject_cli;
mod large_modules;
mod layers;
mod lessons_cli;
mod lessons_ui;
mod moments_ui;
mod presenting_ui;
mod publish_ui;
mod real_programs;
mod replay_cli;
mod rewind_ui;
mod run_cli;
mod sdk_samples;
mod side_by_side_ui;
mod stdio_streams;
mod what_if_ui;
mod workbench_files;
mod workbench_state;
mod workbench_ui;
