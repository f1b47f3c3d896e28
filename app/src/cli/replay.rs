//! `wasmhole replay`: re-runs a guest from a recording made with `run
//! --record`, every call answered from the recording (nothing outside is
//! touched; the recorded console output is shown), optionally against
//! another build of the module or with other arguments or environment, and
//! reports the first call that differs.

use clap::Args;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use wasmhole_runtime::replay::{DivergenceSlot, MAX_TAPE_BYTES, Replayer, Tape, sha256_hex};
use wasmhole_runtime::{
    Abi, EngineOptions, ExitStatus, InputSpec, Limits, OutputSpec, ProcessConfig, Program,
    RunOptions, Runtime,
};

/// The exit status of a replay that left its recording, distinct from the
/// statuses guests usually end with.
pub const DIVERGED: u8 = 125;

/// Flags of `wasmhole replay`.
#[derive(Args, Debug)]
pub struct ReplayArgs {
    /// Replay against this module instead of the recorded one (a rebuilt
    /// guest, say).
    #[arg(long, value_name = "PATH")]
    pub module: Option<PathBuf>,
    /// Set an environment variable (K=V) for the replay, over the recorded
    /// environment; may be repeated.
    #[arg(long = "env", value_name = "K=V")]
    pub env: Vec<String>,
    /// The recording, from `wasmhole run --record FILE`.
    pub recording: PathBuf,
    /// Arguments for the guest instead of the recorded ones (its program
    /// name stays as recorded).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<String>,
}

/// Replays; the exit status is the recorded guest's, or [`DIVERGED`].
pub fn main(args: ReplayArgs) -> ExitCode {
    match replay(args) {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(1)
        }
    }
}

/// The module a recording names: where it was, else beside the recording.
fn find_module(recording: &Path, recorded_path: &str, name: &str) -> PathBuf {
    let at = PathBuf::from(recorded_path);
    if !recorded_path.is_empty() && at.is_file() {
        return at;
    }
    recording
        .parent()
        .map_or_else(|| PathBuf::from(name), |dir| dir.join(name))
}

fn replay(args: ReplayArgs) -> Result<u8, String> {
    let file = std::fs::File::open(&args.recording)
        .map_err(|e| format!("cannot read {}: {e}", args.recording.display()))?;
    let tape = Tape::read(std::io::BufReader::new(file), MAX_TAPE_BYTES)
        .map_err(|e| format!("{}: {e}", args.recording.display()))?;
    let header = tape.header().clone();
    let module = args
        .module
        .clone()
        .unwrap_or_else(|| find_module(&args.recording, &header.module_path, &header.module));
    let program = Program::from_file(&module).map_err(|e| e.to_string())?;
    let sha = sha256_hex(program.bytes());
    if sha != header.sha256 {
        eprintln!(
            "wasmhole: {} is not the module recorded ({} with SHA-256 {}); replaying it anyway",
            module.display(),
            header.module,
            header.sha256
        );
    }
    let abi = Abi::parse(&header.abi)
        .ok_or_else(|| format!("the recording names an unknown ABI `{}`", header.abi))?;
    let mut argv = header.args.clone();
    if !args.args.is_empty() {
        argv.truncate(1);
        argv.extend(args.args.iter().cloned());
    }
    let mut env = header.env.clone();
    for e in &args.env {
        let (k, v) = e
            .split_once('=')
            .ok_or_else(|| format!("--env {e}: use K=V"))?;
        env.retain(|(key, _)| key != k);
        env.push((k.to_string(), v.to_string()));
    }
    let limits = Limits {
        max_memory: header.limits.max_memory,
        fuel: header.limits.fuel,
        timeout: header.limits.timeout_ms.map(Duration::from_millis),
        max_output: header.limits.max_output,
        max_open_files: header.limits.max_open_files,
    };
    // Nothing outside is reached: no granted directory is opened, input is
    // empty, and no fault is injected (the recorded outcomes include them).
    let config = ProcessConfig {
        entry: Some(header.entry.clone()),
        args: argv,
        env,
        dirs: Vec::new(),
        stdin: InputSpec::Empty,
        stdout: OutputSpec::Inherit,
        stderr: OutputSpec::Inherit,
        limits,
        access: Default::default(),
        inject: Vec::new(),
    };
    let runtime = Runtime::new(EngineOptions {
        fuel: config.limits.fuel.is_some(),
        without_time_limits: config.limits.timeout.is_none(),
        cache_dir: wasmhole_runtime::compile_cache::default_dir(),
        ..EngineOptions::default()
    })
    .map_err(|e| format!("cannot start the engine: {e}"))?;
    let calls = tape.len();
    let tape = Arc::new(RwLock::new(tape));
    let divergence = DivergenceSlot::default();
    let report = runtime.run_with(
        &program,
        RunOptions {
            abi: Some(abi),
            config,
            sinks: Vec::new(),
        },
        &mut |process, _, _| Replayer::start(process, tape.clone(), calls, divergence.clone()),
    );
    let diverged = divergence.lock().ok().and_then(|d| d.clone());
    if let Some(d) = diverged {
        eprintln!(
            "wasmhole: the replay of {} diverged at call {}: {}",
            args.recording.display(),
            d.seq,
            d.report
        );
        return Ok(DIVERGED);
    }
    if let ExitStatus::Failed(failure) = &report.status {
        eprintln!("error: {failure}");
    }
    Ok(report.status.code() as u8)
}
