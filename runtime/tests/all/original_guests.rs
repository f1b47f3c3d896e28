//! Guests shaped like the original Dagger and Olin programs, and like what
//! other toolchains produce, run unchanged: memory declared and never
//! exported (or imported), old WAT instruction names, an entry point that
//! is `main` or `cwa_main` and returns the exit status. What the host shows
//! about them (trap offsets here; pcs and breakpoints in `debug_session`)
//! is about the user's own module bytes.

use std::sync::{Arc, Mutex};
use wasmhole_runtime::calls::record::CallOutcome;
use wasmhole_runtime::calls::ring::{Ring, RingSink};
use wasmhole_runtime::{
    EngineOptions, ExitStatus, FailureKind, OutputSpec, ProcessConfig, Program, RunOptions,
    Runtime, SharedBuffer, SyscallRecord,
};

/// The first original Dagger test program's shape: hello world to
/// `fd://1`, memory declared and never exported, old instruction names,
/// `main` returning the exit status.
const DAGGER_HELLO: &str = r#"(module
  (import "dagger" "open" (func $open (param i32 i32) (result i32)))
  (import "dagger" "write" (func $write (param i32 i32 i32) (result i32)))
  (import "dagger" "close" (func $close (param i32) (result i32)))
  (memory $mem 1)
  (data (i32.const 200) "fd://1\00")
  (data (i32.const 230) "Hello, world!\n")
  (func $main (export "main") (result i32)
    (local $fd i32)
    (set_local $fd (call $open (i32.const 200) (i32.const 0)))
    (drop (call $write (get_local $fd) (i32.const 230) (i32.const 14)))
    (drop (call $close (get_local $fd)))
    (i32.const 3)))"#;

struct Ran {
    status: ExitStatus,
    stdout: String,
    stderr: String,
    records: Vec<SyscallRecord>,
}

impl Ran {
    fn trace(&self) -> Vec<String> {
        self.records.iter().map(|r| r.call_text()).collect()
    }
}

fn run_with(program: &Program, config: ProcessConfig) -> Ran {
    let runtime = Runtime::new(EngineOptions::default()).unwrap();
    let stdout = SharedBuffer::new();
    let stderr = SharedBuffer::new();
    let ring = Arc::new(Mutex::new(Ring::new(1000)));
    let report = runtime.run(
        program,
        RunOptions {
            abi: None,
            config: ProcessConfig {
                args: vec![program.name().to_string()],
                stdout: OutputSpec::Buffer(stdout.clone()),
                stderr: OutputSpec::Buffer(stderr.clone()),
                ..config
            },
            sinks: vec![Box::new(RingSink(ring.clone()))],
        },
    );
    let records = ring.lock().unwrap().since(0).collect();
    Ran {
        status: report.status,
        stdout: stdout.text(),
        stderr: stderr.text(),
        records,
    }
}

fn run(name: &str, wat: &str) -> Ran {
    run_with(
        &Program::from_wat(name, wat).unwrap(),
        ProcessConfig::default(),
    )
}

