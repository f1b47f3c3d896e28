//! The HTTP face: gopherd answering HTTP/1.1 on an address of its own,
//! through the same runtime core, handler slots and limits as its Gopher
//! side. Routes run handlers CGI-style in the convention they name (WAGI
//! or Olin's cwa-cgi, see [`cgi`]); every other path shows the gopherhole
//! as web pages ([`browse`]). [`serve`] is its one entry.
//!
//! Bad input gets what the Gopher side gets: headers larger than 16 KiB
//! or slower than the read timeout are cut off by hyper with a 4xx, a body
//! over `max_body` is refused with 413, one slower than the read timeout
//! with 408, a client that stops reading for the write timeout is cut
//! off, and at most `max_connections` connections are served at once.
//! Every request goes to the access log as `METHOD /path` with its route
//! (`http:/prefix` for a handler, `web` for the gopherhole) and status.

pub mod browse;
pub mod cgi;
mod stall;

use crate::access_log::{AccessLog, Entry};
use crate::config::{HttpConfig, ServerLimits, TextFraming};
use crate::request::Request as GopherRequest;
use crate::service::{Gopherd, Outcome};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// What every request of the face shares.
struct Face {
    service: Arc<Gopherd>,
    config: HttpConfig,
    limits: ServerLimits,
    local_port: u16,
    access_log: Arc<AccessLog>,
    /// Runs so far, for cwa-cgi's `RUN_ID`.
    runs: AtomicUsize,
}

/// Answers HTTP on `listener` until `stop` turns true.
pub async fn serve(
    listener: TcpListener,
    service: Arc<Gopherd>,
    config: HttpConfig,
    limits: ServerLimits,
    access_log: Arc<AccessLog>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let local_port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
    let connections = Arc::new(Semaphore::new(limits.max_connections));
    let face = Arc::new(Face {
        service,
        config,
        limits,
        local_port,
        access_log,
        runs: AtomicUsize::new(0),
    });
    loop {
        let permit = tokio::select! {
            permit = connections.clone().acquire_owned() => permit,
            _ = stop.changed() => return,
        };
        let Ok(permit) = permit else { return };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stop.changed() => return,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(e) => {
                tracing::warn!("HTTP: accepting failed: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                continue;
            }
        };
        let face = face.clone();
        tokio::spawn(async move {
            let _ = stream.set_nodelay(true);
            let io = hyper_util::rt::TokioIo::new(stall::StallGuard::new(
                stream,
                face.limits.write_timeout,
            ));
            let read_timeout = face.limits.read_timeout;
            let (time, started) = (std::time::SystemTime::now(), std::time::Instant::now());
            let access_log = face.access_log.clone();
            let answer = hyper::service::service_fn(move |request| {
                let face = face.clone();
                async move { Ok::<_, std::convert::Infallible>(logged(request, &face, peer).await) }
            });
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(read_timeout)
                .max_buf_size(16 * 1024)
                .serve_connection(io, answer);
            if let Err(e) = connection.await {
                tracing::debug!(%peer, "HTTP connection ended: {e}");
                // hyper answered these itself; they go to the log too.
                let status = if e.is_parse_too_large() {
                    Some(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE)
                } else if e.is_parse() {
                    Some(StatusCode::BAD_REQUEST)
                } else {
                    None
                };
                if let Some(status) = status {
                    access_log.log(&Entry {
                        time,
                        remote: peer,
                        selector: "-".into(),
                        route: "-".into(),
                        outcome: outcome_of(status),
                        bytes: 0,
                        duration: started.elapsed(),
                        trace: None,
                    });
                }
            }
            drop(permit);
        });
    }
}

