//! Going back in the workbench, driven through the widgets: "Go back to
//! its exit" on a Syscalls row and Step back replay the recorded run to
//! that stop, the banner says it is a replay, and the console shows what
//! the guest had written by then.

use crate::common;

use common::{harness, settle};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use wasmhole::model::document::Document;
use wasmhole::model::run::RunState;
use wasmhole::workbench::App;

/// Writes "one", "two" and "three", a line each, one call per line.
const THREE_LINES: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "one\n")
  (data (i32.const 72) "two\n")
  (data (i32.const 80) "three\n")
  (func $line (param $at i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $at))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "_start")
    (call $line (i32.const 64) (i32.const 4))
    (call $line (i32.const 72) (i32.const 4))
    (call $line (i32.const 80) (i32.const 6))))"#;

fn click(h: &mut Harness<'static, App>, label: &str) {
    h.get_by_label(label).click();
    h.run_steps(2);
}

fn console(h: &Harness<'static, App>) -> String {
    h.state()
        .wb
        .run()
        .console
        .chunks
        .iter()
        .map(|(_, t)| t.as_str())
        .collect()
}

#[test]
fn going_back_to_a_calls_exit_and_stepping_back_replay_the_run() {
    let mut app = App::new(None);
    app.wb
        .load(Document::from_bytes("lines.wat", THREE_LINES.as_bytes().to_vec()).unwrap());
    let mut h = harness(app);
    settle(&mut h);
    click(&mut h, "Continue");
    settle(&mut h);
    assert_eq!(console(&h), "one\ntwo\nthree\n");

    click(&mut h, "Syscalls");
    h.get_by_label_contains(r#"iovs=[{"two\n", 4}]"#).click();
    h.run_steps(2);
    click(&mut h, "Go back to its exit");
    settle(&mut h);
    assert_eq!(h.state().wb.state(), RunState::Stopped);
    h.get_by_label_contains("fd_write returned 0");
    h.get_by_label_contains("A replay of the recorded run");
    assert_eq!(console(&h), "one\ntwo\n");

    click(&mut h, "Step back");
    settle(&mut h);
    h.get_by_label_contains(r#"About to call fd_write(fd=1<stdout>, iovs=[{"two\n", 4}]"#);
    assert_eq!(console(&h), "one\n");

    click(&mut h, "Step back");
    settle(&mut h);
    h.get_by_label_contains("fd_write returned 0");
    assert_eq!(h.state().wb.run().snapshot.as_ref().unwrap().last_seq, 1);
    assert_eq!(console(&h), "one\n");
}

#[test]
fn a_saved_recording_opens_as_a_replay_under_the_debugger() {
    let dir = tempfile::tempdir().unwrap();
    let module = dir.path().join("lines.wat");
    std::fs::write(&module, THREE_LINES).unwrap();
    let recording = dir.path().join("lines.recording.jsonl");
    let mut app = App::new(None);
    assert!(app.wb.open(&module));
    let mut h = harness(app);
    settle(&mut h);
    click(&mut h, "Continue");
    settle(&mut h);
    h.state_mut()
        .wb
        .path_chosen(
            wasmhole::model::paths::Purpose::SaveRecording,
            recording.clone(),
        )
        .unwrap();
    assert_eq!(
        h.state().wb.status,
        format!("saved the recording of 3 calls to {}", recording.display())
    );

    // Opened like any file: the module is shown, stopped at its start, and
    // the banner says every call is answered from the recording.
    assert!(h.state_mut().wb.open(&recording));
    settle(&mut h);
    assert_eq!(h.state().wb.doc.name, "lines.wat");
    assert_eq!(h.state().wb.state(), RunState::Stopped);
    h.get_by_label_contains("A replay of the recording");
    click(&mut h, "Next syscall");
    settle(&mut h);
    h.get_by_label_contains(r#"About to call fd_write(fd=1<stdout>, iovs=[{"one\n", 4}]"#);
    click(&mut h, "Continue");
    settle(&mut h);
    assert_eq!(console(&h), "one\ntwo\nthree\n");
    click(&mut h, "Syscalls");
    h.get_by_label_contains(r#"iovs=[{"three\n", 6}]"#);

    // Restart replays it again rather than running the guest live.
    click(&mut h, "Restart");
    settle(&mut h);
    assert!(matches!(
        h.state().wb.run().origin,
        wasmhole::model::run::Origin::Recording(_)
    ));
    h.get_by_label_contains("A replay of the recording");
    assert_eq!(console(&h), "");
}
