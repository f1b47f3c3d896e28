//! A slowloris attack on gopherd, on loopback only, measuring what a
//! normal client sees meanwhile and what it costs the server.
//!
//! It starts the real `gopherd` binary with its default limits (a static
//! text file and the WASI fortune handler), measures a normal client alone,
//! then opens the attack: N connections from another loopback address
//! (127.0.0.2, or the client's own with `--same-address`, or spread over
//! `--addresses K` addresses from 127.2.0.1 on), each sending one
//! byte every few seconds and reopened at its next tick when the server
//! closes it. Meanwhile the normal client requests, one at a time, the text
//! file and the handler in turn. It prints the normal client's answered
//! share and latency (p50, p99, max; connect to last byte), and gopherd's
//! resident memory and open descriptors.
//!
//! ```sh
//! cargo bench -p gopherd --bench slowloris -- [--attackers 500] [--interval 5] [--seconds 30] [--same-address | --addresses K]
//! ```

mod support;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

struct Options {
    attackers: usize,
    interval: Duration,
    seconds: f64,
    same_address: bool,
    addresses: u32,
}

fn options() -> Options {
    let mut o = Options {
        attackers: 500,
        interval: Duration::from_secs(5),
        seconds: 30.0,
        same_address: false,
        addresses: 1,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        match arg.as_str() {
            "--attackers" => o.attackers = value().parse().expect("a count"),
            "--interval" => o.interval = Duration::from_secs_f64(value().parse().expect("seconds")),
            "--seconds" => o.seconds = value().parse().expect("seconds"),
            "--same-address" => o.same_address = true,
            "--addresses" => o.addresses = value().parse().expect("a count"),
            _ => {}
        }
    }
    o.attackers = o.attackers.min(5000);
    o.addresses = o.addresses.clamp(1, 60_000);
    o.seconds = o.seconds.clamp(1.0, 300.0);
    o
}

const TEXT: &str = "Hello from the static gopherhole.\nA second line.\n";

fn start_server(dir: &Path) -> support::Server {
    let fortune = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../samples/gopherhole/handlers/wasi/fortune.wat");
    let root = dir.join("root");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(root.join("hello.txt"), TEXT).unwrap();
    let config = format!(
        "listen = [\"127.0.0.1:0\"]\nroot = \"{}\"\naccess_log = \"{}\"\n\
         [[route]]\nselector = \"/fortune\"\nmodule = \"{}\"\ntype = \"text\"\n",
        root.display(),
        dir.join("access.log").display(),
        fortune.display()
    );
    let path = dir.join("gopherd.toml");
    std::fs::write(&path, config).unwrap();
    support::launch(&path)
}

/// One of gopherd's figures from /proc: resident memory in bytes and open
/// descriptors.
fn process_figures(pid: u32) -> (u64, u64) {
    let rss = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .unwrap_or(0)
        * 1024;
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|d| d.count() as u64)
        .unwrap_or(0);
    (rss, fds)
}

#[derive(Default)]
struct AttackCounts {
    connects: AtomicU64,
    closed_by_server: AtomicU64,
    bytes: AtomicU64,
}

/// One slowloris connection slot: connect, send a byte every `interval`,
/// and when the server has closed it, connect again at the next tick.
async fn slowloris(
    from: IpAddr,
    server: SocketAddr,
    interval: Duration,
    delay: Duration,
    counts: Arc<AttackCounts>,
    stop: Arc<AtomicBool>,
) {
    tokio::time::sleep(delay).await;
    let mut tick = tokio::time::interval(interval);
    let mut stream: Option<TcpStream> = None;
    while !stop.load(Ordering::Relaxed) {
        tick.tick().await;
        if let Some(s) = &mut stream {
            let mut buf = [0u8; 256];
            let closed = loop {
                match s.try_read(&mut buf) {
                    Ok(0) => break true,
                    Ok(_) => continue,
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break false,
                    Err(_) => break true,
                }
            };
            if closed || s.write_all(b"/").await.is_err() {
                counts.closed_by_server.fetch_add(1, Ordering::Relaxed);
                stream = None;
            } else {
                counts.bytes.fetch_add(1, Ordering::Relaxed);
                continue;
            }
        }
        let Ok(socket) = TcpSocket::new_v4() else {
            continue;
        };
        if socket.bind(SocketAddr::new(from, 0)).is_err() {
            continue;
        }
        if let Ok(mut s) = socket.connect(server).await {
            counts.connects.fetch_add(1, Ordering::Relaxed);
            if s.write_all(b"/").await.is_ok() {
                counts.bytes.fetch_add(1, Ordering::Relaxed);
                stream = Some(s);
            }
        }
    }
}

