//! The C samples of the SDK, built with clang for each ABI and committed as
//! .wasm, run as a person runs them: hello, echo, a file inside the jail,
//! an HTTP GET (Dagger and Olin) and a gopherd menu handler; and the Zig
//! samples, built with Zig the same way.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn sample(abi: &str, name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../sdk/samples")
        .join(abi)
        .join(format!("{name}.wasm"))
}

fn data_dir() -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../sdk/samples/data");
    format!("{}::/data", dir.display())
}

/// Runs `wasmhole run FLAGS MODULE ARGS` with `stdin`.
fn run(flags: &[&str], module: &Path, args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wasmhole"))
        .arg("run")
        .args(flags)
        .arg(module)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run wasmhole");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const ABIS: [(&str, &str); 3] = [("dagger", "Dagger"), ("olin", "Olin"), ("wasi", "WASI")];

#[test]
fn hello_in_every_abi() {
    for (abi, name) in ABIS {
        let out = run(&[], &sample(abi, "hello"), &[], b"");
        let expected = match abi {
            "olin" => "Hello from C on Olin, whose host calls itself olin!\n".to_string(),
            _ => format!("Hello from C on {name}!\n"),
        };
        assert_eq!(text(&out.stdout), expected, "{}", text(&out.stderr));
        assert_eq!(out.status.code(), Some(0));
    }
}

#[test]
fn echo_copies_standard_input_in_every_abi() {
    let input: Vec<u8> = (0..3000).map(|i| b"abcdefghij\n"[i % 11]).collect();
    for (abi, _) in ABIS {
        let out = run(&[], &sample(abi, "echo"), &[], &input);
        assert_eq!(out.stdout, input, "{abi}: {}", text(&out.stderr));
        assert_eq!(out.status.code(), Some(0), "{abi}");
    }
    let out = run(&[], &sample("wasi", "echo"), &["one", "two"], b"x\n");
    assert_eq!(text(&out.stdout), "argument 1: one\nargument 2: two\nx\n");
}

#[test]
fn file_reads_inside_the_grant_and_is_refused_outside_in_every_abi() {
    let grant = data_dir();
    for (abi, _) in ABIS {
        let out = run(&["--dir", &grant], &sample(abi, "file"), &[], b"");
        let stdout = text(&out.stdout);
        assert!(
            stdout.starts_with("This file lives in the directory the host granted as /data.\n"),
            "{abi}: {stdout}{}",
            text(&out.stderr)
        );
        assert!(
            stdout.contains("/data/../../etc/passwd: "),
            "{abi}: {stdout}"
        );
        assert!(!stdout.contains("root:"), "{abi}: nothing of /etc/passwd");
        assert_eq!(out.status.code(), Some(0), "{abi}: {stdout}");
        let ungranted = run(&[], &sample(abi, "file"), &[], b"");
        assert_eq!(ungranted.status.code(), Some(2), "{abi} without --dir");
        assert!(text(&ungranted.stdout).contains("cannot open /data/message.txt"));
    }
}

/// A one-shot HTTP server: answers one request with a small page and
/// hands back the request it got.
fn http_server() -> (u16, std::thread::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        let mut request = Vec::new();
        let mut buf = [0u8; 1024];
        while !request.ends_with(b"\r\n\r\n") {
            let n = conn.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            request.extend_from_slice(&buf[..n]);
        }
        conn.write_all(
            b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nfrom the web\n",
        )
        .unwrap();
        String::from_utf8_lossy(&request).into_owned()
    });
    (port, handle)
}

