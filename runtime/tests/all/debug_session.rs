//! The debugger core driven directly: stepping, breakpoints, syscall stops,
//! memory diffs, pausing, traps, stopping and restarting.

use std::time::Duration;
use wasmhole_runtime::debug::{Command, Event, Session, Snapshot, StopReason, Value};
use wasmhole_runtime::{ExitStatus, InputSpec, ProcessConfig, Program};

const WAIT: Duration = Duration::from_secs(20);

/// A guest that adds with a helper, reads stdin, echoes it, then returns.
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

fn start(wat: &str, stdin: &[u8]) -> Session {
    let program = Program::from_wat("echo.wat", wat).unwrap();
    Session::start(
        program,
        None,
        ProcessConfig {
            args: vec!["echo.wat".into()],
            stdin: InputSpec::Bytes(stdin.into()),
            ..ProcessConfig::default()
        },
    )
    .unwrap()
}

/// The next stop, skipping `Running` and memory events.
fn stopped(s: &Session) -> Box<Snapshot> {
    loop {
        match s.wait_event(WAIT).expect("an event in time") {
            Event::Stopped(snap) => return snap,
            Event::Exited(e) => panic!("exited instead of stopping: {:?}", e.status),
            _ => {}
        }
    }
}

fn exited(s: &Session) -> ExitStatus {
    loop {
        match s.wait_event(WAIT).expect("an event in time") {
            Event::Exited(e) => return e.status,
            Event::Stopped(snap) => panic!("stopped instead of exiting: {}", snap.reason),
            _ => {}
        }
    }
}

#[test]
fn starts_stopped_at_the_first_instruction_and_steps() {
    let mut s = start(ECHO, b"");
    let entry = stopped(&s);
    assert!(matches!(entry.reason, StopReason::Entry));
    let pc = entry.pc().unwrap().clone();
    assert_eq!(pc.func_name.as_deref(), Some("_start"));
    assert_eq!(
        pc.source_line,
        Some(15),
        "the first instruction of _start is on line 15"
    );
    assert_eq!(
        s.program().bytes()[pc.offset as usize],
        0x41,
        "i32.const 40"
    );

    s.send(Command::Step(2));
    let after_two = stopped(&s);
    assert!(matches!(after_two.reason, StopReason::Step));
    let top = &after_two.frames[0];
    assert_eq!(top.pc.func_name.as_deref(), Some("_start"));
    assert_eq!(
        top.stack,
        vec![Value::I32(40), Value::I32(2)],
        "both constants pushed"
    );

    s.send(Command::Step(1));
    let in_add = stopped(&s);
    assert_eq!(in_add.frames.len(), 2, "called into $add");
    assert_eq!(in_add.frames[0].pc.func_name.as_deref(), Some("add"));
    assert_eq!(in_add.frames[0].locals, vec![Value::I32(40), Value::I32(2)]);
    assert_eq!(
        in_add.frames[0].pc.source_line,
        Some(7),
        "global.get $calls"
    );

    s.send(Command::StepOut);
    let back = stopped(&s);
    assert_eq!(back.frames.len(), 1);
    assert_eq!(
        back.frames[0].stack,
        vec![Value::I32(42)],
        "add returned 42"
    );
    assert_eq!(
        back.globals,
        vec![Value::I32(1)],
        "the call counter went up"
    );
    assert!(
        back.steps <= in_add.steps + 1,
        "no single steps through the rest of add"
    );
}

/// A long loop in a callee, and recursion.
const CALLS: &str = r#"(module
  (func $spin (param $n i32) (result i32)
    (local $i i32)
    (block $done
      (loop $again
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $again)))
    local.get $i)
  (func $fact (param $n i32) (result i32)
    (if (result i32) (i32.le_u (local.get $n) (i32.const 1))
      (then (i32.const 1))
      (else (i32.mul (local.get $n) (call $fact (i32.sub (local.get $n) (i32.const 1)))))))
  (func (export "_start")
    (drop (call $spin (i32.const 1000000)))
    (drop (call $fact (i32.const 5)))))"#;

#[test]
fn step_over_a_long_call_runs_it_at_full_speed() {
    let mut s = start(CALLS, b"");
    stopped(&s);
    s.send(Command::Step(1));
    let before = stopped(&s);
    assert_eq!(before.frames[0].stack, vec![Value::I32(1_000_000)]);
    s.send(Command::StepOver);
    let after = stopped(&s);
    assert!(matches!(after.reason, StopReason::Step), "{}", after.reason);
    assert_eq!(after.frames.len(), 1, "back in _start");
    assert_eq!(
        after.frames[0].stack,
        vec![Value::I32(1_000_000)],
        "spin's result"
    );
    assert!(
        after.steps - before.steps < 10,
        "the loop's millions of instructions were not single-stepped ({} steps)",
        after.steps - before.steps
    );
}

