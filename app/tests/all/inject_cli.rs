//! `wasmhole run --inject` as a user runs it, in every ABI: an injected
//! failure takes the guest down its own error path without touching the
//! outside world, `when=` picks the invocation, a short write makes the
//! guest's loop retry, the trace marks injected calls, and a rule that does
//! not fit the guest's ABI is refused before anything runs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn run(args: &[&str], stdin: &[u8]) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_wasmhole"))
        .arg("run")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run wasmhole");
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn injected_lines(o: &Output) -> Vec<String> {
    text(&o.stderr)
        .lines()
        .filter(|l| l.contains("(INJECTED)"))
        .map(str::to_string)
        .collect()
}

/// A folder holding the guest and, under `box/`, the directory it is granted.
struct Setup {
    dir: tempfile::TempDir,
}

impl Setup {
    fn new(wat: &str) -> Setup {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("guest.wat"), wat).unwrap();
        std::fs::create_dir(dir.path().join("box")).unwrap();
        std::fs::write(dir.path().join("box/hello.txt"), "hello\n").unwrap();
        Setup { dir }
    }

    fn boxed(&self, name: &str) -> PathBuf {
        self.dir.path().join("box").join(name)
    }

    /// Runs the guest with `box/` granted as `/data` and `flags` before it.
    fn run(&self, flags: &[&str]) -> Output {
        let grant = format!("{}::/data", self.dir.path().join("box").display());
        let guest = self.dir.path().join("guest.wat");
        let mut args = vec!["--trace=-", "--dir", &grant];
        args.extend_from_slice(flags);
        args.push(guest.to_str().unwrap());
        run(&args, b"")
    }
}

/// Creates `/data/new1.txt` and `/data/new2.txt` (path_open with CREAT),
/// printing `ok` or `failed` for each; exits with the last errno.
const WASI_CREATES: &str = r#"(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "new1.txt")
  (data (i32.const 110) "new2.txt")
  (data (i32.const 200) "ok\n")
  (data (i32.const 210) "failed\n")
  (func $say (param $failed i32)
    (i32.store (i32.const 0) (select (i32.const 210) (i32.const 200) (local.get $failed)))
    (i32.store (i32.const 4) (select (i32.const 7) (i32.const 3) (local.get $failed)))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func $create (param $path i32) (result i32)
    (local $errno i32)
    ;; oflags CREAT (1); rights FD_WRITE (64)
    (local.set $errno (call $path_open (i32.const 3) (i32.const 0) (local.get $path) (i32.const 8)
      (i32.const 1) (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 12)))
    (call $say (local.get $errno))
    (local.get $errno))
  (func (export "_start")
    (drop (call $create (i32.const 100)))
    (call $proc_exit (call $create (i32.const 110)))))"#;

#[test]
fn wasi_injected_enoent_takes_the_guests_error_path_and_creates_nothing() {
    let s = Setup::new(WASI_CREATES);
    let o = s.run(&["--inject=path_open:error=ENOENT"]);
    assert_eq!(text(&o.stdout), "failed\nfailed\n");
    assert_eq!(
        o.status.code(),
        Some(44),
        "ENOENT is 44: {}",
        text(&o.stderr)
    );
    assert!(!s.boxed("new1.txt").exists() && !s.boxed("new2.txt").exists());
    let lines = injected_lines(&o);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[0].starts_with("path_open(") && lines[0].contains("= 44 ENOENT"),
        "{lines:?}"
    );

    // Without injection both files are made: the guest is not at fault.
    let o = s.run(&[]);
    assert_eq!(text(&o.stdout), "ok\nok\n");
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn wasi_when_two_fails_only_the_second_call() {
    let s = Setup::new(WASI_CREATES);
    let o = s.run(&["--inject=path_open:error=EACCES:when=2"]);
    assert_eq!(text(&o.stdout), "ok\nfailed\n");
    assert_eq!(o.status.code(), Some(2), "EACCES is 2: {}", text(&o.stderr));
    assert!(s.boxed("new1.txt").exists());
    assert!(!s.boxed("new2.txt").exists());
    assert_eq!(injected_lines(&o).len(), 1);
}

#[test]
fn wasi_short_writes_make_the_guests_loop_retry() {
    let cat = Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples/wasi/cat.wat");
    let input = b"twenty-three bytes long";
    let o = run(
        &[
            "--trace=-",
            "--inject=fd_write:retval=5",
            cat.to_str().unwrap(),
        ],
        input,
    );
    assert_eq!(o.stdout, input, "every byte still arrives");
    assert_eq!(o.status.code(), Some(0));
    let writes: Vec<_> = text(&o.stderr)
        .lines()
        .filter(|l| l.starts_with("fd_write("))
        .map(str::to_string)
        .collect();
    assert_eq!(writes.len(), 5, "23 bytes, 5 at a time: {writes:#?}");
    assert!(writes[0].contains("nwritten=[5]") && writes[0].contains("(INJECTED)"));
    assert!(writes[4].contains("nwritten=[3]"), "{}", writes[4]);
}