/// Answers `request` and writes it to the access log.
async fn logged(
    request: Request<Incoming>,
    face: &Arc<Face>,
    peer: SocketAddr,
) -> Response<Full<Bytes>> {
    let time = std::time::SystemTime::now();
    let started = std::time::Instant::now();
    let asked = format!(
        "{} {}",
        request.method(),
        request
            .uri()
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/")
    );
    let route = face
        .service
        .http_route(request.uri().path())
        .map(|matched| matched.route.route.selector.clone());
    let logged_route = match &route {
        Some(path) => format!("http:{path}"),
        None => "web".to_string(),
    };
    let response = answer(request, face, peer, route.is_some()).await;
    face.access_log.log(&Entry {
        time,
        remote: peer,
        selector: asked,
        route: logged_route,
        outcome: outcome_of(response.status()),
        bytes: hyper::body::Body::size_hint(response.body())
            .exact()
            .unwrap_or(0),
        duration: started.elapsed(),
        trace: None,
    });
    response
}

/// A status as the access log's outcome word: `404-not-found`.
fn outcome_of(status: StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!(
            "{}-{}",
            status.as_u16(),
            reason.to_ascii_lowercase().replace(' ', "-")
        ),
        None => status.as_u16().to_string(),
    }
}

fn plain(status: StatusCode, text: &str) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", "text/plain; charset=utf-8")
        .body(Full::new(Bytes::from(format!("{text}\n"))))
        .expect("a valid response")
}

/// Runs the handler of the route `request` names, if `routed`, else
/// shows the gopherhole.
async fn answer(
    request: Request<Incoming>,
    face: &Arc<Face>,
    peer: SocketAddr,
    routed: bool,
) -> Response<Full<Bytes>> {
    let raw_path = request.uri().path().to_string();
    let query = request.uri().query().unwrap_or("").to_string();
    if routed {
        return run(request, face, peer, query).await;
    }
    if !face.config.browse {
        return plain(StatusCode::NOT_FOUND, "not found");
    }
    if request.method() != hyper::Method::GET && request.method() != hyper::Method::HEAD {
        return plain(
            StatusCode::METHOD_NOT_ALLOWED,
            "the gopherhole is read with GET",
        );
    }
    browse(face, peer, &raw_path, &query).await
}

async fn run(
    request: Request<Incoming>,
    face: &Arc<Face>,
    peer: SocketAddr,
    query: String,
) -> Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let max = face.config.max_body as usize;
    let body =
        match tokio::time::timeout(face.limits.read_timeout, Limited::new(body, max).collect())
            .await
        {
            Err(_) => {
                return plain(
                    StatusCode::REQUEST_TIMEOUT,
                    "the request body came too slowly",
                );
            }
            Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => {
                return plain(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    &format!("the request body is larger than this server's {max} bytes"),
                );
            }
            Ok(Err(e)) => {
                return plain(
                    StatusCode::BAD_REQUEST,
                    &format!("cannot read the body: {e}"),
                );
            }
            Ok(Ok(collected)) => collected.to_bytes().to_vec(),
        };
    let host = headers
        .iter()
        .find(|(n, _)| n == "host")
        .map(|(_, v)| v.clone());
    let (server_name, server_port) = match host.as_deref().and_then(|h| h.rsplit_once(':')) {
        Some((name, port)) => (name.to_string(), port.parse().unwrap_or(face.local_port)),
        None => (
            host.unwrap_or_else(|| face.service.site().host.clone()),
            face.local_port,
        ),
    };
    let http = cgi::HttpRequest {
        method: parts.method.to_string(),
        raw_path: parts.uri.path().to_string(),
        query,
        headers,
        body,
        remote: peer,
        server_name,
        server_port,
    };
    let run_id = face.runs.fetch_add(1, Ordering::Relaxed);
    let raw_path = http.raw_path.clone();
    let ran = face
        .service
        .run_handler_job(move |service| {
            // Looked up again on the worker: a reload may have swapped it.
            let matched = service.http_route(&raw_path)?;
            let (route, handler) = (matched.route, matched.handler);
            let env = cgi::environment(
                route,
                &http,
                &matched.path_info,
                &format!("{run_id:016x}"),
                std::process::id() as usize,
            );
            let convention = route.convention;
            let ran = handler.run_with(service.runtime(), Vec::new(), |loaded, stdout, stderr| {
                let args = cgi::arguments(route, loaded.program.name(), &http.query)
                    .into_iter()
                    .chain(handler.route().args.iter().cloned())
                    .collect();
                handler.process(args, env, http.body.into(), stdout, stderr)
            });
            Some((convention, ran))
        })
        .await
        .flatten();
    let Some((convention, ran)) = ran else {
        return plain(
            StatusCode::SERVICE_UNAVAILABLE,
            "the handler could not be run",
        );
    };
    let output = match ran.result {
        Ok(output) => output,
        Err(failure) => {
            crate::throttle::warn(format_args!(
                "HTTP handler for {} failed ({}): {}",
                parts.uri.path(),
                failure.outcome,
                failure.detail
            ));
            return plain(StatusCode::INTERNAL_SERVER_ERROR, &failure.reason);
        }
    };
    match cgi::response(convention, &output) {
        Ok(made) => {
            let mut response = Response::builder()
                .status(StatusCode::from_u16(made.status).unwrap_or(StatusCode::OK));
            for (name, value) in &made.headers {
                if matches!(
                    name.as_str(),
                    "content-length" | "transfer-encoding" | "connection"
                ) {
                    continue;
                }
                response = response.header(name.as_str(), value.as_str());
            }
            response
                .body(Full::new(Bytes::from(made.body)))
                .unwrap_or_else(|e| {
                    plain(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        &format!("the handler's headers are not valid: {e}"),
                    )
                })
        }
        Err(why) => plain(StatusCode::INTERNAL_SERVER_ERROR, &why),
    }
}

