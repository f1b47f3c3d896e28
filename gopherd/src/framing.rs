//! Framing a response for the wire: text with CRLF line ends, dot-stuffed
//! and ended by a `.` line; menus completed and ended by `.`; binary as is;
//! and the type-3 error item every failure turns into.

use crate::config::ItemKind;
use crate::gophermap::{self, Site};

/// The last line of a text or menu response.
pub const TERMINATOR: &[u8] = b".\r\n";

/// Frames `body` as a text response: lines end in CRLF, a line starting
/// with `.` gets a second one, and a `.` line ends it.
pub fn text(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + body.len() / 32 + 8);
    if !body.is_empty() {
        let body = body.strip_suffix(b"\n").unwrap_or(body);
        for line in body.split(|&b| b == b'\n') {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.starts_with(b".") {
                out.push(b'.');
            }
            out.extend_from_slice(line);
            out.extend_from_slice(b"\r\n");
        }
    }
    out.extend_from_slice(TERMINATOR);
    out
}

/// Frames gophermap-syntax `body` as a menu whose relative selectors start
/// at `base`.
pub fn menu(body: &[u8], site: &Site, base: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + body.len() / 2 + 8);
    gophermap::render(body, site, base, None, &mut out);
    out.extend_from_slice(TERMINATOR);
    out
}

/// Frames a handler's output for a route answering with `kind`.
pub fn for_kind(kind: ItemKind, body: Vec<u8>, site: &Site, base: &str) -> Vec<u8> {
    match kind {
        ItemKind::Menu => menu(&body, site, base),
        ItemKind::Text => text(&body),
        ItemKind::Binary => body,
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
            for_kind(ItemKind::Binary, b"\x00.\n".to_vec(), &site, "/"),
            b"\x00.\n"
        );
    }
}
