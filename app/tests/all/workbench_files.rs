//! The workbench around its files, as a learner and a teacher use it: the
//! welcome page, opening by a typed path where no file dialog exists and
//! every failure saying why, saving and being asked before edits are
//! dropped, each file's own run configuration, breakpoints set from the
//! Source gutter that follow their lines, exporting a trace, and projector
//! mode with its layout and zoom remembered.

use crate::common;

use common::{harness, sample, settle};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};
use wasmhole::model::run::RunState;
use wasmhole::workbench::App;
use wasmhole::workbench::dock::Tab;

fn click(h: &mut Harness<'static, App>, label: &str) {
    h.get_by_label(label).click();
    h.run_steps(2);
}

/// A window where no desktop file dialog can be shown.
fn without_dialogs(app: App) -> Harness<'static, App> {
    let mut app = app;
    app.wb.dialogs = false;
    harness(app)
}

fn type_path(h: &mut Harness<'static, App>, path: &Path) {
    h.get_by_label("Path").focus();
    h.run_steps(1);
    h.get_by_label("Path")
        .type_text(&path.display().to_string());
    h.run_steps(1);
}

#[test]
fn the_welcome_page_says_what_the_workbench_is_for_and_opens_samples() {
    let mut h = harness(App::new(None));
    h.run_steps(2);
    h.get_by_label("Welcome to wasmhole");
    h.get_by_label_contains("shows how a WebAssembly guest talks to its host");
    h.get_by_label("Samples: WASI preview 1");
    h.get_by_label("Browse the demo gopherhole");
    // No message about a nameless binary module on a first launch.
    assert!(h.query_by_label_contains("is a binary module").is_none());
    click(&mut h, "Go to the panels");
    h.get_by_label("Nothing is open: File > Open, or pick a program from Samples.");
    assert!(h.query_by_label_contains("is a binary module").is_none());
    h.get_by_label("View").click();
    h.run_steps(2);
    click(&mut h, "Welcome page");
    click(&mut h, "wasi/hello.wat");
    settle(&mut h);
    assert!(!h.state().wb.welcome);
    assert_eq!(h.state().wb.state(), RunState::Stopped);
    h.get_by_label_contains("Stopped at the start");
}

#[test]
fn with_no_file_dialog_a_path_is_typed_and_failures_say_why() {
    let mut h = without_dialogs(App::new(None));
    h.run_steps(2);
    h.get_by_label("File").click();
    h.run_steps(2);
    click(&mut h, "Open… (Ctrl+O)");
    h.get_by_label_contains("No file dialog is available here");
    // A path that is not there: the window stays, saying why.
    type_path(&mut h, Path::new("/no/such/file.wat"));
    click(&mut h, "Open");
    let error = h.state().wb.prompt.as_ref().and_then(|p| p.error.clone());
    assert!(
        error
            .as_deref()
            .is_some_and(|e| e.starts_with("cannot read /no/such/file.wat:")),
        "{error:?}"
    );
    // In the window, the banner and the status bar.
    assert_eq!(
        h.get_all_by_label_contains("cannot read /no/such/file.wat:")
            .count(),
        3
    );
    h.get_by_label("Path").focus();
    h.run_steps(1);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run_steps(1);
    type_path(&mut h, &sample("samples/wasi/hello.wat"));
    h.key_press(egui::Key::Enter);
    h.run_steps(2);
    settle(&mut h);
    assert!(h.state().wb.prompt.is_none(), "the window closed");
    assert_eq!(h.state().wb.doc.name, "hello.wat");
    assert_eq!(h.state().wb.state(), RunState::Stopped);

    // A trace opened by path: the Source says what it is.
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("t.jsonl");
    std::fs::write(&trace, "").unwrap();
    h.state_mut().wb.open(&trace);
    h.run_steps(2);
    click(&mut h, "Source");
    h.get_by_label("A recorded trace has no source: its calls are in the Syscalls panel.");
    assert!(h.query_by_label_contains("is a binary module").is_none());
}

