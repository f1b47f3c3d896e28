//! `http://` and `https://` streams: the guest writes a raw HTTP request,
//! `flush` sends it to the URL the stream was opened with (through `ureq`,
//! TLS by rustls), and reads then return the raw response: status line,
//! headers, blank line, body. Redirects are not followed: the guest sees them.
//!
//! A URL with no host (`https://`, as the olin crate's client opens for
//! every request) takes its target from the request, as the original Olin
//! and Dagger hosts did: plain `http`, the host of an absolute request line
//! or else the `Host:` header, the request line's path. The network
//! allowances and the policy are checked against that URL at the flush.
//!
//! What the host holds for a stream is charged to the guest's memory
//! budget: the request as it is written, and while a response is open its
//! head and the connection's buffers. The body is never held: reads take it
//! from the connection as the guest asks.

use super::Stream;
use crate::sandbox::memory_budget::MemoryBudget;
use crate::sandbox::policy::{Access, NetAllow, Verdict};
use std::io::{self, Cursor, Read};
use std::time::Duration;
use ureq::http::{self, Request};

/// Largest request a guest may write before flushing.
const MAX_REQUEST: usize = 16 << 20;
/// Bytes the connection buffers on each side while a response is open.
const CONNECTION_BUFFER: usize = 64 << 10;
/// Request headers the client sets itself from the URL and body.
const CLIENT_HEADERS: &[&str] = &[
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "proxy-connection",
    "upgrade",
    "te",
];

/// Where a stream's request goes.
#[derive(Clone, Debug)]
pub enum Target {
    /// The URL it was opened with (already checked at the open).
    Url(String),
    /// The URL its request names, checked against these allowances at the
    /// flush.
    FromRequest(Access),
}

/// A request refused by the policy at the flush: the guest must be killed,
/// as for a URL refused at the open. Carried inside an `io::Error`.
#[derive(Debug)]
pub struct PolicyRefusal(pub String);

impl std::fmt::Display for PolicyRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PolicyRefusal {}

/// The policy's refusal inside `e`, if that is what it is.
pub fn as_policy_refusal(e: &io::Error) -> Option<&PolicyRefusal> {
    e.get_ref()?.downcast_ref::<PolicyRefusal>()
}

/// An HTTP(S) stream.
pub struct Http {
    scheme: &'static str,
    target: Target,
    timeout: Duration,
    budget: MemoryBudget,
    request: Vec<u8>,
    response: Option<Response>,
}

/// A response being read: its head as text, then the body from the connection.
struct Response {
    reader: io::Chain<Cursor<Vec<u8>>, ureq::BodyReader<'static>>,
    /// Bytes of the budget it holds.
    charged: u64,
}

impl Http {
    /// A stream to `target`; one exchange may take at most `timeout`. What
    /// it holds is charged to `budget`.
    pub fn new(
        scheme: &'static str,
        target: Target,
        timeout: Duration,
        budget: MemoryBudget,
    ) -> Http {
        Http {
            scheme,
            target,
            timeout,
            budget,
            request: Vec::new(),
            response: None,
        }
    }

    fn agent(&self) -> ureq::Agent {
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .proxy(None)
            .accept("")
            .accept_encoding("")
            .allow_non_standard_methods(true)
            .timeout_global(Some(self.timeout))
            .input_buffer_size(CONNECTION_BUFFER)
            .output_buffer_size(CONNECTION_BUFFER)
            .build()
            .new_agent()
    }

    /// Forgets the request written so far, giving its bytes back.
    fn drop_request(&mut self) {
        self.budget.give_back(self.request.len() as u64);
        self.request = Vec::new();
    }

    /// Closes the response being read, giving its bytes back.
    fn drop_response(&mut self) {
        if let Some(r) = self.response.take() {
            self.budget.give_back(r.charged);
        }
    }

