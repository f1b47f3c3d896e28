//! `wasmhole run` as a user runs it: output, exit status, traces, summaries,
//! and the message for every way a guest can be stopped.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn wasmhole() -> Command {
    Command::new(env!("CARGO_BIN_EXE_wasmhole"))
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Writes `text` to `name` in a fresh temporary folder.
fn guest(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn run(args: &[&str]) -> Output {
    wasmhole()
        .arg("run")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run wasmhole")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const WASI_WRITE: &str = r#"(import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))"#;
const WASI_EXIT: &str =
    r#"(import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))"#;

#[test]
fn hello_sample_prints_and_exits_zero() {
    let sample = repo_root().join("samples/wasi/hello.wat");
    let o = run(&[sample.to_str().unwrap()]);
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "Hello from a WASI guest!\n"
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn exit_status_is_the_guests() {
    let dir = tempfile::tempdir().unwrap();
    let wat = format!(
        r#"(module {WASI_EXIT} (memory (export "memory") 1)
             (func (export "_start") (call $proc_exit (i32.const 7))))"#
    );
    let path = guest(&dir, "seven.wat", &wat);
    let o = run(&[path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(7));
}

#[test]
fn trace_shows_decoded_calls_and_summary_counts_them() {
    let sample = repo_root().join("samples/wasi/hello.wat");
    let o = run(&["--trace", "--summary", sample.to_str().unwrap()]);
    let err = stderr(&o);
    assert!(
        err.contains(
            r#"fd_write(fd=1<stdout>, iovs=[{"Hello from a WASI guest!\n", 25}], iovs_len=1, nwritten=[25]) = 0"#
        ),
        "{err}"
    );
    let total = err
        .lines()
        .find(|l| l.ends_with(" total"))
        .expect("a total row");
    assert!(total.split_whitespace().any(|w| w == "1"), "{total}");
    assert!(err.lines().any(|l| l.ends_with(" fd_write")), "{err}");
}

#[test]
fn jsonl_trace_goes_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("trace.jsonl");
    let sample = repo_root().join("samples/wasi/hello.wat");
    let o = run(&[
        &format!("--trace={}", trace.display()),
        "--trace-format",
        "jsonl",
        sample.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(&trace).unwrap();
    let records: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(records.len(), 1);
    let r = &records[0];
    assert_eq!(r["name"], "fd_write");
    assert_eq!(r["abi"], "wasi");
    assert_eq!(r["args"][0]["shown"], "1<stdout>");
    assert_eq!(r["outcome"]["raw"], 0);
    // The host read the iovec (8 bytes at 0) and the string (25 bytes at 16),
    // and wrote the count at 8.
    assert_eq!(r["reads"][0]["start"], 0);
    assert_eq!(r["writes"][0], serde_json::json!({"start": 8, "len": 4}));
}

#[test]
fn trap_names_guest_function_and_offset() {
    let dir = tempfile::tempdir().unwrap();
    let path = guest(
        &dir,
        "boom.wat",
        r#"(module (memory (export "memory") 1)
             (func $explode unreachable)
             (func (export "_start") call $explode))"#,
    );
    let o = run(&[path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(134));
    let err = stderr(&o);
    assert!(
        err.contains("guest `boom.wat` trapped in explode (func 0) at wasm offset 0x"),
        "{err}"
    );
    assert!(err.contains("unreachable"), "{err}");
}

#[test]
fn missing_import_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = guest(
        &dir,
        "odd.wat",
        r#"(module (import "wasi_snapshot_preview1" "fd_teleport" (func (param i32)))
             (memory (export "memory") 1) (func (export "_start")))"#,
    );
    let o = run(&[path.to_str().unwrap()]);
    // A guest that cannot start exits 1, as under wasmtime (134 is for a
    // guest stopped on its way).
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("imports `wasi_snapshot_preview1::fd_teleport`, which the WASI preview 1 ABI does not provide"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_guest_that_cannot_start_hears_every_reason_at_once() {
    let dir = tempfile::tempdir().unwrap();
    // A reactor (no `_start`) that also imports a call no ABI provides.
    let path = guest(
        &dir,
        "reactor.wat",
        r#"(module
             (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
             (import "host" "call" (func))
             (memory (export "memory") 1)
             (func (export "_initialize"))
             (func (export "work") (param i32)))"#,
    );
    let o = run(&[path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(
        stderr(&o),
        "error: guest `reactor.wat` cannot start, for 2 reasons: it imports `host::call`, \
         which the WASI preview 1 ABI does not provide; and it exports no entry point for \
         WASI preview 1 (looked for _start; it can be started at _initialize; name one to \
         invoke)\n"
    );
    // Without an entry point alone: 1 too, and the one reason as before.
    let path = guest(
        &dir,
        "lib.wat",
        r#"(module (memory (export "memory") 1) (func (export "add") (param i32 i32) (result i32) local.get 0))"#,
    );
    let o = run(&[path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).starts_with("error: guest `lib.wat` exports no entry point"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn endless_loop_is_stopped_by_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let path = guest(
        &dir,
        "spin.wat",
        r#"(module (memory (export "memory") 1)
             (func $spin (loop $l (br $l)))
             (func (export "_start") call $spin))"#,
    );
    let t0 = Instant::now();
    let o = run(&["--timeout", "300ms", path.to_str().unwrap()]);
    assert!(t0.elapsed() < Duration::from_secs(20), "stopped promptly");
    assert_eq!(o.status.code(), Some(134));
    let err = stderr(&o);
    assert!(
        err.contains("guest `spin.wat` exceeded its time limit of 300ms"),
        "{err}"
    );
    assert!(err.contains("in spin (func 0)"), "{err}");
}

#[test]
fn endless_loop_is_stopped_by_fuel() {
    let dir = tempfile::tempdir().unwrap();
    let path = guest(
        &dir,
        "spin.wat",
        r#"(module (memory (export "memory") 1) (func (export "_start") (loop $l (br $l))))"#,
    );
    let o = run(&["--fuel", "100000", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(134));
    assert!(
        stderr(&o).contains("ran out of fuel (budget 100000 units)"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn memory_bomb_is_refused_and_named() {
    let dir = tempfile::tempdir().unwrap();
    // Grows one page at a time until refused, then traps.
    let path = guest(
        &dir,
        "bomb.wat",
        r#"(module (memory (export "memory") 1)
             (func (export "_start")
               (loop $grow
                 (br_if $grow (i32.ne (memory.grow (i32.const 1)) (i32.const -1))))
               unreachable))"#,
    );
    let o = run(&["--max-memory", "1M", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(134));
    let err = stderr(&o);
    assert!(
        err.contains("memory limit of 1048576 bytes refused growth from 1048576 to 1114112 bytes"),
        "{err}"
    );
}

#[test]
fn output_flood_is_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let wat = format!(
        r#"(module {WASI_WRITE} (memory (export "memory") 1)
             (data (i32.const 16) "flood flood flood\n")
             (func (export "_start")
               (i32.store (i32.const 0) (i32.const 16))
               (i32.store (i32.const 4) (i32.const 18))
               (loop $l
                 (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
                 (br $l))))"#
    );
    let path = guest(&dir, "flood.wat", &wat);
    let o = run(&["--max-output", "1000", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(134));
    assert!(o.stdout.len() <= 1000, "wrote {} bytes", o.stdout.len());
    assert!(o.stdout.len() >= 990);
    assert!(
        stderr(&o).contains("killed in call `fd_write`"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("output limit of 1000 bytes exceeded"));
}

#[test]
fn malformed_wat_shows_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = guest(
        &dir,
        "bad.wat",
        "(module\n  (func (export \"_start\")\n    i32.const 1\n    i32.frobnicate))\n",
    );
    let o = run(&[path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("bad.wat:4:5: unknown operator"), "{err}");
    assert!(err.contains("i32.frobnicate"), "{err}");
}

#[test]
fn malformed_binary_is_rejected_with_offset() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.wasm");
    std::fs::write(&path, b"\0asm\x01\0\0\0\x01\xff\xff").unwrap();
    let o = run(&[path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("bad.wasm: invalid WebAssembly at byte offset"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn granted_directory_is_reachable_and_escape_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::write(data.join("note.txt"), "inside").unwrap();
    std::fs::write(dir.path().join("secret.txt"), "outside").unwrap();
    // path_open on fd 3 (the grant) for "note.txt" then "../secret.txt";
    // exits with 100 * first errno + second errno.
    let wat = format!(
        r#"(module
             (import "wasi_snapshot_preview1" "path_open"
               (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
             {WASI_EXIT}
             (memory (export "memory") 1)
             (data (i32.const 32) "note.txt")
             (data (i32.const 64) "../secret.txt")
             (func (export "_start")
               (call $proc_exit
                 (i32.add
                   (i32.mul (i32.const 100)
                     (call $open (i32.const 3) (i32.const 1) (i32.const 32) (i32.const 8)
                       (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0)))
                   (call $open (i32.const 3) (i32.const 1) (i32.const 64) (i32.const 13)
                       (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0))))))"#
    );
    let path = guest(&dir, "jail.wat", &wat);
    let o = run(&[
        "--trace",
        "--dir",
        &format!("{}::/data", data.display()),
        path.to_str().unwrap(),
    ]);
    // 0 for the first open; EPERM (63) for the escape.
    assert_eq!(o.status.code(), Some(63), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(r#"path="../secret.txt""#),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("= 63 EPERM"), "{}", stderr(&o));
}

#[test]
fn guest_reads_the_hosts_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let wat = r#"(module
         (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
         (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
         (memory (export "memory") 1)
         (func (export "_start")
           (i32.store (i32.const 0) (i32.const 64))
           (i32.store (i32.const 4) (i32.const 100))
           (drop (call $read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
           (i32.store (i32.const 4) (i32.load (i32.const 8)))
           (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"#;
    let path = guest(&dir, "echo.wat", wat);
    let mut child = wasmhole()
        .args(["run", path.to_str().unwrap()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"ping\n").unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&o.stdout), "ping\n");
}
