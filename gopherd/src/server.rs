//! The network side: listening sockets (IPv4 and IPv6), the accept loops
//! handing each connection to [`connection`](crate::connection) with a
//! place from [`admission`](crate::admission), the reload task, and
//! graceful shutdown (stop accepting, let requests in flight finish within
//! the shutdown timeout). Each connection holds a socket slot (see
//! [`open_files::sockets`]) until its socket is closed, so accepting stays
//! within the open-files budget even while connections dropped to make
//! room are still closing. Should descriptors run out anyway, a spare one
//! is given up to tell the next client the server is busy rather than
//! leave it hanging.

use crate::access_log::AccessLog;
use crate::admission::{Admission, Bounds};
use crate::config::{Config, ServerLimits};
use crate::connection::{self, Shared};
use crate::framing;
use crate::gophermap::Site;
use crate::service::Gopherd;
use crate::{open_files, throttle};
use anyhow::Context;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, mpsc, watch};

/// How long shutdown waits for the access log to be written out.
const ACCESS_LOG_PATIENCE: Duration = Duration::from_secs(2);

/// A bound, ready server.
pub struct Server {
    /// The HTTP face's listener and settings, when it is on.
    http: Option<(tokio::net::TcpListener, crate::config::HttpConfig)>,
    /// The admin API's listener, when the handler service is on.
    admin: Option<tokio::net::TcpListener>,
    service: Arc<Gopherd>,
    listeners: Vec<TcpListener>,
    limits: ServerLimits,
    access_log: Arc<AccessLog>,
    reload_interval: Option<Duration>,
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
    /// Checks (and raises) the open-files limit, binds every listen
    /// address, then sets up the gopherhole (compiling its handlers). The
    /// advertised port defaults to the first listener's.
    pub async fn bind(config: Config) -> anyhow::Result<Server> {
        open_files::ensure(&config)?;
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
        let admin = match &config.admin {
            Some(admin) => Some(
                tokio::net::TcpListener::bind(admin.listen)
                    .await
                    .with_context(|| format!("cannot listen on {} (admin.listen)", admin.listen))?,
            ),
            None => None,
        };
        let http = match &config.http {
            Some(http) => Some((
                tokio::net::TcpListener::bind(http.listen)
                    .await
                    .with_context(|| format!("cannot listen on {} (http.listen)", http.listen))?,
                http.clone(),
            )),
            None => None,
        };
        let service = tokio::task::spawn_blocking(move || Gopherd::new(&config, site)).await??;
        Ok(Server {
            http,
            admin,
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

    /// The admin API's address, when the handler service is on.
    pub fn admin_addr(&self) -> Option<SocketAddr> {
        self.admin.as_ref().and_then(|l| l.local_addr().ok())
    }

    /// The gopherhole being served.
    pub fn service(&self) -> &Arc<Gopherd> {
        &self.service
    }

    /// Serves until `shutdown` completes, then stops accepting and waits
    /// (up to the shutdown timeout) for connections in flight. Returns
    /// whether they all finished.
    pub async fn serve(self, shutdown: impl Future<Output = ()>) -> anyhow::Result<bool> {
        let (stop_tx, stop_rx) = watch::channel(false);
        self.service.follow_lattice();
        let admission = Admission::new(Bounds {
            max_answering: self.limits.max_connections,
            max_waiting: self.limits.max_pending,
            max_per_client: self.limits.max_per_client,
        });
        let shared = Arc::new(Shared {
            service: self.service.clone(),
            limits: self.limits.clone(),
            access_log: self.access_log.clone(),
        });
        // Every connection task holds a sender; when all are gone, the
        // receiver sees the end.
        let (in_flight, mut all_done) = mpsc::channel::<()>(1);
        for addr in self.local_addrs() {
            tracing::info!("listening on {addr}");
        }
        let site = self.service.site();
        tracing::info!("advertising {}:{} in menus", site.host, site.port);
        let sockets = Arc::new(Semaphore::new(open_files::sockets(
            &self.limits,
            self.listeners.len(),
        )));
        let mut tasks = tokio::task::JoinSet::new();
        for listener in self.listeners {
            tasks.spawn(accept_loop(
                listener,
                shared.clone(),
                admission.clone(),
                sockets.clone(),
                in_flight.clone(),
                stop_rx.clone(),
            ));
        }
        drop(in_flight);
        if let Some(admin) = self.admin {
            if let Ok(addr) = admin.local_addr() {
                tracing::info!("admin API listening on {addr}");
            }
            tasks.spawn(crate::admin::serve(
                admin,
                self.service.clone(),
                stop_rx.clone(),
            ));
        }
        if let Some((listener, http)) = self.http {
            if let Ok(addr) = listener.local_addr() {
                tracing::info!("HTTP face at http://{addr}/");
            }
            tasks.spawn(crate::http::serve(
                listener,
                self.service.clone(),
                http,
                self.limits.clone(),
                self.access_log.clone(),
                stop_rx.clone(),
            ));
        }
        if let Some(interval) = self.reload_interval {
            tasks.spawn(watch_modules(
                self.service.clone(),
                interval,
                stop_rx.clone(),
            ));
        }
        shutdown.await;
        tracing::info!("shutting down: no new connections; waiting for requests in flight");
        let _ = stop_tx.send(true);
        while tasks.join_next().await.is_some() {}
        let finished = tokio::time::timeout(self.limits.shutdown_timeout, all_done.recv()).await;
        match finished {
            Ok(_) => tracing::info!("all requests finished"),
            Err(_) => tracing::warn!(
                "gave up waiting for {} requests in flight after {:?}",
                admission.answering() + admission.waiting(),
                self.limits.shutdown_timeout
            ),
        }
        let losses = self.access_log.close_and_report(ACCESS_LOG_PATIENCE);
        Ok(finished.is_ok() && !losses.stuck)
    }
}

/// Whether accepting failed for want of descriptors.
fn out_of_descriptors(e: &std::io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(code) if code == rustix::io::Errno::MFILE.raw_os_error()
            || code == rustix::io::Errno::NFILE.raw_os_error()
    )
}

/// A descriptor kept in reserve: given up to accept one connection and
/// tell it the server is busy when descriptors have run out.
fn spare_descriptor() -> Option<std::fs::File> {
    std::fs::File::open("/dev/null").ok()
}

async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    admission: Arc<Admission>,
    sockets: Arc<Semaphore>,
    in_flight: mpsc::Sender<()>,
    mut stop: watch::Receiver<bool>,
) {
    let mut spare = spare_descriptor();
    loop {
        // Taken before accepting: when every slot is held, a connection
        // dropped to make room is still closing (see `open_files::sockets`);
        // its slot comes back as soon as its socket is closed.
        let slot = tokio::select! {
            _ = stop.changed() => break,
            slot = sockets.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
        };
        let accepted = tokio::select! {
            _ = stop.changed() => break,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, peer)) => {
                let ticket = admission.admit(peer);
                let shared = shared.clone();
                let in_flight = in_flight.clone();
                tokio::spawn(async move {
                    // `serve` owns the socket and closes it on return.
                    connection::serve(stream, peer, ticket, shared).await;
                    drop(slot);
                    drop(in_flight);
                });
                if spare.is_none() {
                    spare = spare_descriptor();
                }
            }
            Err(e) if out_of_descriptors(&e) => {
                throttle::warn(format_args!(
                    "accepting a connection failed: {e}; the process's descriptors are all in use"
                ));
                if spare.take().is_some() {
                    turn_away(&listener).await;
                    spare = spare_descriptor();
                } else {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
            Err(e) => {
                throttle::warn(format_args!("accepting a connection failed: {e}"));
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
}

/// Accepts one waiting connection and tells it the server is busy.
async fn turn_away(listener: &TcpListener) {
    if let Ok(Ok((stream, _))) =
        tokio::time::timeout(Duration::from_millis(10), listener.accept()).await
    {
        let _ = stream.try_write(&framing::error("server busy, try again later"));
    }
}

/// Checks the handlers every `interval` until `stop` turns true. The
/// compiling happens on a blocking thread.
pub async fn watch_modules(
    service: std::sync::Arc<Gopherd>,
    interval: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await;
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            _ = tick.tick() => {
                let s = service.clone();
                let _ = tokio::task::spawn_blocking(move || s.reload_changed()).await;
            }
        }
    }
}
