//! Recording and replay through the public API: guests of every ABI that
//! read clocks, random bytes, standard input, files and HTTP are recorded,
//! then replayed with the files gone, no input and no server, and must
//! print the same and end the same; a changed configuration or module is
//! reported at the call where it first shows.

use crate::abi_support;

use abi_support::{OneShot, sample, wat};
use std::sync::{Arc, RwLock};
use wasmhole_runtime::replay::{
    Divergence, DivergenceSlot, Header, MAX_TAPE_BYTES, MemorySink, Mode, Recording, Replayer,
    SharedTape, Tape,
};
use wasmhole_runtime::sandbox::process::DirGrant;
use wasmhole_runtime::{
    Access, EngineOptions, ExitStatus, InputSpec, NetAllow, OutputSpec, ProcessConfig, Program,
    RunOptions, Runtime, SharedBuffer,
};

/// What a run printed and how it ended.
#[derive(Debug, PartialEq)]
struct Seen {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    status: ExitStatus,
}

fn runtime() -> Runtime {
    Runtime::new(EngineOptions::default()).expect("engine")
}

fn with_buffers(mut config: ProcessConfig) -> (ProcessConfig, SharedBuffer, SharedBuffer) {
    let (out, err) = (SharedBuffer::new(), SharedBuffer::new());
    config.stdout = OutputSpec::Buffer(out.clone());
    config.stderr = OutputSpec::Buffer(err.clone());
    (config, out, err)
}

/// Runs `program` live, recording it into a tape.
fn record(program: &Program, config: ProcessConfig) -> (Seen, SharedTape) {
    let (config, out, err) = with_buffers(config);
    let tape: SharedTape = Arc::new(RwLock::new(Tape::new(MAX_TAPE_BYTES)));
    let recorded = config.clone();
    let report = runtime().run_with(
        program,
        RunOptions {
            abi: None,
            config,
            sinks: Vec::new(),
        },
        &mut |process, abi, entry| {
            let header = Header::describe(program, abi, entry, &recorded);
            Mode::Record(Recording::start(
                process,
                header,
                Box::new(MemorySink(tape.clone())),
            ))
        },
    );
    let seen = Seen {
        stdout: out.contents(),
        stderr: err.contents(),
        status: report.status,
    };
    (seen, tape)
}

/// Replays `tape` with `program`, as `wasmhole replay` does: nothing
/// granted, no input, no network.
fn replay(
    program: &Program,
    tape: &SharedTape,
    change: impl FnOnce(&mut ProcessConfig),
) -> (Seen, Option<Divergence>) {
    let header = tape.read().unwrap().header().clone();
    let mut config = ProcessConfig {
        entry: Some(header.entry.clone()),
        args: header.args.clone(),
        env: header.env.clone(),
        stdin: InputSpec::Empty,
        ..ProcessConfig::default()
    };
    change(&mut config);
    let (config, out, err) = with_buffers(config);
    let slot = DivergenceSlot::default();
    let calls = tape.read().unwrap().len();
    let report = runtime().run_with(
        program,
        RunOptions {
            abi: None,
            config,
            sinks: Vec::new(),
        },
        &mut |process, _, _| {
            Mode::Replay(Replayer::start(process, tape.clone(), calls, slot.clone()))
        },
    );
    let seen = Seen {
        stdout: out.contents(),
        stderr: err.contents(),
        status: report.status,
    };
    let divergence = slot.lock().unwrap().clone();
    (seen, divergence)
}

