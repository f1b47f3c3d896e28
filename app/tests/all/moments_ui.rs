//! One run, one moment, tested over time as a learner moves through it:
//! after going back, stepping back (from a stop and from the end), a
//! replayed recording, a failed compile, switching branch and comparing
//! branches, every panel shows the same run at the same moment: no call,
//! descriptor, byte or output from its future, nothing left from another
//! program.

use crate::common;

use common::{harness, sample, settle};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use std::time::{Duration, Instant};
use wasmhole::model::branches::WhatIf;
use wasmhole::model::run::RunState;
use wasmhole::workbench::App;
use wasmhole::workbench::dock::Tab;
use wasmhole_runtime::ExitStatus;
use wasmhole_runtime::debug::Command;

fn click(h: &mut Harness<'static, App>, label: &str) {
    h.get_by_label(label).click();
    h.run_steps(3);
}

fn show(h: &mut Harness<'static, App>, tab: Tab) {
    h.state_mut().wb.focus = Some(tab);
    h.run_steps(3);
}

/// Draws frames until `done` holds, for at most 20 s.
fn until(h: &mut Harness<'static, App>, what: &str, done: impl Fn(&App) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done(h.state()) {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        h.run_steps(1);
        std::thread::sleep(Duration::from_millis(10));
    }
    h.run_steps(2);
}

fn console(h: &Harness<'static, App>) -> String {
    h.state().wb.run().console.text()
}

fn memory_at(h: &mut Harness<'static, App>, addr: u32, len: usize) -> Vec<u8> {
    until(h, "memory", |a| {
        a.wb.run().memory.bytes(addr, len).len() == len
    });
    h.state().wb.run().memory.bytes(addr, len)
}

/// files.wat with a fresh folder granted as `box`, stopped at its start.
fn files(dir: &tempfile::TempDir) -> Harness<'static, App> {
    let mut app = App::new(None);
    assert!(app.wb.open(&sample("samples/wasi/files.wat")));
    app.wb.config.dirs = format!("{}::box", dir.path().display());
    app.wb.start();
    let mut h = harness(app);
    settle(&mut h);
    h
}

