//! The workbench as a learner uses it, driven through its widgets with
//! egui_kittest: open a sample, compile an error, step, break and continue,
//! run to a syscall and select it, watch a descriptor open and close.

use crate::common;

use common::{harness, sample, settle};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use wasmhole::model::document::Document;
use wasmhole::model::run::RunState;
use wasmhole::workbench::App;
use wasmhole_runtime::debug::Value;

const ADD: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hi\n")
  (func $add (param $a i32) (param $b i32) (result i32)
    local.get $a
    local.get $b
    i32.add)
  (func (export "_start")
    (drop (call $add (i32.const 40) (i32.const 2)))
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 3))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"#;

fn with_program(text: &str) -> Harness<'static, App> {
    let mut app = App::new(None);
    app.wb
        .load(Document::from_bytes("add.wat", text.as_bytes().to_vec()).unwrap());
    let mut h = harness(app);
    settle(&mut h);
    h
}

#[test]
fn the_samples_menu_opens_a_sample_stopped_at_its_start() {
    let mut app = App::new(None);
    app.wb.welcome = false;
    let mut h = harness(app);
    h.run_steps(2);
    h.get_by_label("Samples").click();
    h.run_steps(2);
    h.get_by_label("wasi/hello.wat").click();
    h.run_steps(1);
    settle(&mut h);
    assert_eq!(h.state().wb.state(), RunState::Stopped);
    h.get_by_label_contains("hello.wat · stopped");
    h.get_by_label_contains("the guest is on line");
    h.get_by_label("stopped: entry");
    h.get_by_label_contains("Stopped at the start, in _start");
}

#[test]
fn a_compile_error_is_shown_at_its_line_and_column() {
    let mut h = with_program(ADD);
    h.state_mut().wb.doc.text = Some("(module\n  (func\n    i32.nope))".into());
    h.run_steps(2);
    h.get_by_label_contains("edited");
    h.get_by_label("Compile").click();
    h.run_steps(2);
    // In the Source panel, and in the banner.
    h.get_by_label_contains("add.wat does not compile: line 3, column 5: unknown operator");
    assert_eq!(
        h.get_all_by_label_contains("line 3, column 5: unknown operator")
            .count(),
        2
    );
    assert_eq!(h.state().wb.state(), RunState::Idle);
    assert!(h.state().wb.status.starts_with("add.wat:3:5:"));
}

#[test]
fn stepping_moves_the_guest_and_shows_its_stack() {
    let mut h = with_program(ADD);
    for _ in 0..3 {
        h.get_by_label("Step into").click();
        h.run_steps(1);
        settle(&mut h);
    }
    h.get_by_label_contains("#0 add (func 1)");
    h.get_by_label_contains("#1 _start (func 2)");
    // Locals by their names, in decimal and hex.
    h.get_by_label("$a");
    h.get_by_label("$b");
    h.get_by_label("0x28");
    let locals = h.state().wb.selected_frame().unwrap().locals.clone();
    assert_eq!(locals, vec![Value::I32(40), Value::I32(2)]);
    h.get_by_label("Step out").click();
    h.run_steps(1);
    settle(&mut h);
    h.get_by_label("42");
    h.get_by_label("0x2a");
}

#[test]
fn a_breakpoint_set_in_the_gutter_stops_continue() {
    let mut h = with_program(ADD);
    h.get_by_label("Disassembly").click();
    h.run_steps(2);
    let add = h
        .state()
        .wb
        .doc
        .program
        .as_ref()
        .unwrap()
        .find_func("add")
        .unwrap();
    h.get_by_label(&format!("set breakpoint at {:#x}", add.first_instr))
        .click();
    h.run_steps(2);
    assert!(h.state().wb.breakpoints.contains(add.first_instr));
    h.get_by_label(&format!("clear breakpoint at {:#x}", add.first_instr));
    // Shown in the Source gutter on its line, and listed.
    h.get_by_label("Source").click();
    h.run_steps(2);
    h.get_by_label("clear breakpoint on line 6");
    h.get_by_label("Breakpoints").click();
    h.run_steps(2);
    h.get_by_label(&format!("{:#x}", add.first_instr));
    h.get_by_label("Continue").click();
    h.run_steps(1);
    settle(&mut h);
    h.get_by_label(&format!("stopped: breakpoint at {:#x}", add.first_instr));
}

