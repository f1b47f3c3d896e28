//! The handler service's figures, on loopback: how long a deploy takes to
//! be served, a deployed route's requests per second against the same
//! module served from a configured route, how late `logs --follow` hears
//! of invocations under a load of about 1,000 requests a second, and
//! gopherd's memory with many deployed handlers.
//!
//! ```sh
//! cargo bench -p gopherd --bench deploy -- [--handlers 1000] [--seconds 5]
//! ```

mod support;

use std::io::BufRead;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

struct Options {
    handlers: usize,
    seconds: f64,
}

fn options() -> Options {
    let mut o = Options {
        handlers: 1000,
        seconds: 5.0,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        match arg.as_str() {
            "--handlers" => o.handlers = value().parse().expect("a count"),
            "--seconds" => o.seconds = value().parse().expect("seconds"),
            _ => {}
        }
    }
    o
}

fn rss_mib(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .unwrap_or(0.0)
        / 1024.0
}

fn main() {
    let o = options();
    let dir = tempfile::tempdir().unwrap();
    let module = dir.path().join("hello.wat");
    std::fs::write(&module, support::hello("hello from the folder")).unwrap();
    let config = dir.path().join("gopherd.toml");
    std::fs::write(
        &config,
        format!(
            "listen = [\"127.0.0.1:0\"]\naccess_log = \"off\"\nreload_interval = \"off\"\n\
             [limits]\nmax_per_client = 0\n\
             [admin]\nlisten = \"127.0.0.1:0\"\nstate_dir = \"{}\"\n\
             max_handlers_per_account = {}\nmax_logged_invocations = 100000\n\
             [[route]]\nselector = \"/folder/hello\"\nmodule = \"{}\"\n",
            dir.path().join("state").display(),
            o.handlers + 10,
            module.display()
        ),
    )
    .unwrap();
    let made = std::process::Command::new(env!("CARGO_BIN_EXE_gopherd"))
        .args([
            "--config",
            config.to_str().unwrap(),
            "accounts",
            "add",
            "ann",
        ])
        .output()
        .unwrap();
    let token = String::from_utf8_lossy(&made.stdout)
        .lines()
        .last()
        .unwrap()
        .to_string();
    let (server, log) = support::launch_logged(&config);
    let admin = log
        .iter()
        .find_map(|l| l.split("admin API listening on ").nth(1))
        .expect("the admin API listens")
        .trim()
        .to_string();
    let api = support::Api::new(&admin, token);
    let addr = server.addr;
    let pid = server.child.id();
    println!("gopherd deploy bench: {addr}, admin API on {admin}");

    // Deploy to served.
    let mut latencies = Vec::new();
    for n in 0..20 {
        let text = format!("version {n}");
        let t0 = Instant::now();
        api.deploy("hello", &text);
        while support::get(addr, "/~ann/hello") != format!("{text}\n") {}
        latencies.push(t0.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "deploy to served (20 deploys of a 0.5 KB WAT handler): {}",
        support::percentiles(latencies)
    );

    // A deployed route against the same module from a configured route.
    api.deploy("hello", "hello from the folder");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let mut deployed = Vec::new();
    let mut folder = Vec::new();
    for _ in 0..2 {
        folder.push(support::rate(&rt, addr, "/folder/hello", o.seconds).0);
        deployed.push(support::rate(&rt, addr, "/~ann/hello", o.seconds).0);
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    println!(
        "requests/s, 16 connections, {} s x 2 each: configured route {:.0} ({:.0}, {:.0}), deployed route {:.0} ({:.0}, {:.0}): deployed/configured {:.3}",
        o.seconds,
        mean(&folder),
        folder[0],
        folder[1],
        mean(&deployed),
        deployed[0],
        deployed[1],
        mean(&deployed) / mean(&folder)
    );

    // logs --follow under about 1,000 requests a second.
    let follower = api
        .agent
        .get(format!("{}/v1/handlers/hello/logs?follow=true", api.base))
        .header("authorization", &format!("Bearer {}", api.token))
        .call()
        .unwrap();
    let delays = Arc::new(std::sync::Mutex::new(Vec::new()));
    let reading = Arc::new(AtomicBool::new(true));
    let reader = {
        let (delays, reading) = (delays.clone(), reading.clone());
        std::thread::spawn(move || {
            let lines = std::io::BufReader::new(follower.into_body().into_reader()).lines();
            for line in lines {
                let Ok(line) = line else { break };
                let now = SystemTime::now();
                let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) else {
                    continue;
                };
                let Some(time) = v["time"].as_str() else {
                    continue;
                };
                if let Ok(at) = humantime::parse_rfc3339(time)
                    && let Ok(late) = now.duration_since(at)
                {
                    delays.lock().unwrap().push(late.as_secs_f64() * 1000.0);
                }
                if !reading.load(Ordering::Relaxed) {
                    break;
                }
            }
        })
    };
    std::thread::sleep(Duration::from_millis(300));
    let already = delays.lock().unwrap().len();
    let t0 = Instant::now();
    let mut sent = 0u64;
    while t0.elapsed() < Duration::from_secs_f64(o.seconds) {
        support::get(addr, "/~ann/hello");
        sent += 1;
        let due = Duration::from_micros(sent * 1000);
        if let Some(wait) = due.checked_sub(t0.elapsed()) {
            std::thread::sleep(wait);
        }
    }
    std::thread::sleep(Duration::from_millis(500));
    reading.store(false, Ordering::Relaxed);
    support::get(addr, "/~ann/hello");
    let _ = reader.join();
    let seen: Vec<f64> = delays.lock().unwrap()[already..].to_vec();
    println!(
        "logs --follow at {:.0} requests/s: {} of {} invocations heard, delay from the record's time: {}",
        sent as f64 / o.seconds,
        seen.len(),
        sent,
        support::percentiles(seen)
    );

    // Memory with many deployed handlers.
    let before = rss_mib(pid);
    let t0 = Instant::now();
    for n in 0..o.handlers {
        api.deploy(&format!("h{n}"), &format!("handler number {n}"));
    }
    let took = t0.elapsed();
    assert_eq!(
        support::get(addr, &format!("/~ann/h{}", o.handlers - 1)),
        format!("handler number {}\n", o.handlers - 1)
    );
    println!(
        "{} handlers deployed in {:.1} s ({:.1} ms each); gopherd resident memory {:.1} MiB before, {:.1} MiB after ({:.1} KiB a handler)",
        o.handlers,
        took.as_secs_f64(),
        took.as_secs_f64() * 1000.0 / o.handlers as f64,
        before,
        rss_mib(pid),
        (rss_mib(pid) - before) * 1024.0 / o.handlers as f64
    );
    drop(server);
}
