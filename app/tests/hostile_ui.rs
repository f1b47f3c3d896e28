//! Hostile guests (`runtime/tests/hostile/*.wat`) in the workbench, driven
//! with egui_kittest: the time limit is named where the guest stopped and
//! when it ends, and a guest writing without end leaves the console a
//! bounded tail that says how much was left out.

mod common;

use common::{harness, sample, settle};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use std::time::Duration;
use wasmhole::workbench::App;
use wasmhole::workbench::document::Document;
use wasmhole::workbench::state::{CONSOLE_TAIL, RunState};

fn open_hostile(name: &str, timeout: &str) -> Harness<'static, App> {
    let mut app = App::new(None);
    app.wb.config.timeout = timeout.into();
    let path = sample("runtime/tests/hostile").join(name);
    let bytes = std::fs::read(&path).unwrap();
    app.wb.load(Document::from_bytes(name, bytes).unwrap());
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
    assert!(matches!(h.state().wb.state, RunState::Exited(_)));
    let status = h.state().wb.status.clone();
    assert!(
        status.starts_with("guest `spin.wat` exceeded its time limit of 500ms in spin"),
        "{status}"
    );
    h.get_by_label_contains("exceeded its time limit of 500ms");
}

#[test]
fn a_flood_leaves_the_console_a_bounded_tail() {
    let mut h = open_hostile("stdout_flood.wat", "2s");
    continue_(&mut h);
    // Keep drawing until the guest has ended, as a person watching would.
    let t0 = std::time::Instant::now();
    while !matches!(h.state().wb.state, RunState::Exited(_)) {
        assert!(t0.elapsed() < Duration::from_secs(60), "the guest ended");
        if h.state().wb.state == RunState::Stopped {
            h.get_by_label("Continue").click();
        }
        h.run_steps(1);
        std::thread::sleep(Duration::from_millis(20));
    }
    let console = &h.state().wb.console;
    let kept: usize = console.chunks.iter().map(|(_, t)| t.len()).sum();
    assert!(kept <= 2 * CONSOLE_TAIL, "the console holds {kept} bytes");
    let left_out = console.left_out;
    let written = h.state().wb.session.as_ref().unwrap().stdout().len();
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
