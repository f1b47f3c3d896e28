//! Geomyidae's `.gph` menus, rendered into RFC 1436 menu lines, so holes
//! written for Geomyidae (bitreich and its neighbours) serve unchanged.
//!
//! The syntax, one line each, as Geomyidae reads it:
//! - `[TYPE|DISPLAY|SELECTOR|HOST|PORT]`: an item. Exactly five fields and
//!   a type; only the type's first character counts; `\|` is a `|` within
//!   a field; anything after the closing `]` is ignored. `server` as the
//!   host and `port` as the port mean this server's. A relative selector
//!   is made absolute against the menu's folder (`.` and `..` resolved,
//!   never above the root), except for types `i 2 3 8 w T` and `URL:` links.
//! - `[|TEXT`: `TEXT` shown as it is, even if it starts with `[`.
//! - any other line, a malformed item included, is shown as text.
//!
//! Where gopherd differs: an empty host or port is this server's (Geomyidae
//! writes them empty); a tab in a text line is shown as a space (Geomyidae
//! replaces the line with a warning); a relative selector for another
//! server is left as written.

use crate::gophermap::{Site, info_line, menu_line};

/// Item types whose selectors are never made absolute.
const SELECTOR_AS_WRITTEN: &[u8] = b"i238wT";

/// Renders `.gph` text into menu lines (without the final `.`); `base` is
/// the selector of the folder the file is in, ending in `/`.
pub fn render(gph: &[u8], site: &Site, base: &[u8], out: &mut Vec<u8>) {
    let port = site.port.to_string();
    let mut lines = gph.split(|&b| b == b'\n').peekable();
    while let Some(line) = lines.next() {
        if lines.peek().is_none() && line.is_empty() {
            break;
        }
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        // A tab would split the menu line: it is shown as a space.
        let spaced: Vec<u8>;
        let line = if line.contains(&b'\t') {
            spaced = line
                .iter()
                .map(|&b| if b == b'\t' { b' ' } else { b })
                .collect();
            &spaced[..]
        } else {
            line
        };
        if let Some(text) = line.strip_prefix(b"[|") {
            info_line(out, site, text);
            continue;
        }
        let item = line.strip_prefix(b"[").and_then(item_fields);
        let Some([kind, display, selector, host, item_port]) = item else {
            info_line(out, site, line);
            continue;
        };
        let Some(&kind) = kind.first() else {
            info_line(out, site, line);
            continue;
        };
        let ours = host.is_empty() || host == b"server" || host == site.host.as_bytes();
        let host = if ours {
            site.host.as_bytes().to_vec()
        } else {
            host
        };
        let item_port = match &item_port[..] {
            b"" | b"port" if ours => port.as_bytes().to_vec(),
            b"" | b"port" => b"70".to_vec(),
            _ => item_port,
        };
        let selector = if ours
            && !SELECTOR_AS_WRITTEN.contains(&kind)
            && !selector.is_empty()
            && !selector.starts_with(b"/")
            && !selector.starts_with(b"URL:")
        {
            resolve(base, &selector).unwrap_or(selector)
        } else {
            selector
        };
        menu_line(out, kind, &display, &selector, &host, &item_port);
    }
}

/// The five fields of an item line after its `[`, or `None` if it is not
/// one: `|` separates them (`\|` is a `|` within one), the last ends at
/// the first `]` after the last separator.
fn item_fields(rest: &[u8]) -> Option<[Vec<u8>; 5]> {
    let mut fields: Vec<Vec<u8>> = vec![Vec::new()];
    let mut bytes = rest.iter().peekable();
    while let Some(&b) = bytes.next() {
        match b {
            b'\\' if bytes.peek() == Some(&&b'|') => {
                bytes.next();
                fields.last_mut()?.push(b'|');
            }
            b'|' => fields.push(Vec::new()),
            _ => fields.last_mut()?.push(b),
        }
    }
    let last = fields.last_mut()?;
    let end = last.iter().position(|&b| b == b']')?;
    last.truncate(end);
    fields.try_into().ok()
}

