//! The Dagger ABI as a user sees it: the samples' output, every call and
//! stream kind, descriptor numbering, error numbers, traces, the jail, the
//! network allowance and hostile pointers.

use crate::abi_support;

use abi_support::*;
use std::sync::Arc;
use wasmhole_runtime::{Access, DirGrant, FailureKind, InputSpec, Limits, NetAllow, ProcessConfig};

/// A Dagger module with every import, one page of memory, `data` segments
/// and a `main` body returning i32.
fn dagger(data: &str, body: &str) -> String {
    format!(
        r#"(module
  (import "dagger" "open" (func $open (param i32 i32) (result i32)))
  (import "dagger" "close" (func $close (param i32) (result i32)))
  (import "dagger" "read" (func $read (param i32 i32 i32) (result i32)))
  (import "dagger" "write" (func $write (param i32 i32 i32) (result i32)))
  (import "dagger" "flush" (func $flush (param i32) (result i32)))
  (memory (export "memory") 1)
  {data}
  (func (export "main") (result i32)
    (local $a i32) (local $b i32) (local $c i32)
    {body}))"#
    )
}

#[test]
fn hello_prints_and_uses_old_instruction_names() {
    let program = sample("dagger/hello.wat");
    assert!(
        program
            .legacy_renames()
            .iter()
            .any(|r| r.old == "get_local"),
        "the sample shows off old names"
    );
    let out = run_plain(&program);
    assert_eq!(out.exit_code(), 0);
    assert_eq!(out.stdout, "Hello from a Dagger guest!\n");
    assert_eq!(
        out.trace(),
        [
            r#"open(url="fd://1", flags=0) = 0"#,
            r#"write(fd=0<fd://1>, buf="Hello from a Dagger guest!\n", len=27) = 27"#,
            "close(fd=0<fd://1>) = 0",
        ]
    );
    assert!(out.open.is_empty(), "{:?}", out.open);
}

#[test]
fn main_result_is_the_exit_status_and_start_is_accepted() {
    let out = run_plain(&wat("seven.wat", &dagger("", "(i32.const 7)")));
    assert_eq!(out.exit_code(), 7);
    let start = r#"(module
  (import "dagger" "open" (func $open (param i32 i32) (result i32)))
  (import "dagger" "write" (func $write (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "fd://1\00")
  (data (i32.const 8) "ok")
  (func (export "_start")
    (drop (call $write (call $open (i32.const 0) (i32.const 0)) (i32.const 8) (i32.const 2)))))"#;
    let out = run_plain(&wat("start.wat", start));
    assert_eq!(out.exit_code(), 0);
    assert_eq!(out.stdout, "ok");
}

#[test]
fn echo_copies_stdin_to_stdout() {
    let text = "line one\nline two\n".repeat(500);
    let config = ProcessConfig {
        stdin: InputSpec::Bytes(Arc::from(text.as_bytes())),
        ..ProcessConfig::default()
    };
    let out = run(&sample("dagger/echo.wat"), config);
    assert_eq!(out.exit_code(), 0);
    assert_eq!(out.stdout, text);
    assert_eq!(out.results("open"), [0, 1], "fd://0 then fd://1");
    assert_eq!(
        *out.results("read").last().unwrap(),
        0,
        "ends at end of input"
    );
}

#[test]
fn log_lines_are_prefixed_and_sync_is_flush() {
    let out = run_plain(&sample("dagger/log.wat"));
    assert_eq!(out.exit_code(), 0);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        "dagger-log: starting up\ndagger-log: still going\ndagger-log: done, without a newline\n"
    );
    let flush = out.calls("flush");
    assert_eq!(flush.len(), 1, "the `sync` import is the flush call");
    assert_eq!(
        flush[0].args[0].shown, "0<log://?prefix=dagger-log>",
        "descriptors are shown with their URL"
    );
}

#[test]
fn log_without_prefix_uses_the_guest_name() {
    let data = r#"(data (i32.const 0) "log://\00") (data (i32.const 16) "hi\n")"#;
    let body =
        r#"(call $write (call $open (i32.const 0) (i32.const 0)) (i32.const 16) (i32.const 3))"#;
    let out = run_plain(&wat("named.wat", &dagger(data, body)));
    assert_eq!(out.exit_code(), 3);
    assert_eq!(out.stderr, "named.wat: hi\n");
}

#[test]
fn random_gives_fresh_bytes_each_run() {
    let a = run_plain(&sample("dagger/random.wat"));
    let b = run_plain(&sample("dagger/random.wat"));
    for out in [&a, &b] {
        assert_eq!(out.exit_code(), 0);
        assert_eq!(out.stdout.len(), 17);
        assert!(out.stdout[..16].chars().all(|c| c.is_ascii_hexdigit()));
    }
    assert_ne!(a.stdout, b.stdout);
}

