//! What the gopherd benches share: starting the server binary on a
//! configuration file and stopping it when the bench is done.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};

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