    /// Sends the request written so far and opens its response.
    fn exchange(&mut self) -> io::Result<Response> {
        let url = match &self.target {
            Target::Url(url) => url.clone(),
            Target::FromRequest(access) => {
                let resolved = resolve_target(&self.request)?;
                check_access(access, &resolved)?;
                resolved.url
            }
        };
        let request = parse_request(&self.request, &url)?;
        self.drop_request();
        let agent = self.agent();
        let (parts, body) = request.into_parts();
        let response = if body.is_empty() {
            agent.run(Request::from_parts(parts, ()))
        } else {
            agent.run(Request::from_parts(parts, body))
        }
        .map_err(io_error)?;
        let (parts, body) = response.into_parts();
        let head = response_head(&parts);
        let charged = (head.len() + 2 * CONNECTION_BUFFER) as u64;
        self.budget.take(charged).map_err(|over| {
            io::Error::new(
                io::ErrorKind::OutOfMemory,
                format!("{over}: no room for the response's connection"),
            )
        })?;
        Ok(Response {
            reader: Cursor::new(head).chain(body.into_reader()),
            charged,
        })
    }
}

impl Drop for Http {
    fn drop(&mut self) {
        self.drop_request();
        self.drop_response();
    }
}

fn invalid(message: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.into())
}

/// Where the head of a raw request ends and its body starts: at the first
/// empty line, whether lines end in CRLF or a bare LF.
fn split_head(raw: &[u8]) -> (usize, usize) {
    let mut start = 0;
    while start < raw.len() {
        let end = raw[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(raw.len(), |i| start + i);
        let line = &raw[start..end];
        if line.is_empty() || line == b"\r" {
            return (start, (end + 1).min(raw.len()));
        }
        start = end + 1;
    }
    (raw.len(), raw.len())
}

/// The head of a raw request as text.
fn head_text(raw: &[u8]) -> io::Result<&str> {
    let (head_len, _) = split_head(raw);
    std::str::from_utf8(&raw[..head_len]).map_err(|_| invalid("the request head is not UTF-8"))
}

/// The URL a request written to a host-less stream goes to, with the host
/// and port the network allowances are checked against.
#[derive(Debug, PartialEq, Eq)]
pub struct Resolved {
    /// `http://HOST[:PORT]/PATH?QUERY`.
    pub url: String,
    /// The host, lowercase, without brackets.
    pub host: String,
    /// The port (80 unless the request names one).
    pub port: u16,
}

/// Resolves the target of a request written to a host-less stream, as the
/// original hosts did: the scheme is always `http`; the host comes from an
/// absolute request line (`GET http://h/p HTTP/1.1`) or else the `Host:`
/// header; the path is the request line's, query included.
pub fn resolve_target(raw: &[u8]) -> io::Result<Resolved> {
    let head = head_text(raw)?;
    let mut lines = head.lines().map(|l| l.trim_end_matches('\r'));
    let request_line = lines
        .next()
        .filter(|l| !l.trim().is_empty())
        .ok_or_else(|| invalid("no request was written before the flush"))?;
    let target = request_line
        .split_whitespace()
        .nth(1)
        .ok_or_else(|| invalid(format!("`{request_line}` names no request target")))?;
    let host_header = lines.find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("host")
            .then(|| value.trim().to_string())
    });
    let absolute = ["http://", "https://"].iter().find_map(|p| {
        target
            .get(..p.len())
            .filter(|s| s.eq_ignore_ascii_case(p))
            .map(|_| &target[p.len()..])
    });
    let (authority, path) = match absolute {
        Some(rest) => {
            let cut = rest.find(['/', '?']).unwrap_or(rest.len());
            let path = &rest[cut..];
            let path = if path.starts_with('/') {
                path.to_string()
            } else {
                format!("/{path}")
            };
            (rest[..cut].to_string(), path)
        }
        None => {
            if !target.starts_with('/') {
                return Err(invalid(format!(
                    "the request target `{target}` is neither a path nor an absolute URL"
                )));
            }
            let host = host_header.filter(|h| !h.is_empty()).ok_or_else(|| {
                invalid(
                    "the stream was opened with no host, and the request names none \
                     (no `Host:` header and no absolute URL in its request line)",
                )
            })?;
            (host, target.to_string())
        }
    };
    let url = format!("http://{authority}{path}");
    let uri: http::Uri = url
        .parse()
        .map_err(|_| invalid(format!("`{url}` (from the request) is not an HTTP URL")))?;
    let host = uri
        .host()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| invalid(format!("`{url}` (from the request) names no host")))?;
    Ok(Resolved {
        host: host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase(),
        port: uri.port_u16().unwrap_or(80),
        url,
    })
}

