//! Running gopherd: `--root`, listening on IPv4 and IPv6, the access log,
//! hot reload of handlers and files, graceful shutdown, bad configs.

mod common;

use common::{Gopherd, fixture, read_all};
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
    assert_eq!(hole.get("/notes.txt"), "remember\r\n.\r\n");
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
        assert_eq!(read_all(&mut s), b"a\r\n.\r\n", "{addr}");
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
            "bytes=8",
            fields[6]
        ]
    );
    assert!(fields[6].starts_with("ms="), "duration: {line}");
    hole.wait_for_access(&["\"/missing \\\"quoted\\\"\"", "outcome=not-found"]);
    let slow = hole.wait_for_access(&["\"/slow/x\"", "route=/slow", "outcome=ok", "bytes=15"]);
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
    assert_eq!(hole.get("/v"), "version one\r\n.\r\n");
    std::fs::write(&module, version_wat("version two, longer\n")).unwrap();
    assert_eq!(
        wait_for_response(&hole, "/v", "two"),
        "version two, longer\r\n.\r\n"
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
    assert_eq!(hole.get("/v"), "version two, longer\r\n.\r\n");
    std::fs::remove_file(&module).unwrap();
    assert!(hole.wait_for_log("cannot be read", Duration::from_secs(10)));
    assert_eq!(hole.get("/v"), "version two, longer\r\n.\r\n");
    std::fs::write(&module, version_wat("version three\n")).unwrap();
    assert_eq!(
        wait_for_response(&hole, "/v", "three"),
        "version three\r\n.\r\n"
    );
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
    assert_eq!(hole.get("/news.txt"), "fresh\r\n.\r\n");
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
    assert_eq!(in_flight.join().unwrap(), b"slept well\r\n.\r\n");
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
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_gopherd"))
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&output.stderr).contains("give --root DIR or --config FILE"));
}
