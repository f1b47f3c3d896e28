//! The demo gopherhole, started from the repository root with its own
//! config, browsed with real Gopher clients: curl and lynx.

use crate::common;

use common::{Gopherd, client, menu_items, repo_root};

fn sample_hole() -> Gopherd {
    Gopherd::start(
        &[
            "--config",
            "samples/gopherhole/gopherd.toml",
            "--listen",
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
        Some("configuration is valid: 18 handler route(s) compiled")
    );
    assert!(
        lines
            .next()
            .is_some_and(|l| l.starts_with("open files: these limits need ")),
        "{out}"
    );
}
