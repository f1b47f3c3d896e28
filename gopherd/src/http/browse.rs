//! The gopherhole as web pages, for people without a Gopher client: a
//! path is a Gopher URL's (`/1/docs` a menu, `/0/about.txt` a text,
//! `/7/search?q=words` a search), menus become HTML pages whose links stay
//! on this face (or point to `gopher://` for other servers), searches
//! become forms, text is text, and other items go out with their type.

use crate::framing::escape_html as escape;
use crate::gophermap::Site;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

/// Characters kept as they are in a link's path.
const PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'/')
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// What a web path asks of the gopherhole.
#[derive(Debug, PartialEq, Eq)]
pub struct Wanted {
    /// The item type (`1` when the path has none).
    pub kind: u8,
    /// The selector.
    pub selector: String,
    /// The search words, for a search.
    pub query: Option<String>,
}

/// The item a web path (percent-encoded) and query ask for.
pub fn wanted(raw_path: &str, query: &str) -> Wanted {
    let path = percent_decode_str(raw_path)
        .decode_utf8_lossy()
        .into_owned();
    let rest = path.strip_prefix('/').unwrap_or(&path);
    let mut chars = rest.chars();
    let (kind, selector) = match (chars.next(), chars.next()) {
        (Some(k), Some('/') | None) if k.is_ascii_graphic() => {
            (k as u8, rest[k.len_utf8()..].to_string())
        }
        _ => (b'1', path.clone()),
    };
    let query = form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "q")
        .map(|(_, v)| v.into_owned());
    Wanted {
        kind,
        selector: if selector.is_empty() {
            "/".into()
        } else {
            selector
        },
        query,
    }
}

/// The content type an item type goes out with on the web: Gopher+'s
/// MIME type, with the charset for text; none where Gopher+ does not know
/// the format (`image/unknown`), so the browser looks at the bytes.
pub fn content_type(kind: u8) -> Option<&'static str> {
    match crate::gopher_plus::mime_type(kind) {
        "text/plain" => Some("text/plain; charset=utf-8"),
        "text/html" => Some("text/html; charset=utf-8"),
        unknown if unknown.ends_with("/unknown") => None,
        known => Some(known),
    }
}

/// The link a menu item gets on this face.
fn href(kind: u8, selector: &str, host: &str, port: &str, site: &Site) -> String {
    if let Some(url) = selector.strip_prefix("URL:") {
        return url.to_string();
    }
    let kind = kind as char;
    let path = utf8_percent_encode(selector.trim_start_matches('/'), PATH).to_string();
    if host == site.host && port == site.port.to_string() {
        format!("/{kind}/{path}")
    } else {
        format!("gopher://{host}:{port}/{kind}/{path}")
    }
}

/// The line atop every page: where in the hole it is (each folder a
/// link up), and the same item's `gopher://` address for Gopher clients.
fn place(kind: u8, selector: &str, query: Option<&str>, site: &Site) -> String {
    let mut crumbs = format!("<a href=\"/\">{}</a>", escape(&site.host));
    let mut so_far = String::new();
    let parts: Vec<&str> = selector.split('/').filter(|p| !p.is_empty()).collect();
    for (i, part) in parts.iter().enumerate() {
        so_far.push('/');
        so_far.push_str(part);
        if i + 1 == parts.len() {
            crumbs.push_str(&format!(" / {}", escape(part)));
        } else {
            crumbs.push_str(&format!(
                " / <a href=\"{}\">{}</a>",
                escape(&href(
                    b'1',
                    &so_far,
                    &site.host,
                    &site.port.to_string(),
                    site
                )),
                escape(part)
            ));
        }
    }
    let mut gopher = format!(
        "gopher://{}:{}/{}{}",
        site.host,
        site.port,
        kind as char,
        utf8_percent_encode(selector, PATH)
    );
    if let Some(words) = query {
        gopher.push_str("%09");
        gopher.push_str(&utf8_percent_encode(words, PATH).to_string());
    }
    format!(
        "<nav>{crumbs}<span class=\"g\"> <a href=\"{0}\">{0}</a></span></nav><hr>\n",
        escape(&gopher)
    )
}

/// A page: the document around `body`.
fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\">\
         <title>{}</title>\
         <style>body{{font-family:monospace;max-width:52em;margin:2em auto;padding:0 1em;\
         background:#fdfcf8;color:#222}}p{{margin:0;white-space:pre-wrap}}\
         .t{{color:#777;display:inline-block;width:3em}}.e{{color:#a00}}\
         form{{margin:.3em 0}}nav{{color:#555}}.g{{float:right}}.g a{{color:#777}}\
         hr{{border:0;border-top:1px solid #ccc}}</style></head>\n<body>\n{body}</body></html>\n",
        escape(title)
    )
}

/// The title of the page for `selector`.
fn title(selector: &str, site: &Site) -> String {
    format!("{} {selector}", site.host)
}