/// One request as a normal client makes it; `None` unless fully answered.
async fn request(server: SocketAddr, selector: &str) -> Option<Vec<u8>> {
    let socket = TcpSocket::new_v4().ok()?;
    socket.bind("127.0.0.1:0".parse().unwrap()).ok()?;
    let mut s = tokio::time::timeout(Duration::from_secs(10), socket.connect(server))
        .await
        .ok()?
        .ok()?;
    s.write_all(format!("{selector}\r\n").as_bytes())
        .await
        .ok()?;
    let mut body = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut body))
        .await
        .ok()?
        .ok()?;
    Some(body)
}

struct Measured {
    sent: u64,
    answered: u64,
    latencies: Vec<Duration>,
}

/// A normal client for `seconds`: one request at a time, every 20 ms,
/// the text file and the fortune handler in turn.
async fn normal_client(server: SocketAddr, seconds: f64) -> Measured {
    let until = Instant::now() + Duration::from_secs_f64(seconds);
    let mut m = Measured {
        sent: 0,
        answered: 0,
        latencies: Vec::new(),
    };
    while Instant::now() < until && m.sent < 100_000 {
        let selector = if m.sent.is_multiple_of(2) {
            "/hello.txt"
        } else {
            "/fortune"
        };
        m.sent += 1;
        let t0 = Instant::now();
        let body = request(server, selector).await;
        let good = match (&body, selector) {
            (Some(b), "/hello.txt") => b == TEXT.as_bytes(),
            (Some(b), _) => !b.is_empty() && !b.starts_with(b"3"),
            (None, _) => false,
        };
        if good {
            m.answered += 1;
            m.latencies.push(t0.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    m.latencies.sort();
    m
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

fn report(label: &str, m: &Measured) {
    println!(
        "{label:<24} requests {:>6}  answered {:>7.3}%  p50 {:>7.3} ms  p99 {:>7.3} ms  max {:>8.3} ms",
        m.sent,
        100.0 * m.answered as f64 / m.sent.max(1) as f64,
        ms(percentile(&m.latencies, 0.50)),
        ms(percentile(&m.latencies, 0.99)),
        ms(m.latencies.last().copied().unwrap_or_default()),
    );
}

fn main() {
    let o = options();
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path());
    let pid = server.child.id();
    let addr = server.addr;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let _ = normal_client(addr, 1.0).await;
        let (rss_idle, fds_idle) = process_figures(pid);
        let alone = normal_client(addr, 5.0).await;
        let from = |i: usize| -> IpAddr {
            if o.same_address {
                Ipv4Addr::LOCALHOST.into()
            } else if o.addresses > 1 {
                Ipv4Addr::from(u32::from(Ipv4Addr::new(127, 2, 0, 1)) + i as u32 % o.addresses)
                    .into()
            } else {
                Ipv4Addr::new(127, 0, 0, 2).into()
            }
        };
        let sources = if o.addresses > 1 && !o.same_address {
            format!("{} addresses from {}", o.addresses, from(0))
        } else {
            from(0).to_string()
        };
        println!(
            "gopherd at {addr}; {} slowloris connections from {sources}, one byte every {:?}",
            o.attackers, o.interval
        );
        report("alone", &alone);
        let counts = Arc::new(AttackCounts::default());
        let stop = Arc::new(AtomicBool::new(false));
        for i in 0..o.attackers {
            let delay = o.interval.mul_f64(i as f64 / o.attackers as f64);
            tokio::spawn(slowloris(
                from(i),
                addr,
                o.interval,
                delay,
                counts.clone(),
                stop.clone(),
            ));
        }
        // Let every attacker connect once.
        tokio::time::sleep(o.interval).await;
        let sampling = Arc::new(AtomicBool::new(true));
        let sampler = {
            let sampling = sampling.clone();
            tokio::spawn(async move {
                let mut peak = (0u64, 0u64);
                while sampling.load(Ordering::Relaxed) {
                    let (rss, fds) = process_figures(pid);
                    peak = (peak.0.max(rss), peak.1.max(fds));
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
                peak
            })
        };
        let attacked = normal_client(addr, o.seconds).await;
        sampling.store(false, Ordering::Relaxed);
        let (rss_peak, fds_peak) = sampler.await.unwrap();
        stop.store(true, Ordering::Relaxed);
        report("during the attack", &attacked);
        println!(
            "attack: {} connects, {} closed by the server, {} bytes sent",
            counts.connects.load(Ordering::Relaxed),
            counts.closed_by_server.load(Ordering::Relaxed),
            counts.bytes.load(Ordering::Relaxed)
        );
        println!(
            "gopherd: resident memory {:.1} MiB idle, {:.1} MiB at most during the attack; open descriptors {} idle, {} at most",
            rss_idle as f64 / (1 << 20) as f64,
            rss_peak as f64 / (1 << 20) as f64,
            fds_idle,
            fds_peak
        );
    });
    drop(server);
}