#[test]
fn file_reads_inside_the_jail_and_refuses_escapes() {
    let config = ProcessConfig {
        dirs: vec![DirGrant {
            host: sample_path("dagger/data"),
            guest: "/data".into(),
        }],
        ..ProcessConfig::default()
    };
    let out = run(&sample("dagger/file.wat"), config);
    assert_eq!(out.exit_code(), 0, "{}", out.stdout);
    assert_eq!(
        out.stdout,
        "This file lives inside the granted directory.\nescape refused: open returned -1\n"
    );
    assert!(
        out.stderr
            .contains("refused to open `file:///data/../dagger/hello.wat`: it leads outside the granted directory /data\n"),
        "{}",
        out.stderr
    );
    assert_eq!(out.results("open"), [0, 1, -1]);
}

#[test]
fn file_without_a_grant_is_refused_and_named() {
    let out = run_plain(&sample("dagger/file.wat"));
    assert_eq!(out.exit_code(), 1);
    assert!(out.stdout.starts_with("cannot open /data/hello.txt"));
    assert!(
        out.stderr.contains(
            "refused to open `file:///data/hello.txt`: it is outside every granted directory (grant one with --dir)"
        ),
        "{}",
        out.stderr
    );
}

#[test]
fn files_can_be_written_appended_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let data = r#"
      (data (i32.const 0) "file:///out/note.txt?mode=w\00")
      (data (i32.const 32) "file:///out/note.txt?mode=a\00")
      (data (i32.const 64) "file:///out/note.txt\00")
      (data (i32.const 96) "file:///out/note.txt?mode=x\00")
      (data (i32.const 128) "file:///out/missing.txt\00")
      (data (i32.const 160) "first\n")
      (data (i32.const 176) "second\n")
      (data (i32.const 192) "fd://1\00")"#;
    let body = r#"
      (local.set $a (call $open (i32.const 0) (i32.const 0)))
      (drop (call $write (local.get $a) (i32.const 160) (i32.const 6)))
      (drop (call $close (local.get $a)))
      (local.set $a (call $open (i32.const 32) (i32.const 0)))
      (drop (call $write (local.get $a) (i32.const 176) (i32.const 7)))
      (drop (call $close (local.get $a)))
      (local.set $a (call $open (i32.const 64) (i32.const 0)))
      (local.set $b (call $read (local.get $a) (i32.const 1024) (i32.const 100)))
      (drop (call $write (call $open (i32.const 192) (i32.const 0)) (i32.const 1024) (local.get $b)))
      ;; writing to a file opened for reading fails
      (drop (call $write (local.get $a) (i32.const 160) (i32.const 6)))
      (drop (call $open (i32.const 96) (i32.const 0)))
      (drop (call $open (i32.const 128) (i32.const 0)))
      (i32.const 0)"#;
    let config = ProcessConfig {
        dirs: vec![DirGrant {
            host: dir.path().to_path_buf(),
            guest: "/out".into(),
        }],
        ..ProcessConfig::default()
    };
    let out = run(&wat("files.wat", &dagger(data, body)), config);
    assert_eq!(out.exit_code(), 0);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("note.txt")).unwrap(),
        "first\nsecond\n"
    );
    assert_eq!(out.stdout, "first\nsecond\n");
    assert_eq!(out.results("write"), [6, 7, 13, -1]);
    assert_eq!(out.results("open")[4..], [-1, -1], "bad mode, missing file");
    assert!(!dir.path().join("missing.txt").exists());
}

#[test]
fn descriptors_start_empty_and_reuse_the_lowest_free_slot() {
    let data = r#"
      (data (i32.const 0) "fd://1\00")
      (data (i32.const 8) "random://\00")
      (data (i32.const 24) "log://?prefix=x\00")"#;
    let body = r#"
      (drop (call $close (i32.const 0)))
      (drop (call $open (i32.const 0) (i32.const 0)))
      (local.set $a (call $open (i32.const 8) (i32.const 0)))
      (drop (call $open (i32.const 24) (i32.const 0)))
      (drop (call $close (local.get $a)))
      (drop (call $open (i32.const 24) (i32.const 0)))
      (i32.const 0)"#;
    let out = run_plain(&wat("slots.wat", &dagger(data, body)));
    assert_eq!(out.exit_code(), 0);
    assert_eq!(out.results("close"), [-1, 0], "nothing is open at start");
    assert_eq!(out.results("open"), [0, 1, 2, 1]);
    assert_eq!(
        out.open,
        [
            (0, "stdio".to_string(), "fd://1".to_string()),
            (1, "log".to_string(), "log://?prefix=x".to_string()),
            (2, "log".to_string(), "log://?prefix=x".to_string()),
        ]
    );
}