#[test]
fn going_back_shows_every_panel_as_it_was_then() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = files(&dir);
    click(&mut h, "Continue");
    settle(&mut h);
    assert_eq!(
        h.state().wb.state(),
        RunState::Exited(ExitStatus::Exited(0))
    );
    assert_eq!(console(&h), "Hello from a file!\n");

    // At the end, the write to the file (#2) shows the bytes it read, not
    // today's: its iovec was overwritten later by fd_read's.
    show(&mut h, Tab::Syscalls);
    h.get_by_label_contains("fd_write(fd=4<box/greeting.txt>")
        .click();
    h.run_steps(3);
    show(&mut h, Tab::Memory);
    assert_eq!(memory_at(&mut h, 0, 8), [0, 4, 0, 0, 0x13, 0, 0, 0]);
    h.get_by_label("#2 fd_write, its bytes as it ran:");
    h.get_by_label("read  0x00000000: 80 00 00 00 13 00 00 00");
    h.get_by_label_contains("memory now holds 00 04 00 00 13 00 00 00 (changed since the call)");
    // The bytes it wrote (nwritten) are still there: marked.
    h.get_by_label("wrote 0x00000008: 00 00 00 00 -> 13 00 00 00");

    // Back to that call's entry.
    show(&mut h, Tab::Syscalls);
    click(&mut h, "Go back to its entry");
    settle(&mut h);
    assert_eq!(h.state().wb.state(), RunState::Stopped);
    h.get_by_label_contains("About to call fd_write(fd=4<box/greeting.txt>");
    h.get_by_label_contains("A replay of the recorded run");
    // Syscalls: one call made, the later ones greyed, the current call
    // listed once.
    h.get_by_label("1 call made, 5 more recorded, not yet made");
    assert_eq!(h.get_all_by_label("not yet made").count(), 4);
    assert!(h.query_by_label_contains("<not yet run").is_none());
    // Descriptors: the file is open, and not yet closed by #5.
    show(&mut h, Tab::Descriptors);
    h.get_by_label_contains("   4  file       box/greeting.txt");
    h.get_by_label_contains("rights: FD_READ FD_SEEK FD_WRITE");
    assert!(h.query_by_label("Closed").is_none());
    assert!(h.query_by_label_contains("closed #5").is_none());
    h.get_by_label("Open after call #1 (later calls not yet made)");
    // Memory as it was: the iovec the call is about to read.
    show(&mut h, Tab::Memory);
    assert_eq!(memory_at(&mut h, 0, 8), [0x80, 0, 0, 0, 0x13, 0, 0, 0]);
    h.get_by_label("#2 fd_write: not run yet (the guest is at its entry)");
    // The console: nothing written yet; input comes from the recording.
    show(&mut h, Tab::Console);
    assert_eq!(console(&h), "");
    h.get_by_label("comes from the recording: what the guest read is answered from it");
    // The stack: the call's arguments.
    show(&mut h, Tab::Stack);
    h.get_by_label("[0] argument fd of fd_write");

    // Shift+F8: the stop before, path_open's exit.
    h.key_press_modifiers(egui::Modifiers::SHIFT, egui::Key::F8);
    h.run_steps(2);
    settle(&mut h);
    h.get_by_label_contains("path_open returned 0");
    show(&mut h, Tab::Syscalls);
    h.get_by_label("1 call made, 5 more recorded, not yet made");

    // On to the end again, replaying: every call made, the output whole.
    h.key_press(egui::Key::F5);
    h.run_steps(2);
    settle(&mut h);
    assert!(matches!(h.state().wb.state(), RunState::Exited(_)));
    // At the end there is no "last stop" to have changed since.
    show(&mut h, Tab::Memory);
    assert!(h.query_by_label("changed since the last stop").is_none());
    assert_eq!(console(&h), "Hello from a file!\n");
    h.get_by_label("6 calls made");
    assert!(h.query_by_label("not yet made").is_none());
    show(&mut h, Tab::Descriptors);
    h.get_by_label("Closed");
    h.get_by_label_contains("box/greeting.txt             opened #1, closed #5");
}

#[test]
fn shift_f8_steps_back_and_step_back_works_from_the_end() {
    let mut app = App::new(None);
    app.wb.open(&sample("samples/wasi/hello.wat"));
    let mut h = harness(app);
    settle(&mut h);
    for _ in 0..2 {
        h.key_press(egui::Key::F8);
        h.run_steps(2);
        settle(&mut h);
    }
    h.get_by_label_contains("fd_write returned 0");
    h.key_press_modifiers(egui::Modifiers::SHIFT, egui::Key::F8);
    h.run_steps(2);
    settle(&mut h);
    assert_eq!(h.state().wb.state(), RunState::Stopped, "it went back");
    h.get_by_label_contains("About to call fd_write(fd=1<stdout>");
    assert_eq!(console(&h), "");

    // From the end: back to the last call's exit.
    h.key_press(egui::Key::F5);
    h.run_steps(2);
    settle(&mut h);
    assert!(matches!(h.state().wb.state(), RunState::Exited(_)));
    assert!(
        h.state().wb.step_back_target().is_some(),
        "Step back is enabled"
    );
    click(&mut h, "Step back");
    settle(&mut h);
    assert_eq!(h.state().wb.state(), RunState::Stopped);
    h.get_by_label_contains("fd_write returned 0");
    assert_eq!(console(&h), "Hello from a WASI guest!\n");
}

#[test]
fn a_replayed_recording_counts_its_calls_and_lists_the_current_one_once() {
    let dir = tempfile::tempdir().unwrap();
    let recording = dir.path().join("files.recording.jsonl");
    let mut h = files(&dir);
    click(&mut h, "Continue");
    settle(&mut h);
    h.state_mut()
        .wb
        .path_chosen(
            wasmhole::model::paths::Purpose::SaveRecording,
            recording.clone(),
        )
        .unwrap();
    let opened = h.state_mut().wb.open(&recording);
    assert!(opened, "{:?}", h.state().wb.problem);
    settle(&mut h);
    show(&mut h, Tab::Syscalls);
    h.get_by_label("0 calls made of 6 in the recording");
    click(&mut h, "Next syscall");
    settle(&mut h);
    assert_eq!(h.get_all_by_label_contains("<not yet run").count(), 1);
    h.get_by_label_contains("1  path_open(fd=3<box>");
    show(&mut h, Tab::Console);
    h.get_by_label("comes from the recording: what the guest read is answered from it");
    click(&mut h, "Continue");
    settle(&mut h);
    show(&mut h, Tab::Syscalls);
    h.get_by_label("6 calls made of 6 in the recording");
    assert_eq!(console(&h), "Hello from a file!\n");
}

