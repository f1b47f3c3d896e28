//! The lattice's figures, on loopback: a `nats-server -js` and three
//! gopherds sharing their handler service through it, beside one gopherd
//! keeping it in its own folder. How long a deploy through one instance
//! takes to be served by all three; a deployed handler's requests per
//! second with the lattice on against the local default; and what a NATS
//! outage does to requests (served from what each instance has) and to a
//! deploy (refused, and how fast).
//!
//! ```sh
//! cargo bench -p gopherd --bench lattice -- [--seconds 5]
//! ```

mod support;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Nats(Child);

impl Drop for Nats {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn nats(store: &Path, port: u16) -> Nats {
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
        .expect("nats-server (apt-get install nats-server)");
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        std::thread::sleep(Duration::from_millis(20));
    }
    Nats(child)
}

/// A gopherd on `config` (after `accounts add ann`): it, its admin API as
/// ann, and the account's token.
fn instance(config: &Path, token: Option<String>) -> (support::Server, support::Api, String) {
    let token = token.unwrap_or_else(|| {
        let made = Command::new(env!("CARGO_BIN_EXE_gopherd"))
            .args([
                "--config",
                config.to_str().unwrap(),
                "accounts",
                "add",
                "ann",
            ])
            .output()
            .unwrap();
        assert!(made.status.success(), "{made:?}");
        String::from_utf8_lossy(&made.stdout)
            .lines()
            .last()
            .unwrap()
            .to_string()
    });
    let (server, log) = support::launch_logged(config);
    let admin = log
        .iter()
        .find_map(|l| l.split("admin API listening on ").nth(1))
        .expect("the admin API listens")
        .trim()
        .to_string();
    (server, support::Api::new(&admin, token.clone()), token)
}

fn main() {
    let mut seconds = 5.0;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--seconds" {
            seconds = args.next().and_then(|v| v.parse().ok()).expect("seconds");
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut broker = Some(nats(&dir.path().join("jetstream"), port));
    let config = |name: &str, lattice: bool| {
        let folder = dir.path().join(name);
        std::fs::create_dir_all(folder.join("root")).unwrap();
        let path = folder.join("gopherd.toml");
        std::fs::write(
            &path,
            format!(
                "listen = [\"127.0.0.1:0\"]\nroot = \"{root}\"\naccess_log = \"off\"\n\
                 reload_interval = \"off\"\n[limits]\nmax_per_client = 0\n\
                 [admin]\nlisten = \"127.0.0.1:0\"\nstate_dir = \"{state}\"\n\
                 max_logged_invocations = 100000\n{lattice}",
                root = folder.join("root").display(),
                state = folder.join("state").display(),
                lattice = if lattice {
                    format!("lattice = \"nats://127.0.0.1:{port}\"\ninstance = \"{name}\"\n")
                } else {
                    String::new()
                }
            ),
        )
        .unwrap();
        path
    };
    let (local, local_api, _) = instance(&config("local", false), None);
    let (g1, api, token) = instance(&config("g1", true), None);
    let (g2, _, _) = instance(&config("g2", true), Some(token.clone()));
    let (g3, _, _) = instance(&config("g3", true), Some(token));
    let lattice = [g1.addr, g2.addr, g3.addr];
    println!(
        "gopherd lattice bench: nats-server on {port}, instances {lattice:?}, local default on {}",
        local.addr
    );

    // Deploy through g1, served by all three.
    let mut all = Vec::new();
    let mut by_g1 = Vec::new();
    for n in 0..20 {
        let text = format!("version {n}");
        let t0 = Instant::now();
        api.deploy("hello", &text);
        by_g1.push(t0.elapsed().as_secs_f64() * 1000.0);
        for addr in lattice {
            while support::get(addr, "/~ann/hello") != format!("{text}\n") {}
        }
        all.push(t0.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "deploy through g1 (20 deploys of a 0.5 KB WAT handler): answered {}; served by all three {}",
        support::percentiles(by_g1),
        support::percentiles(all)
    );

    // A deployed handler with the lattice on against the local default.
    api.deploy("hello", "hello");
    local_api.deploy("hello", "hello");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let (mut on, mut off) = (Vec::new(), Vec::new());
    for _ in 0..2 {
        off.push(support::rate(&rt, local.addr, "/~ann/hello", seconds).0);
        on.push(support::rate(&rt, g1.addr, "/~ann/hello", seconds).0);
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    println!(
        "requests/s, 16 connections, {seconds} s x 2 each: local default {:.0} ({:.0}, {:.0}), lattice {:.0} ({:.0}, {:.0}): lattice/local {:.3}",
        mean(&off),
        off[0],
        off[1],
        mean(&on),
        on[0],
        on[1],
        mean(&on) / mean(&off)
    );

    // The same with g2 and g3 paused: on this one machine, their share of
    // the cores (each decodes and keeps every invocation g1 publishes)
    // comes out of g1's; on machines of their own it would not.
    let signal = |pid: u32, sig: &str| {
        let _ = Command::new("kill").args([sig, &pid.to_string()]).status();
    };
    for g in [&g2, &g3] {
        signal(g.child.id(), "-STOP");
    }
    let alone = support::rate(&rt, g1.addr, "/~ann/hello", seconds).0;
    for g in [&g2, &g3] {
        signal(g.child.id(), "-CONT");
    }
    println!(
        "with g2 and g3 paused (their cores given back to g1): lattice {alone:.0}: lattice/local {:.3}",
        alone / mean(&off)
    );

    // NATS away.
    drop(broker.take());
    let (during, failed) = support::rate(&rt, g1.addr, "/~ann/hello", seconds);
    let t0 = Instant::now();
    let refused = api.try_deploy("hello", "not while NATS is away");
    println!(
        "NATS away: g1 served {during:.0} requests/s ({failed} failed); a deploy was {} after {:.2} s: {}",
        if refused.is_err() {
            "refused"
        } else {
            "ACCEPTED"
        },
        t0.elapsed().as_secs_f64(),
        refused.err().unwrap_or_default().trim()
    );
    for addr in lattice {
        assert_eq!(support::get(addr, "/~ann/hello"), "hello\n");
    }
    drop((g1, g2, g3, local));
}
