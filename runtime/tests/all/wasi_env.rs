//! WASI calls about a guest's surroundings: `args_get`, `args_sizes_get`,
//! `environ_get`, `environ_sizes_get`, `clock_res_get`, `clock_time_get`,
//! `random_get`, `sched_yield`, `proc_exit` and `proc_raise`.

use crate::common;

use common::{Guest, RecordExt};
use std::time::{SystemTime, UNIX_EPOCH};
use wasmhole_runtime::calls::record::CallOutcome;

/// A guest that asks `sizes` for the count and total size of a string list,
/// fetches it with `get`, prints both numbers, then every string on its own
/// line, found through its pointer and NUL terminator.
fn string_list_guest(sizes: &str, get: &str) -> String {
    format!(
        r#"
  (data (i32.const 0x80) "\n")
  (func (export "_start")
    (local $count i32) (local $i i32) (local $p i32) (local $end i32)
    (call $must (call ${sizes} (i32.const 0) (i32.const 4)))
    (call $print_u64 (i64.extend_i32_u (i32.load (i32.const 0))))
    (call $print_u64 (i64.extend_i32_u (i32.load (i32.const 4))))
    (call $must (call ${get} (i32.const 0x100) (i32.const 0x1000)))
    (local.set $count (i32.load (i32.const 0)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
        (local.set $p
          (i32.load (i32.add (i32.const 0x100) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $end (local.get $p))
        (block $found
          (loop $scan
            (br_if $found (i32.eqz (i32.load8_u (local.get $end))))
            (local.set $end (i32.add (local.get $end) (i32.const 1)))
            (br $scan)))
        (call $print (local.get $p) (i32.sub (local.get $end) (local.get $p)))
        (call $print (i32.const 0x80) (i32.const 1))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each))))
"#
    )
}

#[test]
fn args_round_trip_through_sizes_and_pointers() {
    let args = ["prog.wasm", "hello", "wörld with spaces", "", "--flag=1"];
    let out = Guest::body(&string_list_guest("args_sizes_get", "args_get"))
        .args(&args)
        .run();
    out.assert_exit(0);
    let buf_size: usize = args.iter().map(|a| a.len() + 1).sum();
    let mut expected = vec![args.len().to_string(), buf_size.to_string()];
    expected.extend(args.iter().map(|a| a.to_string()));
    assert_eq!(out.lines(), expected);

    let sizes = out.call("args_sizes_get");
    assert_eq!(sizes.arg("argc"), "[5]");
    assert_eq!(sizes.arg("argv_buf_size"), format!("[{buf_size}]"));
    let get = out.call("args_get");
    assert!(get.ok());
    assert!(get.wrote(0x100, 4 * args.len() as u32), "{:?}", get.writes);
    assert!(get.wrote(0x1000, buf_size as u32), "{:?}", get.writes);
}

#[test]
fn no_arguments_means_zero_counts() {
    let out = Guest::body(&string_list_guest("args_sizes_get", "args_get"))
        .args(&[])
        .run();
    out.assert_exit(0);
    assert_eq!(out.lines(), ["0", "0"]);
    assert!(out.call("args_get").writes.is_empty());
}

#[test]
fn environ_round_trips_only_granted_variables() {
    let out = Guest::body(&string_list_guest("environ_sizes_get", "environ_get"))
        .env("GREETING", "hi there")
        .env("EMPTY", "")
        .env("EQUALS", "a=b")
        .run();
    out.assert_exit(0);
    let vars = ["GREETING=hi there", "EMPTY=", "EQUALS=a=b"];
    let buf_size: usize = vars.iter().map(|v| v.len() + 1).sum();
    let mut expected = vec!["3".to_string(), buf_size.to_string()];
    expected.extend(vars.iter().map(|v| v.to_string()));
    assert_eq!(out.lines(), expected, "the host's own environment leaked");
    assert_eq!(out.call("environ_sizes_get").arg("environ_count"), "[3]");
    assert!(out.call("environ_get").wrote(0x1000, buf_size as u32));
}

#[test]
fn empty_environment_has_no_variables() {
    let out = Guest::body(&string_list_guest("environ_sizes_get", "environ_get")).run();
    out.assert_exit(0);
    assert_eq!(out.lines(), ["0", "0"]);
}

#[test]
fn clocks_tell_time_and_monotonic_never_goes_back() {
    let before = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let out = Guest::body(
        r#"
  (func $now (param $clock i32) (result i64)
    (call $must (call $clock_time_get (local.get $clock) (i64.const 1) (i32.const 0x10)))
    (i64.load (i32.const 0x10)))
  (func (export "_start")
    (local $i i32) (local $last i64) (local $t i64)
    ;; 1000 monotonic readings, each at least the previous one.
    (local.set $last (call $now (i32.const 1)))
    (call $print_u64 (local.get $last))
    (loop $again
      (local.set $t (call $now (i32.const 1)))
      (if (i64.lt_u (local.get $t) (local.get $last)) (then (call $proc_exit (i32.const 99))))
      (local.set $last (local.get $t))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $i) (i32.const 1000))))
    (call $print_u64 (local.get $last))
    (call $print_u64 (call $now (i32.const 0)))
    (call $print_u64 (call $now (i32.const 2))))
