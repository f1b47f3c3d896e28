//! Several gopherd instances behind a real HAProxy (Debian's `haproxy`),
//! with the configuration the README shows: requests are spread across
//! instances, and killing one mid-load loses only the requests it had in
//! flight. Skipped, with a message saying so, when haproxy is not installed.

use crate::common;

use common::{Gopherd, fixture, read_all};
use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The guide's HAProxy configuration for `servers`, listening on `port`,
/// with health checks tight enough for a test.
fn haproxy_config(port: u16, servers: &[SocketAddr]) -> String {
    let mut text = format!(
        "global
    maxconn 2000

defaults
    mode tcp
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    retries 3
    option redispatch 1

frontend gopher
    bind 127.0.0.1:{port}
    default_backend gopherd

backend gopherd
    balance roundrobin
    default-server check inter 200ms fall 1 rise 2
"
    );
    for (i, server) in servers.iter().enumerate() {
        text.push_str(&format!("    server g{} {server}\n", i + 1));
    }
    text
}

/// HAProxy in the foreground, killed when dropped.
pub(crate) struct Haproxy {
    child: Child,
    pub(crate) addr: SocketAddr,
}

impl Drop for Haproxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub(crate) fn start_haproxy(
    dir: &std::path::Path,
    port: u16,
    servers: &[SocketAddr],
) -> Option<Haproxy> {
    let config = dir.join("haproxy.cfg");
    std::fs::write(&config, haproxy_config(port, servers)).unwrap();
    let child = match Command::new("haproxy")
        .args(["-db", "-f", &config.display().to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
    {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => panic!("cannot start haproxy: {e}"),
    };
    let proxy = Haproxy {
        child,
        addr: SocketAddr::from(([127, 0, 0, 1], port)),
    };
    let t0 = Instant::now();
    while TcpStream::connect(proxy.addr).is_err() {
        assert!(
            t0.elapsed() < Duration::from_secs(30),
            "haproxy did not start"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    Some(proxy)
}

pub(crate) fn get(addr: SocketAddr, selector: &str) -> Vec<u8> {
    let Ok(mut s) = TcpStream::connect(addr) else {
        return Vec::new();
    };
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    if s.write_all(format!("{selector}\r\n").as_bytes()).is_err() {
        return Vec::new();
    }
    read_all(&mut s)
}

/// One request a load client made: when, and whether it was answered.
struct Outcome {
    started: Instant,
    ended: Instant,
    answered: bool,
}

#[test]
fn instances_behind_haproxy_share_the_load_and_survive_one_dying() {
    if Command::new("haproxy").arg("-v").output().is_err() {
        eprintln!(
            "SKIPPED: haproxy is not installed (apt-get install -y --no-install-recommends haproxy)"
        );
        return;
    }
    let port = free_port();
    let instances: Vec<Gopherd> = (0..3)
        .map(|_| {
            Gopherd::with_setup(
                &format!(
                    "root = \"{{tmp}}/root\"\nhost = \"127.0.0.1\"\nport = {port}\n\
                     [limits]\nmax_per_client = 0\n\
                     [[route]]\nselector = \"/slow\"\nmodule = \"{}\"\n",
                    fixture("sleep.wat")
                ),
                |dir| {
                    std::fs::create_dir(dir.join("root")).unwrap();
                    std::fs::write(dir.join("root/hello.txt"), "Hello!\n").unwrap();
                },
            )
        })
        .collect();
    let servers: Vec<SocketAddr> = instances.iter().map(|g| g.addr()).collect();
    let scratch = tempfile::tempdir().unwrap();
    let proxy = start_haproxy(scratch.path(), port, &servers).expect("haproxy runs");
    let entry = proxy.addr;

    // Menus lead back through the balancer.
    let menu = String::from_utf8(get(entry, "/")).unwrap();
    assert!(
        menu.contains(&format!("0hello.txt\t/hello.txt\t127.0.0.1\t{port}\r\n")),
        "{menu}"
    );
    // Spread: every instance answers some of 30 requests.
    for _ in 0..30 {
        assert_eq!(get(entry, "/hello.txt"), b"Hello!\n");
    }
    for (i, g) in instances.iter().enumerate() {
        let served = g.access_log().matches("\"/hello.txt\"").count();
        assert!(served >= 5, "instance {i} answered {served} of 30");
    }

    // Load: 6 clients, each one request at a time (half of them to a
    // handler taking 500 ms), while the second instance is killed.
    let instances = Arc::new(Mutex::new(instances));
    let outcomes = Arc::new(Mutex::new(Vec::new()));
    let until = Instant::now() + Duration::from_secs(4);
    let clients: Vec<_> = (0..6)
        .map(|c| {
            let outcomes = outcomes.clone();
            std::thread::spawn(move || {
                let mut n = 0;
                while Instant::now() < until {
                    let (selector, wanted): (&str, &[u8]) = if (c + n) % 2 == 0 {
                        ("/slow", b"slept well\n")
                    } else {
                        ("/hello.txt", b"Hello!\n")
                    };
                    let started = Instant::now();
                    let answered = get(entry, selector) == wanted;
                    outcomes.lock().unwrap().push(Outcome {
                        started,
                        ended: Instant::now(),
                        answered,
                    });
                    n += 1;
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(1));
    // The instance dies somewhere between the signal and the end of the
    // wait for it (its sockets close as it is torn down): a request begun
    // in that span may be accepted by the dying process and cut off.
    let killed_at = Instant::now();
    instances.lock().unwrap()[1].kill();
    let dead_at = Instant::now();
    for c in clients {
        c.join().unwrap();
    }
    let outcomes = outcomes.lock().unwrap();
    let failed: Vec<&Outcome> = outcomes.iter().filter(|o| !o.answered).collect();
    assert!(
        outcomes.len() > 20,
        "only {} requests were made",
        outcomes.len()
    );
    assert!(
        failed.len() <= 6,
        "{} of {} requests failed",
        failed.len(),
        outcomes.len()
    );
    for f in &failed {
        assert!(
            f.started <= dead_at && f.ended >= killed_at,
            "a request that was not in flight at the kill failed ({:?} after the instance was reaped)",
            f.started.saturating_duration_since(dead_at)
        );
    }
    let after = outcomes.iter().filter(|o| o.started > killed_at).count();
    assert!(after > 10, "only {after} requests after the kill");
    // The survivors answered what came after.
    let instances = instances.lock().unwrap();
    for i in [0, 2] {
        assert!(
            instances[i]
                .access_log()
                .contains("\"/slow\" route=/slow outcome=ok")
        );
    }
}
