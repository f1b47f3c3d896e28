//! `wasmhole run`: run a guest to completion with the host's own standard
//! streams, optionally tracing every syscall and summarising them at exit.

use super::{RunArgs, TraceFormat};
use std::io::Write;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use wasmhole_runtime::calls::sink::RecordSink;
use wasmhole_runtime::calls::summary::{Summary, SummarySink};
use wasmhole_runtime::calls::trace::{JsonLinesSink, TextSink};
use wasmhole_runtime::replay::{Header, JsonLinesTape, Mode, Recording, SharedFileTape};
use wasmhole_runtime::{EngineOptions, ExitStatus, InputSpec, OutputSpec, RunOptions, Runtime};

/// Runs the command and returns the guest's exit status as ours.
pub fn main(args: RunArgs) -> ExitCode {
    match run(args) {
        Ok(code) => ExitCode::from(code as u8),
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(1)
        }
    }
}

fn trace_sink(args: &RunArgs) -> Result<Option<Box<dyn RecordSink>>, String> {
    let Some(path) = &args.trace else {
        return Ok(None);
    };
    let out: Box<dyn Write + Send> = if path.as_os_str() == "-" {
        Box::new(std::io::stderr())
    } else {
        let file = std::fs::File::create(path)
            .map_err(|e| format!("cannot write trace to {}: {e}", path.display()))?;
        Box::new(std::io::BufWriter::new(file))
    };
    Ok(Some(match args.trace_format {
        TraceFormat::Text => Box::new(TextSink::new(out, "")),
        TraceFormat::Jsonl => Box::new(JsonLinesSink::new(out)),
    }))
}

fn run(args: RunArgs) -> Result<i32, String> {
    let program = super::load_program(&args.guest)?;
    args.guest.check_injections(&program)?;
    let mut sinks: Vec<Box<dyn RecordSink>> = Vec::new();
    if let Some(sink) = trace_sink(&args)? {
        sinks.push(sink);
    }
    let summary = Arc::new(Mutex::new(Summary::default()));
    if args.summary {
        sinks.push(Box::new(SummarySink(summary.clone())));
    }
    let guest = &args.guest;
    let config =
        guest.process_config(InputSpec::Inherit, OutputSpec::Inherit, OutputSpec::Inherit)?;
    let runtime = Runtime::new(EngineOptions {
        fuel: config.limits.fuel.is_some(),
        without_time_limits: config.limits.timeout.is_none(),
        cache_dir: guest.cache_dir()?,
        ..EngineOptions::default()
    })
    .map_err(|e| format!("cannot start the engine: {e}"))?;
    let recording = match &args.record {
        Some(path) => {
            let file = std::fs::File::create(path)
                .map_err(|e| format!("cannot write the recording to {}: {e}", path.display()))?;
            let tape = JsonLinesTape::new(std::io::BufWriter::new(file));
            Some(SharedFileTape(Arc::new(Mutex::new(tape))))
        }
        None => None,
    };
    let module_path = std::path::absolute(&guest.file).unwrap_or_else(|_| guest.file.clone());
    let recorded_config = config.clone();
    let report = runtime.run_with(
        &program,
        RunOptions {
            abi: guest.abi.abi(),
            config,
            sinks,
        },
        &mut |process, abi, entry| match &recording {
            Some(tape) => {
                let mut header = Header::describe(&program, abi, entry, &recorded_config);
                header.module_path = module_path.display().to_string();
                Mode::Record(Recording::start(
                    process,
                    header,
                    Box::new(SharedFileTape(tape.0.clone())),
                ))
            }
            None => Mode::Live,
        },
    );
    if let (Some(tape), Some(path)) = (&recording, &args.record)
        && let Some(e) = tape.error()
    {
        eprintln!("error: the recording {} is incomplete: {e}", path.display());
    }
    if args.summary {
        let table = summary.lock().map(|s| s.table()).unwrap_or_default();
        eprint!("{table}");
    }
    if let ExitStatus::Failed(failure) = &report.status {
        eprintln!("error: {failure}");
    }
    Ok(report.status.code())
}
