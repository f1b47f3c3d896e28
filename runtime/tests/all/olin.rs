//! The Olin (CommonWA) ABI as a user sees it: the samples' output, every
//! function, every resource scheme, error codes and their names in traces,
//! the fatal close, the network allowance and hostile pointers.

use crate::abi_support;

use abi_support::*;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use wasmhole_runtime::calls::record::CallOutcome;
use wasmhole_runtime::{Access, DirGrant, FailureKind, InputSpec, Limits, NetAllow, ProcessConfig};

/// An Olin module importing every function from `module` (`cwa` or
/// `env`), with one page of memory, `data` segments and a `_start` body.
fn olin_in(module: &str, data: &str, body: &str) -> String {
    format!(
        r#"(module
  (import "{module}" "log_write" (func $log_write (param i32 i32 i32)))
  (import "{module}" "env_get" (func $env_get (param i32 i32 i32 i32) (result i32)))
  (import "{module}" "runtime_exit" (func $exit (param i32)))
  (import "{module}" "runtime_name" (func $runtime_name (param i32 i32) (result i32)))
  (import "{module}" "runtime_msleep" (func $msleep (param i32)))
  (import "{module}" "startup_arg_at" (func $arg_at (param i32 i32 i32) (result i32)))
  (import "{module}" "resource_open" (func $open (param i32 i32) (result i32)))
  (import "{module}" "resource_read" (func $read (param i32 i32 i32) (result i32)))
  (import "{module}" "resource_write" (func $write (param i32 i32 i32) (result i32)))
  (import "{module}" "resource_close" (func $close (param i32)))
  (import "{module}" "resource_flush" (func $flush (param i32) (result i32)))
  (import "{module}" "time_now" (func $time_now (result i64)))
  (import "{module}" "io_get_stdout" (func $stdout (result i32)))
  (memory (export "memory") 1)
  {data}
  (func (export "_start")
    (local $a i32) (local $b i32) (local $c i32)
    {body}))"#
    )
}

fn olin(data: &str, body: &str) -> String {
    olin_in("cwa", data, body)
}

#[test]
fn hello_prints_through_the_stdout_resource() {
    let out = run_plain(&sample("olin/hello.wat"));
    assert_eq!(out.exit_code(), 0);
    assert_eq!(out.stdout, "Hello from an Olin guest!\n");
    assert_eq!(
        out.trace(),
        [
            "io_get_stdout() = 1",
            r#"resource_write(id=1<stdout>, buf="Hello from an Olin guest!\n", buf_len=26) = 26"#,
        ]
    );
}

#[test]
fn everything_calls_every_function_and_reports() {
    let config = ProcessConfig {
        args: vec!["everything.wat".into()],
        env: vec![("GREETING".into(), "hi there".into())],
        ..ProcessConfig::default()
    };
    let out = run(&sample("olin/everything.wat"), config);
    assert_eq!(out.exit_code(), 0);
    assert_eq!(
        out.stdout,
        "runtime_name = olin\n\
         runtime_spec_major.minor = 0.1\n\
         startup_arg_len = 1\n\
         startup_arg_at(0) = everything.wat\n\
         env_get(GREETING) = hi there\n\
         time_now is after 2020: yes\n\
         random_i32 and random_i64 vary: yes\n\
         io_get_stdin, io_get_stdout, io_get_stderr = 0, 1, 2\n\
         resource_open(zero://) = 3\n\
         resource_read(zero, 8) = 8\n\
         zero:// gave zeros: yes\n\
         resource_flush(zero) = 0\n\
         resource_open(null://) = 4\n\
         resource_read(null, 8) = 0\n\
         resource_write(null, 5) = 5\n\
         resource_open(random://) = 5\n\
         resource_read(random, 16) = 16\n\
         resource_open(log://?prefix=everything) = 3\n\
         runtime_msleep(10) returned\n\
         calling runtime_exit(0)\n"
    );
    assert_eq!(
        out.stderr,
        "everything.wat: info: everything logs at level 6\neverything: via a log resource\n"
    );
    let called: BTreeSet<&str> = out.records.iter().map(|r| r.name).collect();
    let all: BTreeSet<&str> = wasmhole_runtime::abis::olin::CALLS
        .iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(called, all, "every Olin function was called");
    assert!(matches!(
        out.records.last().unwrap().outcome,
        CallOutcome::Exited { status: 0 }
    ));
}

