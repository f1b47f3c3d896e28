//! Gopher addresses (RFC 4266): `gopher://HOST[:PORT]/[TYPE[SELECTOR[%09QUERY]]]`,
//! parsed leniently from what a person types and written back in canonical
//! form.

use std::fmt;
use wasmhole_runtime::sandbox::streams::url::percent_decode;

/// The port a Gopher address means when it names none.
pub const DEFAULT_PORT: u16 = 70;

/// One Gopher resource: where it is, what type it is, and for searches the
/// query sent with it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct GopherUrl {
    /// Host name or address (IPv6 without brackets).
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// The item type (`1` menu, `0` text, `7` search, `9` binary, …).
    pub kind: u8,
    /// The selector string sent to the server.
    pub selector: String,
    /// The search query, for type-7 items.
    pub query: Option<String>,
}

impl GopherUrl {
    /// A menu at the root of `host:port`.
    pub fn root(host: &str, port: u16) -> GopherUrl {
        GopherUrl {
            host: host.to_string(),
            port,
            kind: b'1',
            selector: String::new(),
            query: None,
        }
    }

    /// Parses an address as a person types it: the scheme may be left out,
    /// and so may the port (70), the type (`1`) and the selector.
    pub fn parse(text: &str) -> Result<GopherUrl, String> {
        let text = text.trim();
        let rest = match text.split_once("://") {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("gopher") => rest,
            Some((scheme, _)) => {
                return Err(format!(
                    "`{scheme}://` is not a Gopher address (it starts with gopher://)"
                ));
            }
            None => text,
        };
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, ""),
        };
        let (host, port) = split_authority(authority)?;
        if host.is_empty() {
            return Err("the address names no host".into());
        }
        let mut url = GopherUrl::root(&host, port);
        let mut chars = path.chars();
        if let Some(kind) = chars.next() {
            if !kind.is_ascii() {
                return Err(format!("`{kind}` is not a Gopher item type"));
            }
            url.kind = kind as u8;
            let encoded = chars.as_str();
            let (selector, query) = match encoded.split_once("%09") {
                Some((s, q)) => (s, Some(q)),
                None => (encoded, None),
            };
            url.selector = percent_decode(selector);
            url.query = query.map(|q| {
                // A third field (Gopher+ data) is dropped.
                let q = q.split("%09").next().unwrap_or_default();
                percent_decode(q)
            });
        }
        Ok(url)
    }

    /// The request line this address sends: the selector, a tab and the
    /// query for searches, CRLF.
    pub fn request_line(&self) -> Vec<u8> {
        let mut line = self.selector.clone().into_bytes();
        if let Some(q) = &self.query {
            line.push(b'\t');
            line.extend_from_slice(q.as_bytes());
        }
        line.extend_from_slice(b"\r\n");
        line
    }

    /// `host:port`, with IPv6 addresses in brackets.
    pub fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// The same resource with a search query.
    pub fn with_query(&self, query: &str) -> GopherUrl {
        GopherUrl {
            query: Some(query.to_string()),
            ..self.clone()
        }
    }

    /// Whether this address is on the server `host:port`.
    pub fn is_on(&self, host: &str, port: u16) -> bool {
        self.port == port && self.host.eq_ignore_ascii_case(host)
    }
}

impl fmt::Display for GopherUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        write!(f, "gopher://{host}")?;
        if self.port != DEFAULT_PORT {
            write!(f, ":{}", self.port)?;
        }
        write!(
            f,
            "/{}{}",
            self.kind as char,
            percent_encode(&self.selector)
        )?;
        if let Some(q) = &self.query {
            write!(f, "%09{}", percent_encode(q))?;
        }
        Ok(())
    }
}

fn split_authority(authority: &str) -> Result<(String, u16), String> {
    let port = |p: &str| {
        if p.is_empty() {
            return Ok(DEFAULT_PORT);
        }
        p.parse::<u16>()
            .map_err(|_| format!("port `{p}` is not a number from 0 to 65535"))
    };
    if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or("an IPv6 address opened with `[` is not closed with `]`")?;
        let p = match after.strip_prefix(':') {
            Some(p) => port(p)?,
            None if after.is_empty() => DEFAULT_PORT,
            None => return Err(format!("unexpected `{after}` after the address")),
        };
        return Ok((host.to_string(), p));
    }
    match authority.rsplit_once(':') {
        Some((host, p)) if !host.contains(':') => Ok((host.to_string(), port(p)?)),
        // No port, or an IPv6 address written without brackets.
        _ => Ok((authority.to_string(), DEFAULT_PORT)),
    }
}

/// Escapes what cannot stand in an address: controls, space, `%`, `?`,
/// `#`, and bytes beyond ASCII.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_graphic() && !matches!(b, b'%' | b'?' | b'#') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_addresses_parse() {
        let u = GopherUrl::parse("gopher://example.org:7070/7/find%09two%20words").unwrap();
        assert_eq!(u.host, "example.org");
        assert_eq!(u.port, 7070);
        assert_eq!(u.kind, b'7');
        assert_eq!(u.selector, "/find");
        assert_eq!(u.query.as_deref(), Some("two words"));
        assert_eq!(u.request_line(), b"/find\ttwo words\r\n");
        assert_eq!(
            u.to_string(),
            "gopher://example.org:7070/7/find%09two%20words"
        );
    }

    #[test]
    fn what_people_type_is_completed() {
        assert_eq!(
            GopherUrl::parse("floodgap.com").unwrap(),
            GopherUrl::root("floodgap.com", 70)
        );
        let u = GopherUrl::parse("localhost:7070/0/about.txt").unwrap();
        assert_eq!(
            (u.port, u.kind, u.selector.as_str()),
            (7070, b'0', "/about.txt")
        );
        assert_eq!(u.to_string(), "gopher://localhost:7070/0/about.txt");
        let root = GopherUrl::parse("gopher://HOST/").unwrap();
        assert_eq!((root.kind, root.selector.as_str()), (b'1', ""));
        assert_eq!(root.to_string(), "gopher://HOST/1");
    }

    #[test]
    fn ipv6_hosts_keep_their_brackets_in_addresses() {
        let u = GopherUrl::parse("gopher://[::1]:7070/1/wasi").unwrap();
        assert_eq!((u.host.as_str(), u.port), ("::1", 7070));
        assert_eq!(u.authority(), "[::1]:7070");
        assert_eq!(u.to_string(), "gopher://[::1]:7070/1/wasi");
        assert_eq!(GopherUrl::parse("[::1]").unwrap().port, 70);
    }

    #[test]
    fn bad_addresses_say_what_is_wrong() {
        assert!(
            GopherUrl::parse("http://x")
                .unwrap_err()
                .contains("http://")
        );
        assert!(GopherUrl::parse("x:99999").unwrap_err().contains("99999"));
        assert!(
            GopherUrl::parse("gopher:///1/")
                .unwrap_err()
                .contains("no host")
        );
        assert!(
            GopherUrl::parse("[::1/")
                .unwrap_err()
                .contains("not closed")
        );
    }

    #[test]
    fn escapes_round_trip() {
        let text = "a b%c?d#é\t";
        assert_eq!(percent_decode(&percent_encode(text)), text);
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }
}
