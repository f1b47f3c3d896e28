//! Command-line parsing: the subcommands and the flags they share, spelled
//! as wasmtime spells them.

pub mod debug;
pub mod lessons;
pub mod replay;
pub mod run;

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use wasmhole_runtime::{
    Abi, Access, DirGrant, InjectSpec, InputSpec, Limits, NetAllow, OutputSpec, Policy,
    ProcessConfig,
};

/// A workbench for WebAssembly guests and the syscalls they make.
#[derive(Parser, Debug)]
#[command(
    name = "wasmhole",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// What to do; with none, the workbench window opens.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// What to open in the workbench: a .wat or .wasm program, a .jsonl
    /// syscall trace, a gopherd .toml configuration or a gopher:// address
    /// to browse.
    pub file: Option<PathBuf>,
    /// Open two or three programs side by side (the same idea under
    /// different ABIs), stepped together with their calls lined up by
    /// purpose.
    #[arg(long, num_args = 2..=3, value_name = "PROGRAM", conflicts_with = "file")]
    pub side_by_side: Vec<PathBuf>,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a guest to completion (like `wasmtime run`), optionally tracing its syscalls.
    Run(RunArgs),
    /// Step through a guest in a gdb-like terminal debugger.
    Debug(debug::DebugArgs),
    /// List the lessons and your progress; start or check an exercise.
    Lessons(lessons::LessonsArgs),
    /// Re-run a guest from a recording (`run --record`), answering every
    /// call from it, and report the first call that differs.
    Replay(replay::ReplayArgs),
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
    /// The exported function to start at (default: the ABI's usual entry
    /// point: _start for WASI, main or _start for Dagger, _start, cwa_main
    /// or main for Olin). If it returns an i32, that is the exit status.
    #[arg(long, value_name = "NAME")]
    pub invoke: Option<String>,
    /// Grant a host directory to the guest, as HOST::GUEST (or DIR for the same name).
    #[arg(long = "dir", value_name = "HOST::GUEST")]
    pub dirs: Vec<String>,
    /// Set an environment variable for the guest (K=V), or pass one through from the host (K).
    #[arg(long = "env", value_name = "K=V")]
    pub env: Vec<String>,
    /// Stop the guest after this many units of fuel (about one per instruction).
    #[arg(long, value_name = "N")]
    pub fuel: Option<u64>,
    /// Most memory the guest may use, in bytes (suffixes K, M, G allowed): its
    /// memories, tables and what the host buffers for it, together (default 4G).
    #[arg(long, value_name = "BYTES", value_parser = wasmhole_runtime::parse_bytes)]
    pub max_memory: Option<u64>,
    /// Stop the guest after this much wall-clock time (e.g. 500ms, 2s, 1m).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<Duration>,
    /// Stop the guest once it has written this many bytes to stdout and stderr.
    #[arg(long, value_name = "BYTES", value_parser = wasmhole_runtime::parse_bytes)]
    pub max_output: Option<u64>,
    /// Check every URL a Dagger or Olin guest opens against a policy file
    /// (allow/disallow regexes; its ram-page-limit and gas-limit also apply).
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Let the guest reach HOST (on PORT only, if given) over HTTP(S).
    #[arg(long = "allow-net", value_name = "HOST[:PORT]", value_parser = NetAllow::parse)]
    pub allow_net: Vec<NetAllow>,
    /// Keep compiled modules in this folder between runs (default: the
    /// user's cache folder, $XDG_CACHE_HOME/wasmhole or ~/.cache/wasmhole).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Compile the module every time, keeping nothing on disk.
    #[arg(long)]
    pub no_cache: bool,
    /// A code generation option as wasmtime spells it; `cache=n` (or `y`)
    /// turns the compilation cache off (or on).
    #[arg(short = 'C', value_name = "OPT=VALUE")]
    pub codegen: Vec<String>,
    /// The guest's argv[0] (default: the module's file name, without its
    /// folder, as wasmtime passes it).
    #[arg(long, value_name = "NAME")]
    pub argv0: Option<String>,
    /// Inject a fault into calls, as strace's `-e inject` does:
    /// CALL[,CALL…]:error=ERRNO (the call fails without running) or
    /// :retval=N (a read or write moves at most N bytes; a call returning a
    /// plain value returns N), optionally :when=N (the Nth call only), N+
    /// (from the Nth on) or N+STEP (the Nth and every STEPth after). Names
    /// are the guest ABI's own (path_open/ENOENT, open/EFAIL,
    /// resource_open/NOT_FOUND); may be repeated.
    #[arg(long, value_name = "RULE")]
    pub inject: Vec<InjectSpec>,
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

    /// The guest's arguments, its program name first: `--argv0`, or the
    /// module's file name without the folders that lead to it (the guest
    /// learns nothing of the host's paths).
    pub fn argv(&self) -> Vec<String> {
        let argv0 = self.argv0.clone().unwrap_or_else(|| {
            self.file
                .file_name()
                .unwrap_or(self.file.as_os_str())
                .to_string_lossy()
                .into_owned()
        });
        std::iter::once(argv0)
            .chain(self.args.iter().cloned())
            .collect()
    }

    /// The folder compiled modules are kept in, or `None` when caching is
    /// off (`--no-cache`, `-C cache=n`).
    pub fn cache_dir(&self) -> Result<Option<PathBuf>, String> {
        let mut on = !self.no_cache;
        for option in &self.codegen {
            match option.split_once('=') {
                Some(("cache", v)) => {
                    on = match v {
                        "y" | "yes" | "true" => on,
                        "n" | "no" | "false" => false,
                        _ => return Err(format!("-C cache={v}: use cache=y or cache=n")),
                    }
                }
                _ => {
                    return Err(format!(
                        "unsupported option -C {option} (wasmhole knows -C cache=y|n)"
                    ));
                }
            }
        }
        Ok(if on {
            self.cache_dir
                .clone()
                .or_else(wasmhole_runtime::module::compile_cache::default_dir)
        } else {
            None
        })
    }

    /// The limits asked for.
    pub fn limits(&self) -> Limits {
        Limits {
            max_memory: self.max_memory,
            fuel: self.fuel,
            timeout: self.timeout,
            max_output: self.max_output,
            ..Limits::default()
        }
    }

    /// What the guest may open: the policy file, read and checked, and the
    /// network allowances.
    pub fn access(&self) -> Result<Access, String> {
        let policy = match &self.policy {
            Some(path) => Some(Arc::new(
                Policy::from_file(path).map_err(|e| e.to_string())?,
            )),
            None => None,
        };
        Ok(Access {
            policy,
            net: self.allow_net.clone(),
        })
    }

    /// The process recipe these flags describe, with the given standard
    /// streams: arguments, environment, grants, policy and network access,
    /// and the limits tightened by the policy.
    pub fn process_config(
        &self,
        stdin: InputSpec,
        stdout: OutputSpec,
        stderr: OutputSpec,
    ) -> Result<ProcessConfig, String> {
        let access = self.access()?;
        Ok(ProcessConfig {
            entry: self.invoke.clone(),
            args: self.argv(),
            env: self.environment(),
            dirs: self.grants(),
            stdin,
            stdout,
            stderr,
            limits: self.limits_with(&access),
            access,
            inject: self.inject.clone(),
        })
    }

    /// Checks the `--inject` rules against the ABI `program` runs under,
    /// before anything runs: an unknown call or error is refused with the
    /// valid ones.
    pub fn check_injections(&self, program: &wasmhole_runtime::Program) -> Result<(), String> {
        match self.abi.abi().or(program.detected_abi()) {
            Some(abi) => {
                wasmhole_runtime::calls::inject::Injector::new(abi, &self.inject).map(drop)
            }
            None => Ok(()),
        }
    }

    /// The limits of the run: those asked for, tightened by the policy's
    /// page and gas limits (the stricter of each wins).
    pub fn limits_with(&self, access: &Access) -> Limits {
        let mut limits = self.limits();
        if let Some(policy) = &access.policy {
            policy.tighten(&mut limits);
        }
        limits
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
    /// Record the run to FILE (JSON lines: the configuration, then each
    /// call with its outcome, the bytes it wrote and its console output),
    /// for `wasmhole replay`.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    /// The guest and how to run it.
    #[command(flatten)]
    pub guest: GuestArgs,
}