#[test]
fn args_and_environment() {
    let config = ProcessConfig {
        args: vec!["args_env.wat".into(), "one".into(), "two words".into()],
        env: vec![("GREETING".into(), "hello".into())],
        ..ProcessConfig::default()
    };
    let out = run(&sample("olin/args_env.wat"), config);
    assert_eq!(out.exit_code(), 0);
    assert_eq!(
        out.stdout,
        "arg 0: args_env.wat\n\
         arg 1: one\n\
         arg 2: two words\n\
         env_get(GREETING) into 2 bytes needs 5\n\
         GREETING=hello\n\
         env_get(MISSING) = -4\n"
    );
    let calls = out.calls("env_get");
    assert!(calls[0].writes.is_empty(), "too small: nothing written");
    assert_eq!(calls[0].args[2].shown, r#""""#, "and nothing is shown");
    assert_eq!(calls[1].args[2].shown, r#""hello""#);
    assert!(
        out.trace().contains(
            &r#"env_get(key="MISSING", key_len=7, value=0x1000, value_len=64) = -4 NOT_FOUND (no such thing)"#
                .to_string()
        ),
        "{:?}",
        out.trace()
    );
}

#[test]
fn log_write_and_log_resources_go_to_stderr() {
    let out = run_plain(&sample("olin/log.wat"));
    assert_eq!(out.exit_code(), 0);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        "log.wat: info: starting\n\
         log.wat: warning: this is only a sample\n\
         log.wat: error: nothing is actually wrong\n\
         olin-log: one line\n\
         olin-log: another line\n"
    );
    assert!(out.trace()[0].starts_with(r#"log_write(level=INFO, msg="starting", msg_len=8) = ()"#));
}

#[test]
fn file_resources_stay_in_the_jail() {
    let config = ProcessConfig {
        dirs: vec![DirGrant {
            host: sample_path("olin/data"),
            guest: "/data".into(),
        }],
        ..ProcessConfig::default()
    };
    let out = run(&sample("olin/file.wat"), config);
    assert_eq!(out.exit_code(), 0);
    assert_eq!(
        out.stdout,
        "An Olin guest read this through file://.\nescape refused with -3\n"
    );
    assert_eq!(out.results("resource_open"), [3, -3]);
    assert!(
        out.stderr
            .contains("leads outside the granted directory /data")
    );
    let without = run_plain(&sample("olin/file.wat"));
    assert_eq!(without.exit_code(), 1);
    assert_eq!(without.results("resource_open"), [-3]);
}

#[test]
fn files_round_trip_and_missing_ones_are_not_found() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("in.txt"), "abc").unwrap();
    let data = r#"
      (data (i32.const 0) "file://out.txt?mode=w")
      (data (i32.const 32) "file://in.txt")
      (data (i32.const 64) "file://nothing.txt")
      (data (i32.const 96) "written by olin")"#;
    let body = r#"
      (local.set $a (call $open (i32.const 0) (i32.const 21)))
      (drop (call $write (local.get $a) (i32.const 96) (i32.const 15)))
      (drop (call $flush (local.get $a)))
      (call $close (local.get $a))
      (local.set $a (call $open (i32.const 32) (i32.const 13)))
      (drop (call $read (local.get $a) (i32.const 1024) (i32.const 100)))
      (drop (call $read (local.get $a) (i32.const 1024) (i32.const 100)))
      (drop (call $open (i32.const 64) (i32.const 18)))"#;
    let config = ProcessConfig {
        dirs: vec![DirGrant {
            host: dir.path().to_path_buf(),
            guest: ".".into(),
        }],
        ..ProcessConfig::default()
    };
    let out = run(&wat("files.wat", &olin(data, body)), config);
    assert_eq!(out.exit_code(), 0);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out.txt")).unwrap(),
        "written by olin"
    );
    assert_eq!(out.results("resource_open"), [3, 3, -4]);
    assert_eq!(out.results("resource_read"), [3, -5], "then EOF");
    assert!(
        out.trace()
            .iter()
            .any(|l| l.contains("= -5 EOF (end of file)"))
    );
}

