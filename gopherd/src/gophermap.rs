//! Menus: gophermap files, and handler menus that use the same syntax,
//! rendered into RFC 1436 menu lines. Relative selectors and missing hosts
//! and ports are completed from this server's advertised name.
//!
//! The syntax, one line each:
//! - `TYPE DISPLAY TAB SELECTOR TAB HOST TAB PORT`, where everything after
//!   the display may be left out: an empty selector means the display text,
//!   a selector not starting with `/` is relative to the menu's folder, and
//!   a missing host and port mean this server (a host without a port, 70);
//! - a line without a tab is shown as text (an `i` info line);
//! - `*` alone lists the folder's files there (in a gophermap file);
//! - `.` alone ends the menu; nothing after it is read.

use std::io::Write;

/// The host and port this server advertises in menus.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Site {
    /// Host name.
    pub host: String,
    /// Port.
    pub port: u16,
}

/// Writes one complete menu line.
pub fn menu_line(
    out: &mut Vec<u8>,
    kind: u8,
    display: &[u8],
    selector: &[u8],
    host: &[u8],
    port: &[u8],
) {
    write_line(out, kind, &[display, selector, host, port], &[]);
}

/// Writes the type byte, the fields joined by tabs, extra fields, and CRLF.
fn write_line(out: &mut Vec<u8>, kind: u8, fields: &[&[u8]; 4], extra: &[&[u8]]) {
    out.push(kind);
    for (i, field) in fields.iter().chain(extra).enumerate() {
        if i > 0 {
            out.push(b'\t');
        }
        out.extend_from_slice(field);
    }
    out.extend_from_slice(b"\r\n");
}

/// Writes an `i` line showing `text`.
pub fn info_line(out: &mut Vec<u8>, site: &Site, text: &[u8]) {
    let port = site.port.to_string();
    menu_line(out, b'i', text, b"", site.host.as_bytes(), port.as_bytes());
}

/// Writes a folder's entries as menu lines.
pub type Listing<'a> = &'a mut dyn FnMut(&mut Vec<u8>);

/// Renders gophermap text into menu lines (without the final `.`).
/// `base` is the selector of the folder the map belongs to, ending in `/`;
/// `listing`, if given, writes the folder's entries where a `*` line stands
/// (without it, `*` is shown as text).
pub fn render(
    map: &[u8],
    site: &Site,
    base: &str,
    mut listing: Option<Listing<'_>>,
    out: &mut Vec<u8>,
) {
    let port = site.port.to_string();
    let mut lines = map.split(|&b| b == b'\n').peekable();
    while let Some(line) = lines.next() {
        if lines.peek().is_none() && line.is_empty() {
            break;
        }
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line == b"." {
            break;
        }
        if line == b"*"
            && let Some(listing) = listing.as_mut()
        {
            listing(out);
            continue;
        }
        if !line.contains(&b'\t') {
            info_line(out, site, line);
            continue;
        }
        let mut fields = line.split(|&b| b == b'\t');
        let first = fields.next().unwrap_or_default();
        let (kind, display) = match first.split_first() {
            Some((&k, d)) => (k, d),
            None => (b'i', &[][..]),
        };
        let selector = fields.next().unwrap_or_default();
        let host = fields.next().unwrap_or_default();
        let given_port = fields.next().unwrap_or_default();
        let rest: Vec<&[u8]> = fields.collect();
        let explicit_host = !host.is_empty();
        let host = if explicit_host {
            host
        } else {
            site.host.as_bytes()
        };
        let line_port: &[u8] = match (given_port.is_empty(), explicit_host) {
            (false, _) => given_port,
            (true, true) => b"70",
            (true, false) => port.as_bytes(),
        };
        let informational = matches!(kind, b'i' | b'3');
        let selector = if informational || explicit_host {
            selector.to_vec()
        } else {
            complete_selector(
                if selector.is_empty() {
                    display
                } else {
                    selector
                },
                base,
            )
        };
        write_line(out, kind, &[display, &selector, host, line_port], &rest);
    }
}

/// Makes a relative selector absolute against `base`; absolute selectors and
/// `URL:` links are kept.
fn complete_selector(selector: &[u8], base: &str) -> Vec<u8> {
    if selector.starts_with(b"/") || selector.starts_with(b"URL:") {
        return selector.to_vec();
    }
    let mut out = Vec::with_capacity(base.len() + selector.len());
    let _ = write!(out, "{base}");
    if !base.ends_with('/') {
        out.push(b'/');
    }
    out.extend_from_slice(selector);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> Site {
        Site {
            host: "example.org".into(),
            port: 7070,
        }
    }

    fn render_str(map: &str, base: &str) -> String {
        let mut out = Vec::new();
        render(
            map.as_bytes(),
            &site(),
            base,
            Some(&mut |o: &mut Vec<u8>| o.extend_from_slice(b"<listing>\r\n")),
            &mut out,
        );
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn text_lines_become_info_lines() {
        assert_eq!(
            render_str("Welcome!\n\n", "/"),
            "iWelcome!\t\texample.org\t7070\r\ni\t\texample.org\t7070\r\n"
        );
    }

    #[test]
    fn selectors_hosts_and_ports_are_completed() {
        let map = "0About this hole\tabout.txt\n\
                   1Docs\t/docs\n\
                   0Readme\t\n\
                   1Floodgap\t/\tgopher.floodgap.com\n\
                   7Search\t/search\tother.host\t7071\n\
                   hHome page\tURL:https://example.org/\n";
        assert_eq!(
            render_str(map, "/hole/"),
            "0About this hole\t/hole/about.txt\texample.org\t7070\r\n\
             1Docs\t/docs\texample.org\t7070\r\n\
             0Readme\t/hole/Readme\texample.org\t7070\r\n\
             1Floodgap\t/\tgopher.floodgap.com\t70\r\n\
             7Search\t/search\tother.host\t7071\r\n\
             hHome page\tURL:https://example.org/\texample.org\t7070\r\n"
        );
    }

    #[test]
    fn complete_lines_pass_through_with_crlf() {
        let line = "1Elsewhere\t/x\thost.example\t70\t+\r\n";
        assert_eq!(render_str(line, "/"), line);
    }

    #[test]
    fn star_is_text_without_a_listing() {
        let mut out = Vec::new();
        render(b"*\n", &site(), "/", None, &mut out);
        assert_eq!(out, b"i*\t\texample.org\t7070\r\n");
    }

    #[test]
    fn star_lists_and_dot_ends() {
        assert_eq!(
            render_str("Files:\n*\n.\nnot shown\n", "/"),
            "iFiles:\t\texample.org\t7070\r\n<listing>\r\n"
        );
    }
}