/// A menu's lines as a web page: the menu at `selector`, or the results
/// of the search there for `query`, shown under a form to search again.
pub fn menu_page(selector: &str, query: Option<&str>, menu: &[u8], site: &Site) -> String {
    let text = String::from_utf8_lossy(menu);
    let mut body = match query {
        None => place(b'1', selector, None, site),
        Some(words) => place(b'7', selector, Some(words), site) + &form(selector, words),
    };
    for line in text.split('\n') {
        let line = line.trim_end_matches('\r');
        if line == "." || line.is_empty() {
            continue;
        }
        let mut fields = line.split('\t');
        let first = fields.next().unwrap_or("");
        let mut first_chars = first.chars();
        let kind = first_chars.next().unwrap_or('i');
        let display = escape(first_chars.as_str());
        let selector = fields.next().unwrap_or("");
        let host = fields.next().unwrap_or("");
        let port = fields.next().unwrap_or("70");
        let kind_byte = if kind.is_ascii() { kind as u8 } else { b'i' };
        let item = match kind_byte {
            b'i' => format!("<p><span class=\"t\"></span> {display}</p>\n"),
            b'3' => format!("<p class=\"e\"><span class=\"t\">ERR</span> {display}</p>\n"),
            b'7' => {
                let action = href(b'7', selector, host, port, site);
                format!(
                    "<form method=\"get\" action=\"{}\"><span class=\"t\">?</span> \
                     <label>{display} <input type=\"search\" name=\"q\" aria-label=\"{display}\"></label> \
                     <button type=\"submit\">Search</button></form>\n",
                    escape(&action)
                )
            }
            _ => {
                let label = match kind_byte {
                    b'1' => "DIR",
                    b'0' => "TXT",
                    b'h' => "WEB",
                    b'g' | b'I' => "IMG",
                    _ => "BIN",
                };
                format!(
                    "<p><span class=\"t\">{label}</span> <a href=\"{}\">{display}</a></p>\n",
                    escape(&href(kind_byte, selector, host, port, site))
                )
            }
        };
        body.push_str(&item);
    }
    page(&title(selector, site), &body)
}

/// The form searching at `selector`, holding `words`.
fn form(selector: &str, words: &str) -> String {
    let action = format!(
        "/7/{}",
        utf8_percent_encode(selector.trim_start_matches('/'), PATH)
    );
    format!(
        "<form method=\"get\" action=\"{}\"><label>Search {} <input type=\"search\" name=\"q\" \
         value=\"{}\" autofocus></label> <button type=\"submit\">Search</button></form>\n",
        escape(&action),
        escape(selector),
        escape(words)
    )
}

/// A search's form, before any words are given.
pub fn search_form(selector: &str, site: &Site) -> String {
    page(
        &title(selector, site),
        &(place(b'7', selector, None, site) + &form(selector, "")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> Site {
        Site {
            host: "localhost".into(),
            port: 7070,
        }
    }

    #[test]
    fn paths_name_an_item_type_and_a_selector() {
        assert_eq!(wanted("/", "").selector, "/");
        assert_eq!(wanted("/", "").kind, b'1');
        let w = wanted("/0/docs/a%20b.txt", "");
        assert_eq!((w.kind, w.selector.as_str()), (b'0', "/docs/a b.txt"));
        let w = wanted("/7/wasi/search", "q=sand+box");
        assert_eq!(w.query.as_deref(), Some("sand box"));
        assert_eq!(wanted("/docs", "").selector, "/docs");
    }

    #[test]
    fn items_go_out_with_gopher_plus_types_and_a_charset_for_text() {
        assert_eq!(content_type(b'0'), Some("text/plain; charset=utf-8"));
        assert_eq!(content_type(b'g'), Some("image/gif"));
        assert_eq!(content_type(b'9'), Some("application/octet-stream"));
        assert_eq!(content_type(b'I'), None, "the browser looks at the bytes");
    }

    #[test]
    fn menus_become_pages_with_links_forms_and_text() {
        let menu = b"iHello <you>\t\tlocalhost\t7070\r\n\
                     1Docs\t/docs\tlocalhost\t7070\r\n\
                     7Search\t/wasi/search\tlocalhost\t7070\r\n\
                     1Floodgap\t/\tgopher.floodgap.com\t70\r\n\
                     hWeb\tURL:https://example.org/\tlocalhost\t7070\r\n.\r\n";
        let html = menu_page("/", None, menu, &site());
        assert!(html.contains("Hello &lt;you&gt;"));
        assert!(html.contains("<a href=\"/1/docs\">Docs</a>"));
        assert!(html.contains("action=\"/7/wasi/search\""));
        assert!(html.contains("href=\"gopher://gopher.floodgap.com:70/1/\""));
        assert!(html.contains("href=\"https://example.org/\""));
        let html = menu_page("/docs/a b", Some("x&y"), b".\r\n", &site());
        assert!(html.contains("gopher://localhost:7070/7/docs/a%20b%09x%26y"));
        assert!(html.contains("value=\"x&amp;y\""));
        let html = menu_page("/docs/notes", None, b".\r\n", &site());
        assert!(html.contains("<title>localhost /docs/notes</title>"));
        assert!(html.contains("<a href=\"/1/docs\">docs</a> / notes"));
        assert!(html.contains("gopher://localhost:7070/1/docs/notes"));
    }
}
