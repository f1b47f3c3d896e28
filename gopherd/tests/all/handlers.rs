//! Wasm handlers over real sockets: what they receive, the samples in every
//! ABI, how failures become error items, concurrency and syscall traces.

use crate::common;

use common::{Gopherd, fixture, menu_items, sample};
use std::time::Duration;

#[test]
fn a_wasi_handler_receives_the_request_cgi_style() {
    let hole = Gopherd::with_config(&format!(
        r#"
        host = "gopher.test"
        port = 7000
        [[route]]
        selector = "/cgi"
        module = "{}"
        args = ["--flag"]
        env = {{ COLOR = "green" }}
        "#,
        fixture("cgi.wat")
    ));
    let out = hole.get("/cgi/some/path\tfind  these words");
    for line in [
        "arg: cgi.wat\n",
        "arg: --flag\n",
        "arg: find\narg: these\narg: words\n",
        "env: SELECTOR=/cgi/some/path\n",
        "env: QUERY=find  these words\n",
        "env: SCRIPT_NAME=/cgi\n",
        "env: PATH_INFO=/some/path\n",
        "env: REMOTE_ADDR=127.0.0.1\n",
        "env: SERVER_NAME=gopher.test\n",
        "env: SERVER_PORT=7000\n",
        "env: SERVER_SOFTWARE=gopherd/",
        "env: COLOR=green\n",
        "stdin: find  these words\n",
    ] {
        assert!(out.contains(line), "missing {line:?} in:\n{out}");
    }
    assert!(
        out.ends_with('\n') && !out.ends_with("\n.\r\n"),
        "as the handler wrote it"
    );
}

#[test]
fn a_dagger_handler_reads_the_request_line_then_the_variables_on_fd_0() {
    let hole = Gopherd::with_config(&format!(
        "[[route]]\nselector = \"/echo\"\nmodule = \"{}\"\n",
        fixture("echo_stdin.wat")
    ));
    let out = hole.get("/echo/x\tsome query");
    let mut lines = out.split('\n').map(|l| l.trim_end_matches('\r'));
    assert_eq!(lines.next(), Some("/echo/x\tsome query"));
    assert_eq!(lines.next(), Some("SELECTOR=/echo/x"));
    assert!(out.contains("\nPATH_INFO=/x\n"), "{out}");
    assert!(out.contains("\nREMOTE_ADDR=127.0.0.1\n"), "{out}");
    assert!(out.contains("\nREQUEST_TIME=1"), "{out}");
}

fn samples_config(guestbook: &str) -> String {
    let mut toml = String::new();
    for abi in ["wasi", "dagger", "olin"] {
        for (name, kind) in [
            ("menu", "menu"),
            ("fortune", "text"),
            ("search", "menu"),
            ("guestbook", "menu"),
            ("time", "text"),
        ] {
            let selector = if name == "menu" {
                format!("/{abi}")
            } else {
                format!("/{abi}/{name}")
            };
            toml.push_str(&format!(
                "[[route]]\nselector = \"{selector}\"\nmodule = \"{}\"\ntype = \"{kind}\"\ndirs = [\"{guestbook}::/data\"]\n\n",
                sample(&format!("{abi}/{name}.wat"))
            ));
        }
    }
    toml
}

#[test]
fn sample_menus_link_to_their_siblings_in_every_abi() {
    let hole = Gopherd::with_config(&samples_config("{tmp}"));
    let port = hole.port().to_string();
    for abi in ["wasi", "dagger", "olin"] {
        let menu = hole.get(&format!("/{abi}/elsewhere"));
        let items = menu_items(&menu);
        for (kind, name) in [("0", "fortune"), ("7", "search"), ("1", "guestbook")] {
            assert!(
                items.iter().any(|f| f[0].starts_with(kind)
                    && f[1] == format!("/{abi}/{name}")
                    && f[2] == "localhost"
                    && f[3] == port),
                "{abi} menu lacks /{abi}/{name}: {menu}"
            );
        }
        assert!(
            menu.contains("Nothing lives at /elsewhere under this menu"),
            "{abi}: {menu}"
        );
        assert!(
            menu.contains("You are 127.0.0.1, asking for /"),
            "{abi}: {menu}"
        );
    }
}

#[test]
fn guestbooks_in_every_abi_append_to_the_same_granted_file() {
    let hole = Gopherd::with_config(&samples_config("{tmp}"));
    for abi in ["wasi", "dagger", "olin"] {
        let page = hole.get(&format!("/{abi}/guestbook\thello from {abi}"));
        assert!(page.contains("iThank you for signing!\t"), "{abi}: {page}");
        assert!(
            page.contains(&format!("i> hello from {abi}\t")),
            "{abi}: {page}"
        );
        assert!(
            page.contains(&format!("7Sign the guestbook\t/{abi}/guestbook\t")),
            "{abi}: {page}"
        );
    }
    let book = std::fs::read_to_string(hole.dir.path().join("guestbook.txt")).unwrap();
    assert_eq!(
        book,
        "hello from wasi\nhello from dagger\nhello from olin\n"
    );
    let page = hole.get("/wasi/guestbook");
    assert!(!page.contains("Thank you"));
    assert!(page.contains("i> hello from olin\t"));
}