/// A Dagger guest: opens standard output, then a file, and copies the file
/// there with a loop that retries short writes; a failed open prints
/// `open failed` and returns the error's magnitude.
const DAGGER_COPY: &str = r#"(module
  (import "dagger" "open" (func $open (param i32 i32) (result i32)))
  (import "dagger" "read" (func $read (param i32 i32 i32) (result i32)))
  (import "dagger" "write" (func $write (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "fd://1\00")
  (data (i32.const 16) "file:///data/hello.txt\00")
  (data (i32.const 48) "open failed\n")
  (func (export "main") (result i32)
    (local $out i32) (local $f i32) (local $n i32) (local $at i32) (local $w i32)
    (local.set $out (call $open (i32.const 0) (i32.const 0)))
    (local.set $f (call $open (i32.const 16) (i32.const 0)))
    (if (i32.lt_s (local.get $f) (i32.const 0))
      (then
        (drop (call $write (local.get $out) (i32.const 48) (i32.const 12)))
        (return (i32.sub (i32.const 0) (local.get $f)))))
    (local.set $n (call $read (local.get $f) (i32.const 1024) (i32.const 1024)))
    (local.set $at (i32.const 1024))
    (block $done
      (loop $rest
        (br_if $done (i32.le_s (local.get $n) (i32.const 0)))
        (local.set $w (call $write (local.get $out) (local.get $at) (local.get $n)))
        (if (i32.lt_s (local.get $w) (i32.const 0)) (then (return (i32.const 9))))
        (local.set $at (i32.add (local.get $at) (local.get $w)))
        (local.set $n (i32.sub (local.get $n) (local.get $w)))
        (br $rest)))
    (i32.const 0)))"#;

#[test]
fn dagger_second_open_fails_with_its_own_error_code() {
    let s = Setup::new(DAGGER_COPY);
    let o = s.run(&["--inject=open:error=EUNKNOWNSCHEME:when=2"]);
    assert_eq!(text(&o.stdout), "open failed\n");
    assert_eq!(o.status.code(), Some(3), "EUNKNOWNSCHEME is -3");
    let lines = injected_lines(&o);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("hello.txt") && lines[0].contains("= -3 EUNKNOWNSCHEME"));

    let o = s.run(&["--inject=open:error=-2:when=2"]);
    assert_eq!(o.status.code(), Some(2), "a code by number");
    let o = s.run(&[]);
    assert_eq!(text(&o.stdout), "hello\n");
}

#[test]
fn dagger_short_writes_are_retried() {
    let s = Setup::new(DAGGER_COPY);
    let o = s.run(&["--inject=write:retval=2"]);
    assert_eq!(text(&o.stdout), "hello\n");
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(injected_lines(&o).len(), 3, "6 bytes, 2 at a time");
}

/// An Olin guest: opens two files; a failed open prints `open failed` and
/// exits with the error's magnitude; ends with runtime_spec_major as status.
const OLIN_OPENS: &str = r#"(module
  (import "cwa" "io_get_stdout" (func $stdout (result i32)))
  (import "cwa" "resource_open" (func $open (param i32 i32) (result i32)))
  (import "cwa" "resource_write" (func $write (param i32 i32 i32) (result i32)))
  (import "cwa" "runtime_spec_major" (func $major (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "file:///data/hello.txt")
  (data (i32.const 48) "open failed\n")
  (func $try (param $out i32)
    (local $r i32)
    (local.set $r (call $open (i32.const 0) (i32.const 22)))
    (if (i32.lt_s (local.get $r) (i32.const 0))
      (then
        (drop (call $write (local.get $out) (i32.const 48) (i32.const 12)))
        (unreachable))))
  (func (export "cwa_main") (result i32)
    (local $out i32)
    (local.set $out (call $stdout))
    (call $try (local.get $out))
    (call $try (local.get $out))
    (call $major)))"#;

#[test]
fn olin_second_open_fails_with_not_found() {
    let s = Setup::new(OLIN_OPENS);
    let o = s.run(&["--inject=resource_open:error=NOT_FOUND:when=2"]);
    assert_eq!(text(&o.stdout), "open failed\n");
    assert_ne!(o.status.code(), Some(0));
    let lines = injected_lines(&o);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("= -4 NOT_FOUND"), "{lines:?}");
}

#[test]
fn olin_plain_value_is_replaced() {
    let s = Setup::new(OLIN_OPENS);
    assert_eq!(s.run(&[]).status.code(), Some(0), "spec major 0");
    let o = s.run(&["--inject=runtime_spec_major:retval=7"]);
    assert_eq!(o.status.code(), Some(7), "{}", text(&o.stderr));
}

#[test]
fn rules_that_do_not_fit_the_abi_are_refused_before_running() {
    let s = Setup::new(WASI_CREATES);
    for (rule, says) in [
        ("--inject=open:error=ENOENT", "its calls: args_get"),
        ("--inject=path_open:error=NOT_FOUND", "ENOENT"),
        ("--inject=fd_close:retval=0", "use error="),
        ("--inject=path_open:error=ENOENT:when=0", "N, N+ or N+STEP"),
    ] {
        let o = s.run(&[rule]);
        assert_ne!(o.status.code(), Some(0), "{rule}");
        assert!(o.stdout.is_empty(), "{rule}: nothing ran");
        assert!(
            text(&o.stderr).contains(says),
            "{rule}: {}",
            text(&o.stderr)
        );
    }
    assert!(!s.boxed("new1.txt").exists());
}
