//! The HTTP face of a running gopherd, tried with `curl` and a real
//! browser: WAGI and Olin cwa-cgi handlers with guests of their own shape,
//! a WAGI `modules.toml` served as it is, the gopherhole as web pages, and
//! bad requests answered with a clear 4xx while the server keeps serving.

use crate::common::{self, Gopherd, client, fixture, repo_root};
use crate::webdriver::Browser;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

fn guest(name: &str) -> String {
    repo_root()
        .join("sdk/samples/http")
        .join(name)
        .display()
        .to_string()
}

/// A gopherd serving the demo gopherhole, with the HTTP face on: a WAGI
/// route `/env`, cwa-cgi routes `/cw` and `/fail`, a looping `/spin`, and
/// the routes of a WAGI `modules.toml`.
fn server() -> (Gopherd, SocketAddr) {
    let hole = repo_root().join("samples/gopherhole");
    let toml = format!(
        r#"root = "{hole}"
listen = ["127.0.0.1:0"]
host = "localhost"
text_framing = "rfc1436"
[limits]
read_timeout = "1s"
write_timeout = "1s"

[[route]]
selector = "/wasi/search"
module = "{search}"
type = "menu"

[http]
listen = "127.0.0.1:0"
max_body = "1K"
wagi_modules = "{{tmp}}/wagi/modules.toml"

[[http.route]]
path = "/env"
module = "{env}"

[[http.route]]
path = "/cw"
convention = "cwagi"
module = "{cw}"

[[http.route]]
path = "/fail"
convention = "cwagi"
module = "{cw}"

[[http.route]]
path = "/spin"
module = "{spin}"
timeout = "300ms"
"#,
        hole = hole.display(),
        search = hole.join("handlers/wasi/search.wat").display(),
        env = guest("wagi_env.wasm"),
        cw = guest("cwagi_echo.wasm"),
        spin = fixture("loop.wat"),
    );
    let env = guest("wagi_env.wasm");
    let hole = Gopherd::with_setup(&toml, |dir| {
        let wagi = dir.join("wagi");
        std::fs::create_dir_all(wagi.join("data")).unwrap();
        std::fs::write(wagi.join("data/note.txt"), "from the volume\n").unwrap();
        // As WAGI's own examples write it: module paths relative to the
        // file, a volume, an environment, an argv template, one exact route.
        std::fs::copy(&env, wagi.join("env.wasm")).unwrap();
        std::fs::write(
            wagi.join("modules.toml"),
            r#"[[module]]
route = "/hello/..."
module = "env.wasm"
volumes = { "/data" = "data" }
environment.GREETING = "hi from modules.toml"
argv = "${SCRIPT_NAME} --flag ${ARGS}"
allowed_hosts = ["https://example.org"]

[[module]]
route = "/exact"
module = "env.wasm"
"#,
        )
        .unwrap();
    });
    let started = Instant::now();
    let addr = loop {
        if let Some(addr) = hole
            .stderr()
            .lines()
            .find_map(|l| l.split("HTTP face at http://").nth(1))
            .map(|a| a.trim_end_matches('/').parse().expect("an address"))
        {
            break addr;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no HTTP face in:\n{}",
            hole.stderr()
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    (hole, addr)
}

/// `curl -s -i ARGS` against `path`: the status line, headers and body.
fn curl(addr: SocketAddr, path: &str, args: &[&str]) -> String {
    let url = format!("http://{addr}{path}");
    let mut all = vec!["-s", "-i", "--max-time", "10"];
    all.extend_from_slice(args);
    all.push(&url);
    client("curl", &all)
}

fn status(response: &str) -> u16 {
    response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {response:?}"))
}

fn lines_with<'a>(response: &'a str, prefix: &str) -> Vec<&'a str> {
    response
        .lines()
        .filter_map(|l| l.strip_prefix(prefix))
        .collect()
}

