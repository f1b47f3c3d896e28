//! The workbench shows only what is true: live memory while the guest
//! runs, state marked as "at the last stop" or "at exit", the banner with
//! the stop reason, traps and exit statuses explained, leaks flagged only
//! for what the guest opened, names and values as the module gives them,
//! and a guest waiting for input told so and given the end of input.

use crate::common;

use common::{harness, sample, settle};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use std::time::{Duration, Instant};
use wasmhole::model::document::Document;
use wasmhole::model::run::RunState;
use wasmhole::workbench::App;
use wasmhole_runtime::ExitStatus;

fn with_program(name: &str, text: &str) -> Harness<'static, App> {
    let mut app = App::new(None);
    app.wb
        .load(Document::from_bytes(name, text.as_bytes().to_vec()).unwrap());
    let mut h = harness(app);
    settle(&mut h);
    h
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

fn click(h: &mut Harness<'static, App>, label: &str) {
    h.get_by_label(label).click();
    // The press, the release, then a frame drawn after it.
    h.run_steps(3);
}

/// Counts forever, storing the count at 0x40.
const COUNTER: &str = r#"(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start") (local $i i32)
    (loop $l
      (i32.store (i32.const 0x40) (local.get $i))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l))))"#;

#[test]
fn memory_is_live_while_the_guest_runs_and_the_rest_says_it_is_not() {
    let mut h = with_program("counter.wat", COUNTER);
    click(&mut h, "Continue");
    let mut seen = std::collections::BTreeSet::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while seen.len() < 3 {
        assert!(Instant::now() < deadline, "memory changed live: {seen:?}");
        h.run_steps(1);
        std::thread::sleep(Duration::from_millis(15));
        let b = h.state().wb.run().memory.bytes(0x40, 4);
        if b.len() == 4 {
            seen.insert(u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
        }
    }
    assert!(
        h.state().wb.view().memory.rows > 4,
        "the whole panel is watched"
    );
    h.get_by_label("live: the guest is running");
    h.get_by_label_contains("running: at its last stop the guest was on line");
    h.get_by_label("The guest is running: this is the stack at its last stop.");
    h.get_by_label("Running");
    assert!(h.query_by_label_contains("the guest is on line").is_none());
    click(&mut h, "Stop");
    until(&mut h, "the end", |a| {
        matches!(a.wb.state(), RunState::Exited(_))
    });
    h.get_by_label("the guest has ended");
    h.get_by_label("The guest has ended: it has no call stack. Its globals at exit:");
    h.get_by_label_contains("at exit: the guest has ended");
}

#[test]
fn memory_at_exit_has_its_final_size_and_bytes() {
    // Grows to 101 pages, writes into the new memory, stops at a
    // breakpoint-free point, then ends.
    let grower = r#"(module
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (func (export "_start")
        (drop (memory.grow (i32.const 100)))
        (i32.store (i32.const 0x20000) (i32.const 0x11223344))))"#;
    let mut h = with_program("grow.wat", grower);
    click(&mut h, "Continue");
    until(&mut h, "the end", |a| {
        matches!(a.wb.state(), RunState::Exited(_))
    });
    // Past the first page, there only since the guest grew its memory.
    h.state_mut().wb.show_memory(0x20000);
    until(&mut h, "memory at exit", |a| {
        a.wb.run().memory.byte(0x20000).is_some()
    });
    h.get_by_label("6.3 MiB (101 pages)");
    assert_eq!(
        h.state().wb.run().memory.bytes(0x20000, 4),
        [0x44, 0x33, 0x22, 0x11]
    );
}

#[test]
fn bytes_written_into_grown_memory_are_marked_changed() {
    let grower = r#"(module
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (func (export "_start")
        (drop (memory.grow (i32.const 1)))
        (i32.store (i32.const 0x10008) (i32.const 7))
        nop))"#;
    let mut h = with_program("grow.wat", grower);
    let nop = {
        let p = h.state().wb.doc.program.clone().unwrap();
        let d = p.disassembly();
        let line = d
            .lines()
            .iter()
            .position(|l| l.text.trim() == "nop")
            .unwrap();
        d.offset_of_line(line).unwrap() as u32
    };
    h.state_mut().wb.toggle_breakpoint(nop);
    click(&mut h, "Continue");
    settle(&mut h);
    let changed = h.state().wb.run().memory.changed.clone();
    assert!(
        changed
            .iter()
            .any(|r| r.start <= 0x10008 && 0x10008 < r.start + r.len),
        "{changed:?}"
    );
}