/// Whether the guest may reach a resolved request's URL: a policy, when
/// there is one, must allow it (a refusal kills the guest, as at an open);
/// otherwise the network allowances must name its host.
fn check_access(access: &Access, resolved: &Resolved) -> io::Result<()> {
    if let Some(policy) = &access.policy {
        return match policy.check(&resolved.url) {
            Verdict::Allowed { .. } => Ok(()),
            Verdict::Refused(why) => Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                PolicyRefusal(format!("permission denied: {why}")),
            )),
        };
    }
    if access.net_allows(&resolved.host, resolved.port) {
        return Ok(());
    }
    let target = NetAllow {
        host: resolved.host.clone(),
        port: Some(resolved.port),
    };
    Err(io::Error::new(
        io::ErrorKind::PermissionDenied,
        format!(
            "refused to send the request to {}: the guest may not reach {target} (allow it with --allow-net {target} or a policy allow rule)",
            resolved.url
        ),
    ))
}

/// Turns the raw request text into a request for `url`. The request line's
/// method and the headers are kept; the URL decides where it goes. The body
/// is what `Content-Length` says (none without it, as for a GET).
pub(crate) fn parse_request(raw: &[u8], url: &str) -> io::Result<Request<Vec<u8>>> {
    let (_, body_start) = split_head(raw);
    let head = head_text(raw)?;
    let mut lines = head.lines().map(|l| l.trim_end_matches('\r'));
    let request_line = lines
        .next()
        .filter(|l| !l.trim().is_empty())
        .ok_or_else(|| invalid("no request was written before the flush"))?;
    let method = request_line
        .split_whitespace()
        .next()
        .ok_or_else(|| invalid("the request line has no method"))?;
    let method = http::Method::from_bytes(method.as_bytes())
        .map_err(|_| invalid(format!("`{method}` is not an HTTP method")))?;
    let mut builder = Request::builder().method(method).uri(url);
    let mut content_length = None;
    for line in lines {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| invalid(format!("`{line}` is not a header line")))?;
        let (name, value) = (name.trim(), value.trim());
        if name.eq_ignore_ascii_case("content-length") {
            content_length = value.parse::<usize>().ok();
        }
        if CLIENT_HEADERS.iter().any(|h| name.eq_ignore_ascii_case(h)) {
            continue;
        }
        builder = builder.header(name, value);
    }
    let mut body = raw[body_start..].to_vec();
    body.truncate(content_length.unwrap_or(0));
    builder
        .body(body)
        .map_err(|e| invalid(format!("bad request: {e}")))
}

