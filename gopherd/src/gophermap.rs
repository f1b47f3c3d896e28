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
//! - `.` alone ends the menu; nothing after it is read.
//!
//! Gophermap files (not handler output) also take Gophernicus's lines:
//! - `#...` is a comment, never shown;
//! - `!TITLE` is the menu's title line;
//! - `-NAME` hides `NAME` from the folder's listing (a line starting `--`
//!   or `- ` is text: a ruler or a bullet stays visible);
//! - `:EXT=T` lists files ending `.EXT` with item type `T` in this folder;
//! - `=FILE` includes another map file, relative to the map's folder and
//!   never outside the root (nested four deep at most); `=COMMAND`, which
//!   Gophernicus runs in a shell, is never run: it shows nothing and is
//!   logged once;
//! - `*` lists the folder's entries there and ends the map.

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

/// What a gophermap's own lines ask of the folder listing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListingRules {
    /// Names left out (`-NAME` lines).
    pub hidden: Vec<Vec<u8>>,
    /// Item types by lower-case extension (`:EXT=T` lines).
    pub types: Vec<(String, u8)>,
}

impl ListingRules {
    /// The item type `:EXT=T` lines give `name`, if any.
    pub fn type_of(&self, name: &[u8]) -> Option<u8> {
        let dot = name.iter().rposition(|&b| b == b'.').filter(|&i| i > 0)?;
        let ext = String::from_utf8_lossy(&name[dot + 1..]).to_ascii_lowercase();
        self.types.iter().find(|(e, _)| *e == ext).map(|&(_, t)| t)
    }

    /// Whether `name` is hidden.
    pub fn hides(&self, name: &[u8]) -> bool {
        self.hidden.iter().any(|h| h == name)
    }
}

/// The folder a gophermap file belongs to.
pub trait MapFolder {
    /// The bytes of the map file `path` names (relative to the map's
    /// folder, inside the root), or `None` if there is none.
    fn include(&mut self, path: &[u8]) -> Option<Vec<u8>>;
    /// Writes the folder's entries as menu lines, as `rules` say.
    fn list(&mut self, rules: &ListingRules, out: &mut Vec<u8>);
    /// Says once that `line` of the map was not honoured, and why.
    fn warn(&mut self, line: &[u8], why: &str);
}

/// Includes nest at most this deep.
const MAX_INCLUDE_DEPTH: usize = 4;

/// Renders gophermap text into menu lines (without the final `.`).
/// `base` is the selector of the folder the map belongs to, ending in `/`;
/// `folder`, for a gophermap file, gives its directives a folder to act on
/// (without it, as for handler output, they are text).
pub fn render(
    map: &[u8],
    site: &Site,
    base: &[u8],
    folder: Option<&mut dyn MapFolder>,
    out: &mut Vec<u8>,
) {
    let mut rules = ListingRules::default();
    let mut folder = folder;
    render_map(map, site, base, &mut folder, &mut rules, 0, out);
}

/// Whether rendering goes on after a map (false once `*` has listed).
fn render_map(
    map: &[u8],
    site: &Site,
    base: &[u8],
    folder: &mut Option<&mut dyn MapFolder>,
    rules: &mut ListingRules,
    depth: usize,
    out: &mut Vec<u8>,
) -> bool {
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
        if let Some(folder) = folder.as_deref_mut()
            && !line.contains(&b'\t')
        {
            match directive(line) {
                Some(Directive::Comment) => continue,
                Some(Directive::Title(title)) => {
                    menu_line(
                        out,
                        b'i',
                        title,
                        b"TITLE",
                        site.host.as_bytes(),
                        port.as_bytes(),
                    );
                    continue;
                }
                Some(Directive::Hide(name)) => {
                    rules.hidden.push(name.to_vec());
                    continue;
                }
                Some(Directive::Type(ext, kind)) => {
                    rules.types.retain(|(e, _)| *e != ext);
                    rules.types.push((ext, kind));
                    continue;
                }
                Some(Directive::Include(path)) => {
                    if depth >= MAX_INCLUDE_DEPTH {
                        folder.warn(line, "includes nest deeper than four maps");
                        continue;
                    }
                    match folder.include(path) {
                        Some(included) => {
                            if !render_map(
                                &included,
                                site,
                                base,
                                &mut Some(&mut *folder),
                                rules,
                                depth + 1,
                                out,
                            ) {
                                return false;
                            }
                        }
                        None => folder.warn(
                            line,
                            "no such map file in the hole; Gophernicus would run it as a shell command, gopherd runs none",
                        ),
                    }
                    continue;
                }
                Some(Directive::ListRest) => {
                    folder.list(rules, out);
                    return false;
                }
                None => {}
            }
        }
        if !line.contains(&b'\t') {
            info_line(out, site, line);
            continue;
        }
        item_line(line, site, &port, base, out);
    }
    true
}

