//! `wasmhole debug --batch` as a user records a session: every command's
//! output, deterministic from run to run.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

const ECHO: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (global $calls (mut i32) (i32.const 0))
  (func $add (param $a i32) (param $b i32) (result i32)
    global.get $calls
    i32.const 1
    i32.add
    global.set $calls
    local.get $a
    local.get $b
    i32.add)
  (func (export "_start")
    (drop (call $add (i32.const 40) (i32.const 2)))
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (i32.const 16))
    (drop (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
    (i32.store (i32.const 4) (i32.load (i32.const 8)))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"#;

struct Fixture {
    _dir: tempfile::TempDir,
    wat: PathBuf,
    input: PathBuf,
}

fn fixture(wat: &str) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("echo.wat");
    std::fs::write(&path, wat).unwrap();
    let input = dir.path().join("in.txt");
    std::fs::write(&input, "hello\n").unwrap();
    Fixture {
        _dir: dir,
        wat: path,
        input,
    }
}

/// Runs a batch session and returns (stdout, exit code).
fn batch(f: &Fixture, commands: &str) -> (String, Option<i32>) {
    let input = f.input.to_str().unwrap();
    batch_with(&["--stdin", input], &f.wat, commands)
}

/// Runs `wasmhole debug --batch FLAGS MODULE` on `commands` and returns
/// (stdout, exit code).
fn batch_with(flags: &[&str], module: &std::path::Path, commands: &str) -> (String, Option<i32>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wasmhole"))
        .args(["debug", "--batch"])
        .args(flags)
        .arg(module)
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
    let out = child.wait_with_output().unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.status.code(),
    )
}

#[test]
fn breakpoint_locals_finish_and_backtrace() {
    let f = fixture(ECHO);
    let (out, _) = batch(
        &f,
        "break add\ncontinue\nbt\nlocals\nfinish\nstack\nglobals\nquit\n",
    );
    let expected = "\
stopped: entry
  at _start (func 3) at 0x9d, line 15: i32.const 40
(wasmhole) break add
breakpoint 1 at add (func 2) at 0x8e, line 7
(wasmhole) continue
stopped: breakpoint at 0x8e
  at add (func 2) at 0x8e, line 7: global.get $calls
(wasmhole) bt
#0  add (func 2) at 0x8e, line 7: global.get $calls
#1  _start (func 3) at 0xa1, line 15: call $add
(wasmhole) locals
local 0 $a = i32 40 (0x28)
local 1 $b = i32 2 (0x2)
(wasmhole) finish
stopped: step
  at _start (func 3) at 0xa3, line 15: drop
(wasmhole) stack
[0] i32 42 (0x2a)
(wasmhole) globals
global 0 $calls = i32 1 (0x1)
(wasmhole) quit
";
    assert_eq!(out, expected);
}

