//! Many gopherds, one lattice: three instances sharing their handler
//! service through a real `nats-server -js` (Debian's `nats-server`), with
//! Debian's HAProxy in front, as the guide's scale-out section sets them
//! up. A deploy through one is served by all, `logs --follow` on one shows
//! invocations any answered, killing an instance loses no request HAProxy
//! can retry and no version, and restarting nats-server loses nothing
//! written before (while it is down, requests are served from what each
//! instance has and deploys are refused, nothing half-applied).

use crate::balancer::{Haproxy, free_port, get, start_haproxy};
use crate::common::{Gopherd, gopherd, hello};
use std::io::BufRead;
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A `nats-server -js` on a port of its own, killed when dropped.
struct Nats {
    child: Child,
    port: u16,
    store: PathBuf,
}

impl Nats {
    fn start(store: &Path, port: u16) -> Nats {
        // Debian installs it in /usr/sbin, not on every user's PATH.
        let program = if Path::new("/usr/sbin/nats-server").exists() {
            "/usr/sbin/nats-server"
        } else {
            "nats-server"
        };
        let child = Command::new(program)
            .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
            .arg(store)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nats-server (Debian's nats-server, installed by .ci/run)");
        let t0 = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                t0.elapsed() < Duration::from_secs(20),
                "nats-server did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Nats {
            child,
            port,
            store: store.to_path_buf(),
        }
    }

    fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn restart(&mut self) {
        self.kill();
        *self = Nats::start(&self.store.clone(), self.port);
    }
}

