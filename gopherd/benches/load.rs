//! A closed-loop load generator for gopherd, on loopback only.
//!
//! It starts the real `gopherd` binary with a small gopherhole (a static
//! text file, a gophermap menu, and the fortune handler in each ABI), then
//! for each target and each number of connections N keeps N connections
//! busy: each one connects, sends a selector, reads to the end, checks the
//! response, and starts over. Every cell is bounded in time and in count.
//! It prints requests per second and the 50th and 99th percentile latency
//! (connect to last byte).
//!
//! ```sh
//! cargo bench -p gopherd --bench load -- [--seconds S] [--max-requests N] [--connections 1,16,64] [--only NAME]
//! ```
//!
//! Against another server: `--write-hole DIR` writes the static hole into
//! DIR and exits; serve DIR with the other server, then `--against
//! NAME=HOST:PORT` measures the static cells on it too, beside gopherd's.
//! For Gophernicus, as inetd would run it (its per-client throttling
//! raised out of the way: `-i` hits, `-k` KiB):
//!
//! ```sh
//! cargo bench -p gopherd --bench load -- --write-hole /tmp/hole
//! systemd-socket-activate --inetd -a -l 127.0.0.1:7090 \
//!   gophernicus -h localhost -p 7090 -r /tmp/hole -nf -nv -ns -i 100000000 -k 100000000 &
//! cargo bench -p gopherd --bench load -- --only static --against gophernicus=127.0.0.1:7090
//! ```

mod support;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

struct Options {
    seconds: f64,
    max_requests: u64,
    connections: Vec<usize>,
    only: Option<String>,
    write_hole: Option<std::path::PathBuf>,
    against: Vec<(String, SocketAddr)>,
}

fn options() -> Options {
    let mut o = Options {
        seconds: 3.0,
        max_requests: 200_000,
        connections: vec![1, 16, 64],
        only: None,
        write_hole: None,
        against: Vec::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        match arg.as_str() {
            "--seconds" => o.seconds = value().parse().expect("seconds"),
            "--max-requests" => o.max_requests = value().parse().expect("a count"),
            "--connections" => {
                o.connections = value()
                    .split(',')
                    .map(|n| n.parse().expect("a connection count"))
                    .collect()
            }
            "--only" => o.only = Some(value()),
            "--write-hole" => o.write_hole = Some(value().into()),
            "--against" => {
                let spec = value();
                let (name, addr) = spec.split_once('=').expect("--against NAME=HOST:PORT");
                o.against
                    .push((name.to_string(), addr.parse().expect("an address")));
            }
            _ => {}
        }
    }
    o.seconds = o.seconds.clamp(0.1, 60.0);
    o
}

/// The static hole: a text file, a gophermap menu, and a folder listed
/// by its gophermap's `*`.
fn write_hole(root: &Path) {
    std::fs::create_dir_all(root.join("listed")).unwrap();
    std::fs::write(
        root.join("hello.txt"),
        "Hello from the static gopherhole.\nThis file is a few lines long,\n.and one starts with a dot.\n",
    )
    .unwrap();
    let mut map = String::from("A menu read from a gophermap file.\n\n");
    for i in 0..10 {
        map.push_str(&format!("0Document number {i}\tdocs/{i}.txt\n"));
    }
    std::fs::write(root.join("gophermap"), map).unwrap();
    std::fs::write(root.join("listed/gophermap"), "Every file here:\n*\n").unwrap();
    for i in 0..20 {
        std::fs::write(root.join(format!("listed/file{i:02}.txt")), "text\n").unwrap();
    }
}

fn start_server(dir: &Path) -> support::Server {
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples/gopherhole/handlers");
    let root = dir.join("root");
    write_hole(&root);
    let mut config = format!(
        "listen = [\"127.0.0.1:0\"]\nroot = \"{}\"\naccess_log = \"{}\"\nreload_interval = \"1s\"\n[limits]\nmax_per_client = 0\n",
        root.display(),
        dir.join("access.log").display()
    );
    for abi in ["wasi", "dagger", "olin"] {
        config.push_str(&format!(
            "[[route]]\nselector = \"/{abi}/fortune\"\nmodule = \"{}\"\ntype = \"text\"\ntimeout = \"1s\"\n",
            samples.join(abi).join("fortune.wat").display()
        ));
    }
    let path = dir.join("gopherd.toml");
    std::fs::write(&path, config).unwrap();
    support::launch(&path)
}

