//! The Gopher panel as a person uses it: browse the demo gopherhole served
//! in-process, search it, replay a handler's request under the debugger,
//! go back; and browse a server over TCP by typing its address.

use crate::common;

use common::{harness, sample, settle, settle_gopher};
use egui_kittest::kittest::Queryable;
use std::io::{Read, Write};
use std::net::TcpListener;
use wasmhole::model::browser::Content;
use wasmhole::model::run::RunState;
use wasmhole::workbench::App;
use wasmhole_runtime::ExitStatus;

#[test]
fn the_demo_gopherhole_is_browsed_searched_and_its_handler_debugged() {
    let app = App::new(Some(sample("samples/gopherhole/gopherd.toml")));
    let mut h = harness(app);
    settle_gopher(&mut h);
    h.get_by_label("Welcome to the wasmhole gopherhole!");
    h.get_by_label_contains("static file");
    assert_eq!(h.state().wb.gopher.address, "gopher://localhost:7070/1");

    // A search asks for its query, then a wasm handler answers.
    h.get_by_label("Search the documents").click();
    h.run_steps(2);
    h.get_by_label("Search \"Search the documents\":")
        .type_text("sandbox");
    h.run_steps(1);
    h.get_by_label("Search").click();
    h.run_steps(1);
    settle_gopher(&mut h);
    let page = h.state().wb.gopher.page.clone().unwrap();
    assert_eq!(
        page.url.to_string(),
        "gopher://localhost:7070/7/wasi/search%09sandbox"
    );
    let Content::Menu(results) = &page.content else {
        panic!("search results are a menu: {:?}", page.content)
    };
    let first_link = results
        .iter()
        .find(|i| i.kind != b'i')
        .expect("the search found something")
        .display
        .clone();
    h.get_by_label_contains("by the WASI preview 1 handler /wasi/search");

    // Replaying the request runs the handler with the same request.
    h.get_by_label("Debug this request").click();
    h.run_steps(2);
    settle(&mut h);
    {
        let wb = &h.state().wb;
        assert_eq!(wb.doc.name, "search.wat");
        assert_eq!(wb.state(), RunState::Stopped);
        assert_eq!(wb.config.stdin, "sandbox");
        assert!(
            wb.config.env.contains("QUERY=sandbox\n"),
            "{}",
            wb.config.env
        );
    }
    h.get_by_label("search.wat · stopped · gopher request for /wasi/search");
    h.get_by_label("Continue").click();
    h.run_steps(1);
    settle(&mut h);
    assert_eq!(
        h.state().wb.state(),
        RunState::Exited(ExitStatus::Exited(0))
    );
    h.get_by_label("Console").click();
    h.run_steps(2);
    h.get_by_label_contains(&first_link);

    // Back to the start.
    h.get_by_label("Gopher").click();
    h.run_steps(2);
    h.get_by_label("Back").click();
    h.run_steps(1);
    settle_gopher(&mut h);
    h.get_by_label("Welcome to the wasmhole gopherhole!");
    assert_eq!(h.state().wb.gopher.forward.len(), 1);
}

#[test]
fn a_server_on_the_network_is_browsed_by_its_address() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let mut lines = Vec::new();
        for reply in [
            format!(
                "iA tiny server\t\tnowhere\t70\r\n0Notes\t/notes.txt\t127.0.0.1\t{port}\r\n.\r\n"
            ),
            "first line\r\n..starts with a dot\r\n.\r\n".to_string(),
        ] {
            let (mut s, _) = listener.accept().unwrap();
            let mut line = Vec::new();
            let mut byte = [0u8; 1];
            while s.read(&mut byte).unwrap() == 1 && byte[0] != b'\n' {
                line.push(byte[0]);
            }
            s.write_all(reply.as_bytes()).unwrap();
            lines.push(String::from_utf8(line).unwrap());
        }
        lines
    });
    let mut h = harness(App::new(None));
    // From the welcome page, through the View menu.
    h.get_by_label("View").click();
    h.run_steps(2);
    h.get_by_label("Gopher").click();
    h.run_steps(2);
    h.get_by_label("Address").focus();
    h.run_steps(1);
    h.get_by_label("Address")
        .type_text(&format!("127.0.0.1:{port}"));
    h.run_steps(1);
    h.key_press(egui::Key::Enter);
    h.run_steps(1);
    settle_gopher(&mut h);
    h.get_by_label("A tiny server");
    h.get_by_label("Notes").click();
    h.run_steps(1);
    settle_gopher(&mut h);
    h.get_by_label(".starts with a dot");
    assert!(h.query_by_label_contains("served in-process").is_none());
    assert_eq!(server.join().unwrap(), ["\r", "/notes.txt\r"]);
}

#[test]
fn a_dead_address_says_why_and_keeps_the_window_usable() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut app = App::new(None);
    app.wb.open(std::path::Path::new(&format!(
        "gopher://127.0.0.1:{port}/1/"
    )));
    let mut h = harness(app);
    settle_gopher(&mut h);
    h.get_by_label_contains(&format!("cannot connect to 127.0.0.1:{port}"));
    h.get_by_label("Reload");
}

#[test]
fn enter_submits_a_search() {
    let app = App::new(Some(sample("samples/gopherhole/gopherd.toml")));
    let mut h = harness(app);
    settle_gopher(&mut h);
    h.get_by_label("Search the documents").click();
    h.run_steps(2);
    h.get_by_label("Search \"Search the documents\":")
        .type_text("capabilities");
    h.run_steps(1);
    h.key_press(egui::Key::Enter);
    h.run_steps(1);
    settle_gopher(&mut h);
    assert!(h.state().wb.gopher.search.is_none(), "the prompt is gone");
    let page = h.state().wb.gopher.page.clone().unwrap();
    assert_eq!(
        page.url.to_string(),
        "gopher://localhost:7070/7/wasi/search%09capabilities"
    );
}