#[test]
fn syscall_stops_show_decoded_calls_and_memory_written() {
    let f = fixture(ECHO);
    let (out, code) = batch(&f, "syscall\nsyscall\nx 0x40 8\ntrace\ncontinue\n");
    assert!(
        out.contains("stopped: syscall entry: fd_read(fd=0<stdin>, iovs=0x0, iovs_len=1, nread=0x8)\n  at _start (func 3) at 0xbb, line 18: call $fd_read"),
        "{out}"
    );
    assert!(
        out.contains(r#"stopped: syscall exit: fd_read(fd=0<stdin>, iovs=[{"hello\n", 16}], iovs_len=1, nread=[6]) = 0"#),
        "{out}"
    );
    assert!(
        out.contains("  wrote 6 bytes at 0x40: 00 00 00 00 00 00 -> 68 65 6c 6c 6f 0a"),
        "{out}"
    );
    assert!(out.contains("0x00000040: 68 65 6c 6c 6f 0a 00 00"), "{out}");
    assert!(out.contains(r#"    1  fd_read(fd=0<stdin>"#), "{out}");
    assert!(
        out.ends_with("hello\nthe guest exited with status 0\n"),
        "{out}"
    );
    assert_eq!(code, Some(0));
}

#[test]
fn steps_and_disassembly_mark_the_pc() {
    let f = fixture(ECHO);
    let (out, _) = batch(
        &f,
        "step 3\ndisas\nbreak line 11\ninfo break\nuntil line 12\n",
    );
    let expect = [
        "stopped: step\n  at add (func 2) at 0x8e, line 7: global.get $calls",
        "=> 0x0008e      global.get $calls",
        "breakpoint 1 at add (func 2) at 0x95, line 11",
        "1   line 11      add (func 2) at 0x95, line 11",
        // The breakpoint on line 11 comes before line 12.
        "stopped: breakpoint at 0x95\n  at add (func 2) at 0x95, line 11: local.get $a",
    ];
    for e in expect {
        assert!(out.contains(e), "missing {e:?} in:\n{out}");
    }
}

#[test]
fn until_runs_to_a_line() {
    let f = fixture(ECHO);
    let (out, _) = batch(&f, "until line 12\nuntil line 19\n");
    let expect = [
        "stopped: reached 0x97\n  at add (func 2) at 0x97, line 12: local.get $b",
        "stopped: reached 0xbe\n  at _start (func 3) at 0xbe, line 19: i32.const 4",
    ];
    for e in expect {
        assert!(out.contains(e), "missing {e:?} in:\n{out}");
    }
}

#[test]
fn endless_loop_can_be_paused_and_restarted() {
    let f = fixture(
        r#"(module (memory (export "memory") 1)
             (func $spin (loop $l (br $l)))
             (func (export "_start") call $spin))"#,
    );
    let (out, _) = batch(&f, "continue\npause\nbt\nrestart\nquit\n");
    assert!(
        out.contains("(wasmhole) pause\nstopped: paused\n  at spin (func 0)"),
        "{out}"
    );
    assert!(out.contains("#1  _start (func 1)"), "{out}");
    assert!(
        out.contains("(wasmhole) restart\nrestarted\nstopped: entry"),
        "{out}"
    );
}

#[test]
fn errors_are_explained() {
    let f = fixture(ECHO);
    let (out, _) = batch(&f, "break nowhere\nx zz\ndelete 4\nfrobnicate\n");
    assert!(out.contains("no function named `nowhere`"), "{out}");
    assert!(out.contains("usage: x ADDR [LEN]"), "{out}");
    assert!(out.contains("no breakpoint 4"), "{out}");
    assert!(
        out.contains("unknown command `frobnicate` (try `help`)"),
        "{out}"
    );
}

#[test]
fn trap_is_reported_with_its_place() {
    let f = fixture(
        r#"(module (memory (export "memory") 1)
             (func $bad (result i32) (i32.div_s (i32.const 1) (i32.const 0)))
             (func (export "_start") (drop (call $bad))))"#,
    );
    let (out, code) = batch(&f, "continue\nbt\ncontinue\n");
    assert!(
        out.contains("stopped: trap: wasm trap: integer divide by zero"),
        "{out}"
    );
    assert!(out.contains("#0  bad (func 0)"), "{out}");
    assert!(
        out.contains("the guest was stopped: guest `echo.wat` trapped in bad (func 0)"),
        "{out}"
    );
    assert_eq!(code, Some(134));
}

/// A guest of the original Dagger shape (memory never exported), started
/// at the function `--invoke` names; its memory is there to look at.
#[test]
fn invoke_starts_the_debugger_at_the_named_function() {
    let dir = tempfile::tempdir().unwrap();
    let wat = dir.path().join("two.wat");
    std::fs::write(
        &wat,
        r#"(module
  (import "dagger" "open" (func $open (param i32 i32) (result i32)))
  (memory $mem 1)
  (data (i32.const 16) "fd://1\00")
  (func (export "main") (result i32) (i32.const 1))
  (func $other (export "other") (result i32)
    (drop (call $open (i32.const 16) (i32.const 0)))
    (i32.const 6)))"#,
    )
    .unwrap();
    let (text, code) = batch_with(&["--invoke", "other"], &wat, "x 16 6\nsyscall\ncontinue\n");
    assert!(
        text.starts_with("stopped: entry\n  at other (func 2)"),
        "{text}"
    );
    assert!(
        text.contains("fd://1"),
        "the unexported memory is shown: {text}"
    );
    assert!(
        text.contains(r#"stopped: syscall entry: open(url="fd://1", flags=0)"#),
        "{text}"
    );
    assert_eq!(code, Some(6), "other's result is the exit status");
}

#[test]
fn at_a_syscall_stop_the_operand_stack_names_the_arguments() {
    let f = fixture(ECHO);
    let (out, _) = batch(&f, "syscall\nstack\nsyscall\nstack\ncontinue\n");
    assert!(
        out.contains("[0] i32 0 (0x0)  (argument fd of fd_read)"),
        "{out}"
    );
    assert!(
        out.contains("[3] i32 8 (0x8)  (argument nread of fd_read)"),
        "{out}"
    );
    assert!(
        out.contains("The guest is calling fd_read: its arguments are the top 4 operands"),
        "{out}"
    );
    assert!(
        out.contains("fd_read has returned 0, but the guest has not resumed yet: when it does, the arguments are popped and 0 is pushed."),
        "{out}"
    );
}

#[test]
fn at_exit_only_what_the_guest_opened_is_called_never_closed() {
    // Opens a file in the granted folder and leaves it open; the preopened
    // folder (descriptor 3) and the standard streams were there from the
    // start, so they are not the guest's to close.
    let opener = r#"(module
      (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (data (i32.const 64) "left.txt")
      (func (export "_start")
        (drop (call $open (i32.const 3) (i32.const 0) (i32.const 64) (i32.const 8)
                          (i32.const 1) (i64.const 0x46) (i64.const 0) (i32.const 0) (i32.const 16)))))"#;
    let f = fixture(opener);
    let granted = tempfile::tempdir().unwrap();
    let dir = format!("{}::box", granted.path().display());
    let (out, code) = batch_with(&["--dir", &dir], &f.wat, "continue\n");
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("note: descriptor 4 (file box/left.txt) was never closed"),
        "{out}"
    );
    assert_eq!(out.matches("never closed").count(), 1, "{out}");
}
