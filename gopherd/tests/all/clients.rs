//! The demo gopherhole, started from the repository root with its own
//! config, browsed with real Gopher clients: curl, lynx, and UMN `gopher`
//! (a Gopher+ client, driven through tmux).

use crate::common;

use common::{Gopherd, client, menu_items, repo_root};

fn sample_hole() -> Gopherd {
    Gopherd::start(
        &[
            "--config",
            "samples/gopherhole/gopherd.toml",
            "--listen",
            "127.0.0.1:0",
            "--http",
            "127.0.0.1:0",
            "--access-log",
            "off",
        ],
        Some(&repo_root()),
    )
}

#[test]
fn curl_reads_the_root_menu_with_this_servers_host_and_port() {
    let hole = sample_hole();
    let port = hole.port();
    let menu = client("curl", &["-s", &format!("gopher://127.0.0.1:{port}/1/")]);
    assert!(menu.ends_with("\r\n.\r\n"), "a menu ends with a dot line");
    let items = menu_items(&menu);
    let port = port.to_string();
    assert!(items.contains(&vec![
        "iWelcome to the wasmhole gopherhole!".into(),
        "".into(),
        "localhost".into(),
        port.clone(),
    ]));
    assert!(items.contains(&vec![
        "0About this gopherhole".into(),
        "/about.txt".into(),
        "localhost".into(),
        port.clone(),
    ]));
    assert!(items.contains(&vec![
        "1Olin (CommonWA)".into(),
        "/olin".into(),
        "localhost".into(),
        port,
    ]));
}

#[test]
fn curl_reads_text_files_exactly_as_they_are() {
    let hole = sample_hole();
    let text = client(
        "curl",
        &[
            "-s",
            &format!("gopher://127.0.0.1:{}/0/about.txt", hole.port()),
        ],
    );
    let file = std::fs::read_to_string(repo_root().join("samples/gopherhole/about.txt")).unwrap();
    assert_eq!(text, file);
}

/// A gopherhole with a text file whose lines start with dots, its text
/// framed as `framing` says.
fn dotted_hole(framing: &str) -> Gopherd {
    Gopherd::with_setup(
        &format!("root = \"{{tmp}}/root\"\ntext_framing = \"{framing}\"\n"),
        |dir| {
            std::fs::create_dir(dir.join("root")).unwrap();
            std::fs::write(
                dir.join("root/dots.txt"),
                "first line\n.starts with a dot\n..two dots\nlast line\n",
            )
            .unwrap();
        },
    )
}

#[test]
fn lynx_and_curl_show_text_as_the_file_is() {
    let hole = dotted_hole("as-is");
    let url = format!("gopher://127.0.0.1:{}/0/dots.txt", hole.port());
    assert_eq!(
        client("curl", &["-s", &url]),
        "first line\n.starts with a dot\n..two dots\nlast line\n"
    );
    let page = client("lynx", &["-dump", &url]);
    let lines: Vec<&str> = page
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(
        lines,
        [
            "first line",
            ".starts with a dot",
            "..two dots",
            "last line"
        ],
        "{page}"
    );
}

#[test]
fn rfc1436_framing_is_there_for_clients_that_want_it() {
    let hole = dotted_hole("rfc1436");
    let url = format!("gopher://127.0.0.1:{}/0/dots.txt", hole.port());
    assert_eq!(
        client("curl", &["-s", &url]),
        "first line\r\n..starts with a dot\r\n...two dots\r\nlast line\r\n.\r\n"
    );
}

#[test]
fn curl_searches_through_a_wasm_handler_in_every_abi() {
    let hole = sample_hole();
    for abi in ["wasi", "dagger", "olin"] {
        let url = format!(
            "gopher://127.0.0.1:{}/7/{abi}/search%09Stream%20URL",
            hole.port()
        );
        let menu = client("curl", &["-s", &url]);
        assert!(
            menu.contains("iDocuments matching \"stream url\":\t"),
            "{abi}: {menu}"
        );
        assert!(
            menu.contains(
                "0Dagger: everything is a stream opened by URL\t/docs/dagger.txt\tlocalhost\t"
            ),
            "{abi}: {menu}"
        );
        assert!(!menu.contains("/docs/wasi.txt"), "{abi}: {menu}");
    }
}

