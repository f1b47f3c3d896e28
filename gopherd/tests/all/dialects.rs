//! The gopher world's dialects over real sockets: a hole written for
//! Gophernicus (its gophermap lines), one written for Geomyidae (`.gph`
//! menus), Gopher+ requests as UMN `gopher` sends them, and caps.txt.

use crate::common;

use common::{Gopherd, fixture};
use std::path::Path;
use std::time::Duration;

fn write(path: &Path, text: impl AsRef<[u8]>) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// The Gophernicus test hole: its gophermap uses every line Gophernicus
/// knows, and a file name is not UTF-8.
fn gophernicus_hole(dir: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let root = dir.join("root");
    let map = std::fs::read(fixture("dialects/gophernicus.gophermap")).unwrap();
    write(&root.join("gophermap"), map);
    let included = std::fs::read(fixture("dialects/gophernicus.included.map")).unwrap();
    write(&root.join("included.map"), included);
    write(&root.join("about.txt"), "About this test hole.\n");
    write(&root.join("somefile.txt"), "Some file.\n");
    write(&root.join("secret.txt"), "secret\n");
    write(&root.join("server.log"), "log line\n");
    write(&root.join("module.wasm"), b"\0asm\x01\0\0\0");
    write(&root.join("drafts/one.txt"), "draft\n");
    write(&root.join("sub/a.txt"), "a\n");
    write(
        &root.join(std::ffi::OsStr::from_bytes(b"caf\xe9.txt")),
        "latin-1 name\n",
    );
    // A map may include maps within the root, never one outside it.
    write(&dir.join("outside.map"), "iOUTSIDE THE ROOT\n");
    write(
        &root.join("sub/gophermap"),
        "In sub\n=../included.map\n=../../outside.map\n*\n",
    );
}

#[test]
fn a_gophernicus_hole_moves_over_unchanged() {
    let hole = Gopherd::with_setup("root = \"{tmp}/root\"\n", gophernicus_hole);
    let port = hole.port();
    let menu = String::from_utf8_lossy(&hole.raw(b"/\r\n")).into_owned();
    let expected = format!(
        "iWelcome to the test hole\tTITLE\tlocalhost\t{port}\r\n\
         iPlain info text line.\t\tlocalhost\t{port}\r\n\
         iThis info line is deliberately longer than sixty-seven characters so we can see truncation.\t\tlocalhost\t{port}\r\n\
         i\t\tlocalhost\t{port}\r\n\
         i--- Around this hole ---\t\tlocalhost\t{port}\r\n\
         0About this hole\t/about.txt\tlocalhost\t{port}\r\n\
         1Subfolder (relative)\t/sub\tlocalhost\t{port}\r\n\
         1Subfolder (absolute, explicit host/port)\t/sub/\tlocalhost\t7070\r\n\
         1Floodgap\t/\tgopher.floodgap.com\t70\r\n\
         i0Only type and display (no tab)\t\tlocalhost\t{port}\r\n\
         0Display with empty selector\t/Display with empty selector\tlocalhost\t{port}\r\n\
         hWeb link\tURL:https://example.com/\tlocalhost\t{port}\r\n\
         7Search relative\t/search\tlocalhost\t{port}\r\n\
         iInfo line from included.map\t\tlocalhost\t{port}\r\n\
         0Included link (relative)\t/somefile.txt\tlocalhost\t{port}\r\n\
         1sub\t/sub\tlocalhost\t{port}\r\n\
         0about.txt\t/about.txt\tlocalhost\t{port}\r\n\
         0caf\\xE9.txt\t/caf\u{FFFD}.txt\tlocalhost\t{port}\r\n\
         0included.map\t/included.map\tlocalhost\t{port}\r\n\
         5module.wasm\t/module.wasm\tlocalhost\t{port}\r\n\
         9server.log\t/server.log\tlocalhost\t{port}\r\n\
         0somefile.txt\t/somefile.txt\tlocalhost\t{port}\r\n\
         .\r\n"
    );
    assert_eq!(menu, expected);
    // Hidden from the listing, not from a direct request (as Gophernicus).
    assert_eq!(hole.get("/secret.txt"), "secret\n");
    // The name that is not UTF-8 is listed with its bytes as the selector.
    let raw = hole.raw(b"/");
    let line = raw
        .split(|&b| b == b'\n')
        .find(|l| l.starts_with(b"0caf"))
        .unwrap();
    assert!(
        line.starts_with(b"0caf\\xE9.txt\t/caf\xe9.txt\t"),
        "{line:?}"
    );
    assert_eq!(hole.raw(b"/caf\xe9.txt\r\n"), b"latin-1 name\n");
    // Includes stay inside the root.
    let sub = hole.get("/sub");
    assert!(sub.contains("iInfo line from included.map\t"), "{sub}");
    assert!(!sub.contains("OUTSIDE"), "{sub}");
    assert!(sub.contains("0a.txt\t/sub/a.txt\t"), "{sub}");
    // A command line is never run, and said once however often it is read.
    hole.get("/");
    assert!(hole.wait_for_log("`=date` shows nothing", Duration::from_secs(5)));
    hole.get("/sub");
    assert!(hole.wait_for_log(
        "/sub/gophermap: `=../../outside.map` shows nothing",
        Duration::from_secs(5)
    ));
    let log = hole.stderr();
    assert_eq!(log.matches("`=date` shows nothing").count(), 1, "{log}");
    assert!(log.contains("gopherd runs none"), "{log}");
}

