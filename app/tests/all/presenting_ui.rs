//! The workbench in front of a class: projector mode on a small projector
//! (1280x720) keeps the essentials usable, menus reachable and text whole;
//! Source keeps the guest's line in view when it is shown again; the
//! Lessons panel is a reading pane; a sample's edits go to the learner's
//! own copy; side by side keeps each console under its guest; a file that
//! is no program says so.

use crate::common;

use common::{harness, sample, settle, settle_gopher};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use std::sync::Arc;
use wasmhole::lessons::{Catalog, Workspace};
use wasmhole::model::lessons::Lessons;
use wasmhole::workbench::App;
use wasmhole::workbench::dock::Tab;

fn at_size(app: App, w: f32, h: f32) -> Harness<'static, App> {
    Harness::builder()
        .with_size(egui::vec2(w, h))
        .build_ui_state(|ui, app: &mut App| app.ui(ui), app)
}

fn projector(h: &mut Harness<'static, App>) {
    h.key_press_modifiers(
        egui::Modifiers::COMMAND | egui::Modifiers::SHIFT,
        egui::Key::P,
    );
    h.run_steps(4);
}

/// Whether the guest's current line is in the Source panel's view, from
/// what the panel last drew: (line top, view top, view height).
fn line_in_view(h: &Harness<'static, App>) -> (bool, String) {
    let line = h
        .state()
        .wb
        .run()
        .snapshot
        .as_ref()
        .and_then(|s| s.pc())
        .and_then(|pc| pc.source_line)
        .expect("a WAT line");
    let (top, height) = h
        .ctx
        .memory(|m| {
            m.data
                .get_temp::<(f32, f32)>(egui::Id::unique("source-view"))
        })
        .expect("the source view was drawn");
    let tops = h
        .ctx
        .memory(|m| {
            m.data
                .get_temp::<Arc<Vec<f32>>>(egui::Id::unique("source-line-tops"))
        })
        .expect("the lines were laid out");
    let y = tops[line as usize - 1];
    (
        top <= y && y + 10.0 <= top + height,
        format!("line {line} at {y}, view {top}..{}", top + height),
    )
}

#[test]
fn projector_mode_on_a_small_projector_keeps_the_essentials_usable() {
    let mut app = App::new(None);
    app.wb.open(&sample("samples/wasi/files.wat"));
    let mut h = at_size(app, 1280.0, 720.0);
    settle(&mut h);
    projector(&mut h);
    assert!(h.state().projector && h.state().presenting);
    // Scaled up, but to what fits: 1280x720 is 914x514 points at 140%.
    assert_eq!(h.state().zoom, 1.4);
    let screen = h.ctx.content_rect();
    for label in ["Continue", "Step into", "Next syscall", "Step back", "Stop"] {
        let r = h.get_by_label(label).rect();
        assert!(screen.contains_rect(r), "{label} at {r:?} is on {screen:?}");
    }
    h.key_press(egui::Key::F8);
    h.run_steps(2);
    settle(&mut h);
    // The banner's button never covers the call it is about.
    let headline = h.get_by_label_contains("About to call path_open").rect();
    let what_if = h.get_by_label("What if…").rect();
    assert!(
        !headline.intersects(what_if),
        "{headline:?} and {what_if:?}"
    );
    // Memory shows bytes, however small its panel.
    h.run_steps(2);
    assert!(h.state().wb.view().memory.rows >= 3);
    // The status bar is one line, whatever it says.
    let status = h
        .get_by_label_contains("stopped: syscall entry: path_open")
        .rect();
    let body = egui::TextStyle::Body.resolve(&h.ctx.global_style());
    let row = h.ctx.fonts_mut(|f| f.row_height(&body));
    assert!(status.height() < row * 1.5, "{status:?}");
    // The call column keeps room for the call.
    h.key_press(egui::Key::F8);
    h.run_steps(2);
    settle(&mut h);
    h.state_mut().wb.focus = Some(Tab::Syscalls);
    h.run_steps(3);
    // (The row, not the status bar at the bottom, which says it too.)
    let rows: Vec<egui::Rect> = h
        .get_all_by_label_contains("path_open(fd=3")
        .map(|n| n.rect())
        .filter(|r| r.bottom() < screen.bottom() - 40.0)
        .collect();
    assert!(rows.iter().any(|r| r.width() > 200.0), "{rows:?}");
    // Every sample can be reached in the Samples menu.
    h.get_by_label("Samples").click();
    h.run_steps(3);
    let last = wasmhole::model::samples::all()
        .last()
        .expect("samples")
        .label
        .clone();
    h.get_by_label(&last).scroll_to_me();
    h.run_steps(3);
    let r = h.get_by_label(&last).rect();
    assert!(screen.contains_rect(r), "{last} at {r:?} is on {screen:?}");
    h.get_by_label(&last).click();
    h.run_steps(3);
    settle(&mut h);
    assert_eq!(
        h.state().wb.doc.path.as_deref(),
        Some(
            wasmhole::model::samples::all()
                .last()
                .unwrap()
                .path
                .as_path()
        )
    );
}

