//! `poll_oneoff` (relative and absolute clocks that really sleep, descriptor
//! readiness for reading and writing, per-subscription errors, and a sleep
//! cut short by the run's time limit) and the socket calls `sock_accept`,
//! `sock_recv`, `sock_send` and `sock_shutdown`, which can only refuse.

use crate::common;

use common::{Guest, RecordExt, Sandbox};
use std::time::Duration;
use wasmhole_runtime::{ExitStatus, FailureKind};

/// Helpers to fill in subscriptions and read events.
const POLL_HELPERS: &str = r#"
  ;; A clock subscription at `at`: MONOTONIC, `timeout` ns, `flags` (1 = ABSTIME).
  (func $sub_clock (param $at i32) (param $userdata i64) (param $clock i32)
                   (param $timeout i64) (param $flags i32)
    (i64.store (local.get $at) (local.get $userdata))
    (i32.store8 offset=8 (local.get $at) (i32.const 0))
    (i32.store offset=16 (local.get $at) (local.get $clock))
    (i64.store offset=24 (local.get $at) (local.get $timeout))
    (i64.store offset=32 (local.get $at) (i64.const 0))
    (i32.store16 offset=40 (local.get $at) (local.get $flags)))
  ;; A descriptor subscription at `at`: `tag` 1 = FD_READ, 2 = FD_WRITE.
  (func $sub_fd (param $at i32) (param $userdata i64) (param $tag i32) (param $fd i32)
    (i64.store (local.get $at) (local.get $userdata))
    (i32.store8 offset=8 (local.get $at) (local.get $tag))
    (i32.store offset=16 (local.get $at) (local.get $fd)))
  ;; Prints an event's userdata, error, type and nbytes, one per line.
  (func $print_event (param $at i32)
    (call $print_u64 (i64.load (local.get $at)))
    (call $print_u64 (i64.load16_u offset=8 (local.get $at)))
    (call $print_u64 (i64.load8_u offset=10 (local.get $at)))
    (call $print_u64 (i64.load offset=16 (local.get $at))))
  (func $now (result i64)
    (call $must (call $clock_time_get (i32.const 1) (i64.const 1) (i32.const 0x30)))
    (i64.load (i32.const 0x30)))
"#;

fn poll_guest(start: &str) -> Guest {
    Guest::body(&format!("{POLL_HELPERS}\n{start}"))
}

fn numbers(lines: &[String]) -> Vec<u64> {
    lines.iter().map(|l| l.parse().unwrap()).collect()
}

#[test]
fn a_relative_clock_subscription_sleeps_for_its_timeout() {
    let out = poll_guest(
        r#"
  (func (export "_start") (local $t0 i64)
    (call $sub_clock (i32.const 0x1000) (i64.const 0x1234) (i32.const 1) (i64.const 50000000) (i32.const 0))
    (local.set $t0 (call $now))
    (call $must (call $poll_oneoff (i32.const 0x1000) (i32.const 0x2000) (i32.const 1) (i32.const 0x20)))
    (call $print_u64 (i64.sub (call $now) (local.get $t0)))
    (call $print_u64 (i64.load32_u (i32.const 0x20)))
    (call $print_event (i32.const 0x2000)))
"#,
    )
    .run();
    out.assert_exit(0);
    let n = numbers(&out.lines());
    assert!(n[0] >= 50_000_000, "slept only {}ns", n[0]);
    assert!(n[0] < 5_000_000_000, "slept {}ns", n[0]);
    assert_eq!(n[1..], [1, 0x1234, 0, 0, 0]);
    assert!(out.elapsed >= Duration::from_millis(50));
    let poll = out.call("poll_oneoff");
    assert!(poll.duration_ns >= 50_000_000);
    assert_eq!(
        poll.arg("in"),
        "[{userdata=4660, type=CLOCK, clock_id_or_fd=1, timeout=50000000, precision=0, flags=0}]"
    );
    assert_eq!(
        poll.arg("out"),
        "[{userdata=4660, error=SUCCESS, type=CLOCK, nbytes=0, flags=0}]"
    );
    assert_eq!(poll.arg("nevents"), "[1]");
    assert!(poll.wrote(0x2000, 32) && poll.wrote(0x20, 4));
}