/// The Geomyidae test hole: an `index.gph` using every rule of the syntax.
fn geomyidae_hole(dir: &Path) {
    let root = dir.join("root");
    let gph = std::fs::read(fixture("dialects/geomyidae.index.gph")).unwrap();
    write(&root.join("index.gph"), gph);
    write(&root.join("about.txt"), "About.\n");
    write(&root.join("search.txt"), "search\n");
    write(&root.join("legacy/caps.txt"), "CAPS\n");
    write(&root.join("sub/a.txt"), "a\n");
    write(&root.join("sub/links.gph"), "[0|A|a.txt|server|port]\n");
    write(&root.join("gphdir/local.txt"), "local\n");
    write(
        &root.join("gphdir/index.gph"),
        "Inside gphdir\n\
         [0|Relative to gphdir|local.txt|server|port]\n\
         [0|Up one level (..)|../about.txt|server|port]\n\
         [1|Parent dir via ..|..|server|port]\n\
         [0|Escape attempt|../../etc/passwd|server|port]\n\
         [1|Self (.)|.|server|port]\n",
    );
}

#[test]
fn a_geomyidae_hole_moves_over_unchanged() {
    let hole = Gopherd::with_setup("root = \"{tmp}/root\"\n", geomyidae_hole);
    let p = hole.port();
    let here = format!("localhost\t{p}");
    let expected = format!(
        "iWelcome to the geomyidae sample hole\t\t{here}\r\n\
         i\t\t{here}\r\n\
         itOld-style t line (the t is kept since 2022)\t\t{here}\r\n\
         iFormal info line\tErr\t{here}\r\n\
         i\tErr\t{here}\r\n\
         0About (relative, exists)\t/about.txt\t{here}\r\n\
         0About (./relative)\t/about.txt\t{here}\r\n\
         0Missing relative file\t/missing.txt\t{here}\r\n\
         0Absolute selector\t/about.txt\t{here}\r\n\
         1Subdir relative\t/sub\t{here}\r\n\
         1Subdir with index.gph\t/gphdir\t{here}\r\n\
         9Relative with args\t/legacy/caps.txt?key=value\t{here}\r\n\
         1Remote host\t/\tgopher.floodgap.com\t70\r\n\
         0Remote host but local relative name\tabout.txt\texample.org\t70\r\n\
         hWeb link\tURL:https://example.com/\t{here}\r\n\
         hh without URL: (relative)\t/about.txt\t{here}\r\n\
         ww type, selector not rewritten\tabout.txt\t{here}\r\n\
         3Error item\tabout.txt\t{here}\r\n\
         8Telnet\tnull\tbbs.example.org\t23\r\n\
         7Search (relative, args kept)\t/search.txt?\t{here}\r\n\
         0Pipe | escaped in display\t/about.txt\t{here}\r\n\
         0Brackets [ and ] in display\t/about.txt\t{here}\r\n\
         0Double pipe ends field\t\t{here}\r\n\
         0Empty host and port\t/about.txt\t{here}\r\n\
         0Literal SERVER is not a placeholder\t/about.txt\tServer\tPort\r\n\
         0Multi-char type uses first char\t/about.txt\t{here}\r\n\
         i[0|Four fields only|/about.txt|server]\t\t{here}\r\n\
         i[0|Six fields|/about.txt|server|port|extra]\t\t{here}\r\n\
         i[0|Unclosed entry|/about.txt|server|port\t\t{here}\r\n\
         0Trailing text after bracket\t/about.txt\t{here}\r\n\
         iempty type||server|port]\t\t{here}\r\n\
         i[0|Escaped link shown as text|/about.txt|server|port]\t\t{here}\r\n \
         x\ty\tz\tw\r\n\
         iA line with a tab\t\t{here}\r\n\
         i [0|Leading space: not a link|/about.txt|server|port]\t\t{here}\r\n\
         iLast line without newline at EOF\t\t{here}\r\n\
         .\r\n"
    );
    assert_eq!(hole.get("/"), expected);
    assert_eq!(
        hole.get("/gphdir"),
        format!(
            "iInside gphdir\t\t{here}\r\n\
             0Relative to gphdir\t/gphdir/local.txt\t{here}\r\n\
             0Up one level (..)\t/about.txt\t{here}\r\n\
             1Parent dir via ..\t/\t{here}\r\n\
             0Escape attempt\t../../etc/passwd\t{here}\r\n\
             1Self (.)\t/gphdir\t{here}\r\n\
             .\r\n"
        )
    );
    // A `.gph` file is a menu wherever it is, and listed as one.
    let sub = hole.get("/sub");
    assert!(
        sub.contains(&format!("1links.gph\t/sub/links.gph\t{here}\r\n")),
        "{sub}"
    );
    assert_eq!(
        hole.get("/sub/links.gph"),
        format!("0A\t/sub/a.txt\t{here}\r\n.\r\n")
    );
}