fn failure(status: &ExitStatus) -> &wasmhole_runtime::GuestFailure {
    match status {
        ExitStatus::Failed(f) => f,
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[test]
fn dagger_hello_of_the_original_shape_prints_and_exits_with_mains_result() {
    let ran = run("hello.wat", DAGGER_HELLO);
    assert_eq!(ran.stdout, "Hello, world!\n");
    assert_eq!(ran.status, ExitStatus::Exited(3));
    let trace = ran.trace();
    assert!(
        trace[0].starts_with(r#"open(url="fd://1", flags=0) = 0"#),
        "{trace:?}"
    );
    assert!(
        trace[1].starts_with(r#"write(fd=0<fd://1>, buf="Hello, world!\n", len=14) = 14"#),
        "{trace:?}"
    );
}

#[test]
fn olin_guest_with_unexported_memory_and_cwa_main() {
    let wat = r#"(module
  (import "env" "io_get_stdout" (func $stdout (result i32)))
  (import "env" "resource_write" (func $write (param i32 i32 i32) (result i32)))
  (import "env" "runtime_name" (func $name (param i32 i32) (result i32)))
  (memory $mem 2)
  (func $cwa_main (export "cwa_main") (result i32)
    (local $n i32)
    (set_local $n (call $name (i32.const 100) (i32.const 32)))
    (drop (call $write (call $stdout) (i32.const 100) (get_local $n)))
    (i32.const 7))
  ;; libcwa's C-style main takes argc and argv: not an entry point
  (func (export "main") (param i32 i32) (result i32) (i32.const 99)))"#;
    let ran = run("libcwa.wat", wat);
    assert_eq!(
        ran.stdout, "olin",
        "runtime_name answers as the original host"
    );
    assert_eq!(ran.status, ExitStatus::Exited(7));
}

/// Memory 0 declared three ways a toolchain may leave it: exported under a
/// name other than `memory`, not exported, exported twice; each ABI's host
/// calls reach it all the same.
#[test]
fn memory_zero_is_reached_whatever_it_is_exported_as() {
    for memory in [
        r#"(memory $m (export "heap") 1)"#,
        "(memory $m 1)",
        r#"(memory $m (export "a") (export "b") 1)"#,
    ] {
        let wasi = format!(
            r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  {memory}
  (data (i32.const 16) "wasi\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 5))
    (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"#
        );
        let ran = run("wasi.wat", &wasi);
        assert_eq!(
            ran.status,
            ExitStatus::Exited(0),
            "{memory}: {}",
            ran.stderr
        );
        assert_eq!(ran.stdout, "wasi\n", "{memory}");
        let olin = format!(
            r#"(module
  (import "cwa" "io_get_stdout" (func $stdout (result i32)))
  (import "cwa" "resource_write" (func $write (param i32 i32 i32) (result i32)))
  {memory}
  (data (i32.const 16) "olin\n")
  (func (export "_start") (drop (call $write (call $stdout) (i32.const 16) (i32.const 5)))))"#
        );
        let ran = run("olin.wat", &olin);
        assert_eq!(
            ran.status,
            ExitStatus::Exited(0),
            "{memory}: {}",
            ran.stderr
        );
        assert_eq!(ran.stdout, "olin\n", "{memory}");
        let dagger = DAGGER_HELLO.replace("(memory $mem 1)", &memory.replace("$m ", "$mem "));
        let ran = run("dagger.wat", &dagger);
        assert_eq!(
            ran.status,
            ExitStatus::Exited(3),
            "{memory}: {}",
            ran.stderr
        );
        assert_eq!(ran.stdout, "Hello, world!\n", "{memory}");
    }
}

#[test]
fn imported_memory_is_provided_with_the_imported_limits() {
    let wat = r#"(module
  (import "env" "memory" (memory 2 4))
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (data (i32.const 70000) "above the first page\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 70000))
    (i32.store (i32.const 4) (i32.const 21))
    (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    ;; the maximum is the imported one: growing past 4 pages fails
    (if (i32.ne (memory.grow (i32.const 3)) (i32.const -1)) (then unreachable))))"#;
    let ran = run("imported.wat", wat);
    assert_eq!(ran.status, ExitStatus::Exited(0), "{}", ran.stderr);
    assert_eq!(ran.stdout, "above the first page\n");
}

#[test]
fn a_guest_without_memory_gets_the_abis_error_and_the_trace_says_no_memory() {
    let dagger = r#"(module
  (import "dagger" "open" (func $open (param i32 i32) (result i32)))
  (func (export "main") (result i32)
    (call $open (i32.const 200) (i32.const 0))))"#;
    let ran = run("nomem.wat", dagger);
    assert_eq!(ran.status, ExitStatus::Exited(-2), "EBADURLINPUT");
    let line = &ran.trace()[0];
    assert!(
        line.starts_with("open(url=0xc8 <no memory>, flags=0) = -2 EBADURLINPUT"),
        "{line}"
    );
    let wasi = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (func (export "_start")
    (if (i32.ne (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)) (i32.const 21))
      (then unreachable))))"#;
    let ran = run("nomem_wasi.wat", wasi);
    assert_eq!(ran.status, ExitStatus::Exited(0), "EFAULT came back");
    let line = &ran.trace()[0];
    assert!(line.contains("iovs=0x0 <no memory>"), "{line}");
    assert!(line.contains("EFAULT"), "{line}");
    let olin = r#"(module
  (import "cwa" "log_write" (func $log (param i32 i32 i32)))
  (func (export "_start") (call $log (i32.const 6) (i32.const 0) (i32.const 4))))"#;
    let ran = run("nomem_olin.wat", olin);
    let f = failure(&ran.status);
    assert_eq!(f.kind, FailureKind::Killed);
    assert!(
        f.message.contains("the guest has no memory"),
        "{}",
        f.message
    );
    assert!(!f.message.contains("outside"), "{}", f.message);
}