#[test]
fn an_export_writes_the_trace_or_says_why_not() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::new(None);
    app.wb.open(&sample("samples/wasi/hello.wat"));
    let mut h = without_dialogs(app);
    settle(&mut h);
    h.get_by_label("Continue").click();
    h.run_steps(1);
    settle(&mut h);
    for (target, ok) in [
        (dir.path().join("missing/folder/t.txt"), false),
        (dir.path().join("hello.txt"), true),
    ] {
        h.get_by_label("File").click();
        h.run_steps(2);
        h.get_by_label("Export trace").click();
        h.run_steps(2);
        click(&mut h, "strace-style text…");
        h.get_by_label("Path").focus();
        h.run_steps(1);
        h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
        type_path(&mut h, &target);
        click(&mut h, "Export");
        let deadline = Instant::now() + Duration::from_secs(20);
        while h.state().wb.export.is_some() {
            assert!(Instant::now() < deadline);
            h.run_steps(1);
            std::thread::sleep(Duration::from_millis(10));
        }
        h.run_steps(2);
        if ok {
            let text = std::fs::read_to_string(&target).unwrap();
            assert!(text.contains("fd_write(fd=1<stdout>"), "{text}");
            h.get_by_label(&format!("trace written to {} (1 call)", target.display()));
        } else {
            let problem = h.state().wb.problem.clone().unwrap();
            assert!(
                problem.starts_with(&format!("cannot write the trace to {}: ", target.display())),
                "{problem}"
            );
            h.state_mut().wb.problem = None;
        }
    }
}

#[test]
fn edits_are_saved_and_never_dropped_without_asking() {
    let dir = tempfile::tempdir().unwrap();
    let mine = dir.path().join("mine.wat");
    std::fs::copy(sample("samples/wasi/hello.wat"), &mine).unwrap();
    let mut app = App::new(None);
    app.wb.open(&mine);
    let mut h = without_dialogs(app);
    settle(&mut h);
    let edited = h
        .state()
        .wb
        .doc
        .text
        .clone()
        .unwrap()
        .replace("Hello from", "Hi from");
    h.state_mut().wb.doc.text = Some(edited.clone());
    h.run_steps(2);
    h.get_by_label("unsaved (Ctrl+S)");
    // Opening another file asks first; Cancel keeps the edits.
    h.state_mut().wb.open(&sample("samples/wasi/args.wat"));
    h.run_steps(2);
    h.get_by_label_contains("mine.wat has edits that are not saved");
    click(&mut h, "Cancel");
    assert_eq!(h.state().wb.doc.text.as_deref(), Some(edited.as_str()));
    // Reopening the same file asks too; Save writes them, then opens.
    h.state_mut().wb.open(&mine);
    h.run_steps(2);
    click(&mut h, "Save them");
    settle(&mut h);
    assert_eq!(std::fs::read_to_string(&mine).unwrap(), edited);
    assert!(!h.state().wb.doc.is_unsaved());
    // Ctrl+S saves in place.
    let again = edited.replace("Hi from", "Hey from");
    h.state_mut().wb.doc.text = Some(again.clone());
    h.run_steps(1);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    h.run_steps(2);
    assert_eq!(std::fs::read_to_string(&mine).unwrap(), again);
    h.get_by_label(&format!("saved {}", mine.display()));
    // Discard drops them.
    h.state_mut().wb.doc.text = Some("(module)".into());
    h.state_mut().wb.open(&sample("samples/wasi/args.wat"));
    h.run_steps(2);
    click(&mut h, "Discard them");
    settle(&mut h);
    assert_eq!(h.state().wb.doc.name, "args.wat");
    assert_eq!(std::fs::read_to_string(&mine).unwrap(), again);
}

