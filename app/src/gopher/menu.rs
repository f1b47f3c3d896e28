//! What a Gopher server sends back, read as a client reads it: menus
//! (RFC 1436 lines of type, display text, selector, host and port), text
//! documents (CRLF lines, dot-stuffed, ended by `.`), and what each item
//! type is.

use super::url::{DEFAULT_PORT, GopherUrl};

/// One line of a menu.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    /// The item type byte.
    pub kind: u8,
    /// The text shown.
    pub display: String,
    /// The selector to request.
    pub selector: String,
    /// The server holding it.
    pub host: String,
    /// Its port.
    pub port: u16,
}

/// How a client presents an item type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presentation {
    /// A menu (types `1`, and `7` once a query is sent).
    Menu,
    /// A text document (types `0`, `h` pages without `URL:`).
    Text,
    /// A search that asks for a query first (type `7`).
    Search,
    /// Anything else: bytes to save.
    Binary,
    /// Not a link: info lines, errors, telnet sessions.
    None,
}

/// How the browser presents a resource of this type.
pub fn presentation(kind: u8) -> Presentation {
    match kind {
        b'1' => Presentation::Menu,
        b'0' | b'h' => Presentation::Text,
        b'7' => Presentation::Search,
        b'i' | b'3' | b'8' | b'T' | b'2' => Presentation::None,
        _ => Presentation::Binary,
    }
}

/// A short tag for an item type, shown in the margin of a menu.
pub fn kind_tag(kind: u8) -> &'static str {
    match kind {
        b'0' => "TXT",
        b'1' => "DIR",
        b'2' => "CSO",
        b'3' => "ERR",
        b'4' | b'5' | b'6' | b'9' => "BIN",
        b'7' => "FIND",
        b'8' | b'T' => "TEL",
        b'g' | b'I' | b'p' => "IMG",
        b'h' => "HTML",
        b's' => "SND",
        b'd' => "DOC",
        b'i' => "",
        _ => "?",
    }
}

impl Item {
    /// Where following this item leads, if it is a link within Gopher.
    pub fn url(&self) -> Option<GopherUrl> {
        if presentation(self.kind) == Presentation::None || self.external_url().is_some() {
            return None;
        }
        Some(GopherUrl {
            host: self.host.clone(),
            port: self.port,
            kind: self.kind,
            selector: self.selector.clone(),
            query: None,
        })
    }

    /// The web address of an `h` item whose selector is `URL:address`.
    pub fn external_url(&self) -> Option<&str> {
        self.selector
            .strip_prefix("URL:")
            .or_else(|| self.selector.strip_prefix("/URL:"))
    }
}

/// The lines of a response, CR LF or LF ended, up to a line holding only
/// `.`.
fn lines(body: &[u8]) -> impl Iterator<Item = &[u8]> {
    let body = body.strip_suffix(b"\n").unwrap_or(body);
    let count = if body.is_empty() { 0 } else { usize::MAX };
    body.split(|&b| b == b'\n')
        .take(count)
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .take_while(|l| *l != b".")
}

/// Reads a menu. Lenient as clients are: a line without tabs is shown as
/// text, missing fields are empty, a missing or bad port is 70.
pub fn parse_menu(body: &[u8]) -> Vec<Item> {
    lines(body)
        .map(|line| {
            let text = String::from_utf8_lossy(line);
            let mut fields = text.split('\t');
            let first = fields.next().unwrap_or_default();
            let (kind, display) = match first.chars().next() {
                Some(c) if c.is_ascii() && text.contains('\t') => (c as u8, &first[1..]),
                _ => (b'i', &*text),
            };
            let selector = fields.next().unwrap_or_default().to_string();
            let host = fields.next().unwrap_or_default().trim().to_string();
            let port = fields
                .next()
                .and_then(|p| p.trim().parse().ok())
                .unwrap_or(DEFAULT_PORT);
            Item {
                kind,
                display: display.to_string(),
                selector,
                host,
                port,
            }
        })
        .collect()
}

/// Reads a text document: its lines without line endings, the final `.`
/// removed and dot-stuffing (`..` at a line's start) undone.
pub fn parse_text(body: &[u8]) -> Vec<String> {
    lines(body)
        .map(|line| {
            let line = if line.starts_with(b"..") {
                &line[1..]
            } else {
                line
            };
            String::from_utf8_lossy(line).replace('\t', "    ")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn menus_read_like_rfc_1436_says() {
        let body = b"iWelcome\t\tnowhere\t70\r\n\
                     1Docs\t/docs\texample.org\t7070\r\n\
                     0About\tabout.txt\texample.org\t70\r\n\
                     .\r\n\
                     1After the end\t/x\th\t70\r\n";
        let items = parse_menu(body);
        assert_eq!(items.len(), 3);
        assert_eq!(items[0].kind, b'i');
        assert_eq!(items[0].display, "Welcome");
        assert_eq!(items[0].url(), None);
        let docs = items[1].url().unwrap();
        assert_eq!(docs.to_string(), "gopher://example.org:7070/1/docs");
        assert_eq!(items[2].url().unwrap().kind, b'0');
    }

    #[test]
    fn sloppy_menus_still_show() {
        let items = parse_menu(b"just some text\n0Doc\tsel\thost\n9Bin\tb\th\tnot-a-port\n");
        assert_eq!(items[0].kind, b'i');
        assert_eq!(items[0].display, "just some text");
        assert_eq!((items[1].host.as_str(), items[1].port), ("host", 70));
        assert_eq!(items[2].port, 70);
        assert!(parse_menu(b"").is_empty());
    }

    #[test]
    fn web_links_leave_gopher() {
        let items = parse_menu(b"hSite\tURL:https://example.org/\th\t70\r\n");
        assert_eq!(items[0].external_url(), Some("https://example.org/"));
        assert_eq!(items[0].url(), None);
    }

    #[test]
    fn text_loses_its_framing() {
        let lines = parse_text(b"first\r\n..dot\r\n.\r\nafter\r\n");
        assert_eq!(lines, ["first", ".dot"]);
        assert_eq!(parse_text(b"no final dot\n"), ["no final dot"]);
    }

    #[test]
    fn every_type_has_a_presentation() {
        assert_eq!(presentation(b'1'), Presentation::Menu);
        assert_eq!(presentation(b'7'), Presentation::Search);
        assert_eq!(presentation(b'0'), Presentation::Text);
        assert_eq!(presentation(b'9'), Presentation::Binary);
        assert_eq!(presentation(b'i'), Presentation::None);
        assert_eq!(kind_tag(b'7'), "FIND");
    }
}