#[test]
fn errors_sample_reports_codes_then_dies_closing_an_unknown_id() {
    let out = run_plain(&sample("olin/errors.wat"));
    assert_eq!(
        out.stdout,
        "resource_open(\"nope://x\") = -4\n\
         resource_open(\"not a url\") = -2\n\
         resource_open(0xfffffff0, 8) = -2\n\
         resource_read(42, ...) on an id never opened = -2\n\
         resource_read(null://) = 0\n\
         resource_write(random://) = -1\n\
         env_get(\"MISSING\") = -4\n\
         startup_arg_at(99) = -2\n\
         runtime_name into 3 bytes = -2\n\
         resource_open(\"https://example.com/\") without --allow-net = -3\n\
         resource_open(\"file:///etc/passwd\") with no --dir = -3\n\
         resource_close(42), which was never opened: fatal\n"
    );
    let message = out.failure(FailureKind::Killed);
    assert!(
        message.starts_with("guest `errors.wat` was killed in call `resource_close`"),
        "{message}"
    );
    assert!(
        message.ends_with(": closed resource 42, which is not open"),
        "{message}"
    );
    assert!(
        out.stderr
            .contains("may not reach example.com:443 (allow it with --allow-net example.com:443"),
        "{}",
        out.stderr
    );
    let last = out.trace().last().unwrap().clone();
    assert_eq!(
        last,
        "resource_close(id=42) = ? <killed: closed resource 42, which is not open>"
    );
    assert!(
        out.trace()
            .iter()
            .any(|l| l.ends_with("= -3 PERMISSION_DENIED (the host does not allow this)"))
    );
}

#[test]
fn standard_streams_reopen_in_the_lowest_free_slot() {
    let data = r#"(data (i32.const 0) "again\n")"#;
    let body = r#"
      (call $close (i32.const 1))
      (local.set $a (call $stdout))
      (drop (call $write (local.get $a) (i32.const 0) (i32.const 6)))
      (drop (call $write (call $stdout) (i32.const 0) (i32.const 6)))"#;
    let out = run_plain(&wat("reopen.wat", &olin(data, body)));
    assert_eq!(out.exit_code(), 0);
    assert_eq!(out.stdout, "again\nagain\n");
    assert_eq!(out.results("io_get_stdout"), [1, 1]);
}

