//! The network side: listening sockets (IPv4 and IPv6), one task per
//! connection reading its request line within the length and time limits,
//! a bound on connections at once, writing the response within a time
//! limit, the access log, hot reload, and graceful shutdown (stop
//! accepting, let requests in flight finish).

use crate::access_log::{AccessLog, Entry};
use crate::config::{Config, ServerLimits};
use crate::framing;
use crate::gophermap::Site;
use crate::reload;
use crate::request::{Incoming, Request, RequestError, read_request_line};
use crate::service::{Body, Gopherd, Outcome, Response};
use anyhow::Context;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};

/// How long a closed connection keeps reading what the client still sends,
/// so the client sees the response rather than a reset.
const LINGER: Duration = Duration::from_secs(1);
/// How long a "busy" answer may take to send.
const BUSY_WRITE_TIMEOUT: Duration = Duration::from_secs(1);
/// How long a "busy" connection keeps reading what the client sends.
const BUSY_LINGER: Duration = Duration::from_millis(200);

/// A bound, ready server.
pub struct Server {
    service: Arc<Gopherd>,
    listeners: Vec<TcpListener>,
    limits: ServerLimits,
    access_log: Arc<AccessLog>,
    reload_interval: Option<Duration>,
}

struct Shared {
    service: Arc<Gopherd>,
    limits: ServerLimits,
    access_log: Arc<AccessLog>,
}

/// Binds a listening socket; IPv6 sockets take IPv6 only, so `0.0.0.0` and
/// `[::]` can both be bound on one port.
fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    if addr.is_ipv6() {
        socket.set_only_v6(true)?;
    }
    socket.set_reuse_address(true)?;
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    socket.listen(1024)?;
    TcpListener::from_std(socket.into())
}

impl Server {
    /// Binds every listen address, then sets up the gopherhole (compiling
    /// its handlers). The advertised port defaults to the first listener's.
    pub async fn bind(config: Config) -> anyhow::Result<Server> {
        let mut listeners = Vec::new();
        for addr in &config.listen {
            listeners.push(bind(*addr).with_context(|| format!("cannot listen on {addr}"))?);
        }
        let first_port = listeners
            .first()
            .context("no listen address")?
            .local_addr()?
            .port();
        let site = Site {
            host: config.host.clone(),
            port: config.port.unwrap_or(first_port),
        };
        let access_log =
            AccessLog::open(&config.access_log).context("cannot open the access log")?;
        let limits = config.limits.clone();
        let reload_interval = config.reload_interval;
        let service = tokio::task::spawn_blocking(move || Gopherd::new(&config, site)).await??;
        Ok(Server {
            service: Arc::new(service),
            listeners,
            limits,
            access_log: Arc::new(access_log),
            reload_interval,
        })
    }

    /// The addresses actually bound (ports chosen by the system included).
    pub fn local_addrs(&self) -> Vec<SocketAddr> {
        self.listeners
            .iter()
            .filter_map(|l| l.local_addr().ok())
            .collect()
    }

    /// The gopherhole being served.
    pub fn service(&self) -> &Arc<Gopherd> {
        &self.service
    }

    /// Serves until `shutdown` completes, then stops accepting and waits
    /// (up to the shutdown timeout) for connections in flight.
    pub async fn serve(self, shutdown: impl Future<Output = ()>) -> anyhow::Result<()> {
        let (stop_tx, stop_rx) = watch::channel(false);
        let connections = Arc::new(Semaphore::new(self.limits.max_connections));
        let shared = Arc::new(Shared {
            service: self.service.clone(),
            limits: self.limits.clone(),
            access_log: self.access_log.clone(),
        });
        for addr in self.local_addrs() {
            tracing::info!("listening on {addr}");
        }
        let site = self.service.site();
        tracing::info!("advertising {}:{} in menus", site.host, site.port);
        let mut tasks = tokio::task::JoinSet::new();
        for listener in self.listeners {
            tasks.spawn(accept_loop(
                listener,
                shared.clone(),
                connections.clone(),
                stop_rx.clone(),
            ));
        }
        if let Some(interval) = self.reload_interval {
            tasks.spawn(reload::watch_modules(
                self.service.clone(),
                interval,
                stop_rx.clone(),
            ));
        }
        shutdown.await;
        tracing::info!("shutting down: no new connections; waiting for requests in flight");
        let _ = stop_tx.send(true);
        while tasks.join_next().await.is_some() {}
        let all = self.limits.max_connections as u32;
        match tokio::time::timeout(self.limits.shutdown_timeout, connections.acquire_many(all))
            .await
        {
            Ok(_) => tracing::info!("all requests finished"),
            Err(_) => tracing::warn!(
                "gave up waiting for requests in flight after {:?}",
                self.limits.shutdown_timeout
            ),
        }
        self.access_log.close();
        let dropped = self.access_log.dropped();
        if dropped > 0 {
            tracing::warn!("{dropped} access log lines were dropped: the log could not keep up");
        }
        Ok(())
    }
}