#[test]
fn a_wagi_guest_gets_cgi_variables_and_its_headers_make_the_response() {
    let (hole, addr) = server();
    let r = curl(
        addr,
        "/env/a%20b/c?x=1&y=two",
        &[
            "-H",
            "X-Class: intro",
            "-H",
            "Authorization: Bearer s3cret",
            "--data-binary",
            "hello wagi",
        ],
    );
    assert_eq!(status(&r), 200, "{r}");
    assert!(r.contains("x-guest: wagi_env"), "{r}");
    assert!(
        r.to_ascii_lowercase()
            .contains("content-type: text/plain; charset=utf-8")
    );
    let env = lines_with(&r, "env ");
    for expected in [
        "REQUEST_METHOD=POST",
        "QUERY_STRING=x=1&y=two",
        "PATH_INFO=/a b/c",
        "X_RAW_PATH_INFO=/a%20b/c",
        "SCRIPT_NAME=/env",
        "X_MATCHED_ROUTE=/env/...",
        "CONTENT_LENGTH=10",
        "CONTENT_TYPE=application/x-www-form-urlencoded",
        "GATEWAY_INTERFACE=CGI/1.1",
        "SERVER_PROTOCOL=HTTP/1.1",
        "REMOTE_ADDR=127.0.0.1",
        "HTTP_X_CLASS=intro",
        "SERVER_NAME=127.0.0.1",
    ] {
        assert!(env.contains(&expected), "no {expected} in {env:#?}");
    }
    assert!(env.contains(&format!("X_FULL_URL=http://{addr}/env/a%20b/c?x=1&y=two").as_str()));
    assert!(env.contains(&format!("SERVER_PORT={}", addr.port()).as_str()));
    assert!(env.iter().any(|e| e.starts_with("HTTP_USER_AGENT=curl/")));
    assert!(
        !r.contains("s3cret"),
        "credentials are not handed to the guest: {r}"
    );
    assert!(r.contains("body 10 bytes: hello wagi"), "{r}");
    // CGI's search words become arguments.
    let r = curl(addr, "/env?sand+box", &[]);
    assert_eq!(lines_with(&r, "arg "), ["/env", "sand", "box"], "{r}");

    // `status:` and `location:` headers.
    let r = curl(addr, "/env?status=418", &[]);
    assert_eq!(status(&r), 418, "{r}");
    let r = curl(addr, "/env?to=/elsewhere", &[]);
    assert_eq!(status(&r), 302, "{r}");
    assert!(r.contains("location: /elsewhere"), "{r}");

    let line = hole.wait_for_access(&["\"POST /env/a%20b/c?x=1&y=two\"", "route=http:/env"]);
    assert!(line.contains("outcome=200-ok"), "{line}");
    hole.wait_for_access(&["\"GET /env?status=418\"", "outcome=418"]);
}

#[test]
fn an_olin_cwagi_guest_writes_a_whole_response_and_failing_is_a_500() {
    let (hole, addr) = server();
    let r = curl(addr, "/cw/x?y=2", &["--data-binary", "olin body"]);
    assert_eq!(status(&r), 200, "{r}");
    assert!(r.contains("x-guest: cwagi_echo"), "{r}");
    for expected in [
        "REQUEST_METHOD=POST",
        "REQUEST_URI=/cw/x?y=2",
        "QUERY_STRING=y=2",
        "body=olin body",
    ] {
        assert!(r.lines().any(|l| l == expected), "no {expected} in {r}");
    }
    let run_ids: Vec<String> = (0..2)
        .map(|_| {
            let r = curl(addr, "/cw", &[]);
            lines_with(&r, "RUN_ID=")[0].to_string()
        })
        .collect();
    assert_ne!(run_ids[0], run_ids[1], "every run has its own RUN_ID");
    assert_eq!(lines_with(&r, "WORKER_ID=").len(), 1, "{r}");

    // The guest exits 1 for /fail: the server answers 500 and says why.
    let r = curl(addr, "/fail", &[]);
    assert_eq!(status(&r), 500, "{r}");
    assert!(r.contains("exit"), "the reason names the exit: {r}");
    hole.wait_for_access(&["\"GET /fail\"", "outcome=500"]);
}

#[test]
fn a_wagi_modules_toml_is_served_as_it_is() {
    let (_hole, addr) = server();
    let r = curl(addr, "/hello/there?a+b", &[]);
    assert_eq!(status(&r), 200, "{r}");
    let env = lines_with(&r, "env ");
    assert!(env.contains(&"GREETING=hi from modules.toml"), "{env:#?}");
    assert!(env.contains(&"X_MATCHED_ROUTE=/hello/..."), "{env:#?}");
    assert!(env.contains(&"PATH_INFO=/there"), "{env:#?}");
    assert_eq!(
        lines_with(&r, "arg "),
        ["/hello", "--flag", "a", "b"],
        "the argv template: {r}"
    );
    // A route without `/...` answers only its own path.
    assert_eq!(status(&curl(addr, "/exact", &[])), 200);
    assert_eq!(status(&curl(addr, "/exact/below", &[])), 404);
}

