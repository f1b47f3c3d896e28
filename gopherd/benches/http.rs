//! The HTTP face's figures, on loopback: requests per second of one WASI
//! handler served as a WAGI route on the HTTP face against the same
//! module on a Gopher route, with 16 clients, HTTP both with a connection
//! per request (as Gopher always is) and with connections kept alive; and
//! the web pages of the gopherhole (a menu) against the same menu over
//! Gopher.
//!
//! ```sh
//! cargo bench -p gopherd --bench http -- [--seconds 5] [--clients 16]
//! ```

mod support;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A WASI handler writing a WAGI answer: a header, a blank line, a line.
const HANDLER: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "content-type: text/plain\n\nhello from one handler\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 48))
    (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"#;

struct Options {
    seconds: f64,
    clients: usize,
}

fn options() -> Options {
    let mut o = Options {
        seconds: 5.0,
        clients: 16,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        match arg.as_str() {
            "--seconds" => o.seconds = value().parse().expect("seconds"),
            "--clients" => o.clients = value().parse().expect("a count"),
            _ => {}
        }
    }
    o
}

/// How a client asks.
#[derive(Clone, Copy)]
enum Ask {
    /// A Gopher request on a new connection.
    Gopher,
    /// An HTTP request on a new connection (`Connection: close`).
    HttpClose,
    /// HTTP requests one after another on one kept-alive connection.
    HttpKeepAlive,
}

/// Reads one HTTP response (with a `content-length`) from `s`; whether it
/// was a 200.
async fn read_response(s: &mut tokio::net::TcpStream, buf: &mut Vec<u8>) -> bool {
    buf.clear();
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            while buf.len() < end + 4 + length {
                match s.read(&mut chunk).await {
                    Ok(0) | Err(_) => return false,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            return head.starts_with("http/1.1 200");
        }
        match s.read(&mut chunk).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

/// Requests per second and failures of `clients` clients asking `path`
/// (a selector for Gopher) for `seconds`.
fn rate(
    rt: &tokio::runtime::Runtime,
    addr: SocketAddr,
    ask: Ask,
    path: &str,
    o: &Options,
) -> (f64, u64) {
    let stop = Arc::new(AtomicBool::new(false));
    let ok = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let request: Arc<[u8]> = Arc::from(
        match ask {
            Ask::Gopher => format!("{path}\r\n"),
            Ask::HttpClose => {
                format!("GET {path} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
            }
            Ask::HttpKeepAlive => format!("GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n"),
        }
        .into_bytes(),
    );
    let t0 = Instant::now();
    rt.block_on(async {
        let tasks: Vec<_> = (0..o.clients)
            .map(|_| {
                let (request, stop, ok, failed) =
                    (request.clone(), stop.clone(), ok.clone(), failed.clone());
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut kept: Option<tokio::net::TcpStream> = None;
                    while !stop.load(Ordering::Relaxed) {
                        let answered = match ask {
                            Ask::Gopher => support::ask(addr, &request, &mut buf).await,
                            Ask::HttpClose => match tokio::net::TcpStream::connect(addr).await {
                                Ok(mut s) => {
                                    s.write_all(&request).await.is_ok()
                                        && read_response(&mut s, &mut buf).await
                                }
                                Err(_) => false,
                            },
                            Ask::HttpKeepAlive => {
                                if kept.is_none() {
                                    kept = tokio::net::TcpStream::connect(addr).await.ok();
                                }
                                match kept.as_mut() {
                                    Some(s) => {
                                        let _ = s.set_nodelay(true);
                                        let fine = s.write_all(&request).await.is_ok()
                                            && read_response(s, &mut buf).await;
                                        if !fine {
                                            kept = None;
                                        }
                                        fine
                                    }
                                    None => false,
                                }
                            }
                        };
                        if answered {
                            ok.fetch_add(1, Ordering::Relaxed);
                        } else {
                            failed.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_secs_f64(o.seconds)).await;
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

fn main() {
    let o = options();
    let dir = tempfile::tempdir().unwrap();
    let module = dir.path().join("hello.wat");
    std::fs::write(&module, HANDLER).unwrap();
    let root = dir.path().join("root");
    std::fs::create_dir_all(root.join("docs")).unwrap();
    for n in 0..20 {
        std::fs::write(root.join(format!("docs/note{n}.txt")), "a note\n").unwrap();
    }
    let config = dir.path().join("gopherd.toml");
    std::fs::write(
        &config,
        format!(
            "listen = [\"127.0.0.1:0\"]\nroot = \"{root}\"\naccess_log = \"off\"\nreload_interval = \"off\"\n\
             [limits]\nmax_per_client = 0\n\
             [[route]]\nselector = \"/hello\"\nmodule = \"{module}\"\ntype = \"text\"\n\
             [http]\nlisten = \"127.0.0.1:0\"\n\
             [[http.route]]\npath = \"/hello\"\nmodule = \"{module}\"\n",
            root = root.display(),
            module = module.display()
        ),
    )
    .unwrap();
    let (server, log) = support::launch_until(&config, "HTTP face at");
    let web: SocketAddr = log
        .iter()
        .find_map(|l| l.split("HTTP face at http://").nth(1))
        .expect("the HTTP face")
        .trim()
        .trim_end_matches('/')
        .parse()
        .unwrap();
    let gopher = server.addr;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    println!(
        "gopherd HTTP face bench: Gopher on {gopher}, HTTP on {web}, {} clients, {} s each",
        o.clients, o.seconds
    );
    let line = |what: &str, (rate, failed): (f64, u64), base: f64| {
        println!(
            "  {what:<44} {rate:>9.0} req/s  ({:.3} of Gopher; {failed} failed)",
            rate / base
        );
    };
    let handler = rate(&rt, gopher, Ask::Gopher, "/hello", &o);
    println!("handler (same module, WASI):");
    line("Gopher route /hello", handler, handler.0);
    line(
        "HTTP WAGI route, a connection per request",
        rate(&rt, web, Ask::HttpClose, "/hello", &o),
        handler.0,
    );
    line(
        "HTTP WAGI route, connections kept alive",
        rate(&rt, web, Ask::HttpKeepAlive, "/hello", &o),
        handler.0,
    );
    let menu = rate(&rt, gopher, Ask::Gopher, "/docs", &o);
    println!("a listed folder (20 files):");
    line("Gopher menu /docs", menu, menu.0);
    line(
        "web page /1/docs, a connection per request",
        rate(&rt, web, Ask::HttpClose, "/1/docs", &o),
        menu.0,
    );
    line(
        "web page /1/docs, connections kept alive",
        rate(&rt, web, Ask::HttpKeepAlive, "/1/docs", &o),
        menu.0,
    );
    drop(server);
}