const WASI_READER: &str = r#"
(module
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 200) "in.txt")
  (global $reads (mut i32) (i32.const 0))
  (func $out (param $ptr i32) (param $len i32)
    (i32.store (i32.const 100) (local.get $ptr))
    (i32.store (i32.const 104) (local.get $len))
    (drop (call $write (i32.const 1) (i32.const 100) (i32.const 1) (i32.const 108))))
  (func $read_into (param $fd i32) (param $ptr i32) (result i32)
    (i32.store (i32.const 112) (local.get $ptr))
    (i32.store (i32.const 116) (i32.const 64))
    (drop (call $read (local.get $fd) (i32.const 112) (i32.const 1) (i32.const 120)))
    (global.set $reads (i32.add (global.get $reads) (i32.const 1)))
    (i32.load (i32.const 120)))
  (func (export "_start")
    (local $fd i32)
    (drop (call $clock (i32.const 0) (i64.const 1) (i32.const 0)))
    (drop (call $random (i32.const 8) (i32.const 8)))
    (call $out (i32.const 0) (i32.const 16))
    (call $out (i32.const 1024) (call $read_into (i32.const 0) (i32.const 1024)))
    (drop (call $open (i32.const 3) (i32.const 0) (i32.const 200) (i32.const 6)
      (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 124)))
    (local.set $fd (i32.load (i32.const 124)))
    (call $out (i32.const 2048) (call $read_into (local.get $fd) (i32.const 2048)))
    (drop (call $close (local.get $fd)))
    (call $exit (i32.const 3))))
"#;

fn wasi_config(dir: &std::path::Path) -> ProcessConfig {
    ProcessConfig {
        args: vec!["reader.wasm".into()],
        dirs: vec![DirGrant {
            host: dir.to_path_buf(),
            guest: "/data".into(),
        }],
        stdin: InputSpec::Bytes(b"typed in\n".to_vec().into()),
        ..ProcessConfig::default()
    }
}

#[test]
fn a_wasi_guest_replays_identically_without_its_file_its_input_or_its_clock() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("in.txt"), "from the file\n").unwrap();
    let program = wat("reader.wat", WASI_READER);
    let (live, tape) = record(&program, wasi_config(dir.path()));
    assert_eq!(live.status, ExitStatus::Exited(3));
    let text = String::from_utf8_lossy(&live.stdout[16..]).into_owned();
    assert_eq!(text, "typed in\nfrom the file\n");
    let (again, _) = record(&program, wasi_config(dir.path()));
    assert_ne!(
        again.stdout[..16],
        live.stdout[..16],
        "clock and random differ live"
    );

    drop(dir);
    let (replayed, divergence) = replay(&program, &tape, |_| {});
    assert_eq!(divergence, None);
    assert_eq!(replayed, live, "same bytes, same status");

    let tape = tape.read().unwrap();
    assert_eq!(tape.len(), 10);
    let header = tape.header();
    assert_eq!(header.abi, "wasi");
    assert_eq!(header.entry, "_start");
    assert_eq!(header.dirs[0].1, "/data");
    assert!(
        header
            .descriptors
            .iter()
            .any(|d| d.fd == 3 && d.preopen.as_deref() == Some("/data"))
    );
    assert_eq!(tape.ending().map(|e| e.status), Some(3));
}

#[test]
fn a_changed_argument_list_diverges_at_the_call_that_reads_it() {
    let program = sample("wasi/args.wat");
    let config = ProcessConfig {
        args: vec!["args.wat".into(), "one".into()],
        ..ProcessConfig::default()
    };
    let (live, tape) = record(&program, config);
    assert_eq!(
        live.status,
        ExitStatus::Exited(0),
        "{:?}",
        String::from_utf8_lossy(&live.stderr)
    );
    let (same, divergence) = replay(&program, &tape, |_| {});
    assert_eq!(divergence, None);
    assert_eq!(same.stdout, live.stdout);

    let first_args_call = {
        let t = tape.read().unwrap();
        (1..=t.len())
            .find(|&seq| t.get(seq).unwrap().call == "args_sizes_get")
            .unwrap()
    };
    let (changed, divergence) = replay(&program, &tape, |c| c.args.push("two".into()));
    let d = divergence.expect("a divergence");
    assert_eq!(d.seq, first_args_call, "{}", d.report);
    assert!(
        d.report
            .contains("different result under the replay's configuration"),
        "{}",
        d.report
    );
    assert!(
        d.report.contains("recorded: args_sizes_get("),
        "{}",
        d.report
    );
    assert!(
        d.report.contains("replayed: args_sizes_get("),
        "{}",
        d.report
    );
    assert!(matches!(changed.status, ExitStatus::Failed(_)));
}