#[test]
fn next_syscall_shows_the_decoded_call_and_selecting_it_shows_its_bytes() {
    let mut h = with_program(ADD);
    for _ in 0..2 {
        h.get_by_label("Next syscall").click();
        h.run_steps(1);
        settle(&mut h);
    }
    let row = r#"fd_write(fd=1<stdout>, iovs=[{"hi\n", 3}], iovs_len=1, nwritten=[3])"#;
    h.get_by_label(row).click();
    h.run_steps(3);
    let wb = &h.state().wb;
    assert_eq!(wb.view().call, Some(1));
    let bytes = wb.run().call_bytes(1).expect("the call's bytes are kept");
    assert_eq!(bytes.written[0].start, 8);
    assert_eq!(bytes.written[0].after, 3u32.to_le_bytes());
    h.get_by_label("#1 fd_write, its bytes as it ran:");
    h.get_by_label("wrote 0x00000008: 00 00 00 00 -> 03 00 00 00");
    h.get_by_label_contains("Writes a list of buffers");
    h.get_by_label("Console").click();
    h.run_steps(2);
    h.get_by_label("hi");
}

#[test]
fn a_descriptor_appears_when_opened_and_its_history_outlives_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::new(None);
    app.wb.open(&sample("samples/wasi/files.wat"));
    // As in the Run configuration panel: a directory, then Apply and restart.
    app.wb.config.dirs = format!("{}::box", dir.path().display());
    app.wb.start();
    let mut h = harness(app);
    settle(&mut h);
    h.get_by_label("Descriptors").click();
    h.run_steps(2);
    // path_open: entry, then exit.
    for _ in 0..2 {
        h.get_by_label("Next syscall").click();
        h.run_steps(1);
        settle(&mut h);
    }
    h.run_steps(2);
    let (file, name) = h
        .state()
        .wb
        .run()
        .snapshot
        .as_ref()
        .unwrap()
        .descriptors
        .iter()
        .find(|d| d.kind == "file")
        .map(|d| (d.number, d.name.clone()))
        .expect("the opened file is in the table");
    assert!(name.starts_with("box/"), "{name}");
    h.get_by_label_contains(&format!("{file:>4}  file       {name}"));
    // Run to the close and past it.
    h.state_mut().wb.view_mut().calls.filter.clear();
    loop {
        h.get_by_label("Next syscall").click();
        h.run_steps(1);
        settle(&mut h);
        let closed = h.state().wb.run().snapshot.as_ref().is_some_and(|s| {
            matches!(&s.reason, wasmhole_runtime::debug::StopReason::SyscallExit { record, .. } if record.name == "fd_close")
        });
        if closed || !matches!(h.state().wb.state(), RunState::Stopped) {
            break;
        }
    }
    let snap = h.state().wb.run().snapshot.as_ref().unwrap();
    assert!(snap.descriptors.iter().all(|d| d.number != file), "closed");
    h.run_steps(2);
    // It has left the open table for the closed list, where a click on its
    // row (not only its number) shows what happened to it.
    assert!(
        h.query_by_label_contains(&format!("{file:>4}  file"))
            .is_none()
    );
    h.get_by_label_contains(&format!("{file:>4}  {name:<28} opened #"))
        .click();
    h.run_steps(2);
    h.get_by_label(&format!("History of descriptor {file} ({name})"));
    let life = h
        .state()
        .wb
        .run()
        .descriptors
        .lives
        .iter()
        .find(|l| l.name == name)
        .cloned()
        .unwrap();
    let (opened, closed) = (life.opened.unwrap(), life.closed.unwrap());
    h.get_by_label_contains(&format!("#{opened} path_open(fd=3<box>"));
    h.get_by_label_contains(&format!("#{closed} fd_close(fd={file}<{name}>) = 0"));
}