#[test]
fn each_file_keeps_its_own_run_configuration() {
    let hello = sample("samples/wasi/hello.wat");
    let args = sample("samples/wasi/args.wat");
    let mut app = App::new(None);
    app.wb.open(&args);
    // The args sample's own example, quoted as in a shell.
    app.wb.config.args = r#"one "two words" three"#.into();
    app.wb.start();
    let mut h = harness(app);
    settle(&mut h);
    click(&mut h, "Continue");
    settle(&mut h);
    click(&mut h, "Console");
    for word in ["one", "two words", "three"] {
        assert!(
            h.state()
                .wb
                .run()
                .console
                .chunks
                .iter()
                .any(|(_, t)| t.lines().any(|l| l == word)),
            "{word} is one argument"
        );
    }
    h.state_mut().wb.open(&hello);
    h.run_steps(2);
    settle(&mut h);
    assert_eq!(h.state().wb.config.args, "", "nothing carried over");
    click(&mut h, "Run configuration");
    h.get_by_label("For hello.wat: the defaults.");
    h.state_mut().wb.open(&args);
    h.run_steps(2);
    settle(&mut h);
    assert_eq!(h.state().wb.config.args, r#"one "two words" three"#);
    h.get_by_label("For args.wat: kept for this file.");
    click(&mut h, "Reset to defaults");
    assert_eq!(h.state().wb.config.args, "");

    // Settings and breakpoints outlive the window, per file; the next
    // launch starts on no file's settings.
    h.state_mut().wb.config.env = "K=V".into();
    let mut storage = MemoryStorage::default();
    h.state_mut().save_to(&mut storage);
    let mut next = App::new(None);
    next.restore(&storage);
    assert_eq!(next.wb.config, Default::default());
    next.wb.open(&args);
    assert_eq!(next.wb.config.env, "K=V");
}

#[derive(Default)]
struct MemoryStorage(HashMap<String, String>);

impl eframe::Storage for MemoryStorage {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }
    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.into(), value);
    }
    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }
    fn flush(&mut self) {}
}

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

#[test]
fn breakpoints_from_the_source_gutter_show_everywhere_and_follow_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("add.wat");
    std::fs::write(&file, ADD).unwrap();
    let mut app = App::new(None);
    app.wb.open(&file);
    let mut h = harness(app);
    settle(&mut h);
    click(&mut h, "set breakpoint on line 7");
    let offset = {
        let b: Vec<_> = h.state().wb.breakpoints.iter().collect();
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].line, Some(7));
        b[0].offset
    };
    h.get_by_label("clear breakpoint on line 7");
    click(&mut h, "Disassembly");
    h.get_by_label(&format!("clear breakpoint at {offset:#x}"));
    click(&mut h, "Breakpoints");
    h.get_by_label(&format!("{offset:#x}"));
    h.get_by_label("add (func 1)");

    // Two lines added above: after Compile the breakpoint is on line 9.
    let edited = format!(";; two lines\n;; added\n{ADD}");
    h.state_mut().wb.doc.text = Some(edited);
    h.run_steps(1);
    click(&mut h, "Source");
    click(&mut h, "Compile");
    settle(&mut h);
    let b: Vec<_> = h.state().wb.breakpoints.iter().collect();
    assert_eq!(b.iter().map(|b| b.line).collect::<Vec<_>>(), vec![Some(9)]);
    h.get_by_label("clear breakpoint on line 9");
    click(&mut h, "Continue");
    settle(&mut h);
    h.get_by_label_contains("Stopped at a breakpoint in add (func 1)");
    h.get_by_label("the guest is on line 9");
    // Kept across a restart.
    click(&mut h, "Restart");
    settle(&mut h);
    click(&mut h, "Continue");
    settle(&mut h);
    h.get_by_label_contains("Stopped at a breakpoint in add (func 1)");
    click(&mut h, "Continue");
    settle(&mut h);
    assert!(matches!(h.state().wb.state(), RunState::Exited(_)));
}

