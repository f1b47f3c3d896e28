//! What a guest may open by URL: policy files in the original Olin format
//! (`allow` and `disallow` lists of URL regexes, `ram-page-limit`,
//! `gas-limit`, `##` comments) and network allowances (`HOST[:PORT]`).

use crate::sandbox::limits::Limits;
use regex::Regex;
use std::fmt;
use std::path::Path;
use std::sync::Arc;

/// Memory limit of a policy that names none, in wasm pages (as the original host).
pub const DEFAULT_RAM_PAGE_LIMIT: u64 = 128;
/// Instruction limit of a policy that names none (as the original host).
pub const DEFAULT_GAS_LIMIT: u64 = 33_554_432;
/// Bytes in one wasm page.
pub const PAGE_SIZE: u64 = 65_536;

/// One URL regex of a policy, with the line it came from.
#[derive(Clone, Debug)]
pub struct Rule {
    /// The pattern; it matches anywhere in the URL unless anchored.
    pub pattern: Regex,
    /// 1-based line in the policy file.
    pub line: usize,
}

/// A parsed policy file.
#[derive(Clone, Debug)]
pub struct Policy {
    /// Where it came from (a file name), for messages.
    pub source: String,
    /// URLs the guest may open.
    pub allow: Vec<Rule>,
    /// URLs the guest may never open, even when an allow rule matches.
    pub disallow: Vec<Rule>,
    /// `ram-page-limit`, if the file states it.
    pub ram_page_limit: Option<u64>,
    /// `gas-limit`, if the file states it.
    pub gas_limit: Option<u64>,
}

/// A malformed policy file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct PolicyError {
    /// The file.
    pub file: String,
    /// 1-based line (0 when the file could not be read).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// What a policy says about one URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// An allow rule matches and no disallow rule does.
    Allowed {
        /// The line of the allow rule that matched.
        line: usize,
    },
    /// Refused, with the reason naming the URL and the rule.
    Refused(String),
}

/// Where a list of regexes is being read.
struct Block {
    allow: bool,
    opened_at: usize,
}

impl Policy {
    /// Reads and parses a policy file.
    pub fn from_file(path: &Path) -> Result<Policy, PolicyError> {
        let source = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| PolicyError {
            file: source.clone(),
            line: 0,
            message: format!("cannot read the policy: {e}"),
        })?;
        Policy::parse(&source, &text)
    }

    /// Parses policy text; `source` names it in messages.
    pub fn parse(source: &str, text: &str) -> Result<Policy, PolicyError> {
        let mut policy = Policy {
            source: source.to_string(),
            allow: Vec::new(),
            disallow: Vec::new(),
            ram_page_limit: None,
            gas_limit: None,
        };
        let fail = |line: usize, message: String| PolicyError {
            file: source.to_string(),
            line,
            message,
        };
        let mut block: Option<Block> = None;
        for (i, raw) in text.lines().enumerate() {
            let line_no = i + 1;
            let line = strip_comment(raw).trim();
            if line.is_empty() {
                continue;
            }
            if let Some(b) = &block {
                if line == ")" {
                    block = None;
                    continue;
                }
                let pattern = Regex::new(line).map_err(|e| {
                    fail(
                        line_no,
                        format!("`{line}` is not a valid regular expression: {e}"),
                    )
                })?;
                let rule = Rule {
                    pattern,
                    line: line_no,
                };
                if b.allow {
                    policy.allow.push(rule);
                } else {
                    policy.disallow.push(rule);
                }
                continue;
            }
            let (key, value) = match line.split_once(char::is_whitespace) {
                Some((k, v)) => (k, v.trim()),
                None => (line, ""),
            };
            match key {
                "allow" | "disallow" => {
                    if value != "(" {
                        return Err(fail(
                            line_no,
                            format!(
                                "`{key}` must be followed by `(`, then one URL regex per line, then `)`"
                            ),
                        ));
                    }
                    block = Some(Block {
                        allow: key == "allow",
                        opened_at: line_no,
                    });
                }
                "ram-page-limit" | "gas-limit" => {
                    let n: u64 = value.parse().map_err(|_| {
                        fail(
                            line_no,
                            format!("`{key}` needs a whole number, not `{value}`"),
                        )
                    })?;
                    if key == "ram-page-limit" {
                        if n > 65_536 {
                            return Err(fail(
                                line_no,
                                format!(
                                    "`ram-page-limit {n}` is more than the 65536 pages of a 32-bit memory"
                                ),
                            ));
                        }
                        policy.ram_page_limit = Some(n);
                    } else {
                        policy.gas_limit = Some(n);
                    }
                }
                ")" => return Err(fail(line_no, "`)` without an open list".into())),
                _ => {
                    return Err(fail(
                        line_no,
                        format!(
                            "unknown setting `{key}` (expected allow, disallow, ram-page-limit or gas-limit)"
                        ),
                    ));
                }
            }
        }
        if let Some(b) = block {
            let which = if b.allow { "allow" } else { "disallow" };
            return Err(fail(
                b.opened_at,
                format!("the `{which}` list opened here is never closed with `)`"),
            ));
        }
        Ok(policy)
    }

    /// Whether the guest may open `url`. A matching disallow rule wins over
    /// any allow rule; a URL no allow rule matches is refused.
    pub fn check(&self, url: &str) -> Verdict {
        if let Some(rule) = self.disallow.iter().find(|r| r.pattern.is_match(url)) {
            return Verdict::Refused(format!(
                "`{url}` matches disallow rule `{}` ({} line {})",
                rule.pattern.as_str(),
                self.source,
                rule.line
            ));
        }
        match self.allow.iter().find(|r| r.pattern.is_match(url)) {
            Some(rule) => Verdict::Allowed { line: rule.line },
            None => Verdict::Refused(format!("`{url}` matches no allow rule of {}", self.source)),
        }
    }

    /// The memory limit, in bytes.
    pub fn max_memory(&self) -> u64 {
        self.ram_page_limit.unwrap_or(DEFAULT_RAM_PAGE_LIMIT) * PAGE_SIZE
    }

    /// The instruction (fuel) limit.
    pub fn fuel(&self) -> u64 {
        self.gas_limit.unwrap_or(DEFAULT_GAS_LIMIT)
    }

    /// Folds the policy's memory and gas limits into `limits`: the stricter
    /// of each pair wins.
    pub fn tighten(&self, limits: &mut Limits) {
        let stricter = |a: Option<u64>, b: u64| Some(a.map_or(b, |a| a.min(b)));
        limits.max_memory = stricter(limits.max_memory, self.max_memory());
        limits.fuel = stricter(limits.fuel, self.fuel());
    }
}

