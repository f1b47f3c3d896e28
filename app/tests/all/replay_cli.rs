//! `wasmhole run --record`, `wasmhole replay` and `rewind` in `wasmhole
//! debug --batch`, as a user drives them: the replay prints and ends as the
//! recorded run did with its files and input gone, a changed module or
//! argument list is reported at its call, and a rewound debug session shows
//! memory, locals and console as they were at the call asked for.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const READER: &str = r#"(module
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 200) "in.txt")
  (func $out (param $ptr i32) (param $len i32)
    (i32.store (i32.const 100) (local.get $ptr))
    (i32.store (i32.const 104) (local.get $len))
    (drop (call $write (i32.const 1) (i32.const 100) (i32.const 1) (i32.const 108))))
  (func $read_into (param $fd i32) (param $ptr i32) (result i32)
    (i32.store (i32.const 112) (local.get $ptr))
    (i32.store (i32.const 116) (i32.const 64))
    (drop (call $read (local.get $fd) (i32.const 112) (i32.const 1) (i32.const 120)))
    (i32.load (i32.const 120)))
  (func (export "_start")
    (drop (call $clock (i32.const 0) (i64.const 1) (i32.const 0)))
    (drop (call $random (i32.const 8) (i32.const 8)))
    (call $out (i32.const 0) (i32.const 16))
    (call $out (i32.const 1024) (call $read_into (i32.const 0) (i32.const 1024)))
    (drop (call $open (i32.const 3) (i32.const 0) (i32.const 200) (i32.const 6)
      (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 124)))
    (call $out (i32.const 2048) (call $read_into (i32.load (i32.const 124)) (i32.const 2048)))
    (call $exit (i32.const 3))))"#;

fn wasmhole(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wasmhole"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn sample(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../samples")
        .join(rel)
}

