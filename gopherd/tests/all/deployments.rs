//! The handler service against a running gopherd: accounts made with
//! `gopherd accounts add`, handlers deployed, listed, followed, rolled back
//! and deleted with `gopherd handlers …`, as a class and its teacher would.

use crate::common;

use common::{Gopherd, fixture, gopherd, hello};
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

/// A configuration with the handler service on, keeping its state in
/// `state` (outside the server's scratch folder, so it outlives it).
fn config(state: &Path) -> String {
    format!(
        "root = \"{{tmp}}/root\"\n\
         admin = {{ listen = \"127.0.0.1:0\", state_dir = \"{}\", max_versions = 3 }}\n",
        state.display()
    )
}

/// A gopherd with the handler service on, and the tokens of `ann`, `bob`
/// and the admin `root`.
struct Service {
    hole: Gopherd,
    state: tempfile::TempDir,
    config: PathBuf,
    admin: String,
    ann: String,
    bob: String,
    root: String,
}

fn token_of(output: &Output) -> String {
    assert!(output.status.success(), "{output:?}");
    let text = String::from_utf8_lossy(&output.stdout);
    let token = text.lines().last().unwrap().to_string();
    assert!(token.starts_with("gdt_"), "{text}");
    token
}

impl Service {
    fn start() -> Service {
        let state = tempfile::tempdir().unwrap();
        let toml = config(state.path());
        let mut tokens = Vec::new();
        let hole = Gopherd::with_setup(&toml, |dir| {
            std::fs::create_dir(dir.join("root")).unwrap();
            let config = dir.join("setup.toml");
            std::fs::write(&config, toml.replace("{tmp}", &dir.display().to_string())).unwrap();
            for args in [
                &["accounts", "add", "ann"][..],
                &["accounts", "add", "bob"],
                &["accounts", "add", "root", "--admin"],
            ] {
                tokens.push(token_of(&gopherd(args, &config, &[])));
            }
        });
        let admin = hole
            .stderr()
            .lines()
            .find_map(|l| l.split("admin API listening on ").nth(1))
            .expect("the admin API says where it listens")
            .trim()
            .to_string();
        let config = hole.dir.path().join("setup.toml");
        let [ann, bob, root] = <[String; 3]>::try_from(tokens).unwrap();
        Service {
            hole,
            state,
            config,
            admin: format!("http://{admin}"),
            ann,
            bob,
            root,
        }
    }

    /// Runs `gopherd handlers ARGS` with `token`.
    fn handlers(&self, token: &str, args: &[&str]) -> Output {
        let mut all = vec!["handlers"];
        all.extend_from_slice(args);
        gopherd(
            &all,
            &self.config,
            &[("GOPHERD_SERVER", &self.admin), ("GOPHERD_TOKEN", token)],
        )
    }

