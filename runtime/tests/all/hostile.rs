//! Hostile guests (`tests/hostile/*.wat`), each run both ways the runtime
//! runs a guest: `Runtime::run` (what `wasmhole run` and gopherd use) and a
//! debugger `Session` (what `wasmhole debug` and the workbench use). Each
//! must end the way a person expects, with a message naming the guest, the
//! call and the reason, and the host holding a bounded amount for it.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use wasmhole_runtime::debug::{Command, Event, OUTPUT_TAIL, Session, StopReason};
use wasmhole_runtime::{
    Access, DirGrant, EngineOptions, ExitStatus, FailureKind, InputSpec, Limits, NetAllow,
    OutputSpec, ProcessConfig, Program, RunOptions, Runtime, SharedBuffer,
};

/// Longest any case may take before the test gives up on it.
const PATIENCE: Duration = Duration::from_secs(60);

fn hostile_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/hostile")
        .join(name)
}

fn hostile(name: &str) -> Program {
    Program::from_file(hostile_path(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// How a run ended and what it wrote.
struct Ended {
    status: ExitStatus,
    stdout: SharedBuffer,
    stderr: SharedBuffer,
    took: Duration,
}

impl Ended {
    /// The failure message, asserting the kind.
    fn failure(&self, kind: FailureKind) -> &str {
        match &self.status {
            ExitStatus::Failed(f) if f.kind == kind => &f.message,
            other => panic!("expected a {kind:?} failure, got {other:?}"),
        }
    }

    fn code(&self) -> i32 {
        match &self.status {
            ExitStatus::Exited(code) => *code,
            other => panic!("expected an exit, got {other:?}"),
        }
    }
}

fn limits(limits: Limits) -> ProcessConfig {
    ProcessConfig {
        limits,
        ..ProcessConfig::default()
    }
}

fn with_buffers(mut config: ProcessConfig) -> (ProcessConfig, SharedBuffer, SharedBuffer) {
    let (out, err) = (SharedBuffer::new(), SharedBuffer::new());
    if matches!(config.stdout, OutputSpec::Null) {
        config.stdout = OutputSpec::Buffer(out.clone());
    }
    config.stderr = OutputSpec::Buffer(err.clone());
    (config, out, err)
}

/// The program's name as the first argument, before any the case gives.
fn name_args(program: &Program, config: &mut ProcessConfig) {
    config.args.insert(0, program.name().to_string());
}

/// Runs on the fast path, as `wasmhole run` and gopherd do.
fn run(program: &Program, config: ProcessConfig) -> Ended {
    let (mut config, stdout, stderr) = with_buffers(config);
    name_args(program, &mut config);
    let runtime = Runtime::new(EngineOptions::default()).expect("engine");
    let t0 = Instant::now();
    let report = runtime.run(
        program,
        RunOptions {
            abi: None,
            config,
            sinks: Vec::new(),
        },
    );
    Ended {
        status: report.status,
        stdout,
        stderr,
        took: t0.elapsed(),
    }
}

/// Runs under the debugger, as `wasmhole debug` and the workbench do:
/// `continue` from the first stop, and again from a trap, to the end.
fn debug(program: &Program, config: ProcessConfig) -> Ended {
    debug_with(program, config, |_| {})
}

fn debug_with(
    program: &Program,
    config: ProcessConfig,
    mut on_stop: impl FnMut(&StopReason),
) -> Ended {
    let (mut config, _, _) = with_buffers(config);
    name_args(program, &mut config);
    let t0 = Instant::now();
    let mut session = Session::start(program.clone(), None, config).expect("session");
    loop {
        let left = PATIENCE.saturating_sub(t0.elapsed());
        match session.wait_event(left).expect("the guest ends in time") {
            Event::Stopped(snapshot) => {
                on_stop(&snapshot.reason);
                session.send(Command::Continue);
            }
            Event::Exited(exit) => {
                return Ended {
                    status: exit.status,
                    stdout: session.stdout().clone(),
                    stderr: session.stderr().clone(),
                    took: t0.elapsed(),
                };
            }
            _ => {}
        }
    }
}

/// Both ways, in turn.
fn both(program: &Program, config: ProcessConfig, check: impl Fn(&str, &Ended)) {
    check("run", &run(program, config.clone()));
    check("debug", &debug(program, config));
}

#[test]
fn a_64_bit_memory_is_refused_before_it_runs() {
    let err = Program::from_file(hostile_path("memory64.wat")).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("memory64.wat"), "{text}");
    assert!(text.contains("64-bit memory (memory64)"), "{text}");
}

#[test]
fn growing_memory_stops_at_the_memory_limit() {
    let program = hostile("memory_bomb.wat");
    let config = limits(Limits {
        max_memory: Some(64 << 20),
        ..Limits::default()
    });
    both(&program, config, |how, ended| {
        let message = ended.failure(FailureKind::Trap);
        assert!(
            message.contains("guest `memory_bomb.wat` trapped"),
            "{how}: {message}"
        );
        assert!(
            message.contains("memory limit of 67108864 bytes refused growth"),
            "{how}: {message}"
        );
    });
}

/// The number after `prefix` in `text`.
fn number_after(text: &str, prefix: &str) -> u64 {
    let start = text
        .find(prefix)
        .unwrap_or_else(|| panic!("{prefix:?} in {text}"))
        + prefix.len();
    text[start..]
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn all_memories_share_one_limit_of_4_gib_by_default() {
    let program = hostile("two_memories.wat");
    let ended = run(&program, ProcessConfig::default());
    let message = ended.failure(FailureKind::Trap);
    assert!(
        message.contains("memory limit of 4294967296 bytes refused growth"),
        "{message}"
    );
    // The first memory took all of it, so the second could not grow at all.
    assert!(
        message.contains("from 65536 to 67174400 bytes"),
        "{message}"
    );
    let in_use = number_after(message, "bytes (");
    assert!(in_use <= 4 << 30, "{message}");
}

#[test]
fn a_log_line_without_end_is_cut_and_charged_to_the_output_limit() {
    for (name, call) in [
        ("dagger_log_flood.wat", "write"),
        ("olin_log_flood.wat", "resource_write"),
    ] {
        let program = hostile(name);
        let config = limits(Limits {
            max_output: Some(1 << 20),
            timeout: Some(Duration::from_secs(30)),
            ..Limits::default()
        });
        both(&program, config, |how, ended| {
            let message = ended.failure(FailureKind::OutputLimit);
            assert!(
                message.contains(&format!("guest `{name}` was killed in call `{call}`")),
                "{how}: {message}"
            );
            assert!(
                message.contains("output limit of 1048576 bytes exceeded"),
                "{how}: {message}"
            );
            let written = ended.stderr.len();
            assert!(
                written <= 1 << 20,
                "{how}: {written} bytes passed the limit"
            );
            assert!(
                written > 1 << 19,
                "{how}: the lines were written as they filled"
            );
            let text = ended.stderr.text();
            let first = text.lines().next().unwrap_or("");
            assert_eq!(
                first.len(),
                "flood: ".len() + 4096,
                "{how}: lines of 4096 bytes"
            );
        });
    }
}

#[test]
fn the_debugger_keeps_a_tail_of_a_guest_writing_without_end() {
    let program = hostile("stdout_flood.wat");
    let config = limits(Limits {
        timeout: Some(Duration::from_secs(2)),
        ..Limits::default()
    });
    let ended = debug(&program, config);
    ended.failure(FailureKind::Timeout);
    let kept = ended.stdout.contents().len();
    assert!(kept <= 2 * OUTPUT_TAIL, "kept {kept} bytes");
    assert!(
        ended.stdout.len() > 2 * OUTPUT_TAIL,
        "it wrote {} bytes in 2 s: more than the tail",
        ended.stdout.len()
    );
    assert_eq!(ended.stdout.dropped() as usize + kept, ended.stdout.len());
}

#[test]
fn an_endless_loop_ends_at_the_time_limit_and_the_debugger_says_so() {
    let program = hostile("spin.wat");
    let config = limits(Limits {
        timeout: Some(Duration::from_millis(500)),
        ..Limits::default()
    });
    let message = run(&program, config.clone())
        .failure(FailureKind::Timeout)
        .to_string();
    assert!(
        message.starts_with("guest `spin.wat` exceeded its time limit of 500ms in spin"),
        "{message}"
    );
    let mut stops = Vec::new();
    let ended = debug_with(&program, config, |r| stops.push(r.to_string()));
    assert_eq!(
        stops,
        ["entry", "trap: time limit of 500ms exceeded"],
        "the debugger stops where the time ran out, and says why"
    );
    assert!(
        ended
            .failure(FailureKind::Timeout)
            .starts_with("guest `spin.wat` exceeded its time limit of 500ms in spin"),
        "{:?}",
        ended.status
    );
}

#[test]
fn a_sleep_past_the_time_limit_ends_in_the_sleep() {
    let program = hostile("olin_sleep.wat");
    let config = limits(Limits {
        timeout: Some(Duration::from_secs(1)),
        ..Limits::default()
    });
    both(&program, config, |how, ended| {
        let message = ended.failure(FailureKind::Timeout);
        assert!(
            message.contains(
                "guest `olin_sleep.wat` exceeded its time limit of 1s in call `runtime_msleep`"
            ),
            "{how}: {message}"
        );
        assert!(
            message.ends_with("it was sleeping for 10000 ms"),
            "{how}: {message}"
        );
        assert!(
            ended.took < Duration::from_secs(8),
            "{how}: took {:?}",
            ended.took
        );
    });
}

#[test]
fn a_full_descriptor_table_is_named() {
    for name in ["dagger_fd_table.wat", "olin_fd_table.wat"] {
        let program = hostile(name);
        both(&program, ProcessConfig::default(), |how, ended| {
            assert_eq!(ended.code(), 7, "{how}: {name} saw -1");
            let err = ended.stderr.text();
            assert!(
                err.contains(&format!("wasmhole: {name}: cannot open"))
                    && err.contains("descriptor limit of 1024 reached"),
                "{how}: {err}"
            );
        });
    }
}

#[test]
fn a_write_never_reports_more_than_it_can_count() {
    for name in ["write_4gib.wat", "dagger_write_3gib.wat"] {
        let program = hostile(name);
        let config = ProcessConfig {
            stdout: OutputSpec::Null,
            ..ProcessConfig::default()
        };
        // Standard output is discarded, not buffered: only the count matters.
        let (mut config, _, stderr) = with_buffers(config);
        config.stdout = OutputSpec::Null;
        name_args(&program, &mut config);
        let report = Runtime::new(EngineOptions::default()).unwrap().run(
            &program,
            RunOptions {
                abi: None,
                config,
                sinks: Vec::new(),
            },
        );
        assert_eq!(
            report.status,
            ExitStatus::Exited(0),
            "{name}: the count is the most it can report ({})",
            stderr.text()
        );
    }
}

#[test]
fn http_requests_held_by_the_host_count_against_the_memory_limit() {
    let program = hostile("olin_http_hoard.wat");
    let config = ProcessConfig {
        args: vec!["http://127.0.0.1:9/".into()],
        limits: Limits {
            max_memory: Some(64 << 20),
            ..Limits::default()
        },
        access: Access {
            net: vec![NetAllow::parse("127.0.0.1").unwrap()],
            ..Access::default()
        },
        ..ProcessConfig::default()
    };
    both(&program, config, |how, ended| {
        assert_eq!(
            ended.code(),
            3,
            "{how}: a write was refused ({})",
            ended.stderr.text()
        );
        let err = ended.stderr.text();
        assert!(
            err.contains("wasmhole: olin_http_hoard.wat: memory limit of 67108864 bytes reached"),
            "{how}: {err}"
        );
        assert!(
            err.contains("the host holds an HTTP request until it is flushed"),
            "{how}: {err}"
        );
    });
}

/// A FIFO named `fifo` in a fresh directory granted as `/data`.
fn fifo_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    rustix::fs::mknodat(
        rustix::fs::CWD,
        dir.path().join("fifo"),
        rustix::fs::FileType::Fifo,
        rustix::fs::Mode::from_raw_mode(0o600),
        0,
    )
    .unwrap();
    dir
}

#[test]
fn a_fifo_nobody_opens_ends_at_the_time_limit() {
    for (name, call, waiting) in [
        (
            "fifo_read.wat",
            "path_open",
            "it was waiting for a writer to open the FIFO fifo",
        ),
        (
            "dagger_fifo_write.wat",
            "open",
            "it was waiting for a reader to open the FIFO /data/fifo",
        ),
    ] {
        let dir = fifo_dir();
        let program = hostile(name);
        let config = ProcessConfig {
            dirs: vec![DirGrant {
                host: dir.path().into(),
                guest: "/data".into(),
            }],
            limits: Limits {
                timeout: Some(Duration::from_secs(1)),
                ..Limits::default()
            },
            ..ProcessConfig::default()
        };
        both(&program, config, |how, ended| {
            let message = ended.failure(FailureKind::Timeout);
            assert!(
                message.contains(&format!(
                    "guest `{name}` exceeded its time limit of 1s in call `{call}`"
                )),
                "{how}: {message}"
            );
            assert!(message.ends_with(waiting), "{how}: {message}");
            assert!(
                ended.took < Duration::from_secs(10),
                "{how}: took {:?}",
                ended.took
            );
        });
    }
}

#[test]
fn a_fifo_whose_writer_stops_writing_ends_at_the_time_limit() {
    // A writer opens the FIFO and sends one line, then keeps it open and
    // says nothing more: the guest's second read waits, until its deadline.
    let dir = fifo_dir();
    let fifo = dir.path().join("fifo");
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new().write(true).open(fifo).unwrap();
        f.write_all(b"one line\n").unwrap();
        std::thread::sleep(Duration::from_secs(3));
    });
    let program = Program::from_wat(
        "fifo_twice.wat",
        r#"(module
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "fifo")
  (func (export "_start")
    (drop (call $path_open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 4)
          (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 16)))
    (i32.store (i32.const 32) (i32.const 64))
    (i32.store (i32.const 36) (i32.const 16))
    (drop (call $fd_read (i32.load (i32.const 16)) (i32.const 32) (i32.const 1) (i32.const 40)))
    (drop (call $fd_read (i32.load (i32.const 16)) (i32.const 32) (i32.const 1) (i32.const 40)))))"#,
    )
    .unwrap();
    let config = ProcessConfig {
        dirs: vec![DirGrant {
            host: dir.path().into(),
            guest: "/data".into(),
        }],
        limits: Limits {
            timeout: Some(Duration::from_secs(1)),
            ..Limits::default()
        },
        ..ProcessConfig::default()
    };
    let ended = run(&program, config);
    let message = ended.failure(FailureKind::Timeout);
    assert!(
        message.contains("time limit of 1s in call `fd_read`")
            && message.ends_with("it was waiting to read from /data/fifo"),
        "{message}"
    );
    writer.join().unwrap();
}

#[test]
fn standard_input_that_never_comes_ends_at_the_time_limit() {
    let program = hostile("stdin_wait.wat");
    let pipe = wasmhole_runtime::sandbox::stdio::Pipe::new();
    let config = ProcessConfig {
        stdin: InputSpec::Pipe(pipe.clone()),
        limits: Limits {
            timeout: Some(Duration::from_secs(1)),
            ..Limits::default()
        },
        ..ProcessConfig::default()
    };
    both(&program, config, |how, ended| {
        let message = ended.failure(FailureKind::Timeout);
        assert!(
            message.contains("exceeded its time limit of 1s in call `fd_read`"),
            "{how}: {message}"
        );
        assert!(
            message.ends_with("it was waiting for standard input"),
            "{how}: {message}"
        );
    });
}