#[test]
fn gopher_plus_clients_get_attributes_and_plain_clients_do_not() {
    let hole = Gopherd::with_setup(
        &format!(
            "root = \"{{tmp}}/root\"\n[about]\nadmin = \"Ann <ann@example.org>\"\n\
             [[route]]\nselector = \"/search\"\nmodule = \"{}\"\ntype = \"menu\"\n\
             [[route]]\nselector = \"/trap\"\nmodule = \"{}\"\n",
            common::sample("wasi/search.wat"),
            fixture("trap.wat")
        ),
        |dir| {
            write(
                &dir.join("root/gophermap"),
                "Welcome\n0About\tabout.txt\n1Search\t/search\n",
            );
            write(&dir.join("root/about.txt"), "About.\n");
        },
    );
    let p = hole.port();
    let plain = hole.get("/");
    assert!(plain.starts_with("iWelcome\t"), "{plain}");
    // UMN gopher's first request.
    let plus = hole.get("\t$");
    let expected: String = std::iter::once("+-1\r\n".to_string())
        .chain(
            plain
                .split("\r\n")
                .filter(|l| !l.is_empty() && *l != ".")
                .map(|l| format!("+INFO: {l}\r\n")),
        )
        .chain(std::iter::once(".\r\n".to_string()))
        .collect();
    assert_eq!(plus, expected);
    // An item's attributes.
    let attributes = hole.get("/about.txt\t!");
    assert!(
        attributes.starts_with(&format!(
            "+-1\r\n+INFO: 0about.txt\t/about.txt\tlocalhost\t{p}\t+\r\n+ADMIN:\r\n Admin: Ann <ann@example.org>\r\n Mod-Date: <"
        )),
        "{attributes}"
    );
    assert!(
        attributes.ends_with(">\r\n+VIEWS:\r\n text/plain: <1k>\r\n.\r\n"),
        "{attributes}"
    );
    // An item in its envelope, and a handler's menu as attributes: the
    // search runs, its results come as +INFO blocks.
    assert_eq!(hole.get("/about.txt\t+text/plain"), "+-2\r\nAbout.\n");
    let results = hole.get("/search\tsandbox\t$");
    assert!(results.starts_with("+-1\r\n+INFO: "), "{results}");
    assert!(results.ends_with("\r\n.\r\n"), "{results}");
    assert!(
        results
            .lines()
            .filter(|l| *l != "." && *l != "+-1")
            .all(|l| l.starts_with("+INFO: ")),
        "{results}"
    );
    // A handler is not run for its attributes: one that traps still has
    // them.
    assert!(hole.get("/trap").starts_with('3'), "the handler traps");
    let handler = hole.get("/trap\t!");
    assert!(
        handler.starts_with(&format!(
            "+-1\r\n+INFO: 0trap\t/trap\tlocalhost\t{p}\t+\r\n"
        )),
        "{handler}"
    );
    assert!(handler.contains("\r\n text/plain:\r\n"), "{handler}");
    // Errors are errors, to either kind of client.
    assert!(hole.get("/missing\t$").starts_with("3/missing: not found"));
}

#[test]
fn caps_txt_is_generated_unless_the_hole_has_its_own() {
    let hole = Gopherd::with_setup(
        "root = \"{tmp}/root\"\n[about]\ndescription = \"A test hole\"\n",
        |dir| write(&dir.join("root/a.txt"), "a\n"),
    );
    let caps = hole.get("caps.txt");
    assert!(caps.starts_with("CAPS\r\n"), "{caps}");
    for line in [
        "CapsVersion=1",
        "PathDelimeter=/",
        "PathParent=..",
        "ServerSoftware=gopherd",
        "ServerDefaultEncoding=UTF-8",
        "ServerDescription=A test hole",
    ] {
        assert!(caps.contains(&format!("\r\n{line}\r\n")), "{line}: {caps}");
    }
    assert_eq!(hole.get("/caps.txt"), caps);
    let own = Gopherd::with_setup("root = \"{tmp}/root\"\n", |dir| {
        write(&dir.join("root/caps.txt"), "CAPS\nServerSoftware=mine\n")
    });
    assert_eq!(own.get("/caps.txt"), "CAPS\nServerSoftware=mine\n");
}