    fn ok(&self, token: &str, args: &[&str]) -> String {
        let out = self.handlers(token, args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn refused(&self, token: &str, args: &[&str]) -> String {
        let out = self.handlers(token, args);
        assert_eq!(out.status.code(), Some(1), "{args:?} was not refused");
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    fn audit(&self) -> String {
        std::fs::read_to_string(self.state.path().join("audit.log")).unwrap()
    }
}

#[test]
fn a_deployed_handler_is_served_versioned_and_rolled_back() {
    let s = Service::start();
    let dir = s.hole.dir.path();
    let v1 = hello(dir, "hello.wat", "hello, version one");
    let v2 = hello(dir, "hello2.wat", "hello, version two");
    let out = s.ok(&s.ann, &["deploy", "hello", v1.to_str().unwrap()]);
    assert!(out.starts_with("deployed ann/hello version "), "{out}");
    assert!(out.contains("serving /~ann/hello"), "{out}");
    assert_eq!(s.hole.get("/~ann/hello"), "hello, version one\n");
    s.ok(&s.ann, &["deploy", "hello", v2.to_str().unwrap()]);
    assert_eq!(s.hole.get("/~ann/hello"), "hello, version two\n");

    // A module that does not compile is refused with its line and column,
    // and the live version goes on serving.
    let broken = dir.join("broken.wat");
    std::fs::write(&broken, "(module\n  (func $oops\n").unwrap();
    let why = s.refused(&s.ann, &["deploy", "hello", broken.to_str().unwrap()]);
    assert!(why.contains("refused (422): broken.wat:3:1"), "{why}");
    assert_eq!(s.hole.get("/~ann/hello"), "hello, version two\n");
    // So is one with no entry point.
    let empty = dir.join("empty.wat");
    std::fs::write(&empty, "(module)").unwrap();
    let why = s.refused(&s.ann, &["deploy", "hello", empty.to_str().unwrap()]);
    assert!(why.contains("refused (422)"), "{why}");
    assert_eq!(s.hole.get("/~ann/hello"), "hello, version two\n");

    let versions = s.ok(&s.ann, &["versions", "hello"]);
    let lines: Vec<&str> = versions.lines().collect();
    assert_eq!(lines.len(), 2, "{versions}");
    assert!(lines[0].contains("hello.wat") && lines[1].contains("hello2.wat"));
    let first = lines[0].split_whitespace().next().unwrap().to_string();

    // Back one version, then forward again by hash.
    let out = s.ok(&s.ann, &["rollback", "hello"]);
    assert!(
        out.contains("is back at version") && out.contains("hello.wat"),
        "{out}"
    );
    assert_eq!(s.hole.get("/~ann/hello"), "hello, version one\n");
    let second = lines[1].split_whitespace().next().unwrap();
    s.ok(&s.ann, &["rollback", "hello", &second[..8]]);
    assert_eq!(s.hole.get("/~ann/hello"), "hello, version two\n");
    let why = s.refused(&s.ann, &["rollback", "hello", "ffffffff"]);
    assert!(
        why.contains("refused (404): ann/hello has no version ffffffff"),
        "{why}"
    );

    // Only the last three versions are kept.
    for n in 3..=4 {
        let v = hello(
            dir,
            &format!("hello{n}.wat"),
            &format!("hello, version {n}"),
        );
        s.ok(&s.ann, &["deploy", "hello", v.to_str().unwrap()]);
    }
    let versions = s.ok(&s.ann, &["versions", "hello"]);
    assert_eq!(versions.lines().count(), 3, "{versions}");
    assert!(!versions.contains(&first), "the oldest is gone: {versions}");
    assert_eq!(s.hole.get("/~ann/hello"), "hello, version 4\n");

    let list = s.ok(&s.ann, &["list"]);
    assert!(
        list.contains("ann/hello") && list.contains("/~ann/hello"),
        "{list}"
    );
    s.ok(&s.ann, &["delete", "hello"]);
    assert!(
        s.hole
            .get("/~ann/hello")
            .starts_with("3/~ann/hello: not found")
    );
    assert_eq!(s.ok(&s.ann, &["list"]), "no handlers\n");

    let audit = s.audit();
    for action in ["\"deploy\"", "\"rollback\"", "\"delete\""] {
        assert!(audit.contains(action), "{audit}");
    }
    assert!(
        audit.contains("\"refused\""),
        "refusals are audited too: {audit}"
    );
}

#[test]
fn a_token_touches_only_its_own_namespace() {
    let s = Service::start();
    let v1 = hello(s.hole.dir.path(), "hello.wat", "ann's hello");
    let bobs = hello(s.hole.dir.path(), "bob.wat", "bob was here");
    let file = v1.to_str().unwrap();
    s.ok(&s.ann, &["deploy", "hello", file]);
    let audit_before = s.audit();

    for args in [
        &["deploy", "ann/hello", bobs.to_str().unwrap()][..],
        &["versions", "ann/hello"],
        &["logs", "ann/hello"],
        &["rollback", "ann/hello"],
        &["delete", "ann/hello"],
    ] {
        let why = s.refused(&s.bob, args);
        assert!(
            why.contains("refused (403): bob may act only on its own handlers, not on ann's"),
            "{args:?}: {why}"
        );
    }
    // Nor can bob reach into ann's namespace by route.
    let why = s.refused(
        &s.bob,
        &["deploy", "x", bobs.to_str().unwrap(), "--route", "/~ann/x"],
    );
    assert!(
        why.contains("refused (403): /~ann/x is outside /~bob"),
        "{why}"
    );
    assert_eq!(s.ok(&s.bob, &["list"]), "no handlers\n");
    assert_eq!(
        s.hole.get("/~ann/hello"),
        "ann's hello\n",
        "nothing changed"
    );
    assert!(s.hole.get("/~ann/x").starts_with('3'));
    let audit = s.audit();
    assert!(
        audit[audit_before.len()..]
            .lines()
            .all(|l| l.contains("\"refused\"")),
        "bob's attempts are audited as refused: {audit}"
    );

    // bob's own handler lives under /~bob; the admin sees both.
    s.ok(&s.bob, &["deploy", "hello", bobs.to_str().unwrap()]);
    assert_eq!(s.hole.get("/~bob/hello"), "bob was here\n");
    let all = s.ok(&s.root, &["list"]);
    assert!(
        all.contains("ann/hello") && all.contains("bob/hello"),
        "{all}"
    );
    s.ok(&s.root, &["delete", "bob/hello"]);
    assert!(s.hole.get("/~bob/hello").starts_with('3'));
    assert_eq!(
        s.ok(&s.root, &["whoami"]),
        "root (admin), handlers under /~root\n"
    );
    assert_eq!(s.ok(&s.ann, &["whoami"]), "ann, handlers under /~ann\n");
}

#[test]
fn bad_or_missing_tokens_are_refused_and_change_nothing() {
    let s = Service::start();
    let v1 = hello(s.hole.dir.path(), "hello.wat", "hello");
    s.ok(&s.ann, &["deploy", "hello", v1.to_str().unwrap()]);
    let v2 = hello(s.hole.dir.path(), "hello2.wat", "changed");
    let forged = format!("gdt_ann_{}", "0".repeat(64));
    for token in ["", "not-a-token", forged.as_str()] {
        for args in [
            &["deploy", "hello", v2.to_str().unwrap()][..],
            &["delete", "hello"],
            &["rollback", "hello"],
            &["list"],
        ] {
            let why = s.refused(token, args);
            assert!(why.contains("refused (401)"), "{token:?} {args:?}: {why}");
        }
    }
    let why = s.refused("", &["whoami"]);
    assert!(
        why.contains("no token: send `Authorization: Bearer TOKEN`"),
        "{why}"
    );
    assert_eq!(s.hole.get("/~ann/hello"), "hello\n");
    assert_eq!(s.ok(&s.ann, &["versions", "hello"]).lines().count(), 1);
    // A request that is not HTTP, or asks for nothing there, is answered
    // and the API goes on.
    let addr = s.admin.trim_start_matches("http://").to_string();
    let mut raw = std::net::TcpStream::connect(&addr).unwrap();
    std::io::Write::write_all(&mut raw, b"\x00\x01 garbage\r\n\r\n").unwrap();
    let mut answer = String::new();
    let _ = std::io::Read::read_to_string(&mut raw, &mut answer);
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(s.ok(&s.ann, &["whoami"]).starts_with("ann"));
}

#[test]
fn the_admin_api_answers_only_on_loopback_unless_configured() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("gopherd.toml");
    std::fs::write(
        &config,
        "[admin]\nlisten = \"0.0.0.0:7071\"\nstate_dir = \"state\"\n",
    )
    .unwrap();
    let out = gopherd(&["--check"], &config, &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("`admin.listen` is 0.0.0.0:7071, off this machine")
            && err.contains("admin.allow_remote = true"),
        "{err}"
    );
    std::fs::write(
        &config,
        "[admin]\nlisten = \"0.0.0.0:7071\"\nallow_remote = true\nstate_dir = \"state\"\n",
    )
    .unwrap();
    let out = gopherd(&["--check"], &config, &[]);
    assert!(out.status.success(), "{out:?}");
    // Without an [admin] table there is no API at all.
    let plain = Gopherd::with_config("");
    assert!(!plain.stderr().contains("admin API"));
}

#[test]
fn logs_follow_each_invocation_with_its_stderr_and_calls() {
    let s = Service::start();
    let noisy = s.hole.dir.path().join("noisy.wat");
    std::fs::write(
        &noisy,
        r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "about to fail\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 14))
    (drop (call $w (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 8)))
    (call $exit (i32.const 3))))"#,
    )
    .unwrap();
    s.ok(&s.ann, &["deploy", "noisy", noisy.to_str().unwrap()]);
    let mut follower = Command::new(env!("CARGO_BIN_EXE_gopherd"))
        .args(["handlers", "logs", "noisy", "--follow"])
        .env("GOPHERD_SERVER", &s.admin)
        .env("GOPHERD_TOKEN", &s.ann)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(follower.stdout.take().unwrap()).lines();
    // Give the follower a moment to be listening, then ask three times.
    std::thread::sleep(Duration::from_millis(500));
    for n in 0..3 {
        assert!(s.hole.get(&format!("/~ann/noisy/{n}")).starts_with('3'));
    }
    let mut seen = Vec::new();
    while seen.len() < 3 {
        let line = lines.next().expect("the follower goes on").unwrap();
        if line.contains("ann/noisy \"/~ann/noisy/") {
            assert!(line.contains("from 127.0.0.1 exit (guest `"), "{line}");
            assert!(line.contains("exited with status 3"), "{line}");
            seen.push(line);
        }
    }
    assert!(seen[2].contains("\"/~ann/noisy/2\""), "{seen:?}");
    let _ = follower.kill();
    let _ = follower.wait();
    // The kept logs have the stderr and the calls.
    let logs = s.ok(&s.ann, &["logs", "noisy"]);
    assert_eq!(logs.matches("stderr: about to fail").count(), 3, "{logs}");
    assert!(
        logs.contains("fd_write") && logs.contains("proc_exit"),
        "{logs}"
    );
}