#[test]
fn an_absolute_clock_subscription_wakes_at_its_deadline() {
    let out = poll_guest(
        r#"
  (func (export "_start") (local $t0 i64)
    (local.set $t0 (call $now))
    (call $sub_clock (i32.const 0x1000) (i64.const 1) (i32.const 1)
      (i64.add (local.get $t0) (i64.const 30000000)) (i32.const 1))
    (call $must (call $poll_oneoff (i32.const 0x1000) (i32.const 0x2000) (i32.const 1) (i32.const 0x20)))
    (call $print_u64 (i64.sub (call $now) (local.get $t0)))
    ;; a deadline already past returns at once
    (call $sub_clock (i32.const 0x1000) (i64.const 2) (i32.const 1) (i64.const 0) (i32.const 1))
    (local.set $t0 (call $now))
    (call $must (call $poll_oneoff (i32.const 0x1000) (i32.const 0x2000) (i32.const 1) (i32.const 0x20)))
    (call $print_u64 (i64.sub (call $now) (local.get $t0)))
    (call $print_event (i32.const 0x2000)))
"#,
    )
    .run();
    out.assert_exit(0);
    let n = numbers(&out.lines());
    assert!(n[0] >= 30_000_000, "woke after {}ns", n[0]);
    assert!(n[1] < 1_000_000_000, "a past deadline waited {}ns", n[1]);
    assert_eq!(n[2..], [2, 0, 0, 0]);
    assert!(
        out.nth("poll_oneoff", 0)
            .arg("in")
            .contains("flags=ABSTIME")
    );
}

#[test]
fn stdout_is_ready_for_writing_at_once() {
    let out = poll_guest(
        r#"
  (func (export "_start") (local $t0 i64)
    (call $sub_fd (i32.const 0x1000) (i64.const 7) (i32.const 2) (i32.const 1))
    (call $sub_clock (i32.const 0x1030) (i64.const 8) (i32.const 1) (i64.const 10000000000) (i32.const 0))
    (local.set $t0 (call $now))
    (call $must (call $poll_oneoff (i32.const 0x1000) (i32.const 0x2000) (i32.const 2) (i32.const 0x20)))
    (call $print_u64 (i64.sub (call $now) (local.get $t0)))
    (call $print_u64 (i64.load32_u (i32.const 0x20)))
    (call $print_event (i32.const 0x2000)))
"#,
    )
    .run();
    out.assert_exit(0);
    let n = numbers(&out.lines());
    assert!(n[0] < 5_000_000_000, "waited {}ns for stdout", n[0]);
    assert_eq!(n[1..], [1, 7, 0, 2, 0]);
    let poll = out.call("poll_oneoff");
    assert!(poll.arg("in").contains("type=FD_WRITE, clock_id_or_fd=1"));
    assert!(poll.arg("out").contains("type=FD_WRITE"));
}

#[test]
fn stdin_readiness_counts_the_bytes_left() {
    let out = poll_guest(
        r#"
  (func $poll
    (call $must (call $poll_oneoff (i32.const 0x1000) (i32.const 0x2000) (i32.const 1) (i32.const 0x20)))
    (call $print_event (i32.const 0x2000)))
  (func (export "_start")
    (call $sub_fd (i32.const 0x1000) (i64.const 3) (i32.const 1) (i32.const 0))
    (call $poll)
    (call $must (call $read (i32.const 0) (i32.const 0x3000) (i32.const 2)))
    (call $poll))
"#,
    )
    .stdin(b"hello")
    .run();
    out.assert_exit(0);
    assert_eq!(numbers(&out.lines()), [3, 0, 1, 5, 3, 0, 1, 3]);
}

#[test]
fn subscription_errors_arrive_as_events_and_bad_requests_fail() {
    let out = poll_guest(
        r#"
  (func $poll (param $n i32) (result i32)
    (call $poll_oneoff (i32.const 0x1000) (i32.const 0x2000) (local.get $n) (i32.const 0x20)))
  (func (export "_start")
    (drop (call $poll (i32.const 0)))
    (call $sub_fd (i32.const 0x1000) (i64.const 1) (i32.const 1) (i32.const 9))
    (call $sub_clock (i32.const 0x1030) (i64.const 2) (i32.const 9) (i64.const 0) (i32.const 0))
    (call $must (call $fd_fdstat_set_rights (i32.const 1) (i64.const 0x40) (i64.const 0)))
    (call $sub_fd (i32.const 0x1060) (i64.const 3) (i32.const 2) (i32.const 1))
    (call $must (call $poll (i32.const 3)))
    (call $print_u64 (i64.load32_u (i32.const 0x20)))
    (call $print_event (i32.const 0x2000))
    (call $print_event (i32.const 0x2020))
    (call $print_event (i32.const 0x2040))
    (i32.store8 (i32.const 0x1008) (i32.const 3))
    (drop (call $poll (i32.const 1))))
"#,
    )
    .run();
    out.assert_exit(0);
    // Standard output reports FD_WRITE alone (as under wasmtime); giving
    // up everything else leaves it pollable, since polling is what a
    // standard stream can do, not a right it reported.
    assert_eq!(
        numbers(&out.lines()),
        [3, 1, 8, 1, 0, 2, 28, 0, 0, 3, 0, 2, 0]
    );
    assert_eq!(
        out.errors("poll_oneoff"),
        [Some("EINVAL"), None, Some("EINVAL")]
    );
    let events = out.nth("poll_oneoff", 1).arg("out").to_string();
    assert!(events.contains("error=EBADF"), "{events}");
    assert!(events.contains("error=EINVAL"), "{events}");
    assert!(
        events.contains("{userdata=3, error=SUCCESS, type=FD_WRITE"),
        "{events}"
    );
}