#[test]
fn a_changed_module_diverges_at_the_first_call_it_makes_differently() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("in.txt"), "from the file\n").unwrap();
    let program = wat("reader.wat", WASI_READER);
    let (_, tape) = record(&program, wasi_config(dir.path()));
    // The rebuilt guest asks for 4 random bytes instead of 8: call 2.
    let rebuilt = wat(
        "reader.wat",
        &WASI_READER.replace(
            "(call $random (i32.const 8) (i32.const 8))",
            "(call $random (i32.const 8) (i32.const 4))",
        ),
    );
    let (_, divergence) = replay(&rebuilt, &tape, |_| {});
    let d = divergence.expect("a divergence");
    assert_eq!(d.seq, 2, "{}", d.report);
    assert!(
        d.report
            .contains("recorded: random_get(buf=0x8, buf_len=8)"),
        "{}",
        d.report
    );
    assert!(d.report.contains("replayed: random_get("), "{}", d.report);
}

#[test]
fn dagger_guests_replay_random_bytes_and_files_that_are_gone() {
    let program = sample("dagger/random.wat");
    let (live, tape) = record(&program, ProcessConfig::default());
    assert_eq!(live.status, ExitStatus::Exited(0));
    let (replayed, divergence) = replay(&program, &tape, |_| {});
    assert_eq!(divergence, None);
    assert_eq!(replayed, live);

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("hello.txt"), "only while recording\n").unwrap();
    let program = sample("dagger/file.wat");
    let config = ProcessConfig {
        dirs: vec![DirGrant {
            host: dir.path().to_path_buf(),
            guest: "/data".into(),
        }],
        ..ProcessConfig::default()
    };
    let (live, tape) = record(&program, config);
    assert!(String::from_utf8_lossy(&live.stdout).starts_with("only while recording\n"));
    drop(dir);
    let (replayed, divergence) = replay(&program, &tape, |_| {});
    assert_eq!(divergence, None);
    assert_eq!(replayed, live);
}

