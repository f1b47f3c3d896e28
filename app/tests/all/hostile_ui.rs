//! Hostile guests (`runtime/tests/hostile/*.wat`) in the workbench, driven
//! with egui_kittest: the time limit is named where the guest stopped and
//! when it ends, a guest writing without end leaves the console a bounded
//! tail that says how much was left out, and every other hostile guest ends
//! with a status naming the guest, the call and the reason.

use crate::common;

use common::{harness, sample, settle};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use std::time::Duration;
use wasmhole::model::console::CONSOLE_TAIL;
use wasmhole::model::document::Document;
use wasmhole::model::run::RunState;
use wasmhole::model::run_config::RunConfig;
use wasmhole::workbench::App;

fn open_hostile(name: &str, timeout: &str) -> Harness<'static, App> {
    open_configured(name, |config| config.timeout = timeout.into())
}

fn open_configured(name: &str, configure: impl FnOnce(&mut RunConfig)) -> Harness<'static, App> {
    let mut app = App::new(None);
    let path = sample("runtime/tests/hostile").join(name);
    let bytes = std::fs::read(&path).unwrap();
    app.wb.load(Document::from_bytes(name, bytes).unwrap());
    // As in the Run configuration panel: set, then Apply and restart.
    configure(&mut app.wb.config);
    app.wb.start();
    let mut h = harness(app);
    settle(&mut h);
    h
}

/// Continues and waits for the next stop or the end.
fn continue_(h: &mut Harness<'static, App>) {
    h.get_by_label("Continue").click();
    h.run_steps(1);
    settle(h);
}

#[test]
fn the_time_limit_is_named_where_it_stopped_the_guest_and_at_its_end() {
    let mut h = open_hostile("spin.wat", "500ms");
    continue_(&mut h);
    h.get_by_label("stopped: trap: time limit of 500ms exceeded");
    continue_(&mut h);
    assert!(matches!(h.state().wb.state(), RunState::Exited(_)));
    let status = h.state().wb.status.clone();
    assert!(
        status.starts_with("guest `spin.wat` exceeded its time limit of 500ms in spin"),
        "{status}"
    );
    // In the stop banner and the status line.
    assert!(
        h.query_all_by_label_contains("exceeded its time limit of 500ms")
            .next()
            .is_some()
    );
}

#[test]
fn a_flood_leaves_the_console_a_bounded_tail() {
    let mut h = open_hostile("stdout_flood.wat", "2s");
    continue_(&mut h);
    // Keep drawing until the guest has ended, as a person watching would.
    let t0 = std::time::Instant::now();
    while !matches!(h.state().wb.state(), RunState::Exited(_)) {
        assert!(t0.elapsed() < Duration::from_secs(60), "the guest ended");
        if h.state().wb.state() == RunState::Stopped {
            h.get_by_label("Continue").click();
        }
        h.run_steps(1);
        std::thread::sleep(Duration::from_millis(20));
    }
    let console = &h.state().wb.run().console;
    let kept: usize = console.chunks.iter().map(|(_, t)| t.len()).sum();
    assert!(kept <= 2 * CONSOLE_TAIL, "the console holds {kept} bytes");
    let left_out = console.left_out;
    let written = h.state().wb.run().session().unwrap().stdout().len();
    assert!(
        written > 4 * CONSOLE_TAIL,
        "the guest wrote {written} bytes"
    );
    assert_eq!(
        left_out + kept as u64,
        written as u64,
        "what the console shows and what it says it left out are all the guest wrote"
    );
    h.get_by_label("Console").click();
    h.run_steps(2);
    h.get_by_label(&format!("[{left_out} bytes of earlier output not kept]"));
}

/// Continues from every stop, drawing as a person watching would, until
/// the guest has ended.
fn run_to_end(h: &mut Harness<'static, App>) {
    let t0 = std::time::Instant::now();
    while !matches!(h.state().wb.state(), RunState::Exited(_)) {
        assert!(t0.elapsed() < Duration::from_secs(60), "the guest ended");
        if h.state().wb.state() == RunState::Stopped {
            h.get_by_label("Continue").click();
        }
        h.run_steps(1);
        std::thread::sleep(Duration::from_millis(20));
    }
    h.run_steps(2);
}

/// A guest, its run configuration, and what the status line says at its end.
type HostileCase = (
    &'static str,
    Box<dyn FnOnce(&mut RunConfig)>,
    Vec<&'static str>,
);

#[test]
fn every_hostile_guest_ends_with_the_guest_the_call_and_the_reason() {
    let folder = tempfile::tempdir().unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(folder.path().join("fifo"))
        .status()
        .unwrap();
    assert!(made.success());
    let granted = format!("{}::/data", folder.path().display());
    let cases: Vec<HostileCase> = vec![
        (
            "memory_bomb.wat",
            Box::new(|c| c.max_memory = "64M".into()),
            vec![
                "guest `memory_bomb.wat` trapped",
                "memory limit of 67108864 bytes refused growth",
            ],
        ),
        (
            "olin_log_flood.wat",
            Box::new(|c| c.max_output = "1M".into()),
            vec![
                "guest `olin_log_flood.wat` was killed in call `resource_write`",
                "output limit of 1048576 bytes exceeded",
            ],
        ),
        (
            "olin_sleep.wat",
            Box::new(|c| c.timeout = "1s".into()),
            vec![
                "guest `olin_sleep.wat` exceeded its time limit of 1s in call `runtime_msleep`",
                "it was sleeping for 10000 ms",
            ],
        ),
        (
            "fifo_read.wat",
            Box::new(move |c| {
                c.timeout = "1s".into();
                c.dirs = granted;
            }),
            vec![
                "guest `fifo_read.wat` exceeded its time limit of 1s in call `path_open`",
                "it was waiting for a writer to open the FIFO fifo",
            ],
        ),
        (
            "stdin_wait.wat",
            Box::new(|c| c.timeout = "1s".into()),
            vec![
                "exceeded its time limit of 1s in call `fd_read`",
                "it was waiting for standard input",
            ],
        ),
        (
            "olin_fd_table.wat",
            Box::new(|_| {}),
            vec!["exited with status 7"],
        ),
    ];
    for (name, configure, says) in cases {
        let mut h = open_configured(name, configure);
        run_to_end(&mut h);
        let status = h.state().wb.status.clone();
        for text in &says {
            assert!(status.contains(text), "{name}: {status}");
        }
        // Shown in the window, not only held.
        assert!(
            h.query_all_by_label_contains(says[0]).next().is_some(),
            "{name}: the window shows {:?}",
            says[0]
        );
        if name == "olin_fd_table.wat" {
            let console: String = h
                .state()
                .wb
                .run()
                .console
                .chunks
                .iter()
                .map(|(_, t)| t.as_str())
                .collect();
            assert!(
                console.contains("descriptor limit of 1024 reached"),
                "{name}: the console explains the -1: {console}"
            );
        }
    }
}