#[test]
fn a_replay_prints_and_ends_as_the_run_did_with_its_file_and_input_gone() {
    let dir = tempfile::tempdir().unwrap();
    let module = dir.path().join("reader.wat");
    std::fs::write(&module, READER).unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::write(data.join("in.txt"), "from the file\n").unwrap();
    let recording = dir.path().join("run.jsonl");
    let grant = format!("{}::/data", path(&data));
    let live = wasmhole(
        &[
            "run",
            "--record",
            path(&recording),
            "--dir",
            &grant,
            path(&module),
        ],
        b"typed in\n",
    );
    assert_eq!(
        live.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&live.stderr)
    );
    assert_eq!(&live.stdout[16..], b"typed in\nfrom the file\n");

    let text = std::fs::read_to_string(&recording).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with(r#"{"header":{"format":1,"#),
        "{}",
        lines[0]
    );
    assert!(
        lines[0].contains(r#""module":"reader.wat""#),
        "{}",
        lines[0]
    );
    assert!(
        lines[0].contains(r#""stdin":"the host's standard input""#),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with(r#"{"call":{"seq":1,"call":"clock_time_get""#),
        "{}",
        lines[1]
    );
    // fd_read of standard input: the bytes it wrote into memory, as hex.
    assert!(text.contains(r#""bytes":"747970656420696e0a""#), "{text}");
    assert!(
        lines
            .last()
            .unwrap()
            .starts_with(r#"{"end":{"calls":9,"status":3"#)
    );

    std::fs::remove_dir_all(&data).unwrap();
    let replayed = wasmhole(&["replay", path(&recording)], b"");
    assert_eq!(
        replayed.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&replayed.stderr)
    );
    assert_eq!(
        replayed.stdout, live.stdout,
        "the same bytes, clock and random included"
    );
    assert_eq!(replayed.stderr, live.stderr);

    // The module moved away: it is found beside the recording.
    let moved = dir.path().join("elsewhere");
    std::fs::create_dir(&moved).unwrap();
    std::fs::rename(&recording, moved.join("run.jsonl")).unwrap();
    std::fs::rename(&module, moved.join("reader.wat")).unwrap();
    let replayed = wasmhole(&["replay", path(&moved.join("run.jsonl"))], b"");
    assert_eq!(replayed.stdout, live.stdout);
}

#[test]
fn a_rebuilt_module_is_named_and_diverges_at_its_first_different_call() {
    let dir = tempfile::tempdir().unwrap();
    let module = dir.path().join("reader.wat");
    std::fs::write(&module, READER).unwrap();
    std::fs::create_dir(dir.path().join("data")).unwrap();
    std::fs::write(dir.path().join("data/in.txt"), "x\n").unwrap();
    let recording = dir.path().join("run.jsonl");
    let grant = format!("{}::/data", path(&dir.path().join("data")));
    let live = wasmhole(
        &[
            "run",
            "--record",
            path(&recording),
            "--dir",
            &grant,
            path(&module),
        ],
        b"",
    );
    assert_eq!(live.status.code(), Some(3));
    let rebuilt = dir.path().join("rebuilt.wat");
    std::fs::write(
        &rebuilt,
        READER.replace(
            "(call $random (i32.const 8) (i32.const 8))",
            "(call $random (i32.const 8) (i32.const 4))",
        ),
    )
    .unwrap();
    let out = wasmhole(
        &["replay", "--module", path(&rebuilt), path(&recording)],
        b"",
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(125), "{stderr}");
    assert!(
        stderr.contains("is not the module recorded (reader.wat with SHA-256 "),
        "{stderr}"
    );
    assert!(
        stderr.contains("diverged at call 2: call 2 differs"),
        "{stderr}"
    );
    assert!(
        stderr.contains("recorded: random_get(buf=0x8, buf_len=8) = 0"),
        "{stderr}"
    );
    assert!(
        stderr.contains("replayed: random_get(buf=0x8, buf_len=4)"),
        "{stderr}"
    );
}

#[test]
fn changed_arguments_diverge_where_the_guest_reads_them() {
    let dir = tempfile::tempdir().unwrap();
    let recording = dir.path().join("args.jsonl");
    let args_wat = sample("wasi/args.wat");
    let live = wasmhole(
        &["run", "--record", path(&recording), path(&args_wat), "one"],
        b"",
    );
    assert_eq!(live.status.code(), Some(0));
    let same = wasmhole(&["replay", path(&recording)], b"");
    assert_eq!(same.status.code(), Some(0));
    assert_eq!(same.stdout, live.stdout);
    let changed = wasmhole(&["replay", path(&recording), "one", "two"], b"");
    let stderr = String::from_utf8_lossy(&changed.stderr);
    assert_eq!(changed.status.code(), Some(125), "{stderr}");
    assert!(
        stderr.contains(
            "diverged at call 1: call 1 gives a different result under the replay's configuration"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("recorded: args_sizes_get("), "{stderr}");
    // Both versions return 0: the difference is in what each wrote, the
    // argument count (2 recorded, 3 replayed), and the report shows it.
    let (recorded, replayed) = stderr.split_once("replayed:").unwrap();
    assert!(recorded.contains(" bytes at 0x"), "{stderr}");
    assert!(recorded.contains(": 02 00 00 00 "), "{stderr}");
    assert!(replayed.contains(": 03 00 00 00 "), "{stderr}");
}

/// Runs `wasmhole debug --batch FLAGS MODULE` on `commands`: (stdout, status).
fn debug(flags: &[&str], module: &Path, commands: &str) -> (String, Option<i32>) {
    let mut args = vec!["debug", "--batch"];
    args.extend_from_slice(flags);
    args.push(path(module));
    let out = wasmhole(&args, commands.as_bytes());
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.status.code(),
    )
}

/// The lines after the `n`th echo of `command`, up to the next command.
fn answer<'a>(out: &'a str, command: &str, n: usize) -> Vec<&'a str> {
    let echo = format!("(wasmhole) {command}");
    out.lines()
        .skip_while({
            let mut seen = 0;
            move |l| {
                if *l == echo {
                    seen += 1;
                }
                seen <= n
            }
        })
        .skip(1)
        .take_while(|l| !l.starts_with("(wasmhole) "))
        .collect()
}

const TICKS: &str = r#"(module
  (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (global $ticks (mut i32) (i32.const 0))
  (data (i32.const 32) "tick\n")
  (func (export "_start") (local $i i32)
    (loop $again
      (drop (call $random (i32.const 64) (i32.const 4)))
      (i32.store (i32.const 0) (i32.const 32))
      (i32.store (i32.const 4) (i32.const 5))
      (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (global.set $ticks (local.get $i))
      (br_if $again (i32.lt_u (local.get $i) (i32.const 5))))))"#;

#[test]
fn rewind_in_the_debugger_shows_a_wasi_guest_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let module = dir.path().join("ticks.wat");
    std::fs::write(&module, TICKS).unwrap();
    let to_call_5_exit = "syscall\n".repeat(10);
    let script = format!(
        "{to_call_5_exit}x 64 4\ncontinue\nrewind 5 exit\nx 64 4\nlocals\nglobals\ntrace 3\nrewind 3\nlocals\ncontinue\nrewind 11\nquit\n"
    );
    let (out, status) = debug(&[], &module, &script);
    assert_eq!(status, Some(0), "{out}");
    let live = answer(&out, "x 64 4", 0);
    let rewound = answer(&out, "x 64 4", 1);
    assert_eq!(live.len(), 1, "{out}");
    assert_eq!(
        live, rewound,
        "the random bytes call 5 wrote, as they were\n{out}"
    );
    let back = answer(&out, "rewind 5 exit", 0).join("\n");
    assert!(
        back.starts_with("rewinding to the exit of syscall 5"),
        "{back}"
    );
    // The console as it was: two ticks before the third iteration's call.
    assert!(back.contains("tick\ntick\nstopped: "), "{back}");
    assert!(back.contains("random_get("), "{back}");
    assert_eq!(
        answer(&out, "locals", 0),
        vec!["local 0 $i = i32 2 (0x2)"],
        "{out}"
    );
    assert_eq!(
        answer(&out, "globals", 0),
        vec!["global 0 $ticks = i32 2 (0x2)"],
        "{out}"
    );
    let trace = answer(&out, "trace 3", 0).join("\n");
    assert!(
        trace.contains("    5  random_get(") && !trace.contains("    6  "),
        "{trace}"
    );
    let entry = answer(&out, "rewind 3", 0).join("\n");
    assert!(entry.contains("tick\nstopped: "), "{entry}");
    assert_eq!(
        answer(&out, "locals", 1),
        vec!["local 0 $i = i32 1 (0x1)"],
        "{out}"
    );
    let end = answer(&out, "continue", 1).join("\n");
    assert!(
        end.contains("tick\ntick\ntick\nthe guest exited with status 0"),
        "{end}"
    );
    let refused = answer(&out, "rewind 11", 0).join("\n");
    assert_eq!(
        refused,
        "call 11 is not in the recording: it has calls 1 to 10"
    );
}

#[test]
fn rewind_in_the_debugger_shows_a_dagger_guests_descriptors_and_memory() {
    let (out, status) = debug(
        &[],
        &sample("dagger/random.wat"),
        "continue\nx 64 8\nrewind 2 exit\nx 64 8\nfds\nrewind 4\nfds\ncontinue\n",
    );
    assert_eq!(status, Some(0), "{out}");
    // The guest printed its 8 random bytes in hex; rewound to the read,
    // memory holds those very bytes.
    let printed = answer(&out, "continue", 0)[0];
    let spaced: Vec<&str> = (0..8).map(|i| &printed[2 * i..2 * i + 2]).collect();
    let memory = answer(&out, "x 64 8", 1).join("\n");
    assert!(
        memory.starts_with(&format!("0x00000040: {}", spaced.join(" "))),
        "{out}"
    );
    let fds = answer(&out, "fds", 0).join("\n");
    assert!(fds.contains("random     random://"), "{fds}");
    assert!(!fds.contains("fd://1"), "not opened yet at call 2\n{fds}");
    let fds = answer(&out, "fds", 1).join("\n");
    assert!(fds.contains("fd://1"), "{fds}");
    let end = answer(&out, "continue", 1).join("\n");
    assert!(end.contains("the guest exited with status 0"), "{end}");
}

#[test]
fn rewind_in_the_debugger_replays_an_olin_guest_to_the_same_end() {
    let (out, status) = debug(
        &["--env", "GREETING=hi"],
        &sample("olin/everything.wat"),
        "continue\nrewind 1\nsyscall\ncontinue\n",
    );
    assert_eq!(status, Some(0), "{out}");
    let stop = answer(&out, "syscall", 0).join("\n");
    assert!(
        stop.starts_with("stopped: syscall exit: io_get_stdout() = 1"),
        "{stop}"
    );
    // Clock, random numbers, sleeping and resources: all answered from the
    // recording, the console the same to the byte.
    let live = answer(&out, "continue", 0);
    let replayed = answer(&out, "continue", 1);
    assert!(live.contains(&"env_get(GREETING) = hi"), "{out}");
    assert_eq!(live, replayed, "{out}");
}

#[test]
fn a_debug_sessions_saved_recording_replays_headless_and_under_the_debugger() {
    let dir = tempfile::tempdir().unwrap();
    let module = dir.path().join("ticks.wat");
    std::fs::write(&module, TICKS).unwrap();
    let recording = dir.path().join("ticks.recording.jsonl");
    let (out, status) = debug(
        &[],
        &module,
        &format!(
            "{}x 64 4\ncontinue\nrecord save {}\n",
            "syscall\n".repeat(18),
            path(&recording)
        ),
    );
    assert_eq!(status, Some(0), "{out}");
    assert_eq!(
        answer(&out, &format!("record save {}", path(&recording)), 0),
        vec![format!(
            "wrote the recording of 10 calls to {}",
            path(&recording)
        )],
        "{out}"
    );
    // The recording names the program's file, so a replay finds it from
    // anywhere.
    let header = std::fs::read_to_string(&recording).unwrap();
    let header: serde_json::Value = serde_json::from_str(header.lines().next().unwrap()).unwrap();
    assert_eq!(header["header"]["module_path"], path(&module), "{header}");
    // At the exit of call 9, the last random_get.
    let last_random = answer(&out, "x 64 4", 0);
    assert_eq!(last_random.len(), 1, "{out}");
    // Headless: the same output and status, from the saved file.
    let headless = wasmhole(&["replay", path(&recording)], b"");
    assert_eq!(headless.stdout, b"tick\n".repeat(5));
    assert_eq!(headless.status.code(), Some(0));
    // Under the debugger: it starts at the first instruction, steps from
    // syscall to syscall, lists the calls replayed, and ends with memory
    // holding the random bytes of the recorded run.
    let replayed = wasmhole(
        &["replay", "--debug", "--batch", path(&recording)],
        b"syscall\nsyscall\ntrace\ncontinue\nquit\n",
    );
    let text = String::from_utf8_lossy(&replayed.stdout).into_owned();
    assert!(
        text.contains("stopped: syscall entry: random_get(buf=0x40, buf_len=4)"),
        "{text}"
    );
    assert!(text.contains("    1  random_get("), "{text}");
    assert!(
        text.ends_with(&format!(
            "{}the guest exited with status 0\n(wasmhole) quit\n",
            "tick\n".repeat(5)
        )),
        "{text}"
    );
    assert_eq!(replayed.status.code(), Some(0), "{text}");
    let at_end = wasmhole(
        &["replay", "--debug", "--batch", path(&recording)],
        b"continue\nrewind 9 exit\nx 64 4\nquit\n",
    );
    let text = String::from_utf8_lossy(&at_end.stdout).into_owned();
    assert_eq!(answer(&text, "x 64 4", 0), last_random, "{text}");
}
