//! `wasmhole`: the workbench and its headless subcommands.

use clap::Parser;
use std::process::ExitCode;
use wasmhole::{cli, workbench};

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match args.command {
        Some(cli::Command::Run(run)) => cli::run::main(run),
        Some(cli::Command::Debug(debug)) => cli::debug::main(debug),
        Some(cli::Command::Lessons(lessons)) => cli::lessons::main(lessons),
        Some(cli::Command::Replay(replay)) => cli::replay::main(replay),
        None => workbench::run(args.file, args.side_by_side),
    }
}
