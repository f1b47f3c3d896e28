//! Framing a response for the wire: text as it is, or (RFC 1436 framing)
//! with CRLF line ends, dot-stuffed and ended by a `.` line, either all at
//! once or chunk by chunk as a file streams; menus completed and ended by
//! `.`; binary as is; and the type-3 error item every failure turns into.

use crate::config::{ItemKind, TextFraming};
use crate::gophermap::{self, Site};

/// The last line of a text or menu response.
pub const TERMINATOR: &[u8] = b".\r\n";

/// Frames text chunk by chunk as RFC 1436 asks: every line ends in CRLF,
/// a line starting with `.` gets a second one, and a `.` line ends it. The
/// result is the same however the text is cut into chunks.
#[derive(Debug, Default)]
pub struct TextFramer {
    /// Inside a line (something was written since the last line end).
    in_line: bool,
    /// A CR was seen and not yet written: it is dropped if a LF follows.
    held_cr: bool,
}

impl TextFramer {
    /// A framer at the start of a document.
    pub fn new() -> TextFramer {
        TextFramer::default()
    }

    /// Appends the framed form of `chunk` to `out`.
    pub fn push(&mut self, chunk: &[u8], out: &mut Vec<u8>) {
        out.reserve(chunk.len() + chunk.len() / 32 + 4);
        let mut rest = chunk;
        while !rest.is_empty() {
            if !self.in_line && !self.held_cr && rest[0] == b'.' {
                out.push(b'.');
            }
            match rest.iter().position(|&b| b == b'\n' || b == b'\r') {
                None => {
                    self.release_cr(out);
                    out.extend_from_slice(rest);
                    self.in_line = true;
                    return;
                }
                Some(i) => {
                    if i > 0 {
                        self.release_cr(out);
                        out.extend_from_slice(&rest[..i]);
                        self.in_line = true;
                    }
                    if rest[i] == b'\n' {
                        self.held_cr = false;
                        out.extend_from_slice(b"\r\n");
                        self.in_line = false;
                    } else {
                        self.release_cr(out);
                        self.held_cr = true;
                    }
                    rest = &rest[i + 1..];
                }
            }
        }
    }

    /// A CR not followed by LF is part of the line.
    fn release_cr(&mut self, out: &mut Vec<u8>) {
        if self.held_cr {
            out.push(b'\r');
            self.held_cr = false;
            self.in_line = true;
        }
    }

    /// Ends the document: closes an unfinished last line (a CR at its very
    /// end is dropped) and appends the `.` line.
    pub fn finish(mut self, out: &mut Vec<u8>) {
        self.held_cr = false;
        if self.in_line {
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(TERMINATOR);
    }
}

/// Frames `body` as a text response with RFC 1436 framing.
pub fn text(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut framer = TextFramer::new();
    framer.push(body, &mut out);
    framer.finish(&mut out);
    out
}

/// `text` safe inside HTML, in text and in quoted attributes (the pages
/// gopherd writes: `URL:` links, the HTTP face's menus).
pub fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The text an RFC 1436 framed response carries, for readers that are not
/// Gopher clients (the web pages): the final `.` line dropped, doubled
/// leading dots made single, lines ended with LF.
pub fn unframe_text(framed: &[u8]) -> Vec<u8> {
    let body = framed.strip_suffix(TERMINATOR).unwrap_or(framed);
    let mut out = Vec::with_capacity(body.len());
    for line in body.split_inclusive(|&b| b == b'\n') {
        let line = line
            .strip_prefix(b".")
            .filter(|l| l.starts_with(b"."))
            .unwrap_or(line);
        match line.strip_suffix(b"\r\n") {
            Some(content) => {
                out.extend_from_slice(content);
                out.push(b'\n');
            }
            None => out.extend_from_slice(line),
        }
    }
    out
}

/// Frames gophermap-syntax `body` as a menu whose relative selectors start
/// at `base`.
pub fn menu(body: &[u8], site: &Site, base: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + body.len() / 2 + 8);
    gophermap::render(body, site, base.as_bytes(), None, &mut out);
    out.extend_from_slice(TERMINATOR);
    out
}

/// Frames a handler's output for a route answering with `kind`, text as
/// `framing` says.
pub fn for_kind(
    kind: ItemKind,
    body: Vec<u8>,
    site: &Site,
    base: &str,
    framing: TextFraming,
) -> Vec<u8> {
    match (kind, framing) {
        (ItemKind::Menu, _) => menu(&body, site, base),
        (ItemKind::Text, TextFraming::Rfc1436) => text(&body),
        (ItemKind::Text, TextFraming::AsIs) | (ItemKind::Binary, _) => body,
    }
}