/// A Gophernicus line that is not shown as it is.
enum Directive<'a> {
    Comment,
    Title(&'a [u8]),
    Hide(&'a [u8]),
    Type(String, u8),
    Include(&'a [u8]),
    ListRest,
}

fn directive(line: &[u8]) -> Option<Directive<'_>> {
    let (&first, rest) = line.split_first()?;
    match first {
        b'#' => Some(Directive::Comment),
        b'!' if !rest.is_empty() => Some(Directive::Title(rest)),
        b'-' => match rest.first() {
            Some(b'-' | b' ' | b'\t') | None => None,
            Some(_) => Some(Directive::Hide(rest)),
        },
        b':' => {
            let text = std::str::from_utf8(rest).ok()?;
            let (ext, kind) = text.split_once('=')?;
            let ext = ext.trim_start_matches('.');
            let valid = !ext.is_empty()
                && ext
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
                && kind.len() == 1
                && kind.bytes().all(|b| b.is_ascii_graphic());
            valid.then(|| Directive::Type(ext.to_ascii_lowercase(), kind.as_bytes()[0]))
        }
        b'=' if !rest.is_empty() => Some(Directive::Include(rest)),
        b'*' if rest.is_empty() => Some(Directive::ListRest),
        _ => None,
    }
}

/// Writes one item line, completing its selector, host and port.
fn item_line(line: &[u8], site: &Site, port: &str, base: &[u8], out: &mut Vec<u8>) {
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

/// Makes a relative selector absolute against `base`; absolute selectors and
/// `URL:` links are kept.
pub fn complete_selector(selector: &[u8], base: &[u8]) -> Vec<u8> {
    if selector.starts_with(b"/") || selector.starts_with(b"URL:") {
        return selector.to_vec();
    }
    let mut out = Vec::with_capacity(base.len() + selector.len() + 1);
    out.extend_from_slice(base);
    if !base.ends_with(b"/") {
        out.push(b'/');
    }
    out.extend_from_slice(selector);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn site() -> Site {
        Site {
            host: "example.org".into(),
            port: 7070,
        }
    }

    /// A folder whose map files are in memory and whose listing says what
    /// it was asked.
    #[derive(Default)]
    struct Folder {
        maps: HashMap<&'static str, &'static str>,
        warnings: Vec<String>,
    }

    impl MapFolder for Folder {
        fn include(&mut self, path: &[u8]) -> Option<Vec<u8>> {
            let path = std::str::from_utf8(path).ok()?;
            self.maps.get(path).map(|m| m.as_bytes().to_vec())
        }
        fn list(&mut self, rules: &ListingRules, out: &mut Vec<u8>) {
            let hidden: Vec<String> = rules
                .hidden
                .iter()
                .map(|h| String::from_utf8_lossy(h).into_owned())
                .collect();
            let types: Vec<String> = rules
                .types
                .iter()
                .map(|(e, t)| format!("{e}={}", *t as char))
                .collect();
            out.extend_from_slice(
                format!("<listing hiding {hidden:?} typing {types:?}>\r\n").as_bytes(),
            );
        }
        fn warn(&mut self, line: &[u8], why: &str) {
            self.warnings
                .push(format!("{}: {why}", String::from_utf8_lossy(line)));
        }
    }

    fn render_map(map: &str, base: &str, folder: &mut Folder) -> String {
        let mut out = Vec::new();
        render(
            map.as_bytes(),
            &site(),
            base.as_bytes(),
            Some(folder),
            &mut out,
        );
        String::from_utf8(out).unwrap()
    }

    fn render_str(map: &str, base: &str) -> String {
        render_map(map, base, &mut Folder::default())
    }

    fn render_output(map: &str) -> String {
        let mut out = Vec::new();
        render(map.as_bytes(), &site(), b"/", None, &mut out);
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
    fn handler_output_has_no_directives() {
        assert_eq!(
            render_output("# Results\n*\n-draft\n"),
            "i# Results\t\texample.org\t7070\r\n\
             i*\t\texample.org\t7070\r\n\
             i-draft\t\texample.org\t7070\r\n"
        );
    }

    #[test]
    fn star_lists_the_rest_and_ends_the_map() {
        assert_eq!(
            render_str("Files:\n*\nnot shown\n", "/"),
            "iFiles:\t\texample.org\t7070\r\n<listing hiding [] typing []>\r\n"
        );
        assert_eq!(
            render_str("Files:\n.\n*\n", "/"),
            "iFiles:\t\texample.org\t7070\r\n"
        );
    }

    #[test]
    fn gophernicus_lines_hide_name_type_and_title() {
        let map = "!My hole\n\
                   # a comment nobody sees\n\
                   -drafts\n\
                   -secret plans.txt\n\
                   --- Around this hole ---\n\
                   - a bullet point\n\
                   :log=0\n\
                   :.WASM=9\n\
                   :bad=too long\n\
                   *\n";
        assert_eq!(
            render_str(map, "/"),
            "iMy hole\tTITLE\texample.org\t7070\r\n\
             i--- Around this hole ---\t\texample.org\t7070\r\n\
             i- a bullet point\t\texample.org\t7070\r\n\
             i:bad=too long\t\texample.org\t7070\r\n\
             <listing hiding [\"drafts\", \"secret plans.txt\"] typing [\"log=0\", \"wasm=9\"]>\r\n"
        );
    }

    #[test]
    fn includes_render_in_place_and_commands_never_run() {
        let mut folder = Folder::default();
        folder
            .maps
            .insert("news.map", "0Latest\tlatest.txt\n.\nnot read\n");
        folder.maps.insert("loop.map", "=loop.map\n");
        let out = render_map(
            "Before\n=news.map\nAfter\n=date\n=loop.map\n",
            "/blog/",
            &mut folder,
        );
        assert_eq!(
            out,
            "iBefore\t\texample.org\t7070\r\n\
             0Latest\t/blog/latest.txt\texample.org\t7070\r\n\
             iAfter\t\texample.org\t7070\r\n"
        );
        assert_eq!(folder.warnings.len(), 2, "{:?}", folder.warnings);
        assert!(folder.warnings[0].starts_with("=date: no such map file"));
        assert!(folder.warnings[1].contains("deeper than four"));
    }

    #[test]
    fn a_star_in_an_include_ends_every_map() {
        let mut folder = Folder::default();
        folder.maps.insert("tail.map", "-hidden\n*\n");
        assert_eq!(
            render_map("=tail.map\nnot shown\n", "/", &mut folder),
            "<listing hiding [\"hidden\"] typing []>\r\n"
        );
    }

    #[test]
    fn listing_rules_type_by_extension() {
        let rules = ListingRules {
            hidden: vec![b"x".to_vec()],
            types: vec![("log".into(), b'0')],
        };
        assert_eq!(rules.type_of(b"server.LOG"), Some(b'0'));
        assert_eq!(rules.type_of(b".log"), None);
        assert_eq!(rules.type_of(b"a.txt"), None);
        assert!(rules.hides(b"x") && !rules.hides(b"y"));
    }
}