#[test]
fn curl_gets_a_fortune_and_the_time_from_every_abi() {
    let hole = sample_hole();
    for abi in ["wasi", "dagger", "olin"] {
        let fortune = client(
            "curl",
            &[
                "-s",
                &format!("gopher://127.0.0.1:{}/0/{abi}/fortune", hole.port()),
            ],
        );
        assert!(
            fortune.len() > 10 && fortune.ends_with('\n') && !fortune.ends_with("\n.\r\n"),
            "{abi}: {fortune:?}"
        );
        let time = client(
            "curl",
            &[
                "-s",
                &format!("gopher://127.0.0.1:{}/0/{abi}/time", hole.port()),
            ],
        );
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let that_is = time
            .split("That is ")
            .nth(1)
            .and_then(|t| t.split(' ').next())
            .and_then(|n| n.parse::<u64>().ok())
            .unwrap_or_else(|| panic!("{abi}: no seconds in {time:?}"));
        assert!(secs.abs_diff(that_is) < 120, "{abi}: {that_is} vs {secs}");
        assert!(time.contains(" UTC.\nThat is "), "{abi}: {time}");
    }
}

#[test]
fn lynx_renders_the_gopherhole_and_follows_its_links() {
    let hole = sample_hole();
    let port = hole.port();
    let page = client("lynx", &["-dump", &format!("gopher://127.0.0.1:{port}/")]);
    assert!(
        page.contains("Welcome to the wasmhole gopherhole!"),
        "{page}"
    );
    assert!(page.contains("[1]About this gopherhole"), "{page}");
    assert!(
        page.contains(&format!("gopher://localhost:{port}/1/wasi")),
        "{page}"
    );
    let docs = client(
        "lynx",
        &["-dump", &format!("gopher://127.0.0.1:{port}/1/docs")],
    );
    assert!(docs.contains("Index of /docs/"), "{docs}");
    assert!(docs.contains("gopher.txt"), "{docs}");
    let wasi = client(
        "lynx",
        &["-dump", &format!("gopher://127.0.0.1:{port}/1/wasi")],
    );
    assert!(
        wasi.contains("You are 127.0.0.1, asking for /wasi."),
        "{wasi}"
    );
    assert!(
        wasi.contains(&format!("gopher://localhost:{port}/0/wasi/fortune")),
        "{wasi}"
    );
    let text = client(
        "lynx",
        &[
            "-dump",
            &format!("gopher://127.0.0.1:{port}/0/docs/gopher.txt"),
        ],
    );
    assert!(text.contains("Gopher (RFC 1436, 1993)"), "{text}");
    let search = client(
        "lynx",
        &[
            "-dump",
            &format!("gopher://127.0.0.1:{port}/7/wasi/search?sandbox"),
        ],
    );
    assert!(
        search.contains("Documents matching \"sandbox\""),
        "{search}"
    );
    assert!(
        search.contains("[1]Sandboxes and limits: capabilities, timeouts, memory, fuel"),
        "{search}"
    );
}

#[test]
fn the_c_handlers_answer_searches_in_every_abi() {
    let hole = sample_hole();
    let port = hole.port();
    for (abi, name) in [("wasi", "WASI"), ("dagger", "Dagger"), ("olin", "Olin")] {
        let menu = client(
            "curl",
            &[
                "-s",
                &format!("gopher://127.0.0.1:{port}/7/c/{abi}%09plain%20words"),
            ],
        );
        assert!(
            menu.contains(&format!("iHello from a C handler on {name}.\t")),
            "{abi}: {menu}"
        );
        assert!(
            menu.contains("iwith the search: plain words\t"),
            "{abi}: {menu}"
        );
        assert!(menu.ends_with("\r\n.\r\n"), "{abi}: {menu}");
    }
}

#[test]
fn check_flag_compiles_the_sample_config_from_the_repository_root() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_gopherd"))
        .args(["--config", "samples/gopherhole/gopherd.toml", "--check"])
        .current_dir(repo_root())
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let out = String::from_utf8_lossy(&output.stdout);
    let mut lines = out.lines();
    assert_eq!(
        lines.next(),
        Some("configuration is valid: 18 handler route(s) and 2 HTTP route(s) compiled")
    );
    assert!(
        lines
            .next()
            .is_some_and(|l| l.starts_with("open files: these limits need ")),
        "{out}"
    );
}

/// A terminal program running in a tmux session of its own.
struct Terminal {
    socket: String,
}

impl Terminal {
    fn start(command: &str, home: &std::path::Path) -> Terminal {
        let socket = format!("gopherd-test-{}-{}", std::process::id(), rand_suffix());
        let status = std::process::Command::new("tmux")
            .args(["-L", &socket, "new-session", "-d", "-x", "100", "-y", "40"])
            .arg(format!("HOME={} TERM=xterm {command}", home.display()))
            .status()
            .expect("tmux is installed");
        assert!(status.success());
        Terminal { socket }
    }

