//! One connection's life: read the request line (while only *waiting*, see
//! [`crate::admission`]), take a slot to be answered, answer, log, and
//! linger briefly so the client reads the answer rather than a reset. A
//! waiting connection dropped to make room for another is told the server
//! is busy, without waiting for it to read, and closed.

use crate::access_log::{AccessLog, Entry};
use crate::admission::{Refusal, Ticket};
use crate::config::ServerLimits;
use crate::framing;
use crate::request::{Incoming, Request, RequestError, read_request_line};
use crate::send::{Pace, finish, send};
use crate::service::{Gopherd, Outcome, Response};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

/// How long a closed connection keeps reading what the client still sends,
/// so the client sees the response rather than a reset.
const LINGER: Duration = Duration::from_secs(1);
/// How long an answer given without a slot (an error, "busy") may take to
/// send; it is small enough to fit the socket's buffer at once.
const SHORT_WRITE: Duration = Duration::from_secs(1);

/// What every connection shares.
pub struct Shared {
    /// The gopherhole.
    pub service: Arc<Gopherd>,
    /// The server's limits.
    pub limits: ServerLimits,
    /// Where each request is recorded.
    pub access_log: Arc<AccessLog>,
}

/// What came of reading the request line.
enum Read {
    /// A request to answer.
    Request(Request),
    /// An answer that needs no slot (a bad or late request line).
    Answer(String, Response),
    /// Nothing to answer.
    Nothing,
    /// The connection was dropped to make room.
    Evicted,
}

/// Serves one connection: one request, one response, then close.
pub async fn serve(
    mut stream: TcpStream,
    peer: SocketAddr,
    mut ticket: Ticket,
    shared: Arc<Shared>,
) {
    let started = Instant::now();
    let time = SystemTime::now();
    let _ = stream.set_nodelay(true);
    let limits = &shared.limits;
    let read = tokio::select! {
        biased;
        _ = ticket.evicted() => Read::Evicted,
        read = tokio::time::timeout(
            limits.read_timeout,
            read_request_line(&mut stream, limits.max_selector_length),
        ) => match read {
            Err(_) => Read::Answer(
                "-".into(),
                Response::error_for("-", Outcome::ReadTimeout, "request timed out"),
            ),
            Ok(read) => request_of(read, peer),
        },
    };
    let log = |selector: String, response_route: String, outcome: &str, bytes: u64, trace| {
        shared.access_log.log(&Entry {
            time,
            remote: peer,
            selector,
            route: response_route,
            outcome: outcome.to_string(),
            bytes,
            duration: started.elapsed(),
            trace,
        });
    };
    let (selector, response, answering) = match read {
        Read::Nothing => return,
        Read::Evicted => {
            let body = framing::error("server busy, try again later");
            let sent = stream.try_write(&body).unwrap_or(0);
            log("-".into(), "-".into(), "evicted", sent as u64, None);
            return;
        }
        Read::Answer(selector, response) => (selector, response, false),
        Read::Request(request) => match ticket.answer() {
            Ok(()) => {
                let selector = request.selector.clone();
                (selector, shared.service.respond(request, peer).await, true)
            }
            Err(refusal) => {
                let (outcome, reason) = match refusal {
                    Refusal::Busy => (Outcome::Busy, "server busy, try again later"),
                    Refusal::ClientBusy => (
                        Outcome::ClientBusy,
                        "too many connections from your address, try again later",
                    ),
                };
                (
                    request.selector,
                    Response::error_for("-", outcome, reason),
                    false,
                )
            }
        },
    };
    let pace = if answering {
        Pace {
            stall: limits.write_timeout,
            min_rate: limits.min_send_rate,
        }
    } else {
        Pace {
            stall: SHORT_WRITE,
            min_rate: 0,
        }
    };
    let sent = send(&mut stream, response.body, pace).await;
    // The slot is free before the client can see the end of the response.
    ticket.linger();
    let sent = match sent {
        Ok(n) => finish(&mut stream, n, pace.stall).await,
        Err(e) => Err(e),
    };
    let (outcome, bytes) = match sent {
        Ok(n) => (response.outcome.as_str(), n),
        Err(e) => (e.outcome(), e.sent()),
    };
    log(selector, response.route, outcome, bytes, response.trace);
    tokio::select! {
        _ = ticket.evicted() => {}
        _ = linger(&mut stream, LINGER) => {}
    }
}

/// Turns what was read into a request, an immediate answer, or nothing.
fn request_of(read: Result<Incoming, RequestError>, peer: SocketAddr) -> Read {
    match read {
        Ok(Incoming::Nothing) => {
            tracing::debug!(%peer, "connection closed without a request");
            Read::Nothing
        }
        Err(RequestError::Io(e)) => {
            tracing::debug!(%peer, "reading the request failed: {e}");
            Read::Nothing
        }
        Err(e @ RequestError::TooLong(_)) => Read::Answer(
            "-".into(),
            Response::error_for("-", Outcome::TooLong, &e.to_string()),
        ),
        Err(e) => Read::Answer(
            "-".into(),
            Response::error_for("-", Outcome::BadRequest, &e.to_string()),
        ),
        Ok(Incoming::Line(line)) => match Request::parse(&line) {
            Ok(request) => Read::Request(request),
            Err(e) => Read::Answer(
                String::from_utf8_lossy(&line).into_owned(),
                Response::error_for("-", Outcome::BadRequest, &e.to_string()),
            ),
        },
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