/// Loads the guest's module, noting any old WAT names that were translated.
pub fn load_program(guest: &GuestArgs) -> Result<wasmhole_runtime::Program, String> {
    let program = wasmhole_runtime::Program::from_file(&guest.file).map_err(|e| e.to_string())?;
    for r in program.legacy_renames() {
        eprintln!(
            "note: {}:{}:{}: translated old instruction name `{}` to `{}`",
            program.name(),
            r.line,
            r.column,
            r.old,
            r.new
        );
    }
    Ok(program)
}

/// Parses a duration such as `500ms`, `2s` or `1m`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text).map_err(|e| format!("`{text}` is not a duration: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

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
            "dir/guest.wasm",
            "--flag",
            "x",
        ])
        .unwrap();
        let Some(Command::Run(run)) = cli.command else {
            panic!("expected the run subcommand")
        };
        assert_eq!(run.trace, Some(PathBuf::from("-")));
        assert_eq!(run.guest.grants()[0].guest, "/data");
        assert_eq!(run.guest.environment(), vec![("A".into(), "1".into())]);
        assert_eq!(run.guest.argv(), vec!["guest.wasm", "--flag", "x"]);
        assert_eq!(run.guest.timeout, Some(Duration::from_secs(2)));
    }

    #[test]
    fn cache_flags_parse_as_wasmtime_spells_them() {
        let parse = |flags: &[&str]| {
            let cli = Cli::try_parse_from(
                ["wasmhole", "run"]
                    .iter()
                    .chain(flags)
                    .chain(&["guest.wasm"]),
            )
            .unwrap();
            let Some(Command::Run(run)) = cli.command else {
                panic!("expected the run subcommand")
            };
            run.guest.cache_dir()
        };
        assert_eq!(
            parse(&["--cache-dir", "/tmp/c"]),
            Ok(Some(PathBuf::from("/tmp/c")))
        );
        assert_eq!(parse(&["--cache-dir", "/tmp/c", "-C", "cache=n"]), Ok(None));
        assert_eq!(parse(&["-Ccache=no"]), Ok(None));
        assert_eq!(parse(&["--no-cache"]), Ok(None));
        assert_eq!(
            parse(&["--cache-dir", "/tmp/c", "-C", "cache=y"]),
            Ok(Some(PathBuf::from("/tmp/c")))
        );
        assert!(
            parse(&["-C", "opt-level=2"])
                .unwrap_err()
                .contains("-C cache=y|n")
        );
        assert!(parse(&["-C", "cache=maybe"]).is_err());
    }

    #[test]
    fn policy_and_network_flags_parse() {
        let dir = tempfile::tempdir().unwrap();
        let policy = dir.path().join("p.policy");
        std::fs::write(
            &policy,
            "allow (\n  ^random://\n)\nram-page-limit 4\ngas-limit 9000\n",
        )
        .unwrap();
        let cli = Cli::try_parse_from([
            "wasmhole",
            "run",
            "--policy",
            policy.to_str().unwrap(),
            "--allow-net",
            "127.0.0.1:8080",
            "--allow-net",
            "example.com",
            "--fuel",
            "100000",
            "guest.wat",
        ])
        .unwrap();
        let Some(Command::Run(run)) = cli.command else {
            panic!("expected the run subcommand")
        };
        let access = run.guest.access().unwrap();
        assert_eq!(access.net.len(), 2);
        assert!(access.net_allows("127.0.0.1", 8080));
        assert!(access.net_allows("example.com", 443));
        assert!(!access.net_allows("127.0.0.1", 80));
        let limits = run.guest.limits_with(&access);
        assert_eq!(limits.fuel, Some(9000));
        assert_eq!(limits.max_memory, Some(4 * 65536));
        assert!(Cli::try_parse_from(["wasmhole", "run", "--allow-net", "a:b", "g.wat"]).is_err());
    }

    #[test]
    fn malformed_policies_are_reported_with_their_line() {
        let dir = tempfile::tempdir().unwrap();
        let policy = dir.path().join("bad.policy");
        std::fs::write(&policy, "## ok\ngas-limit many\n").unwrap();
        let cli = Cli::try_parse_from([
            "wasmhole",
            "run",
            "--policy",
            policy.to_str().unwrap(),
            "guest.wat",
        ])
        .unwrap();
        let Some(Command::Run(run)) = cli.command else {
            panic!("expected the run subcommand")
        };
        let e = run.guest.access().unwrap_err();
        assert!(e.contains("bad.policy:2:"), "{e}");
    }
}