"#,
    )
    .run();
    out.assert_exit(0);
    let after = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let n: Vec<u64> = out.lines().iter().map(|l| l.parse().unwrap()).collect();
    assert!(n[1] >= n[0], "monotonic went back: {n:?}");
    assert!(n[1] - n[0] < 10_000_000_000, "1000 readings took over 10s");
    let realtime = n[2] as u128;
    assert!(
        before.as_nanos() <= realtime && realtime <= after.as_nanos(),
        "REALTIME {realtime} is not between {} and {}",
        before.as_nanos(),
        after.as_nanos()
    );
    assert!(n[3] > 0, "the process has used no CPU time");

    let calls = out.calls("clock_time_get");
    assert_eq!(calls.len(), 1003);
    assert_eq!(calls[0].arg("id"), "MONOTONIC");
    assert_eq!(calls[0].arg("time"), format!("[{}]", n[0]));
    assert_eq!(calls[1001].arg("id"), "REALTIME");
    assert_eq!(calls[1002].arg("id"), "PROCESS_CPUTIME_ID");
    assert!(calls.iter().all(|c| c.wrote(0x10, 8)));
}

#[test]
fn clock_resolutions_are_positive_and_unknown_clocks_are_invalid() {
    let out = Guest::body(
        r#"
  (func $res (param $clock i32)
    (call $must (call $clock_res_get (local.get $clock) (i32.const 0x10)))
    (call $print_u64 (i64.load (i32.const 0x10))))
  (func (export "_start")
    (call $res (i32.const 0))
    (call $res (i32.const 1))
    (call $res (i32.const 2))
    (call $res (i32.const 3))
    (drop (call $clock_res_get (i32.const 4) (i32.const 0x10)))
    (call $proc_exit (call $clock_time_get (i32.const 4) (i64.const 0) (i32.const 0x10))))
"#,
    )
    .run();
    out.assert_exit(28);
    for line in out.lines() {
        let ns: u64 = line.parse().unwrap();
        assert!((1..=1_000_000_000).contains(&ns), "resolution {ns}ns");
    }
    assert_eq!(out.lines().len(), 4);
    assert_eq!(
        out.errors("clock_res_get"),
        [None, None, None, None, Some("EINVAL")]
    );
    assert_eq!(out.call("clock_time_get").error_name(), Some("EINVAL"));
    assert_eq!(out.nth("clock_res_get", 4).arg("id"), "4");
    assert!(out.call("clock_time_get").writes.is_empty());
}

