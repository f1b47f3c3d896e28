//! `http://` and `https://` streams: the guest writes a raw HTTP request,
//! `flush` sends it to the URL the stream was opened with (through `ureq`,
//! TLS by rustls), and reads then return the raw response: status line,
//! headers, blank line, body. Redirects are not followed: the guest sees them.
//!
//! What the host holds for a stream is charged to the guest's memory
//! budget: the request as it is written, and while a response is open its
//! head and the connection's buffers. The body is never held: reads take it
//! from the connection as the guest asks.

use super::Stream;
use crate::sandbox::memory_budget::MemoryBudget;
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

/// An HTTP(S) stream.
pub struct Http {
    scheme: &'static str,
    url: String,
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
    /// A stream to `url`; one exchange may take at most `timeout`. What it
    /// holds is charged to `budget`.
    pub fn new(scheme: &'static str, url: &str, timeout: Duration, budget: MemoryBudget) -> Http {
        Http {
            scheme,
            url: url.to_string(),
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
        let request = parse_request(&self.request, &self.url)?;
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

/// Turns the raw request text into a request for `url`. The request line's
/// method and the headers are kept; the URL decides where it goes.
pub(crate) fn parse_request(raw: &[u8], url: &str) -> io::Result<Request<Vec<u8>>> {
    let (head_len, body_start) = match raw.windows(4).position(|w| w == b"\r\n\r\n") {
        Some(i) => (i, i + 4),
        None => match raw.windows(2).position(|w| w == b"\n\n") {
            Some(i) => (i, i + 2),
            None => (raw.len(), raw.len()),
        },
    };
    let head = std::str::from_utf8(&raw[..head_len])
        .map_err(|_| invalid("the request head is not UTF-8"))?;
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
    if let Some(n) = content_length {
        body.truncate(n);
    }
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
    fn malformed_requests_are_refused() {
        assert!(parse_request(b"", "http://x/").is_err());
        assert!(parse_request(b"G\xffT / HTTP/1.1\r\n\r\n", "http://x/").is_err());
        assert!(parse_request(b"GET / HTTP/1.1\r\nno colon\r\n\r\n", "http://x/").is_err());
        let mut h = Http::new(
            "http",
            "http://x/",
            Duration::from_secs(1),
            MemoryBudget::new(None),
        );
        assert!(h.read(&mut [0; 4]).is_err());
    }
}