async fn browse(
    face: &Arc<Face>,
    peer: SocketAddr,
    raw_path: &str,
    query: &str,
) -> Response<Full<Bytes>> {
    let wanted = browse::wanted(raw_path, query);
    if wanted.kind == b'7' && wanted.query.is_none() {
        return html(
            StatusCode::OK,
            browse::search_form(&wanted.selector, face.service.site()),
        );
    }
    let request = GopherRequest {
        query: wanted.query.clone(),
        ..GopherRequest::new(wanted.selector.clone())
    };
    // Answered as a Gopher request is: within the same slots and time
    // limits, on the same workers.
    let response = face.service.respond(request, peer).await;
    let outcome = response.outcome;
    // A large file's body is read from disk here, off the async threads.
    let bytes = match tokio::task::spawn_blocking(move || response.body.into_bytes()).await {
        Ok(Ok(bytes)) => bytes,
        _ => return plain(StatusCode::INTERNAL_SERVER_ERROR, "cannot read this item"),
    };
    let status = match outcome {
        Outcome::Ok => StatusCode::OK,
        Outcome::NotFound => StatusCode::NOT_FOUND,
        Outcome::Refused => StatusCode::FORBIDDEN,
        Outcome::Busy | Outcome::ClientBusy => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    match wanted.kind {
        // Menus, search results, and whatever could not be answered (an
        // error item) read as pages.
        kind if matches!(kind, b'1' | b'7') || status != StatusCode::OK => html(
            status,
            browse::menu_page(
                &wanted.selector,
                wanted.query.as_deref(),
                &bytes,
                face.service.site(),
            ),
        ),
        kind => {
            // A browser shows the text, not its Gopher framing.
            let bytes = if kind == b'0' && face.service.text_framing() == TextFraming::Rfc1436 {
                crate::framing::unframe_text(&bytes)
            } else {
                bytes
            };
            let mut built = Response::builder().status(status);
            if let Some(content_type) = browse::content_type(kind) {
                built = built.header("content-type", content_type);
            }
            built
                .body(Full::new(Bytes::from(bytes)))
                .expect("a valid response")
        }
    }
}

fn html(status: StatusCode, page: String) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", "text/html; charset=utf-8")
        .body(Full::new(Bytes::from(page)))
        .expect("a valid response")
}
