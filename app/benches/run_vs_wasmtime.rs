//! Prints how `wasmhole run` compares with `wasmtime run`: a syscall-heavy
//! guest (a million one-byte `fd_write`s to a file) with tracing off and with
//! every call recorded to the ring, and the cold start of a hello world.
//!
//! `cargo bench -p wasmhole --bench run_vs_wasmtime`. Set `WASMTIME` to a
//! `wasmtime` binary (else one on PATH is used) for the comparison columns.

mod common;

use common::{median, ms, wasmtime};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use wasmhole_runtime::calls::ring::{Ring, RingSink};
use wasmhole_runtime::{
    DirGrant, EngineOptions, ExitStatus, OutputSpec, ProcessConfig, Program, RunOptions, Runtime,
};

const WRITES: u32 = 1_000_000;

fn writes_wat() -> String {
    format!(
        r#"(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "out.txt")
  (data (i32.const 96) "x")
  (func (export "_start") (local $fd i32) (local $i i32)
    ;; open out.txt for writing (CREAT|TRUNC, FD_WRITE)
    (drop (call $open (i32.const 3) (i32.const 0) (i32.const 64) (i32.const 7)
      (i32.const 9) (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 16)))
    (local.set $fd (i32.load (i32.const 16)))
    (i32.store (i32.const 0) (i32.const 96))
    (i32.store (i32.const 4) (i32.const 1))
    (loop $l
      (drop (call $write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const {WRITES}))))))"#
    )
}

const HELLO_WAT: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 6))
    (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"#;

fn write_wasm(dir: &Path, name: &str, wat: &str) -> PathBuf {
    let program = Program::from_wat(name, wat).expect("bench guest compiles");
    let path = dir.join(name);
    std::fs::write(&path, program.bytes()).unwrap();
    path
}

/// Median wall time of `reps` runs of a command.
fn time_command(reps: usize, make: impl Fn() -> Command) -> Duration {
    let times = (0..reps)
        .map(|_| {
            let t0 = Instant::now();
            let status = make()
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .expect("start command");
            assert!(status.success(), "benchmark command failed: {status}");
            t0.elapsed()
        })
        .collect();
    median(times)
}

fn in_process(program: &Program, dir: &Path, ring: bool) -> Duration {
    let runtime = Runtime::new(EngineOptions::default()).unwrap();
    let sinks: Vec<Box<dyn wasmhole_runtime::calls::sink::RecordSink>> = if ring {
        vec![Box::new(RingSink(Arc::new(Mutex::new(Ring::new(65_536)))))]
    } else {
        Vec::new()
    };
    let t0 = Instant::now();
    let report = runtime.run(
        program,
        RunOptions {
            abi: None,
            config: ProcessConfig {
                args: vec!["writes.wasm".into()],
                dirs: vec![DirGrant {
                    host: dir.to_path_buf(),
                    guest: ".".into(),
                }],
                stdout: OutputSpec::Null,
                ..ProcessConfig::default()
            },
            sinks,
        },
    );
    assert_eq!(report.status, ExitStatus::Exited(0));
    t0.elapsed()
}

fn main() {
    let wasmhole = PathBuf::from(env!("CARGO_BIN_EXE_wasmhole"));
    let dir = tempfile::tempdir().unwrap();
    let writes = write_wasm(dir.path(), "writes.wasm", &writes_wat());
    let hello = write_wasm(dir.path(), "hello.wasm", HELLO_WAT);
    let grant = format!("{}::.", dir.path().display());
    let wasmtime = wasmtime();

    println!("wasmhole run vs wasmtime run (median wall time)");
    println!("guest: {WRITES} one-byte fd_write calls to a file\n");
    let ours = time_command(5, || {
        let mut c = Command::new(&wasmhole);
        c.args(["run", "--dir", &grant]).arg(&writes);
        c
    });
    let program = Program::from_file(&writes).unwrap();
    let fast = median(
        (0..5)
            .map(|_| in_process(&program, dir.path(), false))
            .collect(),
    );
    let ring = median(
        (0..5)
            .map(|_| in_process(&program, dir.path(), true))
            .collect(),
    );
    let theirs = wasmtime.as_ref().map(|wt| {
        time_command(5, || {
            let mut c = Command::new(wt);
            c.args(["run", "--dir", &grant]).arg(&writes);
            c
        })
    });
    println!("{:<46} {}", "wasmhole run (tracing off)", ms(ours));
    println!("{:<46} {}", "  in-process, no sink", ms(fast));
    println!(
        "{:<46} {}",
        "  in-process, every call recorded to the ring",
        ms(ring)
    );
    println!(
        "{:<46} {:9.0} ns/call",
        "  recording cost",
        (ring.as_nanos() as f64 - fast.as_nanos() as f64) / WRITES as f64
    );
    if let Some(theirs) = theirs {
        println!("{:<46} {}", "wasmtime run", ms(theirs));
        println!(
            "{:<46} {:9.2}x  (goal <= 1.00)",
            "ratio wasmhole/wasmtime, tracing off",
            ours.as_secs_f64() / theirs.as_secs_f64()
        );
        println!(
            "{:<46} {:9.2}x  (goal <= 2.50)",
            "ratio wasmhole ring/wasmtime",
            ring.as_secs_f64() / theirs.as_secs_f64()
        );
    } else {
        println!("wasmtime not found (set WASMTIME=path): comparison skipped");
    }

    println!("\ncold start: hello world, 21 runs");
    let ours = time_command(21, || {
        let mut c = Command::new(&wasmhole);
        c.arg("run").arg(&hello);
        c
    });
    println!("{:<46} {}", "wasmhole run", ms(ours));
    if let Some(wt) = &wasmtime {
        let theirs = time_command(21, || {
            let mut c = Command::new(wt);
            c.arg("run").arg(&hello);
            c
        });
        println!("{:<46} {}", "wasmtime run", ms(theirs));
        println!(
            "{:<46} {:9.2}x  (goal <= 1.20)",
            "ratio wasmhole/wasmtime",
            ours.as_secs_f64() / theirs.as_secs_f64()
        );
    }
}