async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    connections: Arc<Semaphore>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        let accepted = tokio::select! {
            _ = stop.changed() => break,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, peer)) => match connections.clone().try_acquire_owned() {
                Ok(permit) => {
                    tokio::spawn(connection(stream, peer, shared.clone(), permit));
                }
                Err(_) => {
                    tokio::spawn(busy(stream, peer, shared.clone()));
                }
            },
            Err(e) => {
                tracing::warn!("accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

/// Answers a connection over the limit with an error item and closes it.
async fn busy(mut stream: TcpStream, peer: SocketAddr, shared: Arc<Shared>) {
    let started = Instant::now();
    let time = SystemTime::now();
    let body = framing::error("server busy, try again later");
    let sent = tokio::time::timeout(BUSY_WRITE_TIMEOUT, async {
        stream.write_all(&body).await?;
        stream.shutdown().await
    })
    .await;
    shared.access_log.log(&Entry {
        time,
        remote: peer,
        selector: "-".into(),
        route: "-".into(),
        outcome: Outcome::Busy.as_str().into(),
        bytes: if matches!(sent, Ok(Ok(()))) {
            body.len() as u64
        } else {
            0
        },
        duration: started.elapsed(),
        trace: None,
    });
    linger(&mut stream, BUSY_LINGER).await;
}

/// Serves one connection: one request, one response, then close.
async fn connection(
    mut stream: TcpStream,
    peer: SocketAddr,
    shared: Arc<Shared>,
    permit: OwnedSemaphorePermit,
) {
    let started = Instant::now();
    let time = SystemTime::now();
    let _ = stream.set_nodelay(true);
    let limits = &shared.limits;
    let read = tokio::time::timeout(
        limits.read_timeout,
        read_request_line(&mut stream, limits.max_selector_length),
    )
    .await;
    let (selector, response) = match read {
        Err(_) => (
            "-".to_string(),
            Response::error_for("-", Outcome::ReadTimeout, "request timed out"),
        ),
        Ok(Ok(Incoming::Nothing)) => {
            tracing::debug!(%peer, "connection closed without a request");
            return;
        }
        Ok(Err(RequestError::Io(e))) => {
            tracing::debug!(%peer, "reading the request failed: {e}");
            return;
        }
        Ok(Err(e @ RequestError::TooLong(_))) => (
            "-".to_string(),
            Response::error_for("-", Outcome::TooLong, &e.to_string()),
        ),
        Ok(Err(e)) => (
            "-".to_string(),
            Response::error_for("-", Outcome::BadRequest, &e.to_string()),
        ),
        Ok(Ok(Incoming::Line(line))) => match Request::parse(&line) {
            Ok(request) => {
                let selector = request.selector.clone();
                (selector, shared.service.respond(request, peer).await)
            }
            Err(e) => (
                String::from_utf8_lossy(&line).into_owned(),
                Response::error_for("-", Outcome::BadRequest, &e.to_string()),
            ),
        },
    };
    let (outcome, bytes) = match send(&mut stream, response.body, limits.write_timeout).await {
        Ok(n) => (response.outcome.as_str().to_string(), n),
        Err(SendError::Stalled(n)) => ("write-timeout".to_string(), n),
        Err(SendError::Failed(n)) => ("client-gone".to_string(), n),
    };
    shared.access_log.log(&Entry {
        time,
        remote: peer,
        selector,
        route: response.route,
        outcome,
        bytes,
        duration: started.elapsed(),
        trace: response.trace,
    });
    drop(permit);
    linger(&mut stream, LINGER).await;
}

/// Why sending stopped, and how many bytes had gone out.
enum SendError {
    /// The client took no data for longer than the write timeout.
    Stalled(u64),
    /// The connection (or the file) failed.
    Failed(u64),
}

/// Sends a body, then half-closes. No single write may stall for longer
/// than `stall`; a large file may take as long as it needs otherwise.
async fn send(stream: &mut TcpStream, body: Body, stall: Duration) -> Result<u64, SendError> {
    const CHUNK: usize = 64 * 1024;
    let mut sent = 0u64;
    match body {
        Body::Bytes(bytes) => {
            for chunk in bytes.chunks(CHUNK) {
                write_chunk(stream, chunk, stall, &mut sent).await?;
            }
        }
        Body::File { file, .. } => {
            let mut file = tokio::fs::File::from_std(file);
            let mut buf = vec![0u8; CHUNK];
            loop {
                let n = match file.read(&mut buf).await {
                    Ok(0) => break,
                    Ok(n) => n,
                    Err(e) => {
                        tracing::warn!("reading a static file failed while sending it: {e}");
                        return Err(SendError::Failed(sent));
                    }
                };
                write_chunk(stream, &buf[..n], stall, &mut sent).await?;
            }
        }
    }
    match tokio::time::timeout(stall, stream.shutdown()).await {
        Ok(Ok(())) => Ok(sent),
        Ok(Err(_)) => Err(SendError::Failed(sent)),
        Err(_) => Err(SendError::Stalled(sent)),
    }
}

async fn write_chunk(
    stream: &mut TcpStream,
    data: &[u8],
    stall: Duration,
    sent: &mut u64,
) -> Result<(), SendError> {
    match tokio::time::timeout(stall, stream.write_all(data)).await {
        Ok(Ok(())) => {
            *sent += data.len() as u64;
            Ok(())
        }
        Ok(Err(_)) => Err(SendError::Failed(*sent)),
        Err(_) => Err(SendError::Stalled(*sent)),
    }
}

/// Reads and discards what the client still sends until it closes (or for
/// `at_most`), so closing does not reset the connection before the client
/// has read the response.
async fn linger(stream: &mut TcpStream, at_most: Duration) {
    let mut sink = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + at_most;
    let mut total = 0usize;
    while total < 64 * 1024 {
        match tokio::time::timeout_at(deadline, stream.read(&mut sink)).await {
            Ok(Ok(n)) if n > 0 => total += n,
            _ => break,
        }
    }
}
