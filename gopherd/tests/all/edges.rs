//! Requests real clients do not send, over raw sockets: odd line endings,
//! split and slow requests, over-long and hostile selectors, and more
//! connections than allowed. None of them may take the server down.

use crate::common;

use common::{Gopherd, read_all};
use std::io::{Read, Write};
use std::net::Shutdown;
use std::time::{Duration, Instant};

/// A gopherhole with a text file and a folder, and tight limits.
fn started(limits: &str) -> Gopherd {
    let limits = if limits.contains("max_selector_length") {
        limits.to_string()
    } else {
        format!("max_selector_length = 64\n{limits}")
    };
    Gopherd::with_setup(
        &format!(
            "root = \"{{tmp}}/root\"\ntext_framing = \"rfc1436\"\n[limits]\nread_timeout = \"300ms\"\n{limits}\n"
        ),
        |dir| {
            let root = dir.join("root");
            std::fs::create_dir_all(root.join("docs")).unwrap();
            std::fs::write(root.join("hello.txt"), "Hello!\n.dotted\n").unwrap();
            std::fs::write(root.join("docs/a.txt"), "A\n").unwrap();
            std::fs::write(dir.join("secret.txt"), "do not serve\n").unwrap();
        },
    )
}

const HELLO: &[u8] = b"Hello!\r\n..dotted\r\n.\r\n";

#[test]
fn lf_only_requests_are_served() {
    let hole = started("");
    assert_eq!(hole.raw(b"/hello.txt\n"), HELLO);
}

#[test]
fn a_request_without_newline_ends_at_half_close() {
    let hole = started("");
    let mut s = hole.connect();
    s.write_all(b"/hello.txt").unwrap();
    s.shutdown(Shutdown::Write).unwrap();
    assert_eq!(read_all(&mut s), HELLO);
}

#[test]
fn a_selector_split_across_packets_is_put_back_together() {
    let hole = started("");
    let mut s = hole.connect();
    s.set_nodelay(true).unwrap();
    for piece in [&b"/he"[..], b"llo", b".t", b"xt\r", b"\n"] {
        s.write_all(piece).unwrap();
        s.flush().unwrap();
        std::thread::sleep(Duration::from_millis(30));
    }
    assert_eq!(read_all(&mut s), HELLO);
}

#[test]
fn an_over_long_selector_gets_an_error_item() {
    let hole = started("");
    let long = format!("/{}\r\n", "x".repeat(5000));
    assert_eq!(
        hole.raw(long.as_bytes()),
        b"3selector too long (the limit is 64 bytes)\t\terror.host\t1\r\n.\r\n"
    );
    let exactly = format!("/{}\r\n", "y".repeat(63));
    assert!(hole.raw(exactly.as_bytes()).starts_with(b"3/yyyy"));
    hole.wait_for_access(&["outcome=too-long"]);
    assert_eq!(hole.raw(b"/hello.txt\r\n"), HELLO);
}

#[test]
fn dot_dot_and_escaping_links_are_refused() {
    let hole = started("");
    let root = hole.dir.path().join("root");
    std::os::unix::fs::symlink(hole.dir.path().join("secret.txt"), root.join("escape.txt"))
        .unwrap();
    for selector in ["/../secret.txt", "/docs/../../secret.txt", "..", "/docs/.."] {
        let out = hole.get(selector);
        assert_eq!(
            out, "3refused: `..` is not allowed in selectors\t\terror.host\t1\r\n.\r\n",
            "{selector}"
        );
    }
    let out = hole.get("/escape.txt");
    assert!(
        out.starts_with('3') && !out.contains("do not serve"),
        "{out}"
    );
    assert!(hole.get("/.hidden").starts_with("3/.hidden: not found\t"));
    assert_eq!(
        hole.get("/nothing/here"),
        "3/nothing/here: not found\t\terror.host\t1\r\n.\r\n"
    );
    hole.wait_for_access(&["\"/../secret.txt\"", "route=static", "outcome=refused"]);
}

#[test]
fn a_slow_client_is_cut_off_while_others_are_served() {
    let hole = started("");
    let t0 = Instant::now();
    let mut slow = hole.connect();
    slow.write_all(b"/hel").unwrap();
    assert_eq!(hole.get("/hello.txt").as_bytes(), HELLO);
    let out = read_all(&mut slow);
    assert_eq!(out, b"3request timed out\t\terror.host\t1\r\n.\r\n");
    let waited = t0.elapsed();
    assert!(
        waited >= Duration::from_millis(250) && waited < Duration::from_secs(5),
        "{waited:?}"
    );
    hole.wait_for_access(&["outcome=read-timeout"]);
}

#[test]
fn a_silent_connection_is_closed_after_the_read_timeout() {
    let hole = started("");
    let mut idle = hole.connect();
    let t0 = Instant::now();
    let out = read_all(&mut idle);
    assert!(out.starts_with(b"3request timed out"));
    assert!(t0.elapsed() < Duration::from_secs(5));
}

#[test]
fn binary_junk_is_a_bad_request() {
    let hole = started("");
    assert_eq!(
        hole.raw(b"\xff\xfe\xfd\r\n"),
        b"3\\xFF\\xFE\\xFD: not found\t\terror.host\t1\r\n.\r\n",
        "a selector that is not UTF-8 is looked for, and named escaped"
    );
    assert_eq!(
        hole.raw(b"/s\t\xff\xfe\r\n"),
        b"3the search words are not UTF-8\t\terror.host\t1\r\n.\r\n"
    );
    assert_eq!(
        hole.raw(b"/a\x00b\r\n"),
        b"3selector contains a control character\t\terror.host\t1\r\n.\r\n"
    );
    let mut quiet = hole.connect();
    quiet.shutdown(Shutdown::Write).unwrap();
    assert!(read_all(&mut quiet).is_empty(), "no request, no answer");
    assert_eq!(hole.raw(b"/hello.txt\r\n"), HELLO);
}