#[test]
fn projector_mode_scales_everything_keeps_the_toolbar_usable_and_is_remembered() {
    let mut app = App::new(None);
    app.wb.open(&sample("samples/wasi/hello.wat"));
    let mut h = Harness::builder()
        .with_size(egui::vec2(1600.0, 1000.0))
        .build_ui_state(|ui, app: &mut App| app.ui(ui), app);
    settle(&mut h);
    h.get_by_label("View").click();
    h.run_steps(2);
    h.get_by_label("Zoom 100%");
    click(&mut h, "Projector mode (Ctrl+Shift+P)");
    h.run_steps(3);
    assert_eq!(h.state().zoom, 2.0);
    assert!(h.state().presenting);
    assert!((h.ctx.zoom_factor() - 2.0).abs() < 0.01);
    let screen = h.ctx.content_rect();
    for label in [
        "Continue",
        "Pause",
        "Step into",
        "Step over",
        "Step out",
        "Next syscall",
        "Restart",
        "Stop",
    ] {
        let r = h.get_by_label(label).rect();
        assert!(
            screen.contains_rect(r),
            "{label} at {r:?} is on the screen {screen:?}"
        );
    }
    // Source, Memory and Syscalls are the panels on show.
    let shown: Vec<Tab> = h
        .state()
        .dock
        .active_tiles()
        .into_iter()
        .filter_map(|id| match h.state().dock.tiles.get(id) {
            Some(egui_tiles::Tile::Pane(t)) => Some(*t),
            _ => None,
        })
        .collect();
    assert_eq!(shown, vec![Tab::Source, Tab::Memory, Tab::Syscalls]);
    // The next launch comes back the same.
    let mut storage = MemoryStorage::default();
    h.state_mut().save_to(&mut storage);
    let mut next = App::new(None);
    next.restore(&storage);
    assert_eq!(next.zoom, 2.0);
    assert!(next.presenting);
    // And the key takes it back.
    h.key_press_modifiers(
        egui::Modifiers::COMMAND | egui::Modifiers::SHIFT,
        egui::Key::P,
    );
    h.run_steps(3);
    assert_eq!(h.state().zoom, 1.0);
    assert!(!h.state().presenting);
}

#[test]
fn with_no_file_dialog_a_gopherhole_is_opened_by_its_typed_path() {
    let mut h = without_dialogs(App::new(None));
    h.run_steps(2);
    h.get_by_label("View").click();
    h.run_steps(2);
    click(&mut h, "Gopher");
    click(&mut h, "Open gopherhole…");
    click(&mut h, "gopherd configuration (.toml)…");
    h.get_by_label_contains("No file dialog is available here");
    type_path(&mut h, Path::new("/no/such/gopherd.toml"));
    click(&mut h, "Open");
    let error = h.state().wb.prompt.as_ref().and_then(|p| p.error.clone());
    assert!(
        error
            .as_deref()
            .is_some_and(|e| e.starts_with("cannot open the gopherhole: ")
                && e.contains("/no/such/gopherd.toml")),
        "{error:?}"
    );
    h.get_by_label("Path").focus();
    h.run_steps(1);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run_steps(1);
    type_path(&mut h, &sample("samples/gopherhole/gopherd.toml"));
    h.key_press(egui::Key::Enter);
    h.run_steps(2);
    assert!(h.state().wb.prompt.is_none(), "the window closed");
    let deadline = Instant::now() + Duration::from_secs(60);
    while h.state().wb.gopher.page.is_none() || h.state().wb.gopher.loading().is_some() {
        assert!(Instant::now() < deadline, "the gopherhole's menu loaded");
        h.run_steps(1);
        std::thread::sleep(Duration::from_millis(10));
    }
    let page = h.state().wb.gopher.page.clone().unwrap();
    assert!(
        page.url.to_string().starts_with("gopher://localhost:7070/"),
        "{}",
        page.url
    );
}