#[test]
fn step_over_a_recursive_call_stops_in_the_same_frame() {
    let mut s = start(CALLS, b"");
    stopped(&s);
    let fact = s.program().find_func("fact").unwrap();
    let d = s.program().disassembly();
    let call = d
        .lines()
        .iter()
        .filter_map(|l| l.offset.map(|o| (o as u32, l.text.trim())))
        .find(|(o, text)| *o >= fact.first_instr && *o < fact.end && text.starts_with("call"))
        .expect("fact calls itself")
        .0;
    s.send(Command::RunTo(call));
    let at_call = stopped(&s);
    assert_eq!(at_call.frames.len(), 2, "fact(5), called from _start");
    s.send(Command::StepOver);
    let after = stopped(&s);
    assert_eq!(after.frames.len(), 2, "still in fact(5), not a deeper fact");
    assert_eq!(
        after.frames[0].stack,
        vec![Value::I32(5), Value::I32(24)],
        "n and fact(4)"
    );
}

#[test]
fn step_out_of_a_long_loop_and_breakpoints_inside_a_stepped_over_call() {
    let mut s = start(CALLS, b"");
    stopped(&s);
    let spin = s.program().find_func("spin").unwrap().first_instr;
    s.send(Command::AddBreakpoint(spin));
    s.send(Command::Step(1));
    stopped(&s);
    s.send(Command::StepOver);
    let inside = stopped(&s);
    assert!(
        matches!(inside.reason, StopReason::Breakpoint { offset } if offset == spin),
        "a breakpoint in the callee stops the step: {}",
        inside.reason
    );
    s.send(Command::RemoveBreakpoint(spin));
    s.send(Command::StepOut);
    let out = stopped(&s);
    assert_eq!(out.frames.len(), 1);
    assert_eq!(out.frames[0].stack, vec![Value::I32(1_000_000)]);
    assert!(
        out.steps - inside.steps < 10,
        "{} steps",
        out.steps - inside.steps
    );
    // Stepping out of the outermost function runs to the end.
    s.send(Command::StepOut);
    assert_eq!(exited(&s), ExitStatus::Exited(0));
}

#[test]
fn breakpoints_by_offset_stop_continue() {
    let mut s = start(ECHO, b"");
    stopped(&s);
    let add = s.program().find_func("add").unwrap().first_instr;
    s.send(Command::AddBreakpoint(add));
    s.send(Command::Continue);
    let hit = stopped(&s);
    assert!(matches!(hit.reason, StopReason::Breakpoint { offset } if offset == add));
    assert_eq!(hit.frames[0].locals, vec![Value::I32(40), Value::I32(2)]);
    s.send(Command::Continue);
    assert_eq!(exited(&s), ExitStatus::Exited(0));
}

#[test]
fn step_over_a_call_stays_in_the_caller() {
    let mut s = start(ECHO, b"");
    stopped(&s);
    s.send(Command::Step(2));
    stopped(&s);
    s.send(Command::StepOver);
    let over = stopped(&s);
    assert_eq!(over.frames.len(), 1, "still in _start");
    assert_eq!(over.frames[0].stack, vec![Value::I32(42)]);
}

#[test]
fn syscall_stops_show_arguments_result_and_memory_written() {
    let mut s = start(ECHO, b"hi there\n");
    stopped(&s);
    s.send(Command::NextSyscall);
    let entry = stopped(&s);
    match &entry.reason {
        StopReason::SyscallEntry { name, args, .. } => {
            assert_eq!(*name, "fd_read");
            assert_eq!(args[0].shown, "0<stdin>");
        }
        other => panic!("expected a syscall entry, got {other}"),
    }
    s.send(Command::NextSyscall);
    let exit = stopped(&s);
    let StopReason::SyscallExit { record, written } = &exit.reason else {
        panic!("expected a syscall exit, got {}", exit.reason);
    };
    assert_eq!(record.name, "fd_read");
    assert_eq!(record.args[3].shown, "[9]", "nread");
    let data = written
        .iter()
        .find(|w| w.start == 64)
        .expect("the buffer was written");
    assert_eq!(data.after, b"hi there\n");
    assert_eq!(data.before, vec![0; 9]);
    let count = written
        .iter()
        .find(|w| w.start == 8)
        .expect("nread was written");
    assert_eq!(count.after, 9u32.to_le_bytes());
    assert_eq!(s.written(record.seq).as_deref(), Some(&written[..]));
    assert!(
        exit.changed
            .as_ref()
            .unwrap()
            .iter()
            .any(|r| r.start <= 64 && r.start + r.len >= 73),
        "the memory diff covers the bytes read: {:?}",
        exit.changed
    );
    s.send(Command::Continue);
    assert_eq!(exited(&s), ExitStatus::Exited(0));
    assert_eq!(s.stdout().text(), "hi there\n");
}