/// A complete error response: one type-3 item with `reason`, then `.`.
pub fn error(reason: &str) -> Vec<u8> {
    let reason: String = reason
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut out = Vec::with_capacity(reason.len() + 24);
    gophermap::menu_line(&mut out, b'3', reason.as_bytes(), b"", b"error.host", b"1");
    out.extend_from_slice(TERMINATOR);
    out
}

/// The bytes of a response: in memory, or a file streamed from disk.
#[derive(Debug)]
pub enum Body {
    /// Framed bytes.
    Bytes(Vec<u8>),
    /// A file sent as it is.
    File {
        /// The open file, at its start.
        file: std::fs::File,
        /// Its length when it was opened.
        len: u64,
    },
    /// A text file framed as RFC 1436 asks while it is sent.
    Text {
        /// The open file, at its start.
        file: std::fs::File,
        /// Its length when it was opened (before framing).
        len: u64,
    },
    /// A body after a header (a Gopher+ envelope).
    Enveloped(&'static [u8], Box<Body>),
}

impl Body {
    /// The number of bytes it holds (for framed text, before framing).
    pub fn len(&self) -> u64 {
        match self {
            Body::Bytes(b) => b.len() as u64,
            Body::File { len, .. } | Body::Text { len, .. } => *len,
            Body::Enveloped(header, body) => header.len() as u64 + body.len(),
        }
    }

    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// All of it in memory, framed.
    pub fn into_bytes(self) -> std::io::Result<Vec<u8>> {
        match self {
            Body::Bytes(b) => Ok(b),
            Body::File { mut file, len } => {
                let mut out = Vec::with_capacity(len as usize);
                std::io::Read::read_to_end(&mut file, &mut out)?;
                Ok(out)
            }
            Body::Text { mut file, len } => {
                let mut plain = Vec::with_capacity(len as usize);
                std::io::Read::read_to_end(&mut file, &mut plain)?;
                Ok(text(&plain))
            }
            Body::Enveloped(header, body) => {
                let mut out = header.to_vec();
                out.extend(body.into_bytes()?);
                Ok(out)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_dot_stuffed_and_terminated() {
        assert_eq!(
            text(b"one\n.two\n..three\nfour"),
            b"one\r\n..two\r\n...three\r\nfour\r\n.\r\n"
        );
        assert_eq!(text(b"a\r\nb\r\n"), b"a\r\nb\r\n.\r\n");
        assert_eq!(text(b"."), b"..\r\n.\r\n");
        assert_eq!(text(b""), b".\r\n");
        assert_eq!(text(b"\n"), b"\r\n.\r\n");
        assert_eq!(text(b"a\r"), b"a\r\n.\r\n");
        assert_eq!(text(b"a\rb\r\r\n"), b"a\rb\r\r\n.\r\n");
        assert_eq!(text(b"a\n\n.\n"), b"a\r\n\r\n..\r\n.\r\n");
    }

    #[test]
    fn text_framed_in_chunks_is_the_same_as_all_at_once() {
        let body = b"one\r\n.two\n\r\n..three\rx\n.\n\nlast.\r";
        let whole = text(body);
        for cut in 1..body.len() {
            for second in cut..body.len() {
                let mut out = Vec::new();
                let mut framer = TextFramer::new();
                framer.push(&body[..cut], &mut out);
                framer.push(&body[cut..second], &mut out);
                framer.push(&body[second..], &mut out);
                framer.finish(&mut out);
                assert_eq!(
                    String::from_utf8_lossy(&out),
                    String::from_utf8_lossy(&whole),
                    "cut at {cut} and {second}"
                );
            }
        }
    }

    #[test]
    fn errors_are_one_item() {
        assert_eq!(
            error("no such\tthing\r\n"),
            b"3no such thing  \t\terror.host\t1\r\n.\r\n"
        );
    }

    #[test]
    fn handler_menus_are_completed() {
        let site = Site {
            host: "h".into(),
            port: 70,
        };
        assert_eq!(
            menu(b"hello\n0Fortune\tfortune\n", &site, "/cgi/"),
            b"ihello\t\th\t70\r\n0Fortune\t/cgi/fortune\th\t70\r\n.\r\n"
        );
        assert_eq!(
            for_kind(
                ItemKind::Binary,
                b"\x00.\n".to_vec(),
                &site,
                "/",
                TextFraming::Rfc1436
            ),
            b"\x00.\n"
        );
        assert_eq!(
            for_kind(
                ItemKind::Text,
                b".a\n".to_vec(),
                &site,
                "/",
                TextFraming::AsIs
            ),
            b".a\n"
        );
    }

    #[test]
    fn unframing_gives_the_text_back() {
        let original = b"first\n.dotted\n..two dots\nlast line\n";
        assert_eq!(unframe_text(&text(original)), original);
        assert_eq!(unframe_text(&text(b"no newline")), b"no newline\n");
    }
}
