//! Command-line parsing: the subcommands and the flags they share, spelled
//! as wasmtime spells them.

pub mod run;

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::time::Duration;
use wasmhole_runtime::{Abi, DirGrant, Limits};

/// A workbench for WebAssembly guests and the syscalls they make.
#[derive(Parser, Debug)]
#[command(name = "wasmhole", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a guest to completion (like `wasmtime run`), optionally tracing its syscalls.
    Run(RunArgs),
}

/// Which ABI to run a guest under.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum AbiChoice {
    /// Detect it from the module's imports.
    #[default]
    Auto,
    /// WASI preview 1.
    Wasi,
    /// Dagger.
    Dagger,
    /// Olin (CommonWA).
    Olin,
    /// The h toy language.
    H,
}

impl AbiChoice {
    /// The ABI, or `None` for auto-detection.
    pub fn abi(self) -> Option<Abi> {
        match self {
            AbiChoice::Auto => None,
            AbiChoice::Wasi => Some(Abi::Wasi),
            AbiChoice::Dagger => Some(Abi::Dagger),
            AbiChoice::Olin => Some(Abi::Olin),
            AbiChoice::H => Some(Abi::H),
        }
    }
}

/// How trace lines are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum TraceFormat {
    /// One strace-like line per call.
    #[default]
    Text,
    /// One JSON object per call.
    Jsonl,
}

/// Flags for running a guest, shared by `run` and `debug`.
#[derive(Args, Debug, Clone)]
pub struct GuestArgs {
    /// The ABI to provide (auto detects it from the imports).
    #[arg(long, value_enum, default_value_t = AbiChoice::Auto)]
    pub abi: AbiChoice,
    /// Grant a host directory to the guest, as HOST::GUEST (or DIR for the same name).
    #[arg(long = "dir", value_name = "HOST::GUEST")]
    pub dirs: Vec<String>,
    /// Set an environment variable for the guest (K=V), or pass one through from the host (K).
    #[arg(long = "env", value_name = "K=V")]
    pub env: Vec<String>,
    /// Stop the guest after this many units of fuel (about one per instruction).
    #[arg(long, value_name = "N")]
    pub fuel: Option<u64>,
    /// Largest linear memory the guest may have, in bytes (suffixes K, M, G allowed).
    #[arg(long, value_name = "BYTES", value_parser = parse_bytes)]
    pub max_memory: Option<u64>,
    /// Stop the guest after this much wall-clock time (e.g. 500ms, 2s, 1m).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<Duration>,
    /// Stop the guest once it has written this many bytes to stdout and stderr.
    #[arg(long, value_name = "BYTES", value_parser = parse_bytes)]
    pub max_output: Option<u64>,
    /// The module: a .wasm binary or .wat text.
    pub file: PathBuf,
    /// Arguments passed to the guest.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<String>,
}

impl GuestArgs {
    /// The granted directories.
    pub fn grants(&self) -> Vec<DirGrant> {
        self.dirs.iter().map(|d| DirGrant::parse(d)).collect()
    }

    /// The guest's environment.
    pub fn environment(&self) -> Vec<(String, String)> {
        self.env
            .iter()
            .filter_map(|e| match e.split_once('=') {
                Some((k, v)) => Some((k.to_string(), v.to_string())),
                None => std::env::var(e).ok().map(|v| (e.clone(), v)),
            })
            .collect()
    }

    /// The guest's arguments, its program name first.
    pub fn argv(&self) -> Vec<String> {
        std::iter::once(self.file.display().to_string())
            .chain(self.args.iter().cloned())
            .collect()
    }

    /// The limits asked for.
    pub fn limits(&self) -> Limits {
        Limits {
            max_memory: self.max_memory,
            fuel: self.fuel,
            timeout: self.timeout,
            max_output: self.max_output,
        }
    }
}

/// Flags of `wasmhole run`.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// Print one line per syscall to stderr, or to FILE.
    #[arg(long, value_name = "FILE", num_args = 0..=1, require_equals = true, default_missing_value = "-")]
    pub trace: Option<PathBuf>,
    /// How trace lines are written.
    #[arg(long, value_enum, default_value_t = TraceFormat::Text)]
    pub trace_format: TraceFormat,
    /// Print a table of calls, errors and time per syscall at exit (like `strace -c`).
    #[arg(long)]
    pub summary: bool,
    /// The guest and how to run it.
    #[command(flatten)]
    pub guest: GuestArgs,
}

/// Parses a byte count with an optional binary suffix: K, M, G (also KB, KiB…).
pub fn parse_bytes(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let digits_end = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, suffix) = t.split_at(digits_end);
    let mult: u64 = match suffix.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "K" | "KB" | "KIB" => 1 << 10,
        "M" | "MB" | "MIB" => 1 << 20,
        "G" | "GB" | "GIB" => 1 << 30,
        _ => {
            return Err(format!(
                "`{text}` is not a byte count (use a number with K, M or G)"
            ));
        }
    };
    num.parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .ok_or_else(|| format!("`{text}` is not a byte count (use a number with K, M or G)"))
}

/// Parses a duration such as `500ms`, `2s` or `1m`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text).map_err(|e| format!("`{text}` is not a duration: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_counts_take_suffixes() {
        assert_eq!(parse_bytes("4096"), Ok(4096));
        assert_eq!(parse_bytes("64K"), Ok(65536));
        assert_eq!(parse_bytes("2M"), Ok(2 << 20));
        assert_eq!(parse_bytes("1GiB"), Ok(1 << 30));
        assert!(parse_bytes("lots").is_err());
        assert!(parse_bytes("3X").is_err());
    }

    #[test]
    fn run_flags_parse_like_wasmtime() {
        let cli = Cli::try_parse_from([
            "wasmhole",
            "run",
            "--dir",
            "/tmp::/data",
            "--env",
            "A=1",
            "--trace",
            "--timeout",
            "2s",
            "guest.wasm",
            "--flag",
            "x",
        ])
        .unwrap();
        let Command::Run(run) = cli.command;
        assert_eq!(run.trace, Some(PathBuf::from("-")));
        assert_eq!(run.guest.grants()[0].guest, "/data");
        assert_eq!(run.guest.environment(), vec![("A".into(), "1".into())]);
        assert_eq!(run.guest.argv(), vec!["guest.wasm", "--flag", "x"]);
        assert_eq!(run.guest.timeout, Some(Duration::from_secs(2)));
    }
}