/// `relative` made absolute against `base`, with `.` and `..` resolved;
/// `None` if it climbs above the root.
fn resolve(base: &[u8], relative: &[u8]) -> Option<Vec<u8>> {
    let mut parts: Vec<&[u8]> = Vec::new();
    for part in base
        .split(|&b| b == b'/')
        .chain(relative.split(|&b| b == b'/'))
    {
        match part {
            b"" | b"." => {}
            b".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    let mut out = Vec::with_capacity(base.len() + relative.len());
    for p in &parts {
        out.push(b'/');
        out.extend_from_slice(p);
    }
    if out.is_empty() {
        out.push(b'/');
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render_str(gph: &str, base: &str) -> String {
        let site = Site {
            host: "example.org".into(),
            port: 7070,
        };
        let mut out = Vec::new();
        render(gph.as_bytes(), &site, base.as_bytes(), &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn items_and_text() {
        let gph = "Welcome to a geomyidae hole\n\
                   [1|Phlog|/phlog|server|port]\n\
                   [0|About|about.txt|server|port]\n\
                   [h|Web|URL:https://bitreich.org|server|port]\n\
                   [1|Elsewhere|/|bitreich.org|70]\n\
                   [7|Search|/search|example.org|]\n\
                   \n";
        assert_eq!(
            render_str(gph, "/hole/"),
            "iWelcome to a geomyidae hole\t\texample.org\t7070\r\n\
             1Phlog\t/phlog\texample.org\t7070\r\n\
             0About\t/hole/about.txt\texample.org\t7070\r\n\
             hWeb\tURL:https://bitreich.org\texample.org\t7070\r\n\
             1Elsewhere\t/\tbitreich.org\t70\r\n\
             7Search\t/search\texample.org\t7070\r\n\
             i\t\texample.org\t7070\r\n"
        );
    }

    #[test]
    fn escapes_and_malformed_lines() {
        let gph = "[0|A \\| pipe|a.txt|server|port]\n\
                   [|[0|shown as text|x|server|port]\n\
                   [0|four fields|x|server]\n\
                   [0|six|x|server|port|extra]\n\
                   [|no closing bracket\n\
                   [0|no bracket|x|server|port\n\
                   [|empty type||server|port]\n\
                   [01|first character counts|b.txt|server|port] trailing words\n\
                   tNot stripped\n";
        assert_eq!(
            render_str(gph, "/"),
            "0A | pipe\t/a.txt\texample.org\t7070\r\n\
             i[0|shown as text|x|server|port]\t\texample.org\t7070\r\n\
             i[0|four fields|x|server]\t\texample.org\t7070\r\n\
             i[0|six|x|server|port|extra]\t\texample.org\t7070\r\n\
             ino closing bracket\t\texample.org\t7070\r\n\
             i[0|no bracket|x|server|port\t\texample.org\t7070\r\n\
             iempty type||server|port]\t\texample.org\t7070\r\n\
             0first character counts\t/b.txt\texample.org\t7070\r\n\
             itNot stripped\t\texample.org\t7070\r\n"
        );
        assert_eq!(
            render_str("[|empty||server|port]\n[||x|server|port]\n", "/"),
            "iempty||server|port]\t\texample.org\t7070\r\n\
             i|x|server|port]\t\texample.org\t7070\r\n",
            "`[|` is the escape for text"
        );
    }

    #[test]
    fn relative_selectors_resolve_within_the_root() {
        let gph = "[1|Up|..|server|port]\n\
                   [1|Here|.|server|port]\n\
                   [0|Sibling|../about.txt|server|port]\n\
                   [0|Escape|../../../etc/passwd|server|port]\n\
                   [i|Info keeps its selector|rel|server|port]\n\
                   [0|Remote relative|rel.txt|other.org|70]\n";
        assert_eq!(
            render_str(gph, "/sub/"),
            "1Up\t/\texample.org\t7070\r\n\
             1Here\t/sub\texample.org\t7070\r\n\
             0Sibling\t/about.txt\texample.org\t7070\r\n\
             0Escape\t../../../etc/passwd\texample.org\t7070\r\n\
             iInfo keeps its selector\trel\texample.org\t7070\r\n\
             0Remote relative\trel.txt\tother.org\t70\r\n"
        );
    }

    #[test]
    fn tabs_never_break_a_line() {
        assert_eq!(
            render_str("a\tb\n[0|x\ty|s|server|port]\n", "/"),
            "ia b\t\texample.org\t7070\r\n0x y\t/s\texample.org\t7070\r\n"
        );
    }
}