#[test]
fn an_olin_guest_replays_its_http_fetch_without_the_server() {
    let server = OneShot::start(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
    let port = server.port;
    let url = format!("http://127.0.0.1:{port}/page");
    let config = ProcessConfig {
        args: vec!["http.wat".into(), url],
        access: Access {
            net: vec![NetAllow::parse(&format!("127.0.0.1:{port}")).unwrap()],
            ..Access::default()
        },
        ..ProcessConfig::default()
    };
    let program = sample("olin/http.wat");
    let (live, tape) = record(&program, config);
    server.finish().expect("the guest reached the server");
    assert!(
        live.stdout.ends_with(b"hello"),
        "{:?}",
        String::from_utf8_lossy(&live.stdout)
    );
    let (replayed, divergence) = replay(&program, &tape, |_| {});
    assert_eq!(divergence, None);
    assert_eq!(replayed, live);
}

#[test]
fn an_olin_guest_replays_its_clock_random_numbers_and_environment() {
    let program = sample("olin/everything.wat");
    let config = ProcessConfig {
        args: vec!["everything.wat".into()],
        env: vec![("GREETING".into(), "hi".into())],
        ..ProcessConfig::default()
    };
    let (live, tape) = record(&program, config);
    let (replayed, divergence) = replay(&program, &tape, |_| {});
    assert_eq!(divergence, None);
    assert_eq!(replayed, live);
    let (_, divergence) = replay(&program, &tape, |c| c.env[0].1 = "hello".into());
    let d = divergence.expect("the environment changed");
    let env_call = tape.read().unwrap().get(d.seq).unwrap().call;
    assert_eq!(env_call, "env_get", "{}", d.report);
}

#[test]
fn an_h_guest_replays_its_bytes() {
    let program = sample("h/greeting.wat");
    let (live, tape) = record(&program, ProcessConfig::default());
    assert!(!live.stdout.is_empty());
    let (replayed, divergence) = replay(&program, &tape, |_| {});
    assert_eq!(divergence, None);
    assert_eq!(replayed, live);
}

#[test]
fn a_recording_that_ends_early_says_so() {
    let program = sample("dagger/random.wat");
    let (_, tape) = record(&program, ProcessConfig::default());
    let slot = DivergenceSlot::default();
    let (config, _, _) = with_buffers(ProcessConfig::default());
    let report = runtime().run_with(
        &program,
        RunOptions {
            abi: None,
            config,
            sinks: Vec::new(),
        },
        &mut |process, _, _| Mode::Replay(Replayer::start(process, tape.clone(), 1, slot.clone())),
    );
    let ExitStatus::Failed(f) = report.status else {
        panic!("{:?}", report.status)
    };
    assert!(
        f.message.contains(wasmhole_runtime::replay::RECORDING_ENDS),
        "{}",
        f.message
    );
    assert_eq!(
        *slot.lock().unwrap(),
        None,
        "a cut recording is not a divergence"
    );
}

mod rewind {
    use super::*;
    use std::time::Duration;
    use wasmhole_runtime::debug::{Command, Edge, Event, Session, Snapshot, StopReason};

    const WAIT: Duration = Duration::from_secs(60);

    /// Reads stdin into 0x40 a piece at a time and echoes each piece; a
    /// global counts the pieces.
    const ECHO: &str = r#"(module
      (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (global $pieces (mut i32) (i32.const 0))
      (func (export "_start")
        (loop $again
          (i32.store (i32.const 0) (i32.const 64))
          (i32.store (i32.const 4) (i32.const 3))
          (drop (call $read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
          (if (i32.eqz (i32.load (i32.const 8))) (then (return)))
          (global.set $pieces (i32.add (global.get $pieces) (i32.const 1)))
          (i32.store (i32.const 4) (i32.load (i32.const 8)))
          (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
          (br $again))))"#;

    fn session(stdin: &[u8]) -> Session {
        let program = Program::from_wat("echo.wat", ECHO).unwrap();
        let config = ProcessConfig {
            args: vec!["echo.wat".into()],
            stdin: InputSpec::Bytes(stdin.to_vec().into()),
            ..ProcessConfig::default()
        };
        Session::start(program, None, config).unwrap()
    }

    fn next(s: &Session) -> Event {
        loop {
            let event = s.wait_event(WAIT).expect("an event in time");
            if let Event::Stopped(_) | Event::Exited(_) = event {
                return event;
            }
        }
    }

    fn stop(s: &Session) -> Box<Snapshot> {
        match next(s) {
            Event::Stopped(snap) => snap,
            Event::Exited(e) => panic!("exited instead of stopping: {:?}", e.status),
            _ => unreachable!(),
        }
    }

    fn memory(s: &mut Session, start: u32, len: u32) -> Vec<u8> {
        s.send(Command::ReadMemory { start, len });
        loop {
            if let Event::Memory { bytes, .. } = s.wait_event(WAIT).expect("memory") {
                return bytes;
            }
        }
    }

    #[test]
    fn a_finished_session_rewinds_to_a_calls_exit_as_it_was() {
        let mut s = session(b"abcdefgh");
        stop(&s);
        s.send(Command::Continue);
        let Event::Exited(exit) = next(&s) else {
            panic!("expected the end")
        };
        assert_eq!(exit.status, ExitStatus::Exited(0));
        assert_eq!(s.stdout().contents(), b"abcdefgh");
        // read "abc", write, read "def", write, read "gh", write, read "".
        assert_eq!(s.recorded_calls(), 7);

        s.rewind(3, Edge::Exit).unwrap();
        assert!(s.is_replay());
        let snap = stop(&s);
        let StopReason::SyscallExit { record, written } = &snap.reason else {
            panic!("{}", snap.reason)
        };
        assert_eq!((record.seq, record.name), (3, "fd_read"));
        assert_eq!(snap.last_seq, 3);
        assert_eq!(written[0].after, b"def");
        assert_eq!(written[0].before, b"abc", "what call 1 had left there");
        assert_eq!(memory(&mut s, 64, 3), b"def");
        assert_eq!(s.stdout().contents(), b"abc", "the console as it was");
        assert_eq!(snap.globals[0].to_string(), "i32 1");

        s.rewind(2, Edge::Entry).unwrap();
        let snap = stop(&s);
        assert!(matches!(
            snap.reason,
            StopReason::SyscallEntry {
                name: "fd_write",
                ..
            }
        ));
        assert_eq!(snap.last_seq, 1);
        assert_eq!(s.stdout().contents(), b"");

        s.send(Command::Continue);
        let Event::Exited(exit) = next(&s) else {
            panic!("expected the end")
        };
        assert_eq!(exit.status, ExitStatus::Exited(0));
        assert_eq!(s.stdout().contents(), b"abcdefgh", "replayed to the end");
        assert_eq!(s.divergence(), None);
        assert!(
            s.rewind(8, Edge::Entry)
                .unwrap_err()
                .contains("calls 1 to 7")
        );
        assert!(s.rewind(0, Edge::Entry).is_err());
    }

    #[test]
    fn a_rewound_session_shows_the_descriptors_the_guest_had() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("in.txt"), "from the file\n").unwrap();
        let program = wat("reader.wat", WASI_READER);
        let mut s = Session::start(program, None, wasi_config(dir.path())).unwrap();
        stop(&s);
        s.send(Command::Continue);
        assert!(matches!(next(&s), Event::Exited(_)));
        drop(dir);
        // Call 7 reads the file path_open (call 6) opened.
        s.rewind(7, Edge::Entry).unwrap();
        let snap = stop(&s);
        let rows: Vec<(u32, &str, &str, bool)> = snap
            .descriptors
            .iter()
            .map(|d| (d.number, d.kind, d.name.as_str(), d.opened_by_guest))
            .collect();
        assert_eq!(
            rows,
            vec![
                (0, "stdio", "stdin", false),
                (1, "stdio", "stdout", false),
                (2, "stdio", "stderr", false),
                (3, "directory", "/data", false),
                (4, "file", "/data/in.txt", true),
            ]
        );
        s.rewind(10, Edge::Entry).unwrap();
        let snap = stop(&s);
        assert_eq!(snap.descriptors.len(), 4, "closed by call 9");
        assert!(
            s.stdout()
                .contents()
                .ends_with(b"typed in\nfrom the file\n")
        );
    }

    #[test]
    fn going_past_a_stopped_sessions_recording_says_it_ends_there() {
        let mut s = session(b"abcdefgh");
        stop(&s);
        for _ in 0..4 {
            s.send(Command::NextSyscall);
            stop(&s);
        }
        assert_eq!(s.recorded_calls(), 2);
        s.rewind(1, Edge::Entry).unwrap();
        stop(&s);
        s.send(Command::Continue);
        let Event::Exited(exit) = next(&s) else {
            panic!("expected the end")
        };
        let ExitStatus::Failed(f) = exit.status else {
            panic!("{:?}", exit.status)
        };
        assert!(
            f.message
                .contains("the recording ends here: Restart runs the guest live"),
            "{}",
            f.message
        );
        assert_eq!(s.stdout().contents(), b"abc");
        s.restart().unwrap();
        assert!(!s.is_replay());
        stop(&s);
        s.send(Command::Continue);
        assert!(matches!(next(&s), Event::Exited(_)));
        assert_eq!(s.stdout().contents(), b"abcdefgh", "live again");
    }
}