#[test]
fn a_recording_shows_its_own_configuration_and_it_cannot_be_changed() {
    let dir = tempfile::tempdir().unwrap();
    let recording = dir.path().join("args.recording.jsonl");
    let mut app = App::new(None);
    app.wb.open(&sample("samples/wasi/args.wat"));
    app.wb.config.args = "one two".into();
    app.wb.start();
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
    // The file's own configuration now says otherwise.
    h.state_mut().wb.config.args = "something else".into();
    h.state_mut().wb.remember_settings();
    let opened = h.state_mut().wb.open(&recording);
    assert!(opened, "{:?}", h.state().wb.problem);
    settle(&mut h);
    show(&mut h, Tab::Configuration);
    h.get_by_label_contains("The recording's configuration");
    h.get_by_label("one two");
    assert!(h.query_by_label("something else").is_none());
    assert!(h.query_by_label("Arguments").is_none(), "nothing to edit");
    assert!(h.query_by_label("Apply and restart").is_none());
    click(&mut h, "Replay again");
    settle(&mut h);
    click(&mut h, "Continue");
    settle(&mut h);
    assert!(console(&h).contains("one"), "{}", console(&h));
    assert!(!console(&h).contains("something"), "{}", console(&h));
}

#[test]
fn restart_after_a_failed_compile_says_why_and_nothing_of_the_old_run_stays() {
    let mut app = App::new(None);
    app.wb.open(&sample("samples/wasi/hello.wat"));
    let mut h = harness(app);
    settle(&mut h);
    click(&mut h, "Continue");
    settle(&mut h);
    assert_eq!(console(&h), "Hello from a WASI guest!\n");
    let text = h.state().wb.doc.text.clone().unwrap();
    h.state_mut().wb.doc.text = Some(text.replace("(module", "(module (func $f (result i32))"));
    click(&mut h, "Compile");
    assert!(h.state().wb.doc.error.is_some());
    assert_eq!(console(&h), "", "the old run's output is gone");
    click(&mut h, "Restart");
    h.run_steps(2);
    assert_eq!(h.state().wb.state(), RunState::Idle, "nothing runs");
    let problem = h.state().wb.problem.clone().unwrap();
    assert!(
        problem.contains("does not compile") && problem.contains("Nothing runs until it compiles"),
        "{problem}"
    );
    h.get_by_label(&problem);
    assert_eq!(console(&h), "");

    // Opening another file: its own console only.
    h.state_mut().wb.doc.saved_text = h.state().wb.doc.text.clone();
    assert!(h.state_mut().wb.open(&sample("samples/olin/hello.wat")));
    settle(&mut h);
    click(&mut h, "Continue");
    settle(&mut h);
    assert_eq!(console(&h), "Hello from an Olin guest!\n");
}

/// Writes one line, then a second one.
const TWO_LINES: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "one\n")
  (data (i32.const 72) "two\n")
  (func $line (param $at i32)
    (i32.store (i32.const 0) (local.get $at))
    (i32.store (i32.const 4) (i32.const 4))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "_start")
    (call $line (i32.const 64))
    (call $line (i32.const 72))))"#;

fn two_lines(h: &mut Harness<'static, App>) {
    h.state_mut().wb.load(
        wasmhole::model::document::Document::from_bytes("two.wat", TWO_LINES.as_bytes().to_vec())
            .unwrap(),
    );
    settle(h);
}