#[test]
fn errors_sample_shows_every_error_number() {
    let out = run_plain(&sample("dagger/errors.wat"));
    assert_eq!(out.exit_code(), 0);
    assert_eq!(
        out.stdout,
        "open(\"nope://x\") = -3\n\
         open(0xfffffff0) = -2\n\
         open(\"no scheme here\") = -1\n\
         open(\"fd://9\") = -1\n\
         write(7, ...) on a descriptor never opened = -1\n\
         read(1, 0, 0x7fffffff) past the end of memory = -1\n\
         write(1, ...) to random:// = -1\n\
         close(1) a second time = -1\n"
    );
    let trace = out.trace();
    let unknown = r#"open(url="nope://x", flags=0) = -3 EUNKNOWNSCHEME"#;
    assert!(
        trace.contains(&format!(
            "{unknown} (no Dagger stream has this URL's scheme)"
        )),
        "{trace:#?}"
    );
    assert!(
        trace
            .iter()
            .any(|l| l
                .starts_with("open(url=0xfffffff0 <out of bounds>, flags=0) = -2 EBADURLINPUT")),
        "{trace:#?}"
    );
    assert!(
        trace
            .iter()
            .any(|l| l.starts_with("read(fd=1<random://>, buf=0x0, len=2147483647) = -1 EFAIL")),
        "{trace:#?}"
    );
}

#[test]
fn hostile_pointers_get_error_numbers_not_crashes() {
    // The last bytes of memory hold a URL with no NUL before the end.
    let data = r#"
      (data (i32.const 0) "fd://1\00")
      (data (i32.const 8) "random://\00")
      (data (i32.const 65530) "fd://1")"#;
    let body = r#"
      (local.set $c (call $open (i32.const 0) (i32.const 0)))
      (local.set $a (call $open (i32.const 65530) (i32.const 0)))
      (local.set $b (call $open (i32.const 65536) (i32.const 0)))
      (drop (call $write (local.get $c) (i32.const 65535) (i32.const 1)))
      (drop (call $write (local.get $c) (i32.const 65535) (i32.const 2)))
      (drop (call $write (local.get $c) (i32.const 1) (i32.const -1)))
      (local.set $c (call $open (i32.const 8) (i32.const 0)))
      (drop (call $read (local.get $c) (i32.const -1) (i32.const -1)))
      (drop (call $read (local.get $c) (i32.const 65520) (i32.const 16)))
      (i32.add (local.get $a) (local.get $b))"#;
    let out = run_plain(&wat("hostile.wat", &dagger(data, body)));
    assert_eq!(out.exit_code(), -4);
    assert_eq!(out.results("open"), [0, -2, -2, 1]);
    assert_eq!(
        out.results("write"),
        [1, -1, -1],
        "the last byte is in bounds"
    );
    assert_eq!(out.results("read"), [-1, 16]);
    assert_eq!(out.stdout, "1", "the URL's last byte");
}

#[test]
fn output_limit_stops_the_guest() {
    let config = ProcessConfig {
        limits: Limits {
            max_output: Some(10),
            ..Limits::default()
        },
        ..ProcessConfig::default()
    };
    let out = run(&sample("dagger/hello.wat"), config);
    let message = out.failure(FailureKind::OutputLimit);
    assert!(message.contains("killed in call `write`"), "{message}");
    assert!(message.contains("output limit of 10 bytes"), "{message}");
    assert_eq!(out.stdout, "");
}

fn http_guest(url: &str, request: &str) -> String {
    dagger(
        &format!(
            r#"(data (i32.const 0) "{}\00") (data (i32.const 256) "fd://1\00") (data (i32.const 512) "{}")"#,
            wat_string(url),
            wat_string(request)
        ),
        &format!(
            r#"
      (local.set $a (call $open (i32.const 0) (i32.const 0)))
      (if (i32.lt_s (local.get $a) (i32.const 0)) (then (return (i32.const 10))))
      (local.set $b (call $open (i32.const 256) (i32.const 0)))
      (drop (call $write (local.get $a) (i32.const 512) (i32.const {})))
      (if (i32.lt_s (call $flush (local.get $a)) (i32.const 0)) (then (return (i32.const 11))))
      (block $done
        (loop $copy
          (local.set $c (call $read (local.get $a) (i32.const 4096) (i32.const 7)))
          (br_if $done (i32.le_s (local.get $c) (i32.const 0)))
          (drop (call $write (local.get $b) (i32.const 4096) (local.get $c)))
          (br $copy)))
      (i32.const 0)"#,
            request.len()
        ),
    )
}

const RESPONSE: &[u8] = b"HTTP/1.1 201 Created\r\n\
    Content-Length: 12\r\n\
    X-Served-By: test\r\n\
    Connection: close\r\n\
    \r\n\
    hello, guest";