#[test]
fn random_get_fills_the_whole_buffer_with_fresh_bytes() {
    let out = Guest::body(
        r#"
  (func (export "_start")
    (call $must (call $random_get (i32.const 0x100) (i32.const 256)))
    (call $must (call $random_get (i32.const 0x200) (i32.const 256)))
    (call $must (call $random_get (i32.const 0x300) (i32.const 0)))
    (call $print (i32.const 0x100) (i32.const 0x201)))
"#,
    )
    .run();
    out.assert_exit(0);
    let (first, rest) = out.stdout.split_at(256);
    let (second, after) = rest.split_at(256);
    assert_ne!(first, second, "two calls gave the same bytes");
    assert_eq!(after, [0], "random_get wrote past the buffer");
    for buf in [first, second] {
        let mut seen = [false; 256];
        for b in buf {
            seen[*b as usize] = true;
        }
        let distinct = seen.iter().filter(|s| **s).count();
        assert!(distinct > 100, "only {distinct} distinct byte values");
    }
    let calls = out.calls("random_get");
    assert!(calls[0].wrote(0x100, 256));
    assert!(calls[1].wrote(0x200, 256));
    assert!(calls[2].ok() && calls[2].writes.is_empty());
    assert!(
        calls[0].arg("buf").starts_with('"'),
        "{}",
        calls[0].arg("buf")
    );
}

#[test]
fn sched_yield_succeeds_and_the_guest_continues() {
    let out = Guest::body(
        r#"
  (data (i32.const 0x100) "after yield\n")
  (func (export "_start")
    (call $must (call $sched_yield))
    (call $must (call $sched_yield))
    (call $print (i32.const 0x100) (i32.const 12)))
"#,
    )
    .run();
    out.assert_exit(0);
    assert_eq!(out.stdout_text(), "after yield\n");
    assert_eq!(out.errors("sched_yield"), [None, None]);
}

#[test]
fn proc_exit_ends_the_guest_at_once_with_its_status() {
    let out = Guest::body(
        r#"
  (data (i32.const 0x100) "before\nafter\n")
  (func (export "_start")
    (call $print (i32.const 0x100) (i32.const 7))
    (call $proc_exit (i32.const 42))
    (call $print (i32.const 0x107) (i32.const 6)))
"#,
    )
    .run();
    out.assert_exit(42);
    assert_eq!(out.stdout_text(), "before\n");
    let exit = out.call("proc_exit");
    assert_eq!(exit.arg("rval"), "42");
    assert!(matches!(exit.outcome, CallOutcome::Exited { status: 42 }));
    assert!(exit.trace_line().contains("exited with status 42"));
    assert_eq!(out.records.last().unwrap().name, "proc_exit");
}

#[test]
fn returning_from_start_is_exit_status_zero() {
    let out = Guest::body(r#"(func (export "_start"))"#).run();
    out.assert_exit(0);
    assert!(out.records.is_empty());
}

#[test]
fn proc_exit_status_zero_is_success() {
    let out = Guest::body(r#"(func (export "_start") (call $proc_exit (i32.const 0)))"#).run();
    out.assert_exit(0);
    assert!(matches!(
        out.call("proc_exit").outcome,
        CallOutcome::Exited { status: 0 }
    ));
}

#[test]
fn proc_raise_is_refused_with_enosys_and_the_guest_carries_on() {
    let out = Guest::body(
        r#"
  (func (export "_start")
    (drop (call $proc_raise (i32.const 15)))
    (call $proc_exit (call $proc_raise (i32.const 9))))
"#,
    )
    .run();
    out.assert_exit(52);
    let raises = out.calls("proc_raise");
    assert_eq!(raises[0].arg("sig"), "TERM");
    assert_eq!(raises[1].arg("sig"), "KILL");
    assert_eq!(out.errors("proc_raise"), [Some("ENOSYS"), Some("ENOSYS")]);
    assert!(
        raises[0]
            .trace_line()
            .contains("ENOSYS (Function not supported)")
    );
}