#[test]
fn stdin_is_a_resource_too() {
    let wat_text = r#"(module
  (import "cwa" "io_get_stdin" (func $stdin (result i32)))
  (import "cwa" "io_get_stdout" (func $stdout (result i32)))
  (import "cwa" "resource_read" (func $read (param i32 i32 i32) (result i32)))
  (import "cwa" "resource_write" (func $write (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (local $n i32)
    (block $done
      (loop $copy
        (local.set $n (call $read (call $stdin) (i32.const 0) (i32.const 3)))
        (br_if $done (i32.lt_s (local.get $n) (i32.const 0)))
        (drop (call $write (call $stdout) (i32.const 0) (local.get $n)))
        (br $copy)))))"#;
    let config = ProcessConfig {
        stdin: InputSpec::Bytes(Arc::from(&b"piped through"[..])),
        ..ProcessConfig::default()
    };
    let out = run(&wat("cat.wat", wat_text), config);
    assert_eq!(out.exit_code(), 0);
    assert_eq!(out.stdout, "piped through");
    assert_eq!(*out.results("resource_read").last().unwrap(), -5);
}

#[test]
fn runtime_exit_sets_the_status() {
    let out = run_plain(&wat(
        "exit.wat",
        &olin("", "(call $exit (i32.const 3)) (unreachable)"),
    ));
    assert_eq!(out.exit_code(), 3);
}

#[test]
fn guests_importing_from_env_work() {
    let data = r#"(data (i32.const 0) "from env\n")"#;
    let body = r#"(drop (call $write (call $stdout) (i32.const 0) (i32.const 9)))"#;
    let out = run_plain(&wat("env.wat", &olin_in("env", data, body)));
    assert_eq!(out.exit_code(), 0);
    assert_eq!(out.stdout, "from env\n");
}

#[test]
fn sleeping_stops_at_the_time_limit() {
    let config = ProcessConfig {
        limits: Limits {
            timeout: Some(Duration::from_millis(200)),
            ..Limits::default()
        },
        ..ProcessConfig::default()
    };
    let t0 = Instant::now();
    let out = run(
        &wat(
            "sleepy.wat",
            &olin(
                "",
                "(call $msleep (i32.const 60000)) (loop $spin (br $spin))",
            ),
        ),
        config,
    );
    let message = out.failure(FailureKind::Timeout);
    assert!(message.contains("time limit of 200ms"), "{message}");
    assert!(t0.elapsed() < Duration::from_secs(10));
}

#[test]
fn time_now_is_the_current_time() {
    let body = r#"(drop (call $time_now))"#;
    let before = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let out = run_plain(&wat("now.wat", &olin("", body)));
    let after = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert_eq!(out.exit_code(), 0);
    let t = out.results("time_now")[0];
    assert!(before <= t && t <= after, "{before} <= {t} <= {after}");
}

#[test]
fn hostile_pointers_get_invalid_argument() {
    let data = r#"(data (i32.const 0) "zero://") (data (i32.const 16) "KEY")"#;
    let body = r#"
      (local.set $a (call $open (i32.const 0) (i32.const 7)))
      (drop (call $open (i32.const 65530) (i32.const 100)))
      (drop (call $read (local.get $a) (i32.const 65535) (i32.const 2)))
      (drop (call $read (local.get $a) (i32.const 65535) (i32.const 1)))
      (drop (call $write (local.get $a) (i32.const -1) (i32.const 1)))
      (drop (call $env_get (i32.const 65535) (i32.const 9) (i32.const 0) (i32.const 4)))
      (drop (call $runtime_name (i32.const 65534) (i32.const 32)))
      (drop (call $arg_at (i32.const 0) (i32.const 65535) (i32.const 10)))"#;
    let config = ProcessConfig {
        env: vec![("KEY".into(), "value".into())],
        ..ProcessConfig::default()
    };
    let out = run(&wat("hostile.wat", &olin(data, body)), config);
    assert_eq!(out.exit_code(), 0);
    assert_eq!(out.results("resource_open"), [3, -2]);
    assert_eq!(out.results("resource_read"), [-2, 1]);
    assert_eq!(out.results("resource_write"), [-2]);
    assert_eq!(out.results("env_get"), [-2]);
    assert_eq!(out.results("runtime_name"), [-2]);
    assert_eq!(out.results("startup_arg_at"), [-2]);
}

#[test]
fn a_bad_log_message_kills_cleanly() {
    let out = run_plain(&wat(
        "badlog.wat",
        &olin(
            "",
            "(call $log_write (i32.const 6) (i32.const 65000) (i32.const 1000))",
        ),
    ));
    let message = out.failure(FailureKind::Killed);
    assert!(message.contains("killed in call `log_write`"), "{message}");
    assert!(
        message.contains("outside the guest's 65536-byte memory"),
        "{message}"
    );
}

#[test]
fn log_output_counts_against_the_output_limit() {
    let data = r#"(data (i32.const 0) "0123456789")"#;
    let body = r#"(call $log_write (i32.const 6) (i32.const 0) (i32.const 10))
      (call $log_write (i32.const 6) (i32.const 0) (i32.const 10))"#;
    let config = ProcessConfig {
        limits: Limits {
            max_output: Some(40),
            ..Limits::default()
        },
        ..ProcessConfig::default()
    };
    let out = run(&wat("chatty.wat", &olin(data, body)), config);
    assert_eq!(out.stderr, "chatty.wat: info: 0123456789\n");
    let message = out.failure(FailureKind::OutputLimit);
    assert!(message.contains("output limit of 40 bytes"), "{message}");
}

#[test]
fn http_sample_fetches_from_an_allowed_host() {
    let server = OneShot::start(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello",
    );
    let port = server.port;
    let url = format!("http://127.0.0.1:{port}/page");
    let config = ProcessConfig {
        args: vec!["http.wat".into(), url.clone()],
        access: Access {
            net: vec![NetAllow::parse(&format!("127.0.0.1:{port}")).unwrap()],
            ..Access::default()
        },
        ..ProcessConfig::default()
    };
    let out = run(&sample("olin/http.wat"), config);
    let served = server.finish().expect("the guest reached the server");
    assert_eq!(out.exit_code(), 0, "{}", out.stderr);
    assert!(
        out.stdout.starts_with("HTTP/1.1 200 OK\r\n"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("content-type: text/plain\r\n"));
    assert!(out.stdout.ends_with("\r\n\r\nhello"));
    let seen = String::from_utf8_lossy(&served.request).to_ascii_lowercase();
    assert!(seen.starts_with("get /page http/1.1\r\n"), "{seen}");
    assert!(seen.contains("user-agent: olin-sample"), "{seen}");
    let open = &out.calls("resource_open")[0];
    assert_eq!(open.args[0].shown, format!("\"{url}\""));
    assert!(
        out.trace()
            .iter()
            .any(|l| l.starts_with(&format!("resource_flush(id=3<{url}>) = 0"))),
        "{:?}",
        out.trace()
    );
}

#[test]
fn http_sample_is_refused_without_an_allowance() {
    let config = ProcessConfig {
        args: vec!["http.wat".into(), "https://example.com/".into()],
        ..ProcessConfig::default()
    };
    let out = run(&sample("olin/http.wat"), config);
    assert_eq!(out.exit_code(), 1);
    assert_eq!(out.results("resource_open"), [-3]);
    assert!(out.stderr.contains("may not reach example.com:443"));
    assert!(out.stderr.ends_with("cannot open the URL\n"));
}

#[test]
fn unknown_imports_are_named() {
    let text = r#"(module (import "cwa" "teleport" (func (param i32))) (func (export "_start")))"#;
    let out = run_plain(&wat("teleport.wat", text));
    let message = out.failure(FailureKind::MissingImport);
    assert!(message.contains("`cwa::teleport`"), "{message}");
}

#[test]
fn processes_start_with_the_standard_streams_open() {
    let out = run_plain(&sample("olin/hello.wat"));
    assert_eq!(out.exit_code(), 0);
    assert_eq!(
        out.open,
        [
            (0, "stdio".to_string(), "stdin".to_string()),
            (1, "stdio".to_string(), "stdout".to_string()),
            (2, "stdio".to_string(), "stderr".to_string()),
        ]
    );
}

/// As the original host read strings: a C guest that counts the
/// terminating NUL in a length is understood.
#[test]
fn strings_end_at_a_nul_within_their_length() {
    let data = r#"(data (i32.const 0) "null://\00") (data (i32.const 16) "KEY\00")
                  (data (i32.const 32) "logged\00ignored")"#;
    let body = r#"
      (drop (call $open (i32.const 0) (i32.const 8)))
      (drop (call $env_get (i32.const 16) (i32.const 4) (i32.const 64) (i32.const 16)))
      (call $log_write (i32.const 6) (i32.const 32) (i32.const 14))"#;
    let config = ProcessConfig {
        env: vec![("KEY".into(), "value".into())],
        ..ProcessConfig::default()
    };
    let out = run(&wat("nul.wat", &olin(data, body)), config);
    assert_eq!(out.exit_code(), 0);
    assert_eq!(out.results("resource_open"), [3]);
    assert_eq!(out.results("env_get"), [5]);
    assert_eq!(out.stderr, "nul.wat: info: logged\n");
}

/// The original host answered random_i32 and random_i64 with Go's
/// `rand.Int31` and `rand.Int63`: never negative.
#[test]
fn random_numbers_are_never_negative() {
    let text = r#"(module
  (import "cwa" "random_i32" (func $r32 (result i32)))
  (import "cwa" "random_i64" (func $r64 (result i64)))
  (memory (export "memory") 1)
  (func (export "_start") (local $i i32)
    (loop $again
      (if (i32.lt_s (call $r32) (i32.const 0)) (then unreachable))
      (if (i64.lt_s (call $r64) (i64.const 0)) (then unreachable))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $i) (i32.const 2000))))))"#;
    let out = run_plain(&wat("random.wat", text));
    assert_eq!(out.exit_code(), 0, "a negative number trapped");
    let r32: BTreeSet<i64> = out.results("random_i32").into_iter().collect();
    assert!(r32.len() > 1900, "and they vary");
}
