//! HTTP requests on a stream opened with no host (`https://`), the way the
//! olin crate's client makes every request: the target comes from the
//! request (plain `http`, the `Host:` header, the request line's path), and
//! the network allowances and the policy are checked against it at the
//! flush. The guests, in `tests/guests/`, make the calls in the crate's
//! order: open, one write, flush, reads until the end, close.

use crate::abi_support::{OneShot, Outcome, run};
use std::path::Path;
use std::sync::Arc;
use wasmhole_runtime::sandbox::policy::{Access, NetAllow, Policy};
use wasmhole_runtime::{FailureKind, InputSpec, ProcessConfig, Program};

const RESPONSE: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nhello\n";
/// The response as the guest reads it (header names as the client gives them).
const READ: &str = "HTTP/1.1 200 OK\r\ncontent-length: 6\r\n\r\nhello\n";

fn guest(name: &str) -> Program {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/guests")
        .join(name);
    Program::from_file(&path).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn allowing(port: u16) -> Access {
    Access {
        net: vec![NetAllow::parse(&format!("127.0.0.1:{port}")).unwrap()],
        ..Access::default()
    }
}

/// Runs the Olin guest with `args` after its name.
fn olin(args: &[&str], access: Access) -> Outcome {
    let mut all = vec!["olin_hostless_http.wat".to_string()];
    all.extend(args.iter().map(|a| a.to_string()));
    run(
        &guest("olin_hostless_http.wat"),
        ProcessConfig {
            args: all,
            access,
            ..ProcessConfig::default()
        },
    )
}

#[test]
fn an_olin_request_on_a_hostless_stream_goes_where_its_host_header_says() {
    let server = OneShot::start(RESPONSE);
    let host = format!("127.0.0.1:{}", server.port);
    let out = olin(&[&host], allowing(server.port));
    let served = server.finish().expect("the guest reached the server");
    assert_eq!(out.exit_code(), 0, "{}", out.stderr);
    assert_eq!(out.stdout, READ);
    let seen = String::from_utf8_lossy(&served.request).to_ascii_lowercase();
    assert!(seen.starts_with("get /hostless.txt http/1.1\r\n"), "{seen}");
    assert!(seen.contains(&format!("host: {host}\r\n")), "{seen}");
    let trace = out.trace();
    assert!(
        trace
            .iter()
            .any(|l| l.starts_with("resource_open(url=\"https://\", url_len=8) = 3")),
        "{trace:?}"
    );
    assert!(
        trace
            .iter()
            .any(|l| l.starts_with("resource_flush(id=3<https://>) = 0")),
        "{trace:?}"
    );
}

#[test]
fn the_crates_own_bytes_send_no_body_with_a_get() {
    // "Host: H\nuser-agent: Olin/dev\n\n\n": bare LFs, and a stray LF after
    // the head that is no body (a GET without Content-Length has none).
    let server = OneShot::start(RESPONSE);
    let host = format!("127.0.0.1:{}", server.port);
    let out = olin(&[&host, "crate"], allowing(server.port));
    let served = server.finish().expect("the guest reached the server");
    assert_eq!(out.exit_code(), 0, "{}", out.stderr);
    let seen = String::from_utf8_lossy(&served.request).to_ascii_lowercase();
    assert!(seen.contains("user-agent: olin/dev\r\n"), "{seen}");
    assert!(seen.ends_with("\r\n\r\n"), "a body was sent: {seen:?}");
    assert!(!seen.contains("content-length"), "{seen}");
}

#[test]
fn a_host_that_is_not_allowed_is_refused_at_the_flush_and_named() {
    // Nothing listens there: the refusal comes before any connection.
    let out = olin(&["127.0.0.1:9"], Access::default());
    assert_eq!(out.exit_code(), 4, "{}", out.stderr);
    assert_eq!(out.results("resource_open"), vec![3]);
    assert_eq!(out.results("resource_flush"), vec![-3]);
    assert!(
        out.stderr.contains(
            "refused to send the request to http://127.0.0.1:9/hostless.txt: the guest may not reach 127.0.0.1:9 (allow it with --allow-net 127.0.0.1:9 or a policy allow rule)"
        ),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.ends_with("resource_flush = -3\n"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_request_naming_no_host_is_an_invalid_argument() {
    let out = olin(&[""], allowing(9));
    assert_eq!(out.results("resource_flush"), vec![-2], "{}", out.stderr);
}

#[test]
fn a_policy_judges_the_url_the_request_resolves_to() {
    let server = OneShot::start(RESPONSE);
    let port = server.port;
    let host = format!("127.0.0.1:{port}");
    let allow_it = format!("allow (\n  ^http://127\\.0\\.0\\.1:{port}/hostless\\.txt$\n)\n");
    let access = Access {
        policy: Some(Arc::new(Policy::parse("p.policy", &allow_it).unwrap())),
        ..Access::default()
    };
    let out = olin(&[&host], access);
    assert!(server.finish().is_some(), "the allowed URL was reached");
    assert_eq!(out.exit_code(), 0, "{}", out.stderr);
    // A policy that allows the open's text but not the resolved URL: the
    // guest is killed at the flush, as it would be at an open.
    let only_https = "allow (\n  ^https://\n)\n";
    let access = Access {
        policy: Some(Arc::new(Policy::parse("p.policy", only_https).unwrap())),
        ..Access::default()
    };
    let out = olin(&[&host], access);
    let message = out.failure(FailureKind::Killed);
    assert!(
        message.contains("killed in call `resource_flush`")
            && message.contains(&format!(
                "`http://127.0.0.1:{port}/hostless.txt` matches no allow rule"
            )),
        "{message}"
    );
}

#[test]
fn a_dagger_request_on_a_hostless_stream_is_resolved_the_same_way() {
    let server = OneShot::start(RESPONSE);
    let host = format!("127.0.0.1:{}", server.port);
    let out = run(
        &guest("dagger_hostless_http.wat"),
        ProcessConfig {
            stdin: InputSpec::Bytes(Arc::from(format!("{host}\n").as_bytes())),
            access: allowing(server.port),
            ..ProcessConfig::default()
        },
    );
    let served = server.finish().expect("the guest reached the server");
    assert_eq!(out.exit_code(), 0, "{}", out.stderr);
    assert_eq!(out.stdout, READ);
    let seen = String::from_utf8_lossy(&served.request).to_ascii_lowercase();
    assert!(seen.starts_with("get /hostless.txt http/1.1\r\n"), "{seen}");
    // Without the allowance, the flush fails (-1, Dagger's one error) and
    // says why.
    let out = run(
        &guest("dagger_hostless_http.wat"),
        ProcessConfig {
            stdin: InputSpec::Bytes(Arc::from(&b"127.0.0.1:9\n"[..])),
            ..ProcessConfig::default()
        },
    );
    assert_eq!(out.results("flush"), vec![-1], "{}", out.stderr);
    assert!(
        out.stderr.contains("the guest may not reach 127.0.0.1:9"),
        "{}",
        out.stderr
    );
}
