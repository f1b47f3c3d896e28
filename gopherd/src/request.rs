//! One Gopher request: reading its line from a client within a length limit,
//! and parsing it into a selector, an optional search query and, from a
//! Gopher+ client, what it asks of the item (attributes, a view).

use tokio::io::{AsyncRead, AsyncReadExt};

/// A parsed request line: `selector [TAB query] [TAB gopher+] CRLF`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// The selector as sent; bytes that are not UTF-8 are written `\xNN`.
    pub selector: String,
    /// The selector's bytes, when they are not UTF-8 (a file name that is
    /// not, listed with its raw bytes as its selector).
    pub raw_selector: Option<Vec<u8>>,
    /// The search query after the tab, if one was sent.
    pub query: Option<String>,
    /// What a Gopher+ client asks of the item, if it is one.
    pub plus: Option<Plus>,
}

/// What a Gopher+ request asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Plus {
    /// `$`: every item of a menu with its attributes.
    Menu,
    /// `!`: the item's own attributes.
    Attributes,
    /// `+` or `+VIEW`: the item itself, in a Gopher+ envelope.
    Item,
}

impl Plus {
    fn of(field: &str) -> Option<Plus> {
        match field {
            "$" => Some(Plus::Menu),
            "!" => Some(Plus::Attributes),
            "+" => Some(Plus::Item),
            // A view is a MIME type (`+text/plain`), perhaps with a language.
            view if view.starts_with('+') && view.contains('/') && !view.contains(' ') => {
                Some(Plus::Item)
            }
            _ => None,
        }
    }
}

/// `bytes` as text, each byte that is not UTF-8 written `\xNN`.
pub fn escape_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 8);
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02X}"));
        }
    }
    out
}

/// Why a request line was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    /// The line was longer than allowed.
    #[error("selector too long (the limit is {0} bytes)")]
    TooLong(usize),
    /// The query is not UTF-8.
    #[error("the search words are not UTF-8")]
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
            raw_selector: None,
            query: None,
            plus: None,
        }
    }

    /// The selector's bytes as sent.
    pub fn selector_bytes(&self) -> &[u8] {
        self.raw_selector
            .as_deref()
            .unwrap_or(self.selector.as_bytes())
    }

    /// Parses a request line, with or without its line ending. A selector
    /// may be any bytes but control characters; the query must be UTF-8.
    /// A Gopher+ marker (`$`, `!`, `+`, `+VIEW`) in place of the query or
    /// after it says what a Gopher+ client asks for; later fields are
    /// ignored.
    pub fn parse(line: &[u8]) -> Result<Request, RequestError> {
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let mut fields = line.split(|&b| b == b'\t');
        let selector = fields.next().unwrap_or_default();
        let bad = |s: &[u8]| s.iter().any(|&b| b < 0x20 || b == 0x7f);
        if bad(selector) {
            return Err(RequestError::ControlChar);
        }
        let (selector, raw_selector) = match std::str::from_utf8(selector) {
            Ok(s) => (s.to_string(), None),
            Err(_) => (escape_bytes(selector), Some(selector.to_vec())),
        };
        let mut text = || -> Result<Option<&str>, RequestError> {
            let Some(field) = fields.next() else {
                return Ok(None);
            };
            let field = std::str::from_utf8(field).map_err(|_| RequestError::NotUtf8)?;
            if field.chars().any(char::is_control) {
                return Err(RequestError::ControlChar);
            }
            Ok(Some(field))
        };
        let (query, plus) = match text()? {
            Some(field) => match Plus::of(field) {
                Some(plus) => (None, Some(plus)),
                None => (Some(field.to_string()), text()?.and_then(Plus::of)),
            },
            None => (None, None),
        };
        Ok(Request {
            selector,
            raw_selector,
            query,
            plus,
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
        let plus = |line: &[u8]| {
            let r = Request::parse(line).unwrap();
            (r.query, r.plus)
        };
        assert_eq!(plus(b"/a\t+\r\n"), (None, Some(Plus::Item)));
        assert_eq!(plus(b"/a\t+text/plain\r\n"), (None, Some(Plus::Item)));
        assert_eq!(plus(b"\t$"), (None, Some(Plus::Menu)));
        assert_eq!(plus(b"/a\t!"), (None, Some(Plus::Attributes)));
        assert_eq!(
            plus(b"/s\tcats\t$\r\n"),
            (Some("cats".into()), Some(Plus::Menu))
        );
        assert_eq!(plus(b"/s\tfind me\t1\r\n"), (Some("find me".into()), None));
        assert_eq!(plus(b"/s\t+1 for this"), (Some("+1 for this".into()), None));
    }

    #[test]
    fn selectors_that_are_not_utf8_keep_their_bytes() {
        let r = Request::parse(b"/caf\xe9.txt\r\n").unwrap();
        assert_eq!(r.selector, "/caf\\xE9.txt");
        assert_eq!(r.selector_bytes(), b"/caf\xe9.txt");
        assert_eq!(Request::parse(b"/caf\xc3\xa9").unwrap().raw_selector, None);
    }

    #[test]
    fn refuses_binary_junk() {
        assert!(matches!(
            Request::parse(b"/a\x00b"),
            Err(RequestError::ControlChar)
        ));
        assert!(matches!(
            Request::parse(b"/\xff\x7f"),
            Err(RequestError::ControlChar)
        ));
        assert!(matches!(
            Request::parse(b"/s\t\xff\xfe"),
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