#[test]
fn trap_offsets_are_the_users_own() {
    let wat = r#"(module
  (import "dagger" "open" (func $open (param i32 i32) (result i32)))
  (memory $mem 1)
  (func $boom (export "main") (result i32)
    (drop (call $open (i32.const 0) (i32.const 0)))
    unreachable))"#;
    let program = Program::from_wat("boom.wat", wat).unwrap();
    assert!(program.host_module().is_rewritten());
    let unreachable = program
        .disassembly()
        .lines()
        .iter()
        .find(|l| l.text.trim() == "unreachable")
        .and_then(|l| l.offset)
        .expect("unreachable in the disassembly");
    assert_eq!(
        program.bytes()[unreachable],
        0x00,
        "the user's byte is `unreachable`"
    );
    let ran = run_with(&program, ProcessConfig::default());
    let f = failure(&ran.status);
    assert_eq!(f.kind, FailureKind::Trap);
    assert_eq!(f.location, Some(("boom (func 1)".to_string(), unreachable)));
    assert!(
        f.message
            .contains(&format!("at wasm offset {unreachable:#x}")),
        "{}",
        f.message
    );
}

/// An `fd_read` whose buffer is its own iovec array: the trace shows the
/// iovec the guest passed, not the bytes that overwrote it.
#[test]
fn inputs_are_decoded_before_the_call_overwrites_them() {
    let wat = r#"(module
  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    ;; iovec at 16: buffer 16, length 12: the read lands on the iovec itself
    (i32.store (i32.const 16) (i32.const 16))
    (i32.store (i32.const 20) (i32.const 12))
    (drop (call $read (i32.const 0) (i32.const 16) (i32.const 1) (i32.const 64)))))"#;
    let ran = run_with(
        &Program::from_wat("overlap.wat", wat).unwrap(),
        ProcessConfig {
            stdin: wasmhole_runtime::InputSpec::Bytes(Arc::from(&b"XXXXYYYYZZZZ"[..])),
            ..ProcessConfig::default()
        },
    );
    assert_eq!(ran.status, ExitStatus::Exited(0));
    let read = &ran.records[0];
    assert_eq!(read.args[1].shown, r#"[{"XXXXYYYYZZZZ", 12}]"#);
    assert_eq!(read.args[3].shown, "[12]");
    assert!(matches!(read.outcome, CallOutcome::Returned(_)));
}

mod entry_points {
    use super::*;

    fn program(wat: &str) -> Program {
        Program::from_wat("entries.wat", wat).unwrap()
    }

    const MANY: &str = r#"(module
  (import "cwa" "runtime_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "cwa_main") (result i32) (i32.const 4))
  (func (export "main") (result i32) (i32.const 5))
  (func (export "other") (result i32) (i32.const 6))
  (func (export "exits") (call $exit (i32.const 8)))
  (func (export "add") (param i32 i32) (result i32) (local.get 0)))"#;

    fn status(program: &Program, invoke: Option<&str>) -> ExitStatus {
        run_with(
            program,
            ProcessConfig {
                entry: invoke.map(str::to_string),
                ..ProcessConfig::default()
            },
        )
        .status
    }

    #[test]
    fn olin_looks_for_start_then_cwa_main_then_main() {
        let p = program(MANY);
        assert_eq!(status(&p, None), ExitStatus::Exited(4), "cwa_main first");
        assert_eq!(status(&p, Some("main")), ExitStatus::Exited(5));
        assert_eq!(status(&p, Some("other")), ExitStatus::Exited(6));
        assert_eq!(status(&p, Some("exits")), ExitStatus::Exited(8));
    }

    #[test]
    fn a_missing_or_uncallable_entry_names_what_could_be_called() {
        let p = program(MANY);
        let missing = status(&p, Some("nope"));
        let f = failure(&missing);
        assert_eq!(f.kind, FailureKind::NoEntry);
        assert!(
            f.message.contains("no function `nope`")
                && f.message.contains("cwa_main, main, other, exits"),
            "{}",
            f.message
        );
        let with_params = status(&p, Some("add"));
        let f = failure(&with_params);
        assert!(
            f.message
                .contains("`add` takes parameters (i32, i32) -> (i32)"),
            "{}",
            f.message
        );
        let none = program(
            r#"(module (import "dagger" "close" (func (param i32) (result i32)))
                 (func (export "run") (result i32) (i32.const 0))
                 (func (export "go") (param i32)))"#,
        );
        let f = failure(&status(&none, None)).clone();
        assert!(
            f.message
                .contains("exports no entry point for Dagger (looked for main, _start; it can be started at run; name one to invoke)"),
            "{}",
            f.message
        );
    }

    #[test]
    fn a_wasi_reactor_is_initialized_before_the_invoked_function() {
        let p = program(
            r#"(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (global $ready (mut i32) (i32.const 0))
  (func (export "_initialize") (global.set $ready (i32.const 40)))
  (func (export "answer") (result i32) (i32.add (global.get $ready) (i32.const 2))))"#,
        );
        assert_eq!(status(&p, Some("answer")), ExitStatus::Exited(42));
    }
}
