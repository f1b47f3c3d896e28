//! One Gopher request: reading its line from a client within a length limit,
//! and parsing it into a selector and an optional search query.

use tokio::io::{AsyncRead, AsyncReadExt};

/// A parsed request line: `selector [TAB query] CRLF`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// The selector, exactly as sent.
    pub selector: String,
    /// The search query after the tab, if one was sent.
    pub query: Option<String>,
}

/// Why a request line was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    /// The line was longer than allowed.
    #[error("selector too long (the limit is {0} bytes)")]
    TooLong(usize),
    /// The line is not UTF-8.
    #[error("selector is not UTF-8")]
    NotUtf8,
    /// The line holds a control character other than the tab.
    #[error("selector contains a control character")]
    ControlChar,
    /// Reading from the client failed.
    #[error("reading the request failed: {0}")]
    Io(#[from] std::io::Error),
}

impl Request {
    /// A request for `selector` with no query.
    pub fn new(selector: impl Into<String>) -> Request {
        Request {
            selector: selector.into(),
            query: None,
        }
    }

    /// Parses a request line, with or without its line ending. Fields after
    /// the query (Gopher+ flags) are ignored, and so is a query that is only
    /// a Gopher+ marker (`+`, `!` or `$`).
    pub fn parse(line: &[u8]) -> Result<Request, RequestError> {
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let line = std::str::from_utf8(line).map_err(|_| RequestError::NotUtf8)?;
        let mut fields = line.split('\t');
        let selector = fields.next().unwrap_or("");
        let query = fields.next();
        let bad = |s: &str| s.chars().any(|c| c.is_control());
        if bad(selector) || query.is_some_and(bad) {
            return Err(RequestError::ControlChar);
        }
        let query = query.filter(|q| !matches!(*q, "+" | "!" | "$"));
        Ok(Request {
            selector: selector.to_string(),
            query: query.map(str::to_string),
        })
    }

    /// The line as a client sends it, CRLF included.
    pub fn line(&self) -> String {
        match &self.query {
            Some(q) => format!("{}\t{q}\r\n", self.selector),
            None => format!("{}\r\n", self.selector),
        }
    }
}

/// What came in on a connection.
#[derive(Debug, PartialEq, Eq)]
pub enum Incoming {
    /// A request line, without its line ending. A client that half-closes
    /// without sending a newline has sent everything before the close.
    Line(Vec<u8>),
    /// The client closed without sending anything.
    Nothing,
}

/// Reads one request line of at most `max` bytes (not counting CRLF).
/// Accepts CRLF, a bare LF, or the end of the stream as the line's end.
pub async fn read_request_line<R: AsyncRead + Unpin>(
    reader: &mut R,
    max: usize,
) -> Result<Incoming, RequestError> {
    let mut line = Vec::with_capacity(128);
    let mut chunk = [0u8; 1024];
    loop {
        let n = reader.read(&mut chunk).await?;
        if n == 0 {
            if line.is_empty() {
                return Ok(Incoming::Nothing);
            }
            return finish(line, max);
        }
        if let Some(end) = chunk[..n].iter().position(|&b| b == b'\n') {
            line.extend_from_slice(&chunk[..end]);
            return finish(line, max);
        }
        line.extend_from_slice(&chunk[..n]);
        if line.len() > max + 1 {
            return Err(RequestError::TooLong(max));
        }
    }
}

fn finish(mut line: Vec<u8>, max: usize) -> Result<Incoming, RequestError> {
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    if line.len() > max {
        return Err(RequestError::TooLong(max));
    }
    Ok(Incoming::Line(line))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_selector_and_query() {
        assert_eq!(Request::parse(b"/docs\r\n").unwrap(), Request::new("/docs"));
        assert_eq!(Request::parse(b"").unwrap(), Request::new(""));
        let r = Request::parse(b"/search\twasm gopher\r\n").unwrap();
        assert_eq!(r.selector, "/search");
        assert_eq!(r.query.as_deref(), Some("wasm gopher"));
        assert_eq!(r.line(), "/search\twasm gopher\r\n");
    }

    #[test]
    fn gopher_plus_markers_are_not_queries() {
        assert_eq!(Request::parse(b"/a\t+\r\n").unwrap().query, None);
        assert_eq!(Request::parse(b"/a\t$").unwrap().query, None);
        let r = Request::parse(b"/s\tfind me\t1\r\n").unwrap();
        assert_eq!(r.query.as_deref(), Some("find me"));
    }

    #[test]
    fn refuses_binary_junk() {
        assert!(matches!(
            Request::parse(b"/a\x00b"),
            Err(RequestError::ControlChar)
        ));
        assert!(matches!(
            Request::parse(b"/\xff\xfe"),
            Err(RequestError::NotUtf8)
        ));
    }

    fn read(input: &[u8], max: usize) -> Result<Incoming, RequestError> {
        let mut reader = input;
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(read_request_line(&mut reader, max))
    }

    #[test]
    fn line_ends_at_lf_crlf_or_close() {
        assert_eq!(
            read(b"/a\r\nrest", 10).unwrap(),
            Incoming::Line(b"/a".to_vec())
        );
        assert_eq!(
            read(b"/a\nrest", 10).unwrap(),
            Incoming::Line(b"/a".to_vec())
        );
        assert_eq!(read(b"/a", 10).unwrap(), Incoming::Line(b"/a".to_vec()));
        assert_eq!(read(b"", 10).unwrap(), Incoming::Nothing);
    }

    #[test]
    fn long_lines_are_refused() {
        assert_eq!(
            read(b"0123456789\r\n", 10).unwrap(),
            Incoming::Line(b"0123456789".to_vec())
        );
        assert!(matches!(
            read(b"0123456789A\r\n", 10),
            Err(RequestError::TooLong(10))
        ));
        let endless = vec![b'x'; 100_000];
        assert!(matches!(read(&endless, 10), Err(RequestError::TooLong(10))));
    }
}