#[test]
fn pause_stops_an_endless_loop_and_stop_ends_it() {
    let mut s = start(
        r#"(module (memory (export "memory") 1)
             (func $spin (loop $l (br $l)))
             (func (export "_start") call $spin))"#,
        b"",
    );
    stopped(&s);
    s.send(Command::Continue);
    std::thread::sleep(Duration::from_millis(100));
    s.pause();
    let paused = stopped(&s);
    assert!(matches!(paused.reason, StopReason::Paused));
    assert_eq!(paused.frames[0].pc.func_name.as_deref(), Some("spin"));
    s.send(Command::Stop);
    match exited(&s) {
        ExitStatus::Failed(f) => assert!(
            f.message.contains("stopped from the debugger"),
            "{}",
            f.message
        ),
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[test]
fn trap_stops_with_its_reason_before_ending() {
    let mut s = start(
        r#"(module (memory (export "memory") 1)
             (func $bad (result i32) (i32.div_s (i32.const 1) (i32.const 0)))
             (func (export "_start") (drop (call $bad))))"#,
        b"",
    );
    stopped(&s);
    s.send(Command::Continue);
    let trap = stopped(&s);
    let StopReason::Trap { message } = &trap.reason else {
        panic!("expected a trap stop, got {}", trap.reason);
    };
    assert!(message.contains("divide by zero"), "{message}");
    assert_eq!(trap.frames[0].pc.func_name.as_deref(), Some("bad"));
    s.send(Command::Continue);
    match exited(&s) {
        ExitStatus::Failed(f) => assert!(f.message.contains("trapped in bad"), "{}", f.message),
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[test]
fn restart_keeps_breakpoints() {
    let mut s = start(ECHO, b"");
    stopped(&s);
    let add = s.program().find_func("add").unwrap().first_instr;
    s.send(Command::AddBreakpoint(add));
    s.send(Command::Continue);
    stopped(&s);
    s.restart().unwrap();
    assert!(matches!(stopped(&s).reason, StopReason::Entry));
    s.send(Command::Continue);
    let hit = stopped(&s);
    assert!(matches!(hit.reason, StopReason::Breakpoint { .. }));
}

#[test]
fn memory_can_be_read_while_stopped() {
    let mut s = start(ECHO, b"abc");
    stopped(&s);
    s.send(Command::NextSyscall);
    stopped(&s);
    s.send(Command::NextSyscall);
    stopped(&s);
    s.send(Command::ReadMemory { start: 64, len: 3 });
    loop {
        match s.wait_event(WAIT).unwrap() {
            Event::Memory { start, bytes } => {
                assert_eq!((start, bytes.as_slice()), (64, &b"abc"[..]));
                break;
            }
            Event::Stopped(_) | Event::Exited(_) => panic!("unexpected"),
            _ => {}
        }
    }
}

fn sample(path: &str) -> Program {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    Program::from_file(root.join(path)).unwrap()
}

/// Runs to the next syscall entry and returns its name and decoded arguments.
fn next_syscall(s: &mut Session) -> (String, Vec<String>) {
    s.send(Command::NextSyscall);
    match stopped(s).reason {
        StopReason::SyscallEntry { name, args, .. } => (
            name.to_string(),
            args.into_iter().map(|a| a.shown).collect(),
        ),
        other => panic!("expected a syscall entry, got {other}"),
    }
}

#[test]
fn dagger_guests_stop_at_their_calls() {
    let mut s = Session::start(
        sample("samples/dagger/hello.wat"),
        None,
        ProcessConfig::default(),
    )
    .unwrap();
    assert!(matches!(stopped(&s).reason, StopReason::Entry));
    let (name, args) = next_syscall(&mut s);
    assert_eq!((name.as_str(), args[0].as_str()), ("open", "\"fd://1\""));
    s.send(Command::NextSyscall);
    let exit = stopped(&s);
    let StopReason::SyscallExit { record, .. } = &exit.reason else {
        panic!("expected the exit of open");
    };
    assert_eq!(record.result_text(), "0");
    assert_eq!(
        exit.descriptors[0].name, "fd://1",
        "the new stream is in the table"
    );
    let (name, args) = next_syscall(&mut s);
    assert_eq!(name, "write");
    assert_eq!(args[0], "0<fd://1>");
    s.send(Command::Continue);
    assert_eq!(exited(&s), ExitStatus::Exited(0));
    assert_eq!(s.stdout().text(), "Hello from a Dagger guest!\n");
}

#[test]
fn olin_guests_stop_at_their_calls() {
    let mut s = Session::start(
        sample("samples/olin/hello.wat"),
        None,
        ProcessConfig::default(),
    )
    .unwrap();
    stopped(&s);
    let (name, _) = next_syscall(&mut s);
    assert!(
        wasmhole_runtime::abis::find(wasmhole_runtime::Abi::Olin, &name).is_some(),
        "{name} is an Olin call"
    );
    s.send(Command::Continue);
    assert_eq!(exited(&s), ExitStatus::Exited(0));
    assert!(!s.stdout().text().is_empty() || !s.stderr().text().is_empty());
}

#[test]
fn h_guests_stop_at_each_byte() {
    let mut s = Session::start(
        sample("samples/h/quine.wat"),
        None,
        ProcessConfig::default(),
    )
    .unwrap();
    stopped(&s);
    let (name, args) = next_syscall(&mut s);
    assert_eq!(name, "h");
    assert_eq!(args.len(), 1);
    s.send(Command::Continue);
    assert_eq!(exited(&s), ExitStatus::Exited(0));
    assert_eq!(s.stdout().text(), "h");
}

#[test]
fn live_memory_arrives_while_running() {
    // Counts forever in memory word 0.
    let mut s = start(
        r#"(module (memory (export "memory") 1)
             (func (export "_start")
               (loop $l
                 (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.const 1)))
                 (br $l))))"#,
        b"",
    );
    stopped(&s);
    s.send(Command::Watch(Some((0, 4))));
    s.send(Command::Continue);
    let started = std::time::Instant::now();
    let mut counts = Vec::new();
    while counts.len() < 5 {
        if let Some(Event::Live {
            start,
            bytes,
            memory_size,
        }) = s.wait_event(WAIT)
        {
            assert_eq!((start, memory_size), (0, 65536));
            counts.push(u32::from_le_bytes(bytes.try_into().unwrap()));
        }
    }
    let elapsed = started.elapsed();
    assert!(counts.windows(2).all(|w| w[1] >= w[0]), "{counts:?}");
    assert!(counts[4] > counts[0], "the counter moved: {counts:?}");
    assert!(
        elapsed < Duration::from_secs(5),
        "five copies took {elapsed:?}"
    );
    s.pause();
    stopped(&s);
}