/// The main screen, rendered offscreen and compared with the stored image
/// (`UPDATE_SNAPSHOTS=1` stores a new one after a deliberate change).
#[test]
fn main_screen_snapshot() {
    let mut app = App::new(None);
    app.wb.open(&sample("samples/wasi/hello.wat"));
    let mut h = Harness::builder()
        .with_size(egui::vec2(1500.0, 920.0))
        .wgpu()
        .build_ui_state(|ui, app: &mut App| app.ui(ui), app);
    settle(&mut h);
    for _ in 0..2 {
        h.get_by_label("Next syscall").click();
        h.run_steps(1);
        settle(&mut h);
    }
    h.get_by_label(r#"fd_write(fd=1<stdout>, iovs=[{"Hello from a WASI guest!\n", 25}], iovs_len=1, nwritten=[25])"#)
        .click();
    h.run_steps(3);
    // The one call's duration differs from run to run: a small tolerance
    // covers that cell.
    h.snapshot_options(
        "main_screen",
        &egui_kittest::SnapshotOptions::new().max_failed_pixels(2_000),
    );
}

#[test]
fn a_recorded_trace_opens_in_the_syscalls_panel() {
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("hello.jsonl");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_wasmhole"))
        .arg("run")
        .arg(format!("--trace={}", trace.display()))
        .args(["--trace-format", "jsonl"])
        .arg(sample("samples/wasi/hello.wat"))
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let mut app = App::new(None);
    app.wb.open(&trace);
    let mut h = harness(app);
    h.run_steps(3);
    assert!(matches!(
        h.state().wb.run().origin,
        wasmhole::model::run::Origin::Trace(_)
    ));
    h.get_by_label_contains("hello.jsonl · recorded trace");
    h.get_by_label_contains("recorded trace: 1 call (");
    h.get_by_label_contains(r#"fd_write(fd=1<stdout>, iovs=[{"Hello"#)
        .click();
    h.run_steps(3);
    h.get_by_label_contains("Writes a list of buffers");
    assert_eq!(h.state().wb.recent.first(), Some(&trace));

    std::fs::write(&trace, "{\"seq\": 1}\n").unwrap();
    h.state_mut().wb.open(&trace);
    h.run_steps(2);
    // The banner says why (and the status bar repeats it).
    assert!(h.state().wb.problem.as_ref().unwrap().contains("line 1:"));
    assert_eq!(
        h.get_all_by_label_contains("hello.jsonl: line 1:").count(),
        2
    );
}

#[test]
fn the_source_panel_brings_the_current_line_into_view() {
    let mut app = App::new(None);
    app.wb
        .open(&sample("samples/gopherhole/handlers/wasi/menu.wat"));
    let mut h = harness(app);
    settle(&mut h);
    h.get_by_label("Next syscall").click();
    h.run_steps(1);
    settle(&mut h);
    h.run_steps(3);
    let line = h
        .state()
        .wb
        .run()
        .snapshot
        .as_ref()
        .and_then(|s| s.pc())
        .and_then(|pc| pc.source_line)
        .expect("a WAT line");
    assert!(
        line > 40,
        "the first call is far down the file (line {line})"
    );
    let (top, height) = h
        .ctx
        .memory(|m| {
            m.data
                .get_temp::<(f32, f32)>(egui::Id::unique("source-view"))
        })
        .expect("the source view was drawn");
    let font = egui::TextStyle::Monospace.resolve(&h.ctx.global_style());
    let row = h.ctx.fonts_mut(|f| f.row_height(&font));
    let y = (line - 1) as f32 * row;
    assert!(
        top <= y && y + row <= top + height,
        "line {line} at {y} is within the view {top}..{}",
        top + height
    );
}

/// A guest whose memory is never exported, with two functions it could be
/// started at; the Run configuration names the one.
const TWO_ENTRIES: &str = r#"(module
  (import "dagger" "open" (func $open (param i32 i32) (result i32)))
  (memory $mem 1)
  (data (i32.const 16) "fd://1\00")
  (func $main (export "main") (result i32) (i32.const 0))
  (func $other (export "other") (result i32)
    (drop (call $open (i32.const 16) (i32.const 0)))
    (i32.const 6)))"#;

#[test]
fn the_run_configuration_starts_the_guest_at_the_entry_point_it_names() {
    let mut h = with_program(TWO_ENTRIES);
    h.get_by_label_contains("#0 main (func 1)");
    h.get_by_label("Run configuration").click();
    h.run_steps(2);
    h.get_by_label("Entry point").click();
    h.run_steps(1);
    h.get_by_label("Entry point").type_text("other");
    h.run_steps(2);
    h.get_by_label("Apply and restart").click();
    h.run_steps(1);
    settle(&mut h);
    assert_eq!(h.state().wb.config.invoke, "other");
    h.get_by_label_contains("#0 other (func 2)");
    h.get_by_label("Next syscall").click();
    h.run_steps(1);
    settle(&mut h);
    h.get_by_label(r#"About to call open(url="fd://1", flags=0)"#);
}
