//! Programs built by real toolchains (Go for wasip1, Rust for wasm32-wasi,
//! C with wasi-libc; sources and build commands in `tests/guests/`) see
//! what they see under `wasmtime run`, or, where wasmtime falls short of a
//! native run, what they would see natively: a Go program keeps ticking
//! while its input is slow, a directory read as a file is EBADF, listings
//! come in the host's order, the standard streams report wasmtime's rights.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

fn guest(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/guests")
        .join(name)
}

/// `wasmhole run` with a compile cache kept between test runs (a Go
/// program takes a while to compile in a debug build).
fn wasmhole() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_wasmhole"));
    command.arg("run").env(
        "XDG_CACHE_HOME",
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("cache"),
    );
    command
}

fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = wasmhole()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

/// `wasmhole run GUEST` with its standard input to write and its output's
/// lines as they come.
fn run_with_lines(
    name: &str,
) -> (
    std::process::Child,
    std::process::ChildStdin,
    mpsc::Receiver<String>,
) {
    let mut child = wasmhole()
        .arg(guest(name))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let input = child.stdin.take().unwrap();
    let (tx, lines) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (child, input, lines)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_go_program_keeps_ticking_while_its_input_is_slow() {
    // A goroutine prints "tick" every 100 ms while main reads lines from
    // standard input. Lines are sent only once ticks have been seen, so
    // ticks can only come if waiting for input leaves the program running.
    let (mut child, mut input, lines) = run_with_lines("go_stdin_ticker.wasm");
    // Generous: the first run compiles the program.
    let patience = Duration::from_secs(120);
    let mut seen = Vec::new();
    let mut ticks_until = |wanted: usize, seen: &mut Vec<String>| {
        let mut ticks = 0;
        while ticks < wanted {
            match lines.recv_timeout(patience) {
                Ok(line) => {
                    ticks += usize::from(line == "tick");
                    seen.push(line);
                }
                Err(_) => {
                    let _ = child.kill();
                    panic!("no tick came while the program waited for input: {seen:?}");
                }
            }
        }
    };
    ticks_until(2, &mut seen);
    input.write_all(b"a\n").unwrap();
    ticks_until(3, &mut seen);
    input.write_all(b"b\n").unwrap();
    drop(input);
    let rest: Vec<String> = lines.iter().collect();
    seen.extend(rest);
    let status = child.wait().unwrap();
    assert!(status.success(), "{seen:?}");
    let without_ticks: Vec<&str> = seen
        .iter()
        .map(String::as_str)
        .filter(|l| *l != "tick")
        .collect();
    assert_eq!(without_ticks, ["line: a", "line: b", "done"]);
    let a = seen.iter().position(|l| l == "line: a").unwrap();
    let b = seen.iter().position(|l| l == "line: b").unwrap();
    assert!(
        seen[a..b].iter().filter(|l| *l == "tick").count() >= 3,
        "{seen:?}"
    );
}

#[test]
fn a_nonblocking_standard_input_says_eagain_until_something_comes() {
    // The calls Go's runtime makes, asked directly: NONBLOCK on stdin, a
    // read before any input, then poll_oneoff on {a 100 ms clock, stdin}.
    let (mut child, mut input, lines) = run_with_lines("c_stdin_poll.wasm");
    let mut seen: Vec<String> = Vec::new();
    // Wait for two clock events before writing anything.
    while seen.iter().filter(|l| l.contains("userdata=100")).count() < 2 {
        seen.push(
            lines
                .recv_timeout(Duration::from_secs(60))
                .unwrap_or_else(|_| panic!("no clock event: {seen:?}")),
        );
    }
    input.write_all(b"a\n").unwrap();
    drop(input);
    seen.extend(lines.iter());
    assert!(child.wait().unwrap().success(), "{seen:?}");
    // Each line starts with the milliseconds since start.
    let said: Vec<&str> = seen
        .iter()
        .map(|l| {
            l.trim_start()
                .split_once(" ms ")
                .map_or(l.as_str(), |p| p.1)
        })
        .collect();
    assert_eq!(
        said[..4],
        [
            "fd_fdstat_get(0) = 0, flags=0x0",
            "fd_fdstat_set_flags(0, NONBLOCK) = 0",
            "fd_fdstat_get(0) = 0, flags=0x4",
            "fd_read(0) before any input = errno 6 after 0 ms",
        ],
        "{seen:?}"
    );
    let ready = said
        .iter()
        .position(|l| l.starts_with("poll_oneoff event: userdata=200 type=1 error=0"))
        .expect("stdin reported readable");
    assert!(
        said[4..ready]
            .iter()
            .all(|l| l.contains("userdata=100 type=0"))
    );
    assert_eq!(
        said[ready + 1],
        "fd_read(0) after readiness = 2 bytes \"a\" after 0 ms"
    );
    assert_eq!(said.last(), Some(&"end of input"));
}

#[test]
fn a_directory_read_as_a_file_is_a_bad_descriptor() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("subdir")).unwrap();
    let grant = format!("{}::/dir", dir.path().display());
    let out = run(
        &[
            "--dir",
            &grant,
            guest("rust_read_dir_as_file.wasm").to_str().unwrap(),
        ],
        b"",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "fs::read(/dir/subdir): Bad file descriptor (os error 8)\n\
         File::open(/dir/subdir): ok\n\
         read: Bad file descriptor (os error 8)\n"
    );
}

