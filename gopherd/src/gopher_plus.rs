//! Gopher+ answers, enough for Gopher+ clients (UMN `gopher`, whose first
//! request is `TAB $`) to browse: a menu's items each as a `+INFO` block,
//! an item's own attributes, and an item in a Gopher+ envelope. Plain
//! requests stay plain; items are advertised without the Gopher+ mark, so
//! a client goes on asking for them plainly.

use crate::framing::TERMINATOR;
use std::time::SystemTime;

/// The envelope of an item sent whole: `+-2` means "read until the
/// server closes".
pub const ITEM_HEADER: &[u8] = b"+-2\r\n";

/// A menu's lines (as sent to a plain client, `.` ending them) as a
/// Gopher+ attribute list: `+-1`, `+INFO: LINE` for each item, then `.`.
pub fn menu(plain: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(plain.len() + plain.len() / 4 + 16);
    out.extend_from_slice(b"+-1\r\n");
    for line in plain.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line == b"." {
            break;
        }
        if line.is_empty() {
            continue;
        }
        out.extend_from_slice(b"+INFO: ");
        out.extend_from_slice(line);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(TERMINATOR);
    out
}

/// What the attributes of one item say.
pub struct Item<'a> {
    /// Its menu line, without the line end.
    pub line: &'a [u8],
    /// Who runs the server.
    pub admin: &'a str,
    /// When it last changed (now, for what a handler makes).
    pub modified: SystemTime,
    /// Its MIME type and, when known, its size in bytes.
    pub view: (&'a str, Option<u64>),
}

/// The `!` answer: `+-1`, the item's `+INFO`, `+ADMIN` and `+VIEWS`
/// blocks, then `.`.
pub fn attributes(item: &Item<'_>) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(b"+-1\r\n+INFO: ");
    out.extend_from_slice(item.line);
    out.extend_from_slice(b"\t+\r\n+ADMIN:\r\n Admin: ");
    out.extend_from_slice(item.admin.as_bytes());
    out.extend_from_slice(b"\r\n Mod-Date: <");
    out.extend_from_slice(mod_date(item.modified).as_bytes());
    out.extend_from_slice(b">\r\n+VIEWS:\r\n ");
    out.extend_from_slice(item.view.0.as_bytes());
    out.extend_from_slice(b":");
    if let Some(size) = item.view.1 {
        out.extend_from_slice(format!(" <{}k>", size.div_ceil(1024).max(1)).as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(TERMINATOR);
    out
}

/// The MIME type Gopher+ names for an item type.
pub fn mime_type(kind: u8) -> &'static str {
    match kind {
        b'1' | b'7' => "application/gopher-menu",
        b'0' => "text/plain",
        b'h' => "text/html",
        b'g' => "image/gif",
        b'I' => "image/unknown",
        b's' => "audio/unknown",
        _ => "application/octet-stream",
    }
}

/// `YYYYMMDDhhmmss`, in UTC, as Gopher+ dates are written.
fn mod_date(time: SystemTime) -> String {
    humantime::format_rfc3339_seconds(time)
        .to_string()
        .chars()
        .filter(char::is_ascii_digit)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_menu_becomes_info_blocks() {
        let plain = b"iWelcome\t\th\t70\r\n1Docs\t/docs\th\t70\r\n.\r\n";
        assert_eq!(
            menu(plain),
            b"+-1\r\n+INFO: iWelcome\t\th\t70\r\n+INFO: 1Docs\t/docs\th\t70\r\n.\r\n"
        );
        assert_eq!(menu(b".\r\n"), b"+-1\r\n.\r\n");
    }

    #[test]
    fn attributes_name_the_admin_the_date_and_the_view() {
        let item = Item {
            line: b"0About\t/about.txt\th\t70",
            admin: "Ann <ann@example.org>",
            modified: SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000),
            view: ("text/plain", Some(1500)),
        };
        assert_eq!(
            String::from_utf8(attributes(&item)).unwrap(),
            "+-1\r\n+INFO: 0About\t/about.txt\th\t70\t+\r\n\
             +ADMIN:\r\n Admin: Ann <ann@example.org>\r\n Mod-Date: <20231114221320>\r\n\
             +VIEWS:\r\n text/plain: <2k>\r\n.\r\n"
        );
    }
}