#[test]
fn guestbook_messages_are_cut_on_a_character_boundary() {
    let hole = Gopherd::with_config(&samples_config("{tmp}"));
    // 'é' is two bytes: byte 200 falls inside the 100th one after a lead 'a'.
    let message = format!("a{}", "é".repeat(150));
    for abi in ["wasi", "dagger", "olin"] {
        let page = hole.get(&format!("/{abi}/guestbook\t{message}"));
        assert!(page.contains("iThank you for signing!\t"), "{abi}: {page}");
    }
    let book = std::fs::read(hole.dir.path().join("guestbook.txt")).unwrap();
    let book = String::from_utf8(book).expect("the book is valid UTF-8");
    let kept = format!("a{}", "é".repeat(99));
    assert_eq!(book, format!("{kept}\n{kept}\n{kept}\n"));
}

#[test]
fn a_full_guestbook_takes_no_more_signatures_and_stays_bounded() {
    let hole = Gopherd::with_config(&samples_config("{tmp}"));
    let path = hole.dir.path().join("guestbook.txt");
    let full: String = (0..4096).map(|i| format!("entry {i:09}\n")).collect();
    assert_eq!(full.len(), 65536);
    std::fs::write(&path, &full).unwrap();
    for abi in ["wasi", "dagger", "olin"] {
        let page = hole.get(&format!("/{abi}/guestbook\tone more from {abi}"));
        assert!(
            page.contains("iThe guestbook is full: it keeps 64 KiB of signatures.\t"),
            "{abi}: {page}"
        );
        assert!(page.contains("i> entry 000004095\t"), "{abi}: {page}");
        assert!(!page.contains("one more"), "{abi}: {page}");
    }
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        full,
        "nothing was added"
    );
}

#[test]
fn long_guestbooks_show_their_newest_entries() {
    let hole = Gopherd::with_config(&samples_config("{tmp}"));
    let old: String = (0..1000).map(|i| format!("old entry {i:04}\n")).collect();
    std::fs::write(hole.dir.path().join("guestbook.txt"), old).unwrap();
    for abi in ["wasi", "dagger", "olin"] {
        let page = hole.get(&format!("/{abi}/guestbook\tnewest {abi}"));
        assert!(page.contains(&format!("i> newest {abi}\t")), "{abi}");
        assert!(page.contains("i> old entry 0999\t"), "{abi}");
        assert!(!page.contains("old entry 0000"), "{abi}");
    }
}

#[test]
fn sample_handlers_answer_searches_without_a_query() {
    let hole = Gopherd::with_config(&samples_config("{tmp}"));
    for abi in ["wasi", "dagger", "olin"] {
        let menu = hole.get(&format!("/{abi}/search"));
        assert!(menu.starts_with("iSend some words"), "{abi}: {menu}");
    }
}

fn failing_routes() -> String {
    format!(
        r#"
        [[route]]
        selector = "/loop"
        module = "{}"
        timeout = "200ms"
        [[route]]
        selector = "/trap"
        module = "{}"
        [[route]]
        selector = "/exit"
        module = "{}"
        [[route]]
        selector = "/flood"
        module = "{}"
        max_output = "4K"
        [[route]]
        selector = "/spin"
        module = "{}"
        fuel = 100000
        [[route]]
        selector = "/ok"
        module = "{}"
        "#,
        fixture("loop.wat"),
        fixture("trap.wat"),
        fixture("exit3.wat"),
        fixture("flood.wat"),
        fixture("spin.wat"),
        sample("wasi/time.wat"),
    )
}

#[test]
fn failing_handlers_become_error_items_and_the_server_goes_on() {
    let hole = Gopherd::with_config(&failing_routes());
    for (selector, reason, outcome, logged) in [
        (
            "/loop",
            "handler timed out",
            "timeout",
            "exceeded its time limit of 200ms",
        ),
        ("/trap", "handler crashed", "trap", "trapped"),
        (
            "/exit",
            "handler failed (exit status 3)",
            "exit",
            "no database today",
        ),
        (
            "/flood",
            "handler output too large",
            "output-limit",
            "output limit of 4096 bytes",
        ),
        (
            "/spin",
            "handler ran out of fuel",
            "fuel",
            "ran out of fuel",
        ),
    ] {
        let t0 = std::time::Instant::now();
        let out = hole.get(selector);
        assert_eq!(
            out,
            format!("3{reason}\t\terror.host\t1\r\n.\r\n"),
            "{selector}"
        );
        assert!(
            t0.elapsed() < Duration::from_secs(5),
            "{selector} was stopped in time"
        );
        hole.wait_for_access(&[&format!("\"{selector}\""), &format!("outcome={outcome} ")]);
        assert!(
            hole.wait_for_log(logged, Duration::from_secs(5)),
            "the log explains {selector}: {}",
            hole.stderr()
        );
        assert!(hole.get("/ok").contains("The server's clock says"));
    }
}

