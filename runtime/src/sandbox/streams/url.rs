//! The small part of URL syntax stream URLs use: `scheme://rest`, a path,
//! and `?key=value&…` query parameters with percent-decoding.

/// A stream URL split into its scheme and the text after `://`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamUrl<'a> {
    /// The whole URL as the guest wrote it.
    pub text: &'a str,
    /// The scheme, lowercase ASCII letters, digits, `+`, `-` or `.`.
    pub scheme: &'a str,
    /// Everything after `://`.
    pub rest: &'a str,
}

impl<'a> StreamUrl<'a> {
    /// Splits `text`, or says why it is not a URL.
    pub fn parse(text: &'a str) -> Result<StreamUrl<'a>, String> {
        let Some((scheme, rest)) = text.split_once("://") else {
            return Err(format!("`{text}` is not a URL (expected scheme://…)"));
        };
        let valid = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
        if !valid {
            return Err(format!("`{text}` has no valid scheme"));
        }
        if text.contains(|c: char| c.is_control()) {
            return Err(format!(
                "`{}` contains control characters",
                text.escape_debug()
            ));
        }
        Ok(StreamUrl { text, scheme, rest })
    }

    /// The part after `://` and before `?`, percent-decoded.
    pub fn path(&self) -> String {
        let end = self.rest.find(['?', '#']).unwrap_or(self.rest.len());
        percent_decode(&self.rest[..end])
    }

    /// The value of query parameter `key`, percent-decoded (`+` is a space).
    pub fn query(&self, key: &str) -> Option<String> {
        let start = self.rest.find('?')? + 1;
        let end = self.rest.find('#').unwrap_or(self.rest.len()).max(start);
        self.rest[start..end].split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k) == key).then(|| percent_decode(&v.replace('+', " ")))
        })
    }
}

/// Decodes `%XX` escapes; malformed escapes are kept as written.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(v) = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_scheme_path_and_query() {
        let u = StreamUrl::parse("log://?prefix=my%20app&x=1").unwrap();
        assert_eq!(u.scheme, "log");
        assert_eq!(u.path(), "");
        assert_eq!(u.query("prefix").as_deref(), Some("my app"));
        assert_eq!(u.query("y"), None);
        let f = StreamUrl::parse("file:///data/a%2Bb.txt?mode=w").unwrap();
        assert_eq!(f.path(), "/data/a+b.txt");
        assert_eq!(f.query("mode").as_deref(), Some("w"));
        assert_eq!(StreamUrl::parse("fd://1").unwrap().path(), "1");
    }

    #[test]
    fn rejects_what_is_not_a_url() {
        assert!(StreamUrl::parse("hello").is_err());
        assert!(StreamUrl::parse("://x").is_err());
        assert!(StreamUrl::parse("1x://y").is_err());
        assert!(StreamUrl::parse("log://\n").is_err());
        assert_eq!(percent_decode("100%"), "100%");
    }
}