#[test]
fn a_failed_compile_leaves_no_stale_run_on_show() {
    let mut h = with_program("counter.wat", COUNTER);
    h.get_by_label_contains("the guest is on line");
    h.state_mut().wb.doc.text = Some("(module\n  (func\n    i32.nope))".into());
    h.run_steps(1);
    click(&mut h, "Compile");
    h.run_steps(2);
    assert!(h.query_by_label_contains("the guest is on line").is_none());
    h.get_by_label("No guest is stopped: there is no stack to show.");
    h.get_by_label("No guest: open a program to see its memory.");
    click(&mut h, "Disassembly");
    h.get_by_label("This is the last program that compiled: the text has an error.");
}

#[test]
fn a_type_error_is_placed_on_its_line() {
    let mut h = with_program("counter.wat", COUNTER);
    h.state_mut().wb.doc.text = Some(
        "(module\n  (func $f (result i32)\n    i32.const 1\n    i64.const 2\n    i32.add))".into(),
    );
    h.run_steps(1);
    click(&mut h, "Compile");
    h.run_steps(2);
    let e = h.state().wb.doc.error.clone().unwrap();
    assert_eq!((e.line, e.column), (5, 5), "{}", e.message);
    // In the Source panel, and in the banner.
    assert_eq!(
        h.get_all_by_label_contains("line 5, column 5: type mismatch")
            .count(),
        2
    );
}

#[test]
fn a_trap_stops_with_its_message_and_the_end_explains_134() {
    let trapper = r#"(module
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (func $boom (param $d i32) (result i32)
        (i32.div_u (i32.const 1) (local.get $d)))
      (func (export "_start")
        (drop (call $boom (i32.const 0)))))"#;
    let mut h = with_program("trap.wat", trapper);
    click(&mut h, "Continue");
    settle(&mut h);
    h.get_by_label("Trapped: wasm trap: integer divide by zero");
    h.get_by_label_contains("The guest broke a rule of WebAssembly in boom (func 1)");
    click(&mut h, "Continue");
    until(&mut h, "the end", |a| {
        matches!(a.wb.state(), RunState::Exited(_))
    });
    h.get_by_label_contains("A command-line run reports exit status 134 (134 = 128 + 6 (SIGABRT)");

    let exiter = r#"(module
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (func (export "_start") (call $exit (i32.const 134))))"#;
    let mut h = with_program("abort.wat", exiter);
    click(&mut h, "Continue");
    until(&mut h, "the end", |a| {
        matches!(a.wb.state(), RunState::Exited(_))
    });
    assert_eq!(
        h.state().wb.state(),
        RunState::Exited(ExitStatus::Exited(134))
    );
    h.get_by_label("Exited with status 134");
    h.get_by_label_contains("134 = 128 + 6 (SIGABRT): the program aborted");
}

#[test]
fn a_guest_that_cannot_start_says_why_in_the_banner() {
    let missing = r#"(module
      (import "wasi_snapshot_preview1" "no_such_call" (func $x))
      (memory (export "memory") 1)
      (func (export "_start") (call $x)))"#;
    let h = with_program("missing.wat", missing);
    let problem = h.state().wb.problem.clone().expect("a problem is shown");
    assert!(
        problem.starts_with("missing.wat cannot start: ") && problem.contains("no_such_call"),
        "{problem}"
    );
    h.get_by_label(&problem);
}