#[test]
fn requests_over_the_limit_are_told_the_server_is_busy() {
    let hole = started("max_connections = 1\nwrite_timeout = \"2s\"");
    std::fs::write(hole.dir.path().join("root/big.bin"), vec![7u8; 32 << 20]).unwrap();
    // A client waiting with half a request takes no slot.
    let mut waiting = hole.connect();
    waiting.write_all(b"/he").unwrap();
    assert_eq!(hole.raw(b"/hello.txt\r\n"), HELLO);
    // One that is being answered (and reads nothing more) takes the only one.
    let mut holder = hole.connect();
    holder.write_all(b"/big.bin\r\n").unwrap();
    let mut first = [0u8; 1];
    holder.read_exact(&mut first).unwrap();
    assert_eq!(
        hole.raw(b"/hello.txt\r\n"),
        b"3server busy, try again later\t\terror.host\t1\r\n.\r\n"
    );
    hole.wait_for_access(&["outcome=busy"]);
    drop(holder);
    hole.wait_for_access(&["\"/big.bin\"", "outcome=client-gone"]);
    assert_eq!(hole.raw(b"/hello.txt\r\n"), HELLO);
    assert!(read_all(&mut waiting).starts_with(b"3request timed out"));
}

#[test]
fn folders_without_a_gophermap_are_listed() {
    let hole = started("");
    let port = hole.port();
    let out = hole.get("/");
    assert!(
        out.contains(&format!("1docs\t/docs\tlocalhost\t{port}\r\n")),
        "{out}"
    );
    assert!(
        out.contains(&format!("0hello.txt\t/hello.txt\tlocalhost\t{port}\r\n")),
        "{out}"
    );
    let docs = hole.get("docs/");
    assert!(
        docs.contains(&format!("1..\t/\tlocalhost\t{port}\r\n")),
        "{docs}"
    );
    assert!(docs.contains("0a.txt\t/docs/a.txt\t"), "{docs}");
}

#[test]
fn url_selectors_get_a_page_pointing_to_the_web() {
    let hole = started("");
    let page = hole.get("URL:https://example.org/");
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("<a href=\"https://example.org/\">"));
}

#[test]
fn binary_files_are_streamed_as_they_are() {
    let hole = started("");
    let root = hole.dir.path().join("root");
    let blob: Vec<u8> = (0..3_000_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .chain(*b"\r\n.\r\n")
        .collect();
    std::fs::write(root.join("blob.bin"), &blob).unwrap();
    std::fs::write(root.join("README"), "plain words\n").unwrap();
    assert!(
        hole.raw(b"/blob.bin\r\n") == blob,
        "the file arrives byte for byte"
    );
    assert_eq!(hole.get("/README"), "plain words\r\n.\r\n");
    let listing = hole.get("/");
    assert!(listing.contains("9blob.bin\t/blob.bin\t"), "{listing}");
    assert!(listing.contains("0README\t/README\t"), "{listing}");
    hole.wait_for_access(&["\"/blob.bin\"", "outcome=ok", "bytes=3000005 "]);
}

#[test]
fn fifos_are_neither_served_nor_listed_and_never_block() {
    let hole = started("");
    let root = hole.dir.path().join("root");
    let fifo = |path: &std::path::Path| {
        rustix::fs::mkfifoat(
            rustix::fs::CWD,
            path,
            rustix::fs::Mode::from_raw_mode(0o644),
        )
        .unwrap()
    };
    fifo(&root.join("pipe"));
    fifo(&root.join("pipe.txt"));
    std::fs::create_dir(root.join("maps")).unwrap();
    fifo(&root.join("maps/gophermap"));
    std::fs::write(root.join("NOTES"), "plain words\n").unwrap();
    let t0 = Instant::now();
    assert!(hole.get("/pipe").starts_with("3/pipe: not found\t"));
    assert!(hole.get("/pipe.txt").starts_with("3/pipe.txt: not found\t"));
    let listing = hole.get("/");
    assert!(!listing.contains("pipe"), "{listing}");
    assert!(listing.contains("0NOTES\t/NOTES\t"), "{listing}");
    let maps = hole.get("/maps");
    assert!(
        maps.starts_with("iIndex of /maps/\t"),
        "a FIFO is no gophermap: {maps}"
    );
    assert!(t0.elapsed() < Duration::from_secs(5), "{:?}", t0.elapsed());
    hole.wait_for_access(&["\"/pipe\"", "outcome=not-found"]);
}

#[test]
fn an_over_long_path_component_is_not_found_and_logs_nothing() {
    let hole = started("max_selector_length = 2000");
    let long = format!("/{}", "a".repeat(300));
    for _ in 0..200 {
        let out = hole.get(&long);
        assert!(
            out.starts_with("3/aaaa") && out.contains("not found"),
            "{out}"
        );
    }
    hole.wait_for_access(&["outcome=not-found"]);
    assert!(!hole.access_log().contains("outcome=error"));
    assert!(!hole.stderr().contains("aaaaaaaa"), "{}", hole.stderr());
}
