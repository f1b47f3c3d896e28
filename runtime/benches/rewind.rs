//! Prints rewind figures: a guest makes 1,000,000 syscalls under a debug
//! session (recorded as it runs), then the session rewinds to a call near
//! the start, in the middle and at the end; each time is from the rewind
//! to the stop at that call (the replay runs at full speed, answering every
//! call from the recording). Also the recording's size in memory.
//!
//! `cargo bench -p wasmhole-runtime --bench rewind`

use std::time::{Duration, Instant};
use wasmhole_runtime::debug::{Command, Edge, Event, Session, StopReason};
use wasmhole_runtime::{ExitStatus, ProcessConfig, Program};

const CALLS: u32 = 1_000_000;

/// Asks for 4 random bytes `n` times.
fn guest(n: u32) -> String {
    format!(
        r#"(module
  (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start") (local $i i32)
    (loop $again
      (drop (call $random (i32.const 64) (i32.const 4)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $i) (i32.const {n}))))))"#
    )
}

const WAIT: Duration = Duration::from_secs(600);

fn main() {
    let program = Program::from_wat("million.wat", &guest(CALLS)).expect("guest");
    let mut session = Session::start(program, None, ProcessConfig::default()).expect("session");
    match session.wait_event(WAIT) {
        Some(Event::Stopped(_)) => {}
        other => panic!("expected the first stop, got {other:?}"),
    }
    let t0 = Instant::now();
    session.send(Command::Continue);
    loop {
        match session.wait_event(WAIT) {
            Some(Event::Exited(exit)) => {
                assert_eq!(exit.status, ExitStatus::Exited(0));
                break;
            }
            Some(_) => {}
            None => panic!("the live run did not end"),
        }
    }
    let live = t0.elapsed();
    let (calls, bytes) = {
        let tape = session.recording().read().unwrap();
        (tape.len(), tape.packed_bytes())
    };
    assert_eq!(calls, CALLS as u64);
    println!(
        "live run under the debugger: {CALLS} calls in {:.2} s; recording: {:.1} MiB ({:.1} bytes a call)",
        live.as_secs_f64(),
        bytes as f64 / (1 << 20) as f64,
        bytes as f64 / calls as f64
    );
    for (what, seq) in [("start", 10), ("middle", calls / 2), ("end", calls)] {
        let t = Instant::now();
        session.rewind(seq, Edge::Exit).expect("rewind");
        loop {
            match session.wait_event(WAIT) {
                Some(Event::Stopped(s)) => {
                    let StopReason::SyscallExit { record, .. } = &s.reason else {
                        panic!("stopped for {:?}", s.reason)
                    };
                    assert_eq!(record.seq, seq);
                    break;
                }
                Some(Event::Exited(exit)) => panic!("ended before call {seq}: {:?}", exit.status),
                Some(_) => {}
                None => panic!("no stop at call {seq}"),
            }
        }
        println!(
            "rewind to the exit of call {seq:>7} ({what:>6}): {:.1} ms",
            t.elapsed().as_secs_f64() * 1000.0
        );
    }
}