/// The head of a response as raw text: status line, headers, blank line.
fn response_head(parts: &http::response::Parts) -> Vec<u8> {
    let status = parts.status;
    let mut out = format!(
        "{:?} {} {}\r\n",
        parts.version,
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    )
    .into_bytes();
    for (name, value) in &parts.headers {
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out
}

fn io_error(e: ureq::Error) -> io::Error {
    match e {
        ureq::Error::Io(e) => e,
        ureq::Error::Timeout(_) => io::Error::new(io::ErrorKind::TimedOut, e.to_string()),
        ureq::Error::HostNotFound => io::Error::new(io::ErrorKind::NotFound, e.to_string()),
        ureq::Error::ConnectionFailed => {
            io::Error::new(io::ErrorKind::ConnectionRefused, e.to_string())
        }
        other => io::Error::other(other.to_string()),
    }
}

impl Stream for Http {
    fn scheme(&self) -> &'static str {
        self.scheme
    }

    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match &mut self.response {
            Some(response) => response.reader.read(buf),
            None => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "no response yet: write a request and flush it first",
            )),
        }
    }

    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.drop_response();
        if self.request.len() + data.len() > MAX_REQUEST {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("a request may be at most {MAX_REQUEST} bytes"),
            ));
        }
        self.budget.take(data.len() as u64).map_err(|over| {
            io::Error::new(
                io::ErrorKind::OutOfMemory,
                format!("{over}: the host holds an HTTP request until it is flushed"),
            )
        })?;
        self.request.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.request.is_empty() && self.response.is_some() {
            return Ok(());
        }
        self.drop_response();
        let response = self.exchange();
        self.drop_request();
        self.response = Some(response?);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_requests_become_requests_for_the_stream_url() {
        let raw = b"POST /ignored HTTP/1.1\r\nHost: elsewhere\r\nX-Hi: there\r\nContent-Length: 3\r\n\r\nabcdef";
        let r = parse_request(raw, "http://127.0.0.1:9/path?q=1").unwrap();
        assert_eq!(r.method(), "POST");
        assert_eq!(r.uri(), "http://127.0.0.1:9/path?q=1");
        assert_eq!(r.headers()["x-hi"], "there");
        assert!(r.headers().get("host").is_none());
        assert_eq!(r.body(), b"abc");
        let bare = parse_request(b"GET / HTTP/1.0\n\n", "https://example.com/").unwrap();
        assert_eq!(bare.method(), "GET");
        assert!(bare.body().is_empty());
    }

    #[test]
    fn a_hostless_request_is_sent_where_it_names() {
        let r =
            resolve_target(b"GET /a?b=c HTTP/1.1\r\nHost: Example.ORG:8080\nX: y\n\n\n").unwrap();
        assert_eq!(
            r,
            Resolved {
                url: "http://Example.ORG:8080/a?b=c".into(),
                host: "example.org".into(),
                port: 8080,
            }
        );
        // An absolute request line wins over the Host header; the scheme
        // is always http, as the original hosts had it.
        let r = resolve_target(b"GET https://[::1]/x HTTP/1.1\r\nHost: other\r\n\r\n").unwrap();
        assert_eq!(
            (r.url.as_str(), r.host.as_str(), r.port),
            ("http://[::1]/x", "::1", 80)
        );
        assert!(resolve_target(b"GET /x HTTP/1.1\r\n\r\n").is_err());
        assert!(resolve_target(b"GET /x HTTP/1.1\r\nHost: \r\n\r\n").is_err());
        assert!(resolve_target(b"GET x HTTP/1.1\r\nHost: h\r\n\r\n").is_err());
        assert!(resolve_target(b"").is_err());
    }

    #[test]
    fn a_body_is_what_content_length_says() {
        let r = parse_request(b"GET / HTTP/1.1\nHost: h\n\n\n", "http://h/").unwrap();
        assert!(r.body().is_empty());
        let r = parse_request(
            b"POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi",
            "http://h/",
        )
        .unwrap();
        assert_eq!(r.body(), b"hi");
    }

    #[test]
    fn malformed_requests_are_refused() {
        assert!(parse_request(b"", "http://x/").is_err());
        assert!(parse_request(b"G\xffT / HTTP/1.1\r\n\r\n", "http://x/").is_err());
        assert!(parse_request(b"GET / HTTP/1.1\r\nno colon\r\n\r\n", "http://x/").is_err());
        let mut h = Http::new(
            "http",
            Target::Url("http://x/".into()),
            Duration::from_secs(1),
            MemoryBudget::new(None),
        );
        assert!(h.read(&mut [0; 4]).is_err());
    }
}
