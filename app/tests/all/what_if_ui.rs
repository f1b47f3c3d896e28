//! What-if branches as a learner makes them, driven through the widgets
//! with egui_kittest: "What if…" at a call's entry or on a Syscalls row,
//! an error, a short write or other bytes chosen, the branch stopped as the
//! changed call returns, its console beside main's in Compare, and main
//! still as it was.

use crate::common;

use common::{harness, sample, settle};
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use wasmhole::model::document::Document;
use wasmhole::model::run::RunState;
use wasmhole::workbench::App;
use wasmhole_runtime::ExitStatus;

/// Opens `greeting.txt` in the granted directory and prints it, or says it
/// cannot and exits with 1.
const WASI_OPEN: &str = r#"(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "greeting.txt")
  (data (i32.const 128) "cannot open greeting.txt\n")
  (func $say (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "_start")
    (if (call $path_open (i32.const 3) (i32.const 0) (i32.const 64) (i32.const 12)
          (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 12))
      (then (call $say (i32.const 128) (i32.const 25)) (call $proc_exit (i32.const 1))))
    (i32.store (i32.const 0) (i32.const 1024))
    (i32.store (i32.const 4) (i32.const 256))
    (drop (call $fd_read (i32.load (i32.const 12)) (i32.const 0) (i32.const 1) (i32.const 8)))
    (call $say (i32.const 1024) (i32.load (i32.const 8)))))"#;

/// Writes "hello, world\n" the way a C library does: until every byte is
/// out, each `fd_write` going on from where the last one stopped.
const WRITE_ALL: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "hello, world\n")
  (func (export "_start")
    (local $errno i32)
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (i32.const 13))
    (block $done
      (loop $more
        (br_if $done (i32.eqz (i32.load (i32.const 4))))
        (local.set $errno (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
        (if (local.get $errno) (then (call $proc_exit (local.get $errno))))
        (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.load (i32.const 8))))
        (i32.store (i32.const 4) (i32.sub (i32.load (i32.const 4)) (i32.load (i32.const 8))))
        (br $more)))))"#;

/// The program loaded with `dirs` granted, stopped at its first instruction.
fn started(name: &str, text: &[u8], dirs: &str) -> Harness<'static, App> {
    let mut app = App::new(None);
    app.wb
        .load(Document::from_bytes(name, text.to_vec()).unwrap());
    app.wb.config.dirs = dirs.into();
    app.wb.start();
    let mut h = harness(app);
    settle(&mut h);
    h
}

fn click(h: &mut Harness<'static, App>, label: &str) {
    h.get_by_label(label).click();
    h.run_steps(2);
}

/// Clicks the button labelled `label` (an error's name is also text in
/// the Syscalls panel's explanation).
fn click_button(h: &mut Harness<'static, App>, label: &str) {
    h.get_by_role_and_label(Role::Button, label).click();
    h.run_steps(2);
}

/// Shows a branch, chosen in the Branches panel's list.
fn show_branch(h: &mut Harness<'static, App>, name: &str) {
    click(h, "Branches");
    h.get_all_by_label(name).next().unwrap().click();
    h.run_steps(2);
}

/// Runs the branch on show to its end.
fn finish(h: &mut Harness<'static, App>) {
    click(h, "Continue");
    settle(h);
    assert!(matches!(h.state().wb.state(), RunState::Exited(_)));
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

fn exit_code(h: &Harness<'static, App>) -> Option<i32> {
    match &h.state().wb.state() {
        RunState::Exited(ExitStatus::Exited(code)) => Some(*code),
        _ => None,
    }
}

/// Runs main to its end, selects the Syscalls row whose text contains
/// `row`, and chooses `choice` in its What if… window.
fn what_if_on_row(h: &mut Harness<'static, App>, row: &str, choice: &str) {
    finish(h);
    click(h, "Syscalls");
    h.get_by_label_contains(row).click();
    h.run_steps(2);
    click(h, "What if…");
    h.get_by_label_contains("What if call #");
    click_button(h, choice);
    settle(h);
}

#[test]
fn a_failed_open_takes_the_branch_down_the_guests_error_path_and_main_keeps_its_output() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("greeting.txt"), "hello from the file\n").unwrap();
    let grant = format!("{}::/box", dir.path().display());
    let mut h = started("open.wat", WASI_OPEN.as_bytes(), &grant);
    click(&mut h, "Next syscall");
    settle(&mut h);
    h.get_by_label_contains("About to call path_open(");
    click(&mut h, "What if…");
    // The call's own errors, each with its meaning.
    h.get_by_label("ENOTDIR");
    h.get_by_label_contains("No such file or directory");
    click_button(&mut h, "ENOENT");
    settle(&mut h);
    let wb = &h.state().wb;
    assert_eq!(wb.branches.list.len(), 2);
    assert_eq!(wb.branches.current().name, "path_open #1 -> ENOENT");
    assert_eq!(
        wb.branches.current().note,
        None,
        "the same run up to the change"
    );
    h.get_by_label_contains("path_open returned");
    h.get_by_label_contains("What-if branch “path_open #1 -> ENOENT” of main");
    finish(&mut h);
    assert_eq!(console(&h), "cannot open greeting.txt\n");
    assert_eq!(exit_code(&h), Some(1));

    show_branch(&mut h, "main");
    assert_eq!(h.state().wb.branches.selected, 0);
    h.get_by_label_contains("About to call path_open(");
    finish(&mut h);
    assert_eq!(console(&h), "hello from the file\n");
    assert_eq!(exit_code(&h), Some(0));

    // Compare: both consoles, both endings, where they part.
    click(&mut h, "Branches");
    h.get_by_label("They first differ at call #1:");
    h.get_by_label_contains("cannot open greeting.txt");
    h.get_by_label_contains("hello from the file");
    // In the list of branches and in Compare.
    for ending in [
        "exited with status 1: failure",
        "exited with status 0: success",
    ] {
        assert_eq!(h.query_all_by_label_contains(ending).count(), 2, "{ending}");
    }
}