#[test]
fn http_get_in_dagger_and_olin() {
    for abi in ["dagger", "olin"] {
        let (port, server) = http_server();
        let url = format!("http://127.0.0.1:{port}/page.txt");
        let allow = format!("127.0.0.1:{port}");
        let (args, stdin): (Vec<&str>, Vec<u8>) = match abi {
            "dagger" => (vec![], format!("{url}\n").into_bytes()),
            _ => (vec![url.as_str()], Vec::new()),
        };
        let out = run(
            &["--allow-net", &allow],
            &sample(abi, "http"),
            &args,
            &stdin,
        );
        let stdout = text(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{abi}: {stdout}{}",
            text(&out.stderr)
        );
        assert!(stdout.starts_with("HTTP/1.0 200 OK"), "{abi}: {stdout}");
        assert!(
            stdout.ends_with("\r\n\r\nfrom the web\n"),
            "{abi}: {stdout}"
        );
        let request = server.join().unwrap();
        // The host sends the guest's request on with its own HTTP client.
        assert!(
            request.starts_with("GET /page.txt HTTP/1."),
            "{abi}: {request}"
        );
        assert!(
            request
                .to_ascii_lowercase()
                .contains(&format!("user-agent: wasmhole-{abi}-c")),
            "{abi}: {request}"
        );
        assert!(
            request
                .to_ascii_lowercase()
                .contains(&format!("host: 127.0.0.1:{port}")),
            "{abi}: {request}"
        );
        // Without the allowance the host is out of reach.
        let refused = run(&[], &sample(abi, "http"), &args, &stdin);
        assert_eq!(refused.status.code(), Some(3), "{abi}");
        assert!(text(&refused.stderr).contains("--allow-net"), "{abi}");
    }
}

#[test]
fn the_gopher_handlers_read_the_request_as_gopherd_passes_it() {
    let env = [
        "--env",
        "SELECTOR=/c/x",
        "--env",
        "QUERY=two words",
        "--env",
        "REMOTE_ADDR=127.0.0.1",
    ];
    for (abi, name) in ABIS {
        // Dagger reads the request line on standard input; the others the
        // variables (and WASI the words as arguments).
        let out = run(
            &env,
            &sample(abi, "gopher"),
            &["two", "words"],
            b"/c/x\ttwo words\r\nSELECTOR=/c/x\n",
        );
        let menu = text(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{abi}: {}", text(&out.stderr));
        assert!(
            menu.starts_with(&format!(
                "Hello from a C handler on {name}.\nYou asked for the selector: /c/x\nwith the search: two words\n"
            )),
            "{abi}: {menu}"
        );
        assert!(menu.contains(&format!("7Search with this handler\t/c/{abi}\n")));
    }
}

fn zig_sample(abi: &str, name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../sdk/samples/zig")
        .join(abi)
        .join(format!("{name}.wasm"))
}

#[test]
fn the_zig_samples_say_hello_in_every_abi() {
    let out = run(&["--trace"], &zig_sample("dagger", "hello"), &[], b"");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "Hello, world!\n");
    // The talk's three calls, in order.
    let calls: Vec<String> = text(&out.stderr)
        .lines()
        .map(|l| l.split('(').next().unwrap_or("").to_string())
        .collect();
    assert_eq!(calls, ["open", "write", "close"], "{}", text(&out.stderr));
    let out = run(&[], &zig_sample("olin", "hello"), &[], b"");
    assert_eq!(
        text(&out.stdout),
        "Hello from Zig on Olin, whose host calls itself olin!\n",
        "{}",
        text(&out.stderr)
    );
    let out = run(
        &[],
        &zig_sample("wasi", "hello"),
        &["one", "two words"],
        b"",
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "Hello from Zig on WASI!\nargument 1: one\nargument 2: two words\n"
    );
}

#[test]
fn the_zig_echoes_copy_standard_input() {
    let input: Vec<u8> = (0..3000).map(|i| b"abcdefghij\n"[i % 11]).collect();
    for abi in ["dagger", "olin"] {
        let out = run(&[], &zig_sample(abi, "echo"), &[], &input);
        assert_eq!(out.stdout, input, "{abi}: {}", text(&out.stderr));
        assert_eq!(out.status.code(), Some(0), "{abi}");
    }
}
