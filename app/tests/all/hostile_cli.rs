//! Hostile guests (`runtime/tests/hostile/*.wat`) under `wasmhole run` and
//! `wasmhole debug --batch`, as a person meets them: a stdin that never
//! sends, a stdout nobody reads, a FIFO nobody opens, floods and bombs.
//! Each ends with a message naming the guest, the call and the reason, in
//! bounded time and memory.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn hostile(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../runtime/tests/hostile")
        .join(name)
}

fn wasmhole() -> Command {
    Command::new(env!("CARGO_BIN_EXE_wasmhole"))
}

/// What a finished `wasmhole` left.
struct Finished {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    took: Duration,
    /// Its largest resident set, in KiB, as last seen while it ran.
    peak_kib: u64,
}

/// Waits for `child` (its stdout and stderr piped), watching its memory,
/// killing it after `patience`.
fn finish(mut child: Child, patience: Duration) -> Finished {
    let t0 = Instant::now();
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let mut peak_kib = 0;
    let status = loop {
        if let Ok(status) = std::fs::read_to_string(format!("/proc/{}/status", child.id())) {
            for line in status.lines() {
                if let Some(v) = line.strip_prefix("VmHWM:") {
                    let kib = v.trim().trim_end_matches("kB").trim().parse().unwrap_or(0);
                    peak_kib = peak_kib.max(kib);
                }
            }
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if t0.elapsed() > patience {
            let _ = child.kill();
            panic!("wasmhole did not finish within {patience:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let took = t0.elapsed();
    let stdout = out_reader.join().unwrap();
    Finished {
        code: status.code(),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: err_reader.join().unwrap(),
        took,
        peak_kib,
    }
}

const PATIENCE: Duration = Duration::from_secs(60);

fn run(args: &[&str]) -> Finished {
    let child = wasmhole()
        .arg("run")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    finish(child, PATIENCE)
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn standard_input_that_never_comes_ends_at_the_timeout() {
    // Standard input is a pipe whose writer stays open and silent.
    let mut child = wasmhole()
        .args(["run", "--timeout", "1s", path(&hostile("stdin_wait.wat"))])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let silent_writer = child.stdin.take();
    let f = finish(child, PATIENCE);
    drop(silent_writer);
    assert_eq!(f.code, Some(134), "{}", f.stderr);
    assert!(
        f.stderr
            .contains("guest `stdin_wait.wat` exceeded its time limit of 1s in call `fd_read`")
            && f.stderr.contains("it was waiting for standard input"),
        "{}",
        f.stderr
    );
    assert!(f.took < Duration::from_secs(20), "took {:?}", f.took);
}

#[test]
fn standard_output_nobody_reads_ends_at_the_timeout() {
    // Standard output is a pipe nobody reads: it fills, then every write waits.
    let (reader, writer) = std::io::pipe().unwrap();
    let child = wasmhole()
        .args(["run", "--timeout", "1s", path(&hostile("stdout_flood.wat"))])
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = child;
    let mut err = child.stderr.take().unwrap();
    let t0 = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if t0.elapsed() > PATIENCE {
            let _ = child.kill();
            panic!("wasmhole did not stop");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    drop(reader);
    let mut text = String::new();
    err.read_to_string(&mut text).unwrap();
    assert_eq!(status.code(), Some(134), "{text}");
    assert!(
        text.contains("guest `stdout_flood.wat` exceeded its time limit of 1s in call `fd_write`")
            && text.contains("it was waiting to write to standard output (nobody was reading it)"),
        "{text}"
    );
}

#[test]
fn a_fifo_nobody_opens_ends_at_the_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let status = Command::new("mkfifo")
        .arg(dir.path().join("fifo"))
        .status()
        .unwrap();
    assert!(status.success());
    let grant = format!("{}::/data", dir.path().display());
    let f = run(&[
        "--timeout",
        "1s",
        "--dir",
        &grant,
        path(&hostile("fifo_read.wat")),
    ]);
    assert_eq!(f.code, Some(134), "{}", f.stderr);
    assert!(
        f.stderr
            .contains("guest `fifo_read.wat` exceeded its time limit of 1s in call `path_open`")
            && f.stderr
                .contains("waiting for a writer to open the FIFO fifo"),
        "{}",
        f.stderr
    );
}

#[test]
fn a_64_bit_memory_is_refused() {
    let f = run(&[path(&hostile("memory64.wat"))]);
    assert_ne!(f.code, Some(0));
    assert!(
        f.stderr.contains("memory64.wat")
            && f.stderr.contains("it declares a 64-bit memory (memory64)"),
        "{}",
        f.stderr
    );
}

#[test]
fn memory_has_a_default_limit() {
    let f = run(&[path(&hostile("two_memories.wat"))]);
    assert_eq!(f.code, Some(134), "{}", f.stderr);
    assert!(
        f.stderr
            .contains("memory limit of 4294967296 bytes refused growth from 65536 to 67174400"),
        "{}",
        f.stderr
    );
}

#[test]
fn a_log_stream_without_newlines_is_bounded_by_the_output_limit() {
    let f = run(&["--max-output", "1M", path(&hostile("dagger_log_flood.wat"))]);
    assert_eq!(f.code, Some(134));
    assert!(
        f.stderr
            .contains("guest `dagger_log_flood.wat` was killed in call `write`")
            && f.stderr
                .contains(": output limit of 1048576 bytes exceeded"),
        "{}",
        &f.stderr[f.stderr.len().saturating_sub(500)..]
    );
    assert!(
        f.stderr.len() < (1 << 20) + 4096,
        "{} bytes",
        f.stderr.len()
    );
    assert!(f.peak_kib < 200 * 1024, "peak {} KiB", f.peak_kib);
}

#[test]
fn a_sleep_past_the_timeout_is_a_timeout() {
    let f = run(&["--timeout", "1s", path(&hostile("olin_sleep.wat"))]);
    assert_eq!(f.code, Some(134), "{}", f.stderr);
    assert!(
        f.stderr
            .contains("exceeded its time limit of 1s in call `runtime_msleep`"),
        "{}",
        f.stderr
    );
    assert!(f.took < Duration::from_secs(8));
}

#[test]
fn a_full_descriptor_table_is_named() {
    let f = run(&[path(&hostile("olin_fd_table.wat"))]);
    assert_eq!(f.code, Some(7), "{}", f.stderr);
    assert!(
        f.stderr.contains("descriptor limit of 1024 reached"),
        "{}",
        f.stderr
    );
}

#[test]
fn a_4_gib_write_reports_what_it_wrote() {
    let child = wasmhole()
        .args(["run", path(&hostile("write_4gib.wat"))])
        .stdin(Stdio::null())
        .stdout(std::fs::File::create("/dev/null").unwrap())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = child.unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "nwritten is 0xffffffff: {err}");
}

/// A batch debugger session over `guest` with `commands` on its stdin.
fn debug(extra: &[&str], guest: &Path, commands: &str) -> Finished {
    let mut child = wasmhole()
        .args(["debug", "--batch"])
        .args(extra)
        .arg(guest)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(commands.as_bytes())
        .unwrap();
    finish(child, PATIENCE)
}

#[test]
fn the_debugger_names_a_time_limit_as_run_does() {
    let f = debug(
        &["--timeout", "500ms"],
        &hostile("spin.wat"),
        "continue\nbt\ncontinue\n",
    );
    assert!(
        f.stdout.contains(
            "(wasmhole) continue\nstopped: trap: time limit of 500ms exceeded\n  at spin"
        ),
        "{}",
        f.stdout
    );
    assert!(
        f.stdout.contains(
            "the guest was stopped: guest `spin.wat` exceeded its time limit of 500ms in spin"
        ),
        "{}",
        f.stdout
    );
    assert_eq!(f.code, Some(134));
}

#[test]
fn the_end_of_batch_input_stops_a_running_guest() {
    let f = debug(&[], &hostile("spin.wat"), "continue\n");
    assert!(
        f.stdout.contains(
            "end of input: the guest was still running after 5s; stopping it\nthe guest was stopped: guest `spin.wat` was killed in call `debugger`"
        ),
        "{}",
        f.stdout
    );
    assert!(f.took < Duration::from_secs(30), "took {:?}", f.took);
    // With a time limit, the guest is given all of it.
    let f = debug(
        &["--timeout", "1s"],
        &hostile("spin.wat"),
        "step 2000000000\n",
    );
    assert!(
        f.stdout
            .contains("stopped: trap: time limit of 1s exceeded"),
        "{}",
        f.stdout
    );
}

#[test]
fn the_debugger_keeps_a_bounded_tail_of_a_flood() {
    let f = debug(
        &["--timeout", "3s"],
        &hostile("stdout_flood.wat"),
        "continue\ncontinue\n",
    );
    assert!(
        f.stdout.contains("bytes of stdout not kept]"),
        "{}",
        &f.stdout[..f.stdout.len().min(500)]
    );
    assert!(
        f.stdout
            .contains("exceeded its time limit of 3s in call `fd_write`")
            || f.stdout
                .contains("stopped: trap: time limit of 3s exceeded"),
        "{}",
        &f.stdout[f.stdout.len().saturating_sub(500)..]
    );
    eprintln!("peak {} KiB, {} bytes", f.peak_kib, f.stdout.len());
    assert!(f.peak_kib < 300 * 1024, "peak {} KiB", f.peak_kib);
}