#[test]
fn a_long_sleep_is_cut_short_by_the_run_time_limit() {
    let out = poll_guest(
        r#"
  (func (export "_start")
    (call $sub_clock (i32.const 0x1000) (i64.const 1) (i32.const 1) (i64.const 60000000000) (i32.const 0))
    (drop (call $poll_oneoff (i32.const 0x1000) (i32.const 0x2000) (i32.const 1) (i32.const 0x20)))
    (call $proc_exit (i32.const 3)))
"#,
    )
    .timeout(Duration::from_millis(300))
    .run();
    match &out.status {
        ExitStatus::Failed(f) => {
            assert_eq!(f.kind, FailureKind::Timeout, "{}", f.message);
            assert!(f.message.contains("poll_oneoff"), "{}", f.message);
            assert!(f.message.contains("time limit"), "{}", f.message);
        }
        other => panic!("the guest was not stopped: {other:?}"),
    }
    assert!(
        out.elapsed >= Duration::from_millis(250),
        "{:?}",
        out.elapsed
    );
    assert!(out.elapsed < Duration::from_secs(10), "{:?}", out.elapsed);
    assert_eq!(out.call("poll_oneoff").error_name(), Some("KILLED"));
    assert!(out.calls("proc_exit").is_empty());
}

#[test]
fn socket_calls_refuse_descriptors_that_are_not_sockets() {
    let sandbox = Sandbox::new();
    let out = sandbox.run(
        r#"
  (func $all (param $fd i32)
    (drop (call $sock_accept (local.get $fd) (i32.const 0) (i32.const 0x20)))
    (drop (call $sock_recv (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 0)
      (i32.const 0x20) (i32.const 0x24)))
    (drop (call $sock_send (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 0x20)))
    (drop (call $sock_shutdown (local.get $fd) (i32.const 3))))
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 0x100))
    (i32.store (i32.const 4) (i32.const 16))
    (call $all (i32.const 9))
    (call $all (i32.const 0))
    (call $all (i32.const 1))
    (call $all (i32.const 3)))
"#,
    );
    out.assert_exit(0);
    assert_eq!(out.stdout_text(), "", "sock_send wrote to stdout");
    for name in ["sock_accept", "sock_recv", "sock_send", "sock_shutdown"] {
        assert_eq!(
            out.errors(name),
            [
                Some("EBADF"),
                Some("ENOTSOCK"),
                Some("ENOTSOCK"),
                Some("ENOTSOCK")
            ],
            "{name}"
        );
        assert!(
            out.calls(name).iter().all(|r| r.writes.is_empty()),
            "{name}"
        );
    }
    assert_eq!(out.nth("sock_shutdown", 0).arg("how"), "RD|WR");
    assert_eq!(out.nth("sock_send", 2).arg("fd"), "1<stdout>");
    assert_eq!(out.nth("sock_accept", 3).arg("fd"), "3</sandbox>");
}

#[test]
fn a_fed_standard_input_is_waited_for_without_spinning() {
    // The workbench feeds standard input through a pipe as the learner
    // types. A non-blocking read says EAGAIN until a line comes, and
    // poll_oneoff sleeps until then (or its clock), not in a busy loop.
    use wasmhole_runtime::sandbox::stdio::Pipe;
    let program = wasmhole_runtime::Program::from_file(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../app/tests/guests/c_stdin_poll.wasm"),
    )
    .unwrap();
    let pipe = Pipe::new();
    let feeder = {
        let pipe = pipe.clone();
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(450));
            pipe.push(b"a\n");
            pipe.close();
        })
    };
    let out = crate::abi_support::run(
        &program,
        wasmhole_runtime::ProcessConfig {
            stdin: wasmhole_runtime::InputSpec::Pipe(pipe),
            ..wasmhole_runtime::ProcessConfig::default()
        },
    );
    feeder.join().unwrap();
    assert_eq!(out.exit_code(), 0, "{}", out.stderr);
    assert_eq!(out.results("fd_read")[0], 6, "EAGAIN before any input");
    assert!(
        out.stdout
            .contains("fd_read(0) after readiness = 2 bytes \"a\""),
        "{}",
        out.stdout
    );
    assert!(out.stdout.ends_with("end of input\n"), "{}", out.stdout);
    // About one poll per 100 ms clock while waiting, not thousands.
    let polls = out.calls("poll_oneoff").len();
    assert!((3..=20).contains(&polls), "{polls} polls:\n{}", out.stdout);
}