/// Makes a what-if branch in which call 1 fails with EBADF, runs it to its
/// end, and shows main again.
fn branch_and_back(h: &mut Harness<'static, App>) {
    let call = wasmhole_runtime::abis::find(wasmhole_runtime::Abi::Wasi, "fd_write").unwrap();
    h.state_mut()
        .wb
        .what_if(1, call, WhatIf::Error("EBADF"))
        .unwrap();
    until(h, "the branch at its change", |a| {
        a.wb.branches.current().reaching == wasmhole::model::branches::Reaching::Done
            && a.wb.state() == RunState::Stopped
    });
    h.state_mut().wb.resume(Command::Continue);
    settle(h);
}

#[test]
fn an_ended_branch_keeps_its_memory_and_one_let_go_says_so_and_goes_back() {
    let mut h = harness(App::new(None));
    two_lines(&mut h);
    click(&mut h, "Continue");
    settle(&mut h);
    // Four branches beside main: five guests, one more than are kept.
    for _ in 0..4 {
        h.state_mut().wb.select_branch(0);
        branch_and_back(&mut h);
    }
    let let_go: Vec<usize> = (0..5)
        .filter(|i| h.state().wb.branches.list[*i].run.let_go.is_some())
        .collect();
    assert_eq!(let_go, vec![1], "the branch shown longest ago was let go");
    // Main, ended and kept: its memory at exit is there.
    h.state_mut().wb.select_branch(0);
    h.run_steps(2);
    show(&mut h, Tab::Memory);
    assert_eq!(memory_at(&mut h, 0, 4), [72, 0, 0, 0]);
    h.get_by_label_contains("at exit: the guest has ended");
    // The branch let go: its memory is said to be gone, its calls and
    // output are kept, and going back replays its recording.
    h.state_mut().wb.select_branch(1);
    h.run_steps(3);
    h.get_by_label_contains("Its memory is gone.");
    assert!(h.query_by_label_contains("··").is_none());
    assert_eq!(console(&h), "two\n", "its first write failed");
    show(&mut h, Tab::Syscalls);
    h.get_by_label_contains(r#"iovs=[{"two\n", 4}]"#).click();
    h.run_steps(3);
    click(&mut h, "Go back to its entry");
    settle(&mut h);
    assert_eq!(h.state().wb.state(), RunState::Stopped);
    h.get_by_label_contains(r#"About to call fd_write(fd=1<stdout>, iovs=[{"two\n", 4}]"#);
    assert_eq!(console(&h), "");
    show(&mut h, Tab::Memory);
    assert_eq!(memory_at(&mut h, 0, 4), [72, 0, 0, 0]);
}

#[test]
fn compare_says_when_two_branches_ran_under_different_configurations() {
    let mut h = harness(App::new(None));
    two_lines(&mut h);
    h.state_mut().wb.config.args = "first".into();
    h.state_mut().wb.start();
    settle(&mut h);
    click(&mut h, "Continue");
    settle(&mut h);
    // The configuration changes before the branch is made.
    h.state_mut().wb.config.args = "second".into();
    branch_and_back(&mut h);
    show(&mut h, Tab::Branches);
    h.get_by_label_contains(
        r#"They ran under different configurations: arguments "first" and "second""#,
    );
    // Branches made under one configuration say nothing of it.
    h.state_mut().wb.select_branch(0);
    h.state_mut().wb.config.args = "first".into();
    branch_and_back(&mut h);
    h.state_mut().wb.branches.compare = (0, 2);
    h.run_steps(3);
    assert!(
        h.query_by_label_contains("different configurations")
            .is_none()
    );
}

#[test]
fn the_exit_banner_names_the_call_whose_error_became_the_status() {
    // files.wat with nothing granted: path_open fails with EBADF, and the
    // guest exits with that errno.
    let mut app = App::new(None);
    app.wb.open(&sample("samples/wasi/files.wat"));
    let mut h = harness(app);
    settle(&mut h);
    click(&mut h, "Continue");
    settle(&mut h);
    assert_eq!(
        h.state().wb.state(),
        RunState::Exited(ExitStatus::Exited(8))
    );
    h.get_by_label("Exited with status 8 = EBADF, which path_open returned at call #1");
}