#[test]
fn leaks_are_descriptors_the_guest_opened_and_left_open() {
    // WASI: fd 3 (the preopened directory) is not a leak; the file is.
    let dir = tempfile::tempdir().unwrap();
    let wasi = r#"(module
      (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (data (i32.const 100) "left.txt")
      (func (export "_start")
        (drop (call $open (i32.const 3) (i32.const 0) (i32.const 100) (i32.const 8) (i32.const 1)
                          (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 200)))))"#;
    let mut app = App::new(None);
    app.wb
        .load(Document::from_bytes("leak.wat", wasi.as_bytes().to_vec()).unwrap());
    app.wb.config.dirs = format!("{}::box", dir.path().display());
    app.wb.start();
    let mut h = harness(app);
    settle(&mut h);
    click(&mut h, "Descriptors");
    click(&mut h, "Continue");
    until(&mut h, "the end", |a| {
        matches!(a.wb.state(), RunState::Exited(_))
    });
    h.get_by_label("1 descriptor(s) the guest opened were left open at exit:");
    assert_eq!(h.get_all_by_label_contains("left open: a leak").count(), 1);
    h.get_by_label(&format!(
        "{:>4}  {:<10} {:<28} {:>8}  left open: a leak",
        4, "file", "box/left.txt", 0
    ));

    // Dagger: fd://1 opened and never closed is a leak.
    let dagger = r#"(module
      (import "dagger" "open" (func $open (param i32 i32) (result i32)))
      (import "dagger" "write" (func $write (param i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (data (i32.const 0) "fd://1\00")
      (data (i32.const 16) "hi\n")
      (func (export "main") (result i32) (local $fd i32)
        (local.set $fd (call $open (i32.const 0) (i32.const 0)))
        (drop (call $write (local.get $fd) (i32.const 16) (i32.const 3)))
        (i32.const 0)))"#;
    let mut h = with_program("leak.wat", dagger);
    click(&mut h, "Descriptors");
    click(&mut h, "Continue");
    until(&mut h, "the end", |a| {
        matches!(a.wb.state(), RunState::Exited(_))
    });
    h.get_by_label("1 descriptor(s) the guest opened were left open at exit:");
    assert_eq!(h.get_all_by_label_contains("left open: a leak").count(), 1);

    // Closing everything it opened: no leak, even with stdio open.
    let mut h = with_program(
        "hello.wat",
        &std::fs::read_to_string(sample("samples/dagger/hello.wat")).unwrap(),
    );
    click(&mut h, "Descriptors");
    click(&mut h, "Continue");
    until(&mut h, "the end", |a| {
        matches!(a.wb.state(), RunState::Exited(_))
    });
    h.get_by_label("The guest ended with every descriptor it opened closed.");
}

const NAMED: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (global $calls (mut i32) (i32.const -67043328))
  (data (i32.const 16) "hi\n")
  (func $add (param $a i32) (param $b i32) (result i32)
    local.get $a
    local.get $b
    i32.add)
  (func (export "_start") (local $len i32)
    (drop (call $add (i32.const 40) (i32.const 2)))
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 3))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"#;

#[test]
fn locals_and_globals_have_names_values_have_hex_and_pointers_open_in_memory() {
    let mut h = with_program("named.wat", NAMED);
    click(&mut h, "Stack");
    h.run_steps(1);
    h.get_by_label("$len");
    h.get_by_label("$calls");
    // A value that looks negative in decimal is plainly an address in hex.
    h.get_by_label("-67043328");
    h.get_by_label("0xfc010000");
    // Step to where the operand stack holds the address 16.
    for _ in 0..6 {
        click(&mut h, "Step over");
        settle(&mut h);
        if h.query_by_label("show 0x10 in Memory").is_some() {
            break;
        }
    }
    click(&mut h, "show 0x10 in Memory");
    h.run_steps(2);
    assert_eq!(h.state().wb.view().memory.cursor, Some(16));
    until(&mut h, "the bytes at 16", |a| {
        a.wb.run().memory.byte(16).is_some()
    });
    assert_eq!(h.state().wb.run().memory.bytes(16, 3), b"hi\n");
}

#[test]
fn the_instruction_next_within_a_line_holding_several_is_named() {
    let mut h = with_program("named.wat", NAMED);
    // Line 11 holds four instructions: the highlight walks through them.
    for instruction in ["i32.const 40", "i32.const 2", "call $add"] {
        h.get_by_label("the guest is on line 11");
        h.get_by_label(&format!("at {instruction}"));
        click(&mut h, "Step into");
        settle(&mut h);
    }
    h.get_by_label("the guest is on line 7");
    h.get_by_label("at local.get $a");
}

#[test]
fn selecting_a_caller_moves_the_highlight_to_its_call() {
    let mut h = with_program("named.wat", NAMED);
    for _ in 0..3 {
        click(&mut h, "Step into");
        settle(&mut h);
    }
    h.get_by_label("the guest is on line 7");
    click(&mut h, "Stack");
    h.get_by_label_contains("#1 _start (func 2)").click();
    h.run_steps(2);
    assert_eq!(h.state().wb.view().frame, 1);
    // The caller is on the line of its call, at the call.
    h.get_by_label("frame #1 is on line 11");
    h.get_by_label("at call $add");
    let pc = h.state().wb.selected_frame().unwrap().pc.offset;
    let program = h.state().wb.doc.program.clone().unwrap();
    assert!(
        program.disassembly().lines()[program.disassembly().line_of_offset(pc as usize).unwrap()]
            .text
            .contains("call")
    );
}

#[test]
fn a_guest_waiting_for_input_is_told_so_and_can_be_given_the_end_of_input() {
    let mut app = App::new(None);
    app.wb.open(&sample("samples/wasi/cat.wat"));
    let mut h = harness(app);
    settle(&mut h);
    click(&mut h, "Console");
    click(&mut h, "Continue");
    until(&mut h, "the read", |a| {
        a.wb.run()
            .waiting
            .as_ref()
            .is_some_and(|w| w.call.name == "fd_read")
    });
    h.get_by_label("Running: waiting in fd_read for standard input");
    h.get_by_label("stdin").focus();
    h.run_steps(1);
    h.get_by_label("stdin").type_text("hello");
    h.run_steps(1);
    h.key_press(egui::Key::Enter);
    h.run_steps(1);
    until(&mut h, "the echo", |a| {
        a.wb.run()
            .console
            .chunks
            .iter()
            .any(|(s, t)| *s == wasmhole::model::console::Stream::Out && t == "hello\n")
    });
    click(&mut h, "End of input");
    until(&mut h, "the end", |a| {
        matches!(a.wb.state(), RunState::Exited(_))
    });
    assert_eq!(
        h.state().wb.state(),
        RunState::Exited(ExitStatus::Exited(0))
    );
    h.get_by_label("(end of input)");
    h.get_by_label("standard input has ended");
    h.get_by_label("Exited with status 0");
}

#[test]
fn the_banner_says_what_a_syscall_is_about_to_do_and_what_it_did() {
    let mut h = with_program("named.wat", NAMED);
    click(&mut h, "Next syscall");
    settle(&mut h);
    h.get_by_label(
        "About to call fd_write(fd=1<stdout>, iovs=[{\"hi\\n\", 3}], iovs_len=1, nwritten=0x8)",
    );
    click(&mut h, "Next syscall");
    settle(&mut h);
    h.get_by_label("fd_write returned 0");
    h.get_by_label("wrote 4 bytes at 0x8: 00 00 00 00 -> 03 00 00 00");
}

#[test]
fn at_a_syscall_the_operands_are_named_as_its_arguments_and_the_unfinished_call_is_listed() {
    let mut h = with_program("named.wat", NAMED);
    click(&mut h, "Next syscall");
    settle(&mut h);
    // The Syscalls panel lists the call it is stopped at, with no result yet.
    h.get_by_label(
        "1  fd_write(fd=1<stdout>, iovs=[{\"hi\\n\", 3}], iovs_len=1, nwritten=0x8) = ? <not yet run: stopped at its entry>",
    );
    click(&mut h, "Stack");
    h.run_steps(1);
    // The top four operands are fd_write's arguments, by parameter name.
    h.get_by_label("[0] argument fd of fd_write");
    h.get_by_label("[3] argument nwritten of fd_write");
    h.get_by_label(
        "The guest is calling fd_write: its arguments are the top 4 operands; the call pops them when it returns.",
    );
    click(&mut h, "Next syscall");
    settle(&mut h);
    // At the exit the arguments are still there: the result is pushed only
    // when the guest resumes, and the panel says so rather than hiding it.
    h.get_by_label("[0] argument fd of fd_write");
    h.get_by_label(
        "fd_write has returned 0, but the guest has not resumed yet: when it does, the arguments are popped and 0 is pushed.",
    );
    assert!(
        h.query_by_label_contains("<not yet run").is_none(),
        "a call that returned is not listed as unfinished"
    );
}