/// The Dagger hello sample has the original programs' shape: its memory is
/// never exported, so the engine runs a copy with it exported; everything
/// the debugger shows and takes (pcs, lines, breakpoints) is still in the
/// user's own bytes.
#[test]
fn pcs_and_breakpoints_are_the_users_own_when_memory_is_not_exported() {
    let program = sample("samples/dagger/hello.wat");
    assert!(program.host_module().is_rewritten());
    let main = program.find_func("main").unwrap();
    let mut s = Session::start(program.clone(), None, ProcessConfig::default()).unwrap();
    let entry = stopped(&s);
    let pc = &entry.frames[0].pc;
    assert_eq!(pc.offset, main.first_instr, "the entry pc is the user's");
    let line_of = |text: &str| {
        let source = program.wat_source().unwrap();
        source.lines().position(|l| l.contains(text)).unwrap() as u32 + 1
    };
    assert_eq!(pc.source_line, Some(line_of("(set_local $fd")));
    // A breakpoint on the `write` call, at the user's offset.
    let write_call = program
        .disassembly()
        .lines()
        .iter()
        .filter(|l| l.text.trim().starts_with("call"))
        .nth(1)
        .and_then(|l| l.offset)
        .unwrap() as u32;
    s.send(Command::AddBreakpoint(write_call));
    s.send(Command::Continue);
    let hit = stopped(&s);
    assert!(
        matches!(hit.reason, StopReason::Breakpoint { offset } if offset == write_call),
        "{}",
        hit.reason
    );
    assert_eq!(hit.frames[0].pc.offset, write_call);
    assert_eq!(
        hit.frames[0].pc.source_line,
        Some(line_of("(drop (call $write"))
    );
    // The memory the guest never exported is there to read.
    s.send(Command::ReadMemory { start: 16, len: 5 });
    let bytes = loop {
        if let Event::Memory { bytes, .. } = s.wait_event(WAIT).expect("memory") {
            break bytes;
        }
    };
    assert_eq!(bytes, b"Hello");
    s.send(Command::Continue);
    assert_eq!(exited(&s), ExitStatus::Exited(0));
    assert_eq!(s.stdout().text(), "Hello from a Dagger guest!\n");
}

