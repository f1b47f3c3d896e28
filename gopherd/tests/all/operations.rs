//! Running gopherd: `--root`, listening on IPv4 and IPv6, the access log,
//! hot reload of handlers and files, graceful shutdown, bad configs.

use crate::common;

use common::{Gopherd, fixture, read_all, with_open_files_limit};
use std::io::Write;
use std::time::{Duration, Instant};

fn version_wat(text: &str) -> String {
    let escaped = text.replace('\n', "\\n");
    format!(
        r#"(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "{escaped}")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const {len}))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
"#,
        len = text.len()
    )
}

fn wait_for_response(hole: &Gopherd, selector: &str, wanted: &str) -> String {
    let t0 = Instant::now();
    loop {
        let out = hole.get(selector);
        if out.contains(wanted) || t0.elapsed() > Duration::from_secs(10) {
            return out;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn root_flag_serves_a_folder_at_once() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("gophermap"),
        "Hi there\n0Notes\tnotes.txt\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("notes.txt"), "remember\n").unwrap();
    let root = dir.path().display().to_string();
    let hole = Gopherd::start(
        &[
            "--root",
            &root,
            "--listen",
            "127.0.0.1:0",
            "--access-log",
            "off",
        ],
        None,
    );
    let port = hole.port();
    assert_eq!(
        hole.get(""),
        format!("iHi there\t\tlocalhost\t{port}\r\n0Notes\t/notes.txt\tlocalhost\t{port}\r\n.\r\n")
    );
    assert_eq!(hole.get("/notes.txt"), "remember\n");
}

#[test]
fn listens_on_ipv4_and_ipv6_at_once() {
    let hole = Gopherd::with_setup(
        "listen = [\"127.0.0.1:0\", \"[::1]:0\"]\nroot = \"{tmp}/root\"\nhost = \"h.test\"\n",
        |dir| {
            std::fs::create_dir(dir.join("root")).unwrap();
            std::fs::write(dir.join("root/a.txt"), "a\n").unwrap();
        },
    );
    assert_eq!(hole.addrs.len(), 2);
    assert!(hole.addrs[0].is_ipv4() && hole.addrs[1].is_ipv6());
    for addr in &hole.addrs {
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        s.write_all(b"/a.txt\r\n").unwrap();
        assert_eq!(read_all(&mut s), b"a\n", "{addr}");
    }
    let menu = hole.get("/");
    assert!(
        menu.contains(&format!("\t/a.txt\th.test\t{}\r\n", hole.addrs[0].port())),
        "{menu}"
    );
    hole.wait_for_access(&["[::1]:", "\"/a.txt\""]);
}

#[test]
fn the_access_log_has_one_line_per_request() {
    let hole = Gopherd::with_setup(
        &format!(
            "root = \"{{tmp}}/root\"\n[[route]]\nselector = \"/slow\"\nmodule = \"{}\"\n",
            fixture("sleep.wat")
        ),
        |dir| {
            std::fs::create_dir(dir.join("root")).unwrap();
            std::fs::write(dir.join("root/a.txt"), "abc\n").unwrap();
        },
    );
    hole.get("/a.txt");
    hole.get("/missing \"quoted\"");
    hole.get("/slow/x");
    let line = hole.wait_for_access(&["\"/a.txt\""]);
    let fields: Vec<&str> = line.split(' ').collect();
    assert!(
        fields[0].ends_with('Z') && fields[0].contains('T'),
        "time: {line}"
    );
    assert!(fields[1].starts_with("127.0.0.1:"), "remote: {line}");
    assert_eq!(
        &fields[2..7],
        [
            "\"/a.txt\"",
            "route=static",
            "outcome=ok",
            "bytes=4",
            fields[6]
        ]
    );
    assert!(fields[6].starts_with("ms="), "duration: {line}");
    hole.wait_for_access(&["\"/missing \\\"quoted\\\"\"", "outcome=not-found"]);
    let slow = hole.wait_for_access(&["\"/slow/x\"", "route=/slow", "outcome=ok", "bytes=11"]);
    let ms: f64 = slow.split("ms=").nth(1).unwrap().trim().parse().unwrap();
    assert!(ms >= 500.0, "the duration covers the handler: {slow}");
}

#[test]
fn changed_handler_modules_take_over_and_broken_ones_do_not() {
    let hole = Gopherd::with_setup(
        "reload_interval = \"100ms\"\n[[route]]\nselector = \"/v\"\nmodule = \"{tmp}/v.wat\"\n",
        |dir| std::fs::write(dir.join("v.wat"), version_wat("version one\n")).unwrap(),
    );
    let module = hole.dir.path().join("v.wat");
    assert_eq!(hole.get("/v"), "version one\n");
    std::fs::write(&module, version_wat("version two, longer\n")).unwrap();
    assert_eq!(
        wait_for_response(&hole, "/v", "two"),
        "version two, longer\n"
    );
    assert!(hole.wait_for_log("reloaded handler module", Duration::from_secs(5)));
    std::fs::write(&module, "(module (func (export \"_start\") (i32.add)))").unwrap();
    assert!(
        hole.wait_for_log(
            "the previous version keeps serving",
            Duration::from_secs(10)
        ),
        "{}",
        hole.stderr()
    );
    assert!(hole.stderr().contains("v.wat"), "the log names the module");
    assert_eq!(hole.get("/v"), "version two, longer\n");
    std::fs::remove_file(&module).unwrap();
    assert!(hole.wait_for_log("cannot be read", Duration::from_secs(10)));
    assert_eq!(hole.get("/v"), "version two, longer\n");
    std::fs::write(&module, version_wat("version three\n")).unwrap();
    assert_eq!(wait_for_response(&hole, "/v", "three"), "version three\n");
}

#[test]
fn changed_static_files_are_served_at_once() {
    let hole = Gopherd::with_setup("root = \"{tmp}/root\"\n", |dir| {
        std::fs::create_dir(dir.join("root")).unwrap();
        std::fs::write(dir.join("root/gophermap"), "old map\n").unwrap();
    });
    let root = hole.dir.path().join("root");
    assert!(hole.get("").starts_with("iold map\t"));
    std::fs::write(root.join("gophermap"), "new map\n0News\tnews.txt\n").unwrap();
    std::fs::write(root.join("news.txt"), "fresh\n").unwrap();
    assert!(hole.get("").starts_with("inew map\t"));
    assert_eq!(hole.get("/news.txt"), "fresh\n");
}

#[test]
fn sigterm_lets_requests_in_flight_finish() {
    let mut hole = Gopherd::with_config(&format!(
        "[[route]]\nselector = \"/slow\"\nmodule = \"{}\"\n",
        fixture("sleep.wat")
    ));
    let addr = hole.addr();
    let in_flight = std::thread::spawn(move || {
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        s.write_all(b"/slow\r\n").unwrap();
        read_all(&mut s)
    });
    std::thread::sleep(Duration::from_millis(200));
    hole.terminate();
    assert_eq!(in_flight.join().unwrap(), b"slept well\n");
    let status = hole
        .wait_exit(Duration::from_secs(10))
        .expect("gopherd exits after SIGTERM");
    assert!(status.success(), "{status}");
    assert!(hole.stderr().contains("all requests finished"));
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "no longer listening"
    );
    assert!(
        hole.access_log()
            .contains("\"/slow\" route=/slow outcome=ok")
    );
}

/// Starts gopherd with `config` ({dir} is a scratch folder holding
/// `files`) and returns what it printed on failing.
fn start_failure(config: &str, files: &[(&str, &str)]) -> String {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let path = dir.path().join("bad.toml");
    std::fs::write(
        &path,
        config.replace("{dir}", &dir.path().display().to_string()),
    )
    .unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_gopherd"))
        .args([
            "--config",
            &path.display().to_string(),
            "--listen",
            "127.0.0.1:0",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn bad_configs_stop_the_start_with_a_reason() {
    let err = start_failure(
        "[[route]]\nselector = \"/x\"\nmodule = \"missing.wat\"\n",
        &[],
    );
    assert!(
        err.contains("in the handler for /x") && err.contains("missing.wat"),
        "{err}"
    );
    assert_eq!(
        err.matches("No such file or directory").count(),
        1,
        "the reason is said once: {err}"
    );
    let err = start_failure(
        "[[route]]\nselector = \"/x\"\nmodule = \"x.wat\"\ntimeout = 5\n",
        &[],
    );
    assert!(err.contains("bad.toml") && err.contains("timeout"), "{err}");
    let err = start_failure("root = \"/no/such/folder\"\n", &[]);
    assert!(
        err.contains("cannot open the root folder /no/such/folder"),
        "{err}"
    );
    let err = start_failure(
        "[[route]]\nselector = \"/b\"\nmodule = \"{dir}/broken.wat\"\n",
        &[(
            "broken.wat",
            "(module\n  (func (export \"_start\") (i32.bogus)))\n",
        )],
    );
    assert!(
        err.contains("in the handler for /b") && err.contains("broken.wat:2:"),
        "{err}"
    );
    let err = start_failure("root = \"{dir}\"\ntrace_dir = \"{dir}/traces\"\n", &[]);
    assert!(err.contains("is inside the served root"), "{err}");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_gopherd"))
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&output.stderr).contains("give --root DIR or --config FILE"));
}

/// A gopherd whose `/loop` handler never finishes, with `limits`.
fn looping(limits: &str) -> Gopherd {
    Gopherd::with_setup(
        &format!(
            "[limits]\n{limits}\n[[route]]\nselector = \"/loop\"\nmodule = \"{}\"\ntimeout = \"60s\"\ndirs = [\"{{tmp}}/mark::/mark\"]\n",
            fixture("mark_then_loop.wat")
        ),
        |dir| std::fs::create_dir(dir.join("mark")).unwrap(),
    )
}

/// Sends a request to `/loop` and returns once its handler runs; the
/// thread returns the answer.
fn loop_in_flight(hole: &Gopherd) -> std::thread::JoinHandle<Vec<u8>> {
    let mut s = hole.connect();
    s.write_all(b"/loop\r\n").unwrap();
    let mark = hole.dir.path().join("mark/started");
    let t0 = Instant::now();
    while !mark.exists() {
        assert!(
            t0.elapsed() < Duration::from_secs(30),
            "the handler never started"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::spawn(move || read_all(&mut s))
}

#[test]
fn a_second_signal_ends_the_server_at_once() {
    let mut hole = looping("");
    let request = loop_in_flight(&hole);
    hole.terminate();
    assert!(hole.wait_for_log("SIGTERM received", Duration::from_secs(10)));
    assert!(
        hole.wait_exit(Duration::from_millis(500)).is_none(),
        "the first signal waits for the request in flight"
    );
    let t0 = Instant::now();
    hole.terminate();
    let status = hole
        .wait_exit(Duration::from_secs(10))
        .expect("the second signal ends it");
    assert!(t0.elapsed() < Duration::from_secs(5), "{:?}", t0.elapsed());
    assert_eq!(status.code(), Some(1));
    assert!(
        hole.stderr().contains("second signal: exiting now"),
        "{}",
        hole.stderr()
    );
    assert!(
        request.join().unwrap().is_empty(),
        "the request in flight was cut"
    );
}

#[test]
fn requests_in_flight_are_abandoned_after_the_shutdown_timeout() {
    let mut hole = looping("shutdown_timeout = \"500ms\"");
    let request = loop_in_flight(&hole);
    let t0 = Instant::now();
    hole.terminate();
    let status = hole
        .wait_exit(Duration::from_secs(20))
        .expect("gopherd exits after its shutdown timeout");
    assert!(t0.elapsed() < Duration::from_secs(10), "{:?}", t0.elapsed());
    assert_eq!(status.code(), Some(1), "not every request finished");
    assert!(
        hole.stderr()
            .contains("gave up waiting for 1 requests in flight"),
        "{}",
        hole.stderr()
    );
    drop(request);
}

#[test]
fn a_stuck_access_log_never_holds_the_server() {
    // The access log goes to standard output, a pipe nobody reads.
    let mut hole = Gopherd::with_launch(
        "access_log = \"-\"\nroot = \"{tmp}/root\"\n",
        |dir| {
            std::fs::create_dir(dir.join("root")).unwrap();
            std::fs::write(dir.join("root/a.txt"), "a\n").unwrap();
        },
        |command| {
            command.stdout(std::process::Stdio::piped());
        },
    );
    // 1 KB selectors fill the 64 KiB pipe quickly.
    let long = format!("/{}", "x".repeat(1000));
    for _ in 0..200 {
        assert!(hole.get(&long).starts_with('3'));
    }
    assert_eq!(hole.get("/a.txt"), "a\n", "still answering");
    let t0 = Instant::now();
    hole.terminate();
    let status = hole
        .wait_exit(Duration::from_secs(20))
        .expect("gopherd exits although its log is stuck");
    assert!(t0.elapsed() < Duration::from_secs(10), "{:?}", t0.elapsed());
    assert_eq!(status.code(), Some(1));
    let log = hole.stderr();
    assert!(
        log.contains("the access log (standard output) is stuck"),
        "{log}"
    );
    // Every line is accounted for: those the pipe took whole, and those the
    // server log counts as never written (or dropped).
    let mut in_pipe = String::new();
    std::io::Read::read_to_string(&mut hole.stdout.take().unwrap(), &mut in_pipe).unwrap();
    let count = |after: &str| -> usize {
        log.split(after)
            .next()
            .and_then(|before| before.rsplit(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    let never_written = count(" lines were never written");
    let dropped = count(" access log lines were dropped");
    assert!(never_written > 0, "{log}");
    assert_eq!(
        in_pipe.matches('\n').count() + never_written + dropped,
        201,
        "{log}"
    );
}

#[test]
fn access_log_write_errors_are_said_once_and_counted() {
    let mut hole = Gopherd::with_setup(
        "access_log = \"/dev/full\"\nroot = \"{tmp}/root\"\n",
        |dir| {
            std::fs::create_dir(dir.join("root")).unwrap();
            std::fs::write(dir.join("root/a.txt"), "a\n").unwrap();
        },
    );
    for _ in 0..30 {
        assert_eq!(hole.get("/a.txt"), "a\n");
    }
    assert!(hole.wait_for_log(
        "cannot write the access log (/dev/full)",
        Duration::from_secs(10)
    ));
    hole.terminate();
    let status = hole.wait_exit(Duration::from_secs(20)).expect("exits");
    assert!(status.success(), "{status}");
    let log = hole.stderr();
    assert_eq!(
        log.matches("cannot write the access log").count(),
        1,
        "said once: {log}"
    );
    assert!(
        log.contains("30 access log lines could not be written to /dev/full"),
        "{log}"
    );
}

#[test]
fn limits_that_do_not_fit_the_open_files_limit_stop_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_gopherd"));
    command.args([
        "--root",
        &dir.path().display().to_string(),
        "--listen",
        "127.0.0.1:0",
    ]);
    with_open_files_limit(&mut command, 200);
    let output = command.output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        err.contains("the open-files limit is 200 (hard limit 200), but these limits need"),
        "{err}"
    );
    assert!(err.contains("Lower `limits.max_pending`"), "{err}");

    // `--check` says the same before anything starts, and says what fits.
    command.arg("--check");
    let output = command.output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        err.contains("the open-files limit is 200 (hard limit 200), but these limits need"),
        "{err}"
    );
    assert!(!String::from_utf8_lossy(&output.stdout).contains("valid"));
    let hard = rustix::process::getrlimit(rustix::process::Resource::Nofile)
        .maximum
        .unwrap_or(1 << 20);
    let mut roomy = std::process::Command::new(env!("CARGO_BIN_EXE_gopherd"));
    roomy.args(["--root", &dir.path().display().to_string(), "--check"]);
    with_open_files_limit(&mut roomy, hard);
    let output = roomy.output().unwrap();
    let out = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{out}");
    assert!(out.contains("configuration is valid"), "{out}");
    assert!(out.contains(&format!("; the limit is {hard}")), "{out}");
}

#[test]
fn more_idle_clients_than_descriptors_still_leave_room_for_a_request() {
    let hole = Gopherd::with_launch(
        "root = \"{tmp}/root\"\n[limits]\nmax_pending = 100\nmax_connections = 20\nmax_per_client = 0\n",
        |dir| {
            std::fs::create_dir(dir.join("root")).unwrap();
            std::fs::write(dir.join("root/a.txt"), "a\n").unwrap();
        },
        |command| with_open_files_limit(command, 256),
    );
    let idle: Vec<std::net::TcpStream> = (0..400).map(|_| hole.connect()).collect();
    assert_eq!(hole.get("/a.txt"), "a\n");
    hole.wait_for_access(&["outcome=evicted"]);
    assert!(
        !hole.stderr().contains("accepting a connection failed"),
        "{}",
        hole.stderr()
    );
    drop(idle);
}
