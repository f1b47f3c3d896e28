//! A soak of the demo gopherhole: gopherd serves a copy of
//! `samples/gopherhole` while N connections ask, in turn, for its static
//! text, menus, folder listings and handlers in every ABI, for a long
//! time. Every `--every` seconds it prints gopherd's resident memory, its
//! thread count (and the threads by name), and the requests answered and
//! failed since the last sample; at the end, the totals and latency
//! percentiles. After the first minutes of a steady load, threads and
//! memory should stay flat.
//!
//! ```sh
//! cargo bench -p gopherd --bench soak -- [--seconds 600] [--connections 16] [--every 30]
//! ```

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// What the clients ask for, in turn.
const SELECTORS: &[&str] = &[
    "/about.txt",
    "/",
    "/docs",
    "/docs/gopher.txt",
    "/handlers/wasi",
    "/wasi/fortune",
    "/dagger/fortune",
    "/olin/fortune",
    "/wasi",
    "/wasi/search\tsandbox",
    "/dagger/search\tgopher",
    "/olin/time",
    "/wasi/guestbook",
    "/c/wasi\tsoak",
];

struct Options {
    seconds: u64,
    connections: usize,
    every: u64,
}

fn options() -> Options {
    let mut o = Options {
        seconds: 600,
        connections: 16,
        every: 30,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        match arg.as_str() {
            "--seconds" => o.seconds = value().parse().expect("seconds"),
            "--connections" => o.connections = value().parse().expect("a count"),
            "--every" => o.every = value().parse().expect("seconds"),
            _ => {}
        }
    }
    o.every = o.every.max(1);
    o
}

/// Copies the demo hole into `dir` (so guestbooks write there) with a
/// configuration listening on an ephemeral port and logging to a file.
fn demo_hole(dir: &Path) -> std::path::PathBuf {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let hole = dir.join("gopherhole");
    copy_tree(&repo.join("samples/gopherhole"), &hole);
    let sdk = repo.join("sdk").canonicalize().unwrap();
    let config = std::fs::read_to_string(hole.join("gopherd.toml"))
        .unwrap()
        .lines()
        .map(|line| {
            if line.starts_with("listen = [") {
                "listen = [\"127.0.0.1:0\"]".to_string()
            } else if line.starts_with("listen = ") {
                "listen = \"127.0.0.1:0\"".to_string()
            } else if line.starts_with("access_log = ") {
                format!("access_log = \"{}\"", dir.join("access.log").display())
            } else {
                line.replace("../../sdk", &sdk.display().to_string())
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let path = hole.join("gopherd.toml");
    std::fs::write(&path, config).unwrap();
    path
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A process's resident memory in KiB and its threads by name.
fn sample(pid: u32) -> (u64, BTreeMap<String, usize>) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let rss = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0);
    let mut threads = BTreeMap::new();
    if let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) {
        for task in tasks.flatten() {
            let name = std::fs::read_to_string(task.path().join("comm"))
                .unwrap_or_default()
                .trim()
                .to_string();
            *threads.entry(name).or_insert(0) += 1;
        }
    }
    (rss, threads)
}

fn main() {
    let o = options();
    let dir = tempfile::tempdir().unwrap();
    let server = support::launch(&demo_hole(dir.path()));
    let pid = server.child.id();
    let addr = server.addr;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    println!(
        "gopherd soak: the demo hole on {addr}, {} connections, {} s, sampled every {} s",
        o.connections, o.seconds, o.every
    );
    println!(
        "| {:>6} | {:>9} | {:>7} | {:>8} | {:>6} | threads by name",
        "time s", "RSS MiB", "threads", "req/s", "failed"
    );
    let stop = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let clients: Vec<_> = (0..o.connections)
        .map(|i| {
            let (stop, answered, failed) = (stop.clone(), answered.clone(), failed.clone());
            rt.spawn(async move {
                let mut latencies = Vec::new();
                let mut buf = Vec::with_capacity(16 * 1024);
                let mut turn = i;
                while !stop.load(Ordering::Relaxed) {
                    let request = format!("{}\r\n", SELECTORS[turn % SELECTORS.len()]);
                    turn += 1;
                    let start = Instant::now();
                    if support::ask(addr, request.as_bytes(), &mut buf).await {
                        latencies.push(start.elapsed());
                        answered.fetch_add(1, Ordering::Relaxed);
                    } else {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
                latencies
            })
        })
        .collect();
    let t0 = Instant::now();
    let mut last = (0u64, 0u64);
    while t0.elapsed() < Duration::from_secs(o.seconds) {
        std::thread::sleep(Duration::from_secs(o.every));
        let (rss, threads) = sample(pid);
        let now = (
            answered.load(Ordering::Relaxed),
            failed.load(Ordering::Relaxed),
        );
        let names: Vec<String> = threads.iter().map(|(n, c)| format!("{n} {c}")).collect();
        println!(
            "| {:>6} | {:>9.1} | {:>7} | {:>8.0} | {:>6} | {}",
            t0.elapsed().as_secs(),
            rss as f64 / 1024.0,
            threads.values().sum::<usize>(),
            (now.0 - last.0) as f64 / o.every as f64,
            now.1 - last.1,
            names.join(", ")
        );
        last = now;
    }
    stop.store(true, Ordering::Relaxed);
    let mut latencies: Vec<Duration> = clients
        .into_iter()
        .flat_map(|c| rt.block_on(c).unwrap())
        .collect();
    latencies.sort();
    let pct = |p: f64| {
        let i = ((latencies.len() as f64 * p).ceil() as usize).clamp(1, latencies.len().max(1)) - 1;
        latencies
            .get(i)
            .map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0)
    };
    println!(
        "{} requests answered, {} failed; latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        answered.load(Ordering::Relaxed),
        failed.load(Ordering::Relaxed),
        pct(0.5),
        pct(0.99),
        pct(1.0)
    );
    drop(server);
}