/// The line without its `##` comment. `##` starts a comment at the start of
/// a line or after whitespace, so regexes may still contain `#`.
fn strip_comment(line: &str) -> &str {
    let mut from = 0;
    while let Some(i) = line[from..].find("##") {
        let at = from + i;
        if at == 0 || line[..at].ends_with(char::is_whitespace) {
            return &line[..at];
        }
        from = at + 2;
    }
    line
}

/// Permission to reach one host (and port, or every port) over the network.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetAllow {
    /// Host name or address, lowercase, without brackets.
    pub host: String,
    /// The one port allowed, or `None` for any.
    pub port: Option<u16>,
}

impl NetAllow {
    /// Parses `HOST`, `HOST:PORT` or `[IPV6]:PORT`.
    pub fn parse(text: &str) -> Result<NetAllow, String> {
        let bad = || format!("`{text}` is not HOST or HOST:PORT");
        let t = text.trim();
        let (host, port) = if let Some(rest) = t.strip_prefix('[') {
            let (host, after) = rest.split_once(']').ok_or_else(bad)?;
            match after {
                "" => (host, None),
                p => (host, Some(p.strip_prefix(':').ok_or_else(bad)?)),
            }
        } else if t.matches(':').count() > 1 {
            (t, None)
        } else {
            match t.split_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (t, None),
            }
        };
        if host.is_empty() || host.contains(['/', ' ']) {
            return Err(bad());
        }
        let port = match port {
            Some(p) => Some(p.parse::<u16>().map_err(|_| bad())?),
            None => None,
        };
        Ok(NetAllow {
            host: host.to_ascii_lowercase(),
            port,
        })
    }

    /// Whether this allows connecting to `host` on `port`.
    pub fn allows(&self, host: &str, port: u16) -> bool {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        self.host.eq_ignore_ascii_case(host) && self.port.is_none_or(|p| p == port)
    }
}

impl fmt::Display for NetAllow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        match self.port {
            Some(p) => write!(f, "{host}:{p}"),
            None => f.write_str(&host),
        }
    }
}

/// Everything that decides which URLs a guest may open.
#[derive(Clone, Debug, Default)]
pub struct Access {
    /// A policy file: every URL is checked against it, and a refused URL
    /// kills the guest. Its limits apply only when folded into the run's
    /// limits with [`Policy::tighten`] (the command line does).
    pub policy: Option<Arc<Policy>>,
    /// Hosts the guest may reach over HTTP(S) besides those a policy allows.
    pub net: Vec<NetAllow>,
}