#[test]
fn source_brings_the_guest_line_into_view_after_the_layout_changes() {
    let mut app = App::new(None);
    app.wb
        .open(&sample("samples/gopherhole/handlers/wasi/menu.wat"));
    let mut h = at_size(app, 1600.0, 1000.0);
    settle(&mut h);
    projector(&mut h);
    h.key_press(egui::Key::F8);
    h.run_steps(2);
    settle(&mut h);
    h.run_steps(4);
    let (shown, at) = line_in_view(&h);
    assert!(shown, "in projector mode: {at}");
    // Leaving projector mode changes every size: the line stays in view.
    projector(&mut h);
    assert!(!h.state().projector);
    h.run_steps(4);
    let (shown, at) = line_in_view(&h);
    assert!(shown, "after projector mode: {at}");
}

#[test]
fn debug_this_request_shows_the_handler_at_its_line() {
    let app = App::new(Some(sample("samples/gopherhole/gopherd.toml")));
    let mut h = harness(app);
    settle_gopher(&mut h);
    h.get_by_label("Search the documents").click();
    h.run_steps(2);
    h.get_by_label("Search \"Search the documents\":")
        .type_text("sandbox");
    h.run_steps(1);
    h.get_by_label("Search").click();
    h.run_steps(1);
    settle_gopher(&mut h);
    h.get_by_label("Debug this request").click();
    h.run_steps(2);
    settle(&mut h);
    h.key_press(egui::Key::F8);
    h.run_steps(2);
    settle(&mut h);
    h.run_steps(4);
    let (shown, at) = line_in_view(&h);
    assert!(shown, "{at}");
}

#[test]
fn the_lessons_panel_is_a_reading_pane_where_every_exercise_can_be_opened() {
    let data = tempfile::tempdir().unwrap();
    let mut app = App::new(None);
    let catalog = Catalog::load(&sample("lessons")).expect("the lessons load");
    app.wb.lessons = Lessons::new(Some(catalog), Workspace::at(data.path()));
    app.wb.focus = Some(Tab::Lessons);
    let mut h = harness(app);
    h.run_steps(3);
    h.get_by_label("3. A guest's first syscall").click();
    h.run_steps(3);
    // The lesson's text has the panel's height, not a few lines.
    let text = h.get_by_label_contains("Step 1 of").rect();
    let panel_bottom = h.get_by_label("Lessons").rect().top() + 300.0;
    assert!(text.bottom() < panel_bottom, "{text:?}");
    // The second exercise's Open button is there to scroll to and click.
    let lesson = wasmhole::lessons::Catalog::load(&sample("lessons")).unwrap();
    let second = lesson.lesson("first-syscall").unwrap().exercises[1]
        .title
        .clone();
    let open = format!("Open: {second}");
    h.get_by_label(&open).scroll_to_me();
    h.run_steps(3);
    h.get_by_label(&open).click();
    h.run_steps(2);
    settle(&mut h);
    assert_eq!(
        h.state().wb.lessons.working.as_ref().map(|w| w.id.as_str()),
        Some(
            lesson.lesson("first-syscall").unwrap().exercises[1]
                .id
                .as_str()
        )
    );
}

#[test]
fn edits_to_a_sample_are_saved_to_the_learners_copy() {
    let data = tempfile::tempdir().unwrap();
    let original = sample("samples/wasi/hello.wat");
    let before = std::fs::read_to_string(&original).unwrap();
    let mut app = App::new(None);
    app.wb.lessons = Lessons::new(None, Workspace::at(data.path()));
    assert!(app.wb.open(&original));
    let mut h = harness(app);
    settle(&mut h);
    let edited = before.replace("Hello from a WASI guest!", "Hello from my own copy!");
    h.state_mut().wb.doc.text = Some(edited.clone());
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    h.run_steps(2);
    assert_eq!(std::fs::read_to_string(&original).unwrap(), before);
    let copy = data.path().join("copies/samples/wasi/hello.wat");
    assert_eq!(std::fs::read_to_string(&copy).unwrap(), edited);
    assert!(
        h.state()
            .wb
            .doc
            .path
            .as_ref()
            .is_some_and(|p| p.ends_with("copies/samples/wasi/hello.wat")),
        "{:?}",
        h.state().wb.doc.path
    );
    h.get_by_label_contains("saved your copy");
    assert!(!h.state().wb.doc.is_unsaved());
}

#[test]
fn side_by_side_keeps_each_console_under_its_guest() {
    let mut h = harness(App::new(None));
    let hello = wasmhole::model::side_by_side::hello_samples().expect("the samples");
    h.state_mut().open_side_by_side(&hello);
    h.run_steps(3);
    for abi in ["wasi", "dagger", "olin"] {
        let column = h
            .get_by_label_contains(&format!("hello.wat · {abi}"))
            .rect();
        let consoles: Vec<egui::Rect> = h
            .get_all_by_label("hello.wat · console")
            .map(|n| n.rect())
            .collect();
        assert!(
            consoles
                .iter()
                .any(|c| (c.left() - column.left()).abs() < 12.0),
            "a console under {abi} at {column:?}: {consoles:?}"
        );
    }
}

#[test]
fn a_file_that_is_no_program_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "Buy eggs.\n").unwrap();
    let mut app = App::new(None);
    assert!(!app.wb.open(&notes));
    let mut h = harness(app);
    h.run_steps(3);
    let said = "notes.txt is neither a WebAssembly module nor WAT text: it starts with `Buy eggs.`, where a module starts with `\\0asm` (binary) or `(module` (text)";
    // In the banner, and in the status bar.
    assert_eq!(h.get_all_by_label(said).count(), 2);
}