#[test]
fn a_short_write_makes_a_libc_style_loop_write_the_rest() {
    let mut h = started("write_all.wat", WRITE_ALL.as_bytes(), "");
    finish(&mut h);
    assert_eq!(console(&h), "hello, world\n");
    click(&mut h, "Syscalls");
    h.get_by_label_contains("fd_write(fd=1").click();
    h.run_steps(2);
    click(&mut h, "What if…");
    h.state_mut().wb.what_if.as_mut().unwrap().short = 5;
    click(&mut h, "Short write");
    settle(&mut h);
    h.get_by_label_contains("fd_write returned");
    finish(&mut h);
    assert_eq!(console(&h), "hello, world\n", "the loop wrote the rest");
    let ring = h.state().wb.run().records.clone();
    let ring = ring.lock().unwrap();
    let writes: Vec<String> = (1..=ring.last_seq().unwrap())
        .filter_map(|s| ring.get(s))
        .filter(|r| r.name == "fd_write")
        .map(|r| {
            r.args
                .iter()
                .find(|a| a.name == "nwritten")
                .unwrap()
                .shown
                .clone()
        })
        .collect();
    assert_eq!(writes, ["[5]", "[8]"]);
    assert!(ring.get(1).unwrap().injected);
}

#[test]
fn other_bytes_are_what_the_branchs_read_gets() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("greeting.txt"), "hello from the file\n").unwrap();
    let grant = format!("{}::/box", dir.path().display());
    let mut h = started("open.wat", WASI_OPEN.as_bytes(), &grant);
    finish(&mut h);
    click(&mut h, "Syscalls");
    h.get_by_label_contains("fd_read(fd=").click();
    h.run_steps(2);
    click(&mut h, "What if…");
    h.state_mut().wb.what_if.as_mut().unwrap().bytes = r"a rewritten line\n".into();
    click(&mut h, "Other bytes");
    settle(&mut h);
    finish(&mut h);
    assert_eq!(console(&h), "a rewritten line\n");
}

#[test]
fn a_dagger_open_made_to_fail_prints_the_guests_own_complaint() {
    let data = sample("samples/dagger/data");
    let text = std::fs::read(sample("samples/dagger/file.wat")).unwrap();
    let mut h = started("file.wat", &text, &format!("{}::/data", data.display()));
    what_if_on_row(&mut h, r#"open(url="file:///data/hello.txt""#, "EFAIL");
    assert_eq!(h.state().wb.branches.current().name, "open #2 -> EFAIL");
    finish(&mut h);
    assert!(
        console(&h).starts_with("cannot open /data/hello.txt"),
        "{}",
        console(&h)
    );
    assert_eq!(exit_code(&h), Some(1));
    show_branch(&mut h, "main");
    assert!(console(&h).contains("escape refused"), "{}", console(&h));
}

#[test]
fn an_olin_open_made_to_fail_prints_the_guests_own_complaint() {
    let data = sample("samples/olin/data");
    let text = std::fs::read(sample("samples/olin/file.wat")).unwrap();
    let mut h = started("file.wat", &text, &format!("{}::/data", data.display()));
    what_if_on_row(&mut h, r#"open(url="file:///data/hello.txt""#, "NOT_FOUND");
    assert_eq!(
        h.state().wb.branches.current().name,
        "resource_open #1 -> NOT_FOUND"
    );
    finish(&mut h);
    assert!(
        console(&h).starts_with("cannot open /data/hello.txt"),
        "{}",
        console(&h)
    );
    assert_eq!(exit_code(&h), Some(1));
}

#[test]
fn a_branch_that_parts_from_its_parent_before_the_change_says_so() {
    // Reads the clock, then writes it: no two runs make the same calls.
    let clock = r#"(module
  (import "wasi_snapshot_preview1" "clock_time_get" (func $now (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (drop (call $now (i32.const 0) (i64.const 1) (i32.const 100)))
    (i32.store (i32.const 0) (i32.const 100))
    (i32.store (i32.const 4) (i32.const 8))
    (drop (call $fd_write (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 8)))))"#;
    let mut h = started("clock.wat", clock.as_bytes(), "");
    what_if_on_row(&mut h, "fd_write(fd=2", "EBADF");
    let note = h
        .state()
        .wb
        .branches
        .current()
        .note
        .clone()
        .unwrap_or_default();
    assert!(
        note.starts_with("This run differed from its parent at call 1 before reaching the change"),
        "{note}"
    );
    // In the banner (and the status bar).
    assert!(
        h.query_all_by_label_contains("This run differed from its parent at call 1")
            .next()
            .is_some()
    );
}