impl Access {
    /// Whether the network allowances let the guest reach `host:port`.
    pub fn net_allows(&self, host: &str, port: u16) -> bool {
        self.net.iter().any(|n| n.allows(host, port))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = "\
## This is an example policy, the ## signifies this line is a comment.

## These are the URL patterns that this handler can open:
allow (
  ^https://tulpa.dev
  ^https://discordapp.com/api/webhooks/
  ^random://$
)

## These are the URL patterns that this handler cannot open:
disallow (
  ^https://tulpa.dev/admin.*$  ## the admin pages
)

ram-page-limit 128
gas-limit 1048576
";

    #[test]
    fn parses_the_original_example() {
        let p = Policy::parse("example.policy", EXAMPLE).unwrap();
        assert_eq!(p.allow.len(), 3);
        assert_eq!(p.disallow.len(), 1);
        assert_eq!(p.allow[2].pattern.as_str(), "^random://$");
        assert_eq!(p.allow[2].line, 7);
        assert_eq!(
            p.disallow[0].pattern.as_str(),
            "^https://tulpa.dev/admin.*$"
        );
        assert_eq!(p.ram_page_limit, Some(128));
        assert_eq!(p.gas_limit, Some(1_048_576));
    }

    #[test]
    fn disallow_wins_and_unmatched_urls_are_refused() {
        let p = Policy::parse("example.policy", EXAMPLE).unwrap();
        assert_eq!(p.check("random://"), Verdict::Allowed { line: 7 });
        assert_eq!(
            p.check("https://tulpa.dev/cadey"),
            Verdict::Allowed { line: 5 }
        );
        let Verdict::Refused(why) = p.check("https://tulpa.dev/admin/users") else {
            panic!("admin pages must be refused");
        };
        assert!(why.contains("disallow rule `^https://tulpa.dev/admin.*$`"));
        assert!(why.contains("example.policy line 12"));
        let Verdict::Refused(why) = p.check("random://extra") else {
            panic!("an anchored rule must not match more");
        };
        assert!(why.contains("matches no allow rule"), "{why}");
        assert!(matches!(p.check("file:///etc"), Verdict::Refused(_)));
    }

    #[test]
    fn malformed_files_are_rejected_with_line_numbers() {
        let cases = [
            ("allow (\n  ^ok\n", 1, "never closed"),
            ("gas-limit lots\n", 1, "whole number"),
            ("\n\nram-page-limit 999999\n", 3, "65536 pages"),
            (
                "allow (\n  ^(unclosed\n)\n",
                2,
                "not a valid regular expression",
            ),
            ("## fine\nallow https://x\n", 2, "must be followed by `(`"),
            ("memory 3\n", 1, "unknown setting `memory`"),
            (")\n", 1, "without an open list"),
        ];
        for (text, line, words) in cases {
            let e = Policy::parse("p.policy", text).unwrap_err();
            assert_eq!(e.line, line, "{text:?}: {e}");
            assert!(e.message.contains(words), "{text:?}: {e}");
            assert!(e.to_string().starts_with(&format!("p.policy:{line}: ")));
        }
    }

    #[test]
    fn limits_default_and_the_stricter_wins() {
        let p = Policy::parse("p", "allow (\n^x\n)\n").unwrap();
        assert_eq!(p.max_memory(), 128 * 65536);
        assert_eq!(p.fuel(), 33_554_432);
        let p = Policy::parse("p", "ram-page-limit 2\ngas-limit 5000\n").unwrap();
        let mut limits = Limits {
            max_memory: Some(65536),
            fuel: Some(1_000_000),
            ..Limits::default()
        };
        p.tighten(&mut limits);
        assert_eq!(limits.max_memory, Some(65536));
        assert_eq!(limits.fuel, Some(5000));
        let mut none = Limits::default();
        p.tighten(&mut none);
        assert_eq!(none.max_memory, Some(2 * 65536));
    }

    #[test]
    fn comments_need_a_space_before_them() {
        assert_eq!(strip_comment("^a##b ## note"), "^a##b ");
        assert_eq!(strip_comment("## all"), "");
    }

    #[test]
    fn net_allowances_parse_and_match() {
        let a = NetAllow::parse("Example.COM:8080").unwrap();
        assert!(a.allows("example.com", 8080));
        assert!(!a.allows("example.com", 80));
        assert!(!a.allows("example.org", 8080));
        let any = NetAllow::parse("127.0.0.1").unwrap();
        assert!(any.allows("127.0.0.1", 1234));
        let v6 = NetAllow::parse("[::1]:80").unwrap();
        assert!(v6.allows("[::1]", 80));
        assert_eq!(v6.to_string(), "[::1]:80");
        assert!(NetAllow::parse("host:port").is_err());
        assert!(NetAllow::parse("").is_err());
        assert!(NetAllow::parse("http://x").is_err());
    }
}