    fn screen(&self) -> String {
        let out = std::process::Command::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-p"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        let status = std::process::Command::new("tmux")
            .args(["-L", &self.socket, "send-keys"])
            .args(keys)
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits until the screen shows `text`; the screen.
    fn wait_for(&self, text: &str) -> String {
        let t0 = std::time::Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                t0.elapsed() < std::time::Duration::from_secs(15),
                "the screen never showed {text:?}:\n{screen}"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let _ = std::process::Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64
}

#[test]
fn umn_gopher_browses_a_menu_a_text_a_search_and_a_wasm_route() {
    let hole = sample_hole();
    let home = tempfile::tempdir().unwrap();
    let umn = Terminal::start(&format!("gopher 127.0.0.1 {}", hole.port()), home.path());
    // Its first run greets; its first request is Gopher+ (`TAB $`).
    let screen = umn.wait_for("Press RETURN");
    assert!(
        screen.contains("Internet Gopher Information Client"),
        "{screen}"
    );
    umn.keys(&["Enter"]);
    let menu = umn.wait_for("About this gopherhole");
    assert!(menu.contains("Home Gopher server: 127.0.0.1"), "{menu}");
    assert!(
        menu.contains("Welcome to the wasmhole gopherhole!"),
        "{menu}"
    );
    assert!(menu.contains("Documents/"), "{menu}");
    assert!(menu.contains("Search the documents <?>"), "{menu}");
    // The cursor is on the first item: a text file.
    umn.keys(&["Enter"]);
    let text = umn.wait_for("Everything you see comes from one folder");
    assert!(text.contains("About this gopherhole ("), "{text}");
    // Back, then a search through a wasm handler.
    umn.keys(&["u"]);
    umn.wait_for("Search the documents <?>");
    umn.keys(&["9", "Enter"]);
    umn.wait_for("Words to search for");
    umn.keys(&["-l", "sandbox"]);
    umn.keys(&["Enter"]);
    let results = umn.wait_for("Documents matching \"sandbox\"");
    assert!(results.contains("Sandboxes and limits"), "{results}");
    // Back, then a wasm route's menu and a wasm text.
    umn.keys(&["u"]);
    umn.wait_for("Handler sources/");
    umn.keys(&["1", "2", "Enter"]);
    let wasi = umn.wait_for("You are 127.0.0.1, asking for /wasi.");
    assert!(wasi.contains("A random fortune"), "{wasi}");
    umn.keys(&["Enter"]);
    umn.wait_for("A random fortune (");
}

#[test]
fn sacc_browses_a_menu_a_text_a_search_and_a_wasm_route() {
    let hole = sample_hole();
    let home = tempfile::tempdir().unwrap();
    // sacc shows text through $PAGER; this one keeps a copy.
    let page = home.path().join("page.txt");
    let sacc = Terminal::start(
        &format!(
            "PAGER='tee {}' sacc gopher://127.0.0.1:{}/1/",
            page.display(),
            hole.port()
        ),
        home.path(),
    );
    let menu = sacc.wait_for("Txt+ About this gopherhole");
    assert!(menu.contains("Ind+ Search the documents"), "{menu}");
    assert!(menu.contains("Dir+ WASI preview 1"), "{menu}");
    let read_page = |done: &dyn Fn(&str) -> bool| {
        let t0 = std::time::Instant::now();
        loop {
            let shown = std::fs::read_to_string(&page).unwrap_or_default();
            if done(&shown) {
                return shown;
            }
            assert!(
                t0.elapsed().as_secs() < 15,
                "the pager never got it: {shown}"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    };
    // The first link: a text file.
    sacc.keys(&["J"]);
    sacc.keys(&["l"]);
    let about = read_page(&|p| p.contains("Everything you see comes from one folder"));
    // Two links down: a search through a wasm handler.
    sacc.wait_for("Txt+ About this gopherhole");
    sacc.keys(&["J", "J"]);
    sacc.keys(&["l"]);
    sacc.wait_for("Enter search string");
    sacc.keys(&["-l", "sandbox"]);
    sacc.keys(&["Enter"]);
    sacc.wait_for("Documents matching \"sandbox\"");
    // Its last link: the WASI handlers' menu, made by a wasm route; then
    // the fortune it links to first, also made by one.
    sacc.keys(&["J", "J"]);
    sacc.keys(&["l"]);
    sacc.wait_for("You are 127.0.0.1, asking for /wasi.");
    sacc.keys(&["g", "J"]);
    sacc.keys(&["l"]);
    let fortune = read_page(&|p| !p.is_empty() && p != about);
    assert!(!fortune.contains("About this gopherhole"), "{fortune}");
}