#[test]
fn a_modules_toml_field_wagi_does_not_have_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("modules.toml"),
        "[[module]]\nroute = \"/\"\nmodule = \"x.wasm\"\nbindle = \"example.com/x/1.0\"\n",
    )
    .unwrap();
    let config = dir.path().join("gopherd.toml");
    std::fs::write(
        &config,
        "root = \".\"\n[http]\nlisten = \"127.0.0.1:0\"\nwagi_modules = \"modules.toml\"\n",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gopherd"))
        .args(["--config", &config.display().to_string(), "--check"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("modules.toml"), "{stderr}");
    assert!(stderr.contains("bindle"), "{stderr}");
}

/// Sends `bytes` on a fresh connection and reads what comes back.
fn exchange(addr: SocketAddr, bytes: &[u8]) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let _ = s.write_all(bytes);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn bad_requests_get_a_clear_4xx_and_the_server_keeps_serving() {
    let (hole, addr) = server();
    // A body over `max_body` (1 KiB here).
    let big = "x".repeat(4096);
    let r = curl(addr, "/env", &["--data-binary", &big]);
    assert_eq!(status(&r), 413, "{r}");
    assert!(r.contains("larger than this server's 1024 bytes"), "{r}");
    // Not HTTP at all.
    let r = exchange(addr, b"HELLO THERE\r\n\r\n");
    assert!(r.starts_with("HTTP/1.1 400"), "{r:?}");
    // Headers larger than 16 KiB.
    let r = exchange(
        addr,
        format!(
            "GET / HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
            "y".repeat(20_000)
        )
        .as_bytes(),
    );
    assert!(r.starts_with("HTTP/1.1 431"), "{r:?}");
    // Headers that never end are cut off at the read timeout (1 s).
    let t0 = Instant::now();
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    assert!(
        t0.elapsed() < Duration::from_secs(5),
        "cut off in {:?}",
        t0.elapsed()
    );
    let out = String::from_utf8_lossy(&out);
    assert!(out.is_empty() || out.starts_with("HTTP/1.1 408"), "{out:?}");
    // A body that stops coming.
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(b"POST /env HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc")
        .unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let out = String::from_utf8_lossy(&out);
    assert!(out.starts_with("HTTP/1.1 408"), "{out:?}");
    // A handler that never finishes is stopped, and the client told.
    let r = curl(addr, "/spin", &[]);
    assert_eq!(status(&r), 500, "{r}");
    assert!(r.contains("time"), "the reason names the time limit: {r}");
    // A method the gopherhole does not take.
    assert_eq!(status(&curl(addr, "/", &["-X", "DELETE"])), 405);
    // Still serving.
    let r = curl(addr, "/env", &[]);
    assert_eq!(status(&r), 200, "{r}");
    // Each refusal is in the access log, as the Gopher side's are.
    hole.wait_for_access(&["\"POST /env\"", "outcome=413"]);
    hole.wait_for_access(&["\"-\"", "outcome=400-bad-request"]);
    hole.wait_for_access(&["\"-\"", "outcome=431"]);
    hole.wait_for_access(&["\"GET /spin\"", "outcome=500"]);
}

#[test]
fn a_client_that_stops_reading_is_cut_off() {
    let (hole, addr) = server();
    // Ask for a large item over and over without reading a byte: the
    // server gives up after its write timeout (1 s) instead of holding
    // the connection.
    let mut s = TcpStream::connect(addr).unwrap();
    let one = "GET /0/docs/gopher.txt HTTP/1.1\r\nHost: x\r\n\r\n".repeat(2000);
    // Were the server to hold on, this write would block until this
    // timeout; cut off, it fails with a reset or a broken pipe.
    s.set_write_timeout(Some(Duration::from_secs(20))).unwrap();
    let t0 = Instant::now();
    let error = loop {
        if let Err(e) = s.write_all(one.as_bytes()) {
            break e;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(20),
            "the server kept a client that reads nothing"
        );
    };
    assert!(
        matches!(
            error.kind(),
            std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::BrokenPipe
        ),
        "cut off by the server, not by waiting: {error:?} after {:?}",
        t0.elapsed()
    );
    assert_eq!(status(&curl(addr, "/env", &[])), 200);
    drop(hole);
}

#[test]
fn the_gopherhole_reads_as_web_pages_with_curl() {
    let (_hole, addr) = server();
    let r = curl(addr, "/", &[]);
    assert_eq!(status(&r), 200);
    assert!(r.contains("content-type: text/html; charset=utf-8"), "{r}");
    assert!(
        r.contains("<a href=\"/0/about.txt\">About this gopherhole</a>"),
        "{r}"
    );
    assert!(r.contains("<a href=\"/1/docs\">Documents</a>"), "{r}");
    assert!(r.contains("action=\"/7/wasi/search\""), "{r}");
    let r = curl(addr, "/0/about.txt", &[]);
    assert!(r.contains("content-type: text/plain; charset=utf-8"), "{r}");
    // The text as the file has it, whatever the Gopher side's framing
    // (this server frames text as RFC 1436 says).
    let about = std::fs::read_to_string(repo_root().join("samples/gopherhole/about.txt")).unwrap();
    assert!(r.ends_with(&about), "the text as it is: {r}");
    let r = curl(addr, "/7/wasi/search?q=gopher", &[]);
    assert_eq!(status(&r), 200);
    assert!(r.contains("Documents matching"), "{r}");
    assert!(r.contains("value=\"gopher\""), "{r}");
    let r = curl(addr, "/1/no/such/folder", &[]);
    assert_eq!(status(&r), 404, "{r}");
    let r = curl(addr, "/0/../../etc/passwd", &["--path-as-is"]);
    assert!(!r.contains("root:"), "{r}");
}

#[test]
fn the_gopherhole_in_a_real_browser_follows_links_and_searches() {
    let (_hole, addr) = server();
    let browser = Browser::start();
    browser.open(&format!("http://{addr}/"));
    assert_eq!(browser.title(), "localhost /");
    let page = browser.text();
    assert!(
        page.contains("Welcome to the wasmhole gopherhole!"),
        "{page}"
    );
    let shot = browser.screenshot();
    assert_eq!(&shot[..8], b"\x89PNG\r\n\x1a\n");
    std::fs::write(common::artifact("http_face_root.png"), &shot).unwrap();

    browser.find("link text", "Documents").click();
    assert_eq!(browser.url(), format!("http://{addr}/1/docs"));
    assert_eq!(browser.title(), "localhost /docs");
    // Back up through the path at the top of the page.
    browser.find("link text", "localhost").click();
    assert_eq!(browser.url(), format!("http://{addr}/"));

    browser.find("link text", "About this gopherhole").click();
    assert_eq!(browser.url(), format!("http://{addr}/0/about.txt"));
    assert!(browser.text().contains("gopherd"), "{}", browser.text());

    browser.open(&format!("http://{addr}/"));
    let search = browser.find("css selector", "input[aria-label='Search the documents']");
    search.type_text("gopher\n");
    assert_eq!(
        browser.url(),
        format!("http://{addr}/7/wasi/search?q=gopher")
    );
    let results = browser.text();
    assert!(
        results.contains("Documents matching \"gopher\""),
        "{results}"
    );
    std::fs::write(
        common::artifact("http_face_search.png"),
        browser.screenshot(),
    )
    .unwrap();
    // A result is a link that opens.
    browser
        .find("partial link text", "Gopher in one page")
        .click();
    assert!(
        browser.url().starts_with(&format!("http://{addr}/0/")),
        "{}",
        browser.url()
    );
}

#[test]
fn a_text_browser_reads_the_pages_as_lines() {
    let (_hole, addr) = server();
    let page = client(
        "lynx",
        &["-dump", "-nolist", &format!("http://{addr}/1/docs")],
    );
    let lines: Vec<&str> = page.lines().map(str::trim).collect();
    assert!(
        lines[0].starts_with("localhost / docs gopher://localhost:"),
        "{page}"
    );
    assert!(lines.contains(&"TXT gopher.txt"), "{page}");
    assert!(lines.contains(&"DIR .."), "{page}");
}