#[test]
fn concurrent_requests_share_a_few_handler_slots() {
    let hole = Gopherd::with_config(&format!(
        "[limits]\nmax_handlers = 2\nmax_per_client = 64\n[[route]]\nselector = \"/time\"\nmodule = \"{}\"\n",
        sample("olin/time.wat")
    ));
    let hole = std::sync::Arc::new(hole);
    let threads: Vec<_> = (0..32)
        .map(|_| {
            let hole = hole.clone();
            std::thread::spawn(move || hole.get("/time"))
        })
        .collect();
    for t in threads {
        let out = t.join().unwrap();
        assert!(out.starts_with("The server's clock says it is "), "{out}");
    }
}

#[test]
fn a_trace_dir_gets_one_json_lines_file_per_handler_request() {
    let hole = Gopherd::with_config(&format!(
        "trace_dir = \"{{tmp}}/traces\"\n[[route]]\nselector = \"/fortune\"\nmodule = \"{}\"\ntype = \"text\"\n",
        sample("wasi/fortune.wat")
    ));
    hole.get("/fortune");
    let line = hole.wait_for_access(&["\"/fortune\"", "trace="]);
    let path = line.split("trace=").nth(1).unwrap().trim();
    let trace = std::fs::read_to_string(path).unwrap();
    let calls: Vec<serde_json::Value> = trace
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON object per line"))
        .collect();
    let names: Vec<&str> = calls.iter().filter_map(|c| c["name"].as_str()).collect();
    assert_eq!(names, ["random_get", "fd_write"], "{trace}");
    assert_eq!(calls[1]["abi"], "wasi");
    let files = std::fs::read_dir(hole.dir.path().join("traces"))
        .unwrap()
        .count();
    assert_eq!(files, 1);
}

/// A handler of the original Dagger shape (memory never exported, old
/// instruction names) started at the function its route names.
#[test]
fn a_route_invokes_the_function_it_names() {
    let hole = Gopherd::with_setup(
        r#"
        [[route]]
        selector = "/greet"
        module = "greet.wat"
        invoke = "greet"
        "#,
        |dir| {
            std::fs::write(
                dir.join("greet.wat"),
                r#"(module
  (import "dagger" "open" (func $open (param i32 i32) (result i32)))
  (import "dagger" "write" (func $write (param i32 i32 i32) (result i32)))
  (memory $mem 1)
  (data (i32.const 200) "fd://1\00")
  (data (i32.const 230) "hello from greet\n")
  (func (export "main") (result i32) (i32.const 1))
  (func (export "greet") (result i32)
    (local $fd i32)
    (set_local $fd (call $open (i32.const 200) (i32.const 0)))
    (drop (call $write (get_local $fd) (i32.const 230) (i32.const 17)))
    (i32.const 0)))"#,
            )
            .unwrap();
        },
    );
    assert_eq!(hole.get("/greet"), "hello from greet\n");
}

#[test]
fn a_handler_failing_on_every_request_does_not_flood_the_server_log() {
    let hole = Gopherd::with_config(&format!(
        "[[route]]\nselector = \"/fail\"\nmodule = \"{}\"\n",
        fixture("exit3.wat")
    ));
    for _ in 0..100 {
        assert!(hole.get("/fail").starts_with("3handler failed"));
    }
    hole.wait_for_access(&["\"/fail\"", "outcome=exit"]);
    let warnings = hole.stderr().matches("handler for /fail failed").count();
    assert!((1..=20).contains(&warnings), "{warnings} warnings");
}

#[test]
fn a_table_larger_than_a_slot_names_the_setting_that_makes_room() {
    let dir = tempfile::tempdir().unwrap();
    let route = format!(
        "[[route]]\nselector = \"/big\"\nmodule = \"{}\"\n",
        fixture("big_table.wat")
    );
    let check = |toml: &str| {
        let config = dir.path().join("gopherd.toml");
        std::fs::write(&config, toml).unwrap();
        std::process::Command::new(env!("CARGO_BIN_EXE_gopherd"))
            .args(["--config", &config.display().to_string(), "--check"])
            .output()
            .unwrap()
    };
    let refused = check(&route);
    assert_eq!(refused.status.code(), Some(1));
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("in the handler for /big")
            && err.contains("its table starts with 50000 elements")
            && err.contains("`limits.max_table_elements` (20000)"),
        "{err}"
    );
    assert!(!err.contains("pooling allocator"), "{err}");

    let roomy = format!("[limits]\nmax_table_elements = 50000\n{route}");
    let accepted = check(&roomy);
    assert!(
        accepted.status.success(),
        "{}",
        String::from_utf8_lossy(&accepted.stderr)
    );
    let hole = Gopherd::with_config(&roomy);
    assert_eq!(hole.get("/big"), "big table\n");
}
