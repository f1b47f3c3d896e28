//! `wasmhole`: the workbench and its headless subcommands.

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match args.command {
        cli::Command::Run(run) => cli::run::main(run),
        cli::Command::Debug(debug) => cli::debug::main(debug),
    }
}
