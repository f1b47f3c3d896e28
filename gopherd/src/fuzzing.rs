//! Arbitrary bytes for the parts of gopherd that read what strangers send
//! or write: the request line, routing, gophermaps and handler menus, and
//! text framing. The `fuzz/` targets and the tests' fixed-seed run feed
//! this; a panic, or a response a client would misread, is a bug.

use crate::framing;
use crate::gophermap::{self, Site};
use crate::request::Request;
use crate::router::{Router, Target};

/// Runs `data` through everything, checking what comes out.
pub fn feed(data: &[u8]) {
    let site = Site {
        host: "gopher.test".into(),
        port: 7070,
    };
    if let Ok(request) = Request::parse(data) {
        let router = Router::new(["/", "/cgi", "/a/b"]);
        match router.route(&request.selector) {
            Target::Handler { path_info, .. } => {
                assert!(path_info.is_empty() || path_info.starts_with('/'));
            }
            Target::Static => {}
        }
        let _ = request.line();
    }
    let mut menu = Vec::new();
    let mut folder = FuzzFolder { data };
    gophermap::render(data, &site, b"/hole/", Some(&mut folder), &mut menu);
    check_lines(&menu, "a rendered menu");
    let mut gph_menu = Vec::new();
    crate::gph::render(data, &site, b"/hole/", &mut gph_menu);
    check_lines(&gph_menu, "a rendered .gph menu");
    let framed = framing::menu(data, &site, "/hole/");
    check_ended(&framed, "a menu");
    let text = framing::text(data);
    check_ended(&text, "a text");
    let error = framing::error(&String::from_utf8_lossy(data));
    check_ended(&error, "an error item");
    assert_eq!(
        error.iter().filter(|b| **b == b'\n').count(),
        2,
        "an error item is one line and the end"
    );
}

/// Every line ends with CRLF and none is a lone `.`, which would end the
/// response early for a client.
fn check_lines(out: &[u8], what: &str) {
    if out.is_empty() {
        return;
    }
    assert!(out.ends_with(b"\r\n"), "{what} ends with CRLF");
    for line in out[..out.len() - 1].split(|b| *b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or_else(|| {
            panic!(
                "{what} has a line without CR: {:?}",
                String::from_utf8_lossy(line)
            )
        });
        assert_ne!(line, b".", "{what} has a `.` line before its end");
    }
}

/// A whole text or menu response: proper lines, then the `.` line.
fn check_ended(out: &[u8], what: &str) {
    let body = out
        .strip_suffix(framing::TERMINATOR)
        .unwrap_or_else(|| panic!("{what} ends with `.`"));
    check_lines(body, what);
}

/// A folder whose every map file is the fuzzed input itself, so includes
/// nest as deep as they may.
struct FuzzFolder<'a> {
    data: &'a [u8],
}

impl gophermap::MapFolder for FuzzFolder<'_> {
    fn include(&mut self, _path: &[u8]) -> Option<Vec<u8>> {
        Some(self.data.to_vec())
    }
    fn list(&mut self, _rules: &gophermap::ListingRules, out: &mut Vec<u8>) {
        out.extend_from_slice(b"0listed\t/x\th\t1\r\n");
    }
    fn warn(&mut self, _line: &[u8], _why: &str) {}
}