impl Drop for Nats {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The configuration of instance `name` on the lattice at `url`, which
/// advertises `port` (HAProxy's) in its menus.
fn config(url: &str, name: &str, port: u16) -> String {
    format!(
        "listen = [\"127.0.0.1:0\"]\nroot = \"{{tmp}}/root\"\nhost = \"127.0.0.1\"\nport = {port}\n\
         [limits]\nmax_per_client = 0\n\
         [admin]\nlisten = \"127.0.0.1:0\"\nstate_dir = \"{{tmp}}/state\"\n\
         lattice = \"{url}\"\ninstance = \"{name}\"\n"
    )
}

/// One gopherd of the lattice, and its admin API's address.
struct Instance {
    gopherd: Gopherd,
    admin: String,
    config: PathBuf,
}

fn instance(url: &str, name: &str, port: u16) -> Instance {
    let text = config(url, name, port);
    let gopherd = Gopherd::with_setup(&text, |dir| {
        std::fs::create_dir(dir.join("root")).unwrap();
    });
    let config = gopherd.dir.path().join("gopherd.toml");
    let started = Instant::now();
    let admin = loop {
        if let Some(a) = gopherd
            .stderr()
            .lines()
            .find_map(|l| l.split("admin API listening on ").nth(1))
        {
            break format!("http://{}", a.trim());
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{}",
            gopherd.stderr()
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    Instance {
        gopherd,
        admin,
        config,
    }
}

/// The lattice: nats-server, three instances, HAProxy in front, and the
/// token of account `ann` (made through the lattice before any started).
struct Lattice {
    nats: Nats,
    instances: Vec<Instance>,
    haproxy: Haproxy,
    proxy_port: u16,
    token: String,
    scratch: tempfile::TempDir,
}

impl Lattice {
    fn start() -> Lattice {
        let scratch = tempfile::tempdir().unwrap();
        let nats = Nats::start(&scratch.path().join("jetstream"), free_port());
        let proxy_port = free_port();
        let setup = scratch.path().join("setup.toml");
        std::fs::write(
            &setup,
            config(&nats.url(), "setup", proxy_port)
                .replace("{tmp}", &scratch.path().display().to_string()),
        )
        .unwrap();
        let made = gopherd(&["accounts", "add", "ann"], &setup, &[]);
        assert!(made.status.success(), "{made:?}");
        let token = String::from_utf8_lossy(&made.stdout)
            .lines()
            .last()
            .unwrap()
            .to_string();
        let instances: Vec<Instance> = ["g1", "g2", "g3"]
            .iter()
            .map(|name| instance(&nats.url(), name, proxy_port))
            .collect();
        let servers: Vec<SocketAddr> = instances.iter().map(|i| i.gopherd.addr()).collect();
        let haproxy = start_haproxy(scratch.path(), proxy_port, &servers)
            .expect("haproxy (Debian's haproxy, installed by .ci/run)");
        Lattice {
            nats,
            instances,
            haproxy,
            proxy_port,
            token,
            scratch,
        }
    }

    /// `gopherd handlers ARGS` against instance `i`.
    fn handlers(&self, i: usize, args: &[&str]) -> Output {
        let mut all = vec!["handlers"];
        all.extend_from_slice(args);
        gopherd(
            &all,
            &self.instances[i].config,
            &[
                ("GOPHERD_SERVER", &self.instances[i].admin),
                ("GOPHERD_TOKEN", &self.token),
            ],
        )
    }

    fn ok(&self, i: usize, args: &[&str]) -> String {
        let out = self.handlers(i, args);
        assert!(
            out.status.success(),
            "{args:?} on g{}: {}",
            i + 1,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits until every running instance answers `selector` with
    /// `expected`; how long each took from `since`.
    fn served_by_all(&self, selector: &str, expected: &str, since: Instant) -> Vec<Duration> {
        self.instances
            .iter()
            .map(|i| {
                loop {
                    let got =
                        String::from_utf8_lossy(&get(i.gopherd.addr(), selector)).into_owned();
                    if got == expected {
                        break since.elapsed();
                    }
                    assert!(
                        since.elapsed() < Duration::from_secs(10),
                        "{selector} on {} still answers {got:?}; its log:\n{}",
                        i.gopherd.addr(),
                        i.gopherd.stderr()
                    );
                    std::thread::sleep(Duration::from_millis(10));
                }
            })
            .collect()
    }
}

#[test]
fn a_deploy_through_one_instance_is_served_by_all_and_every_log_is_shared() {
    let lattice = Lattice::start();
    let dir = lattice.scratch.path();
    let v1 = hello(dir, "hello.wat", "hello from the lattice");
    let t0 = Instant::now();
    lattice.ok(0, &["deploy", "hello", v1.to_str().unwrap()]);
    let took = lattice.served_by_all("/~ann/hello", "hello from the lattice\n", t0);
    for (i, t) in took.iter().enumerate() {
        assert!(
            *t < Duration::from_secs(2),
            "g{} served it after {t:?}",
            i + 1
        );
    }

    // Followed on g2, requests through HAProxy are seen whoever answered.
    let mut follower = Command::new(env!("CARGO_BIN_EXE_gopherd"))
        .arg("--config")
        .arg(&lattice.instances[1].config)
        .args(["handlers", "logs", "hello", "--follow"])
        .env("GOPHERD_SERVER", &lattice.instances[1].admin)
        .env("GOPHERD_TOKEN", &lattice.token)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let lines = std::io::BufReader::new(follower.stdout.take().unwrap()).lines();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut answered_by = std::collections::BTreeSet::new();
    let started = Instant::now();
    while answered_by.len() < 3 {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "logs --follow on g2 heard only {answered_by:?}"
        );
        for _ in 0..3 {
            assert_eq!(
                get(lattice.haproxy.addr, "/~ann/hello"),
                b"hello from the lattice\n"
            );
        }
        while let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
            if let Some(server) = line.split("answered by ").nth(1) {
                assert!(line.contains("ann/hello \"/~ann/hello\""), "{line}");
                answered_by.insert(server.trim().to_string());
            }
        }
    }
    assert_eq!(
        answered_by.into_iter().collect::<Vec<_>>(),
        ["g1", "g2", "g3"]
    );
    let _ = follower.kill();
    let _ = follower.wait();
    // The kept logs on g3 hold invocations the others answered.
    let logs = lattice.ok(2, &["logs", "hello"]);
    for name in ["g1", "g2", "g3"] {
        assert!(logs.contains(&format!("answered by {name}")), "{logs}");
    }

    // A new version through g3, a rollback through g2, a delete through
    // g1: each reaches every instance.
    let v2 = hello(dir, "hello2.wat", "hello, version two");
    let t0 = Instant::now();
    lattice.ok(2, &["deploy", "hello", v2.to_str().unwrap()]);
    lattice.served_by_all("/~ann/hello", "hello, version two\n", t0);
    let t0 = Instant::now();
    lattice.ok(1, &["rollback", "hello"]);
    lattice.served_by_all("/~ann/hello", "hello from the lattice\n", t0);
    let versions = lattice.ok(0, &["versions", "hello"]);
    assert_eq!(versions.lines().count(), 2, "{versions}");
    lattice.ok(0, &["delete", "hello"]);
    let t0 = Instant::now();
    for i in &lattice.instances {
        loop {
            let got = String::from_utf8_lossy(&get(i.gopherd.addr(), "/~ann/hello")).into_owned();
            if got.starts_with('3') {
                break;
            }
            assert!(t0.elapsed() < Duration::from_secs(5), "still served: {got}");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    assert_eq!(lattice.proxy_port, lattice.haproxy.addr.port());
}

#[test]
fn killing_an_instance_or_restarting_nats_loses_nothing() {
    let mut lattice = Lattice::start();
    let dir = lattice.scratch.path().to_path_buf();
    let v1 = hello(&dir, "hello.wat", "still here");
    let t0 = Instant::now();
    lattice.ok(0, &["deploy", "hello", v1.to_str().unwrap()]);
    lattice.served_by_all("/~ann/hello", "still here\n", t0);

    // One client asking through HAProxy while g2 is killed: every request
    // but the one g2 may have had in flight is answered.
    let proxy = lattice.haproxy.addr;
    let load = std::thread::spawn(move || {
        let mut outcomes = Vec::new();
        let t0 = Instant::now();
        while t0.elapsed() < Duration::from_secs(3) {
            let started = Instant::now();
            let ok = get(proxy, "/~ann/hello") == b"still here\n";
            outcomes.push((started, Instant::now(), ok));
        }
        outcomes
    });
    std::thread::sleep(Duration::from_secs(1));
    let killed_at = Instant::now();
    lattice.instances[1].gopherd.kill();
    // It dies somewhere between the signal and the end of the wait for it:
    // a request begun in that span may be accepted by the dying process.
    let dead_at = Instant::now();
    let outcomes = load.join().unwrap();
    let failed: Vec<_> = outcomes.iter().filter(|(_, _, ok)| !ok).collect();
    assert!(
        failed.len() <= 1
            && failed
                .iter()
                .all(|(s, e, _)| *s <= dead_at && *e >= killed_at),
        "{} of {} requests failed, not only one in flight at the kill: {:?}",
        failed.len(),
        outcomes.len(),
        failed
            .iter()
            .map(|(s, e, _)| format!(
                "from {:?} to {:?} after the signal; reaped {:?} after it",
                s.saturating_duration_since(killed_at),
                e.saturating_duration_since(killed_at),
                dead_at - killed_at
            ))
            .collect::<Vec<_>>()
    );
    assert!(outcomes.len() > 100, "only {} requests", outcomes.len());

    // A new instance with an empty state folder brings the version from
    // the lattice and serves it.
    let url = lattice.nats.url();
    lattice.instances[1] = instance(&url, "g2b", lattice.proxy_port);
    let t0 = Instant::now();
    lattice.served_by_all("/~ann/hello", "still here\n", t0);

    // nats-server down: every instance serves what it has; a deploy is
    // refused, saying why.
    lattice.nats.kill();
    for i in &lattice.instances {
        assert_eq!(get(i.gopherd.addr(), "/~ann/hello"), b"still here\n");
    }
    let v2 = hello(&dir, "hello2.wat", "not while nats is down");
    let refused = lattice.handlers(0, &["deploy", "hello", v2.to_str().unwrap()]);
    assert!(!refused.status.success());
    let why = String::from_utf8_lossy(&refused.stderr);
    assert!(why.contains("refused (503)"), "{why}");
    assert!(why.contains("lattice at nats://127.0.0.1:"), "{why}");
    assert!(why.contains("nothing was changed"), "{why}");

    // Back up: nothing written before is lost, nothing of the refused
    // deploy was applied, and deploys reach every instance again.
    lattice.nats.restart();
    let t0 = Instant::now();
    let versions = loop {
        let out = lattice.handlers(2, &["versions", "hello"]);
        if out.status.success() {
            break String::from_utf8_lossy(&out.stdout).into_owned();
        }
        assert!(t0.elapsed() < Duration::from_secs(20), "{out:?}");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(versions.lines().count(), 1, "{versions}");
    assert!(versions.contains("hello.wat"), "{versions}");
    let list = lattice.ok(1, &["list"]);
    assert!(list.contains("ann/hello"), "{list}");
    let v3 = hello(&dir, "hello3.wat", "after the restart");
    let t0 = Instant::now();
    loop {
        let out = lattice.handlers(0, &["deploy", "hello", v3.to_str().unwrap()]);
        if out.status.success() {
            break;
        }
        assert!(t0.elapsed() < Duration::from_secs(20), "{out:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
    lattice.served_by_all("/~ann/hello", "after the restart\n", Instant::now());
}