struct Cell {
    requests: u64,
    errors: u64,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

async fn run_cell(addr: SocketAddr, selector: &str, connections: usize, o: &Options) -> Cell {
    let request: Arc<[u8]> = Arc::from(format!("{selector}\r\n").into_bytes());
    let stop = Arc::new(AtomicBool::new(false));
    let count = Arc::new(AtomicU64::new(0));
    let limit = Duration::from_secs_f64(o.seconds);
    let max = o.max_requests;
    let warmup_until = Instant::now() + Duration::from_millis(200);
    while Instant::now() < warmup_until {
        let mut buf = Vec::new();
        support::ask(addr, &request, &mut buf).await;
    }
    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (request, stop, count) = (request.clone(), stop.clone(), count.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0u64;
            let mut buf = Vec::with_capacity(4096);
            while !stop.load(Ordering::Relaxed) {
                if count.fetch_add(1, Ordering::Relaxed) >= max {
                    break;
                }
                let start = Instant::now();
                if support::ask(addr, &request, &mut buf).await {
                    latencies.push(start.elapsed());
                } else {
                    errors += 1;
                }
                if t0.elapsed() >= limit {
                    stop.store(true, Ordering::Relaxed);
                }
            }
            (latencies, errors)
        }));
    }
    let mut cell = Cell {
        requests: 0,
        errors: 0,
        elapsed: Duration::ZERO,
        latencies: Vec::new(),
    };
    for t in tasks {
        let (l, e) = t.await.unwrap();
        cell.latencies.extend(l);
        cell.errors += e;
    }
    cell.elapsed = t0.elapsed();
    cell.requests = cell.latencies.len() as u64;
    cell.latencies.sort();
    cell
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

fn main() {
    let o = options();
    if let Some(dir) = &o.write_hole {
        write_hole(dir);
        println!("wrote the static hole into {}", dir.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path());
    let targets = [
        ("static text", "/hello.txt"),
        ("static menu", "/"),
        ("static listed", "/listed"),
        ("wasi handler", "/wasi/fortune"),
        ("dagger handler", "/dagger/fortune"),
        ("olin handler", "/olin/fortune"),
    ];
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    println!(
        "gopherd load: {} on {}, closed loop, at most {} s or {} requests per cell",
        env!("CARGO_PKG_VERSION"),
        server.addr,
        o.seconds,
        o.max_requests
    );
    println!(
        "| {:<12} | {:<15} | {:>5} | {:>8} | {:>8} | {:>8} | {:>6} |",
        "server", "target", "conns", "req/s", "p50 ms", "p99 ms", "errors"
    );
    println!(
        "|{:-<14}|{:-<17}|{:->7}|{:->10}|{:->10}|{:->10}|{:->8}|",
        "", "", "", "", "", "", ""
    );
    let mut servers = vec![("gopherd".to_string(), server.addr)];
    servers.extend(o.against.iter().cloned());
    for (name, selector) in targets {
        if o.only.as_deref().is_some_and(|only| !name.contains(only)) {
            continue;
        }
        for (server_name, addr) in &servers {
            if server_name != "gopherd" && !name.starts_with("static") {
                continue;
            }
            for &n in &o.connections {
                let cell = rt.block_on(run_cell(*addr, selector, n, &o));
                println!(
                    "| {:<12} | {:<15} | {:>5} | {:>8.0} | {:>8.3} | {:>8.3} | {:>6} |",
                    server_name,
                    name,
                    n,
                    cell.requests as f64 / cell.elapsed.as_secs_f64(),
                    percentile(&cell.latencies, 0.50),
                    percentile(&cell.latencies, 0.99),
                    cell.errors
                );
            }
        }
    }
    drop(server);
}