#[test]
fn deploys_swap_versions_without_failing_a_request_and_survive_a_restart() {
    let s = Service::start();
    let slow = fixture("sleep.wat");
    s.ok(&s.ann, &["deploy", "slow", &slow, "--timeout", "5s"]);
    // A request in flight finishes on the version it started with.
    let hole = &s.hole;
    let in_flight = std::thread::scope(|scope| {
        let request = scope.spawn(|| hole.get("/~ann/slow"));
        std::thread::sleep(Duration::from_millis(150));
        let v2 = hello(hole.dir.path(), "fast.wat", "fast now");
        s.ok(&s.ann, &["deploy", "slow", v2.to_str().unwrap()]);
        assert_eq!(hole.get("/~ann/slow"), "fast now\n");
        request.join().unwrap()
    });
    assert_eq!(in_flight, "slept well\n");
    let Service { hole, state, .. } = s;
    drop(hole);
    // The state is kept: a new server serves the live version.
    let again = Gopherd::with_config(&config(state.path()).replace("root = \"{tmp}/root\"\n", ""));
    assert_eq!(again.get("/~ann/slow"), "fast now\n");
}

#[test]
fn a_recipe_runs_a_deployed_handler_locally_as_the_server_does() {
    let s = Service::start();
    let cgi = fixture("cgi.wat");
    s.ok(&s.ann, &["deploy", "cgi", &cgi, "--timeout", "2s"]);
    let served = s.hole.get("/~ann/cgi/some/path\tfind these");
    let out = s.hole.dir.path().join("local");
    let command = s.ok(
        &s.ann,
        &[
            "recipe",
            "cgi",
            "--selector",
            "/~ann/cgi/some/path",
            "--query",
            "find these",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(
        std::fs::read(out.join("cgi.wat")).unwrap(),
        std::fs::read(&cgi).unwrap(),
        "the live module, under the name it was deployed with"
    );
    assert!(
        command.starts_with("wasmhole run \\\n    --abi wasi"),
        "{command}"
    );
    // Every variable the served run saw (but the client's port, which a
    // new run cannot have) is in the command, as are its limits and words.
    for line in served.lines().filter_map(|l| l.strip_prefix("env: ")) {
        if !line.starts_with("REMOTE_PORT=") && !line.starts_with("REQUEST_TIME=") {
            assert!(
                command.contains(&format!("--env '{line}'")),
                "{line}: {command}"
            );
        }
    }
    for part in [
        "--timeout 2000ms",
        "--max-memory 67108864",
        "--argv0 cgi.wat",
        "    find \\\n    these \\\n",
    ] {
        assert!(command.contains(part), "{part}: {command}");
    }
    assert!(served.contains("arg: cgi.wat\n"), "{served}");
    // Not someone else's.
    let why = s.refused(&s.bob, &["recipe", "ann/cgi", "--selector", "/~ann/cgi"]);
    assert!(why.contains("refused (403)"), "{why}");
}

#[test]
fn a_deploy_over_the_accounts_quota_is_refused_and_the_live_version_stays() {
    let state = tempfile::tempdir().unwrap();
    let toml = format!(
        "admin = {{ listen = \"127.0.0.1:0\", state_dir = \"{}\", max_module_size = 600, max_handlers_per_account = 1 }}\n",
        state.path().display()
    );
    let mut token = String::new();
    let hole = Gopherd::with_setup(&toml, |dir| {
        let config = dir.join("setup.toml");
        std::fs::write(&config, &toml).unwrap();
        token = token_of(&gopherd(&["accounts", "add", "ann"], &config, &[]));
    });
    let admin = hole
        .stderr()
        .lines()
        .find_map(|l| l.split("admin API listening on ").nth(1))
        .unwrap()
        .trim()
        .to_string();
    let config = hole.dir.path().join("setup.toml");
    let env = [
        ("GOPHERD_SERVER", format!("http://{admin}")),
        ("GOPHERD_TOKEN", token),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let run = |args: &[&str]| {
        let mut all = vec!["handlers"];
        all.extend_from_slice(args);
        gopherd(&all, &config, &env)
    };
    let small = hello(hole.dir.path(), "hello.wat", "small");
    assert!(
        run(&["deploy", "hello", small.to_str().unwrap()])
            .status
            .success()
    );
    // Too large a module.
    let big = hole.dir.path().join("big.wat");
    std::fs::write(
        &big,
        format!(
            "{}\n;; {}",
            std::fs::read_to_string(&small).unwrap(),
            "x".repeat(600)
        ),
    )
    .unwrap();
    let out = run(&["deploy", "hello", big.to_str().unwrap()]);
    let why = String::from_utf8_lossy(&out.stderr);
    assert!(
        why.contains("refused (422): the module is") && why.contains("`admin.max_module_size`"),
        "{why}"
    );
    // One handler too many.
    let out = run(&["deploy", "other", small.to_str().unwrap()]);
    let why = String::from_utf8_lossy(&out.stderr);
    assert!(
        why.contains("ann has 1 handlers, this server's most (`admin.max_handlers_per_account`)"),
        "{why}"
    );
    assert_eq!(hole.get("/~ann/hello"), "small\n");
    assert!(hole.get("/~ann/other").starts_with('3'));
    let versions = run(&["versions", "hello"]);
    assert_eq!(String::from_utf8_lossy(&versions.stdout).lines().count(), 1);
}
