//! What the gopherd benches share: starting the server binary on a
//! configuration file and stopping it when the bench is done.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The gopherd under test, killed when dropped.
pub struct Server {
    pub child: Child,
    pub addr: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts gopherd on the configuration at `config` and waits until it
/// says where it listens; its later log lines are read and dropped.
#[allow(dead_code)] // Not every bench uses it.
pub fn launch(config: &Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gopherd"))
        .args(["--config", &config.display().to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start gopherd");
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("gopherd exited before listening")
            .unwrap();
        if let Some(a) = line.split("listening on ").nth(1) {
            break a.trim().parse().unwrap();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    Server { child, addr }
}

/// Starts gopherd on `config` and waits until its admin API listens too;
/// the server log's lines until then.
#[allow(dead_code)] // Not every bench deploys.
pub fn launch_logged(config: &Path) -> (Server, Vec<String>) {
    launch_until(config, "admin API listening on")
}

/// Starts gopherd on `config` and waits until it logs a line containing
/// `needle`; the server log's lines until then.
#[allow(dead_code)] // Not every bench waits for more than listening.
pub fn launch_until(config: &Path, needle: &str) -> (Server, Vec<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gopherd"))
        .args(["--config", &config.display().to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start gopherd");
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let mut seen = Vec::new();
    let mut addr = None;
    loop {
        let line = lines
            .next()
            .unwrap_or_else(|| panic!("gopherd exited before logging {needle:?}"))
            .unwrap();
        if addr.is_none()
            && let Some(a) = line.split("listening on ").nth(1)
        {
            addr = Some(a.trim().parse().unwrap());
        }
        let done = line.contains(needle);
        seen.push(line);
        if done {
            break;
        }
    }
    std::thread::spawn(move || for _ in lines {});
    let addr = addr.expect("a listening address");
    (Server { child, addr }, seen)
}

/// Sends `request` on a new connection and reads the answer into `buf`;
/// whether an answer came that is not an error item.
#[allow(dead_code)] // Not every bench asks.
pub async fn ask(addr: SocketAddr, request: &[u8], buf: &mut Vec<u8>) -> bool {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let Ok(mut s) = tokio::net::TcpStream::connect(addr).await else {
        return false;
    };
    if s.write_all(request).await.is_err() {
        return false;
    }
    buf.clear();
    if s.read_to_end(buf).await.is_err() {
        return false;
    }
    !buf.is_empty() && !buf.starts_with(b"3")
}

/// A WASI handler printing `text` (a module of its own for every text).
#[allow(dead_code)]
pub fn hello(text: &str) -> String {
    format!(
        r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "{text}\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const {}))
    (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"#,
        text.len() + 1
    )
}

/// The admin API of a running gopherd, as one account.
#[allow(dead_code)] // Not every bench deploys.
pub struct Api {
    pub base: String,
    pub token: String,
    pub agent: ureq::Agent,
}

#[allow(dead_code)]
impl Api {
    /// The API at `addr` (`HOST:PORT`) with `token`.
    pub fn new(addr: &str, token: String) -> Api {
        Api {
            base: format!("http://{addr}"),
            token,
            agent: ureq::Agent::config_builder()
                .http_status_as_error(false)
                .build()
                .new_agent(),
        }
    }

    /// Deploys handler `name` printing `text`; panics if refused.
    pub fn deploy(&self, name: &str, text: &str) {
        if let Err(why) = self.try_deploy(name, text) {
            panic!("{why}");
        }
    }

    /// Deploys handler `name` printing `text`; the refusal if refused.
    pub fn try_deploy(&self, name: &str, text: &str) -> Result<(), String> {
        use base64::Engine;
        let body = serde_json::json!({
            "route": format!("/{name}"),
            "file": format!("{name}.wat"),
            "module": base64::engine::general_purpose::STANDARD.encode(hello(text)),
            "kind": "text",
        });
        let mut response = self
            .agent
            .put(format!("{}/v1/handlers/{name}", self.base))
            .header("authorization", &format!("Bearer {}", self.token))
            .send(serde_json::to_vec(&body).unwrap())
            .map_err(|e| e.to_string())?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(format!(
                "{}: {}",
                response.status(),
                response.body_mut().read_to_string().unwrap_or_default()
            ))
        }
    }
}

/// Asks `selector` on a new connection; the answer as text (empty when
/// none came).
#[allow(dead_code)]
pub fn get(addr: SocketAddr, selector: &str) -> String {
    use std::io::{Read, Write};
    let Ok(mut s) = std::net::TcpStream::connect(addr) else {
        return String::new();
    };
    let _ = s.write_all(format!("{selector}\r\n").as_bytes());
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}

/// Median, 95th percentile and maximum of `v` (milliseconds).
#[allow(dead_code)]
pub fn percentiles(mut v: Vec<f64>) -> String {
    v.sort_by(f64::total_cmp);
    let at = |p: f64| v[((v.len() as f64 * p).ceil() as usize).clamp(1, v.len()) - 1];
    format!(
        "median {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        at(0.5),
        at(0.95),
        at(1.0)
    )
}

/// Requests per second (and failures) on `selector` with 16 connections.
#[allow(dead_code)] // Not every bench measures a rate.
pub fn rate(
    rt: &tokio::runtime::Runtime,
    addr: SocketAddr,
    selector: &str,
    seconds: f64,
) -> (f64, u64) {
    let request: Arc<[u8]> = Arc::from(format!("{selector}\r\n").into_bytes());
    let stop = Arc::new(AtomicBool::new(false));
    let ok = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let t0 = Instant::now();
    rt.block_on(async {
        let tasks: Vec<_> = (0..16)
            .map(|_| {
                let (request, stop, ok, failed) =
                    (request.clone(), stop.clone(), ok.clone(), failed.clone());
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    while !stop.load(Ordering::Relaxed) {
                        if ask(addr, &request, &mut buf).await {
                            ok.fetch_add(1, Ordering::Relaxed);
                        } else {
                            failed.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
        stop.store(true, Ordering::Relaxed);
        for t in tasks {
            t.await.unwrap();
        }
    });
    (
        ok.load(Ordering::Relaxed) as f64 / t0.elapsed().as_secs_f64(),
        failed.load(Ordering::Relaxed),
    )
}