#[test]
fn http_sends_the_raw_request_and_returns_the_raw_response() {
    let server = OneShot::start(RESPONSE);
    let port = server.port;
    let url = format!("http://127.0.0.1:{port}/submit?x=1");
    let request = "POST /ignored HTTP/1.1\r\nHost: elsewhere\r\nX-Guest: dagger\r\nContent-Length: 4\r\n\r\nping";
    let config = ProcessConfig {
        access: Access {
            net: vec![NetAllow::parse(&format!("127.0.0.1:{port}")).unwrap()],
            ..Access::default()
        },
        ..ProcessConfig::default()
    };
    let out = run(&wat("http.wat", &http_guest(&url, request)), config);
    let served = server.finish().expect("the guest reached the server");
    assert_eq!(out.exit_code(), 0, "{}", out.stderr);
    assert!(
        out.stdout.starts_with("HTTP/1.1 201 Created\r\n"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("x-served-by: test\r\n"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.ends_with("\r\n\r\nhello, guest"),
        "{}",
        out.stdout
    );
    let seen = String::from_utf8_lossy(&served.request);
    assert!(seen.starts_with("POST /submit?x=1 HTTP/1.1\r\n"), "{seen}");
    assert!(
        seen.to_ascii_lowercase().contains("x-guest: dagger"),
        "{seen}"
    );
    assert!(seen.contains(&format!("127.0.0.1:{port}")), "{seen}");
    assert!(seen.ends_with("\r\n\r\nping"), "{seen}");
}

#[test]
fn the_http_sample_explains_a_refusal() {
    let out = run_plain(&sample("dagger/http.wat"));
    assert_eq!(out.exit_code(), 1);
    assert!(out.stdout.starts_with("cannot open http://127.0.0.1:8000/"));
    assert!(
        out.stderr.contains(
            "the guest may not reach 127.0.0.1:8000 (allow it with --allow-net 127.0.0.1:8000"
        ),
        "{}",
        out.stderr
    );
}

#[test]
fn http_is_refused_without_an_allowance_and_nothing_connects() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://127.0.0.1:{port}/");
    let guest = wat("http.wat", &http_guest(&url, "GET / HTTP/1.1\r\n\r\n"));
    let other_port = ProcessConfig {
        access: Access {
            net: vec![NetAllow::parse(&format!("127.0.0.1:{}", port.wrapping_add(1))).unwrap()],
            ..Access::default()
        },
        ..ProcessConfig::default()
    };
    for config in [ProcessConfig::default(), other_port] {
        let out = run(&guest, config);
        assert_eq!(out.exit_code(), 10, "open failed");
        assert_eq!(out.results("open"), [-1]);
        assert!(
            out.stderr.contains(&format!(
                "may not reach 127.0.0.1:{port} (allow it with --allow-net 127.0.0.1:{port}"
            )),
            "{}",
            out.stderr
        );
    }
    assert!(listener.accept().is_err(), "no connection was made");
}

#[test]
fn http_to_a_closed_port_fails_at_flush() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let config = ProcessConfig {
        access: Access {
            net: vec![NetAllow::parse("127.0.0.1").unwrap()],
            ..Access::default()
        },
        ..ProcessConfig::default()
    };
    let url = format!("http://127.0.0.1:{port}/");
    let out = run(
        &wat("closed.wat", &http_guest(&url, "GET / HTTP/1.1\r\n\r\n")),
        config,
    );
    assert_eq!(out.exit_code(), 11, "flush failed");
    assert_eq!(out.results("flush"), [-1]);
}

#[test]
fn files_beyond_the_open_files_limit_are_refused_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "a").unwrap();
    let data = r#"
      (data (i32.const 0) "file:///d/a.txt\00")
      (data (i32.const 32) "random://\00")"#;
    let body = r#"
      (local.set $a (call $open (i32.const 0) (i32.const 0)))
      (drop (call $open (i32.const 0) (i32.const 0)))
      (drop (call $open (i32.const 0) (i32.const 0)))
      ;; streams that hold no host file are not counted
      (drop (call $open (i32.const 32) (i32.const 0)))
      (drop (call $close (local.get $a)))
      (drop (call $open (i32.const 0) (i32.const 0)))
      (i32.const 0)"#;
    let config = ProcessConfig {
        dirs: vec![DirGrant {
            host: dir.path().to_path_buf(),
            guest: "/d".into(),
        }],
        limits: Limits {
            max_open_files: Some(2),
            ..Limits::default()
        },
        ..ProcessConfig::default()
    };
    let out = run(&wat("files.wat", &dagger(data, body)), config);
    assert_eq!(out.exit_code(), 0);
    assert_eq!(out.results("open"), [0, 1, -1, 2, 0]);
    assert_eq!(
        out.stderr,
        "wasmhole: files.wat: cannot open `file:///d/a.txt`: descriptor limit of 2 open files reached\n"
    );
}
