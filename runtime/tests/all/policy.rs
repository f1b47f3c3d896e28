//! Policy files and network allowances as a user meets them: the policy
//! sample, kills that name the URL and the rule, page and gas limits,
//! policies over Dagger streams, and policy rules opening the network.

use crate::abi_support;

use abi_support::*;
use std::sync::Arc;
use wasmhole_runtime::sandbox::policy::Policy;
use wasmhole_runtime::{Access, FailureKind, Limits, NetAllow, ProcessConfig};

/// A config under `policy` (text), with its limits folded in.
fn under(policy: &str) -> ProcessConfig {
    let policy = Policy::parse("test.policy", policy).expect("valid policy");
    let mut limits = Limits::default();
    policy.tighten(&mut limits);
    ProcessConfig {
        limits,
        access: Access {
            policy: Some(Arc::new(policy)),
            ..Access::default()
        },
        ..ProcessConfig::default()
    }
}

#[test]
fn the_policy_sample_is_limited_then_killed_naming_url_and_rule() {
    let path = sample_path("olin/policy.policy");
    let policy = Policy::from_file(&path).expect("the sample policy parses");
    assert_eq!(policy.ram_page_limit, Some(2));
    assert_eq!(policy.gas_limit, Some(1_000_000));
    let mut limits = Limits::default();
    policy.tighten(&mut limits);
    let config = ProcessConfig {
        limits,
        access: Access {
            policy: Some(Arc::new(policy)),
            ..Access::default()
        },
        ..ProcessConfig::default()
    };
    let out = run(&sample("olin/policy.wat"), config);
    assert_eq!(
        out.stdout,
        "random:// opened as resource 3\n\
         memory.grow by 4 pages = -1\n\
         opening https://example.com/admin/users ...\n"
    );
    assert_eq!(out.stderr, "policy: the policy allows log:// too\n");
    let message = out.failure(FailureKind::Killed);
    assert!(
        message.contains("killed in call `resource_open`"),
        "{message}"
    );
    assert!(message.contains("permission denied"), "{message}");
    assert!(
        message.contains(
            "`https://example.com/admin/users` matches disallow rule `^https://example\\.com/admin`"
        ),
        "{message}"
    );
    assert!(message.contains("policy.policy line 15"), "{message}");
    assert!(
        message.contains("memory limit of 131072 bytes refused growth"),
        "{message}"
    );
}

#[test]
fn a_url_no_allow_rule_matches_kills_the_guest() {
    let config = under("allow (\n  ^zero://$\n)\n");
    let out = run(&sample("olin/everything.wat"), config);
    let message = out.failure(FailureKind::Killed);
    assert!(
        message.contains("`null://` matches no allow rule of test.policy"),
        "{message}"
    );
    assert_eq!(out.results("resource_open"), [3], "zero:// was allowed");
}

#[test]
fn the_gas_limit_is_fuel() {
    let spin = r#"(module
  (import "cwa" "random_i32" (func $r (result i32)))
  (func (export "_start") (loop $l (br $l))))"#;
    let out = run(&wat("spin.wat", spin), under("gas-limit 100000\n"));
    let message = out.failure(FailureKind::OutOfFuel);
    assert!(message.contains("budget 100000 units"), "{message}");
}

#[test]
fn stricter_limits_win() {
    let policy = Policy::parse("p", "ram-page-limit 100\ngas-limit 50\n").unwrap();
    let mut limits = Limits {
        max_memory: Some(65536),
        fuel: Some(1_000_000),
        ..Limits::default()
    };
    policy.tighten(&mut limits);
    assert_eq!(
        limits.max_memory,
        Some(65536),
        "the command line's is smaller"
    );
    assert_eq!(limits.fuel, Some(50), "the policy's is smaller");
}

#[test]
fn policies_cover_dagger_streams_too() {
    let out = run(
        &sample("dagger/hello.wat"),
        under("allow (\n  ^log://\n)\n"),
    );
    let message = out.failure(FailureKind::Killed);
    assert!(message.contains("killed in call `open`"), "{message}");
    assert!(
        message.contains("`fd://1` matches no allow rule"),
        "{message}"
    );
    let out = run(
        &sample("dagger/hello.wat"),
        under("allow (\n  ^fd://[12]$\n)\n"),
    );
    assert_eq!(out.exit_code(), 0);
    assert_eq!(out.stdout, "Hello from a Dagger guest!\n");
}

#[test]
fn an_allow_rule_opens_the_network_without_allow_net() {
    let server = OneShot::start(b"HTTP/1.1 204 No Content\r\n\r\n");
    let port = server.port;
    let mut config = under(&format!("allow (\n  ^http://127\\.0\\.0\\.1:{port}/\n)\n"));
    config.args = vec!["http.wat".into(), format!("http://127.0.0.1:{port}/")];
    let out = run(&sample("olin/http.wat"), config);
    assert!(server.finish().is_some(), "the request was sent");
    assert_eq!(out.exit_code(), 0, "{}", out.stderr);
    assert!(
        out.stdout.starts_with("HTTP/1.1 204 No Content\r\n"),
        "{}",
        out.stdout
    );
}

#[test]
fn allow_net_without_a_port_allows_every_port_of_that_host_only() {
    let server = OneShot::start(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    let port = server.port;
    let config = |host: &str, url: String| ProcessConfig {
        args: vec!["http.wat".into(), url],
        access: Access {
            net: vec![NetAllow::parse(host).unwrap()],
            ..Access::default()
        },
        ..ProcessConfig::default()
    };
    let refused = run(
        &sample("olin/http.wat"),
        config("localhost", format!("http://127.0.0.1:{port}/")),
    );
    assert_eq!(refused.results("resource_open"), [-3]);
    let out = run(
        &sample("olin/http.wat"),
        config("127.0.0.1", format!("http://127.0.0.1:{port}/")),
    );
    assert!(server.finish().is_some());
    assert_eq!(out.exit_code(), 0, "{}", out.stderr);
    assert!(out.stdout.ends_with("\r\n\r\nok"));
}

#[test]
fn malformed_policy_files_name_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.policy");
    std::fs::write(&path, "allow (\n  ^ok://\n  [unclosed\n)\n").unwrap();
    let e = Policy::from_file(&path).unwrap_err();
    assert_eq!(e.line, 3);
    assert!(
        e.to_string().starts_with(&format!(
            "{}:3: `[unclosed` is not a valid regular expression",
            path.display()
        )),
        "{e}"
    );
    let missing = Policy::from_file(&dir.path().join("nope.policy")).unwrap_err();
    assert!(
        missing.to_string().contains("cannot read the policy"),
        "{missing}"
    );
}
