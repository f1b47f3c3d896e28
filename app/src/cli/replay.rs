//! `wasmhole replay`: re-runs a guest from a recording made with `run
//! --record`, every call answered from the recording (nothing outside is
//! touched; the recorded console output is shown), optionally against
//! another build of the module or with other arguments or environment, and
//! reports the first call that differs.

use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, RwLock};
use wasmhole_runtime::replay::{self, DivergenceSlot, Mode, Replayer};
use wasmhole_runtime::{EngineOptions, ExitStatus, RunOptions, Runtime};

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
    /// Replay under the terminal debugger instead (step, break, rewind,
    /// inspect memory as the guest replays).
    #[arg(long)]
    pub debug: bool,
    /// With --debug: read debugger commands from stdin without prompts.
    #[arg(long, requires = "debug")]
    pub batch: bool,
    /// With --debug: read debugger commands from FILE (implies --batch).
    #[arg(short = 'x', value_name = "FILE", requires = "debug")]
    pub script: Option<PathBuf>,
    /// The recording, from `wasmhole run --record FILE` (or the debugger's
    /// `record save FILE`).
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

fn replay(args: ReplayArgs) -> Result<u8, String> {
    let loaded = replay::load(&args.recording, args.module.as_deref())?;
    if let Some(changed) = &loaded.changed_module {
        eprintln!("wasmhole: {changed}");
    }
    let (program, abi, tape, mut config) = (loaded.program, loaded.abi, loaded.tape, loaded.config);
    if !args.args.is_empty() {
        config.args.truncate(1);
        config.args.extend(args.args.iter().cloned());
    }
    for e in &args.env {
        let (k, v) = e
            .split_once('=')
            .ok_or_else(|| format!("--env {e}: use K=V"))?;
        config.env.retain(|(key, _)| key != k);
        config.env.push((k.to_string(), v.to_string()));
    }
    if args.debug {
        let session = wasmhole_runtime::debug::Session::replay(program, abi, config, tape)
            .map_err(|f| f.message.clone())?;
        let grace = std::time::Duration::from_secs(5);
        let status =
            super::debug::interact(session, None, args.batch, args.script.as_deref(), grace)?;
        return Ok(status as u8);
    }
    let runtime = Runtime::new(EngineOptions {
        fuel: config.limits.fuel.is_some(),
        without_time_limits: config.limits.timeout.is_none(),
        cache_dir: wasmhole_runtime::module::compile_cache::default_dir(),
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
        &mut |process, _, _| {
            Mode::Replay(Replayer::start(
                process,
                tape.clone(),
                calls,
                divergence.clone(),
            ))
        },
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
