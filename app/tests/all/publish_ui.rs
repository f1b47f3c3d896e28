//! File > Publish handler…: the program being edited goes to a running
//! gopherd's handler service, is served under the account's namespace, and
//! an edit published again is the next version; a bad token is refused.

use crate::common;

use common::{harness, sample};
use egui_kittest::kittest::Queryable;
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use wasmhole::workbench::App;

/// A gopherd with its handler service on, serving on its own thread; its
/// Gopher and admin addresses, and a token of account `ann`.
fn running_gopherd(state: &std::path::Path) -> (SocketAddr, SocketAddr, String) {
    let mut config = gopherd::config::Config {
        listen: vec!["127.0.0.1:0".parse().unwrap()],
        access_log: gopherd::config::AccessLogTarget::Off,
        ..Default::default()
    };
    let mut admin = gopherd::config::AdminConfig::new(state.to_path_buf());
    admin.listen = "127.0.0.1:0".parse().unwrap();
    let token = gopherd::deploy::Deployments::add_account(&admin, "ann", false).unwrap();
    config.admin = Some(admin);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let server = gopherd::server::Server::bind(config).await.unwrap();
            tx.send((server.local_addrs()[0], server.admin_addr().unwrap()))
                .unwrap();
            server.serve(std::future::pending()).await.unwrap();
        });
    });
    let (gopher, admin) = rx.recv_timeout(Duration::from_secs(30)).unwrap();
    (gopher, admin, token)
}

fn get(addr: SocketAddr, selector: &str) -> String {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.write_all(format!("{selector}\r\n").as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

/// Draws frames until the window shows `text`.
fn wait_for(h: &mut egui_kittest::Harness<'static, App>, text: &str) {
    let t0 = Instant::now();
    loop {
        h.run_steps(1);
        if h.query_by_label_contains(text).is_some() {
            return;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(20),
            "never showed {text:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn the_program_being_edited_is_published_to_a_running_gopherd() {
    let state = tempfile::tempdir().unwrap();
    let (gopher, admin, token) = running_gopherd(state.path());
    let app = App::new(Some(sample("samples/deploy/hello.wat")));
    let mut h = harness(app);
    h.run_steps(3);
    h.get_by_label("File").click();
    h.run_steps(2);
    h.get_by_label("Publish handler…").click();
    h.run_steps(2);
    h.get_by_label_contains("Deploys hello.wat as a new version of a handler");
    {
        let publish = h
            .state_mut()
            .wb
            .publish
            .as_mut()
            .expect("the window is open");
        assert_eq!(publish.name, "hello");
        assert_eq!(publish.route, "/hello");
        publish.server = format!("http://{admin}");
    }

    // A wrong token is refused, and nothing is served.
    h.get_by_label("Token").type_text("gdt_ann_not-a-token");
    h.run_steps(1);
    h.get_by_label("Publish").click();
    wait_for(&mut h, "Not published: refused (401)");
    assert!(get(gopher, "/~ann/hello").starts_with('3'));

    // The right one publishes the file as it is in the editor.
    h.state_mut().wb.publish.as_mut().unwrap().token = token.clone();
    h.run_steps(1);
    h.get_by_label("Publish").click();
    wait_for(&mut h, "deployed ann/hello version");
    h.get_by_label_contains("serving /~ann/hello");
    assert!(
        get(gopher, "/~ann/hello").starts_with("iHello from Ann's first handler!\t"),
        "{}",
        get(gopher, "/~ann/hello")
    );

    // An edit, not yet saved, published again is the next version.
    {
        let doc = &mut h.state_mut().wb.doc;
        let text = doc.text.clone().unwrap();
        doc.text = Some(text.replace("Ann's first handler!", "Ann's edited handler"));
    }
    h.get_by_label("Publish").click();
    wait_for(&mut h, "deployed ann/hello version");
    let t0 = Instant::now();
    while !get(gopher, "/~ann/hello").starts_with("iHello from Ann's edited handler") {
        assert!(t0.elapsed() < Duration::from_secs(10), "the edit is served");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_deployed_handler_is_browsed_in_process_and_debugged() {
    let state = tempfile::tempdir().unwrap();
    let (_, admin, token) = running_gopherd(state.path());
    let connection = gopherd::admin::client::Connection {
        server: format!("http://{admin}"),
        token: Some(token),
    };
    let wat = std::fs::read(sample("samples/deploy/hello.wat")).unwrap();
    let settings = gopherd::deploy::store::Settings {
        kind: "menu".into(),
        ..Default::default()
    };
    gopherd::admin::client::deploy(&connection, "hello", "hello.wat", &wat, None, settings)
        .unwrap();
    // The same state, served in-process by the workbench.
    let hole = tempfile::tempdir().unwrap();
    std::fs::create_dir(hole.path().join("root")).unwrap();
    let config = hole.path().join("gopherd.toml");
    std::fs::write(
        &config,
        format!(
            "root = \"root\"\n[admin]\nstate_dir = \"{}\"\n",
            state.path().display()
        ),
    )
    .unwrap();
    let mut h = harness(App::new(Some(config)));
    common::settle_gopher(&mut h);
    h.state_mut().wb.gopher.address = "gopher://localhost:7070/1/~ann/hello".into();
    h.run_steps(1);
    h.get_by_label("Address").focus();
    h.run_steps(1);
    h.key_press(egui::Key::Enter);
    h.run_steps(1);
    common::settle_gopher(&mut h);
    h.get_by_label("Hello from Ann's first handler!");
    h.get_by_label_contains("served in-process");
    h.get_by_label("Debug this request").click();
    h.run_steps(2);
    common::settle(&mut h);
    assert_eq!(h.state().wb.doc.name, "hello.wat");
    assert!(
        h.state().wb.config.env.contains("SELECTOR=/~ann/hello\n"),
        "{}",
        h.state().wb.config.env
    );
}