#[test]
fn the_guest_starts_at_the_function_named_to_invoke() {
    let program = Program::from_wat(
        "entries.wat",
        r#"(module
  (memory (export "memory") 1)
  (func (export "_start"))
  (func (export "other") (result i32) (i32.const 6)))"#,
    )
    .unwrap();
    let mut s = Session::start(
        program,
        None,
        ProcessConfig {
            entry: Some("other".into()),
            ..ProcessConfig::default()
        },
    )
    .unwrap();
    let entry = stopped(&s);
    assert_eq!(entry.frames[0].pc.func_name.as_deref(), Some("other"));
    s.send(Command::Continue);
    assert_eq!(exited(&s), ExitStatus::Exited(6));
}

#[test]
fn a_guest_blocked_in_a_call_says_which() {
    let pipe = wasmhole_runtime::sandbox::stdio::Pipe::new();
    let program = Program::from_wat("echo.wat", ECHO).unwrap();
    let mut s = Session::start(
        program,
        None,
        ProcessConfig {
            stdin: InputSpec::Pipe(pipe.clone()),
            ..ProcessConfig::default()
        },
    )
    .unwrap();
    stopped(&s);
    assert!(s.in_call().is_none(), "stopped at the start, in no call");
    s.send(Command::Continue);
    let deadline = std::time::Instant::now() + WAIT;
    let waiting = loop {
        if let Some(c) = s.in_call() {
            break c;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the guest reached its read"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    assert_eq!(waiting.call.name, "fd_read");
    assert_eq!(waiting.fd, Some((0, Some("stdin".to_string()))));
    pipe.push(b"hi\n");
    pipe.close();
    assert_eq!(exited(&s), ExitStatus::Exited(0));
    assert!(s.in_call().is_none());
}

#[test]
fn an_ended_guest_keeps_its_memory_and_globals_readable() {
    let mut s = start(ECHO, b"abc");
    stopped(&s);
    s.send(Command::Continue);
    let exit = loop {
        match s.wait_event(WAIT).expect("an event in time") {
            Event::Exited(e) => break e,
            Event::Stopped(snap) => panic!("stopped: {}", snap.reason),
            _ => {}
        }
    };
    assert_eq!(exit.memory_size, 65536);
    assert_eq!(exit.globals, vec![Value::I32(1)], "$calls counted one call");
    s.send(Command::ReadMemory { start: 64, len: 3 });
    match s.wait_event(WAIT).expect("memory after exit") {
        Event::Memory { start, bytes } => assert_eq!((start, bytes), (64, b"abc".to_vec())),
        other => panic!("expected memory, got {other:?}"),
    }
}

#[test]
fn bytes_written_into_grown_memory_are_changed() {
    let mut s = start(
        r#"(module (memory (export "memory") 1)
             (func (export "_start")
               (drop (memory.grow (i32.const 2)))
               (i32.store8 (i32.const 0x20010) (i32.const 9))
               (i32.store (i32.const 0x10) (i32.const 1))
               nop))"#,
        b"",
    );
    stopped(&s);
    let nop = {
        let d = s.program().disassembly();
        let line = d
            .lines()
            .iter()
            .position(|l| l.text.trim() == "nop")
            .unwrap();
        d.offset_of_line(line).unwrap() as u32
    };
    s.send(Command::AddBreakpoint(nop));
    s.send(Command::Continue);
    let snap = stopped(&s);
    assert_eq!(snap.memory_size, 3 * 65536);
    let changed = snap.changed.unwrap();
    assert!(
        changed.iter().any(|r| (r.start, r.len) == (0x20010, 1)),
        "{changed:?}"
    );
    assert!(changed.iter().any(|r| r.start == 0x10), "{changed:?}");
    assert!(
        changed.windows(2).all(|w| w[0].start < w[1].start),
        "in address order"
    );
}
