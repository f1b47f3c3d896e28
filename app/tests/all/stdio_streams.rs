//! The guest's standard streams are what the host's are: a C program built
//! with wasi-libc sees a terminal only where there is one (as under
//! `wasmtime run`), so its `isatty()` and its stdout buffering behave as they
//! would natively. Also argv[0], and writing to a closed pipe.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn wasmhole() -> Command {
    Command::new(env!("CARGO_BIN_EXE_wasmhole"))
}

fn probe() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/guests/stdio_probe.wasm")
}

/// The probe's report lines (fd, tty, type, access mode), in order.
fn report(output: &str) -> Vec<&str> {
    output.lines().filter(|l| l.starts_with("fd")).collect()
}

/// What the probe printed after its report: the buffering experiment.
fn experiment(output: &str) -> Vec<&str> {
    output
        .lines()
        .map(|l| l.trim_end_matches('\r'))
        .filter(|l| !l.starts_with("fd"))
        .collect()
}

#[test]
fn pipes_are_not_terminals_and_stdout_is_fully_buffered() {
    let (mut reader, writer) = std::io::pipe().unwrap();
    let stderr = writer.try_clone().unwrap();
    let mut child = wasmhole()
        .arg("run")
        .arg(probe())
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(stderr)
        .spawn()
        .unwrap();
    let mut out = String::new();
    reader.read_to_string(&mut out).unwrap();
    assert!(child.wait().unwrap().success(), "{out}");
    assert_eq!(
        report(&out),
        [
            "fd0 tty=0 type=unknown mode=r",
            "fd1 tty=0 type=unknown mode=w",
            "fd2 tty=0 type=unknown mode=w",
        ],
        "{out}"
    );
    // Not a terminal: after its first write stdout is fully buffered, so
    // the stderr line overtakes the stdout lines written after the first.
    assert_eq!(
        experiment(&out),
        ["out 1", "err", "out 2", "out 3"],
        "{out}"
    );
}

#[test]
fn a_file_is_not_a_terminal_either() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("out.txt");
    let input = dir.path().join("in.txt");
    std::fs::write(&input, "x").unwrap();
    let status = wasmhole()
        .arg("run")
        .arg(probe())
        .stdin(std::fs::File::open(&input).unwrap())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&status.stderr).into_owned();
    assert!(status.status.success(), "{err}");
    assert_eq!(
        report(&err),
        [
            "fd0 tty=0 type=unknown mode=r",
            "fd1 tty=0 type=unknown mode=w",
            "fd2 tty=0 type=unknown mode=w",
        ]
    );
    assert_eq!(
        std::fs::read_to_string(&out_path).unwrap(),
        "out 1\nout 2\nout 3\n"
    );
}

/// A pseudo-terminal: the controlling side, and the path of the terminal a
/// program is given.
fn open_pty() -> (std::fs::File, PathBuf) {
    use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};
    let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY).unwrap();
    grantpt(&master).unwrap();
    unlockpt(&master).unwrap();
    let name = ptsname(&master, Vec::new()).unwrap();
    let path = PathBuf::from(name.to_str().unwrap());
    (std::fs::File::from(master), path)
}

#[test]
fn a_terminal_is_a_character_device_and_stdout_is_line_buffered() {
    let (mut master, terminal) = open_pty();
    let open = || {
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&terminal)
            .unwrap()
    };
    let mut child = wasmhole()
        .arg("run")
        .arg(probe())
        .stdin(Stdio::null())
        .stdout(open())
        .stderr(open())
        .spawn()
        .unwrap();
    let status = child.wait().unwrap();
    // Everything the guest wrote is waiting on the controlling side; with
    // the program gone and no terminal open, reading ends with EIO.
    let mut bytes = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match master.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => bytes.extend_from_slice(&buf[..n]),
        }
    }
    let out = String::from_utf8_lossy(&bytes).into_owned();
    assert!(status.success(), "{out}");
    assert_eq!(
        report(&out)
            .iter()
            .map(|l| l.trim_end_matches('\r'))
            .collect::<Vec<_>>(),
        [
            "fd0 tty=0 type=unknown mode=r",
            "fd1 tty=1 type=chr mode=w",
            "fd2 tty=1 type=chr mode=w",
        ],
        "{out}"
    );
    // A terminal: stdout is line-buffered and the lines come out in order.
    assert_eq!(
        experiment(&out),
        ["out 1", "out 2", "err", "out 3"],
        "{out}"
    );
}

#[test]
fn argv0_is_the_module_file_name() {
    let dir = tempfile::tempdir().unwrap();
    let nested = dir.path().join("some/where");
    std::fs::create_dir_all(&nested).unwrap();
    let guest = nested.join("args.wat");
    std::fs::write(
        &guest,
        r#"(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (drop (call $sizes (i32.const 0) (i32.const 4)))
    (drop (call $get (i32.const 16) (i32.const 256)))
    ;; print the whole argument buffer, NULs and all
    (i32.store (i32.const 8) (i32.const 256))
    (i32.store (i32.const 12) (i32.load (i32.const 4)))
    (drop (call $write (i32.const 1) (i32.const 8) (i32.const 1) (i32.const 0)))))"#,
    )
    .unwrap();
    let out = wasmhole()
        .arg("run")
        .arg(&guest)
        .arg("one")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.stdout, b"args.wat\0one\0");
    let out = wasmhole()
        .args(["run", "--argv0", "tool"])
        .arg(&guest)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.stdout, b"tool\0");
}

#[test]
fn writing_to_a_closed_pipe_is_epipe() {
    let dir = tempfile::tempdir().unwrap();
    let guest = dir.path().join("write.wat");
    // Writes to stdout and exits with the errno fd_write returned.
    std::fs::write(
        &guest,
        r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 32) "hello\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 32))
    (i32.store (i32.const 4) (i32.const 6))
    (call $exit (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"#,
    )
    .unwrap();
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = wasmhole()
        .args(["run", "--trace"])
        .arg(&guest)
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(64), "WASI's EPIPE: {err}");
    assert!(err.contains("= 64 EPIPE"), "{err}");
}