#[test]
fn a_listing_comes_in_the_hosts_order() {
    let dir = tempfile::tempdir().unwrap();
    let grant = format!("{}::/box", dir.path().display());
    let out = run(
        &[
            "--dir",
            &grant,
            guest("c_readdir_order.wasm").to_str().unwrap(),
            "list",
            "/box",
        ],
        b"",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let listed = stdout
        .lines()
        .find_map(|l| l.strip_prefix("readdir: "))
        .unwrap_or_else(|| panic!("{stdout}"));
    let mut host: Vec<String> = vec![".".into(), "..".into()];
    host.extend(
        std::fs::read_dir(dir.path().join("list"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap()),
    );
    assert_eq!(listed, host.join(" "));
}

#[test]
fn deleting_while_listing_takes_the_passes_it_takes_under_wasmtime() {
    // `rm -r`-style code: read an entry, delete it, read on. Each
    // fd_readdir lists afresh and the cookie is an index into that list, so
    // the 79 names after the first buffer's are skipped and wait for a
    // second pass, under wasmtime as here (which 79, the host's order
    // decides: see the listing test above).
    let dir = tempfile::tempdir().unwrap();
    let grant = format!("{}::/box", dir.path().display());
    let out = run(
        &[
            "--dir",
            &grant,
            guest("c_readdir_order.wasm").to_str().unwrap(),
            "rmtree",
            "/box",
        ],
        b"",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let passes: Vec<&str> = stdout.lines().filter(|l| l.starts_with("pass ")).collect();
    assert_eq!(
        passes,
        [
            "pass 1 of /box/tree: 123 removed",
            "pass 2 of /box/tree: 79 removed",
            "pass 3 of /box/tree: 0 removed",
        ],
        "{stdout}"
    );
    assert!(
        stdout.ends_with("left in /box/tree: nothing\nrmdir /box/tree: ok\n"),
        "{stdout}"
    );
    assert!(!dir.path().join("tree").exists());
}

#[test]
fn the_standard_streams_report_wasmtimes_rights() {
    let out = run(&[guest("c_stdio_rights.wasm").to_str().unwrap()], b"");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let rights: Vec<&str> = stdout
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("rights_"))
        .collect();
    assert_eq!(
        rights,
        [
            "rights_base=0x2 (FD_READ)",
            "rights_inheriting=0x2 (FD_READ)",
            "rights_base=0x40 (FD_WRITE)",
            "rights_inheriting=0x40 (FD_WRITE)",
            "rights_base=0x40 (FD_WRITE)",
            "rights_inheriting=0x40 (FD_WRITE)",
        ],
        "{stdout}"
    );
}
